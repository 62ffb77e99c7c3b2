#!/bin/sh
# t_ofnat_conn: nothing can knock vrouter-ofnat's switch connection off
# (docs/ofnat.md, "The switch connection"), on a real Open vSwitch bridge
# in the OVS lab (tests/lab/ovs.sh).  It proves that
#  1. a client sending garbage, a HELLO of another version, a HELLO with
#     a short length, or nothing at all (half-open) is closed and counted,
#     each under its reason, and the switch stays;
#  2. a client that completes the handshake as the same datapath is
#     refused while the switch answers, one as another datapath is refused
#     too, and a flood of half-open connections is capped (the oldest go);
#  3. while a client hammers the OpenFlow port (every 0.1-0.3 s, all the
#     ways above in turn), every one of 20 new TCP flows through the
#     bridge passes, every connection the hammer made is refused (as
#     many refusals as connections accepted), and the switch connection
#     is never replaced (same peer, one takeover, no "disconnected" in
#     the log, OVS still connected);
#  4. a switch that goes silent (ovs-vswitchd stopped) is replaced by a
#     candidate of its datapath once stale, and when ovs-vswitchd comes
#     back it takes the role back and new flows pass again.
#
# usage: t_ofnat_conn.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/ovs.sh"

ovs_need socat ethtool python3

lab_init || exit 1
lab_topo_ovs || exit 1
SOCK=$LAB_DIR/ofnat.sock
PY=/usr/bin/python3
POKE="$PY $LAB_ROOT/tests/tools/ofpoke.py 127.0.0.1 $LAB_OF_PORT"

ovs_router_json ofnat-conn

ctl()
{
	lab_exec ofr "$OFNAT" -s "$SOCK" -c "$1"
}

# sw KEY [SUBKEY]: show's switch.KEY (or switch.KEY.SUBKEY).
sw()
{
	ctl '{"cmd":"show"}' | $PY -c 'import json, sys
v = json.load(sys.stdin)["switch"]
for k in sys.argv[1:]:
    v = v[k]
print(str(v).lower() if isinstance(v, bool) else v)' "$@"
}

refused()
{
	sw refused "$1"
}

# moved REASON BEFORE: the refusal counter is above BEFORE.
moved()
{
	[ "$(refused "$1")" -gt "$2" ]
}

poke()
{
	# shellcheck disable=SC2086
	lab_exec ofr $POKE "$@"
}

ready()
{
	[ "$(sw connected)" = true ]
}

no_candidates()
{
	[ "$(sw candidates)" = 0 ]
}

# metrics_ok CHECK...: the "metrics" page, read by the Prometheus client's
# parser (tests/tools/promcheck.py), passes every CHECK.
metrics_ok()
{
	ctl '{"cmd":"metrics"}' | $PY -c \
	    'import json, sys; sys.stdout.write(json.load(sys.stdin)["text"])' |
	    $PY "$LAB_ROOT/tests/tools/promcheck.py" - vrouter_ofnat_ "$@"
}

# flow N: a new TCP connection from h1 or h2 to the server; the server
# must see the public address.
flow()
{
	local h=h1 out
	[ $(($1 % 2)) = 0 ] && h=h2
	out=$(lab_exec "$h" timeout 5 socat -T3 -u \
	    "TCP:$LAB_SRV1:80,connect-timeout=3" STDOUT 2>/dev/null)
	[ "${out% *}" = "$LAB_OF_PUB" ]
}

lab_bg ofr "$LAB_DIR/ofnat.log" "$OFNAT" -d -v -f "$LAB_DIR/router.json" \
    -l "127.0.0.1:$LAB_OF_PORT" -s "$SOCK" -P "$LAB_DIR" >/dev/null
OFNAT_PID=$LAB_PID
# shellcheck disable=SC2016
lab_bg srv "$LAB_DIR/srv-80.log" socat \
    "TCP-LISTEN:80,bind=$LAB_SRV1,reuseaddr,fork" \
    'SYSTEM:echo $SOCAT_PEERADDR $SOCAT_PEERPORT' >/dev/null
lab_wait_for "server" 3000 lab__listening srv 80

lab_check "the switch connects and is ready" \
    lab_wait_for "switch ready" 10000 ready
lab_check "a first flow passes" lab_wait_for "first flow" 5000 flow 0
PEER=$(sw peer)
DPID=$(sw datapath)
echo "# the switch: $PEER, datapath $DPID"
lab_check "one takeover so far ($(sw takeovers))" test "$(sw takeovers)" = 1

# 1. hostile clients, one at a time
b=$(refused bad_hello)
out=$(poke garbage)
lab_check "garbage: closed ($out), counted as bad_hello" \
    sh -c "echo '$out' | grep -q '^closed' && [ $(refused bad_hello) -gt $b ]"
b=$(refused bad_hello)
out=$(poke badversion)
lab_check "OpenFlow 1.0 HELLO: closed ($out), counted as bad_hello" \
    sh -c "echo '$out' | grep -q '^closed' && [ $(refused bad_hello) -gt $b ]"
b=$(refused bad_hello)
out=$(poke shortlen)
lab_check "HELLO with length 4: closed ($out), counted as bad_hello" \
    sh -c "echo '$out' | grep -q '^closed' && [ $(refused bad_hello) -gt $b ]"
b=$(refused timeout)
out=$(poke halfopen)
lab_check "half-open: closed by the deadline ($out), counted as timeout" \
    sh -c "echo '$out' | grep -q '^closed' && [ $(refused timeout) -gt $b ]"

