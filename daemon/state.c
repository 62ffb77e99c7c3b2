/*
 * The router's VRRP state, from keepalived's ordered FIFO lines.  The
 * router as a whole follows its sync group (or, without one, the worst of
 * its instances); each change of that becomes one handover, in order.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "tbucket.h"
#include "vrouterd.h"

static uint8_t
to_vsp(uint8_t what)
{
	switch (what) {
	case FIFO_BACKUP:
		return VSP_ST_BACKUP;
	case FIFO_MASTER:
		return VSP_ST_MASTER;
	case FIFO_FAULT:
		return VSP_ST_FAULT;
	case FIFO_STOP:
	case FIFO_DELETED:
		return VSP_ST_STOP;
	default:
		return VSP_ST_INIT;
	}
}

/* How bad a state is, for "the worst of the instances". */
static int
badness(uint8_t st)
{
	switch (st) {
	case VSP_ST_MASTER:
		return 0;
	case VSP_ST_BACKUP:
		return 1;
	case VSP_ST_INIT:
		return 2;
	case VSP_ST_STOP:
		return 3;
	default:
		return 4;	/* FAULT */
	}
}

static uint8_t
derive(const struct vrouterd *vd)
{
	uint8_t	 worst = VSP_ST_MASTER;
	int	 i, groups = 0;

	for (i = 0; i < vd->nvrrp; i++)
		if (vd->vrrp[i].kind == FIFO_GROUP) {
			if (!groups++ || badness(vd->vrrp[i].state) >
			    badness(worst))
				worst = vd->vrrp[i].state;
		}
	if (groups > 0)
		return worst;
	if (vd->nvrrp == 0)
		return VSP_ST_INIT;
	for (i = 0; i < vd->nvrrp; i++)
		if (badness(vd->vrrp[i].state) > badness(worst))
			worst = vd->vrrp[i].state;
	return worst;
}

static struct vrrp_entry *
entry(struct vrouterd *vd, uint8_t kind, const char *name)
{
	struct vrrp_entry	*e;
	int			 i;

	for (i = 0; i < vd->nvrrp; i++)
		if (vd->vrrp[i].kind == kind &&
		    strcmp(vd->vrrp[i].name, name) == 0)
			return &vd->vrrp[i];
	if (vd->nvrrp == MAX_VRRP)
		return NULL;
	e = &vd->vrrp[vd->nvrrp++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	snprintf(e->name, sizeof(e->name), "%s", name);
	return e;
}

static void
decide(struct vrouterd *vd, const char *reason)
{
	uint8_t	 st = derive(vd), old = vd->router_state;

	if (st == old)
		return;
	log_info("router %s: %s -> %s (%s)", vd->conf.router_id,
	    vsp_state_name(old), vsp_state_name(st), reason);
	vd->router_state = st;
	vd->n_transitions++;
	clock_gettime(CLOCK_REALTIME, &vd->router_since);
	snprintf(vd->last_reason, sizeof(vd->last_reason), "%s", reason);
	metrics_decided(vd);
	standby_state(vd, old, st);
	handover_request(vd, st);
	vrouterd_replace_outdated(vd);
}

void
state_init(struct vrouterd *vd)
{
	vd->nvrrp = 0;
	vd->router_state = VSP_ST_INIT;
	vd->host_state = VSP_ST_INIT;
	clock_gettime(CLOCK_REALTIME, &vd->router_since);
	snprintf(vd->last_reason, sizeof(vd->last_reason), "start");
}

void
state_adopted(struct vrouterd *vd, int master)
{
	uint8_t	 st = master ? VSP_ST_MASTER : VSP_ST_BACKUP;

	log_info("router %s: %s, as the adopted keepalived is",
	    vd->conf.router_id, vsp_state_name(st));
	vd->router_state = st;
	snprintf(vd->last_reason, sizeof(vd->last_reason),
	    "adopted a running keepalived");
	metrics_decided(vd);
	/*
	 * Through the handover, as any decision: if keepalived became
	 * MASTER while no vrouterd ran, the commit still comes before the
	 * host is told (to a host that routes here already, it changes
	 * nothing).
	 */
	handover_request(vd, st);
}

void
state_event(struct vrouterd *vd, const struct fifo_event *ev,
    const char *source)
{
	struct vrrp_entry	*e;
	char			 reason[128];

	snprintf(reason, sizeof(reason), "%s %s %s from %s",
	    ev->kind == FIFO_GROUP ? "GROUP" : "INSTANCE", ev->name,
	    fifo_what_name(ev->what), source);
	log_debug("%s, priority %u", reason, ev->priority);
	if ((e = entry(vd, ev->kind, ev->name)) == NULL) {
		log_warnx("%s: more than %d VRRP instances and groups: ignored",
		    reason, MAX_VRRP);
		return;
	}
	e->priority = ev->priority;
	if (ev->what == FIFO_MASTER_RX_LOWER_PRI) {
		/*
		 * A lower-priority master exists (after a split brain).  It
		 * is not re-notified, so re-assert what only we can: tell the
		 * host again, which re-installs and re-announces the route.
		 * keepalived reports each such advert of each instance (180
		 * within 1 ms were seen): once per prio_times() reassert_ms
		 * is enough, and the same state sent again changes nothing
		 * on the host.
		 */
		if (vd->router_state == VSP_ST_MASTER &&
		    vd->host_state == VSP_ST_MASTER) {
			struct prio_times	 t;

			prio_times(vd->conf.advert_ms, &t);
			if (!prio_reassert_due(&t, &vd->reassert_ms,
			    mono_ms())) {
				log_debug("%s: re-asserted less than %u ms ago",
				    reason, t.reassert_ms);
				return;
			}
			log_info("%s: re-asserting the host route", reason);
			host_send(vd, VSP_ST_MASTER);
		}
		return;
	}
	e->state = to_vsp(ev->what);
	clock_gettime(CLOCK_REALTIME, &e->since);
	snprintf(e->reason, sizeof(e->reason), "%s", source);
	decide(vd, reason);
}

/*
 * keepalived died (or was killed) while it should run.  Its addresses may
 * still be on our interfaces: take them off, tell the host, and let the
 * child supervisor restart it.
 */
void
state_keepalived_died(struct vrouterd *vd, const char *why)
{
	int	 i;

	for (i = 0; i < vd->nvrrp; i++) {
		vd->vrrp[i].state = VSP_ST_FAULT;
		clock_gettime(CLOCK_REALTIME, &vd->vrrp[i].since);
		snprintf(vd->vrrp[i].reason, sizeof(vd->vrrp[i].reason), "%s",
		    why);
	}
	if (addrs_remove_vips(vd) == -1)
		log_warnx("could not remove every VIP after: %s", why);
	/*
	 * With no instance heard of yet (an adopted keepalived that wrote
	 * nothing since), the router is what it was claimed to be: INIT
	 * now, and the host is told.
	 */
	if (vd->nvrrp == 0 && vd->router_state == VSP_ST_INIT)
		return;
	decide(vd, why);
}

void
state_publish(struct vrouterd *vd, uint8_t st)
{
	vd->host_state = st;
	if (vd->guest != NULL)
		log_info("host: telling it %s", vsp_state_name(st));
	host_send(vd, st);
}
