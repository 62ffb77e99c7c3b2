/*
 * route_bench: figures for the host agent's route path.  It prints
 * numbers and never passes or fails on them; it fails only when what it
 * measured did not happen (the kernel does not hold the routes asked for,
 * hostd does not answer), because a benchmark of a no-op is worthless.
 *
 *   route_bench [-r runs] flip N IF_A IF_B
 *	N host routes in 10.200.0.0/16: installed on IF_A, flipped to IF_B,
 *	deleted, three ways: one kroute batch, one `ip route` exec per
 *	route, one `ip -batch` for all.  Medians of `runs` (7) runs.
 *   route_bench latency SOCK N ADDR TAP
 *	Play QEMU's chardev at SOCK for a vrouter-hostd whose registered VM
 *	has that channel, tap TAP and address ADDR; send N STATE frames,
 *	MASTER and BACKUP in turn, and time frame -> route notification and
 *	frame -> ACK; then time `ip route replace` exec -> notification.
 *
 * Run inside a lab namespace as root: bench/routes.sh builds one.  Times
 * are CLOCK_MONOTONIC; every wait is bounded.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "bench.h"
#include "kroute.h"
#include "log.h"
#include "vsp.h"
#include "vsp_stream.h"

#define FLIP_NET	0x0ac80000u	/* 10.200.0.0/16, host order */
#define FLIP_MAX	65534		/* 10.200.0.1 .. 10.200.255.254 */
#define RUNS_DEFAULT	7
#define RUNS_MAX	101
#define WAIT_MS		2000		/* any single answer */
#define ACCEPT_MS	5000		/* hostd's connect backoff tops at 2 s */
#define CHILD_MS	60000		/* one `ip` child, even -batch of 65k */
#define ROUTER_ID	"bench"

static char ip_path[64];
static char proto_str[8];
static const char *sock_made;	/* unlinked at exit */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: route_bench [-r runs] flip N IF_A IF_B\n"
	    "       route_bench latency SOCK N ADDR TAP\n");
	exit(2);
}

static unsigned long
parse_count(const char *s, unsigned long max, const char *what)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v == 0 || v > max)
		fatalx("%s: \"%s\": must be 1..%lu", what, s, max);
	return v;
}

static unsigned int
ifindex_of(const char *name)
{
	unsigned int	 i;

	if ((i = if_nametoindex(name)) == 0)
		fatal("interface %s", name);
	return i;
}

/* The `ip` binary, by absolute path: execve() does not search PATH. */
static void
find_ip(void)
{
	static const char *const dirs[] = {
		"/usr/sbin", "/sbin", "/usr/bin", "/bin", NULL
	};
	size_t		 i;

	for (i = 0; dirs[i] != NULL; i++) {
		snprintf(ip_path, sizeof(ip_path), "%s/ip", dirs[i]);
		if (access(ip_path, X_OK) == 0)
			return;
	}
	fatalx("no ip(8) in /usr/sbin, /sbin, /usr/bin or /bin");
}

/*
 * Fork and execve argv (argv[0] an absolute path), the way the thesis's
 * agent ran `ip`: its own process group, a scrubbed environment, the
 * signal mask cleared, stdin from in_fd (or ours if -1); every other
 * descriptor of ours is close-on-exec.  Returns the child's pid.
 */
static pid_t
spawn(char *const argv[], int in_fd)
{
	static char	*envp[] = {
		"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL
	};
	sigset_t	 none;
	pid_t		 pid;

	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		if (in_fd != -1 && dup2(in_fd, STDIN_FILENO) == -1)
			_exit(126);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	setpgid(pid, pid);
	return pid;
}

/*
 * Wait at most timeout_ms for pid to exit, then kill its process group.
 * SIGCHLD is blocked (main), so sigtimedwait() wakes as the child exits.
 * Returns the exit status (0..255), or fails: a child that dies by a
 * signal or hangs spoils the figure.
 */
