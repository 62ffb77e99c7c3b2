/*
 * Classification, the packet-in path: what a frame is (ARP, for the
 * router, from outside, from inside, between inside networks) and where
 * it goes: a NAT session and its flows, a route flow, the router's own
 * answer, a wait for ARP, or nowhere (counted as dropped).
 */
#include <netinet/in.h>

#include <errno.h>
#include <string.h>

#include "ofnat.h"
#include "packet.h"
#include "pipeline_priv.h"

#define ROUTE_IDLE	300		/* seconds, routes between networks */

static int
need_mac(struct ofnat *o, struct leg *l, uint32_t ip, uint32_t in_port,
    const uint8_t *frame, size_t len, const uint8_t **mac)
{
	if ((*mac = arp_lookup(o, ip)) != NULL)
		return 0;
	pending_add(o, l, in_port, ip, frame, len);
	return -1;
}

/* From an inside host to somewhere outside. */
static void
outbound(struct ofnat *o, struct leg *in, uint32_t in_port,
    const uint8_t *frame, uint8_t *f, struct pkt *p)
{
	struct leg		*pub = &o->legs[0];
	struct nat_mapping	*m;
	struct nat_session	*s;
	const uint8_t		*gw;
	struct dir		 d1, d2;
	uint32_t		 paddr = o->conf.vip.s_addr;
	uint64_t		 now = ofnat_now_ms();

	if (pub->state < LEG_INSTALLING)
		goto drop;
	if (need_mac(o, pub, o->conf.pub_gateway.s_addr, in_port, frame,
	    p->len, &gw) == -1)
		return;
	if (p->proto == IPPROTO_ICMP) {
		if (p->icmp_type == ICMP_ECHO_ && !p->frag) {
			if ((m = nat_outbound(o->nat, IPPROTO_ICMP, p->src,
			    p->icmp_id, now)) == NULL ||
			    (s = nat_session(o->nat, m, p->dst, 0, 1, now)) ==
			    NULL)
				goto nomap;
			nat_touch(o->nat, s, now);
			pkt_set_icmp_id(f, p, m->out_port);
			pkt_set_src(f, p, paddr, 0);
		} else if (p->icmp_error && (m = nat_lookup_inside(o->nat,
		    p->inner.proto, p->inner.dst, p->inner.dport)) != NULL) {
			/* An inside host's error about inbound traffic. */
			pkt_set_src(f, p, paddr, 0);
			pkt_set_inner_dst(f, p, paddr, m->out_port);
			o->c.icmp_translated++;
		} else
			goto drop;
		if (pkt_dec_ttl(f, p) == -1)
			goto drop;
		pkt_set_eth(f, p, pub->mac, gw);
		o->c.icmp_echo_nat += p->icmp_type == ICMP_ECHO_;
		send_frame(o, in_port, pub->port_no, f, p->len);
		return;
	}
	if ((p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) || p->frag)
		goto drop;
	if ((m = nat_outbound(o->nat, p->proto, p->src, p->sport, now)) ==
	    NULL || (s = nat_session(o->nat, m, p->dst, p->dport, 1, now)) ==
	    NULL)
		goto nomap;
	d1 = (struct dir){ in_port, pub->port_no, p->proto, p->src, p->dst,
	    p->sport, p->dport, pub->mac, gw, paddr, p->dst, m->out_port,
	    p->dport };
	d2 = (struct dir){ pub->port_no, in_port, p->proto, p->dst, paddr,
	    p->dport, m->out_port, in->mac, p->eth_src, p->dst, p->src,
	    p->dport, p->sport };
	session_go(o, s, &d1, &d2, frame, p->len);
	return;
nomap:
	/* RFC 5508 REQ-8: no room for a session: tell the sender. */
	if (errno == ENOSPC) {
		o->c.exhausted++;
		icmp_error_to(o, in, in_port, frame, p, ICMP_UNREACH_,
		    ICMP_UNREACH_FILTER_);
	}
drop:
	o->c.dropped++;
}

