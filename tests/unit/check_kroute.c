/*
 * Unit tests for kroute: the route-message parser, and routes made,
 * replaced, deleted, dumped and watched in the kernel.  check forks each
 * test, so a test that needs the kernel moves its own process into a new
 * network namespace (loopback up, a tun device as a second link) and
 * leaves the host's routes alone.  Without the right to do so (EPERM: not
 * root) such a test passes with a note on stderr.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "kroute.h"
#include "suites.h"

#define TABLE		100
#define NET		0x0a010000u	/* 10.1.0.0, host order */
#define SEEN_MAX	(1 << 17)	/* addresses from NET the tests use */
#define FOREIGN		42		/* another daemon's protocol */

static unsigned int	 lo;		/* ifindex of lo */
static unsigned int	 tun;		/* ifindex of kr0, 0 if none */

static uint32_t
addr_of(size_t i)
{
	return htonl(NET + (uint32_t)i);
}

static void
set_up(const char *name, int up)
{
	struct ifreq	 ifr;
	int		 s;

	ck_assert_int_ne(s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), -1);
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, sizeof(ifr.ifr_name) - 1);
	ck_assert_msg(ioctl(s, SIOCGIFFLAGS, &ifr) == 0, "SIOCGIFFLAGS %s: %s",
	    name, strerror(errno));
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	ck_assert_msg(ioctl(s, SIOCSIFFLAGS, &ifr) == 0, "SIOCSIFFLAGS %s: %s",
	    name, strerror(errno));
	close(s);
}

/*
 * Move this (forked) test into a network namespace of its own, with lo
 * up and a tun device kr0 up.  Returns 0 when not permitted: skip.
 */
static int
private_netns(void)
{
	struct ifreq	 ifr;
	const char	*fork_env = getenv("CK_FORK");
	int		 fd;

	if (fork_env != NULL && strcmp(fork_env, "no") == 0) {
		fprintf(stderr, "kroute: %s: skipped: needs CK_FORK\n",
		    tcase_name());
		return 0;
	}
	if (unshare(CLONE_NEWNET) == -1) {
		ck_assert_msg(errno == EPERM, "unshare(CLONE_NEWNET): %s",
		    strerror(errno));
		fprintf(stderr, "kroute: %s: skipped: unshare(CLONE_NEWNET): "
		    "%s (needs root)\n", tcase_name(), strerror(errno));
		return 0;
	}
	set_up("lo", 1);
	ck_assert_uint_ne(lo = if_nametoindex("lo"), 0);
	/* The fd stays open (and kr0 with it) until the test exits. */
	tun = 0;
	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) == -1)
		return 1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "kr0");
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) == 0) {
		set_up("kr0", 1);
		tun = if_nametoindex("kr0");
	}
	return 1;
}

#define NEED_NETNS()	do { if (!private_netns()) return; } while (0)
#define NEED_TUN()	do {						\
	if (tun == 0) {							\
		fprintf(stderr, "kroute: %s: skipped: no tun device\n",	\
		    tcase_name());					\
		return;							\
	}								\
} while (0)

/* ---- what the kernel holds -------------------------------------------- */

/* Routes in TABLE under NET, by offset: protocol and device (0: absent). */
struct seen {
	size_t		 n;		/* routes in TABLE, any address */
	size_t		 ours;		/* ... of protocol KR_PROTO_VROUTER */
	uint8_t		*proto;
	unsigned int	*ifindex;
};

static void
seen_cb(const struct kr_route *r, void *arg)
{
	struct seen	*s = arg;
	uint32_t	 off = ntohl(r->addr) - NET;

	if (r->table != TABLE)
		return;
	s->n++;
	if (r->protocol == KR_PROTO_VROUTER)
		s->ours++;
	ck_assert_uint_eq(r->plen, 32);
	ck_assert_uint_lt(off, SEEN_MAX);
	ck_assert_msg(s->ifindex[off] == 0, "route %u twice in the dump", off);
	s->proto[off] = r->protocol;
	s->ifindex[off] = r->ifindex;
}

