/* rtnetlink helpers (libmnl): one request and its ack; a monitor drained. */
#ifndef VR_NLREQ_H
#define VR_NLREQ_H

#include <linux/netlink.h>

#include <libmnl/libmnl.h>

/*
 * Send the request in nlh (NLM_F_REQUEST | NLM_F_ACK are set here, and
 * the sequence number) on a fresh NETLINK_ROUTE socket and wait for its
 * ack.  Returns 0, or -1 with errno (the kernel's error for a nack).
 * For a rare request; hot paths keep a socket (see kroute.c).
 */
int	 nl_request(struct nlmsghdr *nlh);

/*
 * Read what a non-blocking monitor socket holds, at most 64 reads (the
 * event loop comes back for the rest), passing every message to cb.
 * Returns 1 if the kernel dropped news (ENOBUFS: the caller must look
 * at the state itself), 0 otherwise.
 */
int	 nl_drain(int fd, mnl_cb_t cb, void *arg);

#endif
