/*
 * Rendering a template file with a view, through lib's mustache engine.
 * No I/O but reading the template: vrouterd writes what it renders
 * (daemon/render.c), vrouterctl prints it.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mustache.h"
#include "render.h"

char *
render_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (st.st_size > RENDER_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than 1 MiB", path);
		close(fd);
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		snprintf(err, errlen, "%s: short read", path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

char *
render_template(const char *tmpldir, const char *name, json_t *view,
    char *err, size_t errlen)
{
	char	 path[512], msg[256], *tmpl, *out;
	size_t	 len;

	snprintf(path, sizeof(path), "%s/%s.mustache", tmpldir, name);
	if ((tmpl = render_read_file(path, &len, err, errlen)) == NULL)
		return NULL;
	out = mustache_render(tmpl, len, view, NULL, msg, sizeof(msg));
	if (out == NULL)
		snprintf(err, errlen, "%s: %s", path, msg);
	free(tmpl);
	return out;
}
