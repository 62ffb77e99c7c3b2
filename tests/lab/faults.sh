# shellcheck shell=dash
# faults.sh: the fault matrix of the vrouter HA pair (pair.sh): single
# faults of software and links, injected while the pair holds TCP
# connections and a 1 ms UDP echo stream runs, and what each cost.  Shared
# by bench/faults.sh (every case, repeatedly, figures) and
# tests/integration/t_faults.sh (each case once, outcomes asserted).
# Source it after lab.sh, pair.sh and failover.sh.
#
# The cases (FAULT_CASES), M the MASTER and B the BACKUP at the start:
#   hostd-kill       SIGKILL of vrouter-hostd on M's hypervisor, started
#                    again FAULT_HOSTD_S (2) s later
#   ct-kill-master   SIGKILL of M's conntrackd (vrouterd restarts it)
#   ct-kill-backup   SIGKILL of B's conntrackd
#   sync-down-backup B's sync interface down for FAULT_SYNC_S (10) s (one
#                    veth pair: M's end loses its carrier too)
#   sync-down-master the same on M
#   vrouterd-restart SIGKILL of M's vrouterd, started again FAULT_VRD_S
#                    (3) s later (a crash, or an upgrade that restarts it)
#   vrouterd-dead-ka-kill  the same, and 1 s after vrouterd also SIGKILL
#                    of keepalived's main process on M; vrouterd is back
#                    FAULT_REVIVE_MS (FAULT_VRD_S - 1 s) after that (the
#                    unit's restart takes RestartSec=200ms and the start)
#   advert-cut       the private segment, which carries the VRRP adverts,
#                    cut between the two routers for FAULT_CUT_S (5) s,
#                    silently (bridge port isolation in the switch: no
#                    carrier change, the client still reaches both)
#   advert-cut-sync  the sync link cut silently for FAULT_CUT_S s (every
#                    packet on M's sync interface dropped, both ways)
#   chan-cut         M's virtio-serial channel cut: its chardev relay (the
#                    lab's QEMU) killed, started again FAULT_CHAN_S (3) s
#                    later
#   master-crash     M's VM dies (every process killed, links down, the
#                    channel closed) and returns FAULT_CRASH_S (3) s
#                    later: the one unavoidable failover
#
# What a run measures (fault_run prints it as one key=value line):
#   outage_ms   the longest gap in the UDP echoes (or the longest run of
#               echoes lost, for a loss the stream's end cut short);
#               lost: echoes lost
#   both_ms     from the fault to the end of the run, how long both
#               hypervisors held the VIP route (203.0.113.10/32 proto
#               241); none_ms how long neither did.  Event driven:
#               bench/vipmon in each hypervisor's namespace, so to the ms
#   converge_ms from the end of the fault (the last restart or repair) to
#               converged: one MASTER and one BACKUP, only the MASTER's
#               hypervisor routes the VIP, both host agents acked, sync
#               healthy where status says, keepalived and conntrackd
#               running on both; polled every ~50 ms; "-" = not within
#               FAULT_CONVERGE_MS
#   kept        held connections that answered after the fault (of conns;
#               reset and silent as connhold says)
#   ka_r1 ct_r1 ka_r2 ct_r2  afterwards: keepalived process groups and
#               conntrackd processes in each router's namespace
#   role        kept: M is MASTER afterwards; moved: B is
#   trans_b     VRRP transitions B went through (its vrouterd's count)
#
# Only processes the lab started (lab_bg's records), or that run inside a
# router's own lab namespace (vrouterd's children, found through status
# or `ip netns pids`), are signalled; lab_cleanup kills whatever a killed
# vrouterd left behind in the lab's namespaces.  Every wait is bounded.

FAULT_CASES="hostd-kill ct-kill-master ct-kill-backup sync-down-backup
sync-down-master vrouterd-restart vrouterd-dead-ka-kill advert-cut
advert-cut-sync chan-cut master-crash"
FAULT_MON=$PAIR_BIN/bench/vipmon
FAULT_CONVERGE_MS=${FAULT_CONVERGE_MS:-30000}
FAULT_TAIL_MS=${FAULT_TAIL_MS:-3000}
FAULT_HOSTD_S=${FAULT_HOSTD_S:-2}
FAULT_SYNC_S=${FAULT_SYNC_S:-10}
FAULT_VRD_S=${FAULT_VRD_S:-3}
FAULT_REVIVE_MS=${FAULT_REVIVE_MS:-$(((FAULT_VRD_S - 1) * 1000))}
FAULT_CUT_S=${FAULT_CUT_S:-5}
FAULT_CHAN_S=${FAULT_CHAN_S:-3}
FAULT_CRASH_S=${FAULT_CRASH_S:-3}

