/*
 * The router on the switch (ofnat.h, docs/ofnat.md).  pipeline_priv.h
 * lists the files it is split into and the layout of table 0.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "ofnat.h"
#include "packet.h"
#include "pipeline_priv.h"

#define ROUTE_IDLE	300		/* seconds, routes between networks */

static const char *
ipstr(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

const char *
pipeline_leg_state(enum leg_state s)
{
	switch (s) {
	case LEG_UNUSED:
		return "unused";
	case LEG_WAIT_PORT:
		return "waiting-port";
	case LEG_INSTALLING:
		return "installing";
	case LEG_ACTIVE:
		return "active";
	}
	return "?";
}

/* --- sending -------------------------------------------------------- */

void
flow_send(struct ofnat *o, const struct ofp_flow_mod *fm)
{
	ssize_t	 n;

	if ((n = ofp_encode_flow_mod(o->msg, sizeof(o->msg), ofconn_xid(o),
	    fm)) == -1) {
		log_warn("flow_mod: encode");
		return;
	}
	if (ofconn_send(o, o->msg, (size_t)n) == 0)
		o->c.flow_mod++;
}

static void
packet_out(struct ofnat *o, uint32_t in_port, const struct ofp_actions *a,
    const uint8_t *data, size_t len)
{
	struct ofp_packet_out	 po;
	ssize_t			 n;

	memset(&po, 0, sizeof(po));
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = in_port;
	po.actions = *a;
	po.data = data;
	po.data_len = len;
	if ((n = ofp_encode_packet_out(o->msg, sizeof(o->msg), ofconn_xid(o),
	    &po)) == -1) {
		log_warn("packet_out: encode");
		return;
	}
	if (ofconn_send(o, o->msg, (size_t)n) == 0)
		o->c.packet_out++;
}

/* Send a frame out of port (IN_PORT when it came in there). */
void
send_frame(struct ofnat *o, uint32_t in_port, uint32_t out_port,
    const uint8_t *data, size_t len)
{
	struct ofp_actions	 a;

	memset(&a, 0, sizeof(a));
	ofp_actions_output(&a, out_port == in_port ? OFPP_IN_PORT : out_port,
	    0);
	packet_out(o, in_port, &a, data, len);
}

static uint32_t
barrier(struct ofnat *o)
{
	uint32_t	 xid = ofconn_xid(o);
	ssize_t		 n;

	if ((n = ofp_encode_barrier_request(o->msg, sizeof(o->msg), xid)) ==
	    -1 || ofconn_send(o, o->msg, (size_t)n) == -1)
		return 0;
	return xid;
}

/* Delete flows: by exact cookie (mask ~0) or with a port filter. */
void
flows_delete(struct ofnat *o, uint64_t cookie, uint64_t mask,
    uint32_t out_port, uint32_t in_port)
{
	struct ofp_flow_mod	 fm;

	ofp_flow_mod_init(&fm);
	fm.command = OFPFC_DELETE;
	fm.table_id = OFPTT_ALL;
	fm.cookie = cookie;
	fm.cookie_mask = mask;
	if (out_port != 0)
		fm.out_port = out_port;
	ofp_match_init(&fm.match);
	if (in_port != 0)
		ofp_match_in_port(&fm.match, in_port);
	flow_send(o, &fm);
}

/* --- legs and ports -------------------------------------------------- */

struct leg *
leg_of_port(struct ofnat *o, uint32_t port)
{
	int	 i;

	for (i = 0; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state >= LEG_INSTALLING &&
		    o->legs[i].port_no == port)
			return &o->legs[i];
	return NULL;
}

/* The network leg whose prefix holds addr. */
struct leg *
leg_of_addr(struct ofnat *o, uint32_t addr)
{
	int	 i;

	for (i = 1; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state >= LEG_INSTALLING &&
		    (addr & o->legs[i].mask) == o->legs[i].net)
			return &o->legs[i];
	return NULL;
}

int
leg_slot(const struct ofnat *o, const struct leg *l)
{
	return (int)(l - o->legs);
}

static struct ofp_port *
port_by_name(struct ofnat *o, const char *name)
{
	size_t	 i;

	for (i = 0; i < o->nports; i++)
		if (strcmp(o->ports[i].name, name) == 0)
			return &o->ports[i];
	return NULL;
}

/* The port is there: install the leg's own flows, then a barrier. */
static void
leg_activate(struct ofnat *o, struct leg *l, const struct ofp_port *p)
{
	struct ofp_flow_mod	 fm;
	char			 a[INET_ADDRSTRLEN];

	l->port_no = p->port_no;
	memcpy(l->mac, p->hw_addr, 6);
	l->state = LEG_INSTALLING;
	if (!l->public) {
		ofp_flow_mod_init(&fm);
		fm.cookie = COOKIE_LEG | (uint64_t)leg_slot(o, l);
		fm.priority = PRIO_GW;
		ofp_match_init(&fm.match);
		ofp_match_in_port(&fm.match, l->port_no);
		ofp_match_eth_type(&fm.match, ETHTYPE_IPV4);
		ofp_match_ipv4_dst(&fm.match, l->addr);
		fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
		flow_send(o, &fm);	/* empty actions: drop */
		fm.priority = PRIO_GW_ICMP;
		ofp_match_ip_proto(&fm.match, IPPROTO_ICMP);
		ofp_actions_output(&fm.apply, OFPP_CONTROLLER,
		    OFPCML_NO_BUFFER);
		flow_send(o, &fm);
	}
	l->barrier_xid = barrier(o);
	log_info("leg %s: %s is port %u, %s", l->name, l->ifname,
	    l->port_no, ipstr(l->addr, a));
	if (l->public)
		arp_request(o, l, o->conf.pub_gateway.s_addr);
}

/* The leg's port is gone or the leg removed: its flows and hosts go. */
static void
leg_deactivate(struct ofnat *o, struct leg *l)
{
	if (l->state >= LEG_INSTALLING && l->port_no != 0 &&
	    ofconn_connected(o)) {
		flows_delete(o, COOKIE_LEG | (uint64_t)leg_slot(o, l),
		    ~0ull, 0, 0);
		flows_delete(o, 0, 0, l->port_no, 0);
		flows_delete(o, 0, 0, 0, l->port_no);
	}
	if (!l->public)
		nat_drop_hosts(o->nat, l->net, (uint8_t)__builtin_popcount(
		    l->mask), end_session, o);
	l->port_no = 0;
	l->state = LEG_WAIT_PORT;
	l->barrier_xid = 0;
}

static void
legs_match_ports(struct ofnat *o)
{
	struct ofp_port	*p;
	int		 i;

	for (i = 0; i < OFNAT_MAX_LEGS; i++) {
		if (o->legs[i].state != LEG_WAIT_PORT)
			continue;
		if ((p = port_by_name(o, o->legs[i].ifname)) != NULL)
			leg_activate(o, &o->legs[i], p);
	}
}

/* --- the packet paths ------------------------------------------------ */

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

/* --- switch events --------------------------------------------------- */

void
pipeline_ready(struct ofnat *o)
{
	static int		 started;
	struct ofp_flow_mod	 fm;
	int			 i;

	/*
	 * At start the switch may hold flows of an earlier controller
	 * whose sessions this process does not know: clear everything.  On
	 * a reconnect the session flows stay (their FlowRemoved still
	 * comes to us); the rest is installed again.
	 */
	if (!started)
		flows_delete(o, 0, 0, 0, 0);
	else
		flows_delete(o, COOKIE_BASE, COOKIE_BASE, 0, 0);
	started = 1;
	flows_delete(o, COOKIE_LEG, COOKIE_LEG, 0, 0);

	ofp_flow_mod_init(&fm);
	fm.cookie = COOKIE_BASE;
	fm.priority = PRIO_MISS;
	ofp_match_init(&fm.match);
	fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_output(&fm.apply, OFPP_CONTROLLER, OFPCML_NO_BUFFER);
	flow_send(o, &fm);
	fm.priority = PRIO_ARP;
	ofp_match_eth_type(&fm.match, ETHTYPE_ARP);
	flow_send(o, &fm);

	for (i = 0; i < OFNAT_MAX_LEGS; i++) {
		if (o->legs[i].state == LEG_UNUSED)
			continue;
		o->legs[i].state = LEG_WAIT_PORT;
		o->legs[i].port_no = 0;
	}
	legs_match_ports(o);
	o->ready = 1;
}

void
pipeline_lost(struct ofnat *o)
{
	int	 i;

	o->ready = 0;
	for (i = 0; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state != LEG_UNUSED) {
			o->legs[i].state = LEG_WAIT_PORT;
			o->legs[i].port_no = 0;
		}
	memset(o->pending, 0, sizeof(o->pending));
}

void
pipeline_port_status(struct ofnat *o, const struct ofp_port_status *ps)
{
	struct ofp_port	*p;
	size_t		 i;
	int		 j;

	p = port_by_name(o, ps->port.name);
	log_info("port %s (%u): %s", ps->port.name, ps->port.port_no,
	    ps->reason == OFPPR_ADD ? "added" : ps->reason == OFPPR_DELETE ?
	    "deleted" : "modified");
	if (ps->reason == OFPPR_DELETE) {
		for (j = 0; j < OFNAT_MAX_LEGS; j++)
			if (o->legs[j].state >= LEG_INSTALLING &&
			    o->legs[j].port_no == ps->port.port_no)
				leg_deactivate(o, &o->legs[j]);
		if (p != NULL) {
			i = (size_t)(p - o->ports);
			o->ports[i] = o->ports[--o->nports];
		}
		return;
	}
	if (p != NULL)
		*p = ps->port;
	else if (o->nports < OFNAT_MAX_PORTS)
		o->ports[o->nports++] = ps->port;
	if (o->ready)
		legs_match_ports(o);
}

void
pipeline_barrier(struct ofnat *o, uint32_t xid)
{
	int	 i;

	for (i = 0; i < OFNAT_MAX_LEGS; i++) {
		if (o->legs[i].state == LEG_INSTALLING &&
		    o->legs[i].barrier_xid == xid) {
			o->legs[i].state = LEG_ACTIVE;
			log_info("leg %s: active", o->legs[i].name);
		}
	}
}

void
pipeline_tick(struct ofnat *o)
{
	uint64_t	 now = ofnat_now_ms();

	nat_expire(o->nat, now, end_session, o);
	arp_tick(o, now);
}

/* --- configuration ----------------------------------------------------- */

static struct leg *
leg_free_slot(struct ofnat *o)
{
	int	 i;

	for (i = 1; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state == LEG_UNUSED)
			return &o->legs[i];
	return NULL;
}

static void
leg_from_network(struct leg *l, const struct conf_network *n)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", n->name);
	snprintf(l->ifname, sizeof(l->ifname), "%s", n->interface);
	l->addr = n->gateway.s_addr;
	l->mask = n->cidr.plen == 0 ? 0 :
	    htonl(0xffffffffu << (32 - n->cidr.plen));
	l->net = n->cidr.addr.s_addr & l->mask;
	l->state = LEG_WAIT_PORT;
}

