#!/bin/sh
# shellcheck shell=dash
# failover.sh: how long a failover of the vrouter HA pair interrupts
# traffic and what it costs the established connections, in the namespace
# lab (tests/lab/pair.sh: vrouterd + keepalived + conntrackd on r1 and r2,
# vrouter-hostd on the hypervisors).  It prints figures and never judges
# them; it fails only if a lab cannot be built or a measured step did not
# happen (no new master, no route).
#
# Each failover: connhold (tests/tools/connhold.c) holds FO_CONNS TCP
# connections from the client c1 to a server on `up`, NATed through the
# master (FO_ACTIVE of them ticked by the server every 50 ms, the rest
# idle) and a server-to-client bulk stream; a 1 ms UDP echo stream runs
# from c1 across the fault.  Per run:
#   outage_ms   the longest gap in the UDP echoes (what a client sees)
#   lost        UDP echoes lost (1 per ms of outage, both directions)
#   detect_ms   fault -> the new master's vrouterd says MASTER (its log)
#   route_ms    fault -> the new master's hypervisor installs the route
#   withdrawn_ms  fault -> the old master's hypervisor withdraws its route
#               (make-before-break: after route_ms)
#   commit_ms   the new master's `conntrackd -c` step
#   ok reset silent timeout   connholds' check after the failover: each
#               connection answers; reset = answered with a RST; silent =
#               the server's ticks did not come through before the client
#               spoke (the router lost the state)
#   bulk_stall_ms  the bulk stream's longest gap (TCP's retransmission
#               backoff on top of the outage)
# Kinds of fault:
#   kill     SIGKILL of the master's keepalived process group
#   vm       the master VM dies: every process killed, links down, QEMU's
#            channel closed
#   link     the master's public link goes down
#   planned  `vrouterctl failover` on the master: it yields (priority
#            1), the backup preempts it, and its host keeps the route for
#            a drain after the backup is MASTER (make-before-break)
#   planned-fault  the step-down vrouterd did before: the standby track
#            file written by hand, FAULT and a priority-0 advert, the host
#            told at once (break-before-make), released 0.5 s later
#   preempt  a planned switchover the other way round: the backup is
#            reloaded with a higher priority and preemption, takes over,
#            and is reloaded back
#
# Sections (FO_SECTIONS, all by default):
#   advert   FO_RUNS kill failovers at each advert interval of FO_ADVERTS
#   kinds    FO_RUNS failovers of each of FO_KINDS at FO_ADVERT
#   thesis   FO_THESIS_RUNS kill failovers with the thesis's settings:
#            advert 1 s, no conntrackd; same lab, same connections
#   cache    FO_RUNS kill failovers at FO_ADVERT with FO_FLOWS extra UDP
#            conntrack entries, conntrackd with and without its external
#            cache (the commit's cost)
#   failback the old master returning (preemption off) with the 1 ms UDP
#            stream running: echoes lost, and whether it took the role
#            back; FO_FAILBACK_RUNS returns of each of FO_FAILBACK_KINDS,
#            with FO_FAILBACK_FLOWS extra UDP conntrack entries (0) and,
#            with FO_FAILBACK_HOG=1, a CPU hog spinning throughout
#   synclink the sync link (one veth pair: point to point) cut for
#            FO_CUT_S seconds while both nodes live, FO_RUNS times: the
#            1 ms UDP stream's outage, VRRP transitions, samples where
#            not exactly one hypervisor routed the VIP, and how long the
#            backup took, once the link was back, to get 1,000 UDP flows
#            opened during the cut; then FO_RUNS deaths of the master VM,
#            whose links going down take the survivor's sync link
#            carrier: the survivor must stay MASTER for 5 s
#   hog      a CPU hog (a busy loop per core, bounded) beside an idle pair
#            for FO_HOG_S seconds per advert interval: unexpected
#            transitions (spurious failovers); then the longest freeze
#            (SIGSTOP) of the master's VRRP process that does not fail it
#            over
#   migrate  FO_RUNS live migrations of the master to the other hypervisor
#            (tests/lab/migrate.sh) per freeze of FO_MIG_FREEZES (ms):
#            migrate (the source's `vrouterctl host vm yield` first, as the
#            Ganeti pre hook does) and migrate-noyield
# Output: per-run lines, then median and p95 per setting; CSV and a PNG
# plot (gnuplot) in FO_OUT (bench/out).
#
# usage: bench/failover.sh [BUILD_DIR]        (as root; exit 77 = skipped)
# environment: FO_SECTIONS, FO_RUNS (20), FO_CONNS (10000), FO_ACTIVE
# (500), FO_ADVERT (default: vrouterd's), FO_ADVERTS ("10 20 30 50 100"),
# FO_KINDS ("kill vm link planned planned-fault preempt preempt-hold"),
# FO_THESIS_RUNS
# (5), FO_CACHE_RUNS (5), FO_FLOWS (100000), FO_HOG_S (60), FO_OUT
# (bench/out); FO_MIG_FREEZES ("50 200 500"); FO_REPORT="A.csv B.csv":
# no runs, only the report of those CSVs merged.  (vrouterd itself moves
# conntrackd out of its realtime class.)  FO_KA_RT=PRIO: an experiment,
# keepalived's VRRP process realtime (vrrp_rt_priority PRIO instead of
# vrrp_priority -20, with vrrp_rlimit_rttime FO_KA_RTTIME, default
# 1000000 us), from a copy of the templates in FO_OUT.

