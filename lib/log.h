/*
 * Logging shared by every vrouter daemon and tool.
 *
 * In the foreground (log_init(1, ...)) messages go to stderr, each line
 * stamped with the time; otherwise to syslog.  When stderr is systemd's
 * journal stream (JOURNAL_STREAM names it) a line is instead "<N>message":
 * the sd-daemon priority prefix (<3> errors, <6> info, <7> debug) and no
 * time of our own, the journal's being the one.  Every function preserves
 * errno so a caller can log and then still test or return errno.
 * fatal()/fatalx() exit(1) and are for start-up code only: a running
 * daemon logs and carries on.
 */
#ifndef VR_LOG_H
#define VR_LOG_H

#include <stdarg.h>

void	log_init(int foreground, const char *progname, int facility);
void	log_setverbose(int level);
int	log_getverbose(void);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
