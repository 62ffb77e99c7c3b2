/*
 * keepalived notify_fifo lines: every accepted line must print back, from
 * the parsed event, to a line that parses to the same event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fifo_parse.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fifo_event ev, again;
	char		 line[128];
	int		 n;

	if (fifo_parse_line((const char *)data, size, &ev) != 1)
		return 0;
	n = snprintf(line, sizeof(line), "%s \"%s\" %s %u",
	    ev.kind == FIFO_GROUP ? "GROUP" : "INSTANCE", ev.name,
	    fifo_what_name(ev.what), ev.priority);
	if (n <= 0 || (size_t)n >= sizeof(line) ||
	    fifo_parse_line(line, (size_t)n, &again) != 1 ||
	    memcmp(&ev, &again, sizeof(ev)) != 0)
		abort();
	return 0;
}
