#!/bin/sh
# t_ofnat_restart: ovs-vswitchd restarts under traffic, and vrouter-ofnat
# puts the old sessions back (openflow/reconcile.c).  The userspace
# datapath loses every flow with the process; the controller reads the
# new one's session flows (MULTIPART FLOW) and compares.  It proves that
#  1. before the restart, two TCP connections and a UDP stream through
#     the NAT have their flows in the switch;
#  2. after ovs-vswitchd is stopped and started again (the same database,
#     the lab's own command line), the controller reinstalls them: every
#     session's flow count equals the flows `ovs-ofctl dump-flows` shows
#     with its cookie, and the mappings keep their outside ports;
#  3. they are on the fast path again: the packet-in counter stops
#     growing while the traffic goes on;
#  4. the established TCP connections still carry data both ways;
#  5. once the UDP stream stops, its mapping is gone within the UDP idle
#     timeout and a margin (FlowRemoved of the reinstalled flows);
#  6. a flow with a session cookie that no session owns is deleted by the
#     periodic audit, and the counters say what was done.
#
# usage: t_ofnat_restart.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/ovs.sh"

ovs_need socat ethtool python3

# Short enough to watch, long enough that a stream of one datagram every
# 0.3 s never idles out on a loaded machine.
UDP_IDLE=6
lab_init || exit 1
lab_topo_ovs || exit 1
SOCK=$LAB_DIR/ofnat.sock
PY=/usr/bin/python3

ovs_router_json ofnat-restart

ctl()
{
	lab_exec ofr "$OFNAT" -s "$SOCK" -c "$1"
}

# jget EXPR: evaluate EXPR on "show" (as r) in python.
jget()
{
	ctl '{"cmd":"show"}' | $PY -c "import json, sys
r = json.load(sys.stdin)
print($1)"
}

leg_is()
{
	[ "$(jget "[l['state'] for l in r['legs'] if l['name'] == '$1'][0]")" \
	    = "$2" ]
}

# session_field INSIDE PORT FIELD: FIELD of the (single) session of the
# mapping of inside endpoint INSIDE:PORT; "none" without one.
session_field()
{
	ctl '{"cmd":"mappings"}' | $PY -c "import json, sys
r = json.load(sys.stdin)
v = 'none'
for m in r['mappings']:
    if m['inside'] == '$1' and m['inside_port'] == $2 and m['sessions']:
        v = m['sessions'][0]['$3']
print(v)"
}

outside_port()
{
	ctl '{"cmd":"mappings"}' | $PY -c "import json, sys
r = json.load(sys.stdin)
print([m['outside_port'] for m in r['mappings']
    if m['inside'] == '$1' and m['inside_port'] == $2][0])"
}

# flows_agree: every session's flow count is what dump-flows shows with
# its cookie, and MIN sessions at least have 2 flows.
flows_agree()
{
	ovs_ofctl dump-flows br0 >"$LAB_DIR/flows.txt" 2>/dev/null || return 1
	ctl '{"cmd":"mappings"}' >"$LAB_DIR/mappings.json" || return 1
	$PY - "$LAB_DIR/mappings.json" "$LAB_DIR/flows.txt" "$1" <<'PYEOF'
import json, re, sys
m = json.load(open(sys.argv[1]))
flows = open(sys.argv[2]).read()
cookies = re.findall(r'cookie=(0x[0-9a-f]+)', flows)
bad, full = [], 0
for mp in m['mappings']:
    for s in mp['sessions']:
        n = cookies.count(s['cookie'])
        if mp['proto'] != 'icmp' and n != s['flows']:
            bad.append((mp['inside'], mp['inside_port'], s['cookie'],
                        s['flows'], n))
        full += s['flows'] == 2 and n == 2
if bad:
    print('# disagree (inside, port, cookie, controller, switch):', bad)
sys.exit(0 if not bad and full >= int(sys.argv[3]) else 1)
PYEOF
}

lines()
{
	wc -l <"$1" 2>/dev/null || echo 0
}

lab_bg ofr "$LAB_DIR/ofnat.log" "$OFNAT" -d -v -f "$LAB_DIR/router.json" \
    -l "127.0.0.1:$LAB_OF_PORT" -s "$SOCK" -t "udp=$UDP_IDLE" >/dev/null
OFNAT_PID=$LAB_PID

