#!/bin/sh
# shellcheck shell=dash
# t_ganeti_real: the Ganeti hooks run by a real Ganeti 3.0 cluster of two
# nodes (tests/lab/ganeti.sh: namespaces only, nothing on the machine), the
# router VMs QEMUs (TCG) that Ganeti starts from the test kernel and an
# initramfs whose /init (tests/ganeti/init) claims 203.0.113.10 MASTER over
# the virtio-serial port of kvm_extra every second, and hands over (BACKUP
# for a few seconds) when the host asks it to.  The real vrouter-hostd runs
# on each node, installed and configured with the documented commands.
#
# The test runs the node commands of docs/ganeti.md and of
# docs/operations.md section 2 as they are written there (the ```sh blocks,
# each on the node its "# on NODE" line names), in their order, plus the
# operations they leave out (a soft reboot, removing r2 between its two
# documented creations), and checks at the end that every documented node
# command was run on its node.  After each Ganeti operation it asserts, on
# both nodes, what vrouter-hostd says (`vrouterctl host vm list`) and what
# is in the kernel: the VM registered on the node it runs on only, its
# channel connected, 203.0.113.10 MASTER and installed, and
# `203.0.113.10/32 dev TAP proto 241` where TAP is the tap Ganeti recorded
# for the instance's NIC 0; none of it on the other node.  A live
# migration under TCG sometimes leaves the guest hung: after a migration
# the guest must still say its state, or it is hard rebooted and migrated
# again.
#
# usage: t_ganeti_real.sh [BUILD_DIR]   (as root; exit 77 = skipped, with
# the reason).  GNT_KEEP=1 keeps the cluster up after the reboots until
# ENTER (debugging).  GNT_HANG=1 freezes the guest after the first
# migration (SIGSTOP to its QEMU), to check the way the test recovers.

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/ganeti.sh"

