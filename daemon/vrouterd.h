/*
 * vrouterd: the supervisor inside a router VM.  One event loop; each file
 * owns one job: children (keepalived, conntrackd), the notify FIFO, the
 * VRRP state, the conntrack handover, NAT rules, rendering, the host
 * channel and the control socket.
 */
#ifndef VR_VROUTERD_H
#define VR_VROUTERD_H

#include <sys/types.h>

#include <time.h>

#include <event2/event.h>

#include "config.h"
#include "fifo_parse.h"
#include "render.h"
#include "vsp.h"

/* The instances (public, networks, sync path) and the sync group. */
#define MAX_VRRP	(CONF_MAX_NETWORKS + 3)

struct vrouterd;
struct json_t;		/* jansson's json_t: the modules' status objects */

/* child.c: a supervised long-running program. */
struct child {
	struct vrouterd	*vd;
	const char	*name;		/* "keepalived", "conntrackd" */
	char		 path[256];	/* absolute program path */
	char		*argv[16];
	int		 nargv;
	pid_t		 pid;		/* 0: not running */
	pid_t		 dying;		/* group of a crashed run, being killed */
	int		 want;		/* should be running */
	int		 restarts;
	int		 backoff_ms;
	int		 stable_ms;	/* a run this long was healthy */
	struct timespec	 started;
	struct event	*ev_restart;
	struct event	*ev_kill;	/* SIGKILL after a TERM grace */
	char		*stale[4];	/* files a killed run leaves behind */
	int		 nstale;
	char		 record[300];	/* adopt.c: pid and start time */
	int		 adopted;	/* a predecessor's: not our child */
	int		 outdated;	/* adopted, another command line */
	int		 pidfd;		/* tells when an adopted one ends */
	struct event	*ev_pidfd;
	void		(*on_start)(struct child *);
	void		(*on_exit)(struct child *, int status);
	int		 last_status;
};

int	 child_init(struct child *, struct vrouterd *, const char *name,
	    const char *path);
void	 child_arg(struct child *, const char *);
/* A pid or lock file to remove before each start (ours is reaped). */
void	 child_stale_file(struct child *, const char *);
int	 child_start(struct child *);
/*
 * Take over the run a previous vrouterd left (adopt.c's record): 1 if
 * adopted, 0 if there is none to take.
 */
int	 child_adopt(struct child *);
void	 child_stop(struct child *);
/* Leave it running for the next vrouterd, which adopts it. */
void	 child_detach(struct child *);
int	 child_signal(struct child *, int sig);
/* From the SIGCHLD handler: 1 if pid was this child. */
int	 child_reaped(struct child *, pid_t, int status);
void	 child_free(struct child *);

/* One VRRP instance or group as keepalived last reported it. */
struct vrrp_entry {
	char		 name[FIFO_NAME_LEN + 1];
	uint8_t		 kind;		/* enum fifo_kind */
	uint8_t		 state;		/* enum vsp_state */
	uint8_t		 priority;
	struct timespec	 since;
	char		 reason[64];
};

/*
 * handover_plan.c: the conntrackd steps for each state, in order;
 * HO_PUBLISH is the step that tells the host.  A state without a plan
 * only tells the host.
 */
#define HO_PUBLISH	NULL
struct handover_plan {
	uint8_t		 state;
	const char	*steps[6];
	int		 nsteps;
};
extern const struct handover_plan handover_plans[];
extern const size_t handover_nplans;

struct vrouterd {
	struct event_base *base;
	struct router_conf conf;
	const char	*conf_path;
	const char	*rundir;
	const char	*tmpldir;
	char		 fifo_path[256];
	char		 keepalived_conf[256];
	char		 conntrackd_conf[256];

	struct child	 keepalived;
	struct child	 conntrackd;
	char		 conntrackd_bin[256];
	char		 iptables_restore[256];
	struct apply	*apply;		/* apply.c: the one running */

	/* VRRP state */
	struct vrrp_entry vrrp[MAX_VRRP];
	int		 nvrrp;
	uint8_t		 router_state;	/* enum vsp_state, as decided */
	uint8_t		 host_state;	/* as last told to the host */
	struct timespec	 router_since;
	char		 last_reason[128];
	uint64_t	 reassert_ms;	/* monotonic: the last re-assertion */

