#!/bin/sh
# Golden tests for router.json and the templates (docs/router-json.md).
#
#   tests/golden/run.sh BUILD_DIR            compare, "golden: N passed, N failed"
#   tests/golden/run.sh BUILD_DIR --update   rewrite the .ok and .err files
#
# cases/NAME.json renders, with the fixed rundir /run/vrouter, to
# NAME.keepalived.ok, NAME.conntrackd.ok and NAME.nat.ok; bad/NAME.json
# must be rejected (exit 1) with exactly the message in NAME.err.
set -u
B=${1:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
update=
[ "${2:-}" = --update ] && update=1
cd "$(dirname "$0")/../.." || exit 1

render=$B/tests/golden/render
rundir=/run/vrouter
if [ ! -x "$render" ]; then
	echo "golden: $render missing (make B=... unit-bins)" >&2
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pass=0 fail=0

# check WANT GOT: compare (or, with --update, install) one result.
check()
{
	if [ -n "$update" ]; then
		if ! cmp -s "$2" "$1" 2>/dev/null; then
			cp "$2" "$1"
			echo "updated $1"
		fi
		pass=$((pass + 1))
	elif diff -u "$1" "$2"; then
		pass=$((pass + 1))
	else
		echo "golden: FAIL $1"
		fail=$((fail + 1))
	fi
}

for cfg in tests/golden/cases/*.json; do
	name=${cfg%.json}
	for t in keepalived:keepalived.conf conntrackd:conntrackd.conf \
	    nat:nat.rules; do
		if "$render" "$cfg" "templates/${t#*:}.mustache" "$rundir" \
		    >"$tmp/out" 2>"$tmp/err"; then
			check "$name.${t%%:*}.ok" "$tmp/out"
		else
			echo "golden: FAIL $cfg (${t#*:}): $(cat "$tmp/err")"
			fail=$((fail + 1))
		fi
	done
done

for cfg in tests/golden/bad/*.json; do
	name=${cfg%.json}
	"$render" "$cfg" templates/keepalived.conf.mustache "$rundir" \
	    >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 1 ]; then
		echo "golden: FAIL $cfg: exit $rc, not 1 (rejected)"
		fail=$((fail + 1))
		continue
	fi
	check "$name.err" "$tmp/err"
done

echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
