/*
 * The switch connection (ofnat.h): listen, accept one switch, frame the
 * TCP stream with ofp_header_check, run the handshake (HELLO, FEATURES,
 * SET_CONFIG, SET_ASYNC, PORT_DESC), keep it alive with ECHO, and hand
 * everything else to the pipeline in stream order.  Writes are queued and
 * the write event is armed only while the queue is not empty.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "ofnat.h"

#define RBUF_SIZE	(1u << 20)	/* a read takes a whole burst */
#define WBUF_MAX	(64u << 20)	/* a switch that stops reading */
#define ECHO_IDLE_MS	5000		/* quiet this long: send ECHO */
#define ECHO_DEAD_MS	15000		/* quiet this long: drop it */

enum conn_state {
	CONN_HELLO,		/* waiting for the switch's HELLO */
	CONN_PORTS,		/* FEATURES and PORT_DESC asked */
	CONN_READY,
};

struct ofconn {
	struct ofnat	*o;
	int		 fd;
	enum conn_state	 state;
	struct event	*rev, *wev, *kev;
	uint8_t		 rbuf[RBUF_SIZE];
	size_t		 rlen;
	uint8_t		*wbuf;		/* [woff, wlen) is still to write */
	size_t		 woff, wlen, wcap;
	uint32_t	 xid;
	uint64_t	 last_rx_ms;
	char		 peer[64];
	struct ofp_port_desc_reply pd;
};

static struct event	*listen_ev;

static void	conn_free(struct ofconn *);

