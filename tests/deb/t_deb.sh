#!/bin/sh
# shellcheck shell=dash
# shellcheck disable=SC2317 # cleanup runs from a trap, has from check
# t_deb: vrouter's Debian packages build, are lintian-clean, install, work,
# and purge without a trace.  `make deb-test` and CI (.ci/run) run it; it
# is not in tests/integration because it installs and purges packages on
# this machine (as CI, on a throwaway VM), which `make test` must not do
# behind a developer's back.  It proves that
#  1. `scripts/build-deb.sh` builds the four packages and their -dbgsym;
#     their maintainer scripts parse, with debhelper's parts whole;
#  2. lintian finds no error and no warning that is not overridden (every
#     override has its reason beside it in debian/*.lintian-overrides);
#  3. dpkg installs them, no daemon starts (policy-rc.d), and then the
#     units, man pages, examples, templates, hooks and folders are in
#     place; the _vrouter user exists; every path a man page names exists;
#     the installed vrouterctl and vrouterd accept the installed examples
#     with their compiled-in template folder; install-hooks writes entry
#     points that exec the installed hook; `--version` prints VERSION
#     (where a binary has --version);
#  4. reinstalling (the upgrade path) keeps the Ganeti entry points, and
#     removing vrouter-host takes them out of Ganeti's hooks folder;
#  5. purge removes every file the packages had, what they made (the user,
#     the runtime and state folders, VM registrations, the units'
#     enablement) and leaves only the operator's own router.json, which
#     dpkg keeps by policy.
# Exits 77 (skipped) when not root, when dpkg-buildpackage, debhelper or
# lintian is missing (sh scripts/install-deps.sh deb), or when a vrouter
# package is already installed (it would purge it).
#
# usage: t_deb.sh [BUILD_DIR]  (BUILD_DIR unused: the packages build from
#                              a copy of the tree)

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PKGS="vrouter-common vrouter vrouter-host vrouter-ofnat"
BINS="vrouterd vrouter-notify vrouter-vsp vrouterctl vrouter-hostd vrouter-ofnat"

skip77()
{
	echo "1..0 # SKIP $1"
	exit 77
}
[ "$(id -u)" = 0 ] || skip77 "needs root: it installs and purges the packages"
for c in dpkg-buildpackage dh lintian; do
	command -v $c >/dev/null 2>&1 ||
	    skip77 "$c missing (sh scripts/install-deps.sh deb)"
done
for p in $PKGS; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	case $s in
	'' | not-installed) ;;
	*) skip77 "$p is already on this machine ($s): not purging it" ;;
	esac
done
for b in $BINS; do
	[ -e "/usr/sbin/$b" ] &&
	    skip77 "/usr/sbin/$b exists, not from a package: not replacing it"
done

# A machine with Ganeti installed (the real-cluster test's packages) has
# its own /etc/ganeti, which this test must not write: it then runs in a
# mount namespace of its own, with an empty /etc/ganeti over the real one.
MADE_GANETI=no
if [ -e /etc/ganeti ] && [ -z "${T_DEB_OWN_ETC_GANETI:-}" ] &&
    command -v unshare >/dev/null 2>&1; then
	T_DEB_OWN_ETC_GANETI=1 exec unshare -m --propagation private \
	    sh "$0" "$@"
fi
if [ -n "${T_DEB_OWN_ETC_GANETI:-}" ]; then
	mount -t tmpfs -o mode=0755 t_deb /etc/ganeti ||
	    skip77 "cannot put an empty /etc/ganeti over this machine's"
	mkdir /etc/ganeti/hooks
	MADE_GANETI=private
fi

