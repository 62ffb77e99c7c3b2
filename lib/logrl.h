/*
 * Log lines that a tenant can provoke are rate-limited per source: a few
 * lines per interval pass, the rest are counted, and the count is
 * reported once when the interval ends ("suppressed N").  Pure: the
 * caller passes monotonic milliseconds.
 */
#ifndef VR_LOGRL_H
#define VR_LOGRL_H

#include <stdarg.h>
#include <stdint.h>

#define LOGRL_INTERVAL_MS	10000
#define LOGRL_LINES		5	/* lines per source per interval */

struct logrl {
	uint64_t	 window_ms;	/* start of the current interval */
	uint32_t	 lines;		/* lines written in it */
	uint32_t	 suppressed;	/* lines counted, not written */
};

/* 1: write this line; 0: it was counted as suppressed. */
int	 logrl_allow(struct logrl *, uint64_t now_ms);
/*
 * Once the interval is over: the number suppressed in it (to be reported
 * in one line), and a new interval starts.  0 while it lasts, or if
 * nothing was suppressed.
 */
uint32_t logrl_flush(struct logrl *, uint64_t now_ms);

/*
 * Log "vm WHO: message" (a warning, or information if info) when the
 * limiter lets it through; and, once an interval is over, the one line
 * that says how many were held back.  The daemon's log.c does the rest.
 */
void	 logrl_vlog(struct logrl *, const char *who, int info,
	    const char *fmt, va_list) __attribute__((format(printf, 4, 0)));
void	 logrl_report(struct logrl *, const char *who, uint64_t now_ms);

#endif
