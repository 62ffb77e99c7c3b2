/*
 * The NAT state of vrouter-ofnat: mappings and sessions, pure (no I/O, no
 * clock: every call that needs the time is given it in milliseconds).
 *
 * A mapping binds an inside endpoint (proto, address, port) to one outside
 * port of the public address.  Mapping is endpoint-independent (RFC 4787
 * REQ-1, RFC 5382 REQ-1): the same inside endpoint gets the same outside
 * port whatever the destination, for as long as the mapping lives.  The
 * outside port is the inside port when that is free (port preservation),
 * else one from the configured range with the same parity if possible;
 * an outside port belongs to one mapping only (no port overloading), so
 * when the range is full a new mapping fails with ENOSPC.  For ICMP the
 * "port" is the echo identifier.
 *
 * A session is one (mapping, remote address, remote port).  The controller
 * installs a pair of flows per TCP/UDP session, each with the session's
 * cookie, an idle timeout and SEND_FLOW_REM, and tells the table how many
 * it installed (nat_session_flows).  FlowRemoved events (nat_flow_removed)
 * take them away again; a session without flows ends, and a mapping
 * without sessions ends and frees its port.  ICMP query sessions have no
 * flows (OF1.3 cannot rewrite the echo identifier, so the controller
 * translates every echo) and end nat_timeouts.icmp seconds after their last
 * packet (nat_touch, nat_expire).  Port forwards are static mappings that
 * never end by themselves.
 *
 * Filtering of inbound packets (nat_inbound) is endpoint-independent
 * (any remote may use a mapping) or address-dependent (only a remote
 * address the mapping has sent to), chosen in nat_config.  Forwards
 * accept every remote.
 *
 * Cookies: the low 24 bits of a session's cookie hold its slot number +
 * 1, the bits above a count of the slot's earlier sessions; the top 3
 * bits are always 0 (the controller tags its own flows there).  So a
 * FlowRemoved finds its session without a hash lookup, and the cookie of
 * a session that ended does not find the next session in its slot.
 * Sessions are kept in slabs of 4096 that stay allocated until nat_free:
 * the table keeps the memory of its peak number of sessions.
 *
 * Errors: -1 or NULL with errno set, as the comment of each function says.
 * Every pointer returned stays the table's; it is valid until the next
 * call that may end sessions or mappings (nat_flow_removed, nat_expire,
 * nat_forward_del, nat_drop_hosts, nat_free).
 */
#ifndef VR_NAT_TABLE_H
#define VR_NAT_TABLE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

enum nat_filter {
	NAT_FILTER_EIF = 0,	/* endpoint-independent filtering */
	NAT_FILTER_ADF,		/* address-dependent filtering */
};

/* Idle timeouts in seconds; the defaults meet the RFCs' minimums. */
struct nat_timeouts {
	unsigned int	 tcp_est;	/* RFC 5382 REQ-5: >= 7440 */
	unsigned int	 tcp_trans;	/* RFC 5382 REQ-5: >= 240 */
	unsigned int	 udp;		/* RFC 4787 REQ-5: >= 120, 300 advised */
	unsigned int	 icmp;		/* RFC 5508 REQ-1: >= 60 */
};

#define NAT_TCP_EST_DEFAULT	7440
#define NAT_TCP_TRANS_DEFAULT	240
#define NAT_UDP_DEFAULT		300
#define NAT_ICMP_DEFAULT	60

struct nat_config {
	uint32_t	 pub;		/* public address, network order */
	uint16_t	 port_lo;	/* dynamic range, inclusive */
	uint16_t	 port_hi;
	enum nat_filter	 filter;
	struct nat_timeouts to;
	size_t		 max_sessions;	/* 0: NAT_MAX_SESSIONS */
};

#define NAT_MAX_SESSIONS	(1u << 20)
#define NAT_SESSIONS_LIMIT	((1u << 24) - 1)	/* max_sessions at most */

struct nat_mapping {
	uint8_t		 proto;		/* IPPROTO_TCP, _UDP or _ICMP */
	int		 forward;	/* static: a port forward */
	uint32_t	 in_addr;	/* inside address, network order */
	uint16_t	 in_port;	/* host order; ICMP: echo id */
	uint16_t	 out_port;	/* host order; ICMP: echo id */
	unsigned int	 nsessions;
	uint64_t	 created_ms;
	/* private */
	struct nat_mapping *in_next;
	struct nat_session *sessions;
};

