/*
 * The NAT state: mappings, sessions, port allocation (nat_table.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "nat_table.h"

#define MAP_BUCKETS	(1u << 16)
#define SESS_BUCKETS	(1u << 14)	/* at first; doubles as needed */
#define SESS_BUCKETS_MAX (1u << 21)
#define NPROTO		3

struct nat_table {
	struct nat_config	 conf;
	/* inside endpoint -> mapping */
	struct nat_mapping	**by_in;
	/* outside port -> mapping, one table per protocol */
	struct nat_mapping	**by_out[NPROTO];
	/* (mapping, remote) -> session, and cookie -> session */
	struct nat_session	**by_key;
	struct nat_session	**by_cookie;
	uint32_t		 sess_mask;	/* buckets - 1 */
	/* sessions without flows, oldest expiry not ordered */
	struct nat_session	*idle;
	uint64_t		 next_cookie;
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
key_hash(const struct nat_table *t, const struct nat_mapping *m,
    uint32_t addr, uint16_t port)
{
	return mix((uint64_t)(uintptr_t)m ^ ((uint64_t)addr << 16) ^ port ^
	    ((uint64_t)port << 48)) & t->sess_mask;
}

static uint32_t
cookie_hash(const struct nat_table *t, uint64_t cookie)
{
	return mix(cookie) & t->sess_mask;
}

/* Double the session hash tables; on failure keep the old ones. */
static void
sess_grow(struct nat_table *t)
{
	struct nat_session	**nk, **nc, *s, *sn;
	uint32_t		 nb = (t->sess_mask + 1) * 2, i, old, h;

	if (nb > SESS_BUCKETS_MAX)
		return;
	nk = calloc(nb, sizeof(*nk));
	nc = calloc(nb, sizeof(*nc));
	if (nk == NULL || nc == NULL) {
		free(nk);
		free(nc);
		return;
	}
	old = t->sess_mask + 1;
	t->sess_mask = nb - 1;
	for (i = 0; i < old; i++) {
		for (s = t->by_key[i]; s != NULL; s = sn) {
			sn = s->k_next;
			h = key_hash(t, s->map, s->r_addr, s->r_port);
			s->k_next = nk[h];
			nk[h] = s;
		}
		for (s = t->by_cookie[i]; s != NULL; s = sn) {
			sn = s->c_next;
			h = cookie_hash(t, s->cookie);
			s->c_next = nc[h];
			nc[h] = s;
		}
	}
	free(t->by_key);
	free(t->by_cookie);
	t->by_key = nk;
	t->by_cookie = nc;
}

struct nat_table *
nat_new(const struct nat_config *conf)
{
	struct nat_table	*t;
	int			 i;

	if (conf->port_lo == 0 || conf->port_lo > conf->port_hi) {
		errno = EINVAL;
		return NULL;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->conf = *conf;
	if (t->conf.max_sessions == 0)
		t->conf.max_sessions = NAT_MAX_SESSIONS;
	t->by_in = calloc(MAP_BUCKETS, sizeof(*t->by_in));
	t->sess_mask = SESS_BUCKETS - 1;
	t->by_key = calloc(SESS_BUCKETS, sizeof(*t->by_key));
	t->by_cookie = calloc(SESS_BUCKETS, sizeof(*t->by_cookie));
	for (i = 0; i < NPROTO; i++)
		t->by_out[i] = calloc(65536, sizeof(*t->by_out[i]));
	if (t->by_in == NULL || t->by_key == NULL || t->by_cookie == NULL ||
	    t->by_out[0] == NULL || t->by_out[1] == NULL ||
	    t->by_out[2] == NULL) {
		nat_free(t);
		errno = ENOMEM;
		return NULL;
	}
	t->next_cookie = 1;
	t->rnd = mix(conf->pub ^ 0x5a17u);
	return t;
}

void
nat_free(struct nat_table *t)
{
	struct nat_mapping	*m, *mn;
	struct nat_session	*s, *sn;
	uint32_t		 i;

	if (t == NULL)
		return;
	if (t->by_in != NULL) {
		for (i = 0; i < MAP_BUCKETS; i++) {
			for (m = t->by_in[i]; m != NULL; m = mn) {
				mn = m->in_next;
				for (s = m->sessions; s != NULL; s = sn) {
					sn = s->m_next;
					free(s);
				}
				free(m);
			}
		}
	}
	free(t->by_in);
	free(t->by_key);
	free(t->by_cookie);
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

struct nat_session *
nat_session(struct nat_table *t, struct nat_mapping *m, uint32_t r_addr,
    uint16_t r_port, int create, uint64_t now_ms)
{
	struct nat_session	*s;
	uint32_t		 h = key_hash(t, m, r_addr, r_port), c;

	for (s = t->by_key[h]; s != NULL; s = s->k_next)
		if (s->map == m && s->r_addr == r_addr && s->r_port == r_port)
			return s;
	if (!create) {
		errno = ENOENT;
		return NULL;
	}
	if (t->st.sessions >= t->conf.max_sessions) {
		errno = ENOSPC;
		return NULL;
	}
	if (t->st.sessions >= t->sess_mask + 1) {
		sess_grow(t);
		h = key_hash(t, m, r_addr, r_port);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->map = m;
	s->r_addr = r_addr;
	s->r_port = r_port;
	s->cookie = t->next_cookie++;
	s->expires_ms = now_ms + 1000ull * nat_idle_timeout(t, m->proto);
	s->k_next = t->by_key[h];
	t->by_key[h] = s;
	c = cookie_hash(t, s->cookie);
	s->c_next = t->by_cookie[c];
	t->by_cookie[c] = s;
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

	for (s = t->by_cookie[cookie_hash(t, cookie)]; s != NULL;
	    s = s->c_next)
		if (s->cookie == cookie)
			return s;
	errno = ENOENT;
	return NULL;
}

/* Unlink and free a session; tell cb first. */
static void
sess_free(struct nat_table *t, struct nat_session *s, nat_end_cb cb,
    void *arg)
{
	struct nat_session	**pp;
	struct nat_mapping	*m = s->map;

	if (cb != NULL)
		cb(s, arg);
	for (pp = &t->by_key[key_hash(t, m, s->r_addr, s->r_port)];
	    *pp != NULL; pp = &(*pp)->k_next)
		if (*pp == s) {
			*pp = s->k_next;
			break;
		}
	for (pp = &t->by_cookie[cookie_hash(t, s->cookie)]; *pp != NULL;
	    pp = &(*pp)->c_next)
		if (*pp == s) {
			*pp = s->c_next;
			break;
		}
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
	free(s);
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
