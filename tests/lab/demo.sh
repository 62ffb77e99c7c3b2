#!/bin/sh
# make demo: the vrouter story in the namespace lab, narrated.  Two
# hypervisors run vrouter-hostd; two router VMs run vrouterd with the real
# keepalived and conntrackd; a client behind the router pings a server on
# the public side every 10 ms.  The master VM crashes (every process
# killed, its links gone, QEMU's channel closed); the timeline shows who
# did what, at which millisecond, and the outage the client saw.  The
# routers use router.json's default advert interval (20 ms), as a
# deployment would.  gnuplot draws the same timeline to
# BUILD_DIR/demo/failover.png (DEMO_OUT sets the folder): the client's
# echo replies, the lost probes and the outage, and each event as a line.
#
# usage: demo.sh [BUILD_DIR]     (as root)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-build}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"

# Milliseconds since midnight UTC, from "HH:MM:SS.mmm" or from now.
ms_of_day()
{
	echo "$1" | awk -F'[:.]' '{ print (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }'
}
now_of_day() { ms_of_day "$(date -u +%H:%M:%S.%3N)"; }

# Print "ms text" for the first line of LOG matching RE after T0.
event()		# LOG RE TEXT
{
	awk -v re="$2" -v t0="$T0" -v text="$3" '
	    $0 ~ re {
		split($1, a, /[:.]/)
		t = ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4]
		if (t >= t0) { printf "%d %s\n", t - t0, text; exit }
	    }' "$1"
}

export TZ=UTC
PAIR_ADVERT_MS=default
case $LAB_BUILD in /*) OUT=$LAB_BUILD ;; *) OUT=$LAB_ROOT/$LAB_BUILD ;; esac
OUT=${DEMO_OUT:-$OUT/demo}
mkdir -p "$OUT" || exit 1
rm -f "$OUT/failover.png" "$OUT/events.txt" "$OUT/stream.log"
echo "vrouter demo: building the lab"
pair_setup || exit 1
lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER || exit 1
ADVERT=$(pair_status_key r1 advert_ms)
printf '  %s\n' "hypervisors hv1, hv2 (vrouter-hostd); routers r1 (prio 150, on hv1)" \
    "and r2 (prio 100, on hv2) with vrouterd + keepalived + conntrackd;" \
    "client c1 10.1.0.100 behind VIP $LAB_VIP; server $PAIR_SERVER" \
    "VRRPv3 adverts every $ADVERT ms over the private segment and the sync link (router.json's defaults)"
lab_wait_for "hv1 route" 3000 pair_route hv1 || exit 1
lab_wait_for "client" 5000 pair_client_ok || exit 1
echo "r1 is MASTER, hv1 routes $LAB_VIP/32 to r1, and the server sees the"
echo "client as $(pair_client_source) (SNAT to the VIP)."
echo

pair_stream_start
sleep 1
ka=$(pair_child_pid r1 keepalived)
ct=$(pair_child_pid r1 conntrackd)
T0=$(now_of_day)
# The crash: every process of r1, then its links and its QEMU channel.
lab_kill "$PAIR_VRD_r1" KILL
[ -n "$ka" ] && /bin/kill -s KILL -- "-$ka"
[ -n "$ct" ] && /bin/kill -s KILL -- "-$ct"
for i in eth0 eth1 eth2; do lab_exec r1 ip link set dev "$i" down; done
lab_stop "$LAB_R1_RELAY_PID" 500
lab_wait_for "r2 MASTER" 5000 pair_is r2 MASTER
lab_wait_for "hv2 route" 3000 pair_route hv2
lab_wait_for "client resumes" 5000 pair_client_ok
sleep 1
pair_stream_stop

cp "$LAB_DIR/stream.log" "$OUT/stream.log"
echo "timeline (ms after r1's crash):"
{
	echo "0 r1 crashes: processes killed, links down, QEMU channel closed"
	event "$LAB_DIR/hv1.hostd.log" "vm r1: channel .*: closed" \
	    "hv1: r1's channel is gone"
	event "$LAB_DIR/hv1.hostd.log" "203[.]0[.]113[.]10/32 (table .* )?withdrawn" \
	    "hv1: route to r1 withdrawn (fail safe)"
	event "$LAB_DIR/r2.vrouterd.log" "-> MASTER" \
	    "r2: keepalived's sync group is MASTER (VRRP timeout)"
	event "$LAB_DIR/r2.vrouterd.log" "conntrackd -c done" \
	    "r2: conntrack state committed to the kernel"
	event "$LAB_DIR/hv2.hostd.log" "vm r2: 203.0.113.10/32 -> dev" \
	    "hv2: route to r2 installed, gratuitous ARP sent"
} | sort -n >"$OUT/events.txt"
awk '{ t = $1; $1 = ""; printf "%8d ms %s\n", t, $0 }' "$OUT/events.txt"
awk '/bytes from/ {
	t = substr($1, 2, length($1) - 2) * 1000
	if (last && t - last > gap) gap = t - last
	last = t; n++
} END { printf "\nclient: %d echo replies, longest gap (the outage) %.0f ms\n", n, gap }' \
    "$LAB_DIR/stream.log"
sh "$LAB_ROOT/tests/lab/demo-plot.sh" "$OUT" "$T0" "$ADVERT" ||
    echo "demo: no PNG timeline (see above)"
echo
echo "r2's view (vrouterctl status):"
pair_ctl r2 status | sed 's/^/  /'
echo
echo "hv2's routes (vrouterctl host routes):"
"$PAIR_BIN/vrouterctl" -s "$LAB_DIR/hv2.ctl" host routes | sed 's/^/  /'
[ -s "$OUT/failover.png" ] && { echo; echo "timeline plot: $OUT/failover.png"; }
