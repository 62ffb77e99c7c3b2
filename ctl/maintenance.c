/*
 * vrouterctl maintenance on|off: set the flag, then watch this node's
 * status until the outcome shows, as failover does, and say what it was.
 *
 * Only this node's socket is used, so the peer is seen through this node
 * alone.  `on` puts keepalived in FAULT (the track file), and a FAULT node
 * listens to nobody: the peer's take-over is not visible from here, but
 * the host's ack of FAULT (its route to this node withdrawn) is.  After
 * `off` the node rejoins as BACKUP; staying BACKUP for four adverts means
 * the peer is MASTER, or this node would have taken over.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "vrouterctl.h"

#define CALL_MS		5000
#define POLL_US		10000
#define SETTLE_MS	10000	/* plus twice the stable time */

/* What this node's status says, the parts the watch needs. */
struct snap {
	json_t		*reply;		/* owned */
	const char	*state;		/* in reply */
	int		 maintenance;
	int		 standby;
	long		 advert_ms;
	int		 host_enabled;
	int		 host_acked;
	const char	*told;		/* in reply */
	const char	*vip;		/* the host's result for the VIP, or NULL */
	const char	*last;		/* the last step-down's outcome */
};

struct watch {
	const char	*sock;
	int		 json;
	long		 t0;
	json_t		*events;	/* owned */
};

static void
snap_clear(struct snap *s)
{
	json_decref(s->reply);
	memset(s, 0, sizeof(*s));
}

/* Replace s with the status now: 0, or -1 (printed). */
static int
snap_take(const char *sock, struct snap *s)
{
	json_t	*req, *reply, *host;

	req = json_pack("{s:i, s:s}", "v", CTL_VERSION, "cmd", "status");
	reply = ctl_request(sock, req, CALL_MS, NULL);
	json_decref(req);
	if (reply == NULL)
		return -1;
	snap_clear(s);
	s->reply = reply;
	host = json_object_get(reply, "host");
	s->state = json_string_value(json_object_get(reply, "state"));
	if (s->state == NULL)
		s->state = "?";
	s->maintenance = json_is_true(json_object_get(reply, "maintenance"));
	s->standby = json_is_true(json_object_get(reply, "standby"));
	s->advert_ms = (long)json_integer_value(json_object_get(reply,
	    "advert_ms"));
	if (s->advert_ms <= 0)
		s->advert_ms = 100;
	s->host_enabled = json_is_true(json_object_get(host, "enabled"));
	s->host_acked = json_is_true(json_object_get(host, "acked"));
	s->told = json_string_value(json_object_get(host, "told"));
	if (s->told == NULL)
		s->told = "?";
	s->vip = json_string_value(json_object_get(json_object_get(host,
	    "vip"), "result"));
	s->last = json_string_value(json_object_get(json_object_get(reply,
	    "stepdown"), "last"));
	if (s->last == NULL)
		s->last = "";
	return 0;
}

/*
 * One step of the outcome: a line "  MS ms  TEXT" as failover prints, or
 * with -j an entry {"ms", "event", "state"} for the final object.
 */
