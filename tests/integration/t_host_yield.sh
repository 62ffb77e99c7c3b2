#!/bin/sh
# t_host_yield: `vrouterctl host vm yield` against guests that do not
# hand over, in the lab of lab_topo_hosts with the real vrouter-hostd and
# vrouter-vsp as the guest (it takes a YIELD and does nothing with it, as
# a vrouterd that predates YIELD drops it).  It proves that
#  1. a MASTER that stays MASTER: exit 1 at the timeout, saying so; the
#     YIELD was sent once and counted;
#  2. asked again within a second: not sent again (yields_limited), and
#     still the same answer at its own timeout;
#  3. the guest's channel still works after the frames it did not act on:
#     its next state is applied and acked;
#  4. a guest that says BACKUP: exit 0, nothing to hand over, nothing sent;
#  5. a VM whose channel is gone (QEMU exited): exit 0, not connected;
#  6. the read-only socket refuses the request, and shows the role.
#
# usage: t_host_yield.sh [BUILD_DIR]     (as root; exit 77 = skipped)

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

ctl()
{
	"$CTL" -s "$LAB_DIR/hv1.ctl" "$@"
}
counter()	# NAME: r1's counter NAME in host vm list
{
	ctl -j host vm list | sed -n "s/.*\"$1\": \([0-9]*\).*/\1/p"
}
routed()
{
	ip -n "${LAB}hv1" route show "$VIP/32" proto 241 | grep -q .
}

mkdir -p "$LAB_DIR/hv1.reg"
lab_bg hv1 "$LAB_DIR/hv1.hostd.log" "$HOSTD" -d -v -H hv1 \
    -r "$LAB_DIR/hv1.reg" -s "$LAB_DIR/hv1.ctl" -S "$LAB_DIR/hv1.ro" \
    >/dev/null
lab_wait_for "hostd" 3000 test -S "$LAB_DIR/hv1.ctl" ||
    { lab_notok "hostd starts"; exit 1; }
ctl host vm add r1 channel "$LAB_R1_SOCK" tap "$LAB_HV_TAP" \
    uplink "$LAB_HV_UPLINK" address "$VIP" ||
    { lab_notok "r1 registered"; exit 1; }
mkfifo "$LAB_DIR/r1.in"
lab_bg r1 "$LAB_DIR/r1.vsp.log" sh -c "exec \"$VSP\" -f -v \
    -p \"$LAB_R1_PORT\" -r router-r1 <\"$LAB_DIR/r1.in\"" >/dev/null
exec 3>"$LAB_DIR/r1.in"
echo "$VIP=MASTER" >&3
lab_check "the guest claims MASTER: hv1 routes the VIP" \
    lab_wait_for "route" 5000 routed

# 1. a MASTER that does not hand over
out=$(ctl host vm yield r1 timeout 400 2>&1)
rc=$?
case "$rc $out" in
"1 vrouterctl: vm r1: still MASTER after "*" ms: the router did not hand over"*)
	lab_ok "a MASTER that stays MASTER: exit 1 at the timeout, saying so" ;;
*)	lab_notok "a MASTER that stays MASTER: exit 1 at the timeout, saying so" "rc $rc: $out" ;;
esac
lab_check "the YIELD was sent once and counted" test "$(counter yields)" = 1
lab_check "hostd logged the request" \
    grep -q "vm r1: asked to hand over (request 1)" "$LAB_DIR/hv1.hostd.log"

# 2. asked again within the second: not sent again, same answer
out=$(ctl -j host vm yield r1 timeout 100 2>/dev/null)
rc=$?
case $out in
*'"outcome": "timeout"'*'"sent": false'*|*'"sent": false'*'"outcome": "timeout"'*)
	[ "$rc" = 1 ] && lab_ok "asked again at once: not sent again, exit 1 at its timeout" ||
	    lab_notok "asked again at once: not sent again, exit 1 at its timeout" "rc $rc: $out" ;;
*)	lab_notok "asked again at once: not sent again, exit 1 at its timeout" "rc $rc: $out" ;;
esac
lab_check "the repeat is counted as limited" test "$(counter yields_limited)" = 1
lab_check "-j follows docs/schema/host-vm-yield.json" sh -c \
    "echo '$out' | \"$BIN/tests/tools/schemacheck\" \
    \"$LAB_ROOT/docs/schema/host-vm-yield.json\""

# 3. the channel still works
echo "$VIP=BACKUP" >&3
lab_check "the guest's next state is applied: the route is withdrawn" \
    lab_wait_for "withdrawal" 5000 sh -c "! ip -n ${LAB}hv1 route show $VIP/32 proto 241 | grep -q ."
lab_check "and acked" lab_wait_for "ack" 5000 sh -c \
    "grep -c '^acked' \"$LAB_DIR/r1.vsp.log\" | grep -qx 2"
lab_check "no bad frame counted on the host side" test "$(counter bad_frames)" = 0

# 4. a BACKUP
out=$(ctl host vm yield r1 2>&1)
rc=$?
case "$rc $out" in
"0 vm r1: not MASTER (BACKUP): nothing to hand over") lab_ok "a BACKUP: exit 0, nothing to hand over" ;;
*) lab_notok "a BACKUP: exit 0, nothing to hand over" "rc $rc: $out" ;;
esac
lab_check "nothing was sent to a BACKUP" test "$(counter yields)" = 1

# 6. the read-only socket
lab_check "the read-only socket refuses vm.yield" sh -c \
    "! \"$CTL\" -s \"$LAB_DIR/hv1.ro\" host vm yield r1 2>/dev/null"
lab_check "and answers host vm list, with the role" sh -c \
    "\"$CTL\" -s \"$LAB_DIR/hv1.ro\" -j host vm list | grep -q '\"role\": \"BACKUP\"'"

# 5. the channel gone
exec 3>&-
lab_stop "$LAB_R1_RELAY_PID"
lab_wait_for "channel lost" 5000 sh -c \
    "\"$CTL\" -s \"$LAB_DIR/hv1.ctl\" -j host vm list | grep -q '\"connected\": false'"
out=$(ctl host vm yield r1 2>&1)
rc=$?
case "$rc $out" in
"0 vm r1: not connected: not routed here") lab_ok "no channel: exit 0, not connected" ;;
*) lab_notok "no channel: exit 0, not connected" "rc $rc: $out" ;;
esac
lab_done
