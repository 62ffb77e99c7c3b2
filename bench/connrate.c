/*
 * connrate: new TCP connections per second through a NAT, and how long
 * each connect takes.  It prints figures and never judges them; it fails
 * only when no connection completed, since a rate of nothing is worthless.
 *
 *   connrate -s [-a addr] [-p port] [-n ports] [-t secs]
 *	Server: listen on addr (any) ports port .. port + ports - 1, accept
 *	every connection and close it at once, for at most secs (60).
 *	Prints how many it accepted.
 *
 *   connrate -c addr [-p port] [-n ports] [-b src] [-r lo-hi] [-t secs]
 *            [-P parallel]
 *	Client: for secs (5), keep `parallel` (64) connections to addr
 *	going, each from src (any) and its own source port: connect, wait
 *	for the server's FIN, close.  A connection counts once it is
 *	established; its connect time runs from connect() to the
 *	socket becoming writable.  Prints connections/s and the p50, p99
 *	and max connect times.
 *
 * Every connection has a 5-tuple of its own: the client binds source
 * port lo + k % (hi - lo + 1) and connects to server port
 * port + (k / (hi - lo + 1)) % ports for the k-th connection, so each one
 * is a new NAT session (a NAT that has seen the tuple before may take a
 * fast path).  A run that goes round all the tuples says so.  The server
 * closes first, so the client's sockets leave no TIME_WAIT; a bind that
 * still finds its port busy skips the tuple and is counted.
 *
 * Every wait is bounded: a connection not established within 3 s, or not
 * closed by the server 3 s after, is reset and counted as failed; after
 * the time is up, the connections in flight get at most 3 s more.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PARALLEL_MAX	4096
#define PORTS_MAX	256
#define STEP_NS		3000000000ull	/* connect, or the FIN after it */
#define DRAIN_NS	3000000000ull
#define SAMPLES_MAX	(1u << 24)

enum cstate { C_FREE, C_CONNECTING, C_OPEN };

struct conn {
	enum cstate	 state;
	int		 fd;
	uint64_t	 t0;		/* connect() */
	uint64_t	 deadline;
};

static volatile sig_atomic_t	 stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: connrate -s [-a addr] [-p port] [-n ports] "
	    "[-t secs]\n"
	    "       connrate -c addr [-p port] [-n ports] [-b src] "
	    "[-r lo-hi] [-t secs] [-P parallel]\n");
	exit(2);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static long
num(const char *s, long lo, long hi, const char *what)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < lo || v > hi) {
		fprintf(stderr, "connrate: %s: \"%s\": not a number in "
		    "%ld..%ld\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

static void
addr_of(const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) != 1) {
		fprintf(stderr, "connrate: \"%s\": not an IPv4 address\n", s);
		exit(2);
	}
}

/* --- server --------------------------------------------------------- */

static int
server(struct in_addr addr, int port, int nports, int secs)
{
	struct epoll_event	 ev, evs[64];
	struct sockaddr_in	 sin;
	uint64_t		 deadline, accepted = 0;
	int			 ep, fd, cfd, i, n, one = 1;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("connrate: epoll_create1");
		return 1;
	}
	for (i = 0; i < nports; i++) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr = addr;
		sin.sin_port = htons((uint16_t)(port + i));
		fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)) == -1 || bind(fd, (struct sockaddr *)&sin,
		    sizeof(sin)) == -1 || listen(fd, 4096) == -1) {
			fprintf(stderr, "connrate: listen on port %d: %s\n",
			    port + i, strerror(errno));
			return 1;
		}
		ev.events = EPOLLIN;
		ev.data.fd = fd;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
			perror("connrate: epoll_ctl");
			return 1;
		}
	}
	printf("connrate: server on ports %d-%d\n", port, port + nports - 1);
	fflush(stdout);
	deadline = now_ns() + (uint64_t)secs * 1000000000u;
	while (!stop && now_ns() < deadline) {
		n = epoll_wait(ep, evs, 64, 100);
		for (i = 0; i < n; i++) {
			while ((cfd = accept4(evs[i].data.fd, NULL, NULL,
			    SOCK_CLOEXEC)) != -1) {
				close(cfd);
				accepted++;
			}
		}
	}
	printf("connrate: server accepted %llu connections\n",
	    (unsigned long long)accepted);
	return 0;
}

/* --- client --------------------------------------------------------- */

