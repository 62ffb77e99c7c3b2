# shellcheck shell=dash
# lab.sh: the network-namespace lab, sourced by integration tests, the demo
# and the benchmarks.  POSIX sh (dash) and bash.  See docs/lab.md.
#
#   LAB_ROOT=/path/to/repo LAB_BUILD=build-x; . "$LAB_ROOT/tests/lab/lab.sh"
#   lab_init || exit 1
#   lab_topo_hosts || exit 1
#   ...
#
# Rules this file keeps, and every user of it must keep too:
#  - every namespace is named ${LAB}<name>, LAB being one short per-run
#    prefix ("vl1234-").  Links are created straight into lab namespaces,
#    so nothing, not even transiently, appears in the root namespace; inside
#    a lab namespace a short name (eth0, tap0, br0) is fine.
#  - no address, route or sysctl is changed in the root namespace: every
#    such command runs through lab_exec/lab_sysctl.  192.0.2.0/24 belongs to
#    the root namespace: never use it.  Use 10.0.0.0/8 for private nets,
#    198.51.100.0/24 and 203.0.113.0/24 for the "public" side.
#  - every wait is bounded (lab_wait_for, ping -W, socat timeouts).
#  - lab_cleanup runs on every exit path (trap EXIT INT TERM HUP) and kills
#    only processes the lab started (recorded in $LAB_DIR/pids with their
#    start time, so a reused pid is never hit), then whatever is still
#    running inside the lab's own namespaces, then deletes the namespaces.
#
# Functions keep their scratch variables in `local`; the lab's own state
# lives in LAB* variables.  Functions that change state (lab_bg, lab_ok...)
# must be called in the test's shell, not inside $(...), for the state to
# stick; lab_bg therefore both prints the pid and sets LAB_PID.

# Milliseconds since the epoch (GNU date).
lab__now_ms()
{
	date +%s%3N
}

lab__err()
{
	echo "lab: $*" >&2
}

