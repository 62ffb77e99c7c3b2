/*
 * Unit tests for lib/log.c's output formats: the journal's (stderr is the
 * stream JOURNAL_STREAM names: "<N>message", no timestamp) and the
 * terminal's ("HH:MM:SS.mmm name: message").  Each test (check forks one
 * process per test) points stderr at a file of its own.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "suites.h"

static char	 path[64];
static int	 logfd = -1;

/* stderr to a fresh file; JOURNAL_STREAM names it when journal is set. */
static void
capture(int journal)
{
	struct stat	 st;
	char		 env[64];

	snprintf(path, sizeof(path), "/tmp/check_log.XXXXXX");
	ck_assert_int_ne(logfd = mkstemp(path), -1);
	ck_assert_int_ne(dup2(logfd, STDERR_FILENO), -1);
	ck_assert_int_eq(fstat(logfd, &st), 0);
	snprintf(env, sizeof(env), "%lu:%lu", (unsigned long)st.st_dev,
	    (unsigned long)st.st_ino + (journal ? 0 : 1));
	ck_assert_int_eq(setenv("JOURNAL_STREAM", env, 1), 0);
}

/* What was logged; the caller frees it. */
static char *
captured(void)
{
	char	*buf;
	ssize_t	 n;

	ck_assert_ptr_nonnull(buf = calloc(1, 8192));
	n = pread(logfd, buf, 8191, 0);
	ck_assert_int_ge(n, 0);
	unlink(path);
	return buf;
}

static int
matches(const char *text, const char *re)
{
	regex_t	 r;
	int	 m;

	ck_assert_int_eq(regcomp(&r, re, REG_EXTENDED | REG_NOSUB |
	    REG_NEWLINE), 0);
	m = regexec(&r, text, 0, NULL, 0) == 0;
	regfree(&r);
	return m;
}

START_TEST(journal_lines_carry_priorities)
{
	char	*out;

	capture(1);
	log_init(1, program_invocation_short_name, LOG_DAEMON);
	log_setverbose(1);
	log_warnx("bad %s", "thing");
	log_info("started %d", 3);
	log_debug("detail");
	errno = ENOENT;
	log_warn("open %s", "/nonexistent");
	ck_assert_int_eq(errno, ENOENT);
	out = captured();
	ck_assert_str_eq(out, "<3>bad thing\n<6>started 3\n<7>detail\n"
	    "<3>open /nonexistent: No such file or directory\n");
	free(out);
}
END_TEST

START_TEST(journal_line_is_one_line)
{
	char	*out;

	capture(1);
	log_init(1, program_invocation_short_name, LOG_DAEMON);
	log_warnx("iptables-restore: exit 1: line 1\nline 2\n");
	out = captured();
	/* A second line would reach the journal at the default priority. */
	ck_assert_str_eq(out, "<3>iptables-restore: exit 1: line 1 line 2 \n");
	free(out);
}
END_TEST

START_TEST(journal_names_a_helper_process)
{
	char	*out;

	capture(1);
	log_init(1, "vrouter-hostd[engine]", LOG_DAEMON);
	log_info("hello");
	out = captured();
	ck_assert_str_eq(out, "<6>vrouter-hostd[engine]: hello\n");
	free(out);
}
END_TEST

START_TEST(journal_fatal_exits_1)
{
	capture(1);
	log_init(1, program_invocation_short_name, LOG_DAEMON);
	fatalx("cannot %s", "start");
}
END_TEST

START_TEST(journal_fatal_is_critical)
{
	char	*out;
	pid_t	 pid;
	int	 status;

	capture(1);
	log_init(1, program_invocation_short_name, LOG_DAEMON);
	fflush(NULL);		/* nothing of ours for the child to flush */
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		errno = EACCES;
		fatal("cannot %s", "start");
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	out = captured();
	ck_assert_str_eq(out, "<2>cannot start: Permission denied\n");
	free(out);
}
END_TEST

START_TEST(terminal_keeps_the_timestamp)
{
	char	*out;

	/* JOURNAL_STREAM set, but naming another file: not the journal. */
	capture(0);
	log_init(1, "vrouterd", LOG_DAEMON);
	errno = EPERM;
	log_warnx("bad");
	ck_assert_int_eq(errno, EPERM);
	log_info("fine");
	out = captured();
	ck_assert_msg(matches(out, "^[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} "
	    "vrouterd: bad\n[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} "
	    "vrouterd: fine\n$"), "got: %s", out);
	ck_assert(!matches(out, "<[0-9]>"));
	free(out);
}
END_TEST

START_TEST(terminal_when_journal_stream_is_garbage)
{
	char	*out;

	capture(1);
	setenv("JOURNAL_STREAM", "12:34:56", 1);
	log_init(1, "vrouterd", LOG_DAEMON);
	log_info("fine");
	out = captured();
	ck_assert_msg(matches(out, "^[0-9:.]{12} vrouterd: fine\n$"), "got: %s",
	    out);
	free(out);
}
END_TEST

Suite *
log_suite(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("format");

	tcase_add_test(tc, terminal_when_journal_stream_is_garbage);
	tcase_add_test(tc, terminal_keeps_the_timestamp);
	tcase_add_test(tc, journal_lines_carry_priorities);
	tcase_add_test(tc, journal_line_is_one_line);
	tcase_add_test(tc, journal_names_a_helper_process);
	tcase_add_exit_test(tc, journal_fatal_exits_1, 1);
	tcase_add_test(tc, journal_fatal_is_critical);
	suite_add_tcase(s, tc);
	return s;
}
