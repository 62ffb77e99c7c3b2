/*
 * IPv4 host routes through libmnl.  After libmnl's rtnl-route-add.c, but
 * batched: the host agent may flip a thousand addresses at once, and one
 * sendmsg() of a thousand requests beats a thousand round trips.
 *
 * The kernel runs each request of a batch inside our sendmsg() and queues
 * its ack on our socket there and then, so when sendmsg() returns every
 * ack is either queued or was dropped because the receive buffer was
 * full.  The buffer is therefore sized for a whole batch of acks, and a
 * batch is cut to what the buffer holds.
 */
#include <sys/socket.h>

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "kroute.h"

/* Bytes of requests per sendmsg(). */
#define KR_BATCH_SIZE	(128 * 1024)
/* The longest request put_route() writes: rtmsg and three u32s. */
#define KR_REQ_MAX	(MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct rtmsg)) + \
			 3 * (MNL_ATTR_HDRLEN + MNL_ALIGN(sizeof(uint32_t))))
#define KR_BATCH_OPS	(KR_BATCH_SIZE / KR_REQ_MAX)
/*
 * What one queued ack costs the receive buffer (skb truesize): 832 bytes
 * measured on Linux 6.x, with or without NETLINK_CAP_ACK; 2048 leaves room
 * for other kernels.
 */
#define KR_ACK_COST	2048
#define KR_RCVBUF	(KR_BATCH_OPS * KR_ACK_COST)
/*
 * mnl_nlmsg_batch_next() accepts a message only after it has been written
 * at the end of the batch, so the buffer holds the batch limit plus one
 * whole request.  Replies are read into the same buffer: the kernel never
 * makes a dump part larger than 32 KiB.
 */
#define KR_BUF_SIZE	(KR_BATCH_SIZE + KR_REQ_MAX)
/*
 * Acks are read KR_ACK_READS at a time, each into a slot of KR_ACK_SLOT
 * bytes: 36 bytes with NETLINK_CAP_ACK, 88 for a refused request echoed.
 */
#define KR_ACK_READS	64
#define KR_ACK_SLOT	512
/* Large enough for any single notification (a multipath route). */
#define KR_MON_BUF_SIZE	(64 * 1024)
/* Less than any skb's truesize: bounds a drain by the receive buffer. */
#define KR_SKB_MIN	256

_Static_assert(KR_BUF_SIZE >= 32768, "a dump part must fit");
_Static_assert(KR_BUF_SIZE >= KR_ACK_READS * KR_ACK_SLOT, "acks must fit");
_Static_assert(KR_RCVBUF / 2 <= 0x7fffffff, "SO_RCVBUF takes an int");

/* An op whose ack kr_apply() still waits for. */
#define KR_PENDING	(-1)

struct kr_handle {
	struct mnl_socket	*nl;
	unsigned int		 portid;
	uint32_t		 seq;
	uint8_t			 protocol;
	size_t			 batch_ops;	/* fit both socket buffers */
	size_t			 drain_max;	/* reads that empty the queue */
	char			*buf;		/* KR_BUF_SIZE */
};

struct kr_monitor {
	struct mnl_socket	*nl;
	char			*buf;		/* KR_MON_BUF_SIZE */
};

/*
 * A non-blocking, close-on-exec route socket with a receive buffer of at
 * least want bytes if we may (SO_RCVBUFFORCE needs CAP_NET_ADMIN), else
 * as much as SO_RCVBUF gives.  *rcvbuf is what the kernel then allows
 * queued (it doubles the value asked for, for its overhead).
 */
static struct mnl_socket *
nl_open(int want, int *rcvbuf)
{
	struct mnl_socket	*nl;
	socklen_t		 len = sizeof(*rcvbuf);
	int			 fd, saved;

	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (nl == NULL)
		return NULL;
	fd = mnl_socket_get_fd(nl);
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want,
	    sizeof(want)) == -1 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF,
	    &want, sizeof(want)) == -1)
		goto fail;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, rcvbuf, &len) == -1)
		goto fail;
	return nl;
fail:
	saved = errno;
	mnl_socket_close(nl);
	errno = saved;
	return NULL;
}

