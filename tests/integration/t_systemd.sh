#!/bin/sh
# t_systemd: the daemons speak sd_notify(3) as their Type=notify units
# need, and their log lines carry the journal's priorities.  Each daemon
# gets NOTIFY_SOCKET pointing at sdlisten (tests/tools/sdlisten.c), which
# stops the daemon the moment READY=1 arrives, runs a check, and lets it
# go on.  In the pair lab (hostd on hv1, vrouterd in r1) it proves that
#  1. vrouter-hostd says READY once, and at that moment its control
#     socket accepts a connection, the routes a previous hostd left have
#     been found, and the channel engine has been started; the engine,
#     once it runs, has no NOTIFY_SOCKET nor WATCHDOG_* and never sends a
#     notification (every one comes from hostd's own pid); afterwards
#     `vrouterctl host status` answers;
#  2. vrouterd says READY once, and at that moment its control socket
#     accepts a connection and r1's iptables hold exactly the rules in
#     vrouter's chains that its STATUS counts (more than none); keepalived
#     and conntrackd never notify; afterwards `vrouterctl status` answers;
#  3. with WATCHDOG_USEC set each pings WATCHDOG=1 again and again, no
#     faster than every half interval; vrouter-ofnat, in a namespace of
#     its own, says READY once its control socket and the switch's
#     listener are up, pings too, and does not ping when WATCHDOG_PID is
#     another process's; each says STOPPING=1 on TERM;
#  4. with stderr the stream JOURNAL_STREAM names, log lines are
#     "<N>message": hostd's every line has a priority and no timestamp,
#     ofnat's error (a SIGHUP it refuses) is <3>, its info <6>, and
#     vrouterd, whose stderr is a plain file, keeps the timestamp;
#  5. if systemd runs this machine (PID 1), a transient Type=notify unit of
#     vrouter-ofnat starts, and `journalctl -p err` shows its error but
#     not its info line (skipped otherwise, saying why).
#
# usage: t_systemd.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"
. "$LAB_ROOT/tests/lab/pair.sh"

lab_need
SDLISTEN=$PAIR_BIN/tests/tools/sdlisten
for b in "$SDLISTEN" "$PAIR_BIN/vrouter-ofnat"; do
	if [ ! -x "$b" ]; then
		echo "1..0 # SKIP $b not built"
		exit 77
	fi
done
WD_USEC=1000000		# pings every 500 ms

lab_init || exit 1
lab_topo_pair || { lab_notok "lab_topo_pair"; exit 1; }
pair_config r1 150 "$LAB_R2_SYNC" "$LAB_R1_SYNC" "$LAB_R1_PORT"

# listen NAME CHECK: sdlisten on $LAB_DIR/NAME.notify, its output in
# $LAB_DIR/NAME.sd; CHECK runs (sh -c, with NOTIFY_PID) on READY.
listen()
{
	lab_bg hv1 "$LAB_DIR/$1.sd" "$SDLISTEN" -s "$LAB_DIR/$1.notify" \
	    -t 120000 -x "$2" >/dev/null
	lab_wait_for "sdlisten $1" 3000 test -S "$LAB_DIR/$1.notify"
}

# Notifications (lines "MS PID STATE...") of NAME.
notes()		{ grep -E '^[0-9]+ [0-9]+ ' "$LAB_DIR/$1.sd"; }
count()		{ notes "$1" | grep -c " $2" ; }	# NAME STATE
has_count()	{ [ "$(count "$1" "$2")" -ge "$3" ]; }	# NAME STATE N
ready_once()	{ [ "$(count "$1" 'READY=1')" = 1 ]; }
# Every notification of NAME came from PID.
all_from()
{
	notes "$1" | awk -v p="$2" '$2 != p { bad = 1 } END { exit bad }' &&
	    notes "$1" | grep -q .
}
# The gaps between NAME's watchdog pings are all at least MS.
gaps_at_least()		# NAME MS
{
	notes "$1" | awk -v min="$2" '/ WATCHDOG=1/ {
		if (n++ && $1 - last < min) bad = 1; last = $1 }
	    END { exit bad || n < 2 }'
}
quiet()		{ "$@" >/dev/null 2>&1; }
check_passed()	{ grep -qx 'check 0' "$LAB_DIR/$1.sd"; }
# A stream socket that accepts a connection (the backlog does, even with
# the daemon stopped).
connects()	{ timeout 5 socat -u OPEN:/dev/null "UNIX-CONNECT:$1"; }

