/*
 * kroute: IPv4 host routes in the kernel through rtnetlink (libmnl).
 *
 * Every route vrouter makes carries one protocol number (default
 * KR_PROTO_VROUTER), so a dump can tell ours from everyone else's and a
 * delete never removes a route someone else made.  Requests are sent in
 * netlink batches with NLM_F_ACK on each message; acks are matched by
 * sequence number and port id.
 *
 * Both sockets here are non-blocking and close-on-exec.  The kernel
 * handles a route request inside the sendmsg() that carries it, so
 * kr_apply() and kr_dump() find their answers already queued; they wait
 * (poll) only as a safety net, at most KR_WAIT_MS per wait, and never
 * block an event loop for longer.
 */
#ifndef VR_KROUTE_H
#define VR_KROUTE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#define KR_PROTO_VROUTER	241

/* The longest kr_apply() or kr_dump() waits for the next answer. */
#define KR_WAIT_MS		200

/*
 * kr_op.error of an op whose request was sent but whose ack never came
 * (the ack queue overflowed, or no ack within KR_WAIT_MS): the kernel may
 * or may not have applied it.  EIO is not an answer the kernel's IPv4
 * route code gives; were it ever, the op would only be resynced for
 * nothing.
 */
#define KR_EUNKNOWN		EIO

enum kr_cmd {
	/*
	 * Create the route, or replace whatever route the kernel has at
	 * that key (table, addr/32, tos 0, metric 0), ours or not: use it
	 * only for a key known to be ours.
	 */
	KR_REPLACE,
	/* Create; EEXIST if any route, of any protocol, has that key. */
	KR_CREATE,
	/*
	 * Delete our route at that key.  The request carries our protocol
	 * and RTA_OIF = ifindex, so the kernel deletes only a unicast route
	 * with our protocol on that device (ifindex 0: on any device).  A
	 * route of another protocol, or ours on another device, is left
	 * alone; like an absent route, that is success (error 0).
	 */
	KR_DELETE,
};

struct kr_op {
	uint8_t		 cmd;		/* enum kr_cmd */
	uint32_t	 addr;		/* network byte order, /32 */
	unsigned int	 ifindex;
	uint32_t	 table;		/* 0 is the main table */
	int		 error;		/* out: see kr_apply() */
};

/*
 * A route as the kernel reports it.  The kernel's key for an IPv4 route
 * is (table, addr/plen, tos, priority): two routes may share addr/plen in
 * one table with different metrics.
 */
struct kr_route {
	uint32_t	 addr;		/* network byte order; 0 for /0 */
	uint8_t		 plen;		/* 0..32 */
	uint8_t		 protocol;	/* rtm_protocol: RTPROT_*, ours */
	uint8_t		 type;		/* rtm_type: RTN_UNICAST, RTN_LOCAL */
	uint8_t		 scope;		/* rtm_scope: RT_SCOPE_LINK... */
	uint8_t		 tos;
	unsigned int	 ifindex;	/* RTA_OIF; 0 if none (multipath...) */
	uint32_t	 table;		/* RTA_TABLE, else rtm_table */
	uint32_t	 priority;	/* RTA_PRIORITY (metric); 0 if absent */
	uint32_t	 nl_portid;	/* the port that made the change: a
					   notification with kr_portid() is ours */
};

struct kr_handle;

/*
 * Open a route socket whose routes carry protocol.  Its receive buffer is
 * raised (SO_RCVBUFFORCE, else SO_RCVBUF) so that the acks of a whole
 * batch fit; where it stays small, kr_apply() sends smaller batches.  The
 * handle is the caller's to kr_close().  Returns NULL with errno.
 */
struct kr_handle *kr_open(uint8_t protocol);

/* Close the socket and free the handle; NULL is a no-op; keeps errno. */
void		 kr_close(struct kr_handle *);

uint8_t		 kr_protocol(const struct kr_handle *);
/* The route socket's netlink port id (see kr_route.nl_portid). */
uint32_t	 kr_portid(const struct kr_handle *);

/*
 * The route socket, for tests and diagnostics only (e.g. to shrink its
 * SO_RCVBUF and provoke lost acks).  It stays the handle's: do not read,
 * write or close it.
 */
int		 kr_fd(const struct kr_handle *);

/*
 * Run the n ops in order, in as few sendmsg() calls as fit (each op's
 * result is known before the next batch is sent).  Every op's error is set
 * on return, whatever kr_apply returns:
 *
 *   0		the kernel applied it (KR_DELETE: no route of ours on that
 *		device is left at that key; the kernel's ESRCH is 0 here)
 *   errno	the kernel refused it (EEXIST for KR_CREATE over any route,
 *		ENODEV, ENETDOWN...) and changed nothing for it
 *   ECANCELED	never sent, because an earlier batch failed: not applied
 *   KR_EUNKNOWN sent, but its ack was lost: applied or not, only a dump
 *		can tell
 *
 * Returns the number of ops with a non-zero error when every op has its
 * kernel's answer (0: all applied).  Returns -1 otherwise:
 *   errno ENOBUFS	some ops of one batch are KR_EUNKNOWN (acks lost or
 *			late): resync from kr_dump(); the ops of later
 *			batches are ECANCELED
 *   any other errno	sending failed (the batch that failed and all later
 *			ops are ECANCELED; earlier ones carry their answers):
 *			the kernel state is exactly what the errors say
 * It waits (at most KR_WAIT_MS per batch) only when acks are missing.
 * ops stays the caller's; nothing is kept after the call.
 */
