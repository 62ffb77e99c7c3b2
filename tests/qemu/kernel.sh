#!/bin/sh
# kernel.sh: a Debian cloud kernel for the QEMU test, never installed.
#
#   sh tests/qemu/kernel.sh [CACHE_DIR]
#
# Fetches the linux-image-*-cloud-amd64 package that the meta package
# linux-image-cloud-amd64 points to with `apt-get download` (once: the .deb
# stays in CACHE_DIR, default $VROUTER_TEST_CACHE or /var/cache/vrouter-test)
# and extracts only vmlinuz and the virtio modules with dpkg-deb into
# CACHE_DIR/KVER/.  Installing the package would upgrade the machine's
# systemd/udev: that is why it is only unpacked.
#
# Prints one line "VMLINUZ MODDIR" on success.  Exit 77 (with the reason on
# stderr) when no kernel can be had here (no cached .deb and no network);
# 1 on any other error.  Safe to run concurrently (flock).
set -eu

CACHE=${1:-${VROUTER_TEST_CACHE:-/var/cache/vrouter-test}}
META=linux-image-cloud-amd64

err()
{
	echo "kernel.sh: $*" >&2
}

mkdir -p "$CACHE" || { err "cannot create $CACHE"; exit 1; }
command -v flock >/dev/null 2>&1 || { err "flock missing"; exit 1; }

# One run at a time fetches and unpacks; the others wait (bounded).
exec 9>"$CACHE/.lock"
flock -w 120 9 || { err "$CACHE/.lock: still locked after 120 s"; exit 1; }

# The kernel package the meta package depends on, e.g.
# linux-image-6.1.0-56-cloud-amd64.
current()
{
	apt-cache depends "$META" 2>/dev/null |
	    sed -n 's/^ *Depends: \(linux-image-[^ ]*-cloud-amd64\)$/\1/p' |
	    head -n 1
}

# The last file matching a glob, or nothing.
last()
{
	local f l=
	for f in "$@"; do
		[ -e "$f" ] && l=$f
	done
	echo "$l"
}

pkg=$(current)
if [ -z "$pkg" ] && [ "$(id -u)" = 0 ]; then
	# No package lists yet (a fresh machine whose packages were all there).
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(current)
fi
deb=
if [ -n "$pkg" ]; then
	deb=$(last "$CACHE/${pkg}_"*.deb)
fi
if [ -z "$deb" ] && [ -n "$pkg" ]; then
	# The package lists may be stale (the .deb gone from the mirror):
	# one update and one more try.
	(cd "$CACHE" && apt-get download -q -o APT::Sandbox::User=root \
	    "$pkg" >/dev/null 2>&1) ||
	    { apt-get update -qq >/dev/null 2>&1 || true
	      pkg=$(current)
	      [ -z "$pkg" ] || (cd "$CACHE" && apt-get download -q \
	        -o APT::Sandbox::User=root "$pkg" >/dev/null 2>&1) || true; }
	[ -z "$pkg" ] ||
	    deb=$(last "$CACHE/${pkg}_"*.deb)
fi
if [ -z "$deb" ]; then
	# Offline: any cloud kernel fetched before will do.
	# shellcheck disable=SC2012 # version sort of our own file names
	deb=$(ls -1 "$CACHE"/linux-image-*-cloud-amd64_*.deb 2>/dev/null |
	    sort -V | tail -n 1) || true
fi
if [ -z "$deb" ]; then
	err "no ${pkg:-$META} package: apt-get download failed and" \
	    "$CACHE holds none"
	exit 77
fi

name=${deb##*/}
name=${name%%_*}
kver=${name#linux-image-}
dir=$CACHE/$kver
if [ ! -f "$dir/.done" ]; then
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp"
	# Only what the guest needs: the kernel, the virtio modules and the
	# list of built-in modules.
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir.tmp" --wildcards \
	    --no-wildcards-match-slash \
	    "./boot/vmlinuz-$kver" \
	    "./lib/modules/$kver/modules.builtin" \
	    "./lib/modules/$kver/kernel/drivers/virtio/*" \
	    "./lib/modules/$kver/kernel/drivers/char/virtio_console.ko*" ||
	    { err "$deb: extraction failed"; rm -rf "$dir.tmp"; exit 1; }
	touch "$dir.tmp/.done"
	mv "$dir.tmp" "$dir"
fi
[ -f "$dir/boot/vmlinuz-$kver" ] ||
    { err "$deb: no boot/vmlinuz-$kver"; exit 1; }
echo "$dir/boot/vmlinuz-$kver $dir/lib/modules/$kver"
