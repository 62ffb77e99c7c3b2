/*
 * clock.c: the benchmarks' clocks.  Intervals are CLOCK_MONOTONIC, so a
 * clock step never turns into a figure.
 */
#include <time.h>

#include "bench.h"

uint64_t
now_ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int
ms_left(uint64_t deadline, int cap)
{
	uint64_t	 t = now_ns();
	uint64_t	 ms;

	if (t >= deadline)
		return 0;
	ms = (deadline - t + 999999) / 1000000;
	return ms > (uint64_t)cap ? cap : (int)ms;
}

/* The one wall-clock reading: an epoch must outlive a restart. */
uint64_t
boot_epoch(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
