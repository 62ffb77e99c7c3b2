/*
 * The NAT state: mappings, sessions, port allocation (nat_table.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "nat_table.h"

#define MAP_BUCKETS	(1u << 16)
#define NPROTO		3

/*
 * Sessions live in slabs of SLAB_SIZE, allocated as the number of live
 * sessions first reaches them and kept until nat_free; a freed session
 * goes on a free list and is the next one handed out.  Its slot number
 * is in its cookie: the low COOKIE_SLOT_BITS hold slot + 1, the bits
 * above a generation that counts the slot's reuses, so the cookie of a
 * session that ended never finds its successor, and a FlowRemoved finds
 * its session without a hash table.
 */
#define SLAB_BITS	12
#define SLAB_SIZE	(1u << SLAB_BITS)
#define COOKIE_SLOT_BITS 24
#define COOKIE_SLOT	((1ull << COOKIE_SLOT_BITS) - 1)
#define COOKIE_GEN_MAX	((1ull << 37) - 1)	/* below the top 3 bits */

/*
 * (mapping, remote) -> session: open addressing with linear probing, at
 * most half full.  A slot holds the key's hash and the session's slot
 * number + 1 (0: empty), so probing compares hashes and touches only the
 * session whose hash matches.
 */
#define KEYS_MIN	(1u << 15)

struct key_slot {
	uint32_t	 hash;
	uint32_t	 slot1;		/* session slot + 1; 0 empty */
};

struct nat_table {
	struct nat_config	 conf;
	/* inside endpoint -> mapping */
	struct nat_mapping	**by_in;
	/* outside port -> mapping, one table per protocol */
	struct nat_mapping	**by_out[NPROTO];
	/* the sessions: slabs, slots handed out so far, free slots */
	struct nat_session	**slabs;
	uint32_t		 nslots;
	struct nat_session	*free;
	/* (mapping, remote) -> session */
	struct key_slot		*keys;
	uint32_t		 key_mask;	/* slots - 1 */
	/* sessions without flows, oldest expiry not ordered */
	struct nat_session	*idle;
	uint32_t		 rnd;	/* where searches for a free port start */
	struct nat_stats	 st;
};

static int
proto_idx(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 0;
	case IPPROTO_UDP:
		return 1;
	case IPPROTO_ICMP:
		return 2;
	}
	return -1;
}

static uint32_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

static uint32_t
in_hash(uint8_t proto, uint32_t addr, uint16_t port)
{
	return mix(((uint64_t)addr << 24) ^ ((uint64_t)port << 8) ^ proto) &
	    (MAP_BUCKETS - 1);
}

static uint32_t
key_hash(const struct nat_mapping *m, uint32_t addr, uint16_t port)
{
	return mix((uint64_t)(uintptr_t)m ^ ((uint64_t)addr << 16) ^ port ^
	    ((uint64_t)port << 48));
}

static struct nat_session *
slot_get(const struct nat_table *t, uint32_t slot)
{
	return &t->slabs[slot >> SLAB_BITS][slot & (SLAB_SIZE - 1)];
}

static uint32_t
slot_of(const struct nat_session *s)
{
	return (uint32_t)(s->cookie & COOKIE_SLOT) - 1;
}

/* Put (hash, slot) in the first empty slot of its probe sequence. */
static void
keys_put(struct key_slot *keys, uint32_t mask, uint32_t hash,
    uint32_t slot1)
{
	uint32_t	 i;

	for (i = hash & mask; keys[i].slot1 != 0; i = (i + 1) & mask)
		;
	keys[i].hash = hash;
	keys[i].slot1 = slot1;
}

/* Double the key table; on failure keep the old one (it only fills). */
static void
keys_grow(struct nat_table *t)
{
	struct key_slot	*nk;
	uint32_t	 n = (t->key_mask + 1) * 2, i;

	if ((nk = calloc(n, sizeof(*nk))) == NULL)
		return;
	for (i = 0; i <= t->key_mask; i++)
		if (t->keys[i].slot1 != 0)
			keys_put(nk, n - 1, t->keys[i].hash,
			    t->keys[i].slot1);
	free(t->keys);
	t->keys = nk;
	t->key_mask = n - 1;
}