struct client {
	struct in_addr	 dst, src;
	int		 port, nports;
	int		 lo, hi;
	int		 ep;
	struct conn	*c;
	int		 parallel;
	uint64_t	 k;		/* the next tuple */
	uint64_t	 started, established, failed, refused, skipped;
	uint64_t	 wrapped;
	uint32_t	*us;		/* connect times */
	size_t		 nus;
};

static void
conn_end(struct conn *c, int reset)
{
	struct linger	 lg = { 1, 0 };

	if (reset)
		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg,
		    sizeof(lg));
	close(c->fd);		/* also leaves the epoll set */
	c->fd = -1;
	c->state = C_FREE;
}

/* Start connection cl->k in the free slot c.  -1 on an error that is not
 * the tuple's own (no socket at all). */
static int
conn_start(struct client *cl, struct conn *c)
{
	struct sockaddr_in	 sin;
	struct epoll_event	 ev;
	uint64_t		 span = (uint64_t)(cl->hi - cl->lo + 1);
	uint64_t		 k = cl->k++;
	int			 fd, one = 1;

	if (k > 0 && k % (span * (uint64_t)cl->nports) == 0)
		cl->wrapped++;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		perror("connrate: socket");
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr = cl->src;
	sin.sin_port = htons((uint16_t)(cl->lo + (int)(k % span)));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		if (errno == EADDRINUSE) {
			cl->skipped++;
			return 0;
		}
		perror("connrate: bind");
		return -1;
	}
	sin.sin_addr = cl->dst;
	sin.sin_port = htons((uint16_t)(cl->port +
	    (int)((k / span) % (uint64_t)cl->nports)));
	c->fd = fd;
	c->t0 = now_ns();
	c->deadline = c->t0 + STEP_NS;
	c->state = C_CONNECTING;
	cl->started++;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 &&
	    errno != EINPROGRESS) {
		cl->failed++;
		conn_end(c, 1);
		return 0;
	}
	ev.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = c;
	if (epoll_ctl(cl->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		perror("connrate: epoll_ctl");
		return -1;
	}
	return 0;
}

static void
conn_event(struct client *cl, struct conn *c, uint32_t events)
{
	struct epoll_event	 ev;
	socklen_t		 len = sizeof(int);
	uint64_t		 t = now_ns();
	char			 b[64];
	int			 err = 0;
	ssize_t			 n;

	if (c->state == C_CONNECTING) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			if (err == ECONNREFUSED)
				cl->refused++;
			cl->failed++;
			conn_end(c, 1);
			return;
		}
		if (!(events & (EPOLLOUT | EPOLLIN | EPOLLRDHUP)))
			return;
		cl->established++;
		if (cl->nus < SAMPLES_MAX)
			cl->us[cl->nus++] = (uint32_t)((t - c->t0) / 1000);
		c->state = C_OPEN;
		c->deadline = t + STEP_NS;
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.ptr = c;
		(void)epoll_ctl(cl->ep, EPOLL_CTL_MOD, c->fd, &ev);
		if (!(events & (EPOLLIN | EPOLLRDHUP)))
			return;
	}
	/* Open: wait for the server's FIN, then close our side. */
	n = read(c->fd, b, sizeof(b));
	if (n == 0)
		conn_end(c, 0);
	else if (n == -1 && errno != EAGAIN)
		conn_end(c, 1);	/* reset: established all the same */
}

/* Reset connections past their deadline; true if any is in flight. */
static int
sweep(struct client *cl, uint64_t t)
{
	int	 i, busy = 0;

	for (i = 0; i < cl->parallel; i++) {
		if (cl->c[i].state == C_FREE)
			continue;
		if (t >= cl->c[i].deadline) {
			if (cl->c[i].state == C_CONNECTING)
				cl->failed++;
			conn_end(&cl->c[i], 1);
			continue;
		}
		busy = 1;
	}
	return busy;
}

static uint32_t
pct(const uint32_t *v, size_t n, double p)
{
	size_t	 i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i >= n ? n - 1 : i];
}

