/*
 * vrouter-hostd: the hypervisor agent.  One channel per router VM; a VM's
 * STATE moves the host routes of the addresses registered for it.
 *
 * Two processes (docs/architecture.md, "Privilege separation"):
 * - the route process (this header): registrations, the control sockets,
 *   the netlink and packet sockets, the routes; it connects to each VM's
 *   chardev socket and hands the connection to
 * - the channel engine (engine.c), unprivileged and sandboxed, which reads
 *   the guests' frames and passes on authorised states (psmsg.h).
 */
#ifndef VR_HOSTD_H
#define VR_HOSTD_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "kmirror.h"
#include "kroute.h"
#include "logrl.h"
#include "psmsg.h"
#include "registry.h"
#include "tbucket.h"

struct hostd;
struct mnl_socket;

/* What the VM last claimed for one registered address. */
struct vm_claim {
	uint8_t		 state;		/* enum vsp_state */
	uint8_t		 result;	/* enum vsp_result, last outcome */
	uint8_t		 reason;	/* enum vsp_reason */
};

/* One entry of `host events`: what happened to an address. */
struct hostd_event {
	struct timespec	 when;
	uint32_t	 addr;
	uint8_t		 result;
	uint8_t		 reason;
	uint8_t		 state;
	uint8_t		 conflict;	/* someone else's route is there */
};

/* Per VM, so that one VM's events never push out another's. */
#define VM_EVENTS	16
#define HOST_EVENTS	32

struct event_ring {
	uint64_t	 n;		/* events ever recorded */
	struct hostd_event ev[];	/* size given at allocation */
};

struct vm {
	TAILQ_ENTRY(vm)	 entry;
	struct hostd	*hd;
	uint32_t	 id;		/* names it to the engine */
	struct vm_reg	 reg;
	struct vm_claim	 claims[REG_MAX_ADDRS];	/* parallel to reg.addrs */

	/* channel: we connect, the engine reads */
	uint32_t	 conn;		/* current connection, 0: none */
	int		 connected;
	int		 backoff_ms;
	uint64_t	 lost_ms;	/* channel lost: fast retries until +FAST */
	int		 warned;	/* connect failure already logged */
	int		 keep_routes;	/* reconnecting after an engine restart */
	struct event	*ev_retry;
	uint64_t	 yield_at_ms;	/* the last YIELD sent, for the limit */
	uint32_t	 yield_request;	/* its number */
	uint64_t	 n_yields;	/* YIELDs sent */
	uint64_t	 n_yields_limited; /* asked again within the limit */

	/* what the guest has told us on this connection */
	char		 router_id[VSP_NAME_LEN + 1];
	uint64_t	 guest_epoch;
	uint32_t	 guest_seq;
	time_t		 last_state_at;

	/* counters: ours, and the engine's for the current connection */
	struct psm_stats eng;		/* current connection */
	struct psm_stats eng_total;	/* earlier connections */
	uint64_t	 n_applied;
	uint64_t	 n_failed;
	uint64_t	 n_conflicts;
	uint64_t	 n_connects;
	uint64_t	 n_announced;
	uint64_t	 n_announce_limited;
	uint64_t	 n_violations;	/* engine passed what it must not */

	struct tbucket	 garp_tb;
	struct logrl	 logrl;
	struct {
		uint64_t	 n;
		struct hostd_event ev[VM_EVENTS];
	}		 events;
};
TAILQ_HEAD(vm_list, vm);

struct hostd {
	struct event_base *base;
	struct kr_handle *kr;
	struct kr_monitor *krmon;
	struct event	*ev_krmon;
	struct kmirror	*km;
	struct vm_list	 vms;
	uint32_t	 next_vm_id;
	uint32_t	 next_conn;
	uint32_t	 next_yield;	/* YIELD request numbers, never 0 */
	const char	*regdir;
	char		 hostname[VSP_NAME_LEN + 1];
	uint64_t	 epoch;
	uint8_t		 proto;
	int		 garp_count;
	uint32_t	 garp_rate;	/* announcements per second per VM */
	uint32_t	 garp_burst;
	int		 garp_fd;	/* one packet socket for every announcement */
	int		 grace_ms;
	int		 reconciling;
	struct event	*ev_grace;
	struct event	*ev_tick;
	struct event	*ev_audit;
	struct mnl_socket *linkmon;	/* linkmon.c */
	struct event	*ev_link;
	struct event	*ev_linkresync;
	uint64_t	 resyncs;	/* full dumps after lost notifications */

