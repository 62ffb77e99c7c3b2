# pair.sh: the vrouter HA pair in the lab, shared by the end-to-end test,
# the demo and the failover benchmark.  Source it after lab.sh.
#
# pair_setup builds lab_topo_pair, runs vrouter-hostd on hv1 and hv2 and
# vrouterd (with its keepalived and conntrackd) on r1 (priority 150, on
# hv1) and r2 (priority 100, on hv2).  PAIR_ADVERT_MS sets the VRRP advert
# interval (default 50; "default" leaves advert_ms out of router.json, for
# its own default).  PAIR_WRAP prefixes the daemons' command lines
# (e.g. "valgrind --log-file=...").  PAIR_METRICS=1 has every daemon
# write its metrics page into $LAB_DIR/NODE.prom/ (-P).  PAIR_TMPLDIR:
# vrouterd's templates (-T; default the tree's).  PAIR_VRD_BIN: another
# vrouterd binary for the next pair_vrouterd (a test build).  The server `up`
# runs a responder on port 7000 that answers with the address it sees the
# client as, and an echo server on port 7001.

case $LAB_BUILD in /*) PAIR_BIN=$LAB_BUILD ;; *) PAIR_BIN=$LAB_ROOT/$LAB_BUILD ;; esac
PAIR_SERVER=198.51.100.1
PAIR_PORT=7000
PAIR_ECHO_PORT=7001

# pair_config R PRIO PEER_SYNC OWN_SYNC PORT: write $LAB_DIR/R.json.
# The adverts go over the private segment (vrrp.interface defaults to
# the first network's, eth1), between the routers' own addresses there.
pair_config()
{
	local adv="\"advert_ms\": ${PAIR_ADVERT_MS:-50}, " own peer

	[ "${PAIR_ADVERT_MS:-}" = default ] && adv=
	if [ "$1" = r1 ]; then
		own=$LAB_R1_PRIV peer=$LAB_R2_PRIV
	else
		own=$LAB_R2_PRIV peer=$LAB_R1_PRIV
	fi
	cat >"$LAB_DIR/$1.json" <<JSON
{
  "router_id": "lab",
  "node": { "name": "$1", "priority": $2, "vrrp_address": "$own" },
  "vrrp": { $adv"preempt": false,
	    "unicast": true },
  "sync": { "interface": "$LAB_SYNC_IF", "address": "$4/24",
	    "peers": [ { "name": "peer", "address": "$3",
			 "vrrp_address": "$peer" } ] },
  "public": { "interface": "$LAB_HV_UPLINK", "vip": "$LAB_VIP",
	      "prefix": 32, "gateway": "$PAIR_SERVER", "vrid": 51 },
  "networks": [ { "name": "lan0", "interface": "$LAB_PRIV_IF",
		  "cidr": "$LAB_PRIV_NET", "gateway": "$LAB_PRIV_GW",
		  "vrid": 52 } ],
  "port_forwards": [ { "proto": "tcp", "public_port": 2222,
		       "host": "$LAB_C1_ADDR", "port": 22 } ],
  "host_channel": { "port": "$5" },
  "conntrackd": { "enabled": ${PAIR_CONNTRACKD:-true}, "port": 3780 }
}
JSON
}

# pair_hostd HV R SOCK: vrouter-hostd on HV with R registered.
pair_hostd()
{
	mkdir -p "$LAB_DIR/$1.reg"
	cat >"$LAB_DIR/$1.reg/$2.json" <<JSON
{ "name": "$2", "channel": "$3", "tap": "$LAB_HV_TAP",
  "uplink": "$LAB_HV_UPLINK", "addresses": ["$LAB_VIP"] }
JSON
	mkdir -p "$LAB_DIR/$1.prom"
	lab_bg "$1" "$LAB_DIR/$1.hostd.log" $PAIR_WRAP "$PAIR_BIN/vrouter-hostd" -d -v \
	    -g 2000 -H "$1" -r "$LAB_DIR/$1.reg" -s "$LAB_DIR/$1.ctl" \
	    ${PAIR_METRICS:+-P "$LAB_DIR/$1.prom"} -S - >/dev/null
	lab_wait_for "hostd on $1" 3000 test -S "$LAB_DIR/$1.ctl"
}

# pair_vrouterd R: start vrouterd in R (again); records PAIR_VRD_R.
pair_vrouterd()
{
	mkdir -p "$LAB_DIR/$1.run" "$LAB_DIR/$1.prom"
	lab_bg "$1" "$LAB_DIR/$1.vrouterd.log" setsid $PAIR_WRAP \
	    "${PAIR_VRD_BIN:-$PAIR_BIN/vrouterd}" \
	    -d -v -f "$LAB_DIR/$1.json" -R "$LAB_DIR/$1.run" \
	    -M "$LAB_DIR/$1.state" ${PAIR_METRICS:+-P "$LAB_DIR/$1.prom"} \
	    -T "${PAIR_TMPLDIR:-$LAB_ROOT/templates}" >/dev/null
	eval "PAIR_VRD_$1=\$LAB_PID"
	lab_wait_for "vrouterd in $1" 5000 \
	    test -S "$LAB_DIR/$1.run/vrouterd.sock"
}

pair_setup()
{
	lab_init || return 1
	lab_topo_pair || { lab_notok "lab_topo_pair"; return 1; }
	# PAIR_PLUMB: a function that changes the topology before any
	# daemon runs (migrate.sh's mig_plumb).
	[ -z "${PAIR_PLUMB:-}" ] || $PAIR_PLUMB || return 1
	pair_config r1 150 "$LAB_R2_SYNC" "$LAB_R1_SYNC" "$LAB_R1_PORT"
	pair_config r2 100 "$LAB_R1_SYNC" "$LAB_R2_SYNC" "$LAB_R2_PORT"
	pair_hostd hv1 r1 "$LAB_R1_SOCK" || return 1
	pair_hostd hv2 r2 "$LAB_R2_SOCK" || return 1
	lab_bg up "$LAB_DIR/peer-echo.log" socat \
	    "TCP-LISTEN:$PAIR_PORT,reuseaddr,fork" \
	    'SYSTEM:echo $SOCAT_PEERADDR' >/dev/null
	# An echo server for connections held across a failover.
	lab_bg up "$LAB_DIR/echo.log" socat \
	    "TCP-LISTEN:$PAIR_ECHO_PORT,reuseaddr,fork" EXEC:cat >/dev/null
	lab_responder c1 22 c1 || return 1
	pair_vrouterd r1 || return 1
	pair_vrouterd r2 || return 1
}

pair_ctl()	# R ARGS...
{
	local r="$1"
	shift
	"$PAIR_BIN/vrouterctl" -s "$LAB_DIR/$r.run/vrouterd.sock" "$@"
}

# A top-level key of `vrouterctl -j status` (indented by two spaces).
pair_status_key()	# R KEY
{
	pair_ctl "$1" -j status 2>/dev/null |
	    sed -n "s/^  \"$2\": \"*\([^\",]*\)\"*,*$/\1/p"
}

pair_is()		{ [ "$(pair_status_key "$1" state)" = "$2" ]; }
pair_transitions()	{ pair_status_key "$1" transitions; }
pair_acked()
{
	pair_ctl "$1" -j status | grep -q '"result": "installed"'
}
pair_master()
{
	if pair_is r1 MASTER; then echo r1; else echo r2; fi
}
pair_other()		{ [ "$1" = r1 ] && echo r2 || echo r1; }
pair_route()
{
	ip -n "$LAB$1" route show "$LAB_VIP/32" proto 241 | grep -q .
}
pair_no_route()		{ ! pair_route "$1"; }
pair_only_route()	{ pair_route "$1" && pair_no_route "$2"; }

pair_client_source()
{
	lab_exec c1 timeout 3 socat -u -T 2 \
	    "TCP:$PAIR_SERVER:$PAIR_PORT,connect-timeout=1" STDOUT 2>/dev/null
}
pair_client_ok()	{ [ -n "$(pair_client_source)" ]; }
pair_forward_ok()	{ [ "$(lab_ask up "$LAB_VIP" 2222)" = c1 ]; }

# A 10 ms ping stream from the client to the server, at most 10 s.
pair_stream_start()
{
	lab_bg c1 "$LAB_DIR/stream.log" ping -D -n -i 0.01 -c 1000 -W 1 \
	    "$PAIR_SERVER" >/dev/null
	PAIR_STREAM=$LAB_PID
	sleep 0.3
}
pair_stream_stop()	{ lab_stop "$PAIR_STREAM" 500; }

# The longest gap between two echo replies of the stream, in ms.
pair_outage()
{
	awk '/bytes from/ {
		t = substr($1, 2, length($1) - 2) * 1000
		if (last && t - last > gap) gap = t - last
		last = t
	} END { printf "%.0f\n", gap }' "$LAB_DIR/stream.log"
}

# The pid of R's child NAME from vrouterd's status, if it runs in R.
pair_child_pid()	# R NAME
{
	local pid
	pid=$(pair_ctl "$1" -j status | awk -v n="\"$2\": {" '
	    index($0, n) { f = 1 } f && /"pid"/ { gsub(/[^0-9]/, ""); print; exit }')
	[ -n "$pid" ] && [ "$(ip netns identify "$pid")" = "$LAB$1" ] &&
	    echo "$pid"
}

# pair_fault R KIND: keepalived (SIGKILL of keepalived's main process
# only), all (SIGKILL of every process of the router), link (public link
# down).  Only processes inside R's own lab namespace are signalled.
pair_fault()
{
	local ka ct v
	case $2 in
	keepalived)
		ka=$(pair_child_pid "$1" keepalived) || return 1
		kill -KILL "$ka"
		;;
	all)
		ka=$(pair_child_pid "$1" keepalived)
		ct=$(pair_child_pid "$1" conntrackd)
		eval "v=\$PAIR_VRD_$1"
		lab_kill "$v" KILL
		[ -n "$ka" ] && /bin/kill -s KILL -- "-$ka"
		[ -n "$ct" ] && /bin/kill -s KILL -- "-$ct"
		;;
	link)
		lab_exec "$1" ip link set dev "$LAB_HV_UPLINK" down
		;;
	esac
}

pair_repair()
{
	case $2 in
	all)	pair_vrouterd "$1" ;;
	link)	lab_exec "$1" ip link set dev "$LAB_HV_UPLINK" up ;;
	esac
}
