/*
 * hostile: plays QEMU for several router VMs at once, some honest, some
 * hostile, to measure how vrouter-hostd treats an honest VM while others
 * abuse their channels.  It prints figures (and CSV with -C); it judges
 * nothing.  See bench/hostile.sh and tests/integration/t_hostile.sh.
 *
 *   hostile [-M] [-C csv] [-L label] [-R readyfile] [-U uplink]
 *	     [-t secs] [-n samples] [-i gap_ms] [-T ack_ms] [-W withdraw_ms]
 *	     [-k withdraws] [-w warmup_ms] [-z tail_ms] [-D donefile]
 *	     ROLE:NAME:SOCK[:ADDR] ...
 *   hostile logcount CAP FILE NAME...
 *
 * Every VM listens at SOCK, as QEMU's `-chardev socket,server=on` does,
 * and speaks the guest side of vsp (docs/protocol.md) in a process of its
 * own, so a flood never delays the honest VM's clock.  Roles:
 *   honest   after the HELLO: STATE frames claiming ADDR MASTER, then
 *            BACKUP, in turn, one at a time, each waiting for the ACK
 *            naming its seq (at most ack_ms): frame -> ACK latency for
 *            `samples` frames `gap_ms` apart.  Then, `withdraws` times:
 *            MASTER, wait for ADDR/32 in the kernel, close() the channel
 *            (QEMU does when the VM dies) and time until the route is gone
 *            (seen on an rtnetlink monitor: run inside the hypervisor's
 *            namespace).
 *   flood    valid STATEs (ADDR MASTER/BACKUP in turn, seq + 1 each) as
 *            fast as the socket takes them; never reads its ACKs.
 *   floodr   the same, reading and discarding the ACKs.
 *   bait     resync bait: runs of 'V' bytes, then headers with a valid
 *            header CRC, length 8192 and a wrong payload CRC, one every
 *            32 bytes (each makes the reader wait for and checksum 8 KiB).
 *   refuse   STATEs claiming 256 unregistered /32 addresses MASTER.
 *   garbage  random bytes.
 * A hostile VM accepts hostd again whenever hostd reconnects.  With no
 * honest VM the run lasts -t seconds; otherwise it ends tail_ms (-z) after
 * the honest VMs are done (they stop at -t at the latest), and donefile
 * (-D) is made when they are: a caller can look at hostd while the floods
 * go on without any honest VM left to disturb it.  -M also counts route notifications and, with
 * -U, ARP frames leaving the uplink (a packet socket sees outgoing frames).
 *
 * logcount reads a log on stdin (hostd's stderr through a FIFO), keeps its
 * first CAP bytes in FILE and counts its lines, and the lines naming
 * "vm NAME" for each NAME; so a flood of log lines never fills the disk.
 *
 * Output lines are "KIND key=value ...", one per result.  Times are
 * CLOCK_MONOTONIC; every wait is bounded.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <zlib.h>

#include "bench.h"
#include "kroute.h"
#include "log.h"
#include "vsp.h"
#include "vsp_stream.h"

#define MAX_VMS		64
#define MAX_SAMPLES	100000
#define MAX_WITHDRAWS	100
#define LOST		UINT64_MAX	/* a sample that never came */
#define REFUSE_NET	0x0afe0000u	/* 10.254.0.0/16, host order */
#define BLAST_BUF	(64 * 1024)
#define BAIT_VRUN	16384		/* 'V' bytes per run */
#define BAIT_HDRS	512		/* bait headers per block */
#define POLL_MS		100		/* longest sleep between checks */
#define STOP_MS		3000		/* children get this long to report */

enum role { R_HONEST, R_FLOOD, R_FLOODR, R_BAIT, R_REFUSE, R_GARBAGE };
static const char *const role_names[] = {
	"honest", "flood", "floodr", "bait", "refuse", "garbage", NULL
};

struct vmspec {
	enum role	 role;
	char		 name[VSP_NAME_LEN + 1];
	const char	*sock;
	uint32_t	 addr;		/* network byte order; 0 if none */
	char		 addrstr[INET_ADDRSTRLEN];
	int		 lfd;
	pid_t		 pid;
};

struct opts {
	uint64_t	 t_ms;		/* whole run */
	unsigned int	 samples;
	unsigned int	 gap_ms;
	unsigned int	 ack_ms;
	unsigned int	 withdraw_ms;
	unsigned int	 withdraws;
	unsigned int	 warmup_ms;
	unsigned int	 tail_ms;
	const char	*csv;
	const char	*label;
	const char	*uplink;
	int		 monitor;
};

static struct opts	 o = {
	.t_ms = 20000, .samples = 200, .gap_ms = 20, .ack_ms = 1000,
	.withdraw_ms = 2000, .withdraws = 3, .warmup_ms = 500,
	.label = "-",
};
static volatile sig_atomic_t stop;
static uint64_t		 t_end;		/* this process's deadline, monotonic ns */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: hostile [-M] [-C csv] [-L label] "
	    "[-R readyfile] [-U uplink] [-t secs]\n"
	    "\t[-n samples] [-i gap_ms] [-T ack_ms] [-W withdraw_ms] "
	    "[-k withdraws]\n\t[-w warmup_ms] [-z tail_ms] [-D donefile] "
	    "ROLE:NAME:SOCK[:ADDR] ...\n"
	    "       hostile logcount CAP FILE NAME...\n"
	    "roles: honest flood floodr bait refuse garbage\n");
	exit(2);
}

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static unsigned long
parse_num(const char *s, unsigned long min, unsigned long max,
    const char *what)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *s == '\0' || v < min || v > max)
		fatalx("%s: \"%s\": not a number in %lu..%lu", what, s, min,
		    max);
	return v;
}

