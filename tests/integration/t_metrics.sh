#!/bin/sh
# t_metrics: the Prometheus pages of vrouterd and vrouter-hostd, on the
# real pair (lab_topo_pair) with -P.  Every page is read by the
# Prometheus client's own parser (tests/tools/promcheck.py: HELP and TYPE
# everywhere, no series twice, no negative counter).  It proves that
#  1. each daemon writes NODE.prom/<daemon>.prom, mode 0644, and leaves no
#     temporary file beside it;
#  2. vrouterd's page says what the status says: r1 MASTER (router and
#     sync group), r2 BACKUP, transitions, one handover to MASTER timed
#     (host acknowledged), the host's ACK with the VIP installed, NAT rule
#     count, conntrackd sync polled and not stalled, children running;
#  3. hostd's page has, per VM (label vm), the claim (MASTER on hv1,
#     BACKUP on hv2), routes applied, the connection; and the host's
#     route count, the engine;
#  4. `vrouterctl metrics` (read-only socket too) and `vrouterctl host
#     metrics` print pages the parser accepts; -j matches its schema;
#  5. after `vrouterctl failover` the pages follow: r2 MASTER with a
#     handover to MASTER timed, hv2 claims MASTER, r1's transitions grew;
#  6. neither daemon listens on a TCP or UDP port.
#
# usage: t_metrics.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"

lab_need
# Debian's python, where python3-prometheus-client installs.
PY=/usr/bin/python3
if ! $PY -c 'import prometheus_client.parser' 2>/dev/null; then
	echo "not ok 1 - python3-prometheus-client missing (make deps)"
	exit 1
fi
PROMCHECK="$PY $LAB_ROOT/tests/tools/promcheck.py"

# page_ok FILE PREFIX CHECK...: the page parses and every CHECK holds.
page_ok()
{
	$PROMCHECK "$@"
}
# page_until DESC TIMEOUT_S FILE PREFIX CHECK...: the pages are
# rewritten every 5 s; wait for one that passes, then show it passes.
page_until()
{
	local desc="$1" n="$2"
	shift 2
	n=$((n * 2))
	while [ "$n" -gt 0 ]; do
		page_ok "$@" >/dev/null 2>&1 && break
		sleep 0.5
		n=$((n - 1))
	done
	if out=$(page_ok "$@" 2>&1); then
		lab_ok "$desc ($out)"
	else
		lab_notok "$desc" "$out"
	fi
}
# no_temp DIR: only the .prom page in DIR.
no_temp()
{
	[ -z "$(ls -A "$1" | grep -v '\.prom$')" ]
}
mode_644()
{
	[ "$(stat -c %a "$1")" = 644 ]
}
# no_listener NS NAME: NAME has no listening TCP or UDP socket in NS.
no_listener()
{
	! lab_exec "$1" ss -Hltunp | grep -q "\"$2\""
}

PAIR_METRICS=1
pair_setup || exit 1
lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER &&
    lab_wait_for "r2 BACKUP" 5000 pair_is r2 BACKUP &&
    lab_wait_for "r1 acked" 5000 pair_acked r1 &&
    lab_wait_for "client" 5000 pair_client_ok ||
    { lab_notok "the pair comes up"; exit 1; }

R1=$LAB_DIR/r1.prom/vrouterd.prom
R2=$LAB_DIR/r2.prom/vrouterd.prom
H1=$LAB_DIR/hv1.prom/vrouter-hostd.prom
H2=$LAB_DIR/hv2.prom/vrouter-hostd.prom

# 1. the files
for f in "$R1" "$R2" "$H1" "$H2"; do
	lab_check "$f is written, mode 0644" \
	    lab_wait_for "$f" 7000 mode_644 "$f"
	lab_check "nothing but the page in $(dirname "$f")" \
	    no_temp "$(dirname "$f")"
done

# 2. vrouterd
page_until "r1's page: MASTER, handed over, host acked, NAT, sync" 15 \
    "$R1" vrouter_ \
    'vrouter_router_state{state="MASTER"} == 1' \
    'vrouter_router_state == 1' \
    'vrouter_vrrp_state{kind="group",state="MASTER"} == 1' \
    'vrouter_vrrp_state{kind="instance",state="MASTER"} >= 2' \
    'vrouter_vrrp_priority{kind="instance"} > 0' \
    'vrouter_transitions_total >= 1' \
    'vrouter_handover_duration_seconds_count{to="MASTER"} >= 1' \
    'vrouter_handover_duration_seconds_bucket{to="MASTER",le="+Inf"} >= 1' \
    'vrouter_handover_last_duration_seconds{to="MASTER"} > 0' \
    'vrouter_handover_last_duration_seconds < 30' \
    'vrouter_handover_pending == 0' \
    'vrouter_host_channel_enabled == 1' \
    'vrouter_host_acked == 1' \
    'vrouter_host_told_state{state="MASTER"} == 1' \
    'vrouter_host_acks_total >= 1' \
    'vrouter_host_results_total{result="installed"} >= 1' \
    'vrouter_host_vip_result{result="installed"} == 1' \
    'vrouter_nat_rules >= 1' \
    'vrouter_nat_applied_timestamp_seconds > 1700000000' \
    'vrouter_conntrack_sync_enabled == 1' \
    'vrouter_conntrack_sync_polled == 1' \
    'vrouter_conntrack_sync_stalled == 0' \
    'vrouter_conntrack_polls_total >= 1' \
    'vrouter_conntrack_entries{cache="internal"} >= 0' \
    'vrouter_child_running{child="keepalived"} == 1' \
    'vrouter_child_running{child="conntrackd"} == 1' \
    'vrouter_info{router_id="lab",node="r1"} == 1' \
    'vrouter_maintenance == 0'
