#!/bin/sh
# t_lab_pair: the HA-pair topology (lab_topo_pair) works with the real
# keepalived, conntrackd and iptables, and no vrouter daemon: the test
# plays vrouter-hostd by hand (`ip route replace VIP/32 dev tap0` on the
# MASTER's hypervisor plus one gratuitous ARP) and vrouterd's conntrackd
# handover too.  docs/keepalived-notes.md explains what it shows.  It
# proves that
#  1. keepalived -t accepts advert_int 0.05 and 0.01 and exits 5 on 0.015
#     (rounded to 10 ms units); iptables SNAT works inside a namespace;
#  2. two conntrackd (FTFW over eth2, own lock, socket and log file each)
#     run side by side and answer -s;
#  3. keepalived (VRRPv3, unicast over eth2, one sync group of a public and
#     a private instance) makes r1 MASTER: the notify FIFO carries the
#     ordered lines, r1 holds both VIPs and keepalived's default route, r2
#     holds none;
#  4. c1 reaches the server through r1, and the server sees the VIP as the
#     source; a long TCP stream c1 <- up through r1 shows up in r1's
#     internal and r2's external conntrackd cache;
#  5. SIGKILL of r1's keepalived process group: r2 says MASTER on its FIFO
#     (time printed); r1 keeps its VIPs (a crash is not a data-plane fault,
#     the supervisor must remove them, as done here by hand);
#  6. r2 commits the external cache (conntrackd -c) before the host route
#     moves to hv2: the stream survives, and c1 reaches the server through
#     r2;
#  7. failover times at advert_int 0.05 and 0.01 (reload by SIGHUP, r1
#     restarted and preempting, then killed again), printed as comments;
#  8. conntrackd -t on the demoted r1 flushes its kernel table after
#     PurgeTimeout.
#
# usage: t_lab_pair.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"

lab_need
for c in keepalived conntrackd conntrack iptables bash socat arping; do
	command -v "$c" >/dev/null 2>&1 ||
	    { echo "not ok 1 - $c missing (scripts/install-deps.sh)"; exit 1; }
done

lab_init || exit 1
lab_topo_pair || { lab_notok "lab_topo_pair builds the topology"; exit 1; }
lab_ok "lab_topo_pair builds the topology (prefix $LAB)"

VIP=$LAB_VIP
UP=$LAB_UP_ADDR
SAMPLES=3		# failovers timed per advert interval

# kconf R PRIO SRC PEER ADVERT: keepalived.conf for router R.
kconf()
{
	local i vrid vip routes
	{
		cat <<EOF
global_defs {
	router_id $1
	notify_fifo $LAB_DIR/$1.fifo
	vrrp_version 3
	vrrp_garp_master_repeat 1
	vrrp_garp_master_delay 1
}
vrrp_sync_group G1 {
	group {
		VI_pub
		VI_priv
	}
}
EOF
		for i in pub priv; do
			if [ $i = pub ]; then
				vrid=10
				vip="$VIP/32 dev $LAB_R_IF"
				routes="	virtual_routes {
		0.0.0.0/0 dev $LAB_R_IF
	}"
			else
				vrid=11
				vip="$LAB_PRIV_GW/$LAB_PRIV_PREFIX dev $LAB_PRIV_IF"
				routes=
			fi
			cat <<EOF
vrrp_instance VI_$i {
	state BACKUP
	interface $LAB_SYNC_IF
	virtual_router_id $vrid
	priority $2
	advert_int $5
	unicast_src_ip $3
	unicast_peer {
		$4
	}
	virtual_ipaddress {
		$vip
	}
$routes
}
EOF
		done
	} >"$LAB_DIR/$1.kconf"
}

# cconf R SRC PEER: conntrackd.conf for router R (FTFW over the sync link).
cconf()
{
	cat >"$LAB_DIR/$1.cconf" <<EOF
Sync {
	Mode FTFW {
		PurgeTimeout 2
	}
	UDP {
		IPv4_address $2
		IPv4_Destination_Address $3
		Port 3780
		Interface $LAB_SYNC_IF
		SndSocketBuffer 1249280
		RcvSocketBuffer 1249280
		Checksum on
	}
}
General {
	Systemd off
	# Above CommitSteps (8192): with HashSize <= 8192, conntrackd 1.4.7
	# refuses every -f after a -c ("commit still in progress").
	HashSize 32768
	HashLimit 131072
	LogFile $LAB_DIR/$1.ctd.log
	Syslog off
	LockFile $LAB_DIR/$1.ctd.lock
	UNIX {
		Path $LAB_DIR/$1.ctd.sock
	}
	NetlinkBufferSize 2097152
	NetlinkBufferSizeMaxGrowth 8388608
	Filter From Userspace {
		Protocol Accept {
			TCP
			UDP
			ICMP
		}
		Address Ignore {
			IPv4_address 127.0.0.1
			IPv4_address $VIP
			IPv4_address $LAB_PRIV_GW
			IPv4_address $LAB_R1_PRIV
			IPv4_address $LAB_R2_PRIV
			IPv4_address $LAB_SYNC_NET
		}
	}
}
EOF
}

