#!/bin/sh
# Install the Debian 12 packages vrouter builds and tests with, if missing.
# Run as root on a fresh machine; as another user it only reports.
#
# usage: install-deps.sh [deb]
#   deb  also the Debian packaging tools, for `make deb` and `make deb-test`
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libmnl-dev libjansson-dev libevent-dev check zlib1g-dev
libnetfilter-conntrack-dev libseccomp-dev
iproute2 iptables keepalived conntrackd conntrack socat ethtool iputils-ping
iputils-arping tcpdump procps gnuplot-nox valgrind openvswitch-switch openvswitch-common traceroute
qemu-system-x86 busybox-static cpio mandoc python3-prometheus-client"
# debhelper brings dpkg-dev and fakeroot; adduser is vrouter-host's.
[ "${1:-}" = deb ] && PKGS="$PKGS debhelper lintian adduser"

missing=""
for p in $PKGS; do
	s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$s" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