/*
 * Take s out of the key table.  Linear probing has no tombstones: the
 * entries after the hole that may move back into it do (backward shift).
 */
static void
keys_del(struct nat_table *t, const struct nat_session *s)
{
	struct key_slot	*k = t->keys;
	uint32_t	 mask = t->key_mask, slot1 = slot_of(s) + 1;
	uint32_t	 i, j, home;

	for (i = key_hash(s->map, s->r_addr, s->r_port) & mask;
	    k[i].slot1 != slot1; i = (i + 1) & mask)
		if (k[i].slot1 == 0)
			return;		/* not there: cannot happen */
	for (j = i;;) {
		j = (j + 1) & mask;
		if (k[j].slot1 == 0)
			break;
		home = k[j].hash & mask;
		/* k[j] may fill the hole if the hole lies on its way from
		 * home to j. */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			k[i] = k[j];
			i = j;
		}
	}
	k[i].slot1 = 0;
}

struct nat_table *
nat_new(const struct nat_config *conf)
{
	struct nat_table	*t;
	int			 i;

	if (conf->port_lo == 0 || conf->port_lo > conf->port_hi ||
	    conf->max_sessions > NAT_SESSIONS_LIMIT) {
		errno = EINVAL;
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->conf = *conf;
	if (t->conf.max_sessions == 0)
		t->conf.max_sessions = NAT_MAX_SESSIONS;
	t->by_in = calloc(MAP_BUCKETS, sizeof(*t->by_in));
	t->slabs = calloc((t->conf.max_sessions + SLAB_SIZE - 1) / SLAB_SIZE,
	    sizeof(*t->slabs));
	t->key_mask = KEYS_MIN - 1;
	t->keys = calloc(KEYS_MIN, sizeof(*t->keys));
	for (i = 0; i < NPROTO; i++)
		t->by_out[i] = calloc(65536, sizeof(*t->by_out[i]));
	if (t->by_in == NULL || t->slabs == NULL || t->keys == NULL ||
	    t->by_out[0] == NULL || t->by_out[1] == NULL ||
	    t->by_out[2] == NULL) {
		nat_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->rnd = mix(conf->pub ^ 0x5a17u);
	return t;
}

void
nat_free(struct nat_table *t)
{
	struct nat_mapping	*m, *mn;
	uint32_t		 i;

	if (t == NULL)
		return;
	if (t->by_in != NULL) {
		for (i = 0; i < MAP_BUCKETS; i++) {
			for (m = t->by_in[i]; m != NULL; m = mn) {
				mn = m->in_next;
				free(m);
			}
		}
	}
	if (t->slabs != NULL)
		for (i = 0; i < t->nslots; i += SLAB_SIZE)
			free(t->slabs[i >> SLAB_BITS]);
	free(t->slabs);
	free(t->by_in);
	free(t->keys);
	for (i = 0; i < NPROTO; i++)
		free(t->by_out[i]);
	free(t);
}

const struct nat_config *
nat_config_get(const struct nat_table *t)
{
	return &t->conf;
}

void
nat_set_timeouts(struct nat_table *t, const struct nat_timeouts *to)
{
	t->conf.to = *to;
}

unsigned int
nat_idle_timeout(const struct nat_table *t, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		/*
		 * The switch cannot tell an established connection from a
		 * transitory one (OF1.3 has no TCP flags match), so every TCP
		 * flow gets the longer of the two: never less than either
		 * minimum (RFC 5382 REQ-5).
		 */
		return t->conf.to.tcp_est > t->conf.to.tcp_trans ?
		    t->conf.to.tcp_est : t->conf.to.tcp_trans;
	case IPPROTO_UDP:
		return t->conf.to.udp;
	default:
		return t->conf.to.icmp;
	}
}

/* --- mappings ------------------------------------------------------- */

struct nat_mapping *
nat_lookup_inside(const struct nat_table *t, uint8_t proto, uint32_t addr,
    uint16_t port)
{
	struct nat_mapping	*m;

	for (m = t->by_in[in_hash(proto, addr, port)]; m != NULL;
	    m = m->in_next)
		if (m->proto == proto && m->in_addr == addr &&
		    m->in_port == port)
			return m;
	errno = ENOENT;
	return NULL;
}

struct nat_mapping *
nat_lookup_outside(const struct nat_table *t, uint8_t proto, uint16_t port)
{
	int	 i;

	if ((i = proto_idx(proto)) == -1 || t->by_out[i][port] == NULL) {
		errno = ENOENT;
		return NULL;
	}
	return t->by_out[i][port];
}

/*
 * A free outside port for an inside port: the same one if free (port
 * preservation, RFC 4787 REQ-3), else one in the range, same parity first
 * (REQ-4), starting at a point that moves with every allocation.  Ports
 * below 1024 are given only by preservation.  0 when none is free.
 */
static uint16_t
port_pick(struct nat_table *t, int pi, uint8_t proto, uint16_t in_port)
{
	struct nat_mapping	**out = t->by_out[pi];
	uint32_t		 lo = t->conf.port_lo, hi = t->conf.port_hi;
	uint32_t		 n = hi - lo + 1, start, i, p;
	int			 pass;

	if (in_port != 0 && out[in_port] == NULL &&
	    (proto == IPPROTO_ICMP || (in_port >= lo && in_port <= hi) ||
	    in_port < 1024))
		return in_port;
	t->rnd = t->rnd * 1103515245u + 12345u;
	start = (t->rnd >> 8) % n;
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			p = lo + (start + i) % n;
			if (pass == 0 && (p & 1) != (in_port & 1u))
				continue;
			if (out[p] == NULL)
				return (uint16_t)p;
		}
	}
	return 0;
}

