/* jansson helpers shared by the daemons' control sockets. */
#ifndef VR_JSONUTIL_H
#define VR_JSONUTIL_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

/* A new string "2026-11-24T13:10:53.514Z" for a CLOCK_REALTIME time. */
json_t	*json_time(const struct timespec *);
/* A new string "A.B.C.D" for an IPv4 address in network byte order. */
json_t	*json_ipv4(uint32_t addr);

#endif
