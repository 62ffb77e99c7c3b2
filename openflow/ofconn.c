/*
 * The switch connection (ofnat.h, docs/ofnat.md "The switch
 * connection"): listen; take each new TCP connection as a candidate that
 * does HELLO and FEATURES on its own, capped, bounded and timed out, and
 * never heard by the pipeline; let ofconn_decide (ofconn_policy.c) make
 * one the switch (switch_connected, the one place for a (re)connection);
 * then SET_CONFIG, SET_ASYNC, PORT_DESC, keep it alive with ECHO, and
 * hand everything else to the pipeline in stream order.  Writes are
 * queued and the write event is armed only while the queue is not empty.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "logrl.h"
#include "ofnat.h"

#define RBUF_SIZE	(1u << 20)	/* the switch: a read takes a burst */
#define WBUF_MAX	(64u << 20)	/* the switch stopped reading */
/*
 * A candidate says at most a HELLO, a FEATURES_REPLY (32 bytes) and a few
 * small asynchronous messages (a new connection's miss_send_len is 128),
 * and is sent a HELLO, a FEATURES_REQUEST and echo replies: 4 KiB each
 * way is plenty, and eight of them cost under 100 KiB.
 */
#define CAND_RBUF	4096		/* also its largest message */
#define CAND_WBUF_MAX	4096
#define CAND_MAX	8		/* a flood evicts the oldest */
/*
 * A switch answers HELLO and FEATURES_REQUEST in one round trip each,
 * milliseconds even on a loaded host; 3 s is ample for that and keeps a
 * half-open connection from holding one of the CAND_MAX slots long.
 */
#define CAND_DEADLINE_MS 3000

enum conn_state {
	CONN_HELLO,		/* candidate: waiting for its HELLO */
	CONN_FEATURES,		/* candidate: FEATURES_REQUEST sent */
	CONN_PORTS,		/* the switch: PORT_DESC asked */
	CONN_READY,
};

#define IS_CAND(c)	((c)->state < CONN_PORTS)

struct ofconn {
	struct ofnat	*o;
	int		 fd;
	enum conn_state	 state;
	/* kev: a candidate's deadline, then the switch's keepalive tick */
	struct event	*rev, *wev, *kev;
	uint8_t		*rbuf;
	size_t		 rlen, rcap;
	uint8_t		*wbuf;		/* [woff, wlen) is still to write */
	size_t		 woff, wlen, wcap, wmax;
	uint32_t	 xid;
	uint64_t	 last_rx_ms;
	uint64_t	 dpid;
	char		 peer[64];
	struct ofp_port_desc_reply *pd;	/* the switch only */
};

static struct event	*listen_ev;
/* Candidates, oldest first. */
static struct ofconn	*cands[CAND_MAX];
static size_t		 ncands;
/* One limiter for every candidate's lines: a flood of connections is
 * one source. */
static struct logrl	 cand_rl;

static void	conn_free(struct ofconn *);
static void	cand_log_flush(void);
static void	cand_refuse(struct ofconn *, enum ofconn_refusal,
		    const char *, ...) __attribute__((format(printf, 3, 4)));

static uint32_t
conn_xid(struct ofconn *c)
{
	if (++c->xid == 0)
		c->xid = 1;
	return c->xid;
}

uint32_t
ofconn_xid(struct ofnat *o)
{
	if (o->conn == NULL)
		return 0;
	return conn_xid(o->conn);
}

int
ofconn_connected(const struct ofnat *o)
{
	return o->conn != NULL && o->conn->state == CONN_READY;
}

size_t
ofconn_queued(const struct ofnat *o)
{
	return o->conn == NULL ? 0 : o->conn->wlen - o->conn->woff;
}

const char *
ofconn_peer(const struct ofnat *o)
{
	return o->conn == NULL ? "" : o->conn->peer;
}

size_t
ofconn_candidates(const struct ofnat *o)
{
	(void)o;
	return ncands;
}

