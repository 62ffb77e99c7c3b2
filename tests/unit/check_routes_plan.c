/*
 * routes_plan(): the trust boundary of vrouter-hostd, table-driven.  Each
 * case is a registration, what the kernel holds, and a guest's claims;
 * the expected route operations and per-address results follow.
 */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <string.h>

#include "routes_plan.h"
#include "suites.h"

#define OURS	241
#define TAP	7
#define OTHER	9	/* the pair's other VM on this host */
#define A1	"203.0.113.10"
#define A2	"203.0.113.11"
#define BAD	"203.0.113.99"

static uint32_t
ip(const char *s)
{
	struct in_addr	 a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

/* The kernel of a case: up to four routes. */
struct kroute_fix {
	const char	*addr;
	uint32_t	 table;
	uint8_t		 proto;
	unsigned int	 ifindex;
};

struct kernel {
	struct kroute_fix r[4];
};

static void
lookup(void *arg, uint32_t addr, uint32_t table, struct plan_route *out)
{
	const struct kernel	*k = arg;
	size_t			 i;

	for (i = 0; i < 4 && k->r[i].addr != NULL; i++)
		if (ip(k->r[i].addr) == addr && k->r[i].table == table) {
			out->present = 1;
			out->protocol = k->r[i].proto;
			out->ifindex = k->r[i].ifindex;
		}
}

struct want_op {
	int		 cmd;
	const char	*addr;
	uint32_t	 table;
	unsigned int	 ifindex;
};

static const struct plan_case {
	const char	*name;
	unsigned int	 ifindex;
	size_t		 ntables;	/* 1: main; 2: main and 100 */
	struct kernel	 kernel;
	struct {
		const char	*addr;
		uint8_t		 state;
	}		 claims[3];
	struct want_op	 ops[4];
	uint8_t		 result[2];	/* A1, A2 */
	uint8_t		 reason[2];
	size_t		 violations;
} cases[] = {
	{ "master, nothing there: create in every table", TAP, 2, {{{0}}},
	  {{ A1, VSP_ST_MASTER }},
	  {{ KR_CREATE, A1, 254, TAP }, { KR_CREATE, A1, 100, TAP }},
	  { VSP_RES_INSTALLED, VSP_RES_WITHDRAWN }, { 0, 0 }, 0 },
	{ "master, already ours on the tap: nothing to do", TAP, 1,
	  {{{ A1, 254, OURS, TAP }}}, {{ A1, VSP_ST_MASTER }}, {{0}},
	  { VSP_RES_INSTALLED, VSP_RES_WITHDRAWN }, { 0, 0 }, 0 },
	{ "master, ours on the other VM's tap: replace (a move)", TAP, 1,
	  {{{ A1, 254, OURS, OTHER }}}, {{ A1, VSP_ST_MASTER }},
	  {{ KR_REPLACE, A1, 254, TAP }},
	  { VSP_RES_INSTALLED, VSP_RES_WITHDRAWN }, { 0, 0 }, 0 },
	{ "master, an operator's route: never replaced", TAP, 1,
	  {{{ A1, 254, RTPROT_STATIC, 3 }}}, {{ A1, VSP_ST_MASTER }}, {{0}},
	  { VSP_RES_FAILED, VSP_RES_WITHDRAWN },
	  { VSP_WHY_FOREIGN_ROUTE, 0 }, 0 },
	{ "master, foreign in one table: ours leaves the other (all or "
	  "nothing)", TAP, 2,
	  {{{ A1, 254, OURS, TAP }, { A1, 100, RTPROT_BOOT, 3 }}},
	  {{ A1, VSP_ST_MASTER }}, {{ KR_DELETE, A1, 254, TAP }},
	  { VSP_RES_FAILED, VSP_RES_WITHDRAWN },
	  { VSP_WHY_FOREIGN_ROUTE, 0 }, 0 },
	{ "master, tap missing", 0, 1, {{{0}}}, {{ A1, VSP_ST_MASTER }},
	  {{0}}, { VSP_RES_FAILED, VSP_RES_WITHDRAWN },
	  { VSP_WHY_NO_TAP, 0 }, 0 },
	{ "backup: ours on the tap goes", TAP, 2,
	  {{{ A1, 254, OURS, TAP }, { A1, 100, OURS, TAP }}},
	  {{ A1, VSP_ST_BACKUP }},
	  {{ KR_DELETE, A1, 254, TAP }, { KR_DELETE, A1, 100, TAP }},
	  { VSP_RES_WITHDRAWN, VSP_RES_WITHDRAWN }, { 0, 0 }, 0 },
	{ "backup: the other VM's route stays", TAP, 1,
	  {{{ A1, 254, OURS, OTHER }}}, {{ A1, VSP_ST_BACKUP }}, {{0}},
	  { VSP_RES_WITHDRAWN, VSP_RES_WITHDRAWN }, { 0, 0 }, 0 },
	{ "backup: an operator's route is never deleted", TAP, 1,
	  {{{ A1, 254, RTPROT_STATIC, TAP }}}, {{ A1, VSP_ST_FAULT }},
	  {{0}}, { VSP_RES_WITHDRAWN, VSP_RES_WITHDRAWN }, { 0, 0 }, 0 },
	{ "left out of the state: withdrawn (full state)", TAP, 1,
	  {{{ A2, 254, OURS, TAP }}}, {{ A1, VSP_ST_MASTER }},
	  {{ KR_CREATE, A1, 254, TAP }, { KR_DELETE, A2, 254, TAP }},
	  { VSP_RES_INSTALLED, VSP_RES_WITHDRAWN }, { 0, 0 }, 0 },
	{ "an unregistered claim is a violation and changes nothing", TAP, 1,
	  {{{0}}}, {{ BAD, VSP_ST_MASTER }}, {{0}},
	  { VSP_RES_WITHDRAWN, VSP_RES_WITHDRAWN }, { 0, 0 }, 1 },
	{ "the same address twice: the last claim counts", TAP, 1, {{{0}}},
	  {{ A1, VSP_ST_MASTER }, { A1, VSP_ST_BACKUP }}, {{0}},
	  { VSP_RES_WITHDRAWN, VSP_RES_WITHDRAWN }, { 0, 0 }, 0 },
	{ "two addresses, one master", TAP, 1, {{{0}}},
	  {{ A1, VSP_ST_BACKUP }, { A2, VSP_ST_MASTER }},
	  {{ KR_CREATE, A2, 254, TAP }},
	  { VSP_RES_WITHDRAWN, VSP_RES_INSTALLED }, { 0, 0 }, 0 },
};

static void
make_reg(struct vm_reg *reg, size_t ntables)
{
	memset(reg, 0, sizeof(*reg));
	strcpy(reg->name, "r1");
	strcpy(reg->tap, "tap0");
	reg->addrs[0] = ip(A1);
	reg->addrs[1] = ip(A2);
	reg->naddrs = 2;
	reg->tables[0] = 254;
	reg->tables[1] = 100;
	reg->ntables = ntables;
}

START_TEST(t_plan_cases)
{
	const struct plan_case	*c = &cases[_i];
	static struct plan	 p;
	struct psm_claim	 claims[3];
	struct vm_reg		 reg;
	size_t			 i, n = 0, nops = 0;

	make_reg(&reg, c->ntables);
	for (i = 0; i < 3 && c->claims[i].addr != NULL; i++, n++) {
		claims[i].addr = ip(c->claims[i].addr);
		claims[i].state = c->claims[i].state;
	}
	routes_plan(&reg, c->ifindex, OURS, claims, n, lookup,
	    (void *)(uintptr_t)&c->kernel, &p);
	for (i = 0; i < 4 && c->ops[i].addr != NULL; i++)
		nops++;
	ck_assert_msg(p.nops == nops, "%s: %zu ops, want %zu", c->name,
	    p.nops, nops);
	for (i = 0; i < nops; i++) {
		ck_assert_msg(p.ops[i].op.cmd == c->ops[i].cmd, "%s: op %zu "
		    "cmd %d", c->name, i, p.ops[i].op.cmd);
		ck_assert_msg(p.ops[i].op.addr == ip(c->ops[i].addr) &&
		    p.ops[i].op.table == c->ops[i].table &&
		    p.ops[i].op.ifindex == c->ops[i].ifindex,
		    "%s: op %zu target", c->name, i);
	}
	for (i = 0; i < 2; i++) {
		ck_assert_msg(p.result[i] == c->result[i], "%s: address %zu "
		    "result %s", c->name, i, vsp_result_name(p.result[i]));
		ck_assert_msg(p.reason[i] == c->reason[i], "%s: address %zu "
		    "reason %s", c->name, i, vsp_reason_name(p.reason[i]));
	}
	ck_assert_msg(p.violations == c->violations, "%s: violations",
	    c->name);
}
END_TEST

/* Only ever the VM's own tap, whatever it claims. */
START_TEST(t_plan_never_other_tap)
{
	static struct plan	 p;
	struct psm_claim	 claim = { 0, VSP_ST_MASTER };
	struct kernel		 k = {{{ A1, 254, OURS, OTHER }}};
	struct vm_reg		 reg;
	size_t			 i;

	make_reg(&reg, 2);
	claim.addr = ip(A1);
	routes_plan(&reg, TAP, OURS, &claim, 1, lookup, &k, &p);
	for (i = 0; i < p.nops; i++)
		ck_assert_uint_eq(p.ops[i].op.ifindex, TAP);
}
END_TEST

/* Undo puts a moved route back and deletes a created one. */
START_TEST(t_plan_undo)
{
	static struct plan	 p;
	struct psm_claim	 claim;
	struct kernel		 k = {{{ A1, 100, OURS, OTHER }}};
	struct kr_op		 undo[REG_MAX_TABLES];
	struct vm_reg		 reg;
	size_t			 n, i;

	make_reg(&reg, 2);
	claim.addr = ip(A1);
	claim.state = VSP_ST_MASTER;
	routes_plan(&reg, TAP, OURS, &claim, 1, lookup, &k, &p);
	ck_assert_uint_eq(p.nops, 2);
	for (i = 0; i < p.nops; i++)
		p.ops[i].op.error = p.ops[i].op.table == 254 ? ENOMEM : 0;
	n = routes_plan_undo(&reg, TAP, &p, 0, undo);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(undo[0].cmd, KR_DELETE);
	ck_assert_uint_eq(undo[0].table, 254);
	ck_assert_uint_eq(undo[0].ifindex, TAP);
	ck_assert_int_eq(undo[1].cmd, KR_REPLACE);
	ck_assert_uint_eq(undo[1].table, 100);
	ck_assert_uint_eq(undo[1].ifindex, OTHER);
}
END_TEST

START_TEST(t_authorise)
{
	uint32_t	 addrs[2];

	addrs[0] = ip(A1);
	addrs[1] = ip(A2);
	ck_assert_int_eq(plan_authorise(addrs, 2, ip(A2), 32, VSP_ST_MASTER),
	    VSP_WHY_NONE);
	ck_assert_int_eq(plan_authorise(addrs, 2, ip(BAD), 32, VSP_ST_MASTER),
	    VSP_WHY_NOT_REGISTERED);
	ck_assert_int_eq(plan_authorise(addrs, 2, ip(A1), 24, VSP_ST_MASTER),
	    VSP_WHY_BAD_PREFIX);
	ck_assert_int_eq(plan_authorise(addrs, 2, ip(A1), 32, VSP_ST_MAX),
	    VSP_WHY_NOT_REGISTERED);
	ck_assert_int_eq(plan_authorise(addrs, 0, ip(A1), 32, VSP_ST_MASTER),
	    VSP_WHY_NOT_REGISTERED);
}
END_TEST

Suite *
routes_plan_suite(void)
{
	Suite	*s = suite_create("routes_plan");
	TCase	*tc = tcase_create("routes_plan");

	tcase_add_test(tc, t_authorise);
	tcase_add_loop_test(tc, t_plan_cases, 0,
	    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, t_plan_never_other_tap);
	tcase_add_test(tc, t_plan_undo);
	suite_add_tcase(s, tc);
	return s;
}
