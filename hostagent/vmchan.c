/*
 * One channel per router VM: hostd connects to the QEMU chardev socket,
 * greets the guest (so it resends its state at once), reads STATE frames
 * and answers each with an ACK.  A closed channel means QEMU is gone, so
 * the VM's routes are withdrawn: fail safe.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "hostd.h"
#include "log.h"

#define BACKOFF_MIN_MS	50
#define BACKOFF_MAX_MS	2000

static void	 try_connect(evutil_socket_t, short, void *);

static void
schedule_retry(struct vm *vm)
{
	struct timeval	 tv;

	tv.tv_sec = vm->backoff_ms / 1000;
	tv.tv_usec = (vm->backoff_ms % 1000) * 1000;
	evtimer_add(vm->ev_retry, &tv);
	vm->backoff_ms *= 2;
	if (vm->backoff_ms > BACKOFF_MAX_MS)
		vm->backoff_ms = BACKOFF_MAX_MS;
}

static void
close_channel(struct vm *vm)
{
	if (vm->ev_read != NULL) {
		event_free(vm->ev_read);
		vm->ev_read = NULL;
	}
	if (vm->ev_write != NULL) {
		event_free(vm->ev_write);
		vm->ev_write = NULL;
	}
	if (vm->fd != -1) {
		close(vm->fd);
		vm->fd = -1;
	}
	vm->connected = 0;
	vm->have_state = 0;
	vsp_reader_free(&vm->rd);
	vsp_wbuf_free(&vm->wb);
}

static void
channel_lost(struct vm *vm, const char *why)
{
	log_warnx("vm %s: channel %s: %s", vm->reg.name, vm->reg.channel,
	    why);
	close_channel(vm);
	routes_withdraw_vm(vm, "channel lost");
	vm->backoff_ms = BACKOFF_MIN_MS;
	schedule_retry(vm);
}

static void
arm_write(struct vm *vm)
{
	if (vm->ev_write != NULL && vsp_wbuf_pending(&vm->wb))
		event_add(vm->ev_write, NULL);
}

int
vmchan_send(struct vm *vm, const struct vsp_msg *msg)
{
	if (!vm->connected) {
		errno = ENOTCONN;
		return -1;
	}
	if (vsp_wbuf_add_msg(&vm->wb, msg) == -1)
		return -1;
	if (vsp_wbuf_flush(&vm->wb, vm->fd) == -1) {
		channel_lost(vm, strerror(errno));
		errno = EPIPE;
		return -1;
	}
	arm_write(vm);
	return 0;
}

static void
send_ack(struct vm *vm)
{
	vm->last_ack.hdr.type = VSP_ACK;
	vm->last_ack.hdr.seq = ++vm->tx_seq;
	vm->last_ack.hdr.epoch = vm->hd->epoch;
	if (vmchan_send(vm, &vm->last_ack) == -1 && errno != EPIPE)
		log_warn("vm %s: sending ack", vm->reg.name);
}

/*
 * Full-state messages make a resend harmless, but an older one must not
 * undo a newer one: compare (epoch, seq) with the last applied.
 */
