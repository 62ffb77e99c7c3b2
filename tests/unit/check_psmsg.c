/*
 * psmsg: the records between hostd's route process and its channel
 * engine.  The route process decodes what a possibly compromised engine
 * sends, so malformed records are tried first.
 */
#include <errno.h>
#include <string.h>

#include "psmsg.h"
#include "suites.h"

static struct psm_msg
a_state(void)
{
	struct psm_msg	 m;

	memset(&m, 0, sizeof(m));
	m.type = PSM_STATE;
	m.u.state.id = 7;
	m.u.state.conn = 3;
	m.u.state.epoch = 1234567890123ULL;
	m.u.state.seq = 42;
	strcpy(m.u.state.router_id, "tenant-r");
	m.u.state.nrefused = 2;
	m.u.state.refused_addr = 0x63007bcb;
	m.u.state.refused_state = VSP_ST_MASTER;
	m.u.state.refused_reason = VSP_WHY_NOT_REGISTERED;
	m.u.state.nclaims = 2;
	m.u.state.claims[0].addr = 0x0a0071cb;
	m.u.state.claims[0].state = VSP_ST_MASTER;
	m.u.state.claims[1].addr = 0x0b0071cb;
	m.u.state.claims[1].state = VSP_ST_BACKUP;
	return m;
}

START_TEST(t_bad_records)
{
	uint8_t		 buf[PSM_MAX];
	struct psm_msg	 m = a_state(), out;
	ssize_t		 len;
	size_t		 i;

	len = psm_encode(buf, sizeof(buf), &m);
	ck_assert_int_gt(len, 0);
	/* Every truncation, and one byte too many. */
	for (i = 0; i < (size_t)len; i++) {
		errno = 0;
		ck_assert_int_eq(psm_decode(buf, i, &out), -1);
		ck_assert_int_eq(errno, EBADMSG);
	}
	buf[len] = 0;
	ck_assert_int_eq(psm_decode(buf, (size_t)len + 1, &out), -1);
	/* Unknown type. */
	buf[0] = 99;
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), -1);
	/* Too many claims. */
	m.u.state.nclaims = REG_MAX_ADDRS + 1;
	ck_assert_int_eq(psm_encode(buf, sizeof(buf), &m), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(t_bad_fields)
{
	uint8_t		 buf[PSM_MAX];
	struct psm_msg	 m = a_state(), out;
	ssize_t		 len;
	size_t		 off;

	/* A claim with a state out of range. */
	m.u.state.claims[1].state = VSP_ST_MAX;
	len = psm_encode(buf, sizeof(buf), &m);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), -1);

	/* A router id without its NUL. */
	m = a_state();
	len = psm_encode(buf, sizeof(buf), &m);
	off = 1 + 4 + 4 + 8 + 4;	/* type, id, conn, epoch, seq */
	memset(buf + off, 'x', VSP_NAME_LEN + 1);
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), -1);

	/* A result that is not a result. */
	memset(&m, 0, sizeof(m));
	m.type = PSM_RESULT;
	m.u.result.nresults = 1;
	m.u.result.results[0].result = VSP_RES_MAX;
	len = psm_encode(buf, sizeof(buf), &m);
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), -1);

	/* A read budget below one header. */
	memset(&m, 0, sizeof(m));
	m.type = PSM_CONFIG;
	m.u.config.read_budget = 8;
	len = psm_encode(buf, sizeof(buf), &m);
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), -1);
}
END_TEST

START_TEST(t_round_trip)
{
	uint8_t		 buf[PSM_MAX];
	struct psm_msg	 m, out;
	ssize_t		 len;
	size_t		 i;

	m = a_state();
	len = psm_encode(buf, sizeof(buf), &m);
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), 0);
	ck_assert_mem_eq(&out.u.state.claims, &m.u.state.claims,
	    sizeof(m.u.state.claims));
	ck_assert_str_eq(out.u.state.router_id, "tenant-r");
	ck_assert_uint_eq(out.u.state.epoch, m.u.state.epoch);
	ck_assert_uint_eq(out.u.state.nrefused, 2);

	memset(&m, 0, sizeof(m));
	m.type = PSM_ATTACH;
	m.u.attach.id = 1;
	m.u.attach.conn = 9;
	strcpy(m.u.attach.name, "r1");
	m.u.attach.naddrs = REG_MAX_ADDRS;
	for (i = 0; i < REG_MAX_ADDRS; i++)
		m.u.attach.addrs[i] = (uint32_t)i;
	len = psm_encode(buf, sizeof(buf), &m);
	ck_assert_int_gt(len, 0);
	ck_assert_int_le(len, PSM_MAX);
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), 0);
	ck_assert_uint_eq(out.u.attach.naddrs, REG_MAX_ADDRS);
	ck_assert_uint_eq(out.u.attach.addrs[63], 63);

	memset(&m, 0, sizeof(m));
	m.type = PSM_STATS;
	m.u.stats.garbage_bytes = 1ULL << 40;
	len = psm_encode(buf, sizeof(buf), &m);
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), 0);
	ck_assert_uint_eq(out.u.stats.garbage_bytes, 1ULL << 40);
	ck_assert_str_eq(psm_type_name(PSM_STATS), "STATS");
}
END_TEST

/* YIELD: the route process asks the engine to send one; request 0 is not. */
START_TEST(t_yield)
{
	uint8_t		 buf[PSM_MAX];
	struct psm_msg	 m, out;
	ssize_t		 len;
	size_t		 i;

	memset(&m, 0, sizeof(m));
	m.type = PSM_YIELD;
	m.u.yield.id = 4;
	m.u.yield.conn = 11;
	m.u.yield.request = 0;
	errno = 0;
	ck_assert_int_eq(psm_encode(buf, sizeof(buf), &m), -1);
	ck_assert_int_eq(errno, EINVAL);
	m.u.yield.request = 0xffffffff;
	len = psm_encode(buf, sizeof(buf), &m);
	ck_assert_int_eq(len, 1 + 3 * 4);
	/* Every truncation, and one byte too many. */
	for (i = 0; i < (size_t)len; i++)
		ck_assert_int_eq(psm_decode(buf, i, &out), -1);
	buf[len] = 0;
	ck_assert_int_eq(psm_decode(buf, (size_t)len + 1, &out), -1);
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), 0);
	ck_assert_uint_eq(out.u.yield.id, 4);
	ck_assert_uint_eq(out.u.yield.conn, 11);
	ck_assert_uint_eq(out.u.yield.request, 0xffffffff);
	ck_assert_str_eq(psm_type_name(PSM_YIELD), "YIELD");
	/* Request 0 on the way in. */
	memset(buf + 9, 0, 4);
	errno = 0;
	ck_assert_int_eq(psm_decode(buf, (size_t)len, &out), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

Suite *
psmsg_suite(void)
{
	Suite	*s = suite_create("psmsg");
	TCase	*tc = tcase_create("psmsg");

	tcase_add_test(tc, t_bad_records);
	tcase_add_test(tc, t_bad_fields);
	tcase_add_test(tc, t_round_trip);
	tcase_add_test(tc, t_yield);
	suite_add_tcase(s, tc);
	return s;
}
