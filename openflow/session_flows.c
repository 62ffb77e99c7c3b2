/*
 * Session flows: each NAT session's pair of flows (out and back), written
 * into the send queue as copies of a template per flow shape, their
 * removal when the session ends, and what the switch says about them
 * (FlowRemoved, a refused FLOW_MOD).  nat_table calls end_session for
 * every session it ends: expiry on the tick, a leg or host dropped, a
 * forward changed.
 */
#include <netinet/in.h>

#include <errno.h>
#include <string.h>

#include "log.h"
#include "ofnat.h"
#include "packet.h"
#include "pipeline_priv.h"

static void
dir_actions(const struct dir *d, struct ofp_actions *a)
{
	struct ofp_match	 set;

	memset(a, 0, sizeof(*a));
	ofp_match_init(&set);
	ofp_match_eth_dst(&set, d->eth_dst);
	ofp_match_eth_src(&set, d->eth_src);
	if (d->nsrc != d->src)
		ofp_match_ipv4_src(&set, d->nsrc);
	if (d->ndst != d->dst)
		ofp_match_ipv4_dst(&set, d->ndst);
	if (d->proto == IPPROTO_TCP) {
		if (d->nsport != d->sport)
			ofp_match_tcp_src(&set, d->nsport);
		if (d->ndport != d->dport)
			ofp_match_tcp_dst(&set, d->ndport);
	} else {
		if (d->nsport != d->sport)
			ofp_match_udp_src(&set, d->nsport);
		if (d->ndport != d->dport)
			ofp_match_udp_dst(&set, d->ndport);
	}
	/* dec_nw_ttl first: an INVALID_TTL packet-in shows the packet as
	 * it arrived, for the Time Exceeded to quote. */
	ofp_actions_dec_nw_ttl(a);
	ofp_actions_set_fields(a, &set);
	ofp_actions_output(a, d->out_port == d->in_port ? OFPP_IN_PORT :
	    d->out_port, 0);
}

static void
dir_flow_mod(const struct dir *d, uint64_t cookie, uint16_t idle,
    struct ofp_flow_mod *fm)
{
	ofp_flow_mod_init(fm);
	fm->cookie = cookie;
	fm->priority = PRIO_SESSION;
	fm->idle_timeout = idle;
	fm->flags = OFPFF_SEND_FLOW_REM;
	ofp_match_init(&fm->match);
	ofp_match_in_port(&fm->match, d->in_port);
	ofp_match_eth_type(&fm->match, ETHTYPE_IPV4);
	ofp_match_ip_proto(&fm->match, d->proto);
	ofp_match_ipv4_src(&fm->match, d->src);
	ofp_match_ipv4_dst(&fm->match, d->dst);
	if (d->proto == IPPROTO_TCP) {
		ofp_match_tcp_src(&fm->match, d->sport);
		ofp_match_tcp_dst(&fm->match, d->dport);
	} else {
		ofp_match_udp_src(&fm->match, d->sport);
		ofp_match_udp_dst(&fm->match, d->dport);
	}
	fm->instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	dir_actions(d, &fm->apply);
}

/*
 * The flows of all sessions come in a few shapes: the protocol, and
 * which of the addresses and ports the direction rewrites.  Each shape
 * is encoded once, from the first direction that needs it; the flows
 * after it are copies with the values patched in (dir_put).
 */
static const struct ofp_flow_tmpl *
dir_tmpl(struct ofnat *o, const struct dir *d)
{
	struct ofp_flow_mod	 fm;
	unsigned int		 k;

	k = (d->proto == IPPROTO_TCP ? 0u : 16u) | (d->nsrc != d->src) |
	    (d->ndst != d->dst) << 1 | (d->nsport != d->sport) << 2 |
	    (d->ndport != d->dport) << 3;
	if (!(o->tmpl_ok & (1u << k))) {
		dir_flow_mod(d, 0, 0, &fm);
		if (ofp_flow_tmpl_init(&o->tmpl[k], &fm) == -1) {
			log_warn("flow_mod: encode");
			return NULL;
		}
		o->tmpl_ok |= 1u << k;
	}
	return &o->tmpl[k];
}

