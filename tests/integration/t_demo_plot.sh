#!/bin/sh
# shellcheck shell=dash
# t_demo_plot: make demo's PNG timeline (tests/lab/demo-plot.sh) from a
# made-up failover, no lab needed: a 10 ms ping stream whose probes 51 to
# 59 get no reply (a 100 ms gap between two replies), and three events.
# It proves that the outage, the lost probes and their send times are the
# stream's, that every event is in the key, that gnuplot writes a PNG, and
# that a stream without a reply is refused.  Skipped without gnuplot.
#
# usage: t_demo_plot.sh [BUILD_DIR]   (the build is not used)

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v gnuplot >/dev/null 2>&1 ||
    { echo "gnuplot missing (sh scripts/install-deps.sh): skipped"; exit 77; }
T=$(mktemp -d "/tmp/t_demo_plot.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

N=0
FAILS=0
check()		# DESC CMD...
{
	local desc="$1"
	shift
	N=$((N + 1))
	if "$@"; then
		echo "ok $N - $desc"
	else
		FAILS=$((FAILS + 1))
		echo "not ok $N - $desc"
	fi
}

# Midnight UTC + 10 h is the crash (T0, in ms of the day).  Probe s is
# sent at -500 + 10 (s - 1) ms and answered 0.1 ms later; 51..59 are lost.
MIDNIGHT=1764720000
T0=36000000
awk -v base="$MIDNIGHT" 'BEGIN {
	for (s = 1; s <= 100; s++) {
		if (s >= 51 && s <= 59)
			continue
		t = base + 36000 + (-500 + 10 * (s - 1) + 0.1) / 1000
		printf "[%.6f] 64 bytes from 198.51.100.1: icmp_seq=%d ttl=63 time=0.100 ms\n", t, s
	}
}' >"$T/stream.log"
printf '%s\n' '0 r1 crashes' '50 hv1: route to r1 withdrawn' \
    '80 r2: "MASTER"' >"$T/events.txt"

check "demo-plot.sh draws the made-up failover" \
    sh "$ROOT/tests/lab/demo-plot.sh" "$T" "$T0" 20
check "the PNG is a PNG" sh -c \
    "head -c 8 '$T/failover.png' | od -An -tx1 | tr -d ' \n' | grep -qx 89504e470d0a1a0a"
check "the title: the 100 ms outage, 9 probes lost, 20 ms adverts" sh -c \
    "grep -q 'outage 100 ms, 9 probes lost' '$T/failover.gp' &&
     grep -q 'adverts every 20 ms' '$T/failover.gp'"
check "the outage is shaded from the last reply before to the first after" \
    grep -q 'rect from -9.900, graph 0 to 90.100, graph 1' "$T/failover.gp"
check "lost probes 51..59, the first sent at the crash" sh -c \
    "[ \"\$(cut -d' ' -f2 '$T/lost.dat' | tr '\n' ' ')\" = '51 52 53 54 55 56 57 58 59 ' ] &&
     awk 'NR == 1 { exit !(\$1 > -0.5 && \$1 < 0.5) }' '$T/lost.dat'"
check "91 replies, at their times after the crash" sh -c \
    "[ \$(wc -l <'$T/replies.dat') -eq 91 ] &&
     grep -qx '90.100 0.100 60' '$T/replies.dat'"
check "each event is a line at its time, named in the key" sh -c \
    "grep -q 'arrow 2 from 50, graph 0' '$T/failover.gp' &&
     grep -q 'title \"   80 ms  r2: MASTER\"' '$T/failover.gp' &&
     [ \$(grep -c '^set arrow' '$T/failover.gp') -eq 3 ]"
mkdir "$T/none" && cp "$T/events.txt" "$T/none/" &&
    echo 'PING 198.51.100.1 (198.51.100.1) 56(84) bytes of data.' \
    >"$T/none/stream.log"
check "a stream without a reply is refused, and says so" sh -c \
    "! sh '$ROOT/tests/lab/demo-plot.sh' '$T/none' '$T0' 20 2>'$T/none.err' &&
     grep -q 'no echo replies' '$T/none.err'"

echo "1..$N"
[ "$FAILS" -eq 0 ]