/*
 * One datagram from the kernel.  Returns its length, 0 for a datagram to
 * ignore (sent by another process), or -1 with errno (ENOSPC: it did not
 * fit and is lost).
 */
static ssize_t
nl_recv(struct mnl_socket *nl, void *buf, size_t size)
{
	struct sockaddr_nl	 sa;
	struct iovec		 iov = { buf, size };
	struct msghdr		 msg;
	ssize_t			 n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = &sa;
	msg.msg_namelen = sizeof(sa);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if ((n = recvmsg(mnl_socket_get_fd(nl), &msg, 0)) == -1)
		return -1;
	if (msg.msg_flags & MSG_TRUNC) {
		errno = ENOSPC;
		return -1;
	}
	if (msg.msg_namelen != sizeof(sa) || sa.nl_pid != 0)
		return 0;
	return n;
}

/*
 * Throw away whatever is queued: stale answers of an earlier call, the
 * rest of a dump, a pending error.  At most max reads: no queue holds
 * more datagrams than its buffer has room for skbs.
 */
static void
nl_drain(struct mnl_socket *nl, void *buf, size_t size, size_t max)
{
	size_t	 i;

	for (i = 0; i < max; i++)
		if (recv(mnl_socket_get_fd(nl), buf, size, MSG_DONTWAIT) ==
		    -1 && errno != EINTR && errno != ENOBUFS &&
		    errno != ENOSPC)
			return;		/* EAGAIN: empty */
}

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Wait at most KR_WAIT_MS for fd to be readable: 1, 0 on timeout, -1. */
static int
wait_in(int fd)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	uint64_t	 deadline = now_ms() + KR_WAIT_MS, t;
	int		 rv;

	for (;;) {
		t = now_ms();
		if (t >= deadline)
			return 0;
		rv = poll(&pfd, 1, (int)(deadline - t));
		if (rv >= 0)
			return rv > 0;
		if (errno != EINTR)
			return -1;
	}
}

struct kr_handle *
kr_open(uint8_t protocol)
{
	struct kr_handle	*kr;
	socklen_t		 len = sizeof(int);
	int			 one = 1, rcvbuf, sndbuf = KR_BATCH_SIZE, fd;
	size_t			 max;

	if ((kr = calloc(1, sizeof(*kr))) == NULL)
		return NULL;
	if ((kr->buf = malloc(KR_BUF_SIZE)) == NULL)
		goto fail;
	if ((kr->nl = nl_open(KR_RCVBUF, &rcvbuf)) == NULL)
		goto fail;
	/*
	 * Acks without the request echoed; an older kernel echoes failed
	 * requests, which the buffer still holds.
	 */
	fd = mnl_socket_get_fd(kr->nl);
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* netlink_sendmsg() refuses more than the send buffer less 32. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
	    sizeof(sndbuf)) == -1)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &len) == -1)
		goto fail;
	kr->batch_ops = KR_BATCH_OPS;
	if ((max = (size_t)rcvbuf / KR_ACK_COST) < kr->batch_ops)
		kr->batch_ops = max;
	if (sndbuf > 64 && (max = ((size_t)sndbuf - 64) / KR_REQ_MAX) <
	    kr->batch_ops)
		kr->batch_ops = max;
	if (kr->batch_ops == 0)
		kr->batch_ops = 1;
	kr->drain_max = (size_t)rcvbuf / KR_SKB_MIN + 1;
	kr->portid = mnl_socket_get_portid(kr->nl);
	kr->seq = (uint32_t)time(NULL);
	kr->protocol = protocol;
	return kr;
fail:
	kr_close(kr);
	return NULL;
}

void
kr_close(struct kr_handle *kr)
{
	int	 saved_errno = errno;

	if (kr == NULL)
		return;
	if (kr->nl != NULL)
		mnl_socket_close(kr->nl);
	free(kr->buf);
	free(kr);
	errno = saved_errno;
}

uint32_t
kr_portid(const struct kr_handle *kr)
{
	return kr->portid;
}

uint8_t
kr_protocol(const struct kr_handle *kr)
{
	return kr->protocol;
}

int
kr_fd(const struct kr_handle *kr)
{
	return mnl_socket_get_fd(kr->nl);
}

