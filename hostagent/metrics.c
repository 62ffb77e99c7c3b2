/*
 * vrouter-hostd's metrics: a Prometheus text page (lib/prom.h) with the
 * host's figures and, per VM (label vm), what `vrouterctl host vm list`
 * shows: claims, refusals, route operations, the channel.  Written every
 * METRICS_INTERVAL_MS as DIR/vrouter-hostd.prom for node_exporter's
 * textfile collector when -P DIR is given, and returned by the control
 * command "metrics".  No listener: the unit denies hostd every IP
 * address.
 */
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evglue.h"
#include "hostd.h"
#include "log.h"
#include "prom.h"
#include "promwriter.h"
#include "psio.h"

#define METRICS_INTERVAL_MS	5000
#define METRICS_FILE		"vrouter-hostd.prom"

struct metrics {
	struct hostd	*hd;
	const char	*dir;
	struct prom_writer *writer;
	double		 started;
};

/* The per-VM counters: since hostd started, across connections. */
enum vm_counter {
	VC_STATES, VC_APPLIED, VC_STALE, VC_COALESCED, VC_LIMITED,
	VC_REFUSED, VC_FAILED, VC_CONFLICTS, VC_CONNECTS, VC_FRAMES,
	VC_BAD_FRAMES, VC_GARBAGE, VC_ACKS_DROPPED, VC_ANNOUNCED,
	VC_ANNOUNCE_LIMITED, VC_VIOLATIONS, VC_MAX
};

static const struct {
	const char	*name;
	const char	*help;
} vm_counters[VC_MAX] = {
	{ "vrouter_hostd_vm_states_total",
	  "STATE messages the VM sent." },
	{ "vrouter_hostd_vm_routes_applied_total",
	  "Route changes (installs and withdrawals) applied for the VM." },
	{ "vrouter_hostd_vm_states_stale_total",
	  "STATE messages older than the newest seen." },
	{ "vrouter_hostd_vm_states_coalesced_total",
	  "STATE messages replaced by a newer one before they were applied." },
	{ "vrouter_hostd_vm_states_rate_limited_total",
	  "Times a STATE waited for the VM's rate limit." },
	{ "vrouter_hostd_vm_claims_refused_total",
	  "Claims refused (an address not registered for the VM, ...)." },
	{ "vrouter_hostd_vm_routes_failed_total",
	  "Route changes the kernel refused." },
	{ "vrouter_hostd_vm_route_conflicts_total",
	  "Routes found in the way (someone else's route for the address)." },
	{ "vrouter_hostd_vm_connects_total",
	  "Connections made to the VM's channel." },
	{ "vrouter_hostd_vm_frames_total",
	  "Frames decoded from the VM's channel." },
	{ "vrouter_hostd_vm_bad_frames_total",
	  "Bad frames from the VM (CRC, length, type)." },
	{ "vrouter_hostd_vm_garbage_bytes_total",
	  "Bytes skipped while resynchronising the VM's channel." },
	{ "vrouter_hostd_vm_acks_dropped_total",
	  "ACKs not queued because the VM was not reading." },
	{ "vrouter_hostd_vm_announced_total",
	  "Gratuitous ARP announcements sent for the VM's addresses." },
	{ "vrouter_hostd_vm_announce_limited_total",
	  "Announcements held back by the VM's announcement rate." },
	{ "vrouter_hostd_vm_violations_total",
	  "States the channel engine passed that it must not have (a bug "
	  "or a compromised engine)." },
};

static uint64_t
vm_counter(const struct vm *vm, enum vm_counter i)
{
	const struct psm_stats *c = &vm->eng, *t = &vm->eng_total;

	switch (i) {
	case VC_STATES:		return c->states + t->states;
	case VC_APPLIED:	return vm->n_applied;
	case VC_STALE:		return c->stale + t->stale;
	case VC_COALESCED:	return c->coalesced + t->coalesced;
	case VC_LIMITED:	return c->limited + t->limited;
	case VC_REFUSED:	return c->refused + t->refused;
	case VC_FAILED:		return vm->n_failed;
	case VC_CONFLICTS:	return vm->n_conflicts;
	case VC_CONNECTS:	return vm->n_connects;
	case VC_FRAMES:		return c->frames + t->frames;
	case VC_BAD_FRAMES:	return c->bad_frames + t->bad_frames;
	case VC_GARBAGE:	return c->garbage_bytes + t->garbage_bytes;
	case VC_ACKS_DROPPED:	return c->acks_dropped + t->acks_dropped;
	case VC_ANNOUNCED:	return vm->n_announced;
	case VC_ANNOUNCE_LIMITED: return vm->n_announce_limited;
	case VC_VIOLATIONS:	return vm->n_violations;
	default:		return 0;
	}
}