static int
reap(pid_t pid, int timeout_ms)
{
	struct timespec	 ts;
	sigset_t	 chld;
	uint64_t	 deadline = now_ns() + (uint64_t)timeout_ms * 1000000;
	pid_t		 rv;
	int		 status, left;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	while ((rv = waitpid(pid, &status, WNOHANG)) != pid) {
		if (rv == -1 && errno != EINTR)
			fatal("waitpid %d", (int)pid);
		if ((left = ms_left(deadline, INT_MAX)) == 0) {
			kill(-pid, SIGKILL);
			waitpid(pid, NULL, 0);
			fatalx("%s: pid %d still running after %d ms: killed",
			    ip_path, (int)pid, timeout_ms);
		}
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (long)(left % 1000) * 1000000;
		sigtimedwait(&chld, NULL, &ts);
	}
	if (!WIFEXITED(status))
		fatalx("%s: pid %d killed by signal %d", ip_path, (int)pid,
		    WTERMSIG(status));
	return WEXITSTATUS(status);
}

/* ---- flip ------------------------------------------------------------ */

enum { M_KROUTE, M_EXEC, M_BATCH, M_COUNT };
enum { P_INSTALL, P_FLIP, P_DELETE, P_COUNT };

static const char *const method_names[M_COUNT] = {
	"kroute", "ip-exec", "ip-batch"
};
static const char *const phase_names[P_COUNT] = {
	"install", "flip", "delete"
};

struct flip {
	struct kr_handle	*kr;
	size_t			 n;
	char			*ifname[2];
	unsigned int		 ifindex[2];
	uint32_t		*addrs;		/* network byte order */
	char			(*astr)[INET_ADDRSTRLEN + 3];	/* "A/32" */
	struct kr_op		*ops;
	char			*text;		/* ip -batch input */
	size_t			 textcap;
	uint8_t			*seen;		/* [65536], by host part */
	uint64_t		 t[M_COUNT][P_COUNT][RUNS_MAX];
};

struct count_ctx {
	struct flip	*f;
	unsigned int	 ifindex;
	size_t		 ours;		/* every route with our protocol */
	size_t		 asked;		/* ours, /32, main, asked-for addr+dev */
};

static void
count_route(const struct kr_route *r, void *arg)
{
	struct count_ctx	*c = arg;
	uint32_t		 h = ntohl(r->addr), off = h & 0xffff;

	c->ours++;
	if (r->plen != 32 || r->table != RT_TABLE_MAIN ||
	    r->ifindex != c->ifindex || (h & 0xffff0000u) != FLIP_NET ||
	    off == 0 || off > c->f->n || c->f->seen[off])
		return;
	c->f->seen[off] = 1;
	c->asked++;
}

/*
 * Check that the kernel holds exactly our N routes on ifindex (0: none of
 * ours at all).  Anything else means the phase did not do its work.
 */
static void
verify(struct flip *f, const char *what, unsigned int ifindex)
{
	struct count_ctx	 c = { f, ifindex, 0, 0 };
	size_t			 want = ifindex != 0 ? f->n : 0;

	memset(f->seen, 0, 65536);
	if (kr_dump(f->kr, 1, count_route, &c) == -1)
		fatal("route dump %s", what);
	if (c.ours != want || c.asked != want)
		fatalx("%s: the kernel holds %zu routes with protocol %s, "
		    "%zu of the %zu asked for on ifindex %u", what, c.ours,
		    proto_str, c.asked, want, ifindex);
}

