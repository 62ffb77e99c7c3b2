/*
 * A token bucket: at most `burst` events at once, refilled at `rate` per
 * second.  Pure: the caller passes the time (monotonic milliseconds), so
 * it is exact to test and costs no system call.
 */
#ifndef VR_TBUCKET_H
#define VR_TBUCKET_H

#include <stdint.h>

struct tbucket {
	uint32_t	 rate;		/* tokens per second; 0: unlimited */
	uint32_t	 burst;		/* bucket size, >= 1 */
	uint64_t	 milli;		/* tokens x 1000 held now */
	uint64_t	 last_ms;	/* when milli was last brought up to date */
};

/* A full bucket at now_ms. */
void	 tb_init(struct tbucket *, uint32_t rate, uint32_t burst,
	    uint64_t now_ms);
/* Take one token: 1 if there was one, 0 if the event must wait. */
int	 tb_take(struct tbucket *, uint64_t now_ms);
/* Milliseconds until a token is there (0: now). */
uint64_t tb_wait_ms(struct tbucket *, uint64_t now_ms);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t mono_ms(void);

#endif
