/*
 * The pure half of ctstats.c: `conntrackd -s` output into counters, and
 * the verdict on two polls in a row.  No I/O, no logging: unit-tested in
 * tests/unit/check_ctstats.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrouterd.h"

/* Polls in a row with changes and no sync before "stalled". */
#define CTSTATS_STALL_POLLS	2

/* The first unsigned number in s, or -1. */
static int
first_num(const char *s, uint64_t *v)
{
	char	*end;

	s += strcspn(s, "0123456789");
	if (*s == '\0')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno == 0 ? 0 : -1;
}

int
ctstats_parse(const char *text, struct ct_counters *c)
{
	enum { NONE, INTERNAL, EXTERNAL, LINK } sect = NONE;
	const char	*line, *nl;
	char		 l[256];
	unsigned long long a, b;
	uint64_t	 v, *changes = NULL;
	int		 seen = 0;
	size_t		 len;

	memset(c, 0, sizeof(*c));
	for (line = text; *line != '\0'; line = nl + (*nl != '\0')) {
		nl = line + strcspn(line, "\n");
		len = (size_t)(nl - line);
		if (len >= sizeof(l))
			len = sizeof(l) - 1;
		memcpy(l, line, len);
		l[len] = '\0';
		if (strncmp(l, "cache internal:", 15) == 0) {
			sect = INTERNAL;
			changes = &c->int_changes;
			seen |= 1;
		} else if (strncmp(l, "cache external:", 15) == 0 ||
		    strncmp(l, "external inject:", 16) == 0) {
			/* the latter with DisableExternalCache */
			sect = EXTERNAL;
			changes = &c->ext_changes;
		} else if (strstr(l, "traffic (") != NULL) {
			sect = LINK;	/* "UDP traffic (active device=eth2):" */
			seen |= 2;
		} else if ((sect == INTERNAL || sect == EXTERNAL) &&
		    strstr(l, "current active connections:") != NULL) {
			if (first_num(strchr(l, ':'), &v) == -1)
				goto bad;
			*(sect == INTERNAL ? &c->int_active : &c->ext_active) =
			    v;
		} else if ((sect == INTERNAL || sect == EXTERNAL) &&
		    (strstr(l, "connections created:") != NULL ||
		    strstr(l, "connections updated:") != NULL ||
		    strstr(l, "connections destroyed:") != NULL)) {
			if (first_num(strchr(l, ':'), &v) == -1)
				goto bad;
			*changes += v;
		} else if (sect == LINK && sscanf(l, " %llu Pckts sent %llu "
		    "Pckts recv", &a, &b) == 2) {
			c->sent = a;
			c->recv = b;
			seen |= 4;
		} else if (sect == LINK && sscanf(l, " %llu Error send %llu "
		    "Error recv", &a, &b) == 2) {
			c->send_errors = a;
			c->recv_errors = b;
		} else if (sscanf(l, " %llu Malformed msgs %llu Lost msgs", &a,
		    &b) == 2)
			c->lost = b;
	}
	if (seen != 7)
		goto bad;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

int
ctstats_judge(int *frozen, const struct ct_counters *prev,
    const struct ct_counters *now)
{
	if (now->int_changes < prev->int_changes || now->sent < prev->sent ||
	    now->recv < prev->recv)
		*frozen = 0;		/* conntrackd restarted: start over */
	else if (now->sent != prev->sent && now->recv != prev->recv)
		*frozen = 0;		/* the sync works */
	else if (now->int_changes != prev->int_changes)
		(*frozen)++;		/* changes, and no sync */
	return *frozen >= CTSTATS_STALL_POLLS;
}