fault__now()	{ date +%s%3N; }

fault__err()
{
	echo "faults: $*" >&2
}

# fault_known CASE: CASE is one of FAULT_CASES.
fault_known()
{
	local k
	for k in $FAULT_CASES; do
		[ "$k" != "$1" ] || return 0
	done
	return 1
}

# fault_length_ms CASE: how long CASE's fault lasts, until its repair.
fault_length_ms()
{
	case $1 in
	hostd-kill)		echo $((FAULT_HOSTD_S * 1000)) ;;
	sync-down-*)		echo $((FAULT_SYNC_S * 1000)) ;;
	vrouterd-*)		echo $((FAULT_VRD_S * 1000)) ;;
	advert-cut*)		echo $((FAULT_CUT_S * 1000)) ;;
	chan-cut)		echo $((FAULT_CHAN_S * 1000)) ;;
	master-crash)		echo $((FAULT_CRASH_S * 1000)) ;;
	*)			echo 0 ;;
	esac
}

# ---------------------------------------------------------------- processes

# fault_procs R: "KA CT" for router R: keepalived process groups and
# conntrackd daemons (`conntrackd -C FILE`, not vrouterd's short runs of
# `conntrackd -C FILE -s` and the like) in R's namespace (zombies not
# counted).
fault_procs()
{
	local pid ka="" ct=0 st
	for pid in $(ip netns pids "$LAB$1" 2>/dev/null); do
		st=$(sed -n 's/.*) //p' "/proc/$pid/stat" 2>/dev/null) ||
		    continue
		# shellcheck disable=SC2086
		set -- $st
		[ "$1" != Z ] || continue
		case $(cat "/proc/$pid/comm" 2>/dev/null) in
		keepalived)
			case " $ka " in *" $3 "*) ;; *) ka="$ka $3" ;; esac ;;
		conntrackd)
			[ "$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null |
			    wc -l)" = 3 ] && ct=$((ct + 1)) ;;
		esac
	done
	# shellcheck disable=SC2086
	set -- $ka
	echo "$# $ct"
}

# fault__running R: R runs at least one keepalived and (when enabled) one
# conntrackd.
fault__running()
{
	local p
	p=$(fault_procs "$1")
	[ "${p% *}" -ge 1 ] || return 1
	[ "${PAIR_CONNTRACKD:-true}" != true ] || [ "${p#* }" -ge 1 ]
}

# fault_ka_leaders R: the pids of keepalived main processes (process
# group leaders) in R's namespace.
fault_ka_leaders()
{
	local pid pg
	for pid in $(ip netns pids "$LAB$1" 2>/dev/null); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = keepalived ] ||
		    continue
		pg=$(sed -n 's/.*) //p' "/proc/$pid/stat" 2>/dev/null |
		    awk '{ print $3 }')
		[ "$pg" = "$pid" ] && echo "$pid"
	done
}

# fault__lab_pid NS COMM: the pid of a process named COMM in ${LAB}NS that
# the lab started (lab_bg recorded it), if one runs.
fault__lab_pid()
{
	local pid start
	for pid in $(ip netns pids "$LAB$1" 2>/dev/null); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || continue
		start=$(lab__recorded "$pid") || continue
		lab__alive "$pid" "$start" && { echo "$pid"; return 0; }
	done
	return 1
}

# ---------------------------------------------------------------- state

# fault__status R: "STATE ACKED HEALTHY" from one `vrouterctl -j status`
# of R: "-" for what it does not say (HEALTHY: sync.healthy, which older
# vrouterds lack).
fault__status()
{
	pair_ctl "$1" -j status 2>/dev/null | awk '
	    /^  "[a-z_]*": \{/ { o = $1; next }
	    /^  \}/ { o = ""; next }
	    /^  "state":/ { s = $2 }
	    o == "\"host\":" && $1 == "\"acked\":" { a = $2 }
	    o == "\"sync\":" && $1 == "\"healthy\":" { h = $2 }
	    END {
		gsub(/[",]/, "", s); gsub(/[",]/, "", a); gsub(/[",]/, "", h)
		print (s == "" ? "-" : s), (a == "" ? "-" : a),
		    (h == "" ? "-" : h)
	    }'
}

# fault_converged: one MASTER and one BACKUP, only the MASTER's hypervisor
# routes the VIP, both host agents acked the current state, sync healthy
# on both where status has the key, and keepalived and conntrackd run on
# both.  Sets FAULT_MASTER.
fault_converged()
{
	local s1 s2 s m o
	s1=$(fault__status r1)
	s2=$(fault__status r2)
	case "${s1%% *} ${s2%% *}" in
	"MASTER BACKUP") m=r1 o=r2 ;;
	"BACKUP MASTER") m=r2 o=r1 ;;
	*) return 1 ;;
	esac
	for s in "$s1" "$s2"; do
		# shellcheck disable=SC2086
		set -- $s
		[ "$2" = true ] && [ "$3" != false ] || return 1
	done
	pair_only_route "hv${m#r}" "hv${o#r}" || return 1
	fault__running r1 && fault__running r2 || return 1
	FAULT_MASTER=$m
}

