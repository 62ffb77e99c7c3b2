#!/bin/sh
# t_survival: established connections survive a failover of the master,
# and the RST race of keepalived issue 2254 would be caught.  In the pair
# lab (vrouterd + keepalived + conntrackd on r1 and r2, vrouter-hostd on
# the hypervisors), with tests/tools/connhold holding connections from the
# client c1 to a server on `up`, NATed through the master, it proves that
#  1. the guard rules of docs/design.md are installed on both routers: INPUT
#     drops TCP that is not a SYN and is NEW or INVALID, FORWARD drops
#     INVALID;
#  2. 1000 TCP connections (200 of them ticked by the server every 20 ms,
#     the rest idle) and a server-to-client bulk transfer survive a crash
#     of the master VM (its processes killed, its links down, its QEMU
#     channel closed): afterwards each connection exchanges a message and
#     its echo, none was reset, the bulk stream goes on; the new master
#     sent no RST.  The outage and the bulk stall are printed;
#  3. they survive the failover back too (SIGKILL of the new master's
#     keepalived group) with a slow commit (the taking-over node's
#     conntrackd stopped for 1 s): the host is not told until the commit
#     is done (no route on the hypervisor meanwhile, and vrouterd's log
#     has the commit before "telling it MASTER");
#  4. the test catches the race: with the order broken on purpose
#     (the test build tests/tools/vrouterd-racy tells the host before
#     the commit) and the guard rules removed, the same slow
#     commit makes the new master answer the server with RSTs, and the
#     held connections see resets;
#  5. each defence alone closes the race: the broken order with the guard
#     rules (the new master answers nothing with a RST), the right order
#     without them, and the template's conntrackd (DisableExternalCache:
#     the state is in the kernel before any commit) with neither: no
#     connection is reset, and the server's pushes get through unprompted.
#     For 4. and the first two of 5. the taking-over node runs conntrackd
#     with an external cache, so that the commit has work to do.
# It asserts survival and ordering, never timings.
#
# usage: t_survival.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"
. "$LAB_ROOT/tests/lab/failover.sh"

lab_need
if [ ! -x "$FO_TOOL" ]; then
	echo "1..0 # SKIP $FO_TOOL not built"
	exit 77
fi
N=1000
STOP_S=1	# how long the commit is held up

# TCP RSTs R's kernel has sent.
out_rsts()
{
	lab_exec "$1" cat /proc/net/snmp | awk '
	    $1 == "Tcp:" && !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1;
		next }
	    $1 == "Tcp:" { print $c["OutRsts"] }'
}

# The guard rules, and the jumps to them, are in R's ruleset.
guard_in()	# R
{
	local rules
	rules=$(lab_exec "$1" iptables -S) || return 1
	echo "$rules" | grep -Eq -- '^-A VROUTER-INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -m conntrack --ctstate (NEW,INVALID|INVALID,NEW) -j DROP$' &&
	    echo "$rules" | grep -q -- '^-A VROUTER-FORWARD -m conntrack --ctstate INVALID -j DROP$' &&
	    echo "$rules" | grep -q -- '^-A INPUT -j VROUTER-INPUT$' &&
	    echo "$rules" | grep -q -- '^-A FORWARD -j VROUTER-FORWARD$'
}

# A line of R's vrouterd log after line FROM matching RE: its number.
log_line()	# R FROM RE
{
	awk -v from="$2" -v re="$3" 'NR > from && $0 ~ re { print NR; exit }' \
	    "$LAB_DIR/$1.vrouterd.log"
}

# fail_over OLD KIND [slow]: fail master OLD; wait for the other node to
# be MASTER with its host route (with slow: its commit held up STOP_S
# seconds first, and no route meanwhile).  Sets NEW, RSTS (RSTs the new
# master sent meanwhile), EARLY (1 if the route came during the hold-up).
fail_over()
{
	local from
	NEW=$(pair_other "$1") EARLY=0
	from=$(wc -l <"$LAB_DIR/$NEW.vrouterd.log")
	RSTS=$(out_rsts "$NEW")
	[ "${3:-}" = slow ] && fo_ct_signal "$NEW" STOP
	fo_fault "$1" "$2"
	lab_wait_for "$NEW MASTER" 5000 pair_is "$NEW" MASTER
	if [ "${3:-}" = slow ]; then
		sleep "$STOP_S"
		pair_route "hv${NEW#r}" && EARLY=1
		fo_ct_signal "$NEW" CONT
	fi
	lab_wait_for "hv${NEW#r} route" 5000 pair_route "hv${NEW#r}"
	COMMIT=$(log_line "$NEW" "$from" 'conntrackd -c done')
	TOLD=$(log_line "$NEW" "$from" 'host: telling it MASTER')
	# Give the RSTs of a broken order time to happen.
	sleep 1
	RSTS=$(($(out_rsts "$NEW") - RSTS))
}

# settle OLD KIND: repair OLD and wait until it is a synced BACKUP.
settle()
{
	fo_repair "$1" "$2"
	fo_settle "$1" "$3"
}

pair_setup || exit 1
lab_check "r1 becomes MASTER" lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER
lab_wait_for "r2 BACKUP" 5000 pair_is r2 BACKUP
lab_wait_for "hv1 route" 3000 pair_route hv1
lab_check "the client reaches the server" \
    lab_wait_for "client" 5000 pair_client_ok

# 1. the guard rules
lab_check "r1 has the guard rules" guard_in r1
lab_check "r2 has the guard rules" guard_in r2