static struct seen *
seen_dump(struct kr_handle *kr, int ours_only)
{
	struct seen	*s;

	ck_assert_ptr_nonnull(s = calloc(1, sizeof(*s)));
	ck_assert_ptr_nonnull(s->proto = calloc(SEEN_MAX, 1));
	ck_assert_ptr_nonnull(s->ifindex = calloc(SEEN_MAX,
	    sizeof(*s->ifindex)));
	ck_assert_msg(kr_dump(kr, ours_only, seen_cb, s) == 0, "kr_dump: %s",
	    strerror(errno));
	return s;
}

static void
seen_free(struct seen *s)
{
	free(s->proto);
	free(s->ifindex);
	free(s);
}

static struct kr_op *
ops_make(size_t n, uint8_t cmd, unsigned int ifindex)
{
	struct kr_op	*ops;
	size_t		 i;

	ck_assert_ptr_nonnull(ops = calloc(n, sizeof(*ops)));
	for (i = 0; i < n; i++) {
		ops[i].cmd = cmd;
		ops[i].addr = addr_of(i);
		ops[i].ifindex = ifindex;
		ops[i].table = TABLE;
		ops[i].error = -12345;	/* must be overwritten */
	}
	return ops;
}

/* One op on address i; returns its error after checking kr_apply's. */
static int
apply1(struct kr_handle *kr, uint8_t cmd, size_t i, unsigned int ifindex)
{
	struct kr_op	 op;
	int		 rv;

	memset(&op, 0, sizeof(op));
	op.cmd = cmd;
	op.addr = addr_of(i);
	op.ifindex = ifindex;
	op.table = TABLE;
	op.error = -12345;
	rv = kr_apply(kr, &op, 1);
	ck_assert_int_eq(rv, op.error != 0);
	return op.error;
}

/* ---- the parser -------------------------------------------------------- */

/* A route message as the kernel writes one, into buf. */
static struct nlmsghdr *
route_msg(void *buf, uint16_t type, uint8_t family, uint8_t plen)
{
	struct nlmsghdr	*nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg	*rtm;

	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = KR_PROTO_VROUTER;
	rtm->rtm_scope = RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_tos = 0;
	return nlh;
}