T=$(mktemp -d "/tmp/t_deb.XXXXXX") || exit 1
export DEBIAN_FRONTEND=noninteractive
MADE_POLICY=no
INSTALLED=no
cleanup()
{
	if [ "$INSTALLED" = yes ]; then
		# shellcheck disable=SC2086
		dpkg --purge $PKGS >/dev/null 2>&1
		rm -f /etc/vrouter/router.json
		rmdir /etc/vrouter 2>/dev/null
	fi
	[ "$MADE_GANETI" = yes ] && rm -rf /etc/ganeti
	[ "$MADE_POLICY" = yes ] && rm -f /usr/sbin/policy-rc.d
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

. "$ROOT/tests/tap.sh"
finish()
{
	echo "1..$N"
	echo "t_deb: $((N - FAILS - SKIPS)) passed, $FAILS failed, $SKIPS skipped"
	[ "$FAILS" -eq 0 ]
	exit
}
status()	# PACKAGE: dpkg's status word
{
	dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null
}
# Every path whose name says vrouter, outside the temporary folders.
traces()
{
	find /etc /lib /usr /var /run -xdev -name '*vrouter*' 2>/dev/null |
	    sort
}
# Binaries of the packages that run now (their /proc/PID/exe).
running()
{
	local p e
	for p in /proc/[0-9]*; do
		e=$(readlink "$p/exe" 2>/dev/null) || continue
		case $e in
		/usr/sbin/vrouterd | /usr/sbin/vrouter-hostd | \
		/usr/sbin/vrouter-ofnat) echo "${p#/proc/} $e" ;;
		esac
	done
}

# 1. build
VERSION=$(cat "$ROOT/VERSION")
ARCH=$(dpkg --print-architecture)
start=$(date +%s)
if ! sh "$ROOT/scripts/build-deb.sh" "$T/deb" >"$T/build.log" 2>&1; then
	notok "make deb: dpkg-buildpackage -us -uc -b" "$(tail -n 30 "$T/build.log")"
	finish
fi
debs=
missing=
for p in $PKGS; do
	f=$T/deb/${p}_${VERSION}_$ARCH.deb
	[ -f "$f" ] && debs="$debs $f" || missing="$missing $p"
	[ -f "$T/deb/${p}-dbgsym_${VERSION}_$ARCH.deb" ] ||
	    missing="$missing $p-dbgsym"
done
if [ -z "$missing" ]; then
	ok "make deb: $PKGS and their -dbgsym, version $VERSION ($(( $(date +%s) - start )) s)"
else
	notok "make deb: every package built" "missing:$missing"
	finish
fi

# The maintainer scripts parse, and each debhelper snippet is whole (a
# "#DEBHELPER#" in a comment of ours would splice one in half-commented).
bad=
for p in $PKGS; do
	dpkg-deb -e "$T/deb/${p}_${VERSION}_$ARCH.deb" "$T/ctl.$p"
	for s in "$T/ctl.$p"/preinst "$T/ctl.$p"/postinst "$T/ctl.$p"/prerm \
	    "$T/ctl.$p"/postrm; do
		[ -f "$s" ] || continue
		sh -n "$s" 2>/dev/null || bad="$bad $p/${s##*/}:syntax"
		[ "$(grep -c '^# Automatically added by' "$s")" = \
		    "$(grep -c '^# End automatically added section' "$s")" ] ||
		    bad="$bad $p/${s##*/}:snippets"
	done
done
check "maintainer scripts parse, debhelper's snippets whole${bad:+ (not:$bad)}" \
    test -z "$bad"

# 2. lintian, on the .changes (the .debs and the .buildinfo)
if lintian --fail-on error,warning -L '>=info' --show-overrides \
    "$T/deb/vrouter_${VERSION}_$ARCH.changes" >"$T/lintian.log" 2>&1; then
	ok "lintian: no error, no warning; $(grep -c '^I:' "$T/lintian.log") info, $(grep -c '^O:' "$T/lintian.log") overridden"
	grep '^[IO]:' "$T/lintian.log" | sed 's/^/# /'
else
	notok "lintian: no error, no warning" "$(grep -v 'root privileges' "$T/lintian.log")"
fi

# 3. install
user_before=$(getent passwd _vrouter)
traces >"$T/traces.before"
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# t_deb: start no service\nexit 101\n' \
	    >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	MADE_POLICY=yes
fi
if [ ! -e /etc/ganeti ]; then
	mkdir -p /etc/ganeti/hooks
	MADE_GANETI=yes
