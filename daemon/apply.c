/*
 * One apply of a router description for start and reload: the files and
 * the NAT rules of the new description, or nothing.  Files are staged
 * first (a full disk fails before any rule changes), the rules go in as
 * one iptables-restore (nat.c), and only then are the files renamed into
 * place.  A rename that fails after the rules went in puts the old rules
 * and files back, so no daemon runs a file that does not match the rules.
 *
 * iptables-restore runs as a child the event loop reaps, like the
 * handover's conntrackd steps: however long it takes, the notify FIFO is
 * read and a transition reaches the host meanwhile.  A run gets RUN_MS;
 * then its group is killed.  nf_tables commits a table whole or not at
 * all, but a kill takes effect only when the kernel has answered, so a
 * killed run may have committed a table: the old rules go back in (on a
 * reload; a start fails).  One apply runs at a time; a
 * reload asked meanwhile runs once it ends, with the file as it is then
 * (several such asks make one reload).
 */
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "evglue.h"
#include "jsonutil.h"
#include "log.h"
#include "proc.h"
#include "vrouterd.h"

#define RUN_MS		10000

enum { AP_IDLE, AP_RULES, AP_ROLLBACK };

struct apply {
	struct vrouterd		*vd;
	int			 phase;		/* AP_* */
	struct router_conf	*next;		/* being applied (ours) */
	const struct router_conf *old;		/* in force; NULL at start */
	apply_done_fn		 done;
	pid_t			 pid;
	int			 rules;		/* ours in the set applied */
	int			 ka, ct;	/* files staged */
	int			 back_ka, back_ct;	/* old's, staged */
	int			 timed_out;
	struct event		*ev_timeout;
	struct timespec		 started;	/* monotonic */
	uint64_t		 id;		/* the running or last one */
	char			 why[64];
	char			 err[512];	/* a failure rolled back */
	int			 pending;	/* a reload asked meanwhile */
	char			 pending_why[64];

	/* the rules in the kernel: how many are ours, since when */
	int			 in_force;
	struct timespec		 in_force_at;	/* realtime */

	/* the last one's outcome, for status */
	uint64_t		 last_id;
	int			 last_ok;
	double			 last_ms;
	struct timespec		 last_at;
	char			 last_why[64];
	char			 last_err[512];
	uint64_t		 n_ok, n_failed;
};

static void	 finish(struct apply *, int ok, const char *err);

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct apply	*ap = arg;

	(void)fd;
	(void)what;
	if (ap->pid <= 0)
		return;
	log_warnx("apply: %s still runs after %d ms: killed",
	    ap->vd->iptables_restore, RUN_MS);
	ap->timed_out = 1;
	proc_kill_group(ap->pid, SIGKILL);
}

/* Run iptables-restore on what nat_stage left; -1 with ap->err. */
static int
run_rules(struct apply *ap)
{
	ap->timed_out = 0;
	if ((ap->pid = nat_spawn(ap->vd, ap->err, sizeof(ap->err))) == -1) {
		ap->pid = 0;
		nat_abort(ap->vd);
		return -1;
	}
	evtimer_add_ms(ap->ev_timeout, RUN_MS);
	return 0;
}

int
apply_init(struct vrouterd *vd)
{
	struct apply	*ap;

	if ((ap = calloc(1, sizeof(*ap))) == NULL)
		return -1;
	ap->vd = vd;
	if ((ap->ev_timeout = evtimer_new(vd->base, on_timeout, ap)) == NULL) {
		free(ap);
		return -1;
	}
	vd->apply = ap;
	return 0;
}

int64_t
apply_config(struct vrouterd *vd, struct router_conf *next,
    const struct router_conf *old, const char *why, apply_done_fn done,
    char *err, size_t errlen)
{
	struct apply	*ap = vd->apply;

	if (ap->phase != AP_IDLE) {
		snprintf(err, errlen, "an apply is running");
		free(next);
		return -1;
	}
	memset(ap->err, 0, sizeof(ap->err));
	ap->id++;
	ap->next = next;
	ap->old = old;
	ap->done = done;
	ap->ka = ap->ct = 0;
	ap->phase = AP_RULES;
	snprintf(ap->why, sizeof(ap->why), "%s", why);
	clock_gettime(CLOCK_MONOTONIC, &ap->started);
	if (render_all(vd, next, 1, &ap->ka, &ap->ct, ap->err,
	    sizeof(ap->err)) == -1)
		goto fail;
	if ((ap->rules = nat_stage(vd, next, ap->err, sizeof(ap->err))) == -1 ||
	    run_rules(ap) == -1) {
		render_abort(vd);
		goto fail;
	}
	return (int64_t)ap->id;
fail:
	/* Nothing changed; the caller hears it here, not through done. */
	snprintf(err, errlen, "%s", ap->err);
	ap->done = NULL;
	finish(ap, 0, ap->err);
	return -1;
}