# 2. would-be switches, and a flood
b=$(refused live_healthy)
out=$(poke switch "$DPID" 5)
lab_check "the same datapath while the switch answers: refused ($out)" \
    sh -c "[ '$out' = closed ] && [ $(refused live_healthy) -gt $b ]"
b=$(refused other_datapath)
other=$(printf '%016x' $((0x$DPID ^ 1)))
out=$(poke switch "$other" 5)
lab_check "another datapath ($other): refused ($out)" \
    sh -c "[ '$out' = closed ] && [ $(refused other_datapath) -gt $b ]"
b=$(refused over_cap)
out=$(poke flood 12)
lab_check "12 half-open at once: all closed ($out), the oldest over the \
cap of 8 evicted" sh -c "[ '$out' = '12 of 12 closed by the controller' ] &&
    [ $(refused over_cap) -ge $((b + 4)) ]"
lab_check "no candidate is left over" \
    lab_wait_for "candidates gone" 5000 no_candidates
lab_check "the switch is still $PEER" test "$(sw peer)" = "$PEER"

# 3. flows during the hammering
# tally: "CONNECTS REFUSED", TCP connections accepted and candidates
# refused so far.
tally()
{
	ctl '{"cmd":"show"}' | $PY -c 'import json, sys
d = json.load(sys.stdin)
print(d["counters"]["connects"], sum(d["switch"]["refused"].values()))'
}
# shellcheck disable=SC2046
set -- $(tally)
c0=$1 r0=$2
STOP=$LAB_DIR/hammer.stop
# shellcheck disable=SC2086
lab_bg ofr "$LAB_DIR/hammer.log" $POKE hammer "$DPID" "$STOP" >/dev/null
HAMMER_PID=$LAB_PID
lab_wait_for "the hammer's first round" 20000 \
    sh -c "[ \$(cat $STOP.n 2>/dev/null || echo 0) -ge 7 ]"
n0=$(cat "$STOP.n")
passed=0
i=1
while [ "$i" -le 20 ]; do
	if flow "$i"; then
		passed=$((passed + 1))
	else
		echo "# flow $i failed"
	fi
	sleep 0.2
	i=$((i + 1))
done
n1=$(cat "$STOP.n")
: >"$STOP"
lab_wait_for "the hammer to stop" 10000 lab__dead "$HAMMER_PID" \
    "$(lab__recorded "$HAMMER_PID")"
wait "$HAMMER_PID" 2>/dev/null
sed 's/^/# hammer: /' "$LAB_DIR/hammer.log"
lab_check "every new flow passed during the hammering ($passed of 20; \
connects $n0 -> $n1)" sh -c "[ $passed = 20 ] && [ $n1 -gt $n0 ]"
lab_wait_for "the hammer's candidates to end" 10000 no_candidates
# shellcheck disable=SC2046
set -- $(tally)
lab_check "each of the hammer's connections was refused (accepted \
$((${1} - c0)), refused $((${2} - r0)))" sh -c \
    "[ $(($1 - c0)) = $(($2 - r0)) ] && [ $(($1 - c0)) -ge $((n1 - n0)) ]"
lab_check "the switch connection was never replaced (peer $(sw peer), \
takeovers $(sw takeovers), replaced $(sw replaced))" sh -c \
    "[ '$(sw peer)' = '$PEER' ] && [ $(sw takeovers) = 1 ] &&
    [ $(sw replaced) = 0 ]"
lab_check "the log has no disconnect of the switch" \
    sh -c "! grep -q 'switch $PEER: disconnected' $LAB_DIR/ofnat.log"
lab_check "OVS kept its controller connection" ovs_connected
R=vrouter_ofnat_switch_candidates_refused_total
lab_check "the metrics page counts the takeover and the refusals" \
    metrics_ok 'vrouter_ofnat_switch_takeovers_total == 1' \
    'vrouter_ofnat_switch_replaced_total == 0' \
    "$R{reason=\"bad_hello\"} >= 3" "$R{reason=\"timeout\"} >= 1" \
    "$R{reason=\"live_healthy\"} >= 1" \
    "$R{reason=\"other_datapath\"} >= 1" "$R{reason=\"over_cap\"} >= 4"

# 4. a stale switch gives way to its own datapath, and comes back
# A flow first, so that the switch has just spoken: the first try below
# meets a live switch.
lab_check "a flow passes before ovs-vswitchd stops" flow 2
lab_kill "$LAB_VSWITCHD_PID" STOP
took=
i=0
while [ "$i" -lt 25 ]; do
	out=$(poke switch "$DPID" 2)
	if [ "$out" = held ]; then
		took=$i
		break
	fi
	sleep 1
	i=$((i + 1))
done
lab_kill "$LAB_VSWITCHD_PID" CONT
lab_check "with ovs-vswitchd stopped, a candidate of its datapath takes \
over once the switch is stale (after $took tries; replaced \
$(sw replaced))" sh -c "[ -n '$took' ] && [ $(sw replaced) = 1 ]"
lab_check "earlier tries were refused while it still counted as live" \
    test "${took:-0}" -ge 1
lab_check "ovs-vswitchd, back, becomes the switch again" \
    lab_wait_for "switch back" 20000 ready
lab_check "and new flows pass again" lab_wait_for "flow after" 10000 flow 1

lab_check "vrouter-ofnat is still running" lab_kill "$OFNAT_PID" 0
lab_stop "$OFNAT_PID" 5000
lab_done
