#!/bin/sh
# shellcheck shell=dash
# apply.sh: how long vrouterd takes to install its NAT and guard rules,
# beside the floor: plain `iptables-restore` of the same rules, measured
# in the same run.  In the pair lab (tests/lab/pair.sh), r1 gets
# APPLY_NETS networks (veth pairs inside r1's namespace; the lab's private
# network first) and APPLY_FWDS port forwards, then:
#   start   vrouterd started anew -> rules installed (its log: "NAT: rules
#           installed N ms after start", from main()'s first line)
#   reload  `vrouterctl reload` after one forward changed (its log:
#           "reload done in N ms": parse, render, NAT, files)
#   floor   `iptables-restore` of what iptables-save shows of the nat and
#           filter tables afterwards, timed by a shell in r1 (fork and
#           exec included, as vrouterd pays them; ip netns exec's are not)
# each APPLY_RUNS times (default 7); it prints the medians and the ratio
# to the floor.  Sizes: APPLY_SIZES="16/256 64/1000" (networks/forwards).
# Prints figures, never judges them; fails only if a step did not happen.
#
# usage: apply.sh [BUILD_DIR]      (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"

RUNS=${APPLY_RUNS:-7}
SIZES=${APPLY_SIZES:-16/256 64/1000}
export PAIR_CONNTRACKD=false

lab_need
pair_setup || exit 1
lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER || exit 1

median()	# numbers on stdin -> their median
{
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-";
	    else if (NR % 2) print v[(NR + 1) / 2];
	    else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

now_ms()	{ echo $(($(date +%s%N) / 1000)) | awk '{ printf "%.1f", $1 / 1000 }'; }

# big_config NETS FWDS DPORT: r1.json with NETS networks, FWDS forwards,
# the first forward to port DPORT.
big_config()
{
	local nets="$1" fwds="$2" dport="$3" i sep
	{
	sed -n '1,/"networks"/p' "$LAB_DIR/r1.json.orig" | sed '$d'
	echo '  "networks": [ { "name": "lan0", "interface": "'"$LAB_PRIV_IF"'",'
	echo '    "cidr": "'"$LAB_PRIV_NET"'", "gateway": "'"$LAB_PRIV_GW"'", "vrid": 52 }'
	i=1
	while [ "$i" -lt "$nets" ]; do
		echo "  , { \"name\": \"n$i\", \"interface\": \"${LAB}d$i\","
		echo "    \"cidr\": \"10.99.$i.0/24\", \"gateway\": \"10.99.$i.1\", \"vrid\": $((100 + i)) }"
		i=$((i + 1))
	done
	echo '  ],'
	echo '  "port_forwards": ['
	i=0 sep=" "
	while [ "$i" -lt "$fwds" ]; do
		echo "  $sep{ \"proto\": \"tcp\", \"public_port\": $((10000 + i)), \"host\": \"$LAB_C1_ADDR\", \"port\": $([ "$i" = 0 ] && echo "$dport" || echo 22) }"
		i=$((i + 1)) sep=,
	done
	echo '  ],'
	sed -n '/"host_channel"/,$p' "$LAB_DIR/r1.json.orig"
	} >"$LAB_DIR/r1.json"
}

# The links of the networks: veth pairs within r1 (no traffic on them).
dummies()
{
	local i=1
	while [ "$i" -lt "$1" ]; do
		ip -n "$LAB_NS_R1" link show "${LAB}d$i" >/dev/null 2>&1 ||
		    { ip -n "$LAB_NS_R1" link add "${LAB}d$i" type veth peer name "${LAB}e$i" &&
		    ip -n "$LAB_NS_R1" link set "${LAB}e$i" up &&
		    ip -n "$LAB_NS_R1" addr add "10.99.$i.2/24" dev "${LAB}d$i" &&
		    ip -n "$LAB_NS_R1" link set "${LAB}d$i" up; } || return 1
		i=$((i + 1))
	done
}

logged()	# PATTERN: how many times r1's vrouterd log has it
{
	local n
	n=$(grep -c "$1" "$LAB_DIR/r1.vrouterd.log" 2>/dev/null)
	echo "${n:-0}"
}

cp "$LAB_DIR/r1.json" "$LAB_DIR/r1.json.orig"
printf '%-10s %10s %10s %10s %8s %8s %6s\n' size start_ms reload_ms \
    floor_ms start/fl reload/fl rules
for size in $SIZES; do
	nets=${size%/*} fwds=${size#*/}
	dummies "$nets" || { lab_notok "dummy links"; exit 1; }
	big_config "$nets" "$fwds" 22
	: >"$LAB_DIR/start.ms"; : >"$LAB_DIR/reload.ms"; : >"$LAB_DIR/floor.ms"
	run=0
	while [ "$run" -lt "$RUNS" ]; do
		lab_stop "$PAIR_VRD_r1" 5000
		pair_vrouterd r1 >/dev/null || exit 1
		lab_wait_for "rules installed" 5000 \
		    grep -q "rules installed" "$LAB_DIR/r1.vrouterd.log" ||
		    { lab_notok "r1 started ($size)"; tail -3 "$LAB_DIR/r1.vrouterd.log"; exit 1; }
		sed -n 's/.*rules installed \([0-9.]*\) ms after start.*/\1/p' \
		    "$LAB_DIR/r1.vrouterd.log" | tail -1 >>"$LAB_DIR/start.ms"
		run=$((run + 1))
	done
	run=0
	while [ "$run" -lt "$RUNS" ]; do
		n=$(logged "reload done in")
		big_config "$nets" "$fwds" $((23 + run % 2))
		pair_ctl r1 reload >/dev/null 2>&1
		lab_wait_for "reload $run" 10000 \
		    test "$(logged "reload done in")" -gt "$n" ||
		    { lab_notok "reload ($size)"; tail -3 "$LAB_DIR/r1.vrouterd.log"; exit 1; }
		sed -n 's/.*reload done in \([0-9.]*\) ms.*/\1/p' \
		    "$LAB_DIR/r1.vrouterd.log" | tail -1 >>"$LAB_DIR/reload.ms"
		run=$((run + 1))
	done
	lab_exec r1 iptables-save -t nat >"$LAB_DIR/floor.rules"
	lab_exec r1 iptables-save -t filter >>"$LAB_DIR/floor.rules"
	rules=$(grep -c '^-A VROUTER-' "$LAB_DIR/floor.rules")
	# Timed inside r1, as vrouterd forks it: not ip netns exec's cost.
	lab_exec r1 sh -c 'i=0; while [ "$i" -lt "$1" ]; do
		t=$(date +%s%N)
		iptables-restore <"$2" || exit 1
		echo $(( ($(date +%s%N) - t) / 1000 ))
		i=$((i + 1))
	    done' sh "$RUNS" "$LAB_DIR/floor.rules" |
	    awk '{ printf "%.1f\n", $1 / 1000 }' >"$LAB_DIR/floor.ms"
	[ "$(wc -l <"$LAB_DIR/floor.ms")" -eq "$RUNS" ] ||
	    { lab_notok "iptables-restore ($size)"; exit 1; }
	s=$(median <"$LAB_DIR/start.ms") r=$(median <"$LAB_DIR/reload.ms")
	f=$(median <"$LAB_DIR/floor.ms")
	printf '%-10s %10s %10s %10s %8s %8s %6s\n' "$size" "$s" "$r" "$f" \
	    "$(awk -v a="$s" -v b="$f" 'BEGIN { printf "%.2f", a / b }')" \
	    "$(awk -v a="$r" -v b="$f" 'BEGIN { printf "%.2f", a / b }')" \
	    "$rules"
done
exit 0
