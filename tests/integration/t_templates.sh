#!/bin/sh
# t_templates: the rendered configs work with the real programs, without
# vrouterd.  For every golden case (tests/golden/cases/*.json), rendered by
# tests/golden/render into a namespace that has the case's interfaces, it
# proves that
#  1. keepalived -t accepts keepalived.conf: exit 0, so not even a rounding
#     warning;
#  2. conntrackd (when enabled) starts with conntrackd.conf, answers on its
#     UNIX socket, runs SCHED_RR 1 (the lowest realtime priority), and
#     conntrackd -k stops it and removes its socket and lock file;
#  3. iptables-restore --noflush takes nat.rules (after --test): a rule of
#     someone else in a built-in chain survives, vrouter's chains hold the
#     rendered rules, each jump exists once; applied again without the
#     jumps (as vrouterd does when they are there) nothing doubles.
# Then, with the example pair (etc/router*.json.example), its sync link and
# its first network (which carries the adverts) each a veth pair, that
#  4. r1's keepalived, started first, becomes MASTER: the VIP, the network
#     gateways and the default route via the upstream gateway appear, and
#     the notify FIFO gets INSTANCE and GROUP lines; r2 stays BACKUP and
#     holds none of them;
#  5. the two conntrackds sync over FTFW/UDP: a forwarded connection
#     created on r1 appears in r2's kernel table (DisableExternalCache), a
#     connection from the VIP (the router's own) does not.
#
# usage: t_templates.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"

lab_need keepalived conntrackd conntrack iptables-restore iptables-save \
    chrt
