#!/bin/sh
# shellcheck shell=dash
# t_notify: vrouter-notify, keepalived's notify hook, delivers a transition
# or says exactly why not.  It proves that
#  a. (no root) every argument is checked before anything is sent: a bad
#     TYPE, NAME, STATE, PRIORITY, option or option value exits 2 (a usage
#     error) with a message naming it; with no vrouterd and no --port it
#     exits 3, and an unusable --port (missing, not a device) exits 3 too;
#  b. (no root) socket mode against a fake vrouterd (socat answering with
#     prepared frames): the request is exactly the framed
#     {"v":1,"cmd":"notify",...} object; ok:true exits 0; ok:false exits 1
#     and prints vrouterd's error; silence, a malformed frame or a reply
#     without "ok" exit 4 within the wait; -s with --port uses a running
#     vrouterd, and falls back to the port only when it does not run;
#  c. (root) port mode end to end in the lab (lab_topo_hosts, the real
#     vrouter-hostd in hv1, the chardev relay as QEMU): MASTER from r1
#     makes hv1 route the VIP (proto 241) and exits 0 with "installed";
#     an address not registered for the VM exits 5, is reported refused
#     and gets no route; BACKUP withdraws the route; a port with no host
#     agent behind it exits 4 within -w; the fallback from an absent
#     vrouterd reaches the host; DELETED withdraws.
#
# usage: t_notify.sh [BUILD_DIR]   (exit 0 pass, 77 part c skipped: not
# root, anything else fail).  NOTIFY_WRAP runs every vrouter-notify under
# a wrapper, e.g. NOTIFY_WRAP="valgrind -q --leak-check=full
# --errors-for-leak-kinds=all --error-exitcode=99".

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"

