/* Unit tests for frame reassembly, resynchronisation and buffering. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "vsp_stream.h"

static struct vsp_reader rd;
static struct vsp_msg	 msg;

/* A STATE frame with naddrs addresses; returns its length. */
static size_t
state_frame_n(uint8_t *buf, uint32_t seq, int naddrs)
{
	struct vsp_msg	 m;
	ssize_t		 n;
	int		 i;

	memset(&m, 0, sizeof(m));
	m.hdr.type = VSP_STATE;
	m.hdr.seq = seq;
	m.hdr.epoch = 5;
	strcpy(m.u.state.router_id, "r");
	m.u.state.naddrs = naddrs;
	for (i = 0; i < naddrs; i++) {
		m.u.state.addrs[i].addr = htonl(0xcb00710au + i);
		m.u.state.addrs[i].plen = 32;
		m.u.state.addrs[i].state = VSP_ST_MASTER;
		m.u.state.addrs[i].group = 0xff;
	}
	n = vsp_encode(buf, VSP_MAX_FRAME, &m);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static size_t
state_frame(uint8_t *buf, uint32_t seq)
{
	return state_frame_n(buf, seq, 1);
}

/*
 * One read of len bytes, as a socket would deliver it: what does not fit
 * in the space offered stays in the socket for the next read, after the
 * reader has been drained into msg (the last frame is kept there).
 */
static void
feed(const void *p, size_t len)
{
	const uint8_t	*q = p;
	size_t		 avail, n;
	uint8_t		*dst;

	for (;;) {
		dst = vsp_reader_space(&rd, &avail);
		ck_assert_ptr_nonnull(dst);
		ck_assert_uint_gt(avail, 0);
		n = len < avail ? len : avail;
		memcpy(dst, q, n);
		vsp_reader_commit(&rd, n);
		q += n;
		len -= n;
		if (len == 0)
			break;
		while (vsp_reader_next(&rd, &msg))
			;
	}
}

START_TEST(garbage_then_torn_header_then_whole)
{
	uint8_t	 f1[VSP_MAX_FRAME], f2[VSP_MAX_FRAME];
	size_t	 n2;

	vsp_reader_init(&rd, VSP_MAX_FRAME);
	state_frame(f1, 1);
	n2 = state_frame(f2, 2);
	feed("noise VRSP noise", 16);
	feed(f1, VSP_HDR_LEN / 2);	/* torn inside its header */
	feed(f2, n2);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	ck_assert_uint_eq(msg.hdr.seq, 2);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 0);
	ck_assert_uint_eq(rd.garbage_bytes, 16 + VSP_HDR_LEN / 2);
	ck_assert_uint_eq(rd.bad_frames, 0);
	vsp_reader_free(&rd);
}
END_TEST

/*
 * A frame torn after its header has a length the reader trusts: it takes
 * that many bytes, finds the payload CRC wrong and drops them all as one
 * bad frame, with the start of the frame that came next.  The one after
 * that is read as usual.
 */
START_TEST(torn_payload_costs_its_claimed_length)
{
	uint8_t	 f1[VSP_MAX_FRAME], f2[VSP_MAX_FRAME], f3[VSP_MAX_FRAME];
	size_t	 n1, n2, n3;

	vsp_reader_init(&rd, VSP_MAX_FRAME);
	n1 = state_frame_n(f1, 1, 8);
	n2 = state_frame_n(f2, 2, 8);
	n3 = state_frame(f3, 3);
	feed(f1, n1 - 10);
	feed(f2, n2);
	feed(f3, n3);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	ck_assert_uint_eq(msg.hdr.seq, 3);
	ck_assert_uint_eq(rd.bad_frames, 1);
	ck_assert_int_eq(rd.last_error, EBADMSG);
	/* f2 less the 10 bytes f1 took was skipped as garbage. */
	ck_assert_uint_eq(rd.garbage_bytes, n2 - 10);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 0);
	vsp_reader_free(&rd);
}
END_TEST

