#!/bin/sh
# run.sh: run every benchmark in bench/ (bench/*.sh but this one) with the
# build folder as its argument; `make bench` calls it.  Benchmarks print
# figures; they exit 0, 77 (skipped: they say why) or anything else when
# a measured step did not happen.  Ends with one summary line.
set -u
B=${1:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
cd "$(dirname "$0")/.." || exit 1
ran=0 skipped=0 failed=""
for t in bench/*.sh; do
	[ "$t" = bench/run.sh ] && continue
	echo "=== $t"
	sh "$t" "$B"
	rc=$?
	case $rc in
	0) ran=$((ran + 1)) ;;
	77) skipped=$((skipped + 1)) ;;
	*) failed="$failed $t" ;;
	esac
done
echo "bench: $ran ran, $skipped skipped${failed:+, failed:$failed}"
[ -z "$failed" ]