fi
INSTALLED=yes
# shellcheck disable=SC2086
if dpkg -i $debs >"$T/install.log" 2>&1; then
	ok "dpkg -i: the four packages install"
else
	notok "dpkg -i: the four packages install" "$(tail -n 30 "$T/install.log")"
	finish
fi
bad=
for p in $PKGS; do
	[ "$(status "$p")" = installed ] || bad="$bad $p:$(status "$p")"
	dpkg -L "$p" >"$T/$p.list" || bad="$bad $p:no-list"
done
check "dpkg says all four are installed" test -z "$bad"

# policy-rc.d said no to every start: none of the daemons runs.
out=$(running)
check "no vrouter daemon was started by the install" test -z "$out"

has()		# FILE...: each is a regular file
{
	local f bad=
	for f in "$@"; do [ -f "$f" ] || bad="$bad $f"; done
	[ -z "$bad" ] || { echo "# missing:$bad"; return 1; }
}
owner()		# FILE PACKAGE: dpkg -S says PACKAGE owns FILE
{
	[ "$(dpkg -S "$1" 2>/dev/null | sed 's/: .*//')" = "$2" ] ||
	    { echo "# $1: owned by $(dpkg -S "$1" 2>&1)"; return 1; }
}
U=/lib/systemd/system
DOC=/usr/share/doc/vrouter-common
if owner $U/vrouterd.service vrouter &&
    owner $U/vrouter-hostd.service vrouter-host; then
	ok "units: vrouterd.service in vrouter, vrouter-hostd.service in vrouter-host"
else
	notok "units: vrouterd.service in vrouter, vrouter-hostd.service in vrouter-host"
fi
check "the units run the packaged binaries" sh -c \
    "grep -qx 'ExecStart=/usr/sbin/vrouterd -d' $U/vrouterd.service &&
     grep -qx 'ExecStart=/usr/sbin/vrouter-hostd -d' $U/vrouter-hostd.service"
