/*
 * The daemon side of a control socket, after bgpd's control.c: an AF_UNIX
 * listener in the daemon's event loop, one bufferevent per client, framed
 * JSON requests answered in order.  A restricted socket answers only the
 * commands on its allow-list.
 *
 * A client costs a bounded amount whatever it sends (ctl.h has the
 * numbers): one read of CTL_READ_MAX bytes per turn, one request frame of
 * input, and replies up to the high mark before its requests are no
 * longer read.  A client that does not read its replies is dropped; one
 * over the per-socket cap is refused.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "ctl.h"
#include "log.h"

struct ctl_client;

struct ctl_server {
	struct evconnlistener	*listener;
	char			*path;
	const char *const	*allow;
	ctl_handler		 handler;
	void			*arg;
	TAILQ_HEAD(, ctl_client) clients;
	int			 nclients;
	struct ctl_ratelim	 refuse_log;
	struct ctl_ratelim	 drop_log;
};

struct ctl_client {
	TAILQ_ENTRY(ctl_client)	 entry;
	struct ctl_server	*srv;
	struct bufferevent	*bev;
	struct event		*stall;		/* armed while held */
	struct ctl_flow		 flow;
};

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

enum ctl_flow_verdict
ctl_flow_check(struct ctl_flow *f, size_t queued, uint64_t now)
{
	if (!f->held) {
		if (queued <= CTL_OUT_HIGH)
			return CTL_FLOW_READ;
		f->held = 1;
		f->since_ms = now;
		return CTL_FLOW_HOLD;
	}
	if (queued <= CTL_OUT_LOW) {
		f->held = 0;
		return CTL_FLOW_READ;
	}
	if (now - f->since_ms >= CTL_STALL_MS)
		return CTL_FLOW_DROP;
	return CTL_FLOW_HOLD;
}

int
ctl_ratelim(struct ctl_ratelim *rl, uint64_t now, unsigned int interval_ms,
    unsigned int *suppressed)
{
	if (rl->started && now - rl->last_ms < interval_ms) {
		rl->suppressed++;
		return 0;
	}
	rl->started = 1;
	rl->last_ms = now;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return 1;
}

static void
client_close(struct ctl_client *c)
{
	TAILQ_REMOVE(&c->srv->clients, c, entry);
	c->srv->nclients--;
	event_free(c->stall);
	bufferevent_free(c->bev);
	free(c);
}

/* Drop c with one log line (rate-limited per socket), why says why. */
static void
client_drop(struct ctl_client *c, const char *why)
{
	struct ctl_server	*srv = c->srv;
	unsigned int		 n;

	if (ctl_ratelim(&srv->drop_log, now_ms(), CTL_LOG_MS, &n)) {
		if (n > 0)
			log_warnx("control %s: dropping a client: %s "
			    "(and %u more since the last line)", srv->path,
			    why, n);
		else
			log_warnx("control %s: dropping a client: %s",
			    srv->path, why);
	}
	client_close(c);
}

static json_t *
dispatch(struct ctl_server *srv, json_t *req)
{
	const char	*cmd;
	json_t		*reply;
	char		 err[256];

	if ((cmd = ctl_request_cmd(req, srv->allow, err, sizeof(err))) == NULL)
		return ctl_reply_error("%s", err);
	reply = srv->handler(cmd, req, srv->allow != NULL, srv->arg);
	if (reply == NULL)
		reply = ctl_reply_error("%s: failed", cmd);
	return reply;
}

/* Stop reading c's requests until its replies drain (client_write). */
static void
client_hold(struct ctl_client *c)
{
	struct timeval	 tv;
	uint64_t	 left, held;

	bufferevent_disable(c->bev, EV_READ);
	held = now_ms() - c->flow.since_ms;
	left = held < CTL_STALL_MS ? CTL_STALL_MS - held : 0;
	tv.tv_sec = (time_t)(left / 1000);
	tv.tv_usec = (suseconds_t)(left % 1000) * 1000 + 1000;
	evtimer_add(c->stall, &tv);
}

/*
 * Answer the whole requests in c's input while its replies fit under the
 * high mark.  Returns -1 if c was dropped.
 */
static int
client_answer(struct ctl_client *c)
{
	struct evbuffer	*in = bufferevent_get_input(c->bev);
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	json_t		*req, *reply;
	char		*frame;
	size_t		 len, used;
	int		 rv;

	for (;;) {
		switch (ctl_flow_check(&c->flow, evbuffer_get_length(out),
		    now_ms())) {
		case CTL_FLOW_READ:
			break;
		case CTL_FLOW_HOLD:
			client_hold(c);
			return 0;
		case CTL_FLOW_DROP:
			client_drop(c, "it does not read its replies");
			return -1;
		}
		if ((len = evbuffer_get_length(in)) < 4)
			return 0;
		rv = ctl_frame_decode_max(evbuffer_pullup(in, -1), len,
		    CTL_MAX_REQ, &req, &used);
		if (rv == 0)
			return 0;
		if (rv == -1) {
			client_drop(c, errno == EMSGSIZE ? "request over "
			    "the size limit" : "bad frame");
			return -1;
		}
		evbuffer_drain(in, used);
		reply = dispatch(c->srv, req);
		json_decref(req);
		rv = ctl_frame_encode(reply, &frame, &len);
		json_decref(reply);
		if (rv == -1) {
			log_warn("control %s: encoding a reply", c->srv->path);
			client_close(c);
			return -1;
		}
		rv = evbuffer_add(out, frame, len);
		free(frame);
		if (rv == -1) {
			client_drop(c, "out of memory for its reply");
			return -1;
		}
	}
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	(void)bev;
	client_answer(arg);
}