	struct handover	*handover;	/* handover.c: the conntrack steps */
	struct fifo	*fifo;		/* fifo.c: keepalived's notify FIFO */
	struct ctstats	*ctstats;	/* ctstats.c: the sync, watched */
	struct rtclass	*rtclass;	/* rtclass.c: the children's classes */
	struct synclink	*synclink;	/* synclink.c: the sync link */
	struct metrics	*metrics;	/* metrics.c */
	struct inject	*inject;	/* inject.c: failover-test's faults */

	/* host channel */
	struct vsp_guest *guest;
	int		 host_acked;
	struct vsp_ack_msg last_ack;
	uint64_t	 yield_at_ms;	/* the host's last YIELD acted on */

	/* reload throttle */
	struct timespec	 last_reload;
	struct event	*ev_reload;
	int		 reload_pending;

	/* stepping down on purpose (standby.c) */
	const char	*statedir;	/* survives reboots: maintenance flag */
	struct stepdown	*stepdown;	/* its state, maintenance included */

	uint64_t	 n_transitions;
	int		 adopted;	/* took over a predecessor's children */
	int		 detaching;	/* leaving them running (SIGUSR2) */
	struct timespec	 detach_asked;
	int		 outdated_handing_over;	/* to replace keepalived */
	int		 stopping;
	struct event	*ev_stop;	/* gives up waiting for children */
};

/*
 * adopt.c: what a previous vrouterd left running.  adopt_record notes
 * pid's start time in path; adopt_find returns 1 with *pid when the
 * record names a live process group leader that started then and runs
 * exactly argv, 2 when it runs the same program with another command
 * line (outdated), else 0; *start is its start time.  The parsers are
 * pure.
 */
int	 adopt_record(const char *path, pid_t pid);
int	 adopt_find(const char *path, char *const argv[], pid_t *pid,
	    unsigned long long *start);
void	 adopt_forget(const char *path);
/* Without a record: 1 with *pid for a group leader running exactly argv. */
int	 adopt_scan(char *const argv[], pid_t *pid, unsigned long long *start);
/* 1 while pid is still the group leader that started at start. */
int	 adopt_same(pid_t pid, unsigned long long start);
/* /proc/PID/stat: its process group and start time; -1 if malformed. */
int	 adopt_parse_stat(const char *text, size_t len, pid_t *pgid,
	    unsigned long long *starttime);
/* 1 if /proc/PID/cmdline's first word names the program at path. */
int	 adopt_same_program(const char *cmdline, size_t len,
	    const char *path);
/* 1 if /proc/PID/cmdline (NUL-separated, len bytes) is exactly argv. */
int	 adopt_cmdline_matches(const char *cmdline, size_t len,
	    char *const argv[]);

/* fifo.c: keepalived's notify FIFO, read into state_event(). */
struct fifo;
/* Open fifo_path and watch it: 0, or -1 (logged). */
int	 fifo_open(struct vrouterd *);
void	 fifo_close(struct vrouterd *);
/* Skip what is in the FIFO now (an adopted keepalived's past lines). */
void	 fifo_discard(struct vrouterd *);
/* Lines read, and those that were no transition (all 0 before the open). */
struct fifo_view {
	uint64_t	 lines, malformed;
};
void	 fifo_view(const struct vrouterd *, struct fifo_view *);
/* The status's "fifo" object, new (the caller owns the reference). */
struct json_t *fifo_json(const struct vrouterd *);

/* state.c */
void	 state_event(struct vrouterd *, const struct fifo_event *,
	    const char *source);
void	 state_keepalived_died(struct vrouterd *, const char *why);
void	 state_init(struct vrouterd *);
/* An adopted keepalived: MASTER if it holds the VIP; the host is told. */
void	 state_adopted(struct vrouterd *, int master);
/* handover.c calls this when the host may be told. */
void	 state_publish(struct vrouterd *, uint8_t state);

