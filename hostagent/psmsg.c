/*
 * The codec of psmsg.h.  Fields are written one by one in host byte order
 * (both ends are the same binary on the same host), never as raw structs,
 * so padding never leaks and every field is checked on the way in.
 */
#include <sys/types.h>

#include <errno.h>
#include <string.h>

#include "psmsg.h"

struct wr {
	uint8_t		*p;
	size_t		 len, size;
	int		 err;
};

struct rd {
	const uint8_t	*p;
	size_t		 len, off;
	int		 err;
};

static void
put(struct wr *w, const void *v, size_t n)
{
	if (w->err || n > w->size - w->len) {
		w->err = 1;
		return;
	}
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

static void
get(struct rd *r, void *v, size_t n)
{
	if (r->err || n > r->len - r->off) {
		r->err = 1;
		memset(v, 0, n);
		return;
	}
	memcpy(v, r->p + r->off, n);
	r->off += n;
}

#define PUT(w, x)	put((w), &(x), sizeof(x))
#define GET(r, x)	get((r), &(x), sizeof(x))

/* A NUL-padded name of exactly size bytes; the last byte must be NUL. */
static void
put_name(struct wr *w, const char *s, size_t size)
{
	char	 buf[REG_NAME_LEN + 1];

	memset(buf, 0, sizeof(buf));
	if (strnlen(s, size) >= size) {
		w->err = 1;
		return;
	}
	memcpy(buf, s, strlen(s));
	put(w, buf, size);
}

/* NUL-padded: a NUL, and nothing but NULs after it. */
static void
get_name(struct rd *r, char *s, size_t size)
{
	size_t	 i;

	get(r, s, size);
	if ((i = strnlen(s, size)) == size)
		r->err = 1;
	for (; !r->err && i < size; i++)
		if (s[i] != '\0')
			r->err = 1;
}

static int
state_valid(uint8_t st)
{
	return st < VSP_ST_MAX;
}

ssize_t
psm_encode(void *buf, size_t size, const struct psm_msg *m)
{
	struct wr	 w = { buf, 0, size, 0 };
	size_t		 i;

	PUT(&w, m->type);
	switch (m->type) {
	case PSM_CONFIG: {
		const struct psm_config *c = &m->u.config;

		put_name(&w, c->host, sizeof(c->host));
		PUT(&w, c->epoch);
		PUT(&w, c->state_rate);
		PUT(&w, c->state_burst);
		PUT(&w, c->read_budget);
		PUT(&w, c->verbose);
		break;
	}
	case PSM_ATTACH: {
		const struct psm_attach *a = &m->u.attach;

		if (a->naddrs > REG_MAX_ADDRS)
			w.err = 1;
		PUT(&w, a->id);
		PUT(&w, a->conn);
		put_name(&w, a->name, sizeof(a->name));
		PUT(&w, a->naddrs);
		for (i = 0; !w.err && i < a->naddrs; i++)
			PUT(&w, a->addrs[i]);
		break;
	}
	case PSM_DETACH:
		PUT(&w, m->u.detach.id);
		PUT(&w, m->u.detach.conn);
		break;
	case PSM_YIELD:
		if (m->u.yield.request == 0)
			w.err = 1;
		PUT(&w, m->u.yield.id);
		PUT(&w, m->u.yield.conn);
		PUT(&w, m->u.yield.request);
		break;
	case PSM_RESULT: {
		const struct psm_result *r = &m->u.result;

		if (r->nresults > REG_MAX_ADDRS)
			w.err = 1;
		PUT(&w, r->id);
		PUT(&w, r->conn);
		PUT(&w, r->epoch);
		PUT(&w, r->seq);
		PUT(&w, r->nresults);
		for (i = 0; !w.err && i < r->nresults; i++) {
			PUT(&w, r->results[i].addr);
			PUT(&w, r->results[i].result);
			PUT(&w, r->results[i].reason);
		}
		break;
	}
	case PSM_STATE: {
		const struct psm_state *s = &m->u.state;

		if (s->nclaims > REG_MAX_ADDRS)
			w.err = 1;
		PUT(&w, s->id);
		PUT(&w, s->conn);
		PUT(&w, s->epoch);
		PUT(&w, s->seq);
		put_name(&w, s->router_id, sizeof(s->router_id));
		PUT(&w, s->nrefused);
		PUT(&w, s->refused_addr);
		PUT(&w, s->refused_state);
		PUT(&w, s->refused_reason);
		PUT(&w, s->nclaims);
		for (i = 0; !w.err && i < s->nclaims; i++) {
			PUT(&w, s->claims[i].addr);
			PUT(&w, s->claims[i].state);
		}
		break;
	}
	case PSM_LOST:
		PUT(&w, m->u.lost.id);
		PUT(&w, m->u.lost.conn);
		PUT(&w, m->u.lost.why);
		PUT(&w, m->u.lost.error);
		break;
	case PSM_STATS: {
		const struct psm_stats *s = &m->u.stats;

		PUT(&w, s->id);
		PUT(&w, s->conn);
		PUT(&w, s->frames);
		PUT(&w, s->states);
		PUT(&w, s->stale);
		PUT(&w, s->coalesced);
		PUT(&w, s->limited);
		PUT(&w, s->refused);
		PUT(&w, s->bad_frames);
		PUT(&w, s->garbage_bytes);
		PUT(&w, s->acks_dropped);
		break;
	}
	default:
		w.err = 1;
	}
	if (w.err) {
		errno = EINVAL;
		return -1;
	}
	return (ssize_t)w.len;
}

int
psm_decode(const void *buf, size_t len, struct psm_msg *m)
{
	struct rd	 r = { buf, len, 0, 0 };
	size_t		 i;

	memset(m, 0, sizeof(*m));
	GET(&r, m->type);
	switch (m->type) {
	case PSM_CONFIG: {
		struct psm_config *c = &m->u.config;

		get_name(&r, c->host, sizeof(c->host));
		GET(&r, c->epoch);
		GET(&r, c->state_rate);
		GET(&r, c->state_burst);
		GET(&r, c->read_budget);
		GET(&r, c->verbose);
		if (c->read_budget < VSP_HDR_LEN ||
		    c->read_budget > 65536)
			r.err = 1;
		break;
	}
	case PSM_ATTACH: {
		struct psm_attach *a = &m->u.attach;

		GET(&r, a->id);
		GET(&r, a->conn);
		get_name(&r, a->name, sizeof(a->name));
		GET(&r, a->naddrs);
		if (a->naddrs > REG_MAX_ADDRS)
			r.err = 1;
		for (i = 0; !r.err && i < a->naddrs; i++)
			GET(&r, a->addrs[i]);
		break;
	}
	case PSM_DETACH:
		GET(&r, m->u.detach.id);
		GET(&r, m->u.detach.conn);
		break;
	case PSM_YIELD:
		GET(&r, m->u.yield.id);
		GET(&r, m->u.yield.conn);
		GET(&r, m->u.yield.request);
		if (m->u.yield.request == 0)
			r.err = 1;
		break;
	case PSM_RESULT: {
		struct psm_result *res = &m->u.result;

		GET(&r, res->id);
		GET(&r, res->conn);
		GET(&r, res->epoch);
		GET(&r, res->seq);
		GET(&r, res->nresults);
		if (res->nresults > REG_MAX_ADDRS)
			r.err = 1;
		for (i = 0; !r.err && i < res->nresults; i++) {
			GET(&r, res->results[i].addr);
			GET(&r, res->results[i].result);
			GET(&r, res->results[i].reason);
			if (res->results[i].result >= VSP_RES_MAX ||
			    res->results[i].reason >= VSP_WHY_MAX)
				r.err = 1;
		}
		break;
	}
	case PSM_STATE: {
		struct psm_state *s = &m->u.state;

		GET(&r, s->id);
		GET(&r, s->conn);
		GET(&r, s->epoch);
		GET(&r, s->seq);
		get_name(&r, s->router_id, sizeof(s->router_id));
		GET(&r, s->nrefused);
		GET(&r, s->refused_addr);
		GET(&r, s->refused_state);
		GET(&r, s->refused_reason);
		GET(&r, s->nclaims);
		if (s->nclaims > REG_MAX_ADDRS ||
		    s->nrefused > VSP_MAX_ADDRS ||
		    !state_valid(s->refused_state) ||
		    s->refused_reason >= VSP_WHY_MAX)
			r.err = 1;
		for (i = 0; !r.err && i < s->nclaims; i++) {
			GET(&r, s->claims[i].addr);
			GET(&r, s->claims[i].state);
			if (!state_valid(s->claims[i].state))
				r.err = 1;
		}
		break;
	}
	case PSM_LOST:
		GET(&r, m->u.lost.id);
		GET(&r, m->u.lost.conn);
		GET(&r, m->u.lost.why);
		GET(&r, m->u.lost.error);
		if (m->u.lost.why >= PSM_LOST_MAX)
			r.err = 1;
		break;
	case PSM_STATS: {
		struct psm_stats *s = &m->u.stats;

		GET(&r, s->id);
		GET(&r, s->conn);
		GET(&r, s->frames);
		GET(&r, s->states);
		GET(&r, s->stale);
		GET(&r, s->coalesced);
		GET(&r, s->limited);
		GET(&r, s->refused);
		GET(&r, s->bad_frames);
		GET(&r, s->garbage_bytes);
		GET(&r, s->acks_dropped);
		break;
	}
	default:
		r.err = 1;
	}
	if (r.err || r.off != r.len) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

const char *
psm_type_name(unsigned int t)
{
	switch (t) {
	case PSM_CONFIG:	return "CONFIG";
	case PSM_ATTACH:	return "ATTACH";
	case PSM_DETACH:	return "DETACH";
	case PSM_RESULT:	return "RESULT";
	case PSM_YIELD:		return "YIELD";
	case PSM_STATE:		return "STATE";
	case PSM_LOST:		return "LOST";
	case PSM_STATS:		return "STATS";
	}
	return "unknown";
}
