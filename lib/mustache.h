/*
 * A mustache subset for rendering config files from a JSON view:
 * variables, sections, inverted sections, comments, set delimiters and
 * partials, with the spec's whitespace rules.  No lambdas.  See
 * docs/templates.md.
 */
#ifndef VR_MUSTACHE_H
#define VR_MUSTACHE_H

#include <stddef.h>

#include <jansson.h>

#define MUSTACHE_MAX_DEPTH	64	/* sections nested in one template */
#define MUSTACHE_MAX_PARTIALS	16	/* partials nested in each other */
#define MUSTACHE_MAX_OUTPUT	(16 * 1024 * 1024)
#define MUSTACHE_MAX_STEPS	(1L << 24)	/* work for one render */

/*
 * Render len bytes of tmpl with view as the root of the context stack.
 * partials is an object of name -> template string, or NULL; every one is
 * parsed up front, so a broken partial fails the render even if unused.
 * Returns a NUL-terminated string the caller free()s, or NULL with a
 * message in err ("line 12: unclosed section \"networks\"") and errno
 * EBADMSG for a bad template or a limit hit, ENOMEM when out of memory.
 * Neither view nor partials is modified or kept.
 */
char	*mustache_render(const char *tmpl, size_t len, json_t *view,
	    json_t *partials, char *err, size_t errlen);

#endif
