/*
 * A template rendered with a JSON view: vrouterd's files (its staging is
 * render_all in daemon/render.c), vrouterctl render and check, the golden
 * tests.
 */
#ifndef VR_RENDER_H
#define VR_RENDER_H

#include <stddef.h>

#include <jansson.h>

#define RENDER_MAX_FILE	(1024 * 1024)	/* a template, a rendered file */

/*
 * Render tmpldir/NAME.mustache with view.  Returns a new string the
 * caller frees, or NULL with a message naming the file in err.
 */
char	*render_template(const char *tmpldir, const char *name,
	    json_t *view, char *err, size_t errlen);

/*
 * Read a whole file of at most RENDER_MAX_FILE bytes into a new
 * NUL-terminated buffer the caller frees, its length into *len unless
 * len is NULL; NULL with a message naming the file in err.
 */
char	*render_read_file(const char *path, size_t *len, char *err,
	    size_t errlen);

#endif
