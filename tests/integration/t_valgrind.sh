#!/bin/sh
# t_valgrind: vrouterd and vrouter-hostd stay valgrind-clean through the
# operator commands, failovers and split brain of t_ctl.sh, writing their
# metrics pages (PAIR_METRICS): the daemons run under memcheck
# (PAIR_WRAP), and any invalid access, use of uninitialised memory or
# definite leak in any of their logs fails.
#
# usage: t_valgrind.sh [BUILD_DIR]     (as root; exit 77 = skipped)

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-${VROUTER_BUILD:-build}}
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root"
	exit 77
fi
if ! command -v valgrind >/dev/null; then
	echo "1..0 # SKIP valgrind not installed"
	exit 77
fi
case $B in *san*)
	echo "1..0 # SKIP sanitizer build: valgrind and ASan do not mix"
	exit 77 ;;
esac
VG=$(mktemp -d /tmp/vrouter-vg.XXXXXX)
trap 'rm -rf "$VG"' EXIT
# PAIR_METRICS: the metrics pages are written under valgrind too.
PAIR_METRICS=1 PAIR_WRAP="valgrind -q --leak-check=full --show-leak-kinds=definite \
--errors-for-leak-kinds=definite --log-file=$VG/%p.log" \
    sh "$ROOT/tests/integration/t_ctl.sh" "$B" >"$VG/t_ctl.out" 2>&1
rc=$?
if [ $rc -ne 0 ]; then
	cat "$VG/t_ctl.out"
	echo "not ok 1 - t_ctl.sh passes with the daemons under valgrind"
else
	echo "ok 1 - t_ctl.sh passes with the daemons under valgrind"
fi
bad=$(grep -l "definitely lost\|Invalid \|uninitialised\|Mismatched" \
    "$VG"/*.log 2>/dev/null)
if [ -n "$bad" ]; then
	cat $bad
	echo "not ok 2 - no memcheck error or definite leak"
	rc=1
else
	echo "ok 2 - no memcheck error or definite leak ($(ls "$VG"/*.log | wc -l) logs)"
fi
echo "1..2"
exit $rc
