/*
 * ctlflood: a hostile control-socket client for tests/integration/
 * t_ctl_limits.sh.  It opens K connections to a daemon's control socket,
 * pipelines framed requests on each and never reads a reply, then waits
 * to be dropped.
 *
 *   ctlflood -s PATH [-c CMD] [-k CLIENTS] [-n BYTES] [-S STALL_MS]
 *	      [-H HOLD_MS]
 *
 * Phase 1: write {"v":1,"cmd":CMD} frames (CMD "status") on every
 * connection until each has sent BYTES (0: connect only), or until no
 * write has made progress for STALL_MS (1000): the daemon stopped reading.
 * Prints "stalled sent=TOTAL clients=K" or "sent-all sent=TOTAL
 * clients=K".
 * Phase 2: wait up to HOLD_MS (15000) for the daemon to close every
 * connection, still without reading.  Prints "dropped D of K after_ms=T",
 * T the time from the end of phase 1 to the last drop seen (or to the end
 * of the wait).
 * Lines are flushed as written, so a test can act between the phases.
 * A connection that fails while writing counts as dropped.
 * Exit 0 when both phases ran, 2 on a usage or setup error.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS	1024
#define CHUNK		65536

static void
usage(void)
{
	fprintf(stderr, "usage: ctlflood -s path [-c cmd] [-k clients] "
	    "[-n bytes] [-S stall_ms] [-H hold_ms]\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "ctlflood: %s: %s\n", what, strerror(errno));
	exit(2);
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long
num(const char *s)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0)
		usage();
	return v;
}

/* A buffer of whole request frames, written round and round. */
static size_t
fill(char *buf, size_t size, const char *cmd)
{
	char	 json[256];
	size_t	 jlen, flen, off = 0;

	jlen = (size_t)snprintf(json, sizeof(json), "{\"v\":1,\"cmd\":\"%s\"}",
	    cmd);
	if (jlen >= sizeof(json))
		usage();
	flen = jlen + 4;
	while (off + flen <= size) {
		buf[off] = (char)(jlen >> 24);
		buf[off + 1] = (char)(jlen >> 16);
		buf[off + 2] = (char)(jlen >> 8);
		buf[off + 3] = (char)jlen;
		memcpy(buf + off + 4, json, jlen);
		off += flen;
	}
	return off;
}

int
main(int argc, char *argv[])
{
	static char		 buf[CHUNK];
	static struct pollfd	 pfd[MAX_CLIENTS];
	static size_t		 sent[MAX_CLIENTS];
	struct sockaddr_un	 sun;
	const char		*path = NULL, *cmd = "status";
	long			 k = 1, bytes = 0, stall_ms = 1000;
	long			 hold_ms = 15000, total = 0;
	int64_t			 last, start, lastdrop;
	size_t			 blen;
	ssize_t			 n;
	int			 ch, i, busy, dropped = 0;

	while ((ch = getopt(argc, argv, "c:H:k:n:s:S:")) != -1) {
		switch (ch) {
		case 'c': cmd = optarg; break;
		case 'H': hold_ms = num(optarg); break;
		case 'k': k = num(optarg); break;
		case 'n': bytes = num(optarg); break;
		case 's': path = optarg; break;
		case 'S': stall_ms = num(optarg); break;
		default: usage();
		}
	}
	if (path == NULL || optind != argc || k < 1 || k > MAX_CLIENTS)
		usage();
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		usage();
	memcpy(sun.sun_path, path, strlen(path) + 1);
	signal(SIGPIPE, SIG_IGN);
	blen = fill(buf, sizeof(buf), cmd);

	for (i = 0; i < k; i++) {
		pfd[i].fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (pfd[i].fd == -1)
			die("socket");
		/* A full backlog says EAGAIN: let the daemon accept. */
		start = now_ms();
		while (connect(pfd[i].fd, (struct sockaddr *)&sun,
		    sizeof(sun)) == -1) {
			if (errno != EAGAIN || now_ms() - start > 5000)
				die(path);
			usleep(10000);
		}
	}

	/* Phase 1: write until done or until the daemon stops reading. */
	last = now_ms();
	for (;;) {
		busy = 0;
		for (i = 0; i < k; i++) {
			pfd[i].events = 0;
			if (pfd[i].fd == -1 || sent[i] >= (size_t)bytes)
				continue;
			pfd[i].events = POLLOUT;
			busy = 1;
		}
		if (!busy || now_ms() - last >= stall_ms)
			break;
		if (poll(pfd, (nfds_t)k, 100) == -1 && errno != EINTR)
			die("poll");
		for (i = 0; i < k; i++) {
			if (!(pfd[i].revents & POLLOUT))
				continue;
			n = write(pfd[i].fd, buf + sent[i] % blen,
			    blen - sent[i] % blen);
			if (n > 0) {
				sent[i] += (size_t)n;
				total += n;
				last = now_ms();
			} else if (n == -1 && errno != EAGAIN &&
			    errno != EINTR) {
				close(pfd[i].fd);	/* dropped already */
				pfd[i].fd = -1;
				dropped++;
			}
		}
	}
	printf("%s sent=%ld clients=%ld\n", busy ? "stalled" : "sent-all",
	    total, k);
	fflush(stdout);

	/* Phase 2: never read; count the connections the daemon closes. */
	start = lastdrop = now_ms();
	while (dropped < k && now_ms() - start < hold_ms) {
		for (i = 0; i < k; i++)
			pfd[i].events = 0;	/* POLLHUP and POLLERR only */
		if (poll(pfd, (nfds_t)k, 100) == -1 && errno != EINTR)
			die("poll");
		for (i = 0; i < k; i++) {
			if (pfd[i].fd == -1 ||
			    !(pfd[i].revents & (POLLHUP | POLLERR)))
				continue;
			close(pfd[i].fd);
			pfd[i].fd = -1;
			dropped++;
			lastdrop = now_ms();
		}
	}
	printf("dropped %d of %ld after_ms=%lld\n", dropped, k,
	    (long long)((dropped == k ? lastdrop : now_ms()) - start));
	fflush(stdout);
	return 0;
}
