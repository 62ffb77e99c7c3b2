/*
 * keepalived's notify_fifo, the one ordered source of VRRP transitions.
 * keepalived writes it non-blocking and silently drops a line when the
 * pipe is full, so we read it the moment it is readable, never do slow
 * work in between (the handover runs as child processes), and make the
 * pipe as large as the kernel allows.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "vrouterd.h"

#define FIFO_PIPE_SIZE	(1024 * 1024)

struct fifo {
	struct vrouterd	*vd;
	int		 fd;
	int		 wfd;		/* no EOF between keepalived runs */
	struct event	*ev;
	char		 buf[4096];	/* a partial line waits here */
	size_t		 len;
	uint64_t	 lines;
	uint64_t	 bad;		/* malformed or too long */
};

static void
on_fifo(evutil_socket_t fd, short what, void *arg)
{
	struct fifo		*f = arg;
	struct vrouterd		*vd = f->vd;
	struct fifo_event	 ev;
	char			*nl, *line;
	ssize_t			 n;
	int			 rv;

	(void)what;
	for (;;) {
		n = read(fd, f->buf + f->len, sizeof(f->buf) - f->len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* EAGAIN; no EOF while we hold a writer */
		f->len += (size_t)n;
		line = f->buf;
		while ((nl = memchr(line, '\n', f->len -
		    (size_t)(line - f->buf))) != NULL) {
			*nl = '\0';
			f->lines++;
			rv = fifo_parse_line(line, (size_t)(nl - line), &ev);
			if (rv == 1)
				state_event(vd, &ev, "keepalived");
			else if (rv == -1) {
				f->bad++;
				log_warnx("%s: malformed line \"%.80s\"",
				    vd->fifo_path, line);
			}
			line = nl + 1;
		}
		f->len -= (size_t)(line - f->buf);
		memmove(f->buf, line, f->len);
		if (f->len == sizeof(f->buf)) {
			log_warnx("%s: line longer than %zu bytes dropped",
			    vd->fifo_path, sizeof(f->buf));
			f->bad++;
			f->len = 0;
		}
	}
}

/* The FIFO must be ours: a FIFO, owned by us, not a link, mode 0600. */
static int
check_fifo(int fd, const char *path)
{
	struct stat	 st;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISFIFO(st.st_mode)) {
		log_warnx("%s: not a FIFO", path);
		errno = EINVAL;
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		log_warnx("%s: owned by uid %u with mode %03o; want uid %u, "
		    "mode 600", path, (unsigned)st.st_uid,
		    (unsigned)(st.st_mode & 0777), (unsigned)geteuid());
		errno = EPERM;
		return -1;
	}
	return 0;
}

int
fifo_open(struct vrouterd *vd)
{
	struct fifo	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		log_warn("%s", vd->fifo_path);
		return -1;
	}
	f->vd = vd;
	f->fd = f->wfd = -1;
	vd->fifo = f;
	if (mkfifo(vd->fifo_path, 0600) == -1 && errno != EEXIST) {
		log_warn("%s: mkfifo", vd->fifo_path);
		goto fail;
	}
	f->fd = open(vd->fifo_path,
	    O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (f->fd == -1) {
		log_warn("%s", vd->fifo_path);
		goto fail;
	}
	if (check_fifo(f->fd, vd->fifo_path) == -1)
		goto fail;
	f->wfd = open(vd->fifo_path,
	    O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (f->wfd == -1) {
		log_warn("%s: writer", vd->fifo_path);
		goto fail;
	}
	if (fcntl(f->fd, F_SETPIPE_SZ, FIFO_PIPE_SIZE) == -1)
		log_debug("%s: pipe size left as is", vd->fifo_path);
	f->ev = event_new(vd->base, f->fd, EV_READ | EV_PERSIST, on_fifo, f);
	if (f->ev == NULL || event_add(f->ev, NULL) == -1)
		goto fail;
	return 0;
fail:
	fifo_close(vd);
	return -1;
}

void
fifo_close(struct vrouterd *vd)
{
	struct fifo	*f = vd->fifo;

	if (f == NULL)
		return;
	if (f->ev != NULL)
		event_free(f->ev);
	if (f->fd != -1)
		close(f->fd);
	if (f->wfd != -1)
		close(f->wfd);
	free(f);
	vd->fifo = NULL;
}

/*
 * What keepalived wrote while no vrouterd read: transitions that are over.
 * An adopted keepalived's state comes from its VIP and, after a reload,
 * from the states it writes anew; acting on the old lines would replay a
 * BACKUP and a MASTER that are past, and move the host's route twice.
 */
void
fifo_discard(struct vrouterd *vd)
{
	struct fifo	*f = vd->fifo;
	char		 buf[4096];
	ssize_t		 n;
	size_t		 bytes = 0, lines = 0;

	if (f == NULL)
		return;
	while ((n = read(f->fd, buf, sizeof(buf))) > 0 ||
	    (n == -1 && errno == EINTR)) {
		if (n <= 0)
			continue;
		bytes += (size_t)n;
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	}
	f->len = 0;
	if (bytes > 0)
		log_info("%s: %zu lines written while no vrouterd read: "
		    "past, skipped", vd->fifo_path, lines);
}

void
fifo_view(const struct vrouterd *vd, struct fifo_view *v)
{
	const struct fifo *f = vd->fifo;

	memset(v, 0, sizeof(*v));
	if (f == NULL)
		return;
	v->lines = f->lines;
	v->malformed = f->bad;
}

json_t *
fifo_json(const struct vrouterd *vd)
{
	struct fifo_view v;

	fifo_view(vd, &v);
	return json_pack("{s:I, s:I}", "lines", (json_int_t)v.lines,
	    "malformed", (json_int_t)v.malformed);
}
