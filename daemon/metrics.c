/*
 * vrouterd's metrics: a Prometheus text page (lib/prom.h), written every
 * METRICS_INTERVAL_MS as DIR/vrouterd.prom for node_exporter's textfile
 * collector when -P DIR is given, and returned by the control command
 * "metrics".  No listener: a router VM opens no port for this.
 *
 * Besides what the status shows, this file times the handovers: from the
 * router's decision (state.c) until the host acknowledged the new state,
 * or, without a host channel, until the handover's steps are done.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evglue.h"
#include "log.h"
#include "prom.h"
#include "promwriter.h"
#include "vrouterd.h"
#include "vsp_guest.h"

#define METRICS_INTERVAL_MS	5000
#define METRICS_FILE		"vrouterd.prom"

struct metrics {
	struct vrouterd	*vd;
	const char	*dir;		/* NULL: no file, control only */
	struct prom_writer *writer;
	double		 started;	/* wall clock, seconds */

	int		 pending;	/* a decision not yet handed over */
	uint8_t		 pending_to;
	struct timespec	 decided;	/* CLOCK_MONOTONIC */
	double		 last_s;	/* the last handover's duration */
	uint8_t		 last_to;
	struct prom_hist ho[VSP_ST_MAX];	/* by target state */

	uint64_t	 acks;
	uint64_t	 results[VSP_RES_MAX];
};

static const double ho_buckets[] = {
	0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30
};

static void
handed_over(struct metrics *m)
{
	double	 s = ts_ms_since(&m->decided) / 1000.0;

	m->pending = 0;
	m->last_s = s;
	m->last_to = m->pending_to;
	prom_hist_observe(&m->ho[m->pending_to], s);
}

void
metrics_decided(struct vrouterd *vd)
{
	struct metrics	*m = vd->metrics;

	if (m == NULL || vd->router_state >= VSP_ST_MAX)
		return;
	/* A newer decision restarts the clock: the older one never landed. */
	m->pending = 1;
	m->pending_to = vd->router_state;
	clock_gettime(CLOCK_MONOTONIC, &m->decided);
}

void
metrics_handover_done(struct vrouterd *vd)
{
	struct metrics	*m = vd->metrics;

	if (m != NULL && m->pending && vd->guest == NULL &&
	    vd->host_state == m->pending_to)
		handed_over(m);
}

void
metrics_host_ack(struct vrouterd *vd, const struct vsp_ack_msg *ack)
{
	struct metrics	*m = vd->metrics;
	uint16_t	 i;

	if (m == NULL)
		return;
	m->acks++;
	for (i = 0; i < ack->nresults; i++)
		if (ack->results[i].result < VSP_RES_MAX)
			m->results[ack->results[i].result]++;
	if (m->pending && vd->host_state == m->pending_to)
		handed_over(m);
}

/* One sample per state, 1 for the one it is in. */
static void
one_hot_state(struct prom *p, const char *name, uint8_t st, const char *k1,
    const char *v1, const char *k2, const char *v2)
{
	unsigned int	 s;

	for (s = 0; s < VSP_ST_MAX; s++)
		if (k1 == NULL)
			prom_sample(p, name, s == st, "state",
			    vsp_state_name(s), NULL);
		else
			prom_sample(p, name, s == st, k1, v1, k2, v2, "state",
			    vsp_state_name(s), NULL);
}

