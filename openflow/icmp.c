/*
 * What the router says itself: echo replies to its own addresses (and
 * the flow that lets the switch answer the next ones), and ICMP errors
 * such as Time Exceeded, sent back where the packet came from.
 */
#include <netinet/in.h>

#include "ofnat.h"
#include "packet.h"
#include "pipeline_priv.h"

#define ECHO_IDLE	60		/* seconds, echo responder flows */

void
icmp_error_to(struct ofnat *o, struct leg *l, uint32_t in_port,
    const uint8_t *frame, const struct pkt *p, uint8_t type, uint8_t code)
{
	uint8_t		 b[OFNAT_FRAME_MAX];
	ssize_t		 n;

	/* Never about an ICMP error, a fragment past the first, or a
	 * broadcast (RFC 1812 4.3.2.7). */
	if (p->icmp_error || p->later_frag || (p->eth_dst[0] & 1))
		return;
	n = pkt_build_icmp_error(b, sizeof(b), l->mac, p->eth_src, l->addr,
	    p->src, type, code, 0, frame + p->l3, p->len - p->l3);
	if (n > 0)
		send_frame(o, in_port, in_port, b, (size_t)n);
}

void
time_exceeded(struct ofnat *o, struct leg *l, uint32_t in_port,
    const uint8_t *frame, const struct pkt *p)
{
	o->c.time_exceeded++;
	icmp_error_to(o, l, in_port, frame, p, ICMP_TIMXCEED_, 0);
}

/*
 * The switch answers the next echoes of this host to this router address
 * itself: swap MACs and addresses, turn the type into echo reply (OVS
 * fixes the ICMP checksum), back out of the port it came in on.  One flow
 * per (host, address), idle after ECHO_IDLE s, with the leg's cookie.
 */
static void
echo_flow(struct ofnat *o, uint32_t in_port, const struct pkt *p)
{
	struct ofp_flow_mod	 fm;
	struct ofp_match	 set;
	struct leg		*l;

	if ((l = leg_of_port(o, in_port)) == NULL || p->frag ||
	    (p->eth_src[0] & 1))
		return;
	ofp_flow_mod_init(&fm);
	fm.cookie = COOKIE_LEG | (uint64_t)leg_slot(o, l);
	fm.priority = PRIO_ECHO;
	fm.idle_timeout = ECHO_IDLE;
	ofp_match_init(&fm.match);
	ofp_match_in_port(&fm.match, in_port);
	ofp_match_eth_src(&fm.match, p->eth_src);
	ofp_match_eth_type(&fm.match, ETHTYPE_IPV4);
	ofp_match_ip_proto(&fm.match, IPPROTO_ICMP);
	ofp_match_ipv4_src(&fm.match, p->src);
	ofp_match_ipv4_dst(&fm.match, p->dst);
	ofp_match_icmpv4_type(&fm.match, ICMP_ECHO_);
	ofp_match_init(&set);
	ofp_match_eth_dst(&set, p->eth_src);
	ofp_match_eth_src(&set, l->mac);
	ofp_match_ipv4_src(&set, p->dst);
	ofp_match_ipv4_dst(&set, p->src);
	ofp_match_icmpv4_type(&set, ICMP_ECHOREPLY_);
	fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_set_fields(&fm.apply, &set);
	ofp_actions_output(&fm.apply, OFPP_IN_PORT, 0);
	flow_send(o, &fm);
}

void
echo_reply(struct ofnat *o, uint32_t in_port, const uint8_t *frame,
    const struct pkt *p)
{
	uint8_t		 b[OFNAT_FRAME_MAX];
	ssize_t		 n;

	if ((n = pkt_build_echo_reply(b, sizeof(b), frame, p)) > 0) {
		send_frame(o, in_port, in_port, b, (size_t)n);
		o->c.echo_replies++;
	}
	echo_flow(o, in_port, p);
}