# start_k R: keepalived in the foreground, in its own process group.
start_k()
{
	rm -f "$LAB_DIR/$1.k.pid" "$LAB_DIR/$1.vrrp.pid"
	lab_bg "$1" "$LAB_DIR/$1.klog" setsid keepalived -n -l -D -G -P \
	    -f "$LAB_DIR/$1.kconf" -p "$LAB_DIR/$1.k.pid" \
	    -r "$LAB_DIR/$1.vrrp.pid" -c "$LAB_DIR/$1.chk.pid" >/dev/null
	eval "K_$1=\$LAB_PID"
}

# ctd R ARGS...: conntrackd client command for router R.
ctd()
{
	local r="$1"
	shift
	lab_exec "$r" conntrackd -C "$LAB_DIR/$r.cconf" "$@"
}

# fifo_at R SINCE TEXT: time (ms) of R's first FIFO line at or after SINCE
# that contains TEXT; fails if there is none.
fifo_at()
{
	awk -v t="$2" -v p="$3" '$1 >= t && index($0, p) { print $1; f = 1;
	    exit } END { exit !f }' "$LAB_DIR/$1.fifolog"
}

# fifo_since R SINCE: R's FIFO lines at or after SINCE, without the times.
fifo_since()
{
	awk -v t="$2" '$1 >= t { sub(/^[0-9]+ /, ""); print }' \
	    "$LAB_DIR/$1.fifolog"
}

# has_vips R: R holds both VIPs; no_vips R: neither.
has_vips()
{
	lab_exec "$1" ip -o addr show dev "$LAB_R_IF" | grep -q " $VIP/32 " &&
	    lab_exec "$1" ip -o addr show dev "$LAB_PRIV_IF" |
	    grep -q " $LAB_PRIV_GW/"
}
no_vips()
{
	! lab_exec "$1" ip -o addr | grep -q -e " $VIP/" -e " $LAB_PRIV_GW/"
}

# snat_pkts R: packets that went through R's SNAT rule.
snat_pkts()
{
	lab_exec "$1" iptables -t nat -L POSTROUTING -n -v -x |
	    awk '$3 == "SNAT" { print $1; exit }'
}

# whoami: what the server says our source address is.
whoami()
{
	lab_ask c1 "$UP" 7001
}
sees_vip()
{
	[ "$(whoami)" = "$VIP" ]
}

# stream_lines: lines the long stream has delivered to c1 so far.
stream_lines()
{
	wc -l <"$LAB_DIR/stream.out"
}
stream_past()
{
	[ "$(stream_lines)" -ge "$1" ]
}

# kstream R: print R's kernel conntrack entry for the stream; fail if none.
kstream()
{
	lab_exec "$1" conntrack -L -p tcp --dport 7002 2>/dev/null | grep .
}
has_kstream()
{
	kstream "$1" >/dev/null
}