/* Room for len bytes at the end of c's send queue, at most c->wmax. */
static uint8_t *
conn_reserve(struct ofconn *c, size_t len)
{
	size_t		 ncap, used;
	uint8_t		*nb, *p;

	used = c->wlen - c->woff;
	if (c->wlen + len > c->wcap && c->woff > 0) {
		/* Written bytes go only when room is needed: a partial
		 * write costs no move. */
		memmove(c->wbuf, c->wbuf + c->woff, used);
		c->woff = 0;
		c->wlen = used;
	}
	if (c->wlen + len > c->wcap) {
		if (c->wlen + len > c->wmax) {
			errno = ENOBUFS;
			return NULL;
		}
		ncap = c->wcap ? c->wcap : 65536;
		while (ncap < c->wlen + len)
			ncap *= 2;
		if (ncap > c->wmax)
			ncap = c->wmax;
		if ((nb = realloc(c->wbuf, ncap)) == NULL)
			return NULL;
		c->wbuf = nb;
		c->wcap = ncap;
	}
	if (used == 0)
		event_add(c->wev, NULL);
	p = c->wbuf + c->wlen;
	c->wlen += len;
	return p;
}

uint8_t *
ofconn_reserve(struct ofnat *o, size_t len)
{
	if (o->conn == NULL) {
		errno = ENOTCONN;
		return NULL;
	}
	return conn_reserve(o->conn, len);
}

int
ofconn_send(struct ofnat *o, const void *msg, size_t len)
{
	uint8_t	*p;

	if ((p = ofconn_reserve(o, len)) == NULL)
		return -1;
	memcpy(p, msg, len);
	return 0;
}

static int
conn_send(struct ofconn *c, const void *msg, size_t len)
{
	uint8_t	*p;

	if ((p = conn_reserve(c, len)) == NULL)
		return -1;
	memcpy(p, msg, len);
	return 0;
}

void
ofconn_close(struct ofnat *o)
{
	if (o->conn == NULL)
		return;
	log_info("switch %s: disconnected", o->conn->peer);
	conn_free(o->conn);
	o->conn = NULL;
	pipeline_lost(o);
}

/* c failed on I/O: a candidate is refused, the switch is closed. */
static void
conn_fail(struct ofconn *c, const char *what)
{
	if (IS_CAND(c))
		cand_refuse(c, OFCONN_REF_CLOSED, "%s", what);
	else
		ofconn_close(c->o);
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
	struct ofconn	*c = arg;
	ssize_t		 n;

	(void)what;
	if (c->wlen == c->woff)
		return;
	n = write(fd, c->wbuf + c->woff, c->wlen - c->woff);
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR) {
			event_add(c->wev, NULL);
			return;
		}
		if (!IS_CAND(c))
			log_warn("switch %s: write", c->peer);
		conn_fail(c, "write failed");
		return;
	}
	c->woff += (size_t)n;
	if (c->woff < c->wlen)
		event_add(c->wev, NULL);
	else
		c->woff = c->wlen = 0;
}

static int
send_simple(struct ofnat *o, ssize_t (*enc)(void *, size_t, uint32_t))
{
	ssize_t	 n;

	if ((n = enc(o->msg, sizeof(o->msg), ofconn_xid(o))) == -1)
		return -1;
	return ofconn_send(o, o->msg, (size_t)n);
}

/*
 * The switch is known (its FEATURES_REPLY came): everything else the
 * controller needs from it.
 */
static int
handshake(struct ofnat *o)
{
	struct ofp_switch_config	 sc = { OFPC_FRAG_NORMAL,
					    OFPCML_NO_BUFFER };
	struct ofp_async_config		 ac;
	ssize_t				 n;

	if ((n = ofp_encode_set_config(o->msg, sizeof(o->msg),
	    ofconn_xid(o), &sc)) == -1 ||
	    ofconn_send(o, o->msg, (size_t)n) == -1)
		return -1;
	/* INVALID_TTL packet-ins are off in OVS unless asked for. */
	memset(&ac, 0, sizeof(ac));
	ac.packet_in_mask[0] = OFP_ASYNC_BIT(OFPR_NO_MATCH) |
	    OFP_ASYNC_BIT(OFPR_ACTION) | OFP_ASYNC_BIT(OFPR_INVALID_TTL);
	ac.port_status_mask[0] = OFP_ASYNC_BIT(OFPPR_ADD) |
	    OFP_ASYNC_BIT(OFPPR_DELETE) | OFP_ASYNC_BIT(OFPPR_MODIFY);
	ac.flow_removed_mask[0] = OFP_ASYNC_BIT(OFPRR_IDLE_TIMEOUT) |
	    OFP_ASYNC_BIT(OFPRR_HARD_TIMEOUT) | OFP_ASYNC_BIT(OFPRR_DELETE) |
	    OFP_ASYNC_BIT(OFPRR_GROUP_DELETE);
	if ((n = ofp_encode_set_async(o->msg, sizeof(o->msg), ofconn_xid(o),
	    &ac)) == -1 || ofconn_send(o, o->msg, (size_t)n) == -1)
		return -1;
	o->nports = 0;
	return send_simple(o, ofp_encode_port_desc_request);
}

