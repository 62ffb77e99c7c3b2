/*
 * Unit tests for adopting a predecessor's children (daemon/adopt.c): a
 * record counts only for the very process it names, so a reused pid or
 * a program someone else started is never taken over.
 */
#include <sys/wait.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "vrouterd.h"

START_TEST(test_stat_fields)
{
	const char	*s = "4242 (keepalived) S 1 4242 4242 0 -1 4194560 "
	    "73 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 0\n";
	pid_t		 pgid = 0;
	unsigned long long start = 0;

	ck_assert_int_eq(adopt_parse_stat(s, strlen(s), &pgid, &start), 0);
	ck_assert_int_eq(pgid, 4242);
	ck_assert_uint_eq(start, 987654);
}
END_TEST

/* A name may hold spaces and parentheses: only the last ')' ends it. */
START_TEST(test_stat_hostile_name)
{
	const char	*s = "77 (a) S 1 2 3 (b) R 1 99 99 0 -1 0 0 0 0 0 0 0 "
	    "0 0 20 0 1 0 5555 1 1\n";
	pid_t		 pgid = 0;
	unsigned long long start = 0;

	ck_assert_int_eq(adopt_parse_stat(s, strlen(s), &pgid, &start), 0);
	ck_assert_int_eq(pgid, 99);
	ck_assert_uint_eq(start, 5555);
}
END_TEST

START_TEST(test_stat_malformed)
{
	const char	*bad[] = { "", "12 keepalived S 1 2 3", "12 (k) S 1 2",
	    "12 (k) S 1 x 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 1 1",
	    "12 (k) S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x 1 1" };
	pid_t		 pgid;
	unsigned long long start;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(adopt_parse_stat(bad[i], strlen(bad[i]), &pgid,
		    &start) == -1, "accepted \"%s\"", bad[i]);
}
END_TEST

START_TEST(test_same_program)
{
	const char	 ka[] = "/usr/sbin/keepalived\0-f\0x";
	const char	 bare[] = "keepalived";
	const char	 other[] = "/usr/bin/sleep\0" "60";

	ck_assert_int_eq(adopt_same_program(ka, sizeof(ka),
	    "/sbin/keepalived"), 1);
	ck_assert_int_eq(adopt_same_program(bare, sizeof(bare),
	    "/usr/sbin/keepalived"), 1);
	ck_assert_int_eq(adopt_same_program(other, sizeof(other),
	    "/usr/sbin/keepalived"), 0);
	/* no NUL in it: not a command line */
	ck_assert_int_eq(adopt_same_program(bare, strlen(bare),
	    "/usr/sbin/keepalived"), 0);
	ck_assert_int_eq(adopt_same_program("", 0, "/usr/sbin/keepalived"), 0);
}
END_TEST

START_TEST(test_cmdline)
{
	char *const	 argv[] = { "/usr/sbin/keepalived", "-f", "/run/k.conf",
	    NULL };
	const char	 same[] = "/usr/sbin/keepalived\0-f\0/run/k.conf";
	const char	 more[] = "/usr/sbin/keepalived\0-f\0/run/k.conf\0-x";
	const char	 less[] = "/usr/sbin/keepalived\0-f";
	const char	 other[] = "/usr/sbin/keepalived\0-f\0/run/x.conf";

	ck_assert_int_eq(adopt_cmdline_matches(same, sizeof(same), argv), 1);
	ck_assert_int_eq(adopt_cmdline_matches(more, sizeof(more), argv), 0);
	ck_assert_int_eq(adopt_cmdline_matches(less, sizeof(less), argv), 0);
	ck_assert_int_eq(adopt_cmdline_matches(other, sizeof(other), argv), 0);
	ck_assert_int_eq(adopt_cmdline_matches("", 0, argv), 0);
}
END_TEST

/* A group leader running argv, as vrouterd's children are. */
static pid_t
spawn_leader(char *const argv[])
{
	pid_t	 pid;

	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	setpgid(pid, pid);
	/* until it has exec'ed: its command line is then argv */
	usleep(100000);
	return pid;
}

START_TEST(test_record_find)
{
	char *const	 argv[] = { "/bin/sleep", "30", NULL };
	char *const	 other[] = { "/bin/sleep", "31", NULL };
	char *const	 cat[] = { "/bin/cat", NULL };
	char		 dir[] = "/tmp/check_adopt.XXXXXX", path[300];
	pid_t		 pid, found = 0;
	unsigned long long start = 0;
	int		 status;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sleep.child", dir);
	ck_assert_int_eq(adopt_find(path, argv, &found, &start), 0);	/* none */
	pid = spawn_leader(argv);
	ck_assert_int_eq(adopt_record(path, pid), 0);
	ck_assert_int_eq(adopt_find(path, argv, &found, &start), 1);
	ck_assert_int_eq(found, pid);
	ck_assert_int_eq(adopt_same(pid, start), 1);
	ck_assert_int_eq(adopt_same(pid, start + 1), 0);
	/* the same program, another command line: ours, outdated */
	found = 0;
	ck_assert_int_eq(adopt_find(path, other, &found, &start), 2);
	ck_assert_int_eq(found, pid);
	/* another program: not ours */
	ck_assert_int_eq(adopt_find(path, cat, &found, &start), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_assert_int_eq(adopt_same(pid, start), 0);
	/* gone: the record names nothing any more */
	ck_assert_int_eq(adopt_find(path, argv, &found, &start), 0);
	/* a record whose start time is not the process's own */
	pid = spawn_leader(argv);
	{
		FILE *f = fopen(path, "w");

		ck_assert_ptr_nonnull(f);
		fprintf(f, "%d 1\n", (int)pid);
		fclose(f);
	}
	ck_assert_int_eq(adopt_find(path, argv, &found, &start), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	adopt_forget(path);
	ck_assert_int_eq(access(path, F_OK), -1);
	rmdir(dir);
}
END_TEST

Suite *
adopt_suite(void)
{
	Suite	*s = suite_create("adopt");
	TCase	*tc = tcase_create("core");

	tcase_add_test(tc, test_stat_fields);
	tcase_add_test(tc, test_stat_hostile_name);
	tcase_add_test(tc, test_stat_malformed);
	tcase_add_test(tc, test_same_program);
	tcase_add_test(tc, test_cmdline);
	tcase_add_test(tc, test_record_find);
	suite_add_tcase(s, tc);
	return s;
}
