/*
 * The daemon side of a control socket, after bgpd's control.c: an AF_UNIX
 * listener in the daemon's event loop, one bufferevent per client, framed
 * JSON requests answered in order.  A restricted socket answers only the
 * commands on its allow-list.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "ctl.h"
#include "log.h"

#define CTL_MAX_CLIENTS	64

struct ctl_server {
	struct evconnlistener	*listener;
	char			*path;
	const char *const	*allow;
	ctl_handler		 handler;
	void			*arg;
	int			 nclients;
};

struct ctl_client {
	struct ctl_server	*srv;
	struct bufferevent	*bev;
};

static void
client_close(struct ctl_client *c)
{
	c->srv->nclients--;
	bufferevent_free(c->bev);
	free(c);
}

static int
allowed(const struct ctl_server *srv, const char *cmd)
{
	const char *const	*a;

	if (srv->allow == NULL)
		return 1;
	for (a = srv->allow; *a != NULL; a++)
		if (strcmp(*a, cmd) == 0)
			return 1;
	return 0;
}

static json_t *
dispatch(struct ctl_server *srv, json_t *req)
{
	json_t		*v = json_object_get(req, "v");
	const char	*cmd = json_string_value(json_object_get(req, "cmd"));
	json_t		*reply;

	if (!json_is_integer(v) || json_integer_value(v) != CTL_VERSION)
		return ctl_reply_error("unsupported request version");
	if (cmd == NULL)
		return ctl_reply_error("request has no \"cmd\" string");
	if (!allowed(srv, cmd))
		return ctl_reply_error("%s: not allowed on the read-only "
		    "socket", cmd);
	reply = srv->handler(cmd, req, srv->allow != NULL, srv->arg);
	if (reply == NULL)
		reply = ctl_reply_error("%s: failed", cmd);
	return reply;
}

static void
client_read(struct bufferevent *bev, void *arg)
{
	struct ctl_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	json_t			*req, *reply;
	char			*out;
	size_t			 len, used;
	int			 rv;

	for (;;) {
		len = evbuffer_get_length(in);
		if (len < 4)
			return;
		rv = ctl_frame_decode(evbuffer_pullup(in, -1), len, &req,
		    &used);
		if (rv == 0)
			return;
		if (rv == -1) {
			log_warnx("control: dropping client: bad frame");
			client_close(c);
			return;
		}
		evbuffer_drain(in, used);
		reply = dispatch(c->srv, req);
		json_decref(req);
		rv = ctl_frame_encode(reply, &out, &len);
		json_decref(reply);
		if (rv == -1) {
			log_warn("control: encoding reply");
			client_close(c);
			return;
		}
		bufferevent_write(bev, out, len);
		free(out);
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
	struct ctl_client	*c;

	(void)l;
	(void)sa;
	(void)salen;
	if (srv->nclients >= CTL_MAX_CLIENTS ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		log_warnx("control: refusing client: too many or no memory");
		close(fd);
		return;
	}
	c->srv = srv;
	c->bev = bufferevent_socket_new(evconnlistener_get_base(l), fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return;
	}
	srv->nclients++;
	/* Cap what a client may queue: one maximal frame. */
	bufferevent_setwatermark(c->bev, EV_READ, 0, CTL_MAX_MSG + 4);
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
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
	strcpy(sun.sun_path, path);
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	if ((srv->path = strdup(path)) == NULL)
		goto fail;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	if (unlink(path) == -1 && errno != ENOENT) {
		close(fd);
		goto fail;
	}
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
	if (srv == NULL)
		return;
	evconnlistener_free(srv->listener);
	unlink(srv->path);
	free(srv->path);
	free(srv);
}