case $LAB_BUILD in
/*) RENDER=$LAB_BUILD/tests/golden/render ;;
*) RENDER=$LAB_ROOT/$LAB_BUILD/tests/golden/render ;;
esac
if [ ! -x "$RENDER" ]; then
	echo "t_templates: $RENDER missing (make unit-bins)" >&2
	exit 1
fi
lab_init || exit 1
cd "$LAB_ROOT" || exit 1

# view_str VIEW KEY: a top-level string of a view written by `render - `.
view_str()
{
	sed -n "s/^  \"$2\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" "$1"
}

# legs VIEW: every interface the view names, once each.
legs()
{
	sed -n 's/^ *"\(sync_\|public_\)\{0,1\}interface": "\([^"]*\)",\{0,1\}$/\2/p' \
	    "$1" | sort -u
}

# render_all CONFIG DIR: the view and the three files into DIR.
render_all()
{
	mkdir -p "$2" &&
	    "$RENDER" "$1" - "$2" >"$2/view.json" &&
	    "$RENDER" "$1" templates/keepalived.conf.mustache "$2" \
	    >"$2/keepalived.conf" &&
	    "$RENDER" "$1" templates/conntrackd.conf.mustache "$2" \
	    >"$2/conntrackd.conf" &&
	    "$RENDER" "$1" templates/nat.rules.mustache "$2" >"$2/nat.rules"
}

# router_ns NS DIR: namespace NS with the legs of DIR/view.json as veths
# (the sync interface too, unless it exists already), the sync address
# and the node's address on the adverts' leg (vrrp_cidr).
router_ns()
{
	local k=0 ifn
	[ -n "$(ip netns list | awk -v n="$LAB$1" '$1 == n')" ] ||
	    lab_ns "$1" || return 1
	for ifn in $(legs "$2/view.json"); do
		lab_exec "$1" ip link show dev "$ifn" >/dev/null 2>&1 &&
		    continue
		k=$((k + 1))
		lab_exec "$1" ip link add "$ifn" type veth peer name "x$k" &&
		    lab_exec "$1" ip link set dev "$ifn" up &&
		    lab_exec "$1" ip link set dev "x$k" up || return 1
	done
	lab_exec "$1" ip addr add "$(view_str "$2/view.json" sync_cidr)" \
	    dev "$(view_str "$2/view.json" sync_interface)" || return 1
	[ -z "$(view_str "$2/view.json" vrrp_cidr)" ] ||
	    lab_exec "$1" ip addr add "$(view_str "$2/view.json" vrrp_cidr)" \
	    dev "$(view_str "$2/view.json" vrrp_interface)"
}

sched_is()
{
	chrt -p "$1" 2>/dev/null | grep -q "policy: SCHED_RR" &&
	    [ "$(chrt -p "$1" | sed -n 's/.*priority: //p')" = "$2" ]
}

ct_answers()
{
	lab_exec "$1" conntrackd -C "$2/conntrackd.conf" -s
}

not()
{
	! "$@"
}

ct_stopped()
{
	[ ! -e "$1/conntrackd.sock" ] && [ ! -e "$1/conntrackd.lock" ]
}

# ours NS: the number of rules in vrouter's chains.
ours()
{
	lab_exec "$1" iptables-save | grep -c '^-A VROUTER-'
}

# jumps NS: how many jumps into vrouter's chains the built-in chains hold.
jumps_ok()
{
	local save c
	save=$(lab_exec "$1" iptables-save)
	for c in PREROUTING POSTROUTING INPUT FORWARD; do
		[ "$(echo "$save" | grep -c "^-A $c -j VROUTER-$c\$")" = 1 ] ||
		    return 1
	done
}

foreign_ok()
{
	lab_exec "$1" iptables-save -t nat |
	    grep -q -- '^-A PREROUTING -p tcp -m tcp --dport 9 -j ACCEPT$'
}

n=0
for cfg in tests/golden/cases/*.json; do
	n=$((n + 1))
	name=${cfg##*/}
	name=${name%.json}
	ns=t$n
	dir=$LAB_DIR/$ns
	if ! render_all "$cfg" "$dir" || ! router_ns "$ns" "$dir"; then
		lab_notok "$name: rendered into a namespace with its interfaces"
		continue
	fi

	# 1. keepalived's own check
	if lab_exec "$ns" keepalived -t -f "$dir/keepalived.conf" \
	    >"$dir/ka-t.out" 2>&1; then
		lab_ok "$name: keepalived -t accepts keepalived.conf"
	else
		lab_notok "$name: keepalived -t accepts keepalived.conf" \
		    "$(tr '\n' '|' <"$dir/ka-t.out")"
	fi

	# 2. conntrackd has no check mode: start it
	if grep -q '"ct_enabled": true' "$dir/view.json"; then
		lab_bg "$ns" "$dir/conntrackd.out" \
		    conntrackd -C "$dir/conntrackd.conf" >/dev/null
		pid=$LAB_PID
		lab_check "$name: conntrackd starts and answers on its socket" \
		    lab_wait_for "conntrackd" 5000 ct_answers "$ns" "$dir"
		lab_check "$name: conntrackd runs SCHED_RR 1" \
		    sched_is "$pid" 1
		lab_exec "$ns" conntrackd -C "$dir/conntrackd.conf" -k \
		    >/dev/null 2>&1
		lab_check "$name: conntrackd -k stops it, socket and lock go" \
		    lab_wait_for "conntrackd exit" 5000 ct_stopped "$dir"
		lab_stop "$pid"
	fi

	# 3. the NAT rules
	lab_exec "$ns" iptables -t nat -A PREROUTING -p tcp --dport 9 -j ACCEPT
	want=$(grep -c '^-A VROUTER-' "$dir/nat.rules")
	lab_check "$name: iptables-restore --test takes nat.rules" \
	    lab_exec "$ns" iptables-restore --test --noflush <"$dir/nat.rules"
	lab_check "$name: iptables-restore --noflush takes nat.rules" \
	    lab_exec "$ns" iptables-restore --noflush <"$dir/nat.rules"
	lab_check "$name: $want rules in vrouter's chains" \
	    test "$(ours "$ns")" = "$want"
	lab_check "$name: ... a jump into each" jumps_ok "$ns"
	lab_check "$name: ... the foreign rule is still there" foreign_ok "$ns"
	grep -v '^-I ' "$dir/nat.rules" >"$dir/nat.again"
	lab_check "$name: applied again without the jumps" \
	    lab_exec "$ns" iptables-restore --noflush <"$dir/nat.again"
	lab_check "$name: ... still $want rules" test "$(ours "$ns")" = "$want"
	lab_check "$name: ... still one jump each" jumps_ok "$ns"
done

# 4. The example pair, keepalived and conntrackd for real.
has_addr()
{
	lab_exec "$1" ip -o addr show dev "$2" | grep -q " inet $3 "
}

has_default()
{
	lab_exec "$1" ip route show default |
	    grep -q "^default via 198.51.100.1 dev eth0 proto keepalived src 203.0.113.10 onlink"
}

fifo_has()
{
	grep -q "$2" "$1"
}

all_master()
{
	local i
	for i in VI_pub VI_lan0 VI_lan1; do
		fifo_has "$LAB_DIR/r1/fifo.log" "INSTANCE \"$i\" MASTER 150" ||
		    return 1
	done
}