# Print "STATE STARTTIME" of PID from /proc/PID/stat; fail if it is gone.
lab__stat()
{
	local s
	s=$(sed -n 's/.*) //p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$s" ] || return 1
	# shellcheck disable=SC2086
	set -- $s
	echo "$1 ${20}"
}

# True if PID is alive (not a zombie) and still has start time START.
lab__alive()
{
	local st
	st=$(lab__stat "$1") || return 1
	[ "${st% *}" != Z ] && [ "${st#* }" = "$2" ]
}

# Start time recorded for PID by lab_bg; fails if the lab did not start it.
lab__recorded()
{
	[ -f "$LAB_DIR/pids" ] || return 1
	awk -v p="$1" '$1 == p { print $2; f = 1 } END { exit !f }' \
	    "$LAB_DIR/pids" | tail -n 1
}

# lab_need [CMD...]: an integration test's first check: exit 77 (skipped,
# saying why) unless it runs as root and every CMD is installed.
lab_need()
{
	local c
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root"
		exit 77
	fi
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			echo "1..0 # SKIP $c missing"
			exit 77
		fi
	done
}

# lab_init: choose the prefix LAB (LAB_PREFIX overrides), make LAB_DIR,
# check root and the commands, set the cleanup traps.
lab_init()
{
	local c n try

	if [ "$(id -u)" != 0 ]; then
		lab__err "must run as root"
		return 1
	fi
	for c in ip sysctl timeout mktemp awk sed date; do
		command -v "$c" >/dev/null 2>&1 ||
		    { lab__err "missing command: $c"; return 1; }
	done
	command -v socat >/dev/null 2>&1 ||
	    lab__err "socat missing: lab_responder/lab_ask will fail"

	if [ -n "${LAB_PREFIX:-}" ]; then
		LAB=$LAB_PREFIX
		case $LAB in
		*[!A-Za-z0-9-]*|'') lab__err "bad LAB_PREFIX: $LAB"; return 1;;
		esac
		[ ${#LAB} -le 8 ] ||
		    { lab__err "LAB_PREFIX longer than 8: $LAB"; return 1; }
		if ip netns list | awk '{print $1}' | grep -q "^$LAB"; then
			lab__err "namespaces named $LAB* already exist"
			return 1
		fi
	else
		# vl + 4 digits; skip prefixes another run is using.
		n=$(($$ % 10000))
		try=0
		while :; do
			LAB=$(printf 'vl%04d-' "$n")
			ip netns list | awk '{print $1}' | grep -q "^$LAB" ||
			    break
			try=$((try + 1))
			[ $try -lt 100 ] ||
			    { lab__err "no free prefix"; return 1; }
			n=$(((n + 1) % 10000))
		done
	fi

	LAB_DIR=$(mktemp -d "/tmp/${LAB}XXXXXX") ||
	    { lab__err "mktemp failed"; return 1; }
	: >"$LAB_DIR/pids"
	LAB_ROOT=${LAB_ROOT:-.}
	LAB_BUILD=${LAB_BUILD:-build}
	case $LAB_BUILD in
	/*) LAB_RELAY=${LAB_RELAY:-$LAB_BUILD/tests/lab/chardev-relay};;
	*) LAB_RELAY=${LAB_RELAY:-$LAB_ROOT/$LAB_BUILD/tests/lab/chardev-relay};;
	esac
	LAB_CLEANED=
	LAB_TESTS=0
	LAB_FAILS=0
	export LAB LAB_DIR LAB_ROOT LAB_BUILD LAB_RELAY

	trap 'lab__onexit $?' EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
	return 0
}

lab__onexit()
{
	lab_cleanup
	exit "$1"
}

# lab_ns NAME: create namespace ${LAB}NAME with lo up.
lab_ns()
{
	ip netns add "$LAB$1" || { lab__err "netns add $LAB$1 failed"; return 1; }
	ip -n "$LAB$1" link set dev lo up
}

# lab_exec NAME CMD...: run CMD inside namespace ${LAB}NAME.
lab_exec()
{
	local ns="$1"
	shift
	ip netns exec "$LAB$ns" "$@"
}

# lab_sysctl NAME KEY=VALUE...: set sysctls inside ${LAB}NAME, never root.
lab_sysctl()
{
	local ns="$1"
	shift
	[ -n "$ns" ] || { lab__err "lab_sysctl: no namespace"; return 1; }
	ip netns exec "$LAB$ns" sysctl -q -w "$@" >/dev/null ||
	    { lab__err "sysctl in $LAB$ns failed: $*"; return 1; }
}

# lab_bg NAME LOGFILE CMD...: start CMD in the background inside ${LAB}NAME,
# stdout and stderr to LOGFILE, stdin from /dev/null.  Records the pid and
# its start time in $LAB_DIR/pids; sets LAB_PID and prints the pid.  CMD
# must stay in the foreground (no daemonising): only its own pid is
# recorded.
lab_bg()
{
	local ns="$1" log="$2" st
	shift 2
	ip netns exec "$LAB$ns" "$@" >"$log" 2>&1 </dev/null &
	LAB_PID=$!
	st=$(lab__stat "$LAB_PID") || st="- -"
	echo "$LAB_PID ${st#* }" >>"$LAB_DIR/pids"
	echo "$LAB_PID"
}

# lab_kill PID [SIG]: send SIG (default TERM) to PID if lab_bg started it
# and it still runs.  Returns 1 otherwise.
lab_kill()
{
	local start
	start=$(lab__recorded "$1") ||
	    { lab__err "lab_kill: $1 was not started by the lab"; return 1; }
	lab__alive "$1" "$start" || return 1
	kill -s "${2:-TERM}" "$1"
}

# lab_stop PID [TIMEOUT_MS]: TERM, wait up to TIMEOUT_MS (2000), then KILL.
# Reaps PID if it is a child of this shell.
lab_stop()
{
	local start
	start=$(lab__recorded "$1") ||
	    { lab__err "lab_stop: $1 was not started by the lab"; return 1; }
	if lab__alive "$1" "$start"; then
		kill -s TERM "$1" 2>/dev/null
		if ! lab_wait_for "pid $1 to exit" "${2:-2000}" \
		    lab__dead "$1" "$start"; then
			kill -s KILL "$1" 2>/dev/null
		fi
	fi
	wait "$1" 2>/dev/null
	return 0
}

lab__dead()
{
	! lab__alive "$1" "$2"
}

# lab_veth NS1 IF1 NS2 IF2: a veth pair made directly between two lab
# namespaces (never in the root namespace), both ends up.
lab_veth()
{
	ip link add "$2" netns "$LAB$1" type veth peer name "$4" \
	    netns "$LAB$3" ||
	    { lab__err "veth $LAB$1:$2 <-> $LAB$3:$4 failed"; return 1; }
	ip -n "$LAB$1" link set dev "$2" up &&
	    ip -n "$LAB$3" link set dev "$4" up
}

# lab_txoff NS IF: turn off TX checksum offload; needed on veths attached
# to the OVS userspace datapath, or TCP breaks.
lab_txoff()
{
	lab_exec "$1" ethtool -K "$2" tx off >/dev/null
}

# lab_wait_for DESCRIPTION TIMEOUT_MS CMD...: run CMD (output discarded)
# every 10 ms until it succeeds (return 0) or TIMEOUT_MS have passed
# (print DESCRIPTION, return 1).  CMD should itself be bounded.
lab_wait_for()
{
	local desc="$1" end
	end=$(($(lab__now_ms) + $2))
	shift 2
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(lab__now_ms)" -lt "$end" ] || break
		sleep 0.01
	done
	lab__err "timed out waiting for: $desc"
	return 1
}

# lab_ping NS ADDR: one ping, at most 1 s; returns ping's status.
lab_ping()
{
	lab_exec "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1
}

# lab_garp NS IF ADDR: one gratuitous ARP for ADDR out of IF in ${LAB}NS,
# as a hypervisor announces a VIP it has just routed to a tap.  The packet
# leaves at once; arping lingers 1 s, so it runs in the background (and is
# recorded).  Sets LAB_PID.
lab_garp()
{
	lab_bg "$1" "$LAB_DIR/garp-$1.log" \
	    arping -q -U -c 1 -I "$2" -s "$3" "$3" >/dev/null
}

# lab_responder NS PORT TEXT: a TCP server in ${LAB}NS that answers every
# connection with TEXT ([A-Za-z0-9_.-] only) and closes.  Returns once it
# listens (at most 2 s).
lab_responder()
{
	case $3 in
	*[!A-Za-z0-9_.-]*|'') lab__err "lab_responder: bad text: $3"; return 1;;
	esac
	lab_bg "$1" "$LAB_DIR/responder-$1-$2.log" \
	    socat "TCP-LISTEN:$2,reuseaddr,fork" "EXEC:echo $3" >/dev/null
	lab_wait_for "responder $1:$2" 2000 lab__listening "$1" "$2"
}

lab__listening()
{
	lab_exec "$1" ss -Hltn "sport = :$2" | grep -q .
}

# lab_ask NS ADDR PORT: connect from ${LAB}NS (1 s connect timeout, 3 s in
# all) and print what the responder said.
lab_ask()
{
	lab_exec "$1" timeout 3 socat -u -T 2 \
	    "TCP:$2:$3,connect-timeout=1" STDOUT 2>/dev/null
}

# lab_relay ROUTER HVNS: start chardev-relay inside ${LAB}HVNS (the
# hypervisor plays QEMU) for router VM ROUTER.  The guest opens
# $LAB_DIR/ROUTER.port, the host agent connects to $LAB_DIR/ROUTER.sock.
# Sets LAB_PID; returns once the port is ready (at most 2 s).
lab_relay()
{
	if [ ! -x "$LAB_RELAY" ]; then
		lab__err "$LAB_RELAY not built (make B=$LAB_BUILD)"
		return 1
	fi
	lab_bg "$2" "$LAB_DIR/$1.relay.log" "$LAB_RELAY" -v \
	    -p "$LAB_DIR/$1.port" -s "$LAB_DIR/$1.sock" \
	    -P "$LAB_DIR/$1.relay.pid" >/dev/null
	lab_wait_for "chardev-relay for $1" 2000 \
	    test -e "$LAB_DIR/$1.relay.pid"
}

# lab_topo_hosts: the host-agent topology (see docs/lab.md).
#
#   up (198.51.100.1) --- sw:br0 --- hv1 eth0 (.11)   hv1 tap0 --- r1 eth0
#                                \-- hv2 eth0 (.12)   hv2 tap0 --- r2 eth0
#
# r1 and r2 both hold the VIPs 203.0.113.10/32 and .11/32 on eth0; the
# hypervisors forward and proxy-ARP but have no route to 203.0.113.0/24,
# so `up` reaches a VIP only once some hypervisor has `VIP/32 dev tap0`.
lab_topo_hosts()
{
	local n h r

	for n in sw up hv1 hv2 r1 r2; do
		lab_ns "$n" || return 1
	done

	# The public L2 segment.
	lab_exec sw ip link add br0 type bridge || return 1
	lab_exec sw ip link set dev br0 up || return 1
	for n in up hv1 hv2; do
		lab_veth sw "p-$n" "$n" eth0 || return 1
		lab_exec sw ip link set dev "p-$n" master br0 || return 1
	done

	# Upstream: ARPs for public VIPs on-link; gratuitous ARP and fast
	# neighbour updates so a moved VIP is followed at once.
	lab_exec up ip addr add 198.51.100.1/24 dev eth0 || return 1
	lab_exec up ip route add 203.0.113.0/24 dev eth0 || return 1
	lab_sysctl up net.ipv4.conf.all.arp_accept=1 \
	    net.ipv4.conf.eth0.arp_accept=1 \
	    net.ipv4.neigh.eth0.locktime=0 || return 1

	# Hypervisors: forward, proxy-ARP without delay, no rp_filter drops;
	# nonlocal bind lets `arping -U -s VIP` announce a VIP the hypervisor
	# routes but does not own.
	for h in 1 2; do
		lab_veth "hv$h" tap0 "r$h" eth0 || return 1
		lab_exec "hv$h" ip addr add "198.51.100.1$h/24" dev eth0 ||
		    return 1
		lab_sysctl "hv$h" net.ipv4.ip_forward=1 \
		    net.ipv4.ip_nonlocal_bind=1 \
		    net.ipv4.conf.all.rp_filter=0 \
		    net.ipv4.conf.eth0.rp_filter=0 \
		    net.ipv4.conf.tap0.rp_filter=0 \
		    net.ipv4.conf.eth0.proxy_arp=1 \
		    net.ipv4.conf.tap0.proxy_arp=1 \
		    net.ipv4.neigh.eth0.proxy_delay=0 \
		    net.ipv4.neigh.tap0.proxy_delay=0 || return 1
	done

	# Router VMs: both hold the VIPs; the default route is on-link and
	# the hypervisor proxy-ARPs for it.
	for r in r1 r2; do
		lab_exec "$r" ip addr add 203.0.113.10/32 dev eth0 || return 1
		lab_exec "$r" ip addr add 203.0.113.11/32 dev eth0 || return 1
		lab_exec "$r" ip route add default dev eth0 || return 1
		lab_sysctl "$r" net.ipv4.conf.all.rp_filter=0 \
		    net.ipv4.conf.eth0.rp_filter=0 || return 1
	done

	# The virtio-serial ports, one per router VM, served on its hypervisor.
	lab_relay r1 hv1 || return 1
	LAB_R1_RELAY_PID=$LAB_PID
	lab_relay r2 hv2 || return 1
	LAB_R2_RELAY_PID=$LAB_PID

	LAB_NS_SW=${LAB}sw LAB_NS_UP=${LAB}up
	LAB_NS_HV1=${LAB}hv1 LAB_NS_HV2=${LAB}hv2
	LAB_NS_R1=${LAB}r1 LAB_NS_R2=${LAB}r2
	LAB_UP_ADDR=198.51.100.1
	LAB_HV1_ADDR=198.51.100.11 LAB_HV2_ADDR=198.51.100.12
	LAB_PUB_NET=198.51.100.0/24 LAB_VIP_NET=203.0.113.0/24
	LAB_VIP=203.0.113.10 LAB_VIP2=203.0.113.11
	LAB_HV_UPLINK=eth0 LAB_HV_TAP=tap0 LAB_R_IF=eth0
	LAB_R1_HV=hv1 LAB_R2_HV=hv2
	LAB_R1_PORT=$LAB_DIR/r1.port LAB_R1_SOCK=$LAB_DIR/r1.sock
	LAB_R2_PORT=$LAB_DIR/r2.port LAB_R2_SOCK=$LAB_DIR/r2.sock
	export LAB_NS_SW LAB_NS_UP LAB_NS_HV1 LAB_NS_HV2 LAB_NS_R1 LAB_NS_R2 \
	    LAB_UP_ADDR LAB_HV1_ADDR LAB_HV2_ADDR LAB_PUB_NET LAB_VIP_NET \
	    LAB_VIP LAB_VIP2 LAB_HV_UPLINK LAB_HV_TAP LAB_R_IF \
	    LAB_R1_HV LAB_R2_HV LAB_R1_PORT LAB_R1_SOCK LAB_R2_PORT \
	    LAB_R2_SOCK LAB_R1_RELAY_PID LAB_R2_RELAY_PID
	return 0
}

# lab_topo_pair: the HA-pair topology of the end-to-end tests (docs/lab.md,
# "Pair topology"): lab_topo_hosts, then
#
#   c1 eth0 (10.1.0.100, default via 10.1.0.1) --- sw:br1 --- r1 eth1 (.2)
#                                                         \-- r2 eth1 (.3)
#   r1 eth2 (10.255.0.1) ------------ veth pair ------------ r2 eth2 (.2)
#                        (sw:br2 with LAB_SYNC_BRIDGE=1)
#
# Unlike lab_topo_hosts, the routers hold no public VIP: keepalived adds
# 203.0.113.10/32 on eth0 and the gateway 10.1.0.1/24 on eth1 of the
# MASTER.  The routers forward and keep `default dev eth0` (on-link: the
# hypervisor proxy-ARPs for every address), which needs no address on eth0,
# so a BACKUP without any eth0 address is fine.
lab_topo_pair()
{
	local n r

	lab_topo_hosts || return 1
	lab_ns c1 || return 1

	# The private L2 segment: a second bridge in the switch namespace.
	lab_exec sw ip link add br1 type bridge || return 1
	lab_exec sw ip link set dev br1 up || return 1
	for n in r1 r2 c1; do
		if [ "$n" = c1 ]; then
			lab_veth sw "l-$n" "$n" eth0 || return 1
		else
			lab_veth sw "l-$n" "$n" eth1 || return 1
		fi
		lab_exec sw ip link set dev "l-$n" master br1 || return 1
	done
	lab_exec r1 ip addr add 10.1.0.2/24 dev eth1 || return 1
	lab_exec r2 ip addr add 10.1.0.3/24 dev eth1 || return 1
	lab_exec c1 ip addr add 10.1.0.100/24 dev eth0 || return 1
	lab_exec c1 ip route add default via 10.1.0.1 dev eth0 || return 1
	# Follow the gateway's gratuitous ARP at once, however recent the
	# last update.
	lab_sysctl c1 net.ipv4.neigh.eth0.locktime=0 || return 1

	# The sync link: point to point, one veth pair, so one router's end
	# going down takes the other's carrier with it (the adverts go over
	# br1, so that is no FAULT).  LAB_SYNC_BRIDGE=1 switches it through
	# br2 in sw instead, ports m-r1 and m-r2.
	if [ "${LAB_SYNC_BRIDGE:-0}" = 1 ]; then
		lab_exec sw ip link add br2 type bridge || return 1
		lab_exec sw ip link set dev br2 up || return 1
		for n in r1 r2; do
			lab_veth sw "m-$n" "$n" eth2 || return 1
			lab_exec sw ip link set dev "m-$n" master br2 ||
			    return 1
		done
	else
		lab_veth r1 eth2 r2 eth2 || return 1
	fi
	lab_exec r1 ip addr add 10.255.0.1/24 dev eth2 || return 1
	lab_exec r2 ip addr add 10.255.0.2/24 dev eth2 || return 1

	# Routers: no VIP until keepalived adds it; forward.
	for r in r1 r2; do
		lab_exec "$r" ip addr del 203.0.113.10/32 dev eth0 || return 1
		lab_exec "$r" ip addr del 203.0.113.11/32 dev eth0 || return 1
		lab_sysctl "$r" net.ipv4.ip_forward=1 \
		    net.ipv4.conf.default.rp_filter=0 \
		    net.ipv4.conf.eth1.rp_filter=0 \
		    net.ipv4.conf.eth2.rp_filter=0 || return 1
	done

	LAB_NS_C1=${LAB}c1
	LAB_PRIV_NET=10.1.0.0/24 LAB_PRIV_GW=10.1.0.1 LAB_PRIV_PREFIX=24
	LAB_C1_ADDR=10.1.0.100 LAB_R1_PRIV=10.1.0.2 LAB_R2_PRIV=10.1.0.3
	LAB_SYNC_NET=10.255.0.0/24 LAB_R1_SYNC=10.255.0.1 LAB_R2_SYNC=10.255.0.2
	LAB_PRIV_IF=eth1 LAB_SYNC_IF=eth2 LAB_C_IF=eth0
	export LAB_NS_C1 LAB_PRIV_NET LAB_PRIV_GW LAB_PRIV_PREFIX LAB_C1_ADDR \
	    LAB_R1_PRIV LAB_R2_PRIV LAB_SYNC_NET LAB_R1_SYNC LAB_R2_SYNC \
	    LAB_PRIV_IF LAB_SYNC_IF LAB_C_IF
	return 0
}

# lab_killpg PID [SIG]: send SIG (default TERM) to the process group led by
# PID: a daemon and every child it forked (keepalived's VRRP child).  PID
# must have been started by lab_bg, still run, and lead its own group:
# start it as `lab_bg NS LOG setsid CMD...` (in a non-interactive shell a
# background job shares the shell's group, so setsid makes a new one
# without forking).  Returns 1 otherwise, signalling nothing.
lab_killpg()
{
	local start pgid
	start=$(lab__recorded "$1") ||
	    { lab__err "lab_killpg: $1 was not started by the lab"; return 1; }
	lab__alive "$1" "$start" || return 1
	pgid=$(ps -o pgid= -p "$1" 2>/dev/null | tr -d ' ')
	if [ "$pgid" != "$1" ]; then
		lab__err "lab_killpg: $1 does not lead its process group" \
		    "(pgid ${pgid:-?}): start it with setsid"
		return 1
	fi
	kill -s "${2:-TERM}" -- "-$1"
}

# lab_fifo_log NS FIFO LOG SECS: read FIFO (made if missing) from inside
# ${LAB}NS for at most SECS seconds and append each line to LOG prefixed
# with the time in milliseconds since the epoch ("1700000000123 LINE").
# The FIFO is opened read-write, so the reader neither blocks on open nor
# ends when a writer closes (keepalived's notify_fifo may be reopened by a
# restarted daemon).  Reads promptly: keepalived drops lines when the pipe
# is full.  Sets LAB_PID.
lab_fifo_log()
{
	[ -p "$2" ] || mkfifo -m 600 "$2" ||
	    { lab__err "lab_fifo_log: mkfifo $2 failed"; return 1; }
	# shellcheck disable=SC2016
	lab_bg "$1" "$LAB_DIR/fifo-$1.err" timeout "$4" bash -c '
		exec 3<>"$1" >>"$2"
		while IFS= read -r l <&3; do
			t=${EPOCHREALTIME/./}
			printf "%s %s\n" "${t%???}" "$l"
		done' lab_fifo_log "$2" "$3" >/dev/null
}

# Namespaces carrying this run's prefix.
lab__namespaces()
{
	ip netns list 2>/dev/null | awk -v p="$LAB" \
	    'index($1, p) == 1 { print $1 }'
}

# lab_cleanup: stop the recorded processes (TERM, up to 2 s, then KILL),
# then any process still inside a lab namespace (a child such a process
# left behind), delete the namespaces, remove LAB_DIR unless LAB_KEEP=1.
# Idempotent; runs from the EXIT trap.
lab_cleanup()
{
	local pid start left end ns

	[ -n "${LAB:-}" ] && [ -z "${LAB_CLEANED:-}" ] || return 0
	LAB_CLEANED=1
	trap '' HUP INT TERM

	if [ -f "$LAB_DIR/pids" ]; then
		while read -r pid start; do
			lab__alive "$pid" "$start" &&
			    kill -s TERM "$pid" 2>/dev/null
		done <"$LAB_DIR/pids"
		end=$(($(lab__now_ms) + 2000))
		while :; do
			left=
			while read -r pid start; do
				lab__alive "$pid" "$start" && left="$left $pid"
			done <"$LAB_DIR/pids"
			[ -n "$left" ] || break
			if [ "$(lab__now_ms)" -ge "$end" ]; then
				lab__err "killing$left"
				# shellcheck disable=SC2086
				kill -s KILL $left 2>/dev/null
				break
			fi
			sleep 0.02
		done
	fi

	for ns in $(lab__namespaces); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			lab__err "killing pid $pid left in $ns:" \
			    "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
			kill -s KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" || lab__err "netns del $ns failed"
	done

	if [ "${LAB_KEEP:-0}" = 1 ]; then
		lab__err "LAB_KEEP=1: kept $LAB_DIR"
	elif [ -n "${LAB_DIR:-}" ]; then
		rm -rf "$LAB_DIR"
	fi
	trap - HUP INT TERM
	return 0
}

# TAP-like reporting shared by the integration tests.
# lab_ok DESC / lab_notok DESC [WHY]: print one result line.
lab_ok()
{
	LAB_TESTS=$((LAB_TESTS + 1))
	echo "ok $LAB_TESTS - $1"
}

lab_notok()
{
	LAB_TESTS=$((LAB_TESTS + 1))
	LAB_FAILS=$((LAB_FAILS + 1))
	echo "not ok $LAB_TESTS - $1"
	[ -z "${2:-}" ] || echo "# $2"
}

# lab_check DESC CMD...: ok if CMD succeeds.
lab_check()
{
	local desc="$1"
	shift
	if "$@"; then
		lab_ok "$desc"
	else
		lab_notok "$desc" "failed: $*"
	fi
}

# lab_done: print the plan; return 0 if nothing failed.
lab_done()
{
	echo "1..$LAB_TESTS"
	[ "$LAB_FAILS" -eq 0 ]
}
