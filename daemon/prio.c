/*
 * The priority this node should advertise, by its role, and the times of
 * a planned step-down: pure, for standby.c and the unit tests.
 *
 * keepalived's `nopreempt` cannot hand over without a break: a node that
 * ignores a lower-priority master also ignores one that asks to be
 * replaced.  So preemption stays on and a running master keeps the role
 * by priority instead: VRRP compares priorities only, and a master
 * outranks every node that is not.  The priority space is cut into three
 * bands, each ordered by the configured priority:
 *
 *	not MASTER		  1 .. 168	(the configured one, up to 168)
 *	MASTER, fresh		169 .. 211	(the first seconds)
 *	MASTER, settled		212 .. 254
 *	yielding		  1		(a planned step-down)
 *
 * A node that is not MASTER keeps its configured priority (up to 168),
 * so a backup's skew time, and with it a crash failover, stays as VRRP
 * has it.
 * A returning node, however high its priority, hears a master above it
 * and stays BACKUP.  Two masters that meet (a split brain healed) keep the
 * one that was MASTER longest, then the higher configured priority: a
 * node that became MASTER only because it missed the adverts (starved on
 * its way back) loses to the settled one.  A yielding master advertises
 * 1: the peer preempts, becomes MASTER first, and only its advert makes
 * this node leave.  With vrrp.preempt the configured priority alone
 * decides, as VRRP does.
 */
#include "vrouterd.h"

#define CANDIDATE_MAX	168	/* the top of the band of nodes not MASTER */
#define MASTER_BAND	43	/* width of each master band */

/* Position of a configured priority (1..254) in a master band: 0..42. */
static int
rank(int base)
{
	if (base < 1)
		base = 1;
	if (base > 254)
		base = 254;
	return (base - 1) * (MASTER_BAND - 1) / 253;
}

int
prio_target(int base, int preempt, enum prio_role role)
{
	if (role == PRIO_YIELD)
		return 1;
	if (preempt)
		return base;
	switch (role) {
	case PRIO_FRESH:
		return CANDIDATE_MAX + 1 + rank(base);
	case PRIO_HOLD:
		return CANDIDATE_MAX + 1 + MASTER_BAND + rank(base);
	default:
		return base < CANDIDATE_MAX ? base : CANDIDATE_MAX;
	}
}

/*
 * What vrouterd writes into the track file: keepalived adds it (weight 1)
 * to the configured priority.  -253 is the lowest value that is not a
 * FAULT; keepalived keeps the sum within 1..254.
 */
int
prio_bonus(int base, int preempt, enum prio_role role)
{
	if (role == PRIO_YIELD)
		return -253;
	return prio_target(base, preempt, role) - base;
}

/*
 * The times of a planned step-down, from the advert interval (ms):
 *  bound   the peer must be MASTER within this, or the yield is undone;
 *          it needs its master-down interval, 3 adverts and a skew, to
 *          preempt a lower priority;
 *  drain   after the peer's advert made this node BACKUP, its host keeps
 *          routing here until nothing has arrived on the public leg for
 *          drain_quiet (the upstream follows the new master's host, whose
 *          route comes after the peer's own handover: commit, telling its
 *          host), and at least drain, at most drain_max: the
 *          hypervisors' routes overlap instead of leaving a gap;
 *  linger  after the drain, MASTER again within this (the new master's
 *          adverts late, most likely, not its death) is not trusted at
 *          once: see confirm;
 *  settle  a new master is "fresh" this long before it holds the role at
 *          its highest;
 *  confirm MASTER again while lingering (the new master's adverts came
 *          late, most likely, while it was busy with its own handover):
 *          the host is told only after this, if the peer stays silent.
 *  reassert a master hearing a lower priority (after a split brain) tells
 *          its host again at most once in this: keepalived reports every
 *          such advert, of every instance, and the peer needs its own
 *          few adverts to step down.
 */
void
prio_times(unsigned int advert_ms, struct prio_times *t)
{
	t->bound_ms = 10 * advert_ms + 1000;
	t->drain_ms = 5 * advert_ms + 400;
	t->drain_quiet_ms = 5 * advert_ms + 300;
	t->drain_max_ms = 10 * advert_ms + 10000;
	t->linger_ms = 20 * advert_ms + 2000;
	t->confirm_ms = 10 * advert_ms + 200;
	t->settle_ms = 20 * advert_ms + 2000;
	t->reassert_ms = 3 * advert_ms > 100 ? 3 * advert_ms : 100;
}

int
prio_reassert_due(const struct prio_times *t, uint64_t *last_ms,
    uint64_t now_ms)
{
	/* a clock going back counts as the interval having passed */
	if (*last_ms != 0 && now_ms >= *last_ms &&
	    now_ms - *last_ms < t->reassert_ms)
		return 0;
	*last_ms = now_ms;
	return 1;
}

int
prio_drain_done(const struct prio_times *t, unsigned int elapsed_ms,
    unsigned int quiet_ms)
{
	if (elapsed_ms >= t->drain_max_ms)
		return 1;
	return elapsed_ms >= t->drain_ms && quiet_ms >= t->drain_quiet_ms;
}
