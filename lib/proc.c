/*
 * Process runner: fork + execve with a scrubbed environment, no stray
 * descriptors, default signals and a process group of its own; exec errors
 * reported back through a close-on-exec pipe; a synchronous runner with
 * stdin data, bounded captured output and a timeout that kills the group.
 *
 * Between fork and execve the child calls only async-signal-safe
 * functions: everything it needs (environment, sorted descriptor list) is
 * prepared by the parent before the fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"

extern char **environ;

/* Prefixes and names never passed to a child (see glibc's unsecvars.h). */
static const char *const unsafe_prefixes[] = {
	"LD_", "BASH_FUNC_", "MALLOC_",
};
static const char *const unsafe_names[] = {
	"PATH",		/* replaced by PROC_SAFE_PATH */
	"IFS", "ENV", "BASH_ENV", "CDPATH", "GLOBIGNORE", "PS4",
	"SHELLOPTS", "BASHOPTS",
	"GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES", "HOSTALIASES",
	"LOCALDOMAIN", "LOCPATH", "NIS_PATH", "NLSPATH", "RESOLV_HOST_CONF",
	"RES_OPTIONS", "TMPDIR", "TZDIR",
	/* systemd's, for the daemon alone (keepalived would answer them). */
	"NOTIFY_SOCKET", "WATCHDOG_PID", "WATCHDOG_USEC",
};
static const char safe_path[] = "PATH=" PROC_SAFE_PATH;

static int	 no_pidfd;	/* pidfd_open said ENOSYS: do not ask again */

/* Everything the child needs, prepared before the fork. */
struct child {
	const char	*path;
	char *const	*argv;
	char *const	*envp;
	int		 fds[3];		/* for 0, 1, 2; -1: /dev/null */
	int		 keep[PROC_MAX_KEEP_FDS + 1];	/* sorted, + errfd */
	size_t		 nkeep;
	int		 errfd;			/* write end, close-on-exec */
};

static int
env_safe(const char *entry)
{
	const char	*eq = strchr(entry, '=');
	size_t		 i, n;

	if (eq == NULL || eq == entry)
		return 0;
	n = (size_t)(eq - entry);
	for (i = 0; i < sizeof(unsafe_prefixes) / sizeof(unsafe_prefixes[0]);
	    i++)
		if (strncmp(entry, unsafe_prefixes[i],
		    strlen(unsafe_prefixes[i])) == 0)
			return 0;
	for (i = 0; i < sizeof(unsafe_names) / sizeof(unsafe_names[0]); i++)
		if (strlen(unsafe_names[i]) == n &&
		    strncmp(entry, unsafe_names[i], n) == 0)
			return 0;
	return 1;
}

/*
 * The scrubbed environment: an array the caller frees (the strings are
 * src's, or the static PATH).
 */
static const char **
env_build(const char *const *src)
{
	const char	**env;
	size_t		  i, n = 0;

	if (src == NULL)
		src = (const char *const *)environ;
	while (src != NULL && src[n] != NULL)
		n++;
	if ((env = calloc(n + 2, sizeof(*env))) == NULL)
		return NULL;
	for (i = 0, n = 0; src != NULL && src[i] != NULL; i++)
		if (env_safe(src[i]))
			env[n++] = src[i];
	env[n++] = safe_path;
	env[n] = NULL;
	return env;
}

static int
fd_valid(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) != -1;
}

