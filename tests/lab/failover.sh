# failover.sh: failovers of the vrouter HA pair (pair.sh) with held
# connections, shared by tests/integration/t_survival.sh and
# bench/failover.sh.  Source it after lab.sh and pair.sh.
#
#  - connhold (tests/tools/connhold.c): a server on `up`, a client in c1
#    holding N TCP connections NATed through the master, a bulk stream and
#    a 1 ms UDP stream; each failover is one "round" of the client;
#  - the faults of a master: kill (SIGKILL of keepalived's whole process
#    group), vm (the VM dies: every process killed, links down, QEMU's
#    channel closed), link (public link down), planned (`vrouterctl
#    failover`: a hand-over), planned-fault (the former step-down: FAULT
#    by the standby track file, priority 0), and their repairs;
#  - conntrackd's client against a router's conntrackd.
# Every wait is bounded; only processes the lab started are signalled.

FO_TOOL=$PAIR_BIN/tests/tools/connhold
FO_PORT=7100
FO_CHECK_MS=${FO_CHECK_MS:-10000}

# fo_server: the connhold server on `up`, port FO_PORT; sets FO_SRV.
fo_server()
{
	lab_bg up "$LAB_DIR/connhold-server.log" "$FO_TOOL" server \
	    -p "$FO_PORT" >/dev/null
	FO_SRV=$LAB_PID
	lab_wait_for "connhold server" 2000 lab__listening up "$FO_PORT"
}

# fo_server_counters: the server's counters line (after a SIGUSR1).
fo_server_counters()
{
	local n
	n=$(grep -c '^server counters' "$LAB_DIR/connhold-server.log")
	lab_kill "$FO_SRV" USR1 || return 1
	lab_wait_for "server counters" 2000 fo__more_lines \
	    "$LAB_DIR/connhold-server.log" '^server counters' "$n"
	grep '^server counters' "$LAB_DIR/connhold-server.log" | tail -n 1
}

fo__more_lines()	# FILE RE N
{
	[ "$(grep -c "$2" "$1")" -gt "$3" ]
}

# fo_hold NAME N ACTIVE ROUNDS [CONNHOLD-OPTIONS...]: connhold hold in c1
# with N connections to the server, ACTIVE of them ticked by it, for
# ROUNDS failovers; waits until every connection exchanged once.  Sets
# FO_HOLD (pid) and FO_LOG ($LAB_DIR/NAME.log).
fo_hold()
{
	local name="$1" n="$2" a="$3" r="$4"
	shift 4
	FO_LOG=$LAB_DIR/$name.log
	lab_bg c1 "$FO_LOG" "$FO_TOOL" hold -c "$PAIR_SERVER" -p "$FO_PORT" \
	    -n "$n" -a "$a" -R "$r" -T "$FO_CHECK_MS" "$@" >/dev/null
	FO_HOLD=$LAB_PID
	lab_wait_for "$n connections ready" 30000 grep -q '^ready' "$FO_LOG"
	grep -q "^ready round=0 conns=$n ok=$n " "$FO_LOG"
}

# fo_round K: end round K of the holder (it checks every connection) and
# print its "result round=K" line.
fo_round()
{
	lab_kill "$FO_HOLD" USR1 || return 1
	# two waits of FO_CHECK_MS at most: the pushes, then the echoes
	lab_wait_for "round $1 result" $((2 * FO_CHECK_MS + 5000)) \
	    grep -q "^result round=$1 " "$FO_LOG" || return 1
	grep "^result round=$1 " "$FO_LOG"
}

# fo_hold_end: wait (5 s) for the holder to exit after its last round.
fo_hold_end()
{
	lab_stop "$FO_HOLD" 5000
}

# fo_kv KEY LINE: the value of KEY=value in LINE.
fo_kv()
{
	echo " $2" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"
}

# fo_ct R ARGS...: conntrackd's client on R's conntrackd (at most 5 s).
fo_ct()
{
	local r="$1"
	shift
	lab_exec "$r" timeout 5 conntrackd -C "$LAB_DIR/$r.run/conntrackd.conf" \
	    "$@"
}

