/*
 * Supervised children: keepalived and conntrackd run in the foreground as
 * our children, each the leader of its own process group.  The group is
 * what we signal and what we clean up: keepalived's VRRP process is a
 * child of keepalived, and killing only the parent would leave a VRRP
 * process acting as master with nobody watching it.
 */
#include <sys/pidfd.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "evglue.h"
#include "log.h"
#include "proc.h"
#include "vrouterd.h"

#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	5000
/*
 * Ran this long (or c->stable_ms, if longer): healthy, and the next crash
 * starts the backoff afresh.  Only a crash loop faster than this waits up
 * to BACKOFF_MAX_MS.
 */
#define STABLE_MS	2000
#define STOP_GRACE_MS	2000
#define DYING_GRACE_MS	300	/* for what a crashed leader left behind */

static void
unwatch(struct child *c)
{
	if (c->ev_pidfd != NULL) {
		event_free(c->ev_pidfd);
		c->ev_pidfd = NULL;
	}
	if (c->pidfd != -1) {
		close(c->pidfd);
		c->pidfd = -1;
	}
}

static void
on_restart(evutil_socket_t fd, short what, void *arg)
{
	struct child	*c = arg;

	(void)fd;
	(void)what;
	if (c->want && c->pid == 0 && child_start(c) == -1) {
		log_warn("%s: restart", c->name);
		evtimer_add_ms(c->ev_restart, c->backoff_ms);
	}
}

static void
on_kill(evutil_socket_t fd, short what, void *arg)
{
	struct child	*c = arg;

	(void)fd;
	(void)what;
	if (c->pid != 0) {
		log_warnx("%s: did not stop within %d ms: killing its group",
		    c->name, STOP_GRACE_MS);
		proc_kill_group(c->pid, SIGKILL);
	}
	if (c->dying != 0) {
		proc_kill_group(c->dying, SIGKILL);
		c->dying = 0;
	}
}

int
child_init(struct child *c, struct vrouterd *vd, const char *name,
    const char *path)
{
	memset(c, 0, sizeof(*c));
	c->vd = vd;
	c->name = name;
	c->backoff_ms = BACKOFF_MIN_MS;
	c->pidfd = -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	snprintf(c->record, sizeof(c->record), "%s/%s.child", vd->rundir,
	    name);
	c->ev_restart = evtimer_new(vd->base, on_restart, c);
	c->ev_kill = evtimer_new(vd->base, on_kill, c);
	if (c->ev_restart == NULL || c->ev_kill == NULL)
		return -1;
	child_arg(c, c->path);
	return 0;
}

void
child_arg(struct child *c, const char *arg)
{
	if (c->nargv < (int)(sizeof(c->argv) / sizeof(c->argv[0])) - 1) {
		c->argv[c->nargv++] = strdup(arg);
		c->argv[c->nargv] = NULL;
	}
}

void
child_stale_file(struct child *c, const char *path)
{
	if (c->nstale < (int)(sizeof(c->stale) / sizeof(c->stale[0])))
		c->stale[c->nstale++] = strdup(path);
}

