/*
 * conntrackd's sync, watched: every CTSTATS_POLL_MS, `conntrackd -C conf
 * -s` is run and its counters kept for the status.  conntrackd's FTFW
 * sync can stall without a word (docs/keepalived-notes.md): the kernel's
 * connections keep changing, the internal cache follows them, yet nothing
 * goes to the peer or nothing comes back (no acknowledgement, not even the
 * once-a-second ALIVE message).  When that is so for two polls in a row
 * (ctstats_judge in ctstats_parse.c), the sync is "stalled": logged once,
 * shown in the status, and cleared when the sync counters move again.
 * Polls without any change of the internal cache judge nothing: an idle
 * router has nothing to sync.
 *
 * Like the handover, the poll is a child process the event loop never
 * waits for: proc_run() would block the loop, and so keepalived's FIFO and
 * a failover, for as long as conntrackd takes to answer, which is as long
 * as a commit of many entries when one is running.  No poll starts while a
 * handover step runs.
 */
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "evglue.h"
#include "log.h"
#include "proc.h"
#include "vrouterd.h"

#define CTSTATS_POLL_MS		2000
#define CTSTATS_TIMEOUT_MS	1000
#define CTSTATS_FIRST_MS	300	/* after a start: resync soon */
#define CTSTATS_SILENT_MS	6000	/* no ALIVE for this long: unhealthy */

struct ctstats {
	struct vrouterd	*vd;
	struct event	*ev_poll;
	struct event	*ev_read;
	struct event	*ev_timeout;
	pid_t		 pid;		/* the running `conntrackd -s` */
	int		 rfd;		/* its stdout */
	char		 buf[4096];
	size_t		 len;
	int		 eof, reaped, status;

	struct ct_counters cur;		/* the last good poll */
	int		 have;		/* cur is valid */
	int		 frozen;	/* polls: cache changed, sync did not */
	int		 stalled;
	struct timespec	 heard;		/* when the peer last sent anything */
	uint64_t	 polls, failures;

	/*
	 * After conntrackd (re)starts, the sync is "resyncing" until the
	 * peer has answered the resync asked after the first good poll.
	 */
	int		 resyncing;
	int		 asked;
	uint64_t	 recv_at_ask;
};

static void	 poll_start(struct ctstats *);

static void
finish(struct ctstats *cs)
{
	struct ct_counters now;
	char		 desc[64];
	int		 stalled;

	evtimer_del(cs->ev_timeout);
	cs->pid = 0;
	cs->buf[cs->len] = '\0';
	if (cs->status != 0 || ctstats_parse(cs->buf, &now) == -1) {
		cs->failures++;
		log_debug("conntrackd -s: %s", cs->status != 0 ?
		    proc_status_str(cs->status, desc, sizeof(desc)) :
		    "unexpected output");
		goto next;
	}
	cs->polls++;
	if (!cs->have || now.recv != cs->cur.recv)
		clock_gettime(CLOCK_MONOTONIC, &cs->heard);
	stalled = cs->have && ctstats_judge(&cs->frozen, &cs->cur, &now);
	if (stalled && !cs->stalled)
		log_warnx("conntrackd: sync stalled: %" PRIu64 " changes of "
		    "the connection table in %d s, sync packets sent %" PRIu64
		    " -> %" PRIu64 ", received %" PRIu64 " -> %" PRIu64,
		    now.int_changes - cs->cur.int_changes,
		    CTSTATS_POLL_MS / 1000, cs->cur.sent, now.sent,
		    cs->cur.recv, now.recv);
	else if (!stalled && cs->stalled)
		log_info("conntrackd: sync moving again");
	cs->stalled = stalled;
	if (cs->resyncing && !cs->asked) {
		/* Until BACKUP or MASTER, it is asked at the next poll. */
		if (synclink_resync(cs->vd, "conntrackd started")) {
			cs->asked = 1;
			cs->recv_at_ask = now.recv;
		}
	} else if (cs->resyncing && now.recv > cs->recv_at_ask) {
		cs->resyncing = 0;
		log_info("conntrackd: in sync with the peer again");
	}
	cs->cur = now;
	cs->have = 1;
	synclink_peer_quiet(cs->vd, ts_ms_since(&cs->heard));
next:
	evtimer_add_ms(cs->ev_poll, CTSTATS_POLL_MS);
}

