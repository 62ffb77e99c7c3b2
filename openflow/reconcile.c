/*
 * The session flows against the switch's flow table.  A switch that
 * restarts comes back with none of them, and a session counted with
 * flows the switch no longer has would go through the controller packet
 * by packet and never end: no FlowRemoved can come for a flow that is
 * not there.  So on every (re)connection, after the fixed flows, and
 * then every audit_interval, the controller reads the switch's session
 * flows (MULTIPART FLOW, by cookie) and compares, session by session:
 *
 *   the switch has what we count      nothing to do
 *   the switch has more               counted as the switch has them
 *   some are missing, idle by the     the session ends (its mapping too
 *   controller's clock                when it was the last)
 *   some are missing, not idle        a new cookie, then both flows again
 *                                     (or none, when a leg or a MAC is
 *                                     not known: its next packet does it)
 *   a flow no session owns            deleted by its cookie
 *
 * The reply is a snapshot taken when the switch handled the request:
 * what the controller sends after it is not in it, so flows installed
 * while a read runs are counted as if it had seen them
 * (audit_installed), and FlowRemoveds that come after the snapshot are
 * taken off (audit_flow_gone).  A new cookie for a restored session
 * makes any late FlowRemoved or ERROR about its old flows harmless.
 *
 * The reply is not kept: each part is folded into the sessions as it
 * comes (per session: the round, flows seen, packet counts), so memory
 * does not grow with the table.  What a switch could make endless is
 * capped: entries (AUDIT_MAX_ENTRIES), time (AUDIT_DEADLINE_MS); past
 * a cap the read fails and is tried again AUDIT_RETRY_MS later.  The
 * walk over the sessions runs AUDIT_BATCH slots per turn of the event
 * loop, and waits while the send queue holds AUDIT_QUEUE_MAX bytes, so
 * the switch's messages are served between batches and restoring a
 * million sessions never fills the queue.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "ofnat.h"
#include "pipeline_priv.h"

/*
 * Every 30 s: drift (a FlowRemoved lost, a flow deleted by hand) is
 * repaired within that, at the cost of one dump of the session flows.
 * The packet counts of the dump are also the controller's clock for
 * sessions whose packets it does not see: a session is known alive at
 * the last read that saw its counts move.  After a switch restart, a
 * session idle by that clock ends; for that to never end a live one,
 * reads come at least twice per idle timeout, so a short timeout (the
 * lab's udp=4) reads more often.
 */
#define AUDIT_INTERVAL_MS	30000
#define AUDIT_INTERVAL_MIN_MS	1000
#define AUDIT_RETRY_MS		5000
#define AUDIT_DEADLINE_MS	30000
#define AUDIT_BATCH		8192
#define AUDIT_QUEUE_MAX		(8u << 20)
#define AUDIT_QUEUE_WAIT_MS	10
/* The table's sessions have two flows each; room for strays besides. */
#define AUDIT_MAX_ENTRIES(o)	(2ull * nat_config_get((o)->nat)->max_sessions \
				    + 65536)

static uint64_t
audit_interval(struct ofnat *o)
{
	uint64_t	 t, u, half;

	t = nat_idle_timeout(o->nat, IPPROTO_TCP);
	u = nat_idle_timeout(o->nat, IPPROTO_UDP);
	half = (t < u ? t : u) * 1000 / 2;
	if (half < AUDIT_INTERVAL_MIN_MS)
		half = AUDIT_INTERVAL_MIN_MS;
	return half < AUDIT_INTERVAL_MS ? half : AUDIT_INTERVAL_MS;
}

static void
audit_fail(struct ofnat *o, const char *why)
{
	struct ofnat_audit	*a = &o->audit;

	log_warnx("flow audit: %s; again in %d s", why, AUDIT_RETRY_MS / 1000);
	o->c.audits_failed++;
	if (a->walk != NULL)
		event_del(a->walk);
	a->state = AUDIT_IDLE;
	a->next_ms = ofnat_now_ms() + AUDIT_RETRY_MS;
}