/* One whole message from the switch.  Returns -1 to drop it. */
static int
dispatch(struct ofconn *c, const uint8_t *m, size_t len)
{
	struct ofnat			*o = c->o;
	struct ofp_header		 h;
	struct ofp_echo			 echo;
	struct ofp_error		 err;
	struct ofp_port_status		 ps;
	struct ofp_packet_in		 pi;
	struct ofp_flow_removed		 fr;
	struct ofp_port_desc_reply	*pd = c->pd;
	struct ofp_flow_stats_reply	 fsr;
	ssize_t				 n;
	size_t				 i;

	if (ofp_decode_header(m, len, &h) == -1)
		return -1;
	switch (h.type) {
	case OFPT_HELLO:
	case OFPT_ECHO_REPLY:
	case OFPT_FEATURES_REPLY:
		return 0;
	case OFPT_ECHO_REQUEST:
		if (ofp_decode_echo_request(m, len, &echo) == -1)
			return -1;
		if ((n = ofp_encode_echo_reply(o->msg, sizeof(o->msg), h.xid,
		    &echo)) == -1)
			return -1;
		return ofconn_send(o, o->msg, (size_t)n);
	case OFPT_MULTIPART_REPLY:
		if (ofp_decode_port_desc_reply(m, len, pd) == -1) {
			if (ofp_decode_flow_stats_reply(m, len, &fsr) == 0)
				pipeline_flow_stats(o, h.xid, &fsr);
			return 0;	/* else another kind: not ours */
		}
		for (i = 0; i < pd->n_ports && o->nports < OFNAT_MAX_PORTS;
		    i++)
			o->ports[o->nports++] = pd->ports[i];
		if (!(pd->flags & OFPMPF_REPLY_MORE) &&
		    c->state == CONN_PORTS) {
			c->state = CONN_READY;
			log_info("switch %s: ready, %zu ports", c->peer,
			    o->nports);
			pipeline_ready(o);
		}
		return 0;
	case OFPT_PORT_STATUS:
		if (ofp_decode_port_status(m, len, &ps) == -1)
			return 0;
		pipeline_port_status(o, &ps);
		return 0;
	case OFPT_PACKET_IN:
		if (c->state != CONN_READY ||
		    ofp_decode_packet_in(m, len, &pi) == -1)
			return 0;
		pipeline_packet_in(o, &pi);
		return 0;
	case OFPT_FLOW_REMOVED:
		if (ofp_decode_flow_removed(m, len, &fr) == -1)
			return 0;
		pipeline_flow_removed(o, &fr);
		return 0;
	case OFPT_ERROR:
		if (ofp_decode_error(m, len, &err) == -1)
			return 0;
		pipeline_error(o, h.xid, &err);
		return 0;
	case OFPT_BARRIER_REPLY:
		pipeline_barrier(o, h.xid);
		return 0;
	}
	return 0;
}

static void
on_keepalive(evutil_socket_t fd, short what, void *arg)
{
	struct ofconn		*c = arg;
	struct ofnat		*o = c->o;
	struct ofp_echo		 e = { NULL, 0 };
	uint64_t		 quiet = ofnat_now_ms() - c->last_rx_ms;
	ssize_t			 n;

	(void)fd;
	(void)what;
	cand_log_flush();
	if (quiet >= OFCONN_DEAD_MS) {
		log_warnx("switch %s: silent for %llu ms", c->peer,
		    (unsigned long long)quiet);
		ofconn_close(o);
		return;
	}
	if (quiet >= OFCONN_ECHO_IDLE_MS &&
	    (n = ofp_encode_echo_request(o->msg, sizeof(o->msg),
	    ofconn_xid(o), &e)) != -1)
		(void)ofconn_send(o, o->msg, (size_t)n);
}

/*
 * The one place where a connection becomes the switch, whether it is the
 * first one or a reconnection: c has finished HELLO and FEATURES and won
 * ofconn_decide, and no other switch connection is left.  What has to
 * happen on every (re)connection (asking for the ports, later the
 * reconciliation of the flow table) starts here.  -1: c is closed.
 */