static void
close_pipe(struct ctstats *cs)
{
	if (cs->rfd == -1)
		return;
	event_del(cs->ev_read);
	event_free(cs->ev_read);
	cs->ev_read = NULL;
	close(cs->rfd);
	cs->rfd = -1;
	cs->eof = 1;
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct ctstats	*cs = arg;
	char		 discard[512];
	ssize_t		 n;

	(void)what;
	for (;;) {
		if (cs->len < sizeof(cs->buf) - 1)
			n = read(fd, cs->buf + cs->len,
			    sizeof(cs->buf) - 1 - cs->len);
		else
			n = read(fd, discard, sizeof(discard));
		if (n > 0) {
			if (cs->len < sizeof(cs->buf) - 1)
				cs->len += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		break;		/* EOF or error */
	}
	close_pipe(cs);
	if (cs->reaped)
		finish(cs);
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct ctstats	*cs = arg;

	(void)fd;
	(void)what;
	log_warnx("conntrackd -s did not answer in %d ms: killed",
	    CTSTATS_TIMEOUT_MS);
	close_pipe(cs);
	if (cs->pid != 0)
		proc_kill_group(cs->pid, SIGKILL);	/* finish() on reap */
}

static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct ctstats	*cs = arg;
	struct vrouterd	*vd = cs->vd;

	(void)fd;
	(void)what;
	if (vd->stopping)
		return;
	if (!vd->conf.ct_enabled || vd->conntrackd.pid == 0) {
		cs->have = cs->frozen = cs->stalled = 0;
		evtimer_add_ms(cs->ev_poll, CTSTATS_POLL_MS);
		return;
	}
	if (handover_busy(vd) || cs->pid != 0) {
		evtimer_add_ms(cs->ev_poll, CTSTATS_POLL_MS);
		return;
	}
	poll_start(cs);
}

static void
poll_start(struct ctstats *cs)
{
	struct vrouterd	*vd = cs->vd;
	const char	*argv[] = { vd->conntrackd_bin, "-C",
			    vd->conntrackd_conf, "-s", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);
	int		 p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("conntrackd -s: pipe");
		goto later;
	}
	spec.fd_out = p[1];
	cs->pid = proc_spawn(&spec);
	close(p[1]);
	if (cs->pid == -1) {
		log_warn("conntrackd -s");
		cs->pid = 0;
		close(p[0]);
		goto later;
	}
	cs->rfd = p[0];
	cs->len = 0;
	cs->eof = cs->reaped = cs->status = 0;
	cs->ev_read = event_new(vd->base, cs->rfd, EV_READ | EV_PERSIST,
	    on_read, cs);
	if (cs->ev_read == NULL || event_add(cs->ev_read, NULL) == -1) {
		/* This poll is lost, not the daemon: the next one retries. */
		log_warnx("conntrackd -s: no event for its output: poll skipped");
		if (cs->ev_read != NULL)
			event_free(cs->ev_read);
		cs->ev_read = NULL;
		close(cs->rfd);
		cs->rfd = -1;
		cs->eof = 1;
		proc_kill_group(cs->pid, SIGKILL);	/* finish() on reap */
		return;
	}
	evtimer_add_ms(cs->ev_timeout, CTSTATS_TIMEOUT_MS);
	return;
later:
	cs->failures++;
	evtimer_add_ms(cs->ev_poll, CTSTATS_POLL_MS);
}

int
ctstats_reaped(struct vrouterd *vd, pid_t pid, int status)
{
	struct ctstats	*cs = vd->ctstats;

	if (cs == NULL || cs->pid == 0 || pid != cs->pid)
		return 0;
	cs->reaped = 1;
	cs->status = status;
	if (cs->eof)
		finish(cs);
	return 1;
}

