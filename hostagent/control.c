/*
 * vrouter-hostd's control socket: registrations (vm.add, vm.del, vm.list)
 * and what the agent has done (routes, events, status).  The read-only
 * socket answers only the commands that change nothing.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "jsonutil.h"
#include "hostd.h"

static const char *const readonly_cmds[] = {
	"status", "vm.list", "routes", "events", NULL
};

static json_t *
vm_json(const struct vm *vm)
{
	json_t		*obj = reg_to_json(&vm->reg), *claims = json_array();
	size_t		 i;

	for (i = 0; i < vm->reg.naddrs; i++)
		json_array_append_new(claims, json_pack("{s:o, s:s, s:s, s:s}",
		    "address", json_ipv4(vm->reg.addrs[i]),
		    "state", vsp_state_name(vm->claims[i].state),
		    "result", vsp_result_name(vm->claims[i].result),
		    "reason", vsp_reason_name(vm->claims[i].reason)));
	json_object_set_new(obj, "connected", json_boolean(vm->connected));
	json_object_set_new(obj, "router_id", json_string(vm->router_id));
	json_object_set_new(obj, "guest_epoch",
	    json_integer((json_int_t)vm->guest_epoch));
	json_object_set_new(obj, "guest_seq", json_integer(vm->guest_seq));
	json_object_set_new(obj, "claims", claims);
	json_object_set_new(obj, "counters", json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "states", (json_int_t)vm->n_states,
	    "stale", (json_int_t)vm->n_stale,
	    "refused", (json_int_t)vm->n_refused,
	    "failed", (json_int_t)vm->n_failed,
	    "connects", (json_int_t)vm->n_connects,
	    "garbage_bytes", (json_int_t)vm->rd.garbage_bytes,
	    "bad_frames", (json_int_t)vm->rd.bad_frames));
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

static json_t *
cmd_routes(struct hostd *hd)
{
	json_t		*reply = ctl_reply_ok(), *arr = json_array();
	char		 ifname[IF_NAMESIZE];
	size_t		 i;

	for (i = 0; i < hd->nroutes; i++) {
		const struct owned_route *r = &hd->routes[i];

		if (if_indextoname(r->ifindex, ifname) == NULL)
			snprintf(ifname, sizeof(ifname), "#%u", r->ifindex);
		json_array_append_new(arr, json_pack(
		    "{s:o, s:I, s:s, s:s?, s:b}",
		    "address", json_ipv4(r->addr),
		    "table", (json_int_t)r->table,
		    "dev", ifname,
		    "vm", r->vm != NULL ? r->vm->reg.name : NULL,
		    "confirmed", r->confirmed));
	}
	json_object_set_new(reply, "routes", arr);
	return reply;
}

static json_t *
cmd_events(struct hostd *hd)
{
	json_t		*reply = ctl_reply_ok(), *arr = json_array();
	uint64_t	 i, first;

	first = hd->nevents > EVENT_RING ? hd->nevents - EVENT_RING : 0;
	for (i = first; i < hd->nevents; i++) {
		const struct hostd_event *e = &hd->events[i % EVENT_RING];

		json_array_append_new(arr, json_pack(
		    "{s:o, s:s, s:o, s:s, s:s, s:s}",
		    "time", json_time(&e->when), "vm", e->vm,
		    "address", json_ipv4(e->addr),
		    "state", vsp_state_name(e->state),
		    "result", vsp_result_name(e->result),
		    "reason", vsp_reason_name(e->reason)));
	}
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
	json_object_set_new(reply, "routes", json_integer((json_int_t)hd->nroutes));
	json_object_set_new(reply, "reconciling", json_boolean(hd->reconciling));
	json_object_set_new(reply, "protocol", json_integer(kr_protocol(hd->kr)));
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
	if (strcmp(cmd, "routes") == 0)
		return cmd_routes(hd);
	if (strcmp(cmd, "events") == 0)
		return cmd_events(hd);
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
