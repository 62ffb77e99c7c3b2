#!/bin/sh
# shellcheck shell=dash
# hostile.sh: how vrouter-hostd treats an honest router VM while other VMs
# on the same hypervisor abuse their channels (every VM is hostile: its
# tenant may be root in it).  bench/hostile plays QEMU for every VM in one
# hypervisor namespace (tests/lab/hostile.sh); each scenario gets a fresh
# hostd (-d -v) and runs until the honest VM is done (at most BENCH_SECS):
#
#   idle     the honest VM alone
#   flood    + a VM sending valid STATEs as fast as it can, never reading
#   floodr   + the same, reading (and dropping) its ACKs
#   bait     + a VM sending resync bait ('V' runs, 8 KiB-length headers)
#   refuse   + a VM claiming 256 unregistered addresses MASTER, flat out
#   garbage  + a VM sending random bytes
#   all      + flood, bait and refuse together
#
# For each: the honest VM's frame -> ACK p50/p99 (ms; "lost" when the
# percentile fell on an ACK that never came within BENCH_ACK_MS), its
# channel loss -> route withdrawn (median of BENCH_WITHDRAWS closes, ms),
# hostd's RSS (KiB, summed over hostd and its descendants) at start / the
# most during / end, hostd log lines per second naming each flooding VM,
# route notifications/s and ARP frames/s on the uplink, and how many of
# the honest VM's events `vrouterctl host events` still shows while the
# floods go on (5 s) after it is done.  The memory mode
# registers 0, then BENCH_IDLE_VMS idle VMs (nobody serves their channels)
# and prints hostd's RSS and the cost per VM.  Targets are printed beside
# the figures; it never judges them, and fails only if the lab cannot be
# built or a run produced no figures.  hostd's log is counted, never kept
# beyond HL_LOG_CAP bytes a run, so a log flood cannot fill the disk.
#
# usage: bench/hostile.sh [BUILD_DIR]         (as root; exit 77 = skipped)
# environment:
#   BENCH_SECS=15          longest run of a scenario
#   BENCH_SCENARIOS="idle flood floodr bait refuse garbage all"
#   BENCH_SAMPLES=80       honest STATE frames (each waits for its ACK)
#   BENCH_GAP_MS=100       between them (at most 10 states/s: a per-VM
#                          rate limit above that does not count as latency)
#   BENCH_ACK_MS=3000      an ACK later than this is lost
#   BENCH_WITHDRAWS=3      channel closes timed
#   BENCH_IDLE_VMS=1000    memory mode (0: skip it)
#   BENCH_CSV=             also write label,vm,role,metric,value lines here
#   BENCH_HOSTD_ARGS=      more vrouter-hostd options
#   HL_LOG_CAP=1048576     bytes of hostd's log kept per run (in LAB_DIR)

