/*
 * sd_notify(3) glue: READY, STATUS, STOPPING and the event loop's
 * watchdog pings.  libsystemd does the sending (abstract sockets,
 * credentials); this file only decides when.
 *
 * libsystemd is loaded only when systemd asked for notifications
 * (NOTIFY_SOCKET is set), as systemd's own tools load their optional
 * libraries: with the compression and crypto libraries it brings it maps
 * about 0.8 MB into every process, and hostd's unprivileged channel engine
 * (which never notifies), the tests and the lab never need it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evglue.h"
#include "log.h"
#include "sdnotify.h"

/* sd_notify(3) and sd_watchdog_enabled(3), as libsystemd exports them. */
typedef int	(*sd_notify_fn)(int, const char *);
typedef int	(*sd_watchdog_enabled_fn)(int, uint64_t *);

static void			*libsd;
static sd_notify_fn		 p_sd_notify;
static sd_watchdog_enabled_fn	 p_sd_watchdog_enabled;

static struct event	*ev_watchdog;
static unsigned int	 watchdog_ms;
static int		 ready_sent;
static int		 warned;

/* 1 once libsystemd is there to talk to systemd; 0 when not asked to. */
static int
load(void)
{
	if (p_sd_notify != NULL)
		return 1;
	if (libsd != NULL || getenv("NOTIFY_SOCKET") == NULL)
		return 0;
	if ((libsd = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL)) ==
	    NULL) {
		log_warnx("NOTIFY_SOCKET is set, but libsystemd: %s",
		    dlerror());
		libsd = (void *)&libsd;	/* tried: do not try again */
		return 0;
	}
	*(void **)&p_sd_notify = dlsym(libsd, "sd_notify");
	*(void **)&p_sd_watchdog_enabled = dlsym(libsd, "sd_watchdog_enabled");
	if (p_sd_notify == NULL || p_sd_watchdog_enabled == NULL) {
		log_warnx("libsystemd without sd_notify: not notifying");
		p_sd_notify = NULL;
		return 0;
	}
	return 1;
}

/* Send one notification; the first failure is logged, no other. */
static void
notify(const char *state)
{
	int	 r, saved_errno = errno;

	if (!load())
		return;
	if ((r = p_sd_notify(0, state)) < 0 && !warned) {
		warned = 1;
		log_warnx("sd_notify %.*s: %s", (int)strcspn(state, "\n"),
		    state, strerror(-r));
	}
	errno = saved_errno;
}

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify("WATCHDOG=1");
	evtimer_add_ms(ev_watchdog, watchdog_ms);
}

int
sdnotify_init(struct event_base *base)
{
	uint64_t	 usec, ms;
	int		 r;

	if (!load())
		return 0;
	if ((r = p_sd_watchdog_enabled(0, &usec)) < 0)
		log_warnx("systemd watchdog: %s; not pinging", strerror(-r));
	if (r <= 0)
		return 0;
	ms = usec / 2000;
	watchdog_ms = ms < 1 ? 1 : ms > UINT_MAX ? UINT_MAX : (unsigned int)ms;
	if ((ev_watchdog = evtimer_new(base, on_watchdog, NULL)) == NULL)
		return -1;
	evtimer_add_ms(ev_watchdog, watchdog_ms);
	log_debug("systemd watchdog: %llu ms; pinging every %u ms",
	    (unsigned long long)(usec / 1000), watchdog_ms);
	return 0;
}

void
sdnotify_free(void)
{
	if (ev_watchdog != NULL)
		event_free(ev_watchdog);
	ev_watchdog = NULL;
}

static void	status(const char *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static void
status(const char *prefix, const char *fmt, va_list ap)
{
	char	 msg[512], line[600];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* A newline would end the STATUS= assignment. */
	msg[strcspn(msg, "\n")] = '\0';
	snprintf(line, sizeof(line), "%sSTATUS=%s", prefix, msg);
	notify(line);
}

void
sdnotify_ready(const char *fmt, ...)
{
	va_list	 ap;

	if (ready_sent)
		return;
	ready_sent = 1;
	va_start(ap, fmt);
	status("READY=1\n", fmt, ap);
	va_end(ap);
}

void
sdnotify_status(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	status("", fmt, ap);
	va_end(ap);
}

void
sdnotify_stopping(void)
{
	notify("STOPPING=1\nSTATUS=stopping");
}

void
sdnotify_forget(void)
{
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}