void
pipeline_init(struct ofnat *o)
{
	struct leg	*l = &o->legs[0];
	char		 err[256];
	int		 i;

	memset(l, 0, sizeof(*l));
	l->public = 1;
	snprintf(l->name, sizeof(l->name), "public");
	snprintf(l->ifname, sizeof(l->ifname), "%s", o->conf.pub_if);
	l->addr = o->conf.vip.s_addr;
	l->state = LEG_WAIT_PORT;
	for (i = 0; i < o->conf.nnetworks; i++)
		leg_from_network(&o->legs[i + 1], &o->conf.networks[i]);
	for (i = 0; i < o->conf.nforwards; i++)
		if (pipeline_forward_add(o, &o->conf.forwards[i], err,
		    sizeof(err)) == -1)
			log_warnx("%s", err);
}

int
pipeline_leg_add(struct ofnat *o, const struct conf_network *n, char *err,
    size_t errlen)
{
	struct leg	*l, nl;
	int		 i;

	leg_from_network(&nl, n);
	for (i = 0; i < OFNAT_MAX_LEGS; i++) {
		l = &o->legs[i];
		if (l->state == LEG_UNUSED)
			continue;
		if (strcmp(l->name, nl.name) == 0 ||
		    strcmp(l->ifname, nl.ifname) == 0) {
			snprintf(err, errlen, "network %s: name or interface "
			    "%s already used by %s", nl.name, nl.ifname,
			    l->name);
			return -1;
		}
		if (!l->public && ((nl.net & l->mask) == l->net ||
		    (l->net & nl.mask) == nl.net)) {
			snprintf(err, errlen, "network %s: overlaps %s",
			    nl.name, l->name);
			return -1;
		}
	}
	if ((nl.addr & nl.mask) != nl.net || (o->conf.vip.s_addr & nl.mask)
	    == nl.net) {
		snprintf(err, errlen, "network %s: gateway outside the "
		    "network, or the network holds the public address",
		    nl.name);
		return -1;
	}
	if ((l = leg_free_slot(o)) == NULL) {
		snprintf(err, errlen, "network %s: no room (%d networks)",
		    nl.name, CONF_MAX_NETWORKS);
		return -1;
	}
	*l = nl;
	log_info("network %s added on %s", l->name, l->ifname);
	if (o->ready)
		legs_match_ports(o);
	return 0;
}