uint32_t
ofconn_xid(struct ofnat *o)
{
	if (o->conn == NULL)
		return 0;
	if (++o->conn->xid == 0)
		o->conn->xid = 1;
	return o->conn->xid;
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

uint8_t *
ofconn_reserve(struct ofnat *o, size_t len)
{
	struct ofconn	*c = o->conn;
	size_t		 ncap, used;
	uint8_t		*nb, *p;

	if (c == NULL) {
		errno = ENOTCONN;
		return NULL;
	}
	used = c->wlen - c->woff;
	if (c->wlen + len > c->wcap && c->woff > 0) {
		/* Written bytes go only when room is needed: a partial
		 * write costs no move. */
		memmove(c->wbuf, c->wbuf + c->woff, used);
		c->woff = 0;
		c->wlen = used;
	}
	if (c->wlen + len > c->wcap) {
		if (c->wlen + len > WBUF_MAX) {
			errno = ENOBUFS;
			return NULL;
		}
		ncap = c->wcap ? c->wcap : 65536;
		while (ncap < c->wlen + len)
			ncap *= 2;
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

int
ofconn_send(struct ofnat *o, const void *msg, size_t len)
{
	uint8_t	*p;

	if ((p = ofconn_reserve(o, len)) == NULL)
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
		log_warn("switch %s: write", c->peer);
		ofconn_close(c->o);
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

/* After the switch's HELLO: everything the controller needs to know. */
static int
handshake(struct ofnat *o)
{
	struct ofp_switch_config	 sc = { OFPC_FRAG_NORMAL,
					    OFPCML_NO_BUFFER };
	struct ofp_async_config		 ac;
	ssize_t				 n;

	if (send_simple(o, ofp_encode_features_request) == -1)
		return -1;
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

/* One whole message.  Returns -1 to drop the connection. */
static int
dispatch(struct ofconn *c, const uint8_t *m, size_t len)
{
	struct ofnat			*o = c->o;
	struct ofp_header		 h;
	struct ofp_hello		 hello;
	struct ofp_echo			 echo;
	struct ofp_features		 feat;
	struct ofp_error		 err;
	struct ofp_port_status		 ps;
	struct ofp_packet_in		 pi;
	struct ofp_flow_removed		 fr;
	struct ofp_port_desc_reply	*pd = &c->pd;
	ssize_t				 n;
	size_t				 i;

	if (ofp_decode_header(m, len, &h) == -1)
		return -1;
	if (c->state == CONN_HELLO && h.type != OFPT_HELLO) {
		log_warnx("switch %s: %s before HELLO", c->peer,
		    ofp_type_name(h.type));
		return -1;
	}
	switch (h.type) {
	case OFPT_HELLO:
		if (c->state != CONN_HELLO)
			return 0;
		if (ofp_decode_hello(m, len, &hello) == -1 ||
		    ofp_hello_negotiate(&hello) != OFP_VERSION) {
			err.type = OFPET_HELLO_FAILED;
			err.code = OFPHFC_INCOMPATIBLE;
			err.data = (const uint8_t *)"OpenFlow 1.3 only";
			err.data_len = 17;
			if ((n = ofp_encode_error(o->msg, sizeof(o->msg),
			    h.xid, &err)) != -1 &&
			    write(c->fd, o->msg, (size_t)n) == -1)
				log_debug("switch %s: error not sent", c->peer);
			log_warnx("switch %s: no common version (it speaks "
			    "0x%02x)", c->peer, hello.version);
			return -1;
		}
		c->state = CONN_PORTS;
		return handshake(o);
	case OFPT_ECHO_REQUEST:
		if (ofp_decode_echo_request(m, len, &echo) == -1)
			return -1;
		if ((n = ofp_encode_echo_reply(o->msg, sizeof(o->msg), h.xid,
		    &echo)) == -1)
			return -1;
		return ofconn_send(o, o->msg, (size_t)n);
	case OFPT_ECHO_REPLY:
		return 0;
	case OFPT_FEATURES_REPLY:
		if (ofp_decode_features_reply(m, len, &feat) == 0) {
			o->dpid = feat.datapath_id;
			log_info("switch %s: datapath %016llx, %u tables",
			    c->peer, (unsigned long long)feat.datapath_id,
			    feat.n_tables);
		}
		return 0;
	case OFPT_MULTIPART_REPLY:
		if (ofp_decode_port_desc_reply(m, len, pd) == -1)
			return 0;	/* another kind: not ours */
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

/* Dispatch the whole messages in the read buffer, keep the rest. */
static void
read_frames(struct ofconn *c)
{
	struct ofnat	*o = c->o;
	size_t		 off = 0, mlen;

	for (;;) {
		switch (ofp_header_check(c->rbuf + off, c->rlen - off, 0,
		    &mlen)) {
		case OFP_SCAN_NEED_MORE:
			goto done;
		case OFP_SCAN_BAD:
			log_warnx("switch %s: bad framing", c->peer);
			ofconn_close(o);
			return;
		case OFP_SCAN_FRAME:
			break;
		}
		if (dispatch(c, c->rbuf + off, mlen) == -1) {
			ofconn_close(o);
			return;
		}
		if (o->conn != c)	/* replaced or closed meanwhile */
			return;
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
	struct ofnat	*o = c->o;
	ssize_t		 n;

	(void)what;
	n = read(fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		if (n == -1)
			log_warn("switch %s: read", c->peer);
		ofconn_close(o);
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
on_keepalive(evutil_socket_t fd, short what, void *arg)
{
	struct ofconn		*c = arg;
	struct ofnat		*o = c->o;
	struct ofp_echo		 e = { NULL, 0 };
	uint64_t		 quiet = ofnat_now_ms() - c->last_rx_ms;
	ssize_t			 n;

	(void)fd;
	(void)what;
	if (quiet >= ECHO_DEAD_MS) {
		log_warnx("switch %s: silent for %llu ms", c->peer,
		    (unsigned long long)quiet);
		ofconn_close(o);
		return;
	}
	if (quiet >= ECHO_IDLE_MS &&
	    (n = ofp_encode_echo_request(o->msg, sizeof(o->msg),
	    ofconn_xid(o), &e)) != -1)
		(void)ofconn_send(o, o->msg, (size_t)n);
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
	free(c->wbuf);
	free(c);
}

static void
on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct ofnat		*o = arg;
	struct ofconn		*c;
	struct sockaddr_in	 sin;
	socklen_t		 slen = sizeof(sin);
	struct timeval		 tv = { 1, 0 };
	struct ofp_hello	 hello = { OFP_VERSION, OFP_HELLO_BITMAP_13 };
	char			 a[INET_ADDRSTRLEN];
	int			 fd, one = 1;
	ssize_t			 n;

	(void)what;
	fd = accept4(lfd, (struct sockaddr *)&sin, &slen,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn("accept");
		return;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (o->conn != NULL) {
		log_info("switch %s: replaced by a new connection",
		    o->conn->peer);
		ofconn_close(o);
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("accept: calloc");
		close(fd);
		return;
	}
	c->o = o;
	c->fd = fd;
	c->state = CONN_HELLO;
	c->last_rx_ms = ofnat_now_ms();
	snprintf(c->peer, sizeof(c->peer), "%s:%u",
	    inet_ntop(AF_INET, &sin.sin_addr, a, sizeof(a)),
	    ntohs(sin.sin_port));
	c->rev = event_new(o->base, fd, EV_READ | EV_PERSIST, on_read, c);
	c->wev = event_new(o->base, fd, EV_WRITE, on_write, c);
	c->kev = event_new(o->base, -1, EV_PERSIST, on_keepalive, c);
	if (c->rev == NULL || c->wev == NULL || c->kev == NULL) {
		log_warnx("accept: event_new failed");
		conn_free(c);
		return;
	}
	event_add(c->rev, NULL);
	event_add(c->kev, &tv);
	o->conn = c;
	o->c.connects++;
	log_info("switch %s: connected", c->peer);
	if ((n = ofp_encode_hello(o->msg, sizeof(o->msg), ofconn_xid(o),
	    &hello)) == -1 || ofconn_send(o, o->msg, (size_t)n) == -1)
		ofconn_close(o);
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
