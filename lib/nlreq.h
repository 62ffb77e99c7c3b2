/* One rtnetlink request, answered by its ack (libmnl). */
#ifndef VR_NLREQ_H
#define VR_NLREQ_H

#include <linux/netlink.h>

/*
 * Send the request in nlh (NLM_F_REQUEST | NLM_F_ACK are set here, and
 * the sequence number) on a fresh NETLINK_ROUTE socket and wait for its
 * ack.  Returns 0, or -1 with errno (the kernel's error for a nack).
 * For a rare request; hot paths keep a socket (see kroute.c).
 */
int	 nl_request(struct nlmsghdr *nlh);

#endif