if command -v systemd-analyze >/dev/null 2>&1; then
	if out=$(systemd-analyze verify --man=no $U/vrouterd.service \
	    $U/vrouter-hostd.service 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify: both installed units"
	else
		notok "systemd-analyze verify: both installed units" "$out"
	fi
else
	skip "systemd-analyze verify" "systemd-analyze missing"
fi
check "both units are enabled (multi-user.target.wants)" sh -c \
    "test -L /etc/systemd/system/multi-user.target.wants/vrouterd.service &&
     test -L /etc/systemd/system/multi-user.target.wants/vrouter-hostd.service"

split_ok=yes
for pb in vrouter-common:vrouterctl vrouter:vrouterd vrouter:vrouter-notify \
    vrouter:vrouter-vsp vrouter-host:vrouter-hostd vrouter-ofnat:vrouter-ofnat
do
	owner "/usr/sbin/${pb#*:}" "${pb%%:*}" || split_ok=no
done
check "binaries in /usr/sbin, each in its package" test $split_ok = yes
pages=
for b in $BINS; do pages="$pages /usr/share/man/man8/$b.8.gz"; done
# shellcheck disable=SC2086
check "man pages: section 8 for every binary, router.json(5)" \
    has $pages /usr/share/man/man5/router.json.5.gz
if command -v man >/dev/null 2>&1; then
	bad=
	for p in $BINS router.json; do
		man -w "$p" >/dev/null 2>&1 || bad="$bad $p"
	done
	check "man finds every page${bad:+ (not:$bad)}" test -z "$bad"
fi
check "examples in $DOC/examples" has \
    $DOC/examples/router.json.example $DOC/examples/router-r2.json.example \
    $DOC/examples/ganeti-hook.conf.example
check "the documentation in $DOC" has \
    $DOC/operations.md $DOC/architecture.md $DOC/protocol.md \
    $DOC/ganeti.md $DOC/router-json.md $DOC/copyright
if [ -d "$ROOT/docs/schema" ] && grep -q schema "$ROOT/etc/module.mk"; then
	bad=
	for s in "$ROOT"/docs/schema/*.json; do
		[ -f "$DOC/schema/${s##*/}" ] || bad="$bad ${s##*/}"
	done
	check "the JSON schemas in $DOC/schema${bad:+ (missing:$bad)}" test -z "$bad"
else
	skip "the JSON schemas" "make install does not install them yet"
fi
check "templates in /usr/share/vrouter/templates" has \
    /usr/share/vrouter/templates/keepalived.conf.mustache \
    /usr/share/vrouter/templates/conntrackd.conf.mustache \
    /usr/share/vrouter/templates/nat.rules.mustache
check "Ganeti hooks in /usr/lib/vrouter, executable" sh -c \
    "test -x /usr/lib/vrouter/vrouter-hook && test -x /usr/lib/vrouter/install-hooks"
check "vrouterd.service's stop command, executable, where the unit names it" sh -c \
    "test -x /usr/lib/vrouter/vrouterd-stop &&
     grep -qx 'ExecStop=/usr/lib/vrouter/vrouterd-stop \\\$MAINPID' /lib/systemd/system/vrouterd.service"
check "tmpfiles.d and sysusers.d files" has /usr/lib/tmpfiles.d/vrouter.conf \
    /usr/lib/sysusers.d/vrouter.conf
check "postinst made /run/vrouter/empty, /var/lib/vrouter, /etc/vrouter/hostd.d" \
    sh -c "test -d /run/vrouter/empty && test -d /var/lib/vrouter &&
     test -d /etc/vrouter/hostd.d"
pw=$(getent passwd _vrouter)
uid=$(echo "$pw" | cut -d: -f3)
if [ -n "$pw" ] && [ "$uid" -lt 1000 ] &&
    [ "$(echo "$pw" | cut -d: -f7)" = /usr/sbin/nologin ] &&
    getent group _vrouter >/dev/null; then
	ok "postinst made the system user _vrouter (uid $uid, nologin) and its group"
else
	notok "postinst made the system user _vrouter and its group" "passwd: $pw"
fi

# Every /usr/share path a man page names exists (the documents, examples,
# templates: make install rewrote them for the package's folders).
bad=
for p in $pages /usr/share/man/man5/router.json.5.gz; do
	for f in $(zcat "$p" | grep -o '/usr/share/[A-Za-z0-9_./-]*' | sort -u)
	do
		f=${f%.}
		[ -e "$f" ] || bad="$bad ${p##*/}:$f"
	done
done
check "every /usr/share path the man pages name exists${bad:+ (not:$bad)}" \
    test -z "$bad"

check "vrouterctl check: the installed example, default templates" sh -c \
    "vrouterctl check -f $DOC/examples/router.json.example | grep -q ': OK\$'"
check "vrouterd -n: both installed examples" sh -c \
    "/usr/sbin/vrouterd -n -f $DOC/examples/router.json.example -R $T/run >/dev/null &&
     /usr/sbin/vrouterd -n -f $DOC/examples/router-r2.json.example -R $T/run >/dev/null"
if /usr/lib/vrouter/install-hooks "$T/hooks" >"$T/hooks.log" 2>&1 &&
    grep -qx "exec '/usr/lib/vrouter/vrouter-hook'" \
    "$T/hooks/instance-start-post.d/50-vrouter"; then
	ok "install-hooks writes entry points that exec /usr/lib/vrouter/vrouter-hook"
else
	notok "install-hooks writes entry points that exec /usr/lib/vrouter/vrouter-hook" \
	    "$(cat "$T/hooks.log" "$T/hooks/instance-start-post.d/50-vrouter" 2>&1)"
fi

# --version: where a binary has it, it prints VERSION.
nv=0
bad=
for b in $BINS; do
	if out=$("/usr/sbin/$b" --version 2>&1); then
		nv=$((nv + 1))
		case $out in *"$VERSION"*) ;; *) bad="$bad $b:[$out]" ;; esac
	fi
done
if [ "$nv" -eq 0 ]; then
	skip "--version prints $VERSION" "no binary has --version yet"
else
	check "--version prints $VERSION ($nv binaries have it)${bad:+:$bad}" \
	    test -z "$bad"
fi