static uint64_t
run_kroute(struct flip *f, int p, unsigned int ifindex)
{
	uint64_t	 t0, t1;
	size_t		 i;
	int		 failed;

	for (i = 0; i < f->n; i++) {
		memset(&f->ops[i], 0, sizeof(f->ops[i]));
		f->ops[i].cmd = p == P_DELETE ? KR_DELETE : KR_REPLACE;
		f->ops[i].addr = f->addrs[i];
		f->ops[i].ifindex = ifindex;
		f->ops[i].table = RT_TABLE_MAIN;
	}
	t0 = now_ns();
	failed = kr_apply(f->kr, f->ops, f->n);
	t1 = now_ns();
	if (failed == -1)
		fatal("kroute %s of %zu routes", phase_names[p], f->n);
	for (i = 0; failed > 0 && i < f->n; i++)
		if (f->ops[i].error != 0)
			fatalx("kroute %s %s: %s (%d of %zu failed)",
			    phase_names[p], f->astr[i],
			    strerror(f->ops[i].error), failed, f->n);
	return t1 - t0;
}

/* One fork+execve of `ip route VERB A/32 dev IF proto P` per route. */
static uint64_t
run_exec(struct flip *f, int p, char *ifname)
{
	char		*argv[] = {
		ip_path, "route", NULL, NULL, "dev", ifname,
		"proto", proto_str, NULL
	};
	uint64_t	 t0, t1;
	size_t		 i;
	int		 rc;

	argv[2] = p == P_DELETE ? "del" : "replace";
	t0 = now_ns();
	for (i = 0; i < f->n; i++) {
		argv[3] = f->astr[i];
		if ((rc = reap(spawn(argv, -1), CHILD_MS)) != 0)
			fatalx("ip route %s %s dev %s proto %s: exit %d",
			    argv[2], argv[3], ifname, proto_str, rc);
	}
	t1 = now_ns();
	return t1 - t0;
}

/* One `ip -batch -` fed the same N commands through a pipe. */
static uint64_t
run_batch(struct flip *f, int p, char *ifname)
{
	char		*argv[] = { ip_path, "-batch", "-", NULL };
	uint64_t	 t0, t1;
	size_t		 i, len = 0, off;
	ssize_t		 w;
	pid_t		 pid;
	int		 fds[2], rc;

	for (i = 0; i < f->n; i++) {
		int	 k = snprintf(f->text + len, f->textcap - len,
		    "route %s %s dev %s proto %s\n",
		    p == P_DELETE ? "del" : "replace", f->astr[i], ifname,
		    proto_str);

		if (k < 0 || (size_t)k >= f->textcap - len)
			fatalx("ip -batch text longer than %zu bytes",
			    f->textcap);
		len += (size_t)k;
	}
	if (pipe2(fds, O_CLOEXEC) == -1)
		fatal("pipe2");
	t0 = now_ns();
	pid = spawn(argv, fds[0]);
	close(fds[0]);
	for (off = 0; off < len; off += (size_t)w)
		if ((w = write(fds[1], f->text + off, len - off)) == -1) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			log_warn("writing to ip -batch");
			break;
		}
	close(fds[1]);
	rc = reap(pid, CHILD_MS);
	t1 = now_ns();
	if (rc != 0)
		fatalx("ip -batch of %zu \"route %s\" lines: exit %d", f->n,
		    p == P_DELETE ? "del" : "replace", rc);
	return t1 - t0;
}

static double
ms(double ns)
{
	return ns / 1e6;
}