/* handover.c: the conntrack steps between a decision and the host. */
struct handover;
void	 handover_init(struct vrouterd *);
void	 handover_request(struct vrouterd *, uint8_t state);
/* standby.c: the drain is over, the host may be told. */
void	 handover_resume(struct vrouterd *);
int	 handover_reaped(struct vrouterd *, pid_t, int status);
/* 1 from a request until its plan is done (steps, waits for a drain). */
int	 handover_busy(const struct vrouterd *);
/* 1 while a conntrackd step runs: a commit must end before we leave. */
int	 handover_stepping(const struct vrouterd *);
/* For status and metrics; all 0 before the init. */
struct handover_view {
	int		 busy;
	uint64_t	 commits;	/* of the external cache */
	uint64_t	 failures;	/* steps that failed or timed out */
	unsigned int	 last_commit_ms;
};
void	 handover_view(const struct vrouterd *, struct handover_view *);
/* The status's "handover" object, new (the caller owns the reference). */
struct json_t *handover_json(const struct vrouterd *);
void	 handover_free(struct vrouterd *);

/* standby.c: a planned step-down, and the priority by role (prio.c). */
struct stepdown;
/* master: an adopted keepalived is MASTER, and keeps its priority. */
int	 standby_init(struct vrouterd *, int master);
int	 standby_reconf(struct vrouterd *);
/*
 * A planned step-down of the MASTER, make-before-break: 0 once asked (the
 * outcome follows in the status), -1 with err when this node is not
 * MASTER or is already handing over.
 */
int	 standby_failover(struct vrouterd *, char *err, size_t errlen);
int	 standby_maintenance(struct vrouterd *, int on, char *err,
	    size_t errlen);
void	 standby_state(struct vrouterd *, uint8_t old, uint8_t st);
int	 standby_hold_host(const struct vrouterd *, uint8_t state);
void	 standby_drained(struct vrouterd *);
/* 1 while maintenance is on: out of MASTER until turned off. */
int	 standby_in_maintenance(const struct vrouterd *);
/* 1 while the standby track file keeps keepalived out (FAULT). */
int	 standby_kept_out(const struct vrouterd *);
/* The status's "stepdown" object, new (the caller owns the reference). */
struct json_t *standby_json(const struct vrouterd *);
void	 standby_free(struct vrouterd *);

/* prio.c: the priority by role, and a step-down's times.  Pure. */
enum prio_role {
	PRIO_NEUTRAL,		/* not MASTER */
	PRIO_FRESH,		/* MASTER, for its first settle_ms */
	PRIO_HOLD,		/* MASTER, settled */
	PRIO_YIELD		/* stepping down on request */
};
struct prio_times {
	unsigned int	 bound_ms, drain_ms, drain_quiet_ms, drain_max_ms;
	unsigned int	 linger_ms, settle_ms, confirm_ms, reassert_ms;
};
/* The priority keepalived should advertise (1..254). */
int	 prio_target(int base, int preempt, enum prio_role);
/* The track file's value that gives it (weight 1, added to base). */
int	 prio_bonus(int base, int preempt, enum prio_role);
void	 prio_times(unsigned int advert_ms, struct prio_times *);
/* Is a drain over, elapsed_ms in, nothing received for quiet_ms? */
int	 prio_drain_done(const struct prio_times *, unsigned int elapsed_ms,
	    unsigned int quiet_ms);
/*
 * May a master that hears a lower priority re-assert its route at now_ms
 * (monotonic), the last time having been last_ms (0: never)?  If so,
 * *last_ms becomes now_ms.
 */
int	 prio_reassert_due(const struct prio_times *, uint64_t *last_ms,
	    uint64_t now_ms);

/*
 * inject.c: faults for failover-test.  for_ms: a link-down's deadline
 * (0: the default), after which the daemon brings the link up itself.
 */
struct inject;
int	 inject_init(struct vrouterd *);
int	 inject_fault(struct vrouterd *, const char *fault, int for_ms,
	    char *err, size_t errlen);
void	 inject_free(struct vrouterd *);

/* addrs.c */
int	 addrs_remove_vips(struct vrouterd *);
/* 1 if the public VIP is on its interface (keepalived is MASTER). */
int	 addrs_vip_present(const struct vrouterd *);
/* A default route that outlives the VIP, for a hand-over's drain. */
int	 addrs_drain_route(struct vrouterd *, int on);

/*
 * nat.c: the NAT and guard rules.  nat_init refuses iptables-legacy.
 * nat_stage renders conf's rules, with the jumps the kernel lacks, into
 * rundir (returns how many rules are ours, or -1 with err); nat_spawn
 * starts iptables-restore on them (a pid, or -1 with err); nat_finish
 * takes its wait status (0 when the rules are in, -1 with what iptables
 * said); nat_abort removes what nat_stage left.
 */
