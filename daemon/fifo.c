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
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "vrouterd.h"

#define FIFO_PIPE_SIZE	(1024 * 1024)

static void
on_fifo(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd		*vd = arg;
	struct fifo_event	 ev;
	char			*nl, *line;
	ssize_t			 n;
	int			 rv;

	(void)what;
	for (;;) {
		n = read(fd, vd->fifo_buf + vd->fifo_len,
		    sizeof(vd->fifo_buf) - vd->fifo_len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* EAGAIN; no EOF while we hold a writer */
		vd->fifo_len += (size_t)n;
		line = vd->fifo_buf;
		while ((nl = memchr(line, '\n', vd->fifo_len -
		    (size_t)(line - vd->fifo_buf))) != NULL) {
			*nl = '\0';
			vd->fifo_lines++;
			rv = fifo_parse_line(line, (size_t)(nl - line), &ev);
			if (rv == 1)
				state_event(vd, &ev, "keepalived");
			else if (rv == -1) {
				vd->fifo_bad++;
				log_warnx("%s: malformed line \"%.80s\"",
				    vd->fifo_path, line);
			}
			line = nl + 1;
		}
		vd->fifo_len -= (size_t)(line - vd->fifo_buf);
		memmove(vd->fifo_buf, line, vd->fifo_len);
		if (vd->fifo_len == sizeof(vd->fifo_buf)) {
			log_warnx("%s: line longer than %zu bytes dropped",
			    vd->fifo_path, sizeof(vd->fifo_buf));
			vd->fifo_bad++;
			vd->fifo_len = 0;
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
	if (mkfifo(vd->fifo_path, 0600) == -1 && errno != EEXIST) {
		log_warn("%s: mkfifo", vd->fifo_path);
		return -1;
	}
	vd->fifo_fd = open(vd->fifo_path,
	    O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (vd->fifo_fd == -1) {
		log_warn("%s", vd->fifo_path);
		return -1;
	}
	if (check_fifo(vd->fifo_fd, vd->fifo_path) == -1)
		goto fail;
	vd->fifo_wfd = open(vd->fifo_path,
	    O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (vd->fifo_wfd == -1) {
		log_warn("%s: writer", vd->fifo_path);
		goto fail;
	}
	if (fcntl(vd->fifo_fd, F_SETPIPE_SZ, FIFO_PIPE_SIZE) == -1)
		log_debug("%s: pipe size left as is", vd->fifo_path);
	vd->ev_fifo = event_new(vd->base, vd->fifo_fd, EV_READ | EV_PERSIST,
	    on_fifo, vd);
	if (vd->ev_fifo == NULL || event_add(vd->ev_fifo, NULL) == -1)
		goto fail;
	return 0;
fail:
	fifo_close(vd);
	return -1;
}

void
fifo_close(struct vrouterd *vd)
{
	if (vd->ev_fifo != NULL) {
		event_free(vd->ev_fifo);
		vd->ev_fifo = NULL;
	}
	if (vd->fifo_fd != -1)
		close(vd->fifo_fd);
	if (vd->fifo_wfd != -1)
		close(vd->fifo_wfd);
	vd->fifo_fd = vd->fifo_wfd = -1;
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
	char		 buf[4096];
	ssize_t		 n;
	size_t		 bytes = 0, lines = 0;

	while ((n = read(vd->fifo_fd, buf, sizeof(buf))) > 0 ||
	    (n == -1 && errno == EINTR)) {
		if (n <= 0)
			continue;
		bytes += (size_t)n;
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	}
	vd->fifo_len = 0;
	if (bytes > 0)
		log_info("%s: %zu lines written while no vrouterd read: "
		    "past, skipped", vd->fifo_path, lines);
}