/* From outside to the public address. */
static void
inbound(struct ofnat *o, struct leg *pub, uint32_t in_port,
    const uint8_t *frame, uint8_t *f, struct pkt *p)
{
	struct nat_mapping	*m;
	struct nat_session	*s;
	struct leg		*l;
	const uint8_t		*hmac;
	struct dir		 d1, d2;
	uint64_t		 now = ofnat_now_ms();
	uint32_t		 host;

	if (p->proto == IPPROTO_ICMP) {
		if (p->icmp_type == ICMP_ECHO_) {
			echo_reply(o, in_port, frame, p);
			return;
		}
		if (p->icmp_type == ICMP_ECHOREPLY_) {
			if ((m = nat_lookup_outside(o->nat, IPPROTO_ICMP,
			    p->icmp_id)) == NULL || (s = nat_session(o->nat,
			    m, p->src, 0, 0, now)) == NULL)
				goto drop;
			nat_touch(o->nat, s, now);
		} else if (p->icmp_error && p->inner.src == p->dst) {
			if ((m = nat_lookup_outside(o->nat, p->inner.proto,
			    p->inner.sport)) == NULL)
				goto drop;
		} else
			goto drop;
		host = m->in_addr;
		if ((l = leg_of_addr(o, host)) == NULL)
			goto drop;
		if (need_mac(o, l, host, in_port, frame, p->len, &hmac) == -1)
			return;
		if (p->icmp_error) {
			pkt_set_dst(f, p, host, 0);
			pkt_set_inner_src(f, p, host, m->in_port);
			o->c.icmp_translated++;
		} else {
			pkt_set_dst(f, p, host, 0);
			pkt_set_icmp_id(f, p, m->in_port);
		}
		if (pkt_dec_ttl(f, p) == -1)
			goto drop;
		pkt_set_eth(f, p, l->mac, hmac);
		send_frame(o, in_port, l->port_no, f, p->len);
		return;
	}
	if ((p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) || p->frag)
		goto drop;
	if ((m = nat_inbound(o->nat, p->proto, p->dport, p->src, p->sport)) ==
	    NULL) {
		if (errno == EACCES)
			o->c.filtered++;
		goto drop;
	}
	if ((l = leg_of_addr(o, m->in_addr)) == NULL)
		goto drop;
	if (need_mac(o, l, m->in_addr, in_port, frame, p->len, &hmac) == -1)
		return;
	if ((s = nat_session(o->nat, m, p->src, p->sport, 1, now)) == NULL)
		goto drop;
	d1 = (struct dir){ in_port, l->port_no, p->proto, p->src, p->dst,
	    p->sport, p->dport, l->mac, hmac, p->src, m->in_addr, p->sport,
	    m->in_port };
	d2 = (struct dir){ l->port_no, in_port, p->proto, m->in_addr, p->src,
	    m->in_port, p->sport, pub->mac, p->eth_src, p->dst, p->src,
	    p->dport, p->sport };
	session_go(o, s, &d1, &d2, frame, p->len);
	return;
drop:
	o->c.dropped++;
}

/* From an inside host to the public address: hairpinning. */
static void
hairpin(struct ofnat *o, struct leg *in, uint32_t in_port,
    const uint8_t *frame, struct pkt *p)
{
	struct nat_mapping	*src, *dst;
	struct nat_session	*s;
	struct leg		*l;
	const uint8_t		*hmac;
	struct dir		 d1, d2;
	uint32_t		 paddr = o->conf.vip.s_addr;
	uint64_t		 now = ofnat_now_ms();

	if ((p->proto != IPPROTO_TCP && p->proto != IPPROTO_UDP) || p->frag)
		goto drop;
	if ((dst = nat_hairpin(o->nat, p->proto, p->src, p->sport, p->dport,
	    now, &src)) == NULL)
		goto drop;
	if ((l = leg_of_addr(o, dst->in_addr)) == NULL)
		goto drop;
	if (need_mac(o, l, dst->in_addr, in_port, frame, p->len, &hmac) == -1)
		return;
	if ((s = nat_session(o->nat, src, paddr, p->dport, 1, now)) == NULL)
		goto drop;
	d1 = (struct dir){ in_port, l->port_no, p->proto, p->src, paddr,
	    p->sport, p->dport, l->mac, hmac, paddr, dst->in_addr,
	    src->out_port, dst->in_port };
	d2 = (struct dir){ l->port_no, in_port, p->proto, dst->in_addr, paddr,
	    dst->in_port, src->out_port, in->mac, p->eth_src, paddr, p->src,
	    p->dport, p->sport };
	session_go(o, s, &d1, &d2, frame, p->len);
	o->c.hairpins++;
	return;
drop:
	o->c.dropped++;
}