/* Start the child; its output goes to our stderr (the log in -d). */
int
child_start(struct child *c)
{
	struct proc_spec spec = PROC_SPEC_INIT((const char *const *)c->argv);
	int		 i;

	c->want = 1;
	if (c->pid != 0)
		return 0;
	/*
	 * A run that was SIGKILLed leaves its pid and lock files, and the
	 * program then refuses to start ("already running").  Ours is
	 * reaped, so they are stale.
	 */
	for (i = 0; i < c->nstale; i++)
		if (c->stale[i] != NULL && unlink(c->stale[i]) == 0)
			log_debug("%s: removed stale %s", c->name, c->stale[i]);
	spec.fd_out = STDERR_FILENO;
	spec.fd_err = STDERR_FILENO;
	if ((c->pid = proc_spawn(&spec)) == -1) {
		c->pid = 0;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	c->adopted = c->outdated = 0;
	log_info("%s: started, pid %d", c->name, (int)c->pid);
	/* Without it, the next vrouterd would start a second copy. */
	adopt_record(c->record, c->pid);
	if (c->on_start != NULL)
		c->on_start(c);
	return 0;
}

void
child_stop(struct child *c)
{
	c->want = 0;
	evtimer_del(c->ev_restart);
	if (c->pid == 0)
		return;
	proc_kill_group(c->pid, SIGTERM);
	evtimer_add_ms(c->ev_kill, STOP_GRACE_MS);
}

int
child_signal(struct child *c, int sig)
{
	if (c->pid == 0) {
		errno = ESRCH;
		return -1;
	}
	return kill(c->pid, sig);
}

/* The run ended: ours (reaped, status known) or adopted (status -1). */
static void
child_gone(struct child *c, int status)
{
	char	 desc[64];
	int	 ran_ms;

	ran_ms = (int)ts_ms_since(&c->started);
	c->last_status = status;
	evtimer_del(c->ev_kill);
	unwatch(c);
	if (c->want) {
		/*
		 * The leader crashed.  What it left in its group (keepalived's
		 * VRRP process) gets SIGTERM first, so that it can still send
		 * its priority-0 advert and the peer takes over at once; then
		 * SIGKILL, and only after that a restart.
		 */
		proc_kill_group(c->pid, SIGTERM);
		c->dying = c->pid;
		evtimer_add_ms(c->ev_kill, DYING_GRACE_MS);
	} else {
		proc_kill_group(c->pid, SIGKILL);
		adopt_forget(c->record);
	}
	c->pid = 0;
	if (status == -1)
		snprintf(desc, sizeof(desc), "ended (adopted: no exit status)");
	else
		proc_status_str(status, desc, sizeof(desc));
	if (c->want)
		log_warnx("%s: %s after %d ms", c->name, desc, ran_ms);
	else
		log_info("%s: stopped (%s)", c->name, desc);
	if (c->on_exit != NULL)
		c->on_exit(c, status);
	if (!c->want)
		return;
	if (ran_ms >= STABLE_MS && ran_ms >= c->stable_ms)
		c->backoff_ms = BACKOFF_MIN_MS;
	if (c->backoff_ms < DYING_GRACE_MS + BACKOFF_MIN_MS)
		c->backoff_ms = DYING_GRACE_MS + BACKOFF_MIN_MS;
	c->restarts++;
	log_info("%s: restarting in %d ms", c->name, c->backoff_ms);
	evtimer_add_ms(c->ev_restart, c->backoff_ms);
	c->backoff_ms *= 2;
	if (c->backoff_ms > BACKOFF_MAX_MS)
		c->backoff_ms = BACKOFF_MAX_MS;
}

int
child_reaped(struct child *c, pid_t pid, int status)
{
	if (c->pid == 0 || pid != c->pid || c->adopted)
		return 0;
	child_gone(c, status);
	return 1;
}

/* An adopted run is not our child: its pidfd says when it ends. */
static void
on_pidfd(evutil_socket_t fd, short what, void *arg)
{
	struct child	*c = arg;

	(void)fd;
	(void)what;
	if (c->pid != 0 && c->adopted)
		child_gone(c, -1);
}

int
child_adopt(struct child *c)
{
	unsigned long long start;
	pid_t		 pid;
	int		 found, scanned = 0;

	if (c->pid != 0)
		return 0;
	if ((found = adopt_find(c->record, c->argv, &pid, &start)) == 0) {
		if (!adopt_scan(c->argv, &pid, &start))
			return 0;
		log_info("%s: pid %d runs our command line, without a record",
		    c->name, (int)pid);
		found = scanned = 1;
	}
	/*
	 * Not watching it would mean starting a second one beside it, which
	 * takes the VIP from the first: leave instead (Linux 5.3 has pidfd).
	 */
	if ((c->pidfd = pidfd_open(pid, 0)) == -1) {
		if (errno == ESRCH)
			return 0;	/* ended meanwhile: nothing to adopt */
		fatal("%s: cannot watch the running pid %d (pidfd_open)",
		    c->name, (int)pid);
	}
	/* Still the same process, now that the pidfd holds it? */
	if (!adopt_same(pid, start)) {
		unwatch(c);
		return 0;
	}
	if (scanned)
		adopt_record(c->record, pid);	/* for the next vrouterd */
	c->ev_pidfd = event_new(c->vd->base, c->pidfd, EV_READ, on_pidfd, c);
	if (c->ev_pidfd == NULL || event_add(c->ev_pidfd, NULL) == -1)
		fatalx("%s: out of memory for events", c->name);
	c->pid = pid;
	c->adopted = 1;
	c->outdated = found == 2;
	c->want = 1;
	clock_gettime(CLOCK_MONOTONIC, &c->started);
	log_info("%s: adopted the running pid %d", c->name, (int)pid);
	if (c->on_start != NULL)
		c->on_start(c);
	return 1;
}

void
child_detach(struct child *c)
{
	c->want = 0;
	evtimer_del(c->ev_restart);
	evtimer_del(c->ev_kill);
	unwatch(c);
	if (c->pid != 0)
		log_info("%s: pid %d left running for the next vrouterd",
		    c->name, (int)c->pid);
	c->pid = 0;
}

void
child_free(struct child *c)
{
	int	 i;

	if (c->ev_restart != NULL)
		event_free(c->ev_restart);
	if (c->ev_kill != NULL)
		event_free(c->ev_kill);
	unwatch(c);
	for (i = 0; i < c->nargv; i++)
		free(c->argv[i]);
	for (i = 0; i < c->nstale; i++)
		free(c->stale[i]);
	memset(c, 0, sizeof(*c));
}
