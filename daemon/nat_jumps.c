/*
 * Which jumps from the built-in chains into vrouter's chains the kernel
 * has, asked of nf_tables over netlink (libmnl): a rule dump of one chain
 * costs well under a millisecond, where an iptables-save of 1,000
 * forwards costs about 30 ms and a process.  A jump counts when the rule
 * is nothing but "-j TARGET" as iptables-nft writes it: a counter and an
 * immediate jump verdict; a rule that also matches something (an
 * operator's own "-i eth0 -j VROUTER-...") is not ours and does not count.
 *
 * The four attributes it needs are read here with libmnl's validation,
 * not through libnftnl: libnftnl 1.2.4 dereferences a NULL name for an
 * expression that lacks one (found by tests/fuzz/fuzz_nftrule.c).
 *
 * Only for iptables' nf_tables back end: under iptables-legacy these
 * rules are not in nf_tables at all (nat_init refuses that back end).
 */
#include <netinet/in.h>	/* before linux/netfilter.h's linux/in.h */
#include <arpa/inet.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <string.h>
#include <time.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>

#include "vrouterd.h"

/* An attribute table: tb[type] for types up to max, checked as types[]. */
struct attrs {
	const struct nlattr	**tb;
	int			  max;
	const uint8_t		 *types;	/* enum mnl_attr_data_type */
};

static int
attrs_cb(const struct nlattr *a, void *arg)
{
	struct attrs	*t = arg;
	int		 type = mnl_attr_get_type(a);

	if (type > t->max)
		return MNL_CB_OK;
	if (t->types[type] != MNL_TYPE_UNSPEC &&
	    mnl_attr_validate(a, (enum mnl_attr_data_type)t->types[type]) < 0)
		return MNL_CB_ERROR;
	t->tb[type] = a;
	return MNL_CB_OK;
}

static int
nested(const struct nlattr *nest, const struct nlattr **tb, int max,
    const uint8_t *types)
{
	struct attrs	 t = { tb, max, types };

	memset(tb, 0, sizeof(*tb) * (size_t)(max + 1));
	return mnl_attr_parse_nested(nest, attrs_cb, &t) < 0 ? -1 : 0;
}

/* 1 if expr is an immediate jump to target, 0 if another verdict. */
static int
jump_to(const struct nlattr *data, const char *target)
{
	static const uint8_t	 imm_types[NFTA_IMMEDIATE_MAX + 1] = {
		[NFTA_IMMEDIATE_DATA] = MNL_TYPE_NESTED };
	static const uint8_t	 data_types[NFTA_DATA_MAX + 1] = {
		[NFTA_DATA_VERDICT] = MNL_TYPE_NESTED };
	static const uint8_t	 verdict_types[NFTA_VERDICT_MAX + 1] = {
		[NFTA_VERDICT_CODE] = MNL_TYPE_U32,
		[NFTA_VERDICT_CHAIN] = MNL_TYPE_NUL_STRING };
	const struct nlattr	*imm[NFTA_IMMEDIATE_MAX + 1];
	const struct nlattr	*dat[NFTA_DATA_MAX + 1];
	const struct nlattr	*ver[NFTA_VERDICT_MAX + 1];

	if (nested(data, imm, NFTA_IMMEDIATE_MAX, imm_types) == -1)
		return -1;
	if (imm[NFTA_IMMEDIATE_DATA] == NULL)
		return 0;
	if (nested(imm[NFTA_IMMEDIATE_DATA], dat, NFTA_DATA_MAX,
	    data_types) == -1)
		return -1;
	if (dat[NFTA_DATA_VERDICT] == NULL)
		return 0;
	if (nested(dat[NFTA_DATA_VERDICT], ver, NFTA_VERDICT_MAX,
	    verdict_types) == -1)
		return -1;
	return ver[NFTA_VERDICT_CODE] != NULL &&
	    (int32_t)ntohl(mnl_attr_get_u32(ver[NFTA_VERDICT_CODE])) ==
	    NFT_JUMP && ver[NFTA_VERDICT_CHAIN] != NULL &&
	    strcmp(mnl_attr_get_str(ver[NFTA_VERDICT_CHAIN]), target) == 0;
}

/* What the expressions of one rule are. */
struct scan {
	const char	*target;
	int		 jumps, other;
};

static int
expr_cb(const struct nlattr *elem, void *arg)
{
	static const uint8_t	 expr_types[NFTA_EXPR_MAX + 1] = {
		[NFTA_EXPR_NAME] = MNL_TYPE_NUL_STRING,
		[NFTA_EXPR_DATA] = MNL_TYPE_NESTED };
	const struct nlattr	*expr[NFTA_EXPR_MAX + 1];
	struct scan		*sc = arg;
	const char		*name;
	int			 j = 0;

	if (mnl_attr_get_type(elem) != NFTA_LIST_ELEM ||
	    mnl_attr_validate(elem, MNL_TYPE_NESTED) < 0 ||
	    nested(elem, expr, NFTA_EXPR_MAX, expr_types) == -1 ||
	    expr[NFTA_EXPR_NAME] == NULL)
		return MNL_CB_ERROR;
	name = mnl_attr_get_str(expr[NFTA_EXPR_NAME]);
	if (strcmp(name, "counter") == 0)
		return MNL_CB_OK;
	if (strcmp(name, "immediate") == 0 && expr[NFTA_EXPR_DATA] != NULL &&
	    (j = jump_to(expr[NFTA_EXPR_DATA], sc->target)) == -1)
		return MNL_CB_ERROR;
	if (j)
		sc->jumps++;
	else
		sc->other++;
	return MNL_CB_OK;
}

