/*
 * Guest side channel I/O.  What QEMU's virtio-serial port does (measured
 * on QEMU 7.2, see docs/protocol.md) shapes this file: with no host
 * connected, read() returns EOF and poll() reports HUP until the host
 * connects, writes fail with EAGAIN, and bytes the host had not read are
 * lost when it disconnects.  So EOF here means "nobody listening yet", not
 * "closed", and delivery is proven only by an ack.  A port that is gone
 * (hot-unplugged: ENODEV; a tty hung up: EIO, and EOF on read) is
 * different: only a new open() brings it back, so it is closed and
 * reopened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "tbucket.h"
#include "vsp_guest.h"
#include "vsp_stream.h"

#define RESEND_MIN_MS	50
#define RESEND_MAX_MS	1000
#define REPOLL_MS	50	/* while the host is absent */
#define REOPEN_MS	50	/* while the port cannot be opened */
#define REANNOUNCE_MS	2000	/* while acked: the host must answer */

struct vsp_guest {
	struct event_base *base;
	char		*path;
	int		 fd;
	int		 warned;	/* an open failure was logged */
	int		 outage;	/* a port loss was logged */
	uint64_t	 lost_ms;	/* when, for the log */
	int		 host_absent;	/* EOF read: not reading, re-polling */
	int		 heard;		/* a host frame since open or EOF */
	struct event	*ev_read;
	struct event	*ev_timer;	/* resend, re-poll, re-open, announce */
	struct vsp_reader rd;
	struct vsp_wbuf	 wb;
	uint64_t	 epoch;
	uint32_t	 seq;
	int		 have_state;
	int		 acked;
	int		 answered;	/* an ack since the last re-announce */
	int		 resend_ms;
	struct vsp_msg	 state;
	struct vsp_msg	 in;
	vsp_ack_cb	 on_ack;
	void		*arg;
	vsp_yield_cb	 on_yield;
	void		*yield_arg;
	vsp_chan_cb	 on_chan;
	void		*chan_arg;
	enum vsp_chan	 chan_told;
	int		 acked_told;
};

static void	 on_timer(evutil_socket_t, short, void *);

static void
arm_timer(struct vsp_guest *g, int ms)
{
	struct timeval	 tv = { ms / 1000, (ms % 1000) * 1000 };

	evtimer_add(g->ev_timer, &tv);
}

/* Errors that mean the port itself is gone, not just the host. */
static int
port_invalid(int e)
{
	return e == EIO || e == ENODEV || e == ENXIO || e == EBADF;
}

/* Tell the owner what changed in vsp_guest_channel() or the ack. */
static void
changed(struct vsp_guest *g)
{
	enum vsp_chan	 c = vsp_guest_channel(g);

	if (c == g->chan_told && g->acked == g->acked_told)
		return;
	g->chan_told = c;
	g->acked_told = g->acked;
	if (g->on_chan != NULL)
		g->on_chan(c, g->acked, g->chan_arg);
}

/* The ack was for a connection that is no more: resend from scratch. */
static void
void_ack(struct vsp_guest *g)
{
	g->acked = 0;
	g->answered = 0;
	g->resend_ms = RESEND_MIN_MS;
}

/*
 * The host's connection is over (the port is gone, or QEMU's EOF): its
 * ack is void, and nothing of its streams belongs to the next one.  QEMU
 * drops what the old host had not read, so the rest of a torn frame must
 * not reach the next host either.
 */
static void
connection_over(struct vsp_guest *g)
{
	g->heard = 0;
	void_ack(g);
	vsp_reader_free(&g->rd);
	vsp_wbuf_reset(&g->wb);
}

/*
 * The port is unusable (hot-unplug, a hung-up pty): close it and open the
 * path again shortly.  Logged once per outage, whatever the retries.
 */
static void
port_lost(struct vsp_guest *g, int error)
{
	if (!g->outage) {
		errno = error;
		log_warn("%s: port unusable, reopening", g->path);
		g->outage = 1;
		g->lost_ms = mono_ms();
	}
	if (g->ev_read != NULL) {
		event_free(g->ev_read);
		g->ev_read = NULL;
	}
	close(g->fd);
	g->fd = -1;
	g->host_absent = 0;
	connection_over(g);
	arm_timer(g, REOPEN_MS);
	changed(g);
}

static void
flush(struct vsp_guest *g)
{
	if (g->fd == -1)
		return;
	/* EAGAIN keeps the bytes; the resend timer tries again. */
	if (vsp_wbuf_flush(&g->wb, g->fd) == -1) {
		if (port_invalid(errno))
			port_lost(g, errno);
		else
			log_warn("%s: write", g->path);
	}
}

