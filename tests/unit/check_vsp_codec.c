/* Unit tests for the pure vsp codec: bad input first, then round trips. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "suites.h"
#include "vsp.h"

static uint8_t	 frame[VSP_MAX_FRAME];
static struct vsp_msg in, out;

static void
make_state(struct vsp_msg *m, int ngroups, int naddrs)
{
	int	 i;

	memset(m, 0, sizeof(*m));
	m->hdr.type = VSP_STATE;
	m->hdr.seq = 7;
	m->hdr.epoch = 0x0102030405060708ULL;
	strcpy(m->u.state.router_id, "router-1");
	m->u.state.ngroups = ngroups;
	m->u.state.naddrs = naddrs;
	for (i = 0; i < ngroups; i++) {
		snprintf(m->u.state.groups[i].name, VSP_NAME_LEN + 1, "VI_%d", i);
		m->u.state.groups[i].state = VSP_ST_MASTER;
		m->u.state.groups[i].priority = 100 + i;
	}
	for (i = 0; i < naddrs; i++) {
		m->u.state.addrs[i].addr = htonl(0xcb007100u + i);
		m->u.state.addrs[i].plen = 32;
		m->u.state.addrs[i].state = VSP_ST_MASTER;
		m->u.state.addrs[i].group = ngroups ? 0 : 0xff;
	}
}

/* Encode in, then return the frame length. */
static size_t
encode_in(void)
{
	ssize_t	 n = vsp_encode(frame, sizeof(frame), &in);

	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

/* Fix up both checksums after a test has tampered with a frame. */
static void
reseal(size_t len)
{
	uint32_t c;

	c = crc32(0, frame + VSP_HDR_LEN, len - VSP_HDR_LEN);
	frame[24] = c >> 24; frame[25] = c >> 16; frame[26] = c >> 8; frame[27] = c;
	c = crc32(0, frame, 28);
	frame[28] = c >> 24; frame[29] = c >> 16; frame[30] = c >> 8; frame[31] = c;
}

START_TEST(reject_short_and_empty)
{
	size_t	 n;

	make_state(&in, 1, 1);
	n = encode_in();
	errno = 0;
	ck_assert_int_eq(vsp_decode(frame, 0, &out), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_int_eq(vsp_decode(frame, n - 1, &out), -1);
	ck_assert_int_eq(vsp_decode(frame, VSP_HDR_LEN - 1, &out), -1);
}
END_TEST

START_TEST(reject_bad_checksums)
{
	size_t	 n;

	make_state(&in, 1, 1);
	n = encode_in();
	frame[n - 1] ^= 1;		/* payload */
	ck_assert_int_eq(vsp_decode(frame, n, &out), -1);
	frame[n - 1] ^= 1;
	frame[13] ^= 1;			/* header (seq) */
	ck_assert_int_eq(vsp_decode(frame, n, &out), -1);
	frame[13] ^= 1;
	ck_assert_int_eq(vsp_decode(frame, n, &out), 0);
}
END_TEST

START_TEST(reject_oversized_length_before_payload)
{
	size_t	 outlen;

	make_state(&in, 0, 0);
	encode_in();
	/* Claim a payload one past the maximum: garbage at once, no wait. */
	frame[8] = 0; frame[9] = 0; frame[10] = (VSP_MAX_PAYLOAD + 1) >> 8;
	frame[11] = (VSP_MAX_PAYLOAD + 1) & 0xff;
	reseal(VSP_HDR_LEN);
	ck_assert_int_eq(vsp_frame_check(frame, VSP_HDR_LEN, &outlen),
	    VSP_SCAN_GARBAGE);
	ck_assert_uint_eq(outlen, 1);
}
END_TEST

START_TEST(reject_wrong_version_and_type)
{
	size_t	 n;

	make_state(&in, 1, 1);
	n = encode_in();
	frame[4] = 2;
	reseal(n);
	errno = 0;
	ck_assert_int_eq(vsp_decode(frame, n, &out), -1);
	ck_assert_int_eq(errno, EPROTONOSUPPORT);
	frame[4] = VSP_VERSION;
	frame[5] = 99;
	reseal(n);
	ck_assert_int_eq(vsp_decode(frame, n, &out), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

/* Byte offsets into a STATE frame with one group and one address. */
#define GROUP0	(VSP_HDR_LEN + VSP_NAME_LEN + 4)
#define ADDR0	(GROUP0 + VSP_NAME_LEN + 4)

static const struct {
	const char	*what;
	size_t		 off;
	uint8_t		 value;
} state_corruptions[] = {
	{ "router id not printable", VSP_HDR_LEN, 0x07 },
	{ "router id empty", VSP_HDR_LEN, 0 },
	{ "byte after name NUL", VSP_HDR_LEN + 10, 'x' },
	{ "ngroups disagrees with length", VSP_HDR_LEN + VSP_NAME_LEN + 1, 2 },
	{ "naddrs disagrees with length", VSP_HDR_LEN + VSP_NAME_LEN + 3, 0 },
	{ "group kind out of range", GROUP0 + VSP_NAME_LEN, VSP_KIND_MAX },
	{ "group state out of range", GROUP0 + VSP_NAME_LEN + 1, VSP_ST_MAX },
	{ "group pad not zero", GROUP0 + VSP_NAME_LEN + 3, 1 },
	{ "prefix length > 32", ADDR0 + 4, 33 },
	{ "address state out of range", ADDR0 + 5, VSP_ST_MAX },
	{ "group index past groups", ADDR0 + 6, 1 },
	{ "address pad not zero", ADDR0 + 7, 1 },
};

START_TEST(reject_bad_state_fields)
{
	size_t	 n;

	make_state(&in, 1, 1);
	n = encode_in();
	frame[state_corruptions[_i].off] = state_corruptions[_i].value;
	reseal(n);
	ck_assert_msg(vsp_decode(frame, n, &out) == -1, "accepted: %s",
	    state_corruptions[_i].what);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(reject_duplicate_address)
{
	make_state(&in, 1, 2);
	in.u.state.addrs[1].addr = in.u.state.addrs[0].addr;
	errno = 0;
	ck_assert_int_eq(vsp_encode(frame, sizeof(frame), &in), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(encode_refuses_bad_input)
{
	make_state(&in, 0, 0);
	ck_assert_int_eq(vsp_encode(frame, VSP_HDR_LEN, &in), -1);
	ck_assert_int_eq(errno, ERANGE);
	in.u.state.router_id[0] = '\0';
	ck_assert_int_eq(vsp_encode(frame, sizeof(frame), &in), -1);
	ck_assert_int_eq(errno, EINVAL);
	make_state(&in, 0, 0);
	in.u.state.naddrs = VSP_MAX_ADDRS + 1;
	ck_assert_int_eq(vsp_encode(frame, sizeof(frame), &in), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.hdr.type = 42;
	ck_assert_int_eq(vsp_encode(frame, sizeof(frame), &in), -1);
}
END_TEST

/*
 * Found by fuzz_vsp_encode: vsp_encode promises to refuse whatever the
 * decoder rejects, but checked that only for STATE, so it sent HELLO and
 * ACK frames that the peer then dropped as bad.
 */
START_TEST(encode_refuses_what_decode_rejects)
{
	memset(&in, 0, sizeof(in));
	in.hdr.type = VSP_HELLO;
	in.u.hello.min_version = 2;		/* min > max */
	in.u.hello.max_version = 1;
	errno = 0;
	ck_assert_int_eq(vsp_encode(frame, sizeof(frame), &in), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.u.hello.min_version = 1;
	in.u.hello.host[0] = ' ';		/* not graphic */
	ck_assert_int_eq(vsp_encode(frame, sizeof(frame), &in), -1);
	ck_assert_int_eq(errno, EINVAL);

	memset(&in, 0, sizeof(in));
	in.hdr.type = VSP_ACK;
	in.u.ack.nresults = 1;
	in.u.ack.results[0].result = VSP_RES_MAX;
	errno = 0;
	ck_assert_int_eq(vsp_encode(frame, sizeof(frame), &in), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.u.ack.results[0].result = VSP_RES_INSTALLED;
	in.u.ack.results[0].reason = VSP_WHY_MAX;
	ck_assert_int_eq(vsp_encode(frame, sizeof(frame), &in), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.u.ack.results[0].reason = VSP_WHY_NONE;
	ck_assert_int_gt(vsp_encode(frame, sizeof(frame), &in), 0);
}
END_TEST

START_TEST(state_round_trip_at_limits)
{
	size_t	 n;
	int	 i;

	make_state(&in, VSP_MAX_GROUPS, VSP_MAX_ADDRS);
	memset(in.u.state.router_id, 'r', VSP_NAME_LEN);
	in.u.state.router_id[VSP_NAME_LEN] = '\0';
	n = encode_in();
	ck_assert_uint_le(n, VSP_MAX_FRAME);
	ck_assert_int_eq(vsp_decode(frame, n, &out), 0);
	ck_assert_uint_eq(out.hdr.seq, 7);
	ck_assert(out.hdr.epoch == 0x0102030405060708ULL);
	ck_assert_str_eq(out.u.state.router_id, in.u.state.router_id);
	ck_assert_uint_eq(out.u.state.ngroups, VSP_MAX_GROUPS);
	ck_assert_uint_eq(out.u.state.naddrs, VSP_MAX_ADDRS);
	for (i = 0; i < VSP_MAX_GROUPS; i++) {
		ck_assert_str_eq(out.u.state.groups[i].name,
		    in.u.state.groups[i].name);
		ck_assert_uint_eq(out.u.state.groups[i].priority, 100 + i);
	}
	for (i = 0; i < VSP_MAX_ADDRS; i++)
		ck_assert_uint_eq(out.u.state.addrs[i].addr,
		    in.u.state.addrs[i].addr);
}
END_TEST

START_TEST(ack_and_hello_round_trip)
{
	size_t	 n;

	memset(&in, 0, sizeof(in));
	in.hdr.type = VSP_ACK;
	in.hdr.seq = 1;
	in.u.ack.acked_seq = 0xfffffffe;
	in.u.ack.acked_epoch = 99;
	in.u.ack.nresults = 2;
	in.u.ack.results[0].addr = htonl(0xcb00710a);
	in.u.ack.results[1].result = VSP_RES_REFUSED;
	in.u.ack.results[1].reason = VSP_WHY_NOT_REGISTERED;
	n = encode_in();
	ck_assert_int_eq(vsp_decode(frame, n, &out), 0);
	ck_assert_uint_eq(out.u.ack.acked_seq, 0xfffffffe);
	ck_assert(out.u.ack.acked_epoch == 99);
	ck_assert_uint_eq(out.u.ack.results[1].reason, VSP_WHY_NOT_REGISTERED);

	memset(&in, 0, sizeof(in));
	in.hdr.type = VSP_HELLO;
	in.u.hello.min_version = 1;
	in.u.hello.max_version = 1;
	strcpy(in.u.hello.host, "hv1");
	n = encode_in();
	ck_assert_int_eq(vsp_decode(frame, n, &out), 0);
	ck_assert_str_eq(out.u.hello.host, "hv1");
	frame[VSP_HDR_LEN] = 2;		/* min > max */
	reseal(n);
	ck_assert_int_eq(vsp_decode(frame, n, &out), -1);
}
END_TEST

/*
 * YIELD (host -> guest): 8 bytes, a non-zero request number and four
 * zero bytes; anything else is a bad frame, and the encoder refuses what
 * the decoder would.
 */
START_TEST(yield_strict_and_round_trip)
{
	size_t	 n;

	memset(&in, 0, sizeof(in));
	in.hdr.type = VSP_YIELD;
	in.hdr.seq = 3;
	in.hdr.epoch = 77;
	in.u.yield.request = 0xfffffffe;
	n = encode_in();
	ck_assert_uint_eq(n, VSP_YIELD_FRAME);
	ck_assert_int_eq(vsp_decode(frame, n, &out), 0);
	ck_assert_uint_eq(out.hdr.type, VSP_YIELD);
	ck_assert_uint_eq(out.u.yield.request, 0xfffffffe);
	ck_assert_str_eq(vsp_type_name(VSP_YIELD), "YIELD");

	/* Reserved bytes not zero. */
	frame[VSP_HDR_LEN + 7] = 1;
	reseal(n);
	errno = 0;
	ck_assert_int_eq(vsp_decode(frame, n, &out), -1);
	ck_assert_int_eq(errno, EBADMSG);
	frame[VSP_HDR_LEN + 7] = 0;
	/* Request 0. */
	memset(frame + VSP_HDR_LEN, 0, 4);
	reseal(n);
	ck_assert_int_eq(vsp_decode(frame, n, &out), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* A payload one byte short, and one byte long. */
	in.u.yield.request = 1;
	n = encode_in();
	frame[11] = 7;
	reseal(VSP_HDR_LEN + 7);
	ck_assert_int_eq(vsp_decode(frame, VSP_HDR_LEN + 7, &out), -1);
	ck_assert_int_eq(errno, EBADMSG);
	n = encode_in();
	frame[11] = 9;
	frame[n] = 0;
	reseal(VSP_HDR_LEN + 9);
	ck_assert_int_eq(vsp_decode(frame, VSP_HDR_LEN + 9, &out), -1);
	ck_assert_int_eq(errno, EBADMSG);

	/* The encoder refuses request 0, and a short buffer with ERANGE. */
	in.u.yield.request = 0;
	errno = 0;
	ck_assert_int_eq(vsp_encode(frame, sizeof(frame), &in), -1);
	ck_assert_int_eq(errno, EINVAL);
	in.u.yield.request = 5;
	ck_assert_int_eq(vsp_encode(frame, VSP_YIELD_FRAME - 1, &in), -1);
	ck_assert_int_eq(errno, ERANGE);
}
END_TEST

START_TEST(frame_check_skips_to_magic)
{
	static const uint8_t junk[] = "xxVRxxVRSP";
	size_t	 n;

	/* "VR" followed by "xx" cannot start a frame: skip to the magic. */
	ck_assert_int_eq(vsp_frame_check(junk, sizeof(junk) - 1, &n),
	    VSP_SCAN_GARBAGE);
	ck_assert_uint_eq(n, 6);
	/* A prefix of the magic at the end may still become one. */
	ck_assert_int_eq(vsp_frame_check(junk, 8, &n), VSP_SCAN_GARBAGE);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(vsp_frame_check(junk, 7, &n), VSP_SCAN_GARBAGE);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(vsp_frame_check(junk, 5, &n), VSP_SCAN_GARBAGE);
	ck_assert_uint_eq(n, 5);
	ck_assert_int_eq(vsp_frame_check(junk + 2, 2, &n),
	    VSP_SCAN_NEED_MORE);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(vsp_frame_check(junk + 6, 4, &n),
	    VSP_SCAN_NEED_MORE);
	ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(frame_check_trusts_a_valid_header)
{
	size_t	 n, fl;

	make_state(&in, 1, 3);
	fl = encode_in();
	/* Once the header is in, the frame's length is known. */
	ck_assert_int_eq(vsp_frame_check(frame, VSP_HDR_LEN, &n),
	    VSP_SCAN_NEED_MORE);
	ck_assert_uint_eq(n, fl);
	ck_assert_int_eq(vsp_frame_check(frame, fl - 1, &n),
	    VSP_SCAN_NEED_MORE);
	ck_assert_uint_eq(n, fl);
	ck_assert_int_eq(vsp_frame_check(frame, fl, &n), VSP_SCAN_FRAME);
	ck_assert_uint_eq(n, fl);
	/* A bad payload CRC drops the whole frame, not one byte. */
	frame[fl - 2] ^= 0x40;
	ck_assert_int_eq(vsp_frame_check(frame, fl, &n),
	    VSP_SCAN_BAD_PAYLOAD);
	ck_assert_uint_eq(n, fl);
	/* A bad header CRC makes the length untrustworthy: one byte. */
	frame[fl - 2] ^= 0x40;
	frame[15] ^= 1;
	ck_assert_int_eq(vsp_frame_check(frame, fl, &n), VSP_SCAN_GARBAGE);
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* CRC-32 computed bit by bit from its definition, apart from zlib. */
static uint32_t
crc32_by_bits(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffu;
	size_t	 i;
	int	 k;

	for (i = 0; i < len; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return c ^ 0xffffffffu;
}

START_TEST(crc_is_crc32_iso_hdlc)
{
	size_t	 n;
	uint32_t c;

	/* The catalogue's check value of CRC-32/ISO-HDLC. */
	ck_assert_uint_eq(vsp_crc32("123456789", 9), 0xcbf43926u);
	ck_assert_uint_eq(crc32_by_bits((const uint8_t *)"123456789", 9),
	    0xcbf43926u);
	ck_assert_uint_eq(vsp_crc32("", 0), 0);
	/* And it is what goes on the wire, over the fields docs say. */
	make_state(&in, 2, 5);
	n = encode_in();
	c = crc32_by_bits(frame, 28);
	ck_assert_uint_eq((uint32_t)frame[28] << 24 | frame[29] << 16 |
	    frame[30] << 8 | frame[31], c);
	c = crc32_by_bits(frame + VSP_HDR_LEN, n - VSP_HDR_LEN);
	ck_assert_uint_eq((uint32_t)frame[24] << 24 | frame[25] << 16 |
	    frame[26] << 8 | frame[27], c);
}
END_TEST

START_TEST(seq_moves_to_next_epoch_instead_of_wrapping)
{
	uint64_t e = 5;
	uint32_t s = 0xfffffffeu;

	ck_assert_int_eq(vsp_seq_next(&e, &s), 0);
	ck_assert_uint_eq(e, 5);
	ck_assert_uint_eq(s, 0xffffffffu);
	ck_assert_int_eq(vsp_seq_next(&e, &s), 0);
	ck_assert_uint_eq(e, 6);
	ck_assert_uint_eq(s, 1);
	ck_assert_int_eq(vsp_seq_next(&e, &s), 0);
	ck_assert_uint_eq(e, 6);
	ck_assert_uint_eq(s, 2);
	/* A fresh session: seq 0 is never sent. */
	e = 9;
	s = 0;
	ck_assert_int_eq(vsp_seq_next(&e, &s), 0);
	ck_assert_uint_eq(s, 1);
	/* Nowhere left to go: refused, both unchanged. */
	e = UINT64_MAX;
	s = UINT32_MAX;
	errno = 0;
	ck_assert_int_eq(vsp_seq_next(&e, &s), -1);
	ck_assert_int_eq(errno, EOVERFLOW);
	ck_assert_uint_eq(e, UINT64_MAX);
	ck_assert_uint_eq(s, UINT32_MAX);
}
END_TEST

START_TEST(longest_frames_of_each_type)
{
	make_state(&in, VSP_MAX_GROUPS, VSP_MAX_ADDRS);
	ck_assert_uint_eq(encode_in(), VSP_MAX_STATE_FRAME);
	memset(&in, 0, sizeof(in));
	in.hdr.type = VSP_ACK;
	in.u.ack.nresults = VSP_MAX_ADDRS;
	ck_assert_uint_eq(encode_in(), VSP_MAX_ACK_FRAME);
	memset(&in, 0, sizeof(in));
	in.hdr.type = VSP_HELLO;
	in.u.hello.min_version = in.u.hello.max_version = 1;
	ck_assert_uint_eq(encode_in(), VSP_HELLO_FRAME);
}
END_TEST

START_TEST(state_names_parse)
{
	uint8_t	 s;

	ck_assert_int_eq(vsp_state_parse("master", &s), 0);
	ck_assert_uint_eq(s, VSP_ST_MASTER);
	ck_assert_int_eq(vsp_state_parse("MASTERX", &s), -1);
	ck_assert_str_eq(vsp_state_name(VSP_ST_MAX), "?");
	ck_assert_str_eq(vsp_reason_name(VSP_WHY_MAX), "?");
}
END_TEST

Suite *
vsp_codec_suite(void)
{
	Suite	*s = suite_create("vsp_codec");
	TCase	*tc = tcase_create("codec");

	tcase_add_test(tc, reject_short_and_empty);
	tcase_add_test(tc, reject_bad_checksums);
	tcase_add_test(tc, reject_oversized_length_before_payload);
	tcase_add_test(tc, reject_wrong_version_and_type);
	tcase_add_loop_test(tc, reject_bad_state_fields, 0,
	    sizeof(state_corruptions) / sizeof(state_corruptions[0]));
	tcase_add_test(tc, reject_duplicate_address);
	tcase_add_test(tc, encode_refuses_bad_input);
	tcase_add_test(tc, encode_refuses_what_decode_rejects);
	tcase_add_test(tc, state_round_trip_at_limits);
	tcase_add_test(tc, ack_and_hello_round_trip);
	tcase_add_test(tc, yield_strict_and_round_trip);
	tcase_add_test(tc, frame_check_skips_to_magic);
	tcase_add_test(tc, frame_check_trusts_a_valid_header);
	tcase_add_test(tc, crc_is_crc32_iso_hdlc);
	tcase_add_test(tc, seq_moves_to_next_epoch_instead_of_wrapping);
	tcase_add_test(tc, longest_frames_of_each_type);
	tcase_add_test(tc, state_names_parse);
	suite_add_tcase(s, tc);
	return s;
}