LAB_ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB_BUILD=${1:-${B:-build}}
case $LAB_BUILD in
/*) ;;
*) if [ -d "$LAB_BUILD" ]; then LAB_BUILD=$(pwd)/$LAB_BUILD
   else LAB_BUILD=$LAB_ROOT/$LAB_BUILD; fi ;;
esac
export TZ=UTC	# the daemons' log times, compared with ours
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/lab.sh"
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/pair.sh"
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/failover.sh"
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/migrate.sh"

SECTIONS=${FO_SECTIONS:-advert kinds thesis cache failback synclink hog migrate}
MIG_FREEZES=${FO_MIG_FREEZES:-50 200 500}
RUNS=${FO_RUNS:-20}
CONNS=${FO_CONNS:-10000}
ACTIVE=${FO_ACTIVE:-500}
ADVERTS=${FO_ADVERTS:-10 20 30 50 100}
KINDS=${FO_KINDS:-kill vm link planned planned-fault preempt preempt-hold}
THESIS_RUNS=${FO_THESIS_RUNS:-5}
CACHE_RUNS=${FO_CACHE_RUNS:-5}
FAILBACK_RUNS=${FO_FAILBACK_RUNS:-$RUNS}
FAILBACK_KINDS=${FO_FAILBACK_KINDS:-kill vm}
FAILBACK_FLOWS=${FO_FAILBACK_FLOWS:-0}
TAG=${FO_KA_RT:+-rt$FO_KA_RT}
FLOWS=${FO_FLOWS:-100000}
HOG_S=${FO_HOG_S:-60}
OUT=${FO_OUT:-$LAB_ROOT/bench/out}
CSV=$OUT/failover.csv
BULK_KBPS=20000
FO_CHECK_MS=5000

if [ "$(id -u)" != 0 ]; then
	echo "failover.sh: skipped: needs root" >&2
	exit 77
fi
for b in "$FO_TOOL" "$PAIR_BIN/vrouterd" "$PAIR_BIN/vrouter-hostd"; do
	if [ ! -x "$b" ]; then
		echo "failover.sh: $b not built (make B=... all)" >&2
		exit 1
	fi
done
mkdir -p "$OUT" || exit 1
# vrouterd's default advert interval: what a router.json without one gets.
DEFAULT_ADVERT=$(sed -n 's/^#define DEF_ADVERT_MS[[:space:]]*\([0-9]*\).*/\1/p' \
    "$LAB_ROOT/router-json/config.c")
ADVERT=${FO_ADVERT:-${DEFAULT_ADVERT:-50}}

now_ms()	{ date +%s%3N; }
# Milliseconds since midnight (UTC) of "HH:MM:SS.mmm".
day_ms()
{
	echo "$1" | awk -F'[:.]' '{ print (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }'
}

# The time (ms of the day) of the first line of FILE after line FROM
# matching RE, which starts with HH:MM:SS.mmm.
log_time()	# FILE FROM RE
{
	awk -v from="$2" -v re="$3" 'NR > from && $0 ~ re {
		split($1, a, /[:.]/)
		print ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4]; exit }' "$1"
}

lines()	{ wc -l <"$1" 2>/dev/null || echo 0; }

load()	{ cut -d' ' -f1-3 /proc/loadavg; }