/* A copy of d's template at p with d's values. */
static void
dir_put(uint8_t *p, const struct ofp_flow_tmpl *t, const struct dir *d,
    uint32_t xid, uint64_t cookie, uint16_t idle)
{
	int	 tcp = d->proto == IPPROTO_TCP;
	int	 fs = tcp ? OFPXMT_TCP_SRC : OFPXMT_UDP_SRC;
	int	 fd = tcp ? OFPXMT_TCP_DST : OFPXMT_UDP_DST;

	ofp_flow_tmpl_copy(p, t, xid, cookie, idle);
	ofp_tmpl_put32(p, t->match[OFPXMT_IN_PORT], d->in_port);
	ofp_tmpl_put_ipv4(p, t->match[OFPXMT_IPV4_SRC], d->src);
	ofp_tmpl_put_ipv4(p, t->match[OFPXMT_IPV4_DST], d->dst);
	ofp_tmpl_put16(p, t->match[fs], d->sport);
	ofp_tmpl_put16(p, t->match[fd], d->dport);
	ofp_tmpl_put_mac(p, t->set[OFPXMT_ETH_DST], d->eth_dst);
	ofp_tmpl_put_mac(p, t->set[OFPXMT_ETH_SRC], d->eth_src);
	if (t->set[OFPXMT_IPV4_SRC])
		ofp_tmpl_put_ipv4(p, t->set[OFPXMT_IPV4_SRC], d->nsrc);
	if (t->set[OFPXMT_IPV4_DST])
		ofp_tmpl_put_ipv4(p, t->set[OFPXMT_IPV4_DST], d->ndst);
	if (t->set[fs])
		ofp_tmpl_put16(p, t->set[fs], d->nsport);
	if (t->set[fd])
		ofp_tmpl_put16(p, t->set[fd], d->ndport);
	ofp_tmpl_put32(p, t->output, d->out_port == d->in_port ?
	    OFPP_IN_PORT : d->out_port);
}

/*
 * The session's two flows, out (inside to remote) and back, rebuilt from
 * the NAT state and the neighbour table with no packet at hand: what
 * classify.c would make of the session's next packet.  A hairpin session
 * has the public address as its remote; its other end is the mapping
 * holding the remote port.  -1 while a leg or a MAC is not known.
 */
int
session_dirs(struct ofnat *o, const struct nat_session *s, struct dir *out,
    struct dir *back)
{
	const struct nat_mapping *m = s->map, *dm;
	struct leg		*pub = &o->legs[0], *in, *l;
	const uint8_t		*hmac, *rmac, *dmac;
	uint32_t		 paddr = o->conf.vip.s_addr;

	if (m->proto != IPPROTO_TCP && m->proto != IPPROTO_UDP)
		return -1;
	if ((in = leg_of_addr(o, m->in_addr)) == NULL ||
	    (hmac = arp_lookup(o, m->in_addr)) == NULL)
		return -1;
	if (s->r_addr == paddr) {
		if ((dm = nat_lookup_outside(o->nat, m->proto, s->r_port)) ==
		    NULL || (l = leg_of_addr(o, dm->in_addr)) == NULL ||
		    (dmac = arp_lookup(o, dm->in_addr)) == NULL)
			return -1;
		*out = (struct dir){ in->port_no, l->port_no, m->proto,
		    m->in_addr, paddr, m->in_port, s->r_port, l->mac, dmac,
		    paddr, dm->in_addr, m->out_port, dm->in_port };
		*back = (struct dir){ l->port_no, in->port_no, m->proto,
		    dm->in_addr, paddr, dm->in_port, m->out_port, in->mac,
		    hmac, paddr, m->in_addr, s->r_port, m->in_port };
		return 0;
	}
	if (pub->state < LEG_INSTALLING || pub->port_no == 0)
		return -1;
	/* The remote's own MAC if it is a neighbour, else the gateway's. */
	if ((rmac = arp_lookup(o, s->r_addr)) == NULL &&
	    (rmac = arp_lookup(o, o->conf.pub_gateway.s_addr)) == NULL)
		return -1;
	*out = (struct dir){ in->port_no, pub->port_no, m->proto, m->in_addr,
	    s->r_addr, m->in_port, s->r_port, pub->mac, rmac, paddr,
	    s->r_addr, m->out_port, s->r_port };
	*back = (struct dir){ pub->port_no, in->port_no, m->proto, s->r_addr,
	    paddr, s->r_port, m->out_port, in->mac, hmac, s->r_addr,
	    m->in_addr, s->r_port, m->in_port };
	return 0;
}

/*
 * Install a flowless session's two flows with the protocol's whole idle
 * timeout, and no packet: a session restored after the switch lost its
 * flows.  0, or -1 (nothing sent) with errno.
 */
