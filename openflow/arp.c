/*
 * ARP: the neighbour table.  It answers for the legs' addresses, learns
 * from what hosts send, asks for the addresses the router needs, holds
 * frames until their next hop resolves, and keeps the static hosts the
 * control socket adds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofnat.h"
#include "packet.h"
#include "pipeline_priv.h"

#define PENDING_MS	3000		/* how long a packet waits for ARP */
#define ARP_RETRY_MS	500

static const uint8_t	 BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t	 ZERO6[6];

/*
 * Multiplicative hashing keeps the top bits of the product: the low bits
 * depend only on the low bits of ip, which in network order are the
 * first octets, the same for every host of a network.
 */
static uint32_t
arp_hash(uint32_t ip)
{
	return (ip * 2654435761u) >> (32 - OFNAT_ARP_BITS);
}

static struct arp_entry *
arp_get(struct ofnat *o, uint32_t ip, int create)
{
	struct arp_entry	*e;
	uint32_t		 h = arp_hash(ip);

	for (e = o->arp[h]; e != NULL; e = e->next)
		if (e->ip == ip)
			return e;
	if (!create || (e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->ip = ip;
	e->next = o->arp[h];
	o->arp[h] = e;
	return e;
}

const uint8_t *
arp_lookup(struct ofnat *o, uint32_t ip)
{
	struct arp_entry	*e = arp_get(o, ip, 0);

	return e != NULL && e->resolved ? e->mac : NULL;
}

static void	pending_flush(struct ofnat *, uint32_t ip);

void
arp_learn(struct ofnat *o, uint32_t ip, const uint8_t mac[6])
{
	struct arp_entry	*e;
	int			 was;

	if (ip == 0 || memcmp(mac, ZERO6, 6) == 0 || (mac[0] & 1))
		return;
	if ((e = arp_get(o, ip, 1)) == NULL || e->is_static)
		return;
	was = e->resolved;
	memcpy(e->mac, mac, 6);
	e->resolved = 1;
	e->asked_ms = 0;
	if (!was)
		pending_flush(o, ip);
}

void
arp_request(struct ofnat *o, struct leg *l, uint32_t ip)
{
	struct arp_entry	*e;
	uint8_t			 f[64];
	uint64_t		 now = ofnat_now_ms();
	ssize_t			 n;

	if (l == NULL || l->state < LEG_INSTALLING ||
	    (e = arp_get(o, ip, 1)) == NULL)
		return;
	if (e->asked_ms != 0 && now - e->asked_ms < ARP_RETRY_MS)
		return;
	e->asked_ms = now;
	n = pkt_build_arp(f, sizeof(f), ARP_REQUEST, BCAST, l->mac, l->addr,
	    ZERO6, ip);
	if (n > 0) {
		send_frame(o, OFPP_CONTROLLER, l->port_no, f, (size_t)n);
		o->c.arp_requests++;
	}
}

void
arp_input(struct ofnat *o, struct leg *l, uint32_t in_port,
    const struct pkt *p)
{
	uint8_t		 f[64];
	ssize_t		 n;

	/* Learn neighbours on the leg's own subnet (any on the public). */
	if (l->public || (p->arp_spa & l->mask) == l->net)
		arp_learn(o, p->arp_spa, p->arp_sha);
	if (p->arp_op != ARP_REQUEST || p->arp_tpa != l->addr)
		return;
	n = pkt_build_arp(f, sizeof(f), ARP_REPLY, p->arp_sha, l->mac,
	    l->addr, p->arp_sha, p->arp_spa);
	if (n > 0) {
		send_frame(o, in_port, in_port, f, (size_t)n);
		o->c.arp_replies++;
	}
}

/* Hold a frame until ip resolves (ARP asked on leg l). */
void
pending_add(struct ofnat *o, struct leg *l, uint32_t in_port, uint32_t ip,
    const uint8_t *frame, size_t len)
{
	struct pending_pkt	*pp, *slot = NULL;
	int			 i;

	arp_request(o, l, ip);
	if (len > OFNAT_FRAME_MAX)
		return;
	for (i = 0; i < OFNAT_PENDING; i++) {
		pp = &o->pending[i];
		if (!pp->used) {
			slot = pp;
			break;
		}
		if (slot == NULL || pp->since_ms < slot->since_ms)
			slot = pp;	/* the oldest, if all are used */
	}
	slot->used = 1;
	slot->in_port = in_port;
	slot->wait_ip = ip;
	slot->since_ms = ofnat_now_ms();
	slot->len = len;
	memcpy(slot->frame, frame, len);
}

static void
pending_flush(struct ofnat *o, uint32_t ip)
{
	struct pending_pkt	 pp;
	int			 i;

	for (i = 0; i < OFNAT_PENDING; i++) {
		if (!o->pending[i].used || o->pending[i].wait_ip != ip)
			continue;
		pp = o->pending[i];
		o->pending[i].used = 0;
		handle(o, pp.in_port, OFPR_NO_MATCH, pp.frame, pp.len);
	}
}

/*
 * Every tick: a frame that waited too long for its address is dropped,
 * the others ask again; the public gateway is asked for until it answers.
 */
void
arp_tick(struct ofnat *o, uint64_t now)
{
	int		 i;

	for (i = 0; i < OFNAT_PENDING; i++) {
		struct pending_pkt	*pp = &o->pending[i];

		if (!pp->used)
			continue;
		if (now - pp->since_ms > PENDING_MS) {
			pp->used = 0;
			o->c.dropped++;
			continue;
		}
		arp_request(o, pp->wait_ip == o->conf.pub_gateway.s_addr ?
		    &o->legs[0] : leg_of_addr(o, pp->wait_ip), pp->wait_ip);
	}
	if (o->ready && o->legs[0].state >= LEG_INSTALLING &&
	    arp_lookup(o, o->conf.pub_gateway.s_addr) == NULL)
		arp_request(o, &o->legs[0], o->conf.pub_gateway.s_addr);
}

int
pipeline_host_add(struct ofnat *o, uint32_t ip, const uint8_t mac[6],
    char *err, size_t errlen)
{
	struct arp_entry	*e;
	int			 i, in = 0;

	for (i = 1; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state != LEG_UNUSED &&
		    (ip & o->legs[i].mask) == o->legs[i].net)
			in = 1;
	if (!in) {
		snprintf(err, errlen, "host: not inside a network");
		return -1;
	}
	if ((e = arp_get(o, ip, 1)) == NULL) {
		snprintf(err, errlen, "host: out of memory");
		return -1;
	}
	memcpy(e->mac, mac, 6);
	e->resolved = 1;
	e->is_static = 1;
	pending_flush(o, ip);
	return 0;
}

int
pipeline_host_del(struct ofnat *o, uint32_t ip, char *err, size_t errlen)
{
	struct arp_entry	*e, **pp;
	size_t			 n;

	n = nat_drop_hosts(o->nat, ip, 32, end_session, o);
	if (ofconn_connected(o)) {
		/* Route flows towards it, by destination. */
		struct ofp_flow_mod	 fm;

		ofp_flow_mod_init(&fm);
		fm.command = OFPFC_DELETE;
		fm.table_id = OFPTT_ALL;
		ofp_match_init(&fm.match);
		ofp_match_eth_type(&fm.match, ETHTYPE_IPV4);
		ofp_match_ipv4_dst(&fm.match, ip);
		flow_send(o, &fm);
	}
	for (pp = &o->arp[arp_hash(ip)]; (e = *pp) != NULL; pp = &e->next) {
		if (e->ip == ip) {
			*pp = e->next;
			free(e);
			return 0;
		}
	}
	if (n == 0) {
		snprintf(err, errlen, "host: nothing known about it");
		return -1;
	}
	return 0;
}

/* The ARP table and the audit's event are all the router allocates. */
void
pipeline_free(struct ofnat *o)
{
	struct arp_entry	*e, *en;
	int			 i;

	audit_free(o);
	for (i = 0; i < OFNAT_ARP_SIZE; i++)
		for (e = o->arp[i]; e != NULL; e = en) {
			en = e->next;
			free(e);
		}
}
