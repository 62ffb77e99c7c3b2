/*
 * Unit tests for lib/proc.c: bad input first, then behaviour (output,
 * stdin, exit status, timeouts that kill the whole group, environment and
 * descriptor hygiene, signals), then leaks.  They run real programs from
 * /bin and /usr/bin.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "suites.h"

#define BIG	200000		/* more than a pipe holds, both ways */

static char	 out[BIG + 4096];
static char	 big[BIG];
static size_t	 outlen;
static int	 status;

static long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* proc_run with a fresh spec for argv, output into out. */
static int
run(const char *const *argv, const void *in, size_t inlen, int timeout_ms)
{
	struct proc_spec spec = PROC_SPEC_INIT(argv);

	memset(out, 'x', sizeof(out));
	return proc_run(&spec, in, inlen, out, sizeof(out), &outlen,
	    timeout_ms, &status);
}

/* No child of ours is left, not even a zombie. */
static void
assert_no_children(void)
{
	errno = 0;
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

/* Wait up to a second for pid to be gone (or a zombie of someone else). */
static int
gone(pid_t pid)
{
	char	 path[64], buf[512], *p;
	ssize_t	 n;
	int	 fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (i = 0; i < 100; i++) {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return 1;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			return 1;
		buf[n] = '\0';
		if ((p = strrchr(buf, ')')) != NULL &&
		    (p[2] == 'Z' || p[2] == 'X'))
			return 1;
		usleep(10000);
	}
	return 0;
}

static int
count_fds(void)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*e;
	int		 n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Is there a line in out that starts with prefix? */
static int
has_line(const char *prefix)
{
	const char	*p = out;
	size_t		 n = strlen(prefix);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, prefix, n) == 0)
			return 1;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return 0;
}

