/*
 * Unit tests for the OpenFlow 1.3 codec (openflow/ofp*.c): bad input
 * first (framing, truncation, lengths, OXM, actions, instructions,
 * padding, roles), then what the encoder refuses, then round trips of
 * every message and the generation_id rule, then limits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ofp.h"
#include "suites.h"

#define BUFSZ	(OFP_MAX_MSG_LEN + 64)

static uint8_t	 buf[BUFSZ], tmp[BUFSZ];
static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x0b };
static const uint8_t frame[60] = { 0x02, 0, 0, 0, 0, 0x0b, 0x02, 0, 0, 0,
	0, 0x0a, 0x08, 0x00, 0x45 };

static uint32_t
ip(const char *s)
{
	struct in_addr	 a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static size_t
ok_len(ssize_t n)
{
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static void
set16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* The NAT flow: TCP from an inside host, rewritten to the public side. */
static void
make_nat_flow(struct ofp_flow_mod *fm)
{
	struct ofp_match rw;

	ofp_flow_mod_init(fm);
	fm->cookie = 0x0102030405060708ULL;
	fm->table_id = 1;
	fm->idle_timeout = 7440;
	fm->priority = 100;
	fm->flags = OFPFF_SEND_FLOW_REM;
	ofp_match_in_port(&fm->match, 1);
	ofp_match_eth_type(&fm->match, 0x0800);
	ofp_match_ip_proto(&fm->match, 6);
	ofp_match_ipv4_src(&fm->match, ip("10.0.0.5"));
	ofp_match_ipv4_dst(&fm->match, ip("198.51.100.7"));
	ofp_match_tcp_src(&fm->match, 40000);
	ofp_match_tcp_dst(&fm->match, 80);
	ofp_match_init(&rw);
	ofp_match_eth_src(&rw, mac_a);
	ofp_match_eth_dst(&rw, mac_b);
	ofp_match_ipv4_src(&rw, ip("203.0.113.1"));
	ofp_match_tcp_src(&rw, 40001);
	fm->instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ck_assert_int_eq(ofp_actions_set_fields(&fm->apply, &rw), 0);
	ck_assert_int_eq(ofp_actions_dec_nw_ttl(&fm->apply), 0);
	ck_assert_int_eq(ofp_actions_output(&fm->apply, 2, 0), 0);
}

static void
make_packet_in(struct ofp_packet_in *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->buffer_id = OFP_NO_BUFFER;
	pi->total_len = sizeof(frame);
	pi->reason = OFPR_INVALID_TTL;
	pi->table_id = 1;
	pi->cookie = 0xfeedULL;
	ofp_match_in_port(&pi->match, 3);
	pi->data = frame;
	pi->data_len = sizeof(frame);
}

static void
make_port(struct ofp_port *pt, uint32_t no, const char *name)
{
	memset(pt, 0, sizeof(*pt));
	pt->port_no = no;
	memcpy(pt->hw_addr, mac_a, 6);
	pt->hw_addr[5] = (uint8_t)no;
	snprintf(pt->name, sizeof(pt->name), "%s", name);
	pt->config = OFPPC_NO_PACKET_IN;
	pt->state = OFPPS_LIVE;
	pt->curr = 0x802;
	pt->curr_speed = 10000000;
	pt->max_speed = 10000000;
}

static int
actions_equal(const struct ofp_actions *a, const struct ofp_actions *b)
{
	size_t	 i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++) {
		if (a->a[i].type != b->a[i].type)
			return 0;
		switch (a->a[i].type) {
		case OFPAT_OUTPUT:
			if (a->a[i].port != b->a[i].port ||
			    a->a[i].max_len != b->a[i].max_len)
				return 0;
			break;
		case OFPAT_SET_FIELD:
			if (!ofp_match_equal(&a->a[i].field, &b->a[i].field))
				return 0;
			break;
		}
	}
	return 1;
}

/*
 * Every message of the subset, with an encoder for a fixed instance and
 * a decoder.  ok_from: prefixes (with the header length fixed up) of at
 * least this many bytes may be valid messages; ok_at: other lengths that
 * may be (0 if none).  All other prefixes must be rejected.
 */
struct sample {
	const char	*name;
	ssize_t		(*enc)(void *, size_t);
	int		(*dec)(const void *, size_t);
	size_t		 ok_from;
	size_t		 ok_at[2];
	uint8_t		 msg[512];
	size_t		 len;
};

static struct ofp_port_desc_reply pdr, pdr2;
static struct ofp_packet_out po, po2;
static struct ofp_flow_mod fm, fm2;

static ssize_t
enc_hello(void *p, size_t n)
{
	struct ofp_hello h = { 0, OFP_HELLO_BITMAP_13 };

	return ofp_encode_hello(p, n, 1, &h);
}

static int
dec_hello(const void *p, size_t n)
{
	struct ofp_hello h;

	return ofp_decode_hello(p, n, &h);
}

static ssize_t
enc_echo(void *p, size_t n)
{
	struct ofp_echo e = { frame, 4 };

	return ofp_encode_echo_request(p, n, 2, &e);
}

static int
dec_echo(const void *p, size_t n)
{
	struct ofp_echo e;

	return ofp_decode_echo_request(p, n, &e);
}

static ssize_t
enc_error(void *p, size_t n)
{
	struct ofp_error e = { OFPET_BAD_MATCH, 3, frame, 16 };

	return ofp_encode_error(p, n, 3, &e);
}

static int
dec_error(const void *p, size_t n)
{
	struct ofp_error e;

	return ofp_decode_error(p, n, &e);
}

static ssize_t
enc_features(void *p, size_t n)
{
	struct ofp_features f = { 0xabcdef, 0, 254, 0, 0x4f };

	return ofp_encode_features_reply(p, n, 4, &f);
}

static int
dec_features(const void *p, size_t n)
{
	struct ofp_features f;

	return ofp_decode_features_reply(p, n, &f);
}

static ssize_t
enc_port_desc(void *p, size_t n)
{
	memset(&pdr, 0, sizeof(pdr));
	pdr.n_ports = 2;
	make_port(&pdr.ports[0], 1, "eth0");
	make_port(&pdr.ports[1], OFPP_LOCAL, "br0");
	return ofp_encode_port_desc_reply(p, n, 5, &pdr);
}

static int
dec_port_desc(const void *p, size_t n)
{
	return ofp_decode_port_desc_reply(p, n, &pdr2);
}

static ssize_t
enc_port_status(void *p, size_t n)
{
	struct ofp_port_status ps;

	ps.reason = OFPPR_MODIFY;
	make_port(&ps.port, 7, "veth7");
	return ofp_encode_port_status(p, n, 6, &ps);
}

static int
dec_port_status(const void *p, size_t n)
{
	struct ofp_port_status s;

	return ofp_decode_port_status(p, n, &s);
}

static ssize_t
enc_set_config(void *p, size_t n)
{
	struct ofp_switch_config c = { OFPC_FRAG_NORMAL, OFPCML_NO_BUFFER };

	return ofp_encode_set_config(p, n, 7, &c);
}

static int
dec_set_config(const void *p, size_t n)
{
	struct ofp_switch_config c;

	return ofp_decode_set_config(p, n, &c);
}

static ssize_t
enc_set_async(void *p, size_t n)
{
	struct ofp_async_config a = { { 7, 0 }, { 7, 0 }, { 15, 0 } };

	return ofp_encode_set_async(p, n, 8, &a);
}

static int
dec_set_async(const void *p, size_t n)
{
	struct ofp_async_config a;

	return ofp_decode_set_async(p, n, &a);
}

static ssize_t
enc_packet_in(void *p, size_t n)
{
	struct ofp_packet_in pi;

	make_packet_in(&pi);
	return ofp_encode_packet_in(p, n, 9, &pi);
}

static int
dec_packet_in(const void *p, size_t n)
{
	struct ofp_packet_in pi;

	return ofp_decode_packet_in(p, n, &pi);
}

static ssize_t
enc_packet_out(void *p, size_t n)
{
	memset(&po, 0, sizeof(po));
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = OFPP_CONTROLLER;
	ck_assert_int_eq(ofp_actions_output(&po.actions, 4, 0), 0);
	po.data = frame;
	po.data_len = sizeof(frame);
	return ofp_encode_packet_out(p, n, 10, &po);
}

static int
dec_packet_out(const void *p, size_t n)
{
	return ofp_decode_packet_out(p, n, &po2);
}

static ssize_t
enc_flow_mod(void *p, size_t n)
{
	make_nat_flow(&fm);
	return ofp_encode_flow_mod(p, n, 11, &fm);
}

static int
dec_flow_mod(const void *p, size_t n)
{
	return ofp_decode_flow_mod(p, n, &fm2);
}

static ssize_t
enc_flow_removed(void *p, size_t n)
{
	struct ofp_flow_removed fr;

	memset(&fr, 0, sizeof(fr));
	make_nat_flow(&fm);
	fr.cookie = 9;
	fr.reason = OFPRR_IDLE_TIMEOUT;
	fr.match = fm.match;
	return ofp_encode_flow_removed(p, n, 12, &fr);
}

static int
dec_flow_removed(const void *p, size_t n)
{
	struct ofp_flow_removed fr;

	return ofp_decode_flow_removed(p, n, &fr);
}

static ssize_t
enc_port_desc_request(void *p, size_t n)
{
	return ofp_encode_port_desc_request(p, n, 13);
}

static int
dec_port_desc_request(const void *p, size_t n)
{
	return ofp_decode_port_desc_request(p, n);
}

static ssize_t
enc_barrier(void *p, size_t n)
{
	return ofp_encode_barrier_request(p, n, 14);
}

static int
dec_barrier(const void *p, size_t n)
{
	return ofp_decode_barrier_request(p, n);
}

static ssize_t
enc_get_async_request(void *p, size_t n)
{
	return ofp_encode_get_async_request(p, n, 15);
}

static int
dec_get_async_request(const void *p, size_t n)
{
	return ofp_decode_get_async_request(p, n);
}

static ssize_t
enc_get_async_reply(void *p, size_t n)
{
	struct ofp_async_config a = { { 3, 0 }, { 7, 7 }, { 15, 0 } };

	return ofp_encode_get_async_reply(p, n, 15, &a);
}

static int
dec_get_async_reply(const void *p, size_t n)
{
	struct ofp_async_config a;

	return ofp_decode_get_async_reply(p, n, &a);
}

static ssize_t
enc_role_request(void *p, size_t n)
{
	struct ofp_role r = { OFPCR_ROLE_MASTER, 0x8000000000000001ULL };

	return ofp_encode_role_request(p, n, 16, &r);
}

static int
dec_role_request(const void *p, size_t n)
{
	struct ofp_role r;

	return ofp_decode_role_request(p, n, &r);
}

static ssize_t
enc_role_reply(void *p, size_t n)
{
	struct ofp_role r = { OFPCR_ROLE_SLAVE, 42 };

	return ofp_encode_role_reply(p, n, 16, &r);
}

static int
dec_role_reply(const void *p, size_t n)
{
	struct ofp_role r;

	return ofp_decode_role_reply(p, n, &r);
}

enum {
	S_HELLO, S_ECHO, S_ERROR, S_FEATURES, S_PORT_DESC, S_PORT_STATUS,
	S_SET_CONFIG, S_SET_ASYNC, S_PACKET_IN, S_PACKET_OUT, S_FLOW_MOD,
	S_FLOW_REMOVED, S_PORT_DESC_REQUEST, S_BARRIER, S_GET_ASYNC_REQUEST,
	S_GET_ASYNC_REPLY, S_ROLE_REQUEST, S_ROLE_REPLY, S_MAX
};

static struct sample samples[S_MAX] = {
	/* A HELLO without elements. */
	[S_HELLO] = { "hello", enc_hello, dec_hello, 0, { 8 } },
	[S_ECHO] = { "echo", enc_echo, dec_echo, 8, { 0 } },
	[S_ERROR] = { "error", enc_error, dec_error, 12, { 0 } },
	[S_FEATURES] = { "features_reply", enc_features, dec_features, 0,
	    { 0 } },
	/* No ports, or one port fewer, is a valid reply. */
	[S_PORT_DESC] = { "port_desc_reply", enc_port_desc, dec_port_desc,
	    0, { 16, 16 + 64 } },
	[S_PORT_STATUS] = { "port_status", enc_port_status, dec_port_status,
	    0, { 0 } },
	[S_SET_CONFIG] = { "set_config", enc_set_config, dec_set_config,
	    0, { 0 } },
	[S_SET_ASYNC] = { "set_async", enc_set_async, dec_set_async, 0,
	    { 0 } },
	/* Any frame length is valid once match and pad are in. */
	[S_PACKET_IN] = { "packet_in", enc_packet_in, dec_packet_in,
	    24 + 16 + 2, { 0 } },
	[S_PACKET_OUT] = { "packet_out", enc_packet_out, dec_packet_out,
	    24 + 16, { 0 } },
	/* The match alone is a valid (drop) flow. */
	[S_FLOW_MOD] = { "flow_mod", enc_flow_mod, dec_flow_mod, 0,
	    { 48 + 56 } },
	[S_FLOW_REMOVED] = { "flow_removed", enc_flow_removed,
	    dec_flow_removed, 0, { 0 } },
	[S_PORT_DESC_REQUEST] = { "port_desc_request", enc_port_desc_request,
	    dec_port_desc_request, 0, { 0 } },
	[S_BARRIER] = { "barrier_request", enc_barrier, dec_barrier, 0,
	    { 0 } },
	[S_GET_ASYNC_REQUEST] = { "get_async_request", enc_get_async_request,
	    dec_get_async_request, 0, { 0 } },
	[S_GET_ASYNC_REPLY] = { "get_async_reply", enc_get_async_reply,
	    dec_get_async_reply, 0, { 0 } },
	[S_ROLE_REQUEST] = { "role_request", enc_role_request,
	    dec_role_request, 0, { 0 } },
	[S_ROLE_REPLY] = { "role_reply", enc_role_reply, dec_role_reply, 0,
	    { 0 } },
};

