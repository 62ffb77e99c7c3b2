#!/bin/sh
# shellcheck shell=dash
# faults.sh: the fault matrix of the vrouter HA pair in the namespace lab
# (tests/lab/pair.sh: vrouterd + keepalived + conntrackd on r1 and r2,
# vrouter-hostd on the hypervisors): every single fault of software and
# links that tests/lab/faults.sh knows, FAULT_RUNS times each, with
# FAULT_CONNS TCP connections held from the client c1 to a server on `up`
# through the master (FAULT_ACTIVE of them ticked by the server every
# 50 ms) and a 1 ms UDP echo stream across each fault.  It prints figures
# and never judges them; it fails only if a lab cannot be built or a fault
# could not be injected.
#
# Per fault (the cases and the figures: tests/lab/faults.sh):
#   outage     the client's longest gap in the UDP echoes (ms)
#   lost       UDP echoes lost
#   both-held  how long both hypervisors routed the VIP (ms, from the
#              fault to the end of the run; bench/vipmon's timelines)
#   none-held  how long neither did (ms)
#   converge   the end of the fault (its repair) -> one MASTER, one
#              route holder, both acked (ms; polled, ~50 ms); how many
#              runs converged within FAULT_CONVERGE_MS (30000)
#   conns      held connections that answered afterwards, worst run
#   procs      keepalived process groups / conntrackd processes in a
#              router's namespace afterwards, the most in any run
#   moved      runs after which the other router was MASTER
# Medians over the runs, [min..max].  Each case gets a fresh lab; a run
# that leaves the pair unconverged or with other than one keepalived group
# and one conntrackd per router gets the next run a fresh lab too, and a
# run that lost connections a fresh holder.
#
# usage: bench/faults.sh [BUILD_DIR]        (as root; exit 77 = skipped)
# environment: FAULTS (every case: the list in tests/lab/faults.sh),
# FAULT_RUNS (5), FAULT_CONNS (2000), FAULT_ACTIVE (200), FAULT_ADVERT
# (vrouterd's default), FAULT_CONVERGE_MS (30000), FAULT_OUT (bench/out:
# faults.csv); the faults' lengths FAULT_HOSTD_S (2), FAULT_SYNC_S (10),
# FAULT_VRD_S (3), FAULT_REVIVE_MS (FAULT_VRD_S - 1 s: vrouterd back after
# keepalived's death in vrouterd-dead-ka-kill), FAULT_CUT_S (5),
# FAULT_CHAN_S (3), FAULT_CRASH_S (3).
# FAULT_REPORT=A.csv: no runs, only the summary of that CSV.

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
# shellcheck disable=SC1091
. "$LAB_ROOT/tests/lab/faults.sh"

CASES=${FAULTS:-$FAULT_CASES}
RUNS=${FAULT_RUNS:-5}
CONNS=${FAULT_CONNS:-2000}
ACTIVE=${FAULT_ACTIVE:-200}
OUT=${FAULT_OUT:-$LAB_ROOT/bench/out}
CSV=$OUT/faults.csv
# shellcheck disable=SC2034	# fo_round's
FO_CHECK_MS=10000
# the route monitors' bound, per lab: far beyond any case's runs
MON_S=$((RUNS * 600 + 600))

die()
{
	echo "faults.sh: $*" >&2
	exit 1
}

load()	{ cut -d' ' -f1-3 /proc/loadavg; }
words()	{ echo "$*"; }	# the words of a list, on one line


# lab_up: a fresh pair with CONNS held connections, in this (sub)shell.
lab_up()
{
	if [ -n "${FAULT_ADVERT:-}" ]; then
		PAIR_ADVERT_MS=$FAULT_ADVERT
	else
		PAIR_ADVERT_MS=default
	fi
	PAIR_CONNTRACKD=true
	export PAIR_ADVERT_MS PAIR_CONNTRACKD
	fault_lab_up "$CONNS" "$ACTIVE" "$MON_S" ||
	    die "the lab did not come up"
}

