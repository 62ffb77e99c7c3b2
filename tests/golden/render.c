/*
 * Offline renderer for the golden tests: what vrouterd renders, without
 * vrouterd.
 *
 *	render CONFIG.json TEMPLATE RUNDIR	the rendered template
 *	render CONFIG.json - RUNDIR		the template view, as JSON
 *
 * A config that fails validation prints config_load()'s message on
 * stderr and exits 1; a template that fails to render exits 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mustache.h"
#include "render.h"

int
main(int argc, char *argv[])
{
	struct router_conf	 conf;
	char			 err[512], *tmpl, *out;
	size_t			 len;
	json_t			*view;

	if (argc != 4) {
		fprintf(stderr, "usage: render CONFIG.json TEMPLATE|- RUNDIR\n");
		return 2;
	}
	if (config_load(argv[1], &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (config_rundir_check(argv[3], err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if ((view = config_view(&conf, argv[3])) == NULL) {
		fprintf(stderr, "render: config_view: %s\n", strerror(errno));
		return 2;
	}
	if (strcmp(argv[2], "-") == 0) {
		json_dumpf(view, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(view);
		return 0;
	}
	if ((tmpl = render_read_file(argv[2], &len, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "render: %s\n", err);
		json_decref(view);
		return 2;
	}
	out = mustache_render(tmpl, len, view, NULL, err, sizeof(err));
	free(tmpl);
	json_decref(view);
	if (out == NULL) {
		fprintf(stderr, "render: %s: %s\n", argv[2], err);
		return 2;
	}
	fputs(out, stdout);
	free(out);
	return 0;
}