static void
put_route(struct kr_handle *kr, void *where, const struct kr_op *op,
    uint32_t seq)
{
	struct nlmsghdr	*nlh = mnl_nlmsg_put_header(where);
	struct rtmsg	*rtm;

	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	switch (op->cmd) {
	case KR_REPLACE:
		nlh->nlmsg_type = RTM_NEWROUTE;
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_REPLACE;
		break;
	case KR_CREATE:
		nlh->nlmsg_type = RTM_NEWROUTE;
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
		break;
	default:
		nlh->nlmsg_type = RTM_DELROUTE;
		break;
	}
	nlh->nlmsg_seq = seq;

	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 32;
	rtm->rtm_table = op->table < 256 ? op->table : RT_TABLE_UNSPEC;
	/* On a delete, the kernel matches protocol, type and oif. */
	rtm->rtm_protocol = kr->protocol;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = op->cmd == KR_DELETE ? RT_SCOPE_NOWHERE :
	    RT_SCOPE_LINK;
	mnl_attr_put_u32(nlh, RTA_DST, op->addr);
	mnl_attr_put_u32(nlh, RTA_OIF, op->ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, op->table);
}

/*
 * mnl_nlmsg_ok() of libmnl 1.0.4 compares (int)nlmsg_len, so a length of
 * 2 GiB or more passes it (and mnl_nlmsg_next() then stays in place).
 */
static int
msg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	    nlh->nlmsg_len <= (unsigned int)len;
}

/* Record the acks in one datagram; returns how many were new. */
static size_t
record_acks(struct kr_handle *kr, const char *buf, ssize_t len,
    struct kr_op *ops, size_t n, uint32_t seq0)
{
	const struct nlmsghdr	*nlh = (const struct nlmsghdr *)buf;
	int			 left = (int)len;
	size_t			 got = 0;

	for (; msg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlmsgerr	*err;
		uint32_t		 i = nlh->nlmsg_seq - seq0;
		int			 e;

		if (nlh->nlmsg_pid != kr->portid ||
		    nlh->nlmsg_type != NLMSG_ERROR || i >= n ||
		    ops[i].error != KR_PENDING ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
			continue;	/* not an answer we wait for */
		err = mnl_nlmsg_get_payload(nlh);
		e = err->error <= 0 ? -err->error : EPROTO;
		/* Deleting what is not there (or not ours) is success. */
		if (ops[i].cmd == KR_DELETE && e == ESRCH)
			e = 0;
		ops[i].error = e;
		got++;
	}
	return got;
}

/*
 * Read up to KR_ACK_READS datagrams in one recvmmsg() and record the acks
 * in them; returns how many were new (*lost set if a datagram did not fit
 * its slot), or -1 with errno.
 */
static ssize_t
recv_acks(struct kr_handle *kr, struct kr_op *ops, size_t n, uint32_t seq0,
    int *lost)
{
	struct mmsghdr		 mm[KR_ACK_READS];
	struct iovec		 iov[KR_ACK_READS];
	struct sockaddr_nl	 sa[KR_ACK_READS];
	size_t			 got = 0;
	int			 i, k;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < KR_ACK_READS; i++) {
		iov[i].iov_base = kr->buf + (size_t)i * KR_ACK_SLOT;
		iov[i].iov_len = KR_ACK_SLOT;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		mm[i].msg_hdr.msg_name = &sa[i];
		mm[i].msg_hdr.msg_namelen = sizeof(sa[i]);
	}
	if ((k = recvmmsg(mnl_socket_get_fd(kr->nl), mm, KR_ACK_READS, 0,
	    NULL)) == -1)
		return -1;
	for (i = 0; i < k; i++) {
		if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
			*lost = 1;
		else if (mm[i].msg_hdr.msg_namelen == sizeof(sa[i]) &&
		    sa[i].nl_pid == 0)
			got += record_acks(kr, iov[i].iov_base,
			    (ssize_t)mm[i].msg_len, ops, n, seq0);
	}
	return (ssize_t)got;
}

/*
 * Read the acks of ops[0..n), sent with sequence numbers from seq0.  Ops
 * left without one become KR_EUNKNOWN; then returns -1 with ENOBUFS.
 */