skip()
{
	echo "1..0 # SKIP $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root"
case $LAB_BUILD in /*) BIN=$LAB_BUILD ;; *) BIN=$LAB_ROOT/$LAB_BUILD ;; esac
for b in "$BIN/vrouter-hostd" "$BIN/vrouterctl" "$BIN/vrouter-vsp"; do
	[ -x "$b" ] || { echo "not ok 1 - $b not built"; exit 1; }
done
m=$(gnt_missing)
[ -z "$m" ] || skip "$m missing (sh scripts/install-deps.sh installs it)"
for c in busybox cpio dpkg-deb apt-get flock systemd-tmpfiles; do
	command -v "$c" >/dev/null 2>&1 ||
	    skip "$c missing (sh scripts/install-deps.sh installs it)"
done
kernel=$(sh "$LAB_ROOT/tests/qemu/kernel.sh")
case $? in
0) ;;
77) skip "no Debian cloud kernel here (see kernel.sh's message above)" ;;
*) echo "not ok 1 - tests/qemu/kernel.sh failed"; exit 1 ;;
esac

lab_init || exit 1
gnt_init || exit 1
VIP=203.0.113.10
R1=r1.$GNT_DOMAIN
R2=r2.$GNT_DOMAIN
R3=r3.$GNT_DOMAIN
N1=node1.$GNT_DOMAIN
N2=node2.$GNT_DOMAIN
HOSTD_SOCK=/run/vrouter/hostd.sock
NICDIR=/run/ganeti/kvm-hypervisor/nic
RAN=$LAB_DIR/ran		# every node command run: "NODE<tab>COMMAND"
BOOT_MS=90000			# a TCG boot on a loaded machine, generously
: >"$RAN"
: >"$LAB_DIR/timings"

GNT_KERNEL=${kernel% *}
GNT_INITRD=$LAB_DIR/initrd
cat >"$LAB_DIR/vrq.conf" <<CONF
ROUTER=vr1
PORT=org.vrouter.0
VIP=$VIP
BEAT=1
HOLD=3
CONF
sh "$LAB_ROOT/tests/qemu/mkinitramfs.sh" "$GNT_INITRD" "${kernel#* }" \
    "$LAB_ROOT/tests/ganeti/init" "$LAB_DIR/vrq.conf" "$BIN/vrouter-vsp" ||
    { lab_notok "the guest's initramfs"; lab_done; exit 1; }

ms()
{
	date +%s%3N
}
T0=$(ms)
since()		# START: seconds since START (ms) with one decimal
{
	local d=$(($(ms) - $1))
	echo "$((d / 1000)).$((d % 1000 / 100))"
}

# The channel of kvm_extra for INSTANCE, inner commas escaped for -H.
chan_extra()	# INSTANCE
{
	printf '%s\n' "-chardev socket\\,id=vrouter\\,path=/run/ganeti/vrouter/$1.sock\\,server=on\\,wait=off -device virtio-serial-pci\\,id=vrouter-vs -device virtserialport\\,bus=vrouter-vs.0\\,chardev=vrouter\\,name=org.vrouter.0"
}

# ... as Ganeti hands it to the hooks, the commas plain.
chan_plain()	# INSTANCE
{
	chan_extra "$1" | sed 's/\\,/,/g'
}

# run N CMDLINE: the shell command line CMDLINE as root on node N (in the
# tree's top folder), recorded in RAN; its output in $LAB_DIR/last.out and,
# as comments, in the test's log.
run()
{
	local n="$1" rc
	shift
	printf '%s\t%s\n' "$n" "$*" >>"$RAN"
	gnt_exec "$n" sh -c "cd \"\$1\" && eval \"\$2\"" run "$LAB_ROOT" \
	    "$*" >"$LAB_DIR/last.out" 2>&1
	rc=$?
	sed 's/^/#   /' "$LAB_DIR/last.out"
	return $rc
}
# every CMDLINE: run on both nodes.
every()
{
	local rc=0
	run 1 "$1" || rc=1
	run 2 "$1" || rc=1
	return $rc
}

# op DESC CMDLINE: a Ganeti command on the master (node 1), timed: "ok -
# DESC (N s)" if it succeeds and no vrouter hook failed on any node; the
# time also goes to the summary.
OP_S=
op()
{
	local t
	t=$(ms)
	if run 1 "$2"; then
		OP_S=$(since "$t")
		# A failed hook is only a WARNING of the job.
		if grep -q "50-vrouter failed" "$LAB_DIR/last.out"; then
			lab_notok "$1: a vrouter hook failed" \
			    "$(grep "50-vrouter failed" "$LAB_DIR/last.out")"
			return 1
		fi
		lab_ok "$1, its hooks succeeded ($OP_S s)"
		printf '%-44s %5s s\n' "$1" "$OP_S" >>"$LAB_DIR/timings"
		return 0
	fi
	lab_notok "$1" "failed: $2"
	return 1
}

# vm N NAME: hostd's view of NAME on node N, one line
# "CONNECTED EPOCH SEQ STATE RESULT TAP", nothing when not registered.
vm()
{
	gnt_exec "$1" vrouterctl -s "$HOSTD_SOCK" host vm list 2>/dev/null |
	    awk -v n="$2" -v vip="$VIP" '
	    $0 == n { on = 1; f = 1; next }
	    /^[^ ]/ { on = 0 }
	    on && $1 == "channel" {
		c = $0 ~ /\(connected\)/ ? "yes" : "no"
		for (i = 1; i < NF; i++)
			if ($i == "tap") { t = $(i + 1); sub(/,$/, "", t) }
	    }
	    on && $1 == "router" { e = $4; s = $6 }
	    on && $1 == vip { st = $2; r = $3 }
	    END { if (f) print c, e, s, st, r, t }'
}
field()		# N NAME K: field K of vm's line
{
	vm "$1" "$2" | awk -v k="$3" '{ print $k }'
}
# The tap Ganeti's KVM recorded for NIC 0 of NAME on node N.
gnt_tap()
{
	gnt_exec "$1" cat "$NICDIR/$2/0" 2>/dev/null
}
route_to()	# N TAP: VIP/32 dev TAP proto 241 in node N's main table
{
	[ -n "$2" ] &&
	    ip -n "${LAB}n$1" route show table main "$VIP/32" proto 241 |
	    grep -q "dev $2 "
}
# no_route N NAME: no route of ours to the VIP on node N for NAME: none in
# any table, or only to the tap of another router VM registered there (r1
# and r2 share the VIP).
no_route()
{
	local r others="" o
	r=$(ip -n "${LAB}n$1" route show table all "$VIP/32" proto 241)
	[ -n "$r" ] || return 0
	for o in $(gnt_exec "$1" vrouterctl -s "$HOSTD_SOCK" host vm list \
	    2>/dev/null | grep '^[^ ]'); do
		[ "$o" = "$2" ] || others="$others $(field "$1" "$o" 6)"
	done
	echo "$r" | awk -v t="$others" '
	    BEGIN { n = split(t, tap, " "); for (i = 1; i <= n; i++) ok[tap[i]] = 1 }
	    { for (i = 1; i < NF; i++) if ($i == "dev" && !ok[$(i + 1)]) bad = 1 }
	    END { exit bad }'
}
# served N NAME: NAME registered on node N with its channel connected, the
# guest's VIP MASTER and installed, on the tap Ganeti gave its NIC, and the
# route there.
served()
{
	local l tap
	l=$(vm "$1" "$2")
	tap=$(gnt_tap "$1" "$2")
	# shellcheck disable=SC2086
	set -- "$1" $l
	[ "$2" = yes ] && [ "$5" = MASTER ] && [ "$6" = installed ] &&
	    [ -n "$tap" ] && [ "$7" = "$tap" ] && route_to "$1" "$tap"
}
unregistered()	# N NAME
{
	[ -z "$(vm "$1" "$2")" ]
}
# wait_for DESC MS CMD...: lab_wait_for, polling every 0.25 s: each poll
# enters a node, and the TCG guests need the CPU more.
wait_for()
{
	local desc="$1" end
	end=$(($(ms) + $2))
	shift 2
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(ms)" -lt "$end" ] || break
		sleep 0.25
	done
	echo "# timed out waiting for: $desc"
	return 1
}
seq_above()	# N NAME SEQ
{
	[ "$(field "$1" "$2" 3)" -gt "$3" ] 2>/dev/null
}
# alive N NAME: the guest's seq on node N advances (it says its state every
# second): it runs, and its channel carries frames.
alive()
{
	local s0
	s0=$(field "$1" "$2" 3)
	[ -n "$s0" ] || return 1
	wait_for "guest $2 on node $1 to say its state again" 15000 \
	    seq_above "$1" "$2" "$s0"
}
unreg_both()	# NAME: registered on neither node
{
	[ -z "$(vm 1 "$1")$(vm 2 "$1")" ]
}
epoch_not()	# N NAME EPOCH: the guest's epoch on node N is another
{
	local e
	e=$(epoch "$1" "$2")
	[ -n "$e" ] && [ "$e" != "$3" ]
}
# served_after N NAME [EPOCH]: served by a guest whose epoch is not EPOCH
# (a reboot: hostd may not have seen the old QEMU's channel close yet).
served_after()
{
	[ -z "${3:-}" ] || epoch_not "$1" "$2" "$3" || return 1
	served "$1" "$2"
}
# On node N, NAME served (within BOOT_MS) and gone from node OTHER: the
# registration and the route followed.  With OLD_EPOCH: by a new boot.
follows()	# DESC N OTHER NAME [OLD_EPOCH]
{
	local t
	t=$(ms)
	if wait_for "$4 served on node $2" "$BOOT_MS" served_after "$2" "$4" "${5:-}"; then
		lab_ok "$1: $4 registered on node $2, MASTER installed, $VIP/32 dev $(gnt_tap "$2" "$4") proto 241 ($(since "$t") s after the job)"
	else
		lab_notok "$1: $4 registered on node $2 with its route" \
		    "node $2: vm: '$(vm "$2" "$4")' tap: '$(gnt_tap "$2" "$4")' routes: $(ip -n "${LAB}n$2" route show table all proto 241 | tr '\n' ';')"
	fi
	[ -n "$3" ] || return 0
	if unregistered "$3" "$4" && no_route "$3" "$4"; then
		lab_ok "$1: $4 not registered on node $3, no route there"
	else
		lab_notok "$1: $4 gone from node $3" \
		    "node $3: vm: '$(vm "$3" "$4")' routes: $(ip -n "${LAB}n$3" route show table all proto 241 | tr '\n' ';')"
	fi
}
# Neither node has NAME nor any route.
gone()		# DESC NAME
{
	if wait_for "$2 unregistered" 20000 unreg_both "$2" &&
	    no_route 1 "$2" && no_route 2 "$2"; then
		lab_ok "$1: $2 registered on no node, no route on either"
	else
		lab_notok "$1: $2 gone" "node1: '$(vm 1 "$2")' node2: '$(vm 2 "$2")'"
	fi
}
epoch()		# N NAME
{
	field "$1" "$2" 2
}
dump()
{
	local f
	for f in "$GNT_DIR"/n*/hostd.log "$GNT_DIR"/n1/log/jobs.log; do
		[ -s "$f" ] || continue
		echo "# --- $f"
		tail -n 30 "$f" | sed 's/^/#   /'
	done
}
bail()
{
	lab_notok "$1" "${2:-}"
	dump
	lab_done
	exit 1
}

