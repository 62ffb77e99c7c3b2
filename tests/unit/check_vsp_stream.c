/* Unit tests for frame reassembly and resynchronisation. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "vsp_stream.h"

static struct vsp_reader rd;
static struct vsp_msg	 msg;

static size_t
state_frame(uint8_t *buf, uint32_t seq)
{
	struct vsp_msg	 m;
	ssize_t		 n;

	memset(&m, 0, sizeof(m));
	m.hdr.type = VSP_STATE;
	m.hdr.seq = seq;
	m.hdr.epoch = 5;
	strcpy(m.u.state.router_id, "r");
	m.u.state.naddrs = 1;
	m.u.state.addrs[0].addr = htonl(0xcb00710a);
	m.u.state.addrs[0].plen = 32;
	m.u.state.addrs[0].state = VSP_ST_MASTER;
	m.u.state.addrs[0].group = 0xff;
	n = vsp_encode(buf, VSP_MAX_FRAME, &m);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static void
feed(const void *p, size_t len)
{
	size_t	 avail;
	uint8_t	*dst = vsp_reader_space(&rd, &avail);

	ck_assert_uint_ge(avail, len);
	memcpy(dst, p, len);
	vsp_reader_commit(&rd, len);
}

START_TEST(garbage_then_torn_then_whole)
{
	uint8_t	 f1[VSP_MAX_FRAME], f2[VSP_MAX_FRAME];
	size_t	 n1, n2;

	memset(&rd, 0, sizeof(rd));
	n1 = state_frame(f1, 1);
	n2 = state_frame(f2, 2);
	feed("noise VRSP noise", 16);
	feed(f1, n1 / 2);		/* torn: the peer reconnected */
	feed(f2, n2);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	ck_assert_uint_eq(msg.hdr.seq, 2);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 0);
	ck_assert_uint_gt(rd.garbage_bytes, 16);
}
END_TEST

START_TEST(byte_at_a_time)
{
	uint8_t	 f[VSP_MAX_FRAME];
	size_t	 i, n;
	int	 got = 0;

	memset(&rd, 0, sizeof(rd));
	n = state_frame(f, 9);
	for (i = 0; i < n; i++) {
		feed(f + i, 1);
		got += vsp_reader_next(&rd, &msg);
	}
	ck_assert_int_eq(got, 1);
	ck_assert_uint_eq(msg.hdr.seq, 9);
	ck_assert_uint_eq(rd.garbage_bytes, 0);
}
END_TEST

START_TEST(bad_frame_counted_and_skipped)
{
	uint8_t	 f[VSP_MAX_FRAME], g[VSP_MAX_FRAME];
	size_t	 n, m;

	memset(&rd, 0, sizeof(rd));
	n = state_frame(f, 1);
	m = state_frame(g, 2);
	f[5] = 77;	/* unknown type, but checksums now wrong: garbage */
	feed(f, n);
	feed(g, m);
	ck_assert_int_eq(vsp_reader_next(&rd, &msg), 1);
	ck_assert_uint_eq(msg.hdr.seq, 2);
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

	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
	ck_assert_int_eq(fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	ck_assert_int_eq(vsp_wbuf_add_msg(&w, &m), 0);
	ck_assert_int_eq(vsp_wbuf_flush(&w, p[1]), 0);
	ck_assert_int_eq(vsp_wbuf_pending(&w), 1);
	got = read(p[0], out, sizeof(out));
	ck_assert_int_eq(got, 4096);
	ck_assert_int_eq(vsp_wbuf_flush(&w, p[1]), 0);
	ck_assert_int_eq(vsp_wbuf_pending(&w), 0);
	ck_assert_int_eq(read(p[0], out + got, sizeof(out) - got), n - got);
	ck_assert_int_eq(memcmp(out, f, n), 0);
	/* Overflow is refused, not truncated. */
	while (vsp_wbuf_add(&w, f, n) == 0)
		;
	ck_assert_int_eq(errno, ENOBUFS);
	close(p[0]);
	close(p[1]);
}
END_TEST

Suite *
vsp_stream_suite(void)
{
	Suite	*s = suite_create("vsp_stream");
	TCase	*tc = tcase_create("stream");

	tcase_add_test(tc, garbage_then_torn_then_whole);
	tcase_add_test(tc, byte_at_a_time);
	tcase_add_test(tc, bad_frame_counted_and_skipped);
	tcase_add_test(tc, wbuf_survives_short_writes);
	suite_add_tcase(s, tc);
	return s;
}