/* One CSV line "label,vm,role,metric,value"; appended in one write. */
static void
csv(const struct vmspec *vm, const char *metric, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
csv(const struct vmspec *vm, const char *metric, const char *fmt, ...)
{
	char	 line[256], val[64];
	va_list	 ap;
	int	 fd, n;

	if (o.csv == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "%s,%s,%s,%s,%s\n", o.label,
	    vm != NULL ? vm->name : "-",
	    vm != NULL ? role_names[vm->role] : "monitor", metric, val);
	if ((fd = open(o.csv, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) == -1) {
		log_warn("%s", o.csv);
		return;
	}
	if (write(fd, line, (size_t)n) != n)
		log_warn("%s", o.csv);
	close(fd);
}

/* ROLE:NAME:SOCK[:ADDR] */
static void
parse_vm(char *arg, struct vmspec *vm)
{
	char		*role, *name, *sock, *addr;
	struct in_addr	 in;
	int		 i;

	role = strsep(&arg, ":");
	name = strsep(&arg, ":");
	sock = strsep(&arg, ":");
	addr = arg;
	if (name == NULL || sock == NULL || *name == '\0' || *sock != '/')
		fatalx("\"%s\": want ROLE:NAME:/SOCK[:ADDR]", role);
	for (i = 0; role_names[i] != NULL; i++)
		if (strcmp(role, role_names[i]) == 0)
			break;
	if (role_names[i] == NULL)
		fatalx("%s: unknown role \"%s\"", name, role);
	vm->role = (enum role)i;
	if (strlen(name) > VSP_NAME_LEN)
		fatalx("%s: name longer than %d", name, VSP_NAME_LEN);
	strcpy(vm->name, name);
	vm->sock = sock;
	if (addr != NULL) {
		if (inet_pton(AF_INET, addr, &in) != 1)
			fatalx("%s: \"%s\": not an IPv4 address", name, addr);
		vm->addr = in.s_addr;
		snprintf(vm->addrstr, sizeof(vm->addrstr), "%s", addr);
	}
	if ((vm->role == R_HONEST || vm->role == R_FLOOD ||
	    vm->role == R_FLOODR) && vm->addr == 0)
		fatalx("%s: role %s needs its registered ADDR", name, role);
	vm->lfd = -1;
}

/* Wait (until the run's end) for hostd to connect; -1 if it did not. */
static int
accept_hostd(struct vmspec *vm)
{
	struct pollfd	 pfd;
	int		 fd;

	pfd.fd = vm->lfd;
	pfd.events = POLLIN;
	while (!stop && now_ns() < t_end) {
		if (poll(&pfd, 1, ms_left(t_end, POLL_MS)) <= 0)
			continue;
		fd = accept4(vm->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd != -1)
			return fd;
		if (errno != EAGAIN && errno != EINTR)
			fatal("%s: accept %s", vm->name, vm->sock);
	}
	return -1;
}

/* ---- the honest VM ---------------------------------------------------- */

struct honest {
	struct vmspec		*vm;
	int			 cfd;
	uint32_t		 seq;
	uint64_t		 epoch;
	struct vsp_reader	 rd;
	struct vsp_msg		 msg;
	uint8_t			 frame[VSP_MAX_FRAME];
	struct mnl_socket	*mon;
	struct kr_handle	*kr;
	char			 nlbuf[1 << 16];
	int			 route_up;	/* ADDR/32 proto 241 is there */
	uint64_t		 frames, bytes, reconnects;
};

static void
find_route(const struct kr_route *r, void *arg)
{
	struct honest	*h = arg;

	if (r->addr == h->vm->addr && r->plen == 32)
		h->route_up = 1;
}

/* The kernel's word on whether ADDR/32 of ours is there. */
static void
route_recheck(struct honest *h)
{
	h->route_up = 0;
	if (kr_dump(h->kr, 1, find_route, h) == -1)
		log_warn("%s: route dump", h->vm->name);
}

static int
route_event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct honest	*h = data;

	switch (rtmon_route(nlh, h->vm->addr, 0)) {
	case RTM_NEWROUTE:
		h->route_up = 1;
		break;
	case RTM_DELROUTE:
		route_recheck(h);	/* another table may still hold it */
		break;
	}
	return MNL_CB_OK;
}

static void
mon_read(struct honest *h)
{
	while (rtmon_drain(h->mon, h->nlbuf, sizeof(h->nlbuf),
	    route_event_cb, h) == -1) {
		if (errno != ENOBUFS)
			fatal("%s: route monitor", h->vm->name);
		route_recheck(h);	/* events lost: ask */
	}
}

/*
 * Read what the channel holds.  Returns 1 when an ACK for (epoch, seq)
 * arrived, 0 if not (yet), -1 if hostd closed the channel.
 */
static int
honest_read(struct honest *h, uint32_t want_seq)
{
	uint8_t	*p;
	size_t	 avail;
	ssize_t	 n;
	int	 got = 0;

	for (;;) {
		while (vsp_reader_next(&h->rd, &h->msg))
			if (h->msg.hdr.type == VSP_ACK &&
			    h->msg.u.ack.acked_seq == want_seq &&
			    h->msg.u.ack.acked_epoch == h->epoch)
				got = 1;
		if (got)
			return 1;
		if ((p = vsp_reader_space(&h->rd, &avail)) == NULL)
			return -1;
		n = recv(h->cfd, p, avail, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		vsp_reader_commit(&h->rd, (size_t)n);
	}
}

static void
honest_close(struct honest *h)
{
	if (h->cfd != -1)
		close(h->cfd);
	h->cfd = -1;
	vsp_reader_free(&h->rd);
}

/* Connected again (hostd reconnects after losing us); 0 or -1. */
static int
honest_connect(struct honest *h)
{
	if (h->cfd != -1)
		return 0;
	if ((h->cfd = accept_hostd(h->vm)) == -1)
		return -1;
	h->reconnects++;
	return 0;
}

/* Write a STATE claiming ADDR in state st; -1 if the channel is gone. */
static int
honest_send(struct honest *h, uint8_t st)
{
	struct vsp_msg	*m = &h->msg;
	struct pollfd	 pfd;
	ssize_t		 len, w;
	size_t		 off;

	guest_state(m, h->vm->name, h->epoch, ++h->seq, h->vm->addr, st);
	if ((len = vsp_encode(h->frame, sizeof(h->frame), m)) == -1)
		fatal("vsp_encode");
	pfd.fd = h->cfd;
	pfd.events = POLLOUT;
	for (off = 0; off < (size_t)len; off += (size_t)w) {
		w = send(h->cfd, h->frame + off, (size_t)len - off,
		    MSG_NOSIGNAL);
		if (w == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (now_ns() >= t_end || stop)
				return -1;
			poll(&pfd, 1, POLL_MS);
			w = 0;
			continue;
		}
		if (w == -1)
			return -1;
		h->bytes += (uint64_t)w;
	}
	h->frames++;
	return 0;
}

/*
 * Wait until cond(h) holds, reading the channel (for want_seq's ACK) and
 * the route monitor, at most until deadline.  Returns 1 when it held, 0 on
 * timeout, -1 if hostd closed the channel.
 */
enum wait_for { W_ACK, W_ROUTE_UP, W_ROUTE_GONE };

static int
honest_wait(struct honest *h, enum wait_for what, uint32_t want_seq,
    uint64_t deadline)
{
	struct pollfd	 pfd[2];
	int		 rv;

	pfd[0].fd = mnl_socket_get_fd(h->mon);
	pfd[1].fd = h->cfd;
	pfd[0].events = pfd[1].events = POLLIN;
	for (;;) {
		if (what == W_ROUTE_UP && h->route_up)
			return 1;
		if (what == W_ROUTE_GONE && !h->route_up)
			return 1;
		if (h->cfd != -1) {
			rv = honest_read(h, want_seq);
			if (rv == 1 && what == W_ACK)
				return 1;
			if (rv == -1) {
				honest_close(h);
				if (what == W_ACK)
					return -1;
			}
		}
		if (now_ns() >= deadline || now_ns() >= t_end || stop)
			return 0;
		pfd[1].fd = h->cfd;
		rv = poll(pfd, 2, ms_left(deadline, POLL_MS));
		if (rv == -1 && errno != EINTR)
			fatal("poll");
		if (rv > 0 && pfd[0].revents != 0)
			mon_read(h);
	}
}

/* Nearest-rank percentile of sorted v; "lost" when it lands on one. */
static void
pctl_str(const uint64_t *v, size_t n, unsigned int pct, char *out,
    size_t outlen)
{
	size_t	 i;

	if (n == 0) {
		snprintf(out, outlen, "none");
		return;
	}
	i = pctl_index(n, pct);
	if (v[i] == LOST)
		snprintf(out, outlen, "lost");
	else
		snprintf(out, outlen, "%.3f", (double)v[i] / 1e6);
}

static void
report_lat(struct vmspec *vm, const char *what, uint64_t *v, size_t n)
{
	char	 p50[16], p99[16], max[16];
	size_t	 lost = 0, i;

	samples_sort(v, n);
	for (i = 0; i < n; i++)
		lost += v[i] == LOST;
	pctl_str(v, n, 50, p50, sizeof(p50));
	pctl_str(v, n, 99, p99, sizeof(p99));
	pctl_str(v, n, 100, max, sizeof(max));
	printf("honest vm=%s %s n=%zu got=%zu lost=%zu p50_ms=%s p99_ms=%s "
	    "max_ms=%s\n", vm->name, what, n, n - lost, lost, p50, p99, max);
	csv(vm, what[0] == 'a' ? "ack_p50_ms" : "withdraw_p50_ms", "%s", p50);
	csv(vm, what[0] == 'a' ? "ack_p99_ms" : "withdraw_p99_ms", "%s", p99);
	csv(vm, what[0] == 'a' ? "ack_max_ms" : "withdraw_max_ms", "%s", max);
	csv(vm, what[0] == 'a' ? "ack_lost" : "withdraw_lost", "%zu", lost);
}

/*
 * The honest VM.  Samples until `samples` are taken or 60% of the run is
 * gone; the rest of the run is for the withdraw measurements.
 */
static int
run_honest(struct vmspec *vm)
{
	struct honest	*h;
	uint64_t	*ack, *wd, t0, t_samples;
	size_t		 nack = 0, nwd = 0, i;
	uint8_t		 st;
	int		 rv;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (ack = calloc(o.samples, sizeof(*ack))) == NULL ||
	    (wd = calloc(o.withdraws, sizeof(*wd))) == NULL)
		fatal("calloc");
	h->vm = vm;
	h->cfd = -1;
	h->epoch = boot_epoch();
	h->mon = rtmon_open(RTNLGRP_IPV4_ROUTE, 8 << 20);
	if ((h->kr = kr_open(KR_PROTO_VROUTER)) == NULL)
		fatal("route socket");
	vsp_reader_init(&h->rd, VSP_MAX_ACK_FRAME);

	t0 = now_ns();
	t_samples = t0 + (t_end - t0) * 6 / 10;
	if (honest_connect(h) == -1) {
		printf("honest vm=%s error=\"hostd never connected\"\n",
		    vm->name);
		return 1;
	}
	/* The floods get going; the HELLO is read and dropped meanwhile. */
	honest_wait(h, W_ACK, 0, now_ns() + (uint64_t)o.warmup_ms * 1000000);

	/* The last sample may wait for its ACK into the withdraw time. */
	for (i = 0; i < o.samples && !stop && now_ns() < t_samples; i++) {
		if (honest_connect(h) == -1)
			break;
		st = i % 2 == 0 ? VSP_ST_MASTER : VSP_ST_BACKUP;
		t0 = now_ns();
		if (honest_send(h, st) == -1) {
			honest_close(h);
			ack[nack++] = LOST;
			continue;
		}
		rv = honest_wait(h, W_ACK, h->seq,
		    t0 + (uint64_t)o.ack_ms * 1000000);
		if (rv == 0 && now_ns() < t0 + (uint64_t)o.ack_ms * 1000000)
			break;		/* cut short by the run's end */
		ack[nack++] = rv == 1 ? now_ns() - t0 : LOST;
		if (o.gap_ms > 0)
			honest_wait(h, W_ACK, 0,
			    now_ns() + (uint64_t)o.gap_ms * 1000000);
	}
	report_lat(vm, "ack", ack, nack);

	/* Channel loss -> withdraw: MASTER in place, then close(). */
	for (i = 0; i < o.withdraws && now_ns() < t_end && !stop; i++) {
		if (honest_connect(h) == -1)
			break;
		route_recheck(h);
		if (honest_send(h, VSP_ST_MASTER) == -1) {
			honest_close(h);
			continue;
		}
		/*
		 * Its own ACK first: hostd takes a channel's frames in order,
		 * so no older BACKUP of ours can withdraw the route later.
		 */
		t0 = now_ns();
		rv = honest_wait(h, W_ACK, h->seq,
		    t0 + (uint64_t)o.withdraw_ms * 1000000);
		if (rv == 1)
			route_recheck(h);
		if (rv != 1 || !h->route_up) {
			printf("honest vm=%s withdraw_try=%zu "
			    "error=\"MASTER not acked and installed within "
			    "%u ms\"\n",
			    vm->name, i, o.withdraw_ms);
			wd[nwd++] = LOST;
			continue;
		}
		honest_close(h);
		t0 = now_ns();
		rv = honest_wait(h, W_ROUTE_GONE, 0,
		    t0 + (uint64_t)o.withdraw_ms * 1000000);
		wd[nwd++] = rv == 1 ? now_ns() - t0 : LOST;
	}
	report_lat(vm, "withdraw", wd, nwd);
	printf("vm vm=%s role=honest frames=%llu bytes=%llu connects=%llu\n",
	    vm->name, (unsigned long long)h->frames,
	    (unsigned long long)h->bytes, (unsigned long long)h->reconnects);
	honest_close(h);
	mnl_socket_close(h->mon);
	kr_close(h->kr);
	free(ack);
	free(wd);
	free(h);
	return 0;
}

/* ---- the hostile VMs --------------------------------------------------- */

struct blast {
	struct vmspec	*vm;
	uint8_t		 buf[BLAST_BUF + VSP_MAX_FRAME];
	size_t		 off, len;	/* bytes of buf not yet written */
	uint32_t	 seq;
	uint64_t	 epoch;
	uint64_t	 rng;
	uint64_t	 frames;	/* whole frames generated and sent */
	uint64_t	 bytes;
	uint64_t	 connects;
	uint64_t	 read_bytes;
	size_t		 frame_len;	/* frames in buf are this long; 0: n/a */
	struct vsp_msg	 msg;
	uint8_t		 bait[BAIT_VRUN + BAIT_HDRS * VSP_HDR_LEN];
};

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Fill b->buf with more of what the role sends. */
static void
blast_fill(struct blast *b)
{
	struct vsp_state_msg	*st = &b->msg.u.state;
	ssize_t			 n;
	size_t			 i;
	uint64_t		 r;

	b->off = b->len = 0;
	switch (b->vm->role) {
	case R_FLOOD:
	case R_FLOODR:
	case R_REFUSE:
		/* Each frame is new (seq + 1): hostd must apply every one. */
		while (b->len + VSP_MAX_FRAME <= sizeof(b->buf)) {
			b->msg.hdr.seq = ++b->seq;
			if (b->vm->role != R_REFUSE)
				st->addrs[0].state = b->seq % 2 ?
				    VSP_ST_MASTER : VSP_ST_BACKUP;
			if ((n = vsp_encode(b->buf + b->len,
			    sizeof(b->buf) - b->len, &b->msg)) == -1)
				fatal("vsp_encode");
			b->len += (size_t)n;
			b->frame_len = (size_t)n;
			if (b->len >= BLAST_BUF)
				break;
		}
		break;
	case R_BAIT:
		memcpy(b->buf, b->bait, sizeof(b->bait));
		b->len = sizeof(b->bait);
		break;
	case R_GARBAGE:
		for (i = 0; i + 8 <= BLAST_BUF; i += 8) {
			r = xorshift(&b->rng);
			memcpy(b->buf + i, &r, 8);
		}
		b->len = BLAST_BUF;
		break;
	case R_HONEST:
		abort();
	}
}

/*
 * The bait block: a run of 'V' (each one a possible start of "VRSP"),
 * then headers one every 32 bytes, each valid up to its payload CRC and
 * announcing 8192 bytes.  The 8192 bytes after a header are the next 256
 * headers, identical, so one wrong CRC field is wrong for all of them.
 */
static void
bait_make(struct blast *b)
{
	uint8_t	 h[VSP_HDR_LEN], *p;
	uint32_t c, pcrc = 0, payload_crc;
	size_t	 i;

	memset(b->bait, 'V', BAIT_VRUN);
	for (;;) {
		memset(h, 0, sizeof(h));
		h[0] = 'V'; h[1] = 'R'; h[2] = 'S'; h[3] = 'P';
		h[4] = VSP_VERSION;
		h[5] = VSP_STATE;
		h[8] = VSP_MAX_PAYLOAD >> 24;
		h[9] = (VSP_MAX_PAYLOAD >> 16) & 0xff;
		h[10] = (VSP_MAX_PAYLOAD >> 8) & 0xff;
		h[11] = VSP_MAX_PAYLOAD & 0xff;
		h[15] = 1;			/* seq 1 */
		h[24] = pcrc >> 24; h[25] = (pcrc >> 16) & 0xff;
		h[26] = (pcrc >> 8) & 0xff; h[27] = pcrc & 0xff;
		c = (uint32_t)crc32(crc32(0L, Z_NULL, 0), h, 28);
		h[28] = c >> 24; h[29] = (c >> 16) & 0xff;
		h[30] = (c >> 8) & 0xff; h[31] = c & 0xff;
		p = b->bait + BAIT_VRUN;
		for (i = 0; i < BAIT_HDRS; i++)
			memcpy(p + i * VSP_HDR_LEN, h, VSP_HDR_LEN);
		payload_crc = (uint32_t)crc32(crc32(0L, Z_NULL, 0),
		    p + VSP_HDR_LEN, VSP_MAX_PAYLOAD);
		if (payload_crc != pcrc)
			break;
		pcrc++;			/* 1 in 2^32: pick another */
	}
}

static void
blast_init(struct blast *b, struct vmspec *vm)
{
	struct vsp_state_msg	*st = &b->msg.u.state;
	size_t			 i;

	b->vm = vm;
	b->epoch = boot_epoch();
	b->rng = b->epoch ^ (uint64_t)getpid() << 32 ^ 0x9e3779b97f4a7c15ull;
	/* blast_fill() numbers each frame (and turns a flood's state). */
	guest_state(&b->msg, vm->name, b->epoch, 0, vm->addr, VSP_ST_INIT);
	if (vm->role == R_REFUSE) {
		st->naddrs = VSP_MAX_ADDRS;
		for (i = 0; i < VSP_MAX_ADDRS; i++) {
			st->addrs[i].addr = htonl(REFUSE_NET + 1 + (uint32_t)i);
			st->addrs[i].plen = 32;
			st->addrs[i].state = VSP_ST_MASTER;
			st->addrs[i].group = 0xff;
		}
	}
	if (vm->role == R_BAIT)
		bait_make(b);
}

static int
run_blast(struct vmspec *vm)
{
	struct blast	*b;
	struct pollfd	 pfd;
	uint8_t		 sink[16384];
	uint64_t	 t0, t_conn = 0, t_start = 0;
	ssize_t		 n;
	int		 fd = -1, reads = vm->role != R_FLOOD;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("calloc");
	blast_init(b, vm);
	while (!stop && now_ns() < t_end) {
		if (fd == -1) {
			if ((fd = accept_hostd(vm)) == -1)
				break;
			b->connects++;
			t0 = now_ns();
			if (t_start == 0)
				t_start = t0;
			b->off = b->len = 0;	/* a new stream */
		}
		if (b->off == b->len)
			blast_fill(b);
		pfd.fd = fd;
		pfd.events = POLLOUT | (reads ? POLLIN : 0);
		if (poll(&pfd, 1, ms_left(t_end, POLL_MS)) <= 0)
			continue;
		if (reads && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
			n = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);
			if (n > 0)
				b->read_bytes += (uint64_t)n;
			if (n == 0 || (n == -1 && errno != EAGAIN &&
			    errno != EINTR)) {
				close(fd);
				fd = -1;
				continue;
			}
		}
		/* A flood that never reads learns of a hangup from send(). */
		if (!(pfd.revents & (POLLOUT | POLLHUP | POLLERR)))
			continue;
		n = send(fd, b->buf + b->off, b->len - b->off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == -1) {		/* hostd hung up on us */
			close(fd);
			fd = -1;
			continue;
		}
		b->off += (size_t)n;
		b->bytes += (uint64_t)n;
	}
	if (fd != -1)
		close(fd);
	if (t_start != 0)
		t_conn = now_ns() - t_start;
	if (b->frame_len != 0)
		b->frames = b->bytes / b->frame_len;
	printf("vm vm=%s role=%s frames=%llu bytes=%llu connects=%llu "
	    "read_bytes=%llu secs=%.1f mb_per_s=%.2f\n", vm->name,
	    role_names[vm->role], (unsigned long long)b->frames,
	    (unsigned long long)b->bytes, (unsigned long long)b->connects,
	    (unsigned long long)b->read_bytes, (double)t_conn / 1e9,
	    t_conn ? (double)b->bytes / 1e6 / ((double)t_conn / 1e9) : 0.0);
	csv(vm, "frames", "%llu", (unsigned long long)b->frames);
	csv(vm, "bytes", "%llu", (unsigned long long)b->bytes);
	csv(vm, "connects", "%llu", (unsigned long long)b->connects);
	csv(vm, "secs", "%.1f", (double)t_conn / 1e9);
	free(b);
	return 0;
}