static void
page_vrrp(struct prom *p, const struct vrouterd *vd)
{
	const struct vrrp_entry *e;
	struct fifo_view fv;
	int		 i;

	prom_family(p, "vrouter_info", PROM_GAUGE,
	    "The router this vrouterd runs, as its description names it.");
	prom_sample(p, "vrouter_info", 1, "router_id", vd->conf.router_id,
	    "node", vd->conf.node, NULL);
	prom_family(p, "vrouter_start_time_seconds", PROM_GAUGE,
	    "When vrouterd started, in seconds since the epoch.");
	prom_sample(p, "vrouter_start_time_seconds", vd->metrics->started,
	    NULL);
	prom_family(p, "vrouter_router_state", PROM_GAUGE,
	    "The router's VRRP state as decided (1 for the current one).");
	one_hot_state(p, "vrouter_router_state", vd->router_state, NULL, NULL,
	    NULL, NULL);
	prom_family(p, "vrouter_vrrp_state", PROM_GAUGE,
	    "Each VRRP instance's and sync group's state as keepalived last "
	    "reported it (1 for the current one).");
	for (i = 0; i < vd->nvrrp; i++) {
		e = &vd->vrrp[i];
		one_hot_state(p, "vrouter_vrrp_state", e->state, "kind",
		    e->kind == FIFO_GROUP ? "group" : "instance", "name",
		    e->name);
	}
	prom_family(p, "vrouter_vrrp_priority", PROM_GAUGE,
	    "Each VRRP instance's and sync group's last reported priority.");
	for (i = 0; i < vd->nvrrp; i++) {
		e = &vd->vrrp[i];
		prom_sample(p, "vrouter_vrrp_priority", e->priority, "kind",
		    e->kind == FIFO_GROUP ? "group" : "instance", "name",
		    e->name, NULL);
	}
	prom_family(p, "vrouter_transitions_total", PROM_COUNTER,
	    "Changes of the router's state since vrouterd started.");
	prom_sample_u64(p, "vrouter_transitions_total", vd->n_transitions,
	    NULL);
	prom_family(p, "vrouter_maintenance", PROM_GAUGE,
	    "1 while maintenance keeps this node out of MASTER.");
	prom_sample(p, "vrouter_maintenance", standby_in_maintenance(vd), NULL);
	prom_family(p, "vrouter_standby", PROM_GAUGE,
	    "1 while the track file makes keepalived step down.");
	prom_sample(p, "vrouter_standby", standby_kept_out(vd), NULL);
	fifo_view(vd, &fv);
	prom_family(p, "vrouter_fifo_lines_total", PROM_COUNTER,
	    "Lines read from keepalived's notify FIFO.");
	prom_sample_u64(p, "vrouter_fifo_lines_total", fv.lines, NULL);
	prom_family(p, "vrouter_fifo_malformed_total", PROM_COUNTER,
	    "Notify FIFO lines that were not a valid transition.");
	prom_sample_u64(p, "vrouter_fifo_malformed_total", fv.malformed,
	    NULL);
}

static void
page_handover(struct prom *p, const struct vrouterd *vd)
{
	const struct metrics *m = vd->metrics;
	struct handover_view hv;
	unsigned int	 s;

	prom_family(p, "vrouter_handover_duration_seconds", PROM_HISTOGRAM,
	    "From the router's decision until the host acknowledged the new "
	    "state (without a host channel: until the conntrack steps were "
	    "done), by the state handed over to.");
	for (s = 0; s < VSP_ST_MAX; s++)
		prom_histogram(p, "vrouter_handover_duration_seconds",
		    &m->ho[s], "to", vsp_state_name(s), NULL);
	prom_family(p, "vrouter_handover_last_duration_seconds", PROM_GAUGE,
	    "The last handover's duration (0 before the first).");
	prom_sample(p, "vrouter_handover_last_duration_seconds", m->last_s,
	    "to", vsp_state_name(m->last_to), NULL);
	prom_family(p, "vrouter_handover_pending", PROM_GAUGE,
	    "1 while a decided state has not been handed over.");
	prom_sample(p, "vrouter_handover_pending", m->pending, NULL);
	prom_family(p, "vrouter_handover_pending_seconds", PROM_GAUGE,
	    "How long the pending handover has waited (0 when none).");
	prom_sample(p, "vrouter_handover_pending_seconds", m->pending ?
	    ts_ms_since(&m->decided) / 1000.0 : 0, NULL);
	handover_view(vd, &hv);
	prom_family(p, "vrouter_handover_busy", PROM_GAUGE,
	    "1 while conntrackd handover steps run.");
	prom_sample(p, "vrouter_handover_busy", hv.busy, NULL);
	prom_family(p, "vrouter_conntrack_commits_total", PROM_COUNTER,
	    "Commits of conntrackd's external cache on the way to MASTER.");
	prom_sample_u64(p, "vrouter_conntrack_commits_total", hv.commits, NULL);
	prom_family(p, "vrouter_conntrack_commit_last_seconds", PROM_GAUGE,
	    "How long the last commit took.");
	prom_sample(p, "vrouter_conntrack_commit_last_seconds",
	    hv.last_commit_ms / 1000.0, NULL);
	prom_family(p, "vrouter_handover_step_failures_total", PROM_COUNTER,
	    "conntrackd handover steps that failed or timed out.");
	prom_sample_u64(p, "vrouter_handover_step_failures_total",
	    hv.failures, NULL);
}