static struct nat_mapping *
map_new(struct nat_table *t, uint8_t proto, uint32_t addr, uint16_t port,
    uint16_t out_port, int forward, uint64_t now_ms)
{
	struct nat_mapping	*m;
	uint32_t		 h;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->proto = proto;
	m->forward = forward;
	m->in_addr = addr;
	m->in_port = port;
	m->out_port = out_port;
	m->created_ms = now_ms;
	h = in_hash(proto, addr, port);
	m->in_next = t->by_in[h];
	t->by_in[h] = m;
	t->by_out[proto_idx(proto)][out_port] = m;
	t->st.mappings++;
	if (forward)
		t->st.forwards++;
	else
		t->st.created++;
	return m;
}

static void	sess_free(struct nat_table *, struct nat_session *,
		    nat_end_cb, void *);

static void
map_free(struct nat_table *t, struct nat_mapping *m, nat_end_cb cb,
    void *arg)
{
	struct nat_mapping	**pp;

	while (m->sessions != NULL)
		sess_free(t, m->sessions, cb, arg);
	for (pp = &t->by_in[in_hash(m->proto, m->in_addr, m->in_port)];
	    *pp != NULL; pp = &(*pp)->in_next) {
		if (*pp == m) {
			*pp = m->in_next;
			break;
		}
	}
	t->by_out[proto_idx(m->proto)][m->out_port] = NULL;
	t->st.mappings--;
	if (m->forward)
		t->st.forwards--;
	else
		t->st.reclaimed++;
	free(m);
}

struct nat_mapping *
nat_outbound(struct nat_table *t, uint8_t proto, uint32_t addr,
    uint16_t port, uint64_t now_ms)
{
	struct nat_mapping	*m;
	uint16_t		 out;
	int			 pi;

	if ((pi = proto_idx(proto)) == -1) {
		errno = EINVAL;
		return NULL;
	}
	if ((m = nat_lookup_inside(t, proto, addr, port)) != NULL)
		return m;
	if ((out = port_pick(t, pi, proto, port)) == 0) {
		t->st.exhausted++;
		errno = ENOSPC;
		return NULL;
	}
	if ((m = map_new(t, proto, addr, port, out, 0, now_ms)) == NULL)
		errno = ENOMEM;
	return m;
}

