#!/bin/sh
# t_vrouterd: the whole HA router with the real keepalived, conntrackd and
# iptables, driven by vrouterd, with vrouter-hostd on each hypervisor.  In
# the pair lab (lab_topo_pair) it proves that
#  1. vrouterd renders its configs, installs NAT, starts keepalived and
#     conntrackd; the higher priority becomes MASTER and its hypervisor
#     alone routes the VIP;
#  2. the client reaches the server through the VIP, SNATed to the VIP
#     (the server sees the VIP as source), and a port forward reaches the
#     inside host;
#  3. each fault of the master moves the router: SIGKILL of keepalived
#     alone (vrouterd treats it as FAULT, removes the VIPs, tells the host,
#     restarts keepalived); SIGKILL of every router process; the public
#     link going down.  Each time the other node becomes MASTER, its
#     hypervisor holds the route, the old one has withdrawn it, and the
#     client's traffic resumes (the outage is printed);
#  4. the returning node settles as BACKUP without taking over again; a
#     SIGKILLed conntrackd is restarted and the router keeps its role;
#     on the way to MASTER the conntrack commit finished before the host
#     was told (keepalived issue 2254);
#  5. a reload with a bad description is refused with the error and
#     changes nothing;
#  6. a storm of reloads is coalesced, and keepalived still reports the
#     master's transitions after it (its notify FIFO survives a reload).
#
# usage: t_vrouterd.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"

lab_need
pair_setup || exit 1

# 1. start
lab_check "r1 (priority 150) becomes MASTER" \
    lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER
lab_check "r2 is BACKUP" lab_wait_for "r2 BACKUP" 5000 pair_is r2 BACKUP
lab_check "hv1 routes the VIP" lab_wait_for "hv1 route" 3000 pair_route hv1
lab_check "hv2 does not" pair_no_route hv2
lab_check "the host acked r1's MASTER" lab_wait_for "ack" 3000 pair_acked r1

# The handover order (keepalived issue 2254): on r1's way to MASTER the
# conntrack commit finished before the host was told.
commit_then_tell()	# R
{
	awk '/conntrackd -c done/ { c = NR }
	    /host: telling it MASTER/ { t = NR; exit }
	    END { exit !(c && t && c < t) }' "$LAB_DIR/$1.vrouterd.log"
}
lab_check "r1 committed conntrack state before telling the host MASTER" \
    commit_then_tell r1

# 2. traffic, SNAT and a port forward
lab_check "the client reaches the server through the VIP" \
    lab_wait_for "client -> server" 5000 pair_client_ok
src=$(pair_client_source)
lab_check "the server sees the VIP as source ($src)" test "$src" = "$LAB_VIP"
lab_check "the port forward reaches the inside host" \
    lab_wait_for "forward" 3000 pair_forward_ok

# 3. faults of the master, one after the other
for fault in keepalived all link; do
	m=$(pair_master) b=$(pair_other "$m")
	pair_stream_start
	pair_fault "$m" "$fault"
	lab_check "$fault fault of $m: $b becomes MASTER" \
	    lab_wait_for "$b MASTER" 5000 pair_is "$b" MASTER
	lab_check "$fault fault: hv${b#r} routes the VIP" \
	    lab_wait_for "route" 3000 pair_route "hv${b#r}"
	# With every process of the VM gone nobody tells hv${m#r}; the
	# route follows anyway (hv${b#r} announces it) and goes when the
	# node returns, checked below.
	[ "$fault" = all ] ||
	    lab_check "$fault fault: hv${m#r} has withdrawn it" \
	    lab_wait_for "withdrawal" 3000 pair_no_route "hv${m#r}"
	lab_check "$fault fault: the client's traffic resumes" \
	    lab_wait_for "client resumes" 5000 pair_client_ok
	pair_stream_stop
	echo "# $fault fault of $m: outage $(pair_outage) ms"
	pair_repair "$m" "$fault"
	lab_check "$fault fault: $m returns as BACKUP" \
	    lab_wait_for "$m BACKUP" 10000 pair_is "$m" BACKUP
	t=$(pair_transitions "$b")
	sleep 1
	lab_check "$fault fault: the pair settles ($b stays MASTER)" \
	    test "$(pair_transitions "$b")" = "$t" -a "$(pair_master)" = "$b"
	lab_check "$fault fault: only hv${b#r} routes the VIP" \
	    pair_only_route "hv${b#r}" "hv${m#r}"
done

# A crashed conntrackd is restarted (keepalived's case is above).
m=$(pair_master)
ct=$(pair_child_pid "$m" conntrackd)
/bin/kill -s KILL "$ct"
conntrackd_back()
{
	local pid
	pid=$(pair_child_pid "$1" conntrackd) && [ "$pid" != "$2" ] &&
	    pair_ctl "$1" -j status | grep -q '"restarts": 1'
}
lab_check "a SIGKILLed conntrackd is restarted by vrouterd" \
    lab_wait_for "conntrackd restart" 5000 conntrackd_back "$m" "$ct"
lab_check "and the router stays MASTER" pair_is "$m" MASTER

# 5. a bad reload changes nothing
m=$(pair_master)
cp "$LAB_DIR/$m.json" "$LAB_DIR/$m.json.good"
sed 's#"10.1.0.0/24"#"10.1.0.0/33"#' "$LAB_DIR/$m.json.good" >"$LAB_DIR/$m.json"
out=$(pair_ctl "$m" reload 2>&1)
case $out in
*"networks[0].cidr"*) lab_ok "a bad reload is refused, naming the key" ;;
*) lab_notok "a bad reload is refused, naming the key" "$out" ;;
esac
lab_check "after the bad reload $m is still MASTER" pair_is "$m" MASTER
lab_check "and the client still gets through" pair_client_ok
cp "$LAB_DIR/$m.json.good" "$LAB_DIR/$m.json"
lab_check "a good reload is accepted" pair_ctl "$m" reload

# 6. a storm of reloads, each changing keepalived.conf, is coalesced: the
# master keeps its role and keepalived gets far fewer SIGHUPs than reloads.
t=$(pair_transitions "$m")
storm_ok=1
for i in 1 2 3 4 5 6 7 8 9 10; do
	sed "s/\"priority\": [0-9]*/\"priority\": $((140 + i))/" \
	    "$LAB_DIR/$m.json.good" >"$LAB_DIR/$m.json"
	pair_ctl "$m" reload || storm_ok=0
done
lab_check "ten reloads in a row are accepted" test "$storm_ok" = 1
sleep 1.5
hups=$(grep -c "keepalived: reloaded" "$LAB_DIR/$m.vrouterd.log")
lab_check "keepalived was reloaded $hups times, not 10" test "$hups" -le 3
lab_check "the master kept its role through the storm" \
    test "$(pair_transitions "$m")" = "$t" -a "$(pair_master)" = "$m"
lab_check "the last reload's priority is in force" grep -q "priority 150" \
    "$LAB_DIR/$m.run/keepalived.conf"

# 7. keepalived still reports the master's transitions after those
# reloads: 2.2.7 closes its notify FIFO on a reload unless script_user is
# set before it, and vrouterd would never tell the host.
b=$(pair_other "$m")
pair_fault "$m" link
lab_check "after the reloads, $m's link fault moves the router to $b" \
    lab_wait_for "$b MASTER" 5000 pair_is "$b" MASTER
lab_check "and $m heard its own FAULT: hv${m#r} has withdrawn the route" \
    lab_wait_for "withdrawal" 3000 pair_no_route "hv${m#r}"
pair_repair "$m" link

lab_done
