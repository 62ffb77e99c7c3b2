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
#  3. the jumps from the built-in chains into vrouter's are there once
#     each however many reloads ran (vrouterd asks nf_tables which are
#     missing), and one an operator deleted is back after a reload;
#  4. the apply does not block vrouterd: with an iptables-restore that
#     sleeps 5 s (r1's vrouterd runs in a mount namespace where a wrapper
#     stands for iptables, PAIR_WRAP), a FAULT during the apply reaches
#     the host (hv1 drops the VIP's route) while the apply still runs;
#     two SIGHUPs meanwhile make one more apply, not two; the reload ends
#     well and vrouterctl reload waited for it; one that hangs past its
#     10 s is killed, the old rules go back in and the reload says so;
#     a vrouterd stopped mid-apply leaves, and its waiter hears of it;
#  5. a start with the bad template exits with the message and installs
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
# A mount namespace where iptables is a wrapper that sleeps, while
# $LAB_DIR/slow holds a number of seconds, before each iptables-restore.
slow_wrap()
{
	cp /usr/sbin/xtables-nft-multi "$LAB_DIR/xtables-nft-multi" &&
	cat >"$LAB_DIR/iptables.slow" <<EOF &&
#!/bin/sh
case \${0##*/} in
*restore*) s=\$(cat "$LAB_DIR/slow" 2>/dev/null) && [ -n "\$s" ] &&
	: >"$LAB_DIR/sleeping" && sleep "\$s"
	exec "$LAB_DIR/xtables-nft-multi" iptables-nft-restore "\$@" ;;
*save*) exec "$LAB_DIR/xtables-nft-multi" iptables-nft-save "\$@" ;;
*) exec "$LAB_DIR/xtables-nft-multi" iptables-nft "\$@" ;;
esac
EOF
	chmod 755 "$LAB_DIR/iptables.slow" &&
	cat >"$LAB_DIR/slowns" <<EOF &&
#!/bin/sh
exec unshare -m --propagation private sh -c \\
    'mount --bind "\$0" /usr/sbin/xtables-nft-multi && exec "\$@"' \\
    "$LAB_DIR/iptables.slow" "\$@"
EOF
	chmod 755 "$LAB_DIR/slowns"
}
plumb()		{ templates && slow_wrap && PAIR_WRAP=$LAB_DIR/slowns; }
PAIR_PLUMB=plumb
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
*"failed ("*) lab_ok "with iptables-restore's message" ;;
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
    lab_exec r1 sh -c \
    "iptables-save | grep -q -- '--to-destination $LAB_C1_ADDR:2200'"
fwd_2200()	{ [ "$(lab_ask up "$LAB_VIP" 2222)" = c1-2200 ]; }
lab_check "the forward reaches c1's port 2200" \
    lab_wait_for "forward" 5000 fwd_2200
lab_check "r1 is still MASTER" pair_is r1 MASTER

