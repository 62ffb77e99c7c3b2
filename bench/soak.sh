#!/bin/sh
# shellcheck shell=dash
# soak.sh: many failovers in a row on the vrouter HA pair in the namespace
# lab (tests/lab/pair.sh: vrouterd + keepalived + conntrackd on r1 and r2,
# vrouter-hostd on hv1 and hv2), of mixed kinds cycled in a fixed order,
# each waited on until the pair has converged again.  It shows whether a
# transition was lost or reordered on its way to the host, and whether a
# vrouter daemon grows in file descriptors or memory.  It prints figures
# and judges none of them; it fails only if the lab cannot be built.
#
# The kinds (SOAK_KINDS, cycled: failover i is kind i mod n), M the MASTER
# at the time (tests/lab/failover.sh's fo_fault/fo_repair):
#   kill           SIGKILL of keepalived's whole process group on M;
#                  vrouterd restarts keepalived, M comes back BACKUP
#   planned        `vrouterctl failover` on M: a hand-over
#   link           M's public link down, up again SOAK_DOWN_MS later
#   ct-kill        SIGKILL of M's conntrackd, which vrouterd restarts (no
#                  failover expected: the pair must stay converged)
#   vm             M's VM dies (every process, links down, its channel
#                  closed) and is started again SOAK_DOWN_MS later
#   planned-fault  M steps down through its standby track file (FAULT,
#                  priority 0), released SOAK_DOWN_MS later
# With an even number of kinds that move the role in a cycle, each kind
# always finds the same router MASTER (the default six alternate).
# After each: converged = one MASTER and one BACKUP, both host agents
# acked the current state, only the MASTER's hypervisor routes the VIP,
# keepalived and conntrackd run in both routers; polled, at most
# SOAK_CONVERGE_MS.  One that does not converge is counted, repaired once
# more and waited on again, and if that fails too the lab is built anew
# (the daemons' figures then start again: new pids).
#
# No lost transition.  Per router, three streams merged by time of day
# (every daemon runs with TZ=UTC; a run across midnight UTC is not sorted
# right):
#   decided  vrouterd's decisions (its -v log), "router lab: X -> Y
#            (...)": the state it derives from what keepalived writes to
#            its FIFO;
#   told     "host: telling it S": the state handed to the virtio-serial
#            session, which resends it until the host acks;
#   applied  whether the router's hypervisor routes the VIP (proto 241),
#            from bench/vipmon in its namespace: netlink events, to the
#            µs.  Not vrouter-hostd's own "-> dev"/"withdrawn" lines: its
#            per-VM log limiter suppresses some at this rate.  Its
#            "withdrawn: WHY" lines (the host withdrawing on its own when
#            the channel or VM goes; not limited) add to what is expected.
# Checks: told must be decided, in order (told is a subsequence of
# decided; the INIT a starting vrouterd tells first is exempt); a decision
# not told is "superseded" when a newer one came before the handover
# published it (daemon/handover.c publishes the latest target only, by
# design), and "lost" when it is still the last one at a convergence
# (both hosts acked the current state) or when vrouterd dies.  Between
# two convergences, the route changes the told states imply (MASTER =
# route, anything else = none; repeats collapsed; plus the host's own
# withdrawals) must equal the applied ones, in number and order:
# "missing" counts implied changes not applied, "out of order" a sequence
# that differs otherwise.  Each anomaly, and each superseded decision, is
# printed with the failover it happened in.
#
# No growth.  fds (/proc/PID/fd) and VmRSS (kB) of vrouterd in r1 and r2
# and of vrouter-hostd and its channel engine on hv1 and hv2: at the
# start, every SOAK_EVERY failovers and at the end, as a table.  Growth is
# last minus the first sample after SOAK_WARMUP failovers, for a daemon
# whose pid did not change in between; a daemon restarted since (the vm
# kind restarts vrouterd) gets its growth over its current pid's samples,
# and the span is printed.
#
# usage: bench/soak.sh [BUILD_DIR]       (as root; exit 77 = skipped)
# environment: SOAK_FAILOVERS (1000), SOAK_KINDS ("kill planned link
# ct-kill vm planned-fault"), SOAK_EVERY (100), SOAK_WARMUP (100, at
# most a fifth of the run), SOAK_CONVERGE_MS (30000),
# SOAK_DOWN_MS (1000: how long link, vm and planned-fault last),
# SOAK_ADVERT (vrouterd's default advert interval), SOAK_OUT (bench/out:
# soak.csv per failover, soak-procs.csv per sample, soak-logs/ the
# daemons' logs of the whole run).  SOAK_REPORT=DIR: no runs, only the
# check and the summary of the run whose SOAK_OUT was DIR.

