#!/bin/sh
# t_splitbrain: one cut link between the routers is not a dead peer.  In
# the pair lab (vrouterd + keepalived + conntrackd on r1 and r2; VRRP
# adverts on the private segment through the switch and, for the sync
# path's instance VI_sync, on the sync link), with a 10 ms ping stream
# from the client, each link is cut for 5 s while both hypervisors' VIP
# routes are sampled every ~10 ms.  It proves that
#  1. VRRP dropped on the MASTER's private leg (a filter in the router,
#     no carrier lost): no role changes, never both hypervisors route;
#  2. the sync link down (carrier lost at both ends): the same;
#  3. VRRP dropped on the sync link (a filter, no carrier lost): the same;
#  4. the MASTER's private port down in the switch (it has lost its leg):
#     one failover to the peer, never both hypervisors routing;
#  and after each cut exactly one MASTER, only its hypervisor routing,
#  and the echoes flowing.  The longest gap between echoes, the echoes
#  lost and the time both (and neither) hypervisors held the route are
#  printed, as figures; what is asserted is the outcome: never both, no
#  role change where a path remained, echoes back after the cut.
#  5. a true partition (VRRP dropped on both paths for 2 s) heals to one
#     MASTER, and the master's re-assertion of its route on the lower
#     priority adverts it then hears is rate-limited: no two within
#     100 ms (and at most a few in all).
#
# usage: t_splitbrain.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"

lab_need
if ! command -v tc >/dev/null 2>&1; then
	echo "1..0 # SKIP tc missing"
	exit 77
fi

CUT_S=5

hv_of()		{ [ "$1" = r1 ] && echo hv1 || echo hv2; }

# Exactly one MASTER, the other BACKUP, and only the MASTER's hypervisor
# routes the VIP.
one_master()
{
	local m o
	if pair_is r1 MASTER; then m=r1; else m=r2; fi
	o=$(pair_other "$m")
	pair_is "$m" MASTER && pair_is "$o" BACKUP &&
	    pair_only_route "$(hv_of "$m")" "$(hv_of "$o")"
}

# drop R IF on|off: drop VRRP (IP protocol 112) both ways on IF inside
# router R, with iptables, below any carrier: the link stays up.  (The
# switch bridges without netfilter, and tc's drop action may be missing.)
drop()
{
	local op=-I
	[ "$3" = on ] || op=-D
	lab_exec "$1" iptables -w $op INPUT -i "$2" -p 112 -j DROP &&
	    lab_exec "$1" iptables -w $op OUTPUT -o "$2" -p 112 -j DROP
}

# Sample both hypervisors' routes for S seconds, every ~10 ms; sets
# BOTH_MS and NONE_MS (time, by the samples, that both and that neither
# held the route) and SAMPLES.
sample_routes()	# S
{
	local end now last r1 r2
	BOTH_MS=0 NONE_MS=0 SAMPLES=0
	last=$(date +%s%3N)
	end=$((last + $1 * 1000))
	while :; do
		pair_route hv1 && r1=1 || r1=0
		pair_route hv2 && r2=1 || r2=0
		now=$(date +%s%3N)
		[ "$r1$r2" = 11 ] && BOTH_MS=$((BOTH_MS + now - last))
		[ "$r1$r2" = 00 ] && NONE_MS=$((NONE_MS + now - last))
		SAMPLES=$((SAMPLES + 1))
		last=$now
		[ "$now" -lt "$end" ] || break
		# the two lookups take most of the ~10 ms
		sleep 0.002
	done
}

# Echoes lost in the stream: the replies missing between the first and
# the last one seen.
lost_echoes()
{
	awk '/bytes from/ {
		s = $0; sub(/.*icmp_seq=/, "", s); sub(/ .*/, "", s)
		if (!n++) first = s
		last = s
	} END { print n ? last - first + 1 - n : -1 }' "$LAB_DIR/stream.log"
}

# The stream's last reply came after T (ms since the epoch).
echoes_after()	# T
{
	awk -v t="$1" '/bytes from/ {
		x = substr($1, 2, length($1) - 2) * 1000
		if (x > t) f = 1
	} END { exit !f }' "$LAB_DIR/stream.log"
}

