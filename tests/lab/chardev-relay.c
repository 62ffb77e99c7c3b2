/*
 * chardev-relay: play QEMU's part of a virtio-serial port in the lab.
 *
 * The guest side is a pty: its slave is reached through the symlink
 * PTYLINK, the way a guest opens /dev/virtio-ports/NAME.  The host side is
 * an AF_UNIX stream socket, as `-chardev socket,server=on,wait=off` offers
 * it to vrouter-hostd.  Like QEMU:
 *  - one client at a time; later connects wait in the listen backlog;
 *  - while no client is connected, what the guest writes is read and lost;
 *  - the guest closing its end is not an event: we hold our own slave fd,
 *    so the master never reports HUP (a virtio port never hangs up).
 * While a client is connected, a full buffer stops reading on the other
 * side (back-pressure), which is what QEMU does by throttling the port; no
 * byte is dropped then.  Bytes the client sent before it went away are
 * still delivered to the guest; bytes queued for a departed client are
 * lost.  Bytes queued for the guest while nobody has the pty open wait in
 * the tty's input queue and are read by the next opener.
 *
 * A live migration (-m OTHER, then SIGUSR1): the guest keeps its port (the
 * pty), while the host side moves, as QEMU's does from the source node to
 * the destination's: the client is dropped (the source's hostd reads EOF,
 * as when QEMU exits), the socket is removed, and the relay listens on
 * OTHER instead.  The next SIGUSR1 moves it back.  An AF_UNIX path
 * belongs to no network namespace, so it does not matter which
 * namespace the relay runs in.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <termios.h>
#include <unistd.h>

#include "log.h"

struct buf {
	char	 data[4096];
	size_t	 len;
};

static volatile sig_atomic_t quit, move;

static void	usage(void) __attribute__((noreturn));
static void	on_signal(int);
static int	open_pty(char *, size_t, int *);
static int	open_listener(const char *);
static int	buf_read(int, struct buf *);
static int	buf_write(int, struct buf *, int);

static void
usage(void)
{
	fprintf(stderr, "usage: chardev-relay [-v] -p ptylink -s socket "
	    "[-m socket] [-P pidfile]\n");
	exit(1);
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		move = 1;
	else
		quit = 1;
}

/* Returns the master fd; *slavefd is ours to keep open until exit. */
static int
open_pty(char *name, size_t namelen, int *slavefd)
{
	struct termios	 t;
	int		 m;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		fatal("posix_openpt");
	if (grantpt(m) == -1 || unlockpt(m) == -1)
		fatal("grantpt/unlockpt");
	if ((errno = ptsname_r(m, name, namelen)) != 0)
		fatal("ptsname_r");
	if ((*slavefd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		fatal("%s", name);
	if (tcgetattr(*slavefd, &t) == -1)
		fatal("tcgetattr %s", name);
	cfmakeraw(&t);
	if (tcsetattr(*slavefd, TCSANOW, &t) == -1)
		fatal("tcsetattr %s", name);
	if (fcntl(m, F_SETFL, O_NONBLOCK) == -1)
		fatal("fcntl O_NONBLOCK");
	return m;
}

static int
open_listener(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		fatalx("%s: socket path too long", path);
	strcpy(sun.sun_path, path);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			fatalx("%s: exists and is not a socket", path);
		if (unlink(path) == -1)
			fatal("unlink %s", path);
	}
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s == -1)
		fatal("socket");
	old = umask(0077);
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", path);
	umask(old);
	if (listen(s, 1) == -1)
		fatal("listen %s", path);
	return s;
}

/* Read into the free tail of b: 1 progress or EAGAIN, 0 EOF, -1 error. */
static int
buf_read(int fd, struct buf *b)
{
	ssize_t	 n;

	n = read(fd, b->data + b->len, sizeof(b->data) - b->len);
	if (n == -1)
		return (errno == EAGAIN || errno == EINTR) ? 1 : -1;
	b->len += n;
	return n > 0;
}

/* Write what b holds, keeping a short write's rest: 1 ok, -1 error. */
static int
buf_write(int fd, struct buf *b, int issock)
{
	ssize_t	 n;

	if (issock)
		n = send(fd, b->data, b->len, MSG_NOSIGNAL);
	else
		n = write(fd, b->data, b->len);
	if (n == -1)
		return (errno == EAGAIN || errno == EINTR) ? 1 : -1;
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	return 1;
}

