#!/bin/sh
# t_synclink: the sync link is not a reason to FAULT.  In the pair lab
# (vrouterd + keepalived + conntrackd on r1 and r2, their sync link one
# veth pair: point to point, so one end down takes the other's carrier),
# with the VRRP adverts on the private segment, it proves that
#  1. vrouterd moves each conntrackd out of the realtime class it sets
#     itself at start-up (SCHED_RR) to SCHED_OTHER, and makes keepalived's
#     VRRP process SCHED_RR with an RLIMIT_RTTIME, and logs both;
#  2. with the sync link cut while both nodes live: for the whole cut r1
#     stays MASTER and r2 BACKUP, no VRRP transition happens, exactly one
#     hypervisor (hv1) routes the VIP, and the master keeps forwarding (a
#     10 ms ping stream sees no gap of a second); connections opened
#     during the cut do not reach r2;
#  3. when the link returns, r2 (BACKUP) asks for a resync and gets those
#     connections, the sync goes on for new ones, and those of the cut all
#     survive a failover to r2 (none reset, and the server's pushes get
#     through before the client speaks);
#  4. a cut that no carrier shows (the sync dropped by a filter): the
#     BACKUP notices its peer's conntrackd is silent, keeps asking for a
#     resync, and gets what it missed once the filter is gone;
#  5. the master VM dies (every process killed, its links down, so the
#     survivor's sync link loses its carrier): the survivor becomes MASTER
#     and stays MASTER, not FAULT, for 5 s, only its hypervisor routes the
#     VIP and the client gets through; the dead VM returns as BACKUP.
#
# usage: t_synclink.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"
. "$LAB_ROOT/tests/lab/failover.sh"

lab_need chrt prlimit

N=200		# connections opened during the cut
FO_CHECK_MS=10000

ct_other()	# R
{
	local pid
	pid=$(pair_child_pid "$1" conntrackd) &&
	    chrt -p "$pid" | grep -q "policy: SCHED_OTHER"
}

vrrp_rt()	# R
{
	local pid
	pid=$(cat "$LAB_DIR/$1.run/keepalived-vrrp.pid" 2>/dev/null) &&
	    chrt -p "$pid" | grep -q "policy: SCHED_RR" &&
	    prlimit --pid "$pid" --rttime --noheadings -o SOFT,HARD |
	    grep -q "^ *500000 *1000000$"
}

no_carrier()	# R
{
	lab_exec "$1" ip link show dev "$LAB_SYNC_IF" | grep -q NO-CARRIER
}

# Sample for S seconds, every 100 ms or so, that CMD holds; prints the
# number of samples where it did not.
watch_for()	# S CMD...
{
	local end bad=0
	end=$(($(date +%s%3N) + $1 * 1000))
	shift
	while [ "$(date +%s%3N)" -lt "$end" ]; do
		"$@" || bad=$((bad + 1))
		sleep 0.1
	done
	echo "$bad"
}

not()
{
	! "$@"
}

not_synced()
{
	! fo_synced r2 "$N"
}

r2_master()
{
	pair_is r2 MASTER && pair_is r1 BACKUP
}

r1_master_alone()
{
	pair_is r1 MASTER && pair_is r2 BACKUP && pair_only_route hv1 hv2
}

r1_survivor()
{
	pair_is r1 MASTER && pair_route hv1 && pair_no_route hv2
}

pair_setup || exit 1
lab_check "r1 becomes MASTER" lab_wait_for "r1 MASTER" 15000 pair_is r1 MASTER
lab_check "r2 becomes BACKUP" lab_wait_for "r2 BACKUP" 10000 pair_is r2 BACKUP
lab_check "hv1 routes the VIP" lab_wait_for "hv1 route" 5000 pair_route hv1
lab_wait_for "client" 5000 pair_client_ok

# 1.
for r in r1 r2; do
	lab_check "$r: conntrackd moved to SCHED_OTHER" \
	    lab_wait_for "$r conntrackd SCHED_OTHER" 5000 ct_other "$r"
	lab_check "$r: vrouterd logs the move" grep -q \
	    "conntrackd: pid [0-9]* moved from SCHED_RR 1 to SCHED_OTHER" \
	    "$LAB_DIR/$r.vrouterd.log"
	lab_check "$r: keepalived's VRRP process SCHED_RR, RLIMIT_RTTIME 0.5/1 s" \
	    lab_wait_for "$r VRRP realtime" 5000 vrrp_rt "$r"
done

# 2.
fo_server || exit 1
fo_sync_mark r2
t1=$(pair_transitions r1) t2=$(pair_transitions r2)
pair_stream_start
lab_exec r1 ip link set dev "$LAB_SYNC_IF" down
lab_check "sync link cut: r2's end has no carrier" \
    lab_wait_for "no carrier" 2000 no_carrier r2
lab_check "r2 logs the sync link down, no FAULT" \
    lab_wait_for "sync link down" 3000 grep -q \
    "sync link $LAB_SYNC_IF: down: .*not a FAULT" "$LAB_DIR/r2.vrouterd.log"
lab_check "$N connections opened during the cut" \
    fo_hold cut "$N" 50 1