lab_check "the switch connects to vrouter-ofnat" \
    lab_wait_for "controller connection" 10000 ovs_connected
lab_check "both legs are active" lab_wait_for "legs active" 10000 \
    sh -c "$(command -v ip) netns exec $LAB_NS_OFR $OFNAT -s $SOCK -c \
    '{\"cmd\":\"show\"}' | grep -c '\"active\"' | grep -qx 2"
lab_check "h1 reaches the server" \
    lab_wait_for "h1 -> srv" 5000 lab_ping h1 "$LAB_SRV1"
lab_check "h2 reaches the server" \
    lab_wait_for "h2 -> srv" 5000 lab_ping h2 "$LAB_SRV1"

# Echo servers on srv; clients that send a line every 0.3 s for at most
# 150 s (bounded), or until $LAB_DIR/stop-NAME exists, and log the echo.
lab_bg srv "$LAB_DIR/srv-tcp.log" socat \
    TCP-LISTEN:7000,bind="$LAB_SRV1",reuseaddr,fork EXEC:cat >/dev/null
lab_bg srv "$LAB_DIR/srv-udp.log" socat \
    UDP-LISTEN:7001,bind="$LAB_SRV1",reuseaddr,fork EXEC:cat >/dev/null
lab_wait_for "tcp server" 3000 lab__listening srv 7000
# shellcheck disable=SC2016
LOOP='i=0; while [ $i -lt 500 ] && [ ! -e "$0" ]; do echo "line $i";
    i=$((i + 1)); sleep 0.3; done'
client()	# NS NAME SOCAT-ADDRESS
{
	lab_bg "$1" "$LAB_DIR/$2.log" sh -c "sh -c '$LOOP' $LAB_DIR/stop-$2 |
	    socat -t 2 - '$3'" >/dev/null
}
client h1 tcp1 "TCP:$LAB_SRV1:7000,sp=46001"
client h2 tcp2 "TCP:$LAB_SRV1:7000,sp=46002"
client h2 udp1 "UDP:$LAB_SRV1:7001,sp=46003"

# 1. the sessions are on the fast path
lab_check "three sessions have their 2 flows in the switch" \
    lab_wait_for "flows in" 10000 flows_agree 3
lab_check "the TCP echo from h1 comes back" \
    lab_wait_for "tcp1 echo" 5000 sh -c "[ \$(wc -l <$LAB_DIR/tcp1.log) -ge 3 ]"
port1=$(outside_port "$LAB_H1" 46001)
port3=$(outside_port "$LAB_H2" 46003)
ck3=$(session_field "$LAB_H2" 46003 cookie)
echo "# h1:46001 -> $port1, h2:46003 -> $port3 (cookie $ck3)"

# 2. restart ovs-vswitchd: stop the one the lab started, start it again
# with the lab's own command line on the same database
d=$LAB_DIR/ovs
lab_check "ovs-vswitchd stops" lab_stop "$LAB_VSWITCHD_PID" 10000
lab_bg ofr "$d/ovs-vswitchd.out" env OVS_RUNDIR="$d" OVS_DBDIR="$d" \
    OVS_LOGDIR="$d" ovs-vswitchd "unix:$d/db.sock" --disable-system \
    --pidfile="$d/ovs-vswitchd.pid" --unixctl="$d/ovs-vswitchd.ctl" \
    --log-file="$d/ovs-vswitchd.log" >/dev/null
LAB_VSWITCHD_PID=$LAB_PID
lab_check "ovs-vswitchd runs again" \
    lab_wait_for "ovs-vswitchd" 10000 test -S "$d/ovs-vswitchd.ctl"
lab_check "the new switch connects" \
    lab_wait_for "reconnection" 15000 ovs_connected
lab_check "both legs are active again" lab_wait_for "legs active" 10000 \
    sh -c "$(command -v ip) netns exec $LAB_NS_OFR $OFNAT -s $SOCK -c \
    '{\"cmd\":\"show\"}' | grep -c '\"active\"' | grep -qx 2"
lab_check "the controller counts what the switch shows, the three old \
sessions with 2 flows each" lab_wait_for "reinstalled" 15000 flows_agree 3
re=$(jget "r['reconcile']['reinstalled']")
lab_check "the controller reinstalled at least 3 sessions ($re)" \
    test "$re" -ge 3
