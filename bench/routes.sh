#!/bin/sh
# shellcheck shell=dash
# routes.sh: figures for the host agent's route path (route_bench), in the
# namespace lab.  It prints numbers and never judges them; it fails only if
# the lab cannot be built or a measured step did not happen.
#
#   flip     N routes on IF_A, flipped to IF_B, deleted: one kroute batch,
#            one `ip route` exec per route, one `ip -batch`.
#   latency  vrouter-hostd with one registered VM; route_bench plays QEMU's
#            chardev and times STATE frame -> route notification and
#            frame -> ACK, and `ip route replace` exec -> notification.
#
# usage: bench/routes.sh [BUILD_DIR]          (as root; exit 77 = skipped)
# environment:
#   BENCH_N=1000      routes in the flip benchmark
#   BENCH_RUNS=7      runs of each flip method (medians are reported)
#   BENCH_FRAMES=1000 STATE frames in the latency benchmark
#   BENCH_WRAP=       command put before route_bench, e.g.
#                     "valgrind --error-exitcode=9 --leak-check=full"
#   BENCH_HOSTD_ARGS= more vrouter-hostd options, e.g. "-a 0" (no GARP)
#
# Lab: ${LAB}fl holds the flip pair fa <-> fb (one veth, both ends inside
# it).  ${LAB}hv is the hypervisor: tap0 <-> ${LAB}vm eth0, and the uplink
# eth0 <-> ${LAB}up eth0.  Nothing is done in the root namespace.

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

N=${BENCH_N:-1000}
RUNS=${BENCH_RUNS:-7}
FRAMES=${BENCH_FRAMES:-1000}
WRAP=${BENCH_WRAP:-}
HOSTD_ARGS=${BENCH_HOSTD_ARGS:-}
VIP=203.0.113.10

if [ "$(id -u)" != 0 ]; then
	echo "routes.sh: skipped: needs root" >&2
	exit 77
fi
for b in "$BIN/bench/route_bench" "$BIN/vrouter-hostd"; do
	if [ ! -x "$b" ]; then
		echo "routes.sh: $b not built (make B=... bench-bins all)" >&2
		exit 1
	fi
done
lab_init || exit 1

machine()
{
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo |
	    head -n 1)
	echo "machine: nproc $(nproc), cpu \"${cpu:-unknown}\"," \
	    "kernel $(uname -r), $(ip -V 2>/dev/null | sed "s/^ip utility, //; s/,.*//")"
}

machine
echo "command: bench/routes.sh $1 (N=$N runs=$RUNS frames=$FRAMES" \
    "prefix $LAB${WRAP:+ wrap \"$WRAP\"}${HOSTD_ARGS:+ hostd $HOSTD_ARGS})"

# --- flip -------------------------------------------------------------
lab_ns fl || exit 1
lab_veth fl fa fl fb || exit 1
# shellcheck disable=SC2086
if ! lab_exec fl $WRAP "$BIN/bench/route_bench" -r "$RUNS" flip "$N" fa fb
then
	echo "routes.sh: flip benchmark failed" >&2
	exit 1
fi

# --- latency ----------------------------------------------------------
for n in hv vm up; do
	lab_ns "$n" || exit 1
done
lab_veth hv tap0 vm eth0 || exit 1
lab_veth hv eth0 up eth0 || exit 1

REG=$LAB_DIR/reg
CHAN=$LAB_DIR/bench.chan
mkdir -p "$REG" || exit 1
printf '{"name":"bench","channel":"%s","tap":"tap0","uplink":"eth0",%s}\n' \
    "$CHAN" "\"addresses\":[\"$VIP\"]" >"$REG/bench.json" || exit 1

# hostd first: it retries the channel with backoff (at most 2 s) until
# route_bench listens there.  The per-VM state limit is lifted (-R, -B):
# 1000 back-to-back states would otherwise measure the limit (20 a second),
# not the path; bench/hostile.sh measures with the limits in place.
# shellcheck disable=SC2086
lab_bg hv "$LAB_DIR/hostd.log" "$BIN/vrouter-hostd" -d -r "$REG" \
    -s "$LAB_DIR/hostd.ctl" -S - -g 1000 -R 100000 -B 10000 $HOSTD_ARGS \
    >/dev/null
HOSTD=$LAB_PID
# shellcheck disable=SC2086
if ! lab_exec hv $WRAP "$BIN/bench/route_bench" latency "$CHAN" "$FRAMES" \
    "$VIP" tap0; then
	echo "routes.sh: latency benchmark failed; vrouter-hostd log:" >&2
	tail -n 20 "$LAB_DIR/hostd.log" >&2
	exit 1
fi
if ! lab_kill "$HOSTD" 0; then
	echo "routes.sh: vrouter-hostd died; its log:" >&2
	tail -n 20 "$LAB_DIR/hostd.log" >&2
	exit 1
fi
lab_stop "$HOSTD"
if [ -n "$(lab_exec hv ip route show proto 241)" ]; then
	echo "routes.sh: routes of protocol 241 left in ${LAB}hv" >&2
	exit 1
fi
exit 0
