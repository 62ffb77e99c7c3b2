/*
 * Unit tests for the control-socket server: the back-pressure rule and the
 * log rate limit (pure), the check before binding a path, and a real
 * server in this process's event loop against hostile clients.
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
#include <unistd.h>

#include "ctl.h"
#include "suites.h"

START_TEST(flow_holds_above_high_and_reads_again_at_low)
{
	struct ctl_flow	 f;

	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(ctl_flow_check(&f, 0, 5), CTL_FLOW_READ);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH, 5), CTL_FLOW_READ);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH + 1, 7),
	    CTL_FLOW_HOLD);
	ck_assert(f.held);
	ck_assert_uint_eq(f.since_ms, 7);
	/* Hysteresis: below the high mark is not enough. */
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH, 8), CTL_FLOW_HOLD);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_LOW + 1, 9),
	    CTL_FLOW_HOLD);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_LOW, 10), CTL_FLOW_READ);
	ck_assert(!f.held);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH, 11), CTL_FLOW_READ);
}
END_TEST

START_TEST(flow_drops_a_client_held_too_long)
{
	struct ctl_flow	 f;
	const uint64_t	 t0 = 1000;

	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH + 1, t0),
	    CTL_FLOW_HOLD);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH * 2,
	    t0 + CTL_STALL_MS - 1), CTL_FLOW_HOLD);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_LOW + 1,
	    t0 + CTL_STALL_MS), CTL_FLOW_DROP);
	/* A client that drains in time starts a new clock when held again. */
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH + 1, t0),
	    CTL_FLOW_HOLD);
	ck_assert_int_eq(ctl_flow_check(&f, 0, t0 + CTL_STALL_MS - 1),
	    CTL_FLOW_READ);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH + 1,
	    t0 + CTL_STALL_MS), CTL_FLOW_HOLD);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH + 1,
	    t0 + 2 * CTL_STALL_MS - 1), CTL_FLOW_HOLD);
	ck_assert_int_eq(ctl_flow_check(&f, CTL_OUT_HIGH + 1,
	    t0 + 2 * CTL_STALL_MS), CTL_FLOW_DROP);
}
END_TEST

START_TEST(ratelim_one_line_per_interval_with_the_count)
{
	struct ctl_ratelim rl;
	unsigned int	 n = 99;

	memset(&rl, 0, sizeof(rl));
	ck_assert_int_eq(ctl_ratelim(&rl, 0, 1000, &n), 1);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(ctl_ratelim(&rl, 1, 1000, &n), 0);
	ck_assert_int_eq(ctl_ratelim(&rl, 500, 1000, &n), 0);
	ck_assert_int_eq(ctl_ratelim(&rl, 999, 1000, &n), 0);
	ck_assert_int_eq(ctl_ratelim(&rl, 1000, 1000, &n), 1);
	ck_assert_uint_eq(n, 3);
	ck_assert_int_eq(ctl_ratelim(&rl, 1999, 1000, &n), 0);
	ck_assert_int_eq(ctl_ratelim(&rl, 5000, 1000, &n), 1);
	ck_assert_uint_eq(n, 1);
}
END_TEST

/* A scratch directory; path gets DIR/name. */
static void
scratch(char *dir, size_t dlen, char *path, size_t plen, const char *name)
{
	snprintf(dir, dlen, "/tmp/check_ctl.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, plen, "%s/%s", dir, name);
}

static int
unix_socket(const char *path, int do_listen)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (do_listen)
		ck_assert_int_eq(listen(fd, 1), 0);
	return fd;
}