# One case, RUNS times, in a subshell: its lab is its own.
one_case()	# CASE
{
	local c="$1" i line
	echo "$c: $RUNS runs, $CONNS connections; load $(load)"
	(
		lab_up
		i=1
		while [ $i -le "$RUNS" ]; do
			fault_run "$c" >"$OUT/faults.line" ||
			    die "$c: run $i could not be made"
			line=$(cat "$OUT/faults.line")
			echo "$c,$i,$(csv_of "$line"),$(load | tr ' ' ';')" >>"$CSV"
			echo "  run $i: $line"
			if [ $i -lt "$RUNS" ] && ! fault_next "$line"; then
				echo "  (a fresh lab for the next run)"
				lab_cleanup
				lab_up
			fi
			i=$((i + 1))
		done
		rm -f "$OUT/faults.line"
	) || exit 1
}

KEYS="master outage_ms lost both_ms none_ms converge_ms conns kept reset silent ka_r1 ct_r1 ka_r2 ct_r2 role trans_b"

csv_of()	# LINE
{
	local k out=
	for k in $KEYS; do
		out="$out,$(fo_kv "$k" "$1")"
	done
	echo "${out#,}"
}

# The table: per case, median [min..max] over its runs.
summary()
{
	echo
	echo "fault matrix: median [min..max] over the runs (one figure: all alike); ms"
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
	function num(v) { return v == int(v) ? sprintf("%d", v) : sprintf("%.1f", v) }
	function stat(s,    a, n, m) {
		n = sorted(s, a)
		if (n == 0) return "-"
		m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		if (a[1] == a[n]) return num(m)
		return num(m) " [" num(a[1]) ".." num(a[n]) "]"
	}
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{
		c = $col["case"]
		if (!(c in runs)) order[++nc] = c
		runs[c]++
		out[c] = out[c] " " $col["outage_ms"]
		lost[c] = lost[c] " " $col["lost"]
		both[c] = both[c] " " $col["both_ms"]
		none[c] = none[c] " " $col["none_ms"]
		if ($col["converge_ms"] != "-") {
			conv[c] = conv[c] " " $col["converge_ms"]; nconv[c]++
		}
		k = $col["kept"] == "" ? 0 : $col["kept"] + 0
		if (!(c in kept) || k < kept[c]) kept[c] = k
		conns[c] = $col["conns"]
		for (j = 1; j <= 2; j++) {
			ka = $col["ka_r" j] + 0; ct = $col["ct_r" j] + 0
			if (ka > maxka[c]) maxka[c] = ka
			if (ct > maxct[c]) maxct[c] = ct
		}
		if ($col["role"] == "moved") moved[c]++
	}
	END {
		printf "%-21s %4s %-24s %-18s %-24s %-24s %-20s %4s %-11s %5s %5s\n",
		    "fault", "runs", "outage", "lost", "both-held",
		    "none-held", "converge", "conv", "conns", "procs", "moved"
		for (i = 1; i <= nc; i++) {
			c = order[i]
			printf "%-21s %4d %-24s %-18s %-24s %-24s %-20s %4s %-11s %5s %5d\n",
			    c, runs[c], stat(out[c]), stat(lost[c]),
			    stat(both[c]), stat(none[c]), stat(conv[c]),
			    (nconv[c] + 0) "/" runs[c], kept[c] "/" conns[c],
			    maxka[c] "/" maxct[c], moved[c] + 0
		}
	}' "$1"
	echo "conv: runs that converged; procs: the most keepalived process groups /"
	echo "conntrackd processes in one router afterwards (1/1 is right).  both-"
	echo "and none-held run to the end of a run: past the convergence timeout"
	echo "in a run that did not converge"
}

if [ -n "${FAULT_REPORT:-}" ]; then
	summary "$FAULT_REPORT"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "faults.sh: skipped: needs root" >&2
	exit 77
fi
for b in "$FO_TOOL" "$FAULT_MON" "$PAIR_BIN/vrouterd" \
    "$PAIR_BIN/vrouter-hostd"; do
	[ -x "$b" ] || die "$b not built (make B=... all)"
done
for c in conntrack iptables bridge; do
	command -v "$c" >/dev/null 2>&1 || {
		echo "faults.sh: skipped: $c missing" >&2
		exit 77
	}
done
for c in $CASES; do
	fault_known "$c" || die "unknown fault $c (known: $(words $FAULT_CASES))"
done
mkdir -p "$OUT" || exit 1

fo_machine
echo "faults: $(words $CASES); $RUNS runs each, $CONNS connections ($ACTIVE ticked)"
echo "case,run,$(words $KEYS | tr ' ' ','),load" >"$CSV"
for c in $CASES; do
	one_case "$c" || exit 1
done
summary "$CSV"
echo "csv: $CSV"
