/*
 * vrouterd's control socket: status for vrouterctl, notify for
 * vrouter-notify (a transition from a hand-written keepalived config),
 * reload, and metrics (the Prometheus page, metrics.c).  The read-only
 * socket answers status and metrics only.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "jsonutil.h"
#include "log.h"
#include "proc.h"
#include "vrouterd.h"
#include "vsp_guest.h"

static const char *const readonly_cmds[] = { "status", "metrics", "apply",
	NULL };

static json_t *
child_json(const struct child *c)
{
	char	 desc[64] = "";

	if (c->last_status == -1)
		snprintf(desc, sizeof(desc), "ended (adopted: no exit status)");
	else if (c->last_status != 0 || c->restarts > 0)
		proc_status_str(c->last_status, desc, sizeof(desc));
	return json_pack("{s:b, s:i, s:b, s:i, s:s}", "running", c->pid != 0,
	    "pid", (int)c->pid, "adopted", c->adopted, "restarts",
	    c->restarts, "last_exit", desc);
}

static json_t *
cmd_status(struct vrouterd *vd)
{
	json_t	*reply = ctl_reply_ok(), *vrrp = json_array(), *host;
	struct timespec applied;
	char	 buf[INET_ADDRSTRLEN];
	int	 i, rules;

	for (i = 0; i < vd->nvrrp; i++) {
		const struct vrrp_entry *e = &vd->vrrp[i];

		json_array_append_new(vrrp, json_pack(
		    "{s:s, s:s, s:s, s:i, s:o, s:s}", "name", e->name,
		    "kind", e->kind == FIFO_GROUP ? "group" : "instance",
		    "state", vsp_state_name(e->state), "priority",
		    e->priority, "since", json_time(&e->since),
		    "reason", e->reason));
	}
	/* The ack and its result hold for the current connection only. */
	host = json_pack("{s:b, s:s, s:s, s:b}", "enabled", vd->guest != NULL,
	    "told", vsp_state_name(vd->host_state), "channel",
	    vsp_chan_name(vd->guest != NULL ? vsp_guest_channel(vd->guest) :
	    VSP_CHAN_CLOSED), "acked", vd->host_acked);
	if (vd->host_acked && vd->last_ack.nresults > 0)
		json_object_set_new(host, "vip", json_pack("{s:s, s:s, s:s}",
		    "address", inet_ntop(AF_INET, &vd->last_ack.results[0].addr,
		    buf, sizeof(buf)), "result",
		    vsp_result_name(vd->last_ack.results[0].result), "reason",
		    vsp_reason_name(vd->last_ack.results[0].reason)));
	json_object_set_new(reply, "router_id", json_string(vd->conf.router_id));
	json_object_set_new(reply, "node", json_string(vd->conf.node));
	json_object_set_new(reply, "state",
	    json_string(vsp_state_name(vd->router_state)));
	json_object_set_new(reply, "since", json_time(&vd->router_since));
	json_object_set_new(reply, "reason", json_string(vd->last_reason));
	json_object_set_new(reply, "transitions",
	    json_integer((json_int_t)vd->n_transitions));
	json_object_set_new(reply, "vrrp", vrrp);
	json_object_set_new(reply, "host", host);
	json_object_set_new(reply, "adopted", json_boolean(vd->adopted));
	json_object_set_new(reply, "keepalived", child_json(&vd->keepalived));
	json_object_set_new(reply, "conntrackd", child_json(&vd->conntrackd));
	json_object_set_new(reply, "handover", handover_json(vd));
	rules = apply_rules(vd, &applied);
	json_object_set_new(reply, "nat", json_pack("{s:i, s:o}", "rules",
	    rules, "applied", json_time(&applied)));
	json_object_set_new(reply, "apply", apply_json(vd));
	json_object_set_new(reply, "maintenance",
	    json_boolean(standby_in_maintenance(vd)));
	json_object_set_new(reply, "standby",
	    json_boolean(standby_kept_out(vd)));
	json_object_set_new(reply, "stepdown", standby_json(vd));
	json_object_set_new(reply, "advert_ms", json_integer(vd->conf.advert_ms));
	json_object_set_new(reply, "sync", ctstats_json(vd));
	json_object_set_new(reply, "fifo", fifo_json(vd));
	return reply;
}

