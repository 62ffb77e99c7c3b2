#!/bin/sh
# t_apply: a reload is one transaction (daemon/apply.c): the files and the
# NAT rules of the new description, or nothing.  In the pair lab, with r1
# reading a copy of the templates (PAIR_TMPLDIR):
#  1. a reload whose keepalived.conf and forward change but whose NAT
#     rules the kernel refuses (MASQUERADE in PREROUTING: iptables-restore
#     --test would pass it) fails with iptables-restore's message, and
#     changes nothing: keepalived.conf, the rules in vrouter's chains, no
#     staged NAME.new left, r1 still MASTER;
#  2. the same reload with a good nat template puts in the new
#     keepalived.conf and the new forward together, and the forward
#     carries traffic to its new port;
#  3. a start with the bad template exits with the message and installs
#     nothing of it: not its rules, not its keepalived.conf (the start
#     takes the same path as a reload).
#
# usage: t_apply.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"

lab_need iptables-save

# Before the daemons start (pair_setup's hook): the templates' copy.
templates()
{
	PAIR_TMPLDIR=$LAB_DIR/tmpl
	mkdir -p "$PAIR_TMPLDIR" &&
	    cp "$LAB_ROOT"/templates/*.mustache "$PAIR_TMPLDIR/" &&
	    cp "$PAIR_TMPLDIR/nat.rules.mustache" "$LAB_DIR/nat.good" ||
	    return 1
	# The nat table of the bad one gets a rule the kernel refuses.
	sed '/^{{#forwards}}/i -A VROUTER-PREROUTING -p tcp -j MASQUERADE' \
	    "$LAB_DIR/nat.good" >"$LAB_DIR/nat.bad" &&
	    grep -q MASQUERADE "$LAB_DIR/nat.bad"
}
PAIR_PLUMB=templates
pair_setup || exit 1
lab_check "r1 becomes MASTER" lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER
lab_check "the forward reaches c1's port 22" \
    lab_wait_for "forward" 5000 pair_forward_ok

ours()	{ lab_exec r1 iptables-save | grep '^-A VROUTER-' | sort; }
ours >"$LAB_DIR/rules.before"
cp "$LAB_DIR/r1.run/keepalived.conf" "$LAB_DIR/ka.before"

# 1. the bad reload
echo '# changed by t_apply' >>"$PAIR_TMPLDIR/keepalived.conf.mustache"
cp "$LAB_DIR/nat.bad" "$PAIR_TMPLDIR/nat.rules.mustache"
sed 's/"port": 22 }/"port": 2200 }/' "$LAB_DIR/r1.json" >"$LAB_DIR/r1.json.new"
grep -q '"port": 2200' "$LAB_DIR/r1.json.new" ||
    { lab_notok "the forward's port in r1.json"; exit 1; }
mv "$LAB_DIR/r1.json.new" "$LAB_DIR/r1.json"
out=$(pair_ctl r1 reload 2>&1) && rc=0 || rc=$?
lab_check "the bad reload fails" test "$rc" -ne 0
case $out in
*iptables-restore*) lab_ok "with iptables-restore's message" ;;
*) lab_notok "with iptables-restore's message" "$out" ;;
esac
ours >"$LAB_DIR/rules.after"
lab_check "the rules in vrouter's chains are unchanged" \
    cmp -s "$LAB_DIR/rules.before" "$LAB_DIR/rules.after"
lab_check "keepalived.conf is unchanged" \
    cmp -s "$LAB_DIR/ka.before" "$LAB_DIR/r1.run/keepalived.conf"
lab_check "no staged file is left" \
    test -z "$(find "$LAB_DIR/r1.run" -name '*.new')"
lab_check "r1 is still MASTER" pair_is r1 MASTER
lab_check "the forward still goes to port 22" pair_forward_ok

# 2. the good reload
lab_responder c1 2200 c1-2200 || exit 1
cp "$LAB_DIR/nat.good" "$PAIR_TMPLDIR/nat.rules.mustache"
lab_check "the good reload is accepted" pair_ctl r1 reload
lab_check "keepalived.conf is the new one" \
    grep -q "changed by t_apply" "$LAB_DIR/r1.run/keepalived.conf"
lab_check "the forward's rule is the new one" \
    lab_exec r1 sh -c "iptables-save | grep -q -- '--to-destination $LAB_C1_ADDR:2200'"
fwd_2200()	{ [ "$(lab_ask up "$LAB_VIP" 2222)" = c1-2200 ]; }
lab_check "the forward reaches c1's port 2200" \
    lab_wait_for "forward" 5000 fwd_2200
lab_check "r1 is still MASTER" pair_is r1 MASTER

# 3. a start with the bad template installs nothing of it
cp "$LAB_DIR/nat.bad" "$PAIR_TMPLDIR/nat.rules.mustache"
lab_stop "$PAIR_VRD_r2" 5000
lab_exec r2 iptables-save | grep '^-A VROUTER-' | sort >"$LAB_DIR/r2.before"
cp "$LAB_DIR/r2.run/keepalived.conf" "$LAB_DIR/r2.ka.before"
lab_bg r2 "$LAB_DIR/r2.bad.log" "$PAIR_BIN/vrouterd" -d -v \
    -f "$LAB_DIR/r2.json" -R "$LAB_DIR/r2.run" -M "$LAB_DIR/r2.state" \
    -T "$PAIR_TMPLDIR" >/dev/null
pid=$LAB_PID
lab_check "vrouterd with the bad rules exits" \
    lab_wait_for "exit" 5000 sh -c "! kill -0 $pid 2>/dev/null"
lab_check "naming iptables-restore" grep -q "iptables-restore" \
    "$LAB_DIR/r2.bad.log"
lab_exec r2 iptables-save | grep '^-A VROUTER-' | sort >"$LAB_DIR/r2.after"
lab_check "r2's rules in vrouter's chains are unchanged" \
    cmp -s "$LAB_DIR/r2.before" "$LAB_DIR/r2.after"
lab_check "r2's keepalived.conf is unchanged (the files wait for the rules)" \
    cmp -s "$LAB_DIR/r2.ka.before" "$LAB_DIR/r2.run/keepalived.conf"
lab_check "no staged file is left in r2's run folder" \
    test -z "$(find "$LAB_DIR/r2.run" -name '*.new')"

lab_done
