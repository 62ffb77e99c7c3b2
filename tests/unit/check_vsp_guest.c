/*
 * Unit tests for the guest session (vsp_guest.c) on real ptys, the lab's
 * stand-in for a virtio-serial port: the test plays the host on the pty
 * master, the guest opens a symlink to the slave, as vrouterd opens
 * /dev/virtio-ports/NAME.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "suites.h"
#include "tbucket.h"
#include "vsp_guest.h"
#include "vsp_stream.h"

/* One pty: the host's end (master) and the slave we hold, as the relay. */
struct pty {
	int	 m, s;
	char	 name[64];
};

static struct event_base *base;
static char	 dir[64], link_path[128];
static struct vsp_reader hrd;	/* the host's reader on the master */
static int	 n_acks, n_chan;
static enum vsp_chan last_chan;
static int	 last_acked;

static void
on_ack(const struct vsp_ack_msg *a, void *arg)
{
	(void)a;
	(void)arg;
	n_acks++;
}

static void
on_chan(enum vsp_chan c, int acked, void *arg)
{
	(void)arg;
	n_chan++;
	last_chan = c;
	last_acked = acked;
}

static void
pty_open(struct pty *p)
{
	struct termios	 t;

	p->m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	ck_assert_int_ne(p->m, -1);
	ck_assert_int_eq(grantpt(p->m), 0);
	ck_assert_int_eq(unlockpt(p->m), 0);
	ck_assert_int_eq(ptsname_r(p->m, p->name, sizeof(p->name)), 0);
	p->s = open(p->name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ne(p->s, -1);
	ck_assert_int_eq(tcgetattr(p->s, &t), 0);
	cfmakeraw(&t);
	ck_assert_int_eq(tcsetattr(p->s, TCSANOW, &t), 0);
	unlink(link_path);
	ck_assert_int_eq(symlink(p->name, link_path), 0);
	vsp_reader_free(&hrd);
}

/*
 * The relay dies: the guest's slave is hung up, the link dangles.  It is
 * pointed at nothing, not left on /dev/pts/N: another program's new pty
 * may take that number at once (a busy machine), and the guest would
 * open it.
 */
static void
pty_kill(struct pty *p)
{
	char	 gone[300];

	close(p->m);
	close(p->s);
	snprintf(gone, sizeof(gone), "%s/gone", dir);
	unlink(link_path);
	ck_assert_int_eq(symlink(gone, link_path), 0);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/check_vsp_guest.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(link_path, sizeof(link_path), "%s/port", dir);
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	vsp_reader_init(&hrd, VSP_MAX_STATE_FRAME);
	n_acks = n_chan = 0;
	last_chan = VSP_CHAN_CLOSED;
	last_acked = 0;
}

static void
teardown(void)
{
	vsp_reader_free(&hrd);
	event_base_free(base);
	unlink(link_path);
	rmdir(dir);
}

/* Run the guest's loop for up to ms_max, until cond holds. */
#define RUN_UNTIL(cond, ms_max) do {					\
	uint64_t t0_ = mono_ms();						\
	while (!(cond) && mono_ms() - t0_ < (ms_max)) {			\
		event_base_loop(base, EVLOOP_NONBLOCK);			\
		usleep(2000);						\
	}								\
} while (0)

/* The next frame the guest wrote on p, within ms_max; 1 if one came. */
static int
host_read(struct pty *p, struct vsp_msg *m, int ms_max)
{
	uint64_t	 t0 = mono_ms();
	uint8_t		*dst;
	size_t		 avail;
	ssize_t		 n;

	for (;;) {
		if (vsp_reader_next(&hrd, m))
			return 1;
		if (mono_ms() - t0 >= (uint64_t)ms_max)
			return 0;
		event_base_loop(base, EVLOOP_NONBLOCK);
		dst = vsp_reader_space(&hrd, &avail);
		ck_assert_ptr_nonnull(dst);
		n = read(p->m, dst, avail);
		if (n > 0)
			vsp_reader_commit(&hrd, (size_t)n);
		else
			usleep(2000);
	}
}

