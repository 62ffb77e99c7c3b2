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
#include <time.h>

#include <libmnl/libmnl.h>

#include "log.h"
#include "vrouterd.h"

static int
set_link(const char *ifname, int up, char *err, size_t errlen)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket	*nl;
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifi;
	unsigned int		 seq = (unsigned int)time(NULL);
	ssize_t			 n;
	int			 rv = -1;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	if ((ifi->ifi_index = (int)if_nametoindex(ifname)) == 0) {
		snprintf(err, errlen, "%s: %s", ifname, strerror(errno));
		return -1;
	}
	if ((nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) == -1 ||
	    (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) == -1 ||
	    mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl), NULL,
	    NULL) == -1)
		snprintf(err, errlen, "%s %s: %s", ifname, up ? "up" : "down",
		    strerror(errno));
	else
		rv = 0;
	if (nl != NULL)
		mnl_socket_close(nl);
	return rv;
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