static int
switch_connected(struct ofconn *c, int replaced)
{
	struct ofnat	*o = c->o;
	struct timeval	 tv = { 1, 0 };
	uint8_t		*nb;

	if ((nb = realloc(c->rbuf, RBUF_SIZE)) == NULL ||
	    (c->rbuf = nb, c->pd = malloc(sizeof(*c->pd))) == NULL) {
		log_warn("switch %s: buffers", c->peer);
		conn_free(c);
		return -1;
	}
	c->rcap = RBUF_SIZE;
	c->wmax = WBUF_MAX;
	/* The deadline becomes the keepalive tick. */
	event_free(c->kev);
	if ((c->kev = event_new(o->base, -1, EV_PERSIST, on_keepalive, c)) ==
	    NULL || event_add(c->kev, &tv) == -1) {
		log_warnx("switch %s: event_new failed", c->peer);
		conn_free(c);
		return -1;
	}
	c->state = CONN_PORTS;
	o->conn = c;
	if (o->dpid != 0 && o->dpid != c->dpid)
		log_warnx("switch %s: datapath changed from %016llx",
		    c->peer, (unsigned long long)o->dpid);
	o->dpid = c->dpid;
	o->c.takeovers++;
	if (replaced)
		o->c.replaced++;
	log_info("switch %s: datapath %016llx is the switch%s", c->peer,
	    (unsigned long long)c->dpid, replaced ? " (took over)" : "");
	if (handshake(o) == -1) {
		log_warn("switch %s: handshake", c->peer);
		ofconn_close(o);
		return -1;
	}
	return 0;
}

/* Report the candidates' suppressed log lines once per interval. */
static void
cand_log_flush(void)
{
	uint32_t	 n = logrl_flush(&cand_rl, ofnat_now_ms());

	if (n > 0)
		log_warnx("switch candidates: %u more lines suppressed in "
		    "the last %d s (show: switch.refused)", n,
		    LOGRL_INTERVAL_MS / 1000);
}

enum cand_level { CAND_WARN, CAND_DEBUG };

/* A candidate's line, through the one limiter (debug lines only with -v,
 * so that they do not use up the warnings' share). */
static void __attribute__((format(printf, 3, 4)))
cand_log(struct ofconn *c, enum cand_level lv, const char *fmt, ...)
{
	char	 msg[256];
	va_list	 ap;

	if ((lv == CAND_DEBUG && log_getverbose() < 1) ||
	    !logrl_allow(&cand_rl, ofnat_now_ms()))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (lv == CAND_DEBUG)
		log_debug("switch candidate %s: %s", c->peer, msg);
	else
		log_warnx("switch candidate %s: %s", c->peer, msg);
}

/* Take c off the candidate list (it is not freed). */
static void
cand_remove(struct ofconn *c)
{
	size_t	 i;

	for (i = 0; i < ncands; i++)
		if (cands[i] == c)
			break;
	if (i == ncands)
		return;
	memmove(&cands[i], &cands[i + 1], (ncands - i - 1) *
	    sizeof(cands[0]));
	ncands--;
}

/* Close candidate c, counted under why. */
static void
cand_refuse(struct ofconn *c, enum ofconn_refusal why, const char *fmt,
    ...)
{
	char	 msg[192];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->o->c.refused[why]++;
	cand_log(c, CAND_WARN, "refused (%s): %s", ofconn_refusal_name(why),
	    msg);
	cand_remove(c);
	conn_free(c);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct ofconn	*c = arg;

	(void)fd;
	(void)what;
	cand_refuse(c, OFCONN_REF_TIMEOUT, "no %s within %d ms",
	    c->state == CONN_HELLO ? "HELLO" : "FEATURES_REPLY",
	    CAND_DEADLINE_MS);
	cand_log_flush();
}

/* The candidate's datapath is known: does it become the switch? */
static int
cand_features(struct ofconn *c, uint64_t dpid)
{
	struct ofnat		*o = c->o;
	struct ofconn_live	 live;
	uint64_t		 now = ofnat_now_ms();

	c->dpid = dpid;
	memset(&live, 0, sizeof(live));
	if (o->conn != NULL) {
		live.present = 1;
		live.dpid = o->conn->dpid;
		live.last_rx_ms = o->conn->last_rx_ms;
	}
	switch (ofconn_decide(&live, dpid, now)) {
	case OFCONN_REFUSE_HEALTHY:
		cand_refuse(c, OFCONN_REF_HEALTHY, "datapath %016llx is "
		    "connected from %s and answering", (unsigned long long)
		    dpid, o->conn->peer);
		return -1;
	case OFCONN_REFUSE_OTHER_DP:
		cand_refuse(c, OFCONN_REF_OTHER_DP, "datapath %016llx: this "
		    "controller drives %016llx (connected from %s)",
		    (unsigned long long)dpid, (unsigned long long)live.dpid,
		    o->conn->peer);
		return -1;
	case OFCONN_REPLACE:
		log_warnx("switch %s: silent for %llu ms, replaced by %s "
		    "(same datapath)", o->conn->peer, (unsigned long long)
		    (now - live.last_rx_ms), c->peer);
		ofconn_close(o);
		cand_remove(c);
		return switch_connected(c, 1);
	case OFCONN_TAKE:
		break;
	}
	cand_remove(c);
	return switch_connected(c, 0);
}