/* Close every descriptor from lo to hi, inclusive. */
static void
close_fds(unsigned int lo, unsigned int hi)
{
	struct rlimit	 rl;
	unsigned int	 fd, max = 1024;

	if (lo > hi || close_range(lo, hi, 0) == 0)
		return;
	/* Without close_range (Linux < 5.9): every possible descriptor. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= 1048576)
		max = (unsigned int)rl.rlim_cur;
	if (hi >= max)
		hi = max - 1;
	for (fd = lo; fd <= hi; fd++)
		close(fd);
}

static void __attribute__((noreturn))
child_fail(int errfd)
{
	int	 e = errno;
	ssize_t	 rv;

	do
		rv = write(errfd, &e, sizeof(e));
	while (rv == -1 && errno == EINTR);
	_exit(127);
}

/* In the child: async-signal-safe calls only. */
static void __attribute__((noreturn))
child_exec(const struct child *c)
{
	struct sigaction sa;
	sigset_t	 none;
	unsigned int	 lo;
	size_t		 i;
	int		 nul = -1, tmp[3];

	/* Copies above 2 first, so that no source is clobbered by dup2. */
	for (i = 0; i < 3; i++) {
		if (c->fds[i] == -1 && nul == -1 &&
		    (nul = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
			child_fail(c->errfd);
		tmp[i] = fcntl(c->fds[i] == -1 ? nul : c->fds[i],
		    F_DUPFD_CLOEXEC, 3);
		if (tmp[i] == -1)
			child_fail(c->errfd);
	}
	for (i = 0; i < 3; i++)
		if (dup2(tmp[i], (int)i) == -1)
			child_fail(c->errfd);
	for (i = 0; i < c->nkeep; i++)
		if (c->keep[i] != c->errfd &&
		    fcntl(c->keep[i], F_SETFD, 0) == -1)
			child_fail(c->errfd);
	/* Everything else goes: the gaps between the kept descriptors. */
	lo = 3;
	for (i = 0; i < c->nkeep; i++) {
		if ((unsigned int)c->keep[i] > lo)
			close_fds(lo, (unsigned int)c->keep[i] - 1);
		lo = (unsigned int)c->keep[i] + 1;
	}
	close_fds(lo, ~0U);

	/* Default dispositions (SIG_IGN survives execve), then no mask. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			(void)sigaction((int)i, &sa, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		child_fail(c->errfd);

	if (setpgid(0, 0) == -1)
		child_fail(c->errfd);
	execve(c->path, c->argv, c->envp);
	child_fail(c->errfd);
}

static void
sort_fds(int *fds, size_t n)
{
	size_t	 i, j;
	int	 v;

	for (i = 1; i < n; i++) {
		v = fds[i];
		for (j = i; j > 0 && fds[j - 1] > v; j--)
			fds[j] = fds[j - 1];
		fds[j] = v;
	}
}

/* Move a descriptor above 2 so that setting up 0..2 cannot clobber it. */
static int
fd_above_stdio(int fd)
{
	int	 nfd;

	if (fd > 2)
		return fd;
	nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

static pid_t
wait_pid(pid_t pid, int *status)
{
	pid_t	 rv;

	do
		rv = waitpid(pid, status, 0);
	while (rv == -1 && errno == EINTR);
	return rv;
}

pid_t
proc_spawn(const struct proc_spec *spec)
{
	union {
		const char *const	*c;
		char *const		*v;
	}		 argv, envp;
	struct child	 c;
	sigset_t	 all, old;
	const char	**env;
	pid_t		 pid;
	ssize_t		 n;
	size_t		 i, j;
	int		 ep[2], err, saved;

	if (spec == NULL || spec->argv == NULL || spec->argv[0] == NULL ||
	    spec->argv[0][0] != '/' ||
	    spec->nkeep_fds > PROC_MAX_KEEP_FDS ||
	    (spec->nkeep_fds > 0 && spec->keep_fds == NULL)) {
		errno = EINVAL;
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.fds[0] = spec->fd_in;
	c.fds[1] = spec->fd_out;
	c.fds[2] = spec->fd_err;
	for (i = 0; i < 3; i++)
		if (c.fds[i] != -1 && !fd_valid(c.fds[i])) {
			errno = EBADF;
			return -1;
		}
	for (i = 0; i < spec->nkeep_fds; i++) {
		if (spec->keep_fds[i] < 3) {
			errno = EINVAL;
			return -1;
		}
		if (!fd_valid(spec->keep_fds[i])) {
			errno = EBADF;
			return -1;
		}
		for (j = 0; j < c.nkeep && c.keep[j] != spec->keep_fds[i]; j++)
			;
		if (j == c.nkeep)
			c.keep[c.nkeep++] = spec->keep_fds[i];
	}

	if ((env = env_build(spec->envp)) == NULL)
		return -1;
	if (pipe2(ep, O_CLOEXEC) == -1) {
		saved = errno;
		free(env);
		errno = saved;
		return -1;
	}
	ep[0] = fd_above_stdio(ep[0]);
	ep[1] = fd_above_stdio(ep[1]);
	if (ep[0] == -1 || ep[1] == -1) {
		saved = errno;
		if (ep[0] != -1)
			close(ep[0]);
		if (ep[1] != -1)
			close(ep[1]);
		free(env);
		errno = saved;
		return -1;
	}
	c.errfd = ep[1];
	c.keep[c.nkeep++] = ep[1];
	sort_fds(c.keep, c.nkeep);
	argv.c = spec->argv;
	envp.c = env;
	c.path = spec->argv[0];
	c.argv = argv.v;
	c.envp = envp.v;

	/* No handler of ours may run in the child before it resets them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		child_exec(&c);
	saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(ep[1]);
	free(env);
	if (pid == -1) {
		close(ep[0]);
		errno = saved;
		return -1;
	}

	/* EOF: execve succeeded.  An int: the errno of the failed step. */
	do
		n = read(ep[0], &err, sizeof(err));
	while (n == -1 && errno == EINTR);
	saved = errno;
	close(ep[0]);
	if (n == 0)
		return pid;
	if (n != (ssize_t)sizeof(err)) {
		/* Cannot tell what the child did: make sure it is gone. */
		err = n == -1 ? saved : EIO;
		kill(pid, SIGKILL);
	}
	wait_pid(pid, NULL);
	errno = err;
	return -1;
}

/* What proc_run keeps track of. */
struct run {
	pid_t		 pid;
	int		 pidfd;		/* -1: no pidfd_open, poll instead */
	int		 infd;		/* -1 once all input is written */
	int		 outfd;		/* -1 at EOF */
	const uint8_t	*input;
	size_t		 inlen, inoff;
	char		*out;
	size_t		 outsz, outlen;
};

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

/* Has the child exited?  It stays a zombie, so its pgid stays its own. */
static int
exited(const struct run *r)
{
	siginfo_t	 si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == -1)
		return errno != EINTR;	/* ECHILD: someone reaped it */
	return si.si_pid != 0;
}

/* Read what is there (a bounded amount, so a chatty child cannot stall). */
static void
take_output(struct run *r)
{
	char	 scratch[4096];
	size_t	 room, want;
	ssize_t	 n;
	int	 rounds;

	for (rounds = 0; rounds < 16 && r->outfd != -1; rounds++) {
		room = r->outsz > 0 ? r->outsz - 1 - r->outlen : 0;
		want = room > 0 ? room : sizeof(scratch);
		n = read(r->outfd, room > 0 ? r->out + r->outlen : scratch,
		    want);
		if (n > 0) {
			if (room > 0)
				r->outlen += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		close_fd(&r->outfd);	/* EOF, or an error: no more output */
	}
}

static void
give_input(struct run *r)
{
	size_t	 want;
	ssize_t	 n;

	while (r->infd != -1 && r->inoff < r->inlen) {
		want = r->inlen - r->inoff;
		if (want > 65536)
			want = 65536;
		n = write(r->infd, r->input + r->inoff, want);
		if (n > 0) {
			r->inoff += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		break;			/* EPIPE: the child stopped reading */
	}
	close_fd(&r->infd);
}

/*
 * Move input and output until the child exits (1) or the deadline passes
 * (0); -1 with errno if poll fails.
 */
static int
pump(struct run *r, int64_t deadline)
{
	struct pollfd	 pfd[3];
	int64_t		 left;
	nfds_t		 n;
	int		 rv;

	for (;;) {
		if (exited(r))
			return 1;
		if ((left = deadline - now_ms()) <= 0)
			return 0;
		if (r->pidfd == -1 && left > 10)
			left = 10;
		n = 0;
		if (r->infd != -1) {
			pfd[n].fd = r->infd;
			pfd[n++].events = POLLOUT;
		}
		if (r->outfd != -1) {
			pfd[n].fd = r->outfd;
			pfd[n++].events = POLLIN;
		}
		if (r->pidfd != -1) {
			pfd[n].fd = r->pidfd;
			pfd[n++].events = POLLIN;
		}
		rv = poll(pfd, n, (int)left);
		if (rv == -1 && errno != EINTR)
			return -1;
		take_output(r);
		give_input(r);
	}
}

/*
 * Signal the child's group, and the child itself in case the group is
 * gone: the child is not reaped yet, so its pid cannot have been reused.
 */
static void
signal_child(const struct run *r, int sig)
{
	proc_kill_group(r->pid, sig);
	kill(r->pid, sig);
}

static int
set_nonblock(int fd)
{
	int	 fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
proc_run(const struct proc_spec *spec, const void *input, size_t inlen,
    char *out, size_t outsz, size_t *outlen, int timeout_ms, int *status)
{
	struct proc_spec s;
	struct run	 r;
	struct timespec	 zero = { 0, 0 };
	sigset_t	 pipeset, oldmask, pending;
	int		 inp[2] = { -1, -1 }, outp[2] = { -1, -1 };
	int		 rv = -1, err = 0, sigpipe_was_pending, done;

	if (spec == NULL || status == NULL || timeout_ms <= 0 ||
	    (out == NULL && outsz > 0) || (input == NULL && inlen > 0)) {
		errno = EINVAL;
		return -1;
	}
	if (outlen != NULL)
		*outlen = 0;
	if (outsz > 0)
		out[0] = '\0';
	memset(&r, 0, sizeof(r));
	r.pid = -1;
	r.pidfd = r.infd = r.outfd = -1;
	r.input = input;
	r.inlen = inlen;
	r.out = out;
	r.outsz = outsz;

	/* A child that stops reading must not SIGPIPE the caller. */
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	sigpending(&pending);
	sigpipe_was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipeset, &oldmask);

	s = *spec;
	if (inlen > 0) {
		if (pipe2(inp, O_CLOEXEC) == -1)
			goto fail;
		s.fd_in = inp[0];
		r.infd = inp[1];	/* r owns the parent's ends from here */
		inp[1] = -1;
	}
	if (pipe2(outp, O_CLOEXEC) == -1)
		goto fail;
	s.fd_out = s.fd_err = outp[1];
	r.outfd = outp[0];
	outp[0] = -1;
	r.pid = proc_spawn(&s);
	close_fd(&inp[0]);
	close_fd(&outp[1]);
	if (r.pid == -1)
		goto fail;
	if ((r.infd != -1 && set_nonblock(r.infd) == -1) ||
	    set_nonblock(r.outfd) == -1)
		goto fail;
	/* Without pidfds (Linux < 5.3, valgrind) poll for the exit. */
	if (!no_pidfd && (r.pidfd = pidfd_open(r.pid, 0)) == -1 &&
	    errno == ENOSYS)
		no_pidfd = 1;

	if ((done = pump(&r, now_ms() + timeout_ms)) == -1)
		goto fail;
	if (done == 0) {
		close_fd(&r.infd);
		signal_child(&r, SIGTERM);
		if (pump(&r, now_ms() + PROC_KILL_GRACE_MS) == -1)
			goto fail;
	}
	/* Whatever is left of the group (or the group, late) goes now. */
	signal_child(&r, SIGKILL);
	take_output(&r);
	if (wait_pid(r.pid, status) == -1) {
		r.pid = -1;		/* reaped elsewhere: no longer ours */
		goto fail;
	}
	r.pid = -1;
	if (done == 0)
		err = ETIMEDOUT;
	else
		rv = 0;
	goto out;

fail:
	err = errno;
	if (r.pid != -1) {
		signal_child(&r, SIGKILL);
		wait_pid(r.pid, NULL);
	}
out:
	close_fd(&inp[0]);
	close_fd(&outp[1]);
	close_fd(&r.infd);
	close_fd(&r.outfd);
	close_fd(&r.pidfd);
	if (outsz > 0)
		out[r.outlen] = '\0';
	if (outlen != NULL)
		*outlen = r.outlen;
	sigpending(&pending);
	if (!sigpipe_was_pending && sigismember(&pending, SIGPIPE))
		sigtimedwait(&pipeset, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	if (rv == -1)
		errno = err;
	return rv;
}

int
proc_kill_group(pid_t pgid, int sig)
{
	if (pgid <= 1) {
		errno = EINVAL;
		return -1;
	}
	return kill(-pgid, sig);
}

int
proc_reap(pid_t *pid, int *status)
{
	pid_t	 p;
	int	 saved = errno, st;

	do
		p = waitpid(-1, &st, WNOHANG);
	while (p == -1 && errno == EINTR);
	if (p > 0) {
		*pid = p;
		*status = st;
	} else if (p == -1 && errno != ECHILD)
		return -1;
	errno = saved;
	return p > 0;
}

static void
signame(int sig, char *buf, size_t size)
{
	const char	*abbrev = sigabbrev_np(sig);

	if (abbrev != NULL)
		snprintf(buf, size, " (SIG%s)", abbrev);
	else
		buf[0] = '\0';
}

const char *
proc_status_str(int status, char *buf, size_t size)
{
	char	 name[32];

	if (size == 0)
		return buf;
	if (WIFEXITED(status))
		snprintf(buf, size, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		signame(WTERMSIG(status), name, sizeof(name));
		snprintf(buf, size, "killed by signal %d%s%s",
		    WTERMSIG(status), name,
		    WCOREDUMP(status) ? ", core dumped" : "");
	} else if (WIFSTOPPED(status)) {
		signame(WSTOPSIG(status), name, sizeof(name));
		snprintf(buf, size, "stopped by signal %d%s",
		    WSTOPSIG(status), name);
	} else if (WIFCONTINUED(status))
		snprintf(buf, size, "continued");
	else
		snprintf(buf, size, "unknown wait status %#x", status);
	return buf;
}

int
proc_which(const char *name, char *path, size_t size)
{
	const char	*dir, *end;
	struct stat	 st;
	int		 n, toolong = 0;

	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL ||
	    path == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (dir = PROC_SAFE_PATH; *dir != '\0'; dir = *end ? end + 1 : end) {
		end = strchr(dir, ':');
		if (end == NULL)
			end = dir + strlen(dir);
		n = snprintf(path, size, "%.*s/%s", (int)(end - dir), dir,
		    name);
		if (n < 0 || (size_t)n >= size) {
			toolong = 1;
			continue;
		}
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(path, X_OK) == 0)
			return 0;
	}
	if (size > 0)
		path[0] = '\0';
	errno = toolong ? ENAMETOOLONG : ENOENT;
	return -1;
}
