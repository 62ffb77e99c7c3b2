/* Rendering a template file with a JSON view (vrouterd and vrouterctl). */
#ifndef VR_RENDER_H
#define VR_RENDER_H

#include <stddef.h>

#include <jansson.h>

/*
 * Render tmpldir/NAME.mustache with view.  Returns a new string the
 * caller frees, or NULL with a message naming the file in err.
 */
char	*render_template(const char *tmpldir, const char *name,
	    json_t *view, char *err, size_t errlen);

#endif
