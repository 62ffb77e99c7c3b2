#!/bin/sh
# shellcheck shell=dash
# t_ganeti_real: the Ganeti hooks run by a real Ganeti 3.0 cluster of two
# nodes (tests/lab/ganeti.sh: namespaces only, nothing on the machine), the
# router VM a QEMU (TCG) that Ganeti starts from the test kernel and an
# initramfs whose /init (tests/ganeti/init) claims 203.0.113.10 MASTER over
# the virtio-serial port of kvm_extra, every second.  The real
# vrouter-hostd runs on each node and the real hooks are installed with
# install-hooks.  After each Ganeti operation the test asserts, on both
# nodes, what vrouter-hostd says (`vrouterctl host vm list`) and what is
# in the kernel (`203.0.113.10/32 dev TAP proto 241`, TAP being the one
# Ganeti recorded for the instance's NIC 0):
#   add (tags, kvm_extra at add time), stop, start, reboot soft and hard,
#   migrate (live; the guest must still run afterwards, or it is hard
#   rebooted and migrated again), failover, move, stop + rename + start,
#   remove;
# and that every node command of docs/ganeti.md and of docs/operations.md
# section 2 (their ```sh blocks) was run here.
#
# usage: t_ganeti_real.sh [BUILD_DIR]   (as root; exit 77 = skipped, with
# the reason).  GNT_KEEP=1 keeps the cluster up until ENTER (debugging).

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
for c in busybox cpio dpkg-deb apt-get flock; do
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
R3=r3.$GNT_DOMAIN
N1=node1.$GNT_DOMAIN
N2=node2.$GNT_DOMAIN
HOSTD_SOCK=/run/vrouter/hostd.sock
CHANDIR=/var/run/ganeti/vrouter
NICDIR=/run/ganeti/kvm-hypervisor/nic
RAN=$LAB_DIR/ran		# every node command run, one a line
BOOT_MS=90000			# a TCG boot on a loaded machine, generously

GNT_KERNEL=${kernel% *}
GNT_INITRD=$LAB_DIR/initrd
cat >"$LAB_DIR/vrq.conf" <<CONF
ROUTER=r1
PORT=org.vrouter.0
VIP=$VIP
BEAT=1
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

# The kvm_extra value: Ganeti's -H parser splits at unescaped commas.
chan_extra()	# INSTANCE
{
	echo "-chardev socket\\,id=vrouter\\,path=$CHANDIR/$1.sock\\,server=on\\,wait=off -device virtio-serial-pci\\,id=vrouter-vs -device virtserialport\\,bus=vrouter-vs.0\\,chardev=vrouter\\,name=org.vrouter.0"
}

# run N CMDLINE: run the shell command line CMDLINE as root on node N, in
# the tree's top folder (hostagent/ganeti/install-hooks is documented with
# that path); recorded in RAN for the documented-commands check.  Output to
# $LAB_DIR/last.out (and the test's log).
run()
{
	local n="$1"
	shift
	printf '%s\n' "$*" >>"$RAN"
	gnt_exec "$n" sh -c "cd \"\$1\" && eval \"\$2\"" run "$LAB_ROOT" \
	    "$*" >"$LAB_DIR/last.out" 2>&1
	local rc=$?
	sed 's/^/#   /' "$LAB_DIR/last.out"
	return $rc
}