START_TEST(check_refuses_live_and_foreign_paths)
{
	char		 dir[64], path[128], big[200];
	struct stat	 st;
	int		 fd;

	scratch(dir, sizeof(dir), path, sizeof(path), "s");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	errno = 0;
	ck_assert_int_eq(ctl_server_check(big), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);

	/* A regular file is not ours to remove. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	errno = 0;
	ck_assert_int_eq(ctl_server_check(path), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	unlink(path);

	/* A daemon answers: refused, and the socket stays. */
	fd = unix_socket(path, 1);
	errno = 0;
	ck_assert_int_eq(ctl_server_check(path), -1);
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	close(fd);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(check_removes_a_stale_socket)
{
	char		 dir[64], path[128];
	struct stat	 st;
	int		 fd;

	scratch(dir, sizeof(dir), path, sizeof(path), "s");
	ck_assert_int_eq(ctl_server_check(path), 0);	/* nothing there */
	/* Bound but closed: what a killed daemon leaves. */
	fd = unix_socket(path, 0);
	close(fd);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(ctl_server_check(path), 0);
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	rmdir(dir);
}
END_TEST

/*
 * A live server in this process.  Its handler answers with about 1 KB, so
 * that the high mark is reached after a few hundred requests.
 */
struct live {
	char			 dir[64];
	char			 path[128];
	struct event_base	*base;
	struct ctl_server	*srv;
	int			 calls;
};

static json_t *
fat_handler(const char *cmd, json_t *req, int readonly, void *arg)
{
	struct live	*l = arg;
	char		 pad[1000];

	(void)cmd;
	(void)req;
	(void)readonly;
	l->calls++;
	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	return json_pack("{s:i, s:b, s:s}", "v", CTL_VERSION, "ok", 1,
	    "pad", pad);
}

static void
live_start(struct live *l)
{
	memset(l, 0, sizeof(*l));
	signal(SIGPIPE, SIG_IGN);
	scratch(l->dir, sizeof(l->dir), l->path, sizeof(l->path), "ctl");
	l->base = event_base_new();
	ck_assert_ptr_nonnull(l->base);
	l->srv = ctl_server_new(l->base, l->path, 0600, NULL, fat_handler, l);
	ck_assert_ptr_nonnull(l->srv);
}

static void
live_stop(struct live *l)
{
	struct stat	 st;

	ctl_server_free(l->srv);
	ck_assert_int_eq(stat(l->path, &st), -1);
	event_base_free(l->base);
	rmdir(l->dir);
}

static void
pump(struct live *l, int turns)
{
	while (turns-- > 0)
		event_base_loop(l->base, EVLOOP_NONBLOCK);
}

static int
dial(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)),
	    0);
	return fd;
}

/* Whether the server closed fd (EOF, or a reset), reading what is there. */
static int
closed_by_server(int fd)
{
	char	 buf[4096];
	ssize_t	 n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	return n == 0 || (n == -1 && errno != EAGAIN);
}

static const char req_frame[] = "\0\0\0\x16{\"v\":1,\"cmd\":\"status\"}";
#define REQ_LEN	(sizeof(req_frame) - 1)

START_TEST(second_server_on_a_live_path_is_refused)
{
	struct live		 l;
	struct ctl_server	*two;

	live_start(&l);
	errno = 0;
	two = ctl_server_new(l.base, l.path, 0600, NULL, fat_handler, &l);
	ck_assert_ptr_null(two);
	ck_assert_int_eq(errno, EADDRINUSE);
	live_stop(&l);
}
END_TEST

/*
 * A client that pipelines requests and reads nothing is no longer read
 * once its replies pass the high mark: its writes stall after a bounded
 * amount, and the server answered a bounded number of requests.  When it
 * reads, every request it sent is answered, in order, none lost.
 */