# 3. the jumps into vrouter's chains, once each
jumps_once()
{
	local t c n
	for t in nat:PREROUTING nat:POSTROUTING filter:INPUT filter:FORWARD; do
		c=${t#*:}
		n=$(lab_exec r1 iptables -t "${t%%:*}" -S "$c" |
		    grep -c -- "^-A $c -j VROUTER-$c\$")
		[ "$n" = 1 ] || { echo "$c: $n jumps"; return 1; }
	done
}
lab_check "a second reload is accepted" pair_ctl r1 reload
lab_check "each jump into vrouter's chains is there once" jumps_once
lab_exec r1 iptables -t nat -D POSTROUTING -j VROUTER-POSTROUTING
lab_check "a jump deleted by hand is gone" sh -c \
    "! ip netns exec ${LAB}r1 iptables -t nat -S POSTROUTING |
    grep -q -- '-j VROUTER-POSTROUTING'"
lab_check "a reload after a jump was deleted is accepted" pair_ctl r1 reload
lab_check "the deleted jump is back, once" jumps_once
lab_check "the rules in force are in the run folder" \
    grep -q -- "--to-destination $LAB_C1_ADDR:2200" "$LAB_DIR/r1.run/nat.rules"
lab_check "iptables-restore's output is not left there" \
    test ! -e "$LAB_DIR/r1.run/nat.out"

schema_ok()	# CMD...: its output matches docs/schema/apply.json
{
	"$@" | "$PAIR_BIN/tests/tools/schemacheck" \
	    "$LAB_ROOT/docs/schema/apply.json"
}
lab_check "apply -j matches docs/schema/apply.json" \
    schema_ok pair_ctl r1 -j apply
lab_check "reload -j matches it too" schema_ok pair_ctl r1 -j reload
lab_check "the failed apply is on record" sh -c \
    "'$PAIR_BIN/vrouterctl' -s '$LAB_DIR/r1.run/vrouterd.sock' -j apply |
    grep -Eq '\"failed\": 1,?\$'"

# 4. a slow iptables-restore blocks nothing
apply_has()	{ pair_ctl r1 -j apply | grep -q "\"$1\": $2"; }
applied()
{
	pair_ctl r1 -j apply | sed -n 's/^ *"applied": \([0-9]*\),*$/\1/p'
}
lab_check "r1 is MASTER, hv1 routes the VIP" \
    lab_wait_for "hv1 route" 5000 pair_route hv1
n0=$(applied)
echo 5 >"$LAB_DIR/slow"
"$PAIR_BIN/vrouterctl" -s "$LAB_DIR/r1.run/vrouterd.sock" reload \
    >"$LAB_DIR/slow.reload.log" 2>&1 &
reload_pid=$!
lab_check "the slow apply runs" \
    lab_wait_for "apply" 5000 test -e "$LAB_DIR/sleeping"
rm -f "$LAB_DIR/slow"		# the applies after this one are quick
t0=$(date +%s%N)
pair_fault r1 link
lab_check "hv1 drops the VIP's route after r1's FAULT" \
    lab_wait_for "hv1 route gone" 4000 pair_no_route hv1
t1=$(date +%s%N)
lab_check "while the apply still runs" apply_has running true
lab_check "and vrouterctl reload still waits for it" kill -0 "$reload_pid"
echo "# r1's link down to hv1's route gone: $(((t1 - t0) / 1000000)) ms," \
    "during a 5 s apply"
lab_kill "$PAIR_VRD_r1" HUP
lab_kill "$PAIR_VRD_r1" HUP
lab_check "two SIGHUPs meanwhile wait as one" apply_has pending true
wait "$reload_pid" && rc=0 || rc=$?
lab_check "vrouterctl reload waited, and the apply went well" test "$rc" -eq 0
settled()	{ apply_has running false && apply_has pending false; }
lab_check "the waiting reload has run" lab_wait_for "applies" 10000 settled
lab_check "one apply for the two SIGHUPs" test "$(applied)" -eq $((n0 + 2))
lab_check "r2 took over: hv2 routes the VIP" \
    lab_wait_for "hv2 route" 10000 pair_only_route hv2 hv1
pair_repair r1 link
lab_check "r1 rejoins as BACKUP once its link is back" \
    lab_wait_for "r1 BACKUP" 10000 pair_is r1 BACKUP

# 4b. an iptables-restore that outlives its 10 s is killed, and since
# the kernel may have taken a table before the kill, the old rules go
# back in; the reload fails and says so.
ours >"$LAB_DIR/rules.before"
cp "$LAB_DIR/r1.run/keepalived.conf" "$LAB_DIR/ka.before"
sed 's/"port": 2200 }/"port": 2300 }/' "$LAB_DIR/r1.json" \
    >"$LAB_DIR/r1.json.new"
mv "$LAB_DIR/r1.json.new" "$LAB_DIR/r1.json"
echo 15 >"$LAB_DIR/slow"
rm -f "$LAB_DIR/sleeping"
"$PAIR_BIN/vrouterctl" -s "$LAB_DIR/r1.run/vrouterd.sock" reload \
    >"$LAB_DIR/hung.reload.log" 2>&1 &
reload_pid=$!
lab_wait_for "apply" 5000 test -e "$LAB_DIR/sleeping"
rm -f "$LAB_DIR/slow"		# the old rules' run is quick
wait "$reload_pid" && rc=0 || rc=$?
lab_check "a reload whose iptables-restore hangs fails" test "$rc" -ne 0
lab_check "saying it was killed and the old description is back" \
    grep -q "killed after 10000 ms; the old description is back" \
    "$LAB_DIR/hung.reload.log"
ours >"$LAB_DIR/rules.after"
lab_check "the rules in vrouter's chains are the old ones" \
    cmp -s "$LAB_DIR/rules.before" "$LAB_DIR/rules.after"
lab_check "keepalived.conf is the old one" \
    cmp -s "$LAB_DIR/ka.before" "$LAB_DIR/r1.run/keepalived.conf"
lab_check "no staged file is left" \
    test -z "$(find "$LAB_DIR/r1.run" -name '*.new')"

# 4c. vrouterd stopped during an apply: it leaves within its stop bound,
# the waiting vrouterctl gets an answer, nothing staged stays.
echo 5 >"$LAB_DIR/slow"
rm -f "$LAB_DIR/sleeping"
"$PAIR_BIN/vrouterctl" -s "$LAB_DIR/r1.run/vrouterd.sock" reload \
    >"$LAB_DIR/stop.reload.log" 2>&1 &
reload_pid=$!
lab_wait_for "apply" 5000 test -e "$LAB_DIR/sleeping"
rm -f "$LAB_DIR/slow"
lab_kill "$PAIR_VRD_r1" TERM
lab_check "vrouterd stopped mid-apply leaves" lab_wait_for "r1 gone" 8000 \
    sh -c "! kill -0 $PAIR_VRD_r1 2>/dev/null"
wait "$reload_pid" && rc=0 || rc=$?
lab_check "the waiting reload is told it did not happen" test "$rc" -ne 0
lab_check "nothing staged is left" \
    test -z "$(find "$LAB_DIR/r1.run" -name '*.new')"

# 5. a start with the bad template installs nothing of it
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