/* One rule message: 1 if it is exactly "-j target", -1 if malformed. */
static int
rule_is_jump(const struct nlmsghdr *nlh, const char *target)
{
	static const uint8_t	 rule_types[NFTA_RULE_MAX + 1] = {
		[NFTA_RULE_EXPRESSIONS] = MNL_TYPE_NESTED };
	const struct nlattr	*rule[NFTA_RULE_MAX + 1] = { NULL };
	struct attrs		 t = { rule, NFTA_RULE_MAX, rule_types };
	struct scan		 sc = { target, 0, 0 };
	size_t			 hdr = MNL_ALIGN(sizeof(struct nfgenmsg));

	/*
	 * The attributes of exactly nlmsg_len bytes: mnl_attr_parse would
	 * read up to nlmsg_len rounded up to 4, past a last message whose
	 * length is not.
	 */
	if (mnl_attr_parse_payload((const char *)mnl_nlmsg_get_payload(nlh) +
	    hdr, nlh->nlmsg_len - mnl_nlmsg_size(hdr), attrs_cb, &t) < 0)
		return -1;
	if (rule[NFTA_RULE_EXPRESSIONS] == NULL)
		return 0;
	if (mnl_attr_parse_nested(rule[NFTA_RULE_EXPRESSIONS], expr_cb,
	    &sc) < 0)
		return -1;
	return sc.jumps == 1 && sc.other == 0;
}

/*
 * Walked here, not by mnl_cb_run: libmnl 1.0.4 lets an nlmsg_len of
 * 2 GiB or more through (see lib/kroute.c).
 */
int
nat_jumps_parse(const void *buf, size_t len, unsigned int seq,
    const char *target, int *found)
{
	const struct nlmsghdr	*nlh;
	const struct nlmsgerr	*e;
	size_t			 off = 0;
	int			 yes;

	while (len - off >= sizeof(*nlh)) {
		nlh = (const struct nlmsghdr *)((const char *)buf + off);
		if (nlh->nlmsg_len < sizeof(*nlh) ||
		    nlh->nlmsg_len > len - off) {
			errno = EBADMSG;
			return -1;
		}
		if (seq != 0 && nlh->nlmsg_seq != seq) {
			errno = EPROTO;		/* not our dump's */
			return -1;
		}
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
			errno = EINTR;		/* the rules changed meanwhile */
			return -1;
		}
		switch (nlh->nlmsg_type) {
		case NLMSG_DONE:
			return 0;
		case NLMSG_ERROR:
			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
				errno = EBADMSG;
				return -1;
			}
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error == 0)
				return 0;
			errno = e->error < 0 && e->error > -4096 ?
			    -e->error : EBADMSG;
			return -1;
		case (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE:
			if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(struct
			    nfgenmsg))) {
				errno = EBADMSG;
				return -1;
			}
			if ((yes = rule_is_jump(nlh, target)) == -1) {
				errno = EBADMSG;
				return -1;
			}
			*found += yes;
			break;
		default:
			break;		/* NLMSG_NOOP and the like */
		}
		off += NLMSG_ALIGN(nlh->nlmsg_len);
		if (off > len)
			off = len;
	}
	if (off != len) {
		errno = EBADMSG;	/* a partial header at the end */
		return -1;
	}
	return 1;
}

/* One dump of table/chain: as nat_jump_present, or -1 with errno. */
static int
dump_once(struct mnl_socket *nl, const char *table, const char *chain,
    const char *target)
{
	uint32_t		 buf[32768 / 4];	/* a dump part's maximum */
	struct nlmsghdr		*nlh;
	struct nfgenmsg		*nfg;
	unsigned int		 seq = (unsigned int)time(NULL);
	ssize_t			 n;
	int			 found = 0, more = 1;

	memset(buf, 0, 512);	/* the request, padding included */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_IPV4;
	nfg->version = NFNETLINK_V0;
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) == -1)
		return -1;
	while (more == 1) {
		if ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) == -1)
			return -1;
		more = nat_jumps_parse(buf, (size_t)n, seq, target, &found);
	}
	/*
	 * A missing table or chain: an empty dump (Linux 6.1), or ENOENT
	 * from kernels that check the names first.  No jump either way.
	 */
	if (more == -1 && errno != ENOENT)
		return -1;
	return found > 0;
}

int
nat_jump_present(const char *table, const char *chain, const char *target)
{
	struct mnl_socket	*nl;
	struct timeval		 tv = { 1, 0 };	/* the kernel answers at once */
	int			 rv = -1, saved, tries;

	if ((nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC)) == NULL)
		return -1;
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)) == -1 ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1)
		goto done;
	/* A rule set changed during the dump (EINTR) is dumped again. */
	for (tries = 0; tries < 3; tries++)
		if ((rv = dump_once(nl, table, chain, target)) != -1 ||
		    errno != EINTR)
			break;
done:
	saved = errno;
	mnl_socket_close(nl);
	errno = saved;
	return rv;
}
