#!/bin/sh
# t_handover: a planned switchover is make-before-break, and a running
# master keeps the role.  In the pair lab (vrouterd + keepalived +
# conntrackd on r1 and r2, vrouter-hostd on the hypervisors), with
# tests/tools/connhold holding connections from the client c1 to a server
# on `up` and a 1 ms UDP echo stream across each switchover, it proves that
#  1. `vrouterctl failover` on the MASTER hands over: the peer's hypervisor
#     installs its route before the old one withdraws (hostd's logs), the
#     two nodes are both MASTER for less than 2 s if at all, the old master
#     ends BACKUP, every held connection answers and none was reset; the
#     UDP stream's loss is printed (a benchmark figure, not asserted);
#  2. `vrouterctl maintenance on` on the MASTER does the same, then keeps
#     the node out (FAULT); `maintenance off` lets it back as BACKUP;
#  3. a returning node of higher priority does not take the role back
#     (vrrp.preempt false): r1 (150) restarted while r2 (100) is MASTER
#     stays BACKUP;
#  4. with no peer to take over (the peer's vrouterd stopped), failover
#     fails with a reason, the node stays MASTER and its host keeps the
#     route; maintenance on likewise, and maintenance stays off;
#  5. with a sanitizer build, the daemons' logs have no report.
# It asserts outcomes and orders, never timings.
#
# usage: t_handover.sh [BUILD_DIR]     (as root; exit 77 = skipped)

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
N=300
ROUND=0
export TZ=UTC	# the daemons' log times, compared with each other

# ms of the day of the first line of FILE after line FROM matching RE
# (lines start with HH:MM:SS.mmm).
log_ms()	# FILE FROM RE
{
	awk -v from="$2" -v re="$3" 'NR > from && $0 ~ re {
		split($1, a, /[:.]/)
		print ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4]; exit }' "$1"
}
lines()	{ wc -l <"$1"; }

# Both nodes' states every 20 ms for S seconds: the longest time (ms)
# both said MASTER, into BOTH_MS.
watch_both()	# S
{
	local end t both_since=
	BOTH_MS=0
	end=$(($(date +%s%3N) + $1 * 1000))
	while [ "$(date +%s%3N)" -lt "$end" ]; do
		t=$(date +%s%3N)
		if pair_is r1 MASTER && pair_is r2 MASTER; then
			[ -n "$both_since" ] || both_since=$t
			[ $((t - both_since)) -gt "$BOTH_MS" ] &&
			    BOTH_MS=$((t - both_since))
		else
			both_since=
		fi
		sleep 0.02
	done
}

