#!/bin/sh
# t_hostd: vrouter-hostd moves a router's public address between
# hypervisors on the guests' word, and only on it.  In the lab of
# lab_topo_hosts, with the real daemon, netlink and the chardev relay
# playing QEMU's virtio-serial port, it proves that
#  1. a registration from a file (hv1) and from `vrouterctl host vm add`
#     (hv2) both take; the VIP is unreachable while nobody is MASTER;
#  2. r1 says MASTER -> hv1 installs VIP/32 dev tap0 (proto 241, main and
#     table 100) and the server reaches the VIP through hv1 (r1 answers);
#  3. r2 says MASTER and r1 BACKUP -> hv2 holds the route, hv1 has
#     withdrawn it, and the server reaches r2 (hostd's gratuitous ARP moved
#     the upstream's neighbour entry);
#  4. a claim for an address not registered for the VM is refused, logged
#     with the VM's name, counted, and never routed; garbage on the channel
#     does not crash hostd and the next state still applies;
#  5. hostd restarted with its route in place reconciles without a flap:
#     `ip monitor` sees no deletion and the route survives the grace period;
#  6. the guest started before its hypervisor's hostd still gets its state
#     through (hostd greets, the guest resends);
#  7. channel loss (QEMU gone) withdraws the VM's routes;
#  8. `vrouterctl host vm del` withdraws and forgets a VM.
#
# usage: t_hostd.sh [BUILD_DIR]     (as root; exit 77 = skipped)

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
BAD=203.0.113.50
GRACE=1500

has_route()	# NS ADDR [TABLE]
{
	ip -n "$LAB$1" route show table "${3:-main}" "$2/32" proto 241 |
	    grep -q "dev $LAB_HV_TAP"
}
no_route()
{
	! has_route "$@"
}
answers()	# WHO: the server reaches the VIP and WHO answers
{
	[ "$(lab_ask up "$VIP" 7)" = "$1" ]
}
ctl()		# HV ARGS...
{
	local hv="$1"
	shift
	"$CTL" -s "$LAB_DIR/$hv.ctl" "$@"
}
unreachable()	# ADDR: the server cannot ping ADDR
{
	! lab_ping up "$1"
}
start_hostd()	# HV
{
	lab_bg "$1" "$LAB_DIR/$1.hostd.log" "$HOSTD" -d -v -g "$GRACE" \
	    -H "$1" -r "$LAB_DIR/$1.reg" -s "$LAB_DIR/$1.ctl" \
	    -S "$LAB_DIR/$1.ro" >/dev/null
	eval "HOSTD_$1=\$LAB_PID"
	lab_wait_for "hostd on $1" 2000 test -S "$LAB_DIR/$1.ctl"
}
# A guest agent that stays up: state lines are fed through a FIFO.
start_guest()	# R
{
	mkfifo "$LAB_DIR/$1.in"
	lab_bg "$1" "$LAB_DIR/$1.vsp.log" sh -c \
	    "exec \"$VSP\" -f -v -p \"$LAB_DIR/$1.port\" -r router-$1 \
	    <\"$LAB_DIR/$1.in\"" >/dev/null
}
say()		# R LINE: send a new full state from guest R
{
	echo "$2" >&"$3"
}

lab_responder r1 7 r1 && lab_responder r2 7 r2 ||
    { lab_notok "responders"; exit 1; }

# 1. registrations: hv1 from a file, hv2 through the control socket
mkdir -p "$LAB_DIR/hv1.reg" "$LAB_DIR/hv2.reg"
cat >"$LAB_DIR/hv1.reg/r1.json" <<JSON
{ "name": "r1", "channel": "$LAB_R1_SOCK", "tap": "$LAB_HV_TAP",
  "uplink": "$LAB_HV_UPLINK", "addresses": ["$VIP"], "tables": ["main", 100] }
JSON
# The guest of r2 starts before hv2's hostd exists (scenario 6).
start_guest r1
start_guest r2
exec 3>"$LAB_DIR/r1.in" 4>"$LAB_DIR/r2.in"
say r2 "$VIP=BACKUP" 4
start_hostd hv1 || { lab_notok "hostd starts on hv1"; exit 1; }
start_hostd hv2 || { lab_notok "hostd starts on hv2"; exit 1; }
lab_check "vm add through vrouterctl" ctl hv2 host vm add r2 \
    channel "$LAB_R2_SOCK" tap "$LAB_HV_TAP" uplink "$LAB_HV_UPLINK" \
    address "$VIP" table main table 100
lab_check "the registration is persisted" test -f "$LAB_DIR/hv2.reg/r2.json"
out=$(ctl hv2 host vm add r3 channel rel tap t uplink u address 1.2.3.4 2>&1)
case $out in
*"channel: \"rel\": not an absolute path"*) lab_ok "a bad registration is refused with the field named" ;;
*) lab_notok "a bad registration is refused with the field named" "$out" ;;
esac
lab_check "guest r2 started first still got its BACKUP acked" \
    lab_wait_for "r2 ack" 3000 grep -q "^acked 1" "$LAB_DIR/r2.vsp.log"