static void
host_send(struct pty *p, const struct vsp_msg *m)
{
	uint8_t	 buf[VSP_MAX_FRAME];
	ssize_t	 n = vsp_encode(buf, sizeof(buf), m);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(write(p->m, buf, (size_t)n), n);
}

static void
host_hello(struct pty *p)
{
	struct vsp_msg	 m;

	memset(&m, 0, sizeof(m));
	m.hdr.type = VSP_HELLO;
	m.hdr.epoch = 7;
	m.hdr.seq = 1;
	m.u.hello.min_version = m.u.hello.max_version = VSP_VERSION;
	strcpy(m.u.hello.host, "hv");
	host_send(p, &m);
}

static void
host_ack(struct pty *p, const struct vsp_msg *st)
{
	struct vsp_msg	 m;

	memset(&m, 0, sizeof(m));
	m.hdr.type = VSP_ACK;
	m.hdr.epoch = 7;
	m.hdr.seq = 2;
	m.u.ack.acked_epoch = st->hdr.epoch;
	m.u.ack.acked_seq = st->hdr.seq;
	m.u.ack.nresults = 1;
	m.u.ack.results[0].addr = st->u.state.addrs[0].addr;
	m.u.ack.results[0].result = VSP_RES_INSTALLED;
	host_send(p, &m);
}

static struct vsp_guest *
guest_new(void)
{
	struct vsp_guest *g = vsp_guest_new(base, link_path, on_ack, NULL);
	struct vsp_state_msg st;

	ck_assert_ptr_nonnull(g);
	vsp_guest_on_channel(g, on_chan, NULL);
	memset(&st, 0, sizeof(st));
	strcpy(st.router_id, "r");
	st.naddrs = 1;
	st.addrs[0].addr = htonl(0xcb00710a);
	st.addrs[0].plen = 32;
	st.addrs[0].state = VSP_ST_MASTER;
	st.addrs[0].group = 0xff;
	ck_assert_int_eq(vsp_guest_set_state(g, &st), 0);
	return g;
}

/* Get the guest's state acked on p; returns the state acked. */
static void
acked_on(struct vsp_guest *g, struct pty *p, struct vsp_msg *st)
{
	ck_assert_int_eq(host_read(p, st, 2000), 1);
	ck_assert_int_eq(st->hdr.type, VSP_STATE);
	host_ack(p, st);
	RUN_UNTIL(vsp_guest_acked(g), 2000);
	ck_assert_int_eq(vsp_guest_acked(g), 1);
	ck_assert_int_eq(vsp_guest_channel(g), VSP_CHAN_CONNECTED);
	ck_assert_int_eq(vsp_guest_connected(g), 1);
	ck_assert_int_eq(last_chan, VSP_CHAN_CONNECTED);
	ck_assert_int_eq(last_acked, 1);
}

START_TEST(silent_port_is_absent_until_the_host_speaks)
{
	struct pty	 p;
	struct vsp_guest *g;
	struct vsp_msg	 st;

	pty_open(&p);
	g = guest_new();
	ck_assert_int_eq(vsp_guest_channel(g), VSP_CHAN_ABSENT);
	ck_assert_int_eq(vsp_guest_acked(g), 0);
	acked_on(g, &p, &st);
	ck_assert_int_eq(n_acks, 1);
	vsp_guest_free(g);
	pty_kill(&p);
}
END_TEST

START_TEST(hello_voids_the_ack_and_gets_a_resend)
{
	struct pty	 p;
	struct vsp_guest *g;
	struct vsp_msg	 st, again;

	pty_open(&p);
	g = guest_new();
	acked_on(g, &p, &st);
	host_hello(&p);
	/* Void at once, before any resend is acked. */
	RUN_UNTIL(!vsp_guest_acked(g), 2000);
	ck_assert_int_eq(vsp_guest_acked(g), 0);
	ck_assert_int_eq(last_acked, 0);
	ck_assert_int_eq(host_read(&p, &again, 2000), 1);
	ck_assert_int_eq(again.hdr.type, VSP_STATE);
	ck_assert_uint_eq(again.hdr.seq, st.hdr.seq);
	host_ack(&p, &again);
	RUN_UNTIL(vsp_guest_acked(g), 2000);
	ck_assert_int_eq(vsp_guest_acked(g), 1);
	ck_assert_int_eq(n_acks, 2);
	vsp_guest_free(g);
	pty_kill(&p);
}
END_TEST

