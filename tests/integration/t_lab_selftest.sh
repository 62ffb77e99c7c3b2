#!/bin/sh
# t_lab_selftest: the lab itself does what the other integration tests rely
# on.  It proves that
#  1. in lab_topo_hosts, `up` cannot reach the VIP while no hypervisor
#     routes it: the VIP is reachable only through a `VIP/32 dev tap0`
#     route, which is what vrouter-hostd will install;
#  2. with that route on hv1, `up` reaches the VIP and r1 answers; moved to
#     hv2 (delete on hv1, add on hv2, one gratuitous ARP) r2 answers;
#     the route is per /32: the second VIP stays unreachable;
#  3. chardev-relay behaves like QEMU's virtio-serial chardev: bytes pass
#     socket -> pty and pty -> socket, the guest may close and reopen its
#     port, bytes the guest writes while no host client is connected are
#     lost, a second client waits until the first leaves, and SIGTERM
#     removes the socket and pty link;
#  4. lab_cleanup leaves no namespace with the run's prefix behind.
#
# usage: t_lab_selftest.sh [BUILD_DIR]     (as root; exit 77 = skipped)

LAB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB_BUILD=${1:-${B:-build}}
. "$LAB_ROOT/tests/lab/lab.sh"

lab_need
lab_init || exit 1
if ! lab_topo_hosts; then
	lab_notok "lab_topo_hosts builds the topology"
	exit 1
fi
lab_ok "lab_topo_hosts builds the topology (prefix $LAB)"
bad=
for n in $(ip netns list | awk '{print $1}'); do
	case $n in "$LAB"*) ;; *) continue;; esac
	for l in $(ip -n "$n" -o link show | awk -F': ' '{print $2}'); do
		[ ${#l} -le 15 ] || bad="$bad $n:$l"
	done
done
if [ "$(lab__namespaces | wc -l)" -eq 6 ] && [ -z "$bad" ]; then
	lab_ok "six namespaces named $LAB*, link names valid"
else
	lab_notok "six namespaces named $LAB*, link names valid" "bad:$bad"
fi

if ! lab_responder r1 7000 r1 || ! lab_responder r2 7000 r2; then
	lab_notok "responders start"
	exit 1
fi

# asked ADDR WANT: lab_ask from up says WANT.
asked()
{
	[ "$(lab_ask up "$1" 7000)" = "$2" ]
}

# 1. No hypervisor route: no way in.
if lab_ping up "$LAB_VIP" || [ -n "$(lab_ask up "$LAB_VIP" 7000)" ]; then
	lab_notok "up cannot reach the VIP without a hypervisor route"
else
	lab_ok "up cannot reach the VIP without a hypervisor route"
fi

# 2. Route on hv1: r1 answers.
lab_exec hv1 ip route add "$LAB_VIP/32" dev tap0
lab_check "up pings the VIP once hv1 routes it to tap0" \
    lab_wait_for "ping VIP via hv1" 3000 lab_ping up "$LAB_VIP"
lab_check "r1 answers for the VIP" asked "$LAB_VIP" r1
if lab_ping up "$LAB_VIP2"; then
	lab_notok "the second VIP stays unreachable (routes are per /32)"
else
	lab_ok "the second VIP stays unreachable (routes are per /32)"
fi

# Move to hv2 and announce, as vrouter-hostd does on MASTER.
t0=$(lab__now_ms)
lab_exec hv1 ip route del "$LAB_VIP/32" dev tap0
lab_exec hv2 ip route add "$LAB_VIP/32" dev tap0
lab_garp hv2 eth0 "$LAB_VIP"
if lab_wait_for "r2 answering for the VIP" 5000 asked "$LAB_VIP" r2; then
	lab_ok "after the move to hv2, r2 answers ($(($(lab__now_ms) - t0)) ms)"
else
	lab_notok "after the move to hv2, r2 answers" \
	    "up neigh: $(lab_exec up ip neigh show "$LAB_VIP")"
fi
lab_check "up pings the VIP via hv2" lab_ping up "$LAB_VIP"

# 3. The relay.  The host side runs in hv1 (like hostd), the guest side in
# r1 (like vrouterd); every reader is bounded by timeout.
out=$LAB_DIR/selftest

# holds FILE WANT: FILE holds exactly WANT.
holds()
{
	[ "$(cat "$1" 2>/dev/null)" = "$2" ]
}

# reader_wait FILE WANT: FILE holds exactly WANT within 2 s.
reader_wait()
{
	lab_wait_for "$1 to hold $2" 2000 holds "$1" "$2"
}

# accepted N: the r1 relay has accepted N clients so far.
accepted()
{
	[ "$(grep -c "client connected" "$LAB_DIR/r1.relay.log")" -ge "$1" ]
}

# socket -> pty
lab_bg r1 "$out.g1" timeout 3 head -c 5 "$LAB_R1_PORT" >/dev/null
g1=$LAB_PID
lab_exec hv1 sh -c "printf hello | timeout 2 socat -u STDIN \
    UNIX-CONNECT:$LAB_R1_SOCK"
lab_check "relay: socket -> pty carries bytes" reader_wait "$out.g1" hello
lab_stop "$g1"

# No client: the guest's bytes are lost.  The relay logs each discard.
lab_exec r1 sh -c "printf lost > $LAB_R1_PORT"
lab_check "relay: guest bytes with no client are read" \
    lab_wait_for "discard logged" 2000 \
    grep -q "4 guest bytes lost" "$LAB_DIR/r1.relay.log"

# pty -> socket, with a fresh guest open after the close above.
lab_bg hv1 "$out.h1" timeout 5 socat -u "UNIX-CONNECT:$LAB_R1_SOCK" STDOUT \
    >/dev/null
h1=$LAB_PID
lab_wait_for "client 1 accepted" 2000 accepted 2
# A second client waits in the backlog while the first is served.
lab_bg hv1 "$out.h2" timeout 5 socat -u "UNIX-CONNECT:$LAB_R1_SOCK" STDOUT \
    >/dev/null
h2=$LAB_PID
sleep 0.1
lab_exec r1 sh -c "printf kept > $LAB_R1_PORT"
lab_check "relay: pty -> socket carries bytes, earlier ones were lost" \
    reader_wait "$out.h1" kept
lab_check "relay: a second client gets nothing while the first is served" \
    holds "$out.h2" ""
lab_stop "$h1"
lab_wait_for "client 2 accepted" 2000 accepted 3
lab_exec r1 sh -c "printf next > $LAB_R1_PORT"
lab_check "relay: the waiting client is served once the first leaves" \
    reader_wait "$out.h2" next
lab_stop "$h2"

# SIGTERM: socket and link removed, exit status 0.
lab_stop "$LAB_R2_RELAY_PID"
if [ ! -e "$LAB_R2_SOCK" ] && [ ! -L "$LAB_R2_PORT" ] &&
    grep -q exiting "$LAB_DIR/r2.relay.log"; then
	lab_ok "relay: SIGTERM removes the socket and the pty link"
else
	lab_notok "relay: SIGTERM removes the socket and the pty link"
fi

# 4. Cleanup.
lab_cleanup
if ip netns list | awk '{print $1}' | grep -q "^$LAB"; then
	lab_notok "lab_cleanup removes every $LAB* namespace"
else
	lab_ok "lab_cleanup removes every $LAB* namespace"
fi
lab_check "lab_cleanup removes LAB_DIR" test ! -e "$LAB_DIR"
lab_done
