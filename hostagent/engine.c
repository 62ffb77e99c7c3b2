/*
 * The channel engine of vrouter-hostd: the only part that reads what the
 * guests send.  It runs unprivileged, in an empty chroot, under a system
 * call filter (sandbox.c), and holds nothing but its channels and the
 * socketpair to the route process.
 *
 * Every guest is hostile, so no guest may cost the others more than its
 * share:
 * - each channel gets one read of at most read_budget bytes per loop
 *   turn, and then the loop moves on to the others;
 * - a STATE is the VM's whole state, so only the newest waits to be
 *   applied; older ones are dropped unapplied ("coalesced");
 * - states go to the route process one at a time per VM, at most
 *   state_rate per second after a burst of state_burst (a token bucket);
 * - log lines a guest can provoke are limited per VM (logrl.h).
 * A closed channel is reported in the turn it is seen, whatever the
 * other channels are doing.
 */
#include <sys/queue.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "evglue.h"
#include "hostd.h"
#include "log.h"
#include "logrl.h"
#include "psio.h"
#include "routes_plan.h"
#include "tbucket.h"
#include "vsp_stream.h"

#define ENGINE_FD	3
#define STATS_MS	1000
#define RESULT_PENDING	0xff	/* an ack entry the route process fills */

struct echan {
	TAILQ_ENTRY(echan) entry;
	struct engine	*eng;
	uint32_t	 id, conn;
	char		 name[REG_NAME_LEN];
	uint16_t	 naddrs;
	uint32_t	 addrs[REG_MAX_ADDRS];

	int		 fd;
	struct event	*ev_read;
	struct event	*ev_write;
	struct event	*ev_token;
	struct vsp_reader rd;
	struct vsp_wbuf	 wb;
	uint32_t	 tx_seq;

	/* the newest state seen, and where it is: pending, flying, acked */
	int		 seen;
	uint64_t	 seen_epoch;
	uint32_t	 seen_seq;
	int		 pending, flying, acked;
	int		 waiting_token;
	struct psm_state pend;
	struct vsp_ack_msg *pend_ack;	/* in the guest's order */
	struct vsp_ack_msg *fly_ack;
	struct vsp_ack_msg *last_ack;	/* as sent: resent on a repeat */

	struct tbucket	 tb;
	struct logrl	 logrl;
	struct psm_stats st;
	int		 st_dirty;
};

struct engine {
	struct event_base *base;
	struct ps_peer	*parent;
	struct psm_config cfg;
	int		 configured;
	struct event	*ev_stats;
	TAILQ_HEAD(, echan) chans;
};

static struct vsp_msg	 scratch;	/* large; one frame at a time */

