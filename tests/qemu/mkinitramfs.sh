#!/bin/sh
# mkinitramfs.sh: the initramfs of the QEMU test's guest.
#
#   sh tests/qemu/mkinitramfs.sh OUT MODDIR INIT CONF BINARY...
#
# OUT      the initramfs to write (a newc cpio, uncompressed)
# MODDIR   lib/modules/KVER of the unpacked cloud kernel (kernel.sh)
# INIT     the script that becomes /init
# CONF     a file that becomes /etc/vrq.conf (sourced by /init)
# BINARY   programs for /bin (vrouter-vsp); each gets the shared
#          libraries ldd names and the dynamic loader, at the same paths
#
# Contents: static busybox with a link per applet; the virtio modules in
# load order (virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
# virtio_pci virtio_console), skipping any the kernel has built in and
# decompressing .ko.xz/.ko.zst/.ko.gz, because busybox insmod may not read
# compressed modules; /etc/vrq-modules lists what /init must load, in order.
#
# The binaries are copied with their libraries rather than linked
# statically: that works for every build (a sanitizer build too) and needs
# no second link of the tree.
set -eu

MODULES="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
virtio_pci virtio_console"

err()
{
	echo "mkinitramfs.sh: $*" >&2
	exit 1
}

[ $# -ge 5 ] || err "usage: mkinitramfs.sh OUT MODDIR INIT CONF BINARY..."
out=$1 moddir=$2 init=$3 conf=$4
shift 4
for c in cpio ldd; do
	command -v "$c" >/dev/null 2>&1 || err "$c missing"
done
bb=$(command -v busybox) || err "busybox missing (apt-get install busybox-static)"
if ldd "$bb" >/dev/null 2>&1; then
	err "$bb is not static (apt-get install busybox-static)"
fi
[ -f "$moddir/modules.builtin" ] || err "$moddir: no modules.builtin"

root=$(mktemp -d "${TMPDIR:-/tmp}/vrq-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/lib/modules" "$root/proc" \
    "$root/sys" "$root/dev" "$root/tmp" "$root/run"

cp "$bb" "$root/bin/busybox"
for a in $("$bb" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done

# Modules, in load order.
: >"$root/etc/vrq-modules"
for m in $MODULES; do
	if grep -q "/$m\.ko" "$moddir/modules.builtin"; then
		continue
	fi
	f=$(find "$moddir/kernel" -name "$m.ko" -o -name "$m.ko.*" | head -n 1)
	[ -n "$f" ] || err "$moddir: no module $m (and it is not built in)"
	case $f in
	*.ko) cp "$f" "$root/lib/modules/$m.ko" ;;
	*.ko.xz) xz -dc "$f" >"$root/lib/modules/$m.ko" ||
	    err "$f: xz -d failed" ;;
	*.ko.zst) zstd -q -dc "$f" >"$root/lib/modules/$m.ko" ||
	    err "$f: zstd -d failed" ;;
	*.ko.gz) gzip -dc "$f" >"$root/lib/modules/$m.ko" ||
	    err "$f: gzip -d failed" ;;
	*) err "$f: unknown module compression" ;;
	esac
	echo "$m" >>"$root/etc/vrq-modules"
done

# Guest programs and what they load.
for b in "$@"; do
	[ -x "$b" ] || err "$b: not an executable"
	cp "$b" "$root/bin/"
	for lib in $(ldd "$b" 2>/dev/null | awk '
	    $2 == "=>" && $3 ~ /^\// { print $3 }
	    $1 ~ /^\// { print $1 }'); do
		mkdir -p "$root${lib%/*}"
		[ -e "$root$lib" ] || cp -L "$lib" "$root$lib"
	done
done

cp "$init" "$root/init"
chmod 755 "$root/init"
cp "$conf" "$root/etc/vrq.conf"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$out.tmp" ||
    err "cpio failed"
mv "$out.tmp" "$out"
