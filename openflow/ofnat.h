/*
 * vrouter-ofnat: the OpenFlow 1.3 NAT router controller (docs/ofnat.md).
 *
 * One process, one libevent loop, one switch connection at a time:
 *   ofnat.c     start-up, options, signals, the router description
 *   ofconn.c    the TCP connection to the switch: candidates, framing,
 *               handshake, keepalive, the send queue, dispatch of what
 *               comes in
 *   ofconn_policy.c  which candidate may become the switch (pure)
 *   pipeline.c  the router, split by job (pipeline_priv.h): legs.c,
 *               arp.c, classify.c, icmp.c, session_flows.c, and
 *               reconcile.c (the session flows against the switch's
 *               table after every (re)connection and periodically)
 *   control.c   the control socket: show, mappings, live updates
 *   metrics.c   the Prometheus page (-P DIR, the "metrics" request)
 *   nat_table.c the NAT state; packet.c frames (both pure)
 */
#ifndef VR_OFNAT_H
#define VR_OFNAT_H

#include <net/if.h>
#include <stdint.h>

#include <event2/event.h>

#include "config.h"
#include "nat_table.h"
#include "ofconn_policy.h"
#include "ofp.h"

#define OFNAT_MAX_LEGS		(1 + CONF_MAX_NETWORKS)
#define OFNAT_MAX_PORTS		64
#define OFNAT_ARP_BITS		10
#define OFNAT_ARP_SIZE		(1 << OFNAT_ARP_BITS)	/* ARP hash buckets */
#define OFNAT_PENDING		64	/* packets waiting for ARP */
#define OFNAT_FRAME_MAX		2048
#define OFNAT_TMPLS		32	/* flow shapes (session_flows.c) */

/* Cookies: a session's comes from nat_table (its top 3 bits are 0); the
 * controller's own flows carry a tag in the top. */
#define COOKIE_BASE		(1ull << 62)	/* proactive flows */
#define COOKIE_LEG		(1ull << 61)	/* | leg slot: per-leg flows */
#define COOKIE_TAGS		(COOKIE_BASE | COOKIE_LEG)

enum leg_state {
	LEG_UNUSED = 0,
	LEG_WAIT_PORT,		/* configured; the switch has no such port */
	LEG_INSTALLING,		/* flows sent, barrier outstanding */
	LEG_ACTIVE,		/* barrier reply seen: flows in place */
};

struct leg {
	enum leg_state	 state;
	int		 public;
	char		 name[CONF_NAME_LEN + 1];
	char		 ifname[IFNAMSIZ];
	uint32_t	 addr;		/* gateway / public address */
	uint32_t	 net, mask;	/* networks: the prefix; public: 0 */
	uint32_t	 port_no;	/* 0 while the port is absent */
	uint8_t		 mac[6];
	uint32_t	 barrier_xid;
};

struct arp_entry {
	uint32_t	 ip;
	uint8_t		 mac[6];
	int		 is_static;
	uint64_t	 asked_ms;	/* last request we sent; 0 resolved */
	int		 resolved;
	struct arp_entry *next;
};

struct pending_pkt {
	int		 used;
	uint32_t	 in_port;
	uint32_t	 wait_ip;
	uint64_t	 since_ms;
	size_t		 len;
	uint8_t		 frame[OFNAT_FRAME_MAX];
};

struct ofnat_counters {
	uint64_t	 packet_in, packet_in_miss, packet_in_ttl;
	uint64_t	 packet_out, flow_mod, flow_removed, errors;
	uint64_t	 arp_replies, arp_requests, echo_replies;
	uint64_t	 time_exceeded, icmp_translated, icmp_echo_nat;
	uint64_t	 sessions, hairpins, dropped, filtered, exhausted;
	uint64_t	 setups;	/* new sessions given flows */
	uint64_t	 connects;	/* TCP connections accepted */
	uint64_t	 takeovers;	/* candidates that became the switch */
	uint64_t	 replaced;	/* of which took a stale one's place */
	uint64_t	 refused[OFCONN_REF_MAX];	/* candidates closed */
	/* reconcile.c: the session flows against the switch's table */
	uint64_t	 audits;	/* flow-table reads compared */
	uint64_t	 audits_failed;	/* refused, cut, over a cap, late */
	uint64_t	 recon_reinstalled;	/* sessions given flows again */
	uint64_t	 recon_flowless;	/* left to their next packet */
	uint64_t	 recon_expired;	/* ended: idle by our clock */
	uint64_t	 recon_adopted;	/* the switch had more than counted */
	uint64_t	 recon_stray;	/* flows no session owns, deleted */
};

/* reconcile.c's state: one read of the switch's session flows. */
enum audit_state {
	AUDIT_IDLE = 0,
	AUDIT_COLLECT,		/* request sent, reply parts coming */
	AUDIT_WALK,		/* reply complete, sessions compared */
};

struct ofnat_audit {
	enum audit_state state;
	uint32_t	 xid;
	uint32_t	 round;		/* nat_session.audit of this read */
	uint64_t	 started_ms;
	uint64_t	 next_ms;	/* the next periodic read */
	uint64_t	 entries;	/* flow entries in the reply so far */
	uint64_t	 last_stray;	/* the last stray cookie deleted */
	uint32_t	 slot;		/* the walk's position */
	struct event	*walk;		/* the walk's next batch */
	/* this read's figures, logged when it ends */
	uint64_t	 n_reinstalled, n_flowless, n_expired, n_adopted;
	uint64_t	 n_stray;
};