START_TEST(pipelining_without_reading_is_held_then_answered)
{
	struct live	 l;
	json_t		*reply;
	char		*in;
	size_t		 sent = 0, inlen = 0, used, answered = 0, frames;
	ssize_t		 n;
	int		 fd, idle = 0, rounds;

	live_start(&l);
	fd = dial(l.path);
	/* Write whole frames until 200 turns in a row take nothing. */
	while (idle < 200 && sent < 4 * 1024 * 1024) {
		n = write(fd, req_frame + sent % REQ_LEN,
		    REQ_LEN - sent % REQ_LEN);
		if (n > 0) {
			sent += (size_t)n;
			idle = 0;
			continue;
		}
		ck_assert(n == -1 && errno == EAGAIN);
		idle++;
		pump(&l, 1);
	}
	ck_assert_msg(idle >= 200, "the server read all %zu bytes", sent);
	/* Its replies: under the high mark plus one turn of input. */
	ck_assert_int_le((size_t)l.calls * 1000,
	    CTL_OUT_HIGH + CTL_READ_MAX / REQ_LEN * 1100 + 1024 * 1024);
	ck_assert_uint_lt(sent, 4 * 1024 * 1024);

	/* Finish the last frame, then read everything back. */
	while (sent % REQ_LEN != 0) {
		n = write(fd, req_frame + sent % REQ_LEN,
		    REQ_LEN - sent % REQ_LEN);
		if (n > 0)
			sent += (size_t)n;
		pump(&l, 1);
	}
	frames = sent / REQ_LEN;
	in = malloc(CTL_MAX_MSG);
	ck_assert_ptr_nonnull(in);
	for (rounds = 0; answered < frames && rounds < 100000; rounds++) {
		pump(&l, 1);
		n = read(fd, in + inlen, CTL_MAX_MSG - inlen);
		if (n > 0)
			inlen += (size_t)n;
		while (ctl_frame_decode(in, inlen, &reply, &used) == 1) {
			ck_assert(json_is_true(json_object_get(reply, "ok")));
			json_decref(reply);
			memmove(in, in + used, inlen - used);
			inlen -= used;
			answered++;
		}
	}
	ck_assert_uint_eq(answered, frames);
	ck_assert_int_eq(l.calls, (int)frames);
	free(in);
	close(fd);
	pump(&l, 10);
	live_stop(&l);
}
END_TEST

START_TEST(clients_over_the_cap_are_refused)
{
	struct live	 l;
	int		 fds[CTL_MAX_CLIENTS + 1];
	int		 i;

	live_start(&l);
	for (i = 0; i <= CTL_MAX_CLIENTS; i++) {
		fds[i] = dial(l.path);
		pump(&l, 2);
	}
	pump(&l, 10);
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		ck_assert_msg(!closed_by_server(fds[i]), "client %d", i);
	ck_assert(closed_by_server(fds[CTL_MAX_CLIENTS]));
	/* A place freed is a place taken. */
	close(fds[0]);
	pump(&l, 10);
	fds[0] = dial(l.path);
	pump(&l, 10);
	ck_assert(!closed_by_server(fds[0]));
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		close(fds[i]);
	close(fds[CTL_MAX_CLIENTS]);
	pump(&l, 10);
	live_stop(&l);
}
END_TEST

START_TEST(oversized_request_drops_the_client)
{
	struct live	 l;
	unsigned char	 hdr[4];
	size_t		 len = CTL_MAX_REQ + 1;
	int		 fd;

	live_start(&l);
	fd = dial(l.path);
	hdr[0] = (unsigned char)(len >> 24);
	hdr[1] = (unsigned char)(len >> 16);
	hdr[2] = (unsigned char)(len >> 8);
	hdr[3] = (unsigned char)len;
	ck_assert_int_eq(write(fd, hdr, 4), 4);
	pump(&l, 10);
	ck_assert(closed_by_server(fd));
	close(fd);
	/* The server goes on. */
	fd = dial(l.path);
	ck_assert_int_eq(write(fd, req_frame, REQ_LEN), (ssize_t)REQ_LEN);
	pump(&l, 10);
	ck_assert_int_eq(l.calls, 1);
	close(fd);
	pump(&l, 10);
	live_stop(&l);
}
END_TEST

Suite *
ctl_server_suite(void)
{
	Suite	*s = suite_create("ctl_server");
	TCase	*tc = tcase_create("pure");

	tcase_add_test(tc, flow_holds_above_high_and_reads_again_at_low);
	tcase_add_test(tc, flow_drops_a_client_held_too_long);
	tcase_add_test(tc, ratelim_one_line_per_interval_with_the_count);
	suite_add_tcase(s, tc);
	tc = tcase_create("path");
	tcase_add_test(tc, check_refuses_live_and_foreign_paths);
	tcase_add_test(tc, check_removes_a_stale_socket);
	suite_add_tcase(s, tc);
	tc = tcase_create("live");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, second_server_on_a_live_path_is_refused);
	tcase_add_test(tc, pipelining_without_reading_is_held_then_answered);
	tcase_add_test(tc, clients_over_the_cap_are_refused);
	tcase_add_test(tc, oversized_request_drops_the_client);
	suite_add_tcase(s, tc);
	return s;
}
