/*
 * ofp-golden-gen: encode a fixed set of OpenFlow 1.3 messages with the
 * ofp codec and print each as "NAME HEX", one a line, for run.sh to feed
 * to an independent decoder (ovs-ofctl ofp-print).  With -s DIR, write
 * each message's bytes to DIR/NAME instead (the fuzz seeds).
 *
 * The set is what vrouter-ofnat sends (and, for the fake switch of the
 * benchmark, what a switch sends): nothing here may change silently.
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ofp.h"

static uint8_t	 msg[OFP_MAX_MSG_LEN];
static const char *seed_dir;
static int	 failed;

static const uint8_t router_mac[6] = { 0x02, 0x52, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t host_mac[6] = { 0x02, 0x48, 0x00, 0x00, 0x00, 0x05 };
static const uint8_t gw_mac[6] = { 0x02, 0x47, 0x00, 0x00, 0x00, 0xfe };

static uint32_t
ip(const char *s)
{
	struct in_addr	 a;

	if (inet_pton(AF_INET, s, &a) != 1)
		errx(1, "%s: not an IPv4 address", s);
	return a.s_addr;
}

static void
emit(const char *name, ssize_t n)
{
	char	 path[4096];
	ssize_t	 i;
	int	 fd;

	if (n < 0) {
		warn("%s: encode", name);
		failed = 1;
		return;
	}
	if (seed_dir != NULL) {
		snprintf(path, sizeof(path), "%s/%s", seed_dir, name);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
			err(1, "%s", path);
		if (write(fd, msg, (size_t)n) != n)
			err(1, "%s", path);
		close(fd);
		return;
	}
	printf("%s ", name);
	for (i = 0; i < n; i++)
		printf("%02x", msg[i]);
	printf("\n");
}

static uint16_t
csum(const uint8_t *p, size_t n)
{
	uint32_t	 s = 0;
	size_t		 i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An ARP reply from the router's gateway address to an inside host. */
static size_t
arp_reply(uint8_t *f)
{
	uint32_t	 spa = ip("10.0.0.1"), tpa = ip("10.0.0.5");

	memset(f, 0, 60);
	memcpy(f, host_mac, 6);
	memcpy(f + 6, router_mac, 6);
	f[12] = 0x08; f[13] = 0x06;
	f[14] = 0; f[15] = 1;		/* Ethernet */
	f[16] = 0x08; f[17] = 0;	/* IPv4 */
	f[18] = 6; f[19] = 4;
	f[20] = 0; f[21] = 2;		/* reply */
	memcpy(f + 22, router_mac, 6);
	memcpy(f + 28, &spa, 4);
	memcpy(f + 32, host_mac, 6);
	memcpy(f + 38, &tpa, 4);
	return 60;
}

/* A UDP datagram from an inside host with TTL 1 (traceroute's probe). */
static size_t
udp_ttl1(uint8_t *f)
{
	uint32_t	 src = ip("10.0.0.5"), dst = ip("198.51.100.7");
	uint16_t	 c;

	memset(f, 0, 60);
	memcpy(f, router_mac, 6);
	memcpy(f + 6, host_mac, 6);
	f[12] = 0x08; f[13] = 0x00;
	f[14] = 0x45;
	f[16] = 0;
	f[17] = 32;			/* total length: 20 + 8 + 4 */
	f[18] = 0x12; f[19] = 0x34;	/* id */
	f[22] = 1;			/* TTL */
	f[23] = 17;			/* UDP */
	memcpy(f + 26, &src, 4);
	memcpy(f + 30, &dst, 4);
	c = csum(f + 14, 20);
	f[24] = c >> 8; f[25] = c & 0xff;
	f[34] = 0x82; f[35] = 0x9b;	/* 33435 */
	f[36] = 0x82; f[37] = 0x9b;
	f[38] = 0; f[39] = 12;		/* UDP length */
	/* checksum 0: none, allowed over IPv4 */
	memcpy(f + 42, "abcd", 4);
	return 60;
}

/* The switch's answer to the audit: the NAT flow above twice (one
 * entry without instructions), its match and instructions as encoded. */
