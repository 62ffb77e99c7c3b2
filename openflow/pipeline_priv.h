/*
 * The router on the switch, split by job; private to its files:
 *   pipeline.c       switch events to the parts; the messages they send
 *   legs.c           the legs, their ports and flows, live networks/forwards
 *   arp.c            the neighbour table, frames waiting for ARP, hosts
 *   classify.c       the packet-in path: what a packet is, where it goes
 *   icmp.c           echo replies and ICMP errors the router sends
 *   session_flows.c  the flows of NAT sessions, FlowRemoved, expiry
 *   reconcile.c      the session flows against the switch's flow table:
 *                    after every (re)connection and periodically
 * ofnat.h declares what ofnat.c, ofconn.c and control.c call.
 *
 * Table 0 holds:
 *   prio 0     table-miss -> controller (OF1.3 has no implicit one)
 *   prio 1000  ARP -> controller (answers for the legs' addresses, learns)
 *   prio 450   per (host, router address) that was pinged: the echo
 *              reply made in the switch (MACs, addresses, type swapped)
 *   prio 400   per network leg: IPv4 to the gateway address -> controller
 *              when ICMP (echo answered), dropped otherwise
 *   prio 200   per NAT session, a pair of flows (out and back), cookie =
 *              the session's, idle timeout per RFC, SEND_FLOW_REM, never a
 *              hard timeout; actions dec_nw_ttl first (so an INVALID_TTL
 *              packet-in carries the packet as it arrived), set_field MACs,
 *              addresses and ports, output
 *   prio 100   routes between inside networks, per destination host
 * Everything OF1.3 cannot do goes through the controller packet by
 * packet: ICMP echo through the NAT (the identifier cannot be matched or
 * rewritten), ICMP errors (their inner header), Time Exceeded.
 */
#ifndef VR_PIPELINE_PRIV_H
#define VR_PIPELINE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "nat_table.h"
#include "ofnat.h"
#include "packet.h"

#define PRIO_MISS	0
#define PRIO_ROUTE	100
#define PRIO_SESSION	200
#define PRIO_GW		400
#define PRIO_GW_ICMP	401
#define PRIO_ECHO	450
#define PRIO_ARP	1000

/* pipeline.c */
void		 flow_send(struct ofnat *, const struct ofp_flow_mod *);
/* Send a frame out of port (IN_PORT when it came in there). */
void		 send_frame(struct ofnat *, uint32_t in_port, uint32_t out_port,
		    const uint8_t *data, size_t len);
/* Delete flows: by exact cookie (mask ~0) or with a port filter. */
void		 flows_delete(struct ofnat *, uint64_t cookie, uint64_t mask,
		    uint32_t out_port, uint32_t in_port);
/* A barrier request; its xid, or 0 when it could not be sent. */
uint32_t	 barrier(struct ofnat *);

/* legs.c */
/* The active leg on port, or NULL. */
struct leg	*leg_of_port(struct ofnat *, uint32_t port);
/* The network leg whose prefix holds addr, or NULL. */
struct leg	*leg_of_addr(struct ofnat *, uint32_t addr);
/* l's index in o->legs: the low bits of its flows' cookie. */
int		 leg_slot(const struct ofnat *, const struct leg *l);
/* Activate each leg waiting for a port the switch now has. */
void		 legs_match_ports(struct ofnat *);

/* arp.c */
/* ip's MAC address, or NULL while it is not known. */
const uint8_t	*arp_lookup(struct ofnat *, uint32_t ip);
void		 arp_learn(struct ofnat *, uint32_t ip, const uint8_t mac[6]);
/* Ask for ip on leg l, at most once per ARP_RETRY_MS. */
void		 arp_request(struct ofnat *, struct leg *l, uint32_t ip);
/* An ARP frame that came in on leg l. */
void		 arp_input(struct ofnat *, struct leg *l, uint32_t in_port,
		    const struct pkt *);
/* Hold a frame until ip resolves (ARP asked on leg l). */
void		 pending_add(struct ofnat *, struct leg *l, uint32_t in_port,
		    uint32_t ip, const uint8_t *frame, size_t len);
void		 arp_tick(struct ofnat *, uint64_t now);

/* classify.c */
/* A frame from in_port: a packet-in, or one that waited for ARP. */
void		 handle(struct ofnat *, uint32_t in_port, uint8_t reason,
		    const uint8_t *frame, size_t len);

/* icmp.c */
/* Send type/code about the packet p back out of in_port, from leg l. */
void		 icmp_error_to(struct ofnat *, struct leg *l, uint32_t in_port,
		    const uint8_t *frame, const struct pkt *p, uint8_t type,
		    uint8_t code);
void		 time_exceeded(struct ofnat *, struct leg *l, uint32_t in_port,
		    const uint8_t *frame, const struct pkt *p);
/* Answer an echo request to a router address, and install its flow. */
void		 echo_reply(struct ofnat *, uint32_t in_port,
		    const uint8_t *frame, const struct pkt *p);

/* session_flows.c */
/*
 * One direction of a session: match (in_port, proto, src, dst, sport,
 * dport) exactly; rewrite to (eth_src, eth_dst, nsrc:nsport ->
 * ndst:ndport); output out_port.  The same actions go into *a for the
 * packet-out of the packet that made the flow.
 */
struct dir {
	uint32_t	 in_port, out_port;
	uint8_t		 proto;
	uint32_t	 src, dst;
	uint16_t	 sport, dport;
	const uint8_t	*eth_src, *eth_dst;
	uint32_t	 nsrc, ndst;
	uint16_t	 nsport, ndport;
};

/*
 * Give a session its two flows (first is the direction of the packet at
 * hand) unless it has them, then send the packet along first.
 */
void		 session_go(struct ofnat *, struct nat_session *,
		    const struct dir *first, const struct dir *back,
		    const uint8_t *frame, size_t len);
/* nat_table's callback for a session it ends: its flows go. */
void		 end_session(const struct nat_session *, void *);
/* A session's two flows rebuilt without a packet; -1 when a leg or a
 * MAC is unknown now. */
int		 session_dirs(struct ofnat *, const struct nat_session *,
		    struct dir *out, struct dir *back);
/* Install a flowless session's two flows (no packet-out); 0 or -1. */
int		 session_install(struct ofnat *, struct nat_session *,
		    const struct dir *out, const struct dir *back);

/* reconcile.c: the session flows against the switch's flow table */
/* Read the switch's session flows (on every (re)connection, then
 * periodically from audit_tick). */
void		 audit_start(struct ofnat *);
void		 audit_tick(struct ofnat *, uint64_t now);
void		 audit_stop(struct ofnat *);
void		 audit_free(struct ofnat *);
/* n flows of s were sent to the switch: a running audit counts them as
 * if its snapshot had shown them (the switch has them after it). */
void		 audit_installed(struct ofnat *, struct nat_session *,
		    unsigned int n);
/* A flow with this session cookie is gone (FlowRemoved, refused). */
void		 audit_flow_gone(struct ofnat *, uint64_t cookie);
/* An ERROR: 1 if it answered the audit's request (the audit failed). */
int		 audit_error(struct ofnat *, uint32_t xid);

#endif