static int
client(struct client *cl, int secs)
{
	struct epoll_event	 evs[256];
	uint64_t		 t0, t1, end, t, last = 0;
	double			 dt;
	int			 i, n, running = 1;

	if ((cl->ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (cl->c = calloc((size_t)cl->parallel, sizeof(*cl->c))) == NULL ||
	    (cl->us = malloc(SAMPLES_MAX * sizeof(*cl->us))) == NULL) {
		perror("connrate: setup");
		return 1;
	}
	t0 = now_ns();
	end = t0 + (uint64_t)secs * 1000000000u;
	t1 = end;
	for (;;) {
		t = now_ns();
		if (running && (t >= end || stop)) {
			running = 0;
			t1 = t;
			end = t + DRAIN_NS;	/* the drain */
		}
		if (running) {
			for (i = 0; i < cl->parallel; i++)
				if (cl->c[i].state == C_FREE &&
				    conn_start(cl, &cl->c[i]) == -1)
					return 1;
		}
		if (t - last >= 10000000u) {	/* every 10 ms */
			last = t;
			if (!sweep(cl, t) && !running)
				break;
		}
		if (!running && t >= end) {
			(void)sweep(cl, UINT64_MAX);
			break;
		}
		n = epoll_wait(cl->ep, evs, 256, 10);
		for (i = 0; i < n; i++)
			conn_event(cl, evs[i].data.ptr, evs[i].events);
	}
	dt = (double)(t1 - t0) / 1e9;
	qsort(cl->us, cl->nus, sizeof(*cl->us), cmp_u32);
	printf("connrate: %llu connections in %.2f s = %.0f conn/s; connect "
	    "p50 %u us, p99 %u us, max %u us; %llu failed (%llu refused), "
	    "%llu tuples skipped, %d parallel\n",
	    (unsigned long long)cl->established, dt,
	    (double)cl->established / dt, pct(cl->us, cl->nus, 0.50),
	    pct(cl->us, cl->nus, 0.99), pct(cl->us, cl->nus, 1.0),
	    (unsigned long long)cl->failed, (unsigned long long)cl->refused,
	    (unsigned long long)cl->skipped, cl->parallel);
	if (cl->wrapped > 0)
		printf("connrate: the tuples went round %llu times: later "
		    "connections reused earlier 5-tuples\n",
		    (unsigned long long)cl->wrapped);
	/* For scripts (bench/connrate.sh). */
	printf("connrate: rate=%.0f p50=%u p99=%u failed=%llu\n",
	    (double)cl->established / dt, pct(cl->us, cl->nus, 0.50),
	    pct(cl->us, cl->nus, 0.99), (unsigned long long)cl->failed);
	fflush(stdout);
	free(cl->c);
	free(cl->us);
	close(cl->ep);
	if (cl->established == 0) {
		fprintf(stderr, "connrate: no connection was established\n");
		return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct client		 cl;
	struct sigaction	 sa;
	struct in_addr		 any = { htonl(INADDR_ANY) };
	const char		*dst = NULL;
	char			*dash;
	int			 ch, srv = 0, port = 5000, nports = 16;
	int			 secs = -1;

	memset(&cl, 0, sizeof(cl));
	cl.src = any;
	cl.lo = 10000;
	cl.hi = 60999;
	cl.parallel = 64;
	while ((ch = getopt(argc, argv, "a:b:c:n:P:p:r:st:")) != -1) {
		switch (ch) {
		case 'a':
			addr_of(optarg, &any);
			break;
		case 'b':
			addr_of(optarg, &cl.src);
			break;
		case 'c':
			dst = optarg;
			break;
		case 'n':
			nports = (int)num(optarg, 1, PORTS_MAX, "-n");
			break;
		case 'P':
			cl.parallel = (int)num(optarg, 1, PARALLEL_MAX, "-P");
			break;
		case 'p':
			port = (int)num(optarg, 1, 65535, "-p");
			break;
		case 'r':
			if ((dash = strchr(optarg, '-')) == NULL)
				usage();
			*dash = '\0';
			cl.lo = (int)num(optarg, 1, 65535, "-r");
			cl.hi = (int)num(dash + 1, cl.lo, 65535, "-r");
			break;
		case 's':
			srv = 1;
			break;
		case 't':
			secs = (int)num(optarg, 1, 3600, "-t");
			break;
		default:
			usage();
		}
	}
	if (argc != optind || srv == (dst != NULL) || port + nports - 1 > 65535)
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (srv)
		return server(any, port, nports, secs == -1 ? 60 : secs);
	addr_of(dst, &cl.dst);
	cl.port = port;
	cl.nports = nports;
	return client(&cl, secs == -1 ? 5 : secs);
}
