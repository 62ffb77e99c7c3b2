/*
 * connhold: hold many TCP connections across a failover and say how many
 * survived.  The lab's tests and benchmarks run it on both sides of the
 * router (tests/integration/t_survival.sh, bench/failover.sh).
 *
 *   connhold server -p PORT
 *	Listens on TCP and UDP PORT.  TCP: answers each ping with an echo,
 *	pushes a tick every hello-given interval on "active" connections,
 *	streams bytes at a hello-given rate on a "bulk" connection.  UDP:
 *	echoes every datagram.  SIGUSR1 prints the counters; SIGTERM prints
 *	them and exits.
 *
 *   connhold hold -c ADDR -p PORT -n N [-a ACTIVE] [-t TICK_MS]
 *		   [-b RATE_KBPS] [-R ROUNDS] [-T TIMEOUT_MS] [-w WAIT_S]
 *	Opens N connections (the first ACTIVE of them get a server tick
 *	every TICK_MS), exchanges a ping and its echo on each and prints
 *	"ready ...".  With -b one more connection carries a server-to-client
 *	bulk transfer at RATE_KBPS (0: as fast as it goes).  Then, ROUNDS
 *	times (1): wait for SIGUSR1 (at most WAIT_S seconds); wait until
 *	every active connection got a tick, and the bulk connection bytes,
 *	sent after the signal, before sending anything ourselves (a router
 *	that lost the connections' state drops the server's packets until
 *	the client speaks: those connections are "silent"); then exchange a
 *	ping and its echo on every connection still alive; TIMEOUT_MS for
 *	each of these two waits.  Prints "result round=K ...": the
 *	connections alive and those lost so far, this round's silent ones,
 *	longest tick gap, bulk stall and whether the bulk resumed.  Exit 0
 *	only if every connection answered every round, none was silent and
 *	the bulk stream never broke nor stopped; 1 otherwise; 2 on a usage
 *	or setup error.  SIGTERM ends it early (1).
 *
 *   connhold udp -c ADDR -p PORT [-i INTERVAL_US] -d DURATION_MS
 *	Sends one numbered datagram every INTERVAL_US (1000) for
 *	DURATION_MS, counts the echoes (1 s grace after the last send) and
 *	prints "udp sent=... recv=... lost=... lost_run_max=...
 *	gap_max_ms=...": the longest run of datagrams lost in a row, and the
 *	longest time without an echo.
 *
 *   connhold flows -c ADDR -p FIRST_PORT -n N
 *	Sends one UDP datagram to each of N ports from FIRST_PORT up (a
 *	new socket, so a new source port, every time the ports run out):
 *	N conntrack entries on every router on the way, for sizing tests.
 *
 * What "reset" means: a connection whose recv or send failed with
 * ECONNRESET or EPIPE: some host answered it with a RST.  "timeout": no
 * echo within TIMEOUT_MS.  Every wait is bounded.  One thread, epoll,
 * non-blocking sockets; RLIMIT_NOFILE is raised within the hard limit and
 * N is refused if it does not fit.  Output lines are key=value.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * Every TCP message is MSG_LEN bytes, type first:
 *   'H' c->s hello: [1] flags, [2..5] tick_ms, [6..9] rate_kbps
 *   'P' c->s ping:  [1..8] seq        'E' s->c echo: [1..8] seq
 *   'T' s->c tick:  [1..8] number
 * A bulk connection carries raw bytes after its hello, server to client.
 */
#define MSG_LEN		16
#define M_HELLO		'H'
#define M_PING		'P'
#define M_ECHO		'E'
#define M_TICK		'T'
#define F_ACTIVE	0x01
#define F_BULK		0x02

#define MAX_EVENTS	256
#define CONNECT_BURST	128	/* connects in flight at once */
#define BULK_CHUNK	16384
#define OUTBUF		(MSG_LEN * 32)
#define UDP_GRACE_MS	1000
#define CONNECT_MS	10000	/* for all N connections and first pings */
#define DRAIN_MS	2000

/* epoll keys: a connection index, or one of these. */
#define KEY_SIG		0xffffffff00000001ULL
#define KEY_LISTEN	0xffffffff00000002ULL
#define KEY_UDP		0xffffffff00000003ULL
#define KEY_BULK	0xffffffff00000004ULL

static void	 usage(void) __attribute__((noreturn));
static void	 die(const char *, ...)
		    __attribute__((noreturn, format(printf, 1, 2)));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: connhold server -p port\n"
	    "       connhold hold -c addr -p port -n conns [-a active] "
	    "[-t tick_ms]\n"
	    "                [-b rate_kbps] [-R rounds] [-T timeout_ms] "
	    "[-w wait_s]\n"
	    "       connhold udp -c addr -p port [-i interval_us] "
	    "-d duration_ms\n"
	    "       connhold flows -c addr -p first_port -n flows\n");
	exit(2);
}

