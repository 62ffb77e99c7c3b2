#!/bin/sh
# ganeti-holder.sh: the process that holds one lab Ganeti node's own mount
# and UTS namespaces (tests/lab/ganeti.sh starts it with
# `unshare -m -u --propagation private` inside the node's network
# namespace).  Everything of the node runs in its namespaces through
# nsenter: its Ganeti daemons, sshd, vrouter-hostd, the hooks, QEMU.
#
#   ganeti-holder.sh NODEDIR HOSTNAME
#
# Inside, and only inside, the namespace: /etc, /usr, /var/lib and /root
# are overlays whose upper layers are NODEDIR/{etc,usr,varlib,root}.up (so
# the node's Ganeti config, hooks, OS definition, ssh keys, vrouter's
# programs, what systemd-tmpfiles makes and hostd's registrations never
# reach the machine's own folders); /run is a private tmpfs (so
# Ganeti's daemon-util sees no systemd and uses start-stop-daemon, and the
# pid files, sockets and channel folder are the node's own); /var/lib/ganeti
# and /var/log/ganeti are binds of NODEDIR/lib and NODEDIR/log; a
# /dev/log, if the machine has one, is hidden (the hook's logger would
# write to the machine's syslog).  Then it writes NODEDIR/ready and sleeps
# until killed.
set -eu

dir=$1
name=$2

for d in etc usr varlib root; do
	mkdir -p "$dir/$d.up" "$dir/$d.work"
done
mkdir -p "$dir/lib" "$dir/log"

mount -t overlay overlay \
    -o "lowerdir=/etc,upperdir=$dir/etc.up,workdir=$dir/etc.work" /etc
mount -t overlay overlay \
    -o "lowerdir=/usr,upperdir=$dir/usr.up,workdir=$dir/usr.work" /usr
mount -t overlay overlay \
    -o "lowerdir=/var/lib,upperdir=$dir/varlib.up,workdir=$dir/varlib.work" \
    /var/lib
mount -t overlay overlay \
    -o "lowerdir=/root,upperdir=$dir/root.up,workdir=$dir/root.work" /root
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/lock /run/sshd
chmod 1777 /run/lock
mount --bind "$dir/lib" /var/lib/ganeti
mount --bind "$dir/log" /var/log/ganeti
if [ -e /dev/log ] || [ -L /dev/log ]; then
	mount --bind /dev/null /dev/log
fi
hostname "$name"

echo $$ >"$dir/ready"
exec sleep infinity