static void __attribute__((format(printf, 4, 5)))
note(struct watch *w, const char *event, const char *state,
    const char *fmt, ...)
{
	va_list	 ap;
	long	 ms = ctl_now_ms() - w->t0;

	if (w->json) {
		json_array_append_new(w->events, json_pack("{s:I, s:s, s:s}",
		    "ms", (json_int_t)ms, "event", event, "state", state));
		return;
	}
	printf("%5ld ms  ", ms);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* -j: one object with the whole story (docs/schema/maintenance.json). */
static void
print_json(struct watch *w, int on, const char *was, const char *outcome,
    const struct snap *s)
{
	json_t	*out;

	out = json_pack("{s:b, s:s, s:s, s:s, s:b, s:I, s:O, s:O?}",
	    "maintenance", on, "was", was, "state", s->state,
	    "outcome", outcome, "settled", strcmp(outcome, "timeout") != 0,
	    "elapsed_ms", (json_int_t)(ctl_now_ms() - w->t0),
	    "events", w->events, "host", json_object_get(s->reply, "host"));
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(out);
}

/*
 * on: out of MASTER means FAULT (the track file), and when the node was
 * MASTER and a host channel is configured, the host's ack of a state that
 * is not MASTER, so that it no longer routes the VIP here.
 */
static const char *
watch_on(struct watch *w, const char *was, struct snap *s)
{
	long	 limit = SETTLE_MS;
	int	 left = 0, handed = 0;

	for (;;) {
		/* The MASTER hands over first (BACKUP), then goes FAULT. */
		if (!handed && strcmp(was, "MASTER") == 0 &&
		    strcmp(s->state, "MASTER") != 0) {
			handed = 1;
			if (strncmp(s->last, "handed over", 11) == 0)
				note(w, "handed_over", s->state, "%s", s->last);
			else
				note(w, "handed_over", s->state,
				    "left MASTER (%s)", s->state);
		}
		/* No peer took over: vrouterd turned maintenance off again. */
		if (!handed && strcmp(was, "MASTER") == 0 && !s->maintenance) {
			note(w, "not_handed_over", s->state, "%s", s->last);
			return "not_handed_over";
		}
		if (!left && strcmp(s->state, "FAULT") == 0 && s->standby) {
			left = 1;
			if (strcmp(was, "MASTER") == 0)
				note(w, "stepped_down", s->state,
				    "stepped down (%s)", s->state);
			else
				note(w, "left_election", s->state,
				    "out of the election (%s)", s->state);
			if (strcmp(was, "MASTER") != 0 || !s->host_enabled)
				return strcmp(was, "MASTER") == 0 ?
				    "stepped_down" : "left_election";
		}
		if (left && strcmp(s->told, "MASTER") != 0 && s->host_acked) {
			note(w, "host_acked", s->state, "the host acked %s%s%s",
			    s->told, s->vip != NULL ? ": VIP route " : "",
			    s->vip != NULL ? s->vip : "");
			return "stepped_down";
		}
		if (ctl_now_ms() - w->t0 > limit)
			return "timeout";
		usleep(POLL_US);
		if (snap_take(w->sock, s) == -1)
			return NULL;
	}
}

/*
 * off: back in the election, then settled: MASTER, or BACKUP for four
 * adverts (the peer is MASTER), as failover decides.
 */
static const char *
watch_off(struct watch *w, struct snap *s)
{
	long	 back_at = -1, stable_ms;

	for (;;) {
		stable_ms = s->advert_ms * 4 + 100;
		if (back_at < 0 && !s->standby &&
		    strcmp(s->state, "FAULT") != 0) {
			back_at = ctl_now_ms();
			note(w, "rejoined", s->state,
			    "back in the election (%s)", s->state);
		}
		if (back_at >= 0 && strcmp(s->state, "MASTER") == 0) {
			note(w, "master", s->state, "MASTER: no peer is MASTER, "
			    "or this node preempted it");
			return "master";
		}
		if (back_at >= 0 && strcmp(s->state, "BACKUP") == 0 &&
		    ctl_now_ms() - back_at >= stable_ms) {
			note(w, "stable_backup", s->state, "still BACKUP after "
			    "%ld ms: the peer is MASTER", stable_ms);
			return "backup";
		}
		if (ctl_now_ms() - w->t0 > SETTLE_MS + 2 * stable_ms)
			return "timeout";
		usleep(POLL_US);
		if (snap_take(w->sock, s) == -1)
			return NULL;
	}
}

int
ctl_maintenance(const char *sock, int json_out, int on)
{
	struct watch	 w;
	struct snap	 s;
	json_t		*req, *reply;
	const char	*outcome;
	char		 was[16];
	int		 rv = 1;

	memset(&s, 0, sizeof(s));
	memset(&w, 0, sizeof(w));
	w.sock = sock;
	w.json = json_out;
	if ((w.events = json_array()) == NULL || snap_take(sock, &s) == -1)
		goto done;
	snprintf(was, sizeof(was), "%s", s.state);
	w.t0 = ctl_now_ms();
	/* Nothing to do, and nothing to wait for. */
	if (s.maintenance == on && (on ? strcmp(s.state, "MASTER") != 0 &&
	    s.standby : !s.standby && strcmp(s.state, "FAULT") != 0)) {
		if (json_out)
			print_json(&w, on, was, "unchanged", &s);
		else
			printf("maintenance was already %s; this node is %s\n",
			    on ? "on" : "off", s.state);
		rv = 0;
		goto done;
	}
	req = json_pack("{s:i, s:s, s:b}", "v", CTL_VERSION, "cmd",
	    "maintenance", "on", on);
	reply = ctl_request(sock, req, CALL_MS, NULL);
	json_decref(req);
	if (reply == NULL)
		goto done;
	json_decref(reply);
	note(&w, "requested", was, "maintenance %s (was %s)", on ? "on" : "off",
	    was);
	if (snap_take(sock, &s) == -1)
		goto done;
	if ((outcome = on ? watch_on(&w, was, &s) : watch_off(&w, &s)) == NULL)
		goto done;
	rv = strcmp(outcome, "timeout") == 0 ||
	    strcmp(outcome, "not_handed_over") == 0;
	if (json_out)
		print_json(&w, on, was, outcome, &s);
	else if (strcmp(outcome, "not_handed_over") == 0)
		fprintf(stderr, "vrouterctl: maintenance: %s\n", s.last);
	else if (rv != 0 && on)
		printf("maintenance is on, but within %ld ms this node did not "
		    "settle: it is %s, the host was told %s%s\n",
		    ctl_now_ms() - w.t0, s.state, s.told, s.host_acked ?
		    " and acked it" : " and has not acked it");
	else if (rv != 0)
		printf("maintenance is off, but within %ld ms this node did "
		    "not settle: it is %s\n", ctl_now_ms() - w.t0, s.state);
	else if (on)
		printf("maintenance on: this node stays out of MASTER until "
		    "maintenance off\n");
	else
		printf("maintenance off: this node is in the election again\n");
done:
	snap_clear(&s);
	json_decref(w.events);
	return rv;
}