	/* the channel engine */
	struct psm_config engine_cfg;
	const char	*engine_user;
	const char	*self_path;
	int		 verbose;
	int		 foreground;
	struct ps_peer	*engine;
	int		 engine_pid;
	int		 engine_restarts;
	struct event	*ev_respawn;

	struct metrics	*metrics;	/* metrics.c */

	struct {
		uint64_t	 n;
		struct hostd_event ev[HOST_EVENTS];
	}		 events;
};

/* chan.c: connecting each VM's channel and handing it to the engine */
int	 chan_start(struct vm *);
void	 chan_stop(struct vm *);
void	 chan_lost(struct vm *, const struct psm_lost *);
void	 chan_engine_lost(struct hostd *);
void	 chan_engine_back(struct hostd *);
/*
 * Ask the VM's guest to hand mastership over (a YIELD frame), at most once
 * per CHAN_YIELD_MIN_MS per VM.  Returns 1 if one was sent, 0 if the limit
 * held it back (one is on its way), -1 with errno ENOTCONN (no channel) or
 * from the engine's socket.
 */
#define CHAN_YIELD_MIN_MS	1000
int	 chan_yield(struct vm *);

/* routes.c */
void	 routes_apply_state(struct vm *, const struct psm_state *,
	    struct psm_result *);
void	 routes_withdraw_vm(struct vm *, const char *why);
int	 routes_reconcile_start(struct hostd *);
void	 routes_grace_end(struct hostd *);
int	 routes_monitor_start(struct hostd *);
struct vm *routes_owner(struct hostd *, const struct km_route *);

/* linkmon.c: links that go down take their routes silently */
int	 linkmon_start(struct hostd *, void (*)(evutil_socket_t, short,
	    void *));
void	 linkmon_stop(struct hostd *);

/* garp.c */
int	 garp_open(void);
int	 garp_send(int fd, const char *ifname, uint32_t addr, int count);

/* control.c */
struct ctl_server;
struct ctl_server *control_init(struct hostd *, const char *path,
	    int readonly);

/* metrics.c: the Prometheus page; with dir, dir/vrouter-hostd.prom */
struct metrics;
int	 hostd_metrics_init(struct hostd *, const char *dir);
void	 hostd_metrics_free(struct hostd *);
/* The page, malloc'ed (the caller frees it); NULL with errno. */
char	*hostd_metrics_page(struct hostd *, size_t *len);

/* events.c: history and the tenant-provoked log lines */
void	 hostd_event(struct hostd *, struct vm *, uint32_t addr,
	    uint8_t state, uint8_t result, uint8_t reason, int conflict);
void	 vm_log(struct vm *, int level, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	 vm_log_flush(struct vm *, uint64_t now_ms);

/* vms.c */
struct vm *hostd_vm_find(struct hostd *, const char *name);
struct vm *hostd_vm_by_id(struct hostd *, uint32_t id);
/*
 * The VM's role as its claims show it: MASTER if it claims MASTER for any
 * registered address (its route is wanted here), else the state it
 * claims for its first address (INIT before it said anything).
 */
uint8_t	 hostd_vm_role(const struct vm *);
int	 hostd_vm_add(struct hostd *, const struct vm_reg *, char *err,
	    size_t errlen);
int	 hostd_vm_del(struct hostd *, const char *name, char *err,
	    size_t errlen);
void	 hostd_load_registrations(struct hostd *);
void	 hostd_vms_free(struct hostd *);

/* privsep.c: the route process's end of the engine */
int	 privsep_start(struct hostd *);
void	 privsep_stop(struct hostd *);
int	 privsep_send(struct hostd *, const struct psm_msg *, int fd);

/* engine.c: the channel engine's main (`vrouter-hostd -E`) */
int	 engine_main(int argc, char *argv[]);

/* sandbox.c: the engine's empty root, its user, its system calls */
#define SANDBOX_DIR	"/run/vrouter/empty"
#define SANDBOX_USER	"_vrouter"
int	 sandbox_enter(const char *user, const char *chroot_dir);
int	 sandbox_make_root(const char *dir);

#endif
