#!/bin/sh
# shellcheck shell=dash
# connrate.sh: new TCP connections per second through the two NATs of
# vrouter, side by side in one lab run (docs/performance.md):
#
#   ovs     h1 -> Open vSwitch (userspace datapath, br0 in ${LAB}ofr)
#           under vrouter-ofnat -> srv: every connection's SYN goes to
#           the controller, which installs the session's two flows;
#           the rest of the connection stays in the switch.
#   kernel  kc -> kr (ip_forward, iptables SNAT to the public address
#           and the conntrack INVALID drop, as the HA back end's
#           nat.rules) -> ks: the kernel's netfilter NAT.
#
# Both paths have the same addresses (client 10.1.0.10 behind a Linux
# bridge, router 10.1.0.1 and public 203.0.113.20, server 198.51.100.1)
# and the same server, bench/connrate -s on 16 ports.  bench/connrate -c
# opens and closes connections for BENCH_SECS with BENCH_PARALLEL in
# flight, each from a 5-tuple of its own, so every one is a new NAT
# session.  Runs alternate between the paths; each OVS run gets a fresh
# controller (which clears the bridge) and each kernel run a flushed
# conntrack table.  Prints every run, then the medians and the ratio.
# Never judges the figures; fails only if a path established nothing.
#
# usage: bench/connrate.sh [BUILD_DIR]        (as root; exit 77 = skipped)
# environment:
#   BENCH_SECS=5       seconds per run
#   BENCH_PARALLEL=64  connections in flight
#   BENCH_RUNS=3       runs per path
#   BENCH_PATHS="ovs kernel"

LAB_ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB_BUILD=${1:-${B:-build}}
case $LAB_BUILD in
/*) BIN=$LAB_BUILD ;;
*) if [ -d "$LAB_BUILD" ]; then BIN=$(pwd)/$LAB_BUILD
   else BIN=$LAB_ROOT/$LAB_BUILD; fi ;;
esac
LAB_BUILD=$BIN
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/lab.sh"
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/ovs.sh"

SECS=${BENCH_SECS:-5}
PAR=${BENCH_PARALLEL:-64}
RUNS=${BENCH_RUNS:-3}
PATHS=${BENCH_PATHS:-ovs kernel}
PORT=5000
NPORTS=16
CLIENT=10.1.0.10
SERVER=198.51.100.1
PUB=203.0.113.20

for p in $PATHS; do
	case $p in ovs|kernel) ;; *)
		echo "connrate: BENCH_PATHS: no path \"$p\" (ovs, kernel)" >&2
		exit 1 ;;
	esac
done
if [ "$(id -u)" != 0 ]; then
	echo "connrate: skipped (needs root)"
	exit 77
fi
for b in vrouter-ofnat bench/connrate; do
	if [ ! -x "$BIN/$b" ]; then
		echo "connrate: skipped ($BIN/$b not built: make bench)"
		exit 77
	fi
done
for c in ovs-vswitchd ovsdb-server ethtool iptables-restore conntrack; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "connrate: skipped ($c missing: make deps)"
		exit 77
	fi
done

lab_init || exit 1
lab_topo_ovs || exit 1

# The kernel path, beside the OVS one: kc -- sw:lan9 -- kr -- ks.
for n in kc kr ks; do
	lab_ns "$n" || exit 1
done
lab_exec sw ip link add lan9 type bridge || exit 1
lab_exec sw ip link set dev lan9 up || exit 1
lab_veth sw k-c kc eth0 || exit 1
lab_veth sw k-r kr eth1 || exit 1
lab_exec sw ip link set dev k-c master lan9 || exit 1
lab_exec sw ip link set dev k-r master lan9 || exit 1
lab_veth kr eth0 ks eth0 || exit 1
# The client's checksums are made in software, as h1's are.
lab_txoff kc eth0 || exit 1
lab_exec kc ip addr add "$CLIENT/24" dev eth0 || exit 1
lab_exec kc ip route add default via 10.1.0.1 dev eth0 || exit 1
lab_exec kr ip addr add 10.1.0.1/24 dev eth1 || exit 1
lab_exec kr ip addr add "$PUB/24" dev eth0 || exit 1
lab_exec kr ip route add 198.51.100.0/24 dev eth0 || exit 1
lab_sysctl kr net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
    net.ipv4.conf.default.rp_filter=0 net.ipv4.conf.eth0.rp_filter=0 \
    net.ipv4.conf.eth1.rp_filter=0 || exit 1
lab_exec ks ip addr add "$SERVER/24" dev eth0 || exit 1
lab_exec ks ip route add 203.0.113.0/24 dev eth0 || exit 1
# What templates/nat.rules.mustache gives the HA back end for one
# network (no port forward), fed the way vrouterd feeds it.
lab_exec kr iptables-restore --noflush <<EOF || exit 1
*nat
:VROUTER-PREROUTING - [0:0]
:VROUTER-POSTROUTING - [0:0]
-I PREROUTING -j VROUTER-PREROUTING
-I POSTROUTING -j VROUTER-POSTROUTING
-A VROUTER-POSTROUTING -s 10.1.0.0/24 -o eth0 -j SNAT --to-source $PUB
COMMIT
*filter
:VROUTER-INPUT - [0:0]
:VROUTER-FORWARD - [0:0]
-I INPUT -j VROUTER-INPUT
-I FORWARD -j VROUTER-FORWARD
-A VROUTER-INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -m conntrack --ctstate NEW,INVALID -j DROP
-A VROUTER-FORWARD -m conntrack --ctstate INVALID -j DROP
COMMIT
EOF

# The OVS path's controller: the lab's router, no forwards.
ovs_router_json connrate
SOCK=$LAB_DIR/ofnat.sock

# shellcheck disable=SC2317  # called through lab_wait_for
legs_active()
{
	[ "$(lab_exec ofr "$BIN/vrouter-ofnat" -s "$SOCK" \
	    -c '{"cmd":"show"}' | grep -c '"state": "active"')" = 2 ]
}

# The servers live for every run and then some; the lab stops them.
life=$((RUNS * 2 * (SECS + 20) + 60))
for ns in srv ks; do
	# Each server closes first, so its side keeps the TIME_WAITs.
	lab_sysctl "$ns" net.ipv4.tcp_max_tw_buckets=1048576 || exit 1
	lab_bg "$ns" "$LAB_DIR/server-$ns.log" "$BIN/bench/connrate" -s \
	    -a "$SERVER" -p "$PORT" -n "$NPORTS" -t "$life" >/dev/null
	lab_wait_for "server in $ns" 3000 grep -q 'server on' \
	    "$LAB_DIR/server-$ns.log" || exit 1
done

# run_client NS PATH RUN: one client run, its figures appended to
# $LAB_DIR/results as "PATH RATE P50 P99 FAILED".
run_client()
{
	local out line
	if ! out=$(lab_exec "$1" timeout $((SECS + 15)) \
	    "$BIN/bench/connrate" -c "$SERVER" -b "$CLIENT" -p "$PORT" \
	    -n "$NPORTS" -t "$SECS" -P "$PAR"); then
		echo "$out"
		echo "connrate: $2 run $3 failed" >&2
		exit 1
	fi
	echo "$out" | grep -v '^connrate: rate=' |
	    sed "s/^connrate:/$2 run $3:/"
	ESTABLISHED=$(echo "$out" |
	    sed -n 's/^connrate: \([0-9]*\) conn.*/\1/p')
	line=$(echo "$out" | grep '^connrate: rate=')
	echo "$line" | sed 's/^connrate: //; s/[a-z0-9]*=//g' |
	    sed "s/^/$2 /" >>"$LAB_DIR/results"
}