# ---- the cluster ------------------------------------------------------------
T=$(ms)
for n in 1 2; do
	gnt_node "$n" || bail "node $n: namespaces, holder, sshd"
done
lab_ok "two nodes: namespaces, holders, sshd ($(since "$T") s)"
T=$(ms)
gnt_cluster_init >"$LAB_DIR/init.log" 2>&1 ||
    bail "gnt-cluster init" "$(tail -n 5 "$LAB_DIR/init.log")"
lab_ok "gnt-cluster init: kvm on TCG, diskless ($(since "$T") s)"
T=$(ms)
gnt_node_add 2 >"$LAB_DIR/nodeadd.log" 2>&1 ||
    bail "gnt-node add" "$(tail -n 5 "$LAB_DIR/nodeadd.log")"
lab_ok "gnt-node add $N2, over ssh ($(since "$T") s)"

# ---- every node: docs/operations.md section 2 steps 1-4, ganeti.md 1-4 ------
every "systemd-tmpfiles --create vrouter.conf vrouter-ganeti.conf" &&
    every "systemd-tmpfiles --create vrouter-ganeti.conf" &&
    gnt_exec 1 test -d /run/ganeti/vrouter &&
    gnt_exec 2 test -d /run/ganeti/vrouter
lab_check "systemd-tmpfiles: /run/vrouter and the channel folder on both nodes" \
    test $? = 0