static void
make_samples(void)
{
	size_t	 i;

	for (i = 0; i < S_MAX; i++)
		samples[i].len = ok_len(samples[i].enc(samples[i].msg,
		    sizeof(samples[i].msg)));
}

/* Bad input: framing. */

START_TEST(header_check_framing)
{
	size_t	 n = 99;

	memset(buf, 0, 16);
	ck_assert_int_eq(ofp_header_check(buf, 0, 0, &n), OFP_SCAN_NEED_MORE);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(ofp_header_check(buf, 3, 0, &n), OFP_SCAN_NEED_MORE);
	/* A length below the header can never frame a message. */
	buf[0] = 4;
	set16(buf + 2, 7);
	ck_assert_int_eq(ofp_header_check(buf, 4, 0, &n), OFP_SCAN_BAD);
	set16(buf + 2, 0);
	ck_assert_int_eq(ofp_header_check(buf, 16, 0, &n), OFP_SCAN_BAD);
	/* The limit is checked as soon as the length is in. */
	set16(buf + 2, 1001);
	ck_assert_int_eq(ofp_header_check(buf, 4, 1000, &n), OFP_SCAN_BAD);
	ck_assert_int_eq(ofp_header_check(buf, 4, 1001, &n),
	    OFP_SCAN_NEED_MORE);
	set16(buf + 2, 16);
	ck_assert_int_eq(ofp_header_check(buf, 15, 0, &n), OFP_SCAN_NEED_MORE);
	ck_assert_int_eq(ofp_header_check(buf, 16, 0, &n), OFP_SCAN_FRAME);
	ck_assert_uint_eq(n, 16);
	ck_assert_int_eq(ofp_header_check(buf, 100, 0, &n), OFP_SCAN_FRAME);
	ck_assert_uint_eq(n, 16);
}
END_TEST

