# shellcheck shell=dash
# shellcheck disable=SC2034	# MIG_* are for the caller; eval reads the rest
# migrate.sh: live migration of a router VM of the pair (pair.sh) from one
# hypervisor to the other, as Ganeti does it with QEMU (docs/lab.md,
# "Migration model").  Shared by tests/integration/t_lab_migrate.sh and
# bench/failover.sh.  Source it after lab.sh, pair.sh and failover.sh, and
# set PAIR_PLUMB=mig_plumb before pair_setup: the routers' public legs
# then reach their hypervisor through a wire that can be moved.
#
#   pair_migrate R TO FREEZE_MS [yield|noyield]
#
# moves router R (r1 or r2, wherever it is now) to hypervisor TO (hv1 or
# hv2).  In order:
#  1. yield (the default): `vrouterctl host vm yield R` on the source's
#     hostd, what the Ganeti pre hook runs; its outcome is in
#     MIG_YIELD_RC and MIG_YIELD_OUT, and a failure is not one of the
#     migration (vrouter never blocks Ganeti);
#  2. the destination's QEMU starts: a new host end of R's public leg, with
#     the same MAC, comes up on TO (tap0 on R's own hypervisor, t-R on the
#     other), not yet joined to R's NIC;
#  3. the freeze: every process in R's namespace is stopped (SIGSTOP, by
#     pid), and R's links forward nothing (their bridge ports are
#     disabled, which leaves R's carrier alone), for FREEZE_MS in all;
#  4. the switch, frozen: R's unchanged eth0 is joined to TO's tap and the
#     source's tap is deleted; the channel moves: the relay (QEMU's part)
#     drops the source hostd's connection (it reads EOF, as when QEMU
#     exits) and listens on the other socket;
#  5. the thaw: links back, SIGCONT;
#  6. the post hook: TO's hostd registers R on its new channel and tap
#     (`host vm add`) and the source's forgets it (`host vm del`).  With
#     MIG_REGISTER=frozen this happens in step 4 instead, the best case
#     for a migration without the yield (Ganeti runs the post hook only
#     once the VM runs on the destination).
# Only processes in the lab's own namespaces are signalled; every wait is
# bounded.  MIG_FREEZE_MS is the freeze as it happened (the steps take
# time: a freeze shorter than them lasts as long as they do); MIG_ADD_MS
# how long the destination's `host vm add` took.

# The MAC of R's host end: the same on every hypervisor, as in a routed
# setup where the tap's MAC is fixed, so that R's neighbour entry for its
# gateway (proxy-ARP by the hypervisor) stays right across a move.
mig__mac()	# R
{
	echo "02:00:76:72:00:0${1#r}"
}

mig__home()	# R: the hypervisor R starts on
{
	echo "hv${1#r}"
}

# The host end's name on HV: tap0 on R's home (what pair_hostd
# registered), t-R elsewhere (the other router's tap0 is there).
mig__tap()	# R HV
{
	if [ "$2" = "$(mig__home "$1")" ]; then
		echo "$LAB_HV_TAP"
	else
		echo "t-$1"
	fi
}

# R's host end on HV: a veth from R's wire (port to-HV) to HV (the tap),
# with R's fixed MAC and the hypervisor's per-tap settings; joined to the
# wire's bridge unless "detached".
mig__hostend()	# R HV [detached]
{
	local tap
	tap=$(mig__tap "$1" "$2")
	ip link add "to-$2" netns "${LAB}w$1" type veth peer name "$tap" \
	    netns "$LAB$2" ||
	    { lab__err "veth w$1:to-$2 <-> $2:$tap failed"; return 1; }
	lab_exec "$2" ip link set dev "$tap" address "$(mig__mac "$1")" &&
	    lab_sysctl "$2" "net.ipv4.conf.$tap.rp_filter=0" \
	    "net.ipv4.conf.$tap.proxy_arp=1" \
	    "net.ipv4.neigh.$tap.proxy_delay=0" &&
	    lab_exec "$2" ip link set dev "$tap" up || return 1
	[ "${3:-}" = detached ] || lab_exec "w$1" ip link set dev "to-$2" master br0 up
}

# mig_wire R: R's public leg through the wire w-R (a bridge), and R's
# relay restarted with a second socket to move to.  Before any daemon
# runs in R (pair_setup calls it through PAIR_PLUMB).
mig_wire()	# R
{
	local hv n
	hv=$(mig__home "$1")
	n=${1#r}
	# The topology's direct veth goes (and R's eth0 with it).
	lab_exec "$hv" ip link del dev "$LAB_HV_TAP" || return 1
	lab_ns "w$1" || return 1
	lab_exec "w$1" ip link add br0 type bridge &&
	    lab_exec "w$1" ip link set dev br0 up || return 1
	lab_veth "w$1" vm "$1" "$LAB_R_IF" &&
	    lab_exec "w$1" ip link set dev vm master br0 || return 1
	# R's new eth0: no address and no route, as lab_topo_pair leaves
	# it (keepalived adds them on MASTER).
	lab_sysctl "$1" "net.ipv4.conf.$LAB_R_IF.rp_filter=0" || return 1
	mig__hostend "$1" "$hv" || return 1

	# The relay again, now able to move (chardev-relay -m).
	eval "lab_stop \$LAB_R${n}_RELAY_PID 2000"
	rm -f "$LAB_DIR/$1.relay.pid"
	lab_bg "$hv" "$LAB_DIR/$1.relay.log" "$LAB_RELAY" -v \
	    -p "$LAB_DIR/$1.port" -s "$LAB_DIR/$1.sock" \
	    -m "$LAB_DIR/$1.moved.sock" -P "$LAB_DIR/$1.relay.pid" >/dev/null
	eval "LAB_R${n}_RELAY_PID=\$LAB_PID"
	lab_wait_for "chardev-relay for $1" 2000 \
	    test -e "$LAB_DIR/$1.relay.pid" || return 1
	eval "MIG_AT_$1=\$hv MIG_SOCK_$1=\$LAB_DIR/\$1.sock"
	eval "MIG_NEXT_$1=\$LAB_DIR/\$1.moved.sock"
}

mig_plumb()
{
	mig_wire r1 && mig_wire r2
}

# Where R runs now.
mig_at()	# R
{
	eval "echo \$MIG_AT_$1"
}

# The bridge ports of R's links (R's veths' other ends that are bridge
# ports), one "NAMESPACE PORT" a line.  A link whose peer is not on a
# bridge is left out: it cannot be stopped without a carrier change.
mig__ports()	# R
{
	lab_exec "$1" ip -o link show | awk '
	    $2 ~ /@if[0-9]+:$/ {
		i = $2; sub(/.*@if/, "", i); sub(/:$/, "", i)
		for (k = 1; k < NF; k++)
			if ($k == "link-netns") print $(k + 1), i
	    }' | while read -r ns idx; do
		case $ns in "$LAB"*) ;; *) continue ;; esac
		ip -n "$ns" -o link show | awk -v i="$idx:" -v ns="$ns" '
		    $1 == i && / master / { n = $2; sub(/@.*/, "", n);
			print ns, n }'
	done
}