int	 nat_init(struct vrouterd *, char *err, size_t errlen);
int	 nat_stage(struct vrouterd *, const struct router_conf *,
	    char *err, size_t errlen);
pid_t	 nat_spawn(struct vrouterd *, char *err, size_t errlen);
int	 nat_finish(struct vrouterd *, int status, char *err, size_t errlen);
void	 nat_abort(struct vrouterd *);
/* After a start's apply: -1 with err unless nf_tables shows every jump. */
int	 nat_verify(struct vrouterd *, char *err, size_t errlen);
/*
 * nat_jumps.c: 1 if nf_tables' table/chain (family ip) holds a plain
 * "-j target" rule, 0 if not (or there is no such table or chain yet),
 * -1 with errno.  nat_jumps_parse counts them in one netlink reply
 * (pure, for the fuzzer): 1 while the dump goes on, 0 at its end, -1
 * with errno for an error or a malformed reply.
 */
int	 nat_jump_present(const char *table, const char *chain,
	    const char *target);
int	 nat_jumps_parse(const void *buf, size_t len, unsigned int seq,
	    const char *target, int *found);

/* render.c */
/*
 * Render keepalived.conf and conntrackd.conf; with stage, write those
 * that differ from rundir's as NAME.new (and say which), else only check
 * they render.  render_commit renames the staged ones into place (and on
 * a failure removes what is left); render_abort removes them.
 */
int	 render_all(struct vrouterd *, const struct router_conf *,
	    int stage, int *keepalived_changed, int *conntrackd_changed,
	    char *err, size_t errlen);
int	 render_commit(struct vrouterd *, int keepalived_changed,
	    int conntrackd_changed, char *err, size_t errlen);
void	 render_abort(struct vrouterd *);
/* Write text to path (created 0600, synced); -1 with err, path removed. */
int	 render_write(const char *path, const char *text, char *err,
	    size_t errlen);

/*
 * apply.c: apply a description, at start (old NULL) and on reload alike,
 * without blocking the event loop: render check, stage the files, NAT
 * rules (iptables-restore, a child), then the files into place.  All or
 * nothing.  apply_config takes next (malloc'ed) and returns the apply's
 * number once it runs; done is called when it has ended (ok 0: err says
 * why, and the files and rules are old's), and then next is freed.  -1
 * with err when it could not begin: nothing changed, done is not called.
 */
struct apply;
typedef void	(*apply_done_fn)(struct vrouterd *, struct router_conf *next,
		    int ok, int keepalived_changed, int conntrackd_changed,
		    const char *err, double ms);
int	 apply_init(struct vrouterd *);
int64_t	 apply_config(struct vrouterd *, struct router_conf *next,
	    const struct router_conf *old, const char *why,
	    apply_done_fn done, char *err, size_t errlen);
int	 apply_reaped(struct vrouterd *, pid_t, int status);
/* A reload refused before its apply began, recorded as a failed apply. */
void	 apply_refused(struct vrouterd *, const char *why, const char *err);
int	 apply_busy(const struct vrouterd *);
/* A reload asked while one runs: done after it; the number it will get. */
uint64_t apply_defer(struct vrouterd *, const char *why);
/* The rules in force: how many are vrouter's, and when they went in. */
int	 apply_rules(const struct vrouterd *, struct timespec *applied);
/* For metrics.c. */
struct apply_view {
	int		 running;
	uint64_t	 ok, failed;
	double		 last_ms;
};
void	 apply_view(const struct vrouterd *, struct apply_view *);
/* The status's "apply" object, new. */
struct json_t *apply_json(const struct vrouterd *);
void	 apply_free(struct vrouterd *);

/* host.c */
int	 host_init(struct vrouterd *);
void	 host_send(struct vrouterd *, uint8_t state);
/* host_state.c: the STATE for the host, the public VIP claimed as state. */
void	 host_state(const struct vrouterd *, uint8_t state,
	    struct vsp_state_msg *);
void	 host_free(struct vrouterd *);

