#!/bin/sh
# t_lab_migrate: a router VM moved from one hypervisor to the other, as a
# Ganeti live migration does it (tests/lab/migrate.sh: the VM frozen, its
# tap and channel moved, the destination's hostd registering it), loses
# nothing when the source's hostd first asks it to hand over, and
# converges when it does not.  In the pair lab with its public legs on
# movable wires, with tests/tools/connhold holding connections from the
# client c1 to a server on `up` NATed through the master, it proves that
#  1. `vrouterctl host vm yield` answers as documented: a BACKUP has
#     nothing to hand over (exit 0, says so), a VM that is not registered
#     is refused (exit 1, `vm NAME: not registered`), a bad timeout is a
#     usage error, and -j follows its schema;
#  2. migrating the MASTER with the yield first: the yield exits 0 having
#     seen it hand over; afterwards one node is MASTER and one BACKUP, the
#     VIP is routed by the master's hypervisor and no other, the VM is
#     registered on its new hypervisor and not on the old one, and every
#     held connection answers, none reset;
#  3. migrating the new MASTER without the yield, frozen long enough for
#     its peer to take over meanwhile (a split brain on thaw): it still
#     converges, one MASTER, the VIP routed by exactly one hypervisor, the
#     master's; the registrations follow the VM;
#  4. a migration shorter than the peer's detection, without the yield:
#     the MASTER stays MASTER and its route follows it to the new
#     hypervisor.
# It asserts outcomes, never timings.
#
# usage: t_lab_migrate.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"
. "$LAB_ROOT/tests/lab/failover.sh"
. "$LAB_ROOT/tests/lab/migrate.sh"

lab_need
if [ ! -x "$FO_TOOL" ]; then
	echo "1..0 # SKIP $FO_TOOL not built"
	exit 77
fi
N=300
PAIR_PLUMB=mig_plumb

hostctl()	# HV ARGS...
{
	local hv="$1"
	shift
	"$PAIR_BIN/vrouterctl" -s "$LAB_DIR/$hv.ctl" "$@"
}

# Exactly one MASTER and one BACKUP, and only the master's hypervisor
# routes the VIP.
converged()
{
	fo_stable &&
	    [ "$(mig_routing)" = "$(mig_at "$(pair_master)")" ]
}

# Registered on HV and not on the other.
registered_only()	# R HV
{
	local other=hv1
	[ "$2" = hv1 ] && other=hv2
	mig_registered "$2" "$1" && ! mig_registered "$other" "$1"
}

# held K: round K of the holder, every connection answered, none reset.
held()
{
	local res
	res=$(fo_round "$1") || return 1
	echo "# $res"
	[ "$(fo_kv ok "$res")" = "$N" ] && [ "$(fo_kv reset "$res")" = 0 ]
}

pair_setup || exit 1
lab_wait_for "r1 MASTER" 20000 pair_is r1 MASTER &&
    lab_wait_for "r2 BACKUP" 10000 pair_is r2 BACKUP &&
    lab_wait_for "hv1 route" 10000 pair_route hv1 ||
    { lab_notok "the pair comes up on its wires"; exit 1; }
lab_check "the client reaches the server through r1 on its wire" \
    lab_wait_for "client" 5000 pair_client_ok

# 1. the command's answers
out=$(hostctl hv2 host vm yield r2 2>&1)
rc=$?
case "$rc $out" in
"0 vm r2: not MASTER (BACKUP): nothing to hand over") lab_ok "yield of a BACKUP: exit 0, nothing to hand over" ;;
*) lab_notok "yield of a BACKUP: exit 0, nothing to hand over" "rc $rc: $out" ;;
esac
out=$(hostctl hv1 host vm yield nosuch 2>&1)
rc=$?
case "$rc $out" in
"1 vrouterctl: vm nosuch: not registered") lab_ok "yield of an unknown VM: exit 1, not registered" ;;
*) lab_notok "yield of an unknown VM: exit 1, not registered" "rc $rc: $out" ;;
esac
lab_check "-j host vm yield follows docs/schema/host-vm-yield.json" sh -c \
    "\"$PAIR_BIN/vrouterctl\" -s \"$LAB_DIR/hv2.ctl\" -j host vm yield r2 |
    \"$PAIR_BIN/tests/tools/schemacheck\" \
    \"$LAB_ROOT/docs/schema/host-vm-yield.json\""