# mig_freeze R: stop every process in R's namespace and R's forwarding
# (at the bridge ports in MIG_PORTS, from mig__ports R).
mig_freeze()	# R
{
	local ns port
	echo "$MIG_PORTS" | while read -r ns port; do
		[ -n "$port" ] || continue
		bridge -n "$ns" link set dev "$port" state 0
	done
	MIG_PIDS=$(ip netns pids "$LAB$1")
	# shellcheck disable=SC2086
	[ -z "$MIG_PIDS" ] || kill -s STOP $MIG_PIDS 2>/dev/null
	return 0
}

mig_thaw()	# R
{
	local ns port
	echo "$MIG_PORTS" | while read -r ns port; do
		[ -n "$port" ] || continue
		bridge -n "$ns" link set dev "$port" state 3
	done
	# shellcheck disable=SC2086
	[ -z "$MIG_PIDS" ] || kill -s CONT $MIG_PIDS 2>/dev/null
	return 0
}

mig__hostd()	# HV ARGS...: vrouterctl on HV's hostd
{
	local hv="$1"
	shift
	"$PAIR_BIN/vrouterctl" -s "$LAB_DIR/$hv.ctl" "$@"
}

pair_migrate()	# R TO FREEZE_MS [yield|noyield]
{
	local r="$1" to="$2" from n t0 left sock next
	n=${r#r}
	from=$(mig_at "$r")
	[ -n "$from" ] || { lab__err "pair_migrate: no wire (PAIR_PLUMB)"; return 1; }
	[ "$from" != "$to" ] || { lab__err "pair_migrate: $r is on $to"; return 1; }
	eval "sock=\$MIG_SOCK_$r next=\$MIG_NEXT_$r"
	MIG_YIELD_RC='' MIG_YIELD_OUT=''
	if [ "${4:-yield}" = yield ]; then
		MIG_YIELD_OUT=$(mig__hostd "$from" host vm yield "$r" 2>&1)
		MIG_YIELD_RC=$?
	fi
	# The destination's QEMU starts before the switch: its tap is up,
	# not yet joined to the VM's NIC.
	mig__hostend "$r" "$to" detached || return 1
	MIG_PORTS=$(mig__ports "$r")

	t0=$(lab__now_ms)
	mig_freeze "$r"
	# The switch: the VM's NIC on the destination's tap, the source's
	# tap gone (its QEMU exits), and so its channel.
	ip -n "${LAB}w$r" link del dev "to-$from" &&
	    ip -n "${LAB}w$r" link set dev "to-$to" master br0 up || return 1
	eval "lab_kill \$LAB_R${n}_RELAY_PID USR1" || return 1
	eval "MIG_AT_$r=\$to MIG_SOCK_$r=\$next MIG_NEXT_$r=\$sock"
	if [ "${MIG_REGISTER:-after}" != after ]; then
		mig__register "$r" "$from" "$to" || return 1
	fi
	left=$(($3 - ($(lab__now_ms) - t0)))
	[ "$left" -le 0 ] || sleep "$(echo "$left" | awk '{ print $1 / 1000 }')"
	mig_thaw "$r"
	MIG_FREEZE_MS=$(($(lab__now_ms) - t0))
	[ "${MIG_REGISTER:-after}" != after ] || mig__register "$r" "$from" "$to"
}

# The post hook: the destination's hostd registers R on its channel and
# tap, the source's forgets it.
mig__register()	# R FROM TO
{
	local ch t
	eval "ch=\$MIG_SOCK_$1"
	lab_wait_for "$1's channel on $3" 2000 test -S "$ch" || return 1
	t=$(lab__now_ms)
	mig__hostd "$3" host vm add "$1" channel "$ch" \
	    tap "$(mig__tap "$1" "$3")" uplink "$LAB_HV_UPLINK" \
	    address "$LAB_VIP" || return 1
	MIG_ADD_MS=$(($(lab__now_ms) - t))
	mig__hostd "$2" host vm del "$1"
}

# The hypervisors that route the VIP now (proto 241), space-separated.
mig_routing()
{
	local hv out=
	for hv in hv1 hv2; do
		! pair_route "$hv" || out="$out $hv"
	done
	echo "${out# }"
}

# R is registered on HV's hostd.
mig_registered()	# HV R
{
	mig__hostd "$1" -j host vm list 2>/dev/null |
	    grep -q "\"name\": \"$2\""
}
