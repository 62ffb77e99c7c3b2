/*
 * psmsg: the messages between vrouter-hostd's two processes (see
 * docs/architecture.md, "Privilege separation").
 *
 * The channel engine reads the guests' frames as an unprivileged user and
 * passes on only decoded, authorised states; the route process holds the
 * netlink and packet sockets and answers with per-address results.  Each
 * message is one record on a SOCK_SEQPACKET socketpair; an ATTACH carries
 * the channel's descriptor as SCM_RIGHTS.
 *
 * The route process treats the engine as hostile too (it reads guest
 * bytes, so it is what an attacker would take over first): psm_decode()
 * checks every length, count, enum and string, and the route process
 * authorises every claim again.  Pure codec: no I/O, no logging.
 */
#ifndef VR_PSMSG_H
#define VR_PSMSG_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"
#include "vsp.h"

#define PSM_MAX		4096	/* largest record, either way */

enum psm_type {
	/* route process -> engine */
	PSM_CONFIG = 1,		/* limits and the HELLO contents */
	PSM_ATTACH = 2,		/* serve this channel (fd attached) */
	PSM_DETACH = 3,		/* stop serving it */
	PSM_RESULT = 4,		/* results for the state in flight */
	PSM_YIELD = 5,		/* ask the guest to hand over (YIELD) */
	/* engine -> route process */
	PSM_STATE = 16,		/* a VM's newest authorised state */
	PSM_LOST = 17,		/* the channel closed or failed */
	PSM_STATS = 18,		/* the VM's frame counters */
};

enum psm_lost_why {
	PSM_LOST_EOF = 0,	/* QEMU closed the chardev */
	PSM_LOST_ERROR = 1,	/* read or write error */
	PSM_LOST_MAX
};

struct psm_config {
	char		 host[VSP_NAME_LEN + 1];
	uint64_t	 epoch;		/* the host's, for HELLO and ACK */
	uint32_t	 state_rate;	/* states applied per second per VM */
	uint32_t	 state_burst;
	uint32_t	 read_budget;	/* bytes read per channel per turn */
	uint8_t		 verbose;
};

struct psm_attach {
	uint32_t	 id;		/* the VM, as the route process names it */
	uint32_t	 conn;		/* this connection of it */
	char		 name[REG_NAME_LEN];
	uint16_t	 naddrs;
	uint32_t	 addrs[REG_MAX_ADDRS];	/* registered, network order */
};

struct psm_detach {
	uint32_t	 id;
	uint32_t	 conn;
};

/* Send the guest of this connection a YIELD with this request number. */
struct psm_yield {
	uint32_t	 id;
	uint32_t	 conn;
	uint32_t	 request;	/* not 0, as on the wire */
};

struct psm_claim {
	uint32_t	 addr;		/* network order, registered, /32 */
	uint8_t		 state;		/* enum vsp_state */
};

/*
 * A state the engine authorised.  Refused claims never reach the route
 * process; it gets their number and the first of them for its events.
 */
struct psm_state {
	uint32_t	 id;
	uint32_t	 conn;
	uint64_t	 epoch;		/* the guest's */
	uint32_t	 seq;
	char		 router_id[VSP_NAME_LEN + 1];
	uint16_t	 nrefused;
	uint32_t	 refused_addr;	/* the first refused claim */
	uint8_t		 refused_state;
	uint8_t		 refused_reason;
	uint16_t	 nclaims;
	struct psm_claim claims[REG_MAX_ADDRS];
};

struct psm_result_entry {
	uint32_t	 addr;
	uint8_t		 result;	/* enum vsp_result */
	uint8_t		 reason;	/* enum vsp_reason */
};

struct psm_result {
	uint32_t	 id;
	uint32_t	 conn;
	uint64_t	 epoch;		/* of the state answered */
	uint32_t	 seq;
	uint16_t	 nresults;
	struct psm_result_entry results[REG_MAX_ADDRS];
};

struct psm_lost {
	uint32_t	 id;
	uint32_t	 conn;
	uint8_t		 why;		/* enum psm_lost_why */
	int32_t		 error;		/* errno for PSM_LOST_ERROR */
};

/* What the engine counted on one connection; cumulative. */
struct psm_stats {
	uint32_t	 id;
	uint32_t	 conn;
	uint64_t	 frames;	/* frames decoded */
	uint64_t	 states;	/* STATE frames */
	uint64_t	 stale;		/* older than the newest seen */
	uint64_t	 coalesced;	/* replaced by a newer before applied */
	uint64_t	 limited;	/* times a state waited for a token */
	uint64_t	 refused;	/* claims refused */
	uint64_t	 bad_frames;	/* bad CRC/length/type, guest HELLO/ACK */
	uint64_t	 garbage_bytes;	/* skipped while resyncing */
	uint64_t	 acks_dropped;	/* guest not reading: ACK not queued */
};

struct psm_msg {
	uint8_t		 type;		/* enum psm_type */
	union {
		struct psm_config config;
		struct psm_attach attach;
		struct psm_detach detach;
		struct psm_yield yield;
		struct psm_result result;
		struct psm_state state;
		struct psm_lost	 lost;
		struct psm_stats stats;
	} u;
};

/*
 * Encode *m into buf (at least PSM_MAX bytes); returns its length, or -1
 * with errno EINVAL for a message that is not valid.
 */
ssize_t	 psm_encode(void *buf, size_t size, const struct psm_msg *m);
/*
 * Decode one record into *m, checking all of it; -1 with errno EBADMSG
 * for anything malformed.
 */
int	 psm_decode(const void *buf, size_t len, struct psm_msg *m);
const char *psm_type_name(unsigned int);

#endif
