/*
 * IPv4 host routes through libmnl.  After libmnl's rtnl-route-add.c, but
 * batched: the host agent may flip a thousand addresses at once, and one
 * sendmsg() of a thousand requests beats a thousand round trips.
 */
#include <sys/socket.h>

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "kroute.h"

/* Below the default socket send buffer (208 KiB), so a batch always fits. */
#define KR_BATCH_SIZE	(128 * 1024)

struct kr_handle {
	struct mnl_socket	*nl;
	unsigned int		 portid;
	uint32_t		 seq;
	uint8_t			 protocol;
	char			*buf;	/* KR_BATCH_SIZE, requests and replies */
};

struct kr_handle *
kr_open(uint8_t protocol)
{
	struct kr_handle	*kr;
	int			 rcvbuf = 4 * 1024 * 1024;

	if ((kr = calloc(1, sizeof(*kr))) == NULL)
		return NULL;
	if ((kr->buf = malloc(KR_BATCH_SIZE)) == NULL)
		goto fail;
	if ((kr->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL)
		goto fail;
	if (mnl_socket_bind(kr->nl, 0, MNL_SOCKET_AUTOPID) == -1)
		goto fail;
	/* Best effort: acks for a large batch must not overflow. */
	setsockopt(mnl_socket_get_fd(kr->nl), SOL_SOCKET, SO_RCVBUF,
	    &rcvbuf, sizeof(rcvbuf));
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

uint8_t
kr_protocol(const struct kr_handle *kr)
{
	return kr->protocol;
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
	rtm->rtm_protocol = kr->protocol;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_scope = op->cmd == KR_DELETE ? RT_SCOPE_NOWHERE :
	    RT_SCOPE_LINK;
	mnl_attr_put_u32(nlh, RTA_DST, op->addr);
	mnl_attr_put_u32(nlh, RTA_OIF, op->ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, op->table);
}

/* Read acks until every op in [first, first + n) has one. */
static int
collect_acks(struct kr_handle *kr, struct kr_op *ops, size_t n,
    uint32_t seq0)
{
	size_t		 pending = n;
	ssize_t		 len;

	while (pending > 0) {
		struct nlmsghdr	*nlh;

		len = mnl_socket_recvfrom(kr->nl, kr->buf, KR_BATCH_SIZE);
		if (len == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		nlh = (struct nlmsghdr *)kr->buf;
		for (; mnl_nlmsg_ok(nlh, (int)len);
		    nlh = mnl_nlmsg_next(nlh, (int *)&len)) {
			struct nlmsgerr	*err;
			uint32_t	 i = nlh->nlmsg_seq - seq0;

			if (!mnl_nlmsg_portid_ok(nlh, kr->portid) ||
			    nlh->nlmsg_type != NLMSG_ERROR || i >= n)
				continue;
			if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
				continue;
			err = mnl_nlmsg_get_payload(nlh);
			ops[i].error = -err->error;
			/* Deleting what is already gone is success. */
			if (ops[i].cmd == KR_DELETE && ops[i].error == ESRCH)
				ops[i].error = 0;
			pending--;
		}
	}
	return 0;
}

int
kr_apply(struct kr_handle *kr, struct kr_op *ops, size_t n)
{
	struct mnl_nlmsg_batch	*b;
	size_t			 i, first, failed = 0;
	uint32_t		 seq0;

	for (first = 0; first < n; ) {
		b = mnl_nlmsg_batch_start(kr->buf, KR_BATCH_SIZE);
		if (b == NULL)
			return -1;
		seq0 = ++kr->seq;
		for (i = first; i < n; i++) {
			ops[i].error = EINPROGRESS;
			put_route(kr, mnl_nlmsg_batch_current(b), &ops[i],
			    seq0 + (uint32_t)(i - first));
			if (!mnl_nlmsg_batch_next(b))
				break;	/* that one did not fit: next batch */
		}
		kr->seq = seq0 + (uint32_t)(i - first);
		if (mnl_socket_sendto(kr->nl, mnl_nlmsg_batch_head(b),
		    mnl_nlmsg_batch_size(b)) == -1) {
			mnl_nlmsg_batch_stop(b);
			return -1;
		}
		mnl_nlmsg_batch_stop(b);
		if (collect_acks(kr, ops + first, i - first, seq0) == -1)
			return -1;
		first = i;
	}
	for (i = 0; i < n; i++)
		if (ops[i].error != 0)
			failed++;
	return (int)failed;
}

struct dump_ctx {
	struct kr_handle	*kr;
	int			 ours_only;
	void			(*cb)(const struct kr_route *, void *);
	void			*arg;
};

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

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm))) {
		errno = EBADMSG;
		return -1;
	}
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET)
		return 1;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb) < 0) {
		errno = EBADMSG;
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->plen = rtm->rtm_dst_len;
	r->protocol = rtm->rtm_protocol;
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) :
	    rtm->rtm_table;
	if (tb[RTA_DST])
		r->addr = mnl_attr_get_u32(tb[RTA_DST]);
	if (tb[RTA_OIF])
		r->ifindex = mnl_attr_get_u32(tb[RTA_OIF]);
	return 0;
}

static int
route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx		*ctx = data;
	struct kr_route		 r;

	switch (kr_route_parse(nlh, &r)) {
	case -1:
		return MNL_CB_ERROR;
	case 1:
		return MNL_CB_OK;
	}
	if (ctx->ours_only && r.protocol != ctx->kr->protocol)
		return MNL_CB_OK;
	ctx->cb(&r, ctx->arg);
	return MNL_CB_OK;
}

int
kr_dump(struct kr_handle *kr, int ours_only,
    void (*cb)(const struct kr_route *, void *), void *arg)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;
	struct dump_ctx	 ctx = { kr, ours_only, cb, arg };
	uint32_t	 seq = ++kr->seq;
	ssize_t		 len;
	int		 rv;

	nlh = mnl_nlmsg_put_header(kr->buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	if (mnl_socket_sendto(kr->nl, nlh, nlh->nlmsg_len) == -1)
		return -1;
	for (;;) {
		len = mnl_socket_recvfrom(kr->nl, kr->buf, KR_BATCH_SIZE);
		if (len == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		rv = mnl_cb_run(kr->buf, (size_t)len, seq, kr->portid,
		    route_cb, &ctx);
		if (rv == -1)
			return -1;
		if (rv == MNL_CB_STOP)
			return 0;
	}
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
