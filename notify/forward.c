/*
 * Socket mode: hand the transition to vrouterd, which orders it with what
 * it reads from keepalived's notify_fifo, and wait for its word.
 *
 *   {"v":1,"cmd":"notify","type":"INSTANCE","name":"VI_1",
 *    "state":"MASTER","priority":150}
 *   -> {"v":1,"ok":true} or {"v":1,"ok":false,"error":"..."}
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "log.h"
#include "notify.h"

/*
 * Whether vrouterd listens at path, found with a bare connect.  ctl_call
 * reports a failure as text only, and "not running" (fall back to the
 * port) must be told from "running but silent" (do not) without parsing
 * that text.  The daemon sees one connection that closes at once, which
 * it drops quietly.
 */
int
notify_probe(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd, rv;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("%s: socket path longer than %zu bytes", path,
		    sizeof(sun.sun_path) - 1);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		rv = 0;
	else if (errno == ENOENT || errno == ECONNREFUSED) {
		log_debug("%s: vrouterd not running: %s", path,
		    strerror(errno));
		rv = 1;
	} else {
		log_warn("%s: connect", path);
		rv = -1;
	}
	close(fd);
	return rv;
}

static const char *
kind_word(uint8_t kind)
{
	return kind == VSP_KIND_GROUP ? "GROUP" : "INSTANCE";
}

int
notify_forward(const char *path, const struct notify_event *ev, int wait_ms)
{
	json_t		*req, *reply, *ok;
	const char	*error;
	char		 err[512];
	int		 rv;

	req = json_pack("{s:i, s:s, s:s, s:s, s:s, s:i}", "v", CTL_VERSION,
	    "cmd", "notify", "type", kind_word(ev->kind), "name", ev->name,
	    "state", ev->state, "priority", (int)ev->priority);
	if (req == NULL) {
		log_warnx("building the request failed");
		return NOTIFY_UNREACHABLE;
	}
	reply = ctl_call(path, req, wait_ms, err, sizeof(err));
	json_decref(req);
	if (reply == NULL) {
		/* Sent, or maybe not: either way it is unconfirmed. */
		log_warnx("%s %s %s %u not confirmed by vrouterd: %s",
		    kind_word(ev->kind), ev->name, ev->state, ev->priority,
		    err);
		return NOTIFY_NOACK;
	}
	ok = json_object_get(reply, "ok");
	if (json_integer_value(json_object_get(reply, "v")) != CTL_VERSION ||
	    !json_is_boolean(ok)) {
		log_warnx("%s: bad reply: no \"v\":%d and \"ok\" boolean", path,
		    CTL_VERSION);
		rv = NOTIFY_NOACK;
	} else if (json_is_true(ok)) {
		log_debug("%s %s %s %u: vrouterd took it", kind_word(ev->kind),
		    ev->name, ev->state, ev->priority);
		rv = NOTIFY_OK;
	} else {
		error = json_string_value(json_object_get(reply, "error"));
		log_warnx("vrouterd refused %s %s %s %u: %s",
		    kind_word(ev->kind), ev->name, ev->state, ev->priority,
		    error != NULL ? error : "(no error text)");
		rv = NOTIFY_REFUSED;
	}
	json_decref(reply);
	return rv;
}
