/*
 * Port mode: with no vrouterd, tell the host agent ourselves.  The
 * transition becomes a full vsp STATE (docs/protocol.md): the router id,
 * one group for the instance or sync group, and every given address in
 * the group's state.  The vsp_guest session resends it until the host acks
 * it; then each address's result goes to stdout.
 *
 * Each run is a new process and so a new epoch, later than any earlier
 * run's: the host takes the newest run as the router's state.  That
 * orders runs by the time they started, not by keepalived's events.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "vsp_guest.h"

struct direct {
	struct event_base		*base;
	const struct notify_port	*port;
	uint8_t				 want;	/* enum vsp_result */
	int				 acked;
	int				 rv;
};

/* Find addr's entry in the ack; the host answers in the STATE's order. */
static const struct vsp_result_entry *
find_result(const struct vsp_ack_msg *ack, uint32_t addr, uint16_t hint)
{
	uint16_t	 i;

	if (hint < ack->nresults && ack->results[hint].addr == addr)
		return &ack->results[hint];
	for (i = 0; i < ack->nresults && i < VSP_MAX_ADDRS; i++)
		if (ack->results[i].addr == addr)
			return &ack->results[i];
	return NULL;
}

static void
on_ack(const struct vsp_ack_msg *ack, void *arg)
{
	struct direct			*d = arg;
	const struct vsp_result_entry	*r;
	char				 a[INET_ADDRSTRLEN];
	uint16_t			 i;

	d->rv = NOTIFY_OK;
	for (i = 0; i < d->port->naddrs; i++) {
		inet_ntop(AF_INET, &d->port->addrs[i], a, sizeof(a));
		if ((r = find_result(ack, d->port->addrs[i], i)) == NULL) {
			printf("%s unanswered\n", a);
			log_warnx("%s: the host's ack has no result for it", a);
			d->rv = NOTIFY_ADDRESS;
			continue;
		}
		printf("%s %s%s%s\n", a, vsp_result_name(r->result),
		    r->reason != VSP_WHY_NONE ? ": " : "",
		    vsp_reason_name(r->reason));
		if (r->result != d->want) {
			log_warnx("%s: the host says %s%s%s", a,
			    vsp_result_name(r->result),
			    r->reason != VSP_WHY_NONE ? ": " : "",
			    vsp_reason_name(r->reason));
			d->rv = NOTIFY_ADDRESS;
		}
	}
	fflush(stdout);
	d->acked = 1;
	event_base_loopbreak(d->base);
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct direct	*d = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(d->base);
}

/*
 * A port that is missing, not a device or not ours to open is reported at
 * once.  One that is busy is not: another run (or vrouterd) holds it, and
 * the session retries the open until the deadline.
 */
static int
port_usable(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1) {
		log_warn("--port %s", path);
		return 0;
	}
	if (!S_ISCHR(st.st_mode)) {
		log_warnx("--port %s: not a character device", path);
		return 0;
	}
	if (access(path, R_OK | W_OK) == -1) {
		log_warn("--port %s", path);
		return 0;
	}
	return 1;
}

int
notify_direct(const struct notify_port *p, const struct notify_event *ev,
    int wait_ms)
{
	struct vsp_state_msg	 st;
	struct direct		 d;
	struct vsp_guest	*g = NULL;
	struct event		*deadline = NULL;
	struct timeval		 tv;
	uint16_t		 i;
	int			 rv = NOTIFY_UNREACHABLE;

	if (!port_usable(p->path))
		return NOTIFY_UNREACHABLE;

	memset(&st, 0, sizeof(st));
	memcpy(st.router_id, p->router_id, sizeof(st.router_id));
	st.ngroups = 1;
	memcpy(st.groups[0].name, ev->name, sizeof(st.groups[0].name));
	st.groups[0].kind = ev->kind;
	st.groups[0].state = ev->vsp_state;
	st.groups[0].priority = ev->priority;
	st.naddrs = p->naddrs;
	for (i = 0; i < p->naddrs; i++) {
		st.addrs[i].addr = p->addrs[i];
		st.addrs[i].plen = 32;
		st.addrs[i].state = ev->vsp_state;
		st.addrs[i].group = 0;
	}

	memset(&d, 0, sizeof(d));
	d.port = p;
	d.want = ev->vsp_state == VSP_ST_MASTER ? VSP_RES_INSTALLED :
	    VSP_RES_WITHDRAWN;
	if ((d.base = event_base_new()) == NULL) {
		log_warnx("event_base_new failed");
		return NOTIFY_UNREACHABLE;
	}
	if ((deadline = evtimer_new(d.base, on_deadline, &d)) == NULL ||
	    (g = vsp_guest_new(d.base, p->path, on_ack, &d)) == NULL) {
		log_warn("--port %s", p->path);
		goto done;
	}
	if (vsp_guest_set_state(g, &st) == -1) {
		/* args.c checked every field; this is a bug if it happens. */
		log_warn("router %s: state not representable", p->router_id);
		rv = NOTIFY_USAGE;
		goto done;
	}
	tv.tv_sec = wait_ms / 1000;
	tv.tv_usec = (wait_ms % 1000) * 1000;
	evtimer_add(deadline, &tv);
	event_base_dispatch(d.base);

	if (d.acked)
		rv = d.rv;
	else {
		log_warnx("--port %s: no ack for %s %s %s %u within %d ms (no "
		    "host agent connected, or a newer run superseded this one)",
		    p->path, ev->kind == VSP_KIND_GROUP ? "GROUP" : "INSTANCE",
		    ev->name, ev->state, ev->priority, wait_ms);
		rv = NOTIFY_NOACK;
	}
done:
	vsp_guest_free(g);
	if (deadline != NULL)
		event_free(deadline);
	event_base_free(d.base);
	return rv;
}
