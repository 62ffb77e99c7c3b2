#!/bin/sh
# shellcheck shell=dash
# t_qemu: the channel on a real QEMU virtio-serial port, not the lab's pty.
# A Debian cloud kernel boots under TCG with a busybox initramfs
# (tests/qemu/) whose /init loads the virtio modules, makes
# /dev/virtio-ports/org.vrouter.0 itself and runs `vrouter-vsp -f` on it; the
# test feeds it state lines over a second virtio-serial port (a QEMU pipe
# chardev) and reads its acks on the serial console.  vrouter-hostd runs in
# a lab namespace with a veth playing the VM's tap, the VM registered with
# QEMU's own chardev socket as its channel.  It proves that
#  1. the guest finds both ports by name without udev and starts;
#  2. the host agent absent at the guest's start: the guest's MASTER waits
#     (nothing acked, no route) and arrives once hostd starts and greets it:
#     VIP/32 dev tap0 proto 241 in main and table 100, and the guest prints
#     hostd's ack ("installed");
#  3. hostd restarted mid-run: the route stays while hostd is down; a state
#     the guest sends meanwhile (a second VIP) is not lost but applied after
#     the restart and acked; the first VIP's route is never deleted
#     (`ip monitor`), is there once per table, and outlives the grace period;
#  4. the guest powers off (QEMU exits 0, the guest's success marker is on
#     the console): hostd withdraws every route of the VM.
#
# usage: t_qemu.sh [BUILD_DIR]   (as root; exit 77 = skipped, with the
# reason).  The kernel package is cached in $VROUTER_TEST_CACHE
# (/var/cache/vrouter-test) after the first run.  HOSTD_WRAP prefixes
# hostd's command line, e.g. "setpriv --no-new-privs --bounding-set
# -all,+net_admin,+net_raw" to check the capabilities its unit grants.

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${VROUTER_BUILD:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"

skip()
{
	echo "1..0 # SKIP $*"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root"
case $LAB_BUILD in /*) BIN=$LAB_BUILD ;; *) BIN=$LAB_ROOT/$LAB_BUILD ;; esac
HOSTD=$BIN/vrouter-hostd
CTL=$BIN/vrouterctl
VSP=$BIN/vrouter-vsp
QEMU=qemu-system-x86_64
for b in "$HOSTD" "$CTL" "$VSP"; do
	[ -x "$b" ] || { echo "not ok 1 - $b not built"; exit 1; }
done
for c in "$QEMU" busybox cpio dpkg-deb apt-get flock; do
	command -v "$c" >/dev/null 2>&1 ||
	    skip "$c missing (sh scripts/install-deps.sh installs it)"
done

kernel=$(sh "$LAB_ROOT/tests/qemu/kernel.sh")
case $? in
0) ;;
77) skip "no Debian cloud kernel here (see kernel.sh's message above)" ;;
*) echo "not ok 1 - tests/qemu/kernel.sh failed"; exit 1 ;;
esac
VMLINUZ=${kernel% *}
MODDIR=${kernel#* }

lab_init || exit 1
VIP=203.0.113.10
VIP2=203.0.113.11
GRACE=1500
ROUTER=qemu-r1
PORT=org.vrouter.0
CTLPORT=org.vrouter.test
CONSOLE=$LAB_DIR/console.log
CHANNEL=$LAB_DIR/qr1.sock

ms()
{
	date +%s%3N
}
T0=$(ms)
since()		# START: seconds since START (ms) with one decimal
{
	local d=$(($(ms) - $1))
	echo "$((d / 1000)).$((d % 1000 / 100))"
}
lines()		# PATTERN: console lines matching the extended regex
{
	grep -cE "$1" "$CONSOLE" 2>/dev/null
}
on_console()	# PATTERN
{
	grep -qE "$1" "$CONSOLE" 2>/dev/null
}
has_route()	# ADDR [TABLE]
{
	ip -n "${LAB}hv" route show table "${2:-main}" "$1/32" proto 241 |
	    grep -q "dev tap0"
}
no_route()	# ADDR: in no table at all
{
	! ip -n "${LAB}hv" route show table all "$1/32" proto 241 | grep -q .
}
once_per_table()	# ADDR: exactly one route in main and in 100
{
	[ "$(ip -n "${LAB}hv" route show table main "$1/32" | wc -l)" = 1 ] &&
	    [ "$(ip -n "${LAB}hv" route show table 100 "$1/32" | wc -l)" = 1 ]
}
timed()		# DESC START CMD...: lab_check, with the seconds CMD took since START
{
	local desc="$1" start="$2"
	shift 2
	if "$@"; then
		lab_ok "$desc ($(since "$start") s)"
	else
		lab_notok "$desc" "failed: $*"
	fi
}
say()		# LINE: a command for the guest on the control port
{
	echo "$*" >&5
}
qemu_gone()
{
	! lab__alive "$QPID" "$QSTART"
}
start_hostd()
{
	# shellcheck disable=SC2086 # HOSTD_WRAP is words
	lab_bg hv "$LAB_DIR/hostd.log.$1" $HOSTD_WRAP "$HOSTD" -d -v -g "$GRACE" -H hv \
	    -r "$LAB_DIR/reg" -s "$LAB_DIR/hostd.ctl" -S - >/dev/null
	HOSTD_PID=$LAB_PID
	lab_wait_for "hostd" 2000 test -S "$LAB_DIR/hostd.ctl"
}
# The console and the logs, for a failure's diagnosis.
dump()
{
	local f
	for f in "$CONSOLE" "$LAB_DIR/qemu.log" "$LAB_DIR"/hostd.log.*; do
		[ -s "$f" ] || continue
		echo "# --- $f"
		sed 's/^/#   /' "$f" | tail -n 40
	done
}
bail()		# DESC: a failure the rest cannot survive
{
	lab_notok "$1"
	dump
	lab_done
	exit 1
}

# The hypervisor: an uplink and the VM's "tap" (a veth: QEMU itself needs
# no network here, only the name and the ifindex matter to hostd).
if ! { lab_ns hv && lab_ns up && lab_ns vm; }; then
	bail "lab namespaces"
fi
if ! { lab_veth hv tap0 vm eth0 && lab_veth hv eth0 up eth0; }; then
	bail "lab links"
fi
lab_exec hv ip addr add 198.51.100.11/24 dev eth0 || bail "lab address"
mkdir -p "$LAB_DIR/reg"
cat >"$LAB_DIR/reg/qr1.json" <<JSON
{ "name": "qr1", "channel": "$CHANNEL", "tap": "tap0", "uplink": "eth0",
  "addresses": ["$VIP", "$VIP2"], "tables": ["main", 100] }
JSON

# The guest.
cat >"$LAB_DIR/vrq.conf" <<CONF
ROUTER=$ROUTER
PORT=$PORT
CTL=$CTLPORT
IDLE=40
CONF
sh "$LAB_ROOT/tests/qemu/mkinitramfs.sh" "$LAB_DIR/initrd" "$MODDIR" \
    "$LAB_ROOT/tests/qemu/init" "$LAB_DIR/vrq.conf" "$VSP" ||
    bail "initramfs"
# QEMU's pipe chardev reads PATH.in and writes PATH.out; both are opened
# read-write by QEMU and by us, so no open ever blocks.
mkfifo "$LAB_DIR/ctl.in" "$LAB_DIR/ctl.out" || bail "control FIFOs"
exec 5<>"$LAB_DIR/ctl.in"

T_BOOT=$(ms)
lab_bg hv "$LAB_DIR/qemu.log" timeout 50 "$QEMU" -nodefaults -no-user-config \
    -accel tcg -m 256 -display none -no-reboot \
    -kernel "$VMLINUZ" -initrd "$LAB_DIR/initrd" \
    -append "console=ttyS0 panic=-1 quiet" \
    -serial "file:$CONSOLE" \
    -device virtio-serial-pci \
    -chardev "socket,path=$CHANNEL,server=on,wait=off,id=ch0" \
    -device "virtserialport,chardev=ch0,name=$PORT" \
    -chardev "pipe,id=ctl,path=$LAB_DIR/ctl" \
    -device "virtserialport,chardev=ctl,name=$CTLPORT" >/dev/null
QPID=$LAB_PID
QSTART=$(lab__recorded "$QPID")

# 1. boot
if ! lab_wait_for "guest ready" 40000 on_console "^VRQ-READY|^VRQ-FAIL"; then
	if qemu_gone && [ ! -s "$CONSOLE" ]; then
		skip "QEMU cannot run here: $(tail -n 3 "$LAB_DIR/qemu.log")"
	fi
	bail "the guest boots and finds its ports"
fi
on_console "^VRQ-READY" || bail "the guest boots and finds its ports"
lab_ok "the guest boots, names both ports without udev and runs vrouter-vsp ($(since "$T_BOOT") s)"

# 2. MASTER while no host agent listens, then hostd starts
say "say $VIP=MASTER"
lab_wait_for "guest said" 5000 on_console "^VRQ-SAID $VIP=MASTER" ||
    bail "the guest takes the state line"
sleep 0.5
lab_check "no host agent: nothing acked, no route" \
    sh -c "! grep -q '^acked' '$CONSOLE' && ! ip -n ${LAB}hv route show table all | grep -q $VIP"
T_HOSTD=$(ms)
start_hostd 1 || bail "hostd starts"
lab_check "hostd started late: the guest's MASTER arrives, route in main" \
    lab_wait_for "route" 5000 has_route "$VIP"
lab_check "... and in table 100" has_route "$VIP" 100
timed "the guest prints hostd's ack, after hostd's start" "$T_HOSTD" \
    lab_wait_for "ack" 5000 sh -c "grep -q '^ack 1 $VIP installed' '$CONSOLE' && grep -q '^acked 1' '$CONSOLE'"

# 3. hostd restarted mid-run
lab_bg hv "$LAB_DIR/monitor" ip -ts monitor route >/dev/null
MON=$LAB_PID
sleep 0.2
lab_stop "$HOSTD_PID"
lab_check "hostd stopped: the route stays" has_route "$VIP"
acked=$(lines '^acked')
say "say $VIP=MASTER $VIP2=MASTER"
lab_wait_for "guest said" 5000 on_console "^VRQ-SAID $VIP=MASTER $VIP2" ||
    bail "the guest takes the second state"
sleep 0.5
lab_check "meanwhile the new state waits: no ack, no route for $VIP2" \
    sh -c "[ \$(grep -c '^acked' '$CONSOLE') = $acked ] && ! ip -n ${LAB}hv route show table all | grep -q $VIP2"
T_HOSTD=$(ms)
start_hostd 2 || bail "hostd restarts"
lab_check "after the restart the state sent meanwhile is applied ($VIP2)" \
    lab_wait_for "second route" 5000 sh -c \
    "ip -n ${LAB}hv route show table main $VIP2/32 proto 241 | grep -q tap0 && ip -n ${LAB}hv route show table 100 $VIP2/32 proto 241 | grep -q tap0"
timed "... and acked: nothing lost" "$T_HOSTD" \
    lab_wait_for "ack 2" 5000 sh -c "grep -q '^ack 2 $VIP2 installed' '$CONSOLE' && grep -q '^acked 2' '$CONSOLE'"
lab_check "the restarted hostd owns the route (confirmed)" \
    lab_wait_for "confirmed" 3000 sh -c \
    "\"$CTL\" -s \"$LAB_DIR/hostd.ctl\" -j host routes | grep -q '\"confirmed\": true'"
sleep $((GRACE / 1000 + 1))
lab_check "the route outlives the grace period" has_route "$VIP"
lab_check "no duplicate: one route per table" once_per_table "$VIP"
lab_stop "$MON"
if grep -q "Deleted.*$VIP/32\|Deleted.*$VIP " "$LAB_DIR/monitor"; then
	lab_notok "no flap across the restart" "$(cat "$LAB_DIR/monitor")"
else
	lab_ok "no flap across the restart"
fi
echo "# route events for $VIP across the restart:" \
    "$(grep -c "$VIP " "$LAB_DIR/monitor")"

# 4. power off
T_OFF=$(ms)
say off
lab_wait_for "QEMU exits" 15000 qemu_gone ||
    bail "the guest powers off"
T_OFF=$(since "$T_OFF")
wait "$QPID"
rc=$?
lab_check "the guest powers off: QEMU exits 0 ($T_OFF s)" test "$rc" = 0
lab_check "the guest's success marker is on the console" on_console "^VRQ-OK"
T_GONE=$(ms)
timed "QEMU gone: hostd withdraws every route of the VM" "$T_GONE" \
    lab_wait_for "withdrawal" 3000 sh -c \
    "! ip -n ${LAB}hv route show table all proto 241 | grep -q ."
if [ "$LAB_FAILS" -ne 0 ]; then
	dump
fi
echo "# t_qemu: $(since "$T0") s in all"
exec 5>&-
lab_done