static void
page_host(struct prom *p, const struct vrouterd *vd)
{
	const struct metrics *m = vd->metrics;
	unsigned int	 r;
	int		 have = vd->host_acked && vd->last_ack.nresults > 0;

	prom_family(p, "vrouter_host_channel_enabled", PROM_GAUGE,
	    "1 when the router tells a host agent its state.");
	prom_sample(p, "vrouter_host_channel_enabled", vd->guest != NULL,
	    NULL);
	prom_family(p, "vrouter_host_told_state", PROM_GAUGE,
	    "The state last told to the host (1 for it).");
	one_hot_state(p, "vrouter_host_told_state", vd->host_state, NULL,
	    NULL, NULL, NULL);
	prom_family(p, "vrouter_host_acked", PROM_GAUGE,
	    "1 when the host acknowledged the state last told, 0 while it is "
	    "pending.");
	prom_sample(p, "vrouter_host_acked", vd->guest != NULL ?
	    vd->host_acked : 0, NULL);
	prom_family(p, "vrouter_host_channel", PROM_GAUGE,
	    "The host channel's state (1 for it): connected, absent (the port "
	    "is open, no host heard) or closed (the port is not open).");
	if (vd->guest != NULL) {
		enum vsp_chan	 now = vsp_guest_channel(vd->guest), st;

		for (st = VSP_CHAN_CLOSED; st <= VSP_CHAN_CONNECTED; st++)
			prom_sample(p, "vrouter_host_channel", st == now,
			    "state", vsp_chan_name(st), NULL);
	}
	prom_family(p, "vrouter_host_acks_total", PROM_COUNTER,
	    "Acknowledgements received from the host.");
	prom_sample_u64(p, "vrouter_host_acks_total", m->acks, NULL);
	prom_family(p, "vrouter_host_results_total", PROM_COUNTER,
	    "Per-address results in the host's acknowledgements.");
	for (r = 0; r < VSP_RES_MAX; r++)
		prom_sample_u64(p, "vrouter_host_results_total", m->results[r],
		    "result", vsp_result_name(r), NULL);
	prom_family(p, "vrouter_host_vip_result", PROM_GAUGE,
	    "The public address's result in the last acknowledgement (1 for "
	    "it; no sample before the first).");
	for (r = 0; r < VSP_RES_MAX && have; r++)
		prom_sample(p, "vrouter_host_vip_result",
		    vd->last_ack.results[0].result == r, "result",
		    vsp_result_name(r), NULL);
}

static void
page_sync(struct prom *p, const struct vrouterd *vd)
{
	struct ctstats_view v;

	ctstats_view(vd, &v);
	prom_family(p, "vrouter_conntrack_sync_enabled", PROM_GAUGE,
	    "1 when the description enables conntrackd.");
	prom_sample(p, "vrouter_conntrack_sync_enabled", vd->conf.ct_enabled,
	    NULL);
	prom_family(p, "vrouter_conntrack_sync_polled", PROM_GAUGE,
	    "1 when conntrackd's counters were read (the figures below are "
	    "from the last good poll).");
	prom_sample(p, "vrouter_conntrack_sync_polled", v.have, NULL);
	prom_family(p, "vrouter_conntrack_sync_stalled", PROM_GAUGE,
	    "1 while the connection table changes and the sync does not.");
	prom_sample(p, "vrouter_conntrack_sync_stalled", v.stalled, NULL);
	prom_family(p, "vrouter_conntrack_sync_healthy", PROM_GAUGE,
	    "1 while conntrackd runs, has resynced with the peer since it "
	    "started, is not stalled and hears the peer.");
	prom_sample(p, "vrouter_conntrack_sync_healthy", v.healthy, NULL);
	prom_family(p, "vrouter_conntrack_polls_total", PROM_COUNTER,
	    "Good polls of conntrackd -s.");
	prom_sample_u64(p, "vrouter_conntrack_polls_total", v.polls, NULL);
	prom_family(p, "vrouter_conntrack_poll_failures_total", PROM_COUNTER,
	    "Polls of conntrackd -s that failed.");
	prom_sample_u64(p, "vrouter_conntrack_poll_failures_total", v.failures,
	    NULL);
	/* Without a good poll these families have no samples. */
	prom_family(p, "vrouter_conntrack_sync_quiet_seconds", PROM_GAUGE,
	    "Time since the peer's conntrackd last sent anything.");
	if (v.have)
		prom_sample(p, "vrouter_conntrack_sync_quiet_seconds",
		    v.quiet_ms / 1000.0, NULL);
	prom_family(p, "vrouter_conntrack_entries", PROM_GAUGE,
	    "Entries in conntrackd's caches.");
	if (v.have) {
		prom_sample_u64(p, "vrouter_conntrack_entries", v.c.int_active,
		    "cache", "internal", NULL);
		prom_sample_u64(p, "vrouter_conntrack_entries", v.c.ext_active,
		    "cache", "external", NULL);
	}
	prom_family(p, "vrouter_conntrack_sync_messages_total", PROM_COUNTER,
	    "Sync messages, as conntrackd counts them since it started.");
	if (v.have) {
		prom_sample_u64(p, "vrouter_conntrack_sync_messages_total",
		    v.c.sent, "direction", "sent", NULL);
		prom_sample_u64(p, "vrouter_conntrack_sync_messages_total",
		    v.c.recv, "direction", "received", NULL);
	}
	prom_family(p, "vrouter_conntrack_sync_errors_total", PROM_COUNTER,
	    "Sync errors and losses, as conntrackd counts them.");
	if (v.have) {
		prom_sample_u64(p, "vrouter_conntrack_sync_errors_total",
		    v.c.send_errors, "kind", "send", NULL);
		prom_sample_u64(p, "vrouter_conntrack_sync_errors_total",
		    v.c.recv_errors, "kind", "receive", NULL);
		prom_sample_u64(p, "vrouter_conntrack_sync_errors_total",
		    v.c.lost, "kind", "lost", NULL);
	}
}

