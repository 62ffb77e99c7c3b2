/*
 * Fault injection for `vrouterctl failover-test`, the operator's chaos
 * tool: kill keepalived as a crash would, or take the public link down and
 * up.  Only on the full control socket (root), never the read-only one.
 */
#include <sys/socket.h>

#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "log.h"
#include "nlreq.h"
#include "vrouterd.h"

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

int
inject_fault(struct vrouterd *vd, const char *fault, char *err,
    size_t errlen)
{
	if (strcmp(fault, "kill-keepalived") == 0) {
		log_warnx("inject: SIGKILL to keepalived (failover test)");
		if (child_signal(&vd->keepalived, SIGKILL) == -1) {
			snprintf(err, errlen, "keepalived: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (strcmp(fault, "link-down") == 0 || strcmp(fault, "link-up") == 0) {
		log_warnx("inject: public link %s (failover test)",
		    fault + 5);
		return set_link(vd->conf.pub_if, fault[5] == 'u', err, errlen);
	}
	snprintf(err, errlen, "%s: unknown fault (kill-keepalived, link-down, "
	    "link-up)", fault);
	return -1;
}
