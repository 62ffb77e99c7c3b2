/*
 * A metrics page, written for node_exporter's textfile collector: the
 * collector may read the file at any moment, so it must see the old page
 * or the new one, never half of one.  Hence a temporary file in the same
 * folder (its name does not end in .prom, so the collector skips it),
 * fsync, and rename over the real name.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prom.h"

int
prom_write_file(const char *dir, const char *name, const char *text,
    size_t len)
{
	char	 tmp[4096], dst[4096];
	ssize_t	 n;
	size_t	 off = 0;
	int	 fd, saved;

	if (snprintf(dst, sizeof(dst), "%s/%s", dir, name) >=
	    (int)sizeof(dst) || snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX",
	    dir, name) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1)
		return -1;
	while (off < len) {
		n = write(fd, text + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto fail;
		off += (size_t)n;
	}
	/* mkstemp made it 0600: the collector runs as another user. */
	if (fchmod(fd, 0644) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	if (fd != -1)
		close(fd);
	unlink(tmp);
	errno = saved;
	return -1;
}