echo "connrate: $RUNS runs of ${SECS}s per path, $PAR in flight," \
    "$(nproc) CPUs"
: >"$LAB_DIR/results"
run_ovs()
{
	lab_bg ofr "$LAB_DIR/ofnat-$1.log" "$BIN/vrouter-ofnat" -d \
	    -f "$LAB_DIR/router.json" -l "127.0.0.1:$LAB_OF_PORT" \
	    -s "$SOCK" >/dev/null
	ofnat=$LAB_PID
	lab_wait_for "controller connection" 10000 ovs_connected || exit 1
	lab_wait_for "legs active" 5000 legs_active || exit 1
	# ARP on both sides, out of the measured time.
	lab_wait_for "h1 reaches the server" 5000 lab_ping h1 "$SERVER" ||
	    exit 1
	run_client h1 ovs "$1"
	# Every connection must have been a session the controller set up
	# (not a reuse of flows in the switch), and the switch must have
	# refused none of them.
	lab_exec ofr "$BIN/vrouter-ofnat" -s "$SOCK" -c '{"cmd":"flows"}' |
	    awk '/"(setups|errors)":/ { gsub(/[":,]/, ""); print $1, $2 }' \
	    >"$LAB_DIR/counters"
	setups=$(awk '$1 == "setups" { print $2 }' "$LAB_DIR/counters")
	errors=$(awk '$1 == "errors" { print $2 }' "$LAB_DIR/counters")
	echo "ovs run $1: the controller set up ${setups:-?} sessions," \
	    "the switch reported ${errors:-?} errors"
	if [ "${setups:-0}" -lt "$ESTABLISHED" ] ||
	    [ "${errors:-1}" != 0 ]; then
		echo "connrate: ovs run $1: $ESTABLISHED connections but" \
		    "${setups:-no} setups, ${errors:-unknown} errors" >&2
		exit 1
	fi
	lab_stop "$ofnat" 3000
}

run_kernel()
{
	lab_exec kr conntrack -F >/dev/null 2>&1
	lab_wait_for "kc reaches the server" 5000 lab_ping kc "$SERVER" ||
	    exit 1
	run_client kc kernel "$1"
}

run=1
while [ "$run" -le "$RUNS" ]; do
	for p in $PATHS; do
		case $p in
		ovs) run_ovs "$run" ;;
		kernel) run_kernel "$run" ;;
		esac
	done
	run=$((run + 1))
done

# median PATH COLUMN
median()
{
	awk -v p="$1" -v c="$2" '$1 == p { print $c }' "$LAB_DIR/results" |
	    sort -n | awk '{ v[NR] = $1 } END {
	    if (NR == 0) { print 0; exit }
	    m = int((NR + 1) / 2)
	    print (NR % 2) ? v[m] : (v[m] + v[m + 1]) / 2 }'
}

echo "connrate: medians of $RUNS runs"
printf '%-8s %10s %14s %14s %8s\n' path "conn/s" "p50 connect" \
    "p99 connect" failed
for p in $PATHS; do
	printf '%-8s %10.0f %11.0f us %11.0f us %8.0f\n' "$p" \
	    "$(median "$p" 2)" "$(median "$p" 3)" "$(median "$p" 4)" \
	    "$(median "$p" 5)"
done
if [ "$PATHS" = "ovs kernel" ]; then
	awk -v o="$(median ovs 2)" -v k="$(median kernel 2)" 'BEGIN {
	    printf "ratio    kernel/ovs %.1fx (conn/s)\n",
	    (o > 0 ? k / o : 0) }'
fi
exit 0
