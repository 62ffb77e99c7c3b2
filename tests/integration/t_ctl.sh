#!/bin/sh
# t_ctl: vrouterctl's operator commands on the real pair (lab_topo_pair,
# vrouterd + keepalived + conntrackd, vrouter-hostd).  It proves that
#  0. `vrouterctl conntrack` reads the master's kernel table and counts
#     the client's SNATed connections;
#  1. `vrouterctl failover` makes the MASTER step down, the peer takes
#     over (its hypervisor routes the VIP), the old master returns as
#     BACKUP, the client's traffic resumes, and the command says so;
#     on a node that is not MASTER it refuses;
#  2. `vrouterctl maintenance on` keeps a node out of MASTER, across a
#     restart of vrouterd; `off` lets it back as BACKUP; each waits and
#     reports the outcome (on the MASTER: stepped down to FAULT and the
#     host acked it; off: back in the election and still BACKUP, so the
#     peer is MASTER; a repeat: nothing to do), in text and with -j as
#     docs/schema/maintenance.json says;
#  3. split brain: with both paths of the adverts cut, the private
#     segment and the sync link (the sync path, vrrp.sync_path), both
#     nodes become MASTER and both hypervisors route the VIP (one of them
#     alone cut does not do it: t_splitbrain.sh); once they are
#     restored exactly one
#     hypervisor holds the route (the winner re-asserts it, the loser
#     withdraws) and the client gets through;
#  4. `vrouterctl failover-test`, run from the client's namespace, injects
#     each kind of fault (kill, link, planned), keeps 8 held TCP
#     connections alive, sees the host routes converge, and prints the
#     timeline;
#  5. every -j output matches its documented schema (docs/schema/);
#  6. a failover-test interrupted while the master's link is down leaves
#     nothing broken: vrouterd brings the link up at the test's deadline.
#
# usage: t_ctl.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"

lab_need
# Functions, not `sh -c`: a child shell would not know pair.sh's helpers.
stays_out()	{ sleep 1; ! pair_is "$1" MASTER; }
shows()		{ pair_ctl "$1" $3 status | grep -q "$2"; }
both_routes()	{ pair_route hv1 && pair_route hv2; }
one_route()	{ pair_only_route hv1 hv2 || pair_only_route hv2 hv1; }
# valid SCHEMA CMD...: CMD's output matches docs/schema/SCHEMA.json
valid()
{
	local schema="$1"
	shift
	"$@" | "$PAIR_BIN/tests/tools/schemacheck" \
	    "$LAB_ROOT/docs/schema/$schema.json"
}

pair_setup || exit 1
lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER &&
    lab_wait_for "r2 BACKUP" 5000 pair_is r2 BACKUP &&
    lab_wait_for "client" 5000 pair_client_ok ||
    { lab_notok "the pair comes up"; exit 1; }

# 0. the kernel table, read through libnetfilter_conntrack
snat=$(lab_exec r1 "$PAIR_BIN/vrouterctl" -j conntrack |
    sed -n 's/^    "snat": \([0-9]*\).*/\1/p')
lab_check "vrouterctl conntrack on the master counts SNAT entries ($snat)" \
    test "${snat:-0}" -ge 1
lab_check "vrouterctl conntrack prints a summary" sh -c \
    "ip netns exec ${LAB}r1 \"$PAIR_BIN/vrouterctl\" conntrack | grep -q '^nat'"

lab_check "status -j matches docs/schema/status.json" \
    valid status pair_ctl r1 -j status
lab_check "conntrack -j matches docs/schema/conntrack.json" \
    valid conntrack lab_exec r1 "$PAIR_BIN/vrouterctl" -j conntrack
lab_check "host status -j matches its schema" valid host-status \
    "$PAIR_BIN/vrouterctl" -s "$LAB_DIR/hv1.ctl" -j host status
lab_check "host vm list -j matches its schema" valid host-vms \
    "$PAIR_BIN/vrouterctl" -s "$LAB_DIR/hv1.ctl" -j host vm list
lab_check "host routes -j matches its schema" valid host-routes \
    "$PAIR_BIN/vrouterctl" -s "$LAB_DIR/hv1.ctl" -j host routes
lab_check "host events -j matches its schema" valid host-events \
    "$PAIR_BIN/vrouterctl" -s "$LAB_DIR/hv1.ctl" -j host events

