/*
 * vrouterctl reload: ask for it, then wait until its apply has ended and
 * say how.  vrouterd applies without blocking its event loop, so the
 * reply to "reload" is only the number the apply got; "apply" shows the
 * last one to end.  Numbers grow by one per apply, so once the last is
 * ours or a later one, ours has ended; a later one means the description
 * as it is now was applied after ours, and that outcome is what counts.
 */
#include <stdio.h>
#include <unistd.h>

#include "ctl.h"
#include "vrouterctl.h"

#define CALL_MS		5000
#define POLL_US		50000
/* Two iptables runs of 10 s at most (a rollback), and one queued before. */
#define WAIT_MS		60000

static json_t *
ask(const char *sock, const char *cmd)
{
	json_t	*req, *reply;

	req = json_pack("{s:i, s:s}", "v", CTL_VERSION, "cmd", cmd);
	reply = ctl_request(sock, req, CALL_MS, NULL);
	json_decref(req);
	return reply;
}

int
ctl_reload(const char *sock, int json)
{
	json_t		*reply, *last;
	json_int_t	 id, last_id, pid;
	long		 t0 = ctl_now_ms();
	int		 rv = 1;

	if ((reply = ask(sock, "reload")) == NULL)
		return 1;
	/* A vrouterd from before the apply ran beside its loop: done. */
	if (!json_is_integer(json_object_get(reply, "apply"))) {
		json_decref(reply);
		return 0;
	}
	id = json_integer_value(json_object_get(reply, "apply"));
	pid = json_integer_value(json_object_get(reply, "pid"));
	json_decref(reply);
	for (;;) {
		if ((reply = ask(sock, "apply")) == NULL)
			return 1;
		if (json_integer_value(json_object_get(json_object_get(reply,
		    "apply"), "pid")) != pid) {
			fprintf(stderr, "vrouterctl: reload: vrouterd restarted "
			    "meanwhile (it applies the file as it starts)\n");
			json_decref(reply);
			return 1;
		}
		last = json_object_get(json_object_get(reply, "apply"), "last");
		last_id = json_integer_value(json_object_get(last, "id"));
		if (last_id >= id)
			break;
		json_decref(reply);
		if (ctl_now_ms() - t0 > WAIT_MS) {
			fprintf(stderr, "vrouterctl: reload: apply #%lld has "
			    "not ended after %d ms\n", (long long)id, WAIT_MS);
			return 1;
		}
		usleep(POLL_US);
	}
	if (json_is_true(json_object_get(last, "ok")))
		rv = 0;
	else
		fprintf(stderr, "vrouterctl: reload failed%s: %s\n",
		    last_id == id ? "" : " (a later reload's apply)",
		    json_string_value(json_object_get(last, "error")));
	if (json)
		show_json(reply);	/* {"apply": ...}, as vrouterctl apply */
	json_decref(reply);
	return rv;
}