/* ---- the monitor: route changes and ARPs ------------------------------- */

struct mon_count {
	uint64_t	 newroute, delroute, overruns;
};

static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct mon_count	*c = data;

	if (nlh->nlmsg_type == RTM_NEWROUTE)
		c->newroute++;
	else if (nlh->nlmsg_type == RTM_DELROUTE)
		c->delroute++;
	return MNL_CB_OK;
}

static int
run_monitor(void)
{
	struct mon_count	 c;
	struct mnl_socket	*mon = rtmon_open(RTNLGRP_IPV4_ROUTE, 8 << 20);
	struct pollfd		 pfd[2];
	struct sockaddr_ll	 sll;
	struct tpacket_stats	 tps;
	socklen_t		 slen = sizeof(tps);
	static char		 buf[1 << 16];
	uint64_t		 t0 = now_ns(), arps = 0, drops = 0;
	double			 secs;
	ssize_t			 n;
	int			 pfd_n = 1, rcvbuf = 8 << 20;

	memset(&c, 0, sizeof(c));
	pfd[0].fd = mnl_socket_get_fd(mon);
	pfd[0].events = pfd[1].events = POLLIN;
	pfd[1].fd = -1;
	if (o.uplink != NULL) {
		memset(&sll, 0, sizeof(sll));
		sll.sll_family = AF_PACKET;
		/* Only ETH_P_ALL taps see frames the host sends. */
		sll.sll_protocol = htons(ETH_P_ALL);
		if ((sll.sll_ifindex = (int)if_nametoindex(o.uplink)) == 0)
			fatal("uplink %s", o.uplink);
		if ((pfd[1].fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC,
		    htons(ETH_P_ALL))) == -1)
			fatal("packet socket");
		if (bind(pfd[1].fd, (struct sockaddr *)&sll,
		    sizeof(sll)) == -1)
			fatal("bind packet socket to %s", o.uplink);
		setsockopt(pfd[1].fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		    sizeof(rcvbuf));
		pfd_n = 2;
	}
	while (!stop && now_ns() < t_end) {
		if (poll(pfd, (nfds_t)pfd_n, ms_left(t_end, POLL_MS)) <= 0)
			continue;
		/* Counted, not fatal: overruns are one of the figures. */
		while (pfd[0].revents != 0 && rtmon_drain(mon, buf,
		    sizeof(buf), count_cb, &c) == -1 && errno == ENOBUFS)
			c.overruns++;
		while (pfd_n == 2 && pfd[1].revents != 0) {
			slen = sizeof(sll);
			n = recvfrom(pfd[1].fd, buf, sizeof(buf), MSG_DONTWAIT,
			    (struct sockaddr *)&sll, &slen);
			if (n <= 0)
				break;
			if (sll.sll_pkttype == PACKET_OUTGOING && n >= 14 &&
			    buf[12] == 0x08 && buf[13] == 0x06)
				arps++;
		}
	}
	secs = (double)(now_ns() - t0) / 1e9;
	slen = sizeof(tps);
	if (pfd_n == 2 && getsockopt(pfd[1].fd, SOL_PACKET,
	    PACKET_STATISTICS, &tps, &slen) == 0)
		drops = tps.tp_drops;
	/* Drops are frames of any kind: an upper bound on missed ARPs. */
	printf("monitor routes=%llu newroute=%llu delroute=%llu "
	    "routes_per_s=%.1f overruns=%llu arps=%llu arps_per_s=%.1f "
	    "frame_drops=%llu secs=%.1f\n",
	    (unsigned long long)(c.newroute + c.delroute),
	    (unsigned long long)c.newroute, (unsigned long long)c.delroute,
	    (double)(c.newroute + c.delroute) / secs,
	    (unsigned long long)c.overruns, (unsigned long long)arps,
	    (double)arps / secs, (unsigned long long)drops, secs);
	csv(NULL, "routes_per_s", "%.1f",
	    (double)(c.newroute + c.delroute) / secs);
	csv(NULL, "arps_per_s", "%.1f", (double)arps / secs);
	mnl_socket_close(mon);
	if (pfd[1].fd != -1)
		close(pfd[1].fd);
	return 0;
}

