#!/bin/sh
# t_deb_version: one version for everything.  VERSION at the top of the
# tree is the version; debian/changelog's newest entry must carry the same
# (the packages are native: no Debian revision), or `make deb` would
# stamp the packages with another version than the binaries.
#  1. VERSION is one line, a version dpkg accepts;
#  2. the changelog's newest entry has exactly that version, read with
#     dpkg-parsechangelog when it is installed, and with sed either way
#     (so a clone without dpkg-dev still checks it).
# No root, nothing built.
#
# usage: t_deb_version.sh [BUILD_DIR]  (BUILD_DIR unused)

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$ROOT/tests/tap.sh"

v=$(cat "$ROOT/VERSION" 2>/dev/null)
lines=$(wc -l <"$ROOT/VERSION" 2>/dev/null)
case $v in
[0-9]*.[0-9]*.[0-9]*)
	case $v in
	*[!0-9.]*) notok "VERSION is MAJOR.MINOR.PATCH" "VERSION: \"$v\"" ;;
	*) if [ "$lines" = 1 ]; then ok "VERSION is one line, $v"
	   else notok "VERSION is one line" "$lines lines"; fi ;;
	esac ;;
*) notok "VERSION is MAJOR.MINOR.PATCH" "VERSION: \"$v\"" ;;
esac

# The first line of a changelog: "vrouter (VERSION) DIST; urgency=U".
cl=$(sed -n '1s/^vrouter (\([^)]*\)) .*/\1/p' "$ROOT/debian/changelog")
if [ -n "$cl" ] && [ "$cl" = "$v" ]; then
	ok "debian/changelog's newest entry is $v"
else
	notok "debian/changelog's newest entry is VERSION's" \
	    "VERSION: $v, changelog: ${cl:-unreadable first line}"
fi

if command -v dpkg-parsechangelog >/dev/null 2>&1; then
	pv=$(cd "$ROOT" && dpkg-parsechangelog -SVersion 2>&1)
	if [ "$pv" = "$v" ]; then
		ok "dpkg-parsechangelog reads $v"
	else
		notok "dpkg-parsechangelog reads VERSION's version" \
		    "VERSION: $v, dpkg-parsechangelog: $pv"
	fi
	if dpkg --validate-version "$v" 2>/dev/null; then
		ok "dpkg accepts $v as a version"
	else
		notok "dpkg accepts VERSION as a version" "$v"
	fi
else
	echo "ok $((N + 1)) - dpkg-parsechangelog # SKIP dpkg-dev missing"
	N=$((N + 1))
fi

echo "1..$N"
[ "$FAILS" -eq 0 ]
