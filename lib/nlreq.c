/* One rtnetlink request, answered by its ack (libmnl). */
#include <sys/socket.h>

#include <errno.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "nlreq.h"

int
nl_request(struct nlmsghdr *nlh)
{
	char			 buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket	*nl;
	ssize_t			 n;
	int			 rv = -1, saved;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = (unsigned int)time(NULL);
	if ((nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC)) == NULL)
		return -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0 &&
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) != -1 &&
	    (n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) != -1 &&
	    mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq,
	    mnl_socket_get_portid(nl), NULL, NULL) != -1)
		rv = 0;
	saved = errno;
	mnl_socket_close(nl);
	errno = saved;
	return rv;
}
