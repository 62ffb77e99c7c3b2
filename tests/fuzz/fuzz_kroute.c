/*
 * fuzz_kroute: bytes as one netlink datagram (a dump part or a route
 * notification), walked message by message as mnl_cb_run() walks it, each
 * message to kr_route_parse().  Oracle: the parser answers the same for
 * the message copied alone into a buffer of exactly nlmsg_len bytes (so it
 * reads nothing past it); 1 only for what is not an IPv4 route message;
 * -1 only with EBADMSG; a parsed route has a prefix of at most 32 and a
 * destination when it has a prefix, and written back as a route message
 * it parses to the same struct.  mnl_cb_run() itself gets the datagram
 * too, with kr_route_parse() as its callback.
 *
 * The first crash it found was libmnl's: mnl_nlmsg_ok() of 1.0.4 lets an
 * nlmsg_len of 2 GiB or more through (an int cast), so a message claims
 * bytes past the datagram; kr_route_parse() now refuses those lengths and
 * kroute.c walks datagrams with its own check.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "fuzz.h"
#include "kroute.h"

/* The route as the kernel would write it, parsed back. */
static void
round_trip(uint16_t type, const struct kr_route *r)
{
	uint32_t	 buf[64];
	struct nlmsghdr	*nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg	*rtm;
	struct kr_route	 again;

	nlh->nlmsg_type = type;
	nlh->nlmsg_pid = r->nl_portid;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = r->plen;
	rtm->rtm_tos = r->tos;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	rtm->rtm_scope = r->scope;
	rtm->rtm_type = r->type;
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	if (r->plen > 0 || r->addr != 0)
		mnl_attr_put_u32(nlh, RTA_DST, r->addr);
	if (r->ifindex != 0)
		mnl_attr_put_u32(nlh, RTA_OIF, r->ifindex);
	if (r->priority != 0)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
	memset(&again, 0x5a, sizeof(again));
	if (kr_route_parse(nlh, &again) != 0 ||
	    memcmp(&again, r, sizeof(again)) != 0)
		abort();
}

static void
check_one(const struct nlmsghdr *nlh)
{
	struct nlmsghdr	*alone;
	struct kr_route	 r, r2;
	int		 rv, rv2, e = 0;

	memset(&r, 0, sizeof(r));
	errno = 0;
	rv = kr_route_parse(nlh, &r);
	if (rv == -1)
		e = errno;

	/* Exactly nlmsg_len bytes: ASan sees any read past the message. */
	if ((alone = malloc(nlh->nlmsg_len)) == NULL)
		abort();
	memcpy(alone, nlh, nlh->nlmsg_len);
	memset(&r2, 0, sizeof(r2));
	errno = 0;
	rv2 = kr_route_parse(alone, &r2);
	if (rv2 != rv || (rv == -1 && errno != e) ||
	    memcmp(&r, &r2, sizeof(r)) != 0)
		abort();
	free(alone);

	switch (rv) {
	case -1:
		if (e != EBADMSG)
			abort();
		break;
	case 1:
		if ((nlh->nlmsg_type == RTM_NEWROUTE ||
		    nlh->nlmsg_type == RTM_DELROUTE) &&
		    nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(struct rtmsg)) &&
		    ((const struct rtmsg *)mnl_nlmsg_get_payload(nlh))->
		    rtm_family == AF_INET)
			abort();
		break;
	case 0:
		if (r.plen > 32)
			abort();
		round_trip(nlh->nlmsg_type, &r);
		break;
	default:
		abort();
	}
}

/*
 * mnl_nlmsg_ok(), without libmnl 1.0.4's (int) cast of nlmsg_len that lets
 * 2 GiB and more through; *huge says such a header came next.
 */
static int
msg_ok(const struct nlmsghdr *nlh, int len, int *huge)
{
	if (len < (int)sizeof(*nlh))
		return 0;
	if (nlh->nlmsg_len > INT32_MAX)
		*huge = 1;
	return nlh->nlmsg_len >= sizeof(*nlh) &&
	    nlh->nlmsg_len <= (unsigned int)len;
}

static int
cb_parse(const struct nlmsghdr *nlh, void *data)
{
	struct kr_route	 r;

	(void)data;
	return kr_route_parse(nlh, &r) == -1 ? MNL_CB_ERROR : MNL_CB_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr	*nlh;
	struct kr_route		 r;
	uint32_t		*buf;
	int			 left, huge = 0;

	if (size > 1 << 20)
		return 0;
	/* Aligned as a received datagram is. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	left = (int)size;
	for (nlh = (const struct nlmsghdr *)buf; msg_ok(nlh, left, &huge);
	    nlh = mnl_nlmsg_next(nlh, &left))
		check_one(nlh);
	if (huge) {
		/* The parser refuses it from its header alone. */
		errno = 0;
		if (kr_route_parse(nlh, &r) != -1 || errno != EBADMSG)
			abort();
	} else	/* libmnl 1.0.4 would walk past a huge one or spin on it */
		(void)mnl_cb_run(buf, size, 0, 0, cb_parse, NULL);
	free(buf);
	return 0;
}
