/*
 * vrouter-hostd: the hypervisor agent.  One channel per router VM; a VM's
 * STATE moves the host routes of the addresses registered for it.
 */
#ifndef VR_HOSTD_H
#define VR_HOSTD_H

#include <sys/queue.h>

#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "kroute.h"
#include "registry.h"
#include "vsp_stream.h"

struct hostd;

/* What the VM last claimed for one registered address. */
struct vm_claim {
	uint8_t		 state;		/* enum vsp_state */
	uint8_t		 result;	/* enum vsp_result, last outcome */
	uint8_t		 reason;	/* enum vsp_reason */
};

struct vm {
	TAILQ_ENTRY(vm)	 entry;
	struct hostd	*hd;
	struct vm_reg	 reg;
	struct vm_claim	 claims[REG_MAX_ADDRS];	/* parallel to reg.addrs */

	/* channel */
	int		 fd;
	int		 connected;
	int		 backoff_ms;
	int		 warned;	/* connect failure already logged */
	struct event	*ev_read;
	struct event	*ev_write;
	struct event	*ev_retry;
	struct vsp_reader rd;
	struct vsp_wbuf	 wb;
	uint32_t	 tx_seq;

	/* what the guest has told us on this connection */
	char		 router_id[VSP_NAME_LEN + 1];
	int		 have_state;
	uint64_t	 guest_epoch;
	uint32_t	 guest_seq;
	struct vsp_msg	 last_ack;
	time_t		 last_state_at;

	/* counters */
	uint64_t	 n_states;
	uint64_t	 n_stale;
	uint64_t	 n_refused;
	uint64_t	 n_failed;
	uint64_t	 n_connects;
};
TAILQ_HEAD(vm_list, vm);

/* A route of ours in the kernel, and which VM it serves. */
struct owned_route {
	uint32_t	 addr;
	uint32_t	 table;
	unsigned int	 ifindex;
	struct vm	*vm;		/* NULL: found at start, no VM yet */
	int		 confirmed;	/* a VM has claimed it since start */
};

#define EVENT_RING	256

struct hostd_event {
	struct timespec	 when;
	char		 vm[REG_NAME_LEN];
	uint32_t	 addr;
	uint8_t		 result;
	uint8_t		 reason;
	uint8_t		 state;
};

struct hostd {
	struct event_base *base;
	struct kr_handle *kr;
	struct vm_list	 vms;
	const char	*regdir;
	char		 hostname[VSP_NAME_LEN + 1];
	uint64_t	 epoch;
	int		 garp_count;
	int		 garp_fd;	/* one packet socket for every announcement */
	int		 grace_ms;
	int		 reconciling;
	struct event	*ev_grace;

	struct owned_route *routes;
	size_t		 nroutes;
	size_t		 routes_cap;

	struct hostd_event events[EVENT_RING];
	uint64_t	 nevents;
};

/* vmchan.c */
int	 vmchan_start(struct vm *);
void	 vmchan_stop(struct vm *);
int	 vmchan_send(struct vm *, const struct vsp_msg *);

/* routes.c */
/* Apply a STATE; *announce gets the addresses to announce (after the ack). */
void	 routes_apply_state(struct vm *, const struct vsp_msg *,
	    struct vsp_ack_msg *, uint32_t *announce, size_t *nannounce);
void	 routes_withdraw_vm(struct vm *, const char *why);
int	 routes_reconcile_start(struct hostd *);
void	 routes_grace_end(struct hostd *);
void	 routes_forget_vm(struct hostd *, struct vm *);

/* garp.c */
int	 garp_open(void);
int	 garp_send(int fd, const char *ifname, uint32_t addr, int count);

/* control.c */
struct ctl_server;
struct ctl_server *control_init(struct hostd *, const char *path,
	    int readonly);

/* hostd.c */
struct vm *hostd_vm_find(struct hostd *, const char *name);
int	 hostd_vm_add(struct hostd *, const struct vm_reg *, char *err,
	    size_t errlen);
int	 hostd_vm_del(struct hostd *, const char *name, char *err,
	    size_t errlen);
void	 hostd_event(struct hostd *, struct vm *, uint32_t addr,
	    uint8_t state, uint8_t result, uint8_t reason);

#endif
