/*
 * kmirror: what the kernel holds, as vrouter-hostd last heard it.
 *
 * Every IPv4 /32 unicast route at metric 0, in every table, keyed by
 * (address, table): the key at which a route of ours would replace or
 * collide with it.  Filled from a dump and kept current by the route
 * monitor; after lost notifications (ENOBUFS) it is dumped again.
 * Ownership decisions read it, never hostd's own memory of what it did.
 */
#ifndef VR_KMIRROR_H
#define VR_KMIRROR_H

#include <stddef.h>
#include <stdint.h>

#include "kroute.h"

struct km_route {
	struct km_route	*next;		/* hash chain */
	uint32_t	 addr;		/* network byte order */
	uint32_t	 table;
	unsigned int	 ifindex;
	uint8_t		 protocol;
	uint8_t		 confirmed;	/* ours, and a VM has claimed it */
};

struct kmirror;

/* An empty mirror; the caller frees it with km_free(). */
struct kmirror	*km_new(void);
void		 km_free(struct kmirror *);
/* Forget everything (before a full dump). */
void		 km_clear(struct kmirror *);

/*
 * A route the kernel added or changed (RTM_NEWROUTE) or removed
 * (RTM_DELROUTE).  Routes that are not /32 unicast at metric 0 are
 * ignored.  Returns 1 if the mirror changed, with the entry as it was
 * before in *old (all zero if there was none), so the caller can tell who
 * lost a route; 0 if nothing changed; -1 with ENOMEM.
 */
int		 km_update(struct kmirror *, int type, const struct kr_route *,
		    struct km_route *old);

/* The entry at (addr, table), or NULL.  Owned by the mirror. */
struct km_route	*km_get(struct kmirror *, uint32_t addr, uint32_t table);

/* Call cb for every entry; cb must not change the mirror. */
void		 km_foreach(struct kmirror *,
		    void (*cb)(struct km_route *, void *), void *arg);
size_t		 km_count(const struct kmirror *, uint8_t protocol);

#endif
