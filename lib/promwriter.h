/*
 * promwriter: a daemon's metrics page, rewritten every interval by its
 * event loop into a folder for node_exporter's textfile collector.
 */
#ifndef VR_PROMWRITER_H
#define VR_PROMWRITER_H

#include <stddef.h>

#include <event2/event.h>

struct prom_writer;

/*
 * Write dir/name now and then every interval_ms.  page(arg, &len) builds
 * the page (malloc'ed; the writer frees it) or returns NULL.  A failure
 * is logged once, and the first success after it once.  NULL with errno
 * if there is no memory; the caller frees the writer with
 * prom_writer_free().
 */
struct prom_writer *prom_writer_new(struct event_base *, const char *dir,
		    const char *name, unsigned int interval_ms,
		    char *(*page)(void *arg, size_t *len), void *arg);
void		 prom_writer_free(struct prom_writer *);

struct prom;
/*
 * The finished page of *p as a malloc'ed string (the caller frees it),
 * its length in *len; *p is freed.  Samples the writer refused are logged
 * here, once per page: they are a bug of the daemon, not of the input.
 */
char		*prom_page_take(struct prom *p, size_t *len);

#endif
