/*
 * vrouterd's keepalived.conf and conntrackd.conf, rendered from the
 * templates (render_template, router-json/render.c).  A file is rewritten
 * only when its content changes (so an unchanged reload does not restart
 * conntrackd or SIGHUP keepalived), and atomically, so a daemon starting
 * at that moment never reads half a file: staged as NAME.new, renamed
 * into place by render_commit once the NAT rules of the same description
 * are in (apply.c), or removed by render_abort.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render.h"
#include "vrouterd.h"

int
render_write(const char *path, const char *text, char *err, size_t errlen)
{
	size_t	 len = strlen(text);
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1 || write(fd, text, len) != (ssize_t)len ||
	    fsync(fd) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

/* Write content to path.new if path differs; *changed says whether. */
static int
stage(const char *path, const char *content, int *changed, char *err,
    size_t errlen)
{
	char	 tmp[512], e[8], *old;

	old = render_read_file(path, NULL, e, sizeof(e));
	*changed = old == NULL || strcmp(old, content) != 0;
	free(old);
	if (!*changed)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	return render_write(tmp, content, err, errlen);
}

static int
commit_one(const char *path, char *err, size_t errlen)
{
	char	 tmp[512];

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
render_commit(struct vrouterd *vd, int keepalived_changed,
    int conntrackd_changed, char *err, size_t errlen)
{
	int	 rv = 0;

	if (keepalived_changed &&
	    commit_one(vd->keepalived_conf, err, errlen) == -1)
		rv = -1;
	if (conntrackd_changed && rv == 0 &&
	    commit_one(vd->conntrackd_conf, err, errlen) == -1)
		rv = -1;
	if (rv == -1)
		render_abort(vd);
	return rv;
}

void
render_abort(struct vrouterd *vd)
{
	char	 tmp[512];

	snprintf(tmp, sizeof(tmp), "%s.new", vd->keepalived_conf);
	unlink(tmp);
	snprintf(tmp, sizeof(tmp), "%s.new", vd->conntrackd_conf);
	unlink(tmp);
}

int
render_all(struct vrouterd *vd, const struct router_conf *conf, int doit,
    int *keepalived_changed, int *conntrackd_changed, char *err,
    size_t errlen)
{
	json_t	*view = config_view(conf, vd->rundir);
	char	*ka = NULL, *ct = NULL;
	int	 rv = -1, ka_dummy, ct_dummy;

	if (keepalived_changed == NULL)
		keepalived_changed = &ka_dummy;
	if (conntrackd_changed == NULL)
		conntrackd_changed = &ct_dummy;

	if (view == NULL) {
		snprintf(err, errlen, "building the template view failed");
		return -1;
	}
	if ((ka = render_template(vd->tmpldir, "keepalived.conf", view, err,
	    errlen)) == NULL)
		goto done;
	if ((ct = render_template(vd->tmpldir, "conntrackd.conf", view, err,
	    errlen)) == NULL)
		goto done;
	if (!doit) {
		rv = 0;
		goto done;
	}
	if (stage(vd->keepalived_conf, ka, keepalived_changed, err,
	    errlen) == -1)
		goto done;
	if (stage(vd->conntrackd_conf, ct, conntrackd_changed, err,
	    errlen) == -1) {
		render_abort(vd);
		goto done;
	}
	rv = 0;
done:
	free(ka);
	free(ct);
	json_decref(view);
	return rv;
}