/* The Prometheus page (metrics.c) as a string. */
static json_t *
cmd_metrics(struct vrouterd *vd)
{
	json_t	*reply;
	char	*text;
	size_t	 len;

	if ((text = metrics_page(vd, &len)) == NULL)
		return ctl_reply_error("metrics: out of memory");
	reply = ctl_reply_ok();
	json_object_set_new(reply, "text", json_stringn(text, len));
	free(text);
	return reply;
}

/* A transition reported by vrouter-notify, checked as strictly as FIFO. */
static json_t *
cmd_notify(struct vrouterd *vd, json_t *req)
{
	struct fifo_event ev;
	const char	*type = json_string_value(json_object_get(req, "type"));
	const char	*name = json_string_value(json_object_get(req, "name"));
	const char	*st = json_string_value(json_object_get(req, "state"));
	json_t		*prio = json_object_get(req, "priority");
	char		 line[160];

	if (type == NULL || name == NULL || st == NULL ||
	    !json_is_integer(prio))
		return ctl_reply_error("notify: needs type, name, state and "
		    "priority");
	snprintf(line, sizeof(line), "%s \"%s\" %s %lld", type, name, st,
	    (long long)json_integer_value(prio));
	if (fifo_parse_line(line, strlen(line), &ev) != 1)
		return ctl_reply_error("notify: \"%s\": not a valid "
		    "transition", line);
	state_event(vd, &ev, "vrouter-notify");
	return ctl_reply_ok();
}

static json_t *
handle(const char *cmd, json_t *req, int readonly, void *arg)
{
	struct vrouterd	*vd = arg;

	(void)readonly;
	if (strcmp(cmd, "status") == 0)
		return cmd_status(vd);
	if (strcmp(cmd, "notify") == 0)
		return cmd_notify(vd, req);
	if (strcmp(cmd, "metrics") == 0)
		return cmd_metrics(vd);
	if (strcmp(cmd, "inject") == 0) {
		const char *fault = json_string_value(json_object_get(req,
		    "fault"));
		char	 err[256];

		json_t	*for_ms = json_object_get(req, "for_ms");

		if (fault == NULL)
			return ctl_reply_error("inject: needs \"fault\"");
		if (for_ms != NULL && (!json_is_integer(for_ms) ||
		    json_integer_value(for_ms) < 1 ||
		    json_integer_value(for_ms) > INT32_MAX))
			return ctl_reply_error("inject: \"for_ms\" must be a "
			    "positive integer");
		if (inject_fault(vd, fault, for_ms != NULL ?
		    (int)json_integer_value(for_ms) : 0, err,
		    sizeof(err)) == -1)
			return ctl_reply_error("inject: %s", err);
		return ctl_reply_ok();
	}
	if (strcmp(cmd, "failover") == 0) {
		char	 err[256];

		if (standby_failover(vd, err, sizeof(err)) == -1)
			return ctl_reply_error("failover: %s", err);
		return ctl_reply_ok();
	}
	if (strcmp(cmd, "maintenance") == 0) {
		json_t	*on = json_object_get(req, "on");
		char	 err[256];

		if (!json_is_boolean(on))
			return ctl_reply_error("maintenance: needs \"on\": "
			    "true or false");
		if (standby_maintenance(vd, json_is_true(on), err,
		    sizeof(err)) == -1)
			return ctl_reply_error("maintenance: %s", err);
		return ctl_reply_ok();
	}
	if (strcmp(cmd, "reload") == 0) {
		json_t	*reply;
		char	 err[512];
		int64_t	 id;

		/* The apply runs on; "apply" tells when it has ended. */
		if ((id = vrouterd_reload(vd, "vrouterctl reload", err,
		    sizeof(err))) == -1)
			return ctl_reply_error("reload failed: %s", err);
		reply = ctl_reply_ok();
		json_object_set_new(reply, "apply", json_integer(id));
		json_object_set_new(reply, "pid", json_integer(getpid()));
		return reply;
	}
	if (strcmp(cmd, "apply") == 0) {
		json_t	*reply = ctl_reply_ok();

		json_object_set_new(reply, "apply", apply_json(vd));
		return reply;
	}
	return ctl_reply_error("%s: unknown command", cmd);
}

struct ctl_server *
vd_control_init(struct vrouterd *vd, const char *path, int readonly)
{
	return ctl_server_new(vd->base, path, readonly ? 0666 : 0660,
	    readonly ? readonly_cmds : NULL, handle, vd);
}