# cut_case NAME KEEP CUT HEAL: with the stream running, CUT for CUT_S s
# while sampling, HEAL, then check.  KEEP=keep: no role change may happen.
cut_case()
{
	local name="$1" keep="$2" cut="$3" heal="$4" t1 t2 healed gap lost

	t1=$(pair_transitions r1) t2=$(pair_transitions r2)
	pair_stream_start
	sleep 0.5
	if ! eval "$cut"; then
		lab_notok "$name: cut" "failed: $cut"
		pair_stream_stop
		return
	fi
	sample_routes "$CUT_S"
	eval "$heal" || lab_notok "$name: heal" "failed: $heal"
	healed=$(date +%s%3N)
	lab_check "$name: exactly one MASTER afterwards, only its hypervisor routes" \
	    lab_wait_for "one master" 10000 one_master
	sleep 1
	pair_stream_stop
	gap=$(pair_outage) lost=$(lost_echoes)
	echo "# $name: both held ${BOTH_MS} ms, neither ${NONE_MS} ms" \
	    "($SAMPLES samples in ${CUT_S} s); longest echo gap ${gap} ms," \
	    "$lost echoes lost"
	lab_check "$name: never both hypervisors route the VIP (${BOTH_MS} ms)" \
	    test "$BOTH_MS" = 0
	lab_check "$name: sampled every few ms ($SAMPLES samples)" \
	    test "$SAMPLES" -ge $((CUT_S * 20))
	lab_check "$name: echoes flow after the cut" echoes_after "$healed"
	if [ "$keep" = keep ]; then
		lab_check "$name: no role change ($t1/$t2 -> $(pair_transitions r1)/$(pair_transitions r2) transitions)" \
		    test "$(pair_transitions r1)/$(pair_transitions r2)" = "$t1/$t2"
		# generous: a role change would show as far more
		lab_check "$name: no echo gap of a second (${gap} ms)" \
		    test "$gap" -lt 1000
	else
		lab_check "$name: echoes flowed during the cut (gap ${gap} ms)" \
		    test "$gap" -lt $((CUT_S * 1000 / 2))
	fi
}

pair_setup || exit 1
lab_check "r1 becomes MASTER" lab_wait_for "r1 MASTER" 15000 pair_is r1 MASTER
lab_check "r2 becomes BACKUP" lab_wait_for "r2 BACKUP" 10000 pair_is r2 BACKUP
lab_check "hv1 routes the VIP" lab_wait_for "hv1 route" 5000 pair_route hv1
lab_check "the sync path's instance runs on both" sh -c \
    "grep -q 'VI_sync' '$LAB_DIR/r1.run/keepalived.conf' &&
     grep -q 'VI_sync' '$LAB_DIR/r2.run/keepalived.conf'"
lab_wait_for "client" 5000 pair_client_ok
# Let VI_sync's first adverts settle: the stream must see steady state.
sleep 1

# 1.
M=$(pair_master)
cut_case "VRRP dropped on $M's private leg" keep \
    "drop $M $LAB_PRIV_IF on" "drop $M $LAB_PRIV_IF off"
# 2.
cut_case "sync link down" keep \
    "lab_exec r1 ip link set dev $LAB_SYNC_IF down" \
    "lab_exec r1 ip link set dev $LAB_SYNC_IF up"
# 3.
M=$(pair_master)
cut_case "VRRP dropped on the sync link" keep \
    "drop $M $LAB_SYNC_IF on" "drop $M $LAB_SYNC_IF off"
# 4.
M=$(pair_master)
cut_case "$M's private port down in the switch" failover \
    "lab_exec sw ip link set dev l-$M down" \
    "lab_exec sw ip link set dev l-$M up"

# 5.
M=$(pair_master)
O=$(pair_other "$M")
from=$(wc -l <"$LAB_DIR/$M.vrouterd.log")
cut=$(date +%s%3N)
drop "$M" "$LAB_PRIV_IF" on && drop "$M" "$LAB_SYNC_IF" on ||
    lab_notok "partition: cut both paths"
lab_check "partition: $O becomes MASTER too (it hears no one)" \
    lab_wait_for "$O MASTER" 5000 pair_is "$O" MASTER
echo "# partition: $O MASTER $(($(date +%s%3N) - cut)) ms after the cut"
# What VRRP cannot avoid: both route for as long as the partition lasts.
sample_routes 2
echo "# partition: both held ${BOTH_MS} ms of the 2 s sampled"
drop "$M" "$LAB_PRIV_IF" off
drop "$M" "$LAB_SYNC_IF" off
lab_check "partition healed: exactly one MASTER, only its hypervisor routes" \
    lab_wait_for "one master" 10000 one_master
sleep 1
# vrouterd's log lines start with the time, to the ms (-d).
tail -n +$((from + 1)) "$LAB_DIR/$M.vrouterd.log" |
    grep 're-asserting the host route' >"$LAB_DIR/reassert" || :
n=$(wc -l <"$LAB_DIR/reassert")
# the shortest time between two of them, in ms (-1: fewer than two)
min=$(awk '{ split($1, t, ":"); x = (t[1] * 3600 + t[2] * 60 + t[3]) * 1000
	if (NR > 1 && (m == "" || x - l < m)) m = x - l; l = x }
	END { printf "%d\n", m == "" ? -1 : m }' "$LAB_DIR/reassert")
quiet=$(tail -n +$((from + 1)) "$LAB_DIR/$M.vrouterd.log" |
    grep -c 're-asserted less than') || :
echo "# partition healed: the master re-asserted its route $n times," \
    "at least $min ms apart; $quiet more reports within the limit"
lab_check "partition healed: re-assertions at most a few ($n)" test "$n" -le 10
lab_check "partition healed: no two re-assertions within 100 ms ($min ms)" \
    test "$min" -lt 0 -o "$min" -ge 100
lab_done