struct nat_mapping *
nat_forward_add(struct nat_table *t, uint8_t proto, uint16_t public_port,
    uint32_t host, uint16_t port, nat_end_cb cb, void *arg)
{
	struct nat_mapping	*m;
	int			 pi;

	if ((pi = proto_idx(proto)) == -1 || proto == IPPROTO_ICMP ||
	    public_port == 0 || port == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((m = t->by_out[pi][public_port]) != NULL && m->forward) {
		errno = EADDRINUSE;
		return NULL;
	}
	if ((m = nat_lookup_inside(t, proto, host, port)) != NULL &&
	    m->forward) {
		errno = EADDRINUSE;
		return NULL;
	}
	/* A dynamic mapping of the same inside endpoint or port yields. */
	if (m != NULL)
		map_free(t, m, cb, arg);
	if ((m = t->by_out[pi][public_port]) != NULL)
		map_free(t, m, cb, arg);
	if ((m = map_new(t, proto, host, port, public_port, 1, 0)) == NULL)
		errno = ENOMEM;
	return m;
}

int
nat_forward_del(struct nat_table *t, uint8_t proto, uint16_t public_port,
    nat_end_cb cb, void *arg)
{
	struct nat_mapping	*m;
	int			 pi;

	if ((pi = proto_idx(proto)) == -1 ||
	    (m = t->by_out[pi][public_port]) == NULL || !m->forward) {
		errno = ENOENT;
		return -1;
	}
	map_free(t, m, cb, arg);
	return 0;
}

static int
sent_to(const struct nat_mapping *m, uint32_t r_addr)
{
	const struct nat_session	*s;

	for (s = m->sessions; s != NULL; s = s->m_next)
		if (s->r_addr == r_addr)
			return 1;
	return 0;
}

struct nat_mapping *
nat_inbound(const struct nat_table *t, uint8_t proto, uint16_t out_port,
    uint32_t r_addr, uint16_t r_port)
{
	struct nat_mapping	*m;

	(void)r_port;
	if ((m = nat_lookup_outside(t, proto, out_port)) == NULL)
		return NULL;
	if (m->forward || t->conf.filter == NAT_FILTER_EIF ||
	    sent_to(m, r_addr))
		return m;
	((struct nat_table *)(uintptr_t)t)->st.filtered++;
	errno = EACCES;
	return NULL;
}

struct nat_mapping *
nat_hairpin(struct nat_table *t, uint8_t proto, uint32_t src_addr,
    uint16_t src_port, uint16_t dst_port, uint64_t now_ms,
    struct nat_mapping **src_map)
{
	struct nat_mapping	*m;

	*src_map = NULL;
	if ((m = nat_outbound(t, proto, src_addr, src_port, now_ms)) == NULL)
		return NULL;
	*src_map = m;
	return nat_inbound(t, proto, dst_port, t->conf.pub, m->out_port);
}

/* --- sessions ------------------------------------------------------- */

static void
idle_add(struct nat_table *t, struct nat_session *s)
{
	s->e_prev = NULL;
	s->e_next = t->idle;
	if (t->idle != NULL)
		t->idle->e_prev = s;
	t->idle = s;
}

static void
idle_del(struct nat_table *t, struct nat_session *s)
{
	if (s->e_prev != NULL)
		s->e_prev->e_next = s->e_next;
	else
		t->idle = s->e_next;
	if (s->e_next != NULL)
		s->e_next->e_prev = s->e_prev;
	s->e_next = s->e_prev = NULL;
}

/* A free session slot with a fresh cookie, or NULL (ENOMEM). */
static struct nat_session *
sess_alloc(struct nat_table *t)
{
	struct nat_session	*s;
	uint64_t		 gen = 0;
	uint32_t		 slot;

	if ((s = t->free) != NULL) {
		t->free = s->m_next;
		slot = slot_of(s);
		gen = ((s->cookie >> COOKIE_SLOT_BITS) + 1) & COOKIE_GEN_MAX;
	} else {
		/* nslots < max_sessions: the caller checked st.sessions. */
		slot = t->nslots;
		if (slot % SLAB_SIZE == 0 && (t->slabs[slot >> SLAB_BITS] =
		    calloc(SLAB_SIZE, sizeof(*s))) == NULL) {
			errno = ENOMEM;
			return NULL;
		}
		t->nslots++;
		s = slot_get(t, slot);
	}
	memset(s, 0, sizeof(*s));
	s->cookie = gen << COOKIE_SLOT_BITS | (slot + 1);
	return s;
}

struct nat_session *
nat_session(struct nat_table *t, struct nat_mapping *m, uint32_t r_addr,
    uint16_t r_port, int create, uint64_t now_ms)
{
	struct nat_session	*s;
	uint32_t		 h = key_hash(m, r_addr, r_port), i;

	for (i = h & t->key_mask; t->keys[i].slot1 != 0;
	    i = (i + 1) & t->key_mask) {
		if (t->keys[i].hash != h)
			continue;
		s = slot_get(t, t->keys[i].slot1 - 1);
		if (s->map == m && s->r_addr == r_addr && s->r_port == r_port)
			return s;
	}
	if (!create) {
		errno = ENOENT;
		return NULL;
	}
	if (t->st.sessions >= t->conf.max_sessions) {
		errno = ENOSPC;
		return NULL;
	}
	if (t->st.sessions + 1 > (t->key_mask + 1) / 2) {
		keys_grow(t);
		if (t->st.sessions + 1 > (t->key_mask + 1) / 2 + (t->key_mask +
		    1) / 4) {
			errno = ENOMEM;	/* could not grow: too full */
			return NULL;
		}
	}
	if ((s = sess_alloc(t)) == NULL)
		return NULL;
	s->map = m;
	s->r_addr = r_addr;
	s->r_port = r_port;
	s->expires_ms = now_ms + 1000ull * nat_idle_timeout(t, m->proto);
	keys_put(t->keys, t->key_mask, h, slot_of(s) + 1);
	s->m_next = m->sessions;
	if (m->sessions != NULL)
		m->sessions->m_prev = s;
	m->sessions = s;
	m->nsessions++;
	idle_add(t, s);
	t->st.sessions++;
	return s;
}

struct nat_session *
nat_session_by_cookie(const struct nat_table *t, uint64_t cookie)
{
	struct nat_session	*s;
	uint64_t		 slot1 = cookie & COOKIE_SLOT;

	if (slot1 != 0 && slot1 <= t->nslots) {
		s = slot_get(t, (uint32_t)slot1 - 1);
		if (s->map != NULL && s->cookie == cookie)
			return s;
	}
	errno = ENOENT;
	return NULL;
}

/* Unlink and free a session; tell cb first. */
static void
sess_free(struct nat_table *t, struct nat_session *s, nat_end_cb cb,
    void *arg)
{
	struct nat_mapping	*m = s->map;

	if (cb != NULL)
		cb(s, arg);
	keys_del(t, s);
	if (s->m_prev != NULL)
		s->m_prev->m_next = s->m_next;
	else
		m->sessions = s->m_next;
	if (s->m_next != NULL)
		s->m_next->m_prev = s->m_prev;
	m->nsessions--;
	if (s->nflows == 0)
		idle_del(t, s);
	t->st.sessions--;
	/* The cookie stays: the next session here counts on from it. */
	s->map = NULL;
	s->m_prev = NULL;
	s->m_next = t->free;
	t->free = s;
}

/* End a session; its mapping too when that leaves a dynamic one empty. */
static void
sess_end(struct nat_table *t, struct nat_session *s, nat_end_cb cb,
    void *arg)
{
	struct nat_mapping	*m = s->map;

	sess_free(t, s, cb, arg);
	if (m->nsessions == 0 && !m->forward)
		map_free(t, m, cb, arg);
}

void
nat_session_flows(struct nat_table *t, struct nat_session *s,
    unsigned int n)
{
	if (n == 0)
		return;
	if (s->nflows == 0)
		idle_del(t, s);
	s->nflows += n;
}

struct nat_session *
nat_session_next(const struct nat_table *t, uint32_t *slot)
{
	struct nat_session	*s;

	while (*slot < t->nslots) {
		s = slot_get(t, (*slot)++);
		if (s->map != NULL)
			return s;
	}
	return NULL;
}

void
nat_session_resync(struct nat_table *t, struct nat_session *s,
    unsigned int n, uint64_t expires_ms)
{
	if (s->nflows == 0 && n > 0)
		idle_del(t, s);
	else if (s->nflows > 0 && n == 0)
		idle_add(t, s);
	s->nflows = n;
	s->expires_ms = expires_ms;
}

uint64_t
nat_session_recookie(struct nat_table *t, struct nat_session *s)
{
	uint64_t	 gen;

	(void)t;
	gen = ((s->cookie >> COOKIE_SLOT_BITS) + 1) & COOKIE_GEN_MAX;
	s->cookie = gen << COOKIE_SLOT_BITS | (s->cookie & COOKIE_SLOT);
	return s->cookie;
}

void
nat_session_end(struct nat_table *t, struct nat_session *s, nat_end_cb cb,
    void *arg)
{
	sess_end(t, s, cb, arg);
}

void
nat_session_alive(struct nat_table *t, struct nat_session *s,
    uint64_t now_ms)
{
	s->expires_ms = now_ms + 1000ull * nat_idle_timeout(t,
	    s->map->proto);
}

void
nat_touch(struct nat_table *t, struct nat_session *s, uint64_t now_ms)
{
	s->packets++;
	s->expires_ms = now_ms + 1000ull * nat_idle_timeout(t,
	    s->map->proto);
}

int
nat_flow_removed(struct nat_table *t, uint64_t cookie, uint64_t now_ms)
{
	struct nat_session	*s;

	if ((s = nat_session_by_cookie(t, cookie)) == NULL)
		return -1;
	if (s->nflows > 1) {
		s->nflows--;
		return 0;
	}
	if (s->nflows == 1) {
		s->nflows = 0;
		idle_add(t, s);
	}
	(void)now_ms;
	sess_end(t, s, NULL, NULL);
	return 1;
}

size_t
nat_expire(struct nat_table *t, uint64_t now_ms, nat_end_cb cb, void *arg)
{
	struct nat_session	*s, *sn;
	size_t			 n = 0;

	for (s = t->idle; s != NULL; s = sn) {
		sn = s->e_next;
		if (s->expires_ms > now_ms)
			continue;
		/*
		 * Ending s may end its mapping, but only once s was the
		 * mapping's last session: sn is never freed here.
		 */
		sess_end(t, s, cb, arg);
		n++;
	}
	return n;
}

uint64_t
nat_next_expiry(const struct nat_table *t)
{
	const struct nat_session	*s;
	uint64_t			 min = 0;

	for (s = t->idle; s != NULL; s = s->e_next)
		if (min == 0 || s->expires_ms < min)
			min = s->expires_ms;
	return min;
}

size_t
nat_drop_hosts(struct nat_table *t, uint32_t addr, uint8_t plen,
    nat_end_cb cb, void *arg)
{
	struct nat_mapping	*m, *mn;
	uint32_t		 mask, i;
	size_t			 n = 0;

	mask = plen == 0 ? 0 : htonl(0xffffffffu << (32 - plen));
	for (i = 0; i < MAP_BUCKETS; i++) {
		for (m = t->by_in[i]; m != NULL; m = mn) {
			mn = m->in_next;
			if (m->forward || (m->in_addr & mask) != (addr & mask))
				continue;
			map_free(t, m, cb, arg);
			n++;
		}
	}
	return n;
}

void
nat_stats_get(const struct nat_table *t, struct nat_stats *st)
{
	*st = t->st;
}

void
nat_foreach(const struct nat_table *t,
    void (*fn)(const struct nat_mapping *, void *), void *arg)
{
	const struct nat_mapping	*m;
	uint32_t			 i;

	for (i = 0; i < MAP_BUCKETS; i++)
		for (m = t->by_in[i]; m != NULL; m = m->in_next)
			fn(m, arg);
}