START_TEST(header_decode_needs_exact_length)
{
	struct ofp_header h;
	size_t	 n = ok_len(ofp_encode_barrier_request(buf, sizeof(buf),
	    0x11223344));

	ck_assert_int_eq(ofp_decode_header(buf, 7, &h), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_eq(ofp_decode_header(buf, n + 1, &h), -1);
	ck_assert_int_eq(ofp_decode_header(buf, n, &h), 0);
	ck_assert_uint_eq(h.version, OFP_VERSION);
	ck_assert_uint_eq(h.type, OFPT_BARRIER_REQUEST);
	ck_assert_uint_eq(h.length, 8);
	ck_assert_uint_eq(h.xid, 0x11223344);
	ck_assert_str_eq(ofp_type_name(OFPT_FLOW_MOD), "FLOW_MOD");
	ck_assert_str_eq(ofp_type_name(200), "UNKNOWN");
}
END_TEST

/* Every message, cut anywhere with its length field left alone, fails. */
START_TEST(truncated_messages)
{
	size_t	 i, n;

	make_samples();
	for (i = 0; i < S_MAX; i++) {
		struct sample *s = &samples[i];

		ck_assert_msg(s->dec(s->msg, s->len) == 0, "%s", s->name);
		for (n = 0; n < s->len; n++) {
			errno = 0;
			ck_assert_msg(s->dec(s->msg, n) == -1 &&
			    errno == EBADMSG, "%s cut at %zu", s->name, n);
		}
	}
}
END_TEST

/* The length field says less or more than the buffer holds. */
START_TEST(length_field_disagrees)
{
	size_t	 i;

	make_samples();
	for (i = 0; i < S_MAX; i++) {
		struct sample *s = &samples[i];

		memcpy(tmp, s->msg, s->len);
		tmp[s->len] = 0;
		ck_assert_msg(s->dec(tmp, s->len + 1) == -1 &&
		    errno == EBADMSG, "%s with a byte more", s->name);
		set16(tmp + 2, (uint16_t)(s->len - 1));
		ck_assert_msg(s->dec(tmp, s->len) == -1 &&
		    errno == EBADMSG, "%s length one short", s->name);
		set16(tmp + 2, (uint16_t)(s->len + 1));
		ck_assert_msg(s->dec(tmp, s->len) == -1 &&
		    errno == EBADMSG, "%s length one long", s->name);
	}
}
END_TEST

/*
 * A message cut short with a consistent header: whatever structure the
 * cut breaks must be noticed, except at the lengths that are themselves
 * valid messages.
 */
START_TEST(consistent_truncation)
{
	size_t	 i, n;

	make_samples();
	for (i = 0; i < S_MAX; i++) {
		struct sample *s = &samples[i];

		for (n = 8; n < s->len; n++) {
			if ((s->ok_from && n >= s->ok_from) ||
			    n == s->ok_at[0] || n == s->ok_at[1])
				continue;
			memcpy(tmp, s->msg, n);
			set16(tmp + 2, (uint16_t)n);
			errno = 0;
			ck_assert_msg(s->dec(tmp, n) == -1 && errno == EBADMSG,
			    "%s truncated to %zu accepted", s->name, n);
		}
	}
}
END_TEST

START_TEST(wrong_version_and_type)
{
	size_t	 i;

	make_samples();
	for (i = 0; i < S_MAX; i++) {
		struct sample *s = &samples[i];

		memcpy(tmp, s->msg, s->len);
		tmp[1] = OFPT_EXPERIMENTER;
		ck_assert_msg(s->dec(tmp, s->len) == -1 && errno == EBADMSG,
		    "%s as another type", s->name);
		if (s->dec == dec_hello)
			continue;
		memcpy(tmp, s->msg, s->len);
		tmp[0] = 0x01;
		ck_assert_msg(s->dec(tmp, s->len) == -1 &&
		    errno == EPROTONOSUPPORT, "%s as OpenFlow 1.0", s->name);
	}
}
END_TEST

/* Bad input: matches.  A packet-in puts the match at offset 24. */

static size_t
packet_in_with_match(const uint8_t *oxm, size_t oxm_len, size_t pad)
{
	struct ofp_packet_in pi;
	size_t	 n;

	make_packet_in(&pi);
	pi.data_len = 0;
	ofp_match_init(&pi.match);
	n = ok_len(ofp_encode_packet_in(buf, sizeof(buf), 1, &pi));
	ck_assert_uint_eq(n, 24 + 8 + 2);
	set16(buf + 26, (uint16_t)(4 + oxm_len));
	memcpy(buf + 28, oxm, oxm_len);
	memset(buf + 28 + oxm_len, 0, pad + 2);
	n = 28 + oxm_len + pad + 2;
	set16(buf + 2, (uint16_t)n);
	return n;
}

static int
try_match(const uint8_t *oxm, size_t oxm_len)
{
	struct ofp_packet_in pi;
	size_t	 pad = ((4 + oxm_len + 7) & ~(size_t)7) - 4 - oxm_len;
	size_t	 n = packet_in_with_match(oxm, oxm_len, pad);
	int	 rv;

	errno = 0;
	rv = ofp_decode_packet_in(buf, n, &pi);
	if (rv == -1)
		ck_assert_int_eq(errno, EBADMSG);
	return rv;
}

/* OXM headers: class 0x8000, field << 1 | hasmask, length. */
#define OXM(f, hm, len)	0x80, 0x00, (uint8_t)((f) << 1 | (hm)), (len)

START_TEST(match_bad_oxm_lengths)
{
	const uint8_t	 in_port[] = { OXM(0, 0, 4), 0, 0, 0, 1 };
	const uint8_t	 in_port5[] = { OXM(0, 0, 5), 0, 0, 0, 0, 1 };
	const uint8_t	 in_port3[] = { OXM(0, 0, 3), 0, 0, 1 };
	const uint8_t	 tlv_cut[] = { OXM(0, 0, 4), 0, 0, 1 };
	const uint8_t	 hdr_cut[] = { OXM(0, 0, 4), 0, 0, 0, 1, 0x80, 0 };
	const uint8_t	 ip_mask7[] = { OXM(5, 0, 2), 0x08, 0x00,
	    OXM(11, 1, 7), 10, 0, 0, 0, 255, 255, 255 };

	ck_assert_int_eq(try_match(in_port, sizeof(in_port)), 0);
	ck_assert_int_eq(try_match(in_port5, sizeof(in_port5)), -1);
	ck_assert_int_eq(try_match(in_port3, sizeof(in_port3)), -1);
	ck_assert_int_eq(try_match(tlv_cut, sizeof(tlv_cut)), -1);
	ck_assert_int_eq(try_match(hdr_cut, sizeof(hdr_cut)), -1);
	ck_assert_int_eq(try_match(ip_mask7, sizeof(ip_mask7)), -1);
}
END_TEST

START_TEST(match_bad_masks_and_duplicates)
{
	const uint8_t	 dup[] = { OXM(0, 0, 4), 0, 0, 0, 1,
	    OXM(0, 0, 4), 0, 0, 0, 2 };
	const uint8_t	 port_mask[] = { OXM(0, 1, 8), 0, 0, 0, 1,
	    0xff, 0xff, 0xff, 0xff };
	const uint8_t	 ip_masked[] = { OXM(5, 0, 2), 0x08, 0x00,
	    OXM(11, 1, 8), 10, 0, 0, 0, 255, 0, 0, 0 };
	const uint8_t	 ip_wild[] = { OXM(5, 0, 2), 0x08, 0x00,
	    OXM(11, 1, 8), 10, 0, 0, 1, 255, 0, 0, 0 };
	const uint8_t	 ip_zero[] = { OXM(5, 0, 2), 0x08, 0x00,
	    OXM(11, 1, 8), 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t	 vlan_bad[] = { OXM(6, 0, 2), 0x00, 0x05 };
	const uint8_t	 vlan_ok[] = { OXM(6, 0, 2), 0x10, 0x05 };

	ck_assert_int_eq(try_match(dup, sizeof(dup)), -1);
	ck_assert_int_eq(try_match(port_mask, sizeof(port_mask)), -1);
	ck_assert_int_eq(try_match(ip_masked, sizeof(ip_masked)), 0);
	ck_assert_int_eq(try_match(ip_wild, sizeof(ip_wild)), -1);
	ck_assert_int_eq(try_match(ip_zero, sizeof(ip_zero)), -1);
	ck_assert_int_eq(try_match(vlan_bad, sizeof(vlan_bad)), -1);
	ck_assert_int_eq(try_match(vlan_ok, sizeof(vlan_ok)), 0);
}
END_TEST

START_TEST(match_missing_prerequisites)
{
	const uint8_t	 tcp_alone[] = { OXM(13, 0, 2), 0, 80 };
	const uint8_t	 tcp_no_eth[] = { OXM(10, 0, 1), 6, OXM(13, 0, 2),
	    0, 80 };
	const uint8_t	 tcp_udp[] = { OXM(5, 0, 2), 0x08, 0x00,
	    OXM(10, 0, 1), 17, OXM(13, 0, 2), 0, 80 };
	const uint8_t	 tcp_ok[] = { OXM(5, 0, 2), 0x08, 0x00,
	    OXM(10, 0, 1), 6, OXM(13, 0, 2), 0, 80 };
	const uint8_t	 ip_on_arp[] = { OXM(5, 0, 2), 0x08, 0x06,
	    OXM(11, 0, 4), 10, 0, 0, 1 };
	const uint8_t	 arp_on_ip[] = { OXM(5, 0, 2), 0x08, 0x00,
	    OXM(21, 0, 2), 0, 1 };
	const uint8_t	 icmp_v6[] = { OXM(5, 0, 2), 0x86, 0xdd,
	    OXM(10, 0, 1), 1, OXM(19, 0, 1), 8 };

	ck_assert_int_eq(try_match(tcp_alone, sizeof(tcp_alone)), -1);
	ck_assert_int_eq(try_match(tcp_no_eth, sizeof(tcp_no_eth)), -1);
	ck_assert_int_eq(try_match(tcp_udp, sizeof(tcp_udp)), -1);
	ck_assert_int_eq(try_match(tcp_ok, sizeof(tcp_ok)), 0);
	ck_assert_int_eq(try_match(ip_on_arp, sizeof(ip_on_arp)), -1);
	ck_assert_int_eq(try_match(arp_on_ip, sizeof(arp_on_ip)), -1);
	ck_assert_int_eq(try_match(icmp_v6, sizeof(icmp_v6)), -1);
}
END_TEST

/* Fields of other classes and unknown basic fields are skipped. */
START_TEST(match_skips_unknown_fields)
{
	struct ofp_packet_in pi;
	const uint8_t	 oxm[] = {
	    0x00, 0x01, 0x00, 0x04, 0, 0, 0, 9,		/* NXM reg0 */
	    OXM(2, 0, 8), 0, 0, 0, 0, 0, 0, 0, 7,	/* metadata */
	    0xff, 0xff, 0x00, 0x08, 0, 0, 0x23, 0x20, 1, 2, 3, 4,
	    OXM(0, 0, 4), 0, 0, 0, 5 };
	const uint8_t	 exp_short[] = { 0xff, 0xff, 0x00, 0x02, 0, 0 };
	size_t	 n;

	n = packet_in_with_match(oxm, sizeof(oxm), 4);
	ck_assert_int_eq(ofp_decode_packet_in(buf, n, &pi), 0);
	ck_assert_uint_eq(pi.match.fields, OFP_FIELD(OFPXMT_IN_PORT));
	ck_assert_uint_eq(pi.match.in_port, 5);
	ck_assert_int_eq(try_match(exp_short, sizeof(exp_short)), -1);
}
END_TEST

START_TEST(match_bad_padding)
{
	struct ofp_packet_in pi;
	const uint8_t	 in_port[] = { OXM(0, 0, 4), 0, 0, 0, 1 };
	size_t	 n;

	/* 4 + 8 bytes of match need 4 bytes of padding: 3 are too few. */
	n = packet_in_with_match(in_port, sizeof(in_port), 3);
	ck_assert_int_eq(ofp_decode_packet_in(buf, n, &pi), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* 4 are right. */
	n = packet_in_with_match(in_port, sizeof(in_port), 4);
	ck_assert_int_eq(ofp_decode_packet_in(buf, n, &pi), 0);
	ck_assert_uint_eq(pi.data_len, 0);
	/* Non-zero padding. */
	buf[28 + 8 + 2] = 1;
	ck_assert_int_eq(ofp_decode_packet_in(buf, n, &pi), -1);
	buf[28 + 8 + 2] = 0;
	/* The match length runs past the message. */
	set16(buf + 26, 4 + 8 + 8);
	ck_assert_int_eq(ofp_decode_packet_in(buf, n, &pi), -1);
	/* A match shorter than its own header, or of the old type. */
	set16(buf + 26, 3);
	ck_assert_int_eq(ofp_decode_packet_in(buf, n, &pi), -1);
	set16(buf + 26, 12);
	set16(buf + 24, 0);
	ck_assert_int_eq(ofp_decode_packet_in(buf, n, &pi), -1);
	/* The 2 pad bytes before the frame are required. */
	n = packet_in_with_match(in_port, sizeof(in_port), 4);
	set16(buf + 2, (uint16_t)(n - 2));
	ck_assert_int_eq(ofp_decode_packet_in(buf, n - 2, &pi), -1);
}
END_TEST

/* Bad input: actions, in a packet-out (actions at 24, actions_len at 16). */

static size_t
packet_out_with(const uint8_t *acts, size_t alen)
{
	memset(buf, 0, 24);
	buf[0] = OFP_VERSION;
	buf[1] = OFPT_PACKET_OUT;
	set16(buf + 2, (uint16_t)(24 + alen));
	memset(buf + 8, 0xff, 4);
	memcpy(buf + 24, acts, alen);
	set16(buf + 16, (uint16_t)alen);
	return 24 + alen;
}

static int
try_actions(const uint8_t *acts, size_t alen)
{
	int	 rv;

	errno = 0;
	rv = ofp_decode_packet_out(buf, packet_out_with(acts, alen), &po2);
	if (rv == -1)
		ck_assert_int_eq(errno, EBADMSG);
	return rv;
}

START_TEST(actions_bad_lengths)
{
	const uint8_t	 out[] = { 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	    0, 0 };
	const uint8_t	 out12[] = { 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0 };
	const uint8_t	 out24[24] = { 0, 0, 0, 24, 0, 0, 0, 1 };
	const uint8_t	 ttl[] = { 0, 24, 0, 8, 0, 0, 0, 0 };
	const uint8_t	 ttl4[] = { 0, 24, 0, 4, 0, 0, 0, 0 };
	const uint8_t	 ttl0[] = { 0, 24, 0, 0, 0, 0, 0, 0 };
	const uint8_t	 ttl16[] = { 0, 24, 0, 16, 0, 0, 0, 0 };
	const uint8_t	 half[] = { 0, 24, 0, 8, 0, 0, 0, 0, 0, 24, 0, 8 };
	const uint8_t	 unknown[] = { 0, 22, 0, 8, 0, 0, 0, 1 };
	const uint8_t	 port0[] = { 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0 };

	ck_assert_int_eq(try_actions(out, sizeof(out)), 0);
	ck_assert_int_eq(try_actions(ttl, sizeof(ttl)), 0);
	ck_assert_int_eq(try_actions(out12, sizeof(out12)), -1);
	ck_assert_int_eq(try_actions(out24, sizeof(out24)), -1);
	ck_assert_int_eq(try_actions(ttl4, sizeof(ttl4)), -1);
	ck_assert_int_eq(try_actions(ttl0, sizeof(ttl0)), -1);
	ck_assert_int_eq(try_actions(ttl16, sizeof(ttl16)), -1);
	ck_assert_int_eq(try_actions(half, sizeof(half)), -1);
	ck_assert_int_eq(try_actions(unknown, sizeof(unknown)), -1);
	ck_assert_int_eq(try_actions(port0, sizeof(port0)), -1);
	/* actions_len beyond the message. */
	packet_out_with(ttl, sizeof(ttl));
	set16(buf + 16, 16);
	ck_assert_int_eq(ofp_decode_packet_out(buf, 32, &po2), -1);
}
END_TEST

START_TEST(actions_bad_set_field)
{
	/* set_field: type 25, len, OXM TLV, zero padding to 8. */
	const uint8_t	 ok[] = { 0, 25, 0, 16, OXM(11, 0, 4), 10, 0, 0, 1,
	    0, 0, 0, 0 };
	const uint8_t	 no_pad[] = { 0, 25, 0, 12, OXM(11, 0, 4), 10, 0, 0,
	    1 };
	const uint8_t	 over_pad[] = { 0, 25, 0, 24, OXM(11, 0, 4), 10, 0, 0,
	    1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t	 pad_dirty[] = { 0, 25, 0, 16, OXM(11, 0, 4), 10, 0,
	    0, 1, 0, 0, 1, 0 };
	const uint8_t	 masked[] = { 0, 25, 0, 16, OXM(11, 1, 8), 10, 0, 0,
	    1, 255, 255, 255, 255 };
	const uint8_t	 tlv_long[] = { 0, 25, 0, 16, OXM(11, 0, 9), 10, 0,
	    0, 1, 0, 0, 0, 0 };
	const uint8_t	 unknown[] = { 0, 25, 0, 16, OXM(2, 0, 8), 0, 0, 0,
	    0, 0, 0, 0, 1 };
	const uint8_t	 vlan_bad[] = { 0, 25, 0, 16, OXM(6, 0, 2), 0x20,
	    0, 0, 0, 0, 0, 0, 0 };

	ck_assert_int_eq(try_actions(ok, sizeof(ok)), 0);
	ck_assert_uint_eq(po2.actions.a[0].field.ipv4_src, ip("10.0.0.1"));
	ck_assert_int_eq(try_actions(no_pad, sizeof(no_pad)), -1);
	ck_assert_int_eq(try_actions(over_pad, sizeof(over_pad)), -1);
	ck_assert_int_eq(try_actions(pad_dirty, sizeof(pad_dirty)), -1);
	ck_assert_int_eq(try_actions(masked, sizeof(masked)), -1);
	ck_assert_int_eq(try_actions(tlv_long, sizeof(tlv_long)), -1);
	ck_assert_int_eq(try_actions(unknown, sizeof(unknown)), -1);
	ck_assert_int_eq(try_actions(vlan_bad, sizeof(vlan_bad)), -1);
}
END_TEST

START_TEST(packet_out_buffer_with_data)
{
	const uint8_t	 ttl[] = { 0, 24, 0, 8, 0, 0, 0, 0, 0xaa };
	struct ofp_packet_out p;
	size_t	 n = packet_out_with(ttl, sizeof(ttl));

	set16(buf + 16, 8);
	ck_assert_int_eq(ofp_decode_packet_out(buf, n, &p), 0);
	ck_assert_uint_eq(p.data_len, 1);
	memset(buf + 8, 0, 4);		/* a buffer id and a frame */
	ck_assert_int_eq(ofp_decode_packet_out(buf, n, &p), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

/* Bad input: instructions, after the flow mod's match. */

static size_t
flow_mod_with(const uint8_t *inst, size_t ilen)
{
	struct ofp_flow_mod f;
	size_t	 n;

	ofp_flow_mod_init(&f);
	f.table_id = 1;
	n = ok_len(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f));
	ck_assert_uint_eq(n, 56);
	if (ilen > 0)
		memcpy(buf + n, inst, ilen);
	set16(buf + 2, (uint16_t)(n + ilen));
	return n + ilen;
}

static int
try_inst(const uint8_t *inst, size_t ilen)
{
	int	 rv;

	errno = 0;
	rv = ofp_decode_flow_mod(buf, flow_mod_with(inst, ilen), &fm2);
	if (rv == -1)
		ck_assert_int_eq(errno, EBADMSG);
	return rv;
}

START_TEST(instructions_bad)
{
	const uint8_t	 go[] = { 0, 1, 0, 8, 2, 0, 0, 0 };
	const uint8_t	 go_back[] = { 0, 1, 0, 8, 1, 0, 0, 0 };
	const uint8_t	 go_all[] = { 0, 1, 0, 8, 0xff, 0, 0, 0 };
	const uint8_t	 go16[16] = { 0, 1, 0, 16, 2 };
	const uint8_t	 apply_empty[] = { 0, 4, 0, 8, 0, 0, 0, 0 };
	const uint8_t	 apply_twice[] = { 0, 4, 0, 8, 0, 0, 0, 0,
	    0, 4, 0, 8, 0, 0, 0, 0 };
	const uint8_t	 apply_short[] = { 0, 4, 0, 4, 0, 0, 0, 0 };
	const uint8_t	 apply_odd[] = { 0, 4, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t	 apply_long[] = { 0, 4, 0, 24, 0, 0, 0, 0,
	    0, 24, 0, 8, 0, 0, 0, 0 };
	const uint8_t	 apply_bad_act[] = { 0, 4, 0, 16, 0, 0, 0, 0,
	    0, 24, 0, 16, 0, 0, 0, 0 };
	const uint8_t	 write_actions[] = { 0, 3, 0, 8, 0, 0, 0, 0 };
	const uint8_t	 cut[] = { 0, 1, 0, 8 };
	/* set_field ipv4_src, but the match has no eth_type. */
	const uint8_t	 set_noprereq[] = { 0, 4, 0, 24, 0, 0, 0, 0,
	    0, 25, 0, 16, OXM(11, 0, 4), 10, 0, 0, 1, 0, 0, 0, 0 };

	ck_assert_int_eq(try_inst(go, sizeof(go)), 0);
	ck_assert_uint_eq(fm2.goto_table, 2);
	ck_assert_int_eq(try_inst(apply_empty, sizeof(apply_empty)), 0);
	ck_assert_uint_eq(fm2.instructions, OFPIT_BIT(OFPIT_APPLY_ACTIONS));
	ck_assert_int_eq(try_inst(go_back, sizeof(go_back)), -1);
	ck_assert_int_eq(try_inst(go_all, sizeof(go_all)), -1);
	ck_assert_int_eq(try_inst(go16, sizeof(go16)), -1);
	ck_assert_int_eq(try_inst(apply_twice, sizeof(apply_twice)), -1);
	ck_assert_int_eq(try_inst(apply_short, sizeof(apply_short)), -1);
	ck_assert_int_eq(try_inst(apply_odd, sizeof(apply_odd)), -1);
	ck_assert_int_eq(try_inst(apply_long, sizeof(apply_long)), -1);
	ck_assert_int_eq(try_inst(apply_bad_act, sizeof(apply_bad_act)), -1);
	ck_assert_int_eq(try_inst(write_actions, sizeof(write_actions)), -1);
	ck_assert_int_eq(try_inst(cut, sizeof(cut)), -1);
	ck_assert_int_eq(try_inst(set_noprereq, sizeof(set_noprereq)), -1);
}
END_TEST

START_TEST(flow_mod_bad_fields)
{
	size_t	 n = flow_mod_with(NULL, 0);

	ck_assert_int_eq(ofp_decode_flow_mod(buf, n, &fm2), 0);
	buf[25] = 5;			/* command */
	ck_assert_int_eq(ofp_decode_flow_mod(buf, n, &fm2), -1);
	buf[25] = OFPFC_ADD;
	buf[24] = OFPTT_ALL;		/* ADD to every table */
	ck_assert_int_eq(ofp_decode_flow_mod(buf, n, &fm2), -1);
	buf[25] = OFPFC_DELETE;
	ck_assert_int_eq(ofp_decode_flow_mod(buf, n, &fm2), 0);
	buf[45] = 0x20;			/* an unknown flag */
	ck_assert_int_eq(ofp_decode_flow_mod(buf, n, &fm2), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(flow_removed_trailing_bytes)
{
	struct ofp_flow_removed fr;
	size_t	 n;

	make_samples();
	n = samples[S_FLOW_REMOVED].len;
	memcpy(tmp, samples[S_FLOW_REMOVED].msg, n);
	memset(tmp + n, 0, 8);
	set16(tmp + 2, (uint16_t)(n + 8));
	ck_assert_int_eq(ofp_decode_flow_removed(tmp, n + 8, &fr), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(hello_bad_elements)
{
	struct ofp_hello h;
	static const struct {
		uint8_t	 body[24];
		size_t	 len;
		int	 ok;
	} cases[] = {
		{ { 0, 1, 0, 8, 0, 0, 0, 0x10 }, 8, 1 },
		{ { 0, 1, 0, 12, 0, 0, 0, 0x10, 0, 0, 0, 1 }, 16, 1 },
		{ { 0, 9, 0, 5, 1 }, 8, 1 },			/* unknown */
		{ { 0, 1, 0, 8, 0, 0, 0, 0x10 }, 7, 0 },	/* cut */
		{ { 0, 1, 0, 3 }, 8, 0 },			/* < 4 */
		{ { 0, 1, 0, 4 }, 8, 0 },			/* no word */
		{ { 0, 1, 0, 6, 0, 0x10 }, 8, 0 },		/* half word */
		{ { 0, 1, 0, 12, 0, 0, 0, 0x10, 0, 0, 0, 1 }, 12, 0 },
		{ { 0, 9, 0, 5, 1, 1 }, 8, 0 },			/* dirty pad */
		{ { 0, 1, 0, 16, 0, 0, 0, 0x10 }, 8, 0 },	/* too long */
		{ { 0, 1, 0, 8, 0, 0, 0, 0x10, 0, 1, 0, 8, 0, 0, 0,
		    0x10 }, 16, 0 },				/* twice */
		{ { 0, 9, 0, 4 }, 4, 0 },		/* padding missing */
		{ { 0, 9, 0, 4 }, 8, 1 },
		{ { 0, 9 }, 2, 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 0, 8);
		buf[0] = OFP_VERSION;
		set16(buf + 2, (uint16_t)(8 + cases[i].len));
		memcpy(buf + 8, cases[i].body, cases[i].len);
		errno = 0;
		ck_assert_msg(ofp_decode_hello(buf, 8 + cases[i].len, &h) ==
		    (cases[i].ok ? 0 : -1), "hello case %zu", i);
		if (!cases[i].ok)
			ck_assert_int_eq(errno, EBADMSG);
	}
	/* Any version negotiates, but 0 is none at all (and the encoder
	 * reads 0 as "ours", so it could not be sent back). */
	memset(buf, 0, 8);
	buf[3] = 8;
	ck_assert_int_eq(ofp_decode_hello(buf, 8, &h), -1);
	ck_assert_int_eq(errno, EBADMSG);
	buf[0] = 0x7f;
	ck_assert_int_eq(ofp_decode_hello(buf, 8, &h), 0);
	ck_assert_uint_eq(h.version, 0x7f);
}
END_TEST

START_TEST(ports_bad)
{
	size_t	 n;

	make_samples();
	n = samples[S_PORT_DESC].len;
	memcpy(tmp, samples[S_PORT_DESC].msg, n);
	memset(tmp + 16 + 16, 'x', 16);		/* name without a NUL */
	ck_assert_int_eq(ofp_decode_port_desc_reply(tmp, n, &pdr2), -1);
	ck_assert_int_eq(errno, EBADMSG);
	memcpy(tmp, samples[S_PORT_DESC].msg, n);
	set16(tmp + 8, 0);			/* OFPMP_DESC */
	ck_assert_int_eq(ofp_decode_port_desc_reply(tmp, n, &pdr2), -1);
	memcpy(tmp, samples[S_PORT_DESC].msg, n);
	set16(tmp + 10, 2);			/* unknown flag */
	ck_assert_int_eq(ofp_decode_port_desc_reply(tmp, n, &pdr2), -1);
	/* A port status with a bad name. */
	n = samples[S_PORT_STATUS].len;
	memcpy(tmp, samples[S_PORT_STATUS].msg, n);
	memset(tmp + 32, 'y', 16);
	ck_assert_int_eq(dec_port_status(tmp, n), -1);
	/* A port-desc request with flags, or of another type. */
	n = ok_len(ofp_encode_port_desc_request(tmp, sizeof(tmp), 1));
	ck_assert_int_eq(ofp_decode_port_desc_request(tmp, n), 0);
	tmp[11] = 1;
	ck_assert_int_eq(ofp_decode_port_desc_request(tmp, n), -1);
	tmp[11] = 0;
	tmp[9] = 12;
	ck_assert_int_eq(ofp_decode_port_desc_request(tmp, n), -1);
}
END_TEST

START_TEST(set_config_bad_flags)
{
	struct ofp_switch_config c = { OFPC_FRAG_REASM, 128 }, d;
	size_t	 n = ok_len(ofp_encode_set_config(buf, sizeof(buf), 1, &c));

	buf[9] |= 4;
	ck_assert_int_eq(ofp_decode_set_config(buf, n, &d), -1);
	ck_assert_int_eq(errno, EBADMSG);
	c.flags = 4;
	ck_assert_int_eq(ofp_encode_set_config(buf, sizeof(buf), 1, &c), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* What the encoder refuses. */

static int
encode_match_errno(const struct ofp_match *m)
{
	struct ofp_flow_removed fr;

	memset(&fr, 0, sizeof(fr));
	fr.match = *m;
	errno = 0;
	if (ofp_encode_flow_removed(buf, sizeof(buf), 1, &fr) != -1)
		return 0;
	return errno;
}

START_TEST(encoder_refuses_missing_prerequisites)
{
	struct ofp_match m;

	ofp_match_init(&m);
	ofp_match_tcp_dst(&m, 80);
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ofp_match_ip_proto(&m, 6);
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ofp_match_eth_type(&m, 0x0806);
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ofp_match_eth_type(&m, 0x0800);
	ck_assert_int_eq(encode_match_errno(&m), 0);
	ofp_match_udp_src(&m, 53);		/* UDP on a TCP match */
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);

	ofp_match_init(&m);
	ofp_match_eth_type(&m, 0x0800);
	ofp_match_arp_op(&m, 1);
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ofp_match_init(&m);
	ofp_match_eth_type(&m, 0x0806);
	ofp_match_ipv4_dst(&m, ip("10.0.0.1"));
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ofp_match_init(&m);
	ofp_match_eth_type(&m, 0x0800);
	ofp_match_ip_proto(&m, 6);
	ofp_match_icmpv4_type(&m, 8);
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ofp_match_init(&m);
	ofp_match_ip_proto(&m, 1);
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ck_assert_int_eq(ofp_match_check(&m), -1);
}
END_TEST

START_TEST(encoder_refuses_bad_values)
{
	struct ofp_match m;

	ofp_match_init(&m);
	ofp_match_eth_type(&m, 0x0800);
	ofp_match_ipv4_src_masked(&m, ip("10.0.0.0"), 0);
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ofp_match_ipv4_src_masked(&m, ip("10.0.0.1"), ip("255.255.255.0"));
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ofp_match_ipv4_src_masked(&m, ip("10.0.0.0"), ip("255.255.255.0"));
	ck_assert_int_eq(encode_match_errno(&m), 0);
	ofp_match_vlan_vid(&m, 5);
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
	ofp_match_vlan_vid(&m, OFPVID_PRESENT | 5);
	ck_assert_int_eq(encode_match_errno(&m), 0);
	m.fields |= OFP_FIELD(2);		/* metadata: not in the subset */
	ck_assert_int_eq(encode_match_errno(&m), EINVAL);
}
END_TEST

START_TEST(encoder_refuses_bad_flow_mods)
{
	struct ofp_flow_mod f;
	struct ofp_match rw;

	make_nat_flow(&f);
	ck_assert_int_gt(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), 0);
	f.apply.a[f.apply.n - 1].port = 0;
	ck_assert_int_eq(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), -1);
	ck_assert_int_eq(errno, EINVAL);
	f.apply.a[f.apply.n - 1].port = OFPP_ANY;
	ck_assert_int_eq(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), -1);
	f.apply.a[f.apply.n - 1].port = OFPP_MAX;
	ck_assert_int_eq(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), -1);
	f.apply.a[f.apply.n - 1].port = OFPP_CONTROLLER;
	ck_assert_int_gt(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), 0);

	/* set_field needs its prerequisites in the flow's match. */
	ofp_flow_mod_init(&f);
	f.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_match_init(&rw);
	ofp_match_tcp_src(&rw, 1);
	ck_assert_int_eq(ofp_actions_set_fields(&f.apply, &rw), 0);
	ck_assert_int_eq(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), -1);
	ck_assert_int_eq(errno, EINVAL);
	ofp_match_eth_type(&f.match, 0x0800);
	ofp_match_ip_proto(&f.match, 6);
	ck_assert_int_gt(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), 0);
	/* ... but in a packet-out there is no match to check. */
	memset(&po, 0, sizeof(po));
	po.buffer_id = OFP_NO_BUFFER;
	po.in_port = OFPP_CONTROLLER;
	po.actions = f.apply;
	ck_assert_int_gt(ofp_encode_packet_out(buf, sizeof(buf), 1, &po), 0);
	/* A masked set_field. */
	f.apply.n = 0;
	ofp_match_init(&rw);
	ofp_match_ipv4_src_masked(&rw, ip("10.0.0.0"), ip("255.0.0.0"));
	ck_assert_int_eq(ofp_actions_set_fields(&f.apply, &rw), 0);
	f.match.eth_type = 0x0800;
	ck_assert_int_eq(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), -1);

	ofp_flow_mod_init(&f);
	f.instructions = OFPIT_BIT(OFPIT_GOTO_TABLE);
	f.table_id = 3;
	f.goto_table = 3;
	ck_assert_int_eq(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), -1);
	f.goto_table = 4;
	ck_assert_int_gt(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), 0);
	f.instructions |= OFPIT_BIT(3);		/* write-actions */
	ck_assert_int_eq(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), -1);
	ofp_flow_mod_init(&f);
	f.table_id = OFPTT_ALL;
	ck_assert_int_eq(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), -1);
	f.command = OFPFC_DELETE;
	ck_assert_int_gt(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), 0);
	f.command = 9;
	ck_assert_int_eq(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f), -1);
}
END_TEST