# switchover OLD NEW CMD...: run CMD on OLD (a planned step-down) with the
# UDP stream running; check make-before-break and that the connections
# survived.
switchover()
{
	local old="$1" new="$2" what="$3" hold hnew hvo hvn fo fn inst wd u res
	shift 3
	hvo=hv${old#r} hvn=hv${new#r}
	fo=$(lines "$LAB_DIR/$hvo.hostd.log")
	fn=$(lines "$LAB_DIR/$hvn.hostd.log")
	u=$LAB_DIR/udp.$ROUND.log
	lab_bg c1 "$u" "$FO_TOOL" udp -c "$PAIR_SERVER" -p "$FO_PORT" \
	    -i 1000 -d 3000 >/dev/null
	sleep 0.3
	out=$(pair_ctl "$old" "$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	lab_check "$what: exit 0" test "$rc" = 0
	watch_both 2
	lab_check "$what: never both MASTER for 2 s ($BOTH_MS ms at most)" \
	    test "$BOTH_MS" -lt 2000
	lab_check "$what: $new is MASTER" lab_wait_for "$new MASTER" 5000 \
	    pair_is "$new" MASTER
	lab_check "$what: only $hvn routes the VIP" \
	    lab_wait_for "$hvn only" 15000 pair_only_route "$hvn" "$hvo"
	inst=$(log_ms "$LAB_DIR/$hvn.hostd.log" "$fn" "vm $new: .* -> dev")
	wd=$(log_ms "$LAB_DIR/$hvo.hostd.log" "$fo" "vm $old: .* withdrawn")
	echo "# $hvn installed at $inst, $hvo withdrew at $wd (ms of the day)"
	lab_check "$what: make-before-break: $hvn installed its route before $hvo withdrew" \
	    test -n "$inst" -a -n "$wd" -a "${inst:-1}" -lt "${wd:-0}"
	lab_check "$what: $old drained before its host withdrew" \
	    grep -q "hand-over: drained after" "$LAB_DIR/$old.vrouterd.log"
	lab_wait_for "udp stream" 30000 grep -q '^udp' "$u"
	echo "# $what: UDP 1 ms stream: $(grep '^udp' "$u")"
	ROUND=$((ROUND + 1))
	res=$(fo_round "$ROUND")
	echo "# $res"
	lab_check "$what: $N connections answer, none reset" sh -c \
	    "echo ' $res' | grep -q ' ok=$N .*reset=0 '"
}

pair_setup || exit 1
lab_wait_for "r1 MASTER" 15000 pair_is r1 MASTER &&
    lab_wait_for "r2 BACKUP" 10000 pair_is r2 BACKUP &&
    lab_wait_for "hv1 route" 5000 pair_route hv1 &&
    lab_wait_for "client" 5000 pair_client_ok ||
    { lab_notok "the pair comes up"; exit 1; }
fo_server >/dev/null || { lab_notok "connhold server"; exit 1; }
fo_sync_mark r2
fo_hold hold "$N" 100 10 -w 300 -b 2000 ||
    { lab_notok "connhold holds $N connections"; exit 1; }
lab_check "r2 synced the $N connections" \
    lab_wait_for "r2 synced" 30000 fo_synced r2 "$N"
lab_check "r1 MASTER keeps the role above its configured priority" sh -c \
    "\"$PAIR_BIN/vrouterctl\" -s \"$LAB_DIR/r1.run/vrouterd.sock\" -j status |
     grep -q '\"role\": \"master'"

# 1. failover
switchover r1 r2 failover failover
lab_check "failover: r1 is BACKUP" lab_wait_for "r1 BACKUP" 5000 \
    pair_is r1 BACKUP

# 3. a returning node of higher priority stays BACKUP
lab_wait_for "r1 synced" 30000 fo_synced r1 "$N"
t2=$(pair_transitions r2)
lab_stop "$PAIR_VRD_r1" 5000
pair_vrouterd r1
lab_check "r1 restarted: BACKUP" lab_wait_for "r1 BACKUP" 15000 \
    pair_is r1 BACKUP
sleep 2
lab_check "r1 (150) did not take the role back from r2 (100)" \
    test "$(pair_transitions r2)" = "$t2"
lab_check "r2 is still MASTER" pair_is r2 MASTER
lab_check "r1 is still BACKUP" pair_is r1 BACKUP

# 2. maintenance on the MASTER (r2), then off
lab_wait_for "r1 synced" 30000 fo_synced r1 "$N"
lab_wait_for "host agents" 10000 fo_host_acked r1
switchover r2 r1 "maintenance on" maintenance on
lab_check "maintenance on: r2 stays out (FAULT)" lab_wait_for "r2 FAULT" \
    5000 pair_is r2 FAULT
out=$(pair_ctl r2 maintenance off 2>&1)
lab_check "maintenance off: exit 0" test $? = 0
lab_check "maintenance off: r2 back as BACKUP" lab_wait_for "r2 BACKUP" \
    5000 pair_is r2 BACKUP
lab_check "r1 is still MASTER" pair_is r1 MASTER

# 4. no peer to take over
lab_stop "$PAIR_VRD_r2" 5000
lab_check "r1 alone: MASTER" pair_is r1 MASTER
out=$(pair_ctl r1 failover 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
lab_check "failover without a peer: exit 1" test "$rc" = 1
case $out in
*"no peer took over"*) lab_ok "failover without a peer says why" ;;
*) lab_notok "failover without a peer says why" ;;
esac
lab_check "r1 is still MASTER" pair_is r1 MASTER
lab_check "hv1 still routes the VIP" pair_route hv1
lab_check "the client still gets through r1" pair_client_ok
out=$(pair_ctl r1 maintenance on 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
lab_check "maintenance on without a peer: exit 1, still MASTER" sh -c \
    "[ $rc = 1 ] && \"$PAIR_BIN/vrouterctl\" -s \"$LAB_DIR/r1.run/vrouterd.sock\" -j status | grep -q '^  \"state\": \"MASTER\"'"
lab_check "maintenance is off again" sh -c \
    "\"$PAIR_BIN/vrouterctl\" -s \"$LAB_DIR/r1.run/vrouterd.sock\" -j status | grep -q '^  \"maintenance\": false'"
lab_check "hv1 still routes the VIP" pair_route hv1

fo_hold_end
lab_check "no sanitizer report in the daemons' logs" sh -c \
    "! grep -Eq 'runtime error:|ERROR: AddressSanitizer|LeakSanitizer' \
    \"$LAB_DIR\"/*.vrouterd.log \"$LAB_DIR\"/*.hostd.log"
lab_done
