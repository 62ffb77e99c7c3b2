/*
 * vrouterctl conntrack: a summary of the kernel's connection table, read
 * directly through libnetfilter_conntrack, so that an operator can compare
 * master and backup (after a failover the new master should hold what the
 * old one had).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>

#include "vrouterctl.h"

static const char *const tcp_states[TCP_CONNTRACK_MAX] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
	"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2"
};

struct ct_summary {
	unsigned long	 total;
	unsigned long	 tcp, udp, icmp, other;
	unsigned long	 tcp_state[TCP_CONNTRACK_MAX];
	unsigned long	 snat, dnat;
};

static int
count(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *arg)
{
	struct ct_summary	*s = arg;
	uint8_t			 st;

	(void)type;
	s->total++;
	switch (nfct_get_attr_u8(ct, ATTR_L4PROTO)) {
	case IPPROTO_TCP:
		s->tcp++;
		st = nfct_get_attr_u8(ct, ATTR_TCP_STATE);
		if (st < TCP_CONNTRACK_MAX)
			s->tcp_state[st]++;
		break;
	case IPPROTO_UDP:
		s->udp++;
		break;
	case IPPROTO_ICMP:
		s->icmp++;
		break;
	default:
		s->other++;
		break;
	}
	if (nfct_getobjopt(ct, NFCT_GOPT_IS_SNAT) ||
	    nfct_getobjopt(ct, NFCT_GOPT_IS_SPAT))
		s->snat++;
	if (nfct_getobjopt(ct, NFCT_GOPT_IS_DNAT) ||
	    nfct_getobjopt(ct, NFCT_GOPT_IS_DPAT))
		s->dnat++;
	return NFCT_CB_CONTINUE;
}

/* Dump the IPv4 table into a new JSON summary; NULL with a message. */
json_t *
conntrack_summary(char *err, size_t errlen)
{
	struct nfct_handle	*h;
	struct ct_summary	 s;
	json_t			*states;
	uint32_t		 family = AF_INET;
	int			 i;

	memset(&s, 0, sizeof(s));
	if ((h = nfct_open(CONNTRACK, 0)) == NULL) {
		snprintf(err, errlen, "conntrack netlink: %s", strerror(errno));
		return NULL;
	}
	nfct_callback_register(h, NFCT_T_ALL, count, &s);
	if (nfct_query(h, NFCT_Q_DUMP, &family) == -1) {
		snprintf(err, errlen, "conntrack dump: %s", strerror(errno));
		nfct_close(h);
		return NULL;
	}
	nfct_close(h);
	states = json_object();
	for (i = 0; i < TCP_CONNTRACK_MAX; i++)
		if (s.tcp_state[i] > 0)
			json_object_set_new(states, tcp_states[i],
			    json_integer((json_int_t)s.tcp_state[i]));
	return json_pack("{s:I, s:{s:I, s:I, s:I, s:I}, s:o, s:{s:I, s:I}}",
	    "total", (json_int_t)s.total,
	    "protocols", "tcp", (json_int_t)s.tcp, "udp", (json_int_t)s.udp,
	    "icmp", (json_int_t)s.icmp, "other", (json_int_t)s.other,
	    "tcp_states", states,
	    "nat", "snat", (json_int_t)s.snat, "dnat", (json_int_t)s.dnat);
}
