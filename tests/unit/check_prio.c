/*
 * Unit tests for the priority by role (daemon/prio.c): what keepalived
 * then compares must keep a running master in place, let a yielding one
 * be preempted, and stay within what keepalived accepts.
 */
#include "suites.h"
#include "vrouterd.h"

/* keepalived: base + bonus, kept within 1..254; below -253 is FAULT. */
static int
effective(int base, int preempt, enum prio_role role)
{
	int	 bonus = prio_bonus(base, preempt, role), p = base + bonus;

	ck_assert_int_ge(bonus, -253);
	ck_assert_int_le(bonus, 253);
	if (p < 1)
		p = 1;
	if (p > 254)
		p = 254;
	return p;
}

START_TEST(test_effective_is_target)
{
	int	 base, preempt, role;

	for (base = 1; base <= 254; base++)
		for (preempt = 0; preempt <= 1; preempt++)
			for (role = PRIO_NEUTRAL; role <= PRIO_YIELD; role++) {
				int t = prio_target(base, preempt,
				    (enum prio_role)role);

				ck_assert_int_ge(t, 1);
				ck_assert_int_le(t, 254);
				ck_assert_int_eq(effective(base, preempt,
				    (enum prio_role)role), t);
			}
}
END_TEST

/* vrrp.preempt false: any master outranks any node that is not. */
START_TEST(test_master_outranks_returning_node)
{
	int	 m, r;

	for (m = 1; m <= 254; m++)
		for (r = 1; r <= 254; r++) {
			ck_assert_int_gt(prio_target(m, 0, PRIO_FRESH),
			    prio_target(r, 0, PRIO_NEUTRAL));
			ck_assert_int_gt(prio_target(m, 0, PRIO_HOLD),
			    prio_target(r, 0, PRIO_NEUTRAL));
			/* a settled master beats one that just came up */
			ck_assert_int_gt(prio_target(m, 0, PRIO_HOLD),
			    prio_target(r, 0, PRIO_FRESH));
		}
}
END_TEST

/* Within a band the configured priority still orders the nodes. */
START_TEST(test_bands_keep_the_order)
{
	int	 a, role;

	for (role = PRIO_NEUTRAL; role <= PRIO_HOLD; role++)
		for (a = 2; a <= 254; a++)
			ck_assert_int_ge(prio_target(a, 0,
			    (enum prio_role)role), prio_target(a - 1, 0,
			    (enum prio_role)role));
	/* the lab's pair, and a few apart */
	ck_assert_int_gt(prio_target(150, 0, PRIO_NEUTRAL),
	    prio_target(100, 0, PRIO_NEUTRAL));
	ck_assert_int_gt(prio_target(150, 0, PRIO_HOLD),
	    prio_target(100, 0, PRIO_HOLD));
	ck_assert_int_gt(prio_target(104, 0, PRIO_NEUTRAL),
	    prio_target(100, 0, PRIO_NEUTRAL));
}
END_TEST

/*
 * A yielding master is below any candidate, so the peer preempts it;
 * with preempt the configured priority alone decides, as plain VRRP.
 */
START_TEST(test_yield_and_preempt)
{
	int	 b;

	for (b = 1; b <= 254; b++) {
		ck_assert_int_eq(prio_target(b, 0, PRIO_YIELD), 1);
		ck_assert_int_eq(prio_target(b, 1, PRIO_YIELD), 1);
		ck_assert_int_eq(prio_target(b, 1, PRIO_NEUTRAL), b);
		ck_assert_int_eq(prio_target(b, 1, PRIO_HOLD), b);
		ck_assert_int_eq(prio_bonus(b, 1, PRIO_FRESH), 0);
	}
	/* a candidate keeps its priority, up to 168: priority 1 ties only 1 */
	ck_assert_int_eq(prio_target(100, 0, PRIO_NEUTRAL), 100);
	ck_assert_int_eq(prio_target(168, 0, PRIO_NEUTRAL), 168);
	ck_assert_int_eq(prio_target(254, 0, PRIO_NEUTRAL), 168);
	ck_assert_int_gt(prio_target(2, 0, PRIO_NEUTRAL), 1);
	ck_assert_int_gt(prio_target(2, 1, PRIO_NEUTRAL), 1);
}
END_TEST

