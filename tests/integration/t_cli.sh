#!/bin/sh
# shellcheck shell=dash
# t_cli: every binary answers the same way on its command line.  It proves
# that
#  1. each of vrouterd, vrouter-hostd, vrouter-ofnat, vrouterctl,
#     vrouter-notify and vrouter-vsp prints its usage on stdout for -h and
#     --help (the same text) and exits 0; prints "NAME VERSION" with the
#     VERSION file's version for -V and --version and exits 0; and for a
#     bad option (short or long) prints that same usage on stderr, nothing
#     on stdout, and exits 2;
#  2. bad option values and arguments are usage errors (2), and failures
#     exit 1, in every tool (vrouter-notify's own 3, vrouter-vsp's 3 for a
#     refused address are documented extras);
#  3. vrouterctl answers help locally: `help`, `help WORDS`, and -h or
#     --help after every command of its table (with the command's
#     arguments too) print the command's usage and exit 0 with -s naming a
#     socket that does not exist, so a request would have failed with 1;
#     incomplete and unknown commands and wrong arguments exit 2 with the
#     command's usage on stderr;
#  4. every man page documents -h, --help, -V, --version and exit status 2.
# No root, no lab, no daemon.
#
# usage: t_cli.sh [BUILD_DIR]

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${VROUTER_BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
T=$(mktemp -d "/tmp/t_cli.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
# Command lines below hold [ and |: never glob them.
set -f

. "$ROOT/tests/tap.sh"

# run BIN ARGS...: RC, $T/out and $T/err hold the outcome.
run()
{
	"$@" >"$T/out" 2>"$T/err" </dev/null
	RC=$?
}
# expect DESC RC ERR-PATTERN BIN ARGS...: exit RC, stderr matching the
# grep -E pattern ("" for any).
expect()
{
	local desc="$1" rc="$2" pat="$3"
	shift 3
	run "$@"
	if [ "$RC" != "$rc" ]; then
		notok "$desc" "exit $RC, not $rc: $(cat "$T/out" "$T/err")"
	elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$T/err"; then
		notok "$desc" "stderr lacks /$pat/: $(cat "$T/err")"
	else
		ok "$desc"
	fi
}

VERSION=$(cat "$ROOT/VERSION")
BINS="vrouterd vrouter-hostd vrouterctl vrouter-notify vrouter-vsp"
[ -x "$BUILD/vrouter-ofnat" ] && BINS="$BINS vrouter-ofnat"
for b in $BINS; do
	[ -x "$BUILD/$b" ] || { notok "$b is built" "$BUILD/$b missing"; continue; }
done

# 1. help, version, a bad option
for b in $BINS; do
	B=$BUILD/$b
	run "$B" --help
	cp "$T/out" "$T/help.long"
	if [ "$RC" = 0 ] && [ ! -s "$T/err" ] &&
	    head -n 1 "$T/out" | grep -q "^usage: $b "; then
		ok "$b --help: usage on stdout, exit 0"
	else
		notok "$b --help: usage on stdout, exit 0" \
		    "exit $RC: $(head -n 3 "$T/out" "$T/err")"
	fi
	run "$B" -h
	if [ "$RC" = 0 ] && cmp -s "$T/out" "$T/help.long"; then
		ok "$b -h: the same, exit 0"
	else
		notok "$b -h: the same, exit 0" "exit $RC: $(head -n 3 "$T/out")"
	fi
	for v in --version -V; do
		run "$B" "$v"
		if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "$b $VERSION" ] &&
		    [ ! -s "$T/err" ]; then
			ok "$b $v: \"$b $VERSION\", exit 0"
		else
			notok "$b $v: \"$b $VERSION\", exit 0" \
			    "exit $RC: $(cat "$T/out" "$T/err")"
		fi
	done
	for bad in -Z --no-such-option; do
		run "$B" "$bad"
		sed -n '/^usage: /,$p' "$T/err" >"$T/usage"
		if [ "$RC" = 2 ] && [ ! -s "$T/out" ] &&
		    cmp -s "$T/usage" "$T/help.long"; then
			ok "$b $bad: the usage on stderr, exit 2"
		else
			notok "$b $bad: the usage on stderr, exit 2" \
			    "exit $RC: $(cat "$T/out" "$T/err")"
		fi
	done
done

# 2. usage errors and failures, tool by tool
NOSOCK=$T/absent.sock
expect "vrouterd: an argument: 2" 2 "^usage: vrouterd" \
    "$BUILD/vrouterd" extra
expect "vrouterd -n with a missing description: 1" 1 "/absent.json" \
    "$BUILD/vrouterd" -n -f "$T/absent.json"
expect "vrouter-hostd -A 0: 2, the value named" 2 "-A: .*must be 1\.\.1000" \
    "$BUILD/vrouter-hostd" -A 0
expect "vrouter-hostd: an argument: 2" 2 "^usage: vrouter-hostd" \
    "$BUILD/vrouter-hostd" extra
if [ -x "$BUILD/vrouter-ofnat" ]; then
	expect "vrouter-ofnat -t x=1: 2" 2 "-t: want" \
	    "$BUILD/vrouter-ofnat" -t x=1
	expect "vrouter-ofnat -F xyz: 2" 2 "^usage: vrouter-ofnat" \
	    "$BUILD/vrouter-ofnat" -F xyz
	expect "vrouter-ofnat -c with no JSON object: 2" 2 "not a JSON object" \
	    "$BUILD/vrouter-ofnat" -s "$NOSOCK" -c nope
	expect "vrouter-ofnat -c, no controller: 1" 1 "absent.sock" \
	    "$BUILD/vrouter-ofnat" -s "$NOSOCK" -c '{"cmd":"show"}'
fi
expect "vrouter-notify: no arguments: 2" 2 "^usage: vrouter-notify" \
    "$BUILD/vrouter-notify"
expect "vrouter-notify: a bad STATE: 2" 2 'STATE "INIT"' \
    "$BUILD/vrouter-notify" -s "$NOSOCK" INSTANCE VI_1 INIT 150
expect "vrouter-notify: no vrouterd, no port: 3 (its own)" 3 "not running" \
    "$BUILD/vrouter-notify" -s "$NOSOCK" INSTANCE VI_1 MASTER 150
expect "vrouter-vsp: no -p: 2" 2 "^usage: vrouter-vsp" \
    "$BUILD/vrouter-vsp" -r r1 203.0.113.10=MASTER
expect "vrouter-vsp: a bad claim: 2" 2 '"foo": expected address=STATE' \
    "$BUILD/vrouter-vsp" -p "$T/absent.port" -r r1 foo
expect "vrouter-vsp: -w 0: 2" 2 "^usage: vrouter-vsp" \
    "$BUILD/vrouter-vsp" -p "$T/absent.port" -r r1 -w 0 203.0.113.10=MASTER
expect "vrouter-vsp: no port, no ack: 1" 1 "no ack within 200 ms" \
    "$BUILD/vrouter-vsp" -p "$T/absent.port" -r r1 -w 200 203.0.113.10=MASTER

# 3. vrouterctl
ctl()	{ "$BUILD/vrouterctl" -s "$NOSOCK" "$@"; }
run ctl help
cp "$T/out" "$T/ctl.help"
if [ "$RC" = 0 ] && "$BUILD/vrouterctl" --help | cmp -s - "$T/ctl.help"; then
	ok "vrouterctl help: the same as --help, exit 0"
else
	notok "vrouterctl help: the same as --help, exit 0" "exit $RC"
fi
# Each "  WORDS ARGS" line of help, run as a command line with --help
# (and -h) after it: the command's usage, locally.
grep '^  [^ ]' "$T/ctl.help" | sed 's/^ *//' >"$T/cmds"
ncmds=$(wc -l <"$T/cmds")
bad=
while read -r line; do
	for h in --help -h; do
		# shellcheck disable=SC2086
		run ctl $line $h
		if [ "$RC" != 0 ] ||
		    [ "$(head -n 1 "$T/out")" != "usage: vrouterctl $line" ]; then
			bad="$bad
$line $h: exit $RC: $(head -n 1 "$T/out" "$T/err")"
		fi
	done
done <"$T/cmds"
if [ "$ncmds" -ge 20 ] && [ -z "$bad" ]; then
	ok "vrouterctl: --help and -h after each of the $ncmds commands, with their arguments, answer locally"
else
	notok "vrouterctl: --help and -h after each command answer locally" \
	    "$ncmds commands;$bad"
fi
expect "vrouterctl host vm add --help: 0, nothing sent" 0 "" \
    ctl host vm add --help
if grep -q '^usage: vrouterctl host vm add NAME channel PATH' "$T/out"; then
	ok "vrouterctl host vm add --help: its usage"
else
	notok "vrouterctl host vm add --help: its usage" "$(cat "$T/out")"
fi
expect "vrouterctl host vm add r1 channel --help: 0" 0 "" \
    ctl host vm add r1 channel --help
expect "vrouterctl maintenance on -h: 0, nothing sent" 0 "" \
    ctl maintenance on -h
run ctl help host vm
if [ "$RC" = 0 ] && [ "$(grep -c '^  host vm ' "$T/out")" = 4 ] &&
    [ "$(grep -c '^  ' "$T/out")" = 4 ]; then
	ok "vrouterctl help host vm: exactly the four host vm commands"
else
	notok "vrouterctl help host vm: exactly the four host vm commands" \
	    "exit $RC: $(cat "$T/out")"
fi
expect "vrouterctl host --help: 0" 0 "" ctl host --help
expect "vrouterctl with no command: 2" 2 "^usage: vrouterctl" \
    "$BUILD/vrouterctl"
expect "vrouterctl nosuch: 2" 2 "unknown command: nosuch" ctl nosuch
expect "vrouterctl nosuch --help: 2" 2 "unknown command: nosuch" \
    ctl nosuch --help
expect "vrouterctl help nosuch: 2" 2 "unknown command: nosuch" \
    ctl help nosuch
expect "vrouterctl host vm: 2, not a whole command" 2 \
    "not a whole command: host vm" ctl host vm
expect "vrouterctl status x: 2, status's usage" 2 \
    "^usage: vrouterctl status$" ctl status x
expect "vrouterctl maintenance maybe: 2" 2 "^usage: vrouterctl maintenance on[|]off" \
    ctl maintenance maybe
expect "vrouterctl host vm add: 2, NAME missing" 2 "NAME missing" \
    ctl host vm add
expect "vrouterctl host vm add r1 channel: 2" 2 '"channel" needs a value' \
    ctl host vm add r1 channel
expect "vrouterctl ofnat forward add tcp 0 h: 2" 2 "not a port" \
    ctl ofnat forward add tcp 0 h
expect "vrouterctl check -Z: 2" 2 "^usage: vrouterctl check" ctl check -Z
expect "vrouterctl render (no template): 2" 2 "^usage: vrouterctl render" \
    ctl render
expect "vrouterctl failover-test (no nodes): 2" 2 "usage: failover-test" \
    ctl failover-test
expect "vrouterctl status, no daemon: 1" 1 "absent.sock" ctl status
expect "vrouterctl maintenance on, no daemon: 1" 1 "absent.sock" \
    ctl maintenance on
expect "vrouterctl host vm add r1, no daemon: 1 (a request is a failure)" 1 \
    "absent.sock" ctl host vm add r1
expect "vrouterctl check of a missing file: 1" 1 "absent.json" \
    ctl check -f "$T/absent.json" -T "$ROOT/templates"
expect "vrouterctl check of the example: 0" 0 "" \
    ctl check -f "$ROOT/etc/router.json.example" -T "$ROOT/templates"

# 4. the man pages
for b in $BINS; do
	page=$ROOT/docs/$b.8
	if grep -q '^\.It Fl h , Fl -help$' "$page" &&
	    grep -q '^\.It Fl V , Fl -version$' "$page" &&
	    sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$page" | grep -q '^\.It 2$'
	then
		ok "$b.8: -h, --help, -V, --version, and exit status 2"
	else
		notok "$b.8: -h, --help, -V, --version, and exit status 2"
	fi
done

echo "1..$N"
[ "$FAILS" -eq 0 ]