static void
handle_state(struct vm *vm, const struct vsp_msg *msg)
{
	const struct vsp_header	*h = &msg->hdr;
	uint32_t		 announce[REG_MAX_ADDRS];
	size_t			 i, n;

	if (vm->have_state && (h->epoch < vm->guest_epoch ||
	    (h->epoch == vm->guest_epoch && h->seq < vm->guest_seq))) {
		vm->n_stale++;
		log_debug("vm %s: stale state epoch %llu seq %u ignored",
		    vm->reg.name, (unsigned long long)h->epoch, h->seq);
		return;
	}
	if (vm->have_state && h->epoch == vm->guest_epoch &&
	    h->seq == vm->guest_seq) {
		send_ack(vm);	/* our ack was lost: say it again */
		return;
	}
	vm->have_state = 1;
	vm->guest_epoch = h->epoch;
	vm->guest_seq = h->seq;
	vm->n_states++;
	vm->last_state_at = time(NULL);
	strcpy(vm->router_id, msg->u.state.router_id);
	memset(&vm->last_ack, 0, sizeof(vm->last_ack));
	vm->last_ack.u.ack.acked_seq = h->seq;
	vm->last_ack.u.ack.acked_epoch = h->epoch;
	routes_apply_state(vm, msg, &vm->last_ack.u.ack, announce, &n);
	send_ack(vm);
	/* The ack first: the guest should not wait for our ARP. */
	for (i = 0; i < n; i++)
		if (garp_send(vm->hd->garp_fd, vm->reg.uplink, announce[i],
		    vm->hd->garp_count) == -1)
			log_warn("vm %s: gratuitous ARP on %s", vm->reg.name,
			    vm->reg.uplink);
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct vm	*vm = arg;
	struct vsp_msg	*msg;
	static struct vsp_msg msgbuf;	/* large; one event at a time */
	uint8_t		*p;
	size_t		 avail;
	ssize_t		 n;
	uint64_t	 garbage = vm->rd.garbage_bytes;

	(void)what;
	msg = &msgbuf;
	for (;;) {
		if ((p = vsp_reader_space(&vm->rd, &avail)) == NULL) {
			channel_lost(vm, strerror(errno));
			return;
		}
		n = read(fd, p, avail);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {
			channel_lost(vm, n == 0 ? "closed by QEMU" :
			    strerror(errno));
			return;
		}
		vsp_reader_commit(&vm->rd, (size_t)n);
		while (vsp_reader_next(&vm->rd, msg)) {
			if (msg->hdr.type == VSP_STATE)
				handle_state(vm, msg);
			else
				log_debug("vm %s: ignoring %s from guest",
				    vm->reg.name, vsp_type_name(msg->hdr.type));
			if (!vm->connected)
				return;
		}
	}
	if (vm->rd.garbage_bytes != garbage)
		log_warnx("vm %s: skipped %llu bytes that were not frames",
		    vm->reg.name,
		    (unsigned long long)(vm->rd.garbage_bytes - garbage));
}

static void
on_write(evutil_socket_t fd, short what, void *arg)
{
	struct vm	*vm = arg;

	(void)what;
	if (vsp_wbuf_flush(&vm->wb, fd) == -1) {
		channel_lost(vm, strerror(errno));
		return;
	}
	arm_write(vm);
}

static void
try_connect(evutil_socket_t unused, short what, void *arg)
{
	struct vm		*vm = arg;
	struct sockaddr_un	 sun;
	struct vsp_msg		 hello;

	(void)unused;
	(void)what;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, vm->reg.channel, strlen(vm->reg.channel) + 1);
	vm->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (vm->fd == -1 || connect(vm->fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1) {
		if (!vm->warned)
			log_warn("vm %s: connect %s (will retry)", vm->reg.name,
			    vm->reg.channel);
		vm->warned = 1;
		close_channel(vm);
		schedule_retry(vm);
		return;
	}
	vm->warned = 0;
	vm->connected = 1;
	vm->n_connects++;
	vm->backoff_ms = BACKOFF_MIN_MS;
	vm->ev_read = event_new(vm->hd->base, vm->fd, EV_READ | EV_PERSIST,
	    on_read, vm);
	vm->ev_write = event_new(vm->hd->base, vm->fd, EV_WRITE, on_write, vm);
	if (vm->ev_read == NULL || vm->ev_write == NULL) {
		log_warnx("vm %s: out of memory for events", vm->reg.name);
		close_channel(vm);
		schedule_retry(vm);
		return;
	}
	event_add(vm->ev_read, NULL);
	log_info("vm %s: channel %s connected", vm->reg.name, vm->reg.channel);

	memset(&hello, 0, sizeof(hello));
	hello.hdr.type = VSP_HELLO;
	hello.hdr.seq = ++vm->tx_seq;
	hello.hdr.epoch = vm->hd->epoch;
	hello.u.hello.min_version = VSP_VERSION;
	hello.u.hello.max_version = VSP_VERSION;
	strcpy(hello.u.hello.host, vm->hd->hostname);
	if (vmchan_send(vm, &hello) == -1 && errno != EPIPE)
		log_warn("vm %s: sending hello", vm->reg.name);
}

int
vmchan_start(struct vm *vm)
{
	vm->fd = -1;
	vm->backoff_ms = BACKOFF_MIN_MS;
	/* Buffers exist only while connected: close_channel frees them. */
	vsp_reader_init(&vm->rd, VSP_MAX_STATE_FRAME);
	vsp_wbuf_init(&vm->wb, 4 * VSP_MAX_FRAME);
	if (vm->ev_retry == NULL)
		vm->ev_retry = evtimer_new(vm->hd->base, try_connect, vm);
	if (vm->ev_retry == NULL)
		return -1;
	try_connect(-1, 0, vm);
	return 0;
}

void
vmchan_stop(struct vm *vm)
{
	close_channel(vm);
	if (vm->ev_retry != NULL) {
		event_free(vm->ev_retry);
		vm->ev_retry = NULL;
	}
}
