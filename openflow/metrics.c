/*
 * vrouter-ofnat's metrics: a Prometheus text page (lib/prom.h) with the
 * switch connection, the legs, the controller's counters and the NAT
 * table's figures (what "show" returns).  Written every
 * METRICS_INTERVAL_MS as DIR/vrouter-ofnat.prom for node_exporter's
 * textfile collector when -P DIR is given, and returned by the control
 * command "metrics".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evglue.h"
#include "log.h"
#include "ofnat.h"
#include "prom.h"
#include "promwriter.h"

#define METRICS_INTERVAL_MS	5000
#define METRICS_FILE		"vrouter-ofnat.prom"

struct ofnat_metrics {
	struct ofnat	*o;
	const char	*dir;
	struct prom_writer *writer;
	double		 started;
};

static struct ofnat_metrics *metrics;	/* one controller per process */

#define CTR(name, help, v) do {					\
	prom_family(p, name, PROM_COUNTER, help);			\
	prom_sample_u64(p, name, (uint64_t)(v), NULL);			\
} while (0)
#define GAUGE(name, help, v) do {					\
	prom_family(p, name, PROM_GAUGE, help);				\
	prom_sample(p, name, (double)(v), NULL);			\
} while (0)

static void
page(struct prom *p, const struct ofnat *o)
{
	const struct ofnat_counters *c = &o->c;
	struct nat_stats st;
	char		 dp[32];
	int		 i, n;
	enum leg_state	 s;

	nat_stats_get(o->nat, &st);
	snprintf(dp, sizeof(dp), "%016llx", (unsigned long long)o->dpid);
	prom_family(p, "vrouter_ofnat_info", PROM_GAUGE,
	    "The router this controller runs.");
	prom_sample(p, "vrouter_ofnat_info", 1, "router_id",
	    o->conf.router_id, NULL);
	GAUGE("vrouter_ofnat_start_time_seconds",
	    "When vrouter-ofnat started, in seconds since the epoch.",
	    metrics->started);
	prom_family(p, "vrouter_ofnat_switch_connected", PROM_GAUGE,
	    "1 while a switch is connected (its datapath id as a label).");
	prom_sample(p, "vrouter_ofnat_switch_connected", ofconn_connected(o),
	    "datapath", dp, NULL);
	GAUGE("vrouter_ofnat_ready",
	    "1 once the switch's ports are known and the flows are in.",
	    o->ready);
	prom_family(p, "vrouter_ofnat_legs", PROM_GAUGE,
	    "Configured legs (the public one and the networks) by state.");
	for (s = LEG_WAIT_PORT; s <= LEG_ACTIVE; s++) {
		for (i = n = 0; i < OFNAT_MAX_LEGS; i++)
			n += o->legs[i].state == s;
		prom_sample(p, "vrouter_ofnat_legs", n, "state",
		    pipeline_leg_state(s), NULL);
	}
	CTR("vrouter_ofnat_connects_total",
	    "TCP connections accepted on the OpenFlow port.",
	    c->connects);
	CTR("vrouter_ofnat_switch_takeovers_total",
	    "Connections that became the switch (after HELLO and "
	    "FEATURES).", c->takeovers);
	CTR("vrouter_ofnat_switch_replaced_total",
	    "Of those, the ones that took a stale switch's place.",
	    c->replaced);
	GAUGE("vrouter_ofnat_switch_candidates",
	    "Connections still in their handshake.", ofconn_candidates(o));
	prom_family(p, "vrouter_ofnat_switch_candidates_refused_total",
	    PROM_COUNTER, "Candidate connections closed without becoming "
	    "the switch, by reason.");
	for (i = 0; i < OFCONN_REF_MAX; i++)
		prom_sample_u64(p,
		    "vrouter_ofnat_switch_candidates_refused_total",
		    c->refused[i], "reason", ofconn_refusal_name(i), NULL);
	CTR("vrouter_ofnat_setups_total",
	    "New sessions given flows.", c->setups);
	CTR("vrouter_ofnat_packet_ins_total",
	    "PACKET_IN messages from the switch.", c->packet_in);
	CTR("vrouter_ofnat_packet_in_misses_total",
	    "PACKET_INs from the table-miss flow.", c->packet_in_miss);
	CTR("vrouter_ofnat_packet_in_invalid_ttl_total",
	    "PACKET_INs for an expired TTL.", c->packet_in_ttl);
	CTR("vrouter_ofnat_packet_outs_total",
	    "PACKET_OUT messages sent.", c->packet_out);
	CTR("vrouter_ofnat_flow_mods_total",
	    "FLOW_MOD messages sent.", c->flow_mod);
	CTR("vrouter_ofnat_flows_removed_total",
	    "FLOW_REMOVED messages from the switch.", c->flow_removed);
	CTR("vrouter_ofnat_switch_errors_total",
	    "ERROR messages from the switch.", c->errors);
	CTR("vrouter_ofnat_arp_requests_total",
	    "ARP requests sent.", c->arp_requests);
	CTR("vrouter_ofnat_arp_replies_total",
	    "ARP replies sent for the router's addresses.", c->arp_replies);
	CTR("vrouter_ofnat_echo_replies_total",
	    "Pings to the router answered by the controller.",
	    c->echo_replies);
	CTR("vrouter_ofnat_time_exceeded_total",
	    "ICMP time exceeded sent.", c->time_exceeded);
	CTR("vrouter_ofnat_icmp_errors_translated_total",
	    "ICMP errors translated for an inside host.", c->icmp_translated);
	CTR("vrouter_ofnat_hairpins_total",
	    "Sessions hairpinned from inside to a port forward.",
	    c->hairpins);
	CTR("vrouter_ofnat_dropped_total",
	    "Packets the controller dropped.", c->dropped);
	CTR("vrouter_ofnat_filtered_total",
	    "Inbound packets refused by the NAT's filtering.", st.filtered);
	CTR("vrouter_ofnat_port_exhausted_total",
	    "New mappings refused: no public port left.", st.exhausted);
	GAUGE("vrouter_ofnat_mappings",
	    "NAT mappings, port forwards included.", st.mappings);
	GAUGE("vrouter_ofnat_forwards", "Port forwards.", st.forwards);
	GAUGE("vrouter_ofnat_sessions", "NAT sessions.", st.sessions);
	CTR("vrouter_ofnat_mappings_created_total",
	    "Mappings ever made.", st.created);
	CTR("vrouter_ofnat_mappings_reclaimed_total",
	    "Dynamic mappings ended.", st.reclaimed);
	CTR("vrouter_ofnat_flow_audits_total",
	    "Reads of the switch's session flows compared with the "
	    "sessions (each (re)connection, then periodically).", c->audits);
	CTR("vrouter_ofnat_flow_audits_failed_total",
	    "Reads refused, cut off, over a cap or late; tried again.",
	    c->audits_failed);
	prom_family(p, "vrouter_ofnat_reconciled_sessions_total",
	    PROM_COUNTER, "Sessions whose flows the switch did not have as "
	    "counted, by what was done.");
	prom_sample_u64(p, "vrouter_ofnat_reconciled_sessions_total",
	    c->recon_reinstalled, "action", "reinstalled", NULL);
	prom_sample_u64(p, "vrouter_ofnat_reconciled_sessions_total",
	    c->recon_flowless, "action", "left_to_next_packet", NULL);
	prom_sample_u64(p, "vrouter_ofnat_reconciled_sessions_total",
	    c->recon_expired, "action", "expired", NULL);
	prom_sample_u64(p, "vrouter_ofnat_reconciled_sessions_total",
	    c->recon_adopted, "action", "adopted", NULL);
	CTR("vrouter_ofnat_stray_flows_deleted_total",
	    "Session-cookie flows in the switch that no session owned.",
	    c->recon_stray);
	GAUGE("vrouter_ofnat_send_queue_bytes",
	    "Bytes queued to the switch.", ofconn_queued(o));
}

char *
ofnat_metrics_page(struct ofnat *o, size_t *len)
{
	struct prom	 p;

	if (metrics == NULL || metrics->o != o) {
		errno = ENOENT;
		return NULL;
	}
	prom_init(&p);
	page(&p, o);
	return prom_page_take(&p, len);
}

/* The page, as the writer asks for it. */
static char *
page_of(void *arg, size_t *len)
{
	return ofnat_metrics_page(arg, len);
}

int
ofnat_metrics_init(struct ofnat *o, const char *dir)
{
	struct ofnat_metrics *m;
	struct timespec	 ts;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	m->o = o;
	m->dir = dir;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->started = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	metrics = m;
	if (dir == NULL)
		return 0;
	if ((m->writer = prom_writer_new(o->base, dir, METRICS_FILE,
	    METRICS_INTERVAL_MS, page_of, o)) == NULL) {
		ofnat_metrics_free();
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
ofnat_metrics_free(void)
{
	if (metrics == NULL)
		return;
	prom_writer_free(metrics->writer);
	free(metrics);
	metrics = NULL;
}