static void
flow_stats_reply(const struct ofp_flow_mod *fm)
{
	static uint8_t		 fmb[1024];
	struct ofp_flow_stats	 fs[2];
	ssize_t			 n;
	size_t			 mlen;

	if ((n = ofp_encode_flow_mod(fmb, sizeof(fmb), 1, fm)) == -1)
		err(1, "flow_stats_reply");
	mlen = ((size_t)(fmb[50] << 8 | fmb[51]) + 7) & ~(size_t)7;
	memset(fs, 0, sizeof(fs));
	fs[0].table_id = fm->table_id;
	fs[0].duration_sec = 61;
	fs[0].duration_nsec = 250000000;
	fs[0].priority = fm->priority;
	fs[0].idle_timeout = fm->idle_timeout;
	fs[0].flags = fm->flags;
	fs[0].cookie = fm->cookie;
	fs[0].packet_count = 42;
	fs[0].byte_count = 4200;
	fs[0].match = fmb + 48;
	fs[0].match_len = mlen;
	fs[0].instructions = fmb + 48 + mlen;
	fs[0].instructions_len = (size_t)n - 48 - mlen;
	fs[1] = fs[0];
	fs[1].cookie = fm->cookie + 1;
	fs[1].instructions = NULL;
	fs[1].instructions_len = 0;
	emit("flow_stats_reply", ofp_encode_flow_stats_reply(msg, sizeof(msg),
	    9, 0, fs, 2));
}

