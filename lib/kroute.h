/*
 * kroute: IPv4 host routes in the kernel through rtnetlink (libmnl).
 *
 * Every route vrouter makes carries one protocol number (default
 * KR_PROTO_VROUTER), so a dump can tell ours from everyone else's and a
 * delete never removes a route someone else made.  Requests are sent as
 * one netlink batch with NLM_F_ACK on each message; acks are matched by
 * sequence number and port id.
 */
#ifndef VR_KROUTE_H
#define VR_KROUTE_H

#include <stddef.h>
#include <stdint.h>

#define KR_PROTO_VROUTER	241

enum kr_cmd {
	KR_REPLACE,		/* create, or replace the route at that key */
	KR_CREATE,		/* create; EEXIST if any route has that key */
	KR_DELETE,		/* delete ours on that ifindex; absent is ok */
};

struct kr_op {
	uint8_t		 cmd;		/* enum kr_cmd */
	uint32_t	 addr;		/* network byte order, /32 */
	unsigned int	 ifindex;
	uint32_t	 table;
	int		 error;		/* out: 0 or a positive errno */
};

struct kr_route {
	uint32_t	 addr;		/* network byte order */
	uint8_t		 plen;
	uint8_t		 protocol;
	unsigned int	 ifindex;
	uint32_t	 table;
};

struct kr_handle;

/* Open a route socket; the handle is the caller's to kr_close(). */
struct kr_handle *kr_open(uint8_t protocol);
void		 kr_close(struct kr_handle *);
uint8_t		 kr_protocol(const struct kr_handle *);

/*
 * Run n operations in as few sendmsg() calls as fit.  Each op's error is
 * set; returns the number of failed ops, or -1 with errno if the socket
 * itself failed.
 */
int		 kr_apply(struct kr_handle *, struct kr_op *, size_t n);

/*
 * Call cb for every IPv4 route in every table (ours_only: only routes with
 * our protocol).  Returns 0, or -1 with errno.
 */
int		 kr_dump(struct kr_handle *, int ours_only,
		    void (*cb)(const struct kr_route *, void *), void *arg);

/*
 * Read an IPv4 route message (a dump reply or a route notification) into
 * *r.  Returns 0, 1 for a message of another family, or -1 with errno
 * EBADMSG when it is truncated or an attribute is malformed.
 */
struct nlmsghdr;
int		 kr_route_parse(const struct nlmsghdr *, struct kr_route *);

/* Parse "main", "local", "default", a number, or a name in rt_tables. */
int		 kr_table_parse(const char *, uint32_t *);

#endif
