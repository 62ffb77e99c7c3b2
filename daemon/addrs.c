/*
 * Taking the router's virtual addresses off its interfaces when keepalived
 * cannot: after it died, the addresses it added stay, and an old master
 * that keeps them goes on answering for the VIPs beside the new one.
 */
#include <sys/socket.h>

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "log.h"
#include "nlreq.h"
#include "vrouterd.h"

static int
del_addr(const char *ifname, struct in_addr addr, uint8_t plen)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	unsigned int		 ifindex;

	if ((ifindex = if_nametoindex(ifname)) == 0)
		return 0;	/* no interface, no address */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, addr.s_addr);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, addr.s_addr);
	if (nl_request(nlh) == -1 && errno != EADDRNOTAVAIL &&
	    errno != ENOENT)
		return -1;
	return 0;
}

int
addrs_remove_vips(struct vrouterd *vd)
{
	const struct router_conf *c = &vd->conf;
	int			 i, rv = 0;

	if (del_addr(c->pub_if, c->vip, c->vip_plen) == -1) {
		log_warn("removing VIP from %s", c->pub_if);
		rv = -1;
	}
	for (i = 0; i < c->nnetworks; i++)
		if (del_addr(c->networks[i].interface,
		    c->networks[i].gateway, c->networks[i].cidr.plen) == -1) {
			log_warn("removing gateway from %s",
			    c->networks[i].interface);
			rv = -1;
		}
	return rv;
}