START_TEST(parse_bad)
{
	uint32_t	 buf[256];
	struct nlmsghdr	*nlh;
	struct kr_route	 r;

	/* Truncated: shorter than its rtmsg. */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4;
	errno = 0;
	ck_assert_int_eq(kr_route_parse(nlh, &r), -1);
	ck_assert_int_eq(errno, EBADMSG);

	/* A prefix longer than 32. */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 33);
	mnl_attr_put_u32(nlh, RTA_DST, htonl(0x0a000001));
	ck_assert_int_eq(kr_route_parse(nlh, &r), -1);
	ck_assert_int_eq(errno, EBADMSG);

	/* A /32 without its destination. */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	ck_assert_int_eq(kr_route_parse(nlh, &r), -1);
	ck_assert_int_eq(errno, EBADMSG);

	/* Attributes of the wrong size. */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	mnl_attr_put_u16(nlh, RTA_DST, 10);
	ck_assert_int_eq(kr_route_parse(nlh, &r), -1);
	nlh = route_msg(buf, RTM_DELROUTE, AF_INET, 32);
	mnl_attr_put_u32(nlh, RTA_DST, htonl(0x0a000001));
	mnl_attr_put_u64(nlh, RTA_OIF, 3);
	ck_assert_int_eq(kr_route_parse(nlh, &r), -1);
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	mnl_attr_put_u32(nlh, RTA_DST, htonl(0x0a000001));
	mnl_attr_put_u8(nlh, RTA_PRIORITY, 1);
	ck_assert_int_eq(kr_route_parse(nlh, &r), -1);
	ck_assert_int_eq(errno, EBADMSG);

	/*
	 * A length of 2 GiB or more, which libmnl 1.0.4's mnl_nlmsg_ok()
	 * lets through: refused from the header, whatever the type (found
	 * by fuzz_kroute).
	 */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	mnl_attr_put_u32(nlh, RTA_DST, htonl(0x0a000001));
	nlh->nlmsg_len = 0xffffffffu;
	errno = 0;
	ck_assert_int_eq(kr_route_parse(nlh, &r), -1);
	ck_assert_int_eq(errno, EBADMSG);
	nlh->nlmsg_type = NLMSG_NOOP;
	nlh->nlmsg_len = 0x80000000u;
	ck_assert_int_eq(kr_route_parse(nlh, &r), -1);

	/*
	 * An attribute that ends past nlmsg_len is not read, even when
	 * nlmsg_len is not a multiple of 4 (mnl_attr_parse() would read up
	 * to the rounded-up length; found by fuzz_kroute).
	 */
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	mnl_attr_put_u32(nlh, RTA_DST, htonl(0x0a000001));
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	nlh->nlmsg_len -= 2;
	ck_assert_int_eq(kr_route_parse(nlh, &r), 0);
	ck_assert_uint_eq(r.addr, htonl(0x0a000001));
	ck_assert_uint_eq(r.ifindex, 0);

	/* Not an IPv4 route: left alone, *r untouched. */
	memset(&r, 0xa5, sizeof(r));
	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET6, 128);
	ck_assert_int_eq(kr_route_parse(nlh, &r), 1);
	nlh = route_msg(buf, RTM_NEWLINK, AF_INET, 32);
	ck_assert_int_eq(kr_route_parse(nlh, &r), 1);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	ck_assert_int_eq(kr_route_parse(nlh, &r), 1);
	ck_assert_uint_eq(r.plen, 0xa5);
}
END_TEST

START_TEST(parse_good)
{
	uint32_t	 buf[256];
	struct nlmsghdr	*nlh;
	struct kr_route	 r;

	nlh = route_msg(buf, RTM_NEWROUTE, AF_INET, 32);
	mnl_attr_put_u32(nlh, RTA_TABLE, 1000);
	mnl_attr_put_u32(nlh, RTA_DST, htonl(0x0a010203));
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	mnl_attr_put_u32(nlh, RTA_OIF, 7);
	mnl_attr_put_u32(nlh, RTA_MAX + 5, 1);	/* newer than us: skipped */
	memset(&r, 0xa5, sizeof(r));
	ck_assert_int_eq(kr_route_parse(nlh, &r), 0);
	ck_assert_uint_eq(r.addr, htonl(0x0a010203));
	ck_assert_uint_eq(r.plen, 32);
	ck_assert_uint_eq(r.protocol, KR_PROTO_VROUTER);
	ck_assert_uint_eq(r.type, RTN_UNICAST);
	ck_assert_uint_eq(r.scope, RT_SCOPE_LINK);
	ck_assert_uint_eq(r.tos, 0);
	ck_assert_uint_eq(r.ifindex, 7);
	ck_assert_uint_eq(r.table, 1000);	/* RTA_TABLE over rtm_table */
	ck_assert_uint_eq(r.priority, 20);

	/* A default route: no RTA_DST, no device; rtm_table, no metric. */
	nlh = route_msg(buf, RTM_DELROUTE, AF_INET, 0);
	memset(&r, 0xa5, sizeof(r));
	ck_assert_int_eq(kr_route_parse(nlh, &r), 0);
	ck_assert_uint_eq(r.addr, 0);
	ck_assert_uint_eq(r.plen, 0);
	ck_assert_uint_eq(r.ifindex, 0);
	ck_assert_uint_eq(r.table, RT_TABLE_MAIN);
	ck_assert_uint_eq(r.priority, 0);
}
END_TEST

START_TEST(handles_null)
{
	errno = EXDEV;
	kr_close(NULL);
	kr_monitor_close(NULL);
	ck_assert_int_eq(errno, EXDEV);
}
END_TEST

/* ---- kr_apply ---------------------------------------------------------- */

