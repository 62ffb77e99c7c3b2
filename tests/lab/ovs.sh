# shellcheck shell=dash
# ovs.sh: the Open vSwitch part of the namespace lab, for vrouter-ofnat.
# Source it after lab.sh; see docs/lab.md, "OVS topology".
#
#   . "$LAB_ROOT/tests/lab/lab.sh"; . "$LAB_ROOT/tests/lab/ovs.sh"
#   lab_init || exit 1
#   lab_topo_ovs || exit 1
#
# Open vSwitch runs entirely inside ${LAB}ofr: ovsdb-server and
# ovs-vswitchd are foreground processes started with lab_bg (so they are
# recorded and cleaned up), their database, sockets, pid and log files are
# in $LAB_DIR/ovs (OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR point there), and the
# Debian service is never used.  There is no kernel module: the bridge is
# datapath_type=netdev and ovs-vswitchd runs with --disable-system.
#
#   ${LAB}srv eth0 198.51.100.1/24, 198.51.100.2/24 (two servers)
#            route 203.0.113.0/24 dev eth0 (ARPs for the public address)
#        |
#   ${LAB}ofr br0 (OVS, netdev, secure, OpenFlow13, controller
#        |        tcp:127.0.0.1:$LAB_OF_PORT out-of-band)
#        |   eth0: public leg   eth1: lan1   eth2: lan2 (live add/remove)
#        |
#   ${LAB}sw  lan1 (Linux bridge): p-ofr, p-h1, p-h2
#   ${LAB}h1  eth0 10.1.0.10/24 default via 10.1.0.1
#   ${LAB}h2  eth0 10.1.0.11/24 default via 10.1.0.1
#   ${LAB}h3  eth0 10.2.0.10/24 default via 10.2.0.1 (on ofr eth2)
#
# The router (vrouter-ofnat) holds 203.0.113.20 on eth0, 10.1.0.1 on eth1
# and 10.2.0.1 on eth2; it answers ARP for them.  TX checksum offload is
# off on every veth end attached to the bridge and on the hosts' ends.

LAB_OF_PORT=${LAB_OF_PORT:-6653}

# ovs_env CMD...: run an OVS tool inside ${LAB}ofr with the lab's dirs.
ovs_env()
{
	lab_exec ofr env OVS_RUNDIR="$LAB_DIR/ovs" OVS_DBDIR="$LAB_DIR/ovs" \
	    OVS_LOGDIR="$LAB_DIR/ovs" "$@"
}

# ovs_vsctl ARGS...: ovs-vsctl on the lab's database, at most 5 s.
ovs_vsctl()
{
	ovs_env ovs-vsctl --db="unix:$LAB_DIR/ovs/db.sock" --timeout=5 "$@"
}

# ovs_ofctl ARGS...: ovs-ofctl -O OpenFlow13 (br0's management socket is
# in $LAB_DIR/ovs).
ovs_ofctl()
{
	ovs_env timeout 5 ovs-ofctl -O OpenFlow13 "$@"
}

# ovs_start: ovsdb-server and ovs-vswitchd in ${LAB}ofr.  Sets
# LAB_OVSDB_PID and LAB_VSWITCHD_PID.
ovs_start()
{
	local c d="$LAB_DIR/ovs" schema=/usr/share/openvswitch/vswitch.ovsschema

	for c in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl \
	    ethtool; do
		command -v "$c" >/dev/null 2>&1 ||
		    { lab__err "missing command: $c (openvswitch-switch)"
		      return 1; }
	done
	mkdir -p "$d" || return 1
	ovsdb-tool create "$d/conf.db" "$schema" ||
	    { lab__err "ovsdb-tool create failed"; return 1; }
	lab_bg ofr "$d/ovsdb-server.out" env OVS_RUNDIR="$d" OVS_DBDIR="$d" \
	    OVS_LOGDIR="$d" ovsdb-server "$d/conf.db" \
	    --remote="punix:$d/db.sock" --pidfile="$d/ovsdb-server.pid" \
	    --unixctl="$d/ovsdb-server.ctl" \
	    --log-file="$d/ovsdb-server.log" >/dev/null
	LAB_OVSDB_PID=$LAB_PID
	lab_wait_for "ovsdb-server socket" 3000 test -S "$d/db.sock" ||
	    return 1
	ovs_vsctl --no-wait init || return 1
	lab_bg ofr "$d/ovs-vswitchd.out" env OVS_RUNDIR="$d" OVS_DBDIR="$d" \
	    OVS_LOGDIR="$d" ovs-vswitchd "unix:$d/db.sock" --disable-system \
	    --pidfile="$d/ovs-vswitchd.pid" --unixctl="$d/ovs-vswitchd.ctl" \
	    --log-file="$d/ovs-vswitchd.log" >/dev/null
	LAB_VSWITCHD_PID=$LAB_PID
	lab_wait_for "ovs-vswitchd" 5000 test -S "$d/ovs-vswitchd.ctl"
}

# ovs_port IF: attach ${LAB}ofr's IF to br0 with TX offload off.
ovs_port()
{
	lab_txoff ofr "$1" || return 1
	ovs_vsctl add-port br0 "$1"
}

# ovs__host_addr NAME ADDR/LEN GW: ${LAB}NAME's eth0 (made by the caller)
# addressed, default route via GW, TX offload off.
ovs__host_addr()
{
	lab_txoff "$1" eth0 || return 1
	lab_exec "$1" ip addr add "$2" dev eth0 || return 1
	lab_exec "$1" ip route add default via "$3" dev eth0
}

