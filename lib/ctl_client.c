/*
 * The tool side of a control socket: one blocking request and reply with a
 * deadline, for vrouterctl and vrouter-notify.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

static long
ms_left(const struct timespec *deadline)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

json_t *
ctl_call(const char *path, json_t *req, int timeout_ms, char *err,
    size_t errlen)
{
	struct sockaddr_un	 sun;
	struct timespec		 deadline;
	struct pollfd		 pfd;
	json_t			*reply = NULL;
	char			*out = NULL, *in = NULL;
	size_t			 outlen, off = 0, inlen = 0, used;
	ssize_t			 n;
	int			 fd, rv;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: socket path too long", path);
		return NULL;
	}
	strcpy(sun.sun_path, path);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto done;
	}
	if (ctl_frame_encode(req, &out, &outlen) == -1) {
		snprintf(err, errlen, "encoding request: %s", strerror(errno));
		goto done;
	}
	while (off < outlen) {
		n = write(fd, out + off, outlen - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: write: %s", path,
			    strerror(errno));
			goto done;
		}
		off += (size_t)n;
	}
	if ((in = malloc(CTL_MAX_MSG + 4)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (;;) {
		long	 left = ms_left(&deadline);

		if (left <= 0) {
			snprintf(err, errlen, "%s: no reply within %d ms",
			    path, timeout_ms);
			goto done;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			goto done;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, in + inlen, CTL_MAX_MSG + 4 - inlen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: connection closed before "
			    "the reply", path);
			goto done;
		}
		inlen += (size_t)n;
		rv = ctl_frame_decode(in, inlen, &reply, &used);
		if (rv == 1)
			break;
		if (rv == -1) {
			snprintf(err, errlen, "%s: bad reply: %s", path,
			    strerror(errno));
			goto done;
		}
	}
done:
	if (fd != -1)
		close(fd);
	free(out);
	free(in);
	return reply;
}