/* Both sockets suit an event loop and stay out of exec'd children. */
START_TEST(sockets_flags)
{
	struct kr_handle	*kr;
	struct kr_monitor	*mon;
	int			 fd;

	NEED_NETNS();
	ck_assert_ptr_nonnull(kr = kr_open(KR_PROTO_VROUTER));
	ck_assert_ptr_nonnull(mon = kr_monitor_open());
	fd = kr_fd(kr);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	fd = kr_monitor_fd(mon);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	kr_monitor_close(mon);
	kr_close(kr);
}
END_TEST

START_TEST(apply_semantics)
{
	struct kr_handle	*kr;
	struct seen		*s;

	NEED_NETNS();
	NEED_TUN();
	ck_assert_ptr_nonnull(kr = kr_open(KR_PROTO_VROUTER));
	ck_assert_int_eq(kr_protocol(kr), KR_PROTO_VROUTER);
	ck_assert_int_eq(kr_apply(kr, NULL, 0), 0);

	/* Create, then create again: EEXIST. */
	ck_assert_int_eq(apply1(kr, KR_CREATE, 1, lo), 0);
	ck_assert_int_eq(apply1(kr, KR_CREATE, 1, lo), EEXIST);
	ck_assert_int_eq(apply1(kr, KR_CREATE, 1, tun), EEXIST);
	s = seen_dump(kr, 1);
	ck_assert_uint_eq(s->n, 1);
	ck_assert_uint_eq(s->ifindex[1], lo);
	ck_assert_uint_eq(s->proto[1], KR_PROTO_VROUTER);
	seen_free(s);

	/* Replace moves it; replace of an absent one creates it. */
	ck_assert_int_eq(apply1(kr, KR_REPLACE, 1, tun), 0);
	ck_assert_int_eq(apply1(kr, KR_REPLACE, 2, lo), 0);
	s = seen_dump(kr, 1);
	ck_assert_uint_eq(s->n, 2);
	ck_assert_uint_eq(s->ifindex[1], tun);
	ck_assert_uint_eq(s->ifindex[2], lo);
	seen_free(s);

	/* Delete on another device: ESRCH from the kernel, success here. */
	ck_assert_int_eq(apply1(kr, KR_DELETE, 1, lo), 0);
	s = seen_dump(kr, 1);
	ck_assert_uint_eq(s->ifindex[1], tun);
	seen_free(s);
	ck_assert_int_eq(apply1(kr, KR_DELETE, 1, tun), 0);
	ck_assert_int_eq(apply1(kr, KR_DELETE, 1, tun), 0);	/* absent */
	ck_assert_int_eq(apply1(kr, KR_DELETE, 2, 0), 0);	/* any dev */
	s = seen_dump(kr, 0);
	ck_assert_uint_eq(s->n, 0);
	seen_free(s);

	/* The kernel's own refusals come back as they are. */
	ck_assert_int_eq(apply1(kr, KR_CREATE, 3, 99999), ENODEV);
	set_up("kr0", 0);
	ck_assert_int_eq(apply1(kr, KR_REPLACE, 3, tun), ENETDOWN);
	s = seen_dump(kr, 0);
	ck_assert_uint_eq(s->n, 0);
	seen_free(s);
	kr_close(kr);
}
END_TEST