int		 kr_apply(struct kr_handle *, struct kr_op *, size_t n);

/*
 * Call cb for every IPv4 route in every table (ours_only: only routes with
 * our protocol), in the kernel's order.  cb must not use the handle.
 * Returns 0 after the whole dump, or -1 with errno; then cb may have seen
 * only part of the table and the caller must throw that away:
 *   EINTR	the tables changed during the dump (NLM_F_DUMP_INTR): retry
 *   EBADMSG	a malformed route message
 *   ETIMEDOUT	no next part of the dump within KR_WAIT_MS
 *   other	the socket or the kernel failed
 * The socket is left clean for the next call either way.
 */
int		 kr_dump(struct kr_handle *, int ours_only,
		    void (*cb)(const struct kr_route *, void *), void *arg);

/*
 * Read an IPv4 route message (a dump reply or a route notification) into
 * *r; nlh must lie within a buffer of at least nlh->nlmsg_len bytes (as
 * mnl_nlmsg_ok() checks, except that libmnl 1.0.4 lets a length of 2 GiB
 * or more through: such a message is EBADMSG here, whatever its type).
 * Pure: no I/O.  Returns 0; 1 for a message that is not an IPv4 route
 * (another type or family), *r untouched; or -1 with errno EBADMSG when it
 * is truncated, an attribute is malformed, the prefix is longer than 32,
 * or a /1../32 route has no RTA_DST.
 */
struct nlmsghdr;
int		 kr_route_parse(const struct nlmsghdr *, struct kr_route *);

/* Parse "main", "local", "default", a number, or a name in rt_tables. */
int		 kr_table_parse(const char *, uint32_t *);

/*
 * Route monitor: the kernel's notifications of IPv4 route changes
 * (RTNLGRP_IPV4_ROUTE), for a mirror of the kernel's routes.  Its receive
 * buffer is KR_MON_RCVBUF (SO_RCVBUFFORCE, else as much as SO_RCVBUF
 * allows); when it overflows the kernel drops notifications and the next
 * read reports ENOBUFS.
 *
 * The kernel sends no RTM_DELROUTE for IPv4 routes it flushes because
 * their device went down or away, or lost its last address (seen on
 * Linux 6.18: `ip link set DEV down` and its routes leave the dump with
 * no notification): watch links too and resync when a device the mirror
 * uses goes down.
 */
#define KR_MON_RCVBUF		(16 * 1024 * 1024)
#define KR_MON_BUDGET		256	/* datagrams per kr_monitor_read() */

struct kr_monitor;

/*
 * Open a monitor socket subscribed to RTNLGRP_IPV4_ROUTE.  The monitor is
 * the caller's to kr_monitor_close().  Returns NULL with errno.
 */
struct kr_monitor *kr_monitor_open(void);

/* Close the socket and free the monitor; NULL is a no-op; keeps errno. */
void		 kr_monitor_close(struct kr_monitor *);

/*
 * The monitor's socket, for the event loop (POLLIN / EV_READ, level
 * triggered).  It stays the monitor's: only kr_monitor_read() reads it.
 */
int		 kr_monitor_fd(const struct kr_monitor *);

/*
 * Read what is queued, without blocking, calling cb(RTM_NEWROUTE or
 * RTM_DELROUTE, route, arg) per IPv4 route message in the kernel's order.
 * Apply each as the whole new state of its route: a NEWROUTE the mirror
 * already has (replayed after a resync) is then harmless.  route is valid
 * only during the call; cb must not close the monitor.  At most
 * KR_MON_BUDGET datagrams (the kernel sends one route per notification)
 * are read per call, so an event loop stays fair.  Returns:
 *   0	drained: nothing more queued
 *   1	the budget ran out and more may be queued: call again (a level-
 *	triggered event does so by itself)
 *  -1	errno ENOBUFS: the kernel dropped notifications.  The queue has
 *	been flushed, so every notification still to come is newer than
 *	now: dump (kr_dump) into a fresh mirror, then go on reading
 *  -1	errno EBADMSG: a malformed message was skipped; resync as for
 *	ENOBUFS
 *  -1	another errno: the socket failed
 */
int		 kr_monitor_read(struct kr_monitor *,
		    void (*cb)(int, const struct kr_route *, void *),
		    void *arg);

#endif