static void
page_children(struct prom *p, const struct vrouterd *vd)
{
	const struct child *c[] = { &vd->keepalived, &vd->conntrackd };
	size_t		 i;

	prom_family(p, "vrouter_child_running", PROM_GAUGE,
	    "1 while the supervised program runs.");
	for (i = 0; i < 2; i++)
		prom_sample(p, "vrouter_child_running", c[i]->pid != 0, "child",
		    c[i]->name, NULL);
	prom_family(p, "vrouter_child_restarts_total", PROM_COUNTER,
	    "Restarts of the supervised program after it died.");
	for (i = 0; i < 2; i++)
		prom_sample_u64(p, "vrouter_child_restarts_total",
		    (uint64_t)c[i]->restarts, "child", c[i]->name, NULL);
}

/* The rules in force, and the applies of router.json (apply.c). */
static void
page_apply(struct prom *p, const struct vrouterd *vd)
{
	struct apply_view av;
	struct timespec	 applied;
	int		 rules;

	rules = apply_rules(vd, &applied);
	prom_family(p, "vrouter_nat_rules", PROM_GAUGE,
	    "Rules in vrouter's chains as last applied.");
	prom_sample(p, "vrouter_nat_rules", rules, NULL);
	prom_family(p, "vrouter_nat_applied_timestamp_seconds", PROM_GAUGE,
	    "When the NAT rules were last applied, in seconds since the "
	    "epoch.");
	prom_sample(p, "vrouter_nat_applied_timestamp_seconds",
	    (double)applied.tv_sec + applied.tv_nsec / 1e9, NULL);
	apply_view(vd, &av);
	prom_family(p, "vrouter_config_applies_total", PROM_COUNTER,
	    "Applies of the router description (start and reloads), by "
	    "outcome.");
	prom_sample_u64(p, "vrouter_config_applies_total", av.ok, "result",
	    "ok", NULL);
	prom_sample_u64(p, "vrouter_config_applies_total", av.failed,
	    "result", "failed", NULL);
	prom_family(p, "vrouter_config_apply_running", PROM_GAUGE,
	    "1 while an apply runs (iptables-restore, a child).");
	prom_sample(p, "vrouter_config_apply_running", av.running, NULL);
	prom_family(p, "vrouter_config_apply_last_seconds", PROM_GAUGE,
	    "How long the last apply took, from its start to its end.");
	prom_sample(p, "vrouter_config_apply_last_seconds", av.last_ms / 1e3,
	    NULL);
}

char *
metrics_page(struct vrouterd *vd, size_t *len)
{
	struct prom	 p;

	if (vd->metrics == NULL) {
		errno = ENOENT;
		return NULL;
	}
	prom_init(&p);
	page_vrrp(&p, vd);
	page_handover(&p, vd);
	page_host(&p, vd);
	page_sync(&p, vd);
	page_children(&p, vd);
	page_apply(&p, vd);
	return prom_page_take(&p, len);
}

/* The page, as the writer asks for it. */
static char *
page_of(void *arg, size_t *len)
{
	return metrics_page(arg, len);
}

int
metrics_init(struct vrouterd *vd, const char *dir)
{
	struct metrics	*m;
	struct timespec	 ts;
	unsigned int	 s;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	m->vd = vd;
	m->dir = dir;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->started = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	for (s = 0; s < VSP_ST_MAX; s++)
		prom_hist_init(&m->ho[s], ho_buckets,
		    sizeof(ho_buckets) / sizeof(ho_buckets[0]));
	vd->metrics = m;
	if (dir == NULL)
		return 0;
	if ((m->writer = prom_writer_new(vd->base, dir, METRICS_FILE,
	    METRICS_INTERVAL_MS, page_of, vd)) == NULL) {
		metrics_free(vd);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
metrics_free(struct vrouterd *vd)
{
	struct metrics	*m = vd->metrics;

	if (m == NULL)
		return;
	prom_writer_free(m->writer);
	free(m);
	vd->metrics = NULL;
}
