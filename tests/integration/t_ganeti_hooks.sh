#!/bin/sh
# t_ganeti_hooks.sh: the Ganeti hooks (hostagent/ganeti/) make exactly the
# vrouterctl calls they should, on exactly the nodes they should.
#
# What it proves, running the real scripts under `env -i` (Ganeti clears
# the environment) with the GANETI_* variables Ganeti 3.0 sets for each
# operation (also the misleading ones: in a post phase GANETI_POST_OLD_PRIMARY
# is already the new node), a temporary config, a temporary KVM NIC folder
# and a fake vrouterctl that logs its arguments:
#   - every tag used here and in the sh blocks of docs/ganeti.md and
#     docs/operations.md matches Ganeti's tag rule ^[\w.+*/:@-]+$, and
#     every such block's first line says where it runs;
#   - start/reboot on the primary registers the VM with the channel path
#     from its kvm_extra (whatever its file name), tap, uplink, addresses
#     (NIC IP + vrouter:vip:A.B.C.D tags, public NIC chosen by
#     vrouter:public-nic:N) and tables (incl. @link), and -s SOCKET;
#   - near-miss tags (vrouter:VIP:..., vrouter:vips:..., vrouter-vip:...,
#     vrouter:public_nic:...) are warned about, and change nothing else;
#     a bad vip or public-nic value, or two public-nic tags, refuse the
#     registration; vrouter tags without the router tag warn on the
#     primary only and call nothing;
#   - kvm_extra without the vrouter port (or with another device of that
#     name), with a relative path, a path outside CHANNEL_DIR (the same
#     folder by a symlink is inside) or without server=on refuses the
#     registration; CHANNEL_PORT picks the port;
#   - start on a secondary or the master node does nothing; an instance
#     without the router tag is never touched;
#   - migrate, failover, move, pre: the node the VM runs on calls
#     `host vm yield NAME timeout YIELD_TIMEOUT`; no other node does;
#     still MASTER, not registered, a failed or hung vrouterctl and a bad
#     config (YIELD_TIMEOUT outside 100..60000 or not below TIMEOUT) are
#     warnings with exit 0; YIELD_TIMEOUT=0, migrate --cleanup and a
#     stopped instance yield nothing;
#   - migrate, failover, move, post: del on the old primary, add on the
#     new one, nothing on the master; a stopped instance is only
#     unregistered; migrate --cleanup registers the VM where its tap is;
#   - rename, post: the old name is unregistered on the primary;
#   - stop and remove (pre and post) unregister on the primary, and a del
#     that hostd answers "not registered" is not a failure; add with
#     --no-start does nothing;
#   - a failed vrouterctl fails the hook (post) with vrouterctl's message,
#     but never fails a pre hook; a hung vrouterctl is cut off after
#     TIMEOUT; a missing tap file is a clear error;
#   - a config file (or its folder) that is group/world writable or owned
#     by another user is refused, and then nothing is called;
#   - install-hooks installs only names matching ^[a-zA-Z0-9_-]+$ (refuses
#     a name with a dot), one entry point per hook folder the hook uses, is
#     idempotent, its entry points work under env -i, and -u removes them.
# It needs no root and no network namespaces.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
HOOK=$ROOT/hostagent/ganeti/vrouter-hook
INSTALL=$ROOT/hostagent/ganeti/install-hooks

