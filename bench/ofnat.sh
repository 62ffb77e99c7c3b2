#!/bin/sh
# shellcheck shell=dash
# ofnat.sh: vrouter-ofnat's connection setup rate against a fake OpenFlow
# 1.3 switch (bench/ofnat_bench) on the loopback of a lab namespace.
# Every setup is a PACKET_IN of a new TCP SYN answered by two FLOW_MODs
# and a PACKET_OUT.  Prints figures, never judges them; fails only if the
# setups did not complete.
#
# usage: bench/ofnat.sh [BUILD_DIR]           (as root; exit 77 = skipped)
# environment:
#   BENCH_SECS=3       measured seconds per run (stops earlier at 900,000
#                      sessions, below the controller's limit)
#   BENCH_WINDOW=2000  PACKET_INs in flight
#   BENCH_RUNS=3       runs; each gets a fresh controller

LAB_ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB_BUILD=${1:-${B:-build}}
case $LAB_BUILD in
/*) BIN=$LAB_BUILD ;;
*) if [ -d "$LAB_BUILD" ]; then BIN=$(pwd)/$LAB_BUILD
   else BIN=$LAB_ROOT/$LAB_BUILD; fi ;;
esac
LAB_BUILD=$BIN
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/lab.sh"

SECS=${BENCH_SECS:-3}
WINDOW=${BENCH_WINDOW:-2000}
RUNS=${BENCH_RUNS:-3}

if [ "$(id -u)" != 0 ]; then
	echo "ofnat: skipped (needs root)"
	exit 77
fi
for b in vrouter-ofnat bench/ofnat_bench; do
	if [ ! -x "$BIN/$b" ]; then
		echo "ofnat: skipped ($BIN/$b not built: make bench)"
		exit 77
	fi
done

lab_init || exit 1
lab_ns ofb || exit 1
cat >"$LAB_DIR/router.json" <<EOF
{
	"router_id": "ofnat-bench",
	"node": { "name": "ofb", "priority": 100 },
	"vrrp": { "unicast": false },
	"sync": { "interface": "eth9", "address": "10.255.0.1/24" },
	"public": { "interface": "eth0", "vip": "203.0.113.20",
		    "gateway": "198.51.100.254", "vrid": 51 },
	"networks": [ { "name": "lan1", "interface": "eth1",
		    "cidr": "10.1.0.0/24", "gateway": "10.1.0.1", "vrid": 52 } ],
	"host_channel": { "enabled": false },
	"conntrackd": { "enabled": false }
}
EOF

echo "ofnat: $RUNS runs of ${SECS}s, window $WINDOW, $(nproc) CPUs"
run=1
while [ "$run" -le "$RUNS" ]; do
	lab_bg ofb "$LAB_DIR/ofnat-$run.log" "$BIN/vrouter-ofnat" -d \
	    -f "$LAB_DIR/router.json" -l 127.0.0.1:6653 \
	    -s "$LAB_DIR/ofnat.sock" >/dev/null
	pid=$LAB_PID
	lab_wait_for "ofnat listening" 3000 lab_exec ofb sh -c \
	    "ss -Hltn 'sport = :6653' | grep -q ." || exit 1
	if ! lab_exec ofb timeout $((SECS * 2 + 15)) \
	    "$BIN/bench/ofnat_bench" -p 6653 -t "$SECS" -w "$WINDOW"; then
		echo "ofnat: run $run failed" >&2
		tail -n 5 "$LAB_DIR/ofnat-$run.log" >&2
		exit 1
	fi
	lab_stop "$pid" 3000
	run=$((run + 1))
done
exit 0
