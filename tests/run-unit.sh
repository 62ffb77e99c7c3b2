#!/bin/sh
# Run the unit test runner and the fuzz crash-corpus replay.
set -eu
B=${1:-build}
"$B/tests/unit/runner"

# Fuzz targets, built without libFuzzer: replay seeds and saved crashes
# (tests/fuzz/README.md), and check that the generated seeds are current.
for f in "$B"/tests/fuzz/fuzz_*; do
	case $f in *.o|*.d) continue ;; esac
	[ -x "$f" ] || continue
	t=${f##*/}
	"$f" "tests/fuzz/seeds/$t" "tests/fuzz/crashes/$t"
done
if [ -x "$B/tests/fuzz/mkseeds" ]; then
	"$B/tests/fuzz/mkseeds" -c tests/fuzz/seeds/fuzz_vsp_stream
fi

# Golden tests: router.json examples rendered through the templates.
sh tests/golden/run.sh "$B"

# OpenFlow codec golden vectors, decoded by ovs-ofctl (tests/ofp-golden/).
sh tests/ofp-golden/run.sh "$B"