/* ---- logcount ------------------------------------------------------------ */

static int
logcount_main(int argc, char *argv[])
{
	static char	 buf[1 << 16];
	uint64_t	 lines = 0, bytes = 0, kept = 0, cap, *per;
	char		 pat[MAX_VMS][VSP_NAME_LEN + 8], *line, *nl;
	size_t		 len = 0, i, npat;
	ssize_t		 n;
	int		 fd;

	if (argc < 3)
		usage();
	cap = parse_num(argv[1], 0, 1ul << 40, "CAP");
	if ((fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		fatal("%s", argv[2]);
	npat = (size_t)argc - 3;
	if (npat > MAX_VMS)
		fatalx("more than %d names", MAX_VMS);
	if ((per = calloc(npat + 1, sizeof(*per))) == NULL)
		fatal("calloc");
	for (i = 0; i < npat; i++)
		snprintf(pat[i], sizeof(pat[i]), "vm %s", argv[3 + i]);
	for (;;) {
		n = read(STDIN_FILENO, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fatal("stdin");
		if (n == 0 && len == 0)
			break;
		if (n > 0 && kept < cap) {
			size_t k = (size_t)n;

			if (k > cap - kept)
				k = (size_t)(cap - kept);
			if (write(fd, buf + len, k) != (ssize_t)k)
				log_warn("%s", argv[2]);
			kept += k;
		}
		bytes += (uint64_t)(n > 0 ? n : 0);
		len += (size_t)(n > 0 ? n : 0);
		line = buf;
		/* At EOF a last line without a newline counts too. */
		while ((nl = memchr(line, '\n', len - (size_t)(line - buf)))
		    != NULL || (n == 0 && line < buf + len)) {
			if (nl == NULL)
				nl = buf + len - 1;
			*nl = '\0';
			lines++;
			for (i = 0; i < npat; i++) {
				char	*p = strstr(line, pat[i]);
				size_t	 pl = strlen(pat[i]);

				if (p != NULL && (p[pl] == ':' ||
				    p[pl] == ' ' || p[pl] == '\0')) {
					per[i]++;
					break;
				}
			}
			line = nl + 1;
		}
		len -= (size_t)(line - buf);
		memmove(buf, line, len);
		if (len == sizeof(buf))
			len = 0;	/* a line longer than buf: drop it */
		if (n == 0)
			break;
	}
	printf("log lines=%llu bytes=%llu kept=%llu\n",
	    (unsigned long long)lines, (unsigned long long)bytes,
	    (unsigned long long)kept);
	for (i = 0; i < npat; i++)
		printf("log vm=%s lines=%llu\n", argv[3 + i],
		    (unsigned long long)per[i]);
	close(fd);
	free(per);
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

/* Run fn(vm) in a child with its own deadline; the child's pid. */
static pid_t
spawn(int (*fn)(struct vmspec *), struct vmspec *vm, struct vmspec *vms,
    size_t nvms, uint64_t deadline)
{
	pid_t	 pid;
	size_t	 i;

	fflush(stdout);
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid != 0)
		return pid;
	t_end = deadline;
	for (i = 0; i < nvms; i++)
		if (&vms[i] != vm && vms[i].lfd != -1)
			close(vms[i].lfd);
	exit(fn(vm));
}

static int
monitor_child(struct vmspec *unused)
{
	(void)unused;
	return run_monitor();
}

static int
vm_child(struct vmspec *vm)
{
	return vm->role == R_HONEST ? run_honest(vm) : run_blast(vm);
}

/* Reap pid within deadline_ms, then kill it; its exit status or -1. */
static int
reap(pid_t pid, unsigned int deadline_ms)
{
	uint64_t	 end = now_ns() + (uint64_t)deadline_ms * 1000000;
	int		 status;
	pid_t		 r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (r == -1 && errno != EINTR)
			return -1;
		if (now_ns() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		usleep(10000);
	}
}

int
main(int argc, char *argv[])
{
	struct vmspec		 vms[MAX_VMS];
	struct sigaction	 sa;
	const char		*ready = NULL, *done = NULL;
	uint64_t		 t_honest, t_all;
	pid_t			 mon_pid = -1;
	size_t			 nvms = 0, i, nhonest = 0;
	int			 ch, rc = 0, r, fd;

	log_init(1, "hostile", LOG_USER);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && strcmp(argv[1], "logcount") == 0)
		return logcount_main(argc - 1, argv + 1);
	while ((ch = getopt(argc, argv, "C:D:i:k:L:Mn:R:t:T:U:w:W:z:")) != -1) {
		switch (ch) {
		case 'C':
			o.csv = optarg;
			break;
		case 'D':
			done = optarg;
			break;
		case 'i':
			o.gap_ms = (unsigned int)parse_num(optarg, 0, 60000,
			    "-i");
			break;
		case 'k':
			o.withdraws = (unsigned int)parse_num(optarg, 0,
			    MAX_WITHDRAWS, "-k");
			break;
		case 'L':
			o.label = optarg;
			break;
		case 'M':
			o.monitor = 1;
			break;
		case 'n':
			o.samples = (unsigned int)parse_num(optarg, 1,
			    MAX_SAMPLES, "-n");
			break;
		case 'R':
			ready = optarg;
			break;
		case 't':
			o.t_ms = parse_num(optarg, 1, 3600, "-t") * 1000;
			break;
		case 'T':
			o.ack_ms = (unsigned int)parse_num(optarg, 1, 60000,
			    "-T");
			break;
		case 'U':
			o.uplink = optarg;
			break;
		case 'w':
			o.warmup_ms = (unsigned int)parse_num(optarg, 0, 60000,
			    "-w");
			break;
		case 'W':
			o.withdraw_ms = (unsigned int)parse_num(optarg, 1,
			    60000, "-W");
			break;
		case 'z':
			o.tail_ms = (unsigned int)parse_num(optarg, 0, 600000,
			    "-z");
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 && !o.monitor)
		usage();
	if (argc > MAX_VMS)
		fatalx("more than %d VMs", MAX_VMS);
	for (i = 0; i < (size_t)argc; i++) {
		parse_vm(argv[i], &vms[nvms]);
		nhonest += vms[nvms].role == R_HONEST;
		nvms++;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	t_honest = now_ns() + o.t_ms * 1000000;
	t_all = t_honest + (nhonest > 0 ? (uint64_t)o.tail_ms * 1000000 : 0);
	t_end = t_all;

	for (i = 0; i < nvms; i++)
		vms[i].lfd = chardev_listen(vms[i].sock,
		    CHARDEV_NONBLOCK | CHARDEV_ANYONE);
	if (ready != NULL) {
		if ((fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC,
		    0644)) == -1)
			fatal("%s", ready);
		close(fd);
	}
	printf("hostile label=%s vms=%zu secs=%llu samples=%u gap_ms=%u "
	    "ack_ms=%u withdraws=%u tail_ms=%u\n", o.label, nvms,
	    (unsigned long long)(o.t_ms / 1000), o.samples, o.gap_ms,
	    o.ack_ms, o.withdraws, o.tail_ms);

	if (o.monitor)
		mon_pid = spawn(monitor_child, NULL, vms, nvms, t_all);
	for (i = 0; i < nvms; i++)
		vms[i].pid = spawn(vm_child, &vms[i], vms, nvms,
		    vms[i].role == R_HONEST ? t_honest : t_all);
	for (i = 0; i < nvms; i++) {
		close(vms[i].lfd);
		vms[i].lfd = -1;
	}

	/* The honest VMs set the pace; without one, the clock does. */
	for (i = 0; i < nvms; i++)
		if (vms[i].role == R_HONEST) {
			r = reap(vms[i].pid, (unsigned int)(o.t_ms + STOP_MS));
			if (r != 0)
				rc = 1;
			vms[i].pid = -1;
		}
	if (done != NULL) {
		if ((fd = open(done, O_WRONLY | O_CREAT | O_CLOEXEC,
		    0644)) == -1)
			fatal("%s", done);
		close(fd);
	}
	/* The tail: hostile VMs go on alone, until t_all at the latest. */
	t_end = nhonest == 0 ? t_all :
	    now_ns() + (uint64_t)o.tail_ms * 1000000;
	if (t_end > t_all)
		t_end = t_all;
	while (!stop && now_ns() < t_end)
		usleep(POLL_MS * 1000);
	for (i = 0; i < nvms; i++)
		if (vms[i].pid > 0)
			kill(vms[i].pid, SIGTERM);
	if (mon_pid > 0)
		kill(mon_pid, SIGTERM);
	for (i = 0; i < nvms; i++)
		if (vms[i].pid > 0 && reap(vms[i].pid, STOP_MS) != 0)
			rc = 1;
	if (mon_pid > 0 && reap(mon_pid, STOP_MS) != 0)
		rc = 1;
	for (i = 0; i < nvms; i++)
		unlink(vms[i].sock);
	return rc;
}
