#!/bin/sh
# t_restart: a vrouterd restart moves no traffic.  In the pair lab
# (vrouterd + keepalived + conntrackd on r1 and r2), it proves that
#  1. vrouterd SIGKILLed on the MASTER and started again 3 s later (a
#     crash, or a restart by systemd): the new vrouterd adopts the
#     keepalived and conntrackd the old one left (status "adopted"), r1
#     stays MASTER and r2 BACKUP with no transition on either, only hv1
#     routes the VIP throughout, the client's echo stream keeps flowing
#     and held connections survive; afterwards exactly one keepalived
#     group and one conntrackd run in r1;
#  2. the same on the BACKUP, with the records of the children lost (as a
#     vrouterd from before them leaves them): found by their command lines;
#  3. SIGUSR2 (the unit's restart) leaves them running the same way;
#  4. a record that names a process that is not ours (another command
#     line) is not adopted: vrouterd starts its own and leaves it alone;
#  5. the unit's ExecStop (etc/systemd/vrouterd-stop) sends SIGUSR2 when
#     systemd's job for the unit is a restart, and the router keeps
#     serving; SIGTERM when it is a stop, and keepalived and conntrackd
#     stop with vrouterd.  This machine has no systemd: a stand-in
#     `systemctl` on PATH prints the job list as `systemctl list-jobs
#     --no-legend --plain` does;
#  6. the double fault: vrouterd dead, then its orphaned keepalived
#     SIGKILLed: r2 takes over, and once vrouterd is back on r1 (the
#     supervisor's restart time bounds it) only hv2 routes the VIP, the
#     VIP is off r1, and r1 runs one keepalived group again;
#  7. conntrackd SIGKILLed, on the BACKUP and on the MASTER: `status` shows
#     the sync unhealthy at once, vrouterd restarts it within a second
#     (the backoff starts afresh after a healthy run), it resyncs (the
#     BACKUP asks, the MASTER sends) and the sync is healthy again.
#  8. a keepalived that a vrouterd of another version started (another
#     command line: here, ours with one more flag) is adopted as outdated
#     and replaced, on the BACKUP at once (a MASTER hands over first);
#     one keepalived group afterwards, running our own command line.
#
# usage: t_restart.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"
. "$LAB_ROOT/tests/lab/failover.sh"
. "$LAB_ROOT/tests/lab/faults.sh"

lab_need

N=100		# connections held across the restarts

one_each()	# R
{
	[ "$(fault_procs "$1")" = "1 1" ]
}

adopted()	# R
{
	[ "$(pair_status_key "$1" adopted)" = true ]
}

# Route samples every ~20 ms while CMD runs in the background: prints
# the samples where hv2 held the route or hv1 did not.
watch_routes()	# MS
{
	local end bad=0
	end=$(($(lab__now_ms) + $1))
	while [ "$(lab__now_ms)" -lt "$end" ]; do
		pair_only_route hv1 hv2 || bad=$((bad + 1))
		sleep 0.02
	done
	echo "$bad"
}

lost_echoes()
{
	awk '/bytes from/ { n++ } END { print 300 - n }' "$LAB_DIR/stream.log"
}

# A 10 ms ping stream of 300 echoes (3 s).
stream()
{
	lab_bg c1 "$LAB_DIR/stream.log" ping -D -n -i 0.01 -c 300 -W 1 \
	    "$PAIR_SERVER" >/dev/null
	PAIR_STREAM=$LAB_PID
}

stream_done()
{
	lab_wait_for "stream" 10000 sh -c "! kill -0 $PAIR_STREAM 2>/dev/null"
	lab_stop "$PAIR_STREAM" 500
}

# A process that ended (gone, or a zombie not reaped yet).
gone()		# PID
{
	! { tr -d '\0' <"/proc/$1/cmdline"; } 2>/dev/null | grep -q .
}

vrd_pid()	# R
{
	eval "echo \$PAIR_VRD_$1"
}