struct nat_session {
	struct nat_mapping *map;
	uint32_t	 r_addr;	/* remote, network order */
	uint16_t	 r_port;	/* host order; 0 for ICMP */
	uint64_t	 cookie;	/* never 0, top 3 bits 0; see above */
	unsigned int	 nflows;	/* flows installed in the switch */
	uint64_t	 expires_ms;	/* when nflows is 0 */
	uint64_t	 packets;	/* seen by the controller */
	/*
	 * The caller's, for comparing with the switch's flow table
	 * (vrouter-ofnat's audit); nat_table only zeroes them in a new
	 * session.
	 */
	uint32_t	 audit;		/* the audit round seen belongs to */
	uint32_t	 seen;		/* flows the switch showed */
	uint32_t	 pk_seen;	/* their packet counts, mod 2^32 */
	uint32_t	 pk_last;	/* the same at the last audit */
	/* private */
	struct nat_session *m_next, *m_prev;	/* the mapping's sessions;
						   m_next: free list */
	struct nat_session *e_next, *e_prev;	/* flowless sessions */
};

struct nat_table;

/* Called for each session a call ends (for the caller to delete its
 * flows by cookie); the session is freed right after the call. */
typedef void	(*nat_end_cb)(const struct nat_session *, void *arg);

/*
 * A new empty table (the caller's to nat_free).  NULL with EINVAL when
 * port_lo is 0 or above port_hi or max_sessions is above
 * NAT_SESSIONS_LIMIT, ENOMEM when out of memory.
 */
struct nat_table *nat_new(const struct nat_config *);
void		 nat_free(struct nat_table *);
const struct nat_config *nat_config_get(const struct nat_table *);
/* Change the timeouts (live; flows already installed keep theirs). */
void		 nat_set_timeouts(struct nat_table *,
		    const struct nat_timeouts *);
/* The idle timeout in seconds for new flows of a session of proto. */
unsigned int	 nat_idle_timeout(const struct nat_table *, uint8_t proto);

/*
 * A port forward: outside (proto, public_port) to (host, port), both
 * ports host order.  Returns the static mapping, or NULL with EINVAL (bad
 * proto or port 0), EADDRINUSE (public_port has a forward already, or the
 * inside endpoint is forwarded already), ENOMEM.  A dynamic mapping that
 * holds public_port is ended first (end_cb is told of its sessions).
 */
struct nat_mapping *nat_forward_add(struct nat_table *, uint8_t proto,
		    uint16_t public_port, uint32_t host, uint16_t port,
		    nat_end_cb, void *arg);
/* Remove a forward and its sessions (told to end_cb).  -1 ENOENT. */
int		 nat_forward_del(struct nat_table *, uint8_t proto,
		    uint16_t public_port, nat_end_cb, void *arg);

/*
 * The mapping for an inside endpoint sending out, made if missing.  NULL
 * with ENOSPC (no free outside port), EINVAL (bad proto), ENOMEM.
 */
struct nat_mapping *nat_outbound(struct nat_table *, uint8_t proto,
		    uint32_t in_addr, uint16_t in_port, uint64_t now_ms);
/* The mapping of an inside endpoint, or NULL (ENOENT). */
struct nat_mapping *nat_lookup_inside(const struct nat_table *,
		    uint8_t proto, uint32_t in_addr, uint16_t in_port);
/* The mapping holding an outside port, or NULL (ENOENT). */
struct nat_mapping *nat_lookup_outside(const struct nat_table *,
		    uint8_t proto, uint16_t out_port);

/*
 * The mapping an inbound packet from (r_addr, r_port) to the public
 * (proto, out_port) belongs to, after filtering.  NULL with ENOENT (no
 * mapping) or EACCES (filtered: address-dependent filtering and the
 * mapping never sent to r_addr).
 */
struct nat_mapping *nat_inbound(const struct nat_table *, uint8_t proto,
		    uint16_t out_port, uint32_t r_addr, uint16_t r_port);

/*
 * Hairpinning (RFC 4787 REQ-9, RFC 5382 REQ-8): an inside endpoint sends
 * to the public address's dst_port.  Gets (or makes) the sender's own
 * mapping into *src_map and returns the target mapping as nat_inbound()
 * sees a packet from the sender's outside endpoint.  NULL with errno from
 * nat_outbound or nat_inbound.
 */