START_TEST(spawn_rejects_bad_spec)
{
	static const char *const none[] = { NULL };
	static const char *const rel[] = { "echo", "x", NULL };
	static const char *const relslash[] = { "bin/echo", NULL };
	static const char *const echo[] = { "/bin/echo", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(echo);
	int		 low = 1, closed, many[PROC_MAX_KEEP_FDS + 1];

	errno = 0;
	ck_assert_int_eq(proc_spawn(NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	spec.argv = NULL;
	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_int_eq(errno, EINVAL);
	spec.argv = none;
	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_int_eq(errno, EINVAL);
	spec.argv = rel;
	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_int_eq(errno, EINVAL);
	spec.argv = relslash;
	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_int_eq(errno, EINVAL);

	spec.argv = echo;
	spec.keep_fds = &low;		/* 0..2 are not "extra" */
	spec.nkeep_fds = 1;
	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_int_eq(errno, EINVAL);
	memset(many, 0, sizeof(many));
	spec.keep_fds = many;
	spec.nkeep_fds = PROC_MAX_KEEP_FDS + 1;
	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_int_eq(errno, EINVAL);

	closed = dup(0);
	close(closed);
	spec.keep_fds = &closed;
	spec.nkeep_fds = 1;
	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_int_eq(errno, EBADF);
	spec.keep_fds = NULL;
	spec.nkeep_fds = 0;
	spec.fd_out = closed;
	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_int_eq(errno, EBADF);
	spec.fd_out = -7;
	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_int_eq(errno, EBADF);
	assert_no_children();
}
END_TEST

static const struct {
	const char	*path;
	int		 err;
} exec_errors[] = {
	{ "/nonexistent/vrouter-no-such-program", ENOENT },
	{ "/etc/passwd", EACCES },		/* not executable */
	{ "/", EACCES },			/* a directory */
};

START_TEST(spawn_reports_exec_errno)
{
	const char	*argv[] = { exec_errors[_i].path, NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);

	errno = 0;
	ck_assert_int_eq(proc_spawn(&spec), -1);
	ck_assert_msg(errno == exec_errors[_i].err, "%s: errno %d, not %d",
	    exec_errors[_i].path, errno, exec_errors[_i].err);
	/* The failed child was reaped, not left for the SIGCHLD handler. */
	assert_no_children();
}
END_TEST

START_TEST(run_rejects_bad_args)
{
	static const char *const echo[] = { "/bin/echo", "x", NULL };
	static const char *const rel[] = { "sh", NULL };
	static const char *const missing[] = { "/nonexistent/prog", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(echo);

	errno = 0;
	ck_assert_int_eq(proc_run(NULL, NULL, 0, out, sizeof(out), &outlen,
	    1000, &status), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(proc_run(&spec, NULL, 0, out, sizeof(out), &outlen,
	    0, &status), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(proc_run(&spec, NULL, 0, NULL, 10, &outlen, 1000,
	    &status), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(proc_run(&spec, NULL, 5, out, sizeof(out), &outlen,
	    1000, &status), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(proc_run(&spec, NULL, 0, out, sizeof(out), &outlen,
	    1000, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);

	errno = 0;
	ck_assert_int_eq(run(rel, NULL, 0, 1000), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(run(missing, "data", 4, 1000), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(outlen, 0);
	assert_no_children();
}
END_TEST

START_TEST(kill_group_refuses_everyone)
{
	/* Signal 0: even if the check were broken nothing would be hit. */
	static const pid_t bad[] = { 1, 0, -1, -100 };
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_int_eq(proc_kill_group(bad[i], 0), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

START_TEST(which_finds_only_safe_programs)
{
	char	 path[256], tiny[4];

	ck_assert_int_eq(proc_which("sh", path, sizeof(path)), 0);
	ck_assert_msg(path[0] == '/' && strcmp(strrchr(path, '/'), "/sh") == 0,
	    "found %s", path);
	errno = 0;
	ck_assert_int_eq(proc_which("vrouter-no-such-program", path,
	    sizeof(path)), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(proc_which("bin/sh", path, sizeof(path)), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(proc_which("", path, sizeof(path)), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(proc_which("sh", tiny, sizeof(tiny)), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(reap_with_nothing_to_reap)
{
	pid_t	 pid = 77;
	int	 st = 77;

	errno = EDOM;
	ck_assert_int_eq(proc_reap(&pid, &st), 0);
	ck_assert_int_eq(errno, EDOM);
	ck_assert_int_eq(pid, 77);
}
END_TEST

START_TEST(run_captures_stdout)
{
	static const char *const argv[] = { "/bin/echo", "hello", "world",
	    NULL };
	char	 buf[64];

	ck_assert_int_eq(run(argv, NULL, 0, 5000), 0);
	ck_assert_str_eq(out, "hello world\n");
	ck_assert_uint_eq(outlen, 12);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_str_eq(proc_status_str(status, buf, sizeof(buf)),
	    "exited 0");
	assert_no_children();
}
END_TEST

START_TEST(run_captures_stderr_too)
{
	static const char *const argv[] = { "/bin/sh", "-c",
	    "echo out; echo err >&2", NULL };

	ck_assert_int_eq(run(argv, NULL, 0, 5000), 0);
	ck_assert_str_eq(out, "out\nerr\n");
}
END_TEST

START_TEST(run_without_output_buffer)
{
	static const char *const argv[] = { "/bin/echo", "discarded", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);

	outlen = 99;
	ck_assert_int_eq(proc_run(&spec, NULL, 0, NULL, 0, &outlen, 5000,
	    &status), 0);
	ck_assert_uint_eq(outlen, 0);
	ck_assert_int_eq(status, 0);
}
END_TEST

START_TEST(run_feeds_stdin)
{
	static const char *const argv[] = { "/bin/cat", NULL };
	size_t	 i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 23);
	ck_assert_int_eq(run(argv, big, sizeof(big), 10000), 0);
	ck_assert_uint_eq(outlen, sizeof(big));
	ck_assert(memcmp(out, big, sizeof(big)) == 0);
	ck_assert_int_eq(out[sizeof(big)], '\0');
	ck_assert_int_eq(status, 0);
}
END_TEST

START_TEST(run_bounds_output)
{
	static const char *const argv[] = { "/bin/cat", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);
	char	 small[16];

	memset(big, 'z', sizeof(big));
	big[0] = 'A';
	/* The child is not blocked by the full buffer: it exits 0. */
	ck_assert_int_eq(proc_run(&spec, big, sizeof(big), small,
	    sizeof(small), &outlen, 10000, &status), 0);
	ck_assert_uint_eq(outlen, sizeof(small) - 1);
	ck_assert_str_eq(small, "Azzzzzzzzzzzzzz");
	ck_assert_int_eq(status, 0);
}
END_TEST

START_TEST(run_child_ignoring_stdin_is_no_sigpipe)
{
	static const char *const argv[] = { "/bin/true", NULL };
	sigset_t pending;

	/* /bin/true exits without reading: the write gets EPIPE. */
	ck_assert_int_eq(run(argv, big, sizeof(big), 5000), 0);
	ck_assert_int_eq(status, 0);
	sigpending(&pending);
	ck_assert(!sigismember(&pending, SIGPIPE));
}
END_TEST

START_TEST(run_reports_exit_status)
{
	static const char *const argv[] = { "/bin/sh", "-c", "exit 3", NULL };
	char	 buf[64];

	ck_assert_int_eq(run(argv, NULL, 0, 5000), 0);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 3);
	ck_assert_str_eq(proc_status_str(status, buf, sizeof(buf)),
	    "exited 3");
}
END_TEST

START_TEST(run_reports_death_by_signal)
{
	static const char *const argv[] = { "/bin/sh", "-c", "kill -9 $$",
	    NULL };
	char	 buf[64];

	ck_assert_int_eq(run(argv, NULL, 0, 5000), 0);
	ck_assert(WIFSIGNALED(status));
	ck_assert_str_eq(proc_status_str(status, buf, sizeof(buf)),
	    "killed by signal 9 (SIGKILL)");
}
END_TEST

/*
 * A shell that starts a grandchild and waits: on timeout the whole group
 * goes, the grandchild too, within the timeout plus the grace period.
 */
START_TEST(run_timeout_kills_the_group)
{
	static const char *const argv[] = { "/bin/sh", "-c",
	    "/bin/sleep 10 & echo $!; wait", NULL };
	long	 t0, took;
	pid_t	 grandchild;

	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(run(argv, NULL, 0, 300), -1);
	took = now_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_msg(took >= 300 && took < 300 + PROC_KILL_GRACE_MS + 700,
	    "took %ld ms", took);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGTERM);
	grandchild = (pid_t)strtol(out, NULL, 10);
	ck_assert_int_gt(grandchild, 1);
	ck_assert_msg(gone(grandchild), "grandchild %d survived",
	    (int)grandchild);
	assert_no_children();
}
END_TEST

/* A group that ignores SIGTERM gets SIGKILL after the grace period. */
START_TEST(run_timeout_escalates_to_sigkill)
{
	static const char *const argv[] = { "/bin/sh", "-c",
	    "trap '' TERM; /bin/sleep 10 & echo $!; wait", NULL };
	long	 t0, took;
	pid_t	 grandchild;

	t0 = now_ms();
	errno = 0;
	ck_assert_int_eq(run(argv, NULL, 0, 300), -1);
	took = now_ms() - t0;
	ck_assert_int_eq(errno, ETIMEDOUT);
	ck_assert_msg(took >= 300 + PROC_KILL_GRACE_MS &&
	    took < 300 + PROC_KILL_GRACE_MS + 700, "took %ld ms", took);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGKILL);
	grandchild = (pid_t)strtol(out, NULL, 10);
	ck_assert_int_gt(grandchild, 1);
	ck_assert_msg(gone(grandchild), "grandchild %d survived",
	    (int)grandchild);
}
END_TEST

/*
 * A program that exits but leaves a background process holding its output
 * pipe: proc_run returns at once (it does not wait for EOF) and the
 * leftover is killed.
 */
START_TEST(run_kills_leftovers_at_exit)
{
	static const char *const argv[] = { "/bin/sh", "-c",
	    "/bin/sleep 10 & echo $!", NULL };
	long	 t0, took;
	pid_t	 grandchild;

	t0 = now_ms();
	ck_assert_int_eq(run(argv, NULL, 0, 5000), 0);
	took = now_ms() - t0;
	ck_assert_msg(took < 2000, "took %ld ms", took);
	ck_assert_int_eq(status, 0);
	grandchild = (pid_t)strtol(out, NULL, 10);
	ck_assert_int_gt(grandchild, 1);
	ck_assert_msg(gone(grandchild), "grandchild %d survived",
	    (int)grandchild);
}
END_TEST

START_TEST(env_is_scrubbed)
{
	static const char *const argv[] = { "/usr/bin/env", NULL };
	static const char *const unsafe[] = {
		"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "IFS", "ENV",
		"BASH_ENV", "BASH_FUNC_vr%%", "GCONV_PATH", "MALLOC_CHECK_",
		"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
	};
	char	*oldpath = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char	 prefix[64];
	size_t	 i;

	for (i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++)
		ck_assert_int_eq(setenv(unsafe[i],
		    "/nonexistent/vrouter-test.so", 1), 0);
	setenv("PATH", "/tmp/evil:/usr/bin", 1);
	setenv("VR_TEST_KEEP", "kept", 1);

	ck_assert_int_eq(run(argv, NULL, 0, 5000), 0);

	for (i = 0; i < sizeof(unsafe) / sizeof(unsafe[0]); i++) {
		unsetenv(unsafe[i]);
		snprintf(prefix, sizeof(prefix), "%s=", unsafe[i]);
		ck_assert_msg(!has_line(prefix), "%s reached the child",
		    unsafe[i]);
	}
	unsetenv("VR_TEST_KEEP");
	if (oldpath != NULL)
		setenv("PATH", oldpath, 1);
	free(oldpath);
	ck_assert_int_eq(status, 0);
	ck_assert(has_line("VR_TEST_KEEP=kept\n"));
	ck_assert(has_line("PATH=" PROC_SAFE_PATH "\n"));
	ck_assert(!has_line("PATH=/tmp/evil"));
}
END_TEST

START_TEST(env_explicit_is_scrubbed_too)
{
	static const char *const argv[] = { "/usr/bin/env", NULL };
	static const char *const envp[] = { "A=1", "LD_PRELOAD=/x.so",
	    "NOEQUALS", "PATH=/tmp", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);

	spec.envp = envp;
	ck_assert_int_eq(proc_run(&spec, NULL, 0, out, sizeof(out), &outlen,
	    5000, &status), 0);
	ck_assert_str_eq(out, "A=1\nPATH=" PROC_SAFE_PATH "\n");
}
END_TEST

/*
 * A descriptor without close-on-exec does not reach the child; one listed
 * in keep_fds does, even with close-on-exec set.
 */
START_TEST(stray_fds_are_closed)
{
	static const char *const argv[] = { "/bin/ls", "/proc/self/fd", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);
	int	 nul, stray, kept;

	nul = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(nul, 0);
	stray = fcntl(nul, F_DUPFD, 40);
	kept = fcntl(nul, F_DUPFD_CLOEXEC, 41);
	close(nul);
	ck_assert_int_eq(stray, 40);
	ck_assert_int_eq(kept, 41);
	spec.keep_fds = &kept;
	spec.nkeep_fds = 1;
	ck_assert_int_eq(proc_run(&spec, NULL, 0, out, sizeof(out), &outlen,
	    5000, &status), 0);
	close(stray);
	close(kept);
	ck_assert_int_eq(status, 0);
	/* 0-2, 3 is ls's own directory handle, 41 was kept: nothing else. */
	ck_assert_str_eq(out, "0\n1\n2\n3\n41\n");
}
END_TEST

/* 0..2 may be the caller's own 0..2 in any order: no clobbering. */
START_TEST(stdio_can_be_swapped)
{
	static const char *const argv[] = { "/bin/sh", "-c",
	    "echo to-stdout; echo to-stderr >&2", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);
	int	 p1[2], p2[2], save1, save2;
	char	 a[64], b[64];
	ssize_t	 na, nb;
	pid_t	 pid;

	ck_assert_int_eq(pipe(p1), 0);
	ck_assert_int_eq(pipe(p2), 0);
	save1 = dup(1);
	save2 = dup(2);
	/* Our fd 1 is pipe p1, fd 2 pipe p2; the child gets them swapped. */
	dup2(p1[1], 1);
	dup2(p2[1], 2);
	close(p1[1]);
	close(p2[1]);
	spec.fd_out = 2;
	spec.fd_err = 1;
	pid = proc_spawn(&spec);
	dup2(save1, 1);
	dup2(save2, 2);
	close(save1);
	close(save2);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	na = read(p1[0], a, sizeof(a) - 1);
	nb = read(p2[0], b, sizeof(b) - 1);
	close(p1[0]);
	close(p2[0]);
	ck_assert_int_gt(na, 0);
	ck_assert_int_gt(nb, 0);
	a[na] = b[nb] = '\0';
	ck_assert_str_eq(a, "to-stderr\n");
	ck_assert_str_eq(b, "to-stdout\n");
}
END_TEST

START_TEST(spawn_leads_a_group_and_is_reaped)
{
	static const char *const argv[] = { "/bin/sleep", "10", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);
	char	 buf[64];
	pid_t	 pid, got = 0;
	int	 st = 0, i, rv = 0;

	pid = proc_spawn(&spec);
	ck_assert_int_gt(pid, 1);
	ck_assert_int_eq(getpgid(pid), pid);
	ck_assert_int_eq(proc_kill_group(pid, SIGKILL), 0);
	for (i = 0; i < 200 && (rv = proc_reap(&got, &st)) == 0; i++)
		usleep(10000);
	ck_assert_int_eq(rv, 1);
	ck_assert_int_eq(got, pid);
	ck_assert_str_eq(proc_status_str(st, buf, sizeof(buf)),
	    "killed by signal 9 (SIGKILL)");
	ck_assert_int_eq(proc_reap(&got, &st), 0);
}
END_TEST

/* A blocked or ignored signal in the daemon is not inherited. */
START_TEST(signals_are_reset)
{
	static const char *const usr1[] = { "/bin/sh", "-c",
	    "kill -USR1 $$; exit 0", NULL };
	static const char *const usr2[] = { "/bin/sh", "-c",
	    "kill -USR2 $$; exit 0", NULL };
	struct sigaction ign, old;
	sigset_t set, oldset;
	int	 st1, st2;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, &oldset);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGUSR2, &ign, &old);

	ck_assert_int_eq(run(usr1, NULL, 0, 5000), 0);
	st1 = status;
	ck_assert_int_eq(run(usr2, NULL, 0, 5000), 0);
	st2 = status;

	sigaction(SIGUSR2, &old, NULL);
	sigprocmask(SIG_SETMASK, &oldset, NULL);
	ck_assert(WIFSIGNALED(st1) && WTERMSIG(st1) == SIGUSR1);
	ck_assert(WIFSIGNALED(st2) && WTERMSIG(st2) == SIGUSR2);
}
END_TEST

static const struct {
	int		 status;
	const char	*text;
} statuses[] = {
	{ 0, "exited 0" },
	{ 3 << 8, "exited 3" },
	{ 255 << 8, "exited 255" },
	{ SIGKILL, "killed by signal 9 (SIGKILL)" },
	{ SIGSEGV | 0x80, "killed by signal 11 (SIGSEGV), core dumped" },
	{ SIGSTOP << 8 | 0x7f, "stopped by signal 19 (SIGSTOP)" },
	{ 0xffff, "continued" },
};

START_TEST(status_text)
{
	char	 buf[64], tiny[5];

	ck_assert_str_eq(proc_status_str(statuses[_i].status, buf,
	    sizeof(buf)), statuses[_i].text);
	ck_assert_ptr_eq(proc_status_str(statuses[_i].status, tiny,
	    sizeof(tiny)), tiny);
	ck_assert_uint_eq(strlen(tiny), sizeof(tiny) - 1);
}
END_TEST

/* Every path, good or bad, gives back its descriptors and children. */
START_TEST(no_fd_or_child_leaks)
{
	static const char *const echo[] = { "/bin/echo", "x", NULL };
	static const char *const cat[] = { "/bin/cat", NULL };
	static const char *const missing[] = { "/nonexistent/prog", NULL };
	static const char *const slow[] = { "/bin/sleep", "10", NULL };
	int	 before, i;

	before = count_fds();
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(run(echo, NULL, 0, 5000), 0);
		ck_assert_int_eq(run(cat, "abc", 3, 5000), 0);
		ck_assert_int_eq(run(missing, "abc", 3, 5000), -1);
		ck_assert_int_eq(run(slow, "abc", 3, 50), -1);
		ck_assert_int_eq(errno, ETIMEDOUT);
	}
	ck_assert_int_eq(count_fds(), before);
	assert_no_children();
}
END_TEST

Suite *
proc_suite(void)
{
	Suite	*s = suite_create("proc");
	TCase	*bad = tcase_create("bad input");
	TCase	*tc = tcase_create("behaviour");
	TCase	*leaks = tcase_create("leaks");

	tcase_add_test(bad, spawn_rejects_bad_spec);
	tcase_add_loop_test(bad, spawn_reports_exec_errno, 0,
	    sizeof(exec_errors) / sizeof(exec_errors[0]));
	tcase_add_test(bad, run_rejects_bad_args);
	tcase_add_test(bad, kill_group_refuses_everyone);
	tcase_add_test(bad, which_finds_only_safe_programs);
	tcase_add_test(bad, reap_with_nothing_to_reap);
	suite_add_tcase(s, bad);

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, run_captures_stdout);
	tcase_add_test(tc, run_captures_stderr_too);
	tcase_add_test(tc, run_without_output_buffer);
	tcase_add_test(tc, run_feeds_stdin);
	tcase_add_test(tc, run_bounds_output);
	tcase_add_test(tc, run_child_ignoring_stdin_is_no_sigpipe);
	tcase_add_test(tc, run_reports_exit_status);
	tcase_add_test(tc, run_reports_death_by_signal);
	tcase_add_test(tc, run_timeout_kills_the_group);
	tcase_add_test(tc, run_timeout_escalates_to_sigkill);
	tcase_add_test(tc, run_kills_leftovers_at_exit);
	tcase_add_test(tc, env_is_scrubbed);
	tcase_add_test(tc, env_explicit_is_scrubbed_too);
	tcase_add_test(tc, stray_fds_are_closed);
	tcase_add_test(tc, stdio_can_be_swapped);
	tcase_add_test(tc, spawn_leads_a_group_and_is_reaped);
	tcase_add_test(tc, signals_are_reset);
	tcase_add_loop_test(tc, status_text, 0,
	    sizeof(statuses) / sizeof(statuses[0]));
	suite_add_tcase(s, tc);

	tcase_set_timeout(leaks, 30);
	tcase_add_test(leaks, no_fd_or_child_leaks);
	suite_add_tcase(s, leaks);
	return s;
}
