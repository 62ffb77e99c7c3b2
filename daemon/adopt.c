/*
 * Children a previous vrouterd left running.  A vrouterd that crashed, or
 * that was restarted on purpose, leaves keepalived and conntrackd serving
 * traffic; the next one takes them over instead of starting second copies
 * (which would take the VIP from the running keepalived and fail over).
 *
 * Each start records the child's pid and the kernel's start time for that
 * pid in rundir/NAME.child.  A record counts only while /proc shows that
 * pid with that start time, leading its own process group, and running
 * the same program: a reused pid, or a program someone else started, is
 * never taken for ours.  One that runs another command line than we would
 * start (a vrouterd of another version started it) is ours but outdated:
 * adopted, to be replaced without moving traffic (vrouterd.c).
 *
 * Without a record (a vrouterd from before records, or one that died
 * before writing it), adopt_scan looks through /proc for a group leader
 * running exactly our command line: in a router VM, a keepalived reading
 * our keepalived.conf from our runtime folder can only be ours.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "vrouterd.h"

#define CMDLINE_MAX	4096

int
adopt_parse_stat(const char *text, size_t len, pid_t *pgid,
    unsigned long long *starttime)
{
	const char	*p, *end = text + len;
	long long	 grp;
	int		 field;

	/* The name, in parentheses, may hold anything: skip to its last ')'. */
	for (p = end; p > text && p[-1] != ')'; p--)
		;
	if (p == text)
		return -1;
	/* Fields from 3 (state) on, separated by single spaces. */
	for (field = 2; p < end && field < 22; ) {
		if (*p++ != ' ')
			continue;
		field++;
		if (field == 5) {
			if (sscanf(p, "%lld", &grp) != 1)
				return -1;
			*pgid = (pid_t)grp;
		}
		if (field == 22)
			return sscanf(p, "%llu", starttime) == 1 ? 0 : -1;
	}
	return -1;
}

static const char *
base_name(const char *path)
{
	const char	*slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

int
adopt_same_program(const char *cmdline, size_t len, const char *path)
{
	if (len == 0 || memchr(cmdline, '\0', len) == NULL)
		return 0;
	return strcmp(base_name(cmdline), base_name(path)) == 0;
}

int
adopt_cmdline_matches(const char *cmdline, size_t len, char *const argv[])
{
	size_t	 off = 0, n;
	int	 i;

	for (i = 0; argv[i] != NULL; i++) {
		n = strlen(argv[i]) + 1;
		if (off + n > len || memcmp(cmdline + off, argv[i], n) != 0)
			return 0;
		off += n;
	}
	return off == len;
}

static ssize_t
read_small(const char *path, char *buf, size_t size)
{
	ssize_t	 n, total = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while ((size_t)total < size - 1 &&
	    (n = read(fd, buf + total, size - 1 - (size_t)total)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		total += n;
	}
	close(fd);
	buf[total] = '\0';
	return total;
}

/* Its start time, if pid leads its own group; -1 otherwise. */
static int
proc_identity(pid_t pid, unsigned long long *starttime)
{
	char		 path[64], buf[1024];
	ssize_t		 n;
	pid_t		 pgid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((n = read_small(path, buf, sizeof(buf))) <= 0)
		return -1;
	if (adopt_parse_stat(buf, (size_t)n, &pgid, starttime) == -1) {
		log_warnx("%s: cannot read it", path);
		return -1;
	}
	return pgid == pid ? 0 : -1;
}

int
adopt_record(const char *path, pid_t pid)
{
	char			 tmp[320];
	unsigned long long	 start;
	FILE			*f;

	if (proc_identity(pid, &start) == -1) {
		log_warnx("%s: pid %d is gone already", path, (int)pid);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((f = fopen(tmp, "we")) == NULL) {
		log_warn("%s", tmp);
		return -1;
	}
	fprintf(f, "%d %llu\n", (int)pid, start);
	if (fclose(f) == EOF || rename(tmp, path) == -1) {
		log_warn("%s", path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

void
adopt_forget(const char *path)
{
	if (unlink(path) == -1 && errno != ENOENT)
		log_warn("%s", path);
}

int
adopt_find(const char *path, char *const argv[], pid_t *pidp,
    unsigned long long *startp)
{
	char			 buf[CMDLINE_MAX], proc[64];
	unsigned long long	 start, now;
	long long		 pid;
	ssize_t			 n;

	if (read_small(path, buf, sizeof(buf)) == -1) {
		if (errno != ENOENT)
			log_warn("%s", path);
		return 0;
	}
	if (sscanf(buf, "%lld %llu", &pid, &start) != 2 || pid <= 1 ||
	    pid > INT32_MAX) {
		log_warnx("%s: not a record of ours: ignored", path);
		return 0;
	}
	if (proc_identity((pid_t)pid, &now) == -1 || now != start) {
		log_info("%s: pid %lld is not running any more", path, pid);
		return 0;
	}
	snprintf(proc, sizeof(proc), "/proc/%lld/cmdline", pid);
	if ((n = read_small(proc, buf, sizeof(buf))) == -1 ||
	    !adopt_same_program(buf, (size_t)n, argv[0])) {
		log_warnx("%s: pid %lld runs another program: not ours",
		    path, pid);
		return 0;
	}
	*pidp = (pid_t)pid;
	*startp = start;
	if (!adopt_cmdline_matches(buf, (size_t)n, argv)) {
		log_warnx("%s: pid %lld runs another command line than ours: "
		    "outdated", path, pid);
		return 2;
	}
	return 1;
}

int
adopt_scan(char *const argv[], pid_t *pidp, unsigned long long *startp)
{
	char			 path[64], buf[CMDLINE_MAX];
	unsigned long long	 start;
	struct dirent		*de;
	DIR			*d;
	char			*end;
	long			 pid;
	ssize_t			 n;
	int			 found = 0;

	if ((d = opendir("/proc")) == NULL) {
		log_warn("/proc");
		return 0;
	}
	while (!found && (de = readdir(d)) != NULL) {
		pid = strtol(de->d_name, &end, 10);
		if (*end != '\0' || pid <= 1 || pid == (long)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
		if ((n = read_small(path, buf, sizeof(buf))) <= 0 ||
		    !adopt_cmdline_matches(buf, (size_t)n, argv) ||
		    proc_identity((pid_t)pid, &start) == -1)
			continue;
		*pidp = (pid_t)pid;
		*startp = start;
		found = 1;
	}
	closedir(d);
	return found;
}

int
adopt_same(pid_t pid, unsigned long long start)
{
	unsigned long long	 now;

	return proc_identity(pid, &now) == 0 && now == start;
}
