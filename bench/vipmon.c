/*
 * vipmon: a timeline of whether a hypervisor routes a VIP, for the fault
 * matrix (bench/faults.sh, tests/integration/t_faults.sh), which merges
 * the timelines of both hypervisors into the time both held the route and
 * the time neither did.  Run it inside the hypervisor's namespace:
 *
 *   vipmon ADDR SECONDS
 *
 * It prints "T N": N the number of ADDR/32 routes with our protocol
 * (KR_PROTO_VROUTER) in any table, T the time in microseconds since the
 * epoch.  One line at start, then one each time N changes, for at most
 * SECONDS or until SIGTERM/SIGINT.
 *
 * Event driven, not polled: any route or link notification makes it dump
 * the routes again and T is when that notification arrived.  A dump, not
 * the notification itself, decides N, because the kernel flushes the
 * routes of a device that goes down without an RTM_DELROUTE (kroute.h).
 * T is CLOCK_REALTIME, the one clock two namespaces and the shell's
 * `date +%s%3N` share; each line is flushed at once.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "bench.h"
#include "kroute.h"
#include "log.h"

#define SECONDS_MAX	86400
#define DUMP_TRIES	10	/* a dump interrupted by a change: again */
#define POLL_MS		500	/* at most, between checks of the end */

struct vip_count {
	uint32_t	 addr;	/* network byte order */
	int		 n;
};

static volatile sig_atomic_t stop;

static void
on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
real_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
count_cb(const struct kr_route *r, void *arg)
{
	struct vip_count	*c = arg;

	if (r->plen == 32 && r->addr == c->addr)
		c->n++;
}

/* The routes to c->addr now; fatal if the kernel cannot say. */
static int
vip_routes(struct kr_handle *kr, struct vip_count *c)
{
	int	 i;

	for (i = 0; i < DUMP_TRIES; i++) {
		c->n = 0;
		if (kr_dump(kr, 1, count_cb, c) == 0)
			return c->n;
		if (errno != EINTR)
			break;
	}
	fatal("route dump");
}

/* Notifications only wake us up: what they say, the dump tells. */
static int
ignore_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	return MNL_CB_OK;
}

int
main(int argc, char *argv[])
{
	static char		 buf[1 << 16];
	struct vip_count	 c;
	struct mnl_socket	*mon;
	struct kr_handle	*kr;
	struct pollfd		 pfd;
	struct sigaction	 sa;
	uint64_t		 end, t;
	unsigned long		 secs;
	char			*p;
	int			 grp = RTNLGRP_LINK, last, n;

	log_init(1, "vipmon", LOG_USER);
	if (argc != 3) {
		fprintf(stderr, "usage: vipmon ADDR SECONDS\n");
		return 2;
	}
	if (inet_pton(AF_INET, argv[1], &c.addr) != 1)
		fatalx("\"%s\": not an IPv4 address", argv[1]);
	errno = 0;
	secs = strtoul(argv[2], &p, 10);
	if (argv[2][0] < '0' || argv[2][0] > '9' || *p != '\0' ||
	    errno != 0 || secs == 0 || secs > SECONDS_MAX)
		fatalx("SECONDS: \"%s\": must be 1..%d", argv[2], SECONDS_MAX);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("sigaction");

	/* Subscribe before the first dump, so no change falls between. */
	mon = rtmon_open(RTNLGRP_IPV4_ROUTE, 1 << 20);
	if (mnl_socket_setsockopt(mon, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp)) == -1)
		fatal("joining rtnetlink group %d", grp);
	if ((kr = kr_open(KR_PROTO_VROUTER)) == NULL)
		fatal("route socket");

	end = now_ns() + (uint64_t)secs * 1000000000u;
	t = real_us();
	last = vip_routes(kr, &c);
	printf("%llu %d\n", (unsigned long long)t, last);
	fflush(stdout);

	pfd.fd = mnl_socket_get_fd(mon);
	pfd.events = POLLIN;
	while (!stop && now_ns() < end) {
		n = poll(&pfd, 1, ms_left(end, POLL_MS));
		if (n == -1 && errno != EINTR)
			fatal("poll");
		if (n <= 0)
			continue;
		t = real_us();
		/* ENOBUFS: notifications were lost; the dump still tells. */
		if (rtmon_drain(mon, buf, sizeof(buf), ignore_cb, NULL) == -1 &&
		    errno != ENOBUFS)
			fatal("route monitor");
		if ((n = vip_routes(kr, &c)) != last) {
			printf("%llu %d\n", (unsigned long long)t, n);
			fflush(stdout);
			last = n;
		}
	}
	kr_close(kr);
	mnl_socket_close(mon);
	return 0;
}
