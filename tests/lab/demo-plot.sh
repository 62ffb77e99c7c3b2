#!/bin/sh
# demo-plot.sh: the PNG timeline of make demo's failover (tests/lab/demo.sh).
# From OUT/stream.log (the client's `ping -D`) and OUT/events.txt ("MS
# TEXT" lines, ms after the crash), gnuplot draws the round trip of each
# echo reply over time, the probes that got none (at their estimated send
# time), the outage (the longest gap between two replies, shaded), and
# each event as a vertical line named in the key.  Writes OUT/replies.dat,
# OUT/lost.dat, OUT/failover.gp and OUT/failover.png.
#
# usage: demo-plot.sh OUT T0 ADVERT_MS
#   T0: the crash, in ms since midnight UTC (demo.sh's now_of_day)

[ $# -eq 3 ] || { echo "usage: demo-plot.sh OUT T0 ADVERT_MS" >&2; exit 2; }
OUT=$1 T0=$2 ADVERT=$3
command -v gnuplot >/dev/null 2>&1 ||
    { echo "demo-plot: gnuplot missing (sh scripts/install-deps.sh)" >&2; exit 1; }
if [ ! -s "$OUT/stream.log" ] || [ ! -s "$OUT/events.txt" ]; then
	echo "demo-plot: no stream or events in $OUT" >&2
	exit 1
fi

# replies.dat: "ms rtt seq"; lost.dat: "ms seq"; stdout: the outage's
# start, end and length, and the mean probe interval before the crash.  A lost probe's send
# time is interpolated between its neighbours' (reply time - round trip).
summary=$(awk -v t0="$T0" -v r="$OUT/replies.dat" -v l="$OUT/lost.dat" '
	/bytes from/ && match($0, /icmp_seq=[0-9]+/) {
		seq = substr($0, RSTART + 9, RLENGTH - 9) + 0
		rtt = 0
		if (match($0, /time=[0-9.]+/))
			rtt = substr($0, RSTART + 5, RLENGTH - 5) + 0
		# [epoch.us] -> ms after the crash (ms of the UTC day)
		t = substr($1, 2, length($1) - 2) * 1000
		t = t - int(t / 86400000) * 86400000 - t0
		printf "%.3f %.3f %d\n", t, rtt, seq > r
		if (n && t - last > gap) { gap = t - last; gs = last; ge = t }
		if (n && seq > pseq + 1)
			for (s = pseq + 1; s < seq; s++)
				printf "%.3f %d\n", psend + (t - rtt - psend) * \
				    (s - pseq) / (seq - pseq), s > l
		if (t < 0) { nb++; tb = t; if (!fb) fb = t }
		last = t; pseq = seq; psend = t - rtt; n++
	}
	END {
		if (!n) exit 1
		printf "" > l
		printf "%.3f %.3f %.0f %.1f\n", gs, ge, gap,
		    (nb > 1 ? (tb - fb) / (nb - 1) : 10)
	}' "$OUT/stream.log") || { echo "demo-plot: no echo replies" >&2; exit 1; }
# shellcheck disable=SC2086
set -- $summary
GS=$1 GE=$2 GAP=$3 EVERY=$4
# The x range: from 100 ms before the crash to 120 ms after the last of
# the outage's end and the events, so that events a few ms apart stay
# apart on the plot.
XMAX=$(awk -v ge="$GE" 'BEGIN { m = ge } $1 > m { m = $1 }
    END { printf "%.0f\n", m + 120 }' "$OUT/events.txt")
# The y range: the longest round trip shown, tics 1, 2 or 5 times a
# power of ten, about 5 of them.
# shellcheck disable=SC2046
set -- $(awk -v x="$XMAX" '$1 >= -100 && $1 <= x && $2 > m { m = $2 }
    END {
	if (m <= 0)
		m = 1
	step = exp(log(10) * (int(log(m / 5) / log(10) + 100) - 100))
	if (m / step > 25) step *= 5; else if (m / step > 10) step *= 2
	printf "%g %g\n", m * 1.2, step
    }' "$OUT/replies.dat")
YMAX=$1 YSTEP=$2
NLOST=$(wc -l <"$OUT/lost.dat")

{
	cat <<GP
set terminal pngcairo size 1200,720 font "sans,11"
set output '$OUT/failover.png'
set title "vrouter HA pair: the master r1 crashes at 0 ms; r2 takes over (VRRP adverts every $ADVERT ms)\\nclient c1 pings the server through the VIP (a probe every $EVERY ms before the crash): outage $GAP ms, $NLOST probes lost"
set xlabel "ms after r1's crash"
set ylabel "echo reply round trip (ms)"
set xrange [-100:$XMAX]
set yrange [-$YMAX * 0.06:$YMAX]
set ytics 0, $YSTEP
set xtics 20
set mxtics 4
set grid xtics ytics
set key below left Left reverse spacing 1.2 maxrows 4
set object 1 rect from $GS, graph 0 to $GE, graph 1 fc rgb "#ffd8d8" fs solid 1.0 noborder behind
set style textbox opaque fc rgb "#ffd8d8" noborder
set label 1 "outage\\n$GAP ms" at ($GS + $GE) / 2.0, graph 0.92 center front boxed textcolor rgb "#b00000"
GP
	# One colour and dash per event, drawn as a vertical line; keyentry
	# names it in the key.
	awk '
	BEGIN {
		split("#000000 #7f7f7f #ff7f0e #2ca02c #9467bd #17becf #8c564b #e377c2", c, " ")
	}
	{
		t = $1; $1 = ""; sub(/^ /, "")
		gsub(/"/, "", $0)
		i = NR
		printf "set arrow %d from %s, graph 0 to %s, graph 1 nohead lw 2 dt %d lc rgb \"%s\"\n",
		    i, t, t, (i % 4) + 1, c[(i - 1) % 8 + 1]
		key = key sprintf(", keyentry with lines lw 2 dt %d lc rgb \"%s\" title \"%5d ms  %s\"",
		    (i % 4) + 1, c[(i - 1) % 8 + 1], t, $0)
	}
	END {
		printf "plot \"%s/replies.dat\" using 1:2 with points pt 7 ps 0.7 lc rgb \"#1f77b4\" title \"echo reply\"", out
		if (nlost)
			printf ", \"%s/lost.dat\" using 1:(0) with points pt 2 ps 1.2 lw 2 lc rgb \"#d62728\" title \"probe lost\"", out
		print key
	}' out="$OUT" nlost="$NLOST" "$OUT/events.txt"
} >"$OUT/failover.gp"
gnuplot "$OUT/failover.gp" || { echo "demo-plot: gnuplot failed" >&2; exit 1; }
[ -s "$OUT/failover.png" ]
