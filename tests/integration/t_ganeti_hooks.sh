#!/bin/sh
# t_ganeti_hooks.sh: the Ganeti hooks (hostagent/ganeti/) make exactly the
# vrouterctl calls they should, on exactly the nodes they should.
#
# What it proves, running the real scripts under `env -i` (Ganeti clears
# the environment) with crafted GANETI_* variables, a temporary config, a
# temporary KVM NIC directory and a fake vrouterctl that logs its arguments:
#   - start/reboot on the primary registers the VM with the right channel,
#     tap, uplink, addresses (NIC IP + vrouter:vip tags, public NIC chosen
#     by vrouter:public-nic) and tables (incl. @link), and -s SOCKET;
#   - start on a secondary or the master node does nothing; a pre phase
#     does nothing; an instance without the router tag is never touched;
#   - migrate/failover: del on the old primary, add on the new one, nothing
#     on the master; a failover of a stopped instance only unregisters;
#     migrate --cleanup that leaves the VM in place re-adds it there;
#   - stop and remove (pre and post) unregister on the primary, and a del
#     that hostd answers "not registered" is not a failure; add with
#     --no-start does nothing;
#   - a failed vrouterctl fails the hook (post) with vrouterctl's message,
#     but never fails a pre hook; a hung vrouterctl is cut off after
#     TIMEOUT; a missing tap file and a bad vip tag are clear errors;
#   - a config file (or its folder) that is group/world writable or owned
#     by another user is refused, and then nothing is called;
#   - install-hooks installs only names matching ^[a-zA-Z0-9_-]+$ (refuses
#     a name with a dot), is idempotent, its entry points work under env -i,
#     and -u removes them.
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

# ---- fixtures -------------------------------------------------------------

mkdir -p "$T/bin" "$T/etc" "$T/nic/r1.example.org" "$T/chan"
cat >"$T/bin/vrouterctl" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$T/calls"
[ ! -e "$T/hang" ] || exec sleep 20
if [ -e "$T/unreg" ] && [ "\$2" = vm ] && [ "\$3" = del ]; then
	echo "vrouterctl: vm \$4: not registered" >&2
	exit 1
fi
if [ -e "$T/fail" ]; then
	echo "vrouterctl: vrouter-hostd: connection refused" >&2
	exit 1
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
CHAN=$T/chan/r1.example.org.sock

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
mkconf n1t "$N1" "TIMEOUT=1"

# The environment Ganeti gives an instance hook for router r1 (primary N1).
R1="GANETI_HOOKS_VERSION=2 GANETI_OBJECT_TYPE=INSTANCE
GANETI_INSTANCE_NAME=r1.example.org GANETI_INSTANCE_PRIMARY=$N1
GANETI_INSTANCE_SECONDARIES=$N2 GANETI_INSTANCE_HYPERVISOR=kvm
GANETI_INSTANCE_STATUS=up GANETI_INSTANCE_NIC_COUNT=2
GANETI_INSTANCE_NIC0_IP=203.0.113.10 GANETI_INSTANCE_NIC0_MODE=routed
GANETI_INSTANCE_NIC0_LINK=rt100 GANETI_INSTANCE_NIC0_MAC=aa:00:00:00:00:01
GANETI_INSTANCE_NIC1_IP=198.51.100.7 GANETI_INSTANCE_NIC1_MODE=routed
GANETI_INSTANCE_NIC1_LINK=rt101 GANETI_INSTANCE_NIC1_MAC=aa:00:00:00:00:02"

ADD1="host vm add r1.example.org channel $CHAN tap tap3 uplink uplink0 address 203.0.113.10 table main"
DEL1="host vm del r1.example.org"

