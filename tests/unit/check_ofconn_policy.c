/*
 * Who may be the switch (openflow/ofconn_policy.c): a candidate's
 * handshake messages, bad ones first, then the takeover rule.
 */
#include <string.h>

#include "ofconn_policy.h"
#include "ofp.h"
#include "suites.h"

/* A 1.3 HELLO with a version bitmap, in buf; its length. */
static size_t
hello(uint8_t *buf, size_t size, uint8_t version, uint32_t bitmap)
{
	struct ofp_hello	 h = { version, bitmap };
	ssize_t			 n = ofp_encode_hello(buf, size, 1, &h);

	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

static size_t
features(uint8_t *buf, size_t size, uint64_t dpid)
{
	struct ofp_features	 f;
	ssize_t			 n;

	memset(&f, 0, sizeof(f));
	f.datapath_id = dpid;
	f.n_tables = 254;
	n = ofp_encode_features_reply(buf, size, 2, &f);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

START_TEST(t_bad_first)
{
	uint8_t		 buf[256];
	uint64_t	 dpid = 7;
	size_t		 n;

	/* Garbage: a header whose length is not the message's. */
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_HELLO, buf, 16,
	    &dpid), OFCONN_ACT_BAD);
	/* Too short to be a header at all. */
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_HELLO, buf, 4,
	    &dpid), OFCONN_ACT_BAD);
	/* A 1.0 HELLO with no bitmap: no common version. */
	n = hello(buf, sizeof(buf), 0x01, 0);
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_HELLO, buf, n,
	    &dpid), OFCONN_ACT_BAD);
	/* A bitmap without 1.3 (1.0 and 1.4 only). */
	n = hello(buf, sizeof(buf), 0x05, (1u << 1) | (1u << 5));
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_HELLO, buf, n,
	    &dpid), OFCONN_ACT_BAD);
	/* Anything but a HELLO first, even a good FEATURES_REPLY. */
	n = features(buf, sizeof(buf), 42);
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_HELLO, buf, n,
	    &dpid), OFCONN_ACT_BAD);
	ck_assert_uint_eq(dpid, 7);
}
END_TEST

START_TEST(t_bad_later)
{
	uint8_t		 buf[256];
	uint64_t	 dpid = 7;
	size_t		 n;

	/* A FEATURES_REPLY in another version, or cut short. */
	n = features(buf, sizeof(buf), 42);
	buf[0] = 0x05;
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_FEATURES, buf, n,
	    &dpid), OFCONN_ACT_BAD);
	n = features(buf, sizeof(buf), 42);
	buf[3] = 16;
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_FEATURES, buf, 16,
	    &dpid), OFCONN_ACT_BAD);
	/* An ERROR (e.g. HELLO_FAILED) and a second HELLO. */
	memset(buf, 0, 12);
	buf[0] = OFP_VERSION;
	buf[1] = OFPT_ERROR;
	buf[3] = 12;
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_FEATURES, buf, 12,
	    &dpid), OFCONN_ACT_BAD);
	n = hello(buf, sizeof(buf), OFP_VERSION, OFP_HELLO_BITMAP_13);
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_FEATURES, buf, n,
	    &dpid), OFCONN_ACT_BAD);
	ck_assert_uint_eq(dpid, 7);
}
END_TEST

START_TEST(t_handshake)
{
	uint8_t		 buf[256];
	uint64_t	 dpid = 0;
	size_t		 n;

	n = hello(buf, sizeof(buf), OFP_VERSION, OFP_HELLO_BITMAP_13);
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_HELLO, buf, n,
	    &dpid), OFCONN_ACT_HELLO);
	/* A newer switch offering 1.3 among others. */
	n = hello(buf, sizeof(buf), 0x06, (1u << 4) | (1u << 6));
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_HELLO, buf, n,
	    &dpid), OFCONN_ACT_HELLO);
	/* Echo is answered, asynchronous messages are dropped. */
	memset(buf, 0, 8);
	buf[0] = OFP_VERSION;
	buf[1] = OFPT_ECHO_REQUEST;
	buf[3] = 8;
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_FEATURES, buf, 8,
	    &dpid), OFCONN_ACT_ECHO);
	buf[1] = OFPT_PORT_STATUS;
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_FEATURES, buf, 8,
	    &dpid), OFCONN_ACT_IGNORE);
	n = features(buf, sizeof(buf), 0x0000aabbccddeeffull);
	ck_assert_int_eq(ofconn_cand_input(OFCONN_CAND_FEATURES, buf, n,
	    &dpid), OFCONN_ACT_FEATURES);
	ck_assert_uint_eq(dpid, 0x0000aabbccddeeffull);
}
END_TEST

START_TEST(t_decide)
{
	struct ofconn_live	 live = { 0, 0, 0 };
	uint64_t		 t = 1000000;

	/* No switch: any datapath takes the role. */
	ck_assert_int_eq(ofconn_decide(&live, 5, t), OFCONN_TAKE);
	live.present = 1;
	live.dpid = 5;
	live.last_rx_ms = t;
	/* A healthy switch keeps it against its own datapath ... */
	ck_assert_int_eq(ofconn_decide(&live, 5, t), OFCONN_REFUSE_HEALTHY);
	ck_assert_int_eq(ofconn_decide(&live, 5, t + OFCONN_STALE_MS - 1),
	    OFCONN_REFUSE_HEALTHY);
	/* ... until it has been quiet for the stale bound. */
	ck_assert_int_eq(ofconn_decide(&live, 5, t + OFCONN_STALE_MS),
	    OFCONN_REPLACE);
	/* Another datapath never displaces a live one, stale or not. */
	ck_assert_int_eq(ofconn_decide(&live, 6, t), OFCONN_REFUSE_OTHER_DP);
	ck_assert_int_eq(ofconn_decide(&live, 6, t + OFCONN_DEAD_MS),
	    OFCONN_REFUSE_OTHER_DP);
	/* A clock reading before the last message is not staleness. */
	ck_assert_int_eq(ofconn_decide(&live, 5, t - 1),
	    OFCONN_REFUSE_HEALTHY);
	/* The bounds are ordered: probe, then stale, then dead. */
	ck_assert_int_lt(OFCONN_ECHO_IDLE_MS, OFCONN_STALE_MS);
	ck_assert_int_lt(OFCONN_STALE_MS, OFCONN_DEAD_MS);
}
END_TEST

START_TEST(t_names)
{
	int	 i;

	for (i = 0; i < OFCONN_REF_MAX; i++)
		ck_assert_str_ne(ofconn_refusal_name(i), "unknown");
	ck_assert_str_eq(ofconn_refusal_name(OFCONN_REF_BAD_HELLO),
	    "bad_hello");
	ck_assert_str_eq(ofconn_refusal_name(OFCONN_REF_MAX), "unknown");
}
END_TEST

Suite *
ofconn_policy_suite(void)
{
	Suite	*s = suite_create("ofconn_policy");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, t_bad_first);
	tcase_add_test(tc, t_bad_later);
	tcase_add_test(tc, t_handshake);
	tcase_add_test(tc, t_decide);
	tcase_add_test(tc, t_names);
	suite_add_tcase(s, tc);
	return s;
}
