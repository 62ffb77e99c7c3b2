/*
 * vrouterctl host vm yield NAME [timeout MS]: before a router VM moves
 * (live migration, failover, move), ask it through vrouter-hostd to hand
 * mastership to its peer, and wait until hostd sees it claim something
 * other than MASTER, or the timeout.
 *
 * hostd answers vm.yield at once (it sends the YIELD frame and never
 * waits); the wait is here, polling vm.show, as `maintenance` polls
 * vrouterd's status.  Exit 0 when the VM is not MASTER at the end, for
 * whatever reason (it handed over, it was not MASTER, it is not
 * connected, it was unregistered meanwhile): the message says which.
 * Exit 1 when it is still MASTER at the timeout, or hostd cannot be asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "vrouterctl.h"

#define CALL_MS		5000
#define POLL_US		20000

/*
 * Send {"cmd":cmd,"name":name}.  The reply if it says ok (caller owns);
 * NULL otherwise, with *error the daemon's refusal (caller frees) or
 * NULL if no reply came (printed).
 */
static json_t *
call(const char *sock, const char *cmd, const char *name, char **error)
{
	json_t	*req, *reply;

	req = json_pack("{s:i, s:s, s:s}", "v", CTL_VERSION, "cmd", cmd,
	    "name", name);
	reply = ctl_request(sock, req, CALL_MS, error);
	json_decref(req);
	return reply;
}

static const char *
str(json_t *obj, const char *key)
{
	const char	*s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "?";
}

struct outcome {
	const char	*name;
	const char	*was;		/* role when asked */
	const char	*role;		/* role at the end */
	int		 connected;
	int		 sent;
	long		 request;
	long		 elapsed_ms;
	long		 timeout_ms;
	const char	*outcome;
};

static int
report(const struct outcome *o, int json)
{
	int	 ok = strcmp(o->outcome, "timeout") != 0;
	json_t	*obj;

	if (json) {
		obj = json_pack("{s:s, s:s, s:s, s:b, s:b, s:I, s:s, s:b, s:I,"
		    " s:I}", "name", o->name, "was", o->was, "role", o->role,
		    "connected", o->connected, "sent", o->sent,
		    "request", (json_int_t)o->request, "outcome", o->outcome,
		    "settled", ok, "elapsed_ms", (json_int_t)o->elapsed_ms,
		    "timeout_ms", (json_int_t)o->timeout_ms);
		show_json(obj);
		json_decref(obj);
		return ok ? 0 : 1;
	}
	if (strcmp(o->outcome, "handed_over") == 0)
		printf("vm %s: handed over after %ld ms (now %s)\n", o->name,
		    o->elapsed_ms, o->role);
	else if (strcmp(o->outcome, "not_master") == 0)
		printf("vm %s: not MASTER (%s): nothing to hand over\n",
		    o->name, o->role);
	else if (strcmp(o->outcome, "not_connected") == 0)
		printf("vm %s: not connected%s: not routed here\n", o->name,
		    o->elapsed_ms > 0 || o->sent ? " (its channel closed)" :
		    "");
	else if (strcmp(o->outcome, "unregistered") == 0)
		printf("vm %s: unregistered after %ld ms: not routed here\n",
		    o->name, o->elapsed_ms);
	else
		fprintf(stderr, "vrouterctl: vm %s: still MASTER after %ld "
		    "ms: the router did not hand over (no BACKUP peer to "
		    "take over, or a vrouterd that does not know YIELD)\n",
		    o->name, o->elapsed_ms);
	return ok ? 0 : 1;
}

int
ctl_host_vm_yield(const char *sock, int json, const char *name,
    long timeout_ms)
{
	struct outcome	 o;
	json_t		*reply, *vm;
	char		*error;
	long		 t0 = ctl_now_ms();
	int		 rv;

	memset(&o, 0, sizeof(o));
	o.name = name;
	o.timeout_ms = timeout_ms;
	if ((reply = call(sock, "vm.yield", name, &error)) == NULL) {
		if (error != NULL) {
			fprintf(stderr, "vrouterctl: %s\n", error);
			free(error);
		}
		return 1;
	}
	o.was = o.role = str(reply, "role");
	o.connected = json_is_true(json_object_get(reply, "connected"));
	o.sent = json_is_true(json_object_get(reply, "sent"));
	o.request = (long)json_integer_value(json_object_get(reply,
	    "request"));
	if (!o.connected) {
		o.outcome = "not_connected";
		rv = report(&o, json);
		json_decref(reply);
		return rv;
	}
	if (strcmp(o.was, "MASTER") != 0) {
		o.outcome = "not_master";
		rv = report(&o, json);
		json_decref(reply);
		return rv;
	}
	/* Sent now, or by a request a moment ago: either way, watch. */
	vm = NULL;
	for (;;) {
		usleep(POLL_US);
		o.elapsed_ms = ctl_now_ms() - t0;
		json_decref(vm);
		if ((vm = call(sock, "vm.show", name, &error)) == NULL) {
			if (error == NULL)
				break;	/* no answer: still MASTER, say so */
			/* Unregistered meanwhile: its routes went with it. */
			free(error);
			o.role = "STOP";
			o.outcome = "unregistered";
			break;
		}
		o.role = str(json_object_get(vm, "vm"), "role");
		o.connected = json_is_true(json_object_get(
		    json_object_get(vm, "vm"), "connected"));
		if (!o.connected) {
			o.outcome = "not_connected";
			break;
		}
		if (strcmp(o.role, "MASTER") != 0) {
			o.outcome = "handed_over";
			break;
		}
		if (o.elapsed_ms >= timeout_ms)
			break;
	}
	if (o.outcome == NULL) {
		o.outcome = "timeout";
		o.role = "MASTER";
	}
	o.elapsed_ms = ctl_now_ms() - t0;
	rv = report(&o, json);
	json_decref(vm);
	json_decref(reply);
	return rv;
}
