/*
 * rtmon.c: an rtnetlink monitor for the benchmarks, which time how soon
 * a route the kernel holds follows a frame (or a lost channel).
 */
#include <sys/socket.h>

#include <errno.h>
#include <linux/rtnetlink.h>

#include "bench.h"
#include "kroute.h"
#include "log.h"

struct mnl_socket *
rtmon_open(unsigned int group, int rcvbuf)
{
	struct mnl_socket	*mon;
	int			 grp = (int)group;

	if ((mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL)
		fatal("route monitor socket");
	if (mnl_socket_bind(mon, 0, MNL_SOCKET_AUTOPID) == -1 ||
	    mnl_socket_setsockopt(mon, NETLINK_ADD_MEMBERSHIP, &grp,
	    sizeof(grp)) == -1)
		fatal("joining rtnetlink group %u", group);
	/* FORCE works as root beyond rmem_max; plain is the fallback. */
	if (setsockopt(mnl_socket_get_fd(mon), SOL_SOCKET, SO_RCVBUFFORCE,
	    &rcvbuf, sizeof(rcvbuf)) == -1)
		setsockopt(mnl_socket_get_fd(mon), SOL_SOCKET, SO_RCVBUF,
		    &rcvbuf, sizeof(rcvbuf));
	return mon;
}

int
rtmon_drain(struct mnl_socket *mon, void *buf, size_t len, mnl_cb_t cb,
    void *arg)
{
	ssize_t	 n;

	for (;;) {
		n = recv(mnl_socket_get_fd(mon), buf, len, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if ((n == -1 && errno == EAGAIN) || n == 0)
			return 0;
		if (n == -1)
			return -1;
		if (mnl_cb_run(buf, (size_t)n, 0, 0, cb, arg) == -1)
			return -1;
	}
}

int
rtmon_route(const struct nlmsghdr *nlh, uint32_t addr, unsigned int ifindex)
{
	struct kr_route	 r;

	if (nlh->nlmsg_type != RTM_NEWROUTE &&
	    nlh->nlmsg_type != RTM_DELROUTE)
		return 0;
	if (kr_route_parse(nlh, &r) != 0 || r.plen != 32 ||
	    r.protocol != KR_PROTO_VROUTER || r.addr != addr ||
	    (ifindex != 0 && r.ifindex != ifindex))
		return 0;
	return nlh->nlmsg_type;
}