bad=$(watch_for 3 r1_master_alone)
lab_check "for 3 s of the cut: r1 MASTER, r2 BACKUP, only hv1 routes ($bad bad samples)" \
    test "$bad" = 0
lab_check "r2 did not get them during the cut" not_synced
lab_exec r1 ip link set dev "$LAB_SYNC_IF" up
pair_stream_stop
gap=$(pair_outage)
lab_check "the master kept forwarding: longest gap of the ping stream $gap ms (< 1000)" \
    test "${gap:-99999}" -lt 1000
lab_check "no VRRP transition on either node during the cut" \
    test "$(pair_transitions r1)" = "$t1" -a "$(pair_transitions r2)" = "$t2"

# 3.
lab_check "link back: r2 (BACKUP) asks the master for a resync" \
    lab_wait_for "resync request" 10000 grep -q \
    "sync link $LAB_SYNC_IF: up: asking the master for a resync" \
    "$LAB_DIR/r2.vrouterd.log"
lab_check "r2 gets the $N connections opened during the cut" \
    lab_wait_for "r2 synced" 20000 fo_synced r2 "$N"
fo_sync_mark r2
lab_exec c1 "$FO_TOOL" flows -c "$PAIR_SERVER" -p 30000 -n 100 >/dev/null
lab_check "and the sync goes on: 100 UDP flows opened after it reach r2" \
    lab_wait_for "r2 synced the flows" 20000 fo_synced r2 100
fo_fault r1 kill || lab_notok "kill r1's keepalived"
lab_check "failover: r2 MASTER" lab_wait_for "r2 MASTER" 10000 pair_is r2 MASTER
lab_check "failover: hv2 routes the VIP" \
    lab_wait_for "hv2 route" 5000 pair_route hv2
res=$(fo_round 1)
lab_check "all $N connections opened during the cut survive it ($res)" \
    test "$(fo_kv ok "$res")" = "$N" -a "$(fo_kv reset "$res")" = 0 \
    -a "$(fo_kv silent "$res")" = 0
fo_hold_end

# r2 is the master now; r1 returns as BACKUP (no preemption).
lab_check "r1 returns as BACKUP" lab_wait_for "r1 BACKUP" 20000 pair_is r1 BACKUP
lab_wait_for "hv1 route gone" 5000 pair_no_route hv1

# 4. a cut no carrier shows: the sync dropped by a filter on r2
for r in r1 r2; do
	lab_sysctl "$r" net.netfilter.nf_conntrack_udp_timeout=3600 \
	    net.netfilter.nf_conntrack_udp_timeout_stream=3600
done
lab_wait_for "r1 synced" 20000 fo_synced r1 1
fo_sync_mark r1
lab_exec r2 iptables -I INPUT -i "$LAB_SYNC_IF" -p udp --dport 3780 -j DROP
lab_exec r2 iptables -I OUTPUT -o "$LAB_SYNC_IF" -p udp --dport 3780 -j DROP
lab_exec c1 "$FO_TOOL" flows -c "$PAIR_SERVER" -p 31000 -n 100 >/dev/null
lab_check "silent cut: r1 notices the peer's conntrackd is silent" \
    lab_wait_for "silent" 20000 grep -q \
    "nothing from the peer's conntrackd" "$LAB_DIR/r1.vrouterd.log"
lab_check "... and did not get the 100 flows opened meanwhile" \
    not fo_synced r1 100
lab_exec r2 iptables -D INPUT -i "$LAB_SYNC_IF" -p udp --dport 3780 -j DROP
lab_exec r2 iptables -D OUTPUT -o "$LAB_SYNC_IF" -p udp --dport 3780 -j DROP
lab_check "filter gone: r1 (BACKUP) keeps asking and gets them" \
    lab_wait_for "r1 resynced" 30000 fo_synced r1 100
lab_check "... logging why" grep -q \
    "the peer is silent: asking the master for a resync" \
    "$LAB_DIR/r1.vrouterd.log"
lab_check "no VRRP transition meanwhile: r2 MASTER, r1 BACKUP" r2_master

# 5.
from=$(wc -l <"$LAB_DIR/r1.vrouterd.log")
fo_fault r2 vm || lab_notok "the VM r2 dies"
lab_check "VM death: r1 becomes MASTER" \
    lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER
lab_check "r1's end of the sync link has no carrier" no_carrier r1
bad=$(watch_for 5 r1_survivor)
lab_check "for 5 s: r1 stays MASTER (no FAULT), only hv1 routes ($bad bad samples)" \
    test "$bad" = 0
lab_check "r1 never went FAULT" not sh -c \
    "tail -n +$((from + 1)) '$LAB_DIR/r1.vrouterd.log' | grep -q -- '-> FAULT'"
lab_check "the client gets through r1" \
    lab_wait_for "client" 5000 pair_client_ok
fo_repair r2 vm || lab_notok "the VM r2 returns"
lab_check "r2 returns as BACKUP" lab_wait_for "r2 BACKUP" 20000 pair_is r2 BACKUP
lab_check "r1 is still MASTER, only hv1 routes" r1_master_alone
lab_done