void
audit_start(struct ofnat *o)
{
	struct ofnat_audit		*a = &o->audit;
	struct ofp_flow_stats_request	 r;
	ssize_t				 n;

	if (a->state != AUDIT_IDLE || !ofconn_connected(o))
		return;
	memset(&r, 0, sizeof(r));
	r.table_id = 0;
	r.out_port = OFPP_ANY;
	r.out_group = OFPG_ANY;
	/* Session cookies: the top three bits clear (ofnat.h). */
	r.cookie = 0;
	r.cookie_mask = COOKIE_TAGS | 1ull << 63;
	ofp_match_init(&r.match);
	a->xid = ofconn_xid(o);
	if ((n = ofp_encode_flow_stats_request(o->msg, sizeof(o->msg), a->xid,
	    &r)) == -1 || ofconn_send(o, o->msg, (size_t)n) == -1) {
		audit_fail(o, "request not sent");
		return;
	}
	if (++a->round == 0)
		a->round = 1;
	a->state = AUDIT_COLLECT;
	a->started_ms = ofnat_now_ms();
	a->entries = 0;
	a->last_stray = 0;
	a->slot = 0;
	a->n_reinstalled = a->n_flowless = a->n_expired = a->n_adopted =
	    a->n_stray = 0;
}

void
audit_stop(struct ofnat *o)
{
	struct ofnat_audit	*a = &o->audit;

	if (a->walk != NULL)
		event_del(a->walk);
	a->state = AUDIT_IDLE;
}

void
audit_installed(struct ofnat *o, struct nat_session *s, unsigned int n)
{
	struct ofnat_audit	*a = &o->audit;

	if (a->state == AUDIT_IDLE)
		return;
	if (s->audit != a->round) {
		s->audit = a->round;
		s->seen = 0;
		s->pk_seen = 0;
	}
	s->seen += n;
}

void
audit_flow_gone(struct ofnat *o, uint64_t cookie)
{
	struct ofnat_audit	*a = &o->audit;
	struct nat_session	*s;

	/* Before the reply ends the snapshot may not hold the flow. */
	if (a->state != AUDIT_WALK ||
	    (s = nat_session_by_cookie(o->nat, cookie)) == NULL)
		return;
	if (s->audit == a->round && s->seen > 0)
		s->seen--;
}

int
audit_error(struct ofnat *o, uint32_t xid)
{
	if (o->audit.state != AUDIT_COLLECT || xid != o->audit.xid)
		return 0;
	audit_fail(o, "the switch refused the request");
	return 1;
}

static void	walk_batch(evutil_socket_t, short, void *);

static void
walk_later(struct ofnat *o, int ms)
{
	struct timeval	 tv = { 0, ms * 1000 };

	if (o->audit.walk == NULL && (o->audit.walk = event_new(o->base, -1,
	    0, walk_batch, o)) == NULL) {
		audit_fail(o, "event_new");
		return;
	}
	event_add(o->audit.walk, &tv);
}

void
pipeline_flow_stats(struct ofnat *o, uint32_t xid,
    const struct ofp_flow_stats_reply *r)
{
	struct ofnat_audit	*a = &o->audit;
	struct ofp_flow_stats	 fs;
	struct nat_session	*s;
	size_t			 off = 0;

	if (a->state != AUDIT_COLLECT || xid != a->xid)
		return;
	while (ofp_flow_stats_next(r, &off, &fs) == 1) {
		if (++a->entries > AUDIT_MAX_ENTRIES(o)) {
			audit_fail(o, "reply over its cap of entries");
			return;
		}
		if (fs.cookie == 0 || (fs.cookie & COOKIE_TAGS))
			continue;	/* not a session's */
		if ((s = nat_session_by_cookie(o->nat, fs.cookie)) == NULL) {
			/* Two flows per cookie: delete once. */
			if (fs.cookie != a->last_stray) {
				flows_delete(o, fs.cookie, ~0ull, 0, 0);
				a->last_stray = fs.cookie;
			}
			a->n_stray++;
			o->c.recon_stray++;
			continue;
		}
		if (s->audit != a->round) {
			s->audit = a->round;
			s->seen = 0;
			s->pk_seen = 0;
		}
		if (s->seen < 255)
			s->seen++;
		s->pk_seen += (uint32_t)fs.packet_count;
	}
	if (r->flags & OFPMPF_REPLY_MORE)
		return;
	a->state = AUDIT_WALK;
	a->slot = 0;
	walk_later(o, 0);
}

