/*
 * ofnat_bench: a fake OpenFlow 1.3 switch that measures vrouter-ofnat's
 * connection setup rate.
 *
 * It connects to the controller, plays the switch's side of the handshake
 * (HELLO, FEATURES, PORT_DESC with eth0 = public and eth1 = lan1, barrier
 * replies, echo), answers the controller's ARP request for the upstream
 * gateway, then streams PACKET_INs of TCP SYNs that each open a new NAT
 * session, keeping at most W in flight.  A setup is complete when the
 * controller has sent the session's two FLOW_MODs and the PACKET_OUT of
 * the SYN.  Prints setups per second over the measured time; never judges
 * the figure.  Fails (exit 1) if a setup did not complete as described.
 *
 * Two modes:
 *   fill    (default) sessions only accumulate, up to MAX_SESSIONS: the
 *           rate of a burst into an empty NAT.
 *   steady  (-l LIVE) once LIVE sessions are set up, every new one idles
 *           the oldest out: the switch sends FLOW_REMOVED (idle timeout)
 *           for both of its flows, so the controller also ends sessions
 *           and frees mappings, and the run lasts the whole time.
 *
 * usage: ofnat_bench [-a addr] [-p port] [-t seconds] [-w window]
 *                    [-l live]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ofp.h"
#include "packet.h"

/* Below the controller's session limit (NAT_MAX_SESSIONS, 1M): in the
 * fill mode the fake switch never idles a flow out. */
#define MAX_SESSIONS	900000
#define WARMUP_MAX	100000	/* setups at most in the warm-up */
#define RING		(1u << 21)	/* session cookies, oldest first */
#define COOKIE_TAGS	(3ull << 61)	/* the controller's own flows */
#define SYN_LEN		54

static const uint8_t	 MAC_SW0[6] = { 2, 0xaa, 0, 0, 0, 1 };
static const uint8_t	 MAC_SW1[6] = { 2, 0xaa, 0, 0, 0, 2 };
static const uint8_t	 MAC_GW[6] = { 2, 0xbb, 0, 0, 0, 1 };
static const uint8_t	 MAC_HOST[6] = { 2, 0xcc, 0, 0, 0, 1 };

static uint8_t		 rbuf[1 << 22], wbuf[1 << 22];
static size_t		 rlen, wlen;
static int		 fd;
static uint32_t		 xid = 1;
static uint64_t		 n_flow_mod, n_packet_out, n_arp, n_sent, n_removed;
static uint32_t		 gw_ip;

/* Messages encoded once and sent as patched copies, as the controller
 * does with its flows, so that the fake switch stays the cheaper end. */
static uint8_t		 syn_msg[256], fr_msg[256];
static size_t		 syn_len, fr_len;

/* Steady mode: the cookies of the sessions set up, oldest first. */
static uint64_t		 live_max;
static uint64_t		*ring;
static uint64_t		 ring_head, ring_tail, last_cookie;

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
flush_out(int block)
{
	ssize_t	 n;
	size_t	 off = 0;

	while (off < wlen) {
		n = send(fd, wbuf + off, wlen - off, block ? 0 : MSG_DONTWAIT);
		if (n == -1) {
			if (!block && errno == EAGAIN)
				break;
			perror("ofnat_bench: send");
			exit(1);
		}
		off += (size_t)n;
	}
	memmove(wbuf, wbuf + off, wlen - off);
	wlen -= off;
}

static void
queue(ssize_t n)
{
	if (n < 0) {
		perror("ofnat_bench: encode");
		exit(1);
	}
	wlen += (size_t)n;
	if (wlen > sizeof(wbuf) - OFP_MAX_MSG_LEN)
		flush_out(1);
}

static void
port(struct ofp_port *p, uint32_t no, const char *name, const uint8_t *mac)
{
	memset(p, 0, sizeof(*p));
	p->port_no = no;
	memcpy(p->hw_addr, mac, 6);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->state = OFPPS_LIVE;
}

static void
packet_in(uint32_t in_port, const uint8_t *frame, size_t len)
{
	static struct ofp_packet_in	 pi;

	memset(&pi, 0, sizeof(pi));
	pi.buffer_id = OFP_NO_BUFFER;
	pi.total_len = (uint16_t)len;
	pi.reason = OFPR_NO_MATCH;
	ofp_match_init(&pi.match);
	ofp_match_in_port(&pi.match, in_port);
	pi.data = frame;
	pi.data_len = len;
	queue(ofp_encode_packet_in(wbuf + wlen, sizeof(wbuf) - wlen, xid++,
	    &pi));
}

