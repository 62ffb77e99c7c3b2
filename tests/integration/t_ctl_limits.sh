#!/bin/sh
# t_ctl_limits: what a hostile local user can do to a daemon through its
# control socket, and a second daemon started on the same socket.  With the
# real vrouter-hostd (every daemon uses the same lib/ctl_server.c) in a lab
# namespace, it proves that
#  1. clients that pipeline many MB of requests on the world-readable
#     read-only socket and never read a reply stop being read (their writes
#     stall), the daemon's memory stays bounded (RSS of hostd and its
#     children grows by less than 8 MB; 32 MB in a sanitizer build), and
#     another client still gets its answer promptly on both sockets;
#  2. those clients are dropped (they never read), with a log line, and the
#     daemon goes on;
#  3. clients over the per-socket cap are refused, with one log line for
#     the lot, and the other socket still answers;
#  4. a second hostd started on the same socket paths refuses to start
#     ("in use by a running daemon"), leaves the socket alone (same inode)
#     and the first still answers; a path that is a regular file is
#     neither used nor removed;
#  5. the socket a killed (SIGKILL) hostd left behind does not prevent the
#     next start;
#  6. no hostd logged a sanitizer report (in a SAN=1 build).
#
# usage: t_ctl_limits.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"

lab_need
case $LAB_BUILD in /*) BIN=$LAB_BUILD ;; *) BIN=$LAB_ROOT/$LAB_BUILD ;; esac
HOSTD=$BIN/vrouter-hostd
CTL=$BIN/vrouterctl
FLOOD=$BIN/tests/tools/ctlflood
for b in "$HOSTD" "$CTL" "$FLOOD"; do
	[ -x "$b" ] || { echo "not ok 1 - $b not built"; exit 1; }
done

MAX_GROWTH_KB=8192
# Under ASan every allocation carries redzones and shadow memory, and
# freed memory waits in a 256 MB quarantine that RSS would count as
# growth: a 1 MB quarantine still catches a use soon after a free, and the
# bound is 4 times larger (unbounded, the same flood costs hundreds of MB).
case $BIN in *san*)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1
	export ASAN_OPTIONS
	MAX_GROWTH_KB=32768 ;;
esac

lab_init || exit 1
lab_ns hv || { lab_notok "lab namespace"; exit 1; }
SOCK=$LAB_DIR/hv.ctl
RO=$LAB_DIR/hv.ro
LOG=$LAB_DIR/hostd.log
PROMPT_MS=3000

start_hostd()	# LOG: hostd on $SOCK and $RO, its pid in HOSTD_PID
{
	mkdir -p "$LAB_DIR/reg"
	lab_bg hv "$1" "$HOSTD" -d -v -H hv -r "$LAB_DIR/reg" -s "$SOCK" \
	    -S "$RO" >/dev/null
	HOSTD_PID=$LAB_PID
	lab_wait_for "hostd's sockets" 5000 answers "$RO"
}
answers()	# SOCK: a status request on SOCK gets its reply
{
	timeout 10 "$CTL" -s "$1" host status >/dev/null 2>&1
}
# answers_within SOCK MS: the reply comes within MS milliseconds.
answers_within()
{
	local t0 t1
	t0=$(lab__now_ms)
	answers "$1" || return 1
	t1=$(lab__now_ms)
	echo "# $1 answered in $((t1 - t0)) ms"
	[ $((t1 - t0)) -lt "$2" ]
}
# rss_kb PID: VmRSS of PID and of its children, in kB.  hostd may fork
# helpers (privilege separation); they count too.
rss_kb()
{
	local p r sum=0
	for p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		sum=$((sum + ${r:-0}))
	done
	echo "$sum"
}
# A second daemon on the same paths, in the foreground.  timeout ends it
# (status 124) should it wrongly start.
second_hostd()	# LOG SOCK RO
{
	mkdir -p "$LAB_DIR/reg2"
	timeout 10 ip netns exec "${LAB}hv" "$HOSTD" -d -H hv2 \
	    -r "$LAB_DIR/reg2" -s "$2" -S "$3" >"$1" 2>&1 </dev/null
}

start_hostd "$LOG" || { lab_notok "hostd starts"; exit 1; }
for i in 1 2 3 4 5; do answers "$RO"; done
rss0=$(rss_kb "$HOSTD_PID")

# 1. four clients offer 4 MB of pipelined requests each, reading nothing
lab_bg hv "$LAB_DIR/flood.out" "$FLOOD" -s "$RO" -k 4 -n 4000000 \
    -S 2000 -H 40000 >/dev/null
lab_wait_for "the flood to end or stall" 60000 \
    grep -q "^s" "$LAB_DIR/flood.out"
sed 's/^/# /' "$LAB_DIR/flood.out"
lab_check "the flooders' writes stall: hostd stopped reading them" \
    grep -q "^stalled" "$LAB_DIR/flood.out"
rss1=$(rss_kb "$HOSTD_PID")
echo "# hostd RSS ${rss0} kB before, ${rss1} kB while flooded"
lab_check "hostd's RSS grew by less than $MAX_GROWTH_KB kB ($((rss1 - rss0)))" \
    test $((rss1 - rss0)) -lt "$MAX_GROWTH_KB"
lab_check "another client gets its reply promptly (read-only socket)" \
    answers_within "$RO" "$PROMPT_MS"
lab_check "another client gets its reply promptly (full socket)" \
    answers_within "$SOCK" "$PROMPT_MS"

# 2. dropped, since they never read
lab_check "the flooders are dropped" lab_wait_for "the drop" 40000 \
    grep -q "^dropped 4 of 4" "$LAB_DIR/flood.out"
sed -n 's/^dropped/# dropped/p' "$LAB_DIR/flood.out"
lab_check "the drop is logged" \
    grep -q "$RO: dropping a client: it does not read its replies" "$LOG"
lab_check "hostd still answers after the drop" answers "$RO"

# 3. the client cap, per socket
lab_bg hv "$LAB_DIR/cap.out" "$FLOOD" -s "$RO" -k 70 -n 0 -H 5000 >/dev/null
lab_wait_for "70 connections" 20000 grep -q "^sent-all" "$LAB_DIR/cap.out"
lab_check "while the read-only socket is full, the full socket answers" \
    answers "$SOCK"
lab_check "70 clients: the 6 over the cap of 64 are refused" \
    lab_wait_for "the cap's count" 20000 \
    grep -q "^dropped 6 of 70" "$LAB_DIR/cap.out"
sed -n 's/^dropped/# dropped/p' "$LAB_DIR/cap.out"
n=$(grep -c "$RO: refusing a client" "$LOG")
lab_check "the refusals are logged once ($n line)" test "$n" = 1
lab_check "once they left, the read-only socket answers again" \
    lab_wait_for "a free place" 10000 answers "$RO"

# 4. a second daemon on the same sockets
ino=$(stat -c %i "$SOCK")
second_hostd "$LAB_DIR/second.log" "$SOCK" "$RO"
rc=$?
sed 's/^/# /' "$LAB_DIR/second.log"
lab_check "a second hostd on the same socket exits with an error (rc $rc)" \
    test "$rc" != 0 -a "$rc" != 124
lab_check "it says the socket is in use" grep -q \
    "control socket $SOCK is in use by a running daemon" "$LAB_DIR/second.log"
lab_check "the socket is the first daemon's still (inode $ino)" \
    test "$(stat -c %i "$SOCK")" = "$ino"
lab_check "the first hostd still answers (full socket)" answers "$SOCK"
lab_check "the first hostd still answers (read-only socket)" answers "$RO"
echo "not a socket" >"$LAB_DIR/plain"
second_hostd "$LAB_DIR/plain.log" "$LAB_DIR/plain" -
rc=$?
sed 's/^/# /' "$LAB_DIR/plain.log"
lab_check "a hostd on a path that is a regular file refuses (rc $rc)" \
    test "$rc" != 0 -a "$rc" != 124
lab_check "and leaves the file alone" \
    test "$(cat "$LAB_DIR/plain")" = "not a socket"

# 5. a stale socket
lab_kill "$HOSTD_PID" KILL
wait "$HOSTD_PID" 2>/dev/null	# our child: KILL ends it
lab_check "the killed hostd left its sockets behind" \
    test -S "$SOCK" -a -S "$RO"
start_hostd "$LAB_DIR/hostd2.log"
lab_check "a new hostd starts on the stale sockets and answers" \
    answers "$SOCK"
lab_check "it said it removed the stale socket" \
    grep -q "control socket $SOCK: removed a stale socket" \
    "$LAB_DIR/hostd2.log"
lab_stop "$HOSTD_PID" 5000
lab_check "a stopped hostd removes its sockets" test ! -e "$SOCK" -a ! -e "$RO"
lab_check "no sanitizer report in hostd's logs" sh -c \
    "! grep -l 'Sanitizer\|runtime error' \"$LAB_DIR\"/*.log"

lab_done
