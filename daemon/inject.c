/*
 * Fault injection for `vrouterctl failover-test`, the operator's chaos
 * tool: kill keepalived as a crash would, or take the public link down and
 * up.  Only on the full control socket (root), never the read-only one.
 *
 * A link taken down comes back up by itself when its deadline passes
 * (for_ms, INJECT_DEFAULT_MS if not given): a failover-test interrupted
 * between its link-down and its link-up must not leave the router cut
 * off for good.
 */
#include <sys/socket.h>

#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "evglue.h"
#include "log.h"
#include "nlreq.h"
#include "vrouterd.h"

#define INJECT_DEFAULT_MS	30000
#define INJECT_MAX_MS		300000

struct inject {
	struct vrouterd	*vd;
	struct event	*ev_undo;	/* the public link back up */
};

static int
set_link(const char *ifname, int up, char *err, size_t errlen)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifi;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if ((ifi->ifi_index = (int)if_nametoindex(ifname)) == 0 ||
	    nl_request(nlh) == -1) {
		snprintf(err, errlen, "%s %s: %s", ifname, up ? "up" : "down",
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
on_undo(evutil_socket_t fd, short what, void *arg)
{
	struct inject	*in = arg;
	char		 err[256];

	(void)fd;
	(void)what;
	log_warnx("inject: public link up again: the failover test's "
	    "deadline passed");
	if (set_link(in->vd->conf.pub_if, 1, err, sizeof(err)) == -1)
		log_warnx("inject: %s", err);
}

int
inject_init(struct vrouterd *vd)
{
	struct inject	*in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return -1;
	in->vd = vd;
	if ((in->ev_undo = evtimer_new(vd->base, on_undo, in)) == NULL) {
		free(in);
		return -1;
	}
	vd->inject = in;
	return 0;
}

void
inject_free(struct vrouterd *vd)
{
	struct inject	*in = vd->inject;

	if (in == NULL)
		return;
	/* Leaving with the link down for a test: the deadline goes too. */
	if (evtimer_pending(in->ev_undo, NULL))
		on_undo(-1, 0, in);
	event_free(in->ev_undo);
	free(in);
	vd->inject = NULL;
}

int
inject_fault(struct vrouterd *vd, const char *fault, int for_ms, char *err,
    size_t errlen)
{
	struct inject	*in = vd->inject;

	if (strcmp(fault, "kill-keepalived") == 0) {
		log_warnx("inject: SIGKILL to keepalived (failover test)");
		if (child_signal(&vd->keepalived, SIGKILL) == -1) {
			snprintf(err, errlen, "keepalived: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (strcmp(fault, "link-up") == 0) {
		log_warnx("inject: public link up (failover test)");
		evtimer_del(in->ev_undo);
		return set_link(vd->conf.pub_if, 1, err, errlen);
	}
	if (strcmp(fault, "link-down") == 0) {
		if (for_ms <= 0)
			for_ms = INJECT_DEFAULT_MS;
		if (for_ms > INJECT_MAX_MS) {
			snprintf(err, errlen, "link-down for %d ms: at most %d",
			    for_ms, INJECT_MAX_MS);
			return -1;
		}
		log_warnx("inject: public link down for at most %d ms "
		    "(failover test)", for_ms);
		if (set_link(vd->conf.pub_if, 0, err, errlen) == -1)
			return -1;
		evtimer_add_ms(in->ev_undo, for_ms);
		return 0;
	}
	snprintf(err, errlen, "%s: unknown fault (kill-keepalived, link-down, "
	    "link-up)", fault);
	return -1;
}