static void
flip_report(struct flip *f, int runs)
{
	double		 med[M_COUNT][P_COUNT];
	uint64_t	 lo[M_COUNT][P_COUNT], hi[M_COUNT][P_COUNT];
	int		 m, p;

	for (m = 0; m < M_COUNT; m++)
		for (p = 0; p < P_COUNT; p++) {
			med[m][p] = samples_median(f->t[m][p], (size_t)runs);
			lo[m][p] = f->t[m][p][0];
			hi[m][p] = f->t[m][p][runs - 1];
		}

	printf("flip: %zu /32 routes in 10.200.0.0/16, %s -> %s, "
	    "protocol %s; median of %d runs, methods interleaved in each "
	    "run; every phase checked by a route dump\n", f->n, f->ifname[0],
	    f->ifname[1], proto_str, runs);
	printf("%-9s %6s %12s %12s %12s %14s\n", "method", "N",
	    "install ms", "flip ms", "delete ms", "flip us/route");
	for (m = 0; m < M_COUNT; m++)
		printf("%-9s %6zu %12.3f %12.3f %12.3f %14.2f\n",
		    method_names[m], f->n, ms(med[m][P_INSTALL]),
		    ms(med[m][P_FLIP]), ms(med[m][P_DELETE]),
		    med[m][P_FLIP] / 1e3 / (double)f->n);
	printf("%-16s %12s %12s %12s\n", "ratio (median)", "install",
	    "flip", "delete");
	for (m = M_EXEC; m < M_COUNT; m++) {
		char	 label[32];

		snprintf(label, sizeof(label), "%s/kroute", method_names[m]);
		printf("%-16s %11.1fx %11.1fx %11.1fx\n", label,
		    med[m][P_INSTALL] / med[M_KROUTE][P_INSTALL],
		    med[m][P_FLIP] / med[M_KROUTE][P_FLIP],
		    med[m][P_DELETE] / med[M_KROUTE][P_DELETE]);
	}
	printf("%-9s %6s %25s %25s %25s\n", "range", "N", "install min-max ms",
	    "flip min-max ms", "delete min-max ms");
	for (m = 0; m < M_COUNT; m++) {
		printf("%-9s %6zu", method_names[m], f->n);
		for (p = 0; p < P_COUNT; p++)
			printf(" %12.3f-%-12.3f", ms((double)lo[m][p]),
			    ms((double)hi[m][p]));
		printf("\n");
	}
}

static int
flip_main(int argc, char *argv[], int runs)
{
	struct flip	*f;
	uint64_t	 start = now_ns();
	size_t		 i;
	int		 r, m, p;

	if (argc != 4)
		usage();
	if ((f = calloc(1, sizeof(*f))) == NULL)
		fatal("calloc");
	f->n = parse_count(argv[1], FLIP_MAX, "N");
	f->ifname[0] = argv[2];
	f->ifname[1] = argv[3];
	f->ifindex[0] = ifindex_of(argv[2]);
	f->ifindex[1] = ifindex_of(argv[3]);
	if (f->ifindex[0] == f->ifindex[1])
		fatalx("IF_A and IF_B are the same interface");
	f->textcap = f->n * 80;
	f->addrs = calloc(f->n, sizeof(*f->addrs));
	f->astr = calloc(f->n, sizeof(*f->astr));
	f->ops = calloc(f->n, sizeof(*f->ops));
	f->text = malloc(f->textcap);
	f->seen = malloc(65536);
	if (f->addrs == NULL || f->astr == NULL || f->ops == NULL ||
	    f->text == NULL || f->seen == NULL)
		fatal("allocating for %zu routes", f->n);
	for (i = 0; i < f->n; i++) {
		char	 a[INET_ADDRSTRLEN];

		f->addrs[i] = htonl(FLIP_NET + (uint32_t)i + 1);
		inet_ntop(AF_INET, &f->addrs[i], a, sizeof(a));
		snprintf(f->astr[i], sizeof(f->astr[i]), "%s/32", a);
	}
	if ((f->kr = kr_open(KR_PROTO_VROUTER)) == NULL)
		fatal("route socket");
	verify(f, "before the first run", 0);

	for (r = 0; r < runs; r++)
		for (m = 0; m < M_COUNT; m++)
			for (p = 0; p < P_COUNT; p++) {
				/* install on IF_A, flip to IF_B, delete */
				int	 to = p == P_INSTALL ? 0 : 1;
				char	 what[64];

				switch (m) {
				case M_KROUTE:
					f->t[m][p][r] = run_kroute(f, p,
					    f->ifindex[to]);
					break;
				case M_EXEC:
					f->t[m][p][r] = run_exec(f, p,
					    f->ifname[to]);
					break;
				default:
					f->t[m][p][r] = run_batch(f, p,
					    f->ifname[to]);
					break;
				}
				snprintf(what, sizeof(what), "run %d, after %s "
				    "%s", r + 1, method_names[m],
				    phase_names[p]);
				verify(f, what, p == P_DELETE ? 0 :
				    f->ifindex[to]);
			}
	flip_report(f, runs);
	printf("flip: wall time %.1f s\n", (double)(now_ns() - start) / 1e9);

	kr_close(f->kr);
	free(f->addrs);
	free(f->astr);
	free(f->ops);
	free(f->text);
	free(f->seen);
	free(f);
	return 0;
}