START_TEST(bad_payload_crc_is_one_bad_frame)
{
	uint8_t	 f[2 * VSP_MAX_FRAME];
	size_t	 n, m;

	vsp_reader_init(&rd, VSP_MAX_FRAME);
	n = state_frame_n(f, 1, 4);
	m = state_frame(f + n, 2);
	f[n - 3] ^= 0x10;
	feed(f, n + m);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	ck_assert_uint_eq(msg.hdr.seq, 2);
	ck_assert_uint_eq(rd.bad_frames, 1);
	ck_assert_uint_eq(rd.garbage_bytes, 0);
	/* A frame of a type this side does not take counts the same. */
	vsp_reader_reject(&rd, EPROTO);
	ck_assert_uint_eq(rd.bad_frames, 2);
	ck_assert_int_eq(rd.last_error, EPROTO);
	vsp_reader_free(&rd);
}
END_TEST

START_TEST(byte_at_a_time)
{
	uint8_t	 f[VSP_MAX_FRAME];
	size_t	 i, n;
	int	 got = 0;

	vsp_reader_init(&rd, VSP_MAX_FRAME);
	n = state_frame(f, 9);
	for (i = 0; i < n; i++) {
		feed(f + i, 1);
		got += vsp_reader_next(&rd, &msg);
	}
	ck_assert_int_eq(got, 1);
	ck_assert_uint_eq(msg.hdr.seq, 9);
	ck_assert_uint_eq(rd.garbage_bytes, 0);
	vsp_reader_free(&rd);
}
END_TEST

START_TEST(bad_frame_counted_and_skipped)
{
	uint8_t	 f[VSP_MAX_FRAME], g[VSP_MAX_FRAME];
	size_t	 n, m;

	vsp_reader_init(&rd, VSP_MAX_FRAME);
	n = state_frame(f, 1);
	m = state_frame(g, 2);
	f[5] = 77;	/* unknown type, but checksums now wrong: garbage */
	feed(f, n);
	feed(g, m);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	ck_assert_uint_eq(msg.hdr.seq, 2);
	vsp_reader_free(&rd);
}
END_TEST