# `systemctl enable --now vrouter-hostd`: what its unit runs.
for n in 1 2; do
	gnt_hostd "$n" ||
	    bail "node $n: vrouter-hostd" "$(cat "$GNT_DIR/n$n/hostd.log")"
done
every "vrouterctl host status" &&
    grep -q "^host: *$N2" "$LAB_DIR/last.out"
lab_check "vrouter-hostd on both nodes: vrouterctl host status" test $? = 0
every "printf '%s\\n' UPLINK=eth0 >/etc/vrouter/ganeti-hook.conf" &&
    every "chmod 644 /etc/vrouter/ganeti-hook.conf"
lab_check "the hook's config on both nodes" test $? = 0
every "/usr/local/lib/vrouter/install-hooks" &&
    gnt_exec 2 test -x /etc/ganeti/hooks/instance-migrate-pre.d/50-vrouter
lab_check "install-hooks on both nodes" test $? = 0
run 1 "/usr/local/lib/vrouter/install-hooks" && [ ! -s "$LAB_DIR/last.out" ]
lab_check "install-hooks again: idempotent, says nothing" test $? = 0
T_SETUP=$(since "$T0")

# ---- operations.md step 5: r1 on node1, r2 on node2, tags and kvm_extra ----
E1=
op "gnt-instance add r1 (tags, kvm_extra)" "gnt-instance add -t diskless -o noop -n $N1 --net 0:ip=203.0.113.11 -H 'kvm:kvm_extra=$(chan_extra "$R1")' --tags vrouter:router,vrouter:vip:$VIP $R1" ||
    bail "gnt-instance add" "$(cat "$LAB_DIR/last.out")"
