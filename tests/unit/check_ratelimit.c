/* The per-VM limits of vrouter-hostd: token buckets and log limiting. */
#include "logrl.h"
#include "suites.h"
#include "tbucket.h"

START_TEST(t_tbucket)
{
	struct tbucket	 tb;
	int		 i, n = 0;

	tb_init(&tb, 20, 10, 1000);
	/* The burst, then nothing until time passes. */
	for (i = 0; i < 100; i++)
		n += tb_take(&tb, 1000);
	ck_assert_int_eq(n, 10);
	ck_assert_uint_eq(tb_wait_ms(&tb, 1000), 50);
	ck_assert_int_eq(tb_take(&tb, 1049), 0);
	ck_assert_int_eq(tb_take(&tb, 1050), 1);
	/* One second: 20 tokens, but never more than the burst. */
	for (n = 0, i = 0; i < 100; i++)
		n += tb_take(&tb, 2050);
	ck_assert_int_eq(n, 10);
	for (n = 0, i = 0; i < 100; i++)
		n += tb_take(&tb, 100000);
	ck_assert_int_eq(n, 10);
	/* Time going back takes nothing and gives nothing. */
	ck_assert_int_eq(tb_take(&tb, 50), 0);
}
END_TEST

START_TEST(t_tbucket_slow)
{
	struct tbucket	 tb;

	tb_init(&tb, 1, 1, 0);
	ck_assert_int_eq(tb_take(&tb, 0), 1);
	ck_assert_uint_eq(tb_wait_ms(&tb, 0), 1000);
	ck_assert_int_eq(tb_take(&tb, 999), 0);
	ck_assert_int_eq(tb_take(&tb, 1000), 1);
}
END_TEST

START_TEST(t_logrl)
{
	struct logrl	 rl = { 0, 0, 0 };
	int		 i, n = 0;

	for (i = 0; i < 10000; i++)
		n += logrl_allow(&rl, 5);
	ck_assert_int_eq(n, LOGRL_LINES);
	/* No summary while the interval lasts. */
	ck_assert_uint_eq(logrl_flush(&rl, LOGRL_INTERVAL_MS - 1), 0);
	ck_assert_uint_eq(logrl_flush(&rl, LOGRL_INTERVAL_MS),
	    10000 - LOGRL_LINES);
	/* A new interval lets lines through again. */
	ck_assert_int_eq(logrl_allow(&rl, LOGRL_INTERVAL_MS + 1), 1);
	ck_assert_uint_eq(logrl_flush(&rl, 3 * LOGRL_INTERVAL_MS), 0);
}
END_TEST

Suite *
ratelimit_suite(void)
{
	Suite	*s = suite_create("ratelimit");
	TCase	*tc = tcase_create("ratelimit");

	tcase_add_test(tc, t_tbucket);
	tcase_add_test(tc, t_tbucket_slow);
	tcase_add_test(tc, t_logrl);
	suite_add_tcase(s, tc);
	return s;
}
