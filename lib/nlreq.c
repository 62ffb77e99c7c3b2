/* rtnetlink helpers (libmnl): one request and its ack; a monitor drained. */
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

int
nl_drain(int fd, mnl_cb_t cb, void *arg)
{
	char		 buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t		 n;
	int		 i, overrun = 0;

	for (i = 0; i < 64; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == ENOBUFS) {
			overrun = 1;
			continue;
		}
		if (n <= 0)
			break;
		mnl_cb_run(buf, (size_t)n, 0, 0, cb, arg);
	}
	return overrun;
}