# 1. failover
out=$(pair_ctl r1 failover 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
lab_check "failover on the MASTER succeeds" test "$rc" = 0
case $out in
*"the peer is MASTER"*) lab_ok "failover reports the peer took over" ;;
*) lab_notok "failover reports the peer took over" ;;
esac
lab_check "r2 is MASTER" lab_wait_for "r2 MASTER" 2000 pair_is r2 MASTER
lab_check "r1 is BACKUP" pair_is r1 BACKUP
lab_check "only hv2 routes the VIP" \
    lab_wait_for "hv2 only" 3000 pair_only_route hv2 hv1
lab_check "the client gets through r2" lab_wait_for "client" 3000 pair_client_ok
out=$(pair_ctl r1 failover 2>&1)
case $out in
*"not MASTER"*) lab_ok "failover on a BACKUP is refused" ;;
*) lab_notok "failover on a BACKUP is refused" "$out" ;;
esac

# 2. maintenance
# says DESC PATTERN...: $out has each line pattern (grep -E), in order.
says()
{
	local desc="$1" pat n rest="$out"
	shift
	for pat in "$@"; do
		n=$(printf '%s\n' "$rest" | grep -En -- "$pat" | head -n 1)
		if [ -z "$n" ]; then
			lab_notok "$desc" "no line /$pat/ in order in:
$out"
			return
		fi
		rest=$(printf '%s\n' "$rest" | tail -n +$((${n%%:*} + 1)))
	done
	lab_ok "$desc"
}
out=$(pair_ctl r2 maintenance on 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
lab_check "maintenance on (r2, the MASTER)" test "$rc" = 0
says "maintenance on reports: stepped down, the host acked, stays out" \
    '^ +[0-9]+ ms  maintenance on \(was MASTER\)$' \
    '^ +[0-9]+ ms  stepped down \(FAULT\)$' \
    '^ +[0-9]+ ms  the host acked (FAULT|BACKUP): VIP route withdrawn$' \
    '^maintenance on: this node stays out of MASTER'
lab_check "r1 takes over" lab_wait_for "r1 MASTER" 3000 pair_is r1 MASTER
lab_check "r2 stays out of MASTER" stays_out r2
lab_check "status shows maintenance" shows r2 "maintenance on"
out=$(pair_ctl r2 maintenance on 2>&1)
rc=$?
lab_check "maintenance on again: exit 0" test "$rc" = 0
says "maintenance on again: nothing to do" \
    '^maintenance was already on; this node is FAULT$'
lab_stop "$PAIR_VRD_r2" 5000
pair_vrouterd r2
lab_check "maintenance survives a vrouterd restart" lab_wait_for \
    "maintenance after restart" 5000 shows r2 '"maintenance": true' -j
lab_check "and r2 stays out of MASTER" stays_out r2
out=$(pair_ctl r2 maintenance off 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
lab_check "maintenance off" test "$rc" = 0
says "maintenance off reports: back as BACKUP, the peer is MASTER" \
    '^ +[0-9]+ ms  maintenance off \(was FAULT\)$' \
    '^ +[0-9]+ ms  back in the election \(BACKUP\)$' \
    '^ +[0-9]+ ms  still BACKUP after [0-9]+ ms: the peer is MASTER$' \
    '^maintenance off: this node is in the election again$'
lab_check "r2 is BACKUP" pair_is r2 BACKUP
lab_check "r1 is still MASTER" pair_is r1 MASTER
pair_ctl r2 -j maintenance on >"$LAB_DIR/maint-on.json" 2>&1
rc=$?
lab_check "-j maintenance on (r2, BACKUP): exit 0, docs/schema/maintenance.json" \
    sh -c "[ $rc = 0 ] && \"$PAIR_BIN/tests/tools/schemacheck\" \
    \"$LAB_ROOT/docs/schema/maintenance.json\" <\"$LAB_DIR/maint-on.json\""
lab_check "-j maintenance on: outcome left_election, now FAULT" sh -c \
    "grep -q '\"outcome\": \"left_election\"' \"$LAB_DIR/maint-on.json\" &&
     grep -q '^  \"state\": \"FAULT\"' \"$LAB_DIR/maint-on.json\""
pair_ctl r2 -j maintenance off >"$LAB_DIR/maint-off.json" 2>&1
rc=$?
lab_check "-j maintenance off: exit 0, docs/schema/maintenance.json" \
    sh -c "[ $rc = 0 ] && \"$PAIR_BIN/tests/tools/schemacheck\" \
    \"$LAB_ROOT/docs/schema/maintenance.json\" <\"$LAB_DIR/maint-off.json\""
lab_check "-j maintenance off: outcome backup, the peer is MASTER" \
    grep -q '"outcome": "backup"' "$LAB_DIR/maint-off.json"
lab_check "r2 returns as BACKUP" lab_wait_for "r2 BACKUP" 3000 pair_is r2 BACKUP
lab_check "r1 is still MASTER" pair_is r1 MASTER

# 3. split brain
lab_exec sw ip link set dev l-r2 nomaster
lab_exec r2 ip link set dev "$LAB_SYNC_IF" down
lab_check "private segment and sync link cut (both carry adverts): r2 becomes MASTER too" \
    lab_wait_for "r2 MASTER" 3000 pair_is r2 MASTER
lab_check "both nodes are MASTER" pair_is r1 MASTER
lab_check "both hypervisors route the VIP" \
    lab_wait_for "two routes" 3000 both_routes
lab_exec sw ip link set dev l-r2 master br1
lab_exec r2 ip link set dev "$LAB_SYNC_IF" up
lab_check "restored: r2 steps back to BACKUP" \
    lab_wait_for "r2 BACKUP" 3000 pair_is r2 BACKUP
lab_check "restored: exactly one hypervisor (hv1) routes the VIP" \
    lab_wait_for "one route" 3000 pair_only_route hv1 hv2
lab_check "r1 re-asserted its route after hearing the lower priority" \
    grep -q "re-asserting the host route" "$LAB_DIR/r1.vrouterd.log"
lab_check "the client gets through r1" \
    lab_wait_for "client" 3000 pair_client_ok
lab_check "the server sees the VIP" test "$(pair_client_source)" = "$LAB_VIP"

# 4. the chaos tool, run where the clients are (c1), one run of each kind
for kind in kill link planned; do
	out=$(lab_exec c1 "$PAIR_BIN/vrouterctl" failover-test \
	    --node "$LAB_DIR/r1.run/vrouterd.sock" \
	    --node "$LAB_DIR/r2.run/vrouterd.sock" --probe "$PAIR_SERVER" \
	    --tcp "$PAIR_SERVER:$PAIR_ECHO_PORT" --conns 8 --kind "$kind" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	lab_check "failover-test --kind $kind succeeds" test "$rc" = 0
	case $out in
	*"connections kept 8 of 8"*"host routes converged"*)
		lab_ok "failover-test --kind $kind: connections kept, routes converged" ;;
	*)	lab_notok "failover-test --kind $kind: connections kept, routes converged" ;;
	esac
done
lab_check "failover-test -j matches docs/schema/failover-test.json" \
    valid failover-test lab_exec c1 "$PAIR_BIN/vrouterctl" -j failover-test \
    --node "$LAB_DIR/r1.run/vrouterd.sock" \
    --node "$LAB_DIR/r2.run/vrouterd.sock" --probe "$PAIR_SERVER" --count 2
lab_check "after the chaos exactly one hypervisor routes the VIP" \
    lab_wait_for "one route" 3000 one_route

# 6. a failover-test interrupted while the master's link is down: the
# daemon brings the link up itself when the test's deadline passes.
m=$(pair_master)
lab_bg c1 "$LAB_DIR/ft-int.log" "$PAIR_BIN/vrouterctl" failover-test \
    --node "$LAB_DIR/r1.run/vrouterd.sock" \
    --node "$LAB_DIR/r2.run/vrouterd.sock" --probe "$PAIR_SERVER" \
    --kind link >/dev/null
ft=$LAB_PID
link_down()	# R
{
	lab_exec "$1" ip link show dev "$LAB_HV_UPLINK" | grep -q "state DOWN"
}
lab_check "interrupted failover-test: $m's public link went down" \
    lab_wait_for "link down" 5000 link_down "$m"
lab_kill "$ft" INT
lab_stop "$ft" 1000
lab_check "interrupted failover-test: $m's link is up again by the deadline" \
    lab_wait_for "link up" 25000 sh -c "! $(command -v ip) -n $LAB$m link show dev $LAB_HV_UPLINK | grep -q 'state DOWN'"
lab_check "interrupted failover-test: vrouterd says why" grep -q \
    "public link up again: the failover test's deadline passed" \
    "$LAB_DIR/$m.vrouterd.log"
lab_check "and the pair settles: one MASTER, one route" \
    lab_wait_for "one route" 15000 one_route

lab_done