# FO_KA_RT=PRIO: a copy of the templates with keepalived's VRRP process
# realtime, for the pair's vrouterds (PAIR_TMPLDIR).
ka_rt_templates()
{
	[ -n "${FO_KA_RT:-}" ] || return 0
	PAIR_TMPLDIR=$OUT/templates$TAG
	export PAIR_TMPLDIR
	mkdir -p "$PAIR_TMPLDIR" && cp "$LAB_ROOT"/templates/* "$PAIR_TMPLDIR" ||
	    die "templates"
	sed -i "s/^\tvrrp_priority -20\$/\tvrrp_rt_priority $FO_KA_RT\n\tvrrp_rlimit_rttime ${FO_KA_RTTIME:-1000000}/" \
	    "$PAIR_TMPLDIR/keepalived.conf.mustache"
	grep -q "vrrp_rt_priority $FO_KA_RT" \
	    "$PAIR_TMPLDIR/keepalived.conf.mustache" ||
	    die "FO_KA_RT: no vrrp_priority line to replace"
}

die()
{
	echo "failover.sh: $*" >&2
	exit 1
}

# ---------------------------------------------------------------- one lab

# lab_up ADVERT_MS CONNTRACKD(true|false) [HOLD_CONNS]: the pair, the
# connhold server, and a holder of HOLD_CONNS (CONNS) connections with a
# bulk stream, synced to the backup.  Runs in the caller's (sub)shell.
lab_up()
{
	PAIR_ADVERT_MS=$1 PAIR_CONNTRACKD=$2
	export PAIR_ADVERT_MS PAIR_CONNTRACKD
	pair_setup >/dev/null || die "pair_setup failed"
	lab_wait_for "r1 MASTER" 15000 pair_is r1 MASTER || die "no MASTER"
	lab_wait_for "r2 BACKUP" 10000 pair_is r2 BACKUP || die "no BACKUP"
	lab_wait_for "hv1 route" 5000 pair_route hv1 || die "no route"
	lab_wait_for "client" 5000 pair_client_ok || die "client"
	fo_server >/dev/null || die "connhold server"
	[ "$2" = true ] && fo_sync_mark r2
	fo_hold hold "${3:-$CONNS}" "$ACTIVE" 100000 -w 600 \
	    -b "$BULK_KBPS" || die "connhold: $(tail -n 2 "$FO_LOG")"
	ROUND=0
	if [ "$2" = true ]; then
		lab_wait_for "r2 synced" 60000 fo_synced r2 "${3:-$CONNS}" ||
		    die "r2 did not sync"
	fi
}

# The 1 ms UDP echo stream from c1, MS long; sets UDP (pid), UDP_LOG.
udp_start()	# MS
{
	UDP_LOG=$LAB_DIR/udp.$(now_ms).log
	lab_bg c1 "$UDP_LOG" "$FO_TOOL" udp -c "$PAIR_SERVER" -p "$FO_PORT" \
	    -i 1000 -d "$1" >/dev/null
	UDP=$LAB_PID
}

udp_result()
{
	lab_wait_for "udp stream" 30000 grep -q '^udp' "$UDP_LOG" ||
	    die "udp stream did not end"
	grep '^udp' "$UDP_LOG"
}

# measure SECTION SETTING KIND: one failover of the master; one CSV row.
measure()
{
	local section="$1" setting="$2" kind="$3" m b from_v from_h t0
	local det route commit u res stream from_o wd
	m=$(pair_master) b=$(pair_other "$m")
	pair_is "$m" MASTER || die "no master before the run"
	fo_sync_mark "$b"	# for settle, should the old master take over
	from_v=$(lines "$LAB_DIR/$b.vrouterd.log")
	from_h=$(lines "$LAB_DIR/hv${b#r}.hostd.log")
	from_o=$(lines "$LAB_DIR/hv${m#r}.hostd.log")
	stream=$((2500 + 6 * PAIR_ADVERT_MS))
	udp_start "$stream"
	sleep 0.3
	case $kind in
	preempt)	fo_sync_mark "$m"; fo__t0; preempt_switch "$b" ;;
	preempt-hold)	fo_sync_mark "$m"; fo__t0; preempt_switch "$b" hold ;;
	*)		fo_fault "$m" "$kind" || die "fault $kind of $m" ;;
	esac
	t0=$(day_ms "$FO_T0")
	lab_wait_for "$b MASTER" $((10000 + 10 * PAIR_ADVERT_MS)) \
	    pair_is "$b" MASTER || die "$kind: $b did not become MASTER"
	lab_wait_for "hv${b#r} route" 5000 pair_route "hv${b#r}" ||
	    die "$kind: no route on hv${b#r}"
	if [ "$kind" = preempt-hold ]; then
		sleep 0.3
		lab_exec "hv${m#r}" ip route del "$LAB_VIP/32" proto static
	fi
	u=$(udp_result)
	ROUND=$((ROUND + 1))
	res=$(fo_round "$ROUND") || die "connhold round $ROUND"
	det=$(log_time "$LAB_DIR/$b.vrouterd.log" "$from_v" '-> MASTER')
	route=$(log_time "$LAB_DIR/hv${b#r}.hostd.log" "$from_h" \
	    "vm $b: .* -> dev")
	commit=$(awk -v from="$from_v" 'NR > from && /conntrackd -c done in/ {
		print $(NF - 1); exit }' "$LAB_DIR/$b.vrouterd.log")
	# the old master's hypervisor withdrew (after its drain, if planned)
	lab_wait_for "hv${m#r} withdrawal" 15000 grep -q "vm $m: .* withdrawn" \
	    "$LAB_DIR/hv${m#r}.hostd.log"
	wd=$(log_time "$LAB_DIR/hv${m#r}.hostd.log" "$from_o" \
	    "vm $m: .* withdrawn")
	case $kind in
	preempt*)	preempt_restore "$b" ;;
	*)		fo_repair "$m" "$kind" || die "repair $kind of $m" ;;
	esac
	settle "$b"
	row "$section" "$setting" "$kind" \
	    "$(fo_kv gap_max_ms "$u")" "$(fo_kv lost "$u")" \
	    "$(rel "$det" "$t0")" "$(rel "$route" "$t0")" "${commit:-}" \
	    "$res" "$(fo_kv lost_run_max "$u")" "$(rel "$wd" "$t0")"
}

rel()	# T T0: T - T0 in ms, or "" if T is unknown or before T0
{
	local d
	[ -n "$1" ] || return 0
	d=$(($1 - $2))
	[ "$d" -lt -43200000 ] && d=$((d + 86400000))	# past midnight
	[ "$d" -ge 0 ] && echo "$d"
	return 0
}

row()	# SECTION SETTING KIND OUTAGE LOST DETECT ROUTE COMMIT RESULT LOSTRUN WITHDRAWN
{
	local r="$9" line wd="${11:-}"
	line="$1,$2,$PAIR_ADVERT_MS,$PAIR_CONNTRACKD,$3,$ROUND,$4,$5,$6,$7,$8"
	line="$line,$(fo_kv conns "$r"),$(fo_kv ok "$r"),$(fo_kv reset "$r")"
	line="$line,$(fo_kv silent "$r"),$(fo_kv timeout "$r")"
	line="$line,$(fo_kv bulk_stall_ms "$r"),$(fo_kv bulk_resumed "$r")"
	line="$line,${10},${TAKEBACK:-},$wd"
	echo "$line" >>"$CSV"
	printf '  %-8s %-14s %-12s run %2d: outage %6s ms (lost %4s, run %4s), MASTER %4s, route %4s, old route withdrawn %4s, commit %3s ms; conns %s/%s ok, reset %s, silent %s; bulk stall %s ms%s\n' \
	    "$1" "$2" "$3" "$ROUND" "$4" "$5" "${10}" "${6:--}" "${7:--}" \
	    "${wd:--}" "${8:--}" "$(fo_kv ok "$r")" "$(fo_kv conns "$r")" \
	    "$(fo_kv reset "$r")" "$(fo_kv silent "$r")" \
	    "$(fo_kv bulk_stall_ms "$r")" \
	    "$([ "${TAKEBACK:-0}" = 1 ] && echo "; TAKEN BACK on return")"
}

# After a failover to NEW and the repair of the old master: one MASTER
# and one BACKUP again, both known to their host agents, the BACKUP synced.
# TAKEBACK=1 if the old master took the role back (it did not hear the
# new one in time when it returned: a spurious failover).
settle()	# NEW
{
	local bk
	lab_wait_for "one MASTER, one BACKUP" 30000 fo_stable ||
	    die "the pair did not settle"
	TAKEBACK=0
	[ "$(pair_master)" = "$1" ] || TAKEBACK=1
	bk=$(pair_other "$(pair_master)")
	lab_wait_for "host agents" 10000 fo_host_acked r1 &&
	    lab_wait_for "host agents" 10000 fo_host_acked r2 ||
	    die "a host agent did not hear its VM"
	if [ "$PAIR_CONNTRACKD" = true ]; then
		lab_wait_for "$bk synced" 120000 fo_synced "$bk" "$CONNS" ||
		    die "$bk did not sync"
	fi
	# a quiet second between failovers
	sleep 1
}

# preempt: B takes over by preemption (priority 254, preempt on), reloaded.
# For "hold": the old master's hypervisor keeps a copy of the route (proto
# static, which hostd leaves alone) for 300 ms after B is MASTER: what a
# vrouterd that withdraws late on a planned step-down would give.
preempt_switch()	# B [hold]
{
	local o
	if [ "${2:-}" = hold ]; then
		o=hv$(pair_other "$1" | tr -d r)
		lab_exec "$o" ip route add "$LAB_VIP/32" dev "$LAB_HV_TAP" \
		    proto static metric 100
	fi
	cp "$LAB_DIR/$1.json" "$LAB_DIR/$1.json.orig"
	sed -e 's/"priority": [0-9]*/"priority": 254/' \
	    -e 's/"preempt": false/"preempt": true/' \
	    "$LAB_DIR/$1.json.orig" >"$LAB_DIR/$1.json"
	pair_ctl "$1" reload >/dev/null || die "reload of $1"
}

