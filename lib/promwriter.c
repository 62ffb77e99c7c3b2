/*
 * The periodic metrics file of every daemon (promwriter.h): the page is
 * the daemon's, the timer, the atomic write (prom_write_file) and the
 * logging of failures are the same for all of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evglue.h"
#include "log.h"
#include "prom.h"
#include "promwriter.h"

struct prom_writer {
	struct event	*ev;
	const char	*dir;
	const char	*name;
	unsigned int	 interval_ms;
	char		*(*page)(void *, size_t *);
	void		*arg;
	int		 failing;	/* the last write failed (logged) */
};

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
	struct prom_writer *w = arg;
	char		*text;
	size_t		 len;

	(void)fd;
	(void)what;
	if ((text = w->page(w->arg, &len)) == NULL ||
	    prom_write_file(w->dir, w->name, text, len) == -1) {
		if (!w->failing)
			log_warn("metrics: %s/%s", w->dir, w->name);
		w->failing = 1;
	} else if (w->failing) {
		log_info("metrics: %s/%s written again", w->dir, w->name);
		w->failing = 0;
	}
	free(text);
	evtimer_add_ms(w->ev, w->interval_ms);
}

struct prom_writer *
prom_writer_new(struct event_base *base, const char *dir, const char *name,
    unsigned int interval_ms, char *(*page)(void *, size_t *), void *arg)
{
	struct prom_writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->dir = dir;
	w->name = name;
	w->interval_ms = interval_ms;
	w->page = page;
	w->arg = arg;
	if ((w->ev = evtimer_new(base, on_write, w)) == NULL) {
		free(w);
		errno = ENOMEM;
		return NULL;
	}
	on_write(-1, 0, w);	/* the first page now: a bad folder shows at once */
	return w;
}

void
prom_writer_free(struct prom_writer *w)
{
	if (w == NULL)
		return;
	event_free(w->ev);
	free(w);
}

char *
prom_page_take(struct prom *p, size_t *len)
{
	char	*text;

	if (p->errors > 0)
		log_warnx("metrics: %u samples left out (a bug)", p->errors);
	if ((text = strdup(prom_text(p, len))) == NULL)
		*len = 0;
	prom_free(p);
	return text;
}
