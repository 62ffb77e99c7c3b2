/*
 * The kernel route mirror of kmirror.h: a chained hash table that grows
 * by doubling, so a host with thousands of /32 routes costs a lookup
 * each, whatever its size.
 */
#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kmirror.h"

struct kmirror {
	struct km_route	**bucket;
	size_t		 nbuckets;	/* a power of two */
	size_t		 count;
};

static size_t
km_hash(const struct kmirror *km, uint32_t addr, uint32_t table)
{
	uint64_t	 h = ((uint64_t)addr << 32 | table) *
			    0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & (km->nbuckets - 1);
}

struct kmirror *
km_new(void)
{
	struct kmirror	*km;

	if ((km = calloc(1, sizeof(*km))) == NULL)
		return NULL;
	km->nbuckets = 64;
	if ((km->bucket = calloc(km->nbuckets, sizeof(*km->bucket))) == NULL) {
		free(km);
		return NULL;
	}
	return km;
}

void
km_clear(struct kmirror *km)
{
	struct km_route	*r, *next;
	size_t		 i;

	for (i = 0; i < km->nbuckets; i++) {
		for (r = km->bucket[i]; r != NULL; r = next) {
			next = r->next;
			free(r);
		}
		km->bucket[i] = NULL;
	}
	km->count = 0;
}

void
km_free(struct kmirror *km)
{
	if (km == NULL)
		return;
	km_clear(km);
	free(km->bucket);
	free(km);
}

struct km_route *
km_get(struct kmirror *km, uint32_t addr, uint32_t table)
{
	struct km_route	*r;

	for (r = km->bucket[km_hash(km, addr, table)]; r != NULL; r = r->next)
		if (r->addr == addr && r->table == table)
			return r;
	return NULL;
}

static void
grow(struct kmirror *km)
{
	struct km_route	**nb, *r, *next;
	size_t		 i, n = km->nbuckets * 2, h;
	struct kmirror	 tmp;

	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return;		/* longer chains, still correct */
	tmp.nbuckets = n;
	for (i = 0; i < km->nbuckets; i++)
		for (r = km->bucket[i]; r != NULL; r = next) {
			next = r->next;
			h = km_hash(&tmp, r->addr, r->table);
			r->next = nb[h];
			nb[h] = r;
		}
	free(km->bucket);
	km->bucket = nb;
	km->nbuckets = n;
}

int
km_update(struct kmirror *km, int type, const struct kr_route *kr,
    struct km_route *old)
{
	struct km_route	**pp, *r;

	memset(old, 0, sizeof(*old));
	if (kr->plen != 32 || kr->priority != 0 || kr->tos != 0 ||
	    kr->type != RTN_UNICAST)
		return 0;
	pp = &km->bucket[km_hash(km, kr->addr, kr->table)];
	for (; (r = *pp) != NULL; pp = &r->next)
		if (r->addr == kr->addr && r->table == kr->table)
			break;
	if (r != NULL)
		*old = *r;
	if (type == RTM_DELROUTE) {
		/* A stale delete (of a route since replaced) changes nothing. */
		if (r == NULL || r->ifindex != kr->ifindex ||
		    r->protocol != kr->protocol)
			return 0;
		*pp = r->next;
		free(r);
		km->count--;
		return 1;
	}
	if (r == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		r->addr = kr->addr;
		r->table = kr->table;
		r->next = *pp;
		*pp = r;
		if (++km->count > km->nbuckets)
			grow(km);
	} else if (r->protocol == kr->protocol && r->ifindex == kr->ifindex)
		return 0;
	r->confirmed = 0;
	r->ifindex = kr->ifindex;
	r->protocol = kr->protocol;
	return 1;
}

void
km_foreach(struct kmirror *km, void (*cb)(struct km_route *, void *),
    void *arg)
{
	struct km_route	*r;
	size_t		 i;

	for (i = 0; i < km->nbuckets; i++)
		for (r = km->bucket[i]; r != NULL; r = r->next)
			cb(r, arg);
}

size_t
km_count(const struct kmirror *km, uint8_t protocol)
{
	const struct km_route *r;
	size_t		 i, n = 0;

	for (i = 0; i < km->nbuckets; i++)
		for (r = km->bucket[i]; r != NULL; r = r->next)
			n += r->protocol == protocol;
	return n;
}
