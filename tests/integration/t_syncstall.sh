#!/bin/sh
# t_syncstall: vrouterd notices a stalled conntrackd sync.  In the pair
# lab (vrouterd + keepalived + conntrackd on r1 and r2), it proves that
#  1. the master's status has a "sync" object from conntrackd's counters
#     (polled every 2 s), not stalled, and it stays so while new
#     connections go through the router and the peer answers;
#  2. with the peer's conntrackd stopped (SIGSTOP) while new connections
#     keep going through, the counters freeze (nothing comes back from the
#     peer) and the master reports "stalled": true, and logs it;
#  3. once the peer's conntrackd runs again (SIGCONT), "stalled" goes back
#     to false;
#  4. an idle router (no new connections) with a silent peer is not
#     called stalled: there is nothing to sync.
#
# usage: t_syncstall.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"
. "$LAB_ROOT/tests/lab/failover.sh"

lab_need

# A key of the "sync" object in R's status.
sync_key()	# R KEY
{
	fo_status_key "$1" sync "$2"
}

sync_is()	# R KEY VALUE
{
	[ "$(sync_key "$1" "$2")" = "$3" ]
}

# Some new connections through the router, then: is R's sync stalled?
busy_and()	# R true|false
{
	pair_client_ok
	pair_client_ok
	[ "$(sync_key "$1" stalled)" = "$2" ]
}

pair_setup || exit 1
lab_check "r1 becomes MASTER" lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER
lab_wait_for "client" 5000 pair_client_ok

# 1.
lab_check "r1's status has conntrackd's counters" \
    lab_wait_for "sync polled" 6000 sync_is r1 polled true
lab_check "r1's sync is not stalled" sync_is r1 stalled false
end=$(($(date +%s) + 6))
ok=1
while [ "$(date +%s)" -lt "$end" ]; do
	busy_and r1 false || ok=0
done
lab_check "with traffic and a live peer it stays so for 6 s" test "$ok" = 1
sent=$(sync_key r1 sent)
lab_check "r1 sent sync messages ($sent)" test "${sent:-0}" -gt 0

# 2.
fo_ct_signal r2 STOP
lab_check "peer's conntrackd stopped, traffic going on: r1 says stalled" \
    lab_wait_for "stalled" 20000 busy_and r1 true
lab_check "and logs it" grep -q "conntrackd: sync stalled" \
    "$LAB_DIR/r1.vrouterd.log"

# 3.
fo_ct_signal r2 CONT
lab_check "peer's conntrackd running again: not stalled" \
    lab_wait_for "not stalled" 20000 busy_and r1 false

# 4.
fo_ct_signal r2 STOP
sleep 7
lab_check "idle, with the peer silent: not stalled" \
    sync_is r1 stalled false
quiet=$(sync_key r1 quiet_ms)
lab_check "but the peer has been quiet a while (${quiet} ms)" \
    test "${quiet:-0}" -ge 4000
fo_ct_signal r2 CONT

lab_done