static void	 echan_log(struct echan *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
echan_log(struct echan *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	logrl_vlog(&c->logrl, c->name, 0, fmt, ap);
	va_end(ap);
}

static struct echan *
echan_find(struct engine *e, uint32_t id, uint32_t conn)
{
	struct echan	*c;

	TAILQ_FOREACH(c, &e->chans, entry)
		if (c->id == id && c->conn == conn)
			return c;
	return NULL;
}

static void
send_stats(struct echan *c)
{
	struct psm_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = PSM_STATS;
	c->st.id = c->id;
	c->st.conn = c->conn;
	c->st.garbage_bytes = c->rd.garbage_bytes;
	c->st.bad_frames = c->rd.bad_frames;
	m.u.stats = c->st;
	ps_peer_send(c->eng->parent, &m, -1);
	c->st_dirty = 0;
}

static void
echan_free(struct echan *c)
{
	TAILQ_REMOVE(&c->eng->chans, c, entry);
	if (c->ev_read != NULL)
		event_free(c->ev_read);
	if (c->ev_write != NULL)
		event_free(c->ev_write);
	if (c->ev_token != NULL)
		event_free(c->ev_token);
	if (c->fd != -1)
		close(c->fd);
	vsp_reader_free(&c->rd);
	vsp_wbuf_free(&c->wb);
	free(c->pend_ack);
	free(c->fly_ack);
	free(c->last_ack);
	free(c);
}

/* Tell the route process, in this turn, and forget the channel. */
static void
echan_lost(struct echan *c, int why, int error)
{
	struct psm_msg	 m;

	send_stats(c);
	memset(&m, 0, sizeof(m));
	m.type = PSM_LOST;
	m.u.lost.id = c->id;
	m.u.lost.conn = c->conn;
	m.u.lost.why = (uint8_t)why;
	m.u.lost.error = error;
	ps_peer_send(c->eng->parent, &m, -1);
	echan_free(c);
}

static int
flush(struct echan *c)
{
	if (vsp_wbuf_flush(&c->wb, c->fd) == -1) {
		echan_lost(c, PSM_LOST_ERROR, errno);
		return -1;
	}
	if (vsp_wbuf_pending(&c->wb))
		event_add(c->ev_write, NULL);
	return 0;
}

/*
 * Queue a frame for the guest.  A guest that does not read loses its
 * acks (it resends, and gets the newest), never our memory.
 */
static int
queue_frame(struct echan *c, struct vsp_msg *m)
{
	m->hdr.seq = ++c->tx_seq;
	m->hdr.epoch = c->eng->cfg.epoch;
	if (vsp_wbuf_add_msg(&c->wb, m) == -1) {
		c->st.acks_dropped++;
		c->st_dirty = 1;
		return 0;
	}
	return flush(c);
}

static int
send_ack(struct echan *c, const struct vsp_ack_msg *ack)
{
	scratch.hdr.type = VSP_ACK;
	memcpy(&scratch.u.ack, ack, sizeof(*ack));
	return queue_frame(c, &scratch);
}

static void	 dispatch(struct echan *);

static void
on_token(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	dispatch(arg);
}

/* Send the pending state on, if none is in flight and a token is there. */
static void
dispatch(struct echan *c)
{
	struct vsp_ack_msg *t;
	struct psm_msg	 m;
	uint64_t	 now;

	if (!c->pending || c->flying)
		return;
	now = mono_ms();
	if (!tb_take(&c->tb, now)) {
		if (!c->waiting_token) {
			c->waiting_token = 1;
			c->st.limited++;
			c->st_dirty = 1;
		}
		evtimer_add_ms(c->ev_token, (unsigned int)tb_wait_ms(&c->tb,
		    now));
		return;
	}
	c->waiting_token = 0;
	/* Counters first, so `host vm list` agrees with the ack. */
	send_stats(c);
	memset(&m, 0, sizeof(m));
	m.type = PSM_STATE;
	m.u.state = c->pend;
	if (ps_peer_send(c->eng->parent, &m, -1) == -1)
		return;		/* the parent is gone: we exit soon */
	t = c->fly_ack;
	c->fly_ack = c->pend_ack;
	c->pend_ack = t;
	c->pending = 0;
	c->flying = 1;
}

static int
newer(uint64_t e1, uint32_t s1, uint64_t e2, uint32_t s2)
{
	return e1 > e2 || (e1 == e2 && s1 > s2);
}

/* Authorise each claim; the ack template keeps the guest's order. */
static void
take_state(struct echan *c, const struct vsp_msg *msg)
{
	const struct vsp_state_msg *s = &msg->u.state;
	struct psm_state *p = &c->pend;
	struct vsp_ack_msg *ack = c->pend_ack;
	size_t		 i, k;
	uint8_t		 why;

	memset(p, 0, sizeof(*p));
	p->id = c->id;
	p->conn = c->conn;
	p->epoch = msg->hdr.epoch;
	p->seq = msg->hdr.seq;
	memcpy(p->router_id, s->router_id, sizeof(p->router_id));
	memset(ack, 0, sizeof(*ack));
	ack->acked_seq = msg->hdr.seq;
	ack->acked_epoch = msg->hdr.epoch;
	ack->nresults = s->naddrs;
	for (i = 0; i < s->naddrs; i++) {
		const struct vsp_addr *a = &s->addrs[i];

		ack->results[i].addr = a->addr;
		why = plan_authorise(c->addrs, c->naddrs, a->addr, a->plen,
		    a->state);
		if (why != VSP_WHY_NONE) {
			ack->results[i].result = VSP_RES_REFUSED;
			ack->results[i].reason = why;
			if (p->nrefused++ == 0) {
				p->refused_addr = a->addr;
				p->refused_state = a->state;
				p->refused_reason = why;
			}
			continue;
		}
		ack->results[i].result = RESULT_PENDING;
		/* The same address twice: the last word counts. */
		for (k = 0; k < p->nclaims; k++)
			if (p->claims[k].addr == a->addr)
				break;
		p->claims[k].addr = a->addr;
		p->claims[k].state = a->state;
		if (k == p->nclaims)
			p->nclaims++;
	}
	if (p->nrefused > 0) {
		char	 buf[INET_ADDRSTRLEN];

		c->st.refused += p->nrefused;
		inet_ntop(AF_INET, &p->refused_addr, buf, sizeof(buf));
		echan_log(c, "refused %s for %s/%u: %s%s",
		    vsp_state_name(p->refused_state), buf, 32,
		    vsp_reason_name(p->refused_reason),
		    p->nrefused > 1 ? " (and more in this state)" : "");
	}
}

/*
 * Full-state messages make a resend harmless, but an older one must not
 * undo a newer one: compare (epoch, seq) with the newest seen.
 */
static int
handle_state(struct echan *c, const struct vsp_msg *msg)
{
	const struct vsp_header	*h = &msg->hdr;

	c->st.states++;
	c->st_dirty = 1;
	if (c->seen && !newer(h->epoch, h->seq, c->seen_epoch, c->seen_seq)) {
		if (h->epoch == c->seen_epoch && h->seq == c->seen_seq) {
			/* A repeat: our ack was lost, or is coming. */
			if (c->acked)
				return send_ack(c, c->last_ack);
			return 0;
		}
		c->st.stale++;
		return 0;
	}
	if (c->pending)
		c->st.coalesced++;
	c->seen = 1;
	c->seen_epoch = h->epoch;
	c->seen_seq = h->seq;
	c->acked = 0;
	take_state(c, msg);
	c->pending = 1;
	dispatch(c);
	return 0;
}

static void
on_result(struct engine *e, const struct psm_result *r)
{
	struct echan	*c = echan_find(e, r->id, r->conn);
	struct vsp_ack_msg *ack, *t;
	size_t		 i, k;

	if (c == NULL || !c->flying || r->epoch != c->fly_ack->acked_epoch ||
	    r->seq != c->fly_ack->acked_seq)
		return;
	ack = c->fly_ack;
	for (i = 0; i < ack->nresults; i++) {
		if (ack->results[i].result != RESULT_PENDING)
			continue;
		ack->results[i].result = VSP_RES_FAILED;
		ack->results[i].reason = VSP_WHY_NETLINK;
		for (k = 0; k < r->nresults; k++)
			if (r->results[k].addr == ack->results[i].addr) {
				ack->results[i].result = r->results[k].result;
				ack->results[i].reason = r->results[k].reason;
				break;
			}
	}
	c->flying = 0;
	t = c->last_ack;
	c->last_ack = c->fly_ack;
	c->fly_ack = t;
	if (r->epoch == c->seen_epoch && r->seq == c->seen_seq)
		c->acked = 1;
	if (send_ack(c, c->last_ack) == -1)
		return;		/* c is gone */
	dispatch(c);
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct echan	*c = arg;
	uint8_t		*p;
	size_t		 avail;
	ssize_t		 n;
	uint64_t	 garbage = c->rd.garbage_bytes;

	(void)what;
	if ((p = vsp_reader_space(&c->rd, &avail)) == NULL) {
		echan_lost(c, PSM_LOST_ERROR, errno);
		return;
	}
	if (avail > c->eng->cfg.read_budget)
		avail = c->eng->cfg.read_budget;
	n = read(fd, p, avail);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		echan_lost(c, n == 0 ? PSM_LOST_EOF : PSM_LOST_ERROR,
		    n == 0 ? 0 : errno);
		return;
	}
	vsp_reader_commit(&c->rd, (size_t)n);
	while (vsp_reader_next(&c->rd, &scratch)) {
		c->st.frames++;
		c->st_dirty = 1;
		if (scratch.hdr.type != VSP_STATE) {
			/* HELLO and ACK are the host's to send. */
			vsp_reader_reject(&c->rd, EPROTO);
			echan_log(c, "%s frame from the guest ignored",
			    vsp_type_name(scratch.hdr.type));
			continue;
		}
		if (handle_state(c, &scratch) == -1)
			return;		/* c is gone */
	}
	if (c->rd.garbage_bytes != garbage) {
		c->st_dirty = 1;
		echan_log(c, "skipped %llu bytes that were not frames",
		    (unsigned long long)(c->rd.garbage_bytes - garbage));
	}
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	flush(arg);
}