# hook CONF [VAR=value...]: run vrouter-hook as Ganeti does; sets RC.
# The R1 words and TAGS are passed unless the caller overrides them.
TAGS=vrouter:router
hook() {
	_conf=$1
	shift
	: >"$T/calls"
	# shellcheck disable=SC2086 # R1 is a list of words on purpose
	env -i VROUTER_HOOK_CONF="$T/etc/$_conf.conf" $R1 \
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

START="GANETI_OP_CODE=OP_INSTANCE_STARTUP GANETI_HOOKS_PATH=instance-start"

# ---- start ----------------------------------------------------------------

# shellcheck disable=SC2086
{
hook n1 $START GANETI_HOOKS_PHASE=post
expect "start post on the primary registers the VM" 0 "$ADD1"

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
    "-s $T/hostd.sock host vm add r1.example.org channel $CHAN tap tap3 uplink uplink0 address 203.0.113.10 table main table rt100 table 200"

TAGS="vrouter:router vrouter:public-nic=1 vrouter:vip=203.0.113.20 vrouter:vip=203.0.113.21 vrouter:vip=198.51.100.7"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "public-nic and vip tags choose the tap and the addresses" 0 \
    "host vm add r1.example.org channel $CHAN tap tap4 uplink uplink0 address 198.51.100.7 address 203.0.113.20 address 203.0.113.21 table main"

TAGS="vrouter:router vrouter:vip=203.0.113.300"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "a bad vip tag fails the hook and calls nothing" 1
expect_err "the bad vip is named" "vrouter:vip=203.0.113.300: not an IPv4 address"

hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_HYPERVISOR=xen-pvm
expect "a router on another hypervisor than kvm fails the hook" 1
expect_err "the hypervisor is named" "hypervisor is xen-pvm"

TAGS="vrouter:router vrouter:public-nic=2"
hook n1 $START GANETI_HOOKS_PHASE=post
expect "a public-nic beyond the NIC count fails the hook" 1

TAGS="webserver vrouter:vip=203.0.113.10"
hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=web1.example.org
expect "an instance without the router tag is not touched" 0
TAGS=
hook n1 $START GANETI_HOOKS_PHASE=post GANETI_INSTANCE_NAME=web1.example.org
expect "an instance without tags is not touched" 0
TAGS=vrouter:router

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

hook n1 GANETI_OP_CODE=OP_INSTANCE_REBOOT GANETI_HOOKS_PHASE=post
expect "reboot post on the primary re-registers" 0 "$ADD1"
hook n2 GANETI_OP_CODE=OP_INSTANCE_REBOOT GANETI_HOOKS_PHASE=post
expect "reboot post on the secondary does nothing" 0

hook n1 GANETI_OP_CODE=OP_INSTANCE_CREATE GANETI_HOOKS_PHASE=post GANETI_INSTANCE_STATUS=True
expect "add post (started) registers on the primary" 0 "$ADD1"
hook n1 GANETI_OP_CODE=OP_INSTANCE_CREATE GANETI_HOOKS_PHASE=post GANETI_INSTANCE_STATUS=False
expect "add post with --no-start does nothing" 0
hook n1 GANETI_OP_CODE=OP_INSTANCE_CREATE GANETI_HOOKS_PHASE=pre GANETI_INSTANCE_STATUS=True
expect "add pre does nothing" 0

# ---- migrate, failover ----------------------------------------------------

MIG="GANETI_OP_CODE=OP_INSTANCE_MIGRATE GANETI_HOOKS_PHASE=post
GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2
GANETI_POST_INSTANCE_PRIMARY=$N2 GANETI_MIGRATE_LIVE=True"
hook n1 $MIG
expect "migrate post on the old primary unregisters" 0 "$DEL1"
hook n2 $MIG
expect "migrate post on the new primary registers" 0 "$ADD1"
hook n3 $MIG
expect "migrate post on the master node does nothing" 0
hook n1 GANETI_OP_CODE=OP_INSTANCE_MIGRATE GANETI_HOOKS_PHASE=pre \
    GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2
expect "migrate pre does nothing" 0

hook n2 GANETI_OP_CODE=OP_INSTANCE_MIGRATE GANETI_HOOKS_PHASE=post \
    GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2
expect "migrate post without POST_ vars uses NEW_PRIMARY" 0 "$ADD1"

hook n1 GANETI_OP_CODE=OP_INSTANCE_MIGRATE GANETI_HOOKS_PHASE=post \
    GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2 \
    GANETI_POST_INSTANCE_PRIMARY=$N1 GANETI_MIGRATE_CLEANUP=True
expect "migrate --cleanup that stays put re-adds on the primary" 0 "$ADD1"
hook n2 GANETI_OP_CODE=OP_INSTANCE_MIGRATE GANETI_HOOKS_PHASE=post \
    GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2 \
    GANETI_POST_INSTANCE_PRIMARY=$N1 GANETI_MIGRATE_CLEANUP=True
expect "migrate --cleanup that stays put does nothing on the target" 0

FO="GANETI_OP_CODE=OP_INSTANCE_FAILOVER GANETI_HOOKS_PHASE=post
GANETI_OLD_PRIMARY=$N1 GANETI_NEW_PRIMARY=$N2 GANETI_POST_INSTANCE_PRIMARY=$N2"
hook n1 $FO
expect "failover post on the old primary unregisters" 0 "$DEL1"
hook n2 $FO
expect "failover post on the new primary registers" 0 "$ADD1"
hook n2 $FO GANETI_INSTANCE_STATUS=down
expect "failover of a stopped instance: no add on the new primary" 0
hook n1 $FO GANETI_INSTANCE_STATUS=down
expect "failover of a stopped instance: del on the old primary" 0 "$DEL1"

# ---- stop, remove ---------------------------------------------------------

hook n1 GANETI_OP_CODE=OP_INSTANCE_SHUTDOWN GANETI_HOOKS_PHASE=post
expect "stop post on the primary unregisters" 0 "$DEL1"
hook n2 GANETI_OP_CODE=OP_INSTANCE_SHUTDOWN GANETI_HOOKS_PHASE=post
expect "stop post on the secondary does nothing" 0
hook n1 GANETI_OP_CODE=OP_INSTANCE_SHUTDOWN GANETI_HOOKS_PHASE=pre
expect "stop pre does nothing" 0

hook n1 GANETI_OP_CODE=OP_INSTANCE_REMOVE GANETI_HOOKS_PHASE=pre
expect "remove pre on the primary unregisters" 0 "$DEL1"
hook n1 GANETI_OP_CODE=OP_INSTANCE_REMOVE GANETI_HOOKS_PHASE=post
expect "remove post on the primary unregisters" 0 "$DEL1"
hook n3 GANETI_OP_CODE=OP_INSTANCE_REMOVE GANETI_HOOKS_PHASE=post
expect "remove post on the master node does nothing" 0
touch "$T/fail"
hook n1 GANETI_OP_CODE=OP_INSTANCE_REMOVE GANETI_HOOKS_PHASE=pre
expect "a failed del in a pre hook never blocks the operation" 0 "$DEL1"
expect_err "the pre hook still warns" "connection refused"
hook n1 GANETI_OP_CODE=OP_INSTANCE_SHUTDOWN GANETI_HOOKS_PHASE=post
expect "a failed del in a post hook fails it" 1 "$DEL1"
rm -f "$T/fail"
touch "$T/unreg"
hook n1 GANETI_OP_CODE=OP_INSTANCE_REMOVE GANETI_HOOKS_PHASE=post
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
instance-migrate-post.d/50-vrouter
instance-reboot-post.d/50-vrouter
instance-remove-post.d/50-vrouter
instance-remove-pre.d/50-vrouter
instance-start-post.d/50-vrouter
instance-stop-post.d/50-vrouter"
got=$(cd "$H" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
if [ "$got" = "$want" ]; then
	ok "install-hooks installs exactly the eight entry points"
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
    $START GANETI_HOOKS_PHASE=post "$H/instance-start-post.d/50-vrouter" \
    </dev/null >"$T/out" 2>"$T/err"
RC=$?
expect "the installed start entry point registers under env -i" 0 "$ADD1"
: >"$T/calls"
# shellcheck disable=SC2086
env -i VROUTER_HOOK_CONF="$T/etc/n1.conf" $R1 GANETI_INSTANCE_TAGS=vrouter:router \
    GANETI_OP_CODE=OP_INSTANCE_SHUTDOWN GANETI_HOOKS_PHASE=post \
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