static void
flow_mods(void)
{
	struct ofp_flow_mod fm;
	struct ofp_match rw;

	/* Table 0 miss: everything unknown goes to the controller whole. */
	ofp_flow_mod_init(&fm);
	fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_output(&fm.apply, OFPP_CONTROLLER, OFPCML_NO_BUFFER);
	emit("flow_mod_table_miss", ofp_encode_flow_mod(msg, sizeof(msg),
	    0x10, &fm));

	/* NAPT outbound: inside TCP socket rewritten to the public address,
	 * TTL decremented, out of the public leg; FlowRemoved on idle. */
	ofp_flow_mod_init(&fm);
	fm.cookie = 0x0000000100009c41ULL;
	fm.table_id = 1;
	fm.idle_timeout = 7440;
	fm.priority = 200;
	fm.flags = OFPFF_SEND_FLOW_REM;
	ofp_match_in_port(&fm.match, 2);
	ofp_match_eth_type(&fm.match, 0x0800);
	ofp_match_ip_proto(&fm.match, 6);
	ofp_match_ipv4_src(&fm.match, ip("10.0.0.5"));
	ofp_match_ipv4_dst(&fm.match, ip("198.51.100.7"));
	ofp_match_tcp_src(&fm.match, 40000);
	ofp_match_tcp_dst(&fm.match, 80);
	ofp_match_init(&rw);
	ofp_match_eth_src(&rw, router_mac);
	ofp_match_eth_dst(&rw, gw_mac);
	ofp_match_ipv4_src(&rw, ip("203.0.113.1"));
	ofp_match_tcp_src(&rw, 40001);
	fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_set_fields(&fm.apply, &rw);
	ofp_actions_dec_nw_ttl(&fm.apply);
	ofp_actions_output(&fm.apply, 1, 0);
	emit("flow_mod_nat_out", ofp_encode_flow_mod(msg, sizeof(msg), 0x11,
	    &fm));
	flow_stats_reply(&fm);

	/* A masked match and goto-table: inside network to the NAT table. */
	ofp_flow_mod_init(&fm);
	fm.priority = 100;
	ofp_match_eth_type(&fm.match, 0x0800);
	ofp_match_ipv4_src_masked(&fm.match, ip("10.0.0.0"),
	    ip("255.255.255.0"));
	fm.instructions = OFPIT_BIT(OFPIT_GOTO_TABLE);
	fm.goto_table = 1;
	emit("flow_mod_goto", ofp_encode_flow_mod(msg, sizeof(msg), 0x12,
	    &fm));

	/* ARP requests for the gateway address go to the controller. */
	ofp_flow_mod_init(&fm);
	fm.priority = 300;
	ofp_match_in_port(&fm.match, 2);
	ofp_match_eth_type(&fm.match, 0x0806);
	ofp_match_arp_op(&fm.match, 1);
	ofp_match_arp_tpa(&fm.match, ip("10.0.0.1"));
	fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_output(&fm.apply, OFPP_CONTROLLER, 128);
	emit("flow_mod_arp", ofp_encode_flow_mod(msg, sizeof(msg), 0x13,
	    &fm));

	/* ICMP echo to the router, UDP port forward: ICMP and UDP fields. */
	ofp_flow_mod_init(&fm);
	fm.priority = 250;
	fm.hard_timeout = 60;
	ofp_match_eth_type(&fm.match, 0x0800);
	ofp_match_ip_proto(&fm.match, 1);
	ofp_match_ipv4_dst(&fm.match, ip("203.0.113.1"));
	ofp_match_icmpv4_type(&fm.match, 8);
	ofp_match_icmpv4_code(&fm.match, 0);
	fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_output(&fm.apply, OFPP_CONTROLLER, OFPCML_NO_BUFFER);
	emit("flow_mod_icmp", ofp_encode_flow_mod(msg, sizeof(msg), 0x14,
	    &fm));

	ofp_flow_mod_init(&fm);
	fm.table_id = 1;
	fm.priority = 150;
	ofp_match_eth_type(&fm.match, 0x0800);
	ofp_match_ip_proto(&fm.match, 17);
	ofp_match_ipv4_dst(&fm.match, ip("203.0.113.1"));
	ofp_match_udp_dst(&fm.match, 5353);
	ofp_match_init(&rw);
	ofp_match_ipv4_dst(&rw, ip("10.0.0.7"));
	ofp_match_udp_dst(&rw, 53);
	fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_set_fields(&fm.apply, &rw);
	ofp_actions_dec_nw_ttl(&fm.apply);
	ofp_actions_output(&fm.apply, 2, 0);
	emit("flow_mod_udp_forward", ofp_encode_flow_mod(msg, sizeof(msg),
	    0x15, &fm));

	/* Reclaim: delete every flow of one mapping by its cookie. */
	ofp_flow_mod_init(&fm);
	fm.command = OFPFC_DELETE;
	fm.table_id = OFPTT_ALL;
	fm.cookie = 0x0000000100009c41ULL;
	fm.cookie_mask = ~0ULL;
	emit("flow_mod_delete_cookie", ofp_encode_flow_mod(msg, sizeof(msg),
	    0x16, &fm));
}