START_TEST(apply_foreign)
{
	struct kr_handle	*kr, *other;
	struct seen		*s;

	NEED_NETNS();
	ck_assert_ptr_nonnull(kr = kr_open(KR_PROTO_VROUTER));
	ck_assert_ptr_nonnull(other = kr_open(FOREIGN));
	ck_assert_int_eq(apply1(other, KR_CREATE, 5, lo), 0);

	/* Never created over, never deleted, on its device or any. */
	ck_assert_int_eq(apply1(kr, KR_CREATE, 5, lo), EEXIST);
	ck_assert_int_eq(apply1(kr, KR_DELETE, 5, lo), 0);
	ck_assert_int_eq(apply1(kr, KR_DELETE, 5, 0), 0);
	s = seen_dump(kr, 0);
	ck_assert_uint_eq(s->n, 1);
	ck_assert_uint_eq(s->ours, 0);
	ck_assert_uint_eq(s->proto[5], FOREIGN);
	ck_assert_uint_eq(s->ifindex[5], lo);
	seen_free(s);
	s = seen_dump(kr, 1);		/* ours_only */
	ck_assert_uint_eq(s->n, 0);
	seen_free(s);
	s = seen_dump(other, 1);
	ck_assert_uint_eq(s->n, 1);
	seen_free(s);

	/* KR_REPLACE takes any route at its key (documented). */
	ck_assert_int_eq(apply1(kr, KR_REPLACE, 5, lo), 0);
	s = seen_dump(kr, 0);
	ck_assert_uint_eq(s->n, 1);
	ck_assert_uint_eq(s->proto[5], KR_PROTO_VROUTER);
	seen_free(s);
	kr_close(other);
	kr_close(kr);
}
END_TEST

/*
 * A batch over several sendmsg() calls where some ops fail: every op's
 * error is its own.
 */
START_TEST(apply_mixed)
{
	struct kr_handle	*kr, *other;
	struct kr_op		*ops;
	struct seen		*s;
	size_t			 i, n = 6000, want = 0;

	NEED_NETNS();
	ck_assert_ptr_nonnull(kr = kr_open(KR_PROTO_VROUTER));
	ck_assert_ptr_nonnull(other = kr_open(FOREIGN));
	ops = ops_make(n, KR_CREATE, lo);
	for (i = 0; i < n; i += 7)
		ck_assert_int_eq(apply1(other, KR_CREATE, i, lo), 0);
	for (i = 0; i < n; i++) {
		if (i % 5 == 1)
			ops[i].cmd = KR_DELETE;	/* absent: fine */
		if (i % 7 == 0 && ops[i].cmd == KR_CREATE)
			want++;
	}
	ck_assert_int_eq(kr_apply(kr, ops, n), (int)want);
	for (i = 0; i < n; i++)
		ck_assert_msg(ops[i].error == (i % 7 == 0 && i % 5 != 1 ?
		    EEXIST : 0), "op %zu: error %d", i, ops[i].error);
	s = seen_dump(kr, 0);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(s->proto[i], i % 7 == 0 ? FOREIGN :
		    i % 5 == 1 ? 0 : KR_PROTO_VROUTER);
	seen_free(s);
	free(ops);
	kr_close(other);
	kr_close(kr);
}
END_TEST

/*
 * Acks lost to a full receive buffer: acked ops carry their answer, the
 * rest of that batch is KR_EUNKNOWN, later batches ECANCELED; the socket
 * is clean for the next call.
 */
