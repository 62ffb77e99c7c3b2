/*
 * systemd service notifications (sd_notify(3)) for the daemons run as
 * Type=notify units: READY=1 once the daemon serves, STATUS= lines,
 * STOPPING=1, and WATCHDOG=1 from the event loop itself, so a wedged loop
 * is restarted.  Without NOTIFY_SOCKET (not started by systemd) every call
 * does nothing.
 *
 * NOTIFY_SOCKET and WATCHDOG_* stay in the daemon's environment (the pings
 * need them); a child must not inherit them: lib/proc.c leaves them out,
 * and a process forked otherwise calls sdnotify_forget() before its exec.
 */
#ifndef VR_SDNOTIFY_H
#define VR_SDNOTIFY_H

#include <event2/event.h>

/*
 * If systemd expects watchdog pings from this process (WATCHDOG_USEC, and
 * WATCHDOG_PID if set is ours), arm a timer on base that sends WATCHDOG=1
 * every half of that interval.  0, or -1 if the timer cannot be made.
 * The timer is ours; sdnotify_free() frees it.
 */
int	sdnotify_init(struct event_base *base);
void	sdnotify_free(void);

/*
 * READY=1 with a STATUS= line, once per process: call it only when the
 * control socket listens and what the daemon sets up (NAT, routes) is in
 * place.
 */
void	sdnotify_ready(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	sdnotify_status(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	sdnotify_stopping(void);

/* In a forked child, before exec: drop NOTIFY_SOCKET and WATCHDOG_*. */
void	sdnotify_forget(void);

#endif