preempt_restore()	# B
{
	mv "$LAB_DIR/$1.json.orig" "$LAB_DIR/$1.json"
	pair_ctl "$1" reload >/dev/null || die "reload of $1"
}

# ---------------------------------------------------------------- sections

section_advert()
{
	local a i
	for a in $ADVERTS; do
		echo "advert $a ms, kill, $RUNS runs, $CONNS connections"
		(
			lab_up "$a" true
			i=0
			while [ $i -lt "$RUNS" ]; do
				measure advert "${a}ms$TAG" kill
				i=$((i + 1))
			done
		) || exit 1
	done
}

section_kinds()
{
	local k i
	echo "advert $ADVERT ms: each kind of fault, $RUNS runs, $CONNS connections"
	(
		lab_up "$ADVERT" true
		for k in $KINDS; do
			i=0
			while [ $i -lt "$RUNS" ]; do
				measure kinds "${ADVERT}ms$TAG" "$k"
				i=$((i + 1))
			done
		done
	) || exit 1
}

section_thesis()
{
	local i
	echo "thesis: advert 1000 ms, no conntrackd, kill, $THESIS_RUNS runs"
	(
		lab_up 1000 false
		i=0
		while [ $i -lt "$THESIS_RUNS" ]; do
			measure thesis 1000ms-noct kill
			i=$((i + 1))
		done
	) || exit 1
}

