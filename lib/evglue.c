/* Small helpers around libevent shared by the daemons. */
#include <sys/time.h>

#include "evglue.h"

int
evtimer_add_ms(struct event *ev, unsigned int ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	return evtimer_add(ev, &tv);
}
