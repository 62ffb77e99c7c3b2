/*
 * Token buckets for per-VM limits in vrouter-hostd: the tokens are kept
 * in thousandths so slow rates (one per several seconds) refill exactly.
 */
#include <time.h>

#include "tbucket.h"

static void
refill(struct tbucket *tb, uint64_t now_ms)
{
	uint64_t	 cap = (uint64_t)tb->burst * 1000;

	if (now_ms > tb->last_ms) {
		tb->milli += (now_ms - tb->last_ms) * tb->rate;
		if (tb->milli > cap)
			tb->milli = cap;
	}
	tb->last_ms = now_ms;
}

void
tb_init(struct tbucket *tb, uint32_t rate, uint32_t burst, uint64_t now_ms)
{
	tb->rate = rate;
	tb->burst = burst > 0 ? burst : 1;
	tb->milli = (uint64_t)tb->burst * 1000;
	tb->last_ms = now_ms;
}

int
tb_take(struct tbucket *tb, uint64_t now_ms)
{
	if (tb->rate == 0)
		return 1;
	refill(tb, now_ms);
	if (tb->milli < 1000)
		return 0;
	tb->milli -= 1000;
	return 1;
}

uint64_t
tb_wait_ms(struct tbucket *tb, uint64_t now_ms)
{
	if (tb->rate == 0)
		return 0;
	refill(tb, now_ms);
	if (tb->milli >= 1000)
		return 0;
	return (1000 - tb->milli + tb->rate - 1) / tb->rate;
}

uint64_t
mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
