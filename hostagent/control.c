/*
 * vrouter-hostd's control socket: registrations (vm.add, vm.del, vm.list)
 * and what the agent has done (routes, events, status, metrics).  The
 * read-only socket answers only the commands that change nothing.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "jsonutil.h"
#include "hostd.h"
#include "psio.h"

static const char *const readonly_cmds[] = {
	"status", "vm.list", "vm.show", "routes", "events", "metrics", NULL
};

static json_t *
vm_json(const struct vm *vm)
{
	json_t		*obj = reg_to_json(&vm->reg), *claims = json_array();
	const struct psm_stats *c = &vm->eng, *t = &vm->eng_total;
	size_t		 i;

	for (i = 0; i < vm->reg.naddrs; i++)
		json_array_append_new(claims, json_pack("{s:o, s:s, s:s, s:s}",
		    "address", json_ipv4(vm->reg.addrs[i]),
		    "state", vsp_state_name(vm->claims[i].state),
		    "result", vsp_result_name(vm->claims[i].result),
		    "reason", vsp_reason_name(vm->claims[i].reason)));
	json_object_set_new(obj, "connected", json_boolean(vm->connected));
	json_object_set_new(obj, "role",
	    json_string(vsp_state_name(hostd_vm_role(vm))));
	json_object_set_new(obj, "router_id", json_string(vm->router_id));
	json_object_set_new(obj, "guest_epoch",
	    json_integer((json_int_t)vm->guest_epoch));
	json_object_set_new(obj, "guest_seq", json_integer(vm->guest_seq));
	json_object_set_new(obj, "claims", claims);
	/* Since hostd started: earlier connections plus this one. */
#define SUM(f)	((json_int_t)(c->f + t->f))
	json_object_set_new(obj, "counters", json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I,"
	    " s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "states", SUM(states),
	    "applied", (json_int_t)vm->n_applied,
	    "stale", SUM(stale),
	    "coalesced", SUM(coalesced),
	    "rate_limited", SUM(limited),
	    "refused", SUM(refused),
	    "failed", (json_int_t)vm->n_failed,
	    "conflicts", (json_int_t)vm->n_conflicts,
	    "connects", (json_int_t)vm->n_connects,
	    "frames", SUM(frames),
	    "garbage_bytes", SUM(garbage_bytes),
	    "bad_frames", SUM(bad_frames),
	    "acks_dropped", SUM(acks_dropped),
	    "announced", (json_int_t)vm->n_announced,
	    "announce_limited", (json_int_t)vm->n_announce_limited,
	    "log_suppressed", (json_int_t)vm->logrl.suppressed,
	    "violations", (json_int_t)vm->n_violations,
	    "yields", (json_int_t)vm->n_yields,
	    "yields_limited", (json_int_t)vm->n_yields_limited));
#undef SUM
	return obj;
}

static json_t *
cmd_vm_list(struct hostd *hd)
{
	json_t		*reply = ctl_reply_ok(), *arr = json_array();
	struct vm	*vm;

	TAILQ_FOREACH(vm, &hd->vms, entry)
		json_array_append_new(arr, vm_json(vm));
	json_object_set_new(reply, "vms", arr);
	return reply;
}

/* One VM, as in vm.list: what `host vm yield` watches. */
static json_t *
cmd_vm_show(struct hostd *hd, const char *name)
{
	json_t		*reply;
	struct vm	*vm;

	if (name == NULL)
		return ctl_reply_error("name: missing");
	if ((vm = hostd_vm_find(hd, name)) == NULL)
		return ctl_reply_error("vm %s: not registered", name);
	reply = ctl_reply_ok();
	json_object_set_new(reply, "vm", vm_json(vm));
	return reply;
}

/*
 * Ask a VM to hand mastership over, and answer at once with what was
 * done: hostd never waits.  `vrouterctl host vm yield` then watches the
 * VM's role with vm.show until it is not MASTER, or its timeout.  Sent
 * only to a connected MASTER, and at most once a second per VM
 * (chan_yield): a repeat within that is answered "limited" and waits for
 * the request already on its way.
 */