static int
collect_acks(struct kr_handle *kr, struct kr_op *ops, size_t n,
    uint32_t seq0)
{
	size_t		 i, pending = n;
	ssize_t		 len;
	int		 lost = 0;

	while (pending > 0) {
		if ((len = recv_acks(kr, ops, n, seq0, &lost)) >= 0) {
			pending -= (size_t)len;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS) {
			/* Some were dropped: read what was queued. */
			lost = 1;
			continue;
		}
		/* All acks are queued by now; waiting is a safety net. */
		if (errno != EAGAIN || lost ||
		    wait_in(mnl_socket_get_fd(kr->nl)) != 1)
			break;
	}
	if (pending == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (ops[i].error == KR_PENDING)
			ops[i].error = KR_EUNKNOWN;
	errno = ENOBUFS;
	return -1;
}

/* Put ops[first..) into one batch from seq0; returns the end of it. */
static size_t
fill_batch(struct kr_handle *kr, struct kr_op *ops, size_t first, size_t n,
    uint32_t seq0, size_t *len)
{
	struct mnl_nlmsg_batch	*b;
	size_t			 i, max = first + kr->batch_ops;

	if (max > n)
		max = n;
	/* Only fails for a buffer smaller than its limit. */
	if ((b = mnl_nlmsg_batch_start(kr->buf, KR_BATCH_SIZE)) == NULL)
		abort();
	for (i = first; i < max; i++) {
		put_route(kr, mnl_nlmsg_batch_current(b), &ops[i],
		    seq0 + (uint32_t)(i - first));
		if (!mnl_nlmsg_batch_next(b))
			break;	/* that one did not fit: next batch */
	}
	*len = mnl_nlmsg_batch_size(b);
	mnl_nlmsg_batch_stop(b);
	return i;
}

int
kr_apply(struct kr_handle *kr, struct kr_op *ops, size_t n)
{
	size_t		 i, first, end, len, failed = 0;
	uint32_t	 seq0;
	int		 saved;

	for (i = 0; i < n; i++)
		ops[i].error = ECANCELED;
	if (n == 0)
		return 0;
	if (n > 0x7fffffff) {
		errno = EINVAL;
		return -1;
	}
	/* Nothing stale (a dropped ack's ENOBUFS) may answer for us. */
	nl_drain(kr->nl, kr->buf, KR_BUF_SIZE, kr->drain_max);
	for (first = 0; first < n; first = end) {
		seq0 = kr->seq + 1;
		end = fill_batch(kr, ops, first, n, seq0, &len);
		kr->seq = seq0 + (uint32_t)(end - first - 1);
		while (mnl_socket_sendto(kr->nl, kr->buf, len) == -1)
			if (errno != EINTR)
				return -1;	/* nothing of it was run */
		for (i = first; i < end; i++)
			ops[i].error = KR_PENDING;
		if (collect_acks(kr, ops + first, end - first, seq0) == -1) {
			saved = errno;
			nl_drain(kr->nl, kr->buf, KR_BUF_SIZE, kr->drain_max);
			errno = saved;
			return -1;
		}
	}
	for (i = 0; i < n; i++)
		if (ops[i].error != 0)
			failed++;
	return (int)failed;
}

static int
route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr	**tb = data;
	int			 type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) < 0)
		return MNL_CB_OK;
	switch (type) {
	case RTA_DST:
	case RTA_OIF:
	case RTA_TABLE:
	case RTA_PRIORITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	}
	tb[type] = attr;
	return MNL_CB_OK;
}

int
kr_route_parse(const struct nlmsghdr *nlh, struct kr_route *r)
{
	const struct nlattr	*tb[RTA_MAX + 1] = { NULL };
	const struct rtmsg	*rtm;

	if (nlh->nlmsg_len > INT32_MAX) {
		errno = EBADMSG;	/* see msg_ok() */
		return -1;
	}
	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return 1;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm))) {
		errno = EBADMSG;
		return -1;
	}
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET)
		return 1;
	/*
	 * Not mnl_attr_parse(): it reads up to nlmsg_len rounded up to 4,
	 * past the end of a last message whose length is not.
	 */
	if (rtm->rtm_dst_len > 32 ||
	    mnl_attr_parse_payload((const char *)rtm +
	    MNL_ALIGN(sizeof(*rtm)), nlh->nlmsg_len -
	    mnl_nlmsg_size(MNL_ALIGN(sizeof(*rtm))), route_attr_cb, tb) < 0 ||
	    (rtm->rtm_dst_len > 0 && tb[RTA_DST] == NULL)) {
		errno = EBADMSG;
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->nl_portid = nlh->nlmsg_pid;
	r->plen = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->scope = rtm->rtm_scope;
	r->tos = rtm->rtm_tos;
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) :
	    rtm->rtm_table;
	if (tb[RTA_DST])
		r->addr = mnl_attr_get_u32(tb[RTA_DST]);
	if (tb[RTA_OIF])
		r->ifindex = mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_PRIORITY])
		r->priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	return 0;
}