follows "add" 1 2 "$R1"
op "gnt-instance add r2 (tags, kvm_extra)" "gnt-instance add -t diskless -o noop -n $N2 --net 0:ip=203.0.113.12 -H 'kvm:kvm_extra=$(chan_extra "$R2")' --tags vrouter:router,vrouter:vip:$VIP $R2"
follows "add" 2 "" "$R2"
run 1 "vrouterctl host vm list" && grep -q "^$R1\$" "$LAB_DIR/last.out" &&
    grep -q "(connected)" "$LAB_DIR/last.out"
lab_check "node1: vrouterctl host vm list shows r1, connected" test $? = 0
run 2 "vrouterctl host vm list" && grep -q "^$R2\$" "$LAB_DIR/last.out" &&
    grep -q "(connected)" "$LAB_DIR/last.out"
lab_check "node2: vrouterctl host vm list shows r2, connected" test $? = 0

# ---- ganeti.md: r2 made the other way: instance first, then channel, tags --
op "gnt-instance remove r2 (for its second creation)" "gnt-instance remove -f $R2"
gone "remove" "$R2"
op "gnt-instance add r2 (no tags, no channel)" "gnt-instance add -t diskless -o noop -n $N2 --net 0:ip=203.0.113.12 $R2"
lab_check "r2 without the router tag: not registered" unreg_both "$R2"
op "gnt-instance modify -H kvm_extra (escaped commas)" "gnt-instance modify -H 'kvm_extra=$(chan_extra "$R2")' $R2"
op "gnt-instance add-tags" "gnt-instance add-tags $R2 vrouter:router vrouter:vip:$VIP"
op "gnt-instance reboot --type=hard r2 (takes channel, tags)" "gnt-instance reboot --type=hard $R2"
follows "modify + add-tags + hard reboot" 2 1 "$R2"
run 2 "vrouterctl host vm list" && grep -q "^$R2\$" "$LAB_DIR/last.out"
lab_check "node2: vrouterctl host vm list shows r2" test $? = 0
run 2 "env -i GANETI_OP_CODE=OP_INSTANCE_STARTUP GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=$R2 GANETI_INSTANCE_PRIMARY=$N2 GANETI_INSTANCE_NIC_COUNT=1 GANETI_INSTANCE_NIC0_IP=203.0.113.12 GANETI_INSTANCE_TAGS='vrouter:router vrouter:vip:$VIP' GANETI_INSTANCE_HV_kvm_extra='$(chan_plain "$R2")' /usr/local/lib/vrouter/vrouter-hook" &&
    wait_for "$R2 served on node2" 20000 served 2 "$R2"
lab_check "the hook run by hand on node2, as Ganeti would: r2 still served" \
    test $? = 0
# r1 and r2 claim the same VIP: one router VM per node from here on.
op "gnt-instance remove r2" "gnt-instance remove -f $R2"
gone "remove" "$R2"

# ---- ganeti.md: migrate, yield, failover, move -------------------------------
# The hook's pre-migrate phase asks the guest to hand over first; the guest
# is MASTER again a few seconds later (HOLD), wherever it is by then.
# The guest says its state every second: a guest that does not within 15 s
# after the job (and its state is installed within 30 s: no boot here) is
# one that the migration left hung.
E1=$(epoch 1 "$R1")
try=1
while :; do
	op "gnt-instance migrate -f -n node2 (try $try)" \
	    "gnt-instance migrate -f -n $N2 $R1" || break
	if [ "${GNT_HANG:-0}" = 1 ] && [ $try = 1 ]; then
		# Play the hung guest: freeze the QEMU Ganeti started on node2.
		q=$(gnt_exec 2 cat "/run/ganeti/kvm-hypervisor/pid/$R1")
		echo "# GNT_HANG=1: stopping QEMU $q on node2"
		[ -n "$q" ] && kill -s STOP "$q"
	fi
	if wait_for "$R1 served on node2" 30000 served 2 "$R1" &&
	    alive 2 "$R1"; then
		follows "migrate" 2 1 "$R1"
		lab_ok "migrate: the guest runs on node2 (its seq advances)"
		break
	fi
	echo "# migrate try $try: the guest does not run on node2 (hung under TCG?): node2: '$(vm 2 "$R1")' node1: '$(vm 1 "$R1")'"
	if [ $try -ge 3 ]; then
		lab_notok "migrate: the guest runs on node2, in 3 tries"
		break
	fi
	# Hard reboot where it is, back to node1, check it runs there.
	run 1 "gnt-instance reboot --type=hard $R1"
	wait_for "$R1 served on node2" "$BOOT_MS" served 2 "$R1"
	run 1 "gnt-instance migrate -f -n $N1 $R1"
	if ! { wait_for "$R1 served on node1" 30000 served 1 "$R1" &&
	    alive 1 "$R1"; }; then
		run 1 "gnt-instance reboot --type=hard $R1"
		wait_for "$R1 served on node1" "$BOOT_MS" served 1 "$R1"
	fi
	E1=$(epoch 1 "$R1")
	try=$((try + 1))
