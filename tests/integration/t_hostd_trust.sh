#!/bin/sh
# t_hostd_trust: what vrouter-hostd does not let a guest, or its own
# memory, do (docs/security.md).
#  1. privilege separation: the process that reads the guests' channels is
#     not root, holds no capability, runs under a seccomp filter with
#     no_new_privs, and its root is the empty folder;
#  2. ownership from the kernel: an operator's route at the VIP is never
#     replaced or deleted, whatever the guest says or hostd remembers, and
#     the change shows as a conflict event;
#  3. acks tell the truth: MASTER is all or nothing across the tables, so
#     a conflict in one table leaves the address in none of ours;
#  4. a tap that goes down takes its routes without a notification: the
#     claim shows withdrawn, and the next MASTER installs again;
#  5. the engine killed: routes stay, it is started again, and states
#     apply again through the new one.
#
# usage: t_hostd_trust.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"

lab_need
case $LAB_BUILD in /*) BIN=$LAB_BUILD ;; *) BIN=$LAB_ROOT/$LAB_BUILD ;; esac
HOSTD=$BIN/vrouter-hostd
CTL=$BIN/vrouterctl
VSP=$BIN/vrouter-vsp
for b in "$HOSTD" "$CTL" "$VSP"; do
	[ -x "$b" ] || { echo "not ok 1 - $b not built"; exit 1; }
done

lab_init || exit 1
lab_topo_hosts || { lab_notok "lab topology"; exit 1; }
VIP=$LAB_VIP

ours()		# [TABLE]: hv1 has our route to the VIP on the tap
{
	ip -n "${LAB}hv1" route show table "${1:-main}" "$VIP/32" proto 241 |
	    grep -q "dev $LAB_HV_TAP"
}
static_route()	# the operator's route is there, untouched
{
	ip -n "${LAB}hv1" route show table main "$VIP/32" proto static |
	    grep -q "dev $LAB_HV_UPLINK"
}
ctl()
{
	"$CTL" -s "$LAB_DIR/hv1.ctl" "$@"
}
say()		# LINE: a new full state from the guest
{
	echo "$1" >&3
}
acks()		# how many acks the guest has had
{
	grep -c '^acked' "$LAB_DIR/r1.vsp.log"
}
engine_pid()
{
	ps -o pid= --ppid "$HOSTD_PID" | tr -d ' ' | head -n 1
}
status_field()	# FIELD
{
	grep "^$1:" "/proc/$ENGINE/status" | awk '{ print $2 }'
}

mkdir -p "$LAB_DIR/hv1.reg"
cat >"$LAB_DIR/hv1.reg/r1.json" <<JSON
{ "name": "r1", "channel": "$LAB_R1_SOCK", "tap": "$LAB_HV_TAP",
  "uplink": "$LAB_HV_UPLINK", "addresses": ["$VIP"], "tables": ["main", 100] }
JSON
mkfifo "$LAB_DIR/r1.in"
lab_bg r1 "$LAB_DIR/r1.vsp.log" sh -c "exec \"$VSP\" -f -v \
    -p \"$LAB_DIR/r1.port\" -r router-r1 <\"$LAB_DIR/r1.in\"" >/dev/null
exec 3>"$LAB_DIR/r1.in"
lab_bg hv1 "$LAB_DIR/hv1.hostd.log" "$HOSTD" -d -v -g 500 -H hv1 \
    -r "$LAB_DIR/hv1.reg" -s "$LAB_DIR/hv1.ctl" -S "$LAB_DIR/hv1.ro" \
    >/dev/null
HOSTD_PID=$LAB_PID
lab_wait_for "hostd" 3000 test -S "$LAB_DIR/hv1.ctl" ||
    { lab_notok "hostd starts"; exit 1; }

# 1. privilege separation
lab_wait_for "engine" 3000 sh -c "ps -o pid= --ppid $HOSTD_PID | grep -q ." 
ENGINE=$(engine_pid)
lab_check "the channel engine runs ($ENGINE)" test -n "$ENGINE"
uid=$(status_field Uid)
lab_check "the engine is not root (uid $uid)" test "${uid:-0}" != 0
lab_check "the engine holds no capability" \
    test "$(status_field CapEff)" = 0000000000000000
lab_check "the engine cannot regain one (bounding set kept, but no_new_privs)" \
    test "$(status_field NoNewPrivs)" = 1
lab_check "the engine runs under a seccomp filter" \
    test "$(status_field Seccomp)" = 2
lab_check "the engine's root is the empty folder" \
    test "$(readlink "/proc/$ENGINE/root")" = /run/vrouter/empty
# Socket inodes of a process, and those of netlink and packet sockets.
sock_inodes()	# PID
{
	ls -l "/proc/$1/fd" | sed -n 's/.*socket:\[\([0-9]*\)\]/\1/p' | sort
}
kernel_sock_inodes()	# PID
{
	{ awk 'NR > 1 { print $NF }' "/proc/$1/net/netlink"
	  awk 'NR > 1 { print $NF }' "/proc/$1/net/packet"; } | sort -u
}
sock_inodes "$ENGINE" >"$LAB_DIR/engine.socks"
kernel_sock_inodes "$ENGINE" >"$LAB_DIR/kernel.socks"
sock_inodes "$HOSTD_PID" >"$LAB_DIR/hostd.socks"
lab_check "the engine holds no netlink or packet socket" \
    test -z "$(comm -12 "$LAB_DIR/engine.socks" "$LAB_DIR/kernel.socks")"
lab_check "(the route process does: the check can see them)" \
    test -n "$(comm -12 "$LAB_DIR/hostd.socks" "$LAB_DIR/kernel.socks")"
lab_check "the route process keeps its own name and privileges" \
    test "$(awk '/^Uid:/ { print $2 }' "/proc/$HOSTD_PID/status")" = 0

# 2. ownership from the kernel
say "$VIP=MASTER"
lab_check "MASTER: our route in main and 100" \
    lab_wait_for "route" 3000 sh -c "ip -n ${LAB}hv1 route show table 100 \
    $VIP/32 proto 241 | grep -q ." 
lab_check "and in main" ours main
ip -n "${LAB}hv1" route replace "$VIP/32" dev "$LAB_HV_UPLINK" proto static
lab_check "an operator's replace is reported as a conflict event" \
    lab_wait_for "conflict event" 3000 sh -c \
    "\"$CTL\" -s \"$LAB_DIR/hv1.ro\" -j host events | grep -q '\"conflict\": true'"
n=$(acks)
say "$VIP=MASTER"
lab_wait_for "ack" 3000 sh -c "test \$(grep -c '^acked' \"$LAB_DIR/r1.vsp.log\") -gt $n"
lab_check "the guest's MASTER does not take the operator's route" static_route
lab_check "the ack says failed: a route vrouter did not make" \
    sh -c "tail -n 3 \"$LAB_DIR/r1.vsp.log\" | grep -q 'failed: a route vrouter did not make'"
lab_check "all or nothing: ours left table 100 too" sh -c \
    "! ip -n ${LAB}hv1 route show table 100 $VIP/32 proto 241 | grep -q ."
n=$(acks)
say "$VIP=BACKUP"
lab_wait_for "ack" 3000 sh -c "test \$(grep -c '^acked' \"$LAB_DIR/r1.vsp.log\") -gt $n"
lab_check "the guest's BACKUP does not delete the operator's route" static_route
conflicts=$(ctl -j host vm list | sed -n 's/.*"conflicts": \([0-9]*\).*/\1/p')
lab_check "conflicts are counted ($conflicts)" test "${conflicts:-0}" -ge 1
ip -n "${LAB}hv1" route del "$VIP/32" dev "$LAB_HV_UPLINK" proto static
say "$VIP=MASTER"
lab_check "once the operator is done, MASTER installs in both tables" \
    lab_wait_for "route back" 3000 sh -c "ip -n ${LAB}hv1 route show \
    table 100 $VIP/32 proto 241 | grep -q . && ip -n ${LAB}hv1 route show \
    table main $VIP/32 proto 241 | grep -q ."