/* ---- latency --------------------------------------------------------- */

struct lat {
	int			 cfd;		/* the chardev connection */
	struct mnl_socket	*mon;		/* RTNLGRP_IPV4_ROUTE */
	struct kr_handle	*kr;
	uint32_t		 addr;		/* network byte order */
	const char		*addrstr;
	char			*tap;
	unsigned int		 ifindex;
	uint64_t		 epoch;
	uint32_t		 seq;
	struct vsp_reader	 rd;
	struct vsp_msg		 msg;		/* decoded from rd */
	uint8_t			 frame[VSP_MAX_FRAME];
	char			 nlbuf[1 << 16];
	int			 want_type;	/* RTM_NEWROUTE or DELROUTE */
	int			 route_seen;
};

static void
unlink_sock(void)
{
	if (sock_made != NULL)
		unlink(sock_made);
}

/* A route notification: is it the one we wait for? */
static int
route_event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct lat	*l = data;

	if (rtmon_route(nlh, l->addr, l->ifindex) == l->want_type)
		l->route_seen = 1;
	return MNL_CB_OK;
}

/* Read what the monitor socket holds; sets l->route_seen on a match. */
static void
mon_read(struct lat *l)
{
	if (rtmon_drain(l->mon, l->nlbuf, sizeof(l->nlbuf), route_event_cb,
	    l) == -1)
		fatal("route monitor (events lost or bad: figures would be "
		    "wrong)");
}

/*
 * Read what the channel holds.  Returns 1 if a frame of type want was
 * decoded into l->msg (later bytes stay buffered), 0 if not yet.
 */
static int
chan_read(struct lat *l, int want)
{
	uint8_t	*p;
	size_t	 avail;
	ssize_t	 n;

	for (;;) {
		while (vsp_reader_next(&l->rd, &l->msg))
			if (l->msg.hdr.type == want)
				return 1;
		if ((p = vsp_reader_space(&l->rd, &avail)) == NULL)
			fatal("channel buffer");
		n = recv(l->cfd, p, avail, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == -1)
			fatal("channel");
		if (n == 0)
			fatalx("vrouter-hostd closed the channel");
		vsp_reader_commit(&l->rd, (size_t)n);
	}
}

static void
send_state(struct lat *l, uint8_t state)
{
	struct vsp_msg	*m = &l->msg;
	ssize_t		 len, w;
	size_t		 off;

	guest_state(m, ROUTER_ID, l->epoch, ++l->seq, l->addr, state);
	if ((len = vsp_encode(l->frame, sizeof(l->frame), m)) == -1)
		fatal("vsp_encode");
	for (off = 0; off < (size_t)len; off += (size_t)w)
		if ((w = write(l->cfd, l->frame + off, (size_t)len - off)) ==
		    -1) {
			if (errno != EINTR)
				fatal("channel write");
			w = 0;
		}
}

/* The ACK for l->seq must report the result the state asks for. */
static void
check_ack(struct lat *l, uint8_t state)
{
	const struct vsp_ack_msg *a = &l->msg.u.ack;
	uint8_t		 want = state == VSP_ST_MASTER ? VSP_RES_INSTALLED :
			    VSP_RES_WITHDRAWN;
	size_t		 i;

	for (i = 0; i < a->nresults; i++)
		if (a->results[i].addr == l->addr)
			break;
	if (i == a->nresults)
		fatalx("ACK for seq %u has no result for %s", l->seq,
		    l->addrstr);
	if (a->results[i].result != want)
		fatalx("ACK for seq %u (%s): %s %s%s%s", l->seq,
		    vsp_state_name(state), l->addrstr,
		    vsp_result_name(a->results[i].result),
		    a->results[i].reason ? ": " : "",
		    vsp_reason_name(a->results[i].reason));
}

