/*
 * stats.c: order statistics of the benchmarks' samples.  Latencies are
 * skewed, so the figures are medians and nearest-rank percentiles, never
 * means.
 */
#include <stdlib.h>

#include "bench.h"

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void
samples_sort(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
}

double
samples_median(uint64_t *v, size_t n)
{
	samples_sort(v, n);
	if (n % 2 == 1)
		return (double)v[n / 2];
	return ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

/* Nearest rank: the smallest sample with at least pct% at or below it. */
size_t
pctl_index(size_t n, unsigned int pct)
{
	size_t	 rank = (n * pct + 99) / 100;

	return rank > 0 ? rank - 1 : 0;
}
