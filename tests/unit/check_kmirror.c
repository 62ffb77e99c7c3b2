/* kmirror: vrouter-hostd's view of the kernel's routes. */
#include <linux/rtnetlink.h>
#include <string.h>

#include "kmirror.h"
#include "suites.h"

static struct kr_route
rt(uint32_t addr, uint32_t table, uint8_t proto, unsigned int ifindex)
{
	struct kr_route	 r;

	memset(&r, 0, sizeof(r));
	r.addr = addr;
	r.plen = 32;
	r.type = RTN_UNICAST;
	r.table = table;
	r.protocol = proto;
	r.ifindex = ifindex;
	return r;
}

START_TEST(t_ignored)
{
	struct kmirror	*km = km_new();
	struct km_route	 old;
	struct kr_route	 r = rt(1, 254, 241, 3);

	ck_assert_ptr_nonnull(km);
	r.plen = 24;
	ck_assert_int_eq(km_update(km, RTM_NEWROUTE, &r, &old), 0);
	r = rt(1, 254, 241, 3);
	r.priority = 100;	/* another metric: not our key */
	ck_assert_int_eq(km_update(km, RTM_NEWROUTE, &r, &old), 0);
	r = rt(1, 255, 2, 3);
	r.type = RTN_LOCAL;
	ck_assert_int_eq(km_update(km, RTM_NEWROUTE, &r, &old), 0);
	ck_assert_ptr_null(km_get(km, 1, 254));
	km_free(km);
}
END_TEST

START_TEST(t_changes)
{
	struct kmirror	*km = km_new();
	struct km_route	 old, *e;
	struct kr_route	 r = rt(7, 254, 241, 3);

	ck_assert_int_eq(km_update(km, RTM_NEWROUTE, &r, &old), 1);
	ck_assert_uint_eq(old.protocol, 0);
	e = km_get(km, 7, 254);
	ck_assert_ptr_nonnull(e);
	e->confirmed = 1;
	/* The same again changes nothing, and keeps the confirmation. */
	ck_assert_int_eq(km_update(km, RTM_NEWROUTE, &r, &old), 0);
	ck_assert_int_eq(km_get(km, 7, 254)->confirmed, 1);
	/* An operator replaces it: the old owner is reported. */
	r.protocol = RTPROT_STATIC;
	ck_assert_int_eq(km_update(km, RTM_NEWROUTE, &r, &old), 1);
	ck_assert_uint_eq(old.protocol, 241);
	ck_assert_int_eq(km_get(km, 7, 254)->confirmed, 0);
	/* A stale delete (of ours, already replaced) changes nothing. */
	r.protocol = 241;
	ck_assert_int_eq(km_update(km, RTM_DELROUTE, &r, &old), 0);
	ck_assert_ptr_nonnull(km_get(km, 7, 254));
	r.protocol = RTPROT_STATIC;
	ck_assert_int_eq(km_update(km, RTM_DELROUTE, &r, &old), 1);
	ck_assert_ptr_null(km_get(km, 7, 254));
	km_free(km);
}
END_TEST

START_TEST(t_many)
{
	struct kmirror	*km = km_new();
	struct km_route	 old;
	struct kr_route	 r;
	uint32_t	 i;

	for (i = 1; i <= 100000; i++) {
		r = rt(i, i % 3 == 0 ? 100 : 254, i % 2 ? 241 : 4, i % 7);
		ck_assert_int_eq(km_update(km, RTM_NEWROUTE, &r, &old), 1);
	}
	ck_assert_uint_eq(km_count(km, 241), 50000);
	for (i = 1; i <= 100000; i++)
		ck_assert_ptr_nonnull(km_get(km, i, i % 3 == 0 ? 100 : 254));
	ck_assert_ptr_null(km_get(km, 5, 100));
	km_clear(km);
	ck_assert_uint_eq(km_count(km, 241), 0);
	km_free(km);
}
END_TEST

Suite *
kmirror_suite(void)
{
	Suite	*s = suite_create("kmirror");
	TCase	*tc = tcase_create("kmirror");

	tcase_add_test(tc, t_ignored);
	tcase_add_test(tc, t_changes);
	tcase_add_test(tc, t_many);
	suite_add_tcase(s, tc);
	return s;
}
