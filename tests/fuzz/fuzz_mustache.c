/*
 * The mustache renderer on hostile templates and views.
 *
 * Input: two bytes, big-endian, give the template's length n; the next n
 * bytes are the template and the rest is the JSON view.  A view that does
 * not parse is replaced by a fixed one.  The view's "partials" member, if
 * an object, is the partials; otherwise a fixed set that includes itself.
 *
 * Checks besides "no crash, no leak, no hang": a refusal says why and is
 * EBADMSG; output fits the cap; a template with no "{{" renders as itself.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "mustache.h"

static const char fixed_view[] =
    "{\"a\": [1, 2.5, {\"b\": \"<x&y>\"}, [true, null]], \"t\": true,"
    " \"f\": false, \"s\": \"str\", \"n\": null, \"e\": [], \"z\": 0,"
    " \"o\": {\"p\": {\"q\": \"deep\"}}, \"nl\": \"l1\\nl2\\n\"}";

static const char fixed_partials[] =
    "{\"p\": \"[{{s}}]\\n\", \"r\": \"{{#a}}{{>r}}{{/a}}\","
    " \"i\": \"  {{>p}}\\n{{#o}}\\n  {{>i}}\\n{{/o}}\\n\","
    " \"d\": \"{{=| |=}}|s|\"}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*tmpl;
	json_t		*view, *parts;
	char		 err[256], *out;
	size_t		 n;

	if (size < 2)
		return 0;
	n = (size_t)data[0] << 8 | data[1];
	if (n > size - 2)
		n = size - 2;
	tmpl = (const char *)data + 2;
	view = json_loadb(tmpl + n, size - 2 - n, JSON_DECODE_ANY, NULL);
	if (view == NULL)
		view = json_loads(fixed_view, 0, NULL);
	parts = json_object_get(view, "partials");
	if (json_is_object(parts))
		json_incref(parts);
	else
		parts = json_loads(fixed_partials, 0, NULL);
	if (view == NULL || parts == NULL)
		abort();

	err[0] = '\0';
	out = mustache_render(tmpl, n, view, parts, err, sizeof(err));
	if (out == NULL) {
		if (err[0] == '\0' || (errno != EBADMSG && errno != ENOMEM))
			abort();
	} else {
		if (strlen(out) > MUSTACHE_MAX_OUTPUT)
			abort();
		if (memmem(tmpl, n, "{{", 2) == NULL && memchr(tmpl, 0, n) ==
		    NULL && (strlen(out) != n || memcmp(out, tmpl, n) != 0))
			abort();
		free(out);
	}
	json_decref(parts);
	json_decref(view);
	return 0;
}
