# shellcheck shell=dash
# tap.sh: TAP lines for the tests that need no lab (sourced; lab tests use
# lab.sh's lab_ok/lab_notok/lab_check).  N, FAILS and SKIPS count them;
# the test prints "1..$N" at the end and exits by [ "$FAILS" -eq 0 ].

N=0
FAILS=0
SKIPS=0
ok()
{
	N=$((N + 1))
	echo "ok $N - $1"
}
notok()		# DESC [WHY]
{
	N=$((N + 1))
	FAILS=$((FAILS + 1))
	echo "not ok $N - $1"
	[ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/# /'
}
check()		# DESC CMD...
{
	local desc="$1"
	shift
	if "$@"; then ok "$desc"; else notok "$desc" "failed: $*"; fi
}
skip()		# DESC WHY
{
	N=$((N + 1))
	SKIPS=$((SKIPS + 1))
	echo "ok $N - $1 # SKIP $2"
}