START_TEST(apply_lost_acks)
{
	struct kr_handle	*kr, *other;
	struct kr_op		*ops;
	struct seen		*s;
	size_t			 i, n = 6000, acked = 0, unknown = 0;
	size_t			 canceled = 0;
	int			 small = 1, big = 8 * 1024 * 1024;

	NEED_NETNS();
	ck_assert_ptr_nonnull(kr = kr_open(KR_PROTO_VROUTER));
	ck_assert_ptr_nonnull(other = kr_open(FOREIGN));
	for (i = 0; i < n; i += 10)
		ck_assert_int_eq(apply1(other, KR_CREATE, i, lo), 0);
	ck_assert_int_eq(setsockopt(kr_fd(kr), SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)), 0);
	ops = ops_make(n, KR_CREATE, lo);
	errno = 0;
	ck_assert_int_eq(kr_apply(kr, ops, n), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	s = seen_dump(kr, 0);
	for (i = 0; i < n; i++) {
		switch (ops[i].error) {
		case ECANCELED:
			canceled++;
			ck_assert_msg(s->proto[i] == (i % 10 == 0 ? FOREIGN :
			    0), "op %zu canceled but applied", i);
			break;
		case KR_EUNKNOWN:
			unknown++;
			ck_assert_msg(canceled == 0, "op %zu unknown after "
			    "a canceled one", i);
			/* The kernel did run it; only the ack is gone. */
			ck_assert_uint_eq(s->proto[i], i % 10 == 0 ? FOREIGN :
			    KR_PROTO_VROUTER);
			break;
		default:
			acked++;
			ck_assert_msg(unknown == 0 && canceled == 0,
			    "op %zu acked after a lost ack", i);
			ck_assert_int_eq(ops[i].error, i % 10 == 0 ? EEXIST :
			    0);
			ck_assert_uint_eq(s->proto[i], i % 10 == 0 ? FOREIGN :
			    KR_PROTO_VROUTER);
			break;
		}
	}
	seen_free(s);
	ck_assert_uint_gt(acked, 0);
	ck_assert_uint_gt(unknown, 0);
	ck_assert_uint_gt(canceled, 0);
	fprintf(stderr, "kroute: lost acks: %zu acked, %zu unknown, %zu "
	    "canceled\n", acked, unknown, canceled);

	/* No stale ack or error answers the next call. */
	ck_assert_int_eq(setsockopt(kr_fd(kr), SOL_SOCKET, SO_RCVBUFFORCE,
	    &big, sizeof(big)), 0);
	free(ops);
	ops = ops_make(n, KR_DELETE, lo);
	ck_assert_int_eq(kr_apply(kr, ops, n), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(ops[i].error, 0);
	s = seen_dump(kr, 0);
	ck_assert_uint_eq(s->ours, 0);
	ck_assert_uint_eq(s->n, (n + 9) / 10);
	seen_free(s);
	free(ops);
	kr_close(other);
	kr_close(kr);
}
END_TEST

/* n routes installed on lo, moved to kr0 (or replaced), deleted. */
static void
batch(size_t n)
{
	struct kr_handle	*kr;
	struct kr_op		*ops;
	struct seen		*s;
	unsigned int		 to = tun != 0 ? tun : lo;
	size_t			 i;

	ck_assert_ptr_nonnull(kr = kr_open(KR_PROTO_VROUTER));
	ops = ops_make(n, KR_CREATE, lo);
	ck_assert_int_eq(kr_apply(kr, ops, n), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(ops[i].error, 0);
	s = seen_dump(kr, 1);
	ck_assert_uint_eq(s->n, n);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(s->ifindex[i], lo);
	seen_free(s);

	free(ops);
	ops = ops_make(n, KR_REPLACE, to);
	ck_assert_int_eq(kr_apply(kr, ops, n), 0);
	s = seen_dump(kr, 1);
	ck_assert_uint_eq(s->n, n);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(s->ifindex[i], to);
	seen_free(s);

	free(ops);
	ops = ops_make(n, KR_DELETE, to);
	ck_assert_int_eq(kr_apply(kr, ops, n), 0);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(ops[i].error, 0);
	s = seen_dump(kr, 0);
	ck_assert_uint_eq(s->n, 0);
	seen_free(s);
	free(ops);
	kr_close(kr);
}

START_TEST(batch_5000)
{
	NEED_NETNS();
	batch(5000);
}
END_TEST

START_TEST(batch_100000)
{
	NEED_NETNS();
	batch(100000);
}
END_TEST

/* ---- the monitor ------------------------------------------------------- */

struct mirror {
	size_t		 news, dels;
	size_t		 n;		/* routes in TABLE in the mirror */
	uint8_t		 proto[SEEN_MAX];
	unsigned int	 ifindex[SEEN_MAX];
};

static void
mirror_cb(int type, const struct kr_route *r, void *arg)
{
	struct mirror	*m = arg;
	uint32_t	 off = ntohl(r->addr) - NET;

	ck_assert_msg(type == RTM_NEWROUTE || type == RTM_DELROUTE,
	    "type %d", type);
	if (r->table != TABLE)
		return;
	ck_assert_uint_lt(off, SEEN_MAX);
	ck_assert_uint_eq(r->plen, 32);
	ck_assert_uint_eq(r->type, RTN_UNICAST);
	if (type == RTM_NEWROUTE) {
		m->news++;
		m->n += m->ifindex[off] == 0;
		m->proto[off] = r->protocol;
		m->ifindex[off] = r->ifindex;
	} else {
		m->dels++;
		m->n -= m->ifindex[off] != 0;
		m->proto[off] = 0;
		m->ifindex[off] = 0;
	}
}

static void
mirror_dump_cb(const struct kr_route *r, void *arg)
{
	mirror_cb(RTM_NEWROUTE, r, arg);
}

/* Read until drained; returns the number of calls. */
static int
mon_drain(struct kr_monitor *mon, struct mirror *m)
{
	int	 rv, calls = 0;

	do {
		rv = kr_monitor_read(mon, mirror_cb, m);
		ck_assert_msg(rv >= 0, "kr_monitor_read: %s", strerror(errno));
		calls++;
	} while (rv == 1);
	return calls;
}

static int
readable(int fd)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };

	return poll(&pfd, 1, 0) == 1;
}

