/*
 * The router on the switch (ofnat.h, docs/ofnat.md), split by job into
 * the files pipeline_priv.h lists.  This one ties them together: what the
 * switch connection reports (ready, lost) and the 1 s tick, and the
 * messages every part sends (flow mods, packet-outs, barriers).
 */
#include <string.h>

#include "log.h"
#include "ofnat.h"
#include "packet.h"
#include "pipeline_priv.h"

/* --- sending -------------------------------------------------------- */

void
flow_send(struct ofnat *o, const struct ofp_flow_mod *fm)
{
	ssize_t	 n;

	if ((n = ofp_encode_flow_mod(o->msg, sizeof(o->msg), ofconn_xid(o),
	    fm)) == -1) {
		log_warn("flow_mod: encode");
		return;
	}
	if (ofconn_send(o, o->msg, (size_t)n) == 0)
		o->c.flow_mod++;
}

static void
packet_out(struct ofnat *o, uint32_t in_port, const struct ofp_actions *a,
    const uint8_t *data, size_t len)
{
	struct ofp_packet_out	 po;
	ssize_t			 n;

	memset(&po, 0, sizeof(po));
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = in_port;
	po.actions = *a;
	po.data = data;
	po.data_len = len;
	if ((n = ofp_encode_packet_out(o->msg, sizeof(o->msg), ofconn_xid(o),
	    &po)) == -1) {
		log_warn("packet_out: encode");
		return;
	}
	if (ofconn_send(o, o->msg, (size_t)n) == 0)
		o->c.packet_out++;
}

/* Send a frame out of port (IN_PORT when it came in there). */
void
send_frame(struct ofnat *o, uint32_t in_port, uint32_t out_port,
    const uint8_t *data, size_t len)
{
	struct ofp_actions	 a;

	memset(&a, 0, sizeof(a));
	ofp_actions_output(&a, out_port == in_port ? OFPP_IN_PORT : out_port,
	    0);
	packet_out(o, in_port, &a, data, len);
}

uint32_t
barrier(struct ofnat *o)
{
	uint32_t	 xid = ofconn_xid(o);
	ssize_t		 n;

	if ((n = ofp_encode_barrier_request(o->msg, sizeof(o->msg), xid)) ==
	    -1 || ofconn_send(o, o->msg, (size_t)n) == -1)
		return 0;
	return xid;
}

/* Delete flows: by exact cookie (mask ~0) or with a port filter. */
void
flows_delete(struct ofnat *o, uint64_t cookie, uint64_t mask,
    uint32_t out_port, uint32_t in_port)
{
	struct ofp_flow_mod	 fm;

	ofp_flow_mod_init(&fm);
	fm.command = OFPFC_DELETE;
	fm.table_id = OFPTT_ALL;
	fm.cookie = cookie;
	fm.cookie_mask = mask;
	if (out_port != 0)
		fm.out_port = out_port;
	ofp_match_init(&fm.match);
	if (in_port != 0)
		ofp_match_in_port(&fm.match, in_port);
	flow_send(o, &fm);
}

/* --- switch events --------------------------------------------------- */

void
pipeline_ready(struct ofnat *o)
{
	static int		 started;
	struct ofp_flow_mod	 fm;
	int			 i;

	/*
	 * At start the switch may hold flows of an earlier controller
	 * whose sessions this process does not know: clear everything.  On
	 * a reconnect the session flows stay (their FlowRemoved still
	 * comes to us); the rest is installed again.
	 */
	if (!started)
		flows_delete(o, 0, 0, 0, 0);
	else
		flows_delete(o, COOKIE_BASE, COOKIE_BASE, 0, 0);
	started = 1;
	flows_delete(o, COOKIE_LEG, COOKIE_LEG, 0, 0);

	ofp_flow_mod_init(&fm);
	fm.cookie = COOKIE_BASE;
	fm.priority = PRIO_MISS;
	ofp_match_init(&fm.match);
	fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_output(&fm.apply, OFPP_CONTROLLER, OFPCML_NO_BUFFER);
	flow_send(o, &fm);
	fm.priority = PRIO_ARP;
	ofp_match_eth_type(&fm.match, ETHTYPE_ARP);
	flow_send(o, &fm);

	for (i = 0; i < OFNAT_MAX_LEGS; i++) {
		if (o->legs[i].state == LEG_UNUSED)
			continue;
		o->legs[i].state = LEG_WAIT_PORT;
		o->legs[i].port_no = 0;
	}
	legs_match_ports(o);
	o->ready = 1;
	/* The switch may have lost session flows (a restart), or hold
	 * some no session owns: read them back and compare. */
	audit_stop(o);
	audit_start(o);
}

void
pipeline_lost(struct ofnat *o)
{
	int	 i;

	o->ready = 0;
	audit_stop(o);
	for (i = 0; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state != LEG_UNUSED) {
			o->legs[i].state = LEG_WAIT_PORT;
			o->legs[i].port_no = 0;
		}
	memset(o->pending, 0, sizeof(o->pending));
}

void
pipeline_tick(struct ofnat *o)
{
	uint64_t	 now = ofnat_now_ms();

	nat_expire(o->nat, now, end_session, o);
	arp_tick(o, now);
	audit_tick(o, now);
}
