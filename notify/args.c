/*
 * Argument checks for vrouter-notify.  keepalived appends TYPE NAME STATE
 * PRIORITY to the configured command line of a `notify` script; a
 * hand-written `notify_master "..."` line spells them out.  Nothing here
 * does I/O or logs: a failed check writes a message that names the
 * argument, and the caller prints it.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

#define SHOWN_MAX	40

/*
 * keepalived's words for the target state (keepalived.conf(5), `notify`),
 * and the vsp state each one becomes for the host.  keepalived sends STOP
 * and DELETED for instances only; MASTER_RX_LOWER_PRI is the notify_fifo
 * event a master gets after a split brain, spelled out by hand on a
 * notify_master_rx_lower_pri line: it re-asserts MASTER.
 */
static const struct {
	const char	*word;
	uint8_t		 vsp;
} states[] = {
	{ "MASTER",		VSP_ST_MASTER },
	{ "BACKUP",		VSP_ST_BACKUP },
	{ "FAULT",		VSP_ST_FAULT },
	{ "STOP",		VSP_ST_STOP },
	{ "DELETED",		VSP_ST_STOP },
	{ "MASTER_RX_LOWER_PRI", VSP_ST_MASTER },
};

const char *
notify_shown(const char *s, char *buf, size_t len)
{
	size_t	 i, o = 0;

	if (len < 4)
		return "";
	buf[o++] = '"';
	for (i = 0; s[i] != '\0' && o + 2 < len; i++) {
		if (i == SHOWN_MAX) {
			/* Mark the cut where "..." still fits. */
			if (o + 5 < len) {
				memcpy(buf + o, "...", 3);
				o += 3;
			}
			break;
		}
		buf[o++] = (s[i] >= 0x20 && s[i] <= 0x7e) ? s[i] : '?';
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

int
notify_parse_name(const char *what, const char *s, char out[VSP_NAME_LEN + 1],
    char *err, size_t errlen)
{
	char	 b[SHOWN_MAX + 8];
	size_t	 i, n = strlen(s);

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			break;
	if (n == 0 || n > VSP_NAME_LEN || i < n) {
		snprintf(err, errlen, "%s %s: must be 1 to %d printable "
		    "ASCII characters without spaces", what,
		    notify_shown(s, b, sizeof(b)), VSP_NAME_LEN);
		return -1;
	}
	memcpy(out, s, n + 1);
	return 0;
}

static int
parse_priority(const char *s, uint8_t *prio, char *err, size_t errlen)
{
	char		 b[SHOWN_MAX + 8];
	size_t		 n = strlen(s);
	unsigned long	 v;

	/* Digits only: no sign, no spaces, no hex; at most "255". */
	if (n == 0 || n > 3 || strspn(s, "0123456789") != n ||
	    (v = strtoul(s, NULL, 10)) > 255) {
		snprintf(err, errlen, "PRIORITY %s: must be an integer from 0 "
		    "to 255", notify_shown(s, b, sizeof(b)));
		return -1;
	}
	*prio = (uint8_t)v;
	return 0;
}

int
notify_parse_event(struct notify_event *ev, int argc, char **argv, char *err,
    size_t errlen)
{
	char	 b[SHOWN_MAX + 8];
	size_t	 i;

	memset(ev, 0, sizeof(*ev));
	if (argc < 4) {
		snprintf(err, errlen, "expected TYPE NAME STATE PRIORITY, got "
		    "%d argument%s", argc, argc == 1 ? "" : "s");
		return -1;
	}
	if (argc > 4) {
		snprintf(err, errlen, "unexpected argument %s after PRIORITY",
		    notify_shown(argv[4], b, sizeof(b)));
		return -1;
	}
	if (strcmp(argv[0], "INSTANCE") == 0)
		ev->kind = VSP_KIND_INSTANCE;
	else if (strcmp(argv[0], "GROUP") == 0)
		ev->kind = VSP_KIND_GROUP;
	else {
		snprintf(err, errlen, "TYPE %s: must be INSTANCE or GROUP",
		    notify_shown(argv[0], b, sizeof(b)));
		return -1;
	}
	if (notify_parse_name("NAME", argv[1], ev->name, err, errlen) == -1)
		return -1;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(argv[2], states[i].word) == 0)
			break;
	if (i >= sizeof(states) / sizeof(states[0])) {
		snprintf(err, errlen, "STATE %s: must be MASTER, BACKUP, FAULT, "
		    "STOP, DELETED or MASTER_RX_LOWER_PRI",
		    notify_shown(argv[2], b, sizeof(b)));
		return -1;
	}
	ev->state = states[i].word;
	ev->vsp_state = states[i].vsp;
	return parse_priority(argv[3], &ev->priority, err, errlen);
}

int
notify_parse_address(struct notify_port *p, const char *s, char *err,
    size_t errlen)
{
	char		 b[SHOWN_MAX + 8], text[INET_ADDRSTRLEN + 3];
	struct in_addr	 in;
	const char	*slash;
	uint32_t	 h;
	uint16_t	 i;

	/* "A" or "A/32": the host routes single addresses only. */
	slash = strchr(s, '/');
	if (strlen(s) >= sizeof(text) ||
	    (slash != NULL && strcmp(slash, "/32") != 0)) {
		snprintf(err, errlen, "--address %s: must be an IPv4 address, "
		    "optionally with /32", notify_shown(s, b, sizeof(b)));
		return -1;
	}
	memcpy(text, s, strlen(s) + 1);
	if (slash != NULL)
		text[slash - s] = '\0';
	if (inet_pton(AF_INET, text, &in) != 1) {
		snprintf(err, errlen, "--address %s: not an IPv4 address",
		    notify_shown(s, b, sizeof(b)));
		return -1;
	}
	h = ntohl(in.s_addr);
	if (h == 0 || h == 0xffffffffu || (h >> 28) == 0xe) {
		snprintf(err, errlen, "--address %s: not a unicast address",
		    notify_shown(s, b, sizeof(b)));
		return -1;
	}
	for (i = 0; i < p->naddrs; i++)
		if (p->addrs[i] == in.s_addr) {
			snprintf(err, errlen, "--address %s: given twice",
			    notify_shown(s, b, sizeof(b)));
			return -1;
		}
	if (p->naddrs >= VSP_MAX_ADDRS) {
		snprintf(err, errlen, "--address %s: more than %d addresses",
		    notify_shown(s, b, sizeof(b)), VSP_MAX_ADDRS);
		return -1;
	}
	p->addrs[p->naddrs++] = in.s_addr;
	return 0;
}

int
notify_parse_wait(const char *s, int *ms, char *err, size_t errlen)
{
	char	 b[SHOWN_MAX + 8];
	size_t	 n = strlen(s);
	long	 v;

	if (n == 0 || n > 7 || strspn(s, "0123456789") != n ||
	    (v = strtol(s, NULL, 10)) < 1 || v > NOTIFY_WAIT_MAX) {
		snprintf(err, errlen, "-w %s: must be milliseconds from 1 to %d",
		    notify_shown(s, b, sizeof(b)), NOTIFY_WAIT_MAX);
		return -1;
	}
	*ms = (int)v;
	return 0;
}