void
ctstats_started(struct vrouterd *vd)
{
	struct ctstats	*cs = vd->ctstats;

	if (cs == NULL)
		return;
	cs->resyncing = 1;
	cs->asked = 0;
	cs->have = cs->frozen = cs->stalled = 0;
	if (cs->pid == 0) {
		evtimer_del(cs->ev_poll);
		evtimer_add_ms(cs->ev_poll, CTSTATS_FIRST_MS);
	}
}

void
ctstats_ended(struct vrouterd *vd)
{
	struct ctstats	*cs = vd->ctstats;

	if (cs == NULL)
		return;
	cs->resyncing = 0;
	cs->have = 0;
}

/* Why the sync is not healthy, or NULL if it is. */
static const char *
unhealthy(const struct vrouterd *vd, const struct ctstats *cs)
{
	if (!vd->conf.ct_enabled)
		return "conntrackd is not enabled";
	if (vd->conntrackd.pid == 0)
		return "conntrackd is not running";
	if (cs->resyncing)
		return "conntrackd started: not in sync with the peer yet";
	if (!cs->have)
		return "conntrackd has not answered yet";
	if (cs->stalled)
		return "stalled";
	if (ts_ms_since(&cs->heard) >= CTSTATS_SILENT_MS)
		return "nothing from the peer's conntrackd";
	return NULL;
}

json_t *
ctstats_json(const struct vrouterd *vd)
{
	const struct ctstats *cs = vd->ctstats;
	const struct ct_counters *c;
	const char	*why = cs == NULL ? "not watched" : unhealthy(vd, cs);
	json_t		*o;

	o = json_pack("{s:b, s:b, s:b, s:b, s:s}", "enabled",
	    vd->conf.ct_enabled, "polled", cs != NULL && cs->have, "stalled",
	    cs != NULL && cs->have && cs->stalled, "healthy", why == NULL,
	    "why", why ? why : "");
	if (o == NULL || cs == NULL || !cs->have)
		return o;
	c = &cs->cur;
	json_object_update_new(o, json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
	    " s:I, s:I, s:I}",
	    "quiet_ms", (json_int_t)ts_ms_since(&cs->heard),
	    "internal", (json_int_t)c->int_active,
	    "external", (json_int_t)c->ext_active,
	    "changes", (json_int_t)c->int_changes,
	    "sent", (json_int_t)c->sent, "received", (json_int_t)c->recv,
	    "send_errors", (json_int_t)c->send_errors,
	    "receive_errors", (json_int_t)c->recv_errors,
	    "lost", (json_int_t)c->lost,
	    "polls", (json_int_t)cs->polls));
	return o;
}

void
ctstats_view(const struct vrouterd *vd, struct ctstats_view *v)
{
	const struct ctstats *cs = vd->ctstats;

	memset(v, 0, sizeof(*v));
	if (cs == NULL)
		return;
	v->polls = cs->polls;
	v->failures = cs->failures;
	v->healthy = unhealthy(vd, cs) == NULL;
	if (!cs->have)
		return;
	v->have = 1;
	v->stalled = cs->stalled;
	v->quiet_ms = ts_ms_since(&cs->heard);
	v->c = cs->cur;
}

void
ctstats_init(struct vrouterd *vd)
{
	struct ctstats	*cs;

	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		fatal("ctstats");
	cs->vd = vd;
	cs->rfd = -1;
	cs->ev_poll = evtimer_new(vd->base, on_poll, cs);
	cs->ev_timeout = evtimer_new(vd->base, on_timeout, cs);
	if (cs->ev_poll == NULL || cs->ev_timeout == NULL)
		fatalx("ctstats: out of memory for events");
	evtimer_add_ms(cs->ev_poll, CTSTATS_POLL_MS);
	vd->ctstats = cs;
}

void
ctstats_free(struct vrouterd *vd)
{
	struct ctstats	*cs = vd->ctstats;

	if (cs == NULL)
		return;
	close_pipe(cs);
	if (cs->pid != 0)
		proc_kill_group(cs->pid, SIGKILL);
	event_free(cs->ev_poll);
	event_free(cs->ev_timeout);
	free(cs);
	vd->ctstats = NULL;
}