struct dump_ctx {
	struct kr_handle	*kr;
	uint32_t		 seq;
	int			 ours_only;
	void			(*cb)(const struct kr_route *, void *);
	void			*arg;
	int			 error;		/* first one; no cb after it */
	int			 done;
};

/* One datagram of the dump's answer. */
static void
dump_part(struct dump_ctx *ctx, const char *buf, ssize_t len)
{
	const struct nlmsghdr	*nlh = (const struct nlmsghdr *)buf;
	int			 left = (int)len, e;
	struct kr_route		 r;

	for (; !ctx->done && msg_ok(nlh, left);
	    nlh = mnl_nlmsg_next(nlh, &left)) {
		if (nlh->nlmsg_pid != ctx->kr->portid ||
		    nlh->nlmsg_seq != ctx->seq)
			continue;	/* stale */
		if ((nlh->nlmsg_flags & NLM_F_DUMP_INTR) && ctx->error == 0)
			ctx->error = EINTR;
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
			/* The dump's own error, if any, follows. */
			e = 0;
			if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)))
				memcpy(&e, mnl_nlmsg_get_payload(nlh),
				    sizeof(e));
			if (e < 0 && ctx->error == 0)
				ctx->error = -e;
			ctx->done = 1;
			continue;
		case NLMSG_ERROR:
			e = EPROTO;
			if (nlh->nlmsg_len >=
			    mnl_nlmsg_size(sizeof(struct nlmsgerr)))
				memcpy(&e, mnl_nlmsg_get_payload(nlh),
				    sizeof(e));
			if (ctx->error == 0)
				ctx->error = e < 0 ? -e : EPROTO;
			ctx->done = 1;
			continue;
		}
		if (ctx->error != 0)
			continue;
		switch (kr_route_parse(nlh, &r)) {
		case -1:
			ctx->error = EBADMSG;
			continue;
		case 1:
			continue;
		}
		if (ctx->ours_only && r.protocol != ctx->kr->protocol)
			continue;
		ctx->cb(&r, ctx->arg);
	}
}

int
kr_dump(struct kr_handle *kr, int ours_only,
    void (*cb)(const struct kr_route *, void *), void *arg)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;
	struct dump_ctx	 ctx;
	ssize_t		 len;
	int		 rv;

	memset(&ctx, 0, sizeof(ctx));
	ctx.kr = kr;
	ctx.seq = ++kr->seq;
	ctx.ours_only = ours_only;
	ctx.cb = cb;
	ctx.arg = arg;

	nl_drain(kr->nl, kr->buf, KR_BUF_SIZE, kr->drain_max);
	nlh = mnl_nlmsg_put_header(kr->buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ctx.seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	while (mnl_socket_sendto(kr->nl, nlh, nlh->nlmsg_len) == -1)
		if (errno != EINTR)
			return -1;
	/*
	 * Each part is made in the recvmsg() that frees room for it, so it
	 * is there when we look; the wait is a safety net.
	 */
	while (!ctx.done) {
		if ((len = nl_recv(kr->nl, kr->buf, KR_BUF_SIZE)) >= 0) {
			dump_part(&ctx, kr->buf, len);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			if ((rv = wait_in(mnl_socket_get_fd(kr->nl))) == 1)
				continue;
			if (rv == 0)
				errno = ETIMEDOUT;
		}
		if (ctx.error == 0)
			ctx.error = errno;
		break;
	}
	if (ctx.error != 0) {
		/* The rest of the dump must not answer a later request. */
		nl_drain(kr->nl, kr->buf, KR_BUF_SIZE, kr->drain_max);
		errno = ctx.error;
		return -1;
	}
	return 0;
}