/* Between two inside networks: a route flow per destination host. */
static void
route(struct ofnat *o, struct leg *out, uint32_t in_port,
    const uint8_t *frame, uint8_t *f, struct pkt *p)
{
	struct ofp_flow_mod	 fm;
	const uint8_t		*mac;

	if (need_mac(o, out, p->dst, in_port, frame, p->len, &mac) == -1)
		return;
	ofp_flow_mod_init(&fm);
	fm.cookie = COOKIE_LEG | (uint64_t)leg_slot(o, out);
	fm.priority = PRIO_ROUTE;
	fm.idle_timeout = ROUTE_IDLE;
	ofp_match_init(&fm.match);
	ofp_match_in_port(&fm.match, in_port);
	ofp_match_eth_type(&fm.match, ETHTYPE_IPV4);
	ofp_match_ipv4_dst(&fm.match, p->dst);
	fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_dec_nw_ttl(&fm.apply);
	{
		struct ofp_match	 set;

		ofp_match_init(&set);
		ofp_match_eth_dst(&set, mac);
		ofp_match_eth_src(&set, out->mac);
		ofp_actions_set_fields(&fm.apply, &set);
	}
	ofp_actions_output(&fm.apply, out->port_no, 0);
	flow_send(o, &fm);
	if (pkt_dec_ttl(f, p) == -1)
		return;
	pkt_set_eth(f, p, out->mac, mac);
	send_frame(o, in_port, out->port_no, f, p->len);
}

static int
router_addr(const struct ofnat *o, uint32_t a)
{
	int	 i;

	for (i = 0; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state >= LEG_INSTALLING && o->legs[i].addr == a)
			return 1;
	return 0;
}

void
handle(struct ofnat *o, uint32_t in_port, uint8_t reason,
    const uint8_t *frame, size_t len)
{
	uint8_t		 f[OFNAT_FRAME_MAX];	/* reentered: not static */
	struct leg	*l, *to;
	struct pkt	 p;
	uint32_t	 paddr = o->conf.vip.s_addr;

	if ((l = leg_of_port(o, in_port)) == NULL || len > sizeof(f))
		goto drop;
	memcpy(f, frame, len);
	if (pkt_parse(f, len, &p) == -1)
		goto drop;
	if (p.eth_type == ETHTYPE_ARP) {
		arp_input(o, l, in_port, &p);
		return;
	}
	if (p.eth_type != ETHTYPE_IPV4)
		goto drop;
	if (!l->public && (p.src & l->mask) == l->net)
		arp_learn(o, p.src, p.eth_src);
	if (reason == OFPR_INVALID_TTL) {
		o->c.packet_in_ttl++;
		time_exceeded(o, l, in_port, frame, &p);
		return;
	}
	/* For the router itself. */
	if (p.dst != paddr && router_addr(o, p.dst)) {
		if (p.proto == IPPROTO_ICMP && p.icmp_type == ICMP_ECHO_)
			echo_reply(o, in_port, frame, &p);
		else
			goto drop;
		return;
	}
	if (l->public) {
		if (p.dst != paddr)
			goto drop;
		if (p.proto == IPPROTO_ICMP && p.icmp_type == ICMP_ECHO_) {
			echo_reply(o, in_port, frame, &p);
			return;
		}
		if (p.ttl <= 1 && !(p.proto == IPPROTO_ICMP && p.icmp_error)) {
			time_exceeded(o, l, in_port, frame, &p);
			return;
		}
		inbound(o, l, in_port, frame, f, &p);
		return;
	}
	if ((p.src & l->mask) != l->net)	/* spoofed or foreign */
		goto drop;
	if (p.dst == paddr) {
		if (p.proto == IPPROTO_ICMP && p.icmp_type == ICMP_ECHO_)
			echo_reply(o, in_port, frame, &p);
		else
			hairpin(o, l, in_port, frame, &p);
		return;
	}
	if (p.ttl <= 1) {
		time_exceeded(o, l, in_port, frame, &p);
		return;
	}
	if ((to = leg_of_addr(o, p.dst)) != NULL) {
		if (to != l)
			route(o, to, in_port, frame, f, &p);
		return;
	}
	outbound(o, l, in_port, frame, f, &p);
	return;
drop:
	o->c.dropped++;
}

void
pipeline_packet_in(struct ofnat *o, const struct ofp_packet_in *pi)
{
	o->c.packet_in++;
	if (pi->reason == OFPR_NO_MATCH)
		o->c.packet_in_miss++;
	if (!(pi->match.fields & OFP_FIELD(OFPXMT_IN_PORT)))
		return;
	handle(o, pi->match.in_port, pi->reason, pi->data, pi->data_len);
}
