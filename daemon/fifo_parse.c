/*
 * Parser for keepalived notify_fifo lines.  The FIFO is written by a
 * process we run, but a line is still outside input: it is checked field
 * by field and anything unexpected is refused, never guessed at.
 */
#include <errno.h>
#include <string.h>

#include "fifo_parse.h"

static const char *const what_names[] = {
	"INIT", "BACKUP", "MASTER", "FAULT", "STOP", "DELETED",
	"MASTER_RX_LOWER_PRI"
};

const char *
fifo_what_name(unsigned int w)
{
	return w < sizeof(what_names) / sizeof(what_names[0]) ?
	    what_names[w] : "?";
}

/* Take the next space-separated word from [*p, end). */
static int
word(const char **p, const char *end, const char **w, size_t *wlen)
{
	const char	*s = *p;

	if (s >= end || *s == ' ')
		return -1;
	*w = s;
	while (s < end && *s != ' ')
		s++;
	*wlen = (size_t)(s - *w);
	if (s < end)
		s++;		/* the single separating space */
	*p = s;
	return 0;
}

static int
bad(void)
{
	errno = EBADMSG;
	return -1;
}

int
fifo_parse_line(const char *line, size_t len, struct fifo_event *ev)
{
	const char	*p = line, *end = line + len, *w;
	size_t		 wlen, i;
	unsigned int	 prio = 0;

	memset(ev, 0, sizeof(*ev));
	if (len > 0 && line[len - 1] == '\r')
		end--;
	if (end > line && end[-1] == ' ')
		return bad();
	if (word(&p, end, &w, &wlen) == -1)
		return bad();
	if (wlen == 8 && memcmp(w, "INSTANCE", 8) == 0)
		ev->kind = FIFO_INSTANCE;
	else if (wlen == 5 && memcmp(w, "GROUP", 5) == 0)
		ev->kind = FIFO_GROUP;
	else
		return 0;	/* VS, RS, ... : not ours */

	/* "NAME": quoted, printable, no quote inside. */
	if (p >= end || *p != '"')
		return bad();
	for (w = ++p; p < end && *p != '"'; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return bad();
	wlen = (size_t)(p - w);
	if (p >= end || wlen == 0 || wlen > FIFO_NAME_LEN)
		return bad();
	memcpy(ev->name, w, wlen);
	if (++p >= end || *p++ != ' ')
		return bad();

	if (word(&p, end, &w, &wlen) == -1)
		return bad();
	for (i = 0; i < sizeof(what_names) / sizeof(what_names[0]); i++)
		if (strlen(what_names[i]) == wlen &&
		    memcmp(what_names[i], w, wlen) == 0)
			break;
	if (i == sizeof(what_names) / sizeof(what_names[0]))
		return bad();
	ev->what = (uint8_t)i;

	if (word(&p, end, &w, &wlen) == -1 || wlen > 3 || p != end)
		return bad();
	for (i = 0; i < wlen; i++) {
		if (w[i] < '0' || w[i] > '9')
			return bad();
		prio = prio * 10 + (unsigned int)(w[i] - '0');
	}
	if (prio > 255)
		return bad();
	ev->priority = (uint8_t)prio;
	return 1;
}
