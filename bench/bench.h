/*
 * bench.h: what the benchmark programs share (bench/clock.c, stats.c,
 * chardev.c, guest.c, rtmon.c).  A benchmark is a short-lived tool, not a daemon:
 * a setup step that fails calls fatal(), since figures from a half-built
 * setup are worthless.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* ---- clock.c: every time is CLOCK_MONOTONIC, every wait bounded ---- */

uint64_t	 now_ns(void);

/*
 * Milliseconds from now to deadline (a now_ns() time), rounded up, at
 * most cap, never negative: a poll() timeout.
 */
int		 ms_left(uint64_t deadline, int cap);

/*
 * A sender's boot epoch (docs/protocol.md): microseconds since 1970, so
 * each run's (epoch, seq) is newer than the last run's.
 */
uint64_t	 boot_epoch(void);

/* ---- stats.c: order statistics of samples in ns --------------------- */

/* Sort v ascending in place. */
void		 samples_sort(uint64_t *v, size_t n);

/* Sorts v in place; the median (mean of the middle two for even n > 0). */
double		 samples_median(uint64_t *v, size_t n);

/* The index of the nearest-rank pct percentile in n > 0 sorted samples. */
size_t		 pctl_index(size_t n, unsigned int pct);

/* ---- chardev.c: the host side of QEMU's chardev --------------------- */

#define CHARDEV_NONBLOCK	0x1	/* a non-blocking listening socket */
#define CHARDEV_ANYONE		0x2	/* chmod 0666: hostd's channel reader
					   may run unprivileged */

/*
 * Listen at path, as QEMU's `-chardev socket,server=on` does; path must
 * not exist.  Returns the listening socket (close-on-exec), the caller's
 * to close; the path is the caller's to unlink.
 */
int		 chardev_listen(const char *path, int flags);

/* ---- guest.c: the guest's side of vsp ------------------------------- */

struct vsp_msg;

/*
 * Fill m with a STATE from router_id at (epoch, seq) claiming addr/32
 * (network byte order) in state (enum vsp_state), in no group; the caller
 * encodes it (vsp_encode).
 */
void		 guest_state(struct vsp_msg *m, const char *router_id,
		    uint64_t epoch, uint32_t seq, uint32_t addr,
		    uint8_t state);

/* ---- rtmon.c: an rtnetlink monitor, to see routes come and go ------- */

/*
 * A socket subscribed to the rtnetlink group (RTNLGRP_*), with a receive
 * buffer of rcvbuf bytes (SO_RCVBUFFORCE, else as much as SO_RCVBUF
 * allows).  The caller's to mnl_socket_close().
 */
struct mnl_socket *rtmon_open(unsigned int group, int rcvbuf);

/*
 * Run cb over every message mon holds, without blocking, reading into
 * buf.  Returns 0 once nothing is left; -1 with errno when recv() fails
 * (ENOBUFS: the kernel dropped events; reading may go on) or a message is
 * bad (what mnl_cb_run() says).
 */
int		 rtmon_drain(struct mnl_socket *mon, void *buf, size_t len,
		    mnl_cb_t cb, void *arg);

/*
 * Is nlh a notification of addr/32 with our protocol (KR_PROTO_VROUTER)
 * on ifindex (0: any device)?  Its type, RTM_NEWROUTE or RTM_DELROUTE,
 * if so; 0 if not.
 */
int		 rtmon_route(const struct nlmsghdr *nlh, uint32_t addr,
		    unsigned int ifindex);

#endif /* BENCH_H */
