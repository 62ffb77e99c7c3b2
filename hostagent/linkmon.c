/*
 * The kernel drops IPv4 routes without a word when their device goes
 * down or away, so the route mirror cannot learn it from the route
 * monitor.  This watches the links instead: any link that goes down or
 * away makes the route process read every route again (once, however
 * many links changed in one burst).
 */
#include <sys/socket.h>

#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>

#include <libmnl/libmnl.h>

#include "evglue.h"
#include "hostd.h"
#include "log.h"
#include "nlreq.h"

static int
link_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct ifinfomsg	*ifi;
	int			*down = arg;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_type == RTM_DELLINK ||
	    (nlh->nlmsg_type == RTM_NEWLINK && !(ifi->ifi_flags & IFF_UP)))
		*down = 1;
	return MNL_CB_OK;
}

static void
on_link(evutil_socket_t fd, short what, void *arg)
{
	struct hostd	*hd = arg;
	int		 down = 0;

	(void)what;
	if (nl_drain(fd, link_cb, &down))
		down = 1;	/* lost some: assume the worst */
	if (down)
		evtimer_add_ms(hd->ev_linkresync, 0);
}

/* Subscribe to link changes; the caller keeps hd->linkmon. */
int
linkmon_start(struct hostd *hd, void (*resync)(evutil_socket_t, short,
    void *))
{
	if ((hd->linkmon = mnl_socket_open2(NETLINK_ROUTE,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == NULL)
		return -1;
	if (mnl_socket_bind(hd->linkmon, RTMGRP_LINK, MNL_SOCKET_AUTOPID) ==
	    -1)
		return -1;
	hd->ev_link = event_new(hd->base, mnl_socket_get_fd(hd->linkmon),
	    EV_READ | EV_PERSIST, on_link, hd);
	hd->ev_linkresync = evtimer_new(hd->base, resync, hd);
	if (hd->ev_link == NULL || hd->ev_linkresync == NULL)
		return -1;
	event_add(hd->ev_link, NULL);
	return 0;
}

void
linkmon_stop(struct hostd *hd)
{
	if (hd->ev_link != NULL)
		event_free(hd->ev_link);
	if (hd->ev_linkresync != NULL)
		event_free(hd->ev_linkresync);
	if (hd->linkmon != NULL)
		mnl_socket_close(hd->linkmon);
}