LAB_ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB_BUILD=${1:-${B:-build}}
case $LAB_BUILD in
/*) BIN=$LAB_BUILD ;;
*) if [ -d "$LAB_BUILD" ]; then BIN=$(pwd)/$LAB_BUILD
   else BIN=$LAB_ROOT/$LAB_BUILD; fi ;;
esac
LAB_BUILD=$BIN
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/lab.sh"
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/hostile.sh"

SECS=${BENCH_SECS:-15}
SCENARIOS=${BENCH_SCENARIOS:-idle flood floodr bait refuse garbage all}
SAMPLES=${BENCH_SAMPLES:-80}
GAP=${BENCH_GAP_MS:-100}
ACK_MS=${BENCH_ACK_MS:-3000}
WITHDRAWS=${BENCH_WITHDRAWS:-3}
IDLE_VMS=${BENCH_IDLE_VMS:-1000}
CSV=${BENCH_CSV:-}
# shellcheck disable=SC2034 # used by tests/lab/hostile.sh
HL_BIN=$BIN
HL_HOSTD_ARGS=${BENCH_HOSTD_ARGS:-}

if [ "$(id -u)" != 0 ]; then
	echo "hostile.sh: skipped: needs root" >&2
	exit 77
fi
for b in "$BIN/bench/hostile" "$BIN/vrouter-hostd" "$BIN/vrouterctl"; do
	if [ ! -x "$b" ]; then
		echo "hostile.sh: $b not built (make B=... all)" >&2
		exit 1
	fi
done
for s in $SCENARIOS; do
	case $s in idle|flood|floodr|bait|refuse|garbage|all) ;; *)
		echo "hostile.sh: BENCH_SCENARIOS: no scenario \"$s\"" >&2
		exit 1 ;;
	esac
done
case $CSV in ''|/*) ;; *) CSV=$(pwd)/$CSV ;; esac
lab_init || exit 1

cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
echo "machine: nproc $(nproc), cpu \"${cpu:-unknown}\", kernel $(uname -r)"
echo "command: bench/hostile.sh $BIN (secs=$SECS samples=$SAMPLES" \
    "gap=${GAP}ms ack_timeout=${ACK_MS}ms withdraws=$WITHDRAWS" \
    "idle_vms=$IDLE_VMS prefix $LAB${HL_HOSTD_ARGS:+ hostd $HL_HOSTD_ARGS})"
hl_topo || { echo "hostile.sh: lab topology failed" >&2; exit 1; }

vms_of()	# SCENARIO: the VMs it runs
{
	case $1 in
	idle) echo honest ;;
	all) echo honest flood bait refuse ;;
	*) echo "honest $1" ;;
	esac
}

# Lines per second naming VM in hostd's log, over the seconds VM ran.
log_rate()	# VM
{
	local lines secs
	lines=$(hl_get "$HL_DIR/log.count" log lines "$1")
	secs=$(hl_get "$HL_DIR/tool.out" vm secs "$1")
	awk -v l="${lines:-0}" -v s="${secs:-0}" 'BEGIN {
		if (s > 0) printf "%.0f", l / s; else printf "-" }'
}

# hostd's event history while the floods go on after the honest VM is done.
# shellcheck disable=SC2317 # called by hl_watch
events_now()
{
	sleep 0.5
	timeout 2 "$BIN/vrouterctl" -s "$HL_DIR/ro" host events \
	    >"$HL_DIR/events" 2>&1
}

ROWS=$LAB_DIR/rows
: >"$ROWS"
failed=
for s in $SCENARIOS; do
	vms=$(vms_of "$s")
	echo "--- $s: $vms"
	# shellcheck disable=SC2086
	if ! hl_start "$s" "$SECS" "-n $SAMPLES -i $GAP -T $ACK_MS \
	    -W 2000 -k $WITHDRAWS -z 5000 ${CSV:+-C $CSV}" $vms; then
		echo "hostile.sh: $s: could not start" >&2
		failed="$failed $s"
		continue
	fi
	hl_watch "$SECS" events_now
	HL_RSS_END=$(hl_rss "$HL_HOSTD")
	if ! grep -q '^TIME' "$HL_DIR/events" 2>/dev/null; then
		events=noreply
	else
		events=$(grep -c ' honest ' "$HL_DIR/events" 2>/dev/null)
	fi
	hl_stop
	sed 's/^/  /' "$HL_DIR/tool.out"
	sed 's/^/  /' "$HL_DIR/log.count"
	echo "  hostd: rss_kb start=${HL_RSS_START:-?} max=$HL_RSS_MAX" \
	    "end=${HL_RSS_END:-dead} alive_at_end=$HL_ALIVE" \
	    "honest_events=$events"
	f=$HL_DIR/tool.out
	p50=$(hl_get2 "$f" honest ack p50_ms honest)
	if [ -z "$p50" ]; then
		echo "hostile.sh: $s: no figures from the honest VM" >&2
		failed="$failed $s"
	fi
	rates=
	for v in $vms; do
		[ "$v" = honest ] && continue
		rates="$rates${rates:+,}$v:$(log_rate "$v")"
	done
	printf '%-8s %7s %7s %9s %8s %8s %17s %-24s %8s %7s %7s\n' "$s" \
	    "${p50:--}" "$(hl_get2 "$f" honest ack p99_ms honest)" \
	    "$(hl_get2 "$f" honest ack got honest)/$(hl_get2 "$f" honest ack n honest)" \
	    "$(hl_get2 "$f" honest withdraw p50_ms honest)" \
	    "$(hl_get2 "$f" honest withdraw max_ms honest)" \
	    "${HL_RSS_START:-?}/$HL_RSS_MAX/${HL_RSS_END:-dead}" \
	    "${rates:--}" "$(hl_get "$f" monitor routes_per_s)" \
	    "$(hl_get "$f" monitor arps_per_s)" "${events:-?}" >>"$ROWS"
	lab_exec hv ip route flush proto 241 2>/dev/null
done

# --- memory: idle VMs -----------------------------------------------------
mem_run()	# N: hostd with N idle VMs; prints its RSS (KiB) after 3 s
{
	local d="$LAB_DIR/mem$1" i a
	mkdir -p "$d/reg" || return 1
	i=0
	while [ "$i" -lt "$1" ]; do
		a="10.128.$((i / 200)).$((i % 200 + 1))"
		printf '{"name":"idle%d","channel":"%s/idle%d.sock","tap":"t-honest","uplink":"eth0","addresses":["%s"]}\n' \
		    "$i" "$d" "$i" "$a" >"$d/reg/idle$i.json"
		i=$((i + 1))
	done
	hl_hostd "$d" >/dev/null || return 1
	sleep 3
	MEM_RSS=$(hl_rss "$HL_HOSTD")
	MEM_VMS=$("$BIN/vrouterctl" -s "$d/ro" -j host vm list 2>/dev/null |
	    grep -c '"name"')
	HL_DIR=$d
	hl_stop
}

if [ "$IDLE_VMS" -gt 0 ]; then
	echo "--- memory: 0 then $IDLE_VMS idle VMs"
	mem_run 0 || failed="$failed mem0"
	rss0=$MEM_RSS
	mem_run "$IDLE_VMS" || failed="$failed mem$IDLE_VMS"
	rssn=$MEM_RSS
	echo "  hostd rss_kb vms=0: ${rss0:-?}; vms=$IDLE_VMS (hostd lists" \
	    "$MEM_VMS): ${rssn:-?}"
fi

echo
echo "=== vrouter-hostd under hostile VMs (honest VM's view; ms, KiB)"
printf '%-8s %7s %7s %9s %8s %8s %17s %-24s %8s %7s %7s\n' scenario \
    "ack_p50" "ack_p99" "acks" "wd_p50" "wd_max" "rss start/max/end" \
    "log lines/s per VM" "routes/s" "arps/s" "history"
cat "$ROWS"
echo "acks: acked/sent; lost: the percentile fell on an ACK later than" \
    "${ACK_MS} ms (wd: on a close whose MASTER was never acked and routed)"
echo "history: the honest VM's lines in \`vrouterctl host events\`, read" \
    "while the floods go on after it is done (noreply: no answer in 2 s)"
echo "targets: ack p99 <= 2 ms; withdraw <= 10 ms; RSS flat; a few log" \
    "lines/s per flooding VM; the honest VM's history kept"
if [ "$IDLE_VMS" -gt 0 ] && [ -n "${rss0:-}" ] && [ -n "${rssn:-}" ]; then
	awk -v a="$rss0" -v b="$rssn" -v n="$IDLE_VMS" 'BEGIN {
		printf "memory: rss %d KiB with 0 VMs, %d KiB with %d idle VMs:" \
		    " %.1f KiB per idle VM\n", a, b, n, (b - a) / n
		printf "targets: <= 2 KiB per idle VM; total <= %d KiB" \
		    " (5 MiB + 2 KiB x %d)\n", 5 * 1024 + 2 * n, n }'
fi
if [ -n "$failed" ]; then
	echo "hostile.sh: no figures from:$failed" >&2
	exit 1
fi
exit 0