static void
on_attach(struct engine *e, const struct psm_attach *a, int fd)
{
	struct echan	*c;
	struct vsp_msg	*hello = &scratch;

	if (fd == -1 || !e->configured || echan_find(e, a->id, a->conn)) {
		if (fd != -1)
			close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->pend_ack = calloc(1, sizeof(*c->pend_ack))) == NULL ||
	    (c->fly_ack = calloc(1, sizeof(*c->fly_ack))) == NULL ||
	    (c->last_ack = calloc(1, sizeof(*c->last_ack))) == NULL) {
		log_warnx("vm %s: out of memory for its channel", a->name);
		goto fail;
	}
	c->eng = e;
	c->fd = fd;
	/* Buffers come with the first bytes, and go with the channel. */
	vsp_reader_init(&c->rd, VSP_MAX_STATE_FRAME);
	vsp_wbuf_init(&c->wb, 4 * VSP_MAX_ACK_FRAME);
	c->id = a->id;
	c->conn = a->conn;
	memcpy(c->name, a->name, sizeof(c->name));
	c->naddrs = a->naddrs;
	memcpy(c->addrs, a->addrs, sizeof(c->addrs));
	tb_init(&c->tb, e->cfg.state_rate, e->cfg.state_burst, mono_ms());
	TAILQ_INSERT_TAIL(&e->chans, c, entry);
	c->ev_read = event_new(e->base, fd, EV_READ | EV_PERSIST, on_read, c);
	c->ev_write = event_new(e->base, fd, EV_WRITE, on_write, c);
	c->ev_token = evtimer_new(e->base, on_token, c);
	if (c->ev_read == NULL || c->ev_write == NULL || c->ev_token == NULL) {
		log_warnx("vm %s: out of memory for events", a->name);
		echan_lost(c, PSM_LOST_ERROR, ENOMEM);
		return;
	}
	event_add(c->ev_read, NULL);

	/* Greet the guest, so it resends its state at once. */
	memset(hello, 0, sizeof(*hello));
	hello->hdr.type = VSP_HELLO;
	hello->u.hello.min_version = VSP_VERSION;
	hello->u.hello.max_version = VSP_VERSION;
	memcpy(hello->u.hello.host, e->cfg.host, sizeof(e->cfg.host));
	queue_frame(c, hello);
	return;