# 1. vrouter-hostd, its log on the journal's terms.  A route of ours left
# by a "previous hostd" must be found before READY.
lab_exec hv1 ip route add "$LAB_VIP/32" dev "$LAB_HV_TAP" proto 241 ||
    lab_notok "a stale route of ours in hv1"
HV1_CTL=$LAB_DIR/hv1.ctl
listen hv1 "echo at-ready
	timeout 5 socat -u OPEN:/dev/null UNIX-CONNECT:$HV1_CTL && echo sock-ok &&
	grep -q 'found 1 routes of ours' $LAB_DIR/hv1.hostd.log && echo routes-ok &&
	pgrep -P \$NOTIFY_PID >/dev/null && echo engine-ok"
: >"$LAB_DIR/hv1.hostd.log"
JS=$(stat -c %d:%i "$LAB_DIR/hv1.hostd.log")
PAIR_WRAP="env NOTIFY_SOCKET=$LAB_DIR/hv1.notify WATCHDOG_USEC=$WD_USEC"
PAIR_WRAP="$PAIR_WRAP JOURNAL_STREAM=$JS"
pair_hostd hv1 r1 "$LAB_R1_SOCK" || exit 1
HOSTD=$LAB_PID
PAIR_WRAP=
lab_check "hostd says READY=1" \
    lab_wait_for "hostd READY" 10000 grep -q ' READY=1' "$LAB_DIR/hv1.sd"
lab_check "at READY hostd's control socket accepted, the stale route was found and the engine forked" \
    lab_wait_for "hostd check" 10000 check_passed hv1
lab_check "hostd says READY once" ready_once hv1
ENGINE=$(notes hv1 | sed -n 's/.* READY=1 .*channel engine pid \([0-9]*\).*/\1/p')
lab_check "hostd's STATUS names its channel engine ($ENGINE)" \
    test -n "$ENGINE" -a -d "/proc/$ENGINE"
engine_execd()	{ tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- ' -E '; }
lab_check "the engine runs as hostd -E" \
    lab_wait_for "engine exec" 5000 engine_execd "$ENGINE"
env_clean()
{
	! tr '\0' '\n' <"/proc/$1/environ" |
	    grep -Eq '^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)='
}
lab_check "the engine's environment has no NOTIFY_SOCKET nor WATCHDOG_*" \
    env_clean "$ENGINE"
lab_check "and hostd's has (the test would prove nothing otherwise)" \
    sh -c "tr '\0' '\n' </proc/$HOSTD/environ | grep -q '^NOTIFY_SOCKET='"
lab_check "vrouterctl host status answers" \
    quiet "$PAIR_BIN/vrouterctl" -s "$HV1_CTL" host status

# 2. vrouterd: the control socket and the NAT rules at READY.
R1_SOCK=$LAB_DIR/r1.run/vrouterd.sock
listen r1 "echo at-ready
	timeout 5 socat -u OPEN:/dev/null UNIX-CONNECT:$R1_SOCK && echo sock-ok &&
	n=\$(ip netns exec ${LAB}r1 iptables-save | grep -c '^-A VROUTER-') &&
	echo \"nat \$n\" && [ \"\$n\" -gt 0 ]"
PAIR_WRAP="env NOTIFY_SOCKET=$LAB_DIR/r1.notify WATCHDOG_USEC=$WD_USEC"
pair_vrouterd r1 || exit 1
VRD=$PAIR_VRD_r1
PAIR_WRAP=
lab_check "vrouterd says READY=1" \
    lab_wait_for "vrouterd READY" 15000 grep -q ' READY=1' "$LAB_DIR/r1.sd"
lab_check "at READY vrouterd's control socket accepted and NAT rules were in place" \
    lab_wait_for "vrouterd check" 10000 check_passed r1