/*
 * One round trip: write a STATE frame, then wait (each at most WAIT_MS)
 * for the route notification and for the matching ACK.
 */
static void
round_trip(struct lat *l, uint8_t state, uint64_t *t_route, uint64_t *t_ack)
{
	struct pollfd	 pfd[2];
	uint64_t	 t0, t, deadline;
	int		 got_ack = 0, rv;

	l->want_type = state == VSP_ST_MASTER ? RTM_NEWROUTE : RTM_DELROUTE;
	l->route_seen = 0;
	pfd[0].fd = mnl_socket_get_fd(l->mon);
	pfd[1].fd = l->cfd;
	pfd[0].events = pfd[1].events = POLLIN;

	t0 = now_ns();
	send_state(l, state);
	deadline = t0 + (uint64_t)WAIT_MS * 1000000;
	while (!l->route_seen || !got_ack) {
		pfd[0].fd = l->route_seen ? -1 : mnl_socket_get_fd(l->mon);
		pfd[1].fd = got_ack ? -1 : l->cfd;
		rv = poll(pfd, 2, ms_left(deadline, INT_MAX));
		t = now_ns();
		if (rv == -1 && errno == EINTR)
			continue;
		if (rv == -1)
			fatal("poll");
		if (rv == 0)
			fatalx("vrouter-hostd did not answer STATE seq %u "
			    "(%s %s) within %d ms: %s", l->seq,
			    vsp_state_name(state), l->addrstr, WAIT_MS,
			    !got_ack && !l->route_seen ? "no ACK, no route "
			    "change" : !got_ack ? "no ACK" : "no route change");
		if (pfd[0].revents != 0) {
			mon_read(l);
			if (l->route_seen)
				*t_route = t - t0;
		}
		if (pfd[1].revents != 0) {
			while (!got_ack && chan_read(l, VSP_ACK)) {
				if (l->msg.u.ack.acked_seq != l->seq ||
				    l->msg.u.ack.acked_epoch != l->epoch)
					continue;	/* an older one */
				check_ack(l, state);
				*t_ack = t - t0;
				got_ack = 1;
			}
		}
	}
}

/* Delete our route to ADDR (untimed) and wait for the kernel to say so. */
static void
exec_undo(struct lat *l)
{
	struct pollfd	 pfd;
	struct kr_op	 op;
	uint64_t	 deadline;

	memset(&op, 0, sizeof(op));
	op.cmd = KR_DELETE;
	op.addr = l->addr;
	op.ifindex = l->ifindex;
	op.table = RT_TABLE_MAIN;
	l->want_type = RTM_DELROUTE;
	l->route_seen = 0;
	if (kr_apply(l->kr, &op, 1) != 0)
		fatalx("deleting %s/32: %s", l->addrstr,
		    strerror(op.error ? op.error : errno));
	deadline = now_ns() + (uint64_t)WAIT_MS * 1000000;
	pfd.fd = mnl_socket_get_fd(l->mon);
	pfd.events = POLLIN;
	while (!l->route_seen) {
		if (poll(&pfd, 1, ms_left(deadline, INT_MAX)) == 0)
			fatalx("no RTM_DELROUTE for %s within %d ms",
			    l->addrstr, WAIT_MS);
		mon_read(l);
	}
}

