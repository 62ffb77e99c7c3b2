# shellcheck shell=dash
# ganeti.sh: a real Ganeti 3.0 cluster inside the namespace lab, sourced
# after tests/lab/lab.sh.  See docs/lab.md, "A real Ganeti cluster".
#
#   . "$LAB_ROOT/tests/lab/lab.sh"; . "$LAB_ROOT/tests/lab/ganeti.sh"
#   lab_init || exit 1
#   gnt_init || exit 1		# after lab_init: takes over its exit trap
#   gnt_node 1 && gnt_node 2 && gnt_cluster_init && gnt_node_add 2
#   gnt_exec 1 gnt-instance add ...
#
# Each node N is the network namespace ${LAB}nN plus a holder process
# (tests/lab/ganeti-holder.sh) with its own mount and UTS namespaces:
# overlays on /etc, /usr, /var/lib and /root, a private /run, binds of
# /var/lib/ganeti and /var/log/ganeti, hostname nodeN.example.org.  Every
# command of the node (gnt-*, its daemons, sshd, vrouter-hostd, the hooks
# Ganeti runs, the QEMUs Ganeti starts) runs in those namespaces through
# nsenter, so nothing of the cluster reaches the machine's own folders or
# its root network namespace.
#
#   ${LAB}gsw  br0: the nodes' network 10.99.0.0/24 (cluster IP .10,
#                   node N .1N, names in every node's /etc/hosts)
#              br1: the instances' network: each node's bridge gnt0
#                   (Ganeti's NIC link) has a leg pub0 on it
#   ${LAB}nN   eth0 10.99.0.1N/24 (the master netdev), gnt0
#
# Every node runs sshd on eth0 (`gnt-node add` always sets the new node up
# over SSH) with one RSA host key shared by all nodes, as Ganeti expects of
# a cluster, and root's key authorised on every node.
#
# Teardown runs on every exit before lab_cleanup: every instance removed,
# `gnt-cluster destroy`, then lab_cleanup kills whatever is left in the
# lab namespaces by pid (ganeti-metad and sshd outlive the destroy) and
# deletes them.  The holders' mounts vanish with their last process.

GNT_DOMAIN=example.org
GNT_CLUSTER=cluster.$GNT_DOMAIN
GNT_NET=10.99.0
GNT_CLUSTER_IP=$GNT_NET.10
GNT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# vrouter-hostd and vrouterctl to install on the nodes.
GNT_BIN=${GNT_BIN:-}

gnt__err()
{
	echo "ganeti: $*" >&2
}

# gnt_missing: print what this machine lacks for a Ganeti lab (nothing if
# it has everything).
gnt_missing()
{
	local c
	for c in gnt-cluster gnt-instance gnt-node nsenter unshare \
	    start-stop-daemon ssh-keygen qemu-system-x86_64; do
		command -v "$c" >/dev/null 2>&1 || { echo "$c"; return; }
	done
	[ -x /usr/sbin/sshd ] || { echo /usr/sbin/sshd; return; }
	[ -d /etc/ganeti/share ] ||
	    { echo "/etc/ganeti/share (the ganeti package)"; return; }
	grep -qw overlay /proc/filesystems 2>/dev/null ||
	    modprobe overlay 2>/dev/null || true
	grep -qw overlay /proc/filesystems 2>/dev/null ||
	    { echo "overlayfs"; return; }
}

