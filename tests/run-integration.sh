#!/bin/sh
# Run every integration test (tests/integration/t_*.sh) with the build
# folder as its argument.  A test exits 0 (pass), 77 (skipped: say why)
# or anything else (fail).  Ends with the "N passed, N failed" line.
set -u
B=${1:-build}
case $B in /*) ;; *) B=$(pwd)/$B ;; esac
export VROUTER_BUILD="$B"
pass=0 fail=0 skip=0 failed=""
for t in tests/integration/t_*.sh; do
	[ -n "${ONLY:-}" ] && case $t in *"$ONLY"*) ;; *) continue ;; esac
	echo "=== $t"
	start=$(date +%s)
	sh "$t" "$B"
	rc=$?
	echo "=== $t: rc $rc, $(( $(date +%s) - start )) s"
	case $rc in
	0) pass=$((pass + 1)) ;;
	77) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)); failed="$failed $t" ;;
	esac
done
[ -n "$failed" ] && echo "failed:$failed"
echo "integration: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
