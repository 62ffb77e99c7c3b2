/*
 * The route process's end of privilege separation: it starts the channel
 * engine as a fresh exec of this binary (new address space, nothing
 * inherited but the socketpair), feeds it channels and results, and takes
 * its states.  If the engine dies it is started again; the VMs keep
 * their routes meanwhile, and the guests resend on the new HELLO.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evglue.h"
#include "hostd.h"
#include "log.h"
#include "psio.h"
#include "sdnotify.h"

#define ENGINE_FD		3
#define RESPAWN_MIN_MS		100
#define RESPAWN_MAX_MS		5000

static void	 engine_closed(const char *, void *);

static void
announce(struct vm *vm, const struct psm_state *st)
{
	struct hostd	*hd = vm->hd;
	size_t		 i;
	int		 idx;

	/*
	 * Every applied MASTER is announced, not only a move: after a split
	 * brain the guest re-asserts, and the upstream must hear from us
	 * again.  But at a bounded rate per VM, whatever the guest sends.
	 */
	for (i = 0; i < st->nclaims; i++) {
		if (st->claims[i].state != VSP_ST_MASTER)
			continue;
		for (idx = 0; idx < (int)vm->reg.naddrs; idx++)
			if (vm->reg.addrs[idx] == st->claims[i].addr)
				break;
		if (idx == (int)vm->reg.naddrs ||
		    vm->claims[idx].result != VSP_RES_INSTALLED)
			continue;
		if (!tb_take(&vm->garp_tb, mono_ms())) {
			vm->n_announce_limited++;
			continue;
		}
		vm->n_announced++;
		if (garp_send(hd->garp_fd, vm->reg.uplink, st->claims[i].addr,
		    hd->garp_count) == -1)
			vm_log(vm, 0, "gratuitous ARP on %s: %s", vm->reg.uplink,
			    strerror(errno));
	}
}

static void
on_state(struct hostd *hd, const struct psm_state *st)
{
	struct vm	*vm = hostd_vm_by_id(hd, st->id);
	struct psm_msg	 m;

	if (vm == NULL || !vm->connected || vm->conn != st->conn)
		return;		/* for a connection since closed */
	vm->guest_epoch = st->epoch;
	vm->guest_seq = st->seq;
	vm->last_state_at = time(NULL);
	memcpy(vm->router_id, st->router_id, sizeof(vm->router_id));
	if (st->nrefused > 0)
		hostd_event(hd, vm, st->refused_addr, st->refused_state,
		    VSP_RES_REFUSED, st->refused_reason, 0);

	memset(&m, 0, sizeof(m));
	m.type = PSM_RESULT;
	m.u.result.id = st->id;
	m.u.result.conn = st->conn;
	m.u.result.epoch = st->epoch;
	m.u.result.seq = st->seq;
	routes_apply_state(vm, st, &m.u.result);
	/* The ack first: the guest should not wait for our ARP. */
	privsep_send(hd, &m, -1);
	announce(vm, st);
}

static void
on_msg(const struct psm_msg *m, int fd, void *arg)
{
	struct hostd	*hd = arg;
	struct vm	*vm;

	if (fd != -1)
		close(fd);	/* the engine never sends descriptors */
	switch (m->type) {
	case PSM_STATE:
		on_state(hd, &m->u.state);
		break;
	case PSM_LOST:
		vm = hostd_vm_by_id(hd, m->u.lost.id);
		if (vm != NULL && vm->connected && vm->conn == m->u.lost.conn)
			chan_lost(vm, &m->u.lost);
		break;
	case PSM_STATS:
		vm = hostd_vm_by_id(hd, m->u.stats.id);
		if (vm != NULL && vm->connected && vm->conn == m->u.stats.conn)
			vm->eng = m->u.stats;
		break;
	default:
		log_warnx("channel engine sent %s: stopping it",
		    psm_type_name(m->type));
		engine_closed("protocol violation", hd);
	}
}

