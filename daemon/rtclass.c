/*
 * The scheduling classes of the children: keepalived's VRRP process above
 * everything else, conntrackd out of the realtime class.
 *
 * conntrackd always runs realtime: its Scheduler section takes only RR or
 * FIFO, and without one it takes SCHED_RR 99.  A node that returns asks
 * the master for a resync, and its conntrackd then writes every connection
 * into the kernel while the keepalived just started beside it waits for a
 * CPU; it hears no advert in time, becomes MASTER and, having the higher
 * priority, takes the role back (docs/performance.md, "No takebacks").
 * conntrackd sets its class itself, once, early in its start-up, so after
 * each start its class is polled on a timer (never blocking the loop) and
 * moved to SCHED_OTHER as soon as it is realtime; what it forks later
 * inherits that.
 *
 * keepalived's VRRP process goes to SCHED_RR (with SCHED_RESET_ON_FORK,
 * so that nothing it forks inherits it), so that no busy process, a CPU
 * hog or a resync, delays an advert or its reception.  Not with
 * keepalived's own vrrp_rt_priority: on a reload keepalived fails to set
 * its RLIMIT_RTTIME again ("child process cannot set realtime rlimit")
 * and the kernel killed its VRRP process in a storm of reloads, even with
 * a limit of one second, while it had used 20 ms of CPU in all.  Set from
 * here, the class and the limit survive reloads (the process stays the
 * same).  The limit stays, at 0.5 s (SIGXCPU) and 1 s (SIGKILL) of CPU
 * without blocking, against a VRRP process that would spin: keepalived
 * then starts a new one.  Its pid comes from keepalived's pid file, read
 * once a second (10 ms apart until the first one is found), and is
 * accepted only inside keepalived's process group.
 */
#include <sys/resource.h>
#include <sys/types.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evglue.h"
#include "log.h"
#include "vrouterd.h"

#define POLL_FAST_MS		10
#define CT_GIVE_UP_MS		10000
#define KA_POLL_MS		1000
#define KA_RT_PRIO		10
#define KA_RTTIME_SOFT_US	500000
#define KA_RTTIME_HARD_US	1000000

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK	0x40000000
#endif

struct rtclass {
	struct vrouterd	*vd;
	struct event	*ev_ct;
	pid_t		 ct_pid;	/* the conntrackd to move; 0: none */
	struct timespec	 ct_started;
	struct event	*ev_ka;
	pid_t		 ka_pid;	/* the VRRP process made realtime */
	int		 ka_failed;	/* said once per keepalived run */
	uint64_t	 ct_moved, ka_moved;
};

static const char *
policy_name(int policy)
{
	switch (policy & ~SCHED_RESET_ON_FORK) {
	case SCHED_OTHER:	return "SCHED_OTHER";
	case SCHED_FIFO:	return "SCHED_FIFO";
	case SCHED_RR:		return "SCHED_RR";
	case SCHED_BATCH:	return "SCHED_BATCH";
	case SCHED_IDLE:	return "SCHED_IDLE";
	default:		return "?";
	}
}

static void
on_ct(evutil_socket_t fd, short what, void *arg)
{
	struct rtclass		*rc = arg;
	struct sched_param	 sp;
	int			 policy, prio;

	(void)fd;
	(void)what;
	if (rc->ct_pid == 0 || rc->ct_pid != rc->vd->conntrackd.pid) {
		rc->ct_pid = 0;		/* gone meanwhile */
		return;
	}
	if ((policy = sched_getscheduler(rc->ct_pid)) == -1) {
		log_warn("conntrackd: pid %d: sched_getscheduler",
		    (int)rc->ct_pid);
		rc->ct_pid = 0;
		return;
	}
	policy &= ~SCHED_RESET_ON_FORK;
	if (policy != SCHED_RR && policy != SCHED_FIFO) {
		if (ts_ms_since(&rc->ct_started) < CT_GIVE_UP_MS) {
			evtimer_add_ms(rc->ev_ct, POLL_FAST_MS);
			return;
		}
		log_warnx("conntrackd: pid %d still %s %d ms after its start: "
		    "left in that class", (int)rc->ct_pid, policy_name(policy),
		    CT_GIVE_UP_MS);
		rc->ct_pid = 0;
		return;
	}
	prio = sched_getparam(rc->ct_pid, &sp) == -1 ? -1 : sp.sched_priority;
	memset(&sp, 0, sizeof(sp));
	if (sched_setscheduler(rc->ct_pid, SCHED_OTHER, &sp) == -1) {
		log_warn("conntrackd: pid %d: cannot leave %s (its resyncs "
		    "may starve keepalived)", (int)rc->ct_pid,
		    policy_name(policy));
		rc->ct_pid = 0;
		return;
	}
	rc->ct_moved++;
	log_info("conntrackd: pid %d moved from %s %d to SCHED_OTHER %.0f ms "
	    "after its start, so that its resyncs cannot starve keepalived",
	    (int)rc->ct_pid, policy_name(policy), prio,
	    ts_ms_since(&rc->ct_started));
	rc->ct_pid = 0;
}