/* The PACKET_IN of a SYN, encoded once; syn() patches copies. */
static void
syn_template(void)
{
	struct ofp_packet_in	 pi;
	uint8_t			 f[SYN_LEN];
	ssize_t			 n;

	memset(f, 0, sizeof(f));
	memcpy(f, MAC_SW1, 6);
	memcpy(f + 6, MAC_HOST, 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 40;
	f[22] = 64;
	f[23] = IPPROTO_TCP;
	f[46] = 0x50;
	f[47] = 0x02;
	memset(&pi, 0, sizeof(pi));
	pi.buffer_id = OFP_NO_BUFFER;
	pi.total_len = SYN_LEN;
	pi.reason = OFPR_NO_MATCH;
	ofp_match_init(&pi.match);
	ofp_match_in_port(&pi.match, 2);
	pi.data = f;
	pi.data_len = SYN_LEN;
	if ((n = ofp_encode_packet_in(syn_msg, sizeof(syn_msg), 0, &pi)) ==
	    -1) {
		perror("ofnat_bench: encode");
		exit(1);
	}
	syn_len = (size_t)n;
}

/* A SYN from 10.1.x.y:sport to 198.51.100.z:dport, number i. */
static void
syn(uint64_t i)
{
	uint8_t		*m, *f;
	uint32_t	 src = htonl(0x0a010000u | (uint32_t)(10 + i % 200));
	uint32_t	 dst = htonl(0xc6336400u | (uint32_t)(1 + (i / 200) %
			    250));
	uint16_t	 sport = (uint16_t)(10000 + (i / 50000) % 100);
	uint16_t	 dport = (uint16_t)(1 + (i / 200 / 250) % 65000);

	if (wlen > sizeof(wbuf) - syn_len)
		flush_out(1);
	m = wbuf + wlen;
	memcpy(m, syn_msg, syn_len);
	ofp_tmpl_put32(m, 4, xid++);
	f = m + syn_len - SYN_LEN;
	f[6 + 5] = (uint8_t)i;
	memcpy(f + 26, &src, 4);
	memcpy(f + 30, &dst, 4);
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	wlen += syn_len;
	n_sent++;
}

/* A FLOW_REMOVED as OVS sends it for an idle session flow; the cookie
 * is patched into copies. */
static void
fr_template(void)
{
	struct ofp_flow_removed	 fr;
	ssize_t			 n;

	memset(&fr, 0, sizeof(fr));
	fr.priority = 200;
	fr.reason = OFPRR_IDLE_TIMEOUT;
	fr.duration_sec = 7440;
	fr.idle_timeout = 7440;
	fr.packet_count = 10;
	fr.byte_count = 1000;
	ofp_match_init(&fr.match);
	ofp_match_in_port(&fr.match, 2);
	ofp_match_eth_type(&fr.match, ETHTYPE_IPV4);
	ofp_match_ip_proto(&fr.match, IPPROTO_TCP);
	ofp_match_ipv4_src(&fr.match, htonl(0x0a01000a));
	ofp_match_ipv4_dst(&fr.match, htonl(0xc6336401));
	ofp_match_tcp_src(&fr.match, 10000);
	ofp_match_tcp_dst(&fr.match, 1);
	if ((n = ofp_encode_flow_removed(fr_msg, sizeof(fr_msg), 0, &fr)) ==
	    -1) {
		perror("ofnat_bench: encode");
		exit(1);
	}
	fr_len = (size_t)n;
}

/* Idle the oldest session out: both its flows are removed. */
static void
expire_oldest(void)
{
	uint64_t	 c = ring[ring_tail++ % RING];
	uint8_t		*m;
	int		 k;

	for (k = 0; k < 2; k++) {
		if (wlen > sizeof(wbuf) - fr_len)
			flush_out(1);
		m = wbuf + wlen;
		memcpy(m, fr_msg, fr_len);
		ofp_tmpl_put32(m, 4, xid++);
		ofp_tmpl_put32(m, 8, (uint32_t)(c >> 32));
		ofp_tmpl_put32(m, 12, (uint32_t)c);
		wlen += fr_len;
	}
	n_removed++;
}

/* A session's FLOW_MOD ADD: note its cookie (its two flows share it). */
static void
flow_mod_seen(const uint8_t *m, size_t len)
{
	uint64_t	 c = 0;
	int		 k;

	n_flow_mod++;
	if (live_max == 0 || len < 48 || m[25] != OFPFC_ADD)
		return;
	for (k = 8; k < 16; k++)
		c = c << 8 | m[k];
	if (c == 0 || (c & COOKIE_TAGS) || c == last_cookie)
		return;
	last_cookie = c;
	ring[ring_head++ % RING] = c;
	if (ring_head - ring_tail > live_max)
		expire_oldest();
}

static void
handle(const uint8_t *m, size_t len, int *ready)
{
	struct ofp_header		 h;
	static struct ofp_port_desc_reply pd;
	static struct ofp_packet_out	 po;
	struct ofp_features		 feat;
	struct ofp_hello		 hello = { OFP_VERSION,
					    OFP_HELLO_BITMAP_13 };
	struct ofp_echo			 e;
	struct pkt			 p;
	uint8_t				 arp[64];
	ssize_t				 n;

	if (ofp_decode_header(m, len, &h) == -1)
		return;
	switch (h.type) {
	case OFPT_HELLO:
		queue(ofp_encode_hello(wbuf + wlen, sizeof(wbuf) - wlen, h.xid,
		    &hello));
		break;
	case OFPT_ECHO_REQUEST:
		if (ofp_decode_echo_request(m, len, &e) == 0)
			queue(ofp_encode_echo_reply(wbuf + wlen, sizeof(wbuf) -
			    wlen, h.xid, &e));
		break;
	case OFPT_FEATURES_REQUEST:
		memset(&feat, 0, sizeof(feat));
		feat.datapath_id = 0xbe7c;
		feat.n_tables = 254;
		queue(ofp_encode_features_reply(wbuf + wlen, sizeof(wbuf) -
		    wlen, h.xid, &feat));
		break;
	case OFPT_MULTIPART_REQUEST:
		if (ofp_decode_port_desc_request(m, len) == -1) {
			/* The controller's flow audit: this switch keeps
			 * no flow table, so it says so (the audit fails
			 * and is tried later) rather than claim none. */
			struct ofp_error er = { OFPET_BAD_REQUEST, 2, m,
			    len < 64 ? len : 64 };

			queue(ofp_encode_error(wbuf + wlen, sizeof(wbuf) -
			    wlen, h.xid, &er));
			break;
		}
		memset(&pd, 0, sizeof(pd));
		pd.n_ports = 2;
		port(&pd.ports[0], 1, "eth0", MAC_SW0);
		port(&pd.ports[1], 2, "eth1", MAC_SW1);
		queue(ofp_encode_port_desc_reply(wbuf + wlen, sizeof(wbuf) -
		    wlen, h.xid, &pd));
		break;
	case OFPT_BARRIER_REQUEST:
		queue(ofp_encode_barrier_reply(wbuf + wlen, sizeof(wbuf) -
		    wlen, h.xid));
		break;
	case OFPT_FLOW_MOD:
		flow_mod_seen(m, len);
		break;
	case OFPT_PACKET_OUT:
		if (ofp_decode_packet_out(m, len, &po) == -1 ||
		    pkt_parse(po.data, po.data_len, &p) == -1)
			break;
		if (p.eth_type == ETHTYPE_ARP && p.arp_op == ARP_REQUEST) {
			/* The gateway answers. */
			gw_ip = p.arp_tpa;
			n = pkt_build_arp(arp, sizeof(arp), ARP_REPLY,
			    p.arp_sha, MAC_GW, p.arp_tpa, p.arp_sha,
			    p.arp_spa);
			if (n > 0)
				packet_in(1, arp, (size_t)n);
			n_arp++;
			*ready = 1;
		} else if (p.eth_type == ETHTYPE_IPV4 &&
		    p.proto == IPPROTO_TCP)
			n_packet_out++;
		break;
	}
}

static void
pump(int timeout_ms, int *ready)
{
	struct pollfd	 pfd = { fd, POLLIN, 0 };
	size_t		 off = 0, mlen;
	ssize_t		 n;

	if (wlen > 0)
		flush_out(0);
	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	n = recv(fd, rbuf + rlen, sizeof(rbuf) - rlen, 0);
	if (n <= 0) {
		fprintf(stderr, "ofnat_bench: controller closed\n");
		exit(1);
	}
	rlen += (size_t)n;
	while (ofp_header_check(rbuf + off, rlen - off, 0, &mlen) ==
	    OFP_SCAN_FRAME) {
		handle(rbuf + off, mlen, ready);
		off += mlen;
	}
	memmove(rbuf, rbuf + off, rlen - off);
	rlen -= off;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	const char		*addr = "127.0.0.1";
	double			 secs = 3, t0, t1, deadline, rate;
	uint64_t		 window = 2000, done0, fm0, rm0, i = 0, limit;
	int			 ch, port_no = 6653, one = 1, ready = 0;
	int			 warm = 1;

	while ((ch = getopt(argc, argv, "a:l:p:t:w:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
			break;
		case 'l':
			live_max = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			port_no = atoi(optarg);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'w':
			window = strtoull(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr, "usage: ofnat_bench [-a addr] "
			    "[-p port] [-t seconds] [-w window] [-l live]\n");
			return 2;
		}
	}
	if (live_max >= RING - window || (live_max > 0 &&
	    live_max + window >= MAX_SESSIONS)) {
		fprintf(stderr, "ofnat_bench: -l %llu: live sessions and "
		    "window must stay below %u\n",
		    (unsigned long long)live_max, MAX_SESSIONS);
		return 2;
	}
	if (live_max > 0 && (ring = calloc(RING, sizeof(*ring))) == NULL) {
		perror("ofnat_bench: calloc");
		return 1;
	}
	/* Fill: stop below the controller's limit.  Steady: live sessions
	 * stay below it, so only the time bounds the run. */
	limit = live_max > 0 ? UINT64_MAX : MAX_SESSIONS;
	syn_template();
	fr_template();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port_no);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("ofnat_bench: connect");
		return 1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	/* Handshake and the gateway's ARP, at most 5 s. */
	deadline = now_s() + 5;
	while (!ready && now_s() < deadline)
		pump(100, &ready);
	if (!ready) {
		fprintf(stderr, "ofnat_bench: no ARP for the gateway\n");
		return 1;
	}
	pump(50, &ready);

	/*
	 * Warm up for 10% of the time (at most WARMUP_MAX setups; in the
	 * steady mode, at least until sessions are being idled out), then
	 * measure.
	 */
	t0 = now_s();
	done0 = fm0 = rm0 = 0;
	t1 = t0 + secs * 1.1;
	while (now_s() < t1 && i < limit) {
		while (n_sent - n_packet_out < window && i < limit)
			syn(i++);
		pump(10, &ready);
		if (warm && (n_packet_out >= WARMUP_MAX ||
		    now_s() >= t0 + secs * 0.1) &&
		    (live_max == 0 || n_removed > 0)) {
			warm = 0;
			done0 = n_packet_out;
			fm0 = n_flow_mod;
			rm0 = n_removed;
			t1 = now_s() + secs;
			t0 = now_s();
		}
	}
	t1 = now_s();
	if (warm) {
		fprintf(stderr, "ofnat_bench: still warming up after %.1f s\n",
		    secs * 1.1);
		return 1;
	}
	printf("ofnat setups (%s): %llu in %.2f s = %.0f setups/s "
	    "(window %llu, %llu flow_mods, %llu sessions idled out)\n",
	    live_max > 0 ? "steady" : "fill",
	    (unsigned long long)(n_packet_out - done0), t1 - t0,
	    (double)(n_packet_out - done0) / (t1 - t0),
	    (unsigned long long)window,
	    (unsigned long long)(n_flow_mod - fm0),
	    (unsigned long long)(n_removed - rm0));
	rate = (double)(n_packet_out - done0) / (t1 - t0);
	/* Drain what is in flight, then check the books. */
	deadline = now_s() + 5;
	while (n_packet_out < n_sent && now_s() < deadline)
		pump(50, &ready);
	close(fd);
	free(ring);
	if (n_packet_out != n_sent || n_flow_mod < 2 * n_sent) {
		fprintf(stderr, "ofnat_bench: %llu SYNs sent, %llu forwarded, "
		    "%llu flow_mods: setups did not complete\n",
		    (unsigned long long)n_sent,
		    (unsigned long long)n_packet_out,
		    (unsigned long long)n_flow_mod);
		return 1;
	}
	/* For bench/ofnat.sh: the rate, and every setup of the run (the
	 * controller's CPU time covers them all). */
	printf("ofnat_bench: mode=%s rate=%.0f total=%llu\n",
	    live_max > 0 ? "steady" : "fill", rate,
	    (unsigned long long)n_packet_out);
	return 0;
}