# A Ganeti operation on the master (node 1), timed: "ok - DESC (N s)".
OP_S=
op()		# DESC CMDLINE
{
	local t
	t=$(ms)
	if run 1 "$2"; then
		OP_S=$(since "$t")
		lab_ok "$1 ($OP_S s)"
		echo "$1 $OP_S" >>"$LAB_DIR/timings"
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
no_route()	# N: no route of ours to the VIP on node N, in no table
{
	! ip -n "${LAB}n$1" route show table all "$VIP/32" proto 241 | grep -q .
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
	if unregistered "$3" "$4" && no_route "$3"; then
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
	    no_route 1 && no_route 2; then
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
	gnt_hostd "$n" || bail "node $n: vrouter-hostd" "$(cat "$GNT_DIR/n$n/hostd.log")"
done
lab_ok "two nodes: namespaces, holders, sshd, vrouter-hostd ($(since "$T") s)"
T=$(ms)
gnt_cluster_init >"$LAB_DIR/init.log" 2>&1 ||
    bail "gnt-cluster init" "$(tail -n 5 "$LAB_DIR/init.log")"
lab_ok "gnt-cluster init: kvm on TCG, diskless ($(since "$T") s)"
T=$(ms)
gnt_node_add 2 >"$LAB_DIR/nodeadd.log" 2>&1 ||
    bail "gnt-node add" "$(tail -n 5 "$LAB_DIR/nodeadd.log")"
lab_ok "gnt-node add $N2 over ssh ($(since "$T") s)"
T_SETUP=$(since "$T0")

# The node side of docs/operations.md section 2 and docs/ganeti.md section 4
# on both nodes: hostd's status, the channel folder, the hooks.
for n in 1 2; do
	run "$n" "vrouterctl host status" ||
	    lab_notok "node $n: vrouterctl host status"
	gnt_exec "$n" mkdir -p -m 0750 "$CHANDIR" ||
	    bail "node $n: channel folder"
done
run 2 "hostagent/ganeti/install-hooks -l /usr/lib/vrouter /etc/ganeti/hooks" &&
    gnt_exec 2 grep -q "exec '/usr/lib/vrouter/vrouter-hook'" \
    /etc/ganeti/hooks/instance-start-post.d/50-vrouter &&
    run 2 "hostagent/ganeti/install-hooks -u" &&
    ! gnt_exec 2 test -e /etc/ganeti/hooks/instance-start-post.d/50-vrouter
lab_check "node 2: install-hooks -l LIBDIR, then -u removes the entry points" test $? = 0
run 1 "hostagent/ganeti/install-hooks" &&
    run 2 "/usr/local/lib/vrouter/install-hooks"
lab_check "install-hooks on both nodes (from the tree, and as installed)" test $? = 0
run 1 "/usr/local/lib/vrouter/install-hooks" && [ ! -s "$LAB_DIR/last.out" ]
lab_check "install-hooks again: idempotent, says nothing" test $? = 0

# ---- one node: add, stop, start, reboot -------------------------------------
op "gnt-instance add (tags, kvm_extra) on $N1" \
    "gnt-instance add -t diskless -o noop -n $N1 -B memory=128M -H kvm:kvm_extra=\"$(chan_extra "$R1")\" --tags vrouter:router,vrouter:vip:$VIP $R1" ||
    bail "gnt-instance add" "$(cat "$LAB_DIR/last.out")"
follows "add" 1 2 "$R1"
E=$(epoch 1 "$R1")

op "gnt-instance stop" "gnt-instance stop $R1"
gone "stop" "$R1"

op "gnt-instance start" "gnt-instance start $R1"
follows "start" 1 "" "$R1" "$E"
E2=$(epoch 1 "$R1")
lab_check "start: a new boot (guest epoch $E -> $E2)" test "$E2" != "$E"

E=$E2
op "gnt-instance reboot --type=soft" "gnt-instance reboot --type=soft $R1"
follows "soft reboot" 1 "" "$R1" "$E"
E2=$(epoch 1 "$R1")
lab_check "soft reboot: a new boot (guest epoch $E -> $E2)" test "$E2" != "$E"

E=$E2
op "gnt-instance reboot --type=hard" "gnt-instance reboot --type=hard $R1"
follows "hard reboot" 1 "" "$R1" "$E"
E2=$(epoch 1 "$R1")
lab_check "hard reboot: a new boot (guest epoch $E -> $E2)" test "$E2" != "$E"

if [ "${GNT_KEEP:-0}" = 1 ]; then
	echo "# GNT_KEEP=1: LAB_DIR=$LAB_DIR holders: $GNT_HOLDER_1 $GNT_HOLDER_2; ENTER ends"
	read -r _
fi

# ---- two nodes: migrate, failover, move -------------------------------------
# A live migration under TCG sometimes leaves the guest hung while Ganeti
# reports success: check that it still says its state, and if not, hard
# reboot it where it is and migrate again (at most 3 tries).
E=$(epoch 1 "$R1")
try=1
while :; do
	op "gnt-instance migrate -f -n $N2 (try $try)" \
	    "gnt-instance migrate -f -n $N2 $R1" || break
	follows "migrate" 2 1 "$R1"
	if alive 2 "$R1"; then
		lab_ok "migrate: the guest runs on node 2 (its seq advances)"
		break
	fi
	echo "# migrate try $try: the guest hung under TCG; hard reboot, migrate back, again"
	[ $try -lt 3 ] || { lab_notok "migrate: the guest runs after 3 tries"; break; }
	run 1 "gnt-instance reboot --type=hard $R1"
	wait_for "$R1 served on node 2" "$BOOT_MS" served 2 "$R1"
	run 1 "gnt-instance migrate -f -n $N1 $R1"
	wait_for "$R1 served on node 1" "$BOOT_MS" served 1 "$R1"
	alive 1 "$R1" || { run 1 "gnt-instance reboot --type=hard $R1"
	    wait_for "$R1 served on node 1" "$BOOT_MS" served 1 "$R1"; }
	E=$(epoch 1 "$R1")
	try=$((try + 1))
done
E2=$(epoch 2 "$R1")
lab_check "migrate: the same boot moved (guest epoch $E on both sides)" \
    test "$E2" = "$E"

op "gnt-instance failover -f" "gnt-instance failover -f $R1"
follows "failover" 1 2 "$R1" "$E"
E2=$(epoch 1 "$R1")
lab_check "failover: a fresh boot on node 1 (epoch $E -> $E2)" test "$E2" != "$E"

op "gnt-instance move -f -n $N2" "gnt-instance move -f -n $N2 $R1"
follows "move" 2 1 "$R1"

# ---- the documented commands for r1 on its node -----------------------------
run 1 "gnt-instance add-tags $R1 vrouter:router vrouter:vip:$VIP"
lab_check "gnt-instance add-tags (Ganeti's tag syntax)" test $? = 0
run 2 "vrouterctl host vm list" && grep -q "(connected)" "$LAB_DIR/last.out"
lab_check "vrouterctl host vm list on the node: connected" test $? = 0
run 1 "gnt-instance modify -H kvm_extra=\"$(chan_extra "$R1")\" $R1"
lab_check "gnt-instance modify -H kvm_extra (escaped commas)" test $? = 0
run 2 "env -i GANETI_OP_CODE=OP_INSTANCE_STARTUP GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=$R1 GANETI_INSTANCE_PRIMARY=\$(hostname -f) GANETI_INSTANCE_NIC_COUNT=1 GANETI_INSTANCE_TAGS=\"vrouter:router vrouter:vip:$VIP\" /usr/local/lib/vrouter/vrouter-hook"
lab_check "the hook run by hand on the node, as Ganeti would" test $? = 0

# ---- rename: stop, rename, point kvm_extra at the new name, start -----------
op "gnt-instance stop" "gnt-instance stop $R1"
gone "stop before rename" "$R1"
op "gnt-instance rename" "gnt-instance rename $R1 $R3"
op "gnt-instance modify -H kvm_extra (new socket)" \
    "gnt-instance modify -H kvm_extra=\"$(chan_extra "$R3")\" $R3"
op "gnt-instance start (renamed)" "gnt-instance start $R3"
follows "rename" 2 1 "$R3"
lab_check "rename: the old name is registered nowhere" unreg_both "$R1"

op "gnt-instance remove -f" "gnt-instance remove -f $R3"
gone "remove" "$R3"

# ---- every documented node command was run ----------------------------------
# docs/ganeti.md whole and docs/operations.md section 2: the lines of
# ```sh blocks (a line ending in \ goes on; "# ..." comments dropped) are
# commands for a node, and each must match a line of RAN, "..." standing
# for any text.  Blocks with a qualifier (```sh guest) run elsewhere and
# are only counted.  What cannot run inside the lab is named here, with
# the reason.
docs_cmds()
{
	{
		cat "$LAB_ROOT/docs/ganeti.md"
		awk '/^## / { on = /^## 2\./ } on' "$LAB_ROOT/docs/operations.md"
	} | awk '
	    /^ *```/ {
		if (inb) { inb = 0; next }
		info = $0; sub(/^ *```/, "", info); sub(/ +$/, "", info)
		inb = 1; kind = info; next
	    }
	    !inb { next }
	    {
		l = $0; sub(/^ +/, "", l)
		if (cont != "") { l = cont " " l; cont = "" }
		if (l ~ /\\$/) { sub(/ *\\$/, "", l); cont = l; next }
		sub(/ +#.*$/, "", l)
		if (l == "" || l ~ /^#/) next
		gsub(/ +/, " ", l)
		print kind "\t" l
	    }'
}
not_in_lab()	# CMD: the reason, if CMD cannot run in the lab
{
	case $1 in
	systemctl\ *) echo "no systemd inside the lab: vrouter-hostd runs as its unit's ExecStart" ;;
	"systemd-tmpfiles --create") echo "would apply every tmpfiles.d rule of the machine: the test makes the channel folder as the rule says" ;;
	esac
}
matches()	# DOC_CMD: a line of RAN matches, "..." being any text
{
	awk -v d="$1" '
	    function norm(s) { gsub(/["'\'']/, "", s); gsub(/[ \t]+/, " ", s); return s }
	    BEGIN { n = split(norm(d), part, /\.\.\./) }
	    {
		l = norm($0); pos = 1; ok = 1
		for (i = 1; i <= n; i++) {
			if (part[i] == "") continue
			rest = substr(l, pos)
			j = index(rest, part[i])
			if (j == 0 || (i == 1 && j != 1)) { ok = 0; break }
			pos += j - 1 + length(part[i])
		}
		if (ok && part[n] != "" && substr(l, length(l) - length(part[n]) + 1) != part[n]) ok = 0
		if (ok) { found = 1; exit }
	    }
	    END { exit !found }' "$RAN"
}
docs_cmds >"$LAB_DIR/doc-cmds"
nrun=0 nskip=0 nelse=0 missed=
while IFS="$(printf '\t')" read -r kind cmd; do
	if [ "$kind" != sh ]; then
		[ -z "$kind" ] || [ "${kind#sh }" = "$kind" ] ||
		    nelse=$((nelse + 1))
		continue
	fi
	why=$(not_in_lab "$cmd")
	if [ -n "$why" ]; then
		echo "# documented, not run in the lab: $cmd ($why)"
		nskip=$((nskip + 1))
	elif matches "$cmd"; then
		nrun=$((nrun + 1))
	else
		missed="$missed
#   $cmd"
	fi
done <"$LAB_DIR/doc-cmds"
lab_check "the docs mark their node commands (\`\`\`sh blocks): $nrun run here" \
    test "$nrun" -gt 0
if [ -z "$missed" ]; then
	lab_ok "every documented node command was run ($nrun run, $nskip not for the lab, $nelse for the guest)"
else
	lab_notok "every documented node command was run" "not run:$missed"
fi

[ "$LAB_FAILS" -eq 0 ] || dump
T=$(ms)
gnt_teardown
echo "# teardown (remove instances, gnt-cluster destroy): $(since "$T") s"
echo "# setup $T_SETUP s; operations:"
sed 's/^/#   /' "$LAB_DIR/timings"
echo "# t_ganeti_real: $(since "$T0") s in all"
lab_done
