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

# Ganeti for the real-cluster test (tests/lab/ganeti.sh), installed apart
# below: without recommends (they would bring systemd-sysv, exim4,
# drbd-utils, debootstrap) and without starting its services on the
# machine (the test runs its own daemons inside lab namespaces).
GNT_PKGS="ganeti ganeti-3.0 ganeti-haskell-3.0 ganeti-htools-3.0
openssh-server"
# The test runs the documented `systemd-tmpfiles --create`; without systemd
# (a container), the standalone tool that Debian ships for that case.
command -v systemd-tmpfiles >/dev/null 2>&1 ||
    GNT_PKGS="$GNT_PKGS systemd-standalone-tmpfiles"

# missing_of PKG...: the packages of the list that are not installed.
missing_of()
{
	_out=""
	for _p in "$@"; do
		_s=$(dpkg-query -W -f='${Status}' "$_p" 2>/dev/null || true)
		case "$_s" in
		*" installed") ;;
		*) _out="$_out $_p" ;;
		esac
	done
	echo "$_out"
}

# shellcheck disable=SC2086
missing=$(missing_of $PKGS)
# shellcheck disable=SC2086
gnt_missing=$(missing_of $GNT_PKGS)
[ -z "$missing$gnt_missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing$gnt_missing (run as root)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ -n "$missing" ]; then
	echo "install-deps: installing$missing"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
[ -n "$gnt_missing" ] || exit 0

# A policy-rc.d that refuses every start (exit 101), removed on every exit:
# the packages' postinst scripts must not start ganeti, sshd or their
# timers on the machine.  One that is already there is kept and restored.
rc=/usr/sbin/policy-rc.d
saved=
if [ -e "$rc" ]; then
	saved=$(mktemp /usr/sbin/policy-rc.d.vrouter.XXXXXX)
	cp -p "$rc" "$saved"
fi
restore_rc()
{
	if [ -n "$saved" ]; then
		mv -f "$saved" "$rc"
	else
		rm -f "$rc"
	fi
}
trap restore_rc EXIT
trap 'exit 1' HUP INT TERM
printf '#!/bin/sh\n# install-deps.sh: no service starts during this install\nexit 101\n' >"$rc"
chmod 755 "$rc"
echo "install-deps: installing$gnt_missing (services not started)"
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $gnt_missing >/dev/null