int
pipeline_leg_del(struct ofnat *o, const char *name, char *err,
    size_t errlen)
{
	struct leg	*l;
	int		 i;

	for (i = 1; i < OFNAT_MAX_LEGS; i++) {
		l = &o->legs[i];
		if (l->state == LEG_UNUSED || strcmp(l->name, name) != 0)
			continue;
		leg_deactivate(o, l);
		if (o->ready)
			(void)barrier(o);
		memset(l, 0, sizeof(*l));
		log_info("network %s removed", name);
		return 0;
	}
	snprintf(err, errlen, "network %s: no such network", name);
	return -1;
}

int
pipeline_forward_add(struct ofnat *o, const struct conf_forward *f,
    char *err, size_t errlen)
{
	char	 a[INET_ADDRSTRLEN];

	if (nat_forward_add(o->nat, f->proto, f->public_port, f->host.s_addr,
	    f->port, end_session, o) == NULL) {
		snprintf(err, errlen, "forward %s %u -> %s:%u: %s",
		    f->proto == IPPROTO_TCP ? "tcp" : "udp", f->public_port,
		    ipstr(f->host.s_addr, a), f->port, strerror(errno));
		return -1;
	}
	return 0;
}

int
pipeline_forward_del(struct ofnat *o, uint8_t proto, uint16_t public_port,
    char *err, size_t errlen)
{
	if (nat_forward_del(o->nat, proto, public_port, end_session, o) ==
	    -1) {
		snprintf(err, errlen, "forward %s %u: no such forward",
		    proto == IPPROTO_TCP ? "tcp" : "udp", public_port);
		return -1;
	}
	return 0;
}