/*
 * The relay dies (the tty hangs up: EOF on read, EIO on write) and a new
 * one comes with a new pty behind the same path: the guest voids its ack
 * at once, and reopens the path and resends when it is back.
 */
START_TEST(hung_up_port_is_reopened)
{
	struct pty	 p, q;
	struct vsp_guest *g;
	struct vsp_msg	 st, again;
	uint64_t	 t0;

	pty_open(&p);
	g = guest_new();
	acked_on(g, &p, &st);
	pty_kill(&p);
	RUN_UNTIL(!vsp_guest_acked(g), 1000);
	ck_assert_int_eq(vsp_guest_acked(g), 0);
	ck_assert_int_eq(last_acked, 0);
	/* The path dangles: the port stays closed, retried. */
	RUN_UNTIL(vsp_guest_channel(g) == VSP_CHAN_CLOSED, 1000);
	ck_assert_int_eq(vsp_guest_channel(g), VSP_CHAN_CLOSED);
	ck_assert_int_eq(last_chan, VSP_CHAN_CLOSED);
	RUN_UNTIL(0, 300);
	ck_assert_int_eq(vsp_guest_channel(g), VSP_CHAN_CLOSED);

	pty_open(&q);
	t0 = mono_ms();
	RUN_UNTIL(vsp_guest_channel(g) != VSP_CHAN_CLOSED, 2000);
	ck_assert_int_eq(vsp_guest_channel(g), VSP_CHAN_ABSENT);
	ck_assert_uint_lt(mono_ms() - t0, 1500);	/* 50 ms retries */
	ck_assert_int_eq(host_read(&q, &again, 2000), 1);
	ck_assert_int_eq(again.hdr.type, VSP_STATE);
	ck_assert_uint_eq(again.hdr.seq, st.hdr.seq);
	ck_assert(again.hdr.epoch == st.hdr.epoch);
	host_ack(&q, &again);
	RUN_UNTIL(vsp_guest_acked(g), 2000);
	ck_assert_int_eq(vsp_guest_acked(g), 1);
	ck_assert_int_eq(vsp_guest_channel(g), VSP_CHAN_CONNECTED);
	vsp_guest_free(g);
	pty_kill(&q);
}
END_TEST

/*
 * QEMU's port without a host: read() gives EOF while writes still work,
 * and the same port serves the host when it connects again.  A pty in
 * canonical mode reads EOF for a ^D from the master and stays usable.
 */
START_TEST(host_back_after_eof_is_connected)
{
	struct pty	 p;
	struct vsp_guest *g;
	struct vsp_msg	 st, again;
	struct termios	 t, raw;

	pty_open(&p);
	g = guest_new();
	acked_on(g, &p, &st);
	ck_assert_int_eq(tcgetattr(p.m, &raw), 0);
	t = raw;
	t.c_lflag |= ICANON;
	t.c_cc[VEOF] = 4;
	ck_assert_int_eq(tcsetattr(p.m, TCSANOW, &t), 0);
	ck_assert_int_eq(write(p.m, "\004", 1), 1);
	RUN_UNTIL(vsp_guest_channel(g) == VSP_CHAN_ABSENT, 2000);
	ck_assert_int_eq(vsp_guest_channel(g), VSP_CHAN_ABSENT);
	ck_assert_int_eq(vsp_guest_acked(g), 0);
	ck_assert_int_eq(tcsetattr(p.m, TCSANOW, &raw), 0);
	/* The host connects again: greets, gets the state, acks it. */
	host_hello(&p);
	ck_assert_int_eq(host_read(&p, &again, 3000), 1);
	ck_assert_int_eq(again.hdr.type, VSP_STATE);
	host_ack(&p, &again);
	RUN_UNTIL(vsp_guest_acked(g), 2000);
	ck_assert_int_eq(vsp_guest_acked(g), 1);
	ck_assert_int_eq(vsp_guest_channel(g), VSP_CHAN_CONNECTED);
	ck_assert_int_eq(last_chan, VSP_CHAN_CONNECTED);
	vsp_guest_free(g);
	pty_kill(&p);
}
END_TEST