LAB_ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB_BUILD=${1:-${B:-build}}
case $LAB_BUILD in
/*) ;;
*) if [ -d "$LAB_BUILD" ]; then LAB_BUILD=$(pwd)/$LAB_BUILD
   else LAB_BUILD=$LAB_ROOT/$LAB_BUILD; fi ;;
esac
export TZ=UTC
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/lab.sh"
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/pair.sh"
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/failover.sh"

N=${SOAK_FAILOVERS:-1000}
KINDS=${SOAK_KINDS:-kill planned link ct-kill vm planned-fault}
EVERY=${SOAK_EVERY:-100}
WARMUP=${SOAK_WARMUP:-100}
[ $((WARMUP * 5)) -le "$N" ] || WARMUP=$((N / 5))
CONVERGE_MS=${SOAK_CONVERGE_MS:-30000}
DOWN_MS=${SOAK_DOWN_MS:-1000}
OUT=${SOAK_OUT:-$LAB_ROOT/bench/out}
CSV=$OUT/soak.csv
PROCS=$OUT/soak-procs.csv
LOGS=$OUT/soak-logs
DAEMONS="r1.vrouterd r2.vrouterd hv1.hostd hv1.engine hv2.hostd hv2.engine"
NODES="r1.vrouterd r2.vrouterd hv1.hostd hv2.hostd hv1.vipmon hv2.vipmon"
MON=$PAIR_BIN/bench/vipmon
# vipmon's bound: far beyond the run
MON_S=$((N * 60 + 600))
[ "$MON_S" -le 86400 ] || MON_S=86400

die()
{
	echo "soak.sh: $*" >&2
	exit 1
}

load()		{ cut -d' ' -f1-3 /proc/loadavg; }
now_ms()	{ date +%s%3N; }
words()		{ echo "$*"; }	# the words of a list, on one line
tod()		{ date +%H:%M:%S.%3N; }
sleep_ms()	{ sleep "$(($1 / 1000)).$(printf %03d $(($1 % 1000)))"; }

lab_up()
{
	if [ -n "${SOAK_ADVERT:-}" ]; then
		PAIR_ADVERT_MS=$SOAK_ADVERT
	else
		PAIR_ADVERT_MS=default
	fi
	PAIR_CONNTRACKD=true
	export PAIR_ADVERT_MS PAIR_CONNTRACKD
	pair_setup || return 1
	for f in $NODES; do
		eval "OFF_$(echo "$f" | tr . _)=0"
	done
	for h in hv1 hv2; do
		lab_bg "$h" "$LAB_DIR/$h.vipmon.log" "$MON" "$LAB_VIP" \
		    "$MON_S" >/dev/null
		lab_wait_for "vipmon on $h" 3000 test -s "$LAB_DIR/$h.vipmon.log" ||
		    return 1
	done
	# a fresh pair gets at least 30 s, however short SOAK_CONVERGE_MS
	lab_wait_for "a converged pair" \
	    "$((CONVERGE_MS > 30000 ? CONVERGE_MS : 30000))" converged
}

# take NODE.DAEMON: append what the daemon logged since the last take to
# the run's copy (vrouterd's log is truncated when it starts again).
take()
{
	local node f="$LAB_DIR/$1.log" off n
	node=$(echo "$1" | tr . _)
	[ -f "$f" ] || return 0
	eval "off=\$OFF_$node"
	n=$(wc -l <"$f")
	[ "$n" -gt "$off" ] || return 0
	sed -n "$((off + 1)),${n}p" "$f" >>"$LOGS/$1.log"
	eval "OFF_$node=\$n"
}

take_all()
{
	local f
	for f in $NODES; do
		take "$f"
	done
}

mark()		# TEXT: a line in both routers' streams
{
	echo "$(tod) soak: $*" >>"$LOGS/marks"
}

# The pids of the daemons, "-" where one does not run.
pid_of()	# DAEMON
{
	local p pp c
	case $1 in
	r?.vrouterd)
		eval "p=\$PAIR_VRD_${1%%.*}"
		[ -r "/proc/$p/comm" ] && [ "$(cat "/proc/$p/comm")" = vrouterd ] &&
		    { echo "$p"; return; }
		;;
	hv?.hostd|hv?.engine)
		for p in $(ip netns pids "$LAB${1%%.*}" 2>/dev/null); do
			c=$(cat "/proc/$p/comm" 2>/dev/null) || continue
			[ "$c" = vrouter-hostd ] || continue
			pp=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)
			c=$(cat "/proc/$pp/comm" 2>/dev/null)
			if [ "${1#*.}" = hostd ] && [ "$c" != vrouter-hostd ]; then
				echo "$p"; return
			fi
			if [ "${1#*.}" = engine ] && [ "$c" = vrouter-hostd ]; then
				echo "$p"; return
			fi
		done
		;;
	esac
	echo -
}

# sample I: one row per daemon: I,daemon,pid,fds,rss_kb
sample()
{
	local d p fds rss
	for d in $DAEMONS; do
		p=$(pid_of "$d")
		fds=- rss=-
		if [ "$p" != - ]; then
			fds=$(find "/proc/$p/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
			rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" \
			    2>/dev/null)
		fi
		echo "$1,$d,$p,$fds,${rss:--}" >>"$PROCS"
	done
}

running()	# R: keepalived and conntrackd run in R
{
	pair_child_pid "$1" keepalived >/dev/null &&
	    pair_child_pid "$1" conntrackd >/dev/null
}

converged()
{
	local m o
	fo_stable || return 1
	m=$(pair_master)
	o=$(pair_other "$m")
	fo_host_acked r1 && fo_host_acked r2 &&
	    pair_only_route "hv${m#r}" "hv${o#r}" &&
	    running r1 && running r2
}

fault()		# R KIND
{
	case $2 in
	ct-kill)
		fo_ct_signal "$1" KILL
		;;
	*)	fo_fault "$1" "$2" ;;
	esac
}

repair()	# R KIND
{
	case $2 in
	kill|planned|ct-kill)
		return 0 ;;
	vm)
		# vrouterd starts again into a fresh log: keep the old one
		take "$1.vrouterd"
		eval "OFF_$1_vrouterd=0"
		echo "$(tod) soak: vrouterd restarted" >>"$LOGS/$1.vrouterd.log"
		;;
	esac
	fo_repair "$1" "$2"
}

# decisions: vrouterd's decisions in both routers so far (the run's logs)
decisions()
{
	cat "$LOGS/r1.vrouterd.log" "$LOGS/r2.vrouterd.log" 2>/dev/null |
	    grep -c ' vrouterd: router [^ ]*: [A-Z]* -> '
}

# one I KIND: failover I of KIND; a CSV row.
one()
{
	local i="$1" k="$2" m t0 t1 ms conv=1 rebuilt=0 m2 d0 d1
	m=$(pair_master)
	take_all
	d0=$(decisions)
	mark "failover $i $k of $m"
	t0=$(now_ms)
	fault "$m" "$k" || echo "  failover $i: $k on $m could not be made" >&2
	case $k in link|vm|planned-fault) sleep_ms "$DOWN_MS" ;; esac
	repair "$m" "$k" || echo "  failover $i: $k on $m: repair failed" >&2
	if lab_wait_for "failover $i converged" "$CONVERGE_MS" converged \
	    2>/dev/null; then
		t1=$(now_ms)
		ms=$((t1 - t0))
	else
		conv=0 ms=-
		echo "  failover $i ($k of $m): not converged in $CONVERGE_MS ms;" \
		    "state r1 $(pair_status_key r1 state) r2" \
		    "$(pair_status_key r2 state); repairing again"
		repair "$m" "$k" >/dev/null 2>&1
		if ! lab_wait_for "failover $i repaired" "$CONVERGE_MS" \
		    converged 2>/dev/null; then
			echo "  failover $i: a fresh lab"
			take_all
			mark "lab rebuilt"
			lab_cleanup
			# shellcheck disable=SC2034	# lab.sh's
			LAB_CLEANED=
			lab_up || die "the lab did not come up again"
			rebuilt=1
		fi
	fi
	take_all
	m2=$(pair_master)
	d1=$(decisions)
	echo "$i,$k,$m,$m2,$conv,$ms,$((d1 - d0)),$rebuilt,$(load | tr ' ' ';')" \
	    >>"$CSV"
	echo "failover $i: $k of $m -> master $m2, converged ${ms} ms," \
	    "$((d1 - d0)) transitions"
}

# The check of the module comment, over the whole run, per router.
check_router()	# R
{
	local r="$1" hv="hv${1#r}"
	{
		sed 's/^\([^ ]*\) /\1 0 /' "$LOGS/marks"
		sed 's/^\([^ ]*\) /\1 1 /' "$LOGS/$r.vrouterd.log"
		sed -n 's/^\([^ ]*\) \(.*withdrawn: \)/\1 3 \2/p' \
		    "$LOGS/$hv.hostd.log"
		awk '{
			ms = int($1 / 1000); s = int(ms / 1000) % 86400
			printf "%02d:%02d:%02d.%03d 2 vipmon %d\n", s / 3600,
			    s / 60 % 60, s % 60, ms % 1000, $2
		}' "$LOGS/$hv.vipmon.log"
	} | grep '^[0-2][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]* [0-3] ' |
	    sort -s -k1,1 -k2,2 | awk -v r="$r" \
	    -v out="$OUT/soak-check.txt" '
	function route(s) { return s == "MASTER" ? 1 : 0 }
	function expect(v) {
		if (v != ecur) { want = want v; ecur = v }
	}
	# the end of a run of decisions: the last one must have been told
	function settle(why) {
		if (nd > 0 && last_d != last_t) {
			lost++
			printf "  %s: LOST: decided %s, told %s (%s, %s)\n", r,
			    last_d, last_t, where, why
		}
	}
	function window_end(    a, n) {
		if (want != got) {
			if (length(got) < length(want) &&
			    index(want, got) == 1) {
				missing += length(want) - length(got)
				printf "  %s: MISSING on %s: implied %s, applied %s (%s)\n",
				    r, "host", want, got, where
			} else {
				ooo++
				printf "  %s: OUT OF ORDER on host: implied %s, applied %s (%s)\n",
				    r, want, got, where
			}
		}
		nexp += length(want); nact += length(got)
		want = ""; got = ""
	}
	# a fresh lab: no route anywhere
	BEGIN { ecur = 0; acur = 0; nd = 0; dp = 0; where = "start" }
	$2 == 0 {
		window_end()
		# converged (both hosts acked the current state): the last
		# decision so far must have been told
		settle("at convergence")
		where = $0; sub(/^[^ ]* 0 soak: /, "", where)
		if (where == "lab rebuilt") {
			nd = 0; dp = 0; last_d = ""; last_t = ""
			ecur = 0; acur = 0
		}
		next
	}
	$2 == 1 && / vrouterd: router [^ ]*: [A-Z]* -> [A-Z]* / {
		for (i = 1; i <= NF; i++) if ($i == "->") s = $(i + 1)
		d[nd++] = s; last_d = s; decided++
		next
	}
	$2 == 1 && / vrouterd: router [^ ]*: [A-Z]*, as the adopted/ {
		s = $6; sub(/,$/, "", s)
		d[nd++] = s; last_d = s; decided++
		next
	}
	$2 == 1 && / soak: vrouterd restarted/ {
		# vrouterd killed, a new one starts: a new run of decisions
		settle("vrouterd restarted")
		nd = 0; dp = 0; last_d = ""; last_t = ""
		next
	}
	$2 == 1 && / vrouterd: host: telling it / {
		s = $NF; told++
		expect(route(s))
		last_t = s
		if (s == "INIT" && dp == 0 || s == "STOP") next
		for (j = dp; j < nd; j++) if (d[j] == s) break
		if (j == nd) {
			reord++
			printf "  %s: told %s, not decided after %s (%s)\n",
			    r, s, (dp > 0 ? d[dp - 1] : "-"), where
		} else {
			for (k = dp; k < j; k++)
				printf "  %s: (superseded before told: %s, %s)\n",
				    r, d[k], where
			superseded += j - dp
			dp = j + 1
		}
		next
	}
	$2 == 2 {
		v = $4 > 0 ? 1 : 0
		if (v != acur) { got = got v; acur = v }
		next
	}
	$2 == 3 && index($0, "vm " r ": ") {
		# the host withdrew on its own (channel lost, VM gone)
		expect(0)
		next
	}
	END {
		window_end()
		settle("end")
		line = sprintf("%s %d %d %d %d %d %d %d %d %d", r, decided,
		    told, superseded, lost, reord, nexp, nact, missing, ooo)
		print line >>out
	}'
}

# The figures table and the growth after the warm-up.
procs_table()
{
	awk -F, -v daemons="$DAEMONS" -v warm="$WARMUP" '
	NR == 1 { next }
	{
		if (!($1 in seen)) { seen[$1] = 1; rows[++nr] = $1 }
		pid[$1, $2] = $3; fds[$1, $2] = $4; rss[$1, $2] = $5
	}
	END {
		nd = split(daemons, d, " ")
		printf "%-9s", "failover"
		for (j = 1; j <= nd; j++) printf " %17s", d[j]
		printf "\n%-9s", ""
		for (j = 1; j <= nd; j++) printf " %17s", "fds/rss_kB"
		printf "\n"
		for (i = 1; i <= nr; i++) {
			printf "%-9s", rows[i]
			for (j = 1; j <= nd; j++)
				printf " %17s", fds[rows[i], d[j]] "/" rss[rows[i], d[j]]
			printf "\n"
		}
		printf "\ngrowth (last sample minus the first at or after failover %d, same pid):\n", warm
		for (j = 1; j <= nd; j++) {
			k = d[j]; last = rows[nr]; first = ""; first0 = ""
			for (i = 1; i <= nr; i++) {
				if (pid[rows[i], k] != pid[last, k]) continue
				if (first0 == "") first0 = rows[i]
				if (first == "" && rows[i] + 0 >= warm) first = rows[i]
			}
			if (first0 == "") first0 = last
			note = ""
			if (first == "" || first0 + 0 > warm) {
				first = first0
				note = " (pid " pid[last, k] " since failover " first0 ")"
			}
			if (pid[last, k] == "-") {
				printf "  %-12s not running at the end\n", k
				continue
			}
			printf "  %-12s fds %s -> %s (%+d), rss %s -> %s kB (%+d) over failovers %s..%s%s\n",
			    k, fds[first, k], fds[last, k], fds[last, k] - fds[first, k],
			    rss[first, k], rss[last, k], rss[last, k] - rss[first, k],
			    first, last, note
		}
		printf "first -> last sample, whatever the pid:\n"
		for (j = 1; j <= nd; j++) {
			k = d[j]
			printf "  %-12s fds %s -> %s, rss %s -> %s kB, pid %s -> %s\n",
			    k, fds[rows[1], k], fds[rows[nr], k], rss[rows[1], k],
			    rss[rows[nr], k], pid[rows[1], k], pid[rows[nr], k]
		}
	}' "$PROCS"
}

summary()
{
	echo
	echo "soak: per kind, converge (fault -> converged) median [min..max] ms"
	awk -F, '
	function sorted(s, a,    n, i, k, t) {
		n = split(s, a, " ")
		for (i = 2; i <= n; i++) {
			t = a[i]; k = i - 1
			while (k >= 1 && a[k] + 0 > t + 0) { a[k + 1] = a[k]; k-- }
			a[k + 1] = t
		}
		return n
	}
	function stat(s,    a, n, m) {
		n = sorted(s, a)
		if (n == 0) return "-"
		m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		return sprintf("%d [%d..%d]", m, a[1], a[n])
	}
	NR == 1 { next }
	{
		k = $2
		if (!(k in runs)) order[++nk] = k
		runs[k]++; all++
		if ($5 == 1) { conv[k] = conv[k] " " $6; nconv[k]++; nc++ }
		if ($3 != $4) moved[k]++
		tr[k] += $7; trall += $7
		reb += $8
	}
	END {
		printf "%-14s %5s %5s %5s %6s %-22s\n", "kind", "runs",
		    "conv", "moved", "trans", "converge"
		for (i = 1; i <= nk; i++) {
			k = order[i]
			printf "%-14s %5d %5d %5d %6d %-22s\n", k, runs[k],
			    nconv[k], moved[k], tr[k], stat(conv[k])
		}
		printf "failovers done: %d; converged: %d; not converged: %d; lab rebuilt: %d; vrouterd transitions: %d\n",
		    all, nc, all - nc, reb, trall
	}' "$CSV"
	echo
	echo "transitions, per router (the check in the header of bench/soak.sh):"
	printf '%-6s %8s %6s %11s %5s %10s %13s %13s %8s %13s\n' router \
	    decided told superseded lost reordered "host-implied" \
	    "host-applied" missing "out-of-order"
	while read -r r a b c d e f g h i; do
		printf '%-6s %8s %6s %11s %5s %10s %13s %13s %8s %13s\n' \
		    "$r" "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h" "$i"
	done <"$OUT/soak-check.txt"
	echo
	echo "fds / VmRSS of the vrouter daemons (- = not running):"
	procs_table
}

report()
{
	: >"$OUT/soak-check.txt"
	for r in r1 r2; do
		check_router "$r"
	done
	summary
}

if [ -n "${SOAK_REPORT:-}" ]; then
	OUT=$SOAK_REPORT CSV=$OUT/soak.csv PROCS=$OUT/soak-procs.csv
	LOGS=$OUT/soak-logs
	report
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "soak.sh: skipped: needs root" >&2
	exit 77
fi
for b in "$PAIR_BIN/vrouterd" "$PAIR_BIN/vrouter-hostd" "$PAIR_BIN/vrouterctl"; do
	[ -x "$b" ] || die "$b not built (make B=... all)"
done
for c in conntrack conntrackd keepalived iptables; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "soak.sh: skipped: $c missing" >&2
		exit 77
	}
done
for k in $KINDS; do
	case $k in
	kill|planned|link|ct-kill|vm|planned-fault) ;;
	*) die "unknown kind $k" ;;
	esac
done
mkdir -p "$OUT" || exit 1
rm -rf "$LOGS" && mkdir -p "$LOGS" || exit 1
: >"$LOGS/marks"
: >"$OUT/soak-check.txt"

trap 'lab_cleanup' EXIT
trap 'exit 1' HUP INT TERM

fo_machine
# shellcheck disable=SC2086
echo "soak: $N failovers, kinds $(words $KINDS); figures every $EVERY," \
    "warm-up $WARMUP; load $(load)"
lab_up || die "the lab did not come up"
echo "failover,kind,master,master_after,converged,converge_ms,transitions,rebuilt,load" \
    >"$CSV"
echo "failover,daemon,pid,fds,rss_kb" >"$PROCS"
sample 0
# shellcheck disable=SC2086
set -- $KINDS
nk=$#
i=1
while [ $i -le "$N" ]; do
	j=$(((i - 1) % nk + 1))
	eval "k=\${$j}"
	one "$i" "$k"
	if [ $((i % EVERY)) -eq 0 ] || [ $i -eq "$N" ] ||
	    [ $i -eq "$WARMUP" ]; then
		sample "$i"
	fi
	i=$((i + 1))
done
take_all
mark "end"
report
echo "csv: $CSV $PROCS; logs: $LOGS"