/* ctstats.c: conntrackd's counters, polled; a stalled sync flagged. */
struct ct_counters {
	uint64_t	 int_active, int_changes;	/* internal cache */
	uint64_t	 ext_active, ext_changes;	/* external cache */
	uint64_t	 sent, recv;			/* sync packets */
	uint64_t	 send_errors, recv_errors, lost;
};
struct ctstats;
void	 ctstats_init(struct vrouterd *);
int	 ctstats_reaped(struct vrouterd *, pid_t, int status);
/*
 * conntrackd started (or was adopted) and ended: the sync is unhealthy
 * from its end until, after a start, it has resynced with the peer.
 */
void	 ctstats_started(struct vrouterd *);
void	 ctstats_ended(struct vrouterd *);
/* The status's "sync" object, new (the caller owns the reference). */
struct json_t *ctstats_json(const struct vrouterd *);
void	 ctstats_free(struct vrouterd *);
/* The last poll, for metrics.c (have 0: no good poll yet). */
struct ctstats_view {
	int		 have, stalled, healthy;
	double		 quiet_ms;
	uint64_t	 polls, failures;
	struct ct_counters c;
};
void	 ctstats_view(const struct vrouterd *, struct ctstats_view *);
/* `conntrackd -s` output into *c: 0, or -1 with EBADMSG.  Pure. */
int	 ctstats_parse(const char *text, struct ct_counters *c);
/*
 * One poll compared with the one before: updates *frozen (polls in a row
 * where the internal cache changed and the sync counters did not) and
 * returns 1 when that makes the sync stalled.  Pure.
 */
int	 ctstats_judge(int *frozen, const struct ct_counters *prev,
	    const struct ct_counters *now);

/*
 * rtclass.c: keepalived's VRRP process realtime (SCHED_RR), conntrackd
 * out of the realtime class it sets itself at start-up; vrouterd calls
 * the *_started functions after each start.
 */
struct rtclass;
void	 rtclass_init(struct vrouterd *);
void	 rtclass_conntrackd_started(struct vrouterd *, pid_t);
void	 rtclass_keepalived_started(struct vrouterd *);
void	 rtclass_free(struct vrouterd *);

/*
 * synclink.c: the sync link watched (rtnetlink); when it comes back up,
 * a BACKUP asks the master for a resync of what the cut lost.
 */
struct synclink;
int	 synclink_init(struct vrouterd *);
int	 synclink_reaped(struct vrouterd *, pid_t, int status);
/*
 * ctstats.c, after conntrackd (re)started: a BACKUP asks the master for
 * everything, a MASTER sends the backup everything; what changed while
 * it was down reaches the peer.  Nothing in another state, or while a
 * resync runs.
 */
/* 1 if a resync was asked (BACKUP) or sent (MASTER); 0 otherwise. */
int	 synclink_resync(struct vrouterd *, const char *why);
/* ctstats.c, after each good poll: how long the peer has been silent. */
void	 synclink_peer_quiet(struct vrouterd *, double quiet_ms);
void	 synclink_free(struct vrouterd *);

/* metrics.c: the Prometheus page, and the handover timing */
struct metrics;
/* Keep the figures; with dir, write dir/vrouterd.prom every few seconds. */
int	 metrics_init(struct vrouterd *, const char *dir);
void	 metrics_free(struct vrouterd *);
/* The page, malloc'ed (the caller frees it); NULL with errno. */
char	*metrics_page(struct vrouterd *, size_t *len);
/* state.c: a new router state was decided. */
void	 metrics_decided(struct vrouterd *);
/* handover.c: the steps are done (a handover without host channel). */
void	 metrics_handover_done(struct vrouterd *);
/* host.c: the host acknowledged. */
void	 metrics_host_ack(struct vrouterd *, const struct vsp_ack_msg *);

/* control.c */
struct ctl_server;
struct ctl_server *vd_control_init(struct vrouterd *, const char *path,
	    int readonly);

/* vrouterd.c */
/*
 * Replace an adopted keepalived that runs an outdated command line, once
 * this node is not MASTER; a MASTER hands over first.  state.c calls it
 * after each decision.
 */
void	 vrouterd_replace_outdated(struct vrouterd *);
/*
 * Reload the description file: the number of the apply that will carry
 * it (it may run after the one running now), or -1 with err when the
 * file is refused at once.  The outcome is in the status's "apply".
 */
int64_t	 vrouterd_reload(struct vrouterd *, const char *why, char *err,
	    size_t errlen);
double	 ts_ms_since(const struct timespec *);

#endif
