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
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "mustache.h"

#define MAX_TEMPLATE	(1024 * 1024)

static char *
slurp(const char *path, size_t *len)
{
	struct stat	 st;
	char		*buf;
	FILE		*fp;

	if ((fp = fopen(path, "re")) == NULL)
		return NULL;
	if (fstat(fileno(fp), &st) == -1 || st.st_size > MAX_TEMPLATE ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(fp);
		if (errno == 0)
			errno = EFBIG;
		return NULL;
	}
	*len = fread(buf, 1, (size_t)st.st_size, fp);
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

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
	if ((tmpl = slurp(argv[2], &len)) == NULL) {
		fprintf(stderr, "render: %s: %s\n", argv[2], strerror(errno));
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
