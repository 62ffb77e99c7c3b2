#!/bin/sh
# shellcheck shell=dash
# ofnat.sh: vrouter-ofnat's connection setup rate against a fake OpenFlow
# 1.3 switch (bench/ofnat_bench) on the loopback of a lab namespace.
# Every setup is a PACKET_IN of a new TCP SYN answered by two FLOW_MODs
# and a PACKET_OUT.  Two modes (docs/performance.md):
#   fill    sessions only accumulate (up to 900,000, below the
#           controller's limit): a burst into an empty NAT;
#   steady  BENCH_LIVE sessions stay live: every new one idles the oldest
#           out (FLOW_REMOVED for both its flows), for the whole time.
# Each run gets a fresh controller.  Per mode it prints every run, then
# the median setups/s over the measured time and the median setups per
# CPU-second of the controller (its user + system time over the whole
# run, read from /proc: a figure the other load of a shared machine
# disturbs less).  Prints figures, never judges them; fails only if the
# setups did not complete.
#
# usage: bench/ofnat.sh [BUILD_DIR]           (as root; exit 77 = skipped)
# environment:
#   BENCH_SECS=3       measured seconds per run
#   BENCH_WINDOW=2000  PACKET_INs in flight
#   BENCH_RUNS=5       runs per mode (and per controller)
#   BENCH_MODES="fill steady"
#   BENCH_LIVE=500000  live sessions in the steady mode
#   BENCH_BASELINE=    another vrouter-ofnat binary (e.g. a build of an
#                      older commit): its runs alternate with this one's in
#                      the same lab, and the summary gives both and the
#                      ratio of the medians
#   BENCH_WRAP=        command put before vrouter-ofnat, e.g.
#                      "perf record -g -o /tmp/ofnat.perf" or valgrind

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
RUNS=${BENCH_RUNS:-5}
MODES=${BENCH_MODES:-fill steady}
LIVE=${BENCH_LIVE:-500000}
BASE=${BENCH_BASELINE:-}
WRAP=${BENCH_WRAP:-}

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
if [ -n "$BASE" ] && [ ! -x "$BASE" ]; then
	echo "ofnat: BENCH_BASELINE=$BASE is not an executable" >&2
	exit 1
fi

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
TCK=$(getconf CLK_TCK)

# User + system clock ticks of PID so far.
cpu_ticks()
{
	sed -n 's/.*) //p' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}

# run_one NAME CONTROLLER MODE RUN: one controller, one bench run; appends
# "NAME MODE RATE SETUPS_PER_CPU_SECOND" to $LAB_DIR/results.
run_one()
{
	local name=$1 ctl=$2 mode=$3 run=$4 log args out line rate total t
	log=$LAB_DIR/ofnat-$name-$mode-$run.log
	args=
	[ "$mode" = steady ] && args="-l $LIVE"
	# shellcheck disable=SC2086
	lab_bg ofb "$log" $WRAP "$ctl" -d \
	    -f "$LAB_DIR/router.json" -l 127.0.0.1:6653 \
	    -s "$LAB_DIR/ofnat.sock" >/dev/null
	pid=$LAB_PID
	lab_wait_for "ofnat listening" 10000 lab_exec ofb sh -c \
	    "ss -Hltn 'sport = :6653' | grep -q ." || exit 1
	# shellcheck disable=SC2086
	if ! out=$(lab_exec ofb timeout $((SECS * 2 + 15)) \
	    "$BIN/bench/ofnat_bench" -p 6653 -t "$SECS" -w "$WINDOW" $args)
	then
		echo "$out"
		echo "ofnat: $name $mode run $run failed" >&2
		tail -n 5 "$log" >&2
		exit 1
	fi
	t=$(cpu_ticks "$pid")
	lab_stop "$pid" 3000
	line=$(echo "$out" | grep '^ofnat_bench: mode=')
	rate=$(echo "$line" | sed -n 's/.* rate=\([0-9]*\).*/\1/p')
	total=$(echo "$line" | sed -n 's/.* total=\([0-9]*\).*/\1/p')
	echo "$out" | grep -v '^ofnat_bench: mode=' |
	    sed "s/^/$name run $run: /"
	awk -v n="$name" -v m="$mode" -v r="$rate" -v s="$total" -v t="$t" \
	    -v k="$TCK" 'BEGIN { printf "%s %s %s %.0f\n", n, m, r,
	    (t > 0 ? s / (t / k) : 0) }' >>"$LAB_DIR/results"
}

# median COLUMN NAME MODE: the median of a results column.
median()
{
	awk -v c="$1" -v n="$2" -v m="$3" '$1 == n && $2 == m { print $c }' \
	    "$LAB_DIR/results" | sort -n | awk '{ v[NR] = $1 } END {
	    if (NR == 0) { print 0; exit }
	    m = int((NR + 1) / 2)
	    print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'
}

range()
{
	awk -v n="$1" -v m="$2" '$1 == n && $2 == m { print $3 }' \
	    "$LAB_DIR/results" | sort -n | sed -n '1p;$p' | paste -sd-
}

echo "ofnat: $RUNS runs of ${SECS}s per mode ($MODES), window $WINDOW," \
    "steady with $LIVE live sessions, $(nproc) CPUs"
[ -n "$BASE" ] && echo "ofnat: baseline $BASE, runs alternate with it"
: >"$LAB_DIR/results"
run=1
while [ "$run" -le "$RUNS" ]; do
	for mode in $MODES; do
		[ -n "$BASE" ] && run_one baseline "$BASE" "$mode" "$run"
		run_one this "$BIN/vrouter-ofnat" "$mode" "$run"
	done
	run=$((run + 1))
done

echo "ofnat: medians of $RUNS runs"
printf '%-9s %-7s %12s %23s %16s\n' controller mode "setups/s" \
    "min-max" "setups/CPU-s"
for mode in $MODES; do
	for name in baseline this; do
		[ "$name" = baseline ] && [ -z "$BASE" ] && continue
		printf '%-9s %-7s %12.0f %23s %16.0f\n' "$name" "$mode" \
		    "$(median 3 "$name" "$mode")" "$(range "$name" "$mode")" \
		    "$(median 4 "$name" "$mode")"
	done
	if [ -n "$BASE" ]; then
		awk -v m="$mode" -v a="$(median 3 this "$mode")" \
		    -v b="$(median 3 baseline "$mode")" \
		    -v c="$(median 4 this "$mode")" \
		    -v d="$(median 4 baseline "$mode")" 'BEGIN {
		    printf "ratio     %-7s %11.2fx %23s %15.2fx\n", m,
		    (b > 0 ? a / b : 0), "", (d > 0 ? c / d : 0) }'
	fi
done
exit 0
