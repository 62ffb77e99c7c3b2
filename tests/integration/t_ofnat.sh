#!/bin/sh
# t_ofnat: vrouter-ofnat as the router on a real Open vSwitch bridge
# (userspace datapath) in the OVS lab (tests/lab/ovs.sh).  It proves that
#  1. the controller takes the bridge (OpenFlow 1.3 handshake, every leg
#     confirmed by a barrier) and answers ARP and ping for its addresses;
#  2. TCP, UDP and ping from two inside hosts reach a public server, and
#     the server sees the public address;
#  3. mapping is endpoint-independent: one inside endpoint whose port is
#     taken (so not preserved) shows the same outside port at two servers;
#  4. a port forward reaches an inside host from outside, and hairpinning
#     reaches it from inside, translated to the public address;
#  5. TTL is decremented on every routed packet and expiry is answered
#     from the router's address: traceroute shows the router hop, and a
#     packet with TTL 1 on an installed flow comes back as Time Exceeded
#     (INVALID_TTL packet-in);
#  6. ICMP errors from outside reach the inside host translated (UDP to a
#     closed port gives "connection refused" on the host's connected
#     socket, which the kernel matches against the inner header);
#  7. unsolicited inbound traffic is dropped; a port forward added live
#     lets it in, and removing the forward closes the door again;
#  8. an idle mapping is reclaimed by FlowRemoved (short UDP timeout);
#  9. a network added live waits for its port, works once the port comes,
#     and removing it takes its flows and mappings away;
# 10. the metrics page (-P, and the "metrics" request) is accepted by the
#     Prometheus client's own parser and counts the setups, packet-ins,
#     mappings and sessions seen above.
#
# usage: t_ofnat.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/ovs.sh"

ovs_need socat traceroute ethtool

UDP_IDLE=4
lab_init || exit 1
lab_topo_ovs || exit 1
lab_sysctl srv net.ipv4.icmp_ratelimit=0 || exit 1
SOCK=$LAB_DIR/ofnat.sock

ovs_router_json ofnat-lab \
    '{ "proto": "tcp", "public_port": 8080, "host": "'"$LAB_H2"'", "port": 80 }'

ctl()
{
	lab_exec ofr "$OFNAT" -s "$SOCK" -c "$1"
}

