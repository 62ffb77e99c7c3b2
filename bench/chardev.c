/*
 * chardev.c: the listening end of a VM's channel, as QEMU makes it for
 * `-chardev socket,path=...,server=on`; vrouter-hostd connects to it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <string.h>

#include "bench.h"
#include "log.h"

int
chardev_listen(const char *path, int flags)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd, type = SOCK_STREAM | SOCK_CLOEXEC;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		fatalx("%s: longer than %zu bytes", path,
		    sizeof(sun.sun_path) - 1);
	strcpy(sun.sun_path, path);
	/* Never take over a socket (or file) someone else is using. */
	if (lstat(path, &st) == 0)
		fatalx("%s: already exists", path);
	if (flags & CHARDEV_NONBLOCK)
		type |= SOCK_NONBLOCK;
	if ((fd = socket(AF_UNIX, type, 0)) == -1)
		fatal("socket");
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", path);
	if ((flags & CHARDEV_ANYONE) && chmod(path, 0666) == -1)
		fatal("chmod %s", path);
	/* hostd may reconnect before we accept()ed its last attempt. */
	if (listen(fd, 4) == -1)
		fatal("listen %s", path);
	return fd;
}