# 4. the hooks across an upgrade and a removal
ENTRY=/etc/ganeti/hooks/instance-start-post.d/50-vrouter
if [ "$MADE_GANETI" != no ]; then
	/usr/lib/vrouter/install-hooks >>"$T/hooks.log" 2>&1
	check "install-hooks: entry points in /etc/ganeti/hooks" test -f $ENTRY
	if dpkg -i "$T/deb/vrouter-host_${VERSION}_$ARCH.deb" \
	    >"$T/reinstall.log" 2>&1; then
		check "reinstalling vrouter-host keeps the entry points" test -f $ENTRY
	else
		notok "reinstalling vrouter-host" "$(tail -n 20 "$T/reinstall.log")"
	fi
else
	skip "Ganeti entry points across an upgrade" "/etc/ganeti is this machine's"
fi
# What purge must clean: a VM registration, the maintenance flag.  And
# what it must keep: the operator's router.json.
echo '{}' >/etc/vrouter/hostd.d/t-deb.json
: >/var/lib/vrouter/maintenance
cp $DOC/examples/router.json.example /etc/vrouter/router.json
if dpkg -r vrouter-host >"$T/remove.log" 2>&1 &&
    [ "$(status vrouter-host)" = config-files ]; then
	ok "dpkg -r vrouter-host"
else
	notok "dpkg -r vrouter-host" "$(tail -n 20 "$T/remove.log")"
fi
if [ "$MADE_GANETI" != no ]; then
	check "removal took the entry points out of /etc/ganeti/hooks" \
	    test ! -e $ENTRY
fi
check "removal keeps the registrations and _vrouter (only purge drops them)" \
    sh -c "test -f /etc/vrouter/hostd.d/t-deb.json && getent passwd _vrouter >/dev/null"

# 5. purge
# shellcheck disable=SC2086
if dpkg --purge $PKGS >"$T/purge.log" 2>&1; then
	ok "dpkg --purge: all four"
else
	notok "dpkg --purge: all four" "$(tail -n 20 "$T/purge.log")"
fi
bad=
for p in $PKGS; do
	s=$(status "$p")
	case $s in '' | not-installed) ;; *) bad="$bad $p:$s" ;; esac
done
check "dpkg knows none of them any more" test -z "$bad"
check "purge kept the operator's /etc/vrouter/router.json" \
    test -f /etc/vrouter/router.json
rm -f /etc/vrouter/router.json
rmdir /etc/vrouter 2>/dev/null
INSTALLED=no
[ "$MADE_GANETI" = yes ] && rm -rf /etc/ganeti && MADE_GANETI=no

# Every path the packages had is gone, unless it was there before (/usr,
# /etc ...): the lists are from dpkg -L, the "before" from traces and a
# test of each directory.
left=
for p in $PKGS; do
	while read -r f; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		if [ -d "$f" ]; then
			case $f in
			*vrouter*) ;;
			*) continue ;;	# /usr, /usr/sbin, /lib (a link) ...
			esac
		fi
		grep -qxF "$f" "$T/traces.before" || left="$left $f"
	done <"$T/$p.list"
done
check "purge removed every file and folder of the packages${left:+ (left:$left)}" \
    test -z "$left"
traces >"$T/traces.after"
new=$(comm -13 "$T/traces.before" "$T/traces.after" | tr '\n' ' ')
check "nothing named vrouter in /etc /lib /usr /var /run that was not there before${new:+ (new: $new)}" \
    test -z "$new"
if [ -z "$user_before" ]; then
	check "purge removed the user and group _vrouter" sh -c \
	    "! getent passwd _vrouter >/dev/null && ! getent group _vrouter >/dev/null"
else
	skip "purge removed _vrouter" "_vrouter was there before the test"
fi
check "purge removed the units' enablement" sh -c \
    "test ! -e /etc/systemd/system/multi-user.target.wants/vrouterd.service &&
     test ! -e /etc/systemd/system/multi-user.target.wants/vrouter-hostd.service &&
     ! ls /var/lib/systemd/deb-systemd-helper-enabled 2>/dev/null | grep -q vrouter"
echo "# $(( $(date +%s) - start )) s in all"
finish