static json_t *
cmd_vm_yield(struct hostd *hd, const char *name)
{
	json_t		*reply;
	struct vm	*vm;
	uint8_t		 role;
	int		 rv = 0;

	if (name == NULL)
		return ctl_reply_error("name: missing");
	if ((vm = hostd_vm_find(hd, name)) == NULL)
		return ctl_reply_error("vm %s: not registered", name);
	role = hostd_vm_role(vm);
	if (vm->connected && role == VSP_ST_MASTER &&
	    (rv = chan_yield(vm)) == -1)
		return ctl_reply_error("vm %s: sending YIELD: %s", name,
		    strerror(errno));
	reply = ctl_reply_ok();
	json_object_set_new(reply, "name", json_string(vm->reg.name));
	json_object_set_new(reply, "connected", json_boolean(vm->connected));
	json_object_set_new(reply, "role", json_string(vsp_state_name(role)));
	json_object_set_new(reply, "sent", json_boolean(rv == 1));
	json_object_set_new(reply, "limited", json_boolean(vm->connected &&
	    role == VSP_ST_MASTER && rv == 0));
	json_object_set_new(reply, "request",
	    json_integer((json_int_t)vm->yield_request));
	return reply;
}

struct routes_ctx {
	struct hostd	*hd;
	json_t		*arr;
};

static void
route_json(struct km_route *r, void *arg)
{
	struct routes_ctx *ctx = arg;
	struct vm	*vm;
	char		 ifname[IF_NAMESIZE];

	if (r->protocol != ctx->hd->proto)
		return;
	if (if_indextoname(r->ifindex, ifname) == NULL)
		snprintf(ifname, sizeof(ifname), "#%u", r->ifindex);
	vm = routes_owner(ctx->hd, r);
	json_array_append_new(ctx->arr, json_pack("{s:o, s:I, s:s, s:s?, s:b}",
	    "address", json_ipv4(r->addr), "table", (json_int_t)r->table,
	    "dev", ifname, "vm", vm != NULL ? vm->reg.name : NULL,
	    "confirmed", r->confirmed));
}

static json_t *
cmd_routes(struct hostd *hd)
{
	json_t		*reply = ctl_reply_ok();
	struct routes_ctx ctx = { hd, json_array() };

	km_foreach(hd->km, route_json, &ctx);
	json_object_set_new(reply, "routes", ctx.arr);
	return reply;
}

static json_t *
event_json(const char *vm, const struct hostd_event *e)
{
	return json_pack("{s:o, s:s, s:o, s:s, s:s, s:s, s:b}",
	    "time", json_time(&e->when), "vm", vm,
	    "address", json_ipv4(e->addr),
	    "state", vsp_state_name(e->state),
	    "result", vsp_result_name(e->result),
	    "reason", vsp_reason_name(e->reason),
	    "conflict", e->conflict);
}

struct ev_ref {
	const char		*vm;
	const struct hostd_event *e;
	size_t			 order;	/* ties keep each ring's order */
};

static int
by_time(const void *a, const void *b)
{
	const struct ev_ref	*ra = a, *rb = b;
	const struct timespec	*ta = &ra->e->when, *tb = &rb->e->when;

	if (ta->tv_sec != tb->tv_sec)
		return ta->tv_sec < tb->tv_sec ? -1 : 1;
	if (ta->tv_nsec != tb->tv_nsec)
		return ta->tv_nsec < tb->tv_nsec ? -1 : 1;
	return ra->order < rb->order ? -1 : ra->order > rb->order;
}

/* Each VM's own history, and the host's, merged by time. */
static json_t *
cmd_events(struct hostd *hd)
{
	json_t		*reply, *arr;
	struct ev_ref	*v;
	struct vm	*vm;
	uint64_t	 i, first;
	size_t		 n = 0, k;

	n = hd->events.n > HOST_EVENTS ? HOST_EVENTS : hd->events.n;
	TAILQ_FOREACH(vm, &hd->vms, entry)
		n += vm->events.n > VM_EVENTS ? VM_EVENTS : vm->events.n;
	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return ctl_reply_error("out of memory");
	n = 0;
	first = hd->events.n > HOST_EVENTS ? hd->events.n - HOST_EVENTS : 0;
	for (i = first; i < hd->events.n; i++, n++)
		v[n] = (struct ev_ref){ "", &hd->events.ev[i % HOST_EVENTS],
		    n };
	TAILQ_FOREACH(vm, &hd->vms, entry) {
		first = vm->events.n > VM_EVENTS ? vm->events.n - VM_EVENTS : 0;
		for (i = first; i < vm->events.n; i++, n++)
			v[n] = (struct ev_ref){ vm->reg.name,
			    &vm->events.ev[i % VM_EVENTS], n };
	}
	qsort(v, n, sizeof(*v), by_time);
	reply = ctl_reply_ok();
	arr = json_array();
	for (k = 0; k < n; k++)
		json_array_append_new(arr, event_json(v[k].vm, v[k].e));
	free(v);
	json_object_set_new(reply, "events", arr);
	return reply;
}