static void
page_host(struct prom *p, const struct hostd *hd)
{
	const struct vm	*vm;
	int		 nvms = 0, nconn = 0;

	TAILQ_FOREACH(vm, &hd->vms, entry) {
		nvms++;
		nconn += vm->connected;
	}
	prom_family(p, "vrouter_hostd_info", PROM_GAUGE,
	    "The host this vrouter-hostd serves.");
	prom_sample(p, "vrouter_hostd_info", 1, "host", hd->hostname, NULL);
	prom_family(p, "vrouter_hostd_start_time_seconds", PROM_GAUGE,
	    "When vrouter-hostd started, in seconds since the epoch.");
	prom_sample(p, "vrouter_hostd_start_time_seconds",
	    hd->metrics->started, NULL);
	prom_family(p, "vrouter_hostd_vms", PROM_GAUGE, "VMs registered.");
	prom_sample(p, "vrouter_hostd_vms", nvms, NULL);
	prom_family(p, "vrouter_hostd_vms_connected", PROM_GAUGE,
	    "VMs whose channel is connected.");
	prom_sample(p, "vrouter_hostd_vms_connected", nconn, NULL);
	prom_family(p, "vrouter_hostd_routes", PROM_GAUGE,
	    "Routes of vrouter's protocol in the kernel.");
	prom_sample_u64(p, "vrouter_hostd_routes",
	    (uint64_t)km_count(hd->km, hd->proto), NULL);
	prom_family(p, "vrouter_hostd_reconciling", PROM_GAUGE,
	    "1 during the start-up grace, before unclaimed routes go.");
	prom_sample(p, "vrouter_hostd_reconciling", hd->reconciling, NULL);
	prom_family(p, "vrouter_hostd_resyncs_total", PROM_COUNTER,
	    "Full route dumps after lost kernel notifications.");
	prom_sample_u64(p, "vrouter_hostd_resyncs_total", hd->resyncs, NULL);
	prom_family(p, "vrouter_hostd_engine_up", PROM_GAUGE,
	    "1 while the channel engine runs.");
	prom_sample(p, "vrouter_hostd_engine_up", hd->engine_pid > 0, NULL);
	prom_family(p, "vrouter_hostd_engine_restarts_total", PROM_COUNTER,
	    "Restarts of the channel engine.");
	prom_sample_u64(p, "vrouter_hostd_engine_restarts_total",
	    (uint64_t)hd->engine_restarts, NULL);
	prom_family(p, "vrouter_hostd_engine_queued_bytes", PROM_GAUGE,
	    "Bytes queued to the channel engine.");
	prom_sample_u64(p, "vrouter_hostd_engine_queued_bytes",
	    hd->engine != NULL ? (uint64_t)ps_peer_queued(hd->engine) : 0,
	    NULL);
}

static void
page_vms(struct prom *p, const struct hostd *hd)
{
	const struct vm	*vm;
	char		 a[INET_ADDRSTRLEN];
	unsigned int	 s;
	size_t		 i;

	prom_family(p, "vrouter_hostd_vm_connected", PROM_GAUGE,
	    "1 while the VM's channel is connected.");
	TAILQ_FOREACH(vm, &hd->vms, entry)
		prom_sample(p, "vrouter_hostd_vm_connected", vm->connected,
		    "vm", vm->reg.name, NULL);
	prom_family(p, "vrouter_hostd_vm_last_state_timestamp_seconds",
	    PROM_GAUGE, "When the VM last sent a state (0: never).");
	TAILQ_FOREACH(vm, &hd->vms, entry)
		prom_sample(p, "vrouter_hostd_vm_last_state_timestamp_seconds",
		    (double)vm->last_state_at, "vm", vm->reg.name, NULL);
	prom_family(p, "vrouter_hostd_claim_state", PROM_GAUGE,
	    "What the VM last claimed for each registered address (1 for "
	    "that state).");
	TAILQ_FOREACH(vm, &hd->vms, entry)
		for (i = 0; i < vm->reg.naddrs; i++) {
			inet_ntop(AF_INET, &vm->reg.addrs[i], a, sizeof(a));
			for (s = 0; s < VSP_ST_MAX; s++)
				prom_sample(p, "vrouter_hostd_claim_state",
				    vm->claims[i].state == s, "vm",
				    vm->reg.name, "address", a, "state",
				    vsp_state_name(s), NULL);
		}
	prom_family(p, "vrouter_hostd_claim_result", PROM_GAUGE,
	    "The outcome of the VM's last claim for each registered address "
	    "(1 for that result).");
	TAILQ_FOREACH(vm, &hd->vms, entry)
		for (i = 0; i < vm->reg.naddrs; i++) {
			inet_ntop(AF_INET, &vm->reg.addrs[i], a, sizeof(a));
			for (s = 0; s < VSP_RES_MAX; s++)
				prom_sample(p, "vrouter_hostd_claim_result",
				    vm->claims[i].result == s, "vm",
				    vm->reg.name, "address", a, "result",
				    vsp_result_name(s), NULL);
		}
	for (s = 0; s < VC_MAX; s++) {
		prom_family(p, vm_counters[s].name, PROM_COUNTER,
		    vm_counters[s].help);
		TAILQ_FOREACH(vm, &hd->vms, entry)
			prom_sample_u64(p, vm_counters[s].name,
			    vm_counter(vm, (enum vm_counter)s), "vm",
			    vm->reg.name, NULL);
	}
}

char *
hostd_metrics_page(struct hostd *hd, size_t *len)
{
	struct prom	 p;

	if (hd->metrics == NULL) {
		errno = ENOENT;
		return NULL;
	}
	prom_init(&p);
	page_host(&p, hd);
	page_vms(&p, hd);
	return prom_page_take(&p, len);
}

/* The page, as the writer asks for it. */
static char *
page_of(void *arg, size_t *len)
{
	return hostd_metrics_page(arg, len);
}

int
hostd_metrics_init(struct hostd *hd, const char *dir)
{
	struct metrics	*m;
	struct timespec	 ts;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return -1;
	m->hd = hd;
	m->dir = dir;
	clock_gettime(CLOCK_REALTIME, &ts);
	m->started = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	hd->metrics = m;
	if (dir == NULL)
		return 0;
	if ((m->writer = prom_writer_new(hd->base, dir, METRICS_FILE,
	    METRICS_INTERVAL_MS, page_of, hd)) == NULL) {
		hostd_metrics_free(hd);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
hostd_metrics_free(struct hostd *hd)
{
	struct metrics	*m = hd->metrics;

	if (m == NULL)
		return;
	prom_writer_free(m->writer);
	free(m);
	hd->metrics = NULL;
}
