/*
 * One logger for every daemon, after OpenBSD's log.c: stderr in the
 * foreground, syslog otherwise, errno kept intact.
 *
 * Under systemd the foreground's stderr is a journal stream (systemd says
 * so in JOURNAL_STREAM, the stream's "device:inode").  There each line
 * starts with its sd-daemon priority prefix ("<3>"), so `journalctl -p err`
 * finds the errors, and carries no timestamp: the journal stamps it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int	 log_foreground = 1;
static int	 log_journal;
static int	 log_named;	/* the journal's name for us is not ours */
static int	 log_verbose;
static const char *log_progname = "vrouter";

/* Is fd the stream JOURNAL_STREAM names ("%lu:%lu", st_dev:st_ino)? */
static int
is_journal_stream(int fd)
{
	const char		*env = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;
	char			 end;

	if (env == NULL || sscanf(env, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return 0;
	if (fstat(fd, &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int foreground, const char *progname, int facility)
{
	int	 saved_errno = errno;

	log_foreground = foreground;
	if (progname != NULL)
		log_progname = progname;
	log_journal = foreground && is_journal_stream(STDERR_FILENO);
	log_named = strcmp(log_progname, program_invocation_short_name) != 0;
	if (!foreground)
		openlog(log_progname, LOG_PID | LOG_NDELAY, facility);
	errno = saved_errno;
}

void
log_setverbose(int level)
{
	log_verbose = level;
}

int
log_getverbose(void)
{
	return log_verbose;
}

static void	vlog(int, const char *, va_list, const char *)
		    __attribute__((format(printf, 2, 0)));

/*
 * A journal line: the priority, and our name only where the journal's
 * (the unit's process name) would be wrong, as for hostd's channel
 * engine.  A newline inside would start a line of default priority.
 */
static void
log_journal_line(int pri, const char *msg, const char *suffix)
{
	char	 line[1200], *p;
	ssize_t	 w;
	int	 n;

	n = snprintf(line, sizeof(line), "<%d>%s%s%s%s%s", LOG_PRI(pri),
	    log_named ? log_progname : "", log_named ? ": " : "", msg,
	    suffix ? ": " : "", suffix ? suffix : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	for (p = line; p < line + n; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	line[n++] = '\n';
	/* One write: hostd and its engine share the stream. */
	w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *suffix)
{
	char		 msg[1024];
	struct timespec	 ts;
	struct tm	 tm;
	int		 saved_errno = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_journal)
		log_journal_line(pri, msg, suffix);
	else if (log_foreground) {
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s: %s%s%s\n",
		    tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		    log_progname, msg, suffix ? ": " : "",
		    suffix ? suffix : "");
		fflush(stderr);
	} else
		syslog(pri, "%s%s%s", msg, suffix ? ": " : "",
		    suffix ? suffix : "");
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, strerror(saved_errno));
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, saved_errno ? strerror(saved_errno) : NULL);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}
