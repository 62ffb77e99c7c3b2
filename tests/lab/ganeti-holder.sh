#!/bin/sh
# ganeti-holder.sh: the process that holds one lab Ganeti node's own mount
# and UTS namespaces (tests/lab/ganeti.sh starts it with
# `unshare -m -u --propagation private` inside the node's network
# namespace).  Everything of the node runs in its namespaces through
# nsenter: its Ganeti daemons, sshd, vrouter-hostd, the hooks, QEMU.
#
#   ganeti-holder.sh NODEDIR HOSTNAME
#
# Inside, and only inside, the namespace: /etc, /usr and /root are
# overlays whose upper layers are NODEDIR/{etc,usr,root}.up (so the node's
# Ganeti config, hooks, OS definition, ssh keys, vrouter's programs and
# hostd's registrations never reach the machine's own folders; /usr whole,
# not only /usr/local, because install-hooks -l /usr/lib/vrouter is
# documented too); /run is a private tmpfs (so
# Ganeti's daemon-util sees no systemd and uses start-stop-daemon, and the
# pid files, sockets and channel folder are the node's own); /var/lib/ganeti
# and /var/log/ganeti are binds of NODEDIR/lib and NODEDIR/log.  Then it
# writes NODEDIR/ready and sleeps until killed.
set -eu

dir=$1
name=$2

for d in etc usr root; do
	mkdir -p "$dir/$d.up" "$dir/$d.work"
done
mkdir -p "$dir/lib" "$dir/log"

mount -t overlay overlay \
    -o "lowerdir=/etc,upperdir=$dir/etc.up,workdir=$dir/etc.work" /etc
mount -t overlay overlay \
    -o "lowerdir=/usr,upperdir=$dir/usr.up,workdir=$dir/usr.work" /usr
mount -t overlay overlay \
    -o "lowerdir=/root,upperdir=$dir/root.up,workdir=$dir/root.work" /root
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/lock /run/sshd /run/vrouter/empty
chmod 1777 /run/lock
mount --bind "$dir/lib" /var/lib/ganeti
mount --bind "$dir/log" /var/log/ganeti
hostname "$name"

echo $$ >"$dir/ready"
exec sleep infinity
