/* Small helpers around libevent shared by the daemons. */
#ifndef VR_EVGLUE_H
#define VR_EVGLUE_H

#include <event2/event.h>

/* (Re)arm a timer event to fire once, ms milliseconds from now. */
int	 evtimer_add_ms(struct event *, unsigned int ms);

#endif