/* Replies drained to the low mark: read c's requests again. */
static void
client_write(struct bufferevent *bev, void *arg)
{
	struct ctl_client	*c = arg;

	if (!c->flow.held)
		return;
	if (ctl_flow_check(&c->flow, evbuffer_get_length(
	    bufferevent_get_output(bev)), now_ms()) != CTL_FLOW_READ)
		return;
	evtimer_del(c->stall);
	if (client_answer(c) == 0 && !c->flow.held)
		bufferevent_enable(bev, EV_READ);
}

static void
client_stall(evutil_socket_t fd, short what, void *arg)
{
	struct ctl_client	*c = arg;

	(void)fd;
	(void)what;
	switch (ctl_flow_check(&c->flow, evbuffer_get_length(
	    bufferevent_get_output(c->bev)), now_ms())) {
	case CTL_FLOW_DROP:
		client_drop(c, "it does not read its replies");
		break;
	case CTL_FLOW_HOLD:
		client_hold(c);		/* the clock was a little behind */
		break;
	case CTL_FLOW_READ:
		if (client_answer(c) == 0 && !c->flow.held)
			bufferevent_enable(c->bev, EV_READ);
		break;
	}
}

static void
client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_close(arg);
}

static void
client_accept(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct ctl_server	*srv = arg;
	struct event_base	*base = evconnlistener_get_base(l);
	struct ctl_client	*c;
	unsigned int		 n;

	(void)sa;
	(void)salen;
	if (srv->nclients >= CTL_MAX_CLIENTS) {
		if (ctl_ratelim(&srv->refuse_log, now_ms(), CTL_LOG_MS, &n))
			log_warnx("control %s: refusing a client: %d "
			    "connected already (%u more refused since the "
			    "last line)", srv->path, srv->nclients, n);
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("control %s: refusing a client", srv->path);
		close(fd);
		return;
	}
	c->srv = srv;
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->stall = evtimer_new(base, client_stall, c);
	if (c->bev == NULL || c->stall == NULL) {
		log_warn("control %s: refusing a client", srv->path);
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else
			close(fd);
		if (c->stall != NULL)
			event_free(c->stall);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&srv->clients, c, entry);
	srv->nclients++;
	/*
	 * Input holds at most one maximal request; one read per turn; the
	 * write callback runs when the replies drain to the low mark.
	 */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_MAX_REQ + 4);
	bufferevent_setwatermark(c->bev, EV_WRITE, CTL_OUT_LOW, 0);
	bufferevent_set_max_single_read(c->bev, CTL_READ_MAX);
	bufferevent_setcb(c->bev, client_read, client_write, client_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

int
ctl_server_check(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd, rv, saved;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		log_warnx("control socket %s exists and is not a socket: "
		    "not removing it", path);
		errno = ENOTSOCK;
		return -1;
	}
	/* Non-blocking: a live daemon with a full backlog says EAGAIN. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	rv = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	saved = errno;
	close(fd);
	if (rv == 0 || saved == EAGAIN || saved == EINPROGRESS) {
		log_warnx("control socket %s is in use by a running daemon",
		    path);
		errno = EADDRINUSE;
		return -1;
	}
	if (saved == ENOENT)
		return 0;
	if (saved != ECONNREFUSED) {
		errno = saved;
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	log_info("control socket %s: removed a stale socket", path);
	return 0;
}

struct ctl_server *
ctl_server_new(struct event_base *base, const char *path, unsigned int mode,
    const char *const *allow, ctl_handler handler, void *arg)
{
	struct ctl_server	*srv;
	struct sockaddr_un	 sun;
	mode_t			 old_umask;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (ctl_server_check(path) == -1)
		return NULL;
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	TAILQ_INIT(&srv->clients);
	if ((srv->path = strdup(path)) == NULL)
		goto fail;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	old_umask = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old_umask);
		close(fd);
		goto fail;
	}
	umask(old_umask);
	if (chmod(path, mode) == -1 || listen(fd, 16) == -1) {
		close(fd);
		unlink(path);
		goto fail;
	}
	srv->allow = allow;
	srv->handler = handler;
	srv->arg = arg;
	srv->listener = evconnlistener_new(base, client_accept, srv,
	    LEV_OPT_CLOSE_ON_FREE, -1, fd);
	if (srv->listener == NULL) {
		close(fd);
		unlink(path);
		goto fail;
	}
	return srv;
fail:
	free(srv->path);
	free(srv);
	return NULL;
}

void
ctl_server_free(struct ctl_server *srv)
{
	struct ctl_client	*c;

	if (srv == NULL)
		return;
	while ((c = TAILQ_FIRST(&srv->clients)) != NULL)
		client_close(c);
	evconnlistener_free(srv->listener);
	unlink(srv->path);
	free(srv->path);
	free(srv);
}
