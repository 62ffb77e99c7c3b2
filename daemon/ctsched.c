/*
 * conntrackd out of the realtime class.  conntrackd always runs realtime:
 * its Scheduler section takes only RR or FIFO, and without one it takes
 * SCHED_RR 99.  A node that returns asks the master for a resync, and its
 * conntrackd then writes every connection into the kernel while the
 * keepalived just started beside it, at nice -20 but not realtime, waits
 * for a CPU; it hears no advert in time, becomes MASTER and, having the
 * higher priority, takes the role back (docs/performance.md, "No
 * takebacks").
 *
 * conntrackd sets its class itself, once, early in its start-up.  So after
 * each start this polls its class on a timer (never blocking the loop) and
 * moves it to SCHED_OTHER as soon as it is realtime, once; what it forks
 * later inherits that.  A conntrackd that is still not realtime when the
 * polls run out is left as it is, with a warning.
 */
#include <sys/types.h>

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "evglue.h"
#include "log.h"
#include "vrouterd.h"

#define CTSCHED_POLL_MS		10
#define CTSCHED_GIVE_UP_MS	10000

struct ctsched {
	struct vrouterd	*vd;
	struct event	*ev;
	pid_t		 pid;		/* the conntrackd to move; 0: none */
	struct timespec	 started;
	uint64_t	 moved;		/* runs moved, for the status */
};

static const char *
policy_name(int policy)
{
	switch (policy) {
	case SCHED_OTHER:	return "SCHED_OTHER";
	case SCHED_FIFO:	return "SCHED_FIFO";
	case SCHED_RR:		return "SCHED_RR";
	case SCHED_BATCH:	return "SCHED_BATCH";
	case SCHED_IDLE:	return "SCHED_IDLE";
	default:		return "?";
	}
}

static void
on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct ctsched		*cs = arg;
	struct sched_param	 sp;
	int			 policy, prio;

	(void)fd;
	(void)what;
	if (cs->pid == 0 || cs->pid != cs->vd->conntrackd.pid) {
		cs->pid = 0;		/* gone meanwhile */
		return;
	}
	if ((policy = sched_getscheduler(cs->pid)) == -1) {
		log_warn("conntrackd: pid %d: sched_getscheduler", (int)cs->pid);
		cs->pid = 0;
		return;
	}
	if (policy != SCHED_RR && policy != SCHED_FIFO) {
		if (ts_ms_since(&cs->started) < CTSCHED_GIVE_UP_MS) {
			evtimer_add_ms(cs->ev, CTSCHED_POLL_MS);
			return;
		}
		log_warnx("conntrackd: pid %d still %s %d ms after its start: "
		    "left in that class", (int)cs->pid, policy_name(policy),
		    CTSCHED_GIVE_UP_MS);
		cs->pid = 0;
		return;
	}
	prio = sched_getparam(cs->pid, &sp) == -1 ? -1 : sp.sched_priority;
	memset(&sp, 0, sizeof(sp));
	if (sched_setscheduler(cs->pid, SCHED_OTHER, &sp) == -1) {
		log_warn("conntrackd: pid %d: cannot leave %s (its resyncs "
		    "may starve keepalived)", (int)cs->pid,
		    policy_name(policy));
		cs->pid = 0;
		return;
	}
	cs->moved++;
	log_info("conntrackd: pid %d moved from %s %d to SCHED_OTHER %.0f ms "
	    "after its start, so that its resyncs cannot starve keepalived",
	    (int)cs->pid, policy_name(policy), prio,
	    ts_ms_since(&cs->started));
	cs->pid = 0;
}

void
ctsched_started(struct vrouterd *vd, pid_t pid)
{
	struct ctsched	*cs = vd->ctsched;

	if (cs == NULL)
		return;
	cs->pid = pid;
	clock_gettime(CLOCK_MONOTONIC, &cs->started);
	evtimer_add_ms(cs->ev, 0);
}

uint64_t
ctsched_moved(const struct vrouterd *vd)
{
	return vd->ctsched != NULL ? vd->ctsched->moved : 0;
}

void
ctsched_init(struct vrouterd *vd)
{
	struct ctsched	*cs;

	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		fatal("ctsched");
	cs->vd = vd;
	if ((cs->ev = evtimer_new(vd->base, on_poll, cs)) == NULL)
		fatalx("ctsched: out of memory for events");
	vd->ctsched = cs;
}

void
ctsched_free(struct vrouterd *vd)
{
	if (vd->ctsched == NULL)
		return;
	event_free(vd->ctsched->ev);
	free(vd->ctsched);
	vd->ctsched = NULL;
}