section_cache()
{
	local mode i
	for mode in ${FO_CACHE_MODES:-injected external}; do
		echo "cache: $mode, $FLOWS extra conntrack entries, kill, advert $ADVERT ms"
		(
			lab_up "$ADVERT" true 1000
			CONNS=1000
			for r in r1 r2; do
				lab_sysctl "$r" \
				    net.netfilter.nf_conntrack_udp_timeout=3600 \
				    net.netfilter.nf_conntrack_udp_timeout_stream=3600
				[ "$mode" = external ] && fo_ct_external "$r"
			done
			# wait for the restarted conntrackds' resync
			fo_sync_mark r2
			lab_exec c1 "$FO_TOOL" flows -c "$PAIR_SERVER" -p 10000 \
			    -n "$FLOWS" >/dev/null || die "flows"
			CONNS=$((FLOWS + 1000))
			lab_wait_for "r2 synced" 120000 fo_synced r2 "$FLOWS" ||
			    die "r2 did not sync $FLOWS"
			i=0
			while [ $i -lt "$CACHE_RUNS" ]; do
				measure cache "$mode$TAG" kill
				i=$((i + 1))
			done
		) || exit 1
	done
}

section_failback()
{
	local k i m b u tag="${ADVERT}ms$TAG"
	[ "$FAILBACK_FLOWS" -gt 0 ] && tag="$tag-${FAILBACK_FLOWS}flows"
	[ "${FO_FAILBACK_HOG:-0}" = 1 ] && tag="$tag-hog"
	echo "failback $tag: the old master returns (preempt off), 1 ms UDP stream, $FAILBACK_RUNS runs of $FAILBACK_KINDS; load $(load)"
	(
		if [ "$FAILBACK_FLOWS" -gt 0 ]; then
			lab_up "$ADVERT" true 1000
			CONNS=1000
			add_flows "$FAILBACK_FLOWS"
		else
			lab_up "$ADVERT" true
		fi
		# bounded: at most 2 minutes per return
		[ "${FO_FAILBACK_HOG:-0}" = 1 ] &&
		    hog_start $((FAILBACK_RUNS * 2 * 120)) 0
		for k in $FAILBACK_KINDS; do
			i=0
			while [ $i -lt "$FAILBACK_RUNS" ]; do
				m=$(pair_master) b=$(pair_other "$m")
				fo_sync_mark "$b"
				fo_fault "$m" "$k" || die "fault"
				lab_wait_for "new master" 10000 pair_is "$b" \
				    MASTER || die "no master"
				lab_wait_for "route" 5000 pair_route \
				    "hv${b#r}" || die "route"
				sleep 1
				udp_start 4000
				sleep 0.3
				fo_repair "$m" "$k" || die "repair"
				settle "$b"
				u=$(udp_result)
				ROUND=$((ROUND + 1))
				fo_round "$ROUND" >/dev/null
				echo "failback,$tag,$PAIR_ADVERT_MS,true,$k,$ROUND,$(fo_kv gap_max_ms "$u"),$(fo_kv lost "$u"),,,,,,,,,,,$(fo_kv lost_run_max "$u"),$TAKEBACK" >>"$CSV"
				printf '  failback %-4s run %2d: lost %s (longest gap %s ms)%s\n' \
				    "$k" "$((i + 1))" "$(fo_kv lost "$u")" \
				    "$(fo_kv gap_max_ms "$u")" \
				    "$([ "$TAKEBACK" = 1 ] && echo "; TAKEN BACK")"
				i=$((i + 1))
			done
		done
		hog_stop
		echo "  failback $tag done; load $(load)"
	) || exit 1
}

# add_flows N: N more UDP flows through the master, their conntrack
# timeouts raised to an hour on both routers; waits until r2 has them.
# Adds N to CONNS, which settle waits for.
add_flows()
{
	local r
	for r in r1 r2; do
		lab_sysctl "$r" net.netfilter.nf_conntrack_udp_timeout=3600 \
		    net.netfilter.nf_conntrack_udp_timeout_stream=3600
	done
	fo_sync_mark r2
	lab_exec c1 "$FO_TOOL" flows -c "$PAIR_SERVER" -p 10000 -n "$1" \
	    >/dev/null || die "flows"
	CONNS=$((CONNS + $1))
	lab_wait_for "r2 synced" 120000 fo_synced r2 "$1" ||
	    die "r2 did not sync $1"
}

# one_route_for MS NODE: sample for MS ms that NODE is MASTER, the other
# BACKUP or absent, and only NODE's hypervisor routes the VIP; prints
# the number of samples where that did not hold.
one_route_for()
{
	local end bad=0 o
	o=$(pair_other "$2")
	end=$(($(now_ms) + $1))
	while [ "$(now_ms)" -lt "$end" ]; do
		{ pair_is "$2" MASTER && ! pair_is "$o" MASTER &&
		    pair_only_route "hv${2#r}" "hv${o#r}"; } || bad=$((bad + 1))
		sleep 0.05
	done
	echo "$bad"
}