# The kernel drops routes silently with their link: hostd must notice.
say "$VIP=MASTER"
lab_wait_for "route" 3000 ours main
ip -n "${LAB}hv1" link set "$LAB_HV_TAP" down
lab_check "a tap that goes down: the claim shows withdrawn, not installed" \
    lab_wait_for "link down seen" 3000 sh -c "\"$CTL\" -s \"$LAB_DIR/hv1.ctl\" \
    -j host vm list | grep -q '\"result\": \"withdrawn\"'"
ip -n "${LAB}hv1" link set "$LAB_HV_TAP" up
say "$VIP=BACKUP"
say "$VIP=MASTER"
lab_check "the tap back up: the next MASTER installs again" \
    lab_wait_for "route after link up" 3000 ours main

# 4. the engine killed
kill -KILL "$ENGINE"
sleep 0.3
lab_check "routes stay while the engine is down" ours main
lab_check "a new engine is started" lab_wait_for "new engine" 5000 sh -c \
    "p=\$(ps -o pid= --ppid $HOSTD_PID | tr -d ' '); test -n \"\$p\" && test \"\$p\" != $ENGINE"
lab_check "the guest's state applies through the new engine" \
    lab_wait_for "reconnected" 5000 sh -c \
    "\"$CTL\" -s \"$LAB_DIR/hv1.ctl\" -j host vm list | grep -q '\"connected\": true'"
say "$VIP=BACKUP"
lab_check "BACKUP through the new engine withdraws" \
    lab_wait_for "withdrawn" 3000 sh -c "! ip -n ${LAB}hv1 route show \
    table main $VIP/32 proto 241 | grep -q ."
restarts=$(ctl -j host status | sed -n 's/.*"restarts": \([0-9]*\).*/\1/p')
lab_check "host status counts the restart ($restarts)" test "${restarts:-0}" -ge 1
lab_check "hostd is alive" kill -0 "$HOSTD_PID"

exec 3>&-
lab_done