# ---------------------------------------------------------------- timeline

# fault_vipmon_start SECS: bench/vipmon in hv1 and hv2 for at most SECS,
# into $LAB_DIR/vipmon-hvN.log; returns once both said where they start.
fault_vipmon_start()
{
	local h
	for h in hv1 hv2; do
		lab_bg "$h" "$LAB_DIR/vipmon-$h.log" "$FAULT_MON" "$LAB_VIP" \
		    "$1" >/dev/null
		lab_wait_for "vipmon in $h" 3000 \
		    grep -q . "$LAB_DIR/vipmon-$h.log" || return 1
	done
}

# fault_held FROM_MS TO_MS: "BOTH NONE", the milliseconds (one decimal)
# between FROM_MS and TO_MS (since the epoch) when both hypervisors held
# the VIP route, and when neither did, from the vipmon timelines.
fault_held()
{
	{
		awk '{ print $1, 1, $2 }' "$LAB_DIR/vipmon-hv1.log"
		awk '{ print $1, 2, $2 }' "$LAB_DIR/vipmon-hv2.log"
	} | sort -n -k1,1 -s | awk -v a="$1" -v b="$2" '
	    function span(t) {
		if (t <= last) return
		if (s[1] > 0 && s[2] > 0) both += t - last
		if (s[1] == 0 && s[2] == 0) none += t - last
		last = t
	    }
	    BEGIN { a *= 1000; b *= 1000; last = a; s[1] = s[2] = -1 }
	    { t = $1 + 0; if (t > b) exit; if (t > a) span(t); s[$2] = $3 + 0 }
	    END { span(b); printf "%.1f %.1f\n", both / 1000, none / 1000 }'
}

# ---------------------------------------------------------------- traffic

# fault__udp_start MS: the 1 ms UDP echo stream from c1 to the connhold
# server for MS ms; sets FAULT_UDP_LOG.
fault__udp_start()
{
	FAULT_UDP_LOG=$LAB_DIR/udp.$(fault__now).log
	lab_bg c1 "$FAULT_UDP_LOG" "$FO_TOOL" udp -c "$PAIR_SERVER" \
	    -p "$FO_PORT" -i 1000 -d "$1" >/dev/null
}

fault__udp_result()
{
	lab_wait_for "udp stream" 60000 grep -q '^udp' "$FAULT_UDP_LOG" ||
	    return 1
	grep '^udp' "$FAULT_UDP_LOG"
}

# fault_synced R N: R's kernel holds N established connections to the
# connhold server (its conntrackd got them from the master, or R was the
# master itself): what a failover to R needs.
fault_synced()
{
	local n
	n=$(lab_exec "$1" conntrack -L -p tcp --dport "$FO_PORT" \
	    --state ESTABLISHED 2>/dev/null | grep -c .)
	[ "${n:-0}" -ge "$2" ]
}

# fault_hold N ACTIVE: connhold in c1 holding N connections (ACTIVE of
# them ticked by the server) for many rounds, each one fault; waits until
# the BACKUP's kernel has them all.  Sets FAULT_CONNS and FAULT_ACTIVE.
fault_hold()
{
	FAULT_CONNS=$1 FAULT_ACTIVE=$2
	FAULT_ROUND=0
	fo_hold "hold.$(fault__now)" "$1" "$2" 100000 -w 3600 ||
	    { fault__err "connhold: $(tail -n 2 "$FO_LOG")"; return 1; }
	lab_wait_for "$(pair_other "$(pair_master)") synced $1" 60000 \
	    fault_synced "$(pair_other "$(pair_master)")" "$1"
}

# fault_lab_up N ACTIVE SECS: a fresh pair (pair_setup), converged, the
# connhold server, the route monitors for SECS seconds, N held
# connections synced to the BACKUP.
fault_lab_up()
{
	pair_setup >/dev/null || return 1
	lab_wait_for "the pair to converge" 30000 fault_converged || return 1
	lab_wait_for "client" 5000 pair_client_ok || return 1
	fo_server >/dev/null || return 1
	fault_vipmon_start "$3" || return 1
	fault_hold "$1" "$2"
}