static void
send_state(struct vsp_guest *g)
{
	if (!g->have_state)
		return;
	flush(g);
	/*
	 * Only the newest full state matters: drop what is still queued,
	 * unless part of it is on the wire.  Its rest must follow, or the
	 * host, which trusts a valid header's length, would drop the next
	 * frame with the torn one; the timer sends the newest state then.
	 */
	if (g->fd != -1 && !vsp_wbuf_started(&g->wb)) {
		vsp_wbuf_reset(&g->wb);
		if (vsp_wbuf_add_msg(&g->wb, &g->state) == -1) {
			log_warn("%s: encoding state", g->path);
			return;
		}
		flush(g);
	}
	if (g->fd != -1 && !g->acked)
		arm_timer(g, g->resend_ms);
}

/* No host (QEMU's EOF): stop reading, look again shortly. */
static void
host_gone(struct vsp_guest *g)
{
	if (!g->host_absent)
		log_debug("%s: no host connected", g->path);
	g->host_absent = 1;
	event_del(g->ev_read);
	connection_over(g);
	arm_timer(g, REPOLL_MS);
	changed(g);
}

static void
host_heard(struct vsp_guest *g)
{
	if (g->outage)
		log_info("%s: host back, %llu ms after the port was lost",
		    g->path, (unsigned long long)(mono_ms() - g->lost_ms));
	g->outage = 0;
	g->heard = 1;
}

static void
handle(struct vsp_guest *g, const struct vsp_msg *m)
{
	switch (m->hdr.type) {
	case VSP_HELLO:
		log_debug("%s: host %s greets us", g->path, m->u.hello.host);
		host_heard(g);
		/* A new connection: what the old one acked is not its. */
		void_ack(g);
		changed(g);
		send_state(g);
		break;
	case VSP_ACK:
		host_heard(g);
		if (!g->have_state || m->u.ack.acked_epoch != g->epoch ||
		    m->u.ack.acked_seq != g->seq) {
			changed(g);
			break;	/* an ack of an older state */
		}
		g->answered = 1;
		if (g->acked) {
			changed(g);
			break;	/* a resend crossed our first ack */
		}
		g->acked = 1;
		arm_timer(g, REANNOUNCE_MS);
		if (g->on_ack != NULL)
			g->on_ack(&m->u.ack, g->arg);
		changed(g);
		break;
	case VSP_YIELD:
		log_debug("%s: host asks us to hand over (request %u)",
		    g->path, m->u.yield.request);
		host_heard(g);
		changed(g);
		if (g->on_yield != NULL)
			g->on_yield(&m->u.yield, g->yield_arg);
		break;
	default:
		/* A STATE is the guest's to send, not to take. */
		vsp_reader_reject(&g->rd, EPROTO);
		break;
	}
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct vsp_guest *g = arg;
	uint8_t		*p;
	size_t		 avail;
	ssize_t		 n;

	(void)what;
	for (;;) {
		if ((p = vsp_reader_space(&g->rd, &avail)) == NULL) {
			/* Out of memory: drop what is buffered, read on. */
			log_warn("%s: read buffer", g->path);
			vsp_reader_free(&g->rd);
			break;
		}
		n = read(fd, p, avail);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1 && port_invalid(errno)) {
			port_lost(g, errno);
			return;
		}
		if (n == 0 && write(fd, "", 0) == -1 && port_invalid(errno)) {
			/*
			 * A hung-up tty reads EOF like a port without a
			 * host, but fails even an empty write; a virtio
			 * port takes one (it returns 0 before any check).
			 */
			port_lost(g, errno);
			return;
		}
		if (n <= 0) {
			if (n == -1)
				log_warn("%s: read", g->path);
			host_gone(g);
			return;
		}
		if (g->host_absent) {
			/* The host is back on this port (QEMU's reconnect). */
			g->host_absent = 0;
			changed(g);
		}
		vsp_reader_commit(&g->rd, (size_t)n);
		while (vsp_reader_next(&g->rd, &g->in)) {
			handle(g, &g->in);
			if (g->fd == -1)
				return;	/* a write found the port gone */
		}
	}
}

