/* Unit tests for conntrackd -s output and the stalled-sync verdict. */
#include <errno.h>
#include <string.h>

#include "suites.h"
#include "vrouterd.h"

/* conntrackd 1.4.7, `-s`, with an external cache. */
static const char with_cache[] =
    "cache internal:\n"
    "current active connections:\t        1000\n"
    "connections created:\t\t        1200\tfailed:\t           0\n"
    "connections updated:\t\t          30\tfailed:\t           0\n"
    "connections destroyed:\t\t         200\tfailed:\t           0\n"
    "\n"
    "cache external:\n"
    "current active connections:\t          12\n"
    "connections created:\t\t          14\tfailed:\t           0\n"
    "connections updated:\t\t           1\tfailed:\t           0\n"
    "connections destroyed:\t\t           2\tfailed:\t           0\n"
    "\n"
    "traffic processed:\n"
    "                   0 Bytes                         0 Pckts\n"
    "\n"
    "UDP traffic (active device=eth2):\n"
    "                 208 Bytes sent                  224 Bytes recv\n"
    "                  13 Pckts sent                   14 Pckts recv\n"
    "                   1 Error send                    2 Error recv\n"
    "\n"
    "message tracking:\n"
    "                   0 Malformed msgs                    3 Lost msgs\n";

/* The same with DisableExternalCache: no external cache section. */
static const char injected[] =
    "cache internal:\n"
    "current active connections:\t           0\n"
    "connections created:\t\t           0\tfailed:\t           0\n"
    "connections updated:\t\t           0\tfailed:\t           0\n"
    "connections destroyed:\t\t           0\tfailed:\t           0\n"
    "\n"
    "external inject:\n"
    "connections created:\t\t         234\tfailed:\t           0\n"
    "connections updated:\t\t        1140\tfailed:\t           0\n"
    "connections destroyed:\t\t           0\tfailed:\t           0\n"
    "\n"
    "traffic processed:\n"
    "                   0 Bytes                         0 Pckts\n"
    "\n"
    "Multicast traffic (active device=eth2):\n"
    "                 128 Bytes sent                93504 Bytes recv\n"
    "                   8 Pckts sent                 1374 Pckts recv\n"
    "                   0 Error send                    0 Error recv\n"
    "\n"
    "message tracking:\n"
    "                   0 Malformed msgs                    0 Lost msgs\n";

static const char *const bad[] = {
	"",
	"[ERROR] can't connect: is conntrackd running? appropriate "
	    "permissions?\n",
	/* no link section */
	"cache internal:\ncurrent active connections:\t 1\n",
	/* no internal cache */
	"UDP traffic (active device=eth2):\n 1 Pckts sent 2 Pckts recv\n",
	/* a number missing */
	"cache internal:\ncurrent active connections:\n"
	    "UDP traffic (active device=eth2):\n 1 Pckts sent 2 Pckts recv\n",
};

START_TEST(rejects_other_output)
{
	struct ct_counters c;

	errno = 0;
	ck_assert_int_eq(ctstats_parse(bad[_i], &c), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(reads_external_cache)
{
	struct ct_counters c;

	ck_assert_int_eq(ctstats_parse(with_cache, &c), 0);
	ck_assert_uint_eq(c.int_active, 1000);
	ck_assert_uint_eq(c.int_changes, 1430);
	ck_assert_uint_eq(c.ext_active, 12);
	ck_assert_uint_eq(c.ext_changes, 17);
	ck_assert_uint_eq(c.sent, 13);
	ck_assert_uint_eq(c.recv, 14);
	ck_assert_uint_eq(c.send_errors, 1);
	ck_assert_uint_eq(c.recv_errors, 2);
	ck_assert_uint_eq(c.lost, 3);
}
END_TEST

START_TEST(reads_injected)
{
	struct ct_counters c;

	ck_assert_int_eq(ctstats_parse(injected, &c), 0);
	ck_assert_uint_eq(c.int_active, 0);
	ck_assert_uint_eq(c.ext_active, 0);	/* not shown */
	ck_assert_uint_eq(c.ext_changes, 1374);
	ck_assert_uint_eq(c.sent, 8);
	ck_assert_uint_eq(c.recv, 1374);
}
END_TEST

/* What two polls in a row saw change: the verdict after the second. */
static const struct {
	uint64_t	 changes, sent, recv;
	int		 stalled;
	const char	*what;
} judged[] = {
	{ 10, 4, 4, 0, "changes, sync moving" },
	{ 10, 4, 0, 1, "changes, nothing back" },
	{ 10, 0, 4, 1, "changes, nothing sent" },
	{ 0, 0, 0, 0, "idle, silent peer" },
	{ 0, 4, 4, 0, "idle, alive peer" },
};

static void
step(struct ct_counters *c, int i)
{
	c->int_changes += judged[i].changes;
	c->sent += judged[i].sent;
	c->recv += judged[i].recv;
}

START_TEST(judges_two_polls)
{
	struct ct_counters a, b;
	int		 frozen = 0;

	memset(&a, 0, sizeof(a));
	a.int_changes = 100;
	a.sent = a.recv = 50;
	b = a;
	step(&b, _i);
	ck_assert_msg(ctstats_judge(&frozen, &a, &b) == 0,
	    "%s: one poll is not enough", judged[_i].what);
	a = b;
	step(&b, _i);
	ck_assert_msg(ctstats_judge(&frozen, &a, &b) == judged[_i].stalled,
	    "%s", judged[_i].what);
}
END_TEST

START_TEST(restart_starts_over)
{
	struct ct_counters a, b;
	int		 frozen = 5;

	memset(&a, 0, sizeof(a));
	a.int_changes = 100;
	a.sent = a.recv = 50;
	b = a;
	b.int_changes = 2;	/* a new conntrackd counts from 0 */
	b.sent = b.recv = 1;
	ck_assert_int_eq(ctstats_judge(&frozen, &a, &b), 0);
	ck_assert_int_eq(frozen, 0);
}
END_TEST

START_TEST(moving_again_clears)
{
	struct ct_counters a, b;
	int		 frozen = 0;

	memset(&a, 0, sizeof(a));
	b = a;
	b.int_changes = 10;
	ck_assert_int_eq(ctstats_judge(&frozen, &a, &b), 0);
	a = b;
	b.int_changes = 20;
	ck_assert_int_eq(ctstats_judge(&frozen, &a, &b), 1);
	a = b;
	b.int_changes = 30;
	b.sent = b.recv = 1;
	ck_assert_int_eq(ctstats_judge(&frozen, &a, &b), 0);
	ck_assert_int_eq(frozen, 0);
}
END_TEST

Suite *
ctstats_suite(void)
{
	Suite	*s = suite_create("ctstats");
	TCase	*tc = tcase_create("ctstats");

	tcase_add_loop_test(tc, rejects_other_output, 0,
	    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, reads_external_cache);
	tcase_add_test(tc, reads_injected);
	tcase_add_loop_test(tc, judges_two_polls, 0,
	    sizeof(judged) / sizeof(judged[0]));
	tcase_add_test(tc, restart_starts_over);
	tcase_add_test(tc, moving_again_clears);
	suite_add_tcase(s, tc);
	return s;
}