/* The port vanishes while the guest is not acked and writes into it. */
START_TEST(write_error_reopens_the_port)
{
	struct pty	 p, q;
	struct vsp_guest *g;
	struct vsp_msg	 st;

	pty_open(&p);
	g = guest_new();
	ck_assert_int_eq(host_read(&p, &st, 2000), 1);
	pty_kill(&p);
	pty_open(&q);
	/* Whether the EOF or a resend's EIO finds it first, q gets it. */
	ck_assert_int_eq(host_read(&q, &st, 3000), 1);
	ck_assert_int_eq(st.hdr.type, VSP_STATE);
	host_ack(&q, &st);
	RUN_UNTIL(vsp_guest_acked(g), 2000);
	ck_assert_int_eq(vsp_guest_acked(g), 1);
	vsp_guest_free(g);
	pty_kill(&q);
}
END_TEST

/*
 * Acked, the guest re-announces the same (epoch, seq) every 2 s; one the
 * host does not answer by the next voids the ack.
 */
START_TEST(unanswered_reannounce_voids_the_ack)
{
	struct pty	 p;
	struct vsp_guest *g;
	struct vsp_msg	 st, re;
	uint64_t	 t0;

	pty_open(&p);
	g = guest_new();
	acked_on(g, &p, &st);
	t0 = mono_ms();
	ck_assert_int_eq(host_read(&p, &re, 3500), 1);
	ck_assert_uint_ge(mono_ms() - t0, 1500);
	ck_assert_uint_eq(re.hdr.seq, st.hdr.seq);
	ck_assert(re.hdr.epoch == st.hdr.epoch);
	host_ack(&p, &re);	/* answered: still acked, no new on_ack */
	RUN_UNTIL(0, 200);
	ck_assert_int_eq(vsp_guest_acked(g), 1);
	ck_assert_int_eq(n_acks, 1);
	ck_assert_int_eq(host_read(&p, &re, 3500), 1);	/* not answered */
	ck_assert_int_eq(vsp_guest_acked(g), 1);
	RUN_UNTIL(!vsp_guest_acked(g), 3500);
	ck_assert_int_eq(vsp_guest_acked(g), 0);
	ck_assert_int_eq(vsp_guest_channel(g), VSP_CHAN_ABSENT);
	ck_assert_int_eq(last_acked, 0);
	vsp_guest_free(g);
	pty_kill(&p);
}
END_TEST

START_TEST(chan_names)
{
	ck_assert_str_eq(vsp_chan_name(VSP_CHAN_CLOSED), "closed");
	ck_assert_str_eq(vsp_chan_name(VSP_CHAN_ABSENT), "absent");
	ck_assert_str_eq(vsp_chan_name(VSP_CHAN_CONNECTED), "connected");
}
END_TEST

Suite *
vsp_guest_suite(void)
{
	Suite	*s = suite_create("vsp_guest");
	TCase	*tc = tcase_create("session");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, silent_port_is_absent_until_the_host_speaks);
	tcase_add_test(tc, hello_voids_the_ack_and_gets_a_resend);
	tcase_add_test(tc, hung_up_port_is_reopened);
	tcase_add_test(tc, write_error_reopens_the_port);
	tcase_add_test(tc, host_back_after_eof_is_connected);
	tcase_add_test(tc, unanswered_reannounce_voids_the_ack);
	tcase_add_test(tc, chan_names);
	suite_add_tcase(s, tc);
	return s;
}