/* fork+execve `ip route replace ADDR/32 dev TAP proto P` -> notification */
static uint64_t
exec_once(struct lat *l)
{
	char		 dst[INET_ADDRSTRLEN + 3];
	char		*argv[] = {
		ip_path, "route", "replace", dst, "dev",
		l->tap, "proto", proto_str, NULL
	};
	struct pollfd	 pfd;
	uint64_t	 t0, t = 0, deadline;
	pid_t		 pid;
	int		 rc;

	snprintf(dst, sizeof(dst), "%s/32", l->addrstr);
	l->want_type = RTM_NEWROUTE;
	l->route_seen = 0;
	pfd.fd = mnl_socket_get_fd(l->mon);
	pfd.events = POLLIN;
	t0 = now_ns();
	pid = spawn(argv, -1);
	deadline = t0 + (uint64_t)WAIT_MS * 1000000;
	while (!l->route_seen) {
		if (poll(&pfd, 1, ms_left(deadline, INT_MAX)) == 0) {
			reap(pid, WAIT_MS);
			fatalx("no RTM_NEWROUTE for %s within %d ms of exec",
			    dst, WAIT_MS);
		}
		t = now_ns();
		mon_read(l);
	}
	if ((rc = reap(pid, WAIT_MS)) != 0)
		fatalx("ip route replace %s dev %s: exit %d", dst, l->tap, rc);
	return t - t0;
}

static void
lat_line(const char *what, uint64_t *v, size_t n)
{
	double	 med = samples_median(v, n);

	printf("%-34s %6zu %10.1f %10.1f %10.1f %10.1f\n", what, n, med / 1e3,
	    (double)v[pctl_index(n, 99)] / 1e3, (double)v[0] / 1e3,
	    (double)v[n - 1] / 1e3);
}

struct gone_ctx {
	uint32_t	 addr;
	size_t		 found;
};

static void
find_addr(const struct kr_route *r, void *arg)
{
	struct gone_ctx	*g = arg;

	if (r->addr == g->addr && r->plen == 32)
		g->found++;
}