fail:
	if (c != NULL) {
		free(c->pend_ack);
		free(c->fly_ack);
		free(c->last_ack);
		free(c);
	}
	close(fd);
}

/*
 * The route process asks this guest to hand over.  It limits how often;
 * a guest that does not read loses the frame like an ack (counted), and
 * the route process sees the router stay MASTER.
 */
static void
on_yield(struct engine *e, const struct psm_yield *y)
{
	struct echan	*c = echan_find(e, y->id, y->conn);

	if (c == NULL)
		return;		/* that connection closed meanwhile */
	memset(&scratch, 0, sizeof(scratch));
	scratch.hdr.type = VSP_YIELD;
	scratch.u.yield.request = y->request;
	queue_frame(c, &scratch);
}

static void
on_parent_msg(const struct psm_msg *m, int fd, void *arg)
{
	struct engine	*e = arg;
	struct echan	*c;

	switch (m->type) {
	case PSM_CONFIG:
		e->cfg = m->u.config;
		e->configured = 1;
		log_setverbose(e->cfg.verbose);
		break;
	case PSM_ATTACH:
		on_attach(e, &m->u.attach, fd);
		return;
	case PSM_DETACH:
		if ((c = echan_find(e, m->u.detach.id, m->u.detach.conn)))
			echan_free(c);
		break;
	case PSM_RESULT:
		on_result(e, &m->u.result);
		break;
	case PSM_YIELD:
		on_yield(e, &m->u.yield);
		break;
	default:
		break;
	}
	if (fd != -1)
		close(fd);
}

static void
on_parent_close(const char *why, void *arg)
{
	struct engine	*e = arg;

	log_debug("channel engine: route process %s: exiting", why);
	event_base_loopbreak(e->base);
}

static void
on_stats(evutil_socket_t fd, short what, void *arg)
{
	struct engine	*e = arg;
	struct echan	*c;
	uint64_t	 now = mono_ms();

	(void)fd;
	(void)what;
	TAILQ_FOREACH(c, &e->chans, entry) {
		if (c->st_dirty || c->rd.garbage_bytes != c->st.garbage_bytes ||
		    c->rd.bad_frames != c->st.bad_frames)
			send_stats(c);
		logrl_report(&c->logrl, c->name, now);
	}
	evtimer_add_ms(e->ev_stats, STATS_MS);
}

int
engine_main(int argc, char *argv[])
{
	struct engine	 e;
	const char	*user = NULL;
	int		 ch, foreground = 0;

	while ((ch = getopt(argc, argv, "Edu:")) != -1) {
		switch (ch) {
		case 'E':
			break;
		case 'd':
			foreground = 1;
			break;
		case 'u':
			user = optarg;
			break;
		default:
			return 2;
		}
	}
	log_init(foreground, "vrouter-hostd[engine]", LOG_DAEMON);
	memset(&e, 0, sizeof(e));
	TAILQ_INIT(&e.chans);
	if ((e.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((e.parent = ps_peer_new(e.base, ENGINE_FD, on_parent_msg,
	    on_parent_close, &e)) == NULL)
		fatalx("socketpair to the route process");
	if ((e.ev_stats = evtimer_new(e.base, on_stats, &e)) == NULL)
		fatalx("evtimer_new failed");
	evtimer_add_ms(e.ev_stats, STATS_MS);
	if (sandbox_enter(user, SANDBOX_DIR) == -1)
		fatal("channel engine sandbox");

	event_base_dispatch(e.base);

	/* No atexit handlers after the sandbox: they may need more calls. */
	_exit(0);
}