START_TEST(encoder_refuses_other)
{
	struct ofp_port_status ps;
	struct ofp_packet_out p;

	memset(&ps, 0, sizeof(ps));
	memset(ps.port.name, 'a', sizeof(ps.port.name));	/* no NUL */
	ck_assert_int_eq(ofp_encode_port_status(buf, sizeof(buf), 1, &ps), -1);
	ck_assert_int_eq(errno, EINVAL);
	memset(&p, 0, sizeof(p));
	p.buffer_id = 7;
	p.data = frame;
	p.data_len = 1;
	ck_assert_int_eq(ofp_encode_packet_out(buf, sizeof(buf), 1, &p), -1);
	ck_assert_int_eq(errno, EINVAL);
	p.actions.n = OFP_MAX_ACTIONS + 1;
	p.data_len = 0;
	ck_assert_int_eq(ofp_encode_packet_out(buf, sizeof(buf), 1, &p), -1);
	p.actions.n = 1;
	p.actions.a[0].type = 22;		/* group */
	ck_assert_int_eq(ofp_encode_packet_out(buf, sizeof(buf), 1, &p), -1);
}
END_TEST

/* A short buffer gives ERANGE, and nothing is written past it. */
START_TEST(encoder_short_buffer)
{
	size_t	 i, n, k;

	make_samples();
	for (i = 0; i < S_MAX; i++) {
		struct sample *s = &samples[i];

		for (n = 0; n < s->len; n++) {
			memset(tmp, 0xa5, sizeof(tmp));
			errno = 0;
			ck_assert_msg(s->enc(tmp, n) == -1 && errno == ERANGE,
			    "%s into %zu bytes", s->name, n);
			for (k = n; k < s->len + 8; k++)
				ck_assert_msg(tmp[k] == 0xa5,
				    "%s wrote byte %zu of %zu", s->name, k, n);
		}
		ck_assert_uint_eq(ok_len(s->enc(tmp, s->len)), s->len);
		ck_assert_mem_eq(tmp, s->msg, s->len);
	}
}
END_TEST