# keepalived_pids R: keepalived processes still running in R.
keepalived_pids()
{
	local p
	for p in $(ip netns pids "$LAB$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = keepalived ] &&
		    echo "$p"
	done
}
no_keepalived()
{
	[ -z "$(keepalived_pids "$1")" ]
}

# crash R: SIGKILL R's keepalived group; prints the time of the kill.
crash()
{
	local t
	t=$(lab__now_ms)
	eval "lab_killpg \$K_$1 KILL"
	echo "$t"
}

# fault R: what a supervisor must do first for a dead keepalived: drop the
# VIPs (the default route goes with the last eth0 address).  conntrackd -t,
# its other duty, is run once below.
fault()
{
	lab_exec "$1" ip addr del "$VIP/32" dev "$LAB_R_IF" 2>/dev/null
	lab_exec "$1" ip addr del "$LAB_PRIV_GW/$LAB_PRIV_PREFIX" \
	    dev "$LAB_PRIV_IF" 2>/dev/null
	return 0
}

# 1. config checks and iptables
kconf r1 150 "$LAB_R1_SYNC" "$LAB_R2_SYNC" 0.05
kconf r2 100 "$LAB_R2_SYNC" "$LAB_R1_SYNC" 0.05
cconf r1 "$LAB_R1_SYNC" "$LAB_R2_SYNC"
cconf r2 "$LAB_R2_SYNC" "$LAB_R1_SYNC"
for a in 0.05 0.01 0.015; do
	sed "s/advert_int .*/advert_int $a/" "$LAB_DIR/r1.kconf" \
	    >"$LAB_DIR/t.kconf"
	# -t checks the interfaces too: run it where they exist.
	lab_exec r1 keepalived -t -f "$LAB_DIR/t.kconf" >"$LAB_DIR/t.out" 2>&1
	eval "rc_$(echo $a | tr -d .)=$?"
done
if [ "$rc_005" = 0 ] && [ "$rc_001" = 0 ] && [ "$rc_0015" = 5 ]; then
	lab_ok "keepalived -t: advert_int 0.05 and 0.01 pass, 0.015 exits 5"
else
	lab_notok "keepalived -t: advert_int 0.05 and 0.01 pass, 0.015 exits 5" \
	    "rc $rc_005 $rc_001 $rc_0015: $(cat "$LAB_DIR/t.out")"
fi
echo "# $(iptables -V)"
ok=1
for r in r1 r2; do
	lab_exec "$r" iptables -t nat -A POSTROUTING -s "$LAB_PRIV_NET" \
	    -o "$LAB_R_IF" -j SNAT --to-source "$VIP" || ok=
done
lab_check "iptables SNAT $LAB_PRIV_NET -> $VIP inside r1 and r2" test -n "$ok"

# 2. conntrackd on both routers, in the foreground
for r in r1 r2; do
	lab_bg "$r" "$LAB_DIR/$r.ctd.out" conntrackd -C "$LAB_DIR/$r.cconf" \
	    >/dev/null
	eval "C_$r=\$LAB_PID"
done
for r in r1 r2; do
	lab_check "conntrackd on $r answers -s" lab_wait_for "conntrackd $r" \
	    3000 sh -c "ip netns exec $LAB$r conntrackd -C $LAB_DIR/$r.cconf \
	    -s | grep -q 'cache internal'"
done
echo "# conntrackd scheduling: $(ps -o cls=,rtprio= -p "$C_r1")"

# 3. keepalived on both routers; r1 wins
for r in r1 r2; do
	lab_fifo_log "$r" "$LAB_DIR/$r.fifo" "$LAB_DIR/$r.fifolog" 55
done
t_start=$(lab__now_ms)
start_k r1
start_k r2
lab_check "r1 becomes MASTER (FIFO)" lab_wait_for "r1 MASTER" 3000 \
    fifo_at r1 "$t_start" 'GROUP "G1" MASTER'
lab_check "r2 stays BACKUP (FIFO)" lab_wait_for "r2 BACKUP" 1000 \
    fifo_at r2 "$t_start" 'GROUP "G1" BACKUP'
echo "# r1 MASTER $(($(fifo_at r1 "$t_start" 'GROUP "G1" MASTER') - t_start)) ms after the start"
want='GROUP "G1" BACKUP 0
INSTANCE "VI_pub" BACKUP 150
INSTANCE "VI_priv" BACKUP 150
INSTANCE "VI_priv" MASTER 150
INSTANCE "VI_pub" MASTER 150
GROUP "G1" MASTER 0'
got=$(fifo_since r1 "$t_start")
if [ "$got" = "$want" ]; then
	lab_ok "r1's FIFO lines, in order"
else
	lab_notok "r1's FIFO lines, in order" "got: $(echo "$got" | tr '\n' '|')"
fi
lab_check "r1 holds both VIPs" has_vips r1
lab_check "r1 has keepalived's default route" sh -c \
    "ip -n ${LAB}r1 route show default | grep -q 'proto keepalived'"
lab_check "r2 holds no VIP and no default route" sh -c \
    "! ip -n ${LAB}r2 -o addr | grep -q -e ' $VIP/' -e ' $LAB_PRIV_GW/' &&
    ! ip -n ${LAB}r2 route show default | grep -q ."
pg=$(ps -o pid=,ppid=,pgid= -g "$K_r1" | wc -l)
lab_check "r1's keepalived is a parent and a VRRP child in one group ($pg)" \
    test "$pg" -eq 2

# 4. hostd's job by hand: the VIP routed to r1's tap, announced
lab_exec hv1 ip route replace "$VIP/32" dev "$LAB_HV_TAP"
lab_garp hv1 "$LAB_HV_UPLINK" "$VIP"
lab_bg up "$LAB_DIR/who.log" setsid socat TCP-LISTEN:7001,reuseaddr,fork \
    'SYSTEM:echo $SOCAT_PEERADDR' >/dev/null
WHO=$LAB_PID
lab_bg up "$LAB_DIR/stream.log" setsid socat TCP-LISTEN:7002,reuseaddr \
    'SYSTEM:i=0; while [ $i -lt 1000 ]; do echo $i; i=$((i+1)); sleep 0.05; done' \
    >/dev/null
STREAM_SRV=$LAB_PID
lab_wait_for "server" 2000 lab__listening up 7002
lab_check "c1 reaches the server through r1; the server sees the VIP" \
    lab_wait_for "c1 -> up" 3000 sees_vip
p1=$(snat_pkts r1)
lab_check "r1's SNAT rule counted it ($p1)" test "${p1:-0}" -gt 0
lab_bg c1 "$LAB_DIR/stream.err" setsid timeout 50 socat -u \
    "TCP:$UP:7002,connect-timeout=1" "OPEN:$LAB_DIR/stream.out,creat" \
    >/dev/null
STREAM=$LAB_PID
lab_check "the stream flows through r1" \
    lab_wait_for "stream" 3000 stream_past 5
lab_check "r1's conntrackd has it in its internal cache" \
    lab_wait_for "r1 -i" 2000 sh -c \
    "ip netns exec ${LAB}r1 conntrackd -C $LAB_DIR/r1.cconf -i | grep -q 'dport=7002'"
lab_check "r2's conntrackd has it in its external cache" \
    lab_wait_for "r2 -e" 2000 sh -c \
    "ip netns exec ${LAB}r2 conntrackd -C $LAB_DIR/r2.cconf -e | grep -q 'dport=7002'"
echo "# r2 -e: $(ctd r2 -e | grep dport=7002)"

# 5. crash r1: SIGKILL its whole keepalived group
t0=$(crash r1)
if lab_wait_for "r2 MASTER" 3000 fifo_at r2 "$t0" 'INSTANCE "VI_pub" MASTER'
then
	t1=$(fifo_at r2 "$t0" 'INSTANCE "VI_pub" MASTER')
	lab_ok "r1 crashed: r2 says MASTER on its FIFO"
	echo "# advert 0.05: SIGKILL -> r2 MASTER line in $((t1 - t0)) ms"
else
	lab_notok "r1 crashed: r2 says MASTER on its FIFO" \
	    "$(cat "$LAB_DIR/r2.fifolog")"
fi
lab_check "no keepalived process is left in r1" \
    lab_wait_for "r1 keepalived gone" 1000 no_keepalived r1
lab_check "r1 keeps its VIPs after SIGKILL (no STOP line either)" sh -c \
    "ip -n ${LAB}r1 -o addr | grep -q ' $VIP/32 ' &&
    ! grep -q STOP $LAB_DIR/r1.fifolog"
lab_check "r2 now holds both VIPs" has_vips r2
fault r1
lab_check "r1, as its supervisor would, dropped the VIPs" no_vips r1
lab_check "r1's default route went with its last eth0 address" sh -c \
    "! ip -n ${LAB}r1 route show default | grep -q ."

# 6. r2: conntrackd handover before the route moves; then hostd's move
l0=$(wc -l <"$LAB_DIR/r2.ctd.log")
for op in c f R B; do
	out=$(ctd r2 -$op 2>&1)
	rc=$?
	echo "# r2 conntrackd -$op: rc $rc${out:+: $(echo "$out" | tr '\n' ' ')}"
	eval "rc_$op=$rc"
	[ "$op" = c ] && committed=$(kstream r2)
done
lab_check "conntrackd -c, -f, -R, -B on r2 exit 0" \
    test "$rc_c$rc_f$rc_R$rc_B" = 0000
tail -n +$((l0 + 1)) "$LAB_DIR/r2.ctd.log" |
    sed 's/^\[[^]]*\] ([^)]*) //' >"$LAB_DIR/r2.handover"
sed 's/^/# r2 conntrackd log: /' "$LAB_DIR/r2.handover"
lab_check "r2's conntrackd committed, flushed, resynced, sent in bulk" \
    sh -c "grep -q 'Committed [1-9]' $LAB_DIR/r2.handover &&
    grep -q 'flushing caches' $LAB_DIR/r2.handover &&
    ! grep -q 'ignoring flush' $LAB_DIR/r2.handover &&
    grep -q 'resync with master conntrack table' $LAB_DIR/r2.handover &&
    grep -q 'sending bulk update' $LAB_DIR/r2.handover"
lab_check "-c put the stream into r2's kernel table, NATed to the VIP" sh -c \
    "echo '$committed' | grep -q 'dst=$VIP sport=7002'"
echo "# r2 kernel: $committed"
n0=$(stream_lines)
t2=$(lab__now_ms)
lab_exec hv1 ip route del "$VIP/32" dev "$LAB_HV_TAP"
lab_exec hv2 ip route replace "$VIP/32" dev "$LAB_HV_TAP"
lab_garp hv2 "$LAB_HV_UPLINK" "$VIP"
lab_check "c1 reaches the server through r2; the server sees the VIP" \
    lab_wait_for "c1 -> up via r2" 3000 sees_vip
p2=$(snat_pkts r2)
lab_check "r2's SNAT rule counted it ($p2)" test "${p2:-0}" -gt 0
if lab_wait_for "stream after the move" 3000 stream_past $((n0 + 10)); then
	lab_ok "the stream survives the failover ($n0 -> $(stream_lines) lines)"
else
	lab_notok "the stream survives the failover" \
	    "$n0 -> $(stream_lines) lines; $(cat "$LAB_DIR/stream.err")"
fi
echo "# route moved $((t2 - t0)) ms after the kill"
# The stream has made its point; stopped now, it cannot wander back
# through r1 when r1 preempts below.
lab_killpg "$STREAM" TERM
lab_killpg "$STREAM_SRV" TERM

# 8 (started now, checked at the end): -t on the demoted r1
lab_check "r1 still has the stream's entry in its kernel table" has_kstream r1
out=$(ctd r1 -t 2>&1)
lab_check "conntrackd -t on r1 exits 0${out:+ ($out)}" test $? = 0
t_purge=$(lab__now_ms)

# 7. timing rounds: r1 restarted (it preempts), then killed again
for adv in 0.05 0.01; do
	kconf r1 150 "$LAB_R1_SYNC" "$LAB_R2_SYNC" "$adv"
	kconf r2 100 "$LAB_R2_SYNC" "$LAB_R1_SYNC" "$adv"
	th=$(lab__now_ms)
	lab_kill "$K_r2" HUP
	sleep 0.5
	if [ "$(fifo_since r2 "$th")" = "" ] && has_vips r2; then
		lab_ok "advert $adv: SIGHUP reload keeps r2 MASTER, no FIFO line"
	else
		lab_notok "advert $adv: SIGHUP reload keeps r2 MASTER" \
		    "$(fifo_since r2 "$th" | tr '\n' '|')"
	fi
	times=
	i=0
	while [ $i -lt $SAMPLES ]; do
		i=$((i + 1))
		ts=$(lab__now_ms)
		start_k r1
		if ! lab_wait_for "r1 back" 3000 fifo_at r1 "$ts" \
		    'GROUP "G1" MASTER' || ! lab_wait_for "r2 back" 1000 \
		    fifo_at r2 "$ts" 'GROUP "G1" BACKUP'; then
			times="$times fail"
			break
		fi
		sleep 0.3
		t0=$(crash r1)
		if lab_wait_for "r2 MASTER" 3000 fifo_at r2 "$t0" \
		    'INSTANCE "VI_pub" MASTER'; then
			times="$times $(($(fifo_at r2 "$t0" \
			    'INSTANCE "VI_pub" MASTER') - t0))"
		else
			times="$times fail"
		fi
		lab_wait_for "r1 keepalived gone" 1000 no_keepalived r1
		fault r1
	done
	case $times in
	*fail*) lab_notok "advert $adv: $SAMPLES crash failovers" "$times" ;;
	*) lab_ok "advert $adv: $SAMPLES crash failovers" ;;
	esac
	echo "# advert $adv: SIGKILL -> r2 MASTER line in$times ms"
done

# 8. the flush scheduled by -t
left=$((t_purge + 4000 - $(lab__now_ms)))
[ $left -gt 0 ] || left=1
lab_check "-t flushed r1's kernel table after PurgeTimeout (2 s)" \
    lab_wait_for "r1 flush" $left sh -c "! ip netns exec ${LAB}r1 \
    conntrack -L -p tcp --dport 7002 2>/dev/null | grep -q ."
grep -i flush "$LAB_DIR/r1.ctd.log" |
    sed 's/^\[[^]]*\] ([^)]*) /# r1 conntrackd log: /'

# The who-am-I server forks: stop its group.
lab_killpg "$WHO" TERM
lab_done