section_synclink()
{
	local i m b u t0 t1 bad cut=${FO_CUT_S:-5} resync flows=1000 port
	echo "synclink: advert $ADVERT ms, sync link cut for $cut s, then the master VM dies, $RUNS runs each; load $(load)"
	(
		lab_up "$ADVERT" true
		i=0 port=20000
		while [ $i -lt "$RUNS" ]; do
			m=$(pair_master) b=$(pair_other "$m")
			t0=$(($(pair_transitions r1) + $(pair_transitions r2)))
			fo_sync_mark "$b"
			udp_start $((cut * 1000 + 1500))
			sleep 0.3
			lab_exec "$m" ip link set dev "$LAB_SYNC_IF" down
			lab_exec c1 "$FO_TOOL" flows -c "$PAIR_SERVER" -p "$port" \
			    -n "$flows" >/dev/null || die "flows"
			port=$((port + 1))
			bad=$(one_route_for $((cut * 1000 - 500)) "$m")
			fo_synced "$b" "$flows" && die "$b synced during the cut"
			lab_exec "$m" ip link set dev "$LAB_SYNC_IF" up
			t1=$(now_ms)
			lab_wait_for "$b resynced" 60000 fo_synced "$b" "$flows" ||
			    die "$b did not resync"
			resync=$(($(now_ms) - t1))
			u=$(udp_result)
			t1=$(($(pair_transitions r1) + $(pair_transitions r2)))
			ROUND=$((ROUND + 1))
			echo "synclink,cut-${cut}s,$PAIR_ADVERT_MS,true,cut,$ROUND,$(fo_kv gap_max_ms "$u"),$(fo_kv lost "$u"),,,,,,,,,,,$(fo_kv lost_run_max "$u"),$((t1 - t0))" >>"$CSV"
			printf '  synclink cut run %2d: outage %s ms (lost %s), %d VRRP transitions, %d samples not one route, %d flows of the cut on %s %d ms after the link returned\n' \
			    "$((i + 1))" "$(fo_kv gap_max_ms "$u")" \
			    "$(fo_kv lost "$u")" "$((t1 - t0))" "$bad" "$flows" \
			    "$b" "$resync"
			i=$((i + 1))
		done
		i=0
		while [ $i -lt "$RUNS" ]; do
			m=$(pair_master) b=$(pair_other "$m")
			udp_start 3000
			sleep 0.3
			fo_fault "$m" vm || die "fault"
			lab_wait_for "$b MASTER" 10000 pair_is "$b" MASTER ||
			    die "no master"
			lab_wait_for "route" 5000 pair_route "hv${b#r}" ||
			    die "route"
			t0=$(pair_transitions "$b")
			bad=$(one_route_for 5000 "$b")
			t1=$(pair_transitions "$b")
			u=$(udp_result)
			ROUND=$((ROUND + 1))
			echo "synclink,vm-p2p,$PAIR_ADVERT_MS,true,vm,$ROUND,$(fo_kv gap_max_ms "$u"),$(fo_kv lost "$u"),,,,,,,,,,,$(fo_kv lost_run_max "$u"),$((t1 - t0))" >>"$CSV"
			printf '  synclink vm  run %2d: outage %s ms (lost %s); the survivor %s: %d transitions and %d samples not MASTER with the only route in the 5 s after\n' \
			    "$((i + 1))" "$(fo_kv gap_max_ms "$u")" \
			    "$(fo_kv lost "$u")" "$b" "$((t1 - t0))" "$bad"
			fo_repair "$m" vm || die "repair"
			settle "$b"
			i=$((i + 1))
		done
		echo "  synclink done; load $(load)"
	) || exit 1
}

# migrate: the master VM live-migrated to the other hypervisor
# (tests/lab/migrate.sh), with the source's `host vm yield` first
# (migrate) or without (migrate-noyield), frozen FREEZE ms; the 1 ms UDP
# stream runs across the yield and the move.  Per run also: the yield's
# wait (yield_ms, what vrouterctl reports) and the freeze as it happened.
measure_migrate()	# FREEZE KIND
{
	local m to y u res
	m=$(pair_master)
	to=hv1
	[ "$(mig_at "$m")" = hv1 ] && to=hv2
	fo_sync_mark r1
	fo_sync_mark r2
	udp_start $((3000 + $1))
	sleep 0.3
	y=yield
	[ "$2" = migrate-noyield ] && y=noyield
	pair_migrate "$m" "$to" "$1" "$y" || die "$2: migration of $m to $to"
	lab_wait_for "one MASTER routed by its hypervisor" 30000 \
	    migrate_converged || die "$2: no convergence after the migration"
	u=$(udp_result)
	ROUND=$((ROUND + 1))
	res=$(fo_round "$ROUND") || die "connhold round $ROUND"
	migrate_settle "$m"
	row migrate "freeze${1}ms" "$2" "$(fo_kv gap_max_ms "$u")" \
	    "$(fo_kv lost "$u")" "" "" "" "$res" "$(fo_kv lost_run_max "$u")"
	y=$(echo "$MIG_YIELD_OUT" | sed -n 's/.* after \([0-9]*\) ms.*/\1/p')
	printf '  migrate  %s to %s: yield %s ms, frozen %s ms, host vm add %s ms, MASTER after: %s\n' \
	    "$m" "$to" "${y:--}" "$MIG_FREEZE_MS" "$MIG_ADD_MS" "$(pair_master)"
}

