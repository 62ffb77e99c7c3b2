/* Per-source log rate limiting: see logrl.h. */
#include "logrl.h"

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
