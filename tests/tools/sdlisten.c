/*
 * sdlisten: plays systemd's side of sd_notify(3) for tests/integration/
 * t_systemd.sh.  It binds a datagram socket at PATH (the daemon gets it
 * as NOTIFY_SOCKET) and prints every notification with its sender, as
 * the kernel vouches for it (SO_PASSCRED):
 *
 *   sdlisten -s PATH [-x CHECK] [-t MS]
 *
 *   MS_SINCE_START PID STATE...	(the state's lines joined by spaces)
 *
 * With -x, on the first READY=1 it prints that line, stops the sender
 * (SIGSTOP), runs `sh -c CHECK` with NOTIFY_PID set to the sender's pid,
 * and only then lets it go on (SIGCONT), printing "check STATUS" (the
 * shell's exit status): CHECK sees the daemon exactly as it was when it
 * said READY, not a moment later.  Runs for MS
 * milliseconds (60000), or until TERM.  Lines are flushed as written.
 * Exit 0, or 2 on a usage or setup error.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: sdlisten -s path [-x check] [-t ms]\n");
	exit(2);
}

/* sh -c check with NOTIFY_PID=sender; its exit status, or -1. */
static int
run_check(const char *check, pid_t sender)
{
	char	 spid[32];
	pid_t	 pid;
	int	 status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		snprintf(spid, sizeof(spid), "%d", (int)sender);
		setenv("NOTIFY_PID", spid, 1);
		execl("/bin/sh", "sh", "-c", check, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
	    WTERMSIG(status);
}

/* Does the state hold the line "READY=1"? */
static int
is_ready(const char *s)
{
	const char	*p = s;

	while ((p = strstr(p, "READY=1")) != NULL) {
		if ((p == s || p[-1] == '\n') && (p[7] == '\0' || p[7] == '\n'))
			return 1;
		p++;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_un	 sun;
	struct pollfd		 pfd;
	struct msghdr		 mh;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	struct ucred		 cred;
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(struct ucred))];
	}			 cbuf;
	char			 msg[4096], *p;
	const char		*path = NULL, *check = NULL;
	long long		 start, end, left;
	long			 run_ms = 60000;
	ssize_t			 n;
	int			 ch, fd, on = 1, checked = 0, ready, rv;

	while ((ch = getopt(argc, argv, "s:t:x:")) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 't':
			run_ms = strtol(optarg, NULL, 10);
			break;
		case 'x':
			check = optarg;
			break;
		default:
			usage();
		}
	}
	if (path == NULL || optind != argc || run_ms <= 0 ||
	    strlen(path) >= sizeof(sun.sun_path))
		usage();
	signal(SIGPIPE, SIG_IGN);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) == -1) {
		perror("sdlisten: socket");
		return 2;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "sdlisten: bind %s: %s\n", path,
		    strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("listening %s\n", path);

	start = now_ms();
	end = start + run_ms;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((left = end - now_ms()) > 0) {
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = msg;
		iov.iov_len = sizeof(msg) - 1;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf.buf;
		mh.msg_controllen = sizeof(cbuf.buf);
		if ((n = recvmsg(fd, &mh, 0)) == -1)
			continue;
		msg[n] = '\0';
		cred.pid = 0;
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_CREDENTIALS)
				memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
		ready = is_ready(msg);
		for (p = msg; *p != '\0'; p++)
			if (*p == '\n')
				*p = ' ';
		printf("%lld %d %s\n", now_ms() - start, (int)cred.pid, msg);
		if (check != NULL && !checked && ready && cred.pid > 0) {
			checked = 1;
			kill(cred.pid, SIGSTOP);
			rv = run_check(check, cred.pid);
			kill(cred.pid, SIGCONT);
			printf("check %d\n", rv);
		}
	}
	close(fd);
	unlink(path);
	return 0;
}
