/*
 * The conntrack handover, after conntrack-tools' primary-backup scheme,
 * with one rule on top: on the way to MASTER the commit of the external
 * cache finishes before the host is told, so the host route never flips
 * before the connection state is in the kernel (keepalived issue 2254:
 * otherwise the new master answers packets of unknown connections with
 * RST).  Each step is a conntrackd child process: the event loop, and so
 * the notify FIFO, never waits for one.
 *
 * The template runs conntrackd with DisableExternalCache: the peer's
 * state goes straight into the kernel as it arrives, so the commit has
 * nothing left to do and costs one exec, not ~8 µs per connection
 * (docs/performance.md, "Failover").  The commit stays, first, for a
 * conntrackd.conf written with an external cache.  For the same reason
 * nothing runs `conntrackd -t` any more: its scheduled flush of the
 * kernel table would, PurgeTimeout later, wipe the state synced since.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "evglue.h"
#include "log.h"
#include "proc.h"
#include "vrouterd.h"

#define STEP_TIMEOUT_MS	5000
static const struct handover_plan publish_only = { 0, { HO_PUBLISH }, 1 };

struct handover {
	uint8_t		 target;	/* state wanted (enum vsp_state) */
	uint8_t		 running_for;	/* state the current steps serve */
	int		 busy;		/* a plan runs, or waits for a drain */
	const struct handover_plan *plan;	/* for running_for */
	int		 step;
	pid_t		 pid;		/* the running step's conntrackd */
	struct event	*ev_timeout;
	int		 waiting;	/* for standby_hold_host() */
	struct timespec	 step_started;
	uint64_t	 n_commits;
	uint64_t	 n_failures;
	unsigned int	 last_commit_ms;
};

static void	 run(struct vrouterd *);

static const struct handover_plan *
plan_for(const struct vrouterd *vd, uint8_t st)
{
	size_t	 i;

	if (!vd->conf.ct_enabled || vd->conntrackd.pid == 0)
		return &publish_only;
	for (i = 0; i < handover_nplans; i++)
		if (handover_plans[i].state == st)
			return &handover_plans[i];
	return &publish_only;
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd	*vd = arg;

	(void)fd;
	(void)what;
	if (vd->handover->pid != 0) {
		log_warnx("handover: conntrackd step did not finish in %d ms: "
		    "killed", STEP_TIMEOUT_MS);
		proc_kill_group(vd->handover->pid, SIGKILL);
	}
}

static void
next_step(struct vrouterd *vd)
{
	struct handover	*ho = vd->handover;

	ho->step++;
	/* A newer decision wins over the rest of an older plan. */
	if (ho->target != ho->running_for) {
		ho->busy = 0;
		handover_request(vd, ho->target);
		return;
	}
	run(vd);
}

static void
run(struct vrouterd *vd)
{
	struct handover		*ho = vd->handover;
	const struct handover_plan	*p = ho->plan;
	const char		*argv[6];
	struct proc_spec	 spec = PROC_SPEC_INIT(argv);

	for (; ho->step < p->nsteps; ho->step++) {
		if (p->steps[ho->step] != HO_PUBLISH)
			break;
		/*
		 * Handed over on request: the host keeps routing here until
		 * the new master's host surely routes; and MASTER again just
		 * after, it waits to see whether that lasts (standby.c).
		 */
		if (standby_hold_host(vd, ho->running_for)) {
			ho->waiting = 1;
			return;		/* handover_resume() */
		}
		standby_drained(vd);
		state_publish(vd, ho->running_for);
	}
	if (ho->step >= p->nsteps) {
		ho->busy = 0;
		metrics_handover_done(vd);
		if (ho->target != ho->running_for)
			handover_request(vd, ho->target);
		return;
	}
	argv[0] = vd->conntrackd_bin;
	argv[1] = "-C";
	argv[2] = vd->conntrackd_conf;
	argv[3] = p->steps[ho->step];
	argv[4] = NULL;
	spec.fd_out = STDERR_FILENO;
	spec.fd_err = STDERR_FILENO;
	clock_gettime(CLOCK_MONOTONIC, &ho->step_started);
	if ((ho->pid = proc_spawn(&spec)) == -1) {
		log_warn("handover: conntrackd %s", argv[3]);
		ho->pid = 0;
		ho->n_failures++;
		next_step(vd);
		return;
	}
	evtimer_add_ms(ho->ev_timeout, STEP_TIMEOUT_MS);
}