# fault_settle: after a run, until the next can start: converged, and the
# BACKUP's kernel holds the held connections (at most 60 s).
fault_settle()
{
	lab_wait_for "the pair to converge" 30000 fault_converged &&
	    lab_wait_for "the BACKUP synced" 60000 fault_synced \
	    "$(pair_other "$FAULT_MASTER")" "$FAULT_CONNS" &&
	    sleep 1
}

# ---------------------------------------------------------------- faults

# fault_inject CASE M: inject CASE into the pair whose MASTER is M, and
# repair it; returns after the repair.  Sets FAULT_T0 (the fault) and
# FAULT_T1 (the end of the repair), in ms since the epoch.  Must run in
# the test's shell (it starts processes).
fault_inject()
{
	local c="$1" m="$2" b h pid pids i
	b=$(pair_other "$m") h=hv${m#r}
	case $c in
	hostd-kill)
		pid=$(fault__lab_pid "$h" vrouter-hostd) ||
		    { fault__err "no hostd on $h"; return 1; }
		FAULT_T0=$(fault__now)
		lab_kill "$pid" KILL
		wait "$pid" 2>/dev/null
		sleep "$FAULT_HOSTD_S"
		pair_hostd "$h" "$m" "$LAB_DIR/$m.sock" || return 1
		;;
	ct-kill-master|ct-kill-backup)
		[ "$c" = ct-kill-backup ] && m=$b
		pid=$(pair_child_pid "$m" conntrackd) ||
		    { fault__err "no conntrackd in $m"; return 1; }
		FAULT_T0=$(fault__now)
		kill -s KILL "$pid"
		;;
	sync-down-backup|sync-down-master)
		[ "$c" = sync-down-backup ] && m=$b
		FAULT_T0=$(fault__now)
		lab_exec "$m" ip link set dev "$LAB_SYNC_IF" down || return 1
		sleep "$FAULT_SYNC_S"
		lab_exec "$m" ip link set dev "$LAB_SYNC_IF" up || return 1
		;;
	vrouterd-restart|vrouterd-dead-ka-kill)
		eval "pid=\$PAIR_VRD_$m"
		FAULT_T0=$(fault__now)
		lab_kill "$pid" KILL ||
		    { fault__err "$m's vrouterd not running"; return 1; }
		wait "$pid" 2>/dev/null
		if [ "$c" = vrouterd-dead-ka-kill ]; then
			sleep 1
			pids=$(fault_ka_leaders "$m")
			[ -n "$pids" ] ||
			    { fault__err "no keepalived in $m"; return 1; }
			# shellcheck disable=SC2086
			kill -s KILL $pids
			sleep "$(awk -v ms="$FAULT_REVIVE_MS" \
			    'BEGIN { printf "%.3f", ms / 1000 }')"
		else
			sleep "$FAULT_VRD_S"
		fi
		pair_vrouterd "$m" || return 1
		;;
	advert-cut)
		FAULT_T0=$(fault__now)
		fault__isolate on || return 1
		sleep "$FAULT_CUT_S"
		fault__isolate off || return 1
		;;
	advert-cut-sync)
		FAULT_T0=$(fault__now)
		fault__sync_drop "$m" -I || return 1
		sleep "$FAULT_CUT_S"
		fault__sync_drop "$m" -D || return 1
		;;
	chan-cut)
		eval "pid=\$LAB_R${m#r}_RELAY_PID"
		FAULT_T0=$(fault__now)
		lab_kill "$pid" KILL ||
		    { fault__err "$m's relay not running"; return 1; }
		wait "$pid" 2>/dev/null
		sleep "$FAULT_CHAN_S"
		rm -f "$LAB_DIR/$m.relay.pid"
		lab_relay "$m" "$h" || return 1
		eval "LAB_R${m#r}_RELAY_PID=\$LAB_PID"
		;;
	master-crash)
		# fo_fault's vm, timed here
		FAULT_T0=$(fault__now)
		pair_fault "$m" all
		for i in "$LAB_HV_UPLINK" "$LAB_PRIV_IF" "$LAB_SYNC_IF"; do
			lab_exec "$m" ip link set dev "$i" down
		done
		eval "pid=\$LAB_R${m#r}_RELAY_PID"
		lab_stop "$pid" 500
		sleep "$FAULT_CRASH_S"
		fo_repair "$m" vm || return 1
		;;
	*)
		fault__err "unknown case: $c"
		return 1
		;;
	esac
	FAULT_T1=$(fault__now)
}