static void
die(const char *fmt, ...)
{
	va_list	 ap;
	int	 e = errno;

	fprintf(stderr, "connhold: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (e != 0)
		fprintf(stderr, ": %s", strerror(e));
	fprintf(stderr, "\n");
	exit(2);
}

static int64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
put_be(unsigned char *p, uint64_t v, int len)
{
	int	 i;

	for (i = len - 1; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t
get_be(const unsigned char *p, int len)
{
	uint64_t v = 0;
	int	 i;

	for (i = 0; i < len; i++)
		v = v << 8 | p[i];
	return v;
}

static long
num(const char *s, long lo, long hi, const char *what)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi) {
		errno = 0;
		die("%s: \"%s\": not a number in %ld..%ld", what, s, lo, hi);
	}
	return v;
}

/* Raise the soft fd limit to at least need; die if the hard limit is less. */
static void
fd_limit(long need)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("getrlimit");
	if (rl.rlim_cur == RLIM_INFINITY || (long)rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && (long)rl.rlim_max < need) {
		errno = 0;
		die("%ld descriptors needed, the hard limit is %lu", need,
		    (unsigned long)rl.rlim_max);
	}
	rl.rlim_cur = (rlim_t)need;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("setrlimit %ld", need);
}

/* SIGUSR1, SIGTERM, SIGINT, SIGHUP as a descriptor; SIGPIPE ignored. */
static int
signal_fd(void)
{
	sigset_t	 set;
	int		 fd;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		die("sigprocmask");
	if ((fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		die("signalfd");
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

/* The next pending signal of a signalfd, 0 if none. */
static int
next_signal(int fd)
{
	struct signalfd_siginfo	 si;

	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

static void
ep_ctl(int ep, int op, int fd, uint32_t events, uint64_t key)
{
	struct epoll_event	 ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.u64 = key;
	if (epoll_ctl(ep, op, fd, &ev) == -1)
		die("epoll_ctl");
}

static void
addr_of(const char *host, long port, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	if (host == NULL)
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		errno = 0;
		die("%s: not an IPv4 address", host);
	}
}

/* 1 for the errors that mean "answered with a RST". */
static int
is_reset(int e)
{
	return e == ECONNRESET || e == EPIPE;
}

/* ---------------------------------------------------------------- server */

struct sconn {
	int		 fd;
	unsigned char	 flags;
	unsigned int	 tick_ms;
	unsigned int	 rate_kbps;
	int64_t		 next_tick;
	uint64_t	 ticks;
	int64_t		 bulk_t0;	/* bulk: rate × time since t0 */
	uint64_t	 bulk_sent;
	unsigned char	 in[MSG_LEN];
	size_t		 inlen;
	unsigned char	 out[OUTBUF];
	size_t		 outlen;
	uint32_t	 events;	/* as registered with epoll */
	int		 blocked;	/* bulk: the socket buffer is full */
	int		 timed;		/* on the server's timed list */
};

struct server {
	int		 ep;
	struct sconn	**conns;	/* indexed by fd */
	long		 nconns;	/* size of conns */
	long		 open;
	struct sconn	**timed;	/* active and paced bulk connections */
	long		 ntimed;
	uint64_t	 accepted, resets, eofs, errors, pings, ticks,
			 dropped, bulk_bytes, udp_echoed;
};

static void
srv_report(const struct server *s, const char *why)
{
	printf("server %s open=%ld accepted=%" PRIu64 " resets=%" PRIu64
	    " eof=%" PRIu64 " errors=%" PRIu64 " pings=%" PRIu64
	    " ticks=%" PRIu64 " dropped=%" PRIu64 " bulk_bytes=%" PRIu64
	    " udp_echoed=%" PRIu64 "\n", why, s->open, s->accepted, s->resets,
	    s->eofs, s->errors, s->pings, s->ticks, s->dropped,
	    s->bulk_bytes, s->udp_echoed);
	fflush(stdout);
}

static void
srv_close(struct server *s, struct sconn *c, int err)
{
	if (err == 0)
		s->eofs++;
	else if (is_reset(err))
		s->resets++;
	else
		s->errors++;
	close(c->fd);
	s->conns[c->fd] = NULL;
	s->open--;
	if (c->timed) {		/* srv_tick drops it from the list */
		c->fd = -1;
		return;
	}
	free(c);
}

/* Wait for writability only while something waits to be written. */
static void
srv_arm(struct server *s, struct sconn *c)
{
	uint32_t want = EPOLLIN;

	if (c->outlen > 0 || ((c->flags & F_BULK) && (c->rate_kbps == 0 ||
	    c->blocked)))
		want |= EPOLLOUT;
	if (want != c->events) {
		c->events = want;
		ep_ctl(s->ep, EPOLL_CTL_MOD, c->fd, want, (uint64_t)c->fd);
	}
}

/* Send what is queued, then bulk bytes.  -1 once c is closed. */
static int
srv_write(struct server *s, struct sconn *c)
{
	static const char chunk[BULK_CHUNK];
	int64_t		 allowed;
	size_t		 len;
	ssize_t		 n;

	while (c->outlen > 0) {
		n = send(c->fd, c->out, c->outlen, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1) {
			srv_close(s, c, errno);
			return -1;
		}
		memmove(c->out, c->out + n, c->outlen - (size_t)n);
		c->outlen -= (size_t)n;
	}
	c->blocked = 0;
	if ((c->flags & F_BULK) && c->outlen == 0) {
		allowed = c->rate_kbps == 0 ? INT64_MAX :
		    (now_us() - c->bulk_t0) * (int64_t)c->rate_kbps / 8000;
		while ((int64_t)c->bulk_sent < allowed) {
			len = sizeof(chunk);
			if (allowed - (int64_t)c->bulk_sent < (int64_t)len)
				len = (size_t)(allowed - (int64_t)c->bulk_sent);
			n = send(c->fd, chunk, len, MSG_NOSIGNAL);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == EAGAIN) {
				c->blocked = 1;
				break;
			}
			if (n == -1) {
				srv_close(s, c, errno);
				return -1;
			}
			c->bulk_sent += (uint64_t)n;
			s->bulk_bytes += (uint64_t)n;
		}
	}
	srv_arm(s, c);
	return 0;
}

static void
srv_queue(struct server *s, struct sconn *c, int type, uint64_t v)
{
	unsigned char	*m;

	if (c->outlen + MSG_LEN > sizeof(c->out)) {
		s->dropped++;	/* the peer is not reading: TCP holds enough */
		return;
	}
	m = c->out + c->outlen;
	memset(m, 0, MSG_LEN);
	m[0] = (unsigned char)type;
	put_be(m + 1, v, 8);
	c->outlen += MSG_LEN;
}

static void
srv_read(struct server *s, struct sconn *c)
{
	ssize_t	 n;

	for (;;) {
		n = recv(c->fd, c->in + c->inlen, MSG_LEN - c->inlen, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {
			srv_close(s, c, n == 0 ? 0 : errno);
			return;
		}
		if ((c->inlen += (size_t)n) < MSG_LEN)
			continue;
		c->inlen = 0;
		switch (c->in[0]) {
		case M_HELLO:
			c->flags = c->in[1];
			c->tick_ms = (unsigned int)get_be(c->in + 2, 4);
			c->rate_kbps = (unsigned int)get_be(c->in + 6, 4);
			c->next_tick = now_us() + (int64_t)c->tick_ms * 1000;
			c->bulk_t0 = now_us();
			if (!c->timed && (((c->flags & F_ACTIVE) &&
			    c->tick_ms > 0) || ((c->flags & F_BULK) &&
			    c->rate_kbps > 0)) && s->ntimed < s->nconns) {
				c->timed = 1;
				s->timed[s->ntimed++] = c;
			}
			break;
		case M_PING:
			s->pings++;
			srv_queue(s, c, M_ECHO, get_be(c->in + 1, 8));
			break;
		default:
			break;
		}
	}
	srv_write(s, c);
}

static void
srv_accept(struct server *s, int lfd)
{
	struct sconn	*c;
	int		 fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC))
	    != -1) {
		if (fd >= s->nconns || (c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			s->errors++;
			continue;
		}
		c->fd = fd;
		c->events = EPOLLIN;
		s->conns[fd] = c;
		s->open++;
		s->accepted++;
		ep_ctl(s->ep, EPOLL_CTL_ADD, fd, EPOLLIN, (uint64_t)fd);
	}
}

/*
 * Ticks for the active connections that are due, and the paced bulk
 * streams; returns the ms until the next is due.  Closed connections
 * leave the timed list here.
 */
static int
srv_tick(struct server *s)
{
	int64_t		 now = now_us(), next = now + 1000000;
	struct sconn	*c;
	long		 i, k = 0;

	for (i = 0; i < s->ntimed; i++) {
		c = s->timed[i];
		if (c->fd == -1) {
			free(c);
			continue;
		}
		s->timed[k++] = c;
		if (c->flags & F_BULK) {
			if (srv_write(s, c) == -1)
				continue;	/* freed next time */
			if (now + 10000 < next)
				next = now + 10000;	/* pace the rate */
			continue;
		}
		if (c->next_tick <= now) {
			srv_queue(s, c, M_TICK, ++c->ticks);
			s->ticks++;
			c->next_tick = now + (int64_t)c->tick_ms * 1000;
			if (srv_write(s, c) == -1)
				continue;
		}
		if (c->next_tick < next)
			next = c->next_tick;
	}
	s->ntimed = k;
	return (int)((next - now + 999) / 1000);
}

/*
 * Room for a few seconds of the 1 ms stream: on a loaded machine the
 * echo server or the client may not run for a few hundred ms, and with
 * the default buffer (about 270 small datagrams) the kernel would drop
 * what arrives meanwhile at the socket, counted as lost on the path.
 * FORCE: above rmem_max/wmem_max, as root (the lab).
 */
static void
udp_buffers(int fd)
{
	int	 size = 4 << 20;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
	    sizeof(size)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
	    sizeof(size)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size,
		    sizeof(size));
}