# fo_ct_count R internal|external|injected: the entries in R's cache;
# injected: the peer's entries R's conntrackd has written (created or
# updated) into the kernel table (with DisableExternalCache) since it
# started.
fo_ct_count()
{
	fo_ct "$1" -s 2>/dev/null | awk -v w="$2" '
	    w != "injected" && $0 == "cache " w ":" { f = 1; next }
	    w == "injected" && $0 == "external inject:" { f = 1; next }
	    !f { next }
	    /^$/ { exit }
	    w != "injected" && /current active connections/ { print $NF; exit }
	    /connections (created|updated):/ { n += $3 }
	    END { if (w == "injected") print n + 0 }'
}

# fo_ct_inject R: R's conntrackd writes the peer's state straight into the
# kernel (DisableExternalCache yes, the template's way).
fo_ct_inject()
{
	grep -q 'DisableExternalCache yes' "$LAB_DIR/$1.run/conntrackd.conf"
}

# fo_sync_quiet R: wait (at most 10 s) until R's injected count has
# stood still for half a second.  A conntrackd just started gets a full
# resync from its peer, old entries included; a mark taken before that
# dump lands would count it as the new connections' sync.
fo_sync_quiet()
{
	local a b i=0
	b=$(fo_ct_count "$1" injected)
	while [ "$i" -lt 20 ]; do
		sleep 0.5
		a=$b
		b=$(fo_ct_count "$1" injected)
		[ "$a" = "$b" ] && return 0
		i=$((i + 1))
	done
	return 1
}

# fo_sync_mark R: remember how much R's conntrackd has synced so far, for
# fo_synced.
fo_sync_mark()
{
	eval "FO_MARK_$1=\$(fo_ct_count \"\$1\" injected)"
	eval "FO_MARKPID_$1=\$(pair_child_pid \"\$1\" conntrackd)"
}

# fo_synced R N: R's conntrackd got N entries from its peer: since the last
# fo_sync_mark R (or its start) with DisableExternalCache, in its external
# cache otherwise.
fo_synced()
{
	local n m p
	if fo_ct_inject "$1"; then
		n=$(fo_ct_count "$1" injected)
		eval "m=\${FO_MARK_$1:-0} p=\${FO_MARKPID_$1:-}"
		# a conntrackd started since counts from 0
		[ "$(pair_child_pid "$1" conntrackd)" = "$p" ] || m=0
		[ $((${n:-0} - m)) -ge "$2" ]
	else
		n=$(fo_ct_count "$1" external)
		[ "${n:-0}" -ge "$2" ]
	fi
}

# fo_ct_external R: run R's conntrackd with an external cache, as before
# the template chose DisableExternalCache: the commit then has real work
# to do.  Until vrouterd renders conntrackd.conf again.
fo_ct_external()
{
	sed -i 's/DisableExternalCache yes/DisableExternalCache no/' \
	    "$LAB_DIR/$1.run/conntrackd.conf" || return 1
	FO_CT_OLD=$(pair_child_pid "$1" conntrackd)
	fo_ct_signal "$1" TERM
	lab_wait_for "$1's conntrackd restarted" 5000 fo__ct_new "$1"
}

fo__ct_new()
{
	local pid
	pid=$(pair_child_pid "$1" conntrackd) && [ "$pid" != "$FO_CT_OLD" ] &&
	    fo_ct "$1" -s >/dev/null 2>&1
}

# fo_ct_signal R SIG: signal R's conntrackd (STOP, CONT...).
fo_ct_signal()
{
	local pid
	pid=$(pair_child_pid "$1" conntrackd) || return 1
	kill -s "$2" "$pid"
}

fo__t0()
{
	FO_T0=$(date +%H:%M:%S.%3N)
}

