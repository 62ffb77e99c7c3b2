/* jansson helpers shared by the daemons' control sockets. */
#include <arpa/inet.h>
#include <stdio.h>

#include "jsonutil.h"

json_t *
json_time(const struct timespec *ts)
{
	char		 buf[64];
	struct tm	 tm;

	gmtime_r(&ts->tv_sec, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts->tv_nsec / 1000000);
	return json_string(buf);
}

json_t *
json_ipv4(uint32_t addr)
{
	char	 buf[INET_ADDRSTRLEN];

	return json_string(inet_ntop(AF_INET, &addr, buf, sizeof(buf)));
}