lab_check "h1:46001 kept its outside port ($port1)" \
    test "$(outside_port "$LAB_H1" 46001)" = "$port1"
lab_check "h2:46003 kept its outside port ($port3)" \
    test "$(outside_port "$LAB_H2" 46003)" = "$port3"
lab_check "the controller did not expire a live session" \
    test "$(jget "r['reconcile']['expired']")" = 0

# 3. fast path: the traffic goes on, the packet-ins do not
sleep 1
p0=$(jget "r['counters']['packet_in']")
t0=$(lines "$LAB_DIR/tcp1.log")
u0=$(lines "$LAB_DIR/udp1.log")
sleep 4
p1=$(jget "r['counters']['packet_in']")
t1=$(lines "$LAB_DIR/tcp1.log")
u1=$(lines "$LAB_DIR/udp1.log")
echo "# in 4 s: packet-ins $p0 -> $p1, tcp1 echoes $t0 -> $t1, udp1 $u0 -> $u1"
# About 80 packets of the three streams passed; ARP may add a few.
lab_check "packet-ins stopped growing under the traffic ($p0 -> $p1)" \
    test $((p1 - p0)) -le 4

# 4. the established connections still work
lab_check "h1's TCP connection still echoes ($t0 -> $t1)" \
    test "$t1" -ge $((t0 + 5))
t2a=$(lines "$LAB_DIR/tcp2.log")
lab_check "h2's TCP connection still echoes" lab_wait_for "tcp2" 5000 \
    sh -c "[ \$(wc -l <$LAB_DIR/tcp2.log) -gt $t2a ]"
lab_check "the UDP stream still echoes ($u0 -> $u1)" test "$u1" -ge $((u0 + 5))

# 5. the UDP stream stops; its mapping ends on time
# The loop sends at most one more line (0.3 s).
touch "$LAB_DIR/stop-udp1"
sleep 0.5
stopped=$(lab__now_ms)
lab_check "h2:46003's mapping is still there right after" \
    test "$(session_field "$LAB_H2" 46003 flows)" != none
gone()
{
	[ "$(session_field "$LAB_H2" 46003 flows)" = none ]
}
lab_check "h2:46003's mapping is gone within ${UDP_IDLE}s + 8s" \
    lab_wait_for "udp expiry" $(((UDP_IDLE + 8) * 1000)) gone
took=$(( $(lab__now_ms) - stopped ))
echo "# the UDP mapping went $took ms after its traffic stopped"
lab_check "not before its idle timeout (${took} ms)" \
    test "$took" -ge $(((UDP_IDLE - 2) * 1000))
VCTL="${OFNAT%/vrouter-ofnat}/vrouterctl"
lab_check "vrouterctl ofnat mappings no longer lists h2:46003" sh -c \
    "! \"$VCTL\" -s \"$SOCK\" ofnat mappings | grep -q ' 46003 '"

# 6. a stray flow with a session cookie is deleted by the audit (every
# UDP_IDLE/2 s here)
ovs_ofctl add-flow br0 "cookie=0x7777001,priority=200,udp,\
nw_src=10.1.0.99,tp_src=1,actions=drop" || true
lab_check "the audit deletes a stray session-cookie flow" \
    lab_wait_for "stray deleted" 15000 \
    sh -c "! $(command -v ip) netns exec $LAB_NS_OFR env \
    OVS_RUNDIR=$LAB_DIR/ovs ovs-ofctl -O OpenFlow13 dump-flows br0 |
    grep -q cookie=0x7777001"
lab_check "show counts it ($(jget "r['reconcile']['stray_deleted']"))" \
    test "$(jget "r['reconcile']['stray_deleted']")" -ge 1
lab_check "periodic audits ran ($(jget "r['reconcile']['audits']"))" \
    test "$(jget "r['reconcile']['audits']")" -ge 3
lab_check "the TCP sessions still agree with the switch" flows_agree 2

touch "$LAB_DIR/stop-tcp1" "$LAB_DIR/stop-tcp2"
lab_check "vrouter-ofnat is still running" lab_kill "$OFNAT_PID" 0
grep 'flow audit' "$LAB_DIR/ofnat.log" | head -n 5 | sed 's/^/# /'
lab_stop "$OFNAT_PID" 5000
lab_done