lab_check "nobody is MASTER: the VIP is unreachable" unreachable "$VIP"

# 2. r1 MASTER -> hv1
say r1 "$VIP=MASTER" 3
lab_check "r1 MASTER: hv1 routes the VIP (main)" \
    lab_wait_for "route on hv1" 2000 has_route hv1 "$VIP"
lab_check "r1 MASTER: hv1 routes the VIP (table 100)" has_route hv1 "$VIP" 100
lab_check "the server reaches the VIP through hv1: r1 answers" \
    lab_wait_for "r1 answers" 3000 answers r1

# 3. failover to r2
say r2 "$VIP=MASTER" 4
say r1 "$VIP=BACKUP" 3
lab_check "r2 MASTER: hv2 routes the VIP" \
    lab_wait_for "route on hv2" 2000 has_route hv2 "$VIP"
lab_check "r1 BACKUP: hv1 withdrew it (main and 100)" \
    lab_wait_for "withdrawal on hv1" 2000 sh -c \
    "! ip -n ${LAB}hv1 route show table all $VIP/32 proto 241 | grep -q ."
lab_check "the server now reaches r2" lab_wait_for "r2 answers" 3000 answers r2

# 4. hostile claims and garbage
say r2 "$VIP=MASTER $BAD=MASTER" 4
lab_check "a claim for an unregistered address is refused" \
    lab_wait_for "refusal" 2000 grep -q "$BAD refused: address not registered" \
    "$LAB_DIR/r2.vsp.log"
lab_check "the refusal is logged with the VM's name" \
    grep -q "vm r2: refused MASTER for $BAD" "$LAB_DIR/hv2.hostd.log"
lab_check "no route for the unregistered address" \
    sh -c "! ip -n ${LAB}hv2 route show table all | grep -q $BAD"
refused=$(ctl hv2 -j host vm list | sed -n 's/.*"refused": \([0-9]*\).*/\1/p')
lab_check "the refusal is counted ($refused)" test "${refused:-0}" -ge 1
lab_check "the refusal is in host events" sh -c \
    "\"$CTL\" -s \"$LAB_DIR/hv2.ro\" host events | grep -q '$BAD.*refused'"
lab_exec r2 sh -c "head -c 3000 /dev/urandom >\"$LAB_DIR/r2.port\"; \
    printf 'VRSPxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' >\"$LAB_DIR/r2.port\""
say r2 "$VIP=MASTER" 4
lab_check "after garbage hostd still applies states" \
    lab_wait_for "ack after garbage" 3000 sh -c \
    "grep -c '^acked' \"$LAB_DIR/r2.vsp.log\" | grep -qx 4"
lab_check "hostd survived the garbage" kill -0 "$HOSTD_hv2"
garbage=$(ctl hv2 -j host vm list | sed -n 's/.*"garbage_bytes": \([0-9]*\).*/\1/p')
lab_check "the garbage is counted ($garbage bytes)" test "${garbage:-0}" -gt 0
lab_check "the read-only socket refuses changes" sh -c \
    "! \"$CTL\" -s \"$LAB_DIR/hv2.ro\" host vm del r2 2>/dev/null"

# 5. restart without a flap
lab_bg hv2 "$LAB_DIR/hv2.monitor" ip -ts monitor route >/dev/null
MON=$LAB_PID
sleep 0.2
lab_stop "$HOSTD_hv2"
lab_check "routes stay while hostd is down" has_route hv2 "$VIP"
start_hostd hv2
lab_check "the restarted hostd reconnects and the guest resends" \
    lab_wait_for "resend after restart" 3000 sh -c \
    "\"$CTL\" -s \"$LAB_DIR/hv2.ctl\" -j host routes | grep -q '\"confirmed\": true'"
sleep $((GRACE / 1000 + 1))
lab_check "the route survives the grace period" has_route hv2 "$VIP"
lab_stop "$MON"
if grep -q "Deleted.*$VIP" "$LAB_DIR/hv2.monitor"; then
	lab_notok "no flap across the restart" "$(cat "$LAB_DIR/hv2.monitor")"
else
	lab_ok "no flap across the restart"
fi
lab_check "the server still reaches r2" answers r2

# 7. channel loss
lab_stop "$LAB_R2_RELAY_PID"
lab_check "QEMU gone: hv2 withdraws the route" \
    lab_wait_for "withdrawal on channel loss" 2000 no_route hv2 "$VIP"

# 8. unregister
say r1 "$VIP=MASTER" 3
lab_wait_for "r1 back" 2000 has_route hv1 "$VIP"
lab_check "vm del through vrouterctl" ctl hv1 host vm del r1
lab_check "vm del withdrew r1's route" no_route hv1 "$VIP"
lab_check "vm del removed the registration file" \
    test ! -e "$LAB_DIR/hv1.reg/r1.json"
lab_check "a second del says so" sh -c \
    "! \"$CTL\" -s \"$LAB_DIR/hv1.ctl\" host vm del r1 2>/dev/null"

exec 3>&- 4>&-
lab_done