/*
 * A HELLO with no common version is answered with HELLO_FAILED, as the
 * specification asks, written at once: the connection closes next.
 */
static void
hello_failed(struct ofconn *c, const uint8_t *m, size_t len)
{
	struct ofnat	*o = c->o;
	struct ofp_header h;
	struct ofp_error err;
	ssize_t		 n;

	if (ofp_decode_header(m, len, &h) == -1)
		return;
	err.type = OFPET_HELLO_FAILED;
	err.code = OFPHFC_INCOMPATIBLE;
	err.data = (const uint8_t *)"OpenFlow 1.3 only";
	err.data_len = 17;
	if ((n = ofp_encode_error(o->msg, sizeof(o->msg), h.xid, &err)) !=
	    -1 && write(c->fd, o->msg, (size_t)n) == -1)
		cand_log(c, CAND_WARN, "HELLO_FAILED not sent");
}

/* One whole message from a candidate.  -1: c is freed (or closed). */
static int
cand_message(struct ofconn *c, const uint8_t *m, size_t len)
{
	struct ofnat		*o = c->o;
	struct ofp_header	 h;
	struct ofp_echo		 echo;
	uint64_t		 dpid = 0;
	ssize_t			 n;

	switch (ofconn_cand_input(c->state == CONN_HELLO ?
	    OFCONN_CAND_HELLO : OFCONN_CAND_FEATURES, m, len, &dpid)) {
	case OFCONN_ACT_IGNORE:
		return 0;
	case OFCONN_ACT_ECHO:
		if (ofp_decode_header(m, len, &h) == -1 ||
		    ofp_decode_echo_request(m, len, &echo) == -1 ||
		    (n = ofp_encode_echo_reply(o->msg, sizeof(o->msg), h.xid,
		    &echo)) == -1 || conn_send(c, o->msg, (size_t)n) == -1) {
			cand_refuse(c, OFCONN_REF_CLOSED, "echo reply not "
			    "queued");
			return -1;
		}
		return 0;
	case OFCONN_ACT_HELLO:
		if ((n = ofp_encode_features_request(o->msg, sizeof(o->msg),
		    conn_xid(c))) == -1 ||
		    conn_send(c, o->msg, (size_t)n) == -1) {
			cand_refuse(c, OFCONN_REF_CLOSED, "FEATURES_REQUEST "
			    "not queued");
			return -1;
		}
		c->state = CONN_FEATURES;
		return 0;
	case OFCONN_ACT_FEATURES:
		return cand_features(c, dpid);
	case OFCONN_ACT_BAD:
		break;
	}
	if (c->state == CONN_HELLO && m[1] == OFPT_HELLO)
		hello_failed(c, m, len);
	cand_refuse(c, OFCONN_REF_BAD_HELLO, "%s (version 0x%02x, type %u, "
	    "%zu bytes) %s", ofp_type_name(m[1]), m[0], m[1], len,
	    c->state == CONN_HELLO ? "instead of an OpenFlow 1.3 HELLO" :
	    "during the handshake");
	return -1;
}