# restart_case R HOW: HOW is KILL (SIGKILL, start again after 3 s) or
# USR2 (the unit's hitless restart).
ROUND=0
restart_case()
{
	local r=$1 how=$2 other t bad lost res
	other=$(pair_other "$r")
	t=$(pair_transitions "$other")
	ROUND=$((ROUND + 1))
	stream
	lab_kill "$(vrd_pid "$r")" "$how"
	lab_check "$r: vrouterd gone after SIG$how" \
	    lab_wait_for "vrouterd gone" 5000 gone "$(vrd_pid "$r")"
	if [ "$how" = KILL ]; then
		bad=$(watch_routes 3000)
	else
		bad=$(watch_routes 500)
	fi
	lab_check "$r ($how): keepalived and conntrackd serve on without vrouterd" \
	    one_each "$r"
	if [ "${LOSE_RECORDS:-0}" = 1 ]; then
		# as a vrouterd from before the records would have left them
		rm -f "$LAB_DIR/$r.run/keepalived.child" \
		    "$LAB_DIR/$r.run/conntrackd.child"
	fi
	pair_vrouterd "$r" || return 1
	lab_check "$r ($how): the new vrouterd adopted them" \
	    lab_wait_for "adopted" 5000 adopted "$r"
	lab_check "$r ($how): host told and acked again" \
	    lab_wait_for "acked" 5000 fo_host_acked "$r"
	bad=$((bad + $(watch_routes 1000)))
	stream_done
	lost=$(lost_echoes)
	lab_check "$r ($how): r1 still MASTER, r2 BACKUP" \
	    sh -c "[ \"$(pair_status_key r1 state)\" = MASTER ] &&
		   [ \"$(pair_status_key r2 state)\" = BACKUP ]"
	lab_check "$r ($how): no transition, on $r or $other" \
	    [ "$(pair_transitions "$r"):$(pair_transitions "$other")" = "0:$t" ]
	lab_check "$r ($how): only hv1 routed the VIP, every sample ($bad bad)" \
	    [ "$bad" -eq 0 ]
	lab_check "$r ($how): the echo stream kept flowing ($lost of 300 lost, gap $(pair_outage) ms)" \
	    [ "$lost" -le 5 ]
	lab_check "$r ($how): one keepalived group and one conntrackd" \
	    one_each "$r"
	res=$(fo_round "$ROUND")
	lab_check "$r ($how): the $N connections held since before survive ($res)" \
	    [ "$(fo_kv ok "$res"):$(fo_kv reset "$res")" = "$N:0" ]
}

pair_setup || exit 1
lab_check "r1 becomes MASTER" lab_wait_for "r1 MASTER" 15000 pair_is r1 MASTER
lab_check "r2 becomes BACKUP" lab_wait_for "r2 BACKUP" 10000 pair_is r2 BACKUP
lab_check "hv1 routes the VIP" lab_wait_for "hv1 route" 5000 pair_route hv1
lab_wait_for "client" 5000 pair_client_ok
fo_server || exit 1
lab_check "$N connections held" fo_hold held "$N" 50 3
lab_check "r1: one keepalived group and one conntrackd" one_each r1

# 1. to 3.
restart_case r1 KILL
LOSE_RECORDS=1
restart_case r2 KILL
LOSE_RECORDS=0
lab_check "r2: without records, found by their command lines" \
    grep -q "runs our command line, without a record" "$LAB_DIR/r2.vrouterd.log"
restart_case r1 USR2

# 4.
pair_ctl r2 status >/dev/null
lab_bg r2 "$LAB_DIR/stranger.log" setsid sleep 60 >/dev/null
stranger=$LAB_PID
lab_kill "$(vrd_pid r2)" TERM
lab_wait_for "r2 vrouterd stopped" 5000 gone "$(vrd_pid r2)"
lab_check "r2: a stopped vrouterd stops keepalived and conntrackd" \
    [ "$(fault_procs r2)" = "0 0" ]
echo "$stranger $(awk '{ print $22 }' "/proc/$stranger/stat")" \
    >"$LAB_DIR/r2.run/keepalived.child"
pair_vrouterd r2 || exit 1
lab_check "r2: a record naming another program is not adopted" \
    lab_wait_for "r2 started its own" 5000 sh -c \
    "[ \"$(pair_status_key r2 adopted)\" = false ] && grep -q 'runs another program: not ours' $LAB_DIR/r2.vrouterd.log"
lab_check "r2: that program is left alone" kill -0 "$stranger"
lab_check "r2 BACKUP again" lab_wait_for "r2 BACKUP" 10000 pair_is r2 BACKUP
lab_check "r2: one keepalived group and one conntrackd" \
    lab_wait_for "r2 one each" 5000 one_each r2
lab_stop "$stranger" 500

# 5.
mkdir -p "$LAB_DIR/stub"
stub_jobs()	# TYPE
{
	printf '#!/bin/sh\necho "4242 vrouterd.service %s running"\n' "$1" \
	    >"$LAB_DIR/stub/systemctl"
	chmod 755 "$LAB_DIR/stub/systemctl"
}
stub_jobs restart
t=$(pair_transitions r2)
PATH=$LAB_DIR/stub:$PATH sh "$LAB_ROOT/etc/systemd/vrouterd-stop" \
    "$(vrd_pid r1)"
lab_check "vrouterd-stop (job restart): vrouterd left" gone "$(vrd_pid r1)"
lab_check "vrouterd-stop (job restart): it said SIGUSR2" \
    grep -q "SIGUSR2: leaving" "$LAB_DIR/r1.vrouterd.log"
lab_check "vrouterd-stop (job restart): keepalived and conntrackd serve on" \
    one_each r1
pair_vrouterd r1 || exit 1
lab_check "vrouterd-stop (job restart): adopted, r1 MASTER, no transition" \
    sh -c "[ \"$(pair_status_key r1 adopted):$(pair_status_key r1 state)\" = true:MASTER ] &&
	   [ $(pair_transitions r2) = $t ]"
stub_jobs stop
PATH=$LAB_DIR/stub:$PATH sh "$LAB_ROOT/etc/systemd/vrouterd-stop" \
    "$(vrd_pid r2)"
lab_check "vrouterd-stop (job stop): vrouterd left" gone "$(vrd_pid r2)"
lab_check "vrouterd-stop (job stop): keepalived and conntrackd stopped" \
    [ "$(fault_procs r2)" = "0 0" ]
pair_vrouterd r2 || exit 1
lab_check "r2 BACKUP again" lab_wait_for "r2 BACKUP" 10000 pair_is r2 BACKUP
# A stop job with no vrouterd running (it crashed): what its records name
# is stopped, and only that.
lab_kill "$(vrd_pid r2)" KILL
lab_wait_for "r2 vrouterd gone" 5000 gone "$(vrd_pid r2)"
PATH=$LAB_DIR/stub:$PATH sh "$LAB_ROOT/etc/systemd/vrouterd-stop" "" \
    vrouterd.service "$LAB_DIR/r2.run"
lab_check "vrouterd-stop (job stop, no MAINPID): the recorded keepalived and conntrackd stop" \
    lab_wait_for "r2 children stopped" 5000 sh -c \
    "[ \"\$(ip netns pids $LAB""r2 | wc -l)\" -eq 0 ]"
pair_vrouterd r2 || exit 1
lab_check "r2 BACKUP again" lab_wait_for "r2 BACKUP" 10000 pair_is r2 BACKUP
# A vrouterd that does not catch SIGUSR2 (from before it could leave its
# children running) gets SIGTERM even for a restart: here a shell that
# notes which signal came.
stub_jobs restart
lab_bg r2 "$LAB_DIR/old-vrd.log" sh -c \
    "trap 'echo TERM >$LAB_DIR/old-vrd.sig; exit 0' TERM; while :; do sleep 0.1; done" \
    >/dev/null
old=$LAB_PID
sleep 0.3
PATH=$LAB_DIR/stub:$PATH sh "$LAB_ROOT/etc/systemd/vrouterd-stop" "$old"
lab_check "vrouterd-stop (job restart): a vrouterd that does not catch SIGUSR2 gets SIGTERM" \
    lab_wait_for "TERM noted" 3000 grep -qx TERM "$LAB_DIR/old-vrd.sig"

# 6.
lab_kill "$(vrd_pid r1)" KILL
lab_wait_for "r1 vrouterd gone" 5000 gone "$(vrd_pid r1)"
ka=$(fault_ka_leaders r1)
lab_check "r1: the orphaned keepalived found" [ -n "$ka" ]
kill -s KILL "$ka"
lab_check "r2 takes over while r1's vrouterd is dead" \
    lab_wait_for "r2 MASTER" 5000 pair_is r2 MASTER
lab_check "hv2 routes the VIP" lab_wait_for "hv2 route" 5000 pair_route hv2
pair_vrouterd r1 || exit 1
lab_check "r1: back, nothing to adopt, BACKUP" \
    lab_wait_for "r1 BACKUP" 10000 pair_is r1 BACKUP
lab_check "only hv2 routes the VIP once r1's vrouterd is back" \
    lab_wait_for "hv2 alone" 5000 pair_only_route hv2 hv1
lab_check "the VIP is off r1" sh -c \
    "! ip -n ${LAB}r1 -4 addr show dev $LAB_HV_UPLINK | grep -q ' $LAB_VIP/'"
lab_check "r1: one keepalived group and one conntrackd" \
    lab_wait_for "r1 one each" 5000 one_each r1
lab_check "the client gets through r2" lab_wait_for "client" 5000 \
    pair_client_ok

# 7.
sync_healthy()	# R
{
	[ "$(fo_status_key "$1" sync healthy)" = true ]
}
sync_unhealthy()	# R
{
	[ "$(fo_status_key "$1" sync healthy)" = false ]
}
for r in r1 r2; do
	lab_wait_for "$r sync healthy" 20000 sync_healthy "$r"
done
for r in r1 r2; do
	st=$(pair_status_key "$r" state)
	for round in 1 2; do
		ct=$(pair_child_pid "$r" conntrackd)
		lab_check "$r ($st, kill $round): conntrackd found" [ -n "$ct" ]
		kill -s KILL "$ct"
		lab_check "$r ($st, kill $round): status says the sync is unhealthy" \
		    lab_wait_for "$r unhealthy" 1000 sync_unhealthy "$r"
		lab_check "$r ($st, kill $round): conntrackd back within 2 s" \
		    lab_wait_for "$r conntrackd back" 2000 one_each "$r"
		lab_check "$r ($st, kill $round): in sync with the peer again" \
		    lab_wait_for "$r sync healthy" 20000 sync_healthy "$r"
	done
	if [ "$st" = BACKUP ]; then
		lab_check "$r: asked the master for a resync after the restart" \
		    grep -q "conntrackd started: asking the master for a resync" \
		    "$LAB_DIR/$r.vrouterd.log"
	else
		lab_check "$r: sent the backup everything after the restart" \
		    grep -q "conntrackd started: sending the backup everything" \
		    "$LAB_DIR/$r.vrouterd.log"
	fi
done
lab_check "one MASTER, one BACKUP after it all" fo_stable

# 8.
ours_cmdline()	# R
{
	local p
	p=$(fault_ka_leaders "$1" | head -n 1) &&
	    [ "$(tr '\0' ' ' <"/proc/$p/cmdline" | sed 's/ $//')" = \
	    "$(cat "$LAB_DIR/$1.ka-argv")" ]
}
# On the BACKUP: a MASTER's outdated keepalived is replaced the same way
# once it has handed over (vrouterctl failover's path, t_handover.sh).
r=$(pair_other "$(pair_master)")
p=$(fault_ka_leaders "$r" | head -n 1)
tr '\0' ' ' <"/proc/$p/cmdline" | sed 's/ $//' >"$LAB_DIR/$r.ka-argv"
t=$(pair_transitions "$(pair_master)")
lab_kill "$(vrd_pid "$r")" USR2
lab_wait_for "$r vrouterd left" 5000 gone "$(vrd_pid "$r")"
/bin/kill -s TERM -- "-$p"
lab_wait_for "$r keepalived stopped" 5000 gone "$p"
# shellcheck disable=SC2046
lab_bg "$r" "$LAB_DIR/$r.old-ka.log" setsid $(cat "$LAB_DIR/$r.ka-argv") \
    --log-detail >/dev/null
old=$LAB_PID
sleep 0.5
echo "$old $(awk '{ print $22 }' "/proc/$old/stat")" \
    >"$LAB_DIR/$r.run/keepalived.child"
pair_vrouterd "$r" || exit 1
lab_check "$r: the outdated keepalived is adopted as such" \
    lab_wait_for "outdated" 5000 grep -q \
    "runs another command line than ours: outdated" "$LAB_DIR/$r.vrouterd.log"
lab_check "$r: and replaced, being BACKUP" \
    lab_wait_for "replaced" 10000 grep -q \
    "keepalived: replacing the adopted pid $old" "$LAB_DIR/$r.vrouterd.log"
lab_check "$r: the old one is gone" lab_wait_for "old gone" 5000 gone "$old"
lab_check "$r: BACKUP again" lab_wait_for "$r BACKUP" 10000 pair_is "$r" BACKUP
lab_check "$r: one keepalived group, running our command line" \
    lab_wait_for "$r ours" 10000 ours_cmdline "$r"
lab_check "$r: one keepalived group and one conntrackd" \
    lab_wait_for "$r one each" 5000 one_each "$r"
lab_check "the MASTER saw no transition" \
    [ "$(pair_transitions "$(pair_master)")" = "$t" ]

lab_done