static int
open_port(struct vsp_guest *g)
{
	struct termios	 t;

	g->fd = open(g->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (g->fd == -1) {
		if (!g->warned && !g->outage)
			log_warn("%s: open (will retry)", g->path);
		g->warned = 1;
		return -1;
	}
	if (g->outage)
		log_debug("%s: port open again", g->path);
	g->warned = 0;
	/* A pty (the lab) must pass bytes untouched. */
	if (isatty(g->fd) && tcgetattr(g->fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(g->fd, TCSANOW, &t);
	}
	g->ev_read = event_new(g->base, g->fd, EV_READ | EV_PERSIST, on_read,
	    g);
	if (g->ev_read == NULL) {
		close(g->fd);
		g->fd = -1;
		return -1;
	}
	event_add(g->ev_read, NULL);
	return 0;
}

/*
 * Acked: re-announce the same (epoch, seq).  The host answers a repeat
 * with its last ack and touches no route; one not answered by the next
 * re-announce voids the ack, and the state is resent as a new one would
 * be.  So an ack is never older than two periods.
 */
static void
reannounce(struct vsp_guest *g)
{
	if (!g->answered) {
		log_debug("%s: host did not answer for %d ms", g->path,
		    REANNOUNCE_MS);
		g->heard = 0;
		void_ack(g);
		changed(g);
		send_state(g);
		return;
	}
	g->answered = 0;
	send_state(g);
	if (g->fd != -1)
		arm_timer(g, REANNOUNCE_MS);
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct vsp_guest *g = arg;

	(void)fd;
	(void)what;
	if (g->fd == -1) {
		if (open_port(g) == -1) {
			arm_timer(g, REOPEN_MS);
			return;
		}
		changed(g);
		send_state(g);
		return;
	}
	if (g->host_absent) {
		/* Look for the host again; keep resending meanwhile. */
		event_add(g->ev_read, NULL);
	}
	if (g->have_state && !g->acked) {
		send_state(g);
		if (g->fd == -1)
			return;	/* reopening */
		g->resend_ms *= 2;
		if (g->resend_ms > RESEND_MAX_MS)
			g->resend_ms = RESEND_MAX_MS;
		arm_timer(g, g->host_absent ? REPOLL_MS : g->resend_ms);
	} else if (g->host_absent)
		arm_timer(g, REPOLL_MS);
	else if (g->acked)
		reannounce(g);
}

struct vsp_guest *
vsp_guest_new(struct event_base *base, const char *path, vsp_ack_cb on_ack,
    void *arg)
{
	struct vsp_guest *g;
	struct timespec	 ts;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->base = base;
	g->fd = -1;
	g->on_ack = on_ack;
	g->arg = arg;
	g->resend_ms = RESEND_MIN_MS;
	/* The host sends HELLO, ACK and YIELD frames; the guest one STATE
	 * at once. */
	vsp_reader_init(&g->rd, VSP_MAX_ACK_FRAME);
	vsp_wbuf_init(&g->wb, VSP_MAX_STATE_FRAME);
	clock_gettime(CLOCK_REALTIME, &ts);
	g->epoch = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	if ((g->path = strdup(path)) == NULL ||
	    (g->ev_timer = evtimer_new(base, on_timer, g)) == NULL) {
		vsp_guest_free(g);
		return NULL;
	}
	if (open_port(g) == -1)
		arm_timer(g, REOPEN_MS);
	return g;
}

void
vsp_guest_free(struct vsp_guest *g)
{
	if (g == NULL)
		return;
	if (g->ev_read != NULL)
		event_free(g->ev_read);
	if (g->ev_timer != NULL)
		event_free(g->ev_timer);
	if (g->fd != -1)
		close(g->fd);
	vsp_reader_free(&g->rd);
	vsp_wbuf_free(&g->wb);
	free(g->path);
	free(g);
}

int
vsp_guest_set_state(struct vsp_guest *g, const struct vsp_state_msg *st)
{
	struct vsp_msg	 m;
	uint8_t		 buf[VSP_MAX_FRAME];
	uint64_t	 epoch = g->epoch;
	uint32_t	 seq = g->seq;

	/* Never wrap seq: the host would take seq 0 for a stale state. */
	if (vsp_seq_next(&epoch, &seq) == -1)
		return -1;
	memset(&m.hdr, 0, sizeof(m.hdr));
	m.hdr.type = VSP_STATE;
	m.hdr.seq = seq;
	m.hdr.epoch = epoch;
	m.u.state = *st;
	if (vsp_encode(buf, sizeof(buf), &m) == -1)
		return -1;	/* refuse a state the host would reject */
	g->state = m;
	g->epoch = epoch;
	g->seq = seq;
	g->have_state = 1;
	void_ack(g);
	send_state(g);
	changed(g);
	return 0;
}

void
vsp_guest_on_yield(struct vsp_guest *g, vsp_yield_cb on_yield, void *arg)
{
	g->on_yield = on_yield;
	g->yield_arg = arg;
}

void
vsp_guest_on_channel(struct vsp_guest *g, vsp_chan_cb on_chan, void *arg)
{
	g->on_chan = on_chan;
	g->chan_arg = arg;
	g->chan_told = vsp_guest_channel(g);
	g->acked_told = g->acked;
}

int
vsp_guest_acked(const struct vsp_guest *g)
{
	return g->acked;
}

enum vsp_chan
vsp_guest_channel(const struct vsp_guest *g)
{
	if (g->fd == -1)
		return VSP_CHAN_CLOSED;
	if (g->host_absent || !g->heard)
		return VSP_CHAN_ABSENT;
	return VSP_CHAN_CONNECTED;
}

int
vsp_guest_connected(const struct vsp_guest *g)
{
	return vsp_guest_channel(g) == VSP_CHAN_CONNECTED;
}

const char *
vsp_chan_name(enum vsp_chan c)
{
	switch (c) {
	case VSP_CHAN_CLOSED:
		return "closed";
	case VSP_CHAN_ABSENT:
		return "absent";
	case VSP_CHAN_CONNECTED:
		return "connected";
	}
	return "unknown";
}

uint32_t
vsp_guest_seq(const struct vsp_guest *g)
{
	return g->seq;
}

uint64_t
vsp_guest_epoch(const struct vsp_guest *g)
{
	return g->epoch;
}