int
session_install(struct ofnat *o, struct nat_session *s,
    const struct dir *out, const struct dir *back)
{
	const struct ofp_flow_tmpl *t1, *t2;
	uint16_t		 idle;
	uint8_t			*p;

	idle = (uint16_t)nat_idle_timeout(o->nat, s->map->proto);
	if ((t1 = dir_tmpl(o, out)) == NULL || (t2 = dir_tmpl(o, back)) ==
	    NULL) {
		errno = EINVAL;
		return -1;
	}
	if ((p = ofconn_reserve(o, t1->len + t2->len)) == NULL)
		return -1;
	dir_put(p, t1, out, ofconn_xid(o), s->cookie, idle);
	dir_put(p + t1->len, t2, back, ofconn_xid(o), s->cookie, idle);
	nat_session_flows(o->nat, s, 2);
	nat_session_alive(o->nat, s, ofnat_now_ms());
	audit_installed(o, s, 2);
	o->c.flow_mod += 2;
	return 0;
}

/*
 * Give a session its two flows (first is the direction of the packet at
 * hand) unless it has them, then send the packet along first with the
 * same actions.  All three messages are written straight into the send
 * queue; nothing is encoded but the copies.
 */
void
session_go(struct ofnat *o, struct nat_session *s, const struct dir *first,
    const struct dir *back, const uint8_t *frame, size_t len)
{
	const struct ofp_flow_tmpl *t1, *t2 = NULL;
	uint16_t		 idle;
	uint8_t			*p, *fm1;
	size_t			 polen, n;
	int			 new = s->nflows == 0;

	idle = (uint16_t)nat_idle_timeout(o->nat, s->map->proto);
	if ((t1 = dir_tmpl(o, first)) == NULL ||
	    (new && (t2 = dir_tmpl(o, back)) == NULL))
		return;
	polen = OFP_PACKET_OUT_HDR + t1->actions_len + len;
	n = new ? t1->len + t2->len + polen : polen;
	if (polen > OFP_MAX_MSG_LEN || (p = ofconn_reserve(o, n)) == NULL) {
		/* The session stays without flows and expires. */
		log_debug("session %llu: not sent: %s", (unsigned long long)
		    s->cookie, strerror(errno));
		o->c.dropped++;
		return;
	}
	if (new) {
		fm1 = p;
		dir_put(p, t1, first, ofconn_xid(o), s->cookie, idle);
		p += t1->len;
		dir_put(p, t2, back, ofconn_xid(o), s->cookie, idle);
		p += t2->len;
		nat_session_flows(o->nat, s, 2);
		audit_installed(o, s, 2);
		o->c.flow_mod += 2;
		o->c.setups++;
	} else {
		/* Only the actions are needed: make them in the scratch. */
		fm1 = o->msg;
		dir_put(fm1, t1, first, 0, s->cookie, idle);
	}
	/* Seen by the controller: it counts, and it keeps the session
	 * alive by the controller's clock (the audit's expiry). */
	nat_touch(o->nat, s, ofnat_now_ms());
	(void)ofp_encode_packet_out_raw(p, polen, ofconn_xid(o),
	    first->in_port, fm1 + t1->actions, t1->actions_len, frame, len);
	o->c.packet_out++;
}

void
end_session(const struct nat_session *s, void *arg)
{
	struct ofnat	*o = arg;

	if (s->nflows > 0 && ofconn_connected(o))
		flows_delete(o, s->cookie, ~0ull, 0, 0);
}

void
pipeline_flow_removed(struct ofnat *o, const struct ofp_flow_removed *fr)
{
	o->c.flow_removed++;
	if (fr->cookie & COOKIE_TAGS)
		return;
	audit_flow_gone(o, fr->cookie);
	(void)nat_flow_removed(o->nat, fr->cookie, ofnat_now_ms());
}

void
pipeline_error(struct ofnat *o, uint32_t xid, const struct ofp_error *e)
{
	uint64_t	 cookie = 0;
	size_t		 i;

	o->c.errors++;
	/* A refused FLOW_MOD ADD of a session: that flow never was. */
	if (e->data_len >= 26 && e->data[1] == OFPT_FLOW_MOD &&
	    e->data[25] == OFPFC_ADD) {
		for (i = 8; i < 16; i++)
			cookie = cookie << 8 | e->data[i];
		if (cookie != 0 && !(cookie & COOKIE_TAGS)) {
			audit_flow_gone(o, cookie);
			(void)nat_flow_removed(o->nat, cookie,
			    ofnat_now_ms());
		}
	}
	if (audit_error(o, xid))
		return;
	log_warnx("switch error type %u code %u (xid %u, about %s)",
	    e->type, e->code, xid, e->data_len >= 2 ?
	    ofp_type_name(e->data[1]) : "?");
}