int
main(int argc, char *argv[])
{
	struct buf	 toguest = { .len = 0 }, tohost = { .len = 0 };
	struct pollfd	 pfd[2];
	struct sigaction sa;
	struct stat	 st;
	sigset_t	 block, empty;
	const char	*ptylink = NULL, *sock = NULL, *pidfile = NULL;
	const char	*other = NULL, *t;
	char		 slave[64], junk[4096];
	FILE		*fp;
	ssize_t		 n;
	int		 ch, m, s, lsock, client = -1;

	log_init(1, "chardev-relay", LOG_DAEMON);
	while ((ch = getopt(argc, argv, "m:p:P:s:v")) != -1) {
		switch (ch) {
		case 'm':
			other = optarg;
			break;
		case 'p':
			ptylink = optarg;
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'v':
			log_setverbose(1);
			break;
		default:
			usage();
		}
	}
	if (ptylink == NULL || sock == NULL || optind != argc)
		usage();

	/* Signals are blocked except inside ppoll(): no lost wake-up. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (other != NULL)
		sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&empty);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);

	m = open_pty(slave, sizeof(slave), &s);
	lsock = open_listener(sock);
	if (lstat(ptylink, &st) == 0 && !S_ISLNK(st.st_mode))
		fatalx("%s: exists and is not a symlink", ptylink);
	if (unlink(ptylink) == -1 && errno != ENOENT)
		fatal("unlink %s", ptylink);
	if (symlink(slave, ptylink) == -1) {
		unlink(sock);
		fatal("symlink %s -> %s", ptylink, slave);
	}
	/* The pid file comes last: once it exists, the port is ready. */
	if (pidfile != NULL) {
		if ((fp = fopen(pidfile, "w")) == NULL)
			fatal("%s", pidfile);
		fprintf(fp, "%ld\n", (long)getpid());
		if (fclose(fp) == EOF)
			fatal("%s", pidfile);
	}
	log_info("%s -> %s, listening on %s", ptylink, slave, sock);

	while (!quit) {
		if (move) {
			/* The host side moves; the guest's port stays. */
			move = 0;
			if (client != -1) {
				close(client);
				client = -1;
				log_info("client dropped: %zu bytes queued for "
				    "it lost", tohost.len);
				tohost.len = 0;
			}
			close(lsock);
			unlink(sock);
			t = sock;
			sock = other;
			other = t;
			lsock = open_listener(sock);
			log_info("moved: listening on %s", sock);
		}
		pfd[0].fd = m;
		pfd[0].events = toguest.len > 0 ? POLLOUT : 0;
		if (client == -1 || tohost.len < sizeof(tohost.data))
			pfd[0].events |= POLLIN;
		pfd[1].fd = client == -1 ? lsock : client;
		pfd[1].events = client == -1 ? POLLIN : 0;
		if (client != -1 && toguest.len < sizeof(toguest.data))
			pfd[1].events |= POLLIN;
		if (client != -1 && tohost.len > 0)
			pfd[1].events |= POLLOUT;
		if (pfd[1].events == 0)
			pfd[1].fd = -1;	/* both full: do not spin on HUP */
		if (ppoll(pfd, 2, NULL, &empty) == -1) {
			if (errno == EINTR)
				continue;
			log_warn("ppoll");
			break;
		}

		if (pfd[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			log_warnx("%s: pty master error", slave);
			break;
		}
		if ((pfd[0].revents & POLLIN) && client == -1) {
			n = read(m, junk, sizeof(junk));
			if (n > 0)
				log_debug("no client: %zd guest bytes lost", n);
		} else if (pfd[0].revents & POLLIN)
			n = buf_read(m, &tohost);
		else
			n = 0;
		if (n == -1 && errno != EAGAIN && errno != EINTR) {
			log_warn("read %s", slave);
			break;
		}
		if ((pfd[0].revents & POLLOUT) && buf_write(m, &toguest, 0) < 0) {
			log_warn("write %s", slave);
			break;
		}

		if (client == -1) {
			if (!(pfd[1].revents & POLLIN))
				continue;
			client = accept4(lsock, NULL, NULL,
			    SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (client != -1)
				log_info("client connected");
			else if (errno != EAGAIN && errno != EINTR)
				log_warn("accept %s", sock);
			continue;
		}
		if (((pfd[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    toguest.len < sizeof(toguest.data) &&
		    buf_read(client, &toguest) <= 0) ||
		    ((pfd[1].revents & (POLLOUT | POLLHUP | POLLERR)) &&
		    tohost.len > 0 && buf_write(client, &tohost, 1) < 0)) {
			log_info("client gone; %zu bytes queued for it lost",
			    tohost.len);
			close(client);
			client = -1;
			tohost.len = 0;
		}
	}

	log_info("exiting");
	if (client != -1)
		close(client);
	close(lsock);
	close(m);
	close(s);
	unlink(ptylink);
	unlink(sock);
	if (pidfile != NULL)
		unlink(pidfile);
	return quit ? 0 : 1;
}
