/*
 * vrouter-notify: keepalived's notify hook for hand-written configs.  It
 * forwards one VRRP transition to vrouterd's control socket (forward.c),
 * or, with no vrouterd, sends it straight to the virtio-serial port as a
 * full vsp STATE (direct.c).  args.c checks every argument first.
 */
#ifndef VR_NOTIFY_H
#define VR_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "vsp.h"

/*
 * Exit codes: keep in step with docs/vrouter-notify.8.  1 and 2 are what
 * every vrouter tool uses for a failure and a usage error; 3 to 5 tell a
 * wrapper why a transition did not arrive.
 */
#define NOTIFY_OK		0	/* delivered: vrouterd said ok, or acked */
#define NOTIFY_REFUSED		1	/* vrouterd answered ok:false */
#define NOTIFY_USAGE		2	/* usage or bad arguments */
#define NOTIFY_UNREACHABLE	3	/* no vrouterd and no usable port */
#define NOTIFY_NOACK		4	/* sent, not confirmed within the wait */
#define NOTIFY_ADDRESS		5	/* the host refused or failed an address */

#define NOTIFY_WAIT_MS		2000
#define NOTIFY_WAIT_MAX		3600000

/* One transition as keepalived reports it: TYPE NAME STATE PRIORITY. */
struct notify_event {
	uint8_t		 kind;		/* enum vsp_group_kind */
	char		 name[VSP_NAME_LEN + 1];
	const char	*state;		/* keepalived's word, static */
	uint8_t		 vsp_state;	/* what the host is told */
	uint8_t		 priority;
};

/* Where and what to send when there is no vrouterd. */
struct notify_port {
	const char	*path;
	char		 router_id[VSP_NAME_LEN + 1];
	uint16_t	 naddrs;
	uint32_t	 addrs[VSP_MAX_ADDRS];	/* network byte order */
};

/*
 * args.c: pure checks, no I/O and no logging.  Each returns 0, or -1 with
 * a message naming the bad argument in err.
 */
int	 notify_parse_event(struct notify_event *, int argc, char **argv,
	    char *err, size_t errlen);
int	 notify_parse_name(const char *what, const char *s,
	    char out[VSP_NAME_LEN + 1], char *err, size_t errlen);
int	 notify_parse_address(struct notify_port *, const char *s,
	    char *err, size_t errlen);
int	 notify_parse_wait(const char *s, int *ms, char *err, size_t errlen);
/* s quoted for a message, non-printable bytes as '?', cut at 40 bytes. */
const char *notify_shown(const char *s, char *buf, size_t len);

/*
 * forward.c.  notify_probe: 0 vrouterd listens at path, 1 it does not run
 * (no socket, or connection refused), -1 the socket is unusable otherwise
 * (logged).  notify_forward sends the event and returns an exit code.
 */
int	 notify_probe(const char *path);
int	 notify_forward(const char *path, const struct notify_event *,
	    int wait_ms);

/* direct.c: send the event as a full STATE; returns an exit code. */
int	 notify_direct(const struct notify_port *,
	    const struct notify_event *, int wait_ms);

#endif