# leg_state NAME: the state "show" gives the leg.
leg_state()
{
	ctl '{"cmd":"show"}' | awk -v n="\"$1\"," '
	    $1 == "\"name\":" { cur = $2 }
	    $1 == "\"state\":" && cur == n { gsub(/[",]/, "", $2); print $2 }'
}

leg_is()
{
	[ "$(leg_state "$1")" = "$2" ]
}

# counter NAME: one of "show"'s counters.
counter()
{
	ctl '{"cmd":"show"}' | awk -v n="\"$1\":" \
	    '$1 == n { gsub(/,/, "", $2); print $2; exit }'
}

# A server on srv ADDR:PORT answering each TCP connection or UDP datagram
# with the peer's address and port as it sees them, "ADDR PORT" (socat
# takes ':' in SYSTEM for an address separator).
# shellcheck disable=SC2016
serve()
{
	if [ "$1" = TCP ]; then
		lab_bg srv "$LAB_DIR/srv-$1-$2-$3.log" socat \
		    "TCP-LISTEN:$3,bind=$2,reuseaddr,fork" \
		    'SYSTEM:echo $SOCAT_PEERADDR $SOCAT_PEERPORT' >/dev/null
	else
		# Read the datagram first: a child that exits before
		# socat hands it over makes socat fail with EPIPE.
		lab_bg srv "$LAB_DIR/srv-$1-$2-$3.log" socat \
		    "UDP-RECVFROM:$3,bind=$2,fork" \
		    'SYSTEM:read x; echo $SOCAT_PEERADDR $SOCAT_PEERPORT' \
		    >/dev/null
	fi
}

# udp_ask NS ADDR PORT [OPTS]: one datagram, print the reply as
# ADDR:PORT (and socat's errors).
udp_ask()
{
	echo q | lab_exec "$1" timeout 3 socat -T1 - \
	    "UDP:$2:$3${4:+,$4}" 2>&1 | tr ' ' ':'
}

# tcp_ask NS ADDR PORT: print what the server said, spaces as ':'.
tcp_ask()
{
	lab_exec "$1" timeout 3 socat -T2 -u "TCP:$2:$3,connect-timeout=1" \
	    STDOUT 2>/dev/null | tr ' ' ':'
}

# quiet CMD...: CMD with its output thrown away.
quiet()
{
	"$@" >/dev/null 2>&1
}

# OFNAT_WRAP="valgrind --leak-check=full" runs the controller under a tool.
# shellcheck disable=SC2086
lab_bg ofr "$LAB_DIR/ofnat.log" ${OFNAT_WRAP:-} "$OFNAT" -d -v \
    -f "$LAB_DIR/router.json" \
    -l "127.0.0.1:$LAB_OF_PORT" -s "$SOCK" -t "udp=$UDP_IDLE" \
    -P "$LAB_DIR" >/dev/null
OFNAT_PID=$LAB_PID

# 1. the bridge is ours
lab_check "the switch connects to vrouter-ofnat" \
    lab_wait_for "controller connection" 5000 ovs_connected
lab_check "the public leg is active (barrier confirmed)" \
    lab_wait_for "public active" 3000 leg_is public active
lab_check "lan1 is active" lab_wait_for "lan1 active" 3000 leg_is lan1 active
lab_check "a table-miss flow is installed" \
    sh -c "$(command -v ip) netns exec $LAB_NS_OFR env \
    OVS_RUNDIR=$LAB_DIR/ovs ovs-ofctl -O OpenFlow13 dump-flows br0 |
    grep -q 'priority=0 actions=CONTROLLER'"
lab_check "h1 pings its gateway 10.1.0.1 (ARP and echo answered)" \
    lab_wait_for "h1 -> gw" 3000 lab_ping h1 10.1.0.1
lab_check "the server pings the public address" \
    lab_wait_for "srv -> pub" 3000 lab_ping srv "$LAB_OF_PUB"
e0=$(counter echo_replies)
lab_ping h1 10.1.0.1
lab_ping h1 10.1.0.1
lab_ping srv "$LAB_OF_PUB"
e1=$(counter echo_replies)
lab_check "later echoes to the router are answered by the switch \
($e0 -> $e1 in the controller)" test "$e1" = "$e0"

# 2. TCP, UDP, ping from two inside hosts
serve TCP "$LAB_SRV1" 80
serve UDP "$LAB_SRV1" 7
serve UDP "$LAB_SRV1" 9000
serve UDP "$LAB_SRV2" 9000
lab_wait_for "servers" 2000 lab__listening srv 80
for h in h1 h2; do
	out=$(tcp_ask "$h" "$LAB_SRV1" 80)
	lab_check "TCP from $h: the server sees the public address ($out)" \
	    test "${out%:*}" = "$LAB_OF_PUB"
	out=$(udp_ask "$h" "$LAB_SRV1" 7)
	lab_check "UDP from $h: the server sees the public address ($out)" \
	    test "${out%:*}" = "$LAB_OF_PUB"
	lab_check "ping from $h to the server (echo id translated)" \
	    lab_ping "$h" "$LAB_SRV1"
done

# 3. EIM: h2 takes outside port 40000 first, so h1:40000 is not preserved
out2=$(udp_ask h2 "$LAB_SRV1" 9000 sp=40000)
outa=$(udp_ask h1 "$LAB_SRV1" 9000 sp=40000)
outb=$(udp_ask h1 "$LAB_SRV2" 9000 sp=40000)
lab_check "port preservation: h2:40000 goes out as $out2" \
    test "$out2" = "$LAB_OF_PUB:40000"
lab_check "EIM: h1:40000 shows one outside port at both servers" \
    sh -c "[ -n '${outa#*:}' ] && [ '${outa#*:}' != 40000 ] &&
    [ '$outa' = '$outb' ]"
echo "# server 1 saw $outa, server 2 saw $outb"

# 4. port forward and hairpin
# shellcheck disable=SC2016
lab_bg h2 "$LAB_DIR/h2-80.log" socat TCP-LISTEN:80,reuseaddr,fork \
    'SYSTEM:echo h2 sees $SOCAT_PEERADDR' >/dev/null
lab_wait_for "h2:80" 2000 lab__listening h2 80
out=$(tcp_ask srv "$LAB_OF_PUB" 8080)
lab_check "forward tcp 8080 -> h2:80 from outside ($out)" \
    test "$out" = "h2:sees:$LAB_SRV1"
out=$(tcp_ask h1 "$LAB_OF_PUB" 8080)
lab_check "hairpin: h1 -> public:8080 reaches h2 from the public address \
($out)" test "$out" = "h2:sees:$LAB_OF_PUB"

# 5. TTL
tr=$(lab_exec h1 timeout 10 traceroute -n -q 1 -w 1 -m 3 "$LAB_SRV1" 2>&1)
echo "$tr" | sed 's/^/# /'
lab_check "traceroute from h1: hop 1 is the router (10.1.0.1)" \
    sh -c "echo '$tr' | grep -q '^ 1  10.1.0.1 '"
lab_check "traceroute from h1: hop 2 is the server" \
    sh -c "echo '$tr' | grep -q '^ 2  $LAB_SRV1 '"
ttl0=$(counter packet_in_invalid_ttl)
udp_ask h1 "$LAB_SRV1" 9000 sp=41000 >/dev/null
udp_ask h1 "$LAB_SRV1" 9000 sp=41000,ttl=1 >/dev/null
ttl1=$(counter packet_in_invalid_ttl)
lab_check "TTL 1 on an installed flow: INVALID_TTL packet-in ($ttl0 -> \
$ttl1)" test "$ttl1" -gt "$ttl0"
lab_check "ping -t 1 from h1: Time Exceeded from 10.1.0.1" \
    sh -c "$(command -v ip) netns exec ${LAB}h1 ping -n -c 1 -W 1 -t 1 \
    $LAB_SRV1 | grep -q 'From 10.1.0.1 .*Time to live exceeded'"

# 6. ICMP error translation
out=$(udp_ask h1 "$LAB_SRV1" 9 sp=42000)
lab_check "UDP to a closed port: port unreachable reaches h1's socket" \
    sh -c "echo '$out' | grep -q 'Connection:refused'"
lab_check "the controller translated ICMP errors ($(counter \
icmp_translated))" test "$(counter icmp_translated)" -gt 0

# 7. unsolicited inbound
# shellcheck disable=SC2016
lab_bg h1 "$LAB_DIR/h1-9999.log" socat TCP-LISTEN:9999,reuseaddr,fork \
    'SYSTEM:echo h1' >/dev/null
lab_wait_for "h1:9999" 2000 lab__listening h1 9999
d0=$(counter dropped)
out=$(tcp_ask srv "$LAB_OF_PUB" 9999)
d1=$(counter dropped)
lab_check "unsolicited TCP to the public address is dropped ($d0 -> $d1)" \
    sh -c "[ -z '$out' ] && [ $d1 -gt $d0 ]"

# 7b. a port forward added and removed live, with the operator's tool
VCTL="${OFNAT%/vrouter-ofnat}/vrouterctl"
vctl() { "$VCTL" -s "$SOCK" "$@"; }
lab_check "vrouterctl ofnat forward add tcp 9999 h1" quiet vctl \
    ofnat forward add tcp 9999 "$LAB_H1"
out=$(tcp_ask srv "$LAB_OF_PUB" 9999)
lab_check "the new forward reaches h1 ($out)" test "$out" = h1
lab_check "vrouterctl ofnat show lists the switch and legs" sh -c \
    "\"$VCTL\" -s \"$SOCK\" ofnat show | grep -q '^switch connected'"
lab_check "vrouterctl ofnat mappings shows the forward" sh -c \
    "\"$VCTL\" -s \"$SOCK\" ofnat mappings | grep -q '9999 *forward'"
lab_check "vrouterctl ofnat forward del tcp 9999" quiet vctl \
    ofnat forward del tcp 9999
lab_check "a bad port is refused by vrouterctl" sh -c \
    "! \"$VCTL\" -s \"$SOCK\" ofnat forward add tcp 70000 $LAB_H1 2>/dev/null"
out=$(tcp_ask srv "$LAB_OF_PUB" 9999)
lab_check "after forward-del it is dropped again" test -z "$out"

# 8. reclamation: h2's UDP mapping of port 40000 ends after the idle time
has_mapping()
{
	ctl '{"cmd":"mappings"}' | tr -d ' \n' |
	    grep -q "\"inside\":\"$1\",\"inside_port\":$2,"
}
udp_ask h2 "$LAB_SRV1" 9000 sp=40000 >/dev/null
lab_check "h2:40000 has a mapping" has_mapping "$LAB_H2" 40000
lab_check "it is reclaimed after ${UDP_IDLE}s idle (FlowRemoved)" \
    lab_wait_for "reclaim" $(((UDP_IDLE + 6) * 1000)) \
    sh -c "! $(command -v ip) netns exec $LAB_NS_OFR $OFNAT -s $SOCK \
    -c '{\"cmd\":\"mappings\"}' | tr -d ' \n' |
    grep -q '\"inside\":\"$LAB_H2\",\"inside_port\":40000,'"
lab_check "flows were removed by idle timeout ($(counter flow_removed))" \
    test "$(counter flow_removed)" -gt 0

# 9. live add/remove of a network, in order with port status
lab_check "network-add lan2 before its port exists" \
    quiet ctl '{"cmd":"network-add","name":"lan2","interface":"eth2",
    "cidr":"10.2.0.0/24","gateway":"10.2.0.1"}'
lab_check "lan2 waits for its port" leg_is lan2 waiting-port
ovs_attach_lan2 >/dev/null
lab_check "lan2 becomes active when the port comes (PORT_STATUS)" \
    lab_wait_for "lan2 active" 3000 leg_is lan2 active
lab_check "h3 (lan2) reaches the server" \
    lab_wait_for "h3 -> srv" 3000 lab_ping h3 "$LAB_SRV1"
out=$(tcp_ask h3 "$LAB_SRV1" 80)
lab_check "TCP from h3 ($out)" test "${out%:*}" = "$LAB_OF_PUB"
lab_check "network-del lan2" \
    quiet ctl '{"cmd":"network-del","name":"lan2"}'
lab_check "h3 no longer gets through" sh -c "! $(command -v ip) netns \
    exec ${LAB}h3 ping -n -q -c 1 -W 1 $LAB_SRV1 >/dev/null"
lab_check "no flow of h3 is left" sh -c "! $(command -v ip) netns exec \
    $LAB_NS_OFR env OVS_RUNDIR=$LAB_DIR/ovs ovs-ofctl -O OpenFlow13 \
    dump-flows br0 | grep -q 10.2.0.10"
lab_check "h1 still gets through" lab_ping h1 "$LAB_SRV1"

# 10. metrics (tests/tools/promcheck.py: the client parser and checks)
PY=/usr/bin/python3
PROMCHECK="$PY $LAB_ROOT/tests/tools/promcheck.py"
metrics_page()
{
	ctl '{"cmd":"metrics"}' | $PY -c \
	    'import json, sys; sys.stdout.write(json.load(sys.stdin)["text"])'
}
metrics_ok()
{
	metrics_page | $PROMCHECK - vrouter_ofnat_ "$@"
}
lab_check "the metrics page counts setups, packet-ins, mappings" \
    metrics_ok 'vrouter_ofnat_switch_connected == 1' \
    'vrouter_ofnat_ready == 1' \
    'vrouter_ofnat_legs{state="active"} >= 2' \
    'vrouter_ofnat_legs{state="waiting-port"} == 0' \
    'vrouter_ofnat_setups_total >= 3' \
    'vrouter_ofnat_packet_ins_total >= 3' \
    'vrouter_ofnat_connects_total >= 1' \
    'vrouter_ofnat_mappings_created_total >= 3' \
    'vrouter_ofnat_mappings_reclaimed_total >= 1' \
    'vrouter_ofnat_forwards == 1' \
    'vrouter_ofnat_mappings >= 1' \
    'vrouter_ofnat_sessions >= 0' \
    'vrouter_ofnat_switch_errors_total == 0' \
    'vrouter_ofnat_info{router_id="ofnat-lab"} == 1'
lab_check "the page's setups equal show's ($(counter setups))" \
    metrics_ok "vrouter_ofnat_setups_total == $(counter setups)"
lab_check "$LAB_DIR/vrouter-ofnat.prom is written and valid (mode 0644)" \
    sh -c "$PROMCHECK $LAB_DIR/vrouter-ofnat.prom vrouter_ofnat_ \
    'vrouter_ofnat_setups_total >= 1' >/dev/null &&
    test \"\$(stat -c %a $LAB_DIR/vrouter-ofnat.prom)\" = 644"

lab_check "the switch reported no error" test "$(counter errors)" = 0
lab_check "vrouter-ofnat is still running" lab_kill "$OFNAT_PID" 0
lab_stop "$OFNAT_PID" 5000
if [ -n "${OFNAT_WRAP:-}" ]; then
	sed -n '/==[0-9]*==/p' "$LAB_DIR/ofnat.log" | tail -n 30 |
	    sed 's/^/# /'
fi
lab_done
