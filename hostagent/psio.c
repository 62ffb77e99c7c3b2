/*
 * The socketpair between the route process and the channel engine: see
 * psio.h.  SOCK_SEQPACKET keeps record boundaries, so a record is one
 * sendmsg() and one recvmsg(), and a descriptor travels with its record.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "psio.h"

struct ps_rec {
	STAILQ_ENTRY(ps_rec) entry;
	int		 fd;
	size_t		 len;
	uint8_t		 buf[];
};

struct ps_peer {
	int		 fd;
	struct event	*ev_read;
	struct event	*ev_write;
	STAILQ_HEAD(, ps_rec) queue;
	size_t		 queued;
	int		 closed;
	void		(*on_msg)(const struct psm_msg *, int, void *);
	void		(*on_close)(const char *, void *);
	void		*arg;
};

static void
peer_close(struct ps_peer *p, const char *why)
{
	if (p->closed)
		return;
	p->closed = 1;
	event_del(p->ev_read);
	event_del(p->ev_write);
	p->on_close(why, p->arg);
}

/* One record; 1 sent, 0 the socket is full, -1 error. */
static int
send_rec(int sock, const void *buf, size_t len, int fd)
{
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct cmsghdr	*c;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	for (;;) {
		if (sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) != -1)
			return 1;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS)
			return 0;
		return -1;
	}
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
	struct ps_peer	*p = arg;
	struct ps_rec	*r;
	int		 rv;

	(void)fd;
	(void)what;
	while ((r = STAILQ_FIRST(&p->queue)) != NULL) {
		if ((rv = send_rec(p->fd, r->buf, r->len, r->fd)) == 0)
			break;
		if (rv == -1) {
			peer_close(p, strerror(errno));
			return;
		}
		STAILQ_REMOVE_HEAD(&p->queue, entry);
		p->queued--;
		if (r->fd != -1)
			close(r->fd);
		free(r);
	}
	if (!STAILQ_EMPTY(&p->queue))
		event_add(p->ev_write, NULL);
}

int
ps_peer_send(struct ps_peer *p, const struct psm_msg *m, int fd)
{
	uint8_t		 buf[PSM_MAX];
	struct ps_rec	*r;
	ssize_t		 len;
	int		 rv;

	if (p->closed || (len = psm_encode(buf, sizeof(buf), m)) == -1)
		goto fail;
	if (STAILQ_EMPTY(&p->queue)) {
		if ((rv = send_rec(p->fd, buf, (size_t)len, fd)) == 1) {
			if (fd != -1)
				close(fd);
			return 0;
		}
		if (rv == -1) {
			peer_close(p, strerror(errno));
			goto fail;
		}
	}
	if (p->queued >= PS_QUEUE_MAX) {
		peer_close(p, "send queue full");
		errno = ENOBUFS;
		goto fail;
	}
	if ((r = malloc(sizeof(*r) + (size_t)len)) == NULL)
		goto fail;
	r->fd = fd;
	r->len = (size_t)len;
	memcpy(r->buf, buf, (size_t)len);
	STAILQ_INSERT_TAIL(&p->queue, r, entry);
	p->queued++;
	event_add(p->ev_write, NULL);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/* The descriptor a record carried, or -1; extra ones are closed. */
static int
take_fd(struct msghdr *mh)
{
	struct cmsghdr	*c;
	int		 fd = -1, extra;
	size_t		 i, n;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&extra, CMSG_DATA(c) + i * sizeof(int),
			    sizeof(int));
			if (fd == -1)
				fd = extra;
			else
				close(extra);
		}
	}
	return fd;
}

static void
on_read(evutil_socket_t sock, short what, void *arg)
{
	struct ps_peer	*p = arg;
	struct psm_msg	 m;
	uint8_t		 buf[PSM_MAX];
	struct msghdr	 mh;
	struct iovec	 iov;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(4 * sizeof(int))];
	}		 cm;
	ssize_t		 n;
	int		 i, fd;

	(void)what;
	for (i = 0; i < PS_PER_TURN && !p->closed; i++) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		n = recvmsg(sock, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			peer_close(p, n == 0 ? "closed" : strerror(errno));
			return;
		}
		fd = take_fd(&mh);
		if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ||
		    psm_decode(buf, (size_t)n, &m) == -1) {
			if (fd != -1)
				close(fd);
			peer_close(p, "malformed record");
			return;
		}
		p->on_msg(&m, fd, p->arg);
	}
}

struct ps_peer *
ps_peer_new(struct event_base *base, int fd,
    void (*on_msg)(const struct psm_msg *, int, void *),
    void (*on_close)(const char *, void *), void *arg)
{
	struct ps_peer	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->fd = fd;
	p->on_msg = on_msg;
	p->on_close = on_close;
	p->arg = arg;
	STAILQ_INIT(&p->queue);
	p->ev_read = event_new(base, fd, EV_READ | EV_PERSIST, on_read, p);
	p->ev_write = event_new(base, fd, EV_WRITE, on_write, p);
	if (p->ev_read == NULL || p->ev_write == NULL) {
		ps_peer_free(p);
		return NULL;
	}
	event_add(p->ev_read, NULL);
	return p;
}

void
ps_peer_free(struct ps_peer *p)
{
	struct ps_rec	*r;

	if (p == NULL)
		return;
	while ((r = STAILQ_FIRST(&p->queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&p->queue, entry);
		if (r->fd != -1)
			close(r->fd);
		free(r);
	}
	if (p->ev_read != NULL)
		event_free(p->ev_read);
	if (p->ev_write != NULL)
		event_free(p->ev_write);
	close(p->fd);
	free(p);
}

size_t
ps_peer_queued(const struct ps_peer *p)
{
	return p->queued;
}