void
handover_resume(struct vrouterd *vd)
{
	if (!vd->handover->waiting)
		return;
	vd->handover->waiting = 0;
	run(vd);
}

void
handover_request(struct vrouterd *vd, uint8_t st)
{
	struct handover	*ho = vd->handover;

	ho->target = st;
	/* A newer decision ends a wait: its own plan waits if it must. */
	if (ho->busy && ho->waiting && st != ho->running_for) {
		ho->waiting = 0;
		ho->busy = 0;
	}
	if (ho->busy)
		return;		/* picked up when the current step ends */
	ho->busy = 1;
	ho->running_for = st;
	ho->plan = plan_for(vd, st);
	ho->step = 0;
	run(vd);
}

int
handover_reaped(struct vrouterd *vd, pid_t pid, int status)
{
	struct handover		*ho = vd->handover;
	const struct handover_plan	*p;
	char			 desc[64];
	unsigned int		 ms;

	if (ho->pid == 0 || pid != ho->pid)
		return 0;
	ho->pid = 0;
	evtimer_del(ho->ev_timeout);
	ms = (unsigned int)ts_ms_since(&ho->step_started);
	p = ho->plan;
	if (ho->step < p->nsteps && p->steps[ho->step] != HO_PUBLISH &&
	    strcmp(p->steps[ho->step], "-c") == 0) {
		ho->n_commits++;
		ho->last_commit_ms = ms;
	}
	if (status != 0) {
		ho->n_failures++;
		log_warnx("handover: conntrackd %s: %s after %u ms",
		    ho->step < p->nsteps ? p->steps[ho->step] : "?",
		    proc_status_str(status, desc, sizeof(desc)), ms);
	} else
		log_debug("handover: conntrackd %s done in %u ms",
		    p->steps[ho->step], ms);
	next_step(vd);
	return 1;
}

int
handover_busy(const struct vrouterd *vd)
{
	return vd->handover != NULL && vd->handover->busy;
}

int
handover_stepping(const struct vrouterd *vd)
{
	return vd->handover != NULL && vd->handover->pid != 0;
}

void
handover_view(const struct vrouterd *vd, struct handover_view *v)
{
	const struct handover *ho = vd->handover;

	memset(v, 0, sizeof(*v));
	if (ho == NULL)
		return;
	v->busy = ho->busy;
	v->commits = ho->n_commits;
	v->failures = ho->n_failures;
	v->last_commit_ms = ho->last_commit_ms;
}

json_t *
handover_json(const struct vrouterd *vd)
{
	struct handover_view v;

	handover_view(vd, &v);
	return json_pack("{s:b, s:I, s:I, s:i}", "busy", v.busy,
	    "commits", (json_int_t)v.commits,
	    "failures", (json_int_t)v.failures,
	    "last_commit_ms", (int)v.last_commit_ms);
}

void
handover_init(struct vrouterd *vd)
{
	struct handover	*ho;

	if ((ho = calloc(1, sizeof(*ho))) == NULL)
		fatal("handover");
	ho->ev_timeout = evtimer_new(vd->base, on_timeout, vd);
	if (ho->ev_timeout == NULL)
		fatalx("handover: out of memory for events");
	vd->handover = ho;
}

void
handover_free(struct vrouterd *vd)
{
	struct handover	*ho = vd->handover;

	if (ho == NULL)
		return;
	if (ho->pid != 0)
		proc_kill_group(ho->pid, SIGKILL);
	event_free(ho->ev_timeout);
	free(ho);
	vd->handover = NULL;
}
