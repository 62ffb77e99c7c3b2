/* Per-source log rate limiting: see logrl.h. */
#include <stdio.h>

#include "log.h"
#include "logrl.h"
#include "tbucket.h"

int
logrl_allow(struct logrl *rl, uint64_t now_ms)
{
	if (now_ms - rl->window_ms >= LOGRL_INTERVAL_MS &&
	    rl->suppressed == 0) {
		rl->window_ms = now_ms;
		rl->lines = 0;
	}
	if (rl->lines < LOGRL_LINES) {
		rl->lines++;
		return 1;
	}
	rl->suppressed++;
	return 0;
}

uint32_t
logrl_flush(struct logrl *rl, uint64_t now_ms)
{
	uint32_t	 n;

	if (now_ms - rl->window_ms < LOGRL_INTERVAL_MS)
		return 0;
	n = rl->suppressed;
	rl->window_ms = now_ms;
	rl->lines = 0;
	rl->suppressed = 0;
	return n;
}

void
logrl_vlog(struct logrl *rl, const char *who, int info, const char *fmt,
    va_list ap)
{
	char	 msg[512];

	if (!logrl_allow(rl, mono_ms()))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (info)
		log_info("vm %s: %s", who, msg);
	else
		log_warnx("vm %s: %s", who, msg);
}

void
logrl_report(struct logrl *rl, const char *who, uint64_t now)
{
	uint32_t	 n = logrl_flush(rl, now);

	if (n > 0)
		log_warnx("vm %s: suppressed %u log lines in the last %d s "
		    "(counters: vrouterctl host vm list)", who, n,
		    LOGRL_INTERVAL_MS / 1000);
}
