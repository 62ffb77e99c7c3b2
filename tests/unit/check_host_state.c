/* Unit tests for the STATE vrouterd sends its host (daemon/host_state.c). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "suites.h"
#include "vrouterd.h"

static struct vrouterd	 vd;

/* n instances, then the sync group (keepalived's FIFO order). */
static void
router(int n)
{
	int	 i;

	memset(&vd, 0, sizeof(vd));
	snprintf(vd.conf.router_id, sizeof(vd.conf.router_id), "t");
	inet_pton(AF_INET, "203.0.113.10", &vd.conf.vip);
	for (i = 0; i < n; i++) {
		snprintf(vd.vrrp[i].name, sizeof(vd.vrrp[i].name), "VI_%d", i);
		vd.vrrp[i].kind = FIFO_INSTANCE;
		vd.vrrp[i].state = VSP_ST_MASTER;
		vd.vrrp[i].priority = 150;
	}
	snprintf(vd.vrrp[n].name, sizeof(vd.vrrp[n].name), "t");
	vd.vrrp[n].kind = FIFO_GROUP;
	vd.vrrp[n].state = VSP_ST_MASTER;
	vd.nvrrp = n + 1;
}

/* A small router: the group first, every instance after it. */
START_TEST(small_router_whole)
{
	struct vsp_state_msg	 m;

	router(3);
	host_state(&vd, VSP_ST_MASTER, &m);
	ck_assert_uint_eq(m.ngroups, 4);
	ck_assert_str_eq(m.groups[0].name, "t");
	ck_assert_uint_eq(m.groups[0].kind, VSP_KIND_GROUP);
	ck_assert_str_eq(m.groups[1].name, "VI_0");
	ck_assert_str_eq(m.groups[3].name, "VI_2");
	ck_assert_uint_eq(m.groups[3].kind, VSP_KIND_INSTANCE);
	ck_assert_uint_eq(m.naddrs, 1);
	ck_assert_uint_eq(m.addrs[0].group, 0);
	ck_assert_uint_eq(m.addrs[0].state, VSP_ST_MASTER);
	ck_assert_str_eq(m.router_id, "t");
}
END_TEST

/*
 * At the cap (64 networks, public, sync path: 66 instances) the STATE
 * still names the group, and holds as many instances as fit.
 */
START_TEST(at_the_cap_the_group_stays)
{
	struct vsp_state_msg	 m;

	ck_assert_int_ge(MAX_VRRP, CONF_MAX_NETWORKS + 3);
	router(CONF_MAX_NETWORKS + 2);
	ck_assert_int_gt(vd.nvrrp, VSP_MAX_GROUPS);
	host_state(&vd, VSP_ST_BACKUP, &m);
	ck_assert_uint_eq(m.ngroups, VSP_MAX_GROUPS);
	ck_assert_uint_eq(m.groups[0].kind, VSP_KIND_GROUP);
	ck_assert_str_eq(m.groups[0].name, "t");
	ck_assert_str_eq(m.groups[VSP_MAX_GROUPS - 1].name, "VI_62");
	ck_assert_uint_eq(m.addrs[0].group, 0);
	ck_assert_uint_eq(m.addrs[0].state, VSP_ST_BACKUP);
}
END_TEST

/* Before keepalived has said anything: no group, the VIP names none. */
START_TEST(no_group_yet)
{
	struct vsp_state_msg	 m;

	memset(&vd, 0, sizeof(vd));
	host_state(&vd, VSP_ST_INIT, &m);
	ck_assert_uint_eq(m.ngroups, 0);
	ck_assert_uint_eq(m.addrs[0].group, 0xff);
}
END_TEST

Suite *
host_state_suite(void)
{
	Suite	*s = suite_create("host_state");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, small_router_whole);
	tcase_add_test(tc, at_the_cap_the_group_stays);
	tcase_add_test(tc, no_group_yet);
	suite_add_tcase(s, tc);
	return s;
}