static void
srv_udp(struct server *s, int fd)
{
	struct sockaddr_in from;
	socklen_t	 flen;
	char		 buf[2048];
	ssize_t		 n;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		    &flen);
		if (n < 0)
			return;
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
		    flen) == n)
			s->udp_echoed++;
	}
}

static int
cmd_server(long port)
{
	struct server	 s;
	struct epoll_event evs[MAX_EVENTS];
	struct sockaddr_in sin;
	struct rlimit	 rl;
	int		 lfd, ufd, sfd, n, i, sig, one = 1, timeout;
	uint64_t	 key;

	memset(&s, 0, sizeof(s));
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		die("getrlimit");
	/* As many as the hard limit allows: the clients decide how many. */
	s.nconns = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 1048576 ?
	    1048576 : (long)rl.rlim_max;
	fd_limit(s.nconns);
	if ((s.conns = calloc((size_t)s.nconns, sizeof(*s.conns))) == NULL ||
	    (s.timed = calloc((size_t)s.nconns, sizeof(*s.timed))) == NULL)
		die("calloc");
	sfd = signal_fd();
	if ((s.ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1");
	addr_of(NULL, port, &sin);
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 4096) == -1)
		die("tcp port %ld", port);
	if ((ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 || bind(ufd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("udp port %ld", port);
	udp_buffers(ufd);
	ep_ctl(s.ep, EPOLL_CTL_ADD, sfd, EPOLLIN, KEY_SIG);
	ep_ctl(s.ep, EPOLL_CTL_ADD, lfd, EPOLLIN, KEY_LISTEN);
	ep_ctl(s.ep, EPOLL_CTL_ADD, ufd, EPOLLIN, KEY_UDP);
	printf("server listening port=%ld max_conns=%ld\n", port, s.nconns);
	fflush(stdout);

	for (;;) {
		timeout = srv_tick(&s);
		n = epoll_wait(s.ep, evs, MAX_EVENTS, timeout);
		if (n == -1 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			key = evs[i].data.u64;
			if (key == KEY_SIG) {
				while ((sig = next_signal(sfd)) != 0) {
					if (sig == SIGUSR1) {
						srv_report(&s, "counters");
						continue;
					}
					srv_report(&s, "exit");
					return 0;
				}
			} else if (key == KEY_LISTEN)
				srv_accept(&s, lfd);
			else if (key == KEY_UDP)
				srv_udp(&s, ufd);
			else if ((long)key < s.nconns && s.conns[key] != NULL) {
				struct sconn *c = s.conns[key];

				if (evs[i].events & (EPOLLIN | EPOLLERR |
				    EPOLLHUP))
					srv_read(&s, c);
				else if (evs[i].events & EPOLLOUT)
					srv_write(&s, c);
			}
		}
	}
}

/* ---------------------------------------------------------------- client */

/* C_IDLE: alive; C_WAIT: alive, its echo of seq `want` is due. */
enum cstate { C_NEW, C_CONNECTING, C_WAIT, C_IDLE, C_RESET, C_FAILED,
	C_TIMEOUT };

struct cconn {
	int		 fd;
	enum cstate	 st;
	uint64_t	 want;
	int		 active;
	unsigned char	 in[MSG_LEN];
	size_t		 inlen;
	int64_t		 last_tick;
};

struct client {
	int		 ep;
	struct sockaddr_in to;
	struct cconn	*c;
	long		 n;
	unsigned int	 tick_ms;
	long		 connecting, next_new;
	uint64_t	 ticks;
	int64_t		 tick_gap_max;	/* µs, over the active connections */
	/* bulk */
	int		 bulk;		/* a bulk connection was asked for */
	int		 bfd;
	unsigned int	 rate_kbps;
	int		 bulk_broken;	/* errno, or -1 for EOF */
	uint64_t	 bulk_bytes;
	int64_t		 bulk_last, bulk_gap_max;
	int64_t		 since;		/* when the round's check began */
};

static int
cl_hello(int fd, int flags, unsigned int tick_ms, unsigned int rate_kbps)
{
	unsigned char	 m[MSG_LEN];

	memset(m, 0, sizeof(m));
	m[0] = M_HELLO;
	m[1] = (unsigned char)flags;
	put_be(m + 2, tick_ms, 4);
	put_be(m + 6, rate_kbps, 4);
	return send(fd, m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ?
	    0 : -1;
}

static int
cl_ping(struct cconn *c, uint64_t seq)
{
	unsigned char	 m[MSG_LEN];

	memset(m, 0, sizeof(m));
	m[0] = M_PING;
	put_be(m + 1, seq, 8);
	/* 16 bytes into an almost empty socket buffer: all or an error */
	return send(c->fd, m, sizeof(m), MSG_NOSIGNAL) == (ssize_t)sizeof(m) ?
	    0 : -1;
}

/* c failed with err: reset (a RST came back) or failed; closed. */
static void
cl_fail(struct cconn *c, int err)
{
	c->st = is_reset(err) ? C_RESET : C_FAILED;
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

/* Start connects until CONNECT_BURST are in flight. */
static void
cl_connect_more(struct client *cl)
{
	struct cconn	*c;

	while (cl->connecting < CONNECT_BURST && cl->next_new < cl->n) {
		c = &cl->c[cl->next_new];
		c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (c->fd == -1)
			die("socket (connection %ld)", cl->next_new);
		c->st = C_CONNECTING;
		if (connect(c->fd, (struct sockaddr *)&cl->to,
		    sizeof(cl->to)) == -1 && errno != EINPROGRESS) {
			cl_fail(c, errno);
			cl->next_new++;
			continue;
		}
		ep_ctl(cl->ep, EPOLL_CTL_ADD, c->fd, EPOLLOUT,
		    (uint64_t)cl->next_new);
		cl->connecting++;
		cl->next_new++;
	}
}

static void
cl_connected(struct client *cl, struct cconn *c, uint64_t key)
{
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	cl->connecting--;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0 && (cl_hello(c->fd, c->active ? F_ACTIVE : 0,
	    c->active ? cl->tick_ms : 0, 0) == -1 || cl_ping(c, 1) == -1))
		err = errno;
	if (err != 0) {
		cl_fail(c, err);
		return;
	}
	c->st = C_WAIT;
	c->want = 1;
	c->last_tick = now_us();
	ep_ctl(cl->ep, EPOLL_CTL_MOD, c->fd, EPOLLIN, key);
}

/* Read messages: echoes move the state on, ticks are counted. */
static void
cl_read(struct client *cl, struct cconn *c)
{
	int64_t	 t;
	ssize_t	 n;
	uint64_t seq;

	for (;;) {
		n = recv(c->fd, c->in + c->inlen, MSG_LEN - c->inlen, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			cl_fail(c, n == 0 ? ECONNABORTED : errno);
			return;
		}
		if ((c->inlen += (size_t)n) < MSG_LEN)
			continue;
		c->inlen = 0;
		if (c->in[0] == M_TICK) {
			t = now_us();
			cl->ticks++;
			if (t - c->last_tick > cl->tick_gap_max)
				cl->tick_gap_max = t - c->last_tick;
			c->last_tick = t;
		} else if (c->in[0] == M_ECHO) {
			seq = get_be(c->in + 1, 8);
			if (c->st == C_WAIT && seq == c->want)
				c->st = C_IDLE;
		}
	}
}

static void
cl_bulk_read(struct client *cl)
{
	static char	 buf[65536];
	int64_t		 t;
	ssize_t		 n;

	for (;;) {
		n = recv(cl->bfd, buf, sizeof(buf), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			cl->bulk_broken = n == 0 ? -1 : errno;
			ep_ctl(cl->ep, EPOLL_CTL_DEL, cl->bfd, 0, 0);
			close(cl->bfd);
			cl->bfd = -1;
			return;
		}
		t = now_us();
		if (cl->bulk_last != 0 && t - cl->bulk_last > cl->bulk_gap_max)
			cl->bulk_gap_max = t - cl->bulk_last;
		cl->bulk_last = t;
		cl->bulk_bytes += (uint64_t)n;
	}
}

static long
cl_count(const struct client *cl, enum cstate st)
{
	long	 i, k = 0;

	for (i = 0; i < cl->n; i++)
		k += cl->c[i].st == st;
	return k;
}

/* Every connect done, and every echo due arrived. */
static int
all_answered(const struct client *cl)
{
	return cl->connecting == 0 && cl->next_new == cl->n &&
	    cl_count(cl, C_WAIT) == 0;
}

/* Alive active connections without a tick since cl->since. */
static long
cl_silent(const struct client *cl)
{
	long	 i, k = 0;

	for (i = 0; i < cl->n; i++)
		k += cl->c[i].active && cl->c[i].st == C_IDLE &&
		    cl->c[i].last_tick < cl->since;
	return k;
}

/* The server's pushes (ticks, bulk bytes) reach us again. */
static int
all_pushed(const struct client *cl)
{
	return cl_silent(cl) == 0 && (cl->bfd == -1 ||
	    cl->bulk_last >= cl->since);
}

/*
 * Run the loop until done(cl) (with done NULL: until a SIGUSR1), another
 * signal, or the deadline (µs).  Returns the signal that ended it, or 0.
 */
static int
cl_loop(struct client *cl, int sfd, int (*done)(const struct client *),
    int64_t deadline)
{
	struct epoll_event evs[MAX_EVENTS];
	int64_t		 left;
	uint64_t	 key;
	int		 n, i, sig;

	for (;;) {
		if (done != NULL && done(cl))
			return 0;
		if ((left = deadline - now_us()) <= 0)
			return 0;
		n = epoll_wait(cl->ep, evs, MAX_EVENTS,
		    (int)(left > 100000 ? 100 : (left + 999) / 1000));
		if (n == -1 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			key = evs[i].data.u64;
			if (key == KEY_SIG) {
				while ((sig = next_signal(sfd)) != 0)
					if (sig != SIGUSR1 || done == NULL)
						return sig;
			} else if (key == KEY_BULK) {
				if (cl->bfd != -1)
					cl_bulk_read(cl);
			} else if ((long)key < cl->n) {
				struct cconn *c = &cl->c[key];

				if (c->fd == -1)
					continue;
				if (c->st == C_CONNECTING)
					cl_connected(cl, c, key);
				else
					cl_read(cl, c);
			}
		}
		cl_connect_more(cl);
	}
}

static void
cl_report(const struct client *cl, const char *what, int round, int64_t t0,
    long silent, int resumed)
{
	printf("%s round=%d conns=%ld ok=%ld reset=%ld failed=%ld timeout=%ld "
	    "silent=%ld ticks=%" PRIu64 " tick_gap_max_ms=%.1f elapsed_ms=%.0f",
	    what, round, cl->n, cl_count(cl, C_IDLE), cl_count(cl, C_RESET),
	    cl_count(cl, C_FAILED), cl_count(cl, C_TIMEOUT), silent,
	    cl->ticks, cl->tick_gap_max / 1000.0, (now_us() - t0) / 1000.0);
	if (cl->bulk)
		printf(" bulk=%s bulk_resumed=%d bulk_bytes=%" PRIu64
		    " bulk_stall_ms=%.1f", cl->bulk_broken == 0 ? "ok" :
		    cl->bulk_broken == -1 ? "eof" : is_reset(cl->bulk_broken) ?
		    "reset" : "failed", resumed, cl->bulk_bytes,
		    cl->bulk_gap_max / 1000.0);
	printf("\n");
	fflush(stdout);
}

/* The gaps are per round: each round is one failover. */
static void
cl_new_round(struct client *cl)
{
	int64_t	 t = now_us();
	long	 i;

	cl->tick_gap_max = 0;
	cl->bulk_gap_max = 0;
	for (i = 0; i < cl->n; i++)
		cl->c[i].last_tick = t;
}

/* Mark what is still waiting as timed out, and close it. */
static void
cl_expire(struct client *cl)
{
	long	 i;

	for (i = 0; i < cl->n; i++)
		if (cl->c[i].st == C_WAIT || cl->c[i].st == C_CONNECTING) {
			cl->c[i].st = C_TIMEOUT;
			close(cl->c[i].fd);
			cl->c[i].fd = -1;
		}
}

/*
 * Close without a RST: closing a socket with unread bytes (ticks, bulk)
 * resets it, which would show up in the server's counters.  Half-close
 * each, read until the server's EOF, for at most DRAIN_MS in all.
 */
static void
cl_drain(struct client *cl)
{
	struct epoll_event evs[MAX_EVENTS];
	static char	 buf[65536];
	int64_t		 end = now_us() + DRAIN_MS * 1000LL;
	long		 i, left = 0;
	ssize_t		 r;
	int		*fdp, n, k;

	if (cl->bfd != -1 && shutdown(cl->bfd, SHUT_WR) == 0)
		left++;
	for (i = 0; i < cl->n; i++)
		if (cl->c[i].fd != -1 && shutdown(cl->c[i].fd, SHUT_WR) == 0)
			left++;
	while (left > 0 && now_us() < end) {
		n = epoll_wait(cl->ep, evs, MAX_EVENTS, 50);
		for (k = 0; k < n; k++) {
			i = (long)evs[k].data.u64;
			if (evs[k].data.u64 == KEY_BULK)
				fdp = &cl->bfd;
			else if (i >= 0 && i < cl->n)
				fdp = &cl->c[i].fd;
			else
				continue;
			if (*fdp == -1)
				continue;
			while ((r = recv(*fdp, buf, sizeof(buf), 0)) > 0)
				;
			if (r == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			close(*fdp);
			*fdp = -1;
			left--;
		}
	}
}

/* A connected non-blocking socket that asked for bulk bytes, or -1. */
static int
bulk_connect(const struct sockaddr_in *to, unsigned int rate_kbps)
{
	struct pollfd	 pfd;
	int		 fd, err = 0;
	socklen_t	 len = sizeof(err);

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (connect(fd, (const struct sockaddr *)to, sizeof(*to)) == -1 &&
	    errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, 3000) != 1) {
		errno = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    (errno = err) != 0 || cl_hello(fd, F_BULK, 0, rate_kbps) == -1)
		goto fail;
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

static int
cmd_hold(const char *host, long port, long n, long active,
    unsigned int tick_ms, long rate_kbps, long timeout_ms, long wait_s,
    int rounds)
{
	struct client	 cl;
	int64_t		 t0 = now_us();
	long		 i;
	long		 silent;
	int		 sfd, sig, round, resumed, pushes_lost = 0;
	int		 bulk = rate_kbps >= 0;

	memset(&cl, 0, sizeof(cl));
	cl.n = n;
	cl.tick_ms = tick_ms;
	cl.bfd = -1;
	cl.bulk = bulk;
	cl.rate_kbps = bulk ? (unsigned int)rate_kbps : 0;
	fd_limit(n + 64);
	addr_of(host, port, &cl.to);
	if ((cl.c = calloc((size_t)n, sizeof(*cl.c))) == NULL)
		die("calloc");
	for (i = 0; i < n; i++) {
		cl.c[i].fd = -1;
		cl.c[i].active = i < active;
	}
	sfd = signal_fd();
	if ((cl.ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1");
	ep_ctl(cl.ep, EPOLL_CTL_ADD, sfd, EPOLLIN, KEY_SIG);

	/* 1. connect and exchange once */
	cl_connect_more(&cl);
	sig = cl_loop(&cl, sfd, all_answered, t0 + CONNECT_MS * 1000LL);
	cl_expire(&cl);
	if (bulk) {
		if ((cl.bfd = bulk_connect(&cl.to, cl.rate_kbps)) == -1)
			die("bulk connection to %s:%ld", host, port);
		ep_ctl(cl.ep, EPOLL_CTL_ADD, cl.bfd, EPOLLIN, KEY_BULK);
	}
	cl_report(&cl, "ready", 0, t0, 0, cl.bfd != -1);
	if (sig != 0 || cl_count(&cl, C_IDLE) != n) {
		cl_drain(&cl);
		return 1;
	}

	for (round = 1; round <= rounds; round++) {
		/* 2. hold until told (SIGUSR1) or for wait_s */
		cl_new_round(&cl);
		sig = cl_loop(&cl, sfd, NULL, now_us() + wait_s * 1000000LL);
		if (sig != 0 && sig != SIGUSR1)
			break;
		/*
		 * 3. the server's pushes come through again before we send
		 * anything: a router that lost the state would drop them
		 * (the guard rules) until the client spoke first
		 */
		cl.since = now_us();
		cl_loop(&cl, sfd, all_pushed, cl.since + timeout_ms * 1000LL);
		silent = cl_silent(&cl);
		resumed = cl.bfd != -1 && cl.bulk_last >= cl.since;
		if (silent > 0 || (bulk && !resumed))
			pushes_lost = 1;
		/* 4. exchange again on every connection still alive */
		for (i = 0; i < n; i++) {
			if (cl.c[i].st != C_IDLE)
				continue;
			if (cl_ping(&cl.c[i], (uint64_t)round + 1) == -1)
				cl_fail(&cl.c[i], errno);
			else {
				cl.c[i].st = C_WAIT;
				cl.c[i].want = (uint64_t)round + 1;
			}
		}
		cl_loop(&cl, sfd, all_answered, now_us() + timeout_ms * 1000LL);
		cl_expire(&cl);
		cl_report(&cl, "result", round, t0, silent, resumed);
	}
	if (round <= rounds)
		cl_report(&cl, "interrupted", round, t0, 0, 0);
	cl_drain(&cl);
	return round > rounds && cl_count(&cl, C_IDLE) == n &&
	    cl.bulk_broken == 0 && !pushes_lost ? 0 : 1;
}

/* ------------------------------------------------------------------- udp */

static int
cmd_udp(const char *host, long port, long interval_us, long duration_ms)
{
	struct sockaddr_in to;
	unsigned char	 buf[64], *seen;
	int64_t		 t0, next, end, last_rx = 0, gap_max = 0, t;
	uint64_t	 sent = 0, recvd = 0, dup = 0, seq, first_lost = 0;
	long		 total = duration_ms * 1000 / interval_us, lost_runs = 0;
	long		 run = 0, run_max = 0;
	int		 fd, in_run = 0;
	ssize_t		 n;

	if ((seen = calloc((size_t)total + 1, 1)) == NULL)
		die("calloc");
	addr_of(host, port, &to);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1 || connect(fd, (struct sockaddr *)&to, sizeof(to)) == -1)
		die("udp %s:%ld", host, port);
	udp_buffers(fd);
	signal(SIGPIPE, SIG_IGN);
	t0 = next = now_us();
	end = t0 + duration_ms * 1000LL;
	for (;;) {
		t = now_us();
		while (next <= t && (long)sent < total) {
			memset(buf, 0, sizeof(buf));
			put_be(buf, sent, 8);
			/* a failure (no route yet) is a lost datagram */
			(void)send(fd, buf, sizeof(buf), 0);
			sent++;
			next += interval_us;
		}
		while ((n = recv(fd, buf, sizeof(buf), 0)) >= 8) {
			seq = get_be(buf, 8);
			if (seq >= (uint64_t)total)
				continue;
			if (seen[seq]++) {
				dup++;
				continue;
			}
			recvd++;
			t = now_us();
			if (last_rx != 0 && t - last_rx > gap_max)
				gap_max = t - last_rx;
			last_rx = t;
		}
		if (t >= end + UDP_GRACE_MS * 1000LL || ((long)sent == total &&
		    recvd == sent))
			break;
		t = now_us();
		if ((long)sent < total && next > t)
			usleep((useconds_t)(next - t < 200 ? next - t : 200));
		else if ((long)sent >= total)
			usleep(1000);
	}
	for (seq = 0; seq < sent; seq++) {
		if (!seen[seq] && !in_run) {
			if (lost_runs++ == 0)
				first_lost = seq;
			in_run = 1;
			run = 0;
		} else if (seen[seq])
			in_run = 0;
		if (in_run && ++run > run_max)
			run_max = run;
	}
	printf("udp sent=%" PRIu64 " recv=%" PRIu64 " lost=%" PRIu64
	    " dup=%" PRIu64 " lost_runs=%ld lost_run_max=%ld first_lost=%"
	    PRIu64 " gap_max_ms=%.1f interval_us=%ld\n", sent, recvd,
	    sent - recvd, dup, lost_runs, run_max, lost_runs ? first_lost : 0,
	    gap_max / 1000.0, interval_us);
	free(seen);
	close(fd);
	return 0;
}

/* ----------------------------------------------------------------- flows */

/*
 * N conntrack entries on the way: one datagram to each of N destination
 * ports from as few sockets as the port space needs.  Nothing is expected
 * back (a closed port answers with ICMP, which leaves the entry alone).
 */
static int
cmd_flows(const char *host, long port, long n)
{
	struct sockaddr_in to;
	unsigned char	 buf[16] = "connhold flows";
	long		 i, span = 65535 - port + 1, sent = 0, failed = 0;
	int		 fd = -1;

	addr_of(host, port, &to);
	for (i = 0; i < n; i++) {
		if (i % span == 0) {
			if (fd != -1)
				close(fd);
			if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC,
			    0)) == -1)
				die("socket");
		}
		to.sin_port = htons((uint16_t)(port + i % span));
		if (sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&to,
		    sizeof(to)) == (ssize_t)sizeof(buf))
			sent++;
		else
			failed++;
	}
	if (fd != -1)
		close(fd);
	printf("flows sent=%ld failed=%ld sockets=%ld\n", sent, failed,
	    (n + span - 1) / span);
	return failed == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	const char	*mode, *host = NULL;
	long		 port = 0, n = 0, active = 0, rate = -1, timeout = 10000;
	long		 wait_s = 120, interval = 1000, duration = 0, tick = 50;
	long		 rounds = 1;
	int		 ch;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((ch = getopt(argc, argv, "a:b:c:d:i:n:p:R:t:T:w:")) != -1) {
		switch (ch) {
		case 'a':
			active = num(optarg, 0, 1000000, "-a");
			break;
		case 'b':
			rate = num(optarg, 0, 100000000, "-b");
			break;
		case 'c':
			host = optarg;
			break;
		case 'd':
			duration = num(optarg, 1, 3600000, "-d");
			break;
		case 'i':
			interval = num(optarg, 10, 10000000, "-i");
			break;
		case 'n':
			n = num(optarg, 1, 1000000, "-n");
			break;
		case 'p':
			port = num(optarg, 1, 65535, "-p");
			break;
		case 'R':
			rounds = num(optarg, 1, 100000, "-R");
			break;
		case 't':
			tick = num(optarg, 1, 60000, "-t");
			break;
		case 'T':
			timeout = num(optarg, 1, 600000, "-T");
			break;
		case 'w':
			wait_s = num(optarg, 0, 3600, "-w");
			break;
		default:
			usage();
		}
	}
	if (optind != argc || port == 0)
		usage();
	if (strcmp(mode, "server") == 0)
		return cmd_server(port);
	if (host == NULL)
		usage();
	if (strcmp(mode, "hold") == 0 && n > 0)
		return cmd_hold(host, port, n, active > n ? n : active,
		    (unsigned int)tick, rate, timeout, wait_s, (int)rounds);
	if (strcmp(mode, "udp") == 0 && duration > 0)
		return cmd_udp(host, port, interval, duration);
	if (strcmp(mode, "flows") == 0 && n > 0)
		return cmd_flows(host, port, n);
	usage();
}