done
E2=$(epoch 2 "$R1")
lab_check "migrate: live, the same boot (guest epoch $E1 on node2 too)" \
    test "$E2" = "$E1"
grep -q "vm $R1: asked to hand over" "$GNT_DIR/n1/hostd.log"
lab_check "migrate: the pre hook asked r1 to hand over on node1 (hostd's log)" \
    test $? = 0

T=$(ms)
run 2 "vrouterctl host vm yield $R1" && grep -q "handed over" "$LAB_DIR/last.out"
lab_check "vrouterctl host vm yield on node2: handed over ($(since "$T") s)" \
    test $? = 0
op "gnt-instance failover -f -n node1" "gnt-instance failover -f -n $N1 $R1"
follows "failover" 1 2 "$R1" "$E1"

op "gnt-instance move -f -n node2" "gnt-instance move -f -n $N2 $R1"
follows "move" 2 1 "$R1" "$(epoch 1 "$R1")"

# ---- ganeti.md: stop, start, reboot; and the soft reboot --------------------
op "gnt-instance stop" "gnt-instance stop $R1"
gone "stop" "$R1"
op "gnt-instance start" "gnt-instance start $R1"
follows "start" 2 1 "$R1"
E=$(epoch 2 "$R1")
op "gnt-instance reboot --type=hard" "gnt-instance reboot --type=hard $R1"
follows "hard reboot" 2 1 "$R1" "$E"
E=$(epoch 2 "$R1")
op "gnt-instance reboot --type=soft" "gnt-instance reboot --type=soft $R1"
follows "soft reboot" 2 1 "$R1" "$E"

if [ "${GNT_KEEP:-0}" = 1 ]; then
	echo "# GNT_KEEP=1: LAB_DIR=$LAB_DIR holders $GNT_HOLDER_1 $GNT_HOLDER_2; ENTER goes on"
	read -r _
fi

# ---- ganeti.md: rename, remove ---------------------------------------------
op "gnt-instance stop" "gnt-instance stop $R1"
gone "stop" "$R1"
op "gnt-instance rename" "gnt-instance rename $R1 $R3"
op "gnt-instance start (renamed)" "gnt-instance start $R3"
follows "rename" 2 1 "$R3"
lab_check "rename: the old name is registered on no node" unreg_both "$R1"
op "gnt-instance remove -f" "gnt-instance remove -f $R3"
gone "remove" "$R3"