lab_ns r1 && lab_ns r2 && lab_veth r1 eth2 r2 eth2 &&
    lab_veth r1 eth1 r2 eth1 || exit 1
for r in r1 r2; do
	[ $r = r1 ] && cfg=etc/router.json.example ||
	    cfg=etc/router-r2.json.example
	render_all "$cfg" "$LAB_DIR/$r" && router_ns "$r" "$LAB_DIR/$r" ||
	    exit 1
	lab_fifo_log "$r" "$LAB_DIR/$r/keepalived.fifo" \
	    "$LAB_DIR/$r/fifo.log" 60 || exit 1
done

lab_bg r1 "$LAB_DIR/r1/keepalived.out" setsid keepalived -n -l -D -P -G \
    -f "$LAB_DIR/r1/keepalived.conf" -p "$LAB_DIR/r1/keepalived.pid" \
    -r "$LAB_DIR/r1/keepalived-vrrp.pid" >/dev/null
ka1=$LAB_PID
lab_check "r1: keepalived becomes MASTER (FIFO)" \
    lab_wait_for "r1 MASTER" 5000 fifo_has "$LAB_DIR/r1/fifo.log" \
    'GROUP "tenant42" MASTER'
lab_bg r2 "$LAB_DIR/r2/keepalived.out" setsid keepalived -n -l -D -P -G \
    -f "$LAB_DIR/r2/keepalived.conf" -p "$LAB_DIR/r2/keepalived.pid" \
    -r "$LAB_DIR/r2/keepalived-vrrp.pid" >/dev/null
ka2=$LAB_PID
lab_check "r2: keepalived settles as BACKUP (FIFO)" \
    lab_wait_for "r2 BACKUP" 5000 fifo_has "$LAB_DIR/r2/fifo.log" \
    'GROUP "tenant42" BACKUP'
lab_check "r1: every instance reported MASTER" all_master
lab_check "r1: the VIP on eth0" has_addr r1 eth0 203.0.113.10/32
lab_check "r1: the gateway 10.1.0.1/24 on eth1" has_addr r1 eth1 10.1.0.1/24
lab_check "r1: the gateway 10.2.0.1/24 on eth3" has_addr r1 eth3 10.2.0.1/24
lab_check "r1: the default route via the upstream gateway, from the VIP" \
    has_default r1
sleep 0.5
lab_check "r2: no VIP" not has_addr r2 eth0 203.0.113.10/32
lab_check "r2: no gateway" not has_addr r2 eth1 10.1.0.1/24
lab_check "r2: no default route" not has_default r2
lab_check "r2: never MASTER" not fifo_has "$LAB_DIR/r2/fifo.log" MASTER
lab_killpg "$ka2" TERM
lab_killpg "$ka1" TERM
lab_stop "$ka2"
lab_stop "$ka1"

# 5. conntrackd state sync
for r in r1 r2; do
	lab_bg "$r" "$LAB_DIR/$r/conntrackd.out" \
	    conntrackd -C "$LAB_DIR/$r/conntrackd.conf" >/dev/null
	eval "ct_$r=\$LAB_PID"
	lab_wait_for "$r conntrackd" 5000 ct_answers "$r" "$LAB_DIR/$r" ||
	    lab_notok "$r: conntrackd starts"
done

# With DisableExternalCache the peer's entries go straight into r2's
# kernel table.
in_external()
{
	lab_exec r2 conntrack -L -p tcp 2>/dev/null | grep -q "$1"
}

lab_exec r1 conntrack -I -p tcp -s 10.1.0.5 -d 198.51.100.50 \
    --sport 40000 --dport 443 --state ESTABLISHED -u ASSURED -t 300 \
    >/dev/null 2>&1
lab_exec r1 conntrack -I -p tcp -s 203.0.113.10 -d 198.51.100.50 \
    --sport 40001 --dport 443 --state ESTABLISHED -u ASSURED -t 300 \
    >/dev/null 2>&1
lab_check "r2's kernel table gets r1's forwarded connection" \
    lab_wait_for "sync" 5000 in_external "src=10.1.0.5 .*sport=40000"
lab_check "... but not the router's own (from the VIP)" \
    not in_external "sport=40001"
for r in r1 r2; do
	lab_exec "$r" conntrackd -C "$LAB_DIR/$r/conntrackd.conf" -k \
	    >/dev/null 2>&1
done
# shellcheck disable=SC2154
lab_stop "$ct_r1"
# shellcheck disable=SC2154
lab_stop "$ct_r2"

lab_done