struct nat_mapping *nat_hairpin(struct nat_table *, uint8_t proto,
		    uint32_t src_addr, uint16_t src_port, uint16_t dst_port,
		    uint64_t now_ms, struct nat_mapping **src_map);

/*
 * The session of a mapping with a remote endpoint, made if create is set.
 * A new session has no flows and expires after the protocol's timeout.
 * NULL with ENOENT (absent, create not set), ENOSPC (max_sessions),
 * ENOMEM.
 */
struct nat_session *nat_session(struct nat_table *, struct nat_mapping *,
		    uint32_t r_addr, uint16_t r_port, int create,
		    uint64_t now_ms);
struct nat_session *nat_session_by_cookie(const struct nat_table *,
		    uint64_t cookie);
/* The controller installed n more flows with the session's cookie. */
void		 nat_session_flows(struct nat_table *, struct nat_session *,
		    unsigned int n);
/*
 * Sessions by slot, for a walk that may end sessions between calls: the
 * first live session at or after *slot (start at 0), with *slot moved
 * past it; NULL at the end.
 */
struct nat_session *nat_session_next(const struct nat_table *,
		    uint32_t *slot);
/*
 * The switch holds n of the session's flows (found by reading its flow
 * table).  With n 0 the session is flowless and ends at expires_ms
 * unless flows are installed again (nat_session_flows) first.
 */
void		 nat_session_resync(struct nat_table *, struct nat_session *,
		    unsigned int n, uint64_t expires_ms);
/*
 * Give the session a new cookie: flows, FlowRemoved and errors with the
 * old one no longer find it.  Returns the new cookie.
 */
uint64_t	 nat_session_recookie(struct nat_table *, struct nat_session *);
/* End one session now (its mapping too when that leaves a dynamic one
 * empty); end_cb is told first. */
void		 nat_session_end(struct nat_table *, struct nat_session *,
		    nat_end_cb, void *arg);
/* The session was active at now_ms (its flows counted packets): it
 * would expire one idle timeout later. */
void		 nat_session_alive(struct nat_table *, struct nat_session *,
		    uint64_t now_ms);
/* A packet of the session went through the controller: refresh it. */
void		 nat_touch(struct nat_table *, struct nat_session *,
		    uint64_t now_ms);

/*
 * One flow with this cookie is gone (FlowRemoved, or a FLOW_MOD the switch
 * refused).  When the session has no flow left it ends, and its mapping
 * with it if that was the last session of a dynamic mapping.  Returns 1
 * when the session ended, 0 when it lives on, -1 (ENOENT) for an unknown
 * cookie.
 */
int		 nat_flow_removed(struct nat_table *, uint64_t cookie,
		    uint64_t now_ms);
/*
 * End every session without flows whose time has come (ICMP queries, and
 * sessions whose flows were never installed), and the mappings they
 * leave empty.  Returns how many sessions ended; end_cb may be NULL.
 */
size_t		 nat_expire(struct nat_table *, uint64_t now_ms, nat_end_cb,
		    void *arg);
/* The earliest expires_ms of a flowless session, or 0 for none. */
uint64_t	 nat_next_expiry(const struct nat_table *);

/*
 * End the dynamic mappings (and sessions) of inside addresses inside
 * addr/plen (a network or a host removed live).  Forwards to those hosts
 * are kept.  Returns the number of mappings ended.
 */
size_t		 nat_drop_hosts(struct nat_table *, uint32_t addr,
		    uint8_t plen, nat_end_cb, void *arg);

struct nat_stats {
	size_t		 mappings;	/* including forwards */
	size_t		 forwards;
	size_t		 sessions;
	uint64_t	 created;	/* mappings ever made */
	uint64_t	 reclaimed;	/* dynamic mappings ended */
	uint64_t	 exhausted;	/* nat_outbound ENOSPC */
	uint64_t	 filtered;	/* nat_inbound EACCES */
};
void		 nat_stats_get(const struct nat_table *, struct nat_stats *);

/* Call fn for every mapping, in no particular order; fn must not change
 * the table. */
void		 nat_foreach(const struct nat_table *,
		    void (*fn)(const struct nat_mapping *, void *), void *arg);

#endif