case $LAB_BUILD in /*) BIN=$LAB_BUILD ;; *) BIN=$LAB_ROOT/$LAB_BUILD ;; esac
NOTIFY=$BIN/vrouter-notify
HOSTD=$BIN/vrouter-hostd
[ -x "$NOTIFY" ] || { echo "not ok 1 - $NOTIFY not built"; exit 1; }

# lab_ok/lab_notok count here before lab_init exists for part c.
LAB_TESTS=0
LAB_FAILS=0
T=$(mktemp -d "/tmp/t_notify.XXXXXX") || exit 1
SERVERS=

cleanup_ab()
{
	local pid
	for pid in $SERVERS; do
		kill -s TERM "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	SERVERS=
	rm -rf "$T"
}
trap 'cleanup_ab' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# run ARGS...: run vrouter-notify; RC, $T/out and $T/err hold the outcome.
run()
{
	# shellcheck disable=SC2086
	${NOTIFY_WRAP:-} "$NOTIFY" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# expect DESC RC PATTERN ARGS...: exit code RC and stderr matching PATTERN
# (a grep -E expression; "" for none).
expect()
{
	local desc="$1" rc="$2" pat="$3"
	shift 3
	run "$@"
	if [ "$RC" != "$rc" ]; then
		lab_notok "$desc" "exit $RC, not $rc: $(cat "$T/err")"
	elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$T/err"; then
		lab_notok "$desc" "stderr lacks /$pat/: $(cat "$T/err")"
	else
		lab_ok "$desc"
	fi
}

# ---- a. argument validation -------------------------------------------
NOSOCK="-s $T/absent.sock"
# shellcheck disable=SC2086
{
expect "no arguments: 2" 2 "expected TYPE NAME STATE PRIORITY, got 0"
expect "three arguments: 2" 2 "got 3 arguments" INSTANCE VI_1 MASTER
expect "an extra argument: 2" 2 'unexpected argument "x" after PRIORITY' \
    INSTANCE VI_1 MASTER 150 x
expect "TYPE foo: 2" 2 'TYPE "foo": must be INSTANCE or GROUP' \
    foo VI_1 MASTER 150
expect "TYPE instance (lower case): 2" 2 'TYPE "instance"' \
    instance VI_1 MASTER 150
expect "empty NAME: 2" 2 'NAME "": must be 1 to 32' INSTANCE "" MASTER 150
expect "NAME with a space: 2" 2 'NAME "VI 1"' INSTANCE "VI 1" MASTER 150
expect "NAME of 33 bytes: 2" 2 "NAME \"abcdefghijklmnopqrstuvwxyz0123456\"" \
    INSTANCE abcdefghijklmnopqrstuvwxyz0123456 MASTER 150
expect "NAME with a control byte, shown safely: 2" 2 'NAME "VI\?X"' \
    INSTANCE "$(printf 'VI\001X')" MASTER 150
expect "STATE master (lower case): 2" 2 \
    'STATE "master": must be MASTER, BACKUP, FAULT, STOP, DELETED' \
    INSTANCE VI_1 master 150
expect "STATE INIT: 2" 2 'STATE "INIT"' INSTANCE VI_1 INIT 150
expect "PRIORITY 256: 2" 2 'PRIORITY "256": must be an integer from 0 to 255' \
    INSTANCE VI_1 MASTER 256
expect "PRIORITY -1: 2" 2 'PRIORITY "-1"' INSTANCE VI_1 MASTER -1
expect "PRIORITY 1x: 2" 2 'PRIORITY "1x"' INSTANCE VI_1 MASTER 1x
expect "PRIORITY empty: 2" 2 'PRIORITY ""' INSTANCE VI_1 MASTER ""
expect "PRIORITY 0x10: 2" 2 'PRIORITY "0x10"' INSTANCE VI_1 MASTER 0x10
expect "unknown option: 2" 2 '"--bogus": unknown option' \
    --bogus INSTANCE VI_1 MASTER 150
expect "unknown short option in a cluster: 2" 2 '"-x": unknown option' \
    -vx INSTANCE VI_1 MASTER 150
expect "option without its value: 2" 2 '"--wait": needs a value' --wait
expect "-w 0: 2" 2 '-w "0": must be milliseconds' -w 0 INSTANCE VI_1 MASTER 1
expect "-w 5s: 2" 2 '-w "5s"' -w 5s INSTANCE VI_1 MASTER 1
expect "-s twice: 2" 2 "-s given twice" -s a -s b INSTANCE VI_1 MASTER 1
expect "--router without --port: 2" 2 "--router and --address need --port" \
    --router r1 INSTANCE VI_1 MASTER 1
expect "--port without --router: 2" 2 "--port needs --router" \
    --port /dev/null --address 203.0.113.10 INSTANCE VI_1 MASTER 1
expect "--port without --address: 2" 2 "--port needs at least one --address" \
    --port /dev/null --router r1 INSTANCE VI_1 MASTER 1
expect "--router with a space: 2" 2 '--router "r 1"' \
    --port /dev/null --router "r 1" --address 203.0.113.10 INSTANCE V MASTER 1
expect "--address 1.2.3: 2" 2 '--address "1.2.3": not an IPv4 address' \
    --port /dev/null --router r1 --address 1.2.3 INSTANCE VI_1 MASTER 1
expect "--address A/24: 2" 2 '--address "203.0.113.10/24": must be an IPv4' \
    --port /dev/null --router r1 --address 203.0.113.10/24 INSTANCE V MASTER 1
expect "--address multicast: 2" 2 '"224.0.0.18": not a unicast address' \
    --port /dev/null --router r1 --address 224.0.0.18 INSTANCE V MASTER 1
expect "--address twice: 2" 2 '"203.0.113.10/32": given twice' \
    --port /dev/null --router r1 -a 203.0.113.10 -a 203.0.113.10/32 \
    INSTANCE V MASTER 1
expect "--help: 0" 0 "" --help
lab_check "--help prints the usage on stdout" \
    grep -q "^usage: vrouter-notify" "$T/out"
expect "no vrouterd, no --port: 3" 3 "vrouterd is not running, and no --port" \
    $NOSOCK INSTANCE VI_1 MASTER 150
expect "--port missing: 3" 3 "--port $T/none: No such file" \
    --port "$T/none" --router r1 --address 203.0.113.10 INSTANCE V MASTER 1
: >"$T/file"
expect "--port not a device: 3" 3 "not a character device" \
    --port "$T/file" --router r1 --address 203.0.113.10 INSTANCE V MASTER 1
}

# ---- b. socket mode against a fake vrouterd -----------------------------
if ! command -v socat >/dev/null 2>&1; then
	lab_notok "socat is installed (make deps)"
	lab_done
	exit 1
fi

# frame JSON: print JSON with its 4-byte big-endian length in front.
frame()
{
	local n=${#1}
	# shellcheck disable=SC2059
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $((n >> 24 & 255)) \
	    $((n >> 16 & 255)) $((n >> 8 & 255)) $((n & 255)))%s" "$1"
}

# Each connection gets NAME.bin (if any), and what it sent is appended to
# NAME.req.  vrouter-notify first probes with an empty connection, which
# appends nothing.
cat >"$T/serve.sh" <<EOF
cat "$T/\$1.bin" 2>/dev/null
cat >>"$T/\$1.req"
EOF

# serve NAME: a fake vrouterd on $T/NAME.sock.
serve()
{
	: >"$T/$1.req"
	socat "UNIX-LISTEN:$T/$1.sock,fork" "EXEC:/bin/sh $T/serve.sh $1" \
	    2>"$T/$1.log" &
	SERVERS="$SERVERS $!"
	lab_wait_for "fake vrouterd $1" 2000 test -S "$T/$1.sock"
}

# request_is NAME JSON: the one request NAME got is exactly JSON, framed.
request_is()
{
	lab_wait_for "request on $1" 2000 test -s "$T/$1.req" || return 1
	frame "$2" >"$T/$1.want"
	cmp -s "$T/$1.req" "$T/$1.want" || {
		echo "# got: $(od -An -c "$T/$1.req" | tr -s ' ')"
		return 1
	}
}

frame '{"v":1,"ok":true}' >"$T/ok.bin"
frame '{"v":1,"ok":false,"error":"no vrrp_instance VI_9 here"}' >"$T/no.bin"
frame '[1,2]' >"$T/notobj.bin"
frame '{"v":1}' >"$T/nook.bin"
printf 'xxxxjunk' >"$T/junk.bin"
for s in ok no silent notobj nook junk; do
	serve "$s" || { lab_notok "fake vrouterd $s starts"; exit 1; }
done

expect "vrouterd ok: 0" 0 "" -s "$T/ok.sock" INSTANCE VI_1 MASTER 150
lab_check "the request is the framed notify object" request_is ok \
    '{"v":1,"cmd":"notify","type":"INSTANCE","name":"VI_1","state":"MASTER","priority":150}'
: >"$T/ok.req"
expect "GROUP BACKUP 0: 0" 0 "" -s "$T/ok.sock" GROUP VG-1 BACKUP 0
lab_check "GROUP's request names the group" request_is ok \
    '{"v":1,"cmd":"notify","type":"GROUP","name":"VG-1","state":"BACKUP","priority":0}'
expect "vrouterd refuses: 1, its error printed" 1 \
    "vrouterd refused INSTANCE VI_9 MASTER 150: no vrrp_instance VI_9 here" \
    -s "$T/no.sock" INSTANCE VI_9 MASTER 150
t0=$(lab__now_ms)
expect "vrouterd silent: 4" 4 "not confirmed by vrouterd: .*no reply within 300 ms" \
    -s "$T/silent.sock" -w 300 INSTANCE VI_1 FAULT 0
t1=$(lab__now_ms)
lab_check "silence costs the wait, not more ($((t1 - t0)) ms)" \
    test $((t1 - t0)) -lt 1500
expect "a reply that is not an object: 4" 4 "bad reply" \
    -s "$T/notobj.sock" -w 1000 INSTANCE VI_1 STOP 0
expect "a reply without ok: 4" 4 'bad reply: no "v":1 and "ok"' \
    -s "$T/nook.sock" -w 1000 INSTANCE VI_1 DELETED 0
expect "a reply that is not a frame: 4" 4 "bad reply" \
    -s "$T/junk.sock" -w 1000 INSTANCE VI_1 MASTER 1
: >"$T/ok.req"
expect "-s and --port with vrouterd running: socket mode, 0" 0 "" \
    -s "$T/ok.sock" --port /dev/null --router r1 --address 203.0.113.10 \
    INSTANCE VI_1 MASTER_RX_LOWER_PRI 150
lab_check "... and vrouterd got the transition" request_is ok \
    '{"v":1,"cmd":"notify","type":"INSTANCE","name":"VI_1","state":"MASTER_RX_LOWER_PRI","priority":150}'
# A socket nobody listens on: connection refused.
socat "UNIX-LISTEN:$T/stale.sock,unlink-close=0" /dev/null 2>/dev/null &
pid=$!
lab_wait_for "stale socket" 2000 test -S "$T/stale.sock"
kill -s TERM "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
expect "connection refused, no --port: 3" 3 "vrouterd is not running" \
    -s "$T/stale.sock" INSTANCE VI_1 MASTER 150
# /dev/null is a device nobody answers on: the fallback is taken, no ack.
expect "connection refused, --port: falls back to the port (no host: 4)" 4 \
    "not running: sending to /dev/null" \
    -s "$T/stale.sock" --port /dev/null --router r1 \
    --address 203.0.113.10 -w 200 INSTANCE VI_1 MASTER 150
lab_check "... and says no ack within 200 ms" \
    grep -q "no ack for INSTANCE VI_1 MASTER 150 within 200 ms" "$T/err"
cleanup_ab
trap - EXIT

# ---- c. port mode in the lab --------------------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "# SKIP part c (port mode in the lab): needs root"
	lab_done || exit 1
	exit 77
fi
[ -x "$HOSTD" ] || { lab_notok "$HOSTD built"; lab_done; exit 1; }

tests=$LAB_TESTS fails=$LAB_FAILS
lab_init || exit 1
LAB_TESTS=$tests LAB_FAILS=$fails
lab_topo_hosts || { lab_notok "lab topology"; lab_done; exit 1; }
VIP=$LAB_VIP
BAD=203.0.113.50

has_route()	# NS ADDR
{
	ip -n "$LAB$1" route show table all "$2/32" proto 241 |
	    grep -q "dev $LAB_HV_TAP"
}
no_route()
{
	! has_route "$@"
}
# in_r NS ARGS...: vrouter-notify inside router VM NS.
in_r()
{
	local ns="$1"
	shift
	# shellcheck disable=SC2086
	lab_exec "$ns" ${NOTIFY_WRAP:-} "$NOTIFY" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}
# lexpect DESC RC NS ARGS...: in_r with exit code RC.
lexpect()
{
	local desc="$1" rc="$2"
	shift 2
	in_r "$@"
	if [ "$RC" = "$rc" ]; then
		lab_ok "$desc"
	else
		lab_notok "$desc" "exit $RC, not $rc: $(cat "$T/out" "$T/err")"
	fi
}
T=$LAB_DIR
R1="--port $LAB_R1_PORT --router router-r1"

mkdir -p "$LAB_DIR/hv1.reg"
cat >"$LAB_DIR/hv1.reg/r1.json" <<JSON
{ "name": "r1", "channel": "$LAB_R1_SOCK", "tap": "$LAB_HV_TAP",
  "uplink": "$LAB_HV_UPLINK", "addresses": ["$VIP"], "tables": ["main"] }
JSON
lab_bg hv1 "$LAB_DIR/hv1.hostd.log" "$HOSTD" -d -v -g 500 -H hv1 \
    -r "$LAB_DIR/hv1.reg" -s "$LAB_DIR/hv1.ctl" -S "$LAB_DIR/hv1.ro" \
    >/dev/null
lab_wait_for "hostd on hv1" 2000 test -S "$LAB_DIR/hv1.ctl" ||
    { lab_notok "hostd starts on hv1"; lab_done; exit 1; }

# shellcheck disable=SC2086
{
lexpect "r1 MASTER through the port: 0" 0 r1 $R1 --address "$VIP" -w 3000 \
    GROUP VG_1 MASTER 150
lab_check "... prints the VIP installed" grep -qx "$VIP installed" "$T/out"
lab_check "... hv1 routes the VIP (proto 241, dev tap0)" \
    lab_wait_for "route on hv1" 1000 has_route hv1 "$VIP"

lexpect "an address not registered for r1: 5" 5 r1 $R1 --address "$VIP" \
    --address "$BAD" -w 3000 GROUP VG_1 MASTER 150
lab_check "... reported refused, with the reason" \
    grep -qx "$BAD refused: address not registered for this VM" "$T/out"
lab_check "... the registered one still installed" \
    grep -qx "$VIP installed" "$T/out"
lab_check "... no route for the unregistered address" no_route hv1 "$BAD"
lab_check "... the VIP's route stays" has_route hv1 "$VIP"

lexpect "r1 BACKUP through the port: 0" 0 r1 $R1 --address "$VIP" -w 3000 \
    GROUP VG_1 BACKUP 100
lab_check "... prints the VIP withdrawn" grep -qx "$VIP withdrawn" "$T/out"
lab_check "... hv1 withdrew the route" no_route hv1 "$VIP"

t0=$(lab__now_ms)
lexpect "a port with no host agent behind it: 4" 4 r2 \
    --port "$LAB_R2_PORT" --router router-r2 --address "$VIP" -w 300 \
    INSTANCE VI_1 MASTER 150
t1=$(lab__now_ms)
lab_check "... within the wait ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 2000
lab_check "... and says so" grep -q "no ack for INSTANCE VI_1 MASTER" "$T/err"

lexpect "no vrouterd, -s and --port: falls back to the port, 0" 0 r1 \
    -s "$LAB_DIR/vrouterd.sock" $R1 --address "$VIP" -w 3000 \
    INSTANCE VI_1 MASTER 150
lab_check "... hv1 routes the VIP again" has_route hv1 "$VIP"
lexpect "INSTANCE DELETED: 0" 0 r1 $R1 --address "$VIP" -w 3000 \
    INSTANCE VI_1 DELETED 0
lab_check "... withdrawn" no_route hv1 "$VIP"
}
lab_check "hostd logged the refusal with the VM's name" \
    grep -q "vm r1: refused MASTER for $BAD" "$LAB_DIR/hv1.hostd.log"

lab_done