static json_t *
cmd_status(struct hostd *hd)
{
	json_t		*reply = ctl_reply_ok();
	struct vm	*vm;
	int		 nvms = 0, nconn = 0;

	TAILQ_FOREACH(vm, &hd->vms, entry) {
		nvms++;
		nconn += vm->connected;
	}
	json_object_set_new(reply, "host", json_string(hd->hostname));
	json_object_set_new(reply, "epoch", json_integer((json_int_t)hd->epoch));
	json_object_set_new(reply, "vms", json_integer(nvms));
	json_object_set_new(reply, "connected", json_integer(nconn));
	json_object_set_new(reply, "routes",
	    json_integer((json_int_t)km_count(hd->km, hd->proto)));
	json_object_set_new(reply, "reconciling", json_boolean(hd->reconciling));
	json_object_set_new(reply, "protocol", json_integer(hd->proto));
	json_object_set_new(reply, "engine", json_pack("{s:i, s:i, s:I}",
	    "pid", hd->engine_pid, "restarts", hd->engine_restarts,
	    "queued", (json_int_t)(hd->engine != NULL ?
	    ps_peer_queued(hd->engine) : 0)));
	json_object_set_new(reply, "limits", json_pack("{s:i, s:i, s:i, s:i}",
	    "state_rate", (int)hd->engine_cfg.state_rate,
	    "state_burst", (int)hd->engine_cfg.state_burst,
	    "announce_rate", (int)hd->garp_rate,
	    "announce_burst", (int)hd->garp_burst));
	json_object_set_new(reply, "resyncs",
	    json_integer((json_int_t)hd->resyncs));
	return reply;
}

/* The Prometheus page (metrics.c) as a string. */
static json_t *
cmd_metrics(struct hostd *hd)
{
	json_t	*reply;
	char	*text;
	size_t	 len;

	if ((text = hostd_metrics_page(hd, &len)) == NULL)
		return ctl_reply_error("metrics: out of memory");
	reply = ctl_reply_ok();
	json_object_set_new(reply, "text", json_stringn(text, len));
	free(text);
	return reply;
}

static json_t *
handle(const char *cmd, json_t *req, int readonly, void *arg)
{
	struct hostd	*hd = arg;
	struct vm_reg	 reg;
	const char	*name;
	char		 err[256];

	(void)readonly;
	if (strcmp(cmd, "status") == 0)
		return cmd_status(hd);
	if (strcmp(cmd, "vm.list") == 0)
		return cmd_vm_list(hd);
	if (strcmp(cmd, "vm.show") == 0)
		return cmd_vm_show(hd, json_string_value(json_object_get(req,
		    "name")));
	if (strcmp(cmd, "vm.yield") == 0)
		return cmd_vm_yield(hd, json_string_value(json_object_get(req,
		    "name")));
	if (strcmp(cmd, "routes") == 0)
		return cmd_routes(hd);
	if (strcmp(cmd, "events") == 0)
		return cmd_events(hd);
	if (strcmp(cmd, "metrics") == 0)
		return cmd_metrics(hd);
	if (strcmp(cmd, "vm.add") == 0) {
		if (reg_from_json(json_object_get(req, "vm"), &reg, err,
		    sizeof(err)) == -1)
			return ctl_reply_error("vm: %s", err);
		if (hostd_vm_add(hd, &reg, err, sizeof(err)) == -1)
			return ctl_reply_error("%s", err);
		return ctl_reply_ok();
	}
	if (strcmp(cmd, "vm.del") == 0) {
		name = json_string_value(json_object_get(req, "name"));
		if (name == NULL)
			return ctl_reply_error("name: missing");
		if (hostd_vm_del(hd, name, err, sizeof(err)) == -1)
			return ctl_reply_error("%s", err);
		return ctl_reply_ok();
	}
	return ctl_reply_error("%s: unknown command", cmd);
}

struct ctl_server *
control_init(struct hostd *hd, const char *path, int readonly)
{
	return ctl_server_new(hd->base, path, readonly ? 0666 : 0660,
	    readonly ? readonly_cmds : NULL, handle, hd);
}