static void
put32be(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/*
 * What lets the host send a type an older guest does not know (YIELD
 * came after the first guests): a frame with valid checksums and an
 * unknown type is one bad frame, dropped whole, and the frame after it
 * is read.  Type 5 stands for a type newer than this code.
 */
START_TEST(unknown_type_is_one_bad_frame_then_next_read)
{
	uint8_t		 f[2 * VSP_MAX_FRAME];
	struct vsp_msg	 m;
	ssize_t		 n, k;

	vsp_reader_init(&rd, VSP_MAX_ACK_FRAME);	/* as the guest */
	memset(&m, 0, sizeof(m));
	m.hdr.type = VSP_YIELD;
	m.u.yield.request = 1;
	n = vsp_encode(f, VSP_MAX_FRAME, &m);
	ck_assert_int_eq(n, VSP_YIELD_FRAME);
	f[5] = 5;
	put32be(f + 28, vsp_crc32(f, 28));
	memset(&m, 0, sizeof(m));
	m.hdr.type = VSP_ACK;
	m.hdr.seq = 2;
	k = vsp_encode(f + n, VSP_MAX_FRAME, &m);
	ck_assert_int_gt(k, 0);
	feed(f, (size_t)(n + k));
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	ck_assert_uint_eq(msg.hdr.type, VSP_ACK);
	ck_assert_uint_eq(msg.hdr.seq, 2);
	ck_assert_uint_eq(rd.bad_frames, 1);
	ck_assert_int_eq(rd.last_error, EBADMSG);
	ck_assert_uint_eq(rd.garbage_bytes, 0);
	vsp_reader_free(&rd);
}
END_TEST

/* The buffer exists only while there are bytes, and grows to need. */
START_TEST(reader_buffer_grows_to_need_and_is_freed)
{
	uint8_t	 f[VSP_MAX_FRAME];
	size_t	 n;

	vsp_reader_init(&rd, VSP_MAX_STATE_FRAME);
	ck_assert_ptr_null(rd.buf);
	ck_assert_uint_eq(rd.cap, VSP_MAX_STATE_FRAME + VSP_READER_SLACK);
	n = state_frame(f, 1);
	feed(f, n);
	ck_assert_uint_eq(rd.size, VSP_READER_MIN);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	/* The longest STATE, a little at a time, needs a bigger buffer. */
	n = state_frame_n(f, 2, VSP_MAX_ADDRS);
	ck_assert_uint_gt(n, VSP_READER_MIN);
	for (size_t off = 0; off < n; off += 1000) {
		feed(f + off, n - off < 1000 ? n - off : 1000);
		ck_assert_int_eq(vsp_reader_next(&rd, &msg), off + 1000 >= n);
	}
	ck_assert_uint_eq(msg.hdr.seq, 2);
	ck_assert_uint_ge(rd.size, n);
	ck_assert_uint_le(rd.size, rd.cap);
	vsp_reader_free(&rd);
	ck_assert_ptr_null(rd.buf);
	ck_assert_uint_eq(rd.size, 0);
	/* Usable again after a free, as after a reconnect. */
	n = state_frame(f, 3);
	feed(f, n);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	ck_assert_uint_eq(msg.hdr.seq, 3);
	vsp_reader_free(&rd);
}
END_TEST

/* A reader for the guest takes no frame longer than an ACK. */
START_TEST(reader_max_frame_skips_longer_frames)
{
	uint8_t	 f[VSP_MAX_FRAME], g[VSP_MAX_FRAME];
	size_t	 n, m, avail;

	vsp_reader_init(&rd, VSP_MAX_ACK_FRAME);
	n = state_frame_n(f, 1, VSP_MAX_ADDRS);
	ck_assert_uint_gt(n, VSP_MAX_ACK_FRAME);
	m = state_frame(g, 2);
	for (size_t off = 0; off < n; off += 512)
		feed(f + off, n - off < 512 ? n - off : 512);
	feed(g, m);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	ck_assert_uint_eq(msg.hdr.seq, 2);
	ck_assert_uint_eq(rd.garbage_bytes, n);
	ck_assert_uint_le(rd.size, rd.cap);
	ck_assert_ptr_nonnull(vsp_reader_space(&rd, &avail));
	vsp_reader_free(&rd);
}
END_TEST

/*
 * The work a stream costs, counted, not timed: bytes run through the CRC
 * and bytes moved inside the buffer, per byte received.
 */
struct work {
	double		 crc;	/* CRC bytes per byte fed */
	double		 moved;	/* bytes moved per byte fed */
};

static struct work
feed_all(const uint8_t *s, size_t len, size_t chunk)
{
	struct work	 w;
	uint64_t	 crc0 = vsp_crc_bytes;
	size_t		 off = 0, n;

	vsp_reader_init(&rd, VSP_MAX_FRAME);
	while (off < len) {
		n = len - off < chunk ? len - off : chunk;
		feed(s + off, n);
		off += n;
		while (vsp_reader_next(&rd, &msg))
			;
	}
	w.crc = (double)(vsp_crc_bytes - crc0) / (double)len;
	w.moved = (double)rd.moved_bytes / (double)len;
	return w;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A header at p with a valid header CRC, claiming plen payload bytes. */
static void
bait_header(uint8_t *p, uint32_t plen)
{
	memcpy(p, "VRSP", 4);
	p[4] = VSP_VERSION;
	p[5] = VSP_STATE;
	p[6] = p[7] = 0;
	put32(p + 8, plen);
	put32(p + 12, 1);
	memset(p + 16, 0, 8);
	put32(p + 24, 0xdeadbeef);	/* never the payload's CRC */
	put32(p + 28, vsp_crc32(p, 28));
}

#define WORK_LEN	(1024 * 1024)

START_TEST(work_per_byte_is_bounded)
{
	static const size_t chunks[] = { 4096, 1 };
	uint8_t		*s;
	struct work	 w;
	size_t		 i, len;
	int		 c;

	s = malloc(WORK_LEN);
	ck_assert_ptr_nonnull(s);
	for (c = 0; c < 2; c++) {
		/* 1-byte reads are slow under ASan: a quarter of the bytes. */
		len = chunks[c] == 1 ? WORK_LEN / 4 : WORK_LEN;

		/* A run of 'V': each byte could start a magic. */
		memset(s, 'V', len);
		w = feed_all(s, len, chunks[c]);
		ck_assert(w.crc == 0);
		ck_assert(w.moved <= 1.0);
		ck_assert_uint_eq(rd.garbage_bytes, len - 1);
		vsp_reader_free(&rd);

		/* Plain garbage with no 'V' at all. */
		for (i = 0; i < len; i++)
			s[i] = (uint8_t)(i * 7 + 3) % 0x55;
		w = feed_all(s, len, chunks[c]);
		ck_assert(w.crc == 0);
		ck_assert(w.moved <= 1.0);
		vsp_reader_free(&rd);

		/*
		 * The bait: every 32 bytes a header with a valid CRC that
		 * claims 8192 bytes of payload whose CRC is wrong.  Each
		 * used to cost an 8 KiB CRC; now a bait frame is dropped
		 * whole, and each byte is checked about once.
		 */
		for (i = 0; i + VSP_HDR_LEN <= len; i += VSP_HDR_LEN)
			bait_header(s + i, VSP_MAX_PAYLOAD);
		w = feed_all(s, len, chunks[c]);
		ck_assert_msg(w.crc <= 1.1, "bait: %.2f CRC bytes per byte",
		    w.crc);
		ck_assert(w.moved <= 1.0);
		ck_assert_uint_eq(rd.bad_frames, len / VSP_MAX_FRAME);
		vsp_reader_free(&rd);

		/*
		 * Dense magics, each with a length in range, so each costs
		 * a 28-byte header CRC that fails.  Magics are at least 4
		 * bytes apart, so no stream can cost more than 7 per byte.
		 */
		memset(s, 0, len);
		for (i = 0; i + 4 <= len; i += 12)
			memcpy(s + i, "VRSP", 4);
		w = feed_all(s, len, chunks[c]);
		ck_assert_msg(w.crc <= 7.0, "dense: %.2f CRC bytes per byte",
		    w.crc);
		ck_assert(w.crc >= 2.0);	/* the stream is what it says */
		ck_assert(w.moved <= 32.0);
		ck_assert_uint_eq(rd.bad_frames, 0);
		vsp_reader_free(&rd);
	}
	free(s);
}
END_TEST

START_TEST(wbuf_survives_short_writes)
{
	struct vsp_wbuf	 w;
	struct vsp_msg	 m;
	uint8_t		 f[VSP_MAX_FRAME], out[VSP_MAX_FRAME];
	ssize_t		 n, got;
	int		 p[2];

	/* A frame larger than the pipe, so the first write is short. */
	memset(&m, 0, sizeof(m));
	m.hdr.type = VSP_STATE;
	strcpy(m.u.state.router_id, "big");
	m.u.state.ngroups = VSP_MAX_GROUPS;
	for (int i = 0; i < VSP_MAX_GROUPS; i++)
		snprintf(m.u.state.groups[i].name, 8, "g%d", i);
	m.u.state.naddrs = VSP_MAX_ADDRS;
	for (int i = 0; i < VSP_MAX_ADDRS; i++) {
		m.u.state.addrs[i].addr = htonl(0x0a000000u + i);
		m.u.state.addrs[i].plen = 32;
		m.u.state.addrs[i].group = 0xff;
	}
	n = vsp_encode(f, sizeof(f), &m);
	ck_assert_int_gt(n, 4096);

	vsp_wbuf_init(&w, 4 * VSP_MAX_STATE_FRAME);
	ck_assert_ptr_null(w.buf);
	ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
	ck_assert_int_eq(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	ck_assert_int_eq(vsp_wbuf_add_msg(&w, &m), 0);
	ck_assert_uint_ge(w.size, (size_t)n);
	ck_assert_int_eq(vsp_wbuf_started(&w), 0);
	ck_assert_int_eq(vsp_wbuf_flush(&w, p[1]), 0);
	ck_assert_int_eq(vsp_wbuf_pending(&w), 1);
	/* Half a frame is out: the rest must follow, not be dropped. */
	ck_assert_int_eq(vsp_wbuf_started(&w), 1);
	got = read(p[0], out, sizeof(out));
	ck_assert_int_eq(got, 4096);
	ck_assert_int_eq(vsp_wbuf_flush(&w, p[1]), 0);
	ck_assert_int_eq(vsp_wbuf_pending(&w), 0);
	ck_assert_int_eq(vsp_wbuf_started(&w), 0);
	ck_assert_int_eq(read(p[0], out + got, sizeof(out) - got), n - got);
	ck_assert_int_eq(memcmp(out, f, n), 0);
	/* Overflow is refused at the cap, not truncated. */
	ck_assert_int_eq(vsp_wbuf_add(&w, f, n), 0);
	ck_assert_int_eq(vsp_wbuf_add(&w, f, n), 0);
	ck_assert_int_eq(vsp_wbuf_add(&w, f, n), 0);
	ck_assert_int_eq(vsp_wbuf_add(&w, f, n), 0);
	errno = 0;
	ck_assert_int_eq(vsp_wbuf_add(&w, f, 1), -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_uint_eq(w.size, w.cap);
	vsp_wbuf_free(&w);
	ck_assert_ptr_null(w.buf);
	ck_assert_int_eq(vsp_wbuf_pending(&w), 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* The host's queue: a HELLO and an ACK take a small buffer, kept small. */
START_TEST(wbuf_grows_to_need)
{
	struct vsp_wbuf	 w;
	struct vsp_msg	 m;
	int		 p[2];
	uint8_t		 out[2 * VSP_MAX_ACK_FRAME];

	vsp_wbuf_init(&w, 4 * VSP_MAX_FRAME);
	memset(&m, 0, sizeof(m));
	m.hdr.type = VSP_HELLO;
	m.u.hello.min_version = m.u.hello.max_version = 1;
	ck_assert_int_eq(vsp_wbuf_add_msg(&w, &m), 0);
	ck_assert_uint_eq(w.size, 2048);
	memset(&m, 0, sizeof(m));
	m.hdr.type = VSP_ACK;
	m.u.ack.nresults = 10;
	ck_assert_int_eq(vsp_wbuf_add_msg(&w, &m), 0);
	ck_assert_uint_eq(w.size, 2048);
	ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
	ck_assert_int_eq(vsp_wbuf_flush(&w, p[1]), 0);
	ck_assert_int_eq(read(p[0], out, sizeof(out)),
	    VSP_HELLO_FRAME + VSP_HDR_LEN + 16 + 10 * 8);
	/* Flushed bytes are reused, not appended after. */
	m.u.ack.nresults = VSP_MAX_ADDRS;
	ck_assert_int_eq(vsp_wbuf_add_msg(&w, &m), 0);
	ck_assert_uint_eq(w.size, 4096);
	vsp_wbuf_reset(&w);
	ck_assert_int_eq(vsp_wbuf_pending(&w), 0);
	ck_assert_ptr_nonnull(w.buf);
	vsp_wbuf_free(&w);
	ck_assert_ptr_null(w.buf);
	close(p[0]);
	close(p[1]);
}
END_TEST

Suite *
vsp_stream_suite(void)
{
	Suite	*s = suite_create("vsp_stream");
	TCase	*tc = tcase_create("stream");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, garbage_then_torn_header_then_whole);
	tcase_add_test(tc, torn_payload_costs_its_claimed_length);
	tcase_add_test(tc, bad_payload_crc_is_one_bad_frame);
	tcase_add_test(tc, byte_at_a_time);
	tcase_add_test(tc, bad_frame_counted_and_skipped);
	tcase_add_test(tc, unknown_type_is_one_bad_frame_then_next_read);
	tcase_add_test(tc, reader_buffer_grows_to_need_and_is_freed);
	tcase_add_test(tc, reader_max_frame_skips_longer_frames);
	tcase_add_test(tc, work_per_byte_is_bounded);
	tcase_add_test(tc, wbuf_survives_short_writes);
	tcase_add_test(tc, wbuf_grows_to_need);
	suite_add_tcase(s, tc);
	return s;
}