# After migrating master M: one MASTER and one BACKUP, both known to
# their host agents; if the role moved, M (now BACKUP) has resynced.  A
# MASTER that kept its role has a BACKUP that never stopped syncing.
migrate_settle()	# M
{
	lab_wait_for "one MASTER, one BACKUP" 30000 fo_stable ||
	    die "the pair did not settle"
	TAKEBACK=0
	lab_wait_for "host agents" 10000 fo_host_acked r1 &&
	    lab_wait_for "host agents" 10000 fo_host_acked r2 ||
	    die "a host agent did not hear its VM"
	if [ "$(pair_master)" != "$1" ] && [ "$PAIR_CONNTRACKD" = true ]; then
		lab_wait_for "$1 synced" 30000 fo_synced "$1" "$CONNS" ||
		    die "$1 did not sync"
	fi
	sleep 1
}

migrate_converged()
{
	fo_stable && [ "$(mig_routing)" = "$(mig_at "$(pair_master)")" ]
}

section_migrate()
{
	local f k i
	echo "migrate: the master live-migrated, frozen $MIG_FREEZES ms, $RUNS runs, $CONNS connections"
	(
		PAIR_PLUMB=mig_plumb
		lab_up "$ADVERT" true
		for f in $MIG_FREEZES; do
			for k in migrate migrate-noyield; do
				i=0
				while [ $i -lt "$RUNS" ]; do
					measure_migrate "$f" "$k"
					i=$((i + 1))
				done
			done
		done
	) || exit 1
}

# Processes that spin on every core for S seconds at nice N; sets HOG.
hog_start()	# S N
{
	local n
	HOG=
	for n in $(seq "$(nproc)"); do
		lab_bg up "$LAB_DIR/hog.$n.log" nice -n "$2" timeout "$1" \
		    sh -c 'while :; do :; done' >/dev/null
		HOG="$HOG $LAB_PID"
	done
}

hog_stop()
{
	local p
	for p in $HOG; do
		lab_stop "$p" 1000
	done
	HOG=
}

# The VRRP child of R's keepalived.
vrrp_pid()	# R
{
	cat "$LAB_DIR/$1.run/keepalived-vrrp.pid" 2>/dev/null
}

section_hog()
{
	local a t0 t1 f m v moved nice
	for a in $ADVERTS; do
		(
			lab_up "$a" true
			for nice in 0 -20; do
				t0=$(($(pair_transitions r1) + $(pair_transitions r2)))
				hog_start "$HOG_S" "$nice"
				sleep "$HOG_S"
				sleep 0.5
				t1=$(($(pair_transitions r1) + $(pair_transitions r2)))
				echo "hog,${a}ms$TAG,$a,true,spurious-nice$nice,$((t1 - t0)),,,,,,,,,,,,,," >>"$CSV"
				printf '  hog      advert %4s ms%s: %d unexpected transitions in %d s, %d cores spinning at nice %d, %d connections held; load %s\n' \
				    "$a" "$TAG" "$((t1 - t0))" "$HOG_S" "$(nproc)" \
				    "$nice" "$CONNS" "$(load)"
			done
			# freezes of the master's VRRP process (no hog)
			moved=none
			for f in 10 20 30 40 50 60 70 80 90 100 120 150 200 250 300 400 500; do
				m=$(pair_master)
				v=$(vrrp_pid "$m")
				[ -n "$v" ] || break
				t0=$(pair_transitions "$(pair_other "$m")")
				kill -STOP "$v"
				sleep "$(echo "$f" | awk '{ print $1 / 1000 }')"
				kill -CONT "$v"
				sleep 1
				if [ "$(pair_transitions "$(pair_other "$m")")" != "$t0" ]; then
					moved=$f
					break
				fi
			done
			echo "hog,${a}ms$TAG,$a,true,freeze,$moved,,,,,,,,,,,,,," >>"$CSV"
			printf '  freeze   advert %4s ms: the shortest SIGSTOP of the master'"'"'s VRRP process that failed it over: %s ms\n' \
			    "$a" "$moved"
		) || exit 1
	done
}

# ---------------------------------------------------------------- report