# lab_topo_ovs: the topology above, OVS running, no controller yet
# connected (vrouter-ofnat listens on 127.0.0.1:$LAB_OF_PORT in ofr).
# eth2/h3 exist but eth2 is attached to br0 only by ovs_attach_lan2, so a
# test can add the port (and the network) while the controller runs.
lab_topo_ovs()
{
	local n

	for n in ofr srv sw h1 h2 h3; do
		lab_ns "$n" || return 1
	done
	ovs_start || return 1

	ovs_vsctl add-br br0 -- set bridge br0 datapath_type=netdev \
	    fail-mode=secure protocols=OpenFlow13 \
	    other-config:disable-in-band=true || return 1
	ovs_vsctl set-controller br0 "tcp:127.0.0.1:$LAB_OF_PORT" || return 1
	ovs_vsctl -- set controller br0 connection-mode=out-of-band \
	    max_backoff=1000 inactivity_probe=5000 || return 1

	# Public leg: the servers.
	lab_veth ofr eth0 srv eth0 || return 1
	ovs_port eth0 || return 1
	lab_txoff srv eth0 || return 1
	lab_exec srv ip addr add 198.51.100.1/24 dev eth0 || return 1
	lab_exec srv ip addr add 198.51.100.2/24 dev eth0 || return 1
	lab_exec srv ip route add 203.0.113.0/24 dev eth0 || return 1

	# lan1: two hosts behind a Linux bridge.
	lab_exec sw ip link add lan1 type bridge || return 1
	lab_exec sw ip link set dev lan1 up || return 1
	lab_veth ofr eth1 sw p-ofr || return 1
	ovs_port eth1 || return 1
	lab_exec sw ip link set dev p-ofr master lan1 || return 1
	for n in h1 h2; do
		lab_veth sw "p-$n" "$n" eth0 || return 1
		lab_exec sw ip link set dev "p-$n" master lan1 || return 1
	done
	lab_txoff sw p-ofr || return 1
	ovs__host_addr h1 10.1.0.10/24 10.1.0.1 || return 1
	ovs__host_addr h2 10.1.0.11/24 10.1.0.1 || return 1

	# lan2: h3, for adding and removing a network live.
	lab_veth ofr eth2 h3 eth0 || return 1
	lab_txoff ofr eth2 || return 1
	ovs__host_addr h3 10.2.0.10/24 10.2.0.1 || return 1

	LAB_NS_OFR=${LAB}ofr LAB_NS_SRV=${LAB}srv
	LAB_SRV1=198.51.100.1 LAB_SRV2=198.51.100.2
	LAB_OF_PUB=203.0.113.20
	LAB_H1=10.1.0.10 LAB_H2=10.1.0.11 LAB_H3=10.2.0.10
	export LAB_NS_OFR LAB_NS_SRV LAB_SRV1 LAB_SRV2 LAB_OF_PUB LAB_H1 \
	    LAB_H2 LAB_H3 LAB_OF_PORT LAB_OVSDB_PID LAB_VSWITCHD_PID
	return 0
}

# ovs_attach_lan2 / ovs_detach_lan2: add or remove br0's eth2 port.
ovs_attach_lan2()
{
	ovs_vsctl add-port br0 eth2
}

ovs_detach_lan2()
{
	ovs_vsctl del-port br0 eth2
}

# ovs_connected: the bridge's controller connection is up.
ovs_connected()
{
	ovs_vsctl get controller br0 is_connected | grep -q true
}

# ovs_flows: br0's flow table, for a test to grep.
ovs_flows()
{
	ovs_ofctl dump-flows br0
}

# ovs_need CMD...: as lab_need, and sets OFNAT to the build's
# vrouter-ofnat; skips (exit 77) without it, Open vSwitch or a CMD.
ovs_need()
{
	local c
	lab_need
	case $LAB_BUILD in
	/*) OFNAT=$LAB_BUILD/vrouter-ofnat ;;
	*) OFNAT=$LAB_ROOT/$LAB_BUILD/vrouter-ofnat ;;
	esac
	if [ ! -x "$OFNAT" ]; then
		echo "1..0 # SKIP $OFNAT not built"
		exit 77
	fi
	for c in ovs-vswitchd ovsdb-server "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			echo "1..0 # SKIP $c missing (make deps)"
			exit 77
		fi
	done
}

# ovs_router_json ID [FORWARD...]: $LAB_DIR/router.json for the lab's
# router ofr: router_id ID, the public leg on eth0, lan1 on eth1, and the
# FORWARDs (each one JSON object) as its port_forwards.
ovs_router_json()
{
	local id="$1" fwd="" f
	shift
	for f in "$@"; do
		fwd="$fwd${fwd:+,}
		$f"
	done
	cat >"$LAB_DIR/router.json" <<EOF
{
	"router_id": "$id",
	"node": { "name": "ofr", "priority": 100 },
	"vrrp": { "unicast": false },
	"sync": { "interface": "eth9", "address": "10.255.0.1/24" },
	"public": { "interface": "eth0", "vip": "$LAB_OF_PUB", "prefix": 32,
		    "gateway": "$LAB_SRV1", "vrid": 51 },
	"networks": [
		{ "name": "lan1", "interface": "eth1", "cidr": "10.1.0.0/24",
		  "gateway": "10.1.0.1", "vrid": 52 }
	],
	"port_forwards": [$fwd
	],
	"host_channel": { "enabled": false },
	"conntrackd": { "enabled": false }
}
EOF
}