/* A role outside OFPCR_ROLE_*: malformed (OVS: OFPRRFC_BAD_ROLE). */
START_TEST(role_bad)
{
	struct ofp_role r = { OFPCR_ROLE_SLAVE + 1, 7 }, r2;
	const uint32_t	 bad[] = { 4, 0x100, 0xffffffffu };
	size_t	 i, n;

	memset(tmp, 0xa5, 64);
	ck_assert_int_eq(ofp_encode_role_request(tmp, 64, 1, &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(tmp[0], 0xa5);
	r.role = 0xffffffffu;
	ck_assert_int_eq(ofp_encode_role_reply(tmp, 64, 1, &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r.role = OFPCR_ROLE_MASTER;
		n = ok_len(ofp_encode_role_request(buf, sizeof(buf), 1, &r));
		buf[8] = (uint8_t)(bad[i] >> 24);
		buf[9] = (uint8_t)(bad[i] >> 16);
		buf[10] = (uint8_t)(bad[i] >> 8);
		buf[11] = (uint8_t)bad[i];
		errno = 0;
		ck_assert_int_eq(ofp_decode_role_request(buf, n, &r2), -1);
		ck_assert_int_eq(errno, EBADMSG);
		ck_assert_uint_eq(r2.role, 0);
		ck_assert_uint_eq(r2.generation_id, 0);
		buf[1] = OFPT_ROLE_REPLY;
		ck_assert_int_eq(ofp_decode_role_reply(buf, n, &r2), -1);
		ck_assert_int_eq(errno, EBADMSG);
	}
	/* A request is not a reply, nor the other way round. */
	r.role = OFPCR_ROLE_EQUAL;
	n = ok_len(ofp_encode_role_request(buf, sizeof(buf), 1, &r));
	ck_assert_int_eq(ofp_decode_role_reply(buf, n, &r2), -1);
	ck_assert_int_eq(errno, EBADMSG);
	n = ok_len(ofp_encode_role_reply(buf, sizeof(buf), 1, &r));
	ck_assert_int_eq(ofp_decode_role_request(buf, n, &r2), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

/* Round trips. */

START_TEST(roundtrip_role)
{
	struct ofp_role	 r = { OFPCR_ROLE_MASTER, 0x8000000000000005ULL }, r2;
	const uint8_t	 want[] = { 4, 24, 0, 24, 0, 0, 0, 10,
	    0, 0, 0, 2, 0, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 5 };
	uint32_t	 role;
	size_t		 n;

	n = ok_len(ofp_encode_role_request(buf, sizeof(buf), 10, &r));
	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(buf, want, n);
	ck_assert_int_eq(ofp_decode_role_request(buf, n, &r2), 0);
	ck_assert_uint_eq(r2.role, OFPCR_ROLE_MASTER);
	ck_assert_uint_eq(r2.generation_id, 0x8000000000000005ULL);
	/* The pad is ignored on input and written as zero. */
	buf[12] = 0xff;
	buf[15] = 0x01;
	ck_assert_int_eq(ofp_decode_role_request(buf, n, &r2), 0);
	ck_assert_uint_eq(r2.generation_id, 0x8000000000000005ULL);
	ck_assert_uint_eq(ok_len(ofp_encode_role_request(tmp, sizeof(tmp), 10,
	    &r2)), n);
	ck_assert_mem_eq(tmp, want, n);
	/* Every role, both messages; the generation is kept as sent. */
	for (role = OFPCR_ROLE_NOCHANGE; role <= OFPCR_ROLE_SLAVE; role++) {
		r.role = role;
		r.generation_id = ~0ULL - role;
		n = ok_len(ofp_encode_role_reply(buf, sizeof(buf), 3, &r));
		ck_assert_uint_eq(buf[1], OFPT_ROLE_REPLY);
		ck_assert_int_eq(ofp_decode_role_reply(buf, n, &r2), 0);
		ck_assert_uint_eq(r2.role, role);
		ck_assert_uint_eq(r2.generation_id, ~0ULL - role);
		n = ok_len(ofp_encode_role_request(buf, sizeof(buf), 3, &r));
		ck_assert_int_eq(ofp_decode_role_request(buf, n, &r2), 0);
		ck_assert_uint_eq(r2.role, role);
	}
	ck_assert_str_eq(ofp_role_name(OFPCR_ROLE_NOCHANGE), "nochange");
	ck_assert_str_eq(ofp_role_name(OFPCR_ROLE_EQUAL), "equal");
	ck_assert_str_eq(ofp_role_name(OFPCR_ROLE_MASTER), "master");
	ck_assert_str_eq(ofp_role_name(OFPCR_ROLE_SLAVE), "slave");
	ck_assert_str_eq(ofp_role_name(4), "UNKNOWN");
	ck_assert_str_eq(ofp_role_name(0xffffffffu), "UNKNOWN");
	ck_assert_str_eq(ofp_type_name(OFPT_ROLE_REQUEST), "ROLE_REQUEST");
	ck_assert_str_eq(ofp_type_name(OFPT_ROLE_REPLY), "ROLE_REPLY");
}
END_TEST

/*
 * A stale master's request comes back as ERROR ROLE_REQUEST_FAILED/
 * STALE, with the request as data: the caller sees type and code, and
 * can decode which request it was.
 */
START_TEST(error_role_stale)
{
	struct ofp_role	 r = { OFPCR_ROLE_MASTER, 4 }, r2;
	struct ofp_error e, e2;
	const uint8_t	 want[] = { 4, 1, 0, 36, 0, 0, 0, 0x9a, 0, 11, 0, 0 };
	uint8_t		 req[64];
	size_t		 n;

	memset(&e, 0, sizeof(e));
	e.type = OFPET_ROLE_REQUEST_FAILED;
	e.code = OFPRRFC_STALE;
	e.data = req;
	e.data_len = ok_len(ofp_encode_role_request(req, sizeof(req), 0x9a,
	    &r));
	n = ok_len(ofp_encode_error(buf, sizeof(buf), 0x9a, &e));
	ck_assert_uint_eq(n, 12 + 24);
	ck_assert_mem_eq(buf, want, sizeof(want));
	ck_assert_int_eq(ofp_decode_error(buf, n, &e2), 0);
	ck_assert_uint_eq(e2.type, 11);
	ck_assert_uint_eq(e2.type, OFPET_ROLE_REQUEST_FAILED);
	ck_assert_uint_eq(e2.code, OFPRRFC_STALE);
	ck_assert_uint_eq(e2.data_len, 24);
	ck_assert_ptr_eq(e2.data, buf + 12);
	ck_assert_int_eq(ofp_decode_role_request(e2.data, e2.data_len, &r2),
	    0);
	ck_assert_uint_eq(r2.role, OFPCR_ROLE_MASTER);
	ck_assert_uint_eq(r2.generation_id, 4);
	ck_assert_uint_eq(OFPRRFC_UNSUP, 1);
	ck_assert_uint_eq(OFPRRFC_BAD_ROLE, 2);
	/* The other codes come through the same way. */
	e.code = OFPRRFC_BAD_ROLE;
	e.data_len = 0;
	n = ok_len(ofp_encode_error(buf, sizeof(buf), 1, &e));
	ck_assert_int_eq(ofp_decode_error(buf, n, &e2), 0);
	ck_assert_uint_eq(e2.type, OFPET_ROLE_REQUEST_FAILED);
	ck_assert_uint_eq(e2.code, OFPRRFC_BAD_ROLE);
	ck_assert_ptr_null(e2.data);
}
END_TEST

/* OpenFlow 1.3, 6.3.6: stale when (int64_t)(req - cur) < 0. */
START_TEST(role_stale_rule)
{
	const struct {
		int		 seen;
		uint64_t	 cur, req;
		int		 stale;
	} t[] = {
		{ 0, 0, 0, 0 },			/* nothing seen: never */
		{ 0, 100, 1, 0 },
		{ 0, ~0ULL, 0, 0 },
		{ 1, 5, 5, 0 },			/* the same generation */
		{ 1, 5, 6, 0 },
		{ 1, 6, 5, 1 },
		{ 1, 0, 1, 0 },
		{ 1, 1, 0, 1 },
		/* Wrap-around: 0 and 1 come after the top of the range. */
		{ 1, ~0ULL, 0, 0 },
		{ 1, 0, ~0ULL, 1 },
		{ 1, ~0ULL - 1, 1, 0 },
		{ 1, 1, ~0ULL - 1, 1 },
		{ 1, ~0ULL, ~0ULL, 0 },
		/* Across the sign bit, either way. */
		{ 1, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0 },
		{ 1, 0x8000000000000000ULL, 0x7fffffffffffffffULL, 1 },
		/* The largest step forward: 2^63 - 1 ... */
		{ 1, 0, 0x7fffffffffffffffULL, 0 },
		{ 1, 0x7fffffffffffffffULL, 0, 1 },
		{ 1, 0x8000000000000001ULL, 0, 0 },
		/* ... while 2^63 apart is stale both ways (INT64_MIN). */
		{ 1, 0, 0x8000000000000000ULL, 1 },
		{ 1, 0x8000000000000000ULL, 0, 1 },
		{ 1, 10, 0x800000000000000aULL, 1 },
		{ 1, 0x800000000000000aULL, 10, 1 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		ck_assert_msg(ofp_role_stale(t[i].seen, t[i].cur, t[i].req) ==
		    t[i].stale, "case %zu: seen %d cur %#llx req %#llx", i,
		    t[i].seen, (unsigned long long)t[i].cur,
		    (unsigned long long)t[i].req);
	/* A switch's counter, walked over the wrap: each next id is taken,
	 * each earlier one is stale. */
	{
		uint64_t	 cur = ~0ULL - 3, req;
		int		 k;

		for (k = 0; k < 8; k++) {
			req = cur + 1;
			ck_assert(!ofp_role_stale(1, cur, req));
			ck_assert(ofp_role_stale(1, req, cur));
			ck_assert(ofp_role_stale(1, req, cur - 1000));
			cur = req;
		}
		ck_assert_uint_eq(cur, 4);
	}
}
END_TEST

START_TEST(roundtrip_get_async)
{
	struct ofp_async_config a, a2;
	const uint8_t	 want[] = { 4, 27, 0, 32, 0, 0, 0, 2,
	    0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 7,
	    0, 0, 0, 15, 0, 0, 0, 1 };
	size_t	 n;

	n = ok_len(ofp_encode_get_async_request(buf, sizeof(buf), 2));
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(buf[1], OFPT_GET_ASYNC_REQUEST);
	ck_assert_int_eq(ofp_decode_get_async_request(buf, n), 0);
	ck_assert_int_eq(ofp_decode_barrier_request(buf, n), -1);
	memset(&a, 0, sizeof(a));
	a.packet_in_mask[0] = 3;
	a.port_status_mask[0] = a.port_status_mask[1] = 7;
	a.flow_removed_mask[0] = 15;
	a.flow_removed_mask[1] = 1;
	n = ok_len(ofp_encode_get_async_reply(buf, sizeof(buf), 2, &a));
	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(buf, want, n);
	ck_assert_int_eq(ofp_decode_get_async_reply(buf, n, &a2), 0);
	ck_assert_mem_eq(&a, &a2, sizeof(a));
	/* The same layout as SET_ASYNC, but not the same message. */
	ck_assert_int_eq(ofp_decode_set_async(buf, n, &a2), -1);
	ck_assert_int_eq(errno, EBADMSG);
	n = ok_len(ofp_encode_set_async(buf, sizeof(buf), 2, &a));
	ck_assert_int_eq(ofp_decode_get_async_reply(buf, n, &a2), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(roundtrip_hello)
{
	struct ofp_hello h = { 0, OFP_HELLO_BITMAP_13 | 1u << 1 }, g;
	const uint8_t	 want[] = { 4, 0, 0, 16, 0, 0, 0, 5,
	    0, 1, 0, 8, 0, 0, 0, 0x12 };
	size_t	 n = ok_len(ofp_encode_hello(buf, sizeof(buf), 5, &h));

	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(buf, want, n);
	ck_assert_int_eq(ofp_decode_hello(buf, n, &g), 0);
	ck_assert_uint_eq(g.version, OFP_VERSION);
	ck_assert_uint_eq(g.bitmap, h.bitmap);
	ck_assert_int_eq(ofp_hello_negotiate(&g), OFP_VERSION);
	/* A 1.0 switch: no bitmap, version 1; a 1.5 switch without 1.3. */
	h.version = 1;
	h.bitmap = 0;
	n = ok_len(ofp_encode_hello(buf, sizeof(buf), 5, &h));
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(ofp_decode_hello(buf, n, &g), 0);
	ck_assert_int_eq(ofp_hello_negotiate(&g), 0);
	g.version = 6;
	ck_assert_int_eq(ofp_hello_negotiate(&g), OFP_VERSION);
	g.bitmap = 1u << 6 | 1u << 5;
	ck_assert_int_eq(ofp_hello_negotiate(&g), 0);
}
END_TEST

START_TEST(roundtrip_echo_error)
{
	struct ofp_echo e = { frame, sizeof(frame) }, e2;
	struct ofp_error er = { OFPET_BAD_ACTION, 4, frame, 20 }, er2;
	size_t	 n;

	n = ok_len(ofp_encode_echo_request(buf, sizeof(buf), 9, &e));
	ck_assert_int_eq(ofp_decode_echo_request(buf, n, &e2), 0);
	ck_assert_uint_eq(e2.data_len, sizeof(frame));
	ck_assert_mem_eq(e2.data, frame, sizeof(frame));
	ck_assert_ptr_eq(e2.data, buf + 8);
	ck_assert_int_eq(ofp_decode_echo_reply(buf, n, &e2), -1);
	n = ok_len(ofp_encode_echo_reply(buf, sizeof(buf), 9, &e));
	ck_assert_int_eq(ofp_decode_echo_reply(buf, n, &e2), 0);
	e.data_len = 0;
	n = ok_len(ofp_encode_echo_reply(buf, sizeof(buf), 9, &e));
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(ofp_decode_echo_reply(buf, n, &e2), 0);
	ck_assert_ptr_null(e2.data);

	n = ok_len(ofp_encode_error(buf, sizeof(buf), 3, &er));
	ck_assert_int_eq(ofp_decode_error(buf, n, &er2), 0);
	ck_assert_uint_eq(er2.type, OFPET_BAD_ACTION);
	ck_assert_uint_eq(er2.code, 4);
	ck_assert_uint_eq(er2.data_len, 20);
	ck_assert_mem_eq(er2.data, frame, 20);
}
END_TEST

START_TEST(roundtrip_empty_messages)
{
	size_t	 n;

	n = ok_len(ofp_encode_features_request(buf, sizeof(buf), 1));
	ck_assert_int_eq(ofp_decode_features_request(buf, n), 0);
	ck_assert_int_eq(ofp_decode_barrier_request(buf, n), -1);
	n = ok_len(ofp_encode_barrier_request(buf, sizeof(buf), 1));
	ck_assert_int_eq(ofp_decode_barrier_request(buf, n), 0);
	n = ok_len(ofp_encode_barrier_reply(buf, sizeof(buf), 1));
	ck_assert_int_eq(ofp_decode_barrier_reply(buf, n), 0);
	/* A body where none belongs. */
	set16(buf + 2, 16);
	ck_assert_int_eq(ofp_decode_barrier_reply(buf, 16), -1);
	ck_assert_int_eq(errno, EBADMSG);
	n = ok_len(ofp_encode_port_desc_request(buf, sizeof(buf), 1));
	ck_assert_uint_eq(n, 16);
	ck_assert_int_eq(ofp_decode_port_desc_request(buf, n), 0);
}
END_TEST

START_TEST(roundtrip_features_config_async)
{
	struct ofp_features f, f2;
	struct ofp_switch_config c = { OFPC_FRAG_NORMAL, OFPCML_NO_BUFFER }, c2;
	struct ofp_async_config a, a2;
	const uint8_t	 want_async[] = { 4, 28, 0, 32, 0, 0, 0, 1,
	    0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0,
	    0, 0, 0, 15, 0, 0, 0, 0 };
	size_t	 n;

	memset(&f, 0, sizeof(f));	/* padding too: compared below */
	f.datapath_id = 0x0000aabbccddeeffULL;
	f.n_buffers = 0;
	f.n_tables = 254;
	f.capabilities = 0x4f;
	n = ok_len(ofp_encode_features_reply(buf, sizeof(buf), 1, &f));
	ck_assert_int_eq(ofp_decode_features_reply(buf, n, &f2), 0);
	ck_assert_mem_eq(&f, &f2, sizeof(f));
	n = ok_len(ofp_encode_set_config(buf, sizeof(buf), 1, &c));
	ck_assert_int_eq(ofp_decode_set_config(buf, n, &c2), 0);
	ck_assert_mem_eq(&c, &c2, sizeof(c));
	memset(&a, 0, sizeof(a));
	a.packet_in_mask[0] = OFP_ASYNC_BIT(OFPR_NO_MATCH) |
	    OFP_ASYNC_BIT(OFPR_ACTION) | OFP_ASYNC_BIT(OFPR_INVALID_TTL);
	a.port_status_mask[0] = OFP_ASYNC_BIT(OFPPR_ADD) |
	    OFP_ASYNC_BIT(OFPPR_DELETE) | OFP_ASYNC_BIT(OFPPR_MODIFY);
	a.flow_removed_mask[0] = 15;
	n = ok_len(ofp_encode_set_async(buf, sizeof(buf), 1, &a));
	ck_assert_uint_eq(n, sizeof(want_async));
	ck_assert_mem_eq(buf, want_async, n);
	ck_assert_int_eq(ofp_decode_set_async(buf, n, &a2), 0);
	ck_assert_mem_eq(&a, &a2, sizeof(a));
}
END_TEST

START_TEST(roundtrip_ports)
{
	struct ofp_port_status ps, ps2;
	size_t	 n, i;

	make_samples();
	ck_assert_int_eq(ofp_decode_port_desc_reply(samples[S_PORT_DESC].msg,
	    samples[S_PORT_DESC].len, &pdr2), 0);
	ck_assert_uint_eq(pdr2.n_ports, 2);
	ck_assert_uint_eq(pdr2.flags, 0);
	for (i = 0; i < 2; i++)
		ck_assert_mem_eq(&pdr.ports[i], &pdr2.ports[i],
		    sizeof(struct ofp_port));
	ck_assert_str_eq(pdr2.ports[1].name, "br0");
	ck_assert_uint_eq(pdr2.ports[1].port_no, OFPP_LOCAL);
	pdr.n_ports = 0;
	pdr.flags = OFPMPF_REPLY_MORE;
	n = ok_len(ofp_encode_port_desc_reply(buf, sizeof(buf), 1, &pdr));
	ck_assert_int_eq(ofp_decode_port_desc_reply(buf, n, &pdr2), 0);
	ck_assert_uint_eq(pdr2.n_ports, 0);
	ck_assert_uint_eq(pdr2.flags, OFPMPF_REPLY_MORE);

	memset(&ps, 0, sizeof(ps));
	ps.reason = OFPPR_DELETE;
	make_port(&ps.port, 12, "fifteen-chars-x");
	n = ok_len(ofp_encode_port_status(buf, sizeof(buf), 1, &ps));
	ck_assert_uint_eq(n, 80);
	ck_assert_int_eq(ofp_decode_port_status(buf, n, &ps2), 0);
	ck_assert_mem_eq(&ps, &ps2, sizeof(ps));
}
END_TEST

START_TEST(roundtrip_packet_in)
{
	struct ofp_packet_in pi, pi2;
	size_t	 n;

	make_packet_in(&pi);
	n = ok_len(ofp_encode_packet_in(buf, sizeof(buf), 77, &pi));
	/* 24 fixed, match of 4 + 8 padded to 16, 2 pad, the frame. */
	ck_assert_uint_eq(n, 24 + 16 + 2 + sizeof(frame));
	ck_assert_int_eq(ofp_decode_packet_in(buf, n, &pi2), 0);
	ck_assert_uint_eq(pi2.buffer_id, OFP_NO_BUFFER);
	ck_assert_uint_eq(pi2.total_len, sizeof(frame));
	ck_assert_uint_eq(pi2.reason, OFPR_INVALID_TTL);
	ck_assert_uint_eq(pi2.table_id, 1);
	ck_assert_uint_eq(pi2.cookie, 0xfeed);
	ck_assert(ofp_match_equal(&pi.match, &pi2.match));
	ck_assert_uint_eq(pi2.data_len, sizeof(frame));
	ck_assert_ptr_eq(pi2.data, buf + 42);
	ck_assert_mem_eq(pi2.data, frame, sizeof(frame));
}
END_TEST

/* The wire form of a match, byte by byte. */
START_TEST(match_wire_form)
{
	struct ofp_flow_removed fr, fr2;
	const uint8_t	 want[] = { 0, 1, 0, 33,
	    OXM(5, 0, 2), 0x08, 0x00,
	    OXM(10, 0, 1), 17,
	    OXM(12, 1, 8), 203, 0, 113, 0, 255, 255, 255, 0,
	    OXM(16, 0, 2), 0x00, 0x35,
	    0, 0, 0, 0, 0, 0, 0 };
	size_t	 n;

	memset(&fr, 0, sizeof(fr));
	/* Set out of order: the encoder writes field order. */
	ofp_match_udp_dst(&fr.match, 53);
	ofp_match_ipv4_dst_masked(&fr.match, ip("203.0.113.0"),
	    ip("255.255.255.0"));
	ofp_match_ip_proto(&fr.match, 17);
	ofp_match_eth_type(&fr.match, 0x0800);
	n = ok_len(ofp_encode_flow_removed(buf, sizeof(buf), 1, &fr));
	ck_assert_uint_eq(n, 48 + sizeof(want));
	ck_assert_mem_eq(buf + 48, want, sizeof(want));
	ck_assert_int_eq(ofp_decode_flow_removed(buf, n, &fr2), 0);
	ck_assert(ofp_match_equal(&fr.match, &fr2.match));
	ck_assert_uint_eq(fr2.match.ipv4_dst_mask, ip("255.255.255.0"));
}
END_TEST

START_TEST(roundtrip_packet_out)
{
	size_t	 n;

	make_samples();
	ck_assert_int_eq(ofp_decode_packet_out(samples[S_PACKET_OUT].msg, samples[S_PACKET_OUT].len,
	    &po2), 0);
	ck_assert_uint_eq(po2.buffer_id, OFP_NO_BUFFER);
	ck_assert_uint_eq(po2.in_port, OFPP_CONTROLLER);
	ck_assert(actions_equal(&po.actions, &po2.actions));
	ck_assert_uint_eq(po2.data_len, sizeof(frame));
	ck_assert_mem_eq(po2.data, frame, sizeof(frame));
	/* No actions: the packet is dropped. */
	po.actions.n = 0;
	n = ok_len(ofp_encode_packet_out(buf, sizeof(buf), 1, &po));
	ck_assert_int_eq(ofp_decode_packet_out(buf, n, &po2), 0);
	ck_assert_uint_eq(po2.actions.n, 0);
	ck_assert_uint_eq(po2.data_len, sizeof(frame));
}
END_TEST

START_TEST(roundtrip_flow_mod)
{
	struct ofp_flow_mod f;
	size_t	 n;

	make_nat_flow(&f);
	f.instructions |= OFPIT_BIT(OFPIT_GOTO_TABLE);
	f.goto_table = 2;
	n = ok_len(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f));
	ck_assert_int_eq(ofp_decode_flow_mod(buf, n, &fm2), 0);
	ck_assert_uint_eq(fm2.cookie, f.cookie);
	ck_assert_uint_eq(fm2.cookie_mask, 0);
	ck_assert_uint_eq(fm2.table_id, 1);
	ck_assert_uint_eq(fm2.command, OFPFC_ADD);
	ck_assert_uint_eq(fm2.idle_timeout, 7440);
	ck_assert_uint_eq(fm2.hard_timeout, 0);
	ck_assert_uint_eq(fm2.priority, 100);
	ck_assert_uint_eq(fm2.buffer_id, OFP_NO_BUFFER);
	ck_assert_uint_eq(fm2.out_port, OFPP_ANY);
	ck_assert_uint_eq(fm2.out_group, OFPG_ANY);
	ck_assert_uint_eq(fm2.flags, OFPFF_SEND_FLOW_REM);
	ck_assert(ofp_match_equal(&f.match, &fm2.match));
	ck_assert_uint_eq(fm2.instructions, f.instructions);
	ck_assert(actions_equal(&f.apply, &fm2.apply));
	ck_assert_uint_eq(fm2.goto_table, 2);
	/* The table-miss flow: priority 0, empty match, to the controller. */
	ofp_flow_mod_init(&f);
	f.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ck_assert_int_eq(ofp_actions_output(&f.apply, OFPP_CONTROLLER,
	    OFPCML_NO_BUFFER), 0);
	n = ok_len(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f));
	ck_assert_uint_eq(n, 48 + 8 + 8 + 16);
	ck_assert_int_eq(ofp_decode_flow_mod(buf, n, &fm2), 0);
	ck_assert(actions_equal(&f.apply, &fm2.apply));
	ck_assert_uint_eq(fm2.match.fields, 0);
	/* A delete by cookie. */
	ofp_flow_mod_init(&f);
	f.command = OFPFC_DELETE;
	f.table_id = OFPTT_ALL;
	f.cookie = 5;
	f.cookie_mask = ~0ULL;
	n = ok_len(ofp_encode_flow_mod(buf, sizeof(buf), 1, &f));
	ck_assert_int_eq(ofp_decode_flow_mod(buf, n, &fm2), 0);
	ck_assert_uint_eq(fm2.cookie_mask, ~0ULL);
	ck_assert_uint_eq(fm2.table_id, OFPTT_ALL);
}
END_TEST

START_TEST(roundtrip_flow_removed)
{
	struct ofp_flow_removed fr, fr2;
	size_t	 n;

	memset(&fr, 0, sizeof(fr));
	make_nat_flow(&fm);
	fr.cookie = 0x1122334455667788ULL;
	fr.priority = 100;
	fr.reason = OFPRR_IDLE_TIMEOUT;
	fr.table_id = 1;
	fr.duration_sec = 7500;
	fr.duration_nsec = 999999999;
	fr.idle_timeout = 7440;
	fr.packet_count = 1ULL << 40;
	fr.byte_count = (1ULL << 50) + 3;
	fr.match = fm.match;
	n = ok_len(ofp_encode_flow_removed(buf, sizeof(buf), 1, &fr));
	ck_assert_int_eq(ofp_decode_flow_removed(buf, n, &fr2), 0);
	ck_assert(ofp_match_equal(&fr.match, &fr2.match));
	fr2.match = fr.match;
	ck_assert_mem_eq(&fr, &fr2, sizeof(fr));
}
END_TEST

/* Every field of the subset, on ARP and on ICMP matches. */
START_TEST(roundtrip_all_fields)
{
	struct ofp_flow_removed fr, fr2;
	struct ofp_match *m = &fr.match;
	size_t	 n;

	memset(&fr, 0, sizeof(fr));
	ofp_match_in_port(m, 7);
	ofp_match_eth_dst(m, mac_a);
	ofp_match_eth_src(m, mac_b);
	ofp_match_eth_type(m, 0x0806);
	ofp_match_vlan_vid(m, OFPVID_PRESENT | 100);
	ofp_match_arp_op(m, 2);
	ofp_match_arp_spa_masked(m, ip("10.0.0.0"), ip("255.255.0.0"));
	ofp_match_arp_tpa(m, ip("10.0.0.1"));
	ofp_match_arp_sha(m, mac_b);
	ofp_match_arp_tha(m, mac_a);
	n = ok_len(ofp_encode_flow_removed(buf, sizeof(buf), 1, &fr));
	ck_assert_int_eq(ofp_decode_flow_removed(buf, n, &fr2), 0);
	ck_assert(ofp_match_equal(m, &fr2.match));

	ofp_match_init(m);
	ofp_match_eth_type(m, 0x0800);
	ofp_match_ip_proto(m, 1);
	ofp_match_ipv4_src_masked(m, ip("10.1.0.0"), ip("255.255.0.0"));
	ofp_match_ipv4_dst(m, ip("203.0.113.1"));
	ofp_match_icmpv4_type(m, 11);
	ofp_match_icmpv4_code(m, 0);
	n = ok_len(ofp_encode_flow_removed(buf, sizeof(buf), 1, &fr));
	ck_assert_int_eq(ofp_decode_flow_removed(buf, n, &fr2), 0);
	ck_assert(ofp_match_equal(m, &fr2.match));
	fr2.match.icmpv4_code = 1;
	ck_assert(!ofp_match_equal(m, &fr2.match));
}
END_TEST

/* set_field for every field, written and read back. */
START_TEST(roundtrip_set_fields)
{
	struct ofp_packet_out p, p2;
	struct ofp_match rw;
	size_t	 n;

	memset(&p, 0, sizeof(p));
	p.buffer_id = OFP_NO_BUFFER;
	p.in_port = OFPP_CONTROLLER;
	ofp_match_init(&rw);
	ofp_match_in_port(&rw, 7);
	ofp_match_eth_dst(&rw, mac_a);
	ofp_match_eth_src(&rw, mac_b);
	ofp_match_eth_type(&rw, 0x0806);
	ofp_match_vlan_vid(&rw, OFPVID_PRESENT | 1);
	ofp_match_ip_proto(&rw, 6);
	ofp_match_ipv4_src(&rw, ip("1.2.3.4"));
	ofp_match_ipv4_dst(&rw, ip("5.6.7.8"));
	ofp_match_tcp_src(&rw, 1);
	ofp_match_tcp_dst(&rw, 2);
	ofp_match_udp_src(&rw, 3);
	ofp_match_udp_dst(&rw, 4);
	ofp_match_icmpv4_type(&rw, 5);
	ofp_match_icmpv4_code(&rw, 6);
	ofp_match_arp_op(&rw, 1);
	ofp_match_arp_spa(&rw, ip("9.9.9.9"));
	ck_assert_int_eq(ofp_actions_set_fields(&p.actions, &rw), 0);
	ck_assert_uint_eq(p.actions.n, 16);
	n = ok_len(ofp_encode_packet_out(buf, sizeof(buf), 1, &p));
	ck_assert_int_eq(ofp_decode_packet_out(buf, n, &p2), 0);
	ck_assert(actions_equal(&p.actions, &p2.actions));
	p.actions.n = 0;
	ofp_match_init(&rw);
	ofp_match_arp_tpa(&rw, ip("9.9.9.8"));
	ofp_match_arp_sha(&rw, mac_a);
	ofp_match_arp_tha(&rw, mac_b);
	ck_assert_int_eq(ofp_actions_set_fields(&p.actions, &rw), 0);
	n = ok_len(ofp_encode_packet_out(buf, sizeof(buf), 1, &p));
	ck_assert_int_eq(ofp_decode_packet_out(buf, n, &p2), 0);
	ck_assert(actions_equal(&p.actions, &p2.actions));
}
END_TEST

/* Limits. */

START_TEST(limit_actions)
{
	struct ofp_actions l;
	struct ofp_match rw;
	size_t	 i;

	memset(&l, 0, sizeof(l));
	for (i = 0; i < OFP_MAX_ACTIONS - 1; i++)
		ck_assert_int_eq(ofp_actions_dec_nw_ttl(&l), 0);
	ofp_match_init(&rw);
	ofp_match_eth_src(&rw, mac_a);
	ofp_match_eth_dst(&rw, mac_b);
	/* Two do not fit in one slot: neither is added. */
	ck_assert_int_eq(ofp_actions_set_fields(&l, &rw), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_uint_eq(l.n, OFP_MAX_ACTIONS - 1);
	/* A field outside the subset (bit 31: no such OXM field here). */
	rw.fields |= 1u << 31;
	ck_assert_int_eq(ofp_actions_set_fields(&l, &rw), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_uint_eq(l.n, OFP_MAX_ACTIONS - 1);
	ck_assert_int_eq(ofp_actions_output(&l, 1, 0), 0);
	ck_assert_int_eq(ofp_actions_output(&l, 1, 0), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(ofp_actions_dec_nw_ttl(&l), -1);
	ck_assert_uint_eq(l.n, OFP_MAX_ACTIONS);
	/* A 17th action on the wire is outside the subset. */
	memset(tmp, 0, sizeof(tmp));
	for (i = 0; i <= OFP_MAX_ACTIONS; i++) {
		tmp[i * 8 + 1] = 24;
		tmp[i * 8 + 3] = 8;
	}
	ck_assert_int_eq(try_actions(tmp, 8 * OFP_MAX_ACTIONS), 0);
	ck_assert_int_eq(try_actions(tmp, 8 * (OFP_MAX_ACTIONS + 1)), -1);
}
END_TEST

START_TEST(limit_message_size)
{
	struct ofp_echo e = { tmp, OFP_MAX_MSG_LEN - 8 }, e2;
	struct ofp_packet_in pi;
	size_t	 n;

	memset(tmp, 0x5a, sizeof(tmp));
	n = ok_len(ofp_encode_echo_request(buf, sizeof(buf), 1, &e));
	ck_assert_uint_eq(n, OFP_MAX_MSG_LEN);
	ck_assert_int_eq(ofp_header_check(buf, n, 0, &n), OFP_SCAN_FRAME);
	ck_assert_uint_eq(n, OFP_MAX_MSG_LEN);
	ck_assert_int_eq(ofp_decode_echo_request(buf, n, &e2), 0);
	ck_assert_uint_eq(e2.data_len, OFP_MAX_MSG_LEN - 8);
	e.data_len++;
	ck_assert_int_eq(ofp_encode_echo_request(buf, sizeof(buf), 1, &e), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	e.data_len = (size_t)-1;
	ck_assert_int_eq(ofp_encode_echo_request(buf, sizeof(buf), 1, &e), -1);
	ck_assert_int_eq(errno, EMSGSIZE);

	make_packet_in(&pi);
	pi.data = tmp;
	pi.data_len = OFP_MAX_MSG_LEN - 42;
	n = ok_len(ofp_encode_packet_in(buf, sizeof(buf), 1, &pi));
	ck_assert_uint_eq(n, OFP_MAX_MSG_LEN);
	pi.data_len++;
	ck_assert_int_eq(ofp_encode_packet_in(buf, sizeof(buf), 1, &pi), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
}
END_TEST

START_TEST(limit_ports)
{
	size_t	 i, n;

	memset(&pdr, 0, sizeof(pdr));
	pdr.n_ports = OFP_MAX_PORTS;
	for (i = 0; i < OFP_MAX_PORTS; i++)
		make_port(&pdr.ports[i], (uint32_t)i + 1, "p");
	n = ok_len(ofp_encode_port_desc_reply(buf, sizeof(buf), 1, &pdr));
	ck_assert_uint_eq(n, 16 + 64 * OFP_MAX_PORTS);
	ck_assert_int_eq(ofp_decode_port_desc_reply(buf, n, &pdr2), 0);
	ck_assert_uint_eq(pdr2.n_ports, OFP_MAX_PORTS);
	ck_assert_uint_eq(pdr2.ports[OFP_MAX_PORTS - 1].port_no,
	    OFP_MAX_PORTS);
	/* One port more: valid OpenFlow, too many for the struct. */
	memcpy(buf + n, buf + n - 64, 64);
	set16(buf + 2, (uint16_t)(n + 64));
	ck_assert_int_eq(ofp_decode_port_desc_reply(buf, n + 64, &pdr2), -1);
	ck_assert_int_eq(errno, E2BIG);
	pdr.n_ports++;
	ck_assert_int_eq(ofp_encode_port_desc_reply(buf, sizeof(buf), 1,
	    &pdr), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(limit_full_match)
{
	struct ofp_flow_removed fr, fr2;
	struct ofp_match *m = &fr.match;
	size_t	 n;

	/* The largest TCP match: every field that can go with it. */
	memset(&fr, 0, sizeof(fr));
	ofp_match_in_port(m, OFPP_MAX - 1);
	ofp_match_eth_dst(m, mac_a);
	ofp_match_eth_src(m, mac_b);
	ofp_match_eth_type(m, 0x0800);
	ofp_match_vlan_vid(m, OFPVID_PRESENT | 0xfff);
	ofp_match_ip_proto(m, 6);
	ofp_match_ipv4_src_masked(m, ip("128.0.0.0"), ip("128.0.0.0"));
	ofp_match_ipv4_dst_masked(m, ip("255.255.255.254"),
	    ip("255.255.255.254"));
	ofp_match_tcp_src(m, 65535);
	ofp_match_tcp_dst(m, 0);
	n = ok_len(ofp_encode_flow_removed(buf, sizeof(buf), 1, &fr));
	ck_assert_uint_eq(n % 8, 0);
	ck_assert_int_eq(ofp_decode_flow_removed(buf, n, &fr2), 0);
	ck_assert(ofp_match_equal(m, &fr2.match));
}
END_TEST

/* Templates: a patched copy must equal what the encoder writes. */

struct tvals {
	uint32_t	 xid, in_port, out_port, src, dst, nsrc;
	uint64_t	 cookie;
	uint16_t	 idle, sport, dport, nsport;
	uint8_t		 smac[6], dmac[6];
};

static void
tmpl_flow(struct ofp_flow_mod *f, const struct tvals *v)
{
	struct ofp_match rw;

	ofp_flow_mod_init(f);
	f->cookie = v->cookie;
	f->idle_timeout = v->idle;
	f->priority = 200;
	f->flags = OFPFF_SEND_FLOW_REM;
	ofp_match_in_port(&f->match, v->in_port);
	ofp_match_eth_type(&f->match, 0x0800);
	ofp_match_ip_proto(&f->match, 6);
	ofp_match_ipv4_src(&f->match, v->src);
	ofp_match_ipv4_dst(&f->match, v->dst);
	ofp_match_tcp_src(&f->match, v->sport);
	ofp_match_tcp_dst(&f->match, v->dport);
	ofp_match_init(&rw);
	ofp_match_eth_dst(&rw, v->dmac);
	ofp_match_eth_src(&rw, v->smac);
	ofp_match_ipv4_src(&rw, v->nsrc);
	ofp_match_tcp_src(&rw, v->nsport);
	f->instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ck_assert_int_eq(ofp_actions_dec_nw_ttl(&f->apply), 0);
	ck_assert_int_eq(ofp_actions_set_fields(&f->apply, &rw), 0);
	ck_assert_int_eq(ofp_actions_output(&f->apply, v->out_port, 0), 0);
}

static void
tmpl_patch(uint8_t *p, const struct ofp_flow_tmpl *t, const struct tvals *v)
{
	ofp_flow_tmpl_copy(p, t, v->xid, v->cookie, v->idle);
	ofp_tmpl_put32(p, t->match[OFPXMT_IN_PORT], v->in_port);
	ofp_tmpl_put_ipv4(p, t->match[OFPXMT_IPV4_SRC], v->src);
	ofp_tmpl_put_ipv4(p, t->match[OFPXMT_IPV4_DST], v->dst);
	ofp_tmpl_put16(p, t->match[OFPXMT_TCP_SRC], v->sport);
	ofp_tmpl_put16(p, t->match[OFPXMT_TCP_DST], v->dport);
	ofp_tmpl_put_mac(p, t->set[OFPXMT_ETH_DST], v->dmac);
	ofp_tmpl_put_mac(p, t->set[OFPXMT_ETH_SRC], v->smac);
	ofp_tmpl_put_ipv4(p, t->set[OFPXMT_IPV4_SRC], v->nsrc);
	ofp_tmpl_put16(p, t->set[OFPXMT_TCP_SRC], v->nsport);
	ofp_tmpl_put32(p, t->output, v->out_port);
}

START_TEST(tmpl_refuses)
{
	struct ofp_flow_tmpl t;
	struct ofp_flow_mod f;

	/* What the encoder refuses, the template refuses. */
	ofp_flow_mod_init(&f);
	ofp_match_tcp_src(&f.match, 80);	/* no ip_proto */
	errno = 0;
	ck_assert_int_eq(ofp_flow_tmpl_init(&t, &f), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* A PACKET_OUT's encoded actions are whole 8-byte units. */
	errno = 0;
	ck_assert_int_eq(ofp_encode_packet_out_raw(buf, sizeof(buf), 1, 1,
	    buf, 12, frame, sizeof(frame)), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(ofp_encode_packet_out_raw(buf, OFP_PACKET_OUT_HDR +
	    16 + sizeof(frame) - 1, 1, 1, tmp, 16, frame, sizeof(frame)), -1);
	ck_assert_int_eq(errno, ERANGE);
	errno = 0;
	ck_assert_int_eq(ofp_encode_packet_out_raw(buf, sizeof(buf), 1, 1,
	    tmp, 16, frame, OFP_MAX_MSG_LEN), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
}
END_TEST

START_TEST(tmpl_copy_is_the_encoding)
{
	static const struct tvals v0 = { 0, 1, 2, 0x0500000a, 0x076433c6,
	    0x147100cb, 1, 7440, 40000, 80, 40000,
	    { 2, 0, 0, 0, 0, 0x0a }, { 2, 0, 0, 0, 0, 0x0b } };
	struct ofp_flow_tmpl t;
	struct ofp_flow_mod f;
	struct tvals	 v;
	size_t		 n;
	int		 i;

	tmpl_flow(&f, &v0);
	ck_assert_int_eq(ofp_flow_tmpl_init(&t, &f), 0);
	n = ok_len(ofp_encode_flow_mod(buf, sizeof(buf), 0, &f));
	ck_assert_uint_eq(t.len, n);
	ck_assert_mem_eq(t.msg, buf, n);
	/* Fields the flow lacks have no offset. */
	ck_assert_uint_eq(t.match[OFPXMT_UDP_SRC], 0);
	ck_assert_uint_eq(t.set[OFPXMT_IPV4_DST], 0);
	ck_assert_uint_eq(t.set[OFPXMT_TCP_DST], 0);
	ck_assert_uint_ne(t.output, 0);
	/* Values of every kind, edge values included. */
	for (i = 0; i < 64; i++) {
		v = v0;
		v.xid = 0x01020304u * (uint32_t)i;
		v.cookie = 0x1122334455667788ULL ^ (uint64_t)i << 40;
		v.idle = (uint16_t)(i * 1031);
		v.in_port = (uint32_t)i + 1;
		v.out_port = i % 2 ? OFPP_IN_PORT : 0xfffffeffu - (uint32_t)i;
		v.src = 0x01010101u * (uint32_t)(i + 1);
		v.dst = ~v.src;
		v.nsrc = v.src ^ 0xff00ff00u;
		v.sport = (uint16_t)(i * 977);
		v.dport = (uint16_t)(65535 - i);
		v.nsport = (uint16_t)(i << 10);
		v.smac[5] = (uint8_t)i;
		v.dmac[0] = (uint8_t)(i * 3);
		tmpl_flow(&f, &v);
		n = ok_len(ofp_encode_flow_mod(buf, sizeof(buf), v.xid, &f));
		memset(tmp, 0xee, n + 8);
		tmpl_patch(tmp, &t, &v);
		ck_assert_mem_eq(tmp, buf, n);
		ck_assert_uint_eq(tmp[n], 0xee);	/* nothing past len */
	}
}
END_TEST

START_TEST(tmpl_packet_out_raw)
{
	static const struct tvals v0 = { 0, 1, 2, 0x0500000a, 0x076433c6,
	    0x147100cb, 1, 7440, 40000, 80, 40001,
	    { 2, 0, 0, 0, 0, 0x0a }, { 2, 0, 0, 0, 0, 0x0b } };
	struct ofp_flow_tmpl t;
	struct ofp_flow_mod f;
	struct ofp_packet_out p;
	size_t		 n;

	/* The same actions as the flow, sent with the packet. */
	tmpl_flow(&f, &v0);
	ck_assert_int_eq(ofp_flow_tmpl_init(&t, &f), 0);
	memset(&p, 0, sizeof(p));
	p.buffer_id = OFP_NO_BUFFER;
	p.in_port = 1;
	p.actions = f.apply;
	p.data = frame;
	p.data_len = sizeof(frame);
	n = ok_len(ofp_encode_packet_out(buf, sizeof(buf), 9, &p));
	ck_assert_int_eq(ofp_encode_packet_out_raw(tmp, n, 9, 1,
	    t.msg + t.actions, t.actions_len, frame, sizeof(frame)),
	    (ssize_t)n);
	ck_assert_mem_eq(tmp, buf, n);
	/* No actions: a drop. */
	p.actions.n = 0;
	n = ok_len(ofp_encode_packet_out(buf, sizeof(buf), 9, &p));
	ck_assert_int_eq(ofp_encode_packet_out_raw(tmp, n, 9, 1, NULL, 0,
	    frame, sizeof(frame)), (ssize_t)n);
	ck_assert_mem_eq(tmp, buf, n);
}
END_TEST


/* MULTIPART FLOW statistics. */

/* A session-like flow mod, encoded into fmbuf; its match and
 * instructions are the bytes a switch reports for it. */
static uint8_t	 fmbuf[1024];

static void
fs_from_flow_mod(struct ofp_flow_stats *fs, uint64_t cookie,
    struct ofp_match *mout)
{
	struct ofp_flow_mod	 f;
	size_t			 n, mlen;

	ofp_flow_mod_init(&f);
	f.cookie = cookie;
	f.priority = 200;
	f.idle_timeout = 300;
	f.flags = OFPFF_SEND_FLOW_REM;
	ofp_match_in_port(&f.match, 2);
	ofp_match_eth_type(&f.match, 0x0800);
	ofp_match_ip_proto(&f.match, 17);
	ofp_match_ipv4_src(&f.match, htonl(0x0a000002));
	ofp_match_udp_src(&f.match, 4000);
	f.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
	ofp_actions_dec_nw_ttl(&f.apply);
	ofp_actions_output(&f.apply, 1, 0);
	n = ok_len(ofp_encode_flow_mod(fmbuf, sizeof(fmbuf), 1, &f));
	mlen = ((size_t)(fmbuf[48 + 2] << 8 | fmbuf[48 + 3]) + 7) & ~7u;
	memset(fs, 0, sizeof(*fs));
	fs->table_id = 0;
	fs->duration_sec = 12;
	fs->duration_nsec = 345;
	fs->priority = 200;
	fs->idle_timeout = 300;
	fs->flags = OFPFF_SEND_FLOW_REM;
	fs->cookie = cookie;
	fs->packet_count = 1000;
	fs->byte_count = 64000;
	fs->match = fmbuf + 48;
	fs->match_len = mlen;
	fs->instructions = fmbuf + 48 + mlen;
	fs->instructions_len = n - 48 - mlen;
	if (mout != NULL)
		*mout = f.match;
}

START_TEST(flow_stats_request)
{
	struct ofp_flow_stats_request	 r, r2;
	/* The session cookies' filter: the top three bits clear. */
	const uint8_t	 want[] = { 4, 18, 0, 56, 0, 0, 0, 7,
	    0, 1, 0, 0, 0, 0, 0, 0,
	    0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0, 0xe0, 0, 0, 0, 0, 0, 0, 0,
	    0, 1, 0, 4, 0, 0, 0, 0 };
	size_t		 n, i;

	memset(&r, 0, sizeof(r));
	r.table_id = 0;
	r.out_port = OFPP_ANY;
	r.out_group = OFPG_ANY;
	r.cookie = 0;
	r.cookie_mask = 7ull << 61;
	ofp_match_init(&r.match);
	n = ok_len(ofp_encode_flow_stats_request(buf, sizeof(buf), 7, &r));
	ck_assert_uint_eq(n, sizeof(want));
	ck_assert_mem_eq(buf, want, n);
	ck_assert_int_eq(ofp_decode_flow_stats_request(buf, n, &r2), 0);
	ck_assert_uint_eq(r2.cookie_mask, r.cookie_mask);
	ck_assert_uint_eq(r2.out_port, OFPP_ANY);
	ck_assert(ofp_match_equal(&r.match, &r2.match));
	/* Cut anywhere (the length field agreeing): refused. */
	for (i = 0; i < n; i++) {
		memcpy(tmp, buf, n);
		set16(tmp + 2, (uint16_t)i);
		ck_assert_int_eq(ofp_decode_flow_stats_request(tmp, i, &r2),
		    -1);
	}
	/* Another multipart type, flags, trailing bytes. */
	memcpy(tmp, buf, n);
	tmp[9] = OFPMP_PORT_DESC;
	ck_assert_int_eq(ofp_decode_flow_stats_request(tmp, n, &r2), -1);
	memcpy(tmp, buf, n);
	tmp[11] = 1;
	ck_assert_int_eq(ofp_decode_flow_stats_request(tmp, n, &r2), -1);
	memcpy(tmp, buf, n);
	memset(tmp + n, 0, 8);
	set16(tmp + 2, (uint16_t)(n + 8));
	ck_assert_int_eq(ofp_decode_flow_stats_request(tmp, n + 8, &r2), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* The PORT_DESC decoder does not take it, nor this one a
	 * PORT_DESC request. */
	ck_assert_int_eq(ofp_decode_port_desc_request(buf, n), -1);
	n = ok_len(ofp_encode_port_desc_request(tmp, sizeof(tmp), 1));
	ck_assert_int_eq(ofp_decode_flow_stats_request(tmp, n, &r2), -1);
	/* A buffer one byte short. */
	memset(tmp, 0xaa, sizeof(tmp));
	ck_assert_int_eq(ofp_encode_flow_stats_request(tmp, sizeof(want) - 1,
	    7, &r), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_uint_eq(tmp[sizeof(want) - 1], 0xaa);
}
END_TEST

START_TEST(flow_stats_reply)
{
	struct ofp_flow_stats		 fs[3], got;
	struct ofp_flow_stats_reply	 r;
	struct ofp_match		 m, m2;
	size_t				 n, off, k, i;

	fs_from_flow_mod(&fs[0], 0x1000001, &m);
	fs[1] = fs[0];
	fs[1].cookie = 0x2000001;
	fs[1].packet_count = 0;
	/* No instructions at all (a drop flow) is framed too. */
	fs[2] = fs[0];
	fs[2].instructions = NULL;
	fs[2].instructions_len = 0;
	n = ok_len(ofp_encode_flow_stats_reply(buf, sizeof(buf), 9,
	    OFPMPF_REPLY_MORE, fs, 3));
	ck_assert_int_eq(buf[1], OFPT_MULTIPART_REPLY);
	ck_assert_int_eq(ofp_decode_flow_stats_reply(buf, n, &r), 0);
	ck_assert_uint_eq(r.flags, OFPMPF_REPLY_MORE);
	ck_assert_uint_eq(r.n_flows, 3);
	for (off = 0, k = 0; ofp_flow_stats_next(&r, &off, &got) == 1; k++) {
		ck_assert_uint_eq(got.cookie, fs[k].cookie);
		ck_assert_uint_eq(got.packet_count, fs[k].packet_count);
		ck_assert_uint_eq(got.byte_count, fs[k].byte_count);
		ck_assert_uint_eq(got.duration_sec, 12);
		ck_assert_uint_eq(got.duration_nsec, 345);
		ck_assert_uint_eq(got.priority, 200);
		ck_assert_uint_eq(got.idle_timeout, 300);
		ck_assert_uint_eq(got.flags, OFPFF_SEND_FLOW_REM);
		ck_assert_uint_eq(got.match_len, fs[k].match_len);
		ck_assert_mem_eq(got.match, fs[k].match, got.match_len);
		ck_assert_uint_eq(got.instructions_len,
		    fs[k].instructions_len);
		if (got.instructions_len > 0)
			ck_assert_mem_eq(got.instructions, fs[k].instructions,
			    got.instructions_len);
		ck_assert_int_eq(ofp_flow_stats_match(&got, &m2), 0);
		ck_assert(ofp_match_equal(&m, &m2));
	}
	ck_assert_uint_eq(k, 3);
	/* An empty reply: the last part of a table with nothing left. */
	n = ok_len(ofp_encode_flow_stats_reply(tmp, sizeof(tmp), 9, 0, NULL,
	    0));
	ck_assert_uint_eq(n, 16);
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), 0);
	ck_assert_uint_eq(r.n_flows, 0);
	off = 0;
	ck_assert_int_eq(ofp_flow_stats_next(&r, &off, &got), 0);
	/* Every cut inside an entry is refused; cuts between entries
	 * are whole messages of fewer flows. */
	n = ok_len(ofp_encode_flow_stats_reply(buf, sizeof(buf), 9, 0, fs,
	    2));
	for (i = 16; i < n; i++) {
		memcpy(tmp, buf, i);
		set16(tmp + 2, (uint16_t)i);
		ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, i, &r),
		    i == 16 || i == 16 + (n - 16) / 2 ? 0 : -1);
	}
	/* The PORT_DESC decoder does not take a FLOW reply, nor this one
	 * a PORT_DESC reply. */
	ck_assert_int_eq(ofp_decode_port_desc_reply(buf, n, &pdr2), -1);
	i = ok_len(ofp_encode_port_desc_reply(tmp, sizeof(tmp), 1, &pdr));
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, i, &r), -1);
	/* A buffer one byte short writes nothing past it. */
	memset(tmp, 0xaa, sizeof(tmp));
	ck_assert_int_eq(ofp_encode_flow_stats_reply(tmp, n - 1, 9, 0, fs, 2),
	    -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_uint_eq(tmp[n - 1], 0xaa);
}
END_TEST

START_TEST(flow_stats_reply_bad)
{
	struct ofp_flow_stats		 fs, bad;
	struct ofp_flow_stats_reply	 r;
	size_t				 n, mlen;

	fs_from_flow_mod(&fs, 0x1000001, NULL);
	mlen = fs.match_len;
	n = ok_len(ofp_encode_flow_stats_reply(buf, sizeof(buf), 9, 0, &fs,
	    1));
	ck_assert_int_eq(ofp_decode_flow_stats_reply(buf, n, &r), 0);
	/* The entry's length: short of its fixed part, past the end,
	 * cutting the match. */
	memcpy(tmp, buf, n);
	set16(tmp + 16, 48);
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), -1);
	set16(tmp + 16, (uint16_t)(n - 16 + 8));
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), -1);
	set16(tmp + 16, (uint16_t)(48 + mlen - 8));
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), -1);
	/* The match: not OXM, padding not zero, length past the entry. */
	memcpy(tmp, buf, n);
	tmp[16 + 48 + 1] = 0;
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), -1);
	memcpy(tmp, buf, n);
	tmp[16 + 48 + mlen - 1] = 1;
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), -1);
	memcpy(tmp, buf, n);
	set16(tmp + 16 + 48 + 2, 4000);
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), -1);
	/* An instruction length not a multiple of 8, or past the end. */
	memcpy(tmp, buf, n);
	set16(tmp + 16 + 48 + mlen + 2, 12);
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), -1);
	set16(tmp + 16 + 48 + mlen + 2, 4096);
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), -1);
	/* Unknown multipart flags. */
	memcpy(tmp, buf, n);
	tmp[11] = 2;
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* The encoder refuses what the decoder would. */
	bad = fs;
	bad.match_len -= 8;
	ck_assert_int_eq(ofp_encode_flow_stats_reply(tmp, sizeof(tmp), 1, 0,
	    &bad, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	bad = fs;
	bad.instructions_len -= 4;
	ck_assert_int_eq(ofp_encode_flow_stats_reply(tmp, sizeof(tmp), 1, 0,
	    &bad, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(ofp_encode_flow_stats_reply(tmp, sizeof(tmp), 1, 2,
	    &fs, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* A match outside the subset still frames (its cookie counts),
	 * but does not decode. */
	memcpy(tmp, buf, n);
	tmp[16 + 48 + 4 + 3] = 8;	/* in_port's OXM length 4 -> 8 */
	ck_assert_int_eq(ofp_decode_flow_stats_reply(tmp, n, &r), 0);
}
END_TEST

Suite *
ofp_suite(void)
{
	Suite	*s = suite_create("ofp");
	TCase	*bad = tcase_create("bad input");
	TCase	*enc = tcase_create("encoder refuses");
	TCase	*rt = tcase_create("round trips");
	TCase	*lim = tcase_create("limits");
	TCase	*tm = tcase_create("templates");

	tcase_add_test(bad, header_check_framing);
	tcase_add_test(bad, header_decode_needs_exact_length);
	tcase_add_test(bad, truncated_messages);
	tcase_add_test(bad, length_field_disagrees);
	tcase_add_test(bad, consistent_truncation);
	tcase_add_test(bad, wrong_version_and_type);
	tcase_add_test(bad, match_bad_oxm_lengths);
	tcase_add_test(bad, match_bad_masks_and_duplicates);
	tcase_add_test(bad, match_missing_prerequisites);
	tcase_add_test(bad, match_skips_unknown_fields);
	tcase_add_test(bad, match_bad_padding);
	tcase_add_test(bad, actions_bad_lengths);
	tcase_add_test(bad, actions_bad_set_field);
	tcase_add_test(bad, packet_out_buffer_with_data);
	tcase_add_test(bad, instructions_bad);
	tcase_add_test(bad, flow_mod_bad_fields);
	tcase_add_test(bad, flow_removed_trailing_bytes);
	tcase_add_test(bad, hello_bad_elements);
	tcase_add_test(bad, ports_bad);
	tcase_add_test(bad, set_config_bad_flags);
	tcase_add_test(bad, role_bad);
	suite_add_tcase(s, bad);

	tcase_add_test(enc, encoder_refuses_missing_prerequisites);
	tcase_add_test(enc, encoder_refuses_bad_values);
	tcase_add_test(enc, encoder_refuses_bad_flow_mods);
	tcase_add_test(enc, encoder_refuses_other);
	tcase_add_test(enc, encoder_short_buffer);
	suite_add_tcase(s, enc);

	tcase_add_test(rt, roundtrip_hello);
	tcase_add_test(rt, roundtrip_echo_error);
	tcase_add_test(rt, roundtrip_empty_messages);
	tcase_add_test(rt, roundtrip_features_config_async);
	tcase_add_test(rt, roundtrip_ports);
	tcase_add_test(rt, roundtrip_packet_in);
	tcase_add_test(rt, match_wire_form);
	tcase_add_test(rt, roundtrip_packet_out);
	tcase_add_test(rt, roundtrip_flow_mod);
	tcase_add_test(rt, roundtrip_flow_removed);
	tcase_add_test(rt, roundtrip_all_fields);
	tcase_add_test(rt, roundtrip_set_fields);
	tcase_add_test(rt, roundtrip_role);
	tcase_add_test(rt, error_role_stale);
	tcase_add_test(rt, role_stale_rule);
	tcase_add_test(rt, roundtrip_get_async);
	suite_add_tcase(s, rt);

	tcase_add_test(lim, limit_actions);
	tcase_add_test(lim, limit_message_size);
	tcase_add_test(lim, limit_ports);
	tcase_add_test(lim, limit_full_match);
	suite_add_tcase(s, lim);

	tcase_add_test(tm, tmpl_refuses);
	tcase_add_test(tm, tmpl_copy_is_the_encoding);
	tcase_add_test(tm, tmpl_packet_out_raw);
	tcase_add_test(rt, flow_stats_request);
	tcase_add_test(rt, flow_stats_reply);
	tcase_add_test(bad, flow_stats_reply_bad);
	suite_add_tcase(s, tm);
	return s;
}