# Median and p95 (nearest rank) of each setting's outage and route time.
summary()
{
	echo
	echo "summary (ms; median / p95 over the runs; conns: worst run)"
	printf '%-9s %-10s %-12s %4s %15s %15s %15s %13s %13s %6s %5s\n' section \
	    setting kind runs outage route detect "lost med/max" "ok/conns" \
	    silent taken
	awk -F, '
	function stat(s, p,    n, a, i, k, t) {
		n = split(s, a, " ")
		for (i = 2; i <= n; i++) {
			t = a[i]; k = i - 1
			while (k >= 1 && a[k] + 0 > t + 0) { a[k + 1] = a[k]; k-- }
			a[k + 1] = t
		}
		if (n == 0) return "-"
		if (p == 50) return (n % 2) ? a[(n + 1) / 2] : \
		    (a[n / 2] + a[n / 2 + 1]) / 2
		k = int(0.95 * n + 0.999999); if (k < 1) k = 1
		return a[k]
	}
	$1 == "hog" || $1 == "section" { next }
	{
		key = $1 "," $2 "," $5
		if (!(key in runs)) order[++nk] = key
		runs[key]++
		out[key] = out[key] " " $7
		lost[key] = lost[key] " " $8
		if ($8 + 0 > maxlost[key]) maxlost[key] = $8 + 0
		if ($10 != "") route[key] = route[key] " " $10
		if ($9 != "") det[key] = det[key] " " $9
		if ($12 != "" && (!(key in ok) || $13 < ok[key])) {
			ok[key] = $13; conns[key] = $12 }
		if ($15 != "" && $15 > silent[key]) silent[key] = $15
		if ($20 == 1) taken[key]++
	}
	END {
		for (i = 1; i <= nk; i++) {
			k = order[i]; split(k, f, ",")
			printf "%-9s %-10s %-12s %4d %7s / %-6s %7s / %-6s %7s / %-6s %6s / %-5s %13s %6s %5s\n",
			    f[1], f[2], f[3], runs[k],
			    stat(out[k], 50), stat(out[k], 95),
			    stat(route[k], 50), stat(route[k], 95),
			    stat(det[k], 50), stat(det[k], 95),
			    stat(lost[k], 50), maxlost[k] + 0,
			    (k in ok) ? ok[k] "/" conns[k] : "-", silent[k] + 0,
			    taken[k] + 0
		}
	}' "$CSV"
	awk -F, '$1 != "hog" && $1 != "section" && $1 != "failback" &&
	    $10 != "" && $21 != "" { k = $1 " " $2 " " $5; n[k]++
		if ($21 + 0 > $10 + 0) mbb[k]++; if ($8 == 0) zero[k]++ }
	    END { for (k in n) printf "%s: old route withdrawn after the new one in %d of %d runs; 0 lost in %d of %d\n", k, mbb[k], n[k], zero[k], n[k] }' "$CSV"
	awk -F, '$1 == "hog" && $5 ~ /^spurious/ { printf "hog: advert %s ms, %s: %s unexpected transitions\n", $3, $5, $6 }
	    $1 == "hog" && $5 == "freeze" { printf "freeze: advert %s ms: shortest VRRP freeze that failed over: %s ms\n", $3, $6 }' "$CSV"
}

plot()
{
	command -v gnuplot >/dev/null 2>&1 ||
	    { echo "gnuplot missing: no plot"; return 0; }
	awk -F, '$1 != "hog" && $1 != "section" && $1 != "failback" { f = 1 }
	    END { exit !f }' "$CSV" || return 0
	awk -F, '$1 != "hog" && $1 != "section" && $1 != "failback" { k = $1 " " $2 " " $5;
		n[k]++; print k "\t" n[k] "\t" $7 > "'"$OUT"'/failover.dat.tmp" }' \
	    "$CSV"
	# one block per setting, for gnuplot's index
	sort -s -t "$(printf '\t')" -k1,1 "$OUT/failover.dat.tmp" | awk -F'\t' '
	    $1 != last { if (NR > 1) printf "\n\n"; printf "# %s\n", $1;
		last = $1; titles = titles $1 "\n" }
	    { print $2 "\t" $3 }
	    END { printf "%s", titles > "'"$OUT"'/failover.titles" }' \
	    >"$OUT/failover.dat"
	rm -f "$OUT/failover.dat.tmp"
	{
		echo 'set terminal png size 1200,700'
		echo "set output '$OUT/failover.png'"
		echo "set title 'vrouter failover: client outage per run (1 ms UDP echo stream)'"
		echo "set xlabel 'run'"
		echo "set ylabel 'outage (ms)'"
		echo 'set logscale y'
		echo 'set key outside right'
		echo 'set grid'
		printf 'plot '
		awk -v f="$OUT/failover.dat" '{ printf "%s'"'"'%s'"'"' index %d using 1:2 with linespoints title '"'"'%s'"'"'", (NR > 1 ? ", " : ""), f, NR - 1, $0 }' \
		    "$OUT/failover.titles"
		echo
	} >"$OUT/failover.gp"
	gnuplot "$OUT/failover.gp" && echo "plot: $OUT/failover.png"
}

fo_machine
ka_rt_templates
if [ -n "${FO_REPORT:-}" ]; then
	# only the report, of one or more earlier runs' CSVs (merged)
	head -n 1 "${FO_REPORT%% *}" >"$CSV.new" || exit 1
	for f in $FO_REPORT; do
		tail -n +2 "$f"
	done >>"$CSV.new"
	mv "$CSV.new" "$CSV"
else
	echo "runs $RUNS, connections $CONNS ($ACTIVE ticked), default advert $ADVERT ms, sections: $SECTIONS"
	echo "section,setting,advert_ms,conntrackd,kind,run,outage_ms,lost,detect_ms,route_ms,commit_ms,conns,ok,reset,silent,timeout,bulk_stall_ms,bulk_resumed,lost_run,takeback,withdrawn_ms" >"$CSV"
	for s in $SECTIONS; do
		"section_$s" || exit 1
	done
fi
summary
plot
echo "csv: $CSV"