void
rtclass_conntrackd_started(struct vrouterd *vd, pid_t pid)
{
	struct rtclass	*rc = vd->rtclass;

	if (rc == NULL)
		return;
	rc->ct_pid = pid;
	clock_gettime(CLOCK_MONOTONIC, &rc->ct_started);
	evtimer_add_ms(rc->ev_ct, 0);
}

/* The VRRP process's pid from keepalived's pid file; 0 if none yet. */
static pid_t
vrrp_pid(const struct vrouterd *vd)
{
	char	 path[300], buf[32];
	FILE	*f;
	long	 n;
	char	*end;

	snprintf(path, sizeof(path), "%s/%s", vd->rundir, CONF_RUN_VRRP_PID);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	n = strtol(buf, &end, 10);
	if (end == buf || n <= 1 || n > 0x3fffffff)
		return 0;
	return (pid_t)n;
}

/* 0 when pid is realtime now (or was made so), -1 when it failed. */
static int
ka_make_rt(struct rtclass *rc, pid_t pid)
{
	struct rlimit		 rl = { KA_RTTIME_SOFT_US, KA_RTTIME_HARD_US };
	struct sched_param	 sp;
	int			 policy;

	if ((policy = sched_getscheduler(pid)) == -1)
		return -1;
	if ((policy & ~SCHED_RESET_ON_FORK) == SCHED_RR)
		return 0;
	/* the limit first: never realtime without it */
	if (prlimit(pid, RLIMIT_RTTIME, &rl, NULL) == -1)
		return -1;
	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = KA_RT_PRIO;
	if (sched_setscheduler(pid, SCHED_RR | SCHED_RESET_ON_FORK, &sp) == -1)
		return -1;
	rc->ka_moved++;
	log_info("keepalived: VRRP process pid %d now SCHED_RR %d "
	    "(RLIMIT_RTTIME %d/%d ms), so that no busy process delays its "
	    "adverts", (int)pid, KA_RT_PRIO, KA_RTTIME_SOFT_US / 1000,
	    KA_RTTIME_HARD_US / 1000);
	return 0;
}

static void
on_ka(evutil_socket_t fd, short what, void *arg)
{
	struct rtclass	*rc = arg;
	struct vrouterd	*vd = rc->vd;
	pid_t		 pid;

	(void)fd;
	(void)what;
	if (vd->keepalived.pid == 0)
		return;			/* keepalived_started() starts again */
	pid = vrrp_pid(vd);
	/* a stale file may name anyone: only keepalived's own group */
	if (pid == 0 || getpgid(pid) != vd->keepalived.pid) {
		evtimer_add_ms(rc->ev_ka, rc->ka_pid == 0 ? POLL_FAST_MS :
		    KA_POLL_MS);
		return;
	}
	if (rc->ka_pid != 0 && pid != rc->ka_pid) {
		/*
		 * keepalived started a new VRRP process (the old one died,
		 * e.g. killed at RLIMIT_RTTIME): its instances start afresh,
		 * so whatever this node was, it is not MASTER now.
		 */
		log_warnx("keepalived: VRRP process %d replaced by %d",
		    (int)rc->ka_pid, (int)pid);
		state_keepalived_died(vd, "keepalived's VRRP process restarted");
	}
	if (ka_make_rt(rc, pid) == -1) {
		if (!rc->ka_failed)
			log_warn("keepalived: VRRP process pid %d: cannot make "
			    "it realtime (it stays at nice -20)", (int)pid);
		rc->ka_failed = 1;
	}
	rc->ka_pid = pid;
	evtimer_add_ms(rc->ev_ka, KA_POLL_MS);
}

void
rtclass_keepalived_started(struct vrouterd *vd)
{
	struct rtclass	*rc = vd->rtclass;

	if (rc == NULL)
		return;
	rc->ka_pid = 0;
	rc->ka_failed = 0;
	evtimer_add_ms(rc->ev_ka, POLL_FAST_MS);
}

void
rtclass_init(struct vrouterd *vd)
{
	struct rtclass	*rc;

	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		fatal("rtclass");
	rc->vd = vd;
	rc->ev_ct = evtimer_new(vd->base, on_ct, rc);
	rc->ev_ka = evtimer_new(vd->base, on_ka, rc);
	if (rc->ev_ct == NULL || rc->ev_ka == NULL)
		fatalx("rtclass: out of memory for events");
	vd->rtclass = rc;
}

void
rtclass_free(struct vrouterd *vd)
{
	if (vd->rtclass == NULL)
		return;
	event_free(vd->rtclass->ev_ct);
	event_free(vd->rtclass->ev_ka);
	free(vd->rtclass);
	vd->rtclass = NULL;
}