START_TEST(monitor_changes)
{
	struct kr_handle	*kr, *other;
	struct kr_monitor	*mon;
	struct kr_op		*ops;
	struct mirror		*m;

	NEED_NETNS();
	ck_assert_ptr_nonnull(m = calloc(1, sizeof(*m)));
	ck_assert_ptr_nonnull(mon = kr_monitor_open());
	ck_assert_ptr_nonnull(kr = kr_open(KR_PROTO_VROUTER));
	ck_assert_ptr_nonnull(other = kr_open(FOREIGN));
	ck_assert(!readable(kr_monitor_fd(mon)));
	ck_assert_int_eq(kr_monitor_read(mon, mirror_cb, m), 0);

	ops = ops_make(3, KR_CREATE, lo);
	ck_assert_int_eq(kr_apply(kr, ops, 3), 0);
	ck_assert_int_eq(apply1(other, KR_CREATE, 10, lo), 0);
	ck_assert(readable(kr_monitor_fd(mon)));
	mon_drain(mon, m);
	ck_assert(!readable(kr_monitor_fd(mon)));
	ck_assert_uint_eq(m->news, 4);
	ck_assert_uint_eq(m->dels, 0);
	ck_assert_uint_eq(m->proto[0], KR_PROTO_VROUTER);
	ck_assert_uint_eq(m->proto[2], KR_PROTO_VROUTER);
	ck_assert_uint_eq(m->ifindex[2], lo);
	ck_assert_uint_eq(m->proto[10], FOREIGN);

	ck_assert_int_eq(apply1(kr, KR_DELETE, 1, lo), 0);
	ck_assert_int_eq(apply1(other, KR_DELETE, 10, lo), 0);
	ck_assert_int_eq(apply1(kr, KR_DELETE, 7, lo), 0);	/* absent */
	mon_drain(mon, m);
	ck_assert_uint_eq(m->dels, 2);
	ck_assert_uint_eq(m->n, 2);
	ck_assert_uint_eq(m->ifindex[1], 0);
	ck_assert_uint_eq(m->ifindex[10], 0);
	free(ops);
	kr_close(other);
	kr_close(kr);
	kr_monitor_close(mon);
	free(m);
}
END_TEST