page_until "r2's page: BACKUP, host told BACKUP" 15 "$R2" vrouter_ \
    'vrouter_router_state{state="BACKUP"} == 1' \
    'vrouter_router_state{state="MASTER"} == 0' \
    'vrouter_host_told_state{state="BACKUP"} == 1' \
    'vrouter_handover_duration_seconds_count{to="BACKUP"} >= 1' \
    'vrouter_info{node="r2"} == 1'

# 3. hostd
page_until "hv1's page: r1 claims MASTER, its route applied" 15 \
    "$H1" vrouter_hostd_ \
    'vrouter_hostd_vms == 1' \
    'vrouter_hostd_vms_connected == 1' \
    'vrouter_hostd_routes >= 1' \
    'vrouter_hostd_engine_up == 1' \
    'vrouter_hostd_engine_restarts_total == 0' \
    'vrouter_hostd_vm_connected{vm="r1"} == 1' \
    "vrouter_hostd_claim_state{vm=\"r1\",address=\"$LAB_VIP\",state=\"MASTER\"} == 1" \
    "vrouter_hostd_claim_result{vm=\"r1\",result=\"installed\"} == 1" \
    'vrouter_hostd_vm_states_total{vm="r1"} >= 1' \
    'vrouter_hostd_vm_routes_applied_total{vm="r1"} >= 1' \
    'vrouter_hostd_vm_claims_refused_total{vm="r1"} == 0' \
    'vrouter_hostd_vm_routes_failed_total{vm="r1"} == 0' \
    'vrouter_hostd_vm_connects_total{vm="r1"} >= 1' \
    'vrouter_hostd_info{host="hv1"} == 1'
page_until "hv2's page: r2 claims BACKUP, no route" 15 "$H2" vrouter_hostd_ \
    "vrouter_hostd_claim_state{vm=\"r2\",state=\"BACKUP\"} == 1" \
    "vrouter_hostd_claim_result{vm=\"r2\",result=\"withdrawn\"} == 1" \
    'vrouter_hostd_routes == 0'

# 4. the same pages over the control sockets
lab_check "vrouterctl metrics: a valid page with r1 MASTER" sh -c \
    "\"$PAIR_BIN/vrouterctl\" -s \"$LAB_DIR/r1.run/vrouterd.sock\" metrics |
    $PROMCHECK - vrouter_ 'vrouter_router_state{state=\"MASTER\"} == 1' >/dev/null"
lab_check "vrouterctl metrics on the read-only socket" sh -c \
    "\"$PAIR_BIN/vrouterctl\" -s \"$LAB_DIR/r2.run/vrouterd.ro.sock\" \
    metrics | $PROMCHECK - vrouter_ 'vrouter_transitions_total >= 1' >/dev/null"
lab_check "vrouterctl host metrics: a valid page with VM r1" sh -c \
    "\"$PAIR_BIN/vrouterctl\" -s \"$LAB_DIR/hv1.ctl\" host metrics |
    $PROMCHECK - vrouter_hostd_ 'vrouter_hostd_vm_connected{vm=\"r1\"} == 1' >/dev/null"

lab_check "vrouterctl -j metrics matches docs/schema/metrics.json" sh -c \
    "\"$PAIR_BIN/vrouterctl\" -j -s \"$LAB_DIR/hv1.ctl\" host metrics |
    \"$PAIR_BIN/tests/tools/schemacheck\" \
    \"$LAB_ROOT/docs/schema/metrics.json\""

# 5. a failover moves the figures
# value FILE NAME [LABEL VALUE]: the sum of NAME's samples in FILE.
value()
{
	$PY -c '
import sys
from prometheus_client.parser import text_string_to_metric_families as f
want = dict(zip(sys.argv[3::2], sys.argv[4::2]))
print(int(sum(s.value for x in f(open(sys.argv[1]).read())
    for s in x.samples if s.name == sys.argv[2] and
    all(s.labels.get(k) == v for k, v in want.items()))))' "$@"
}
t1=$(value "$R1" vrouter_transitions_total)
h2=$(value "$R2" vrouter_handover_duration_seconds_count to MASTER)
lab_check "vrouterctl failover" pair_ctl r1 failover
lab_check "r2 becomes MASTER" lab_wait_for "r2 MASTER" 10000 pair_is r2 MASTER
page_until "r2's page: MASTER, one more handover to MASTER timed" 15 \
    "$R2" vrouter_ \
    'vrouter_router_state{state="MASTER"} == 1' \
    "vrouter_handover_duration_seconds_count{to=\"MASTER\"} > ${h2:-0}" \
    'vrouter_host_vip_result{result="installed"} == 1'
page_until "r1's page: transitions grew past $t1" 15 "$R1" vrouter_ \
    "vrouter_transitions_total > ${t1:-0}" \
    'vrouter_router_state{state="MASTER"} == 0'
page_until "hv2's page: r2 claims MASTER, its route applied" 15 \
    "$H2" vrouter_hostd_ \
    'vrouter_hostd_claim_state{vm="r2",state="MASTER"} == 1' \
    'vrouter_hostd_vm_routes_applied_total{vm="r2"} >= 1' \
    'vrouter_hostd_routes >= 1'

# 6. no listener
lab_check "vrouterd listens on no port" no_listener r1 vrouterd
lab_check "vrouter-hostd listens on no port" no_listener hv1 vrouter-hostd
lab_check "the lab's ss sees listeners at all (keepalived excepted)" \
    sh -c "ip netns exec ${LAB}up ss -Hltn | grep -q ':$PAIR_PORT'"

lab_done
