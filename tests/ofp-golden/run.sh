#!/bin/sh
# Golden vectors for the OpenFlow 1.3 codec (docs/openflow.md), checked
# against an independent decoder: Open vSwitch's ovs-ofctl ofp-print.
#
#   tests/ofp-golden/run.sh BUILD_DIR            "ofp-golden: N passed, N failed"
#   tests/ofp-golden/run.sh BUILD_DIR --update   rewrite the .ok files
#
# BUILD_DIR/tests/ofp-golden/gen prints "NAME HEX" for each message the
# codec encodes (gen.c).  Each must decode in ovs-ofctl without an error
# (exit 0, nothing on stderr, no "***" or "unknown data" marks), and print
# exactly NAME.ok.  --update rewrites NAME.ok, but only from clean decodes.
set -u
B=${1:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
update=
[ "${2:-}" = --update ] && update=1
cd "$(dirname "$0")/../.." || exit 1

dir=tests/ofp-golden
gen=$B/tests/ofp-golden/gen
if ! command -v ovs-ofctl >/dev/null 2>&1; then
	echo "ofp-golden: FAIL: ovs-ofctl not found; it is the independent" \
	    "decoder (apt-get install openvswitch-common, or make deps)" >&2
	exit 1
fi
if [ ! -x "$gen" ]; then
	echo "ofp-golden: FAIL: $gen missing (make B=... unit-bins)" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ofp-golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! "$gen" >"$tmp/vectors" || [ ! -s "$tmp/vectors" ]; then
	echo "ofp-golden: FAIL: $gen could not encode every message" >&2
	exit 1
fi

pass=0 fail=0
while read -r name hex; do
	want=$dir/$name.ok
	if ! ovs-ofctl ofp-print "$hex" >"$tmp/out" 2>"$tmp/err" ||
	    [ -s "$tmp/err" ] ||
	    grep -qE '\*\*\*|unknown data|decode error' "$tmp/out"; then
		echo "ofp-golden: FAIL $name: ovs-ofctl does not decode it cleanly"
		echo "  hex: $hex"
		sed 's/^/  /' "$tmp/out" "$tmp/err"
		fail=$((fail + 1))
		continue
	fi
	if [ -n "$update" ]; then
		if ! cmp -s "$tmp/out" "$want" 2>/dev/null; then
			cp "$tmp/out" "$want"
			echo "updated $want"
		fi
		pass=$((pass + 1))
	elif [ ! -f "$want" ]; then
		echo "ofp-golden: FAIL $name: no $want (run with --update)"
		fail=$((fail + 1))
	elif diff -u "$want" "$tmp/out"; then
		pass=$((pass + 1))
	else
		echo "ofp-golden: FAIL $name (hex: $hex)"
		fail=$((fail + 1))
	fi
done <"$tmp/vectors"

# An .ok file for a message gen no longer writes is stale.
for ok in "$dir"/*.ok; do
	[ -f "$ok" ] || continue
	name=${ok##*/}
	name=${name%.ok}
	grep -q "^$name " "$tmp/vectors" && continue
	if [ -n "$update" ]; then
		rm -f "$ok"
		echo "removed $ok"
	else
		echo "ofp-golden: FAIL $ok: gen writes no message $name"
		fail=$((fail + 1))
	fi
done

echo "ofp-golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
