/*
 * Each VM's channel, as the route process sees it: it connects to the
 * QEMU chardev socket (it has the rights to), hands the connection to the
 * channel engine, and acts when the engine reports it lost.  A lost
 * channel means QEMU is gone, so the VM's routes are withdrawn: fail safe.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "evglue.h"
#include "hostd.h"
#include "log.h"

/*
 * A channel that was just lost, or a VM just registered, is most likely
 * coming back soon (QEMU or its chardev restarting, a VM starting): retry
 * every BACKOFF_MIN_MS for FAST_MS, so that the route is back within
 * about that much of the socket's return, then back off.  One connect()
 * to a missing socket is a few microseconds: at most 20 a second per VM.
 */
#define BACKOFF_MIN_MS	50
#define BACKOFF_MAX_MS	2000
#define FAST_MS		30000

static void	 try_connect(evutil_socket_t, short, void *);

static void
schedule_retry(struct vm *vm)
{
	/* VMs loaded at start-up get their timer on the first retry. */
	if (vm->ev_retry == NULL &&
	    (vm->ev_retry = evtimer_new(vm->hd->base, try_connect,
	    vm)) == NULL) {
		log_warnx("vm %s: out of memory for its retry timer",
		    vm->reg.name);
		return;
	}
	evtimer_add_ms(vm->ev_retry, (unsigned int)vm->backoff_ms);
	if (mono_ms() - vm->lost_ms < FAST_MS)
		return;
	vm->backoff_ms *= 2;
	if (vm->backoff_ms > BACKOFF_MAX_MS)
		vm->backoff_ms = BACKOFF_MAX_MS;
}

static void
stats_fold(struct vm *vm)
{
	struct psm_stats	*t = &vm->eng_total, *c = &vm->eng;

	t->frames += c->frames;
	t->states += c->states;
	t->stale += c->stale;
	t->coalesced += c->coalesced;
	t->limited += c->limited;
	t->refused += c->refused;
	t->bad_frames += c->bad_frames;
	t->garbage_bytes += c->garbage_bytes;
	t->acks_dropped += c->acks_dropped;
	memset(c, 0, sizeof(*c));
}

static void
disconnected(struct vm *vm)
{
	vm->connected = 0;
	vm->conn = 0;
	stats_fold(vm);
}

static void
try_connect(evutil_socket_t unused, short what, void *arg)
{
	struct vm		*vm = arg;
	struct hostd		*hd = vm->hd;
	struct sockaddr_un	 sun;
	struct psm_msg		 m;
	int			 fd;

	(void)unused;
	(void)what;
	if (hd->engine_pid <= 0)
		return;		/* chan_engine_back() connects them all */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, vm->reg.channel, strlen(vm->reg.channel) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 || connect(fd, (struct sockaddr *)&sun,
	    sizeof(sun)) == -1) {
		if (!vm->warned)
			log_warn("vm %s: connect %s (will retry)", vm->reg.name,
			    vm->reg.channel);
		vm->warned = 1;
		if (fd != -1)
			close(fd);
		if (vm->keep_routes) {
			/* Its QEMU went away while the engine restarted. */
			vm->keep_routes = 0;
			routes_withdraw_vm(vm, "channel gone");
		}
		schedule_retry(vm);
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = PSM_ATTACH;
	m.u.attach.id = vm->id;
	m.u.attach.conn = ++hd->next_conn;
	snprintf(m.u.attach.name, sizeof(m.u.attach.name), "%s", vm->reg.name);
	m.u.attach.naddrs = (uint16_t)vm->reg.naddrs;
	memcpy(m.u.attach.addrs, vm->reg.addrs,
	    vm->reg.naddrs * sizeof(vm->reg.addrs[0]));
	if (privsep_send(hd, &m, fd) == -1) {
		log_warn("vm %s: handing the channel to the engine",
		    vm->reg.name);
		schedule_retry(vm);
		return;
	}
	vm->warned = 0;
	vm->keep_routes = 0;
	vm->connected = 1;
	vm->conn = m.u.attach.conn;
	vm->n_connects++;
	vm->backoff_ms = BACKOFF_MIN_MS;
	vm_log(vm, 1, "channel %s connected", vm->reg.channel);
}

int
chan_start(struct vm *vm)
{
	vm->backoff_ms = BACKOFF_MIN_MS;
	vm->lost_ms = mono_ms();
	if (vm->ev_retry == NULL)
		vm->ev_retry = evtimer_new(vm->hd->base, try_connect, vm);
	if (vm->ev_retry == NULL)
		return -1;
	try_connect(-1, 0, vm);
	return 0;
}

/* Stop serving the channel: unregistered, or registration changed. */
void
chan_stop(struct vm *vm)
{
	struct psm_msg	 m;

	if (vm->connected && vm->hd->engine_pid > 0) {
		memset(&m, 0, sizeof(m));
		m.type = PSM_DETACH;
		m.u.detach.id = vm->id;
		m.u.detach.conn = vm->conn;
		privsep_send(vm->hd, &m, -1);
	}
	disconnected(vm);
	if (vm->ev_retry != NULL) {
		event_free(vm->ev_retry);
		vm->ev_retry = NULL;
	}
}

int
chan_yield(struct vm *vm)
{
	struct hostd	*hd = vm->hd;
	struct psm_msg	 m;
	uint64_t	 now = mono_ms();

	if (!vm->connected) {
		errno = ENOTCONN;
		return -1;
	}
	/* Hooks re-run and operators retry: one request covers them. */
	if (vm->yield_at_ms != 0 && now - vm->yield_at_ms < CHAN_YIELD_MIN_MS) {
		vm->n_yields_limited++;
		return 0;
	}
	if (++hd->next_yield == 0)
		hd->next_yield = 1;
	memset(&m, 0, sizeof(m));
	m.type = PSM_YIELD;
	m.u.yield.id = vm->id;
	m.u.yield.conn = vm->conn;
	m.u.yield.request = hd->next_yield;
	if (privsep_send(hd, &m, -1) == -1)
		return -1;
	vm->yield_at_ms = now;
	vm->yield_request = hd->next_yield;
	vm->n_yields++;
	log_info("vm %s: asked to hand over (request %u)", vm->reg.name,
	    hd->next_yield);
	return 1;
}

void
chan_lost(struct vm *vm, const struct psm_lost *l)
{
	if (l->why == PSM_LOST_EOF)
		vm_log(vm, 0, "channel %s: closed by QEMU", vm->reg.channel);
	else
		vm_log(vm, 0, "channel %s: %s", vm->reg.channel,
		    strerror(l->error));
	disconnected(vm);
	routes_withdraw_vm(vm, "channel lost");
	vm->backoff_ms = BACKOFF_MIN_MS;
	vm->lost_ms = mono_ms();
	schedule_retry(vm);
}

/*
 * The engine died: its connections went with it, but the VMs did not.
 * Keep their routes; the new engine's HELLO makes each guest resend.
 */
void
chan_engine_lost(struct hostd *hd)
{
	struct vm	*vm;

	TAILQ_FOREACH(vm, &hd->vms, entry) {
		if (vm->connected)
			vm->keep_routes = 1;
		disconnected(vm);
		if (vm->ev_retry != NULL)
			evtimer_del(vm->ev_retry);
	}
}

void
chan_engine_back(struct hostd *hd)
{
	struct vm	*vm;

	TAILQ_FOREACH(vm, &hd->vms, entry) {
		vm->backoff_ms = BACKOFF_MIN_MS;
		vm->lost_ms = mono_ms();
		try_connect(-1, 0, vm);
	}
}