/* A long queue is read KR_MON_BUDGET messages per call. */
START_TEST(monitor_budget)
{
	struct kr_handle	*kr;
	struct kr_monitor	*mon;
	struct kr_op		*ops;
	struct mirror		*m;
	size_t			 n = 1000;
	int			 calls;

	NEED_NETNS();
	ck_assert_ptr_nonnull(m = calloc(1, sizeof(*m)));
	ck_assert_ptr_nonnull(mon = kr_monitor_open());
	ck_assert_ptr_nonnull(kr = kr_open(KR_PROTO_VROUTER));
	ops = ops_make(n, KR_CREATE, lo);
	ck_assert_int_eq(kr_apply(kr, ops, n), 0);
	ck_assert_int_eq(kr_monitor_read(mon, mirror_cb, m), 1);
	ck_assert_uint_eq(m->news, KR_MON_BUDGET);
	calls = 1 + mon_drain(mon, m);
	ck_assert_uint_eq(m->news, n);
	ck_assert_uint_eq(m->n, n);
	ck_assert_int_ge(calls, (int)(n / KR_MON_BUDGET));
	free(ops);
	kr_close(kr);
	kr_monitor_close(mon);
	free(m);
}
END_TEST

/*
 * An overflowed monitor says ENOBUFS once, drops the stale queue, and a
 * dump plus what follows rebuilds the mirror.
 */
START_TEST(monitor_overflow)
{
	struct kr_handle	*kr;
	struct kr_monitor	*mon;
	struct kr_op		*ops;
	struct mirror		*m;
	struct seen		*s;
	size_t			 i, n = 5000;
	int			 small = 1, rv;

	NEED_NETNS();
	ck_assert_ptr_nonnull(m = calloc(1, sizeof(*m)));
	ck_assert_ptr_nonnull(mon = kr_monitor_open());
	ck_assert_ptr_nonnull(kr = kr_open(KR_PROTO_VROUTER));
	ck_assert_int_eq(setsockopt(kr_monitor_fd(mon), SOL_SOCKET, SO_RCVBUF,
	    &small, sizeof(small)), 0);
	ops = ops_make(n, KR_CREATE, lo);
	ck_assert_int_eq(kr_apply(kr, ops, n), 0);
	do {
		rv = kr_monitor_read(mon, mirror_cb, m);
	} while (rv == 1);
	ck_assert_int_eq(rv, -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_lt(m->news, n);

	/* Flushed: nothing stale is delivered after the resync. */
	memset(m, 0, sizeof(*m));
	ck_assert_int_eq(kr_dump(kr, 1, mirror_dump_cb, m), 0);
	ck_assert_uint_eq(m->n, n);
	m->news = 0;
	ck_assert_int_eq(kr_monitor_read(mon, mirror_cb, m), 0);
	ck_assert_uint_eq(m->news + m->dels, 0);

	/* And it goes on reporting changes. */
	ck_assert_int_eq(apply1(kr, KR_DELETE, 17, lo), 0);
	ck_assert_int_eq(apply1(kr, KR_REPLACE, n + 1, lo), 0);
	mon_drain(mon, m);
	ck_assert_uint_eq(m->dels, 1);
	ck_assert_uint_eq(m->news, 1);
	s = seen_dump(kr, 1);
	ck_assert_uint_eq(s->n, m->n);
	for (i = 0; i <= n + 1; i++)
		ck_assert_uint_eq(s->ifindex[i], m->ifindex[i]);
	seen_free(s);
	free(ops);
	kr_close(kr);
	kr_monitor_close(mon);
	free(m);
}
END_TEST

Suite *
kroute_suite(void)
{
	Suite	*s = suite_create("kroute");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, parse_bad);
	tcase_add_test(tc, parse_good);
	tcase_add_test(tc, handles_null);
	suite_add_tcase(s, tc);

	tc = tcase_create("apply");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, sockets_flags);
	tcase_add_test(tc, apply_semantics);
	tcase_add_test(tc, apply_foreign);
	tcase_add_test(tc, apply_mixed);
	tcase_add_test(tc, apply_lost_acks);
	suite_add_tcase(s, tc);

	tc = tcase_create("monitor");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, monitor_changes);
	tcase_add_test(tc, monitor_budget);
	tcase_add_test(tc, monitor_overflow);
	suite_add_tcase(s, tc);

	/* Big batches: slow under valgrind (CK_RUN_CASE picks the others). */
	tc = tcase_create("big");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, batch_5000);
	tcase_add_test(tc, batch_100000);
	suite_add_tcase(s, tc);
	return s;
}