want=$(notes r1 | sed -n 's/.* READY=1 .*: \([0-9]*\) NAT rules.*/\1/p')
have=$(sed -n 's/^nat \([0-9]*\)$/\1/p' "$LAB_DIR/r1.sd")
lab_check "at READY iptables held the $want rules vrouterd counts ($have)" \
    test -n "$want" -a "$want" = "$have"
lab_check "vrouterd says READY once" ready_once r1
lab_check "vrouterctl status answers" quiet pair_ctl r1 status
lab_check "r1 becomes MASTER (the daemon went on after the check)" \
    lab_wait_for "r1 MASTER" 10000 pair_is r1 MASTER

# 3. the watchdog, and who speaks.
lab_check "hostd pings WATCHDOG=1 again and again" \
    lab_wait_for "hostd pings" 10000 has_count hv1 WATCHDOG=1 4
lab_check "vrouterd pings WATCHDOG=1 again and again" \
    lab_wait_for "vrouterd pings" 10000 has_count r1 WATCHDOG=1 4
lab_check "hostd's pings come every half interval, not faster" \
    gaps_at_least hv1 $((WD_USEC / 2000 - 20))
lab_check "vrouterd's pings come every half interval, not faster" \
    gaps_at_least r1 $((WD_USEC / 2000 - 20))
lab_check "every notification on hostd's socket is hostd's (never the engine's)" \
    all_from hv1 "$HOSTD"
lab_check "every notification on vrouterd's socket is vrouterd's (not keepalived's)" \
    all_from r1 "$VRD"

# vrouter-ofnat in a namespace of its own: control socket and listener.
lab_ns of || exit 1
OF_CTL=$LAB_DIR/ofnat.sock
OF_PORT=16653
cat >"$LAB_DIR/of.json" <<EOF
{
	"router_id": "of-lab",
	"node": { "name": "of", "priority": 100 },
	"vrrp": { "unicast": false },
	"sync": { "interface": "eth9", "address": "10.255.0.1/24" },
	"public": { "interface": "eth0", "vip": "$LAB_VIP", "prefix": 32,
		    "gateway": "$PAIR_SERVER", "vrid": 51 },
	"networks": [ { "name": "lan1", "interface": "eth1",
			"cidr": "10.1.0.0/24", "gateway": "10.1.0.1",
			"vrid": 52 } ],
	"host_channel": { "enabled": false },
	"conntrackd": { "enabled": false }
}
EOF
listen of "echo at-ready
	timeout 5 socat -u OPEN:/dev/null UNIX-CONNECT:$OF_CTL && echo sock-ok &&
	ip netns exec ${LAB}of ss -Hltn 'sport = :$OF_PORT' | grep -q . &&
	echo listener-ok"
: >"$LAB_DIR/of.log"
lab_bg of "$LAB_DIR/of.log" env NOTIFY_SOCKET="$LAB_DIR/of.notify" \
    WATCHDOG_USEC=$WD_USEC \
    JOURNAL_STREAM="$(stat -c %d:%i "$LAB_DIR/of.log")" \
    "$PAIR_BIN/vrouter-ofnat" -d -v -f "$LAB_DIR/of.json" -s "$OF_CTL" \
    -l "127.0.0.1:$OF_PORT" >/dev/null
OFNAT=$LAB_PID
lab_check "ofnat says READY=1" \
    lab_wait_for "ofnat READY" 10000 grep -q ' READY=1' "$LAB_DIR/of.sd"
lab_check "at READY ofnat's control socket accepted and the switch's listener was up" \
    lab_wait_for "ofnat check" 10000 check_passed of
lab_check "ofnat says READY once" ready_once of
lab_check "ofnat pings WATCHDOG=1 again and again" \
    lab_wait_for "ofnat pings" 10000 has_count of WATCHDOG=1 3
lab_check "every notification on ofnat's socket is ofnat's" all_from of "$OFNAT"

# 4. priorities on the journal's stream.
kill -HUP "$OFNAT"
lab_check "ofnat's refused SIGHUP is logged as an error: <3>" \
    lab_wait_for "ofnat <3>" 5000 grep -q '^<3>SIGHUP: reload is not supported' \
    "$LAB_DIR/of.log"
lab_check "ofnat's start is info: <6>, with no timestamp" \
    grep -q '^<6>listening on 127.0.0.1' "$LAB_DIR/of.log"