/* One session against the snapshot. */
static void
reconcile(struct ofnat *o, struct nat_session *s, uint64_t now)
{
	struct ofnat_audit	*a = &o->audit;
	struct dir		 out, back;
	unsigned int		 have = 0;
	uint64_t		 old;

	if (s->audit == a->round) {
		have = s->seen > 2 ? 2 : s->seen;
		/* Its flows counted packets since the last read. */
		if (have > 0 && s->pk_seen != s->pk_last)
			nat_session_alive(o->nat, s, now);
		s->pk_last = s->pk_seen;
	}
	if (have == s->nflows)
		return;
	if (have > s->nflows) {
		nat_session_resync(o->nat, s, have, s->expires_ms);
		a->n_adopted++;
		o->c.recon_adopted++;
		return;
	}
	if (now >= s->expires_ms) {
		/* end_session deletes what the switch still has of it. */
		a->n_expired++;
		o->c.recon_expired++;
		nat_session_end(o->nat, s, end_session, o);
		return;
	}
	old = s->cookie;
	if (have > 0)
		flows_delete(o, old, ~0ull, 0, 0);
	(void)nat_session_recookie(o->nat, s);
	nat_session_resync(o->nat, s, 0, s->expires_ms);
	if (session_dirs(o, s, &out, &back) == 0 &&
	    session_install(o, s, &out, &back) == 0) {
		a->n_reinstalled++;
		o->c.recon_reinstalled++;
	} else {
		a->n_flowless++;
		o->c.recon_flowless++;
	}
}

static void
walk_batch(evutil_socket_t fd, short what, void *arg)
{
	struct ofnat		*o = arg;
	struct ofnat_audit	*a = &o->audit;
	struct nat_session	*s;
	uint64_t		 now = ofnat_now_ms();
	int			 i;

	(void)fd;
	(void)what;
	if (a->state != AUDIT_WALK)
		return;
	for (i = 0; i < AUDIT_BATCH; i++) {
		if (ofconn_queued(o) > AUDIT_QUEUE_MAX) {
			walk_later(o, AUDIT_QUEUE_WAIT_MS);
			return;
		}
		if ((s = nat_session_next(o->nat, &a->slot)) == NULL)
			break;
		reconcile(o, s, now);
	}
	if (i == AUDIT_BATCH) {
		walk_later(o, 0);
		return;
	}
	a->state = AUDIT_IDLE;
	a->next_ms = now + audit_interval(o);
	o->c.audits++;
	if (a->n_reinstalled || a->n_flowless || a->n_expired ||
	    a->n_adopted || a->n_stray)
		log_info("flow audit: %llu entries; sessions: %llu "
		    "reinstalled, %llu left to their next packet, %llu "
		    "expired, %llu adopted; %llu stray flows deleted",
		    (unsigned long long)a->entries,
		    (unsigned long long)a->n_reinstalled,
		    (unsigned long long)a->n_flowless,
		    (unsigned long long)a->n_expired,
		    (unsigned long long)a->n_adopted,
		    (unsigned long long)a->n_stray);
}

void
audit_tick(struct ofnat *o, uint64_t now)
{
	struct ofnat_audit	*a = &o->audit;

	if (!o->ready)
		return;
	if (a->state == AUDIT_COLLECT &&
	    now - a->started_ms > AUDIT_DEADLINE_MS) {
		audit_fail(o, "no complete reply in time");
		return;
	}
	if (a->state == AUDIT_IDLE && now >= a->next_ms)
		audit_start(o);
}

void
audit_free(struct ofnat *o)
{
	if (o->audit.walk != NULL)
		event_free(o->audit.walk);
	o->audit.walk = NULL;
	o->audit.state = AUDIT_IDLE;
}