/*
 * Put the old description's rules back, and its files once they are in:
 * after the new rules went in but the files could not follow, and after
 * a run killed for its time (nf_tables may have committed a table before
 * the kill took effect).  0 once running, -1 when there is nothing to go
 * back to (the start) or it could not begin.
 */
static int
roll_back(struct apply *ap)
{
	struct vrouterd	*vd = ap->vd;
	char		 e[256];

	if (ap->old == NULL)
		return -1;
	ap->back_ka = ap->back_ct = 0;
	ap->timed_out = 0;
	if (render_all(vd, ap->old, 1, &ap->back_ka, &ap->back_ct, e,
	    sizeof(e)) == -1 ||
	    (ap->rules = nat_stage(vd, ap->old, e, sizeof(e))) == -1 ||
	    (ap->pid = nat_spawn(vd, e, sizeof(e))) == -1) {
		ap->pid = 0;
		nat_abort(vd);
		render_abort(vd);
		log_warnx("apply: the old description could not be put "
		    "back: %s", e);
		return -1;
	}
	evtimer_add_ms(ap->ev_timeout, RUN_MS);
	ap->phase = AP_ROLLBACK;
	return 0;
}

/* The old rules' run ended: the old files follow them, or say so. */
static void
rolled_back(struct apply *ap, int status, const char *e)
{
	struct vrouterd	*vd = ap->vd;
	char		 msg[sizeof(ap->err)], c[256];
	size_t		 n = strlen(ap->err);

	if (status == 0 && render_commit(vd, ap->back_ka, ap->back_ct, c,
	    sizeof(c)) == 0) {
		ap->in_force = ap->rules;
		clock_gettime(CLOCK_REALTIME, &ap->in_force_at);
		snprintf(msg, sizeof(msg), "%.*s; the old description is back",
		    (int)n, ap->err);
	} else {
		if (status != 0)
			render_abort(vd);
		snprintf(msg, sizeof(msg), "%.*s; putting the old one back "
		    "failed too (%.200s): the rules in force are unknown until "
		    "the next apply", (int)n, ap->err, status != 0 ? e : c);
		log_warnx("apply: %s", msg);
	}
	finish(ap, 0, msg);
}

int
apply_reaped(struct vrouterd *vd, pid_t pid, int status)
{
	struct apply	*ap = vd->apply;
	char		 e[512];

	if (ap == NULL || ap->pid <= 0 || pid != ap->pid)
		return 0;
	ap->pid = 0;
	evtimer_del(ap->ev_timeout);
	if (nat_finish(vd, status, e, sizeof(e)) == 0)
		e[0] = '\0';
	else if (ap->timed_out)
		snprintf(e, sizeof(e), "%s --noflush: killed after %d ms",
		    vd->iptables_restore, RUN_MS);

	if (ap->phase == AP_ROLLBACK) {
		rolled_back(ap, status, e);
		return 1;
	}
	if (status != 0) {
		render_abort(vd);
		snprintf(ap->err, sizeof(ap->err), "%s", e);
		/* Killed: a table may have gone in all the same. */
		if (!ap->timed_out || roll_back(ap) == -1)
			finish(ap, 0, ap->err);
		return 1;
	}
	ap->in_force = ap->rules;
	clock_gettime(CLOCK_REALTIME, &ap->in_force_at);
	if (render_commit(vd, ap->ka, ap->ct, ap->err, sizeof(ap->err)) == -1) {
		if (roll_back(ap) == -1)
			finish(ap, 0, ap->err);
		return 1;
	}
	finish(ap, 1, NULL);
	return 1;
}

