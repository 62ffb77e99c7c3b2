/*
 * Telling the host agent: the router's full state over the virtio-serial
 * port, resent by the vsp guest session until the host acks it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "tbucket.h"
#include "vrouterd.h"
#include "vsp_guest.h"

#define YIELD_MIN_MS	1000

static void
on_ack(const struct vsp_ack_msg *ack, void *arg)
{
	struct vrouterd	*vd = arg;
	char		 buf[INET_ADDRSTRLEN];
	uint16_t	 i;

	vd->host_acked = 1;
	vd->last_ack = *ack;
	metrics_host_ack(vd, ack);
	for (i = 0; i < ack->nresults; i++) {
		const struct vsp_result_entry *r = &ack->results[i];

		if (r->result == VSP_RES_REFUSED || r->result == VSP_RES_FAILED)
			log_warnx("host: %s %s: %s", inet_ntop(AF_INET,
			    &r->addr, buf, sizeof(buf)),
			    vsp_result_name(r->result),
			    vsp_reason_name(r->reason));
		else
			log_debug("host: %s %s", inet_ntop(AF_INET, &r->addr,
			    buf, sizeof(buf)), vsp_result_name(r->result));
	}
}

/*
 * The ack counts on the connection it came on only: the guest voids it
 * when the host goes, the port is reopened or the host greets again, so
 * status never shows a route the host may no longer hold.
 */
static void
on_channel(enum vsp_chan chan, int acked, void *arg)
{
	struct vrouterd	*vd = arg;

	if (vd->host_acked && !acked)
		log_info("host: ack void, channel %s", vsp_chan_name(chan));
	vd->host_acked = acked;
}

/*
 * The host asks us to hand mastership over: its VM is about to move
 * (live migration, failover, move).  This is `vrouterctl failover`, asked
 * from below; the states we send next tell the host how it went, so a
 * YIELD that cannot be acted on needs no answer of its own.  Acted on at
 * most once per YIELD_MIN_MS: a failover under way is not started again.
 */
static void
on_yield(const struct vsp_yield_msg *y, void *arg)
{
	struct vrouterd	*vd = arg;
	uint64_t	 now = mono_ms();
	char		 err[256];

	if (vd->router_state != VSP_ST_MASTER) {
		log_info("host asks us to hand over (request %u): this node "
		    "is %s, nothing to hand over", y->request,
		    vsp_state_name(vd->router_state));
		return;
	}
	if (vd->yield_at_ms != 0 && now - vd->yield_at_ms < YIELD_MIN_MS) {
		log_info("host asks us to hand over (request %u): already "
		    "stepping down", y->request);
		return;
	}
	vd->yield_at_ms = now;
	if (standby_failover(vd, err, sizeof(err)) == -1) {
		log_warnx("host asks us to hand over (request %u): %s",
		    y->request, err);
		return;
	}
	log_info("host asks us to hand over (request %u): stepping down",
	    y->request);
}

int
host_init(struct vrouterd *vd)
{
	if (vd->conf.host_port[0] == '\0')
		return 0;
	vd->guest = vsp_guest_new(vd->base, vd->conf.host_port, on_ack, vd);
	if (vd->guest == NULL)
		return -1;
	vsp_guest_on_yield(vd->guest, on_yield, vd);
	vsp_guest_on_channel(vd->guest, on_channel, vd);
	return 0;
}

/* Send the full state with the public VIP claimed as st. */
void
host_send(struct vrouterd *vd, uint8_t st)
{
	struct vsp_state_msg	 msg;

	if (vd->guest == NULL)
		return;
	host_state(vd, st, &msg);
	vd->host_acked = 0;
	if (vsp_guest_set_state(vd->guest, &msg) == -1)
		log_warn("host: state not sent");
}

void
host_free(struct vrouterd *vd)
{
	vsp_guest_free(vd->guest);
	vd->guest = NULL;
}