# 2. a crash of the master VM
fo_server || exit 1
fo_sync_mark r2
lab_check "$N connections and a bulk stream through r1" \
    fo_hold hold $N 200 2 -t 20 -b 20000
lab_check "r2's conntrackd knows them" \
    lab_wait_for "r2 synced" 20000 fo_synced r2 $N
pair_stream_start
fail_over r1 vm
pair_stream_stop
res=$(fo_round 1)
echo "# VM crash of r1: ping outage $(pair_outage) ms; $res"
lab_check "VM crash: all $N connections answer afterwards" \
    test "$(fo_kv ok "$res")" = $N
lab_check "VM crash: none was reset" test "$(fo_kv reset "$res")" = 0
lab_check "VM crash: the server's pushes reach all 200 ticked ones unprompted" \
    test "$(fo_kv silent "$res")" = 0
lab_check "VM crash: the bulk stream goes on" \
    test "$(fo_kv bulk "$res")" = ok -a "$(fo_kv bulk_resumed "$res")" = 1
lab_check "VM crash: r2 sent no RST ($RSTS)" test "$RSTS" = 0
srv=$(fo_server_counters)
lab_check "VM crash: the server saw no reset" test "$(fo_kv resets "$srv")" = 0

# 3. back to r1, its commit held up
settle r1 vm $N
fail_over r2 kill slow
res=$(fo_round 2)
echo "# keepalived of r2 killed, r1's commit held up ${STOP_S} s: $res"
lab_check "slow commit: the host was told only after it" test "$EARLY" = 0
lab_check "slow commit: commit (line $COMMIT) before MASTER to the host (line $TOLD)" \
    test "${COMMIT:-0}" -gt 0 -a "${TOLD:-0}" -gt "${COMMIT:-0}"
lab_check "slow commit: all $N connections answer afterwards" \
    test "$(fo_kv ok "$res")" = $N
lab_check "slow commit: none was reset" test "$(fo_kv reset "$res")" = 0
lab_check "slow commit: the server's pushes reach all 200 ticked ones unprompted" \
    test "$(fo_kv silent "$res")" = 0
lab_check "slow commit: the bulk stream goes on" \
    test "$(fo_kv bulk "$res")" = ok -a "$(fo_kv bulk_resumed "$res")" = 1
lab_check "slow commit: r1 sent no RST ($RSTS)" test "$RSTS" = 0
fo_hold_end
settle r2 kill 0

# 4. and 5. the race: ORDER (right|broken) GUARD (on|off), on the backup
race()
{
	local order="$1" guard="$2" cache="$3" b m what
	m=$(pair_master) b=$(pair_other "$m")
	what="order $order, guard $guard, $cache"
	if [ "$order" = broken ]; then
		lab_stop "$(eval echo "\$PAIR_VRD_$b")" 5000
		PAIR_VRD_BIN=$PAIR_BIN/tests/tools/vrouterd-racy
		pair_vrouterd "$b"
		PAIR_VRD_BIN=
		lab_wait_for "$b BACKUP" 10000 pair_is "$b" BACKUP
	fi
	[ "$guard" = off ] && lab_exec "$b" iptables -F VROUTER-INPUT &&
	    lab_exec "$b" iptables -F VROUTER-FORWARD
	# The race needs a commit with work to do, an external cache: the
	# template's conntrackd (DisableExternalCache, "injected") writes the
	# peer's state into the kernel as it comes, leaving no window.
	if [ "$cache" = external ]; then
		fo_ct_external "$b" ||
		    { lab_notok "$what: external cache"; return 1; }
	fi
	fo_sync_quiet "$b"	# its conntrackd may be new: the resync first
	fo_sync_mark "$b"
	fo_hold "race-$order-$guard" 300 300 1 -t 10 ||
	    { lab_notok "$what: 300 connections"; return 1; }
	lab_check "$what: $b synced the 300" \
	    lab_wait_for "$b synced" 20000 fo_synced "$b" 300
	fail_over "$m" kill slow
	res=$(fo_round 1)
	echo "# $what: $RSTS RSTs from $NEW; $res"
	case $order-$guard-$cache in
	broken-off-external)
		lab_check "$what: the host was told during the commit" \
		    test "$EARLY" = 1
		lab_check "$what: the new master sent RSTs ($RSTS)" \
		    test "$RSTS" -gt 0
		lab_check "$what: the test sees the resets" \
		    test "$(fo_kv reset "$res")" -gt 0
		;;
	*)
		lab_check "$what: the new master sent no RST ($RSTS)" \
		    test "$RSTS" = 0
		lab_check "$what: all 300 connections answer, none reset" \
		    test "$(fo_kv ok "$res")" = 300 -a \
		    "$(fo_kv reset "$res")" = 0
		lab_check "$what: the server's pushes reach them all unprompted" \
		    test "$(fo_kv silent "$res")" = 0
		;;
	esac
	fo_hold_end
	# Put the node back as it was (guard, order, conntrackd.conf): a
	# restart of its vrouterd, without the knob.
	lab_stop "$(eval echo "\$PAIR_VRD_$NEW")" 5000
	pair_vrouterd "$NEW"
	lab_wait_for "$NEW BACKUP" 10000 pair_is "$NEW" BACKUP
	lab_wait_for "one MASTER, one BACKUP" 20000 fo_stable
	lab_check "$what: the guard rules are back" guard_in "$NEW"
}

race broken off external
race broken on external
race right off external
race broken off injected

lab_done