static void
finish(struct apply *ap, int ok, const char *err)
{
	struct router_conf *next = ap->next;
	apply_done_fn	 done = ap->done;

	ap->phase = AP_IDLE;
	ap->next = NULL;
	ap->old = NULL;
	ap->last_id = ap->id;
	ap->last_ok = ok;
	ap->last_ms = ts_ms_since(&ap->started);
	clock_gettime(CLOCK_REALTIME, &ap->last_at);
	snprintf(ap->last_why, sizeof(ap->last_why), "%s", ap->why);
	snprintf(ap->last_err, sizeof(ap->last_err), "%s", ok ? "" : err);
	if (ok)
		ap->n_ok++;
	else
		ap->n_failed++;
	if (done != NULL)
		done(ap->vd, next, ok, ap->ka, ap->ct, ok ? NULL : err,
		    ap->last_ms);
	free(next);
	/* A reload asked while this one ran: its waiter gets an answer. */
	if (ap->pending) {
		char	 e[512], why[64];

		ap->pending = 0;
		snprintf(why, sizeof(why), "%s", ap->pending_why);
		if (ap->vd->stopping)
			apply_refused(ap->vd, why, "vrouterd is stopping");
		else
			vrouterd_reload(ap->vd, why, e, sizeof(e));
	}
}

void
apply_refused(struct vrouterd *vd, const char *why, const char *err)
{
	struct apply	*ap = vd->apply;

	ap->id++;
	ap->done = NULL;
	snprintf(ap->why, sizeof(ap->why), "%s", why);
	clock_gettime(CLOCK_MONOTONIC, &ap->started);
	finish(ap, 0, err);
}

int
apply_busy(const struct vrouterd *vd)
{
	return vd->apply != NULL && vd->apply->phase != AP_IDLE;
}

uint64_t
apply_defer(struct vrouterd *vd, const char *why)
{
	struct apply	*ap = vd->apply;

	if (!ap->pending)
		log_info("reload (%s): after the apply that runs", why);
	ap->pending = 1;
	snprintf(ap->pending_why, sizeof(ap->pending_why), "%s", why);
	return ap->id + 1;
}

json_t *
apply_json(const struct vrouterd *vd)
{
	const struct apply *ap = vd->apply;
	json_t		*o;

	/* Numbers start again with each vrouterd: the pid tells which. */
	o = json_pack("{s:I, s:b, s:b, s:I, s:I, s:I}", "pid",
	    (json_int_t)getpid(), "running", ap->phase != AP_IDLE, "pending",
	    ap->pending, "id", (json_int_t)ap->id, "applied",
	    (json_int_t)ap->n_ok, "failed", (json_int_t)ap->n_failed);
	if (ap->last_id > 0)
		json_object_set_new(o, "last", json_pack(
		    "{s:I, s:b, s:s, s:s, s:f, s:o}", "id",
		    (json_int_t)ap->last_id, "ok", ap->last_ok, "why",
		    ap->last_why, "error", ap->last_err, "ms", ap->last_ms,
		    "at", json_time(&ap->last_at)));
	return o;
}

void
apply_view(const struct vrouterd *vd, struct apply_view *v)
{
	const struct apply *ap = vd->apply;

	v->running = ap->phase != AP_IDLE;
	v->ok = ap->n_ok;
	v->failed = ap->n_failed;
	v->last_ms = ap->last_ms;
}

int
apply_rules(const struct vrouterd *vd, struct timespec *applied)
{
	if (applied != NULL)
		*applied = vd->apply->in_force_at;
	return vd->apply->in_force;
}

void
apply_free(struct vrouterd *vd)
{
	struct apply	*ap = vd->apply;
	char		 e[512];
	int		 status;

	if (ap == NULL)
		return;
	if (ap->pid > 0) {
		/*
		 * Leaving mid-apply.  A run that had ended by itself is
		 * finished; a killed one leaves the rules unknown, and the
		 * next start applies the file anyway.
		 */
		proc_kill_group(ap->pid, SIGKILL);
		if (waitpid(ap->pid, &status, 0) == ap->pid && status == 0 &&
		    ap->phase == AP_RULES &&
		    nat_finish(vd, status, e, sizeof(e)) == 0 &&
		    render_commit(vd, ap->ka, ap->ct, e, sizeof(e)) == 0)
			log_info("apply: ended as vrouterd left");
		else {
			log_warnx("apply: cut short as vrouterd left; the "
			    "next start applies the description again");
			nat_abort(vd);
			render_abort(vd);
		}
	}
	free(ap->next);
	event_free(ap->ev_timeout);
	free(ap);
	vd->apply = NULL;
}