T=$(mktemp -d "${TMPDIR:-/tmp}/t_ganeti_hooks.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
chmod 755 "$T"

fails=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() {
	n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"
	[ -s "$T/err" ] && sed 's/^/#   stderr: /' "$T/err"
	[ -s "$T/calls" ] && sed 's/^/#   called: /' "$T/calls"
	return 0
}

# ---- Ganeti's tag rule ----------------------------------------------------

# ganeti_tag TAG: Ganeti accepts TAG (lib/objects.py, TaggableObject:
# ^[\w.+*/:@-]+$, at most 128 characters).  \w is ASCII here: the tags
# this test and the docs use are.
ganeti_tag() {
	[ ${#1} -le 128 ] &&
	    printf '%s\n' "$1" | grep -Eq '^[A-Za-z0-9_.+*/:@-]+$'
}

# Every tag in the docs' commands (sh blocks): the words that start with
# "vrouter", also as the value of a VAR=.
# shellcheck disable=SC1003,SC2020 # tr: one character for another
doc_tags=$(for f in "$ROOT/docs/ganeti.md" "$ROOT/docs/operations.md"; do
	awk '/^[[:space:]]*```sh/ { b = 1; next } /^[[:space:]]*```/ { b = 0 } b' "$f"
done | tr -d "'\"" | tr ' ,\\' '\n\n\n' | sed 's/^[A-Z_]*=//' |
    grep -E '^vrouter' || :)
bad=
for t in $doc_tags; do
	ganeti_tag "$t" || bad="$bad $t"
done
if [ -n "$doc_tags" ] && [ -z "$bad" ]; then
	ok "every tag in the docs' commands matches Ganeti's tag rule ($(echo "$doc_tags" | wc -w) tags)"
else
	notok "docs: tags Ganeti would refuse:${bad:- (no tag found in a sh block)}"
fi

# The real-Ganeti test runs those blocks where their first line says:
# ```sh on a node, ```sh guest in a router VM.
bad=$(for f in "$ROOT/docs/ganeti.md" "$ROOT/docs/operations.md"; do
	awk -v f="${f##*/}" '/^[[:space:]]*```sh guest$/ { first = 2; next }
	    /^[[:space:]]*```sh$/ { first = 1; next }
	    first { sub(/^[[:space:]]+/, "")
		if (first == 1 && $0 !~ /^# on (every node|node[12][.]example[.]org)$/ ||
		    first == 2 && $0 != "# in each router VM")
			print f ": " $0
		first = 0 }' "$f"
done)
if [ -z "$bad" ]; then
	ok "every sh block in the docs says where it runs"
else
	notok "sh blocks without '# on NODE' or '# on every node', sh guest blocks without '# in each router VM': $bad"
fi

# ---- fixtures -------------------------------------------------------------

mkdir -p "$T/bin" "$T/etc" "$T/nic/r1.example.org" "$T/chan"
cat >"$T/bin/vrouterctl" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$T/calls"
[ ! -e "$T/hang" ] || exec sleep 20
if [ -e "$T/unreg" ] && [ "\$2" = vm ]; then
	echo "vrouterctl: vm \$4: not registered" >&2
	exit 1
fi
if [ -e "$T/fail" ]; then
	echo "vrouterctl: vrouter-hostd: connection refused" >&2
	exit 1
fi
if [ "\$3" = yield ]; then
	if [ -e "$T/master" ]; then
		echo "vrouterctl: vm \$4: still MASTER after \$6 ms" >&2
		exit 1
	fi
	echo "vm \$4: BACKUP"
fi
exit 0
EOF
chmod 755 "$T/bin/vrouterctl"

# Ganeti's KVM hypervisor writes the tap name without a newline.
printf tap3 >"$T/nic/r1.example.org/0"
printf 'tap4\n' >"$T/nic/r1.example.org/1"

N1=node1.example.org
N2=node2.example.org
N3=master.example.org

# mkconf NAME NODE [EXTRA LINES]: one config file per node, as on a cluster
mkconf() {
	{
		echo "VROUTERCTL=$T/bin/vrouterctl"
		echo "CHANNEL_DIR=$T/chan"
		echo "NIC_DIR=$T/nic"
		echo "UPLINK=uplink0"
		echo "NODE_NAME=$2"
		echo "SYSLOG=no"
		[ $# -lt 3 ] || printf '%s\n' "$3"
	} >"$T/etc/$1.conf"
	chmod 644 "$T/etc/$1.conf"
}
mkconf n1 "$N1"
mkconf n2 "$N2"
mkconf n3 "$N3"
mkconf n1x "$N1" "HOSTD_SOCKET=$T/hostd.sock
TABLES='main @link 200 main'"
mkconf noup "$N1" "UPLINK="
mkconf n1t "$N1" "TIMEOUT=1
YIELD_TIMEOUT=500"
mkconf n1y0 "$N1" "YIELD_TIMEOUT=0"
mkconf n1y5 "$N1" "YIELD_TIMEOUT=500"
mkconf n1ybad "$N1" "TIMEOUT=2
YIELD_TIMEOUT=2000"
mkconf n1port "$N1" "CHANNEL_PORT=org.example.1"
mkconf n1ysmall "$N1" "YIELD_TIMEOUT=50"

# The environment Ganeti 3.0 gives every instance hook for router r1
# (primary N1), as lib/hooksmaster.py and BuildInstanceHookEnv build it.
R1="GANETI_HOOKS_VERSION=2 GANETI_OBJECT_TYPE=INSTANCE
GANETI_DATA_DIR=/var/lib/ganeti GANETI_CLUSTER=cluster.example.org
GANETI_MASTER=$N3 PATH=/sbin:/bin:/usr/sbin:/usr/bin
GANETI_INSTANCE_NAME=r1.example.org GANETI_INSTANCE_PRIMARY=$N1
GANETI_INSTANCE_SECONDARIES= GANETI_INSTANCE_HYPERVISOR=kvm
GANETI_INSTANCE_OS_TYPE=noop GANETI_INSTANCE_DISK_TEMPLATE=diskless
GANETI_INSTANCE_STATUS=up GANETI_INSTANCE_NIC_COUNT=2
GANETI_INSTANCE_NIC0_IP=203.0.113.11 GANETI_INSTANCE_NIC0_MODE=routed
GANETI_INSTANCE_NIC0_LINK=rt100 GANETI_INSTANCE_NIC0_MAC=aa:00:00:00:00:01
GANETI_INSTANCE_NIC1_IP=198.51.100.7 GANETI_INSTANCE_NIC1_MODE=routed
GANETI_INSTANCE_NIC1_LINK=rt101 GANETI_INSTANCE_NIC1_MAC=aa:00:00:00:00:02
GANETI_INSTANCE_DISK_COUNT=0"

# kvm_extra as Ganeti stores it (the \, of the -H option are plain commas
# by then) and passes it to QEMU, split at spaces.  The socket's name is
# deliberately not the instance's: the hook reads the path, not a name.
CHAN=$T/chan/vr-7f3a.sock
KVM_EXTRA="-chardev socket,id=vrouter,path=$CHAN,server=on,wait=off -device virtio-serial-pci,id=vrouter-vs -device virtserialport,bus=vrouter-vs.0,chardev=vrouter,name=org.vrouter.0"

ADD1="host vm add r1.example.org channel $CHAN tap tap3 uplink uplink0 address 203.0.113.11 table main"
DEL1="host vm del r1.example.org"
YIELD1="host vm yield r1.example.org timeout 3000"

# hook CONF [VAR=value...]: run vrouter-hook as Ganeti does; sets RC.
# The R1 words, TAGS and KVM_EXTRA are passed unless the caller overrides
# them.  Every tag must be one Ganeti accepts.
TAGS=vrouter:router
hook() {
	_conf=$1
	shift
	: >"$T/calls"
	for _t in $TAGS; do
		ganeti_tag "$_t" || { notok "test bug: Ganeti refuses the tag $_t"; }
	done
	# shellcheck disable=SC2086 # R1 is a list of words on purpose
	env -i VROUTER_HOOK_CONF="$T/etc/$_conf.conf" $R1 \
	    "GANETI_INSTANCE_HV_kvm_extra=$KVM_EXTRA" \
	    "GANETI_INSTANCE_TAGS=$TAGS" "$@" ${SHELL_UNDER_TEST:-} "$HOOK" \
	    </dev/null >"$T/out" 2>"$T/err"
	RC=$?
}

# expect DESC RC [CALL...]: the hook exited RC and made exactly these calls
expect() {
	_desc=$1
	_rc=$2
	shift 2
	if [ $# -gt 0 ]; then
		_want=$(printf '%s\n' "$@")
	else
		_want=
	fi
	_got=$(cat "$T/calls")
	if [ "$RC" = "$_rc" ] && [ "$_got" = "$_want" ]; then
		ok "$_desc"
	else
		notok "$_desc (exit $RC, want $_rc; calls as shown)"
		[ -z "$_want" ] || printf '%s\n' "$_want" | sed 's/^/#   wanted: /'
	fi
}

# expect_err DESC TEXT: the last run's stderr contains TEXT
expect_err() {
	if grep -qF -- "$2" "$T/err"; then
		ok "$1"
	else
		notok "$1 (stderr lacks \"$2\")"
	fi
}

# expect_quiet DESC: the last run warned about no tag
expect_quiet() {
	if ! grep -qE 'not one this hook understands|not a router' "$T/err"; then
		ok "$1"
	else
		notok "$1 (a tag warning on stderr)"
	fi
}

START="GANETI_OP_CODE=OP_INSTANCE_STARTUP GANETI_HOOKS_PATH=instance-start"

# ---- start ----------------------------------------------------------------

# shellcheck disable=SC2086
{
hook n1 $START GANETI_HOOKS_PHASE=post
expect "start post on the primary registers the VM, channel from kvm_extra" 0 "$ADD1"
expect_quiet "a registration without near-miss tags warns about no tag"

for sh in /bin/sh dash bash "busybox sh"; do
	set -- $sh
	command -v "$1" >/dev/null 2>&1 || continue
	SHELL_UNDER_TEST=$sh
	hook n1 $START GANETI_HOOKS_PHASE=post
	expect "start post under $sh (set -eu, cleared env)" 0 "$ADD1"
	SHELL_UNDER_TEST=
done

hook n1 $START GANETI_HOOKS_PHASE=POST
expect "upper-case phase (older Ganeti) is understood" 0 "$ADD1"

hook n1 GANETI_HOOKS_PATH=instance-start GANETI_HOOKS_PHASE=post
expect "no OP_CODE: the hook path is enough" 0 "$ADD1"

hook n2 $START GANETI_HOOKS_PHASE=post
expect "start post on the secondary does nothing" 0
hook n3 $START GANETI_HOOKS_PHASE=post
expect "start post on the master node does nothing" 0
hook n1 $START GANETI_HOOKS_PHASE=pre
expect "start pre on the primary does nothing" 0

hook n1x $START GANETI_HOOKS_PHASE=post
expect "-s SOCKET, tables main, @link (routed NIC0), 200, no repeats" 0 \
    "-s $T/hostd.sock host vm add r1.example.org channel $CHAN tap tap3 uplink uplink0 address 203.0.113.11 table main table rt100 table 200"

# ---- tags -----------------------------------------------------------------

TAGS="vrouter:router vrouter:public-nic:1 vrouter:vip:203.0.113.20 vrouter:vip:203.0.113.21 vrouter:vip:198.51.100.7"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "public-nic and vip tags choose the tap and the addresses" 0 \
    "host vm add r1.example.org channel $CHAN tap tap4 uplink uplink0 address 198.51.100.7 address 203.0.113.20 address 203.0.113.21 table main"

TAGS="vrouter:router vrouter:vip:203.0.113.10 vrouter:VIP:203.0.113.20 vrouter:vips:203.0.113.21 vrouter:public_nic:1 vrouter-vip:203.0.113.22 VRouter:router"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "near-miss tags change nothing: registered with the good tags, exit 0" 0 \
    "host vm add r1.example.org channel $CHAN tap tap3 uplink uplink0 address 203.0.113.11 address 203.0.113.10 table main"
for t in vrouter:VIP:203.0.113.20 vrouter:vips:203.0.113.21 vrouter:public_nic:1 vrouter-vip:203.0.113.22 VRouter:router; do
	expect_err "near miss $t is warned about" "tag $t is not one this hook understands"
done
hook n2 $START GANETI_HOOKS_PHASE=post
expect_quiet "near misses are not warned about on a node that does not act"

TAGS="vrouter:router vrouter:vip:203.0.113.300"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "a bad vip value refuses the registration: exit 1, no call" 1
expect_err "the bad vip tag is named" "tag vrouter:vip:203.0.113.300: not an IPv4 address"
TAGS="vrouter:router vrouter:vip:"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "an empty vip value refuses the registration" 1

TAGS="vrouter:router vrouter:public-nic:01"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "a bad public-nic value refuses the registration" 1
expect_err "the bad public-nic tag is named" "tag vrouter:public-nic:01: not a NIC index"
TAGS="vrouter:router vrouter:public-nic:0 vrouter:public-nic:1"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "two public-nic tags refuse the registration" 1
expect_err "both are named" "vrouter:public-nic:0 vrouter:public-nic:1"
TAGS="vrouter:router vrouter:public-nic:2"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "a public-nic beyond the NIC count fails the hook" 1

TAGS="webserver vrouter:vip:203.0.113.10"
hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=web1.example.org
expect "an instance with vrouter tags but not the router tag is not touched" 0
expect_err "... and the primary warns that it is not a router" "not vrouter:router: not a router"
hook n3 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=web1.example.org
expect "... the master node does nothing" 0
expect_quiet "... and says nothing"
TAGS="webserver"
hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=web1.example.org
expect "an instance without vrouter tags is not touched" 0
expect_quiet "... and nothing is said about it"
TAGS=
hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=web1.example.org
expect "an instance without tags is not touched" 0
TAGS=vrouter:router

# ---- kvm_extra ------------------------------------------------------------

hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_HV_kvm_extra=
expect "a router without the channel in kvm_extra is refused" 1
expect_err "the missing port is named" "no \"-device virtserialport,...,name=org.vrouter.0\""
hook n1 $START GANETI_HOOKS_PHASE=post \
    "GANETI_INSTANCE_HV_kvm_extra=-chardev socket,id=vrouter,path=/tmp/r1.sock,server=on,wait=off -device virtio-serial-pci,id=vs -device virtserialport,bus=vs.0,chardev=vrouter,name=org.vrouter.0"
expect "a channel outside CHANNEL_DIR is refused" 1
expect_err "the path is named" "\"/tmp/r1.sock\" is not a file in CHANNEL_DIR"
hook n1 $START GANETI_HOOKS_PHASE=post \
    "GANETI_INSTANCE_HV_kvm_extra=-chardev socket,id=vrouter,path=$CHAN -device virtio-serial-pci,id=vs -device virtserialport,bus=vs.0,chardev=vrouter,name=org.vrouter.0"
expect "a chardev QEMU does not serve (no server=on) is refused" 1
expect_err "the reason is given" "QEMU must be the socket's server"
ln -s chan "$T/chanlink"
hook n1 $START GANETI_HOOKS_PHASE=post \
    "GANETI_INSTANCE_HV_kvm_extra=-chardev socket,id=vrouter,path=$T/chanlink/vr-7f3a.sock,server=on,wait=off -device virtio-serial-pci,id=vs -device virtserialport,bus=vs.0,chardev=vrouter,name=org.vrouter.0"
expect "CHANNEL_DIR by another path (as /var/run for /run) is CHANNEL_DIR" 0 \
    "host vm add r1.example.org channel $T/chanlink/vr-7f3a.sock tap tap3 uplink uplink0 address 203.0.113.11 table main"
hook n1 $START GANETI_HOOKS_PHASE=post \
    "GANETI_INSTANCE_HV_kvm_extra=-chardev socket,id=vrouter,path=vr.sock,server=on,wait=off -device virtio-serial-pci,id=vs -device virtserialport,bus=vs.0,chardev=vrouter,name=org.vrouter.0"
expect "a relative channel path is refused" 1
hook n1 $START GANETI_HOOKS_PHASE=post \
    "GANETI_INSTANCE_HV_kvm_extra=-chardev socket,id=vrouter,path=$CHAN,server=on,wait=off -device virtio-serial-pci,id=vs -device virtconsole,bus=vs.0,chardev=vrouter,name=org.vrouter.0"
expect "a port that is not a virtserialport is refused" 1
expect_err "... and named" "not a virtserialport"
mkconf n1nodir "$N1" "CHANNEL_DIR=$T/nowhere"
hook n1nodir $START GANETI_HOOKS_PHASE=post
expect "a CHANNEL_DIR missing on the node is refused" 1
expect_err "... and named" "CHANNEL_DIR $T/nowhere does not exist on this node"
hook n1port $START GANETI_HOOKS_PHASE=post \
    "GANETI_INSTANCE_HV_kvm_extra=-device virtio-serial-pci,id=vs -chardev socket,id=c0,path=$T/chan/x.sock,server=on,wait=off -device virtserialport,bus=vs.0,chardev=c0,name=org.example.1 -chardev socket,id=c1,path=$T/chan/y.sock,server=on,wait=off -device virtserialport,bus=vs.0,chardev=c1,name=org.vrouter.0"
expect "CHANNEL_PORT picks the port and so its chardev" 0 \
    "host vm add r1.example.org channel $T/chan/x.sock tap tap3 uplink uplink0 address 203.0.113.11 table main"

hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_HYPERVISOR=xen-pvm
expect "a router on another hypervisor than kvm fails the hook" 1
expect_err "the hypervisor is named" "hypervisor is xen-pvm"

hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=r2.example.org
expect "a router without a recorded tap fails the hook" 1
expect_err "the missing tap file is named" "$T/nic/r2.example.org/0"

hook noup $START GANETI_HOOKS_PHASE=post
expect "a config without UPLINK fails a router's hook" 1
expect_err "the missing UPLINK is named" "UPLINK is not set"

touch "$T/fail"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "a failed vrouterctl fails the post hook" 1 "$ADD1"
expect_err "the failure carries vrouterctl's message" "connection refused"
rm -f "$T/fail"

if command -v timeout >/dev/null 2>&1; then
	touch "$T/hang"
	hook n1t $START GANETI_HOOKS_PHASE=post
	expect "a hung vrouterctl is cut off after TIMEOUT and fails the hook" 1 "$ADD1"
	expect_err "the time-out is reported" "no answer within 1s"
	rm -f "$T/hang"
else
	ok "# SKIP vrouterctl time-out (no timeout(1))"
fi

# ---- reboot, add ----------------------------------------------------------

hook n1 GANETI_OP_CODE=OP_INSTANCE_REBOOT GANETI_HOOKS_PATH=instance-reboot \
    GANETI_HOOKS_PHASE=post GANETI_REBOOT_TYPE=hard GANETI_SHUTDOWN_TIMEOUT=120
expect "reboot post on the primary re-registers" 0 "$ADD1"
hook n2 GANETI_OP_CODE=OP_INSTANCE_REBOOT GANETI_HOOKS_PHASE=post
expect "reboot post on the secondary does nothing" 0

ADDOP="GANETI_OP_CODE=OP_INSTANCE_CREATE GANETI_HOOKS_PATH=instance-add
GANETI_INSTANCE_ADD_MODE=create"
hook n1 $ADDOP GANETI_HOOKS_PHASE=post GANETI_INSTANCE_STATUS=True
expect "add post (started) registers on the primary" 0 "$ADD1"
hook n1 $ADDOP GANETI_HOOKS_PHASE=post GANETI_INSTANCE_STATUS=False
expect "add post with --no-start does nothing" 0
hook n1 $ADDOP GANETI_HOOKS_PHASE=pre GANETI_INSTANCE_STATUS=True
expect "add pre does nothing" 0

# ---- migrate, failover, move: pre (the handover) --------------------------

# Ganeti 3.0 runs migrate's pre hooks on the master, the source and the
# target; failover's on the master and the target only; move's on the
# master, the source and the target.
MIGPRE="GANETI_OP_CODE=OP_INSTANCE_MIGRATE GANETI_HOOKS_PATH=instance-migrate
GANETI_HOOKS_PHASE=pre GANETI_MIGRATE_LIVE=True GANETI_MIGRATE_CLEANUP=False
GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2 GANETI_OLD_SECONDARY=
GANETI_NEW_SECONDARY= GANETI_ALLOW_RUNTIME_CHANGES=True"
hook n1 $MIGPRE
expect "migrate pre on the source asks the VM to hand over" 0 "$YIELD1"
hook n2 $MIGPRE
expect "migrate pre on the target does nothing" 0
hook n3 $MIGPRE
expect "migrate pre on the master node does nothing" 0

touch "$T/master"
hook n1 $MIGPRE
expect "a VM still MASTER at the timeout: exit 0, the migration goes on" 0 "$YIELD1"
expect_err "... with a warning that says so" "still MASTER after 3000 ms"
rm -f "$T/master"
touch "$T/unreg"
hook n1 $MIGPRE
expect "a VM hostd does not know: exit 0" 0 "$YIELD1"
expect_err "... said as such" "not registered on this node: nothing to hand over"
rm -f "$T/unreg"
touch "$T/fail"
hook n1 $MIGPRE
expect "a failed yield (hostd down) is a warning, exit 0" 0 "$YIELD1"
expect_err "... with vrouterctl's message" "connection refused"
rm -f "$T/fail"
if command -v timeout >/dev/null 2>&1; then
	touch "$T/hang"
	hook n1t $MIGPRE
	expect "a hung yield is cut off after TIMEOUT, exit 0" 0 \
	    "host vm yield r1.example.org timeout 500"
	expect_err "... with a warning" "no answer within 1s"
	rm -f "$T/hang"
else
	ok "# SKIP hung yield (no timeout(1))"
fi
hook n1y5 $MIGPRE
expect "YIELD_TIMEOUT is passed on" 0 "host vm yield r1.example.org timeout 500"
hook n1y0 $MIGPRE
expect "YIELD_TIMEOUT=0: no handover" 0
hook n1ybad $MIGPRE
expect "YIELD_TIMEOUT not below TIMEOUT: refused, but only a warning in pre" 0
expect_err "... which names the bound" "YIELD_TIMEOUT: 2000 ms is not less than TIMEOUT (2 s)"
hook n1ysmall $MIGPRE
expect "YIELD_TIMEOUT below vrouterctl's 100 ms: refused, a warning in pre" 0
expect_err "... which names the range" "YIELD_TIMEOUT: \"50\": not 0 or 100..60000 ms"
hook n1ysmall $START GANETI_HOOKS_PHASE=post
expect "... and a failure in post, as any bad key" 1
hook n1 $MIGPRE GANETI_MIGRATE_CLEANUP=True
expect "migrate --cleanup pre does not hand over" 0
hook n1 $MIGPRE GANETI_INSTANCE_STATUS=down
expect "a stopped instance is not asked to hand over" 0
mkconf n1tmp "$N1"
chmod 666 "$T/etc/n1tmp.conf"
hook n1tmp $MIGPRE
expect "a refused config in pre: nothing called, exit 0" 0
expect_err "... but a warning" "refusing configuration"

FOPRE="GANETI_OP_CODE=OP_INSTANCE_FAILOVER GANETI_HOOKS_PATH=instance-failover
GANETI_HOOKS_PHASE=pre GANETI_IGNORE_CONSISTENCY=False
GANETI_SHUTDOWN_TIMEOUT=120 GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2
GANETI_FAILOVER_CLEANUP=False GANETI_OLD_SECONDARY= GANETI_NEW_SECONDARY="
hook n1 $FOPRE
expect "failover pre on the old primary (when it is the master) hands over" 0 "$YIELD1"
hook n2 $FOPRE
expect "failover pre on the target does nothing" 0

MVPRE="GANETI_OP_CODE=OP_INSTANCE_MOVE GANETI_HOOKS_PATH=instance-move
GANETI_HOOKS_PHASE=pre GANETI_TARGET_NODE=$N2 GANETI_SHUTDOWN_TIMEOUT=120"
hook n1 $MVPRE
expect "move pre on the source hands over" 0 "$YIELD1"
hook n2 $MVPRE
expect "move pre on the target does nothing" 0
hook n3 $MVPRE
expect "move pre on the master node does nothing" 0

# ---- migrate, failover, move: post ----------------------------------------

# In post, Ganeti adds GANETI_POST_* computed after the operation: the
# instance's primary is then the new node, and so is POST_OLD_PRIMARY.
MIG="GANETI_OP_CODE=OP_INSTANCE_MIGRATE GANETI_HOOKS_PATH=instance-migrate
GANETI_HOOKS_PHASE=post GANETI_MIGRATE_LIVE=True GANETI_MIGRATE_CLEANUP=False
GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2 GANETI_OLD_SECONDARY=
GANETI_NEW_SECONDARY= GANETI_ALLOW_RUNTIME_CHANGES=True
GANETI_POST_INSTANCE_PRIMARY=$N2 GANETI_POST_OLD_PRIMARY=$N2
GANETI_POST_NEW_PRIMARY=$N2 GANETI_POST_INSTANCE_STATUS=up
GANETI_POST_MIGRATE_CLEANUP=False GANETI_POST_INSTANCE_NAME=r1.example.org"
hook n1 $MIG
expect "migrate post on the old primary unregisters" 0 "$DEL1"
hook n2 $MIG
expect "migrate post on the new primary registers" 0 "$ADD1"
hook n3 $MIG
expect "migrate post on the master node does nothing" 0

# --cleanup: Ganeti found where the VM runs; the tap file says which node.
CLEAN="GANETI_OP_CODE=OP_INSTANCE_MIGRATE GANETI_HOOKS_PATH=instance-migrate
GANETI_HOOKS_PHASE=post GANETI_MIGRATE_LIVE=True GANETI_MIGRATE_CLEANUP=True
GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2
GANETI_POST_INSTANCE_PRIMARY=$N1 GANETI_POST_MIGRATE_CLEANUP=True"
hook n1 $CLEAN
expect "migrate --cleanup: the node with the tap re-adds" 0 "$ADD1"
mkconf n2nic "$N2" "NIC_DIR=$T/nic-none"
hook n2nic $CLEAN
expect "migrate --cleanup: the node without it unregisters" 0 "$DEL1"
hook n3 $CLEAN
expect "migrate --cleanup: the master node does nothing" 0

FO="GANETI_OP_CODE=OP_INSTANCE_FAILOVER GANETI_HOOKS_PATH=instance-failover
GANETI_HOOKS_PHASE=post GANETI_IGNORE_CONSISTENCY=False
GANETI_SHUTDOWN_TIMEOUT=120 GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2
GANETI_FAILOVER_CLEANUP=False GANETI_POST_INSTANCE_PRIMARY=$N2
GANETI_POST_OLD_PRIMARY=$N2 GANETI_POST_NEW_PRIMARY=$N2"
hook n1 $FO
expect "failover post on the old primary unregisters" 0 "$DEL1"
hook n2 $FO
expect "failover post on the new primary registers" 0 "$ADD1"
hook n2 $FO GANETI_INSTANCE_STATUS=down GANETI_POST_INSTANCE_STATUS=down
expect "failover of a stopped instance: no add on the new primary" 0
hook n1 $FO GANETI_INSTANCE_STATUS=down GANETI_POST_INSTANCE_STATUS=down
expect "failover of a stopped instance: del on the old primary" 0 "$DEL1"

MV="GANETI_OP_CODE=OP_INSTANCE_MOVE GANETI_HOOKS_PATH=instance-move
GANETI_HOOKS_PHASE=post GANETI_TARGET_NODE=$N2 GANETI_SHUTDOWN_TIMEOUT=120
GANETI_POST_TARGET_NODE=$N2 GANETI_POST_INSTANCE_PRIMARY=$N2"
hook n1 $MV
expect "move post on the old primary unregisters" 0 "$DEL1"
hook n2 $MV
expect "move post on the target registers" 0 "$ADD1"
hook n3 $MV
expect "move post on the master node does nothing" 0
hook n2 $MV GANETI_INSTANCE_STATUS=down GANETI_POST_INSTANCE_STATUS=down
expect "move of a stopped instance: no add on the target" 0
hook n1 GANETI_HOOKS_PATH=instance-move GANETI_HOOKS_PHASE=post GANETI_TARGET_NODE=$N2
expect "move post without OP_CODE: the hook path is enough" 0 "$DEL1"

TAGS="vrouter:vip:203.0.113.10"
hook n2 $MV
expect "move of a non-router with vrouter tags: nothing called" 0
expect_err "... the target warns" "not a router"
hook n1 $MV
expect "... and the old primary does nothing" 0
TAGS=vrouter:router

# ---- rename ---------------------------------------------------------------

REN="GANETI_OP_CODE=OP_INSTANCE_RENAME GANETI_HOOKS_PATH=instance-rename
GANETI_INSTANCE_NEW_NAME=r9.example.org GANETI_INSTANCE_STATUS=down"
hook n1 $REN GANETI_HOOKS_PHASE=post GANETI_POST_INSTANCE_NAME=r9.example.org
expect "rename post on the primary drops the old name" 0 "$DEL1"
touch "$T/unreg"
hook n1 $REN GANETI_HOOKS_PHASE=post GANETI_POST_INSTANCE_NAME=r9.example.org
expect "rename post: an old name hostd does not know is fine" 0 "$DEL1"
rm -f "$T/unreg"
hook n3 $REN GANETI_HOOKS_PHASE=post GANETI_POST_INSTANCE_NAME=r9.example.org
expect "rename post on the master node does nothing" 0
hook n1 $REN GANETI_HOOKS_PHASE=pre
expect "rename pre does nothing" 0

# ---- stop, remove ---------------------------------------------------------

STOP="GANETI_OP_CODE=OP_INSTANCE_SHUTDOWN GANETI_HOOKS_PATH=instance-stop
GANETI_TIMEOUT=120"
REM="GANETI_OP_CODE=OP_INSTANCE_REMOVE GANETI_HOOKS_PATH=instance-remove
GANETI_SHUTDOWN_TIMEOUT=120"
hook n1 $STOP GANETI_HOOKS_PHASE=post
expect "stop post on the primary unregisters" 0 "$DEL1"
hook n2 $STOP GANETI_HOOKS_PHASE=post
expect "stop post on the secondary does nothing" 0
hook n1 $STOP GANETI_HOOKS_PHASE=pre
expect "stop pre does nothing" 0

hook n1 $REM GANETI_HOOKS_PHASE=pre
expect "remove pre on the primary unregisters" 0 "$DEL1"
hook n1 $REM GANETI_HOOKS_PHASE=post
expect "remove post on the primary unregisters" 0 "$DEL1"
hook n3 $REM GANETI_HOOKS_PHASE=post
expect "remove post on the master node does nothing" 0
touch "$T/fail"
hook n1 $REM GANETI_HOOKS_PHASE=pre
expect "a failed del in a pre hook never blocks the operation" 0 "$DEL1"
expect_err "the pre hook still warns" "connection refused"
hook n1 $STOP GANETI_HOOKS_PHASE=post
expect "a failed del in a post hook fails it" 1 "$DEL1"
rm -f "$T/fail"
touch "$T/unreg"
hook n1 $REM GANETI_HOOKS_PHASE=post
expect "del of a VM hostd does not know is not a failure (remove pre+post)" 0 "$DEL1"
rm -f "$T/unreg"
hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=-r1
expect "an instance name that looks like an option is refused" 1

hook n1 GANETI_OP_CODE=OP_INSTANCE_SET_PARAMS GANETI_HOOKS_PHASE=post
expect "an operation the hook does not handle does nothing" 0
: >"$T/calls"
env -i "$HOOK" </dev/null >"$T/out" 2>"$T/err"
RC=$?
expect "an empty environment does nothing" 0
}

# ---- config permissions ---------------------------------------------------

# shellcheck disable=SC2086
{
chmod 664 "$T/etc/n1.conf"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "a group-writable config is refused: no call" 1
expect_err "the refusal says why" "group or world writable"
TAGS=webserver
hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=web1.example.org
expect "a refused config never fails a non-router instance" 0
TAGS=vrouter:router
chmod 646 "$T/etc/n1.conf"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "a world-writable config is refused: no call" 1
chmod 644 "$T/etc/n1.conf"

chmod 775 "$T/etc"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "a config in a group-writable folder is refused: no call" 1
expect_err "the folder is named" "$T/etc is group or world writable"
chmod 755 "$T/etc"

if [ "$(id -u)" = 0 ]; then
	chown 65534 "$T/etc/n1.conf"
	hook n1 $START GANETI_HOOKS_PHASE=post
	expect "a config owned by another user is refused: no call" 1
	expect_err "the owner is named" "owned by uid 65534"
	chown 0 "$T/etc/n1.conf"
else
	ok "# SKIP config owned by another user (needs root to chown)"
fi

hook n1 $START GANETI_HOOKS_PHASE=post
expect "with the permissions fixed the config is used again" 0 "$ADD1"
}

# ---- install-hooks --------------------------------------------------------

H=$T/hooks
if "$INSTALL" -l "$T/lib" "$H" >"$T/out" 2>"$T/err"; then
	ok "install-hooks installs"
else
	notok "install-hooks installs"
fi

bad=$(find "$H" -type f ! -name '*.d' | while read -r f; do
	b=$(basename "$f")
	printf '%s\n' "$b" | grep -qE '^[a-zA-Z0-9_-]+$' || echo "$f"
done)
if [ -z "$bad" ]; then
	ok "every installed hook name matches ^[a-zA-Z0-9_-]+\$"
else
	notok "installed names Ganeti would skip: $bad"
fi

want="instance-add-post.d/50-vrouter
instance-failover-post.d/50-vrouter
instance-failover-pre.d/50-vrouter
instance-migrate-post.d/50-vrouter
instance-migrate-pre.d/50-vrouter
instance-move-post.d/50-vrouter
instance-move-pre.d/50-vrouter
instance-reboot-post.d/50-vrouter
instance-remove-post.d/50-vrouter
instance-remove-pre.d/50-vrouter
instance-rename-post.d/50-vrouter
instance-start-post.d/50-vrouter
instance-stop-post.d/50-vrouter"
got=$(cd "$H" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
if [ "$got" = "$want" ]; then
	ok "install-hooks installs exactly the thirteen entry points"
else
	notok "install-hooks installed: $got"
fi
got=$(find "$H" -type f ! -perm -u+x)
if [ -z "$got" ]; then
	ok "every entry point is executable"
else
	notok "not executable: $got"
fi

sum1=$(cd "$T" && find hooks lib -type f -exec cksum {} + | LC_ALL=C sort)
"$INSTALL" -l "$T/lib" "$H" >"$T/out" 2>"$T/err"
rc=$?
sum2=$(cd "$T" && find hooks lib -type f -exec cksum {} + | LC_ALL=C sort)
if [ $rc = 0 ] && [ "$sum1" = "$sum2" ] && [ ! -s "$T/out" ]; then
	ok "install-hooks is idempotent (second run changes nothing)"
else
	notok "install-hooks second run (exit $rc): $(cat "$T/out")"
fi

if "$INSTALL" -l "$T/lib" -e vrouter.sh "$T/hooks2" >"$T/out" 2>"$T/err"; then
	notok "install-hooks accepted an entry name with a dot"
elif [ -n "$(find "$T" -name '*.sh' 2>/dev/null)" ]; then
	notok "install-hooks left a dotted file behind"
else
	ok "install-hooks refuses an entry name with a dot (Ganeti would skip it)"
fi

if cmp -s "$HOOK" "$T/lib/vrouter-hook"; then
	ok "install-hooks copies vrouter-hook into LIBDIR"
else
	notok "LIBDIR/vrouter-hook differs from the source"
fi

# The installed entry point, run exactly as Ganeti would.
: >"$T/calls"
# shellcheck disable=SC2086
env -i VROUTER_HOOK_CONF="$T/etc/n1.conf" $R1 GANETI_INSTANCE_TAGS=vrouter:router \
    "GANETI_INSTANCE_HV_kvm_extra=$KVM_EXTRA" $START GANETI_HOOKS_PHASE=post "$H/instance-start-post.d/50-vrouter" \
    </dev/null >"$T/out" 2>"$T/err"
RC=$?
expect "the installed start entry point registers under env -i" 0 "$ADD1"
: >"$T/calls"
# shellcheck disable=SC2086
env -i VROUTER_HOOK_CONF="$T/etc/n1.conf" $R1 GANETI_INSTANCE_TAGS=vrouter:router \
    "GANETI_INSTANCE_HV_kvm_extra=$KVM_EXTRA" GANETI_OP_CODE=OP_INSTANCE_SHUTDOWN GANETI_HOOKS_PHASE=post \
    "$H/instance-stop-post.d/50-vrouter" </dev/null >"$T/out" 2>"$T/err"
RC=$?
expect "the installed stop entry point unregisters under env -i" 0 "$DEL1"

printf '#!/bin/sh\n' >"$T/hooks3-own"
mkdir -p "$T/hooks3/instance-start-post.d"
cp "$T/hooks3-own" "$T/hooks3/instance-start-post.d/50-vrouter"
if "$INSTALL" -l "$T/lib" "$T/hooks3" >"$T/out" 2>"$T/err"; then
	notok "install-hooks overwrote a file it did not write"
elif cmp -s "$T/hooks3-own" "$T/hooks3/instance-start-post.d/50-vrouter"; then
	ok "install-hooks leaves a foreign file of the same name alone"
else
	notok "install-hooks changed a file it did not write"
fi

"$INSTALL" -u -l "$T/lib" "$H" >"$T/out" 2>"$T/err"
rc=$?
left=$(find "$H" "$T/lib" -type f)
if [ $rc = 0 ] && [ -z "$left" ]; then
	ok "install-hooks -u removes what it installed"
else
	notok "install-hooks -u (exit $rc) left: $left"
fi

echo "1..$n"
if [ $fails -ne 0 ]; then
	echo "# $fails of $n failed"
	exit 1
fi
exit 0