static int
spawn(struct hostd *hd)
{
	static char	 a0[] = "vrouter-hostd", aE[] = "-E", au[] = "-u";
	static char	 ad[] = "-d", user[64];
	char		*argv[8];
	int		 sv[2], argc = 0;
	pid_t	 pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	switch ((pid = fork())) {
	case -1:
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		if (dup2(sv[1], ENGINE_FD) == -1)
			_exit(127);
		closefrom(ENGINE_FD + 1);
		argv[argc++] = a0;
		argv[argc++] = aE;
		if (hd->engine_user != NULL) {
			snprintf(user, sizeof(user), "%s", hd->engine_user);
			argv[argc++] = au;
			argv[argc++] = user;
		}
		if (hd->foreground)
			argv[argc++] = ad;
		argv[argc] = NULL;
		/* Only hostd talks to systemd (NotifyAccess=main). */
		sdnotify_forget();
		execv(hd->self_path, argv);
		_exit(127);
	}
	close(sv[1]);
	if ((hd->engine = ps_peer_new(hd->base, sv[0], on_msg, engine_closed,
	    hd)) == NULL) {
		close(sv[0]);
		kill(pid, SIGKILL);
		return -1;
	}
	hd->engine_pid = pid;
	if (privsep_send(hd, &(struct psm_msg){ .type = PSM_CONFIG,
	    .u.config = hd->engine_cfg }, -1) == -1)
		return -1;
	log_debug("channel engine started, pid %d", (int)pid);
	return 0;
}

static void
on_respawn(evutil_socket_t fd, short what, void *arg)
{
	struct hostd	*hd = arg;

	(void)fd;
	(void)what;
	ps_peer_free(hd->engine);	/* deferred from engine_closed() */
	hd->engine = NULL;
	if (spawn(hd) == -1) {
		log_warn("starting the channel engine (will retry)");
		ps_peer_free(hd->engine);
		hd->engine = NULL;
		evtimer_add_ms(hd->ev_respawn, RESPAWN_MAX_MS);
		return;
	}
	chan_engine_back(hd);
}

static void
reap(struct hostd *hd)
{
	int	 status;

	if (hd->engine_pid <= 0)
		return;
	kill(hd->engine_pid, SIGKILL);
	if (waitpid(hd->engine_pid, &status, 0) == hd->engine_pid) {
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
			log_warnx("channel engine killed by %s",
			    strsignal(WTERMSIG(status)));
		else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			log_warnx("channel engine exited %d",
			    WEXITSTATUS(status));
	}
	hd->engine_pid = 0;
}

/*
 * The engine is gone or must go.  Its peer is freed later, from the
 * respawn timer: this runs inside the peer's own callbacks.
 */
static void
engine_closed(const char *why, void *arg)
{
	struct hostd	*hd = arg;
	unsigned int	 ms;

	if (hd->engine_pid <= 0)
		return;
	log_warnx("channel engine lost (%s): restarting it; routes stay",
	    why);
	reap(hd);
	chan_engine_lost(hd);
	hd->engine_restarts++;
	ms = RESPAWN_MIN_MS << (hd->engine_restarts > 6 ? 6 :
	    hd->engine_restarts - 1);
	evtimer_add_ms(hd->ev_respawn, ms > RESPAWN_MAX_MS ? RESPAWN_MAX_MS :
	    ms);
}

int
privsep_send(struct hostd *hd, const struct psm_msg *m, int fd)
{
	if (hd->engine == NULL || hd->engine_pid <= 0) {
		if (fd != -1)
			close(fd);
		errno = ENOTCONN;
		return -1;
	}
	return ps_peer_send(hd->engine, m, fd);
}

int
privsep_start(struct hostd *hd)
{
	if ((hd->ev_respawn = evtimer_new(hd->base, on_respawn, hd)) == NULL)
		return -1;
	if (geteuid() == 0 && sandbox_make_root(SANDBOX_DIR) == -1) {
		log_warn("%s", SANDBOX_DIR);
		return -1;
	}
	return spawn(hd);
}

void
privsep_stop(struct hostd *hd)
{
	reap(hd);
	ps_peer_free(hd->engine);
	hd->engine = NULL;
	if (hd->ev_respawn != NULL)
		event_free(hd->ev_respawn);
}