struct kr_monitor *
kr_monitor_open(void)
{
	struct kr_monitor	*m;
	int			 rcvbuf, grp = RTNLGRP_IPV4_ROUTE;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if ((m->buf = malloc(KR_MON_BUF_SIZE)) == NULL)
		goto fail;
	if ((m->nl = nl_open(KR_MON_RCVBUF, &rcvbuf)) == NULL)
		goto fail;
	if (mnl_socket_setsockopt(m->nl, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp)) == -1)
		goto fail;
	return m;
fail:
	kr_monitor_close(m);
	return NULL;
}

void
kr_monitor_close(struct kr_monitor *m)
{
	int	 saved_errno = errno;

	if (m == NULL)
		return;
	if (m->nl != NULL)
		mnl_socket_close(m->nl);
	free(m->buf);
	free(m);
	errno = saved_errno;
}

int
kr_monitor_fd(const struct kr_monitor *m)
{
	return mnl_socket_get_fd(m->nl);
}

/*
 * After an overflow the queue holds notifications from before the gap;
 * one of them replayed after the resync's dump could undo a change the
 * gap hid.  Everything read here is older than that dump.  The receive
 * buffer (which a test may have shrunk) bounds what can be queued.
 */
static void
monitor_flush(struct kr_monitor *m)
{
	socklen_t	 len;
	int		 rcvbuf;

	len = sizeof(rcvbuf);
	if (getsockopt(kr_monitor_fd(m), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    &len) == -1 || rcvbuf <= 0)
		rcvbuf = 2 * KR_MON_RCVBUF;
	nl_drain(m->nl, m->buf, KR_MON_BUF_SIZE,
	    (size_t)rcvbuf / KR_SKB_MIN + 1);
}

int
kr_monitor_read(struct kr_monitor *m,
    void (*cb)(int, const struct kr_route *, void *), void *arg)
{
	const struct nlmsghdr	*nlh;
	struct kr_route		 r;
	ssize_t			 len;
	int			 i, left, bad = 0;

	for (i = 0; i < KR_MON_BUDGET; i++) {
		if ((len = nl_recv(m->nl, m->buf, KR_MON_BUF_SIZE)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) {
				monitor_flush(m);
				errno = ENOBUFS;
			}
			return -1;
		}
		nlh = (const struct nlmsghdr *)m->buf;
		left = (int)len;
		for (; msg_ok(nlh, left);
		    nlh = mnl_nlmsg_next(nlh, &left)) {
			switch (kr_route_parse(nlh, &r)) {
			case -1:
				bad = 1;
				continue;
			case 1:
				continue;
			}
			cb(nlh->nlmsg_type, &r, arg);
		}
		if (bad) {
			errno = EBADMSG;
			return -1;
		}
	}
	return 1;
}

static int
table_lookup_file(const char *path, const char *name, uint32_t *table)
{
	FILE		*f;
	char		 line[256], tname[128];
	unsigned long	 id;
	int		 found = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%lu %127s", &id, tname) == 2 &&
		    strcmp(tname, name) == 0 && id > 0 && id < 0xffffffffUL) {
			*table = (uint32_t)id;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

int
kr_table_parse(const char *s, uint32_t *table)
{
	char		*end;
	unsigned long	 v;

	if (strcmp(s, "main") == 0) {
		*table = RT_TABLE_MAIN;
		return 0;
	}
	if (s[0] >= '0' && s[0] <= '9') {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno != 0 || *end != '\0' || v == 0 ||
		    v >= 0xffffffffUL || v == RT_TABLE_LOCAL) {
			errno = ERANGE;
			return -1;
		}
		*table = (uint32_t)v;
		return 0;
	}
	if (strcmp(s, "local") != 0 &&
	    (table_lookup_file("/etc/iproute2/rt_tables", s, table) ||
	    table_lookup_file("/usr/share/iproute2/rt_tables", s, table)) &&
	    *table != RT_TABLE_LOCAL)
		return 0;
	errno = ENOENT;
	return -1;
}
