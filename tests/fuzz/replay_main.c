/*
 * Stand-alone driver for a fuzz target in the normal (gcc) build: runs
 * LLVMFuzzerTestOneInput once over every file in the directories (or on
 * the files) named on the command line, in name order.  Dot files (such
 * as .gitkeep) are skipped and a missing directory counts as empty, so a
 * target with no saved crashes needs no placeholder.  A target reports a
 * failed oracle with abort(), which ends the replay with a non-zero
 * status; so does a sanitizer report in the SAN=1 build.  Either way the
 * input that failed is named on stderr.  -v names every input.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

static const char *progname = "replay";
static const char *current;	/* the input being run, for failure reports */
static int	   verbose;

/* Present only when the program is built with a sanitizer. */
extern void	__sanitizer_set_death_callback(void (*)(void))
		    __attribute__((weak));

/* Async-signal-safe: only write(2). */
static void
say_failed(void)
{
	static const char msg[] = ": failed on input ";
	ssize_t	 rv;

	if (current == NULL)
		return;
	rv = write(2, progname, strlen(progname));
	rv = write(2, msg, sizeof(msg) - 1);
	rv = write(2, current, strlen(current));
	rv = write(2, "\n", 1);
	(void)rv;
}

static void
on_abort(int sig)
{
	say_failed();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
run_file(const char *path)
{
	struct stat	 st;
	uint8_t		*buf;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		fprintf(stderr, "%s: %s: %s\n", progname, path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	/* Exactly the file's size, so an over-read is caught by ASan. */
	if ((buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1)) == NULL) {
		fprintf(stderr, "%s: %s: out of memory\n", progname, path);
		close(fd);
		return -1;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	if (verbose)
		fprintf(stderr, "%s: %s (%zu bytes)\n", progname, path, off);
	current = path;
	LLVMFuzzerTestOneInput(buf, off);
	current = NULL;
	free(buf);
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
skip_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int
run_dir(const char *dir, size_t *count)
{
	struct dirent	**names;
	char		  path[4096];
	int		  i, n, rv = 0;

	if ((n = scandir(dir, &names, skip_dot, by_name)) == -1) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "%s: %s: %s\n", progname, dir,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]->d_name) >= (int)sizeof(path)) {
			fprintf(stderr, "%s: %s/%s: name too long\n", progname,
			    dir, names[i]->d_name);
			rv = -1;
		} else if (run_file(path) == -1)
			rv = -1;
		else
			(*count)++;
		free(names[i]);
	}
	free(names);
	return rv;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	size_t		 count = 0;
	int		 i, rv = 0;

	if (argc > 0 && strrchr(argv[0], '/') != NULL)
		progname = strrchr(argv[0], '/') + 1;
	else if (argc > 0)
		progname = argv[0];
	signal(SIGABRT, on_abort);
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(say_failed);
	i = 1;
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		i++;
	}
	for (; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (run_file(argv[i]) == -1)
				rv = 1;
			else
				count++;
		} else if (run_dir(argv[i], &count) == -1)
			rv = 1;
	}
	printf("%s: replayed %zu inputs\n", progname, count);
	return rv;
}
