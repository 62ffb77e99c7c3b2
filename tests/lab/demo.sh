#!/bin/sh
# make demo: the failover story in the namespace lab, narrated as a
# timeline.  Two hypervisors run vrouter-hostd; two router VMs (r1 on hv1,
# r2 on hv2) hold the public VIP; the server pings the VIP every 5 ms while
# r1's VM dies (QEMU gone) and r2 takes over.  The outage printed is the
# longest gap between echo replies the server saw.
#
# usage: demo.sh [BUILD_DIR]     (as root)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-build}
. "$LAB_ROOT/tests/lab/lab.sh"
case $LAB_BUILD in /*) BIN=$LAB_BUILD ;; *) BIN=$LAB_ROOT/$LAB_BUILD ;; esac

T0=
now_ms() { date +%s%3N; }
say() { printf '%8s ms  %s\n' "$(( $(now_ms) - T0 ))" "$*"; }

lab_init || exit 1
echo "vrouter demo: building the lab (prefix $LAB)"
lab_topo_hosts || exit 1
VIP=$LAB_VIP
for hv in hv1 hv2; do
	r=r${hv#hv}
	mkdir -p "$LAB_DIR/$hv.reg"
	eval "sock=\$LAB_R${hv#hv}_SOCK"
	cat >"$LAB_DIR/$hv.reg/$r.json" <<JSON
{ "name": "$r", "channel": "$sock", "tap": "$LAB_HV_TAP",
  "uplink": "$LAB_HV_UPLINK", "addresses": ["$VIP"] }
JSON
	lab_bg "$hv" "$LAB_DIR/$hv.log" "$BIN/vrouter-hostd" -d -H "$hv" \
	    -r "$LAB_DIR/$hv.reg" -s "$LAB_DIR/$hv.ctl" -S - >/dev/null
	mkfifo "$LAB_DIR/$r.in"
	lab_bg "$r" "$LAB_DIR/$r.vsp.log" sh -c "exec \"$BIN/vrouter-vsp\" -f \
	    -p \"$LAB_DIR/$r.port\" -r demo <\"$LAB_DIR/$r.in\"" >/dev/null
	eval "GUEST_$r=\$LAB_PID"
done
exec 3>"$LAB_DIR/r1.in" 4>"$LAB_DIR/r2.in"

T0=$(now_ms)
echo "$VIP=MASTER" >&3
echo "$VIP=BACKUP" >&4
say "r1 says MASTER, r2 says BACKUP"
lab_wait_for "route on hv1" 3000 sh -c \
    "ip -n ${LAB}hv1 route show $VIP/32 proto 241 | grep -q ." || exit 1
say "hv1 routes $VIP/32 dev tap0"
lab_wait_for "server reaches the VIP" 3000 lab_ping up "$VIP" || exit 1
say "the server reaches $VIP through hv1"

lab_bg up "$LAB_DIR/ping.log" ping -D -n -i 0.005 -c 800 -W 1 "$VIP" \
    >/dev/null
PING=$LAB_PID
sleep 1
say "r1's VM dies: QEMU closes its channel"
KILL_AT=$(now_ms)
lab_stop "$LAB_R1_RELAY_PID" 500
lab_stop "$GUEST_r1" 500
echo "$VIP=MASTER" >&4
say "r2 says MASTER (in a real pair: after VRRP detects the loss)"
lab_wait_for "route on hv2" 3000 sh -c \
    "ip -n ${LAB}hv2 route show $VIP/32 proto 241 | grep -q ." || exit 1
say "hv2 routes $VIP/32 dev tap0 and announces it"
lab_wait_for "hv1 withdrew" 3000 sh -c \
    "! ip -n ${LAB}hv1 route show $VIP/32 proto 241 | grep -q ." || exit 1
say "hv1 has withdrawn its route"
lab_wait_for "ping ends" 8000 sh -c "! kill -0 $PING"

awk -v kill="$KILL_AT" '
/bytes from/ {
	t = substr($1, 2, length($1) - 2) * 1000
	if (last && t - last > gap) { gap = t - last; at = last }
	last = t; n++
}
END {
	printf "%8d ms  server: %d replies; longest gap %.1f ms, starting %.0f ms after the kill\n",
	    0, n, gap, at - kill
}' "$LAB_DIR/ping.log" | sed "s/^ *0 ms/ outage /"
echo
echo "hv2's view:"
"$BIN/vrouterctl" -s "$LAB_DIR/hv2.ctl" host routes
exec 3>&- 4>&-