static void
controller_messages(void)
{
	struct ofp_hello h = { 0, OFP_HELLO_BITMAP_13 };
	struct ofp_echo e = { (const uint8_t *)"ping", 4 };
	struct ofp_switch_config c = { OFPC_FRAG_NORMAL, OFPCML_NO_BUFFER };
	struct ofp_async_config a;
	struct ofp_packet_out po;
	struct ofp_flow_stats_request fsr;
	struct ofp_role	 r;
	uint8_t		 frame[60];

	emit("hello", ofp_encode_hello(msg, sizeof(msg), 1, &h));
	emit("features_request", ofp_encode_features_request(msg, sizeof(msg),
	    2));
	emit("port_desc_request", ofp_encode_port_desc_request(msg,
	    sizeof(msg), 3));
	emit("set_config", ofp_encode_set_config(msg, sizeof(msg), 4, &c));
	/* The session flows' audit: table 0, cookies with the top three
	 * bits clear. */
	memset(&fsr, 0, sizeof(fsr));
	fsr.out_port = OFPP_ANY;
	fsr.out_group = OFPG_ANY;
	fsr.cookie_mask = 7ull << 61;
	ofp_match_init(&fsr.match);
	emit("flow_stats_request", ofp_encode_flow_stats_request(msg,
	    sizeof(msg), 9, &fsr));
	memset(&a, 0, sizeof(a));
	a.packet_in_mask[0] = OFP_ASYNC_BIT(OFPR_NO_MATCH) |
	    OFP_ASYNC_BIT(OFPR_ACTION) | OFP_ASYNC_BIT(OFPR_INVALID_TTL);
	a.port_status_mask[0] = OFP_ASYNC_BIT(OFPPR_ADD) |
	    OFP_ASYNC_BIT(OFPPR_DELETE) | OFP_ASYNC_BIT(OFPPR_MODIFY);
	a.port_status_mask[1] = a.port_status_mask[0];
	a.flow_removed_mask[0] = OFP_ASYNC_BIT(OFPRR_IDLE_TIMEOUT) |
	    OFP_ASYNC_BIT(OFPRR_HARD_TIMEOUT) | OFP_ASYNC_BIT(OFPRR_DELETE);
	emit("set_async", ofp_encode_set_async(msg, sizeof(msg), 5, &a));
	emit("barrier_request", ofp_encode_barrier_request(msg, sizeof(msg),
	    6));
	emit("echo_request", ofp_encode_echo_request(msg, sizeof(msg), 7, &e));
	/* Controller HA: claim mastership with a generation_id whose top
	 * bit is set (the counter wraps), step down, ask. */
	r.role = OFPCR_ROLE_MASTER;
	r.generation_id = 0x8000000000000005ULL;
	emit("role_request_master", ofp_encode_role_request(msg, sizeof(msg),
	    10, &r));
	r.role = OFPCR_ROLE_SLAVE;
	r.generation_id = 6;
	emit("role_request_slave", ofp_encode_role_request(msg, sizeof(msg),
	    11, &r));
	r.role = OFPCR_ROLE_NOCHANGE;
	r.generation_id = 0;
	emit("role_request_nochange", ofp_encode_role_request(msg,
	    sizeof(msg), 12, &r));
	emit("get_async_request", ofp_encode_get_async_request(msg,
	    sizeof(msg), 13));
	emit("echo_reply", ofp_encode_echo_reply(msg, sizeof(msg), 7, &e));

	memset(&po, 0, sizeof(po));
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = OFPP_CONTROLLER;
	ofp_actions_output(&po.actions, 2, 0);
	po.data = frame;
	po.data_len = arp_reply(frame);
	emit("packet_out_arp", ofp_encode_packet_out(msg, sizeof(msg), 8,
	    &po));
}

