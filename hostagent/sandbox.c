/*
 * The channel engine's sandbox, after bgpd's session engine: an empty
 * root, an unprivileged user with no capabilities, and a system call
 * filter that allows what a libevent loop over inherited sockets needs
 * and kills the process for anything else.  Everything the engine ever
 * opens reaches it over the socketpair, so it needs no file system.
 */
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostd.h"
#include "log.h"

/* What the engine's loop uses after the sandbox is up. */
static const int allowed[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev),
	SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(sendto),
	SCMP_SYS(recvfrom), SCMP_SYS(close), SCMP_SYS(fcntl),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl),
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(getpid),
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(mprotect), SCMP_SYS(futex),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
	SCMP_SYS(newfstatat), SCMP_SYS(fstat), SCMP_SYS(getrandom),
	SCMP_SYS(sched_yield), SCMP_SYS(gettid),
};

/* The empty root, made with its parents if missing; root's alone. */
int
sandbox_make_root(const char *dir)
{
	struct stat	 sb;
	char		 path[256], *p;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return -1;
	if (lstat(dir, &sb) == -1)
		return -1;
	/* Only root may be able to put anything in it. */
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != 0 ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH))) {
		errno = EPERM;
		log_warnx("%s: not a folder only root can write", dir);
		return -1;
	}
	return 0;
}

/*
 * A user from /etc/passwd itself, where system users live: going through
 * NSS would map its modules (and what they need, 0.6 MB here) into the
 * engine for good.
 */
static struct passwd *
passwd_file(const char *name)
{
	struct passwd	*pw;
	FILE		*f;

	if ((f = fopen("/etc/passwd", "re")) == NULL)
		return NULL;
	while ((pw = fgetpwent(f)) != NULL)
		if (strcmp(pw->pw_name, name) == 0)
			break;
	fclose(f);
	return pw;
}

static struct passwd *
lookup(const char *name)
{
	struct passwd	*pw;

	if ((pw = passwd_file(name)) == NULL)
		pw = getpwnam(name);
	return pw;
}

/* The engine's user, looked up while /etc/passwd is still in reach. */
static int
find_user(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;

	if (user != NULL)
		pw = lookup(user);
	else if ((pw = passwd_file(SANDBOX_USER)) == NULL &&
	    (pw = passwd_file("nobody")) == NULL &&
	    (pw = getpwnam(SANDBOX_USER)) == NULL)
		pw = getpwnam("nobody");
	if (pw == NULL) {
		log_warnx("user %s not found", user != NULL ? user :
		    SANDBOX_USER " (nor nobody)");
		errno = ENOENT;
		return -1;
	}
	if (pw->pw_uid == 0) {
		log_warnx("the channel engine may not run as root");
		errno = EPERM;
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static int
drop_user(uid_t uid, gid_t gid)
{
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1)
		return -1;
	/* No way back. */
	if (setuid(0) != -1 || seteuid(0) != -1) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

static int
load_filter(void)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rv;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if ((rv = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i],
		    0)) < 0)
			goto fail;
	/* Sockets it is given, never new ones, nor anything to exec. */
	if ((rv = seccomp_load(ctx)) < 0)
		goto fail;
	seccomp_release(ctx);
	return 0;
fail:
	seccomp_release(ctx);
	errno = -rv;
	return -1;
}

/*
 * Enter the sandbox: chroot to chroot_dir (made if missing), become user
 * (SANDBOX_USER, else nobody), lose every capability, load the filter.
 * Started by hand as another user than root, only the filter applies.
 * Returns 0, or -1 with errno: the caller must not go on.
 */
int
sandbox_enter(const char *user, const char *chroot_dir)
{
	uid_t	 uid;
	gid_t	 gid;

	tzset();	/* localtime_r() cannot read /etc/localtime later */
	if (geteuid() == 0) {
		if (find_user(user, &uid, &gid) == -1)
			return -1;
		if (sandbox_make_root(chroot_dir) == -1) {
			log_warn("%s", chroot_dir);
			return -1;
		}
		if (chroot(chroot_dir) == -1 || chdir("/") == -1) {
			log_warn("chroot %s", chroot_dir);
			return -1;
		}
		if (drop_user(uid, gid) == -1) {
			log_warn("dropping privileges");
			return -1;
		}
	} else
		log_warnx("channel engine: not started as root, so it keeps "
		    "uid %u; only the system call filter applies",
		    (unsigned int)getuid());
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("no_new_privs");
		return -1;
	}
	if (load_filter() == -1) {
		log_warn("seccomp filter");
		return -1;
	}
	return 0;
}