# fo_fault R KIND: fail master R (see the top of this file); marks what
# R has synced so far (fo_sync_mark), for fo_settle, and sets FO_T0 to the
# time of day (HH:MM:SS.mmm) just before the fault itself.
fo_fault()
{
	local ka i
	fo_sync_mark "$1"
	case $2 in
	kill)
		ka=$(pair_child_pid "$1" keepalived) || return 1
		fo__t0
		/bin/kill -s KILL -- "-$ka"
		;;
	vm)
		fo__t0
		pair_fault "$1" all
		for i in "$LAB_HV_UPLINK" "$LAB_PRIV_IF" "$LAB_SYNC_IF"; do
			lab_exec "$1" ip link set dev "$i" down
		done
		if [ "$1" = r1 ]; then
			lab_stop "$LAB_R1_RELAY_PID" 500
		else
			lab_stop "$LAB_R2_RELAY_PID" 500
		fi
		;;
	link)
		fo__t0
		pair_fault "$1" link
		;;
	planned)
		fo__t0
		pair_ctl "$1" failover >/dev/null
		;;
	planned-fault)
		# the step-down vrouterd did before the hand-over: the
		# standby track file, FAULT and a priority-0 advert, the
		# host told at once; released by fo_repair
		fo__t0
		echo 1 >"$LAB_DIR/$1.run/standby.new" &&
		    mv "$LAB_DIR/$1.run/standby.new" "$LAB_DIR/$1.run/standby"
		;;
	*)
		lab__err "fo_fault: unknown kind $2"
		return 1
		;;
	esac
}

# fo_repair R KIND: undo fo_fault; R comes back as BACKUP by itself.
fo_repair()
{
	local i
	case $2 in
	vm)
		for i in "$LAB_HV_UPLINK" "$LAB_PRIV_IF" "$LAB_SYNC_IF"; do
			lab_exec "$1" ip link set dev "$i" up
		done
		rm -f "$LAB_DIR/$1.relay.pid"
		lab_relay "$1" "hv${1#r}" || return 1
		if [ "$1" = r1 ]; then
			LAB_R1_RELAY_PID=$LAB_PID
		else
			LAB_R2_RELAY_PID=$LAB_PID
		fi
		pair_vrouterd "$1"
		;;
	link)
		pair_repair "$1" link
		;;
	planned-fault)
		sleep 0.5
		echo 0 >"$LAB_DIR/$1.run/standby.new" &&
		    mv "$LAB_DIR/$1.run/standby.new" "$LAB_DIR/$1.run/standby"
		;;
	esac
}

# fo_status_key R OBJECT KEY: KEY of the top-level OBJECT in R's
# `vrouterctl -j status` ("host", "sync"...).
fo_status_key()
{
	pair_ctl "$1" -j status 2>/dev/null | awk -v o="  \"$2\": {" \
	    -v k="\"$3\":" '
	    $0 == o { f = 1; next }
	    f && /^  \}/ { exit }
	    f && $1 == k { v = $2; gsub(/[",]/, "", v); print v; exit }'
}

# fo_host_acked R: R's host agent acked R's current state on the current
# channel connection (after a VM crash, hostd reconnects to the new channel
# every 50 ms for 30 s, then with a backoff of up to 2 s; until then a
# MASTER claim waits).
fo_host_acked()
{
	[ "$(fo_status_key "$1" host acked)" = true ]
}

# fo_stable: one node is MASTER, the other BACKUP.
fo_stable()
{
	{ pair_is r1 MASTER && pair_is r2 BACKUP; } ||
	    { pair_is r2 MASTER && pair_is r1 BACKUP; }
}

# fo_settle R N: R is BACKUP again, its host agent knows, and it has
# synced N entries from the new master since the fault (at most 20 s).
fo_settle()
{
	lab_wait_for "$1 BACKUP" 20000 pair_is "$1" BACKUP &&
	    lab_wait_for "$1's host agent" 10000 fo_host_acked "$1" &&
	    lab_wait_for "$1 synced $2" 20000 fo_synced "$1" "$2"
}

# fo_machine: the line the pair's benchmarks start with: CPUs, kernel and
# the versions of keepalived and conntrackd.
fo_machine()
{
	printf 'machine: nproc %s, cpu "%s", kernel %s, keepalived %s, conntrackd %s\n' \
	    "$(nproc)" \
	    "$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)" \
	    "$(uname -r)" \
	    "$(keepalived --version 2>&1 | sed -n '1s/Keepalived v\([^ ]*\).*/\1/p')" \
	    "$(conntrackd -v 2>&1 | sed -n 's/.* v\([0-9][0-9.]*[0-9]\).*/\1/p' | head -n 1)"
}