lab_check "-j host vm list (role, yield counters) follows docs/schema/host-vms.json" sh -c \
    "\"$PAIR_BIN/vrouterctl\" -s \"$LAB_DIR/hv1.ctl\" -j host vm list |
    \"$PAIR_BIN/tests/tools/schemacheck\" \
    \"$LAB_ROOT/docs/schema/host-vms.json\""
hostctl hv1 host vm yield r1 timeout 99 >/dev/null 2>&1
lab_check "a timeout below 100 ms is a usage error" test $? = 2
lab_check "r1 is still MASTER after all that" pair_is r1 MASTER

fo_server || { lab_notok "connhold server"; exit 1; }
fo_sync_mark r2
fo_hold mig "$N" 100 3 -t 20 || { lab_notok "$N connections held"; exit 1; }
lab_check "r2 synced the $N connections" \
    lab_wait_for "r2 synced" 30000 fo_synced r2 "$N"

# 2. migrate the MASTER with the yield
pair_migrate r1 hv2 300 yield || { lab_notok "migration of r1 to hv2"; exit 1; }
echo "# yield: rc $MIG_YIELD_RC: $MIG_YIELD_OUT; frozen $MIG_FREEZE_MS ms"
case "$MIG_YIELD_RC $MIG_YIELD_OUT" in
"0 vm r1: handed over after "*) lab_ok "the yield saw r1 hand over (exit 0)" ;;
*) lab_notok "the yield saw r1 hand over (exit 0)" "$MIG_YIELD_RC: $MIG_YIELD_OUT" ;;
esac
lab_check "after the yield and move: one MASTER, the VIP routed by its hypervisor alone" \
    lab_wait_for "converged" 20000 converged
lab_check "r2 took over" pair_is r2 MASTER
lab_check "r1 is registered on hv2, not on hv1" registered_only r1 hv2
lab_check "hv2's hostd hears r1 on its new channel" \
    lab_wait_for "r1 acked by hv2" 10000 fo_host_acked r1
lab_check "every held connection answers after the migration, none reset" held 1

# 3. migrate the new MASTER without the yield, frozen past detection
lab_wait_for "r1 synced" 30000 fo_synced r1 "$N"
pair_migrate r2 hv1 500 noyield || { lab_notok "migration of r2 to hv1"; exit 1; }
echo "# frozen $MIG_FREEZE_MS ms; routing: $(mig_routing)"
lab_check "without the yield: it converges, the VIP routed by one hypervisor, the master's" \
    lab_wait_for "converged" 20000 converged
lab_check "r2 is registered on hv1, not on hv2" registered_only r2 hv1
lab_check "the client still reaches the server" \
    lab_wait_for "client" 5000 pair_client_ok
res=$(fo_round 2)
echo "# without the yield: $res"

# 4. a short freeze without the yield: the MASTER keeps its role
m=$(pair_master)
to=hv1
[ "$(mig_at "$m")" = hv1 ] && to=hv2
pair_migrate "$m" "$to" 50 noyield || { lab_notok "migration of $m to $to"; exit 1; }
echo "# frozen $MIG_FREEZE_MS ms; routing: $(mig_routing)"
lab_check "a short freeze: it converges" \
    lab_wait_for "converged" 20000 converged
if [ "$(pair_master)" = "$m" ]; then
	lab_check "the MASTER kept its role: its route followed it to $to" \
	    test "$(mig_routing)" = "$to"
else
	# the freeze took longer than the machine let it be: not a failure
	# of vrouter, but then this case proves nothing
	lab_ok "# SKIP the freeze outlasted detection on this machine (${MIG_FREEZE_MS} ms)"
fi
lab_check "$m is registered on $to only" registered_only "$m" "$to"
fo_round 3 >/dev/null
fo_hold_end
lab_done
