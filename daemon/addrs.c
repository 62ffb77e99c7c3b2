/*
 * Taking the router's virtual addresses off its interfaces when keepalived
 * cannot: after it died, the addresses it added stay, and an old master
 * that keeps them goes on answering for the VIPs beside the new one.
 * And the drain route: a default route that outlives the VIP while a
 * master hands over.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
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
	/* The sync-path instance's placeholder (config_view.c). */
	if (c->sync_path) {
		struct in_addr	 hb;

		hb.s_addr = htonl(0xa9fe0100U | c->sync_vrid);	/* 169.254.1.VRID */
		if (del_addr(c->sync_if, hb, 32) == -1) {
			log_warn("removing 169.254.1.%u from %s", c->sync_vrid,
			    c->sync_if);
			rv = -1;
		}
	}
	return rv;
}

int
addrs_vip_present(const struct vrouterd *vd)
{
	struct ifaddrs	*all, *ifa;
	int		 found = 0;

	if (getifaddrs(&all) == -1) {
		log_warn("getifaddrs");
		return 0;
	}
	for (ifa = all; ifa != NULL && !found; ifa = ifa->ifa_next)
		found = ifa->ifa_addr != NULL &&
		    ifa->ifa_addr->sa_family == AF_INET &&
		    strcmp(ifa->ifa_name, vd->conf.pub_if) == 0 &&
		    ((struct sockaddr_in *)(void *)ifa->ifa_addr)->sin_addr.s_addr ==
		    vd->conf.vip.s_addr;
	freeifaddrs(all);
	return found;
}

/*
 * While a master hands over, its clients' packets keep coming for a
 * moment (until the new master's gratuitous ARP reaches them), and its
 * hypervisor keeps routing the replies here for the drain: keep a
 * default route for them.  keepalived's own route goes with the VIP, and
 * the kernel flushes every route through an interface that loses its last
 * IPv4 address, so a link-local address (never routed, never answered
 * for anything else) keeps the interface addressed, and a second default
 * route, of a lower preference, outlives the VIP.  Added before the
 * yield, while the VIP is still there; removed after the drain.
 */
#define DRAIN_ADDR	0xa9fefffeU	/* 169.254.255.254 */
#define DRAIN_METRIC	4242

static int
drain_addr(int add, unsigned int ifindex)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	uint32_t		 a = htonl(DRAIN_ADDR);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	if (add)
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 32;
	ifa->ifa_scope = RT_SCOPE_LINK;
	ifa->ifa_index = ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, a);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, a);
	if (add)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NOPREFIXROUTE);
	if (nl_request(nlh) == -1 && (add || (errno != EADDRNOTAVAIL &&
	    errno != ENOENT)))
		return -1;
	return 0;
}

static int
drain_route(int add, unsigned int ifindex, struct in_addr gw)
{
	char		 buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	if (add)
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_flags = RTNH_F_ONLINK;
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	mnl_attr_put_u32(nlh, RTA_GATEWAY, gw.s_addr);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, DRAIN_METRIC);
	if (nl_request(nlh) == -1 && (add || errno != ESRCH))
		return -1;
	return 0;
}

int
addrs_drain_route(struct vrouterd *vd, int on)
{
	const struct router_conf *c = &vd->conf;
	unsigned int		 ifindex;

	if (c->pub_gateway.s_addr == 0)
		return 0;
	if ((ifindex = if_nametoindex(c->pub_if)) == 0) {
		log_warn("drain route: %s", c->pub_if);
		return -1;
	}
	if (on) {
		if (drain_addr(1, ifindex) == -1 ||
		    drain_route(1, ifindex, c->pub_gateway) == -1) {
			log_warn("drain route on %s", c->pub_if);
			return -1;
		}
		return 0;
	}
	/* the address takes its route along */
	if (drain_route(0, ifindex, c->pub_gateway) == -1 ||
	    drain_addr(0, ifindex) == -1) {
		log_warn("removing the drain route from %s", c->pub_if);
		return -1;
	}
	return 0;
}
