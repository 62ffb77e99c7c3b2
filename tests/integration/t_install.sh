#!/bin/sh
# shellcheck shell=dash
# t_install: vrouter installs like any other daemon.  `make install` into a
# DESTDIR (etc/module.mk), then it proves that
#  0. install changed nothing in the build tree: build/vrouterd and
#     build/vrouterctl (and their objects) have the same checksums before
#     and after both installs here, and the build's vrouterctl and vrouterd
#     find the source tree's templates with no -T;
#  1. the tree holds the binaries (vrouter-ofnat too when it is built), the
#     templates, the examples, the JSON schemas, the Ganeti hooks, the man
#     pages, the systemd units, the tmpfiles.d rule and /etc/vrouter/hostd.d,
#     with sane modes;
#  2. the installed binaries work from the installed tree: the example
#     router.json passes `vrouterctl check` and `vrouterd -n` with the
#     installed templates, and the compiled-in template folder is PREFIX's;
#     installed with PREFIX=a scratch folder (no DESTDIR), they find their
#     templates there with no -T;
#  3. every man page is clean for `mandoc -Tlint -W warning`, for
#     `groff -ww` and for `man --warnings -l` (each if installed);
#  4. each page's SYNOPSIS is the binary's usage text, word for word, and
#     vrouterctl.8 lists exactly the commands of `vrouterctl help`, with the
#     same usage lines; the example in router.json.5 is a valid description;
#  5. `systemd-analyze verify` accepts the units (skipped with a note when
#     systemd-analyze is missing), with the capability sets documented;
#     each is Type=notify with a watchdog, notifications from its main
#     process only.
# No root needed, no namespaces; the DESTDIR is removed on exit.
#
# usage: t_install.sh [BUILD_DIR]

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-${VROUTER_BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
T=$(mktemp -d "/tmp/t_install.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

. "$ROOT/tests/tap.sh"

D=$T/root
P=/usr/local
# The build dir's own flavour, so that install's `all` finds it up to date
# (CI runs the suite again with SAN=1 in build-san).
SAN=0
grep -qa __asan_init "$BUILD/vrouterd" 2>/dev/null && SAN=1
# 0. the build tree before install: up to date (a stale tree would be
# rebuilt by install's `all`, rightly), then its checksums.
if ! make -s -C "$ROOT" B="$BUILD" SAN="$SAN" all >"$T/make.log" 2>&1; then
	notok "make all" "$(tail -n 20 "$T/make.log")"
	echo "1..$N"
	exit 1
fi
BUILT="$BUILD/vrouterd $BUILD/vrouterctl $BUILD/daemon/vrouterd.o $BUILD/ctl/vrouterctl.o"
# shellcheck disable=SC2086
md5sum $BUILT >"$T/built.md5"
check "build/vrouterctl check: the example passes from the source tree, no -T" \
    sh -c "cd '$ROOT' && '$BUILD/vrouterctl' check -f etc/router.json.example | grep -q ': OK\$'"
check "build/vrouterd -n: the example passes from elsewhere, no -T" \
    sh -c "cd / && '$BUILD/vrouterd' -n -f '$ROOT/etc/router.json.example' -R /run/vrouter >/dev/null"
check "the build's binaries do not name an installed template folder" sh -c \
    "! grep -qa '$P/share/vrouter/templates' '$BUILD/vrouterd' &&
     ! grep -qa '$P/share/vrouter/templates' '$BUILD/vrouterctl'"

if ! make -s -C "$ROOT" B="$BUILD" SAN="$SAN" DESTDIR="$D" install \
    >"$T/make.log" 2>&1
then
	notok "make install DESTDIR=..." "$(tail -n 20 "$T/make.log")"
	echo "1..$N"
	exit 1
fi
ok "make install DESTDIR=... PREFIX=$P"
if md5sum -c --quiet "$T/built.md5" >"$T/md5.log" 2>&1; then
	ok "make install DESTDIR=...: build/vrouterd, build/vrouterctl unchanged"
else
	notok "make install DESTDIR=...: build/vrouterd, build/vrouterctl unchanged" \
	    "$(cat "$T/md5.log")"
fi

# 1. the tree
mode()		# FILE: its octal mode
{
	stat -c %a "$1"
}
has()		# MODE FILE...: each exists as a regular file with MODE
{
	local m="$1" f bad=
	shift
	for f in "$@"; do
		[ -f "$D$f" ] && [ "$(mode "$D$f")" = "$m" ] ||
		    bad="$bad $f($( [ -e "$D$f" ] && mode "$D$f" || echo missing))"
	done
	[ -z "$bad" ] || { echo "# wrong or missing:$bad"; return 1; }
}
BINS="vrouterd vrouter-hostd vrouter-notify vrouterctl vrouter-vsp"
[ -x "$BUILD/vrouter-ofnat" ] && BINS="$BINS vrouter-ofnat"
MAN8="vrouterd vrouter-hostd vrouter-notify vrouterctl vrouter-vsp"
[ -x "$BUILD/vrouter-ofnat" ] && MAN8="$MAN8 vrouter-ofnat"
UNITS="vrouterd vrouter-hostd"
[ -x "$BUILD/vrouter-ofnat" ] && UNITS="$UNITS vrouter-ofnat"
paths()		# PREFIX SUFFIX WORDS...
{
	local pre="$1" suf="$2" w
	shift 2
	for w in "$@"; do echo "$pre$w$suf"; done
}
# shellcheck disable=SC2046,SC2086
{
check "binaries in $P/sbin, mode 755 ($BINS)" \
    has 755 $(paths "$P/sbin/" "" $BINS)
check "templates in $P/share/vrouter/templates" \
    has 644 $(paths "$P/share/vrouter/templates/" ".mustache" \
    keepalived.conf conntrackd.conf nat.rules)
check "examples in $P/share/doc/vrouter/examples" \
    has 644 $(paths "$P/share/doc/vrouter/examples/" "" \
    router.json.example router-r2.json.example ganeti-hook.conf.example)
check "the docs, with architecture.md and operations.md" \
    has 644 $(paths "$P/share/doc/vrouter/" ".md" \
    architecture operations protocol router-json ganeti json-output)
SCHEMAS=$(cd "$ROOT/docs/schema" && echo *.json)
check "the JSON schemas in $P/share/doc/vrouter/schema ($SCHEMAS)" \
    has 644 $(paths "$P/share/doc/vrouter/schema/" "" $SCHEMAS)
check "the Ganeti hooks in $P/lib/vrouter, mode 755" \
    has 755 "$P/lib/vrouter/vrouter-hook" "$P/lib/vrouter/install-hooks"
check "man pages: section 8 ($MAN8) and router.json.5" \
    has 644 $(paths "$P/share/man/man8/" ".8" $MAN8) \
    "$P/share/man/man5/router.json.5"
check "systemd units ($UNITS) and the tmpfiles.d rule" \
    has 644 $(paths "$P/lib/systemd/system/" ".service" $UNITS) \
    "$P/lib/tmpfiles.d/vrouter.conf"
}
check "/etc/vrouter and /etc/vrouter/hostd.d exist" \
    test -d "$D/etc/vrouter/hostd.d"
check "tmpfiles.d makes /run/vrouter and /var/lib/vrouter" sh -c \
    "grep -q '^d /run/vrouter ' '$D$P/lib/tmpfiles.d/vrouter.conf' &&
     grep -q '^d /var/lib/vrouter ' '$D$P/lib/tmpfiles.d/vrouter.conf'"
check "install-hooks installs from where it was installed" \
    grep -qx "libdir=$P/lib/vrouter" "$D$P/lib/vrouter/install-hooks"

# 2. the installed tree works
S=$D$P/sbin
TPL=$D$P/share/vrouter/templates
EX=$D$P/share/doc/vrouter/examples
check "vrouterctl check: the example passes with the installed templates" \
    sh -c "'$S/vrouterctl' check -f '$EX/router.json.example' -T '$TPL' | grep -q ': OK\$'"
check "vrouterd -n: the example and its peer pass" sh -c \
    "'$S/vrouterd' -n -f '$EX/router.json.example' -T '$TPL' -R /run/vrouter >/dev/null &&
     '$S/vrouterd' -n -f '$EX/router-r2.json.example' -T '$TPL' -R /run/vrouter >/dev/null"
check "vrouterd and vrouterctl default to $P/share/vrouter/templates" sh -c \
    "grep -qa '$P/share/vrouter/templates' '$S/vrouterd' &&
     grep -qa '$P/share/vrouter/templates' '$S/vrouterctl'"
# Another PREFIX, no DESTDIR: the binaries must find that PREFIX's
# templates by themselves (SYSCONFDIR too, to stay out of /etc).
Q=$T/prefix
if make -s -C "$ROOT" B="$BUILD" SAN="$SAN" PREFIX="$Q" \
    SYSCONFDIR="$Q/etc" install >"$T/prefix.log" 2>&1; then
	check "installed in PREFIX=$Q: vrouterctl check finds its templates, no -T" \
	    sh -c "cd / && '$Q/sbin/vrouterctl' check \
	    -f '$Q/share/doc/vrouter/examples/router.json.example' | grep -q ': OK\$'"
	check "installed in PREFIX=$Q: vrouterd -n finds its templates, no -T" \
	    sh -c "cd / && '$Q/sbin/vrouterd' -n \
	    -f '$Q/share/doc/vrouter/examples/router.json.example' -R /run/vrouter >/dev/null"
	check "installed in PREFIX=$Q: vrouterctl fails without its templates" \
	    sh -c "mv '$Q/share/vrouter/templates' '$Q/tpl.away' &&
	    ! '$Q/sbin/vrouterctl' check \
	    -f '$Q/share/doc/vrouter/examples/router.json.example' >/dev/null 2>&1;
	    rc=\$?; mv '$Q/tpl.away' '$Q/share/vrouter/templates'; exit \$rc"
else
	notok "make install PREFIX=$Q" "$(tail -n 20 "$T/prefix.log")"
fi
if md5sum -c --quiet "$T/built.md5" >"$T/md5.log" 2>&1; then
	ok "make install PREFIX=$Q: build/vrouterd, build/vrouterctl unchanged"
else
	notok "make install PREFIX=$Q: build/vrouterd, build/vrouterctl unchanged" \
	    "$(cat "$T/md5.log")"
fi
check "the build's vrouterctl still uses the source tree's templates" \
    sh -c "cd '$ROOT' && '$BUILD/vrouterctl' check -f etc/router.json.example | grep -q ': OK\$'"

# 3. man pages render without warnings
PAGES=$(find "$D$P/share/man" -type f | sort)
if command -v mandoc >/dev/null 2>&1; then
	out=
	for p in $PAGES; do
		out="$out$(mandoc -Tlint -W warning "$p" 2>&1)"
	done
	if [ -z "$out" ]; then
		ok "mandoc -Tlint -W warning: every page is clean"
	else
		notok "mandoc -Tlint -W warning: every page is clean" "$out"
	fi
else
	skip "mandoc -Tlint" "mandoc missing (sh scripts/install-deps.sh)"
fi
if command -v groff >/dev/null 2>&1; then
	out=
	for p in $PAGES; do
		out="$out$(groff -mandoc -ww -z "$p" 2>&1)"
	done
	if [ -z "$out" ]; then
		ok "groff -ww: every page is clean"
	else
		notok "groff -ww: every page is clean" "$out"
	fi
else
	skip "groff -ww" "groff missing"
fi
if command -v man >/dev/null 2>&1 && man --help 2>&1 | grep -q -- --warnings
then
	out=
	for p in $PAGES; do
		out="$out$(MANWIDTH=80 man --warnings -l "$p" 2>&1 >/dev/null)"
	done
	if [ -z "$out" ]; then
		ok "man --warnings -l: every page renders without a warning"
	else
		notok "man --warnings -l: every page renders without a warning" \
		    "$out"
	fi
else
	skip "man --warnings -l" "man-db's man missing"
fi

# 4. the pages say what the binaries do
# The page as plain text, one line per paragraph.
render()	# PAGE
{
	mandoc -Tascii -O width=1000 "$1" | sed 's/.\x08//g'
}
section()	# PAGE NAME: the section's lines
{
	render "$1" | awk -v s="$2" '
	    /^[A-Z][A-Z ]*$/ { f = ($0 == s); next }
	    f'
}
squeeze()
{
	tr -s ' \t\n' '   ' | sed 's/^ //; s/ $//'
}
# The usage a binary prints for a bad option: the "usage:" line and the
# indented lines after it.
usage_of()	# BINARY
{
	"$1" -Z 2>&1 >/dev/null | awk '
	    /^usage: / { f = 1; sub(/^usage: /, ""); print; next }
	    f && /^[ \t]/ { print; next }
	    { f = 0 }'
}
if command -v mandoc >/dev/null 2>&1; then
	for b in $BINS; do
		[ "$b" = vrouterctl ] && continue
		page=$D$P/share/man/man8/$b.8
		syn=$(section "$page" SYNOPSIS | squeeze)
		use=$(usage_of "$S/$b" | squeeze)
		if [ -n "$use" ] && [ "$syn" = "$use" ]; then
			ok "$b.8: SYNOPSIS is $b's usage"
		else
			notok "$b.8: SYNOPSIS is $b's usage" \
			    "page:  $syn
usage: $use"
		fi
	done

	page=$D$P/share/man/man8/vrouterctl.8
	"$S/vrouterctl" help >"$T/help" 2>&1
	syn=$(section "$page" SYNOPSIS | squeeze)
	use=$(sed -n '1s/^usage: //p' "$T/help" | squeeze)
	check "vrouterctl.8: SYNOPSIS is vrouterctl's usage line" \
	    test -n "$use" -a "$syn" = "$use"
	# help: "  WORDS ARGS" lines, each followed by a tab-indented help
	# line; the page: COMMANDS item heads, indented 5, the body after
	# two spaces or on the next lines.
	grep '^  [^ ]' "$T/help" | sed 's/^ *//; s/ *$//' | sort >"$T/cmds.help"
	section "$page" COMMANDS | grep '^     [^ ]' |
	    sed 's/^ *//; s/  .*//; s/ *$//' | sort >"$T/cmds.page"
	if [ -s "$T/cmds.help" ] && cmp -s "$T/cmds.help" "$T/cmds.page"; then
		ok "vrouterctl.8 lists exactly the $(wc -l <"$T/cmds.help") commands of vrouterctl help"
	else
		notok "vrouterctl.8 lists exactly the commands of vrouterctl help" \
		    "$(diff -u "$T/cmds.help" "$T/cmds.page" | tail -n +3)"
	fi

	render "$D$P/share/man/man5/router.json.5" | awk '
	    /^EXAMPLES/ { f = 1 }
	    f && /^ *\{ *$/ && !p { p = 1 }
	    p { print }
	    p && /^ *\} *$/ { exit }' >"$T/example.json"
	check "router.json.5: its example passes vrouterctl check" sh -c \
	    "'$S/vrouterctl' check -f '$T/example.json' -T '$TPL' >/dev/null"
	# Every installed doc path a page names exists.
	missing=
	for p in $PAGES; do
		for f in $(render "$p" | grep -o "$P/share/doc/vrouter/[^ ,;)]*" |
		    sed 's/\.$//' | sort -u); do
			[ -e "$D$f" ] || missing="$missing ${p##*/}:$f"
		done
	done
	check "vrouterctl.8 names the installed schema folder" \
	    sh -c "render() { mandoc -Tascii -O width=1000 \"\$1\" | sed 's/.\x08//g'; };
	    render '$D$P/share/man/man8/vrouterctl.8' | grep -q '$P/share/doc/vrouter/schema/'"
	check "every $P/share/doc/vrouter path in the pages is installed" \
	    test -z "$missing"
	[ -z "$missing" ] || echo "# missing:$missing"
else
	skip "SYNOPSIS against usage" "mandoc missing"
fi

# 5. systemd units
U=$D$P/lib/systemd/system
if command -v systemd-analyze >/dev/null 2>&1; then
	# verify checks that ExecStart= and ExecStop= exist: point them at
	# the DESTDIR.
	mkdir -p "$T/units"
	for u in $UNITS; do
		sed -e "s|$P/sbin/|$S/|g" -e "s|$P/lib/vrouter/|$D$P/lib/vrouter/|g" \
		    "$U/$u.service" >"$T/units/$u.service"
	done
	# shellcheck disable=SC2046
	if out=$(systemd-analyze verify --man=no \
	    $(paths "$T/units/" ".service" $UNITS) 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify: $UNITS"
	else
		notok "systemd-analyze verify: $UNITS" "$out"
	fi
else
	skip "systemd-analyze verify" "systemd-analyze missing"
fi
check "vrouter-hostd.service: routes, ARP, and the engine's drop only" \
    grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_SETUID CAP_SETGID CAP_SYS_CHROOT' \
    "$U/vrouter-hostd.service"
check "the channel engine's user comes with sysusers.d" \
    grep -q '^u _vrouter ' "$D$P/lib/sysusers.d/vrouter.conf"
check "vrouterd.service: + CAP_SYS_NICE and CAP_IPC_LOCK for keepalived, conntrackd" \
    grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_SYS_NICE CAP_IPC_LOCK' \
    "$U/vrouterd.service"
check "the units run in the foreground from $P/sbin" sh -c \
    "grep -qx 'ExecStart=$P/sbin/vrouterd -d' '$U/vrouterd.service' &&
     grep -qx 'ExecStart=$P/sbin/vrouter-hostd -d' '$U/vrouter-hostd.service'"
notify_unit()	# NAME: Type=notify, a watchdog, only the main process heard
{
	grep -qx 'Type=notify' "$U/$1.service" &&
	    grep -qx 'NotifyAccess=main' "$U/$1.service" &&
	    grep -qx 'WatchdogSec=[1-9][0-9]*s' "$U/$1.service"
}
for u in $UNITS; do
	check "$u.service: Type=notify, WatchdogSec=, NotifyAccess=main" \
	    notify_unit "$u"
done
if [ -x "$BUILD/vrouter-ofnat" ]; then
	check "vrouter-ofnat.service: no capability, IP from localhost only" \
	    sh -c "grep -qx 'CapabilityBoundingSet=' '$U/vrouter-ofnat.service' &&
	    grep -qx 'IPAddressAllow=localhost' '$U/vrouter-ofnat.service' &&
	    grep -qx 'ExecStart=$P/sbin/vrouter-ofnat -d' '$U/vrouter-ofnat.service'"
fi

echo "1..$N"
[ "$FAILS" -eq 0 ]
