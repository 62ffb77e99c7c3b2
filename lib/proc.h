/*
 * Running other programs (iptables-restore, conntrackd, keepalived) the
 * one safe way: fork and execve, never system() or a shell.
 *
 * Every child
 *  - is started from an absolute path (proc_which finds one at start-up);
 *  - gets a scrubbed environment: LD_*, IFS, ENV, BASH_ENV, BASH_FUNC_*
 *    and the other variables glibc drops for set-uid programs are removed,
 *    and systemd's NOTIFY_SOCKET and WATCHDOG_* (the daemon's, not the
 *    child's), and PATH is set to PROC_SAFE_PATH;
 *  - gets stdin/stdout/stderr as asked (/dev/null by default) and no other
 *    descriptor except those listed in keep_fds;
 *  - starts with an empty signal mask and every signal at SIG_DFL (an
 *    ignored SIGPIPE in the daemon would otherwise be inherited);
 *  - leads a new process group (pgid == pid), so the whole group can be
 *    signalled: killing only keepalived's parent leaves a VRRP child alive.
 * A failed execve is reported to the caller as -1 and the execve errno,
 * through a close-on-exec pipe, not as a child that exits 127.
 *
 * Reaping.  An event-driven daemon reaps with a libevent signal event on
 * SIGCHLD whose callback loops on proc_reap():
 *
 *	static void
 *	on_sigchld(evutil_socket_t sig, short what, void *arg)
 *	{
 *		pid_t	 pid;
 *		int	 status;
 *
 *		while (proc_reap(&pid, &status) == 1)
 *			child_exited(arg, pid, status);
 *	}
 *	...
 *	ev = evsignal_new(base, SIGCHLD, on_sigchld, sup);
 *
 * proc_run() and a failed proc_spawn() reap their own child with waitpid()
 * on its pid before they return, so they never take a child the event
 * loop is waiting for, and the event loop never sees theirs.  SIGCHLD must
 * not be set to SIG_IGN: the kernel would then reap every child itself and
 * nobody could learn how it ended.  All functions return -1 and set errno
 * on failure.
 *
 * Signal safety: none of these is for a signal handler except proc_reap
 * and proc_kill_group; the daemons call them from libevent callbacks.
 */
#ifndef VR_PROC_H
#define VR_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* PATH in every child's environment, and where proc_which looks. */
#define PROC_SAFE_PATH		"/usr/sbin:/usr/bin:/sbin:/bin"

/* Time a process group gets between SIGTERM and SIGKILL in proc_run. */
#define PROC_KILL_GRACE_MS	250

/* At most this many keep_fds. */
#define PROC_MAX_KEEP_FDS	16

struct proc_spec {
	/* argv[0] is the absolute path of the program; NULL-terminated. */
	const char *const	*argv;
	/*
	 * The child's environment: NULL for a copy of the caller's environ.
	 * Either way it is scrubbed as described above.
	 */
	const char *const	*envp;
	/* Descriptors for the child's 0, 1, 2; -1 means /dev/null. */
	int			 fd_in;
	int			 fd_out;
	int			 fd_err;
	/* More descriptors (>= 3) the child keeps, at the same numbers. */
	const int		*keep_fds;
	size_t			 nkeep_fds;
};

/* Start from this: every standard descriptor on /dev/null. */
#define PROC_SPEC_INIT(argv)	{ (argv), NULL, -1, -1, -1, NULL, 0 }

/*
 * Start spec->argv[0] as described at the top of this file.  Returns the
 * child's pid, which is also its process group id, once execve has
 * succeeded; or -1 with errno: EINVAL (no argv, relative path, bad
 * keep_fds), EBADF (a descriptor in spec is not open), or the errno of
 * pipe/fork/execve (ENOENT, EACCES, ENOEXEC, ...).  The caller owns the
 * child and must reap it (proc_reap or waitpid).  The descriptors in spec
 * stay the caller's: the child gets its own copies.
 */
pid_t	proc_spawn(const struct proc_spec *spec);

/*
 * Run spec->argv[0] to completion: write the inlen bytes at input to its
 * stdin (spec->fd_in is used instead when inlen is 0), capture its stdout
 * and stderr together into out, and wait at most timeout_ms (> 0) for it.
 * spec->fd_out and fd_err are ignored.
 *
 * out (the caller's buffer of outsz bytes, or NULL with outsz 0) receives
 * at most outsz - 1 bytes and is NUL-terminated; more output is read and
 * thrown away, so the child never blocks on a full pipe.  *outlen (may be
 * NULL) is set to the number of bytes stored.
 *
 * When the program exits, anything it left in its process group is sent
 * SIGKILL.  On timeout the group gets SIGTERM, PROC_KILL_GRACE_MS later
 * SIGKILL.  SIGPIPE from a child that stops reading is not delivered to
 * the caller.
 *
 * Returns 0 when the program ran and exited by itself, with its wait
 * status in *status (which may be non-zero: see proc_status_str); -1 with
 * errno ETIMEDOUT when it was killed for the timeout (*status is then the
 * killed status); -1 with another errno when it could not be run (as
 * proc_spawn) or I/O with it failed.  No descriptor or child is left
 * behind in any case.
 */
int	proc_run(const struct proc_spec *spec, const void *input, size_t inlen,
	    char *out, size_t outsz, size_t *outlen, int timeout_ms,
	    int *status);

/*
 * Send sig to the process group pgid (a pid from proc_spawn).  -1 with
 * EINVAL for pgid <= 1, which kill() would take as "every process" or
 * "my own group"; otherwise as kill(2).
 */
int	proc_kill_group(pid_t pgid, int sig);

/*
 * Reap one child that has exited, without blocking: waitpid(-1, WNOHANG).
 * Returns 1 with *pid and *status set, 0 when no child has exited (or
 * there is none), -1 with errno on error.  Call it in a loop from the
 * SIGCHLD event callback until it returns 0: signals merge, so one event
 * may stand for several children.  Async-signal-safe; keeps errno.
 */
int	proc_reap(pid_t *pid, int *status);

/*
 * Describe a wait status for a log line: "exited 3", "killed by signal 9
 * (SIGKILL)", "killed by signal 11 (SIGSEGV), core dumped", "stopped by
 * signal 19 (SIGSTOP)".  Writes into the caller's buf of size bytes
 * (truncated to fit) and returns buf.
 */
const char *proc_status_str(int status, char *buf, size_t size);

/*
 * Find the program name (no slash) in PROC_SAFE_PATH, as the daemons do
 * at start-up for iptables-restore and friends.  Writes the absolute path
 * into the caller's path buffer of size bytes.  Returns 0, or -1 with
 * errno EINVAL (name empty or has a slash), ENOENT (not found as an
 * executable regular file) or ENAMETOOLONG.
 */
int	proc_which(const char *name, char *path, size_t size);

#endif