# ---- every documented node command was run on its node -----------------------
# docs/ganeti.md and docs/operations.md section 2: the lines of each ```sh
# block (a line ending in \ goes on; comments dropped) are commands for the
# node its first line names ("# on node1.example.org", "# on every node").
# Each must match a line of RAN run there (quotes and runs of blanks aside;
# "..." would stand for any text).  Blocks with a qualifier (```sh guest)
# run in a router VM, not here: only counted.  What a node of the lab
# cannot run is named below with the reason.
docs_cmds()
{
	{
		cat "$LAB_ROOT/docs/ganeti.md"
		awk '/^## / { on = /^## 2\./ } on' "$LAB_ROOT/docs/operations.md"
	} | awk '
	    /^ *```/ {
		if (inb) { inb = 0; next }
		kind = $0; sub(/^ *```/, "", kind); sub(/ +$/, "", kind)
		inb = 1; node = "?"; first = 1; next
	    }
	    !inb { next }
	    {
		l = $0; sub(/^ +/, "", l)
		if (first && l ~ /^# on every node/) node = "every"
		else if (first && l ~ /^# on /) { node = l; sub(/^# on /, "", node) }
		first = 0
		if (cont != "") { l = cont " " l; cont = "" }
		if (l ~ /\\$/) { sub(/ *\\$/, "", l); cont = l; next }
		sub(/ +#.*$/, "", l)
		if (l == "" || l ~ /^#/) next
		print kind "\t" node "\t" l
	    }'
}
not_in_lab()	# CMD: why a lab node cannot run CMD, if it cannot
{
	case $1 in
	systemctl\ *) echo "no systemd in the lab: vrouter-hostd is started as its unit's ExecStart" ;;
	esac
}
ran_on()	# NODE(1|2) DOC_CMD: a line of RAN for NODE matches
{
	# ENVIRON, not -v: awk would turn the \n of printf '%s\n' into a
	# newline.
	RAN_NODE="$1" DOC_CMD="$2" awk -F '\t' '
	    function norm(s) { gsub(/["'\'']/, "", s); gsub(/[ \t]+/, " ", s); return s }
	    BEGIN {
		n = ENVIRON["RAN_NODE"]
		np = split(norm(ENVIRON["DOC_CMD"]), part, /\.\.\./)
	    }
	    $1 == n {
		l = norm($2); pos = 1; ok = 1
		for (i = 1; i <= np; i++) {
			if (part[i] == "") continue
			j = index(substr(l, pos), part[i])
			if (j == 0 || (i == 1 && j != 1)) { ok = 0; break }
			pos += j - 1 + length(part[i])
		}
		if (ok && pos != length(l) + 1 && part[np] != "") ok = 0
		if (ok) { found = 1; exit }
	    }
	    END { exit !found }' "$RAN"
}
docs_cmds >"$LAB_DIR/doc-cmds"
nrun=0 nskip=0 nguest=0 missed=
tab=$(printf '\t')
while IFS="$tab" read -r kind node cmd; do
	case $kind in
	sh) ;;
	sh\ *) nguest=$((nguest + 1)); continue ;;
	*) continue ;;
	esac
	why=$(not_in_lab "$cmd")
	if [ -n "$why" ]; then
		echo "# documented, not run in the lab: $cmd ($why)"
		nskip=$((nskip + 1))
		continue
	fi
	case $node in
	every) nodes="1 2" ;;
	"$N1") nodes=1 ;;
	"$N2") nodes=2 ;;
	*) missed="$missed
#   (no \"# on NODE\" line) $cmd"; continue ;;
	esac
	ok=1
	for n in $nodes; do
		ran_on "$n" "$cmd" || { ok=0; missed="$missed
#   on node$n: $cmd"; }
	done
	[ $ok = 0 ] || nrun=$((nrun + 1))
done <"$LAB_DIR/doc-cmds"
lab_check "the docs mark their node commands (\`\`\`sh blocks): $nrun found" \
    test "$nrun" -gt 10
if [ -z "$missed" ]; then
	lab_ok "every documented node command was run on its node ($nrun run, $nskip not for the lab, $nguest for the router VM)"
else
	lab_notok "every documented node command was run on its node"
	printf '# not run:%s\n' "$missed"
fi

[ "$LAB_FAILS" -eq 0 ] || dump
T=$(ms)
gnt_teardown
printf '%-44s %5s s\n' "teardown (gnt-cluster destroy)" "$(since "$T")" \
    >>"$LAB_DIR/timings"
echo "# setup (nodes, cluster, hostd, hooks): $T_SETUP s; then:"
sed 's/^/#   /' "$LAB_DIR/timings"
echo "# t_ganeti_real: $(since "$T0") s in all"
lab_done
