#!/bin/sh
# Build vrouter's Debian packages (debian/) into OUT (default build/deb):
# `make deb`.  dpkg-buildpackage writes its results into the parent of the
# tree it builds, so it builds a copy of the tree in a temporary folder,
# and only the .deb, .ddeb, .buildinfo and .changes files come back.  The
# copy holds the files git knows or would add (tracked, and untracked but
# not ignored: a new file is packaged before it is committed), else the
# tree without build output.  The folder is removed on every exit.
#
# usage: build-deb.sh [OUT]
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
out=${1:-build/deb}
case $out in /*) ;; *) out=$src/$out ;; esac

if ! command -v dpkg-buildpackage >/dev/null 2>&1 ||
    ! command -v dh >/dev/null 2>&1; then
	echo "build-deb: dpkg-buildpackage and debhelper are missing" \
	    "(sh scripts/install-deps.sh deb, as root)" >&2
	exit 1
fi

top=$(mktemp -d "${TMPDIR:-/tmp}/vrouter-deb.XXXXXX")
trap 'rm -rf "$top"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
mkdir "$top/vrouter"
if command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1
then
	# A tracked file deleted in the work tree is not an error.
	git ls-files -z --cached --others --exclude-standard |
	    tar --null --ignore-failed-read -T - -cf - 2>/dev/null |
	    tar -xf - -C "$top/vrouter"
else
	tar --exclude=./.git --exclude='./build*' -cf - . |
	    tar -xf - -C "$top/vrouter"
fi

echo "build-deb: building in $top/vrouter"
(cd "$top/vrouter" && dpkg-buildpackage -us -uc -b -J"${JOBS:-2}")

mkdir -p "$out"
rm -f "$out"/*.deb "$out"/*.ddeb "$out"/*.buildinfo "$out"/*.changes
for f in "$top"/*.deb "$top"/*.ddeb "$top"/*.buildinfo "$top"/*.changes; do
	[ -e "$f" ] && mv "$f" "$out"/
done
echo "build-deb: packages in $out:"
ls -1 "$out"