lab_check "ofnat's debug lines are <7>" grep -q '^<7>' "$LAB_DIR/of.log"
every_line_has_priority()
{
	grep -q . "$1" && ! grep -Ev '^<[0-7]>' "$1" | grep -q . &&
	    ! grep -Eq '^(<[0-7]>)?[0-9]{2}:[0-9]{2}:[0-9]{2}\.' "$1"
}
lab_check "each of hostd's log lines has a priority and no timestamp" \
    every_line_has_priority "$LAB_DIR/hv1.hostd.log"
lab_check "hostd's start is <6>" grep -q '^<6>started: ' "$LAB_DIR/hv1.hostd.log"
lab_check "vrouterd on a plain file keeps the timestamp, no priority" \
    grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} vrouterd: router lab node r1 started' \
    "$LAB_DIR/r1.vrouterd.log"

# STOPPING on TERM.
lab_stop "$OFNAT" 5000
lab_check "ofnat says STOPPING=1 on TERM" grep -q ' STOPPING=1' "$LAB_DIR/of.sd"
lab_stop "$VRD" 8000
lab_check "vrouterd says STOPPING=1 on TERM" grep -q ' STOPPING=1' "$LAB_DIR/r1.sd"
lab_stop "$HOSTD" 5000
lab_check "hostd says STOPPING=1 on TERM" grep -q ' STOPPING=1' "$LAB_DIR/hv1.sd"

# No pings for a watchdog that is another process's.
listen of2 "true"
lab_bg of "$LAB_DIR/of2.log" env NOTIFY_SOCKET="$LAB_DIR/of2.notify" \
    WATCHDOG_USEC=$WD_USEC WATCHDOG_PID=1 \
    "$PAIR_BIN/vrouter-ofnat" -d -f "$LAB_DIR/of.json" -s "$OF_CTL" \
    -l "127.0.0.1:$OF_PORT" >/dev/null
OFNAT2=$LAB_PID
lab_check "ofnat with WATCHDOG_PID=1 says READY=1" \
    lab_wait_for "ofnat READY" 10000 grep -q ' READY=1' "$LAB_DIR/of2.sd"
sleep 1.5
lab_check "but pings no watchdog that is not its own" \
    test "$(count of2 WATCHDOG=1)" = 0
lab_stop "$OFNAT2" 5000

# 5. the real journal.
if [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ]; then
	lab_ok "journalctl -p err # SKIP PID 1 is $(cat /proc/1/comm 2>/dev/null), not systemd: no journal to ask"
elif ! command -v systemd-run >/dev/null 2>&1 ||
    ! command -v journalctl >/dev/null 2>&1; then
	lab_ok "journalctl -p err # SKIP systemd-run or journalctl missing"
else
	UNIT=vrouter-t-systemd-$$
	# Type=notify: systemd-run returns once ofnat said READY.
	if timeout 30 systemd-run --quiet --unit="$UNIT" -p Type=notify \
	    -p NotifyAccess=main -p WatchdogSec=10s -p RuntimeMaxSec=60 \
	    -p NetworkNamespacePath="/run/netns/${LAB}of" \
	    "$PAIR_BIN/vrouter-ofnat" -d -f "$LAB_DIR/of.json" \
	    -s "$OF_CTL" -l "127.0.0.1:$OF_PORT"; then
		lab_ok "a transient Type=notify unit of ofnat starts"
		systemctl kill -s HUP "$UNIT"
		in_err()
		{
			journalctl -q -o cat -u "$UNIT" -p err 2>/dev/null |
			    grep -q "$1"
		}
		lab_check "journalctl -p err shows ofnat's error" \
		    lab_wait_for "journal" 10000 in_err 'SIGHUP: reload'
		lab_check "but not its info line" \
		    sh -c "! journalctl -q -o cat -u $UNIT -p err |
		    grep -q 'listening on'"
		lab_check "the journal's line has no timestamp of ours" \
		    sh -c "! journalctl -q -o cat -u $UNIT |
		    grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}\\.'"
	else
		lab_notok "a transient Type=notify unit of ofnat starts"
	fi
	systemctl stop "$UNIT" 2>/dev/null
	systemctl reset-failed "$UNIT" 2>/dev/null
fi

lab_done
