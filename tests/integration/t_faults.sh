#!/bin/sh
# t_faults: every single fault of the fault matrix (tests/lab/faults.sh)
# converges, once each.  In the pair lab (vrouterd + keepalived +
# conntrackd on r1 and r2, vrouter-hostd on the hypervisors), with 200 TCP
# connections held through the master and a 1 ms UDP echo stream across
# each fault, it proves for every case that
#  1. the pair converges: one MASTER and one BACKUP, only the MASTER's
#     hypervisor routes the VIP, both host agents acked the current state
#     (and sync healthy where status says);
#  2. afterwards each router runs exactly one keepalived (one process
#     group) and one conntrackd: nothing duplicated, nothing orphaned;
#  3. the held connections survive: each answers, none was reset, and the
#     server's pushes get through before the client speaks;
# and that
#  4. a single link cut (the sync interface down on either router, the
#     VRRP adverts' segment or the sync link cut silently) never has both
#     hypervisors route the VIP, not for a millisecond (bench/vipmon's
#     route timelines);
#  5. the MASTER keeps its role through the faults that do not touch its
#     VRRP (hostd, conntrackd, the sync link, a vrouterd restart), and a
#     crash of the master VM costs exactly one failover.
# Outages and lost echoes are printed, never asserted (bench/faults.sh
# measures them).  A case that leaves the pair unconverged or duplicated
# gets the next case a fresh lab.  FAULTS: only these cases.
#
# usage: t_faults.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"
. "$LAB_ROOT/tests/lab/failover.sh"
. "$LAB_ROOT/tests/lab/faults.sh"

lab_need
for b in "$FO_TOOL" "$FAULT_MON"; do
	if [ ! -x "$b" ]; then
		echo "1..0 # SKIP $b not built"
		exit 77
	fi
done
for c in conntrack iptables bridge; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "1..0 # SKIP $c missing"
		exit 77
	fi
done

N=200
FO_CHECK_MS=10000
FAULT_CONVERGE_MS=20000
FAULT_SYNC_S=5		# the bench's is 10
FAULT_TAIL_MS=2000
ONE_LINK="sync-down-backup sync-down-master advert-cut advert-cut-sync"
KEEPS_ROLE="hostd-kill ct-kill-master ct-kill-backup sync-down-backup
sync-down-master vrouterd-restart"

is_in()		# WORD LIST
{
	local w
	for w in $2; do
		[ "$w" != "$1" ] || return 0
	done
	return 1
}

up()
{
	fault_lab_up "$N" 50 900 || { lab_notok "the pair comes up"; exit 1; }
}

# A fresh lab; the results so far stay counted (lab_init resets them).
again()
{
	local t="$LAB_TESTS" f="$LAB_FAILS"
	echo "# a fresh lab for the next case"
	lab_cleanup
	up
	LAB_TESTS=$((LAB_TESTS + t)) LAB_FAILS=$((LAB_FAILS + f))
}

check_run()	# CASE LINE
{
	local c="$1" l="$2" k
	echo "# $l"
	k=$(fo_kv converge_ms "$l")
	lab_check "$c: converges: one MASTER, one route holder, acked ($k ms after the repair)" \
	    test "$k" != -
	lab_check "$c: then one keepalived and one conntrackd per router (r1 $(fo_kv ka_r1 "$l")/$(fo_kv ct_r1 "$l"), r2 $(fo_kv ka_r2 "$l")/$(fo_kv ct_r2 "$l"))" \
	    test "$(fo_kv ka_r1 "$l") $(fo_kv ct_r1 "$l") $(fo_kv ka_r2 "$l") $(fo_kv ct_r2 "$l")" = "1 1 1 1"
	lab_check "$c: the $N held connections survive (ok $(fo_kv kept "$l"), reset $(fo_kv reset "$l"), silent $(fo_kv silent "$l"))" \
	    test "$(fo_kv kept "$l")" = "$N" -a "$(fo_kv reset "$l")" = 0 \
	    -a "$(fo_kv silent "$l")" = 0
	if is_in "$c" "$ONE_LINK"; then
		lab_check "$c: never both hypervisors route the VIP (both $(fo_kv both_ms "$l") ms)" \
		    test "$(fo_kv both_ms "$l")" = 0.0
	fi
	if is_in "$c" "$KEEPS_ROLE"; then
		lab_check "$c: the MASTER keeps its role ($(fo_kv role "$l"))" \
		    test "$(fo_kv role "$l")" = kept
	fi
	if [ "$c" = master-crash ]; then
		lab_check "$c: one failover, and the old master returns as BACKUP ($(fo_kv role "$l"))" \
		    test "$(fo_kv role "$l")" = moved
	fi
}

# shellcheck disable=SC2086	# the words of the list, on one line
cases=$(echo ${FAULTS:-$FAULT_CASES})
for c in $cases; do
	fault_known "$c" || { lab_notok "$c: a known case"; exit 1; }
done
up
for c in $cases; do
	cases=${cases#"$c"} cases=${cases# }
	if ! fault_run "$c" >"$LAB_DIR/run.line"; then
		lab_notok "$c: injected and measured"
		l=
	else
		l=$(cat "$LAB_DIR/run.line")
		check_run "$c" "$l"
	fi
	[ -n "$cases" ] || break
	if [ -z "$l" ] || ! fault_next "$l"; then
		again
	fi
done
lab_done