# The private segment between the routers on (cut) or off: their switch
# ports isolated from each other, the client's port not.
fault__isolate()
{
	lab_exec sw bridge link set dev l-r1 isolated "$1" &&
	    lab_exec sw bridge link set dev l-r2 isolated "$1"
}

# Every packet in and out of R's sync interface dropped (-I) or no more
# (-D): a cut no carrier shows.
fault__sync_drop()
{
	lab_exec "$1" iptables -w "$2" INPUT -i "$LAB_SYNC_IF" -j DROP &&
	    lab_exec "$1" iptables -w "$2" OUTPUT -o "$LAB_SYNC_IF" -j DROP
}

# ---------------------------------------------------------------- one run

# fault_run CASE: one run of CASE on the converged pair: the UDP stream
# across it, the fault and its repair, the wait for convergence, the held
# connections' check, the route timeline.  Prints one line of key=value
# (see the top of this file).  Returns 1 only when the run could not be
# made (no fault injected, a tool failed); a bad outcome is a figure.
# Must run in the test's shell.
fault_run()
{
	local c="$1" m b tb ta u r hd conv=- role=- t2 p1 p2
	m=$(pair_master) b=$(pair_other "$m")
	pair_is "$m" MASTER || { fault__err "$c: no MASTER before"; return 1; }
	tb=$(pair_transitions "$b")
	fault__udp_start $(($(fault_length_ms "$c") + FAULT_TAIL_MS))
	sleep 0.3
	fault_inject "$c" "$m" || { fault__err "$c: not injected"; return 1; }
	if lab_wait_for "$c: convergence" "$FAULT_CONVERGE_MS" \
	    fault_converged; then
		conv=$(($(fault__now) - FAULT_T1))
		role=kept
		[ "$FAULT_MASTER" = "$m" ] || role=moved
	fi
	u=$(fault__udp_result) || { fault__err "$c: no UDP result"; return 1; }
	FAULT_ROUND=$((FAULT_ROUND + 1))
	r=$(fo_round "$FAULT_ROUND") || r=
	t2=$(fault__now)
	hd=$(fault_held "$FAULT_T0" "$t2")
	ta=$(pair_transitions "$b")
	p1=$(fault_procs r1) p2=$(fault_procs r2)
	echo "case=$c master=$m outage_ms=$(fault__outage "$u")" \
	    "lost=$(fo_kv lost "$u") both_ms=${hd% *} none_ms=${hd#* }" \
	    "converge_ms=$conv conns=$FAULT_CONNS kept=$(fo_kv ok "$r")" \
	    "reset=$(fo_kv reset "$r") silent=$(fo_kv silent "$r")" \
	    "ka_r1=${p1% *} ct_r1=${p1#* } ka_r2=${p2% *} ct_r2=${p2#* }" \
	    "role=$role trans_b=$(fault__delta "$tb" "$ta")"
}

# The client's outage in ms from connhold's udp line: the longest gap
# between two echoes, or the longest run of datagrams lost in a row, as
# long as they were sent (that counts a loss that lasted until the stream
# ended, where no later echo closes the gap).
fault__outage()
{
	echo "$1" | awk '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		gap = v["gap_max_ms"] + 0
		run = v["lost_run_max"] * v["interval_us"] / 1000
		printf "%.1f\n", (gap > run ? gap : run)
	    }'
}

fault__delta()	# BEFORE AFTER
{
	if [ -n "$1" ] && [ -n "$2" ]; then
		echo $(($2 - $1))
	else
		echo -
	fi
}

# fault_clean LINE: the run LINE (fault_run's) left a pair worth going on
# with: it converged, and exactly one keepalived group and one conntrackd
# run per router.
fault_clean()
{
	local k
	for k in ka_r1 ct_r1 ka_r2 ct_r2; do
		[ "$(fo_kv "$k" "$1")" = 1 ] || return 1
	done
	[ "$(fo_kv converge_ms "$1")" != - ]
}

# fault_next LINE: after the run LINE, get the pair ready for the next
# run: settled, and a new holder of FAULT_CONNS connections if this run
# lost any.  Returns 1 if the pair is not worth going on with (see
# fault_clean) or does not settle: the caller builds a new lab.
fault_next()
{
	fault_clean "$1" || return 1
	fault_settle || return 1
	if [ "$(fo_kv kept "$1")" != "$FAULT_CONNS" ] ||
	    [ "$(fo_kv reset "$1")" != 0 ] || [ "$(fo_kv silent "$1")" != 0 ]
	then
		lab_stop "$FO_HOLD" 5000
		fault_hold "$FAULT_CONNS" "$FAULT_ACTIVE" || return 1
	fi
}
