#!/bin/sh
# t_chancut: the MASTER's host channel cut and back, in the pair lab.  The
# lab's chardev relay plays QEMU's side of r1's virtio-serial port; killing
# it hangs up the pty r1's vrouterd holds (EOF on read, EIO on write), and
# a restarted relay serves a new pty behind the same path.  It proves that
#  1. while the channel is cut, r1's status says so at once: the host ack
#     is void, the channel is not "connected", and no VIP result is shown
#     as current; hv1 withdraws the route; r1 stays MASTER (the cut is not
#     a VRRP fault) and hv2 never routes the VIP;
#  2. the guest reopens its port when the relay is back, the route returns
#     on hv1 and status is acked again, connected, VIP installed; the
#     client reaches the inside host through the VIP again;
#  3. the port loss is logged once per outage, not once per retry;
#  4. the same after a relay stopped cleanly (its pty and socket removed).
# The time from the relay's restart to the route on hv1 is printed (the
# goal, 100 ms, is for bench/; here only a generous bound is asserted).
#
# usage: t_chancut.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"

lab_need
pair_setup || exit 1

# host_key R KEY: KEY of the "host" object in R's status.
host_key()
{
	pair_ctl "$1" -j status 2>/dev/null | awk -v k="\"$2\":" '
	    $0 == "  \"host\": {" { f = 1; next }
	    f && /^  \}/ { exit }
	    f && $1 == k { v = $2; gsub(/[",]/, "", v); print v; exit }'
}
host_cut()	# R: status says the ack is void and the channel is down
{
	[ "$(host_key "$1" acked)" = false ] &&
	    [ "$(host_key "$1" channel)" != connected ] &&
	    ! pair_acked "$1"
}
host_whole()	# R
{
	[ "$(host_key "$1" acked)" = true ] &&
	    [ "$(host_key "$1" channel)" = connected ] && pair_acked "$1"
}
losses()	# R: port losses r1's vrouterd logged
{
	grep -c "port unusable" "$LAB_DIR/$1.vrouterd.log"
}
# ms_of TS: "[2026-01-02T03:04:05.123456]" (ip -ts) as ms since 1970.
ms_of()
{
	local t
	t=${1#\[}
	t=${t%\]}
	date -d "$t" +%s%3N
}

lab_check "r1 (priority 150) becomes MASTER" \
    lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER
lab_check "r2 is BACKUP" lab_wait_for "r2 BACKUP" 5000 pair_is r2 BACKUP
lab_check "hv1 routes the VIP" lab_wait_for "hv1 route" 3000 pair_route hv1
lab_check "r1's status: acked, channel connected, VIP installed" \
    lab_wait_for "r1 acked" 3000 host_whole r1
lab_check "the client's port forward works through the VIP" \
    lab_wait_for "forward" 5000 pair_forward_ok
trans=$(pair_transitions r1)
still_cut()	{ pair_no_route hv1 && host_cut r1; }
lab_bg hv2 "$LAB_DIR/hv2.mon" ip -ts monitor route >/dev/null
MON2=$LAB_PID

# cut CASE SIGNAL: cut r1's channel with SIGNAL to its relay, 3 s, back.
cut()
{
	local case="$1" sig="$2" mon t0 t_add line n0 n

	n0=$(losses r1)
	lab_bg hv1 "$LAB_DIR/hv1.mon.$case" ip -ts monitor route >/dev/null
	mon=$LAB_PID
	sleep 0.2
	lab_kill "$LAB_R1_RELAY_PID" "$sig"
	lab_check "$case: r1's status shows the ack void, channel down (<2 s)" \
	    lab_wait_for "ack void" 2000 host_cut r1
	lab_check "$case: hv1 withdraws the route" \
	    lab_wait_for "withdrawal" 3000 pair_no_route hv1
	wait "$LAB_R1_RELAY_PID" 2>/dev/null
	sleep 3
	lab_check "$case: still cut after 3 s: not acked, no route" still_cut
	lab_check "$case: the channel is closed (the port's path is gone)" \
	    test "$(host_key r1 channel)" = closed

	t0=$(lab__now_ms)
	lab_relay r1 hv1 || { lab_notok "$case: relay restarts"; return 1; }
	LAB_R1_RELAY_PID=$LAB_PID
	lab_check "$case: the route is back on hv1 (<3 s)" \
	    lab_wait_for "route back" 3000 pair_route hv1
	lab_check "$case: r1's status: acked again, connected, installed" \
	    lab_wait_for "r1 acked" 3000 host_whole r1
	sleep 0.2
	lab_stop "$mon"
	line=$(grep -v Deleted "$LAB_DIR/hv1.mon.$case" |
	    grep -m1 "^\[.*\] $LAB_VIP dev .*proto 241")
	t_add=
	[ -z "$line" ] || t_add=$(ms_of "${line%% *}" 2>/dev/null)
	if [ -n "$t_add" ]; then
		echo "# $case: route back $((t_add - t0)) ms after the relay" \
		    "was started"
	else
		echo "# $case: no route add in the monitor: $line"
	fi
	n=$(($(losses r1) - n0))
	lab_check "$case: the port loss was logged once ($n)" test "$n" -eq 1
	lab_check "$case: the client's port forward works again" \
	    lab_wait_for "forward" 5000 pair_forward_ok
	lab_check "$case: r1 stayed MASTER" pair_is r1 MASTER
}

cut kill KILL
cut term TERM
lab_check "no VRRP transition on r1 across the cuts" \
    test "$(pair_transitions r1)" = "$trans"
lab_stop "$MON2"
lab_check "hv2 never routed the VIP" sh -c \
    "! grep -v Deleted '$LAB_DIR/hv2.mon' | grep -q '$LAB_VIP dev'"

lab_done
