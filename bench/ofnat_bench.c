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
 * usage: ofnat_bench [-a addr] [-p port] [-t seconds] [-w window]
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

/* Below the controller's session limit (NAT_MAX_SESSIONS, 1M): the
 * fake switch never idles a flow out. */
#define MAX_SESSIONS	900000

static const uint8_t	 MAC_SW0[6] = { 2, 0xaa, 0, 0, 0, 1 };
static const uint8_t	 MAC_SW1[6] = { 2, 0xaa, 0, 0, 0, 2 };
static const uint8_t	 MAC_GW[6] = { 2, 0xbb, 0, 0, 0, 1 };
static const uint8_t	 MAC_HOST[6] = { 2, 0xcc, 0, 0, 0, 1 };

static uint8_t		 rbuf[1 << 22], wbuf[1 << 22];
static size_t		 rlen, wlen;
static int		 fd;
static uint32_t		 xid = 1;
static uint64_t		 n_flow_mod, n_packet_out, n_arp, n_sent;
static uint32_t		 gw_ip;

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

/* A SYN from 10.1.x.y:sport to 198.51.100.z:dport, number i. */
static void
syn(uint64_t i)
{
	uint8_t		 f[54];
	uint32_t	 src = htonl(0x0a010000u | (uint32_t)(10 + i % 200));
	uint32_t	 dst = htonl(0xc6336400u | (uint32_t)(1 + (i / 200) %
			    250));
	uint16_t	 sport = (uint16_t)(10000 + (i / 50000) % 100);
	uint16_t	 dport = (uint16_t)(1 + (i / 200 / 250) % 65000);

	memset(f, 0, sizeof(f));
	memcpy(f, MAC_SW1, 6);
	memcpy(f + 6, MAC_HOST, 6);
	f[6 + 5] = (uint8_t)i;
	f[12] = 0x08;
	f[14] = 0x45;
	f[17] = 40;
	f[22] = 64;
	f[23] = IPPROTO_TCP;
	memcpy(f + 26, &src, 4);
	memcpy(f + 30, &dst, 4);
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[36] = (uint8_t)(dport >> 8);
	f[37] = (uint8_t)dport;
	f[46] = 0x50;
	f[47] = 0x02;
	packet_in(2, f, sizeof(f));
	n_sent++;
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
		n_flow_mod++;
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
	double			 secs = 3, t0, t1, deadline;
	uint64_t		 window = 2000, done0, fm0, i = 0;
	int			 ch, port_no = 6653, one = 1, ready = 0;

	while ((ch = getopt(argc, argv, "a:p:t:w:")) != -1) {
		switch (ch) {
		case 'a':
			addr = optarg;
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
			    "[-p port] [-t seconds] [-w window]\n");
			return 2;
		}
	}
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

	/* Warm up for 10% of the time, then measure. */
	t0 = now_s();
	done0 = fm0 = 0;
	t1 = t0 + secs * 1.1;
	while (now_s() < t1 && i < MAX_SESSIONS) {
		while (n_sent - n_packet_out < window && i < MAX_SESSIONS)
			syn(i++);
		pump(10, &ready);
		if (done0 == 0 && now_s() >= t0 + secs * 0.1) {
			done0 = n_packet_out;
			fm0 = n_flow_mod;
			t0 = now_s();
		}
	}
	t1 = now_s();
	printf("ofnat setups: %llu in %.2f s = %.0f setups/s (window %llu, "
	    "%llu flow_mods)\n",
	    (unsigned long long)(n_packet_out - done0), t1 - t0,
	    (double)(n_packet_out - done0) / (t1 - t0),
	    (unsigned long long)window,
	    (unsigned long long)(n_flow_mod - fm0));
	/* Drain what is in flight, then check the books. */
	deadline = now_s() + 5;
	while (n_packet_out < n_sent && now_s() < deadline)
		pump(50, &ready);
	close(fd);
	if (n_packet_out != n_sent || n_flow_mod < 2 * n_sent) {
		fprintf(stderr, "ofnat_bench: %llu SYNs sent, %llu forwarded, "
		    "%llu flow_mods: setups did not complete\n",
		    (unsigned long long)n_sent,
		    (unsigned long long)n_packet_out,
		    (unsigned long long)n_flow_mod);
		return 1;
	}
	return 0;
}