struct ofconn;

struct ofnat {
	struct event_base	*base;
	struct router_conf	 conf;
	struct nat_table	*nat;
	struct ofconn		*conn;		/* the switch, or NULL */
	int			 ready;		/* ports known, flows in */
	uint64_t		 dpid;

	struct leg		 legs[OFNAT_MAX_LEGS];	/* [0]: public */
	struct ofp_port		 ports[OFNAT_MAX_PORTS];
	size_t			 nports;

	struct arp_entry	*arp[OFNAT_ARP_SIZE];
	struct pending_pkt	 pending[OFNAT_PENDING];
	struct event		*tick;		/* 1 s: expiry, ARP retries */

	struct ofnat_counters	 c;
	struct ofnat_audit	 audit;
	/* session flows by shape, encoded once (bit k of tmpl_ok: built) */
	struct ofp_flow_tmpl	 tmpl[OFNAT_TMPLS];
	uint32_t		 tmpl_ok;
	/* scratch for building messages */
	uint8_t			 msg[OFP_MAX_MSG_LEN];
};

/* ofnat.c */
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t	 ofnat_now_ms(void);
/*
 * Read the clock once for a batch of messages handled together (one
 * read from the switch): until the release, ofnat_now_ms returns that
 * reading.  Read per packet, the clock was an eighth of the cost of a
 * setup in bench/ofnat.sh.
 */
void		 ofnat_clock_hold(void);
void		 ofnat_clock_release(void);

/* ofconn.c: the switch connection. */
/*
 * Listen on addr:port (numeric IPv4).  Returns the listening fd (owned
 * by ofconn, closed by ofconn_shutdown), or -1 with errno.  An accepted
 * connection is a candidate until its HELLO and FEATURES_REPLY; then
 * ofconn_decide (ofconn_policy.h) says whether it becomes the switch.
 */
int		 ofconn_listen(struct ofnat *, const char *addr,
		    uint16_t port);
/* Queue one encoded message on the connection; -1 when none or full. */
int		 ofconn_send(struct ofnat *, const void *, size_t);
/*
 * Queue len bytes that the caller writes in place (libmnl style: the
 * message is built in the send queue, not copied there).  Returns where
 * to write them, valid until the next ofconn call; the caller fills all
 * len bytes before it returns to the event loop.  NULL with errno
 * ENOTCONN, ENOBUFS (the switch stopped reading) or ENOMEM.
 */
uint8_t		*ofconn_reserve(struct ofnat *, size_t len);
/* A fresh transaction id. */
uint32_t	 ofconn_xid(struct ofnat *);
void		 ofconn_close(struct ofnat *);
/* At exit: close the connection and the listener, no callbacks. */
void		 ofconn_shutdown(struct ofnat *);
int		 ofconn_connected(const struct ofnat *);
size_t		 ofconn_queued(const struct ofnat *);
/* The switch's "addr:port" (ofconn's storage), "" when there is none. */
const char	*ofconn_peer(const struct ofnat *);
/* Connections still in their handshake (at most 8). */
size_t		 ofconn_candidates(const struct ofnat *);

/* The router (pipeline.c and its parts): ofconn calls in stream order. */
void		 pipeline_init(struct ofnat *);
void		 pipeline_ready(struct ofnat *);	/* handshake done */
void		 pipeline_lost(struct ofnat *);		/* connection gone */
void		 pipeline_port_status(struct ofnat *,
		    const struct ofp_port_status *);
void		 pipeline_packet_in(struct ofnat *,
		    const struct ofp_packet_in *);
void		 pipeline_flow_removed(struct ofnat *,
		    const struct ofp_flow_removed *);
void		 pipeline_error(struct ofnat *, uint32_t xid,
		    const struct ofp_error *);
void		 pipeline_barrier(struct ofnat *, uint32_t xid);
/* A part of a MULTIPART FLOW reply (reconcile.c). */
void		 pipeline_flow_stats(struct ofnat *, uint32_t xid,
		    const struct ofp_flow_stats_reply *);
void		 pipeline_tick(struct ofnat *);
void		 pipeline_free(struct ofnat *);

/* Live changes (control.c calls these); 0 or -1 with a message. */
int		 pipeline_leg_add(struct ofnat *, const struct conf_network *,
		    char *err, size_t errlen);
int		 pipeline_leg_del(struct ofnat *, const char *name,
		    char *err, size_t errlen);
int		 pipeline_forward_add(struct ofnat *,
		    const struct conf_forward *, char *err, size_t errlen);
int		 pipeline_forward_del(struct ofnat *, uint8_t proto,
		    uint16_t public_port, char *err, size_t errlen);
int		 pipeline_host_add(struct ofnat *, uint32_t ip,
		    const uint8_t mac[6], char *err, size_t errlen);
int		 pipeline_host_del(struct ofnat *, uint32_t ip, char *err,
		    size_t errlen);
const char	*pipeline_leg_state(enum leg_state);

/* control.c */
struct ctl_server *control_init(struct ofnat *, const char *path);

/* metrics.c: the Prometheus page; with dir, dir/vrouter-ofnat.prom */
int		 ofnat_metrics_init(struct ofnat *, const char *dir);
void		 ofnat_metrics_free(void);
/* The page, malloc'ed (the caller frees it); NULL with errno. */
char		*ofnat_metrics_page(struct ofnat *, size_t *len);

#endif