/* Dispatch the whole messages in the read buffer, keep the rest. */
static void
read_frames(struct ofconn *c)
{
	struct ofnat	*o = c->o;
	size_t		 off = 0, mlen;

	for (;;) {
		switch (ofp_header_check(c->rbuf + off, c->rlen - off,
		    IS_CAND(c) ? CAND_RBUF : 0, &mlen)) {
		case OFP_SCAN_NEED_MORE:
			goto done;
		case OFP_SCAN_BAD:
			if (IS_CAND(c)) {
				cand_refuse(c, OFCONN_REF_BAD_HELLO,
				    "bad framing (length %u)",
				    c->rlen - off >= 4 ? (unsigned int)
				    (c->rbuf[off + 2] << 8 |
				    c->rbuf[off + 3]) : 0);
				return;
			}
			log_warnx("switch %s: bad framing", c->peer);
			ofconn_close(o);
			return;
		case OFP_SCAN_FRAME:
			break;
		}
		if (IS_CAND(c)) {
			/* On success c may have become the switch; its
			 * buffer has moved, the offset holds. */
			if (cand_message(c, c->rbuf + off, mlen) == -1)
				return;
		} else {
			if (dispatch(c, c->rbuf + off, mlen) == -1) {
				ofconn_close(o);
				return;
			}
			if (o->conn != c)	/* closed meanwhile */
				return;
		}
		off += mlen;
	}
done:
	if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct ofconn	*c = arg;
	ssize_t		 n;

	(void)what;
	n = read(fd, c->rbuf + c->rlen, c->rcap - c->rlen);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		if (n == -1 && !IS_CAND(c))
			log_warn("switch %s: read", c->peer);
		conn_fail(c, n == 0 ? "closed by the peer" : "read failed");
		return;
	}
	if (n == -1)
		return;
	c->rlen += (size_t)n;
	ofnat_clock_hold();
	c->last_rx_ms = ofnat_now_ms();
	read_frames(c);
	ofnat_clock_release();
}

static void
conn_free(struct ofconn *c)
{
	if (c->rev != NULL)
		event_free(c->rev);
	if (c->wev != NULL)
		event_free(c->wev);
	if (c->kev != NULL)
		event_free(c->kev);
	if (c->fd != -1)
		close(c->fd);
	free(c->rbuf);
	free(c->wbuf);
	free(c->pd);
	free(c);
}

static void
on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct ofnat		*o = arg;
	struct ofconn		*c;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof(sin);
	struct timeval		 tv = { CAND_DEADLINE_MS / 1000,
				    (CAND_DEADLINE_MS % 1000) * 1000 };
	struct ofp_hello	 hello = { OFP_VERSION, OFP_HELLO_BITMAP_13 };
	char			 a[INET_ADDRSTRLEN];
	int			 fd, one = 1;
	ssize_t			 n;

	(void)what;
	fd = accept4(lfd, (struct sockaddr *)&sin, &slen,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    logrl_allow(&cand_rl, ofnat_now_ms()))
			log_warn("accept");
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	cand_log_flush();
	o->c.connects++;
	if (ncands == CAND_MAX)
		cand_refuse(cands[0], OFCONN_REF_OVER_CAP, "%d candidates: "
		    "the oldest makes room", CAND_MAX);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->rbuf = malloc(CAND_RBUF)) == NULL) {
		log_warn("accept: calloc");
		free(c);
		close(fd);
		return;
	}
	c->o = o;
	c->fd = fd;
	c->state = CONN_HELLO;
	c->rcap = CAND_RBUF;
	c->wmax = CAND_WBUF_MAX;
	c->last_rx_ms = ofnat_now_ms();
	snprintf(c->peer, sizeof(c->peer), "%s:%u",
	    inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a)),
	    ntohs(sin.sin_port));
	c->rev = event_new(o->base, fd, EV_READ | EV_PERSIST, on_read, c);
	c->wev = event_new(o->base, fd, EV_WRITE, on_write, c);
	c->kev = event_new(o->base, -1, 0, on_deadline, c);
	if (c->rev == NULL || c->wev == NULL || c->kev == NULL) {
		log_warnx("accept: event_new failed");
		conn_free(c);
		return;
	}
	event_add(c->rev, NULL);
	event_add(c->kev, &tv);
	cands[ncands++] = c;
	cand_log(c, CAND_DEBUG, "connected (%zu candidates)", ncands);
	if ((n = ofp_encode_hello(o->msg, sizeof(o->msg), conn_xid(c),
	    &hello)) == -1 || conn_send(c, o->msg, (size_t)n) == -1)
		cand_refuse(c, OFCONN_REF_CLOSED, "HELLO not queued");
}

int
ofconn_listen(struct ofnat *o, const char *addr, uint16_t port)
{
	struct sockaddr_in	 sin;
	int			 fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, 8) == -1) {
		close(fd);
		return -1;
	}
	listen_ev = event_new(o->base, fd, EV_READ | EV_PERSIST, on_accept,
	    o);
	if (listen_ev == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	event_add(listen_ev, NULL);
	return fd;
}

void
ofconn_shutdown(struct ofnat *o)
{
	while (ncands > 0)
		conn_free(cands[--ncands]);
	if (o->conn != NULL) {
		conn_free(o->conn);
		o->conn = NULL;
	}
	if (listen_ev != NULL) {
		close(event_get_fd(listen_ev));
		event_free(listen_ev);
		listen_ev = NULL;
	}
}