START_TEST(test_times)
{
	struct prio_times	 t;
	unsigned int		 a;

	for (a = 10; a <= 1000; a += 10) {
		prio_times(a, &t);
		/* the peer's master-down interval: 3 adverts and a skew */
		ck_assert_uint_gt(t.bound_ms, 4 * a);
		ck_assert_uint_gt(t.drain_ms, 0);
		/* the yield lasts until the new master is settled */
		ck_assert_uint_ge(t.linger_ms, t.drain_ms);
		ck_assert_uint_gt(t.settle_ms, 4 * a);
	}
	prio_times(20, &t);
	ck_assert_uint_eq(t.bound_ms, 1200);
	ck_assert_uint_eq(t.drain_ms, 500);
}
END_TEST

/* The drain: at least drain_ms, then until quiet, at most drain_max_ms. */
START_TEST(test_drain_done)
{
	struct prio_times	 t;

	prio_times(20, &t);
	ck_assert_uint_ge(t.drain_max_ms, t.drain_ms);
	ck_assert(!prio_drain_done(&t, 0, 0));
	/* quiet from the start: still the minimum */
	ck_assert(!prio_drain_done(&t, t.drain_ms - 1, t.drain_ms - 1));
	ck_assert(prio_drain_done(&t, t.drain_ms, t.drain_ms));
	/* traffic still arriving: go on */
	ck_assert(!prio_drain_done(&t, t.drain_ms + 100, 0));
	ck_assert(!prio_drain_done(&t, t.drain_max_ms - 1,
	    t.drain_quiet_ms - 1));
	ck_assert(prio_drain_done(&t, t.drain_ms + 1000, t.drain_quiet_ms));
	/* whatever arrives, the bound */
	ck_assert(prio_drain_done(&t, t.drain_max_ms, 0));
}
END_TEST

/*
 * Re-assertion: at most once per max(3 adverts, 100 ms), whatever the
 * burst of lower-priority adverts keepalived reports.
 */
START_TEST(test_reassert_limit)
{
	struct prio_times	 t;
	uint64_t		 last = 0, now;
	int			 i, n = 0;

	prio_times(20, &t);
	ck_assert_uint_eq(t.reassert_ms, 100);
	prio_times(50, &t);
	ck_assert_uint_eq(t.reassert_ms, 150);
	prio_times(1000, &t);
	ck_assert_uint_eq(t.reassert_ms, 3000);

	/* 180 reports within 1 ms: one re-assertion. */
	prio_times(50, &t);
	for (now = 5000000; now < 5000001; now++)
		for (i = 0; i < 180; i++)
			n += prio_reassert_due(&t, &last, now);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(last, 5000000);
	/* Not before the interval, then once more. */
	ck_assert_int_eq(prio_reassert_due(&t, &last, 5000149), 0);
	ck_assert_uint_eq(last, 5000000);
	ck_assert_int_eq(prio_reassert_due(&t, &last, 5000150), 1);
	ck_assert_uint_eq(last, 5000150);
	/* A report every ms for 3 s: once per 150 ms. */
	for (n = 0, now = 6000000; now < 6003000; now++)
		n += prio_reassert_due(&t, &last, now);
	ck_assert_int_eq(n, 20);
	/* A clock that went back does not silence it. */
	ck_assert_int_eq(prio_reassert_due(&t, &last, 1000), 1);
	ck_assert_uint_eq(last, 1000);
}
END_TEST

Suite *
prio_suite(void)
{
	Suite	*s = suite_create("prio");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_effective_is_target);
	tcase_add_test(tc, test_master_outranks_returning_node);
	tcase_add_test(tc, test_bands_keep_the_order);
	tcase_add_test(tc, test_yield_and_preempt);
	tcase_add_test(tc, test_times);
	tcase_add_test(tc, test_drain_done);
	tcase_add_test(tc, test_reassert_limit);
	suite_add_tcase(s, tc);
	return s;
}