# gnt_init: the switch namespace, the cluster's ssh keys, and the exit
# trap (teardown, then lab_cleanup).  Call after lab_init.
gnt_init()
{
	local s
	GNT_DIR=$LAB_DIR/gnt
	GNT_NODES=
	if [ -z "$GNT_BIN" ]; then
		case $LAB_BUILD in
		/*) GNT_BIN=$LAB_BUILD ;;
		*) GNT_BIN=$LAB_ROOT/$LAB_BUILD ;;
		esac
	fi
	mkdir -p "$GNT_DIR/ssh" || return 1
	s=$GNT_DIR/ssh
	ssh-keygen -q -t rsa -b 2048 -N '' -C "$GNT_CLUSTER" \
	    -f "$s/ssh_host_rsa_key" || return 1
	ssh-keygen -q -t rsa -b 2048 -N '' -C "root@$GNT_CLUSTER" \
	    -f "$s/id_rsa" || return 1

	lab_ns gsw || return 1
	lab_exec gsw ip link add br0 type bridge || return 1
	lab_exec gsw ip link add br1 type bridge || return 1
	lab_exec gsw ip link set dev br0 up || return 1
	lab_exec gsw ip link set dev br1 up || return 1

	trap 'gnt__onexit $?' EXIT
	export GNT_DIR
	return 0
}

gnt__onexit()
{
	gnt_teardown
	lab_cleanup
	exit "$1"
}

# gnt_holder N: the pid of node N's holder.
gnt_holder()
{
	eval "echo \${GNT_HOLDER_$1:-}"
}

# gnt_exec N CMD...: run CMD in node N (its network, mount and UTS
# namespaces) with a clean environment, as Ganeti's own tools expect.
gnt_exec()
{
	local h
	h=$(gnt_holder "$1")
	[ -n "$h" ] || { gnt__err "gnt_exec: no node $1"; return 1; }
	shift
	nsenter -t "$h" -m -u -n --wd=/ -- env -i PATH="$GNT_PATH" \
	    HOME=/root LC_ALL=C TERM=dumb "$@"
}

# gnt_bg N LOGFILE CMD...: as lab_bg, in node N.  Sets LAB_PID.
gnt_bg()
{
	local n="$1" log="$2" st h
	shift 2
	h=$(gnt_holder "$n")
	[ -n "$h" ] || { gnt__err "gnt_bg: no node $n"; return 1; }
	nsenter -t "$h" -m -u -n --wd=/ -- env -i PATH="$GNT_PATH" \
	    HOME=/root LC_ALL=C "$@" >"$log" 2>&1 </dev/null &
	LAB_PID=$!
	st=$(lab__stat "$LAB_PID") || st="- -"
	echo "$LAB_PID ${st#* }" >>"$LAB_DIR/pids"
}

# gnt__seed N: the node's own files, written into its overlays' upper
# layers before the holder mounts them: /etc/hosts, the shared ssh keys,
# the do-nothing OS, and vrouter installed as `make install` would put it
# (/usr/local/sbin/vrouter-hostd and vrouterctl from GNT_BIN,
# /usr/local/lib/vrouter/install-hooks and vrouter-hook and
# /usr/local/lib/tmpfiles.d/vrouter*.conf from the tree) and the empty
# /etc/vrouter/hostd.d.  The hook's config and the channel folder are left
# to the documented commands.
gnt__seed()
{
	local n="$1" d="$GNT_DIR/n$1" i os
	mkdir -p "$d/etc.up/ssh" "$d/etc.up/vrouter/hostd.d" "$d/root.up/.ssh" \
	    "$d/usr.up/local/lib/ganeti/os/noop" "$d/usr.up/local/sbin" \
	    "$d/usr.up/local/lib/vrouter" "$d/usr.up/local/lib/tmpfiles.d" \
	    "$d/lib" "$d/log" || return 1
	chmod 755 "$d/etc.up/vrouter" "$d/etc.up/vrouter/hostd.d"
	{
		echo "127.0.0.1 localhost"
		echo "$GNT_CLUSTER_IP $GNT_CLUSTER cluster"
		for i in 1 2 3; do
			echo "$GNT_NET.1$i node$i.$GNT_DOMAIN node$i"
		done
		# Instance names must resolve (Ganeti's name check); nothing
		# answers at these addresses (its IP check).
		for i in 1 2 3 4; do
			echo "$GNT_NET.10$i r$i.$GNT_DOMAIN r$i"
		done
	} >"$d/etc.up/hosts"
	echo "node$n.$GNT_DOMAIN" >"$d/etc.up/hostname"
	cp "$GNT_DIR/ssh/ssh_host_rsa_key" "$GNT_DIR/ssh/ssh_host_rsa_key.pub" \
	    "$d/etc.up/ssh/" || return 1
	chmod 600 "$d/etc.up/ssh/ssh_host_rsa_key"
	cp "$GNT_DIR/ssh/id_rsa" "$GNT_DIR/ssh/id_rsa.pub" "$d/root.up/.ssh/" ||
	    return 1
	cp "$GNT_DIR/ssh/id_rsa.pub" "$d/root.up/.ssh/authorized_keys"
	chmod 700 "$d/root.up/.ssh"
	chmod 600 "$d/root.up/.ssh/id_rsa" "$d/root.up/.ssh/authorized_keys"

	# A do-nothing OS: diskless instances boot their kernel_path, but
	# Ganeti wants an OS definition even for --no-install.
	os=$d/usr.up/local/lib/ganeti/os/noop
	echo 20 >"$os/ganeti_api_version"
	for i in create export import rename verify; do
		printf '#!/bin/sh\nexit 0\n' >"$os/$i"
		chmod 755 "$os/$i"
	done
	: >"$os/parameters.list"

	install -m 755 "$GNT_BIN/vrouter-hostd" "$GNT_BIN/vrouterctl" \
	    "$d/usr.up/local/sbin/" || return 1
	install -m 755 "$LAB_ROOT/hostagent/ganeti/install-hooks" \
	    "$LAB_ROOT/hostagent/ganeti/vrouter-hook" \
	    "$d/usr.up/local/lib/vrouter/" || return 1
	install -m 644 "$LAB_ROOT/etc/tmpfiles/vrouter.conf" \
	    "$LAB_ROOT/etc/tmpfiles/vrouter-ganeti.conf" \
	    "$d/usr.up/local/lib/tmpfiles.d/" || return 1
	return 0
}

# gnt_hostd N: start vrouter-hostd in node N as its unit does (the
# defaults: /run/vrouter/hostd.sock, /etc/vrouter/hostd.d), verbose, logging
# to GNT_DIR/nN/hostd.log; wait for its socket.
gnt_hostd()
{
	gnt_bg "$1" "$GNT_DIR/n$1/hostd.log" /usr/local/sbin/vrouter-hostd \
	    -d -v || return 1
	eval "GNT_HOSTD_$1=$LAB_PID"
	lab_wait_for "node $1's hostd" 10000 \
	    gnt_exec "$1" test -S /run/vrouter/hostd.sock
}

# gnt_node N: node N (1..3): namespace, links, holder, sshd.
gnt_node()
{
	local n="$1" d="$GNT_DIR/n$1" pid
	lab_ns "n$n" || return 1
	lab_veth gsw "c-n$n" "n$n" eth0 || return 1
	lab_exec gsw ip link set dev "c-n$n" master br0 || return 1
	lab_exec "n$n" ip addr add "$GNT_NET.1$n/24" dev eth0 || return 1
	lab_exec "n$n" ip link add gnt0 type bridge || return 1
	lab_exec "n$n" ip link set dev gnt0 up || return 1
	lab_veth gsw "p-n$n" "n$n" pub0 || return 1
	lab_exec gsw ip link set dev "p-n$n" master br1 || return 1
	lab_exec "n$n" ip link set dev pub0 master gnt0 || return 1

	gnt__seed "$n" || { gnt__err "node $n: seeding its files failed"; return 1; }
	lab_bg "n$n" "$d/holder.log" unshare -m -u --propagation private \
	    sh "$LAB_ROOT/tests/lab/ganeti-holder.sh" "$d" \
	    "node$n.$GNT_DOMAIN" >/dev/null
	pid=$LAB_PID
	if ! lab_wait_for "node $n's holder" 10000 test -s "$d/ready"; then
		gnt__err "node $n: holder failed: $(cat "$d/holder.log")"
		return 1
	fi
	# The holder execs sleep in the same process: its pid is the one
	# lab_bg recorded (ip netns exec and unshare exec too).
	[ "$(cat "$d/ready")" = "$pid" ] ||
	    { gnt__err "node $n: holder pid $(cat "$d/ready") is not $pid"; return 1; }
	eval "GNT_HOLDER_$n=$pid"
	GNT_NODES="$GNT_NODES $n"

	gnt_bg "$n" "$d/sshd.log" /usr/sbin/sshd -D -e -o UsePAM=no \
	    -o HostKey=/etc/ssh/ssh_host_rsa_key \
	    -o PermitRootLogin=prohibit-password \
	    -o ListenAddress="$GNT_NET.1$n" -o PidFile=/run/sshd.pid ||
	    return 1
	lab_wait_for "node $n's sshd" 10000 lab__listening "n$n" 22 ||
	    { gnt__err "node $n: sshd: $(cat "$d/sshd.log")"; return 1; }
	return 0
}

# gnt_cluster_init: `gnt-cluster init` on node 1: kvm on TCG,
# diskless, bridged NICs on gnt0, the test kernel and initramfs
# (GNT_KERNEL, GNT_INITRD).
gnt_cluster_init()
{
	gnt_exec 1 gnt-cluster init --no-etc-hosts --no-ssh-init \
	    --enabled-hypervisors=kvm --enabled-disk-templates=diskless \
	    --master-netdev=eth0 --nic-parameters=mode=bridged,link=gnt0 \
	    -H "kvm:kvm_flag=disabled,kvm_path=/usr/bin/qemu-system-x86_64,kernel_path=$GNT_KERNEL,initrd_path=$GNT_INITRD,root_path=/dev/ram0,kernel_args=ro quiet,serial_console=true,acpi=false,vnc_bind_address=" \
	    "$GNT_CLUSTER"
}

# gnt_node_add N: `gnt-node add` node N from the master (node 1).
gnt_node_add()
{
	gnt_exec 1 gnt-node add "node$1.$GNT_DOMAIN"
}

# gnt_teardown: remove every instance and destroy the cluster, through the
# master; bounded.  Idempotent; runs from the exit trap.
gnt_teardown()
{
	local i
	[ -n "${GNT_NODES:-}" ] && [ -z "${GNT_TORN:-}" ] || return 0
	GNT_TORN=1
	trap '' HUP INT TERM
	[ -n "$(gnt_holder 1)" ] || return 0
	[ -f "$GNT_DIR/n1/lib/config.data" ] || return 0
	for i in $(gnt_exec 1 timeout 60 gnt-instance list --no-headers \
	    -o name 2>/dev/null); do
		gnt_exec 1 timeout 120 gnt-instance remove -f \
		    --shutdown-timeout=0 "$i" >/dev/null 2>&1 ||
		    gnt__err "teardown: gnt-instance remove $i failed"
	done
	# Ganeti destroys a cluster of one node only.
	for i in $GNT_NODES; do
		[ "$i" = 1 ] && continue
		gnt_exec 1 timeout 60 gnt-node remove "node$i.$GNT_DOMAIN" \
		    >/dev/null 2>&1 ||
		    gnt__err "teardown: gnt-node remove node$i failed"
	done
	gnt_exec 1 timeout 120 gnt-cluster destroy --yes-do-it \
	    >"$GNT_DIR/destroy.log" 2>&1 ||
	    gnt__err "teardown: gnt-cluster destroy failed: $(tail -n 3 "$GNT_DIR/destroy.log")"
	# The destroy stops the master's daemons only; lab_cleanup kills
	# what is still left (sshd, ganeti-metad) by pid.
	for i in $GNT_NODES; do
		gnt_exec "$i" timeout 60 /usr/lib/ganeti/daemon-util stop-all \
		    >/dev/null 2>&1
	done
	return 0
}