/* What a switch sends: for the fake switch, checked the same way. */
static void
switch_messages(void)
{
	struct ofp_features f;
	struct ofp_port_desc_reply *pd;
	struct ofp_port_status ps;
	struct ofp_packet_in pi;
	struct ofp_flow_removed fr;
	struct ofp_error er;
	struct ofp_role	 r;
	struct ofp_async_config a;
	uint8_t		 frame[60];

	memset(&f, 0, sizeof(f));
	f.datapath_id = 0x0000525400000001ULL;
	f.n_tables = 254;
	f.capabilities = 0x4f;
	emit("features_reply", ofp_encode_features_reply(msg, sizeof(msg), 2,
	    &f));

	if ((pd = calloc(1, sizeof(*pd))) == NULL)
		err(1, "calloc");
	pd->n_ports = 2;
	pd->ports[0].port_no = 1;
	memcpy(pd->ports[0].hw_addr, router_mac, 6);
	strcpy(pd->ports[0].name, "pub0");
	pd->ports[0].state = OFPPS_LIVE;
	pd->ports[0].curr = 0x840;	/* 10GB_FD, COPPER */
	pd->ports[0].curr_speed = 10000000;
	pd->ports[0].max_speed = 0;
	pd->ports[1].port_no = OFPP_LOCAL;
	memcpy(pd->ports[1].hw_addr, gw_mac, 6);
	strcpy(pd->ports[1].name, "br-nat");
	pd->ports[1].config = OFPPC_PORT_DOWN;
	pd->ports[1].state = OFPPS_LINK_DOWN;
	emit("port_desc_reply", ofp_encode_port_desc_reply(msg, sizeof(msg), 3,
	    pd));

	memset(&ps, 0, sizeof(ps));
	ps.reason = OFPPR_ADD;
	ps.port = pd->ports[0];
	ps.port.port_no = 3;
	strcpy(ps.port.name, "priv1");
	emit("port_status", ofp_encode_port_status(msg, sizeof(msg), 0, &ps));
	free(pd);

	memset(&pi, 0, sizeof(pi));
	pi.buffer_id = OFP_NO_BUFFER;
	pi.reason = OFPR_INVALID_TTL;
	pi.table_id = 1;
	pi.cookie = 0x0000000100009c41ULL;
	ofp_match_in_port(&pi.match, 2);
	pi.data = frame;
	pi.data_len = udp_ttl1(frame);
	pi.total_len = (uint16_t)pi.data_len;
	emit("packet_in_invalid_ttl", ofp_encode_packet_in(msg, sizeof(msg), 0,
	    &pi));

	memset(&fr, 0, sizeof(fr));
	fr.cookie = 0x0000000100009c41ULL;
	fr.priority = 200;
	fr.reason = OFPRR_IDLE_TIMEOUT;
	fr.table_id = 1;
	fr.duration_sec = 7500;
	fr.duration_nsec = 500000000;
	fr.idle_timeout = 7440;
	fr.packet_count = 1234;
	fr.byte_count = 567890;
	ofp_match_eth_type(&fr.match, 0x0800);
	ofp_match_ip_proto(&fr.match, 6);
	ofp_match_ipv4_src(&fr.match, ip("10.0.0.5"));
	ofp_match_tcp_src(&fr.match, 40000);
	emit("flow_removed", ofp_encode_flow_removed(msg, sizeof(msg), 0, &fr));

	memset(&er, 0, sizeof(er));
	er.type = OFPET_BAD_MATCH;
	er.code = 9;			/* OFPBMC_BAD_PREREQ */
	er.data = msg + 4096;
	ofp_encode_barrier_request(msg + 4096, 64, 0x99);
	er.data_len = 8;
	emit("error_bad_prereq", ofp_encode_error(msg, 4096, 0x99, &er));

	r.role = OFPCR_ROLE_MASTER;
	r.generation_id = 0x8000000000000005ULL;
	emit("role_reply_master", ofp_encode_role_reply(msg, sizeof(msg), 10,
	    &r));
	/* A stale master's request, refused with the request as data. */
	memset(&er, 0, sizeof(er));
	er.type = OFPET_ROLE_REQUEST_FAILED;
	er.code = OFPRRFC_STALE;
	er.data = msg + 4096;
	r.generation_id = 4;
	er.data_len = (size_t)ofp_encode_role_request(msg + 4096, 64, 0x9a,
	    &r);
	emit("error_role_stale", ofp_encode_error(msg, 4096, 0x9a, &er));

	memset(&a, 0, sizeof(a));
	a.packet_in_mask[0] = OFP_ASYNC_BIT(OFPR_NO_MATCH) |
	    OFP_ASYNC_BIT(OFPR_ACTION);
	a.port_status_mask[0] = OFP_ASYNC_BIT(OFPPR_ADD) |
	    OFP_ASYNC_BIT(OFPPR_DELETE) | OFP_ASYNC_BIT(OFPPR_MODIFY);
	a.port_status_mask[1] = a.port_status_mask[0];
	a.flow_removed_mask[0] = OFP_ASYNC_BIT(OFPRR_IDLE_TIMEOUT) |
	    OFP_ASYNC_BIT(OFPRR_HARD_TIMEOUT) | OFP_ASYNC_BIT(OFPRR_DELETE) |
	    OFP_ASYNC_BIT(OFPRR_GROUP_DELETE);
	emit("get_async_reply", ofp_encode_get_async_reply(msg, sizeof(msg),
	    13, &a));
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "-s") == 0)
		seed_dir = argv[2];
	else if (argc != 1) {
		fprintf(stderr, "usage: ofp-golden-gen [-s dir]\n");
		return 2;
	}
	controller_messages();
	flow_mods();
	switch_messages();
	return failed;
}
