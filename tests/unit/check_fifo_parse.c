/* Unit tests for keepalived notify_fifo lines. */
#include <errno.h>
#include <string.h>

#include "fifo_parse.h"
#include "suites.h"

static const char *const bad[] = {
	"",
	"INSTANCE",
	"INSTANCE VI_1 MASTER 100",		/* name not quoted */
	"INSTANCE \"VI_1 MASTER 100",		/* quote not closed */
	"INSTANCE \"\" MASTER 100",		/* empty name */
	"INSTANCE \"VI 1\" MASTER 100",		/* space in name */
	"INSTANCE \"VI_1\" MASTR 100",		/* unknown state */
	"INSTANCE \"VI_1\" MASTER",		/* no priority */
	"INSTANCE \"VI_1\" MASTER 256",		/* priority out of range */
	"INSTANCE \"VI_1\" MASTER 1000",
	"INSTANCE \"VI_1\" MASTER -1",
	"INSTANCE \"VI_1\" MASTER 10x",
	"INSTANCE \"VI_1\" MASTER 100 extra",
	"INSTANCE \"VI_1\" MASTER 100 ",		/* trailing space */
	"INSTANCE  \"VI_1\" MASTER 100",		/* double space */
	"INSTANCE \"VI_1\"MASTER 100",
	"INSTANCE \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" MASTER 100", /* 33 */
	" INSTANCE \"VI_1\" MASTER 100",
};

START_TEST(rejects_malformed)
{
	struct fifo_event ev;

	errno = 0;
	ck_assert_msg(fifo_parse_line(bad[_i], strlen(bad[_i]), &ev) == -1,
	    "accepted \"%s\"", bad[_i]);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(ignores_other_kinds)
{
	struct fifo_event ev;
	const char	*vs = "VS \"10.0.0.1:80\" UP";

	ck_assert_int_eq(fifo_parse_line(vs, strlen(vs), &ev), 0);
}
END_TEST

static const struct {
	const char	*line;
	uint8_t		 kind, what, prio;
	const char	*name;
} good[] = {
	{ "INSTANCE \"VI_pub\" MASTER 150", FIFO_INSTANCE, FIFO_MASTER, 150,
	    "VI_pub" },
	{ "GROUP \"G_t42\" BACKUP 0", FIFO_GROUP, FIFO_BACKUP, 0, "G_t42" },
	{ "INSTANCE \"VI_1\" FAULT 255", FIFO_INSTANCE, FIFO_FAULT, 255,
	    "VI_1" },
	{ "INSTANCE \"VI_1\" STOP 100\r", FIFO_INSTANCE, FIFO_STOP, 100,
	    "VI_1" },
	{ "INSTANCE \"VI_1\" DELETED 100", FIFO_INSTANCE, FIFO_DELETED, 100,
	    "VI_1" },
	{ "INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 100", FIFO_INSTANCE,
	    FIFO_MASTER_RX_LOWER_PRI, 100, "VI_1" },
	{ "INSTANCE \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" INIT 7",
	    FIFO_INSTANCE, FIFO_INIT, 7, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
};

START_TEST(parses_valid)
{
	struct fifo_event ev;

	ck_assert_int_eq(fifo_parse_line(good[_i].line, strlen(good[_i].line),
	    &ev), 1);
	ck_assert_uint_eq(ev.kind, good[_i].kind);
	ck_assert_uint_eq(ev.what, good[_i].what);
	ck_assert_uint_eq(ev.priority, good[_i].prio);
	ck_assert_str_eq(ev.name, good[_i].name);
}
END_TEST

Suite *
fifo_parse_suite(void)
{
	Suite	*s = suite_create("fifo_parse");
	TCase	*tc = tcase_create("fifo_parse");

	tcase_add_loop_test(tc, rejects_malformed, 0,
	    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, ignores_other_kinds);
	tcase_add_loop_test(tc, parses_valid, 0,
	    sizeof(good) / sizeof(good[0]));
	suite_add_tcase(s, tc);
	return s;
}