static int
latency_main(int argc, char *argv[])
{
	struct lat	*l;
	struct pollfd	 pfd;
	struct gone_ctx	 gone;
	uint64_t	*t_route, *t_ack, *t_add, *t_del, *t_exec;
	uint64_t	*a_add, *a_del;
	size_t		 n, i, nadd = 0, ndel = 0, nexec;
	int		 lfd;
	double		 m_exec, m_add;

	if (argc != 5)
		usage();
	if ((l = calloc(1, sizeof(*l))) == NULL)
		fatal("calloc");
	n = parse_count(argv[2], 1000000, "N");
	n += n % 2;	/* end on BACKUP: the route ends withdrawn */
	nexec = n / 10 > 0 ? n / 10 : 1;
	l->addrstr = argv[3];
	l->tap = argv[4];
	if (inet_pton(AF_INET, l->addrstr, &l->addr) != 1)
		fatalx("\"%s\": not an IPv4 address", l->addrstr);
	l->ifindex = ifindex_of(l->tap);
	l->epoch = boot_epoch();
	t_route = calloc(n, sizeof(*t_route));
	t_ack = calloc(n, sizeof(*t_ack));
	t_add = calloc(n, sizeof(*t_add));
	t_del = calloc(n, sizeof(*t_del));
	t_exec = calloc(nexec, sizeof(*t_exec));
	a_add = calloc(n, sizeof(*a_add));
	a_del = calloc(n, sizeof(*a_del));
	if (t_route == NULL || t_ack == NULL || t_add == NULL ||
	    t_del == NULL || t_exec == NULL || a_add == NULL || a_del == NULL)
		fatal("calloc");

	if ((l->kr = kr_open(KR_PROTO_VROUTER)) == NULL)
		fatal("route socket");
	l->mon = rtmon_open(RTNLGRP_IPV4_ROUTE, 1 << 20);

	/* QEMU's side of the chardev; hostd connects with backoff. */
	lfd = chardev_listen(argv[1], 0);
	sock_made = argv[1];
	pfd.fd = lfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ACCEPT_MS) != 1)
		fatalx("vrouter-hostd did not connect to %s within %d ms",
		    argv[1], ACCEPT_MS);
	if ((l->cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		fatal("accept %s", argv[1]);
	close(lfd);
	vsp_reader_init(&l->rd, VSP_MAX_FRAME);
	pfd.fd = l->cfd;
	if (poll(&pfd, 1, WAIT_MS) != 1 || !chan_read(l, VSP_HELLO))
		fatalx("no HELLO from vrouter-hostd within %d ms", WAIT_MS);
	printf("latency: hostd \"%s\" said HELLO (versions %u..%u)\n",
	    l->msg.u.hello.host, l->msg.u.hello.min_version,
	    l->msg.u.hello.max_version);

	for (i = 0; i < n; i++) {
		uint8_t	 st = i % 2 == 0 ? VSP_ST_MASTER : VSP_ST_BACKUP;

		round_trip(l, st, &t_route[i], &t_ack[i]);
		if (st == VSP_ST_MASTER) {
			a_add[nadd] = t_ack[i];
			t_add[nadd++] = t_route[i];
		} else {
			a_del[ndel] = t_ack[i];
			t_del[ndel++] = t_route[i];
		}
	}
	for (i = 0; i < nexec; i++) {
		t_exec[i] = exec_once(l);
		exec_undo(l);
	}

	memset(&gone, 0, sizeof(gone));
	gone.addr = l->addr;
	if (kr_dump(l->kr, 1, find_addr, &gone) == -1)
		fatal("route dump");
	if (gone.found != 0)
		fatalx("%s/32 still routed after the last BACKUP", l->addrstr);

	printf("latency: %zu STATE frames to vrouter-hostd (%zu MASTER, %zu "
	    "BACKUP in turn), %s/32 dev %s, protocol %s; %zu execs of ip\n",
	    n, nadd, ndel, l->addrstr, l->tap, proto_str, nexec);
	printf("%-34s %6s %10s %10s %10s %10s\n", "path", "n", "median us",
	    "p99 us", "min us", "max us");
	lat_line("hostd frame -> route (all)", t_route, n);
	lat_line("hostd frame -> route (MASTER add)", t_add, nadd);
	lat_line("hostd frame -> route (BACKUP del)", t_del, ndel);
	lat_line("hostd frame -> ACK (all)", t_ack, n);
	lat_line("hostd frame -> ACK (MASTER)", a_add, nadd);
	lat_line("hostd frame -> ACK (BACKUP)", a_del, ndel);
	lat_line("exec ip route replace -> route", t_exec, nexec);
	m_add = samples_median(t_add, nadd);
	m_exec = samples_median(t_exec, nexec);
	printf("ratio exec/hostd (route add, median): %.1fx\n",
	    m_exec / m_add);

	close(l->cfd);
	vsp_reader_free(&l->rd);
	mnl_socket_close(l->mon);
	kr_close(l->kr);
	free(t_route);
	free(t_ack);
	free(t_add);
	free(t_del);
	free(t_exec);
	free(a_add);
	free(a_del);
	free(l);
	return 0;
}

int
main(int argc, char *argv[])
{
	sigset_t chld;
	int	 ch, runs = RUNS_DEFAULT;

	log_init(1, "route_bench", LOG_USER);
	while ((ch = getopt(argc, argv, "+r:")) != -1) {
		switch (ch) {
		case 'r':
			runs = (int)parse_count(optarg, RUNS_MAX, "-r");
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);	/* for reap() */
	setvbuf(stdout, NULL, _IOLBF, 0);
	find_ip();
	snprintf(proto_str, sizeof(proto_str), "%u", KR_PROTO_VROUTER);
	atexit(unlink_sock);
	if (strcmp(argv[0], "flip") == 0)
		return flip_main(argc, argv, runs);
	if (strcmp(argv[0], "latency") == 0)
		return latency_main(argc, argv);
	usage();
}
