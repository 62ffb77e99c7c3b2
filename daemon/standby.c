/*
 * Stepping down on purpose, make-before-break: `vrouterctl failover`
 * (once) and `vrouterctl maintenance on` (until turned off, across
 * restarts and reboots), and the priority this node advertises.
 *
 * keepalived adds the value of one track file to this node's priority
 * (prio.c says which value for which role).  A master that hands over
 * writes the lowest value: it advertises priority 1, the peer preempts
 * it, becomes MASTER and advertises, and only that advert makes this
 * node BACKUP.  Its host is told later still, after a drain that covers
 * the peer's own handover, so one hypervisor or the other routes the VIP
 * all along; meanwhile this node still forwards what reaches it for the
 * connections it knows (their NAT needs no VIP; a drain route stands in
 * for the default route that went with the VIP, addrs.c).  During the
 * drain the other track file (non-zero: FAULT) keeps this node out, so
 * that the new master, busy with its own handover, cannot lose the role
 * back to it by a late advert; maintenance keeps it there.  While both
 * nodes may carry traffic, conntrack's TCP window tracking is relaxed.
 * When no peer takes over in time (none, or it is in maintenance too),
 * the yield is undone and the node stays MASTER.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "evglue.h"
#include "log.h"
#include "vrouterd.h"

/* After the host was told, the drain route and the FAULT hold go. */
#define RELEASE_AFTER_MS	100
#define DRAIN_POLL_MS		25

enum { SD_NONE, SD_YIELD, SD_LEFT };
struct stepdown {
	int		 maintenance;	/* statedir's flag: out of MASTER */
	int		 standby;	/* the track file says stay out */
	int		 phase;		/* SD_* */
	int		 for_maintenance;
	int		 role;		/* enum prio_role, as last written */
	struct timespec	 started;	/* of the yield (monotonic) */
	int		 draining;	/* the host is not told yet */
	struct timespec	 drain_started, quiet_since;
	uint64_t	 rx;		/* packets in on the public leg */
	struct event	*ev_drain;	/* polls them */
	int		 confirming;	/* MASTER again while lingering */
	struct event	*ev_confirm;
	struct event	*ev_bound;	/* the peer must be MASTER by then */
	struct event	*ev_linger;	/* back to a candidate's priority */
	struct event	*ev_settle;	/* a fresh master holds the role */
	struct event	*ev_release;	/* the drain is over */
	int		 holding;	/* out (FAULT) for the drain */
	int		 liberal;	/* why TCP window tracking is relaxed */
	int		 liberal_base;	/* it was before vrouterd: left alone */
	uint64_t	 n_handed, n_aborted;
	char		 last[128];	/* the last step-down's outcome */
};

/* One of keepalived's track files in rundir, holding value. */
static int
write_track(struct vrouterd *vd, const char *name, int value)
{
	char	 path[300], tmp[310], buf[16];
	int	 fd, len;

	snprintf(path, sizeof(path), "%s/%s", vd->rundir, name);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	len = snprintf(buf, sizeof(buf), "%d\n", value);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd == -1 || write(fd, buf, (size_t)len) != len) {
		log_warn("%s", tmp);
		if (fd != -1)
			close(fd);
		return -1;
	}
	close(fd);
	/* rename: keepalived never reads a half-written file */
	if (rename(tmp, path) == -1) {
		log_warn("%s", path);
		return -1;
	}
	return 0;
}

static int
write_standby(struct vrouterd *vd, int on)
{
	if (write_track(vd, CONF_RUN_STANDBY, on) == -1)
		return -1;
	vd->stepdown->standby = on;
	return 0;
}

/*
 * conntrack's TCP window tracking, relaxed while both nodes carry the
 * traffic of a hand-over: for a moment the client's ACKs go through the
 * new master and the server's data through the old one, each sees the
 * other half's packets as out of window, marks them INVALID, and the
 * guard's FORWARD rule drops them (a bulk stream stalled 1.8 s, median,
 * instead of 1.0).  why: 1 for the old master's drain, 2 for a new
 * master's first seconds.  A system already liberal is left alone.
 */
#define LIBERAL_PATH	"/proc/sys/net/netfilter/nf_conntrack_tcp_be_liberal"
/* In rundir while vrouterd holds it at 1: a run that died leaves it. */
#define LIBERAL_MARK	"liberal-set"

static void
liberal_mark_path(const struct vrouterd *vd, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", vd->rundir, LIBERAL_MARK);
}

static void
liberal_write(int on)
{
	int	 fd;

	if ((fd = open(LIBERAL_PATH, O_WRONLY | O_CLOEXEC)) == -1 ||
	    write(fd, on ? "1\n" : "0\n", 2) != 2)
		log_debug("%s: %s", LIBERAL_PATH, strerror(errno));
	if (fd != -1)
		close(fd);
}

static void
liberal(struct vrouterd *vd, int why, int on)
{
	struct stepdown	*sd = vd->stepdown;
	char		 mark[300];
	int		 was = sd->liberal != 0, now, fd;

	if (sd->liberal_base)
		return;
	sd->liberal = on ? sd->liberal | why : sd->liberal & ~why;
	if ((now = sd->liberal != 0) == was)
		return;
	liberal_mark_path(vd, mark, sizeof(mark));
	if (now) {
		fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0644);
		if (fd == -1)
			log_warn("%s", mark);
		else
			close(fd);
	}
	liberal_write(now);
	if (!now && unlink(mark) == -1 && errno != ENOENT)
		log_warn("%s", mark);
}

static void
liberal_init(struct vrouterd *vd)
{
	char	 buf[8] = "", mark[300];
	int	 fd;

	/* A run that died with it relaxed: not the system's own setting. */
	liberal_mark_path(vd, mark, sizeof(mark));
	if (access(mark, F_OK) == 0) {
		log_info("%s: left by a run that died while handing over: "
		    "TCP window tracking strict again", mark);
		liberal_write(0);
		if (unlink(mark) == -1)
			log_warn("%s", mark);
	}
	if ((fd = open(LIBERAL_PATH, O_RDONLY | O_CLOEXEC)) != -1) {
		if (read(fd, buf, sizeof(buf) - 1) > 0)
			vd->stepdown->liberal_base = buf[0] == '1';
		close(fd);
	}
}

static const char *
role_name(int role)
{
	switch (role) {
	case PRIO_FRESH:
		return "master";
	case PRIO_HOLD:
		return "master, settled";
	case PRIO_YIELD:
		return "yielding";
	default:
		return "candidate";
	}
}

static int
set_role(struct vrouterd *vd, enum prio_role role)
{
	struct stepdown	*sd = vd->stepdown;
	int		 bonus;

	bonus = prio_bonus(vd->conf.priority, vd->conf.preempt, role);
	if (write_track(vd, CONF_RUN_PRIO, bonus) == -1)
		return -1;
	if ((int)role != sd->role)
		log_debug("priority: %d (%s)", prio_target(vd->conf.priority,
		    vd->conf.preempt, role), role_name(role));
	sd->role = (int)role;
	return 0;
}

static void
maintenance_path(const struct vrouterd *vd, char *buf, size_t size)
{
	snprintf(buf, size, "%s/maintenance", vd->statedir);
}

static void	 on_bound(evutil_socket_t, short, void *);
static void	 on_linger(evutil_socket_t, short, void *);
static void	 on_settle(evutil_socket_t, short, void *);
static void	 on_release(evutil_socket_t, short, void *);
static void	 on_drain(evutil_socket_t, short, void *);
static void	 on_confirm(evutil_socket_t, short, void *);
static uint64_t	 rx_packets(const struct vrouterd *);

/* At start: the track files say what the persistent flag says. */
int
standby_init(struct vrouterd *vd, int master)
{
	struct stepdown	*sd;
	char		 path[300];

	if ((sd = calloc(1, sizeof(*sd))) == NULL)
		fatal("standby");
	vd->stepdown = sd;
	sd->ev_bound = evtimer_new(vd->base, on_bound, vd);
	sd->ev_linger = evtimer_new(vd->base, on_linger, vd);
	sd->ev_settle = evtimer_new(vd->base, on_settle, vd);
	sd->ev_release = evtimer_new(vd->base, on_release, vd);
	sd->ev_drain = evtimer_new(vd->base, on_drain, vd);
	sd->ev_confirm = evtimer_new(vd->base, on_confirm, vd);
	if (sd->ev_bound == NULL || sd->ev_linger == NULL ||
	    sd->ev_settle == NULL || sd->ev_release == NULL ||
	    sd->ev_drain == NULL || sd->ev_confirm == NULL)
		fatalx("standby: out of memory for events");
	liberal_init(vd);
	maintenance_path(vd, path, sizeof(path));
	sd->maintenance = access(path, F_OK) == 0;
	if (sd->maintenance)
		log_info("maintenance is on (%s): staying out of MASTER", path);
	if (write_standby(vd, sd->maintenance) == -1)
		return -1;
	/* a drain route left by a run that died while handing over */
	addrs_drain_route(vd, 0);
	/* An adopted master must not lose its role to the bonus. */
	return set_role(vd, master ? PRIO_HOLD : PRIO_NEUTRAL);
}

/* After a reload: the priority or vrrp.preempt may have changed. */
int
standby_reconf(struct vrouterd *vd)
{
	return set_role(vd, (enum prio_role)vd->stepdown->role);
}

static void
set_maintenance_flag(struct vrouterd *vd, int on)
{
	char	 path[300];

	maintenance_path(vd, path, sizeof(path));
	if (!on && unlink(path) == -1 && errno != ENOENT)
		log_warn("%s", path);
	vd->stepdown->maintenance = on;
}

/* Priority 1, with the drain route in place first. */
static int
yield(struct vrouterd *vd, int for_maintenance)
{
	struct stepdown		*sd = vd->stepdown;
	struct prio_times	 t;

	if (addrs_drain_route(vd, 1) == -1)
		log_warnx("hand-over: no drain route: packets that reach this "
		    "node after it left are dropped");
	if (set_role(vd, PRIO_YIELD) == -1) {
		int saved = errno;

		addrs_drain_route(vd, 0);
		errno = saved;
		return -1;
	}
	liberal(vd, 1, 1);
	prio_times(vd->conf.advert_ms, &t);
	sd->phase = SD_YIELD;
	sd->for_maintenance = for_maintenance;
	clock_gettime(CLOCK_MONOTONIC, &sd->started);
	evtimer_del(sd->ev_linger);
	evtimer_add_ms(sd->ev_bound, t.bound_ms);
	snprintf(sd->last, sizeof(sd->last), "handing over");
	log_info("%s: handing over to the peer (priority 1), for at most %u ms",
	    for_maintenance ? "maintenance" : "failover", t.bound_ms);
	return 0;
}

/* The drain is over: no more route here, and back in the election. */
static void
on_release(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd		*vd = arg;
	struct stepdown		*sd = vd->stepdown;
	struct prio_times	 t;

	(void)fd;
	(void)what;
	sd->holding = 0;
	addrs_drain_route(vd, 0);
	liberal(vd, 1, 0);
	/* the new master raised its priority long ago: a candidate again */
	if (vd->router_state != VSP_ST_MASTER)
		set_role(vd, PRIO_NEUTRAL);
	if (!sd->maintenance && sd->standby && write_standby(vd, 0) == 0)
		log_info("failover: standing by again as BACKUP");
	prio_times(vd->conf.advert_ms, &t);
	if (sd->phase == SD_LEFT)
		evtimer_add_ms(sd->ev_linger, t.linger_ms);
}

/* The peer did not take over: stay MASTER, as if nothing was asked. */
static void
on_bound(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd		*vd = arg;
	struct stepdown		*sd = vd->stepdown;
	struct prio_times	 t;

	(void)fd;
	(void)what;
	if (sd->phase != SD_YIELD)
		return;
	prio_times(vd->conf.advert_ms, &t);
	sd->phase = SD_NONE;
	sd->n_aborted++;
	snprintf(sd->last, sizeof(sd->last), "no peer took over within %u "
	    "ms: still MASTER%s", t.bound_ms, sd->for_maintenance ?
	    ", maintenance not turned on" : "");
	log_warnx("%s: %s", sd->for_maintenance ? "maintenance" : "failover",
	    sd->last);
	if (sd->for_maintenance)
		set_maintenance_flag(vd, 0);
	sd->for_maintenance = 0;
	set_role(vd, vd->router_state == VSP_ST_MASTER ? PRIO_HOLD :
	    PRIO_NEUTRAL);
	addrs_drain_route(vd, 0);
	liberal(vd, 1, 0);
}

static void
on_linger(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd	*vd = arg;
	struct stepdown	*sd = vd->stepdown;

	(void)fd;
	(void)what;
	if (sd->phase != SD_LEFT || sd->confirming)
		return;
	sd->phase = SD_NONE;
}

/* The peer stayed silent: this node is the master after all. */
static void
on_confirm(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd	*vd = arg;
	struct stepdown	*sd = vd->stepdown;

	(void)fd;
	(void)what;
	if (!sd->confirming)
		return;
	sd->confirming = 0;
	sd->phase = SD_NONE;
	evtimer_del(sd->ev_linger);
	log_warnx("hand-over: the peer stayed silent: MASTER");
	if (vd->router_state == VSP_ST_MASTER) {
		struct prio_times t;

		prio_times(vd->conf.advert_ms, &t);
		set_role(vd, PRIO_FRESH);
		liberal(vd, 2, 1);
		evtimer_add_ms(sd->ev_settle, t.settle_ms);
	}
	handover_resume(vd);
}

static void
on_settle(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd	*vd = arg;

	(void)fd;
	(void)what;
	if (vd->router_state == VSP_ST_MASTER &&
	    vd->stepdown->role == PRIO_FRESH)
		set_role(vd, PRIO_HOLD);
	liberal(vd, 2, 0);
}

/*
 * state.c, on every new router state, before the handover starts: a
 * master raises its priority; a yielding one that the peer replaced
 * starts its drain (handover.c waits for it before telling the host).
 */
void
standby_state(struct vrouterd *vd, uint8_t old, uint8_t st)
{
	struct stepdown		*sd = vd->stepdown;
	struct prio_times	 t;
	unsigned int		 ms;

	prio_times(vd->conf.advert_ms, &t);
	if (st == VSP_ST_MASTER && sd->phase == SD_LEFT) {
		/*
		 * MASTER again soon after handing over: most likely the new
		 * master's adverts came late (busy with its own handover),
		 * not its death.  Keep a candidate's priority, so that it
		 * wins as soon as it is heard, and tell the host only if it
		 * is not.
		 */
		sd->confirming = 1;
		evtimer_add_ms(sd->ev_confirm, t.confirm_ms);
		log_warnx("hand-over: MASTER again %u ms after leaving: the "
		    "host is told in %u ms if the peer stays silent",
		    (unsigned int)ts_ms_since(&sd->started), t.confirm_ms);
		return;
	}
	if (sd->confirming) {
		sd->confirming = 0;
		evtimer_del(sd->ev_confirm);
		log_info("hand-over: the peer is heard again: %s",
		    vsp_state_name(st));
		/* on_linger came and went while this was unsure */
		if (sd->phase == SD_LEFT &&
		    !evtimer_pending(sd->ev_linger, NULL))
			sd->phase = SD_NONE;
	}
	if (st == VSP_ST_MASTER) {
		set_role(vd, PRIO_FRESH);
		liberal(vd, 2, 1);
		evtimer_add_ms(sd->ev_settle, t.settle_ms);
		return;
	}
	evtimer_del(sd->ev_settle);
	liberal(vd, 2, 0);
	if (old != VSP_ST_MASTER || sd->phase == SD_LEFT)
		return;		/* lingering: a candidate's priority still */
	if (sd->phase != SD_YIELD) {
		set_role(vd, PRIO_NEUTRAL);
		return;
	}
	evtimer_del(sd->ev_bound);
	ms = (unsigned int)ts_ms_since(&sd->started);
	if (st != VSP_ST_BACKUP) {
		/* Not the peer's advert: a fault; no drain, tell the host. */
		sd->phase = SD_NONE;
		snprintf(sd->last, sizeof(sd->last), "left MASTER for %s "
		    "after %u ms, not handed over", vsp_state_name(st), ms);
		log_warnx("hand-over: %s", sd->last);
		set_role(vd, PRIO_NEUTRAL);
		addrs_drain_route(vd, 0);
		liberal(vd, 1, 0);
		if (sd->for_maintenance)
			write_standby(vd, 1);
		sd->for_maintenance = 0;
		return;
	}
	sd->phase = SD_LEFT;
	sd->n_handed++;
	snprintf(sd->last, sizeof(sd->last), "handed over in %u ms: the peer "
	    "is MASTER", ms);
	log_info("hand-over: the peer is MASTER after %u ms; the host keeps "
	    "the route here while traffic still arrives (%u-%u ms)", ms,
	    t.drain_ms, t.drain_max_ms);
	/*
	 * Out of the election for the drain (FAULT), then priority 1 a while
	 * longer: the new master raises its own first.
	 */
	if (write_standby(vd, 1) == 0 && sd->for_maintenance)
		log_info("maintenance: staying out of MASTER");
	sd->holding = 1;
	sd->for_maintenance = 0;
	sd->draining = 1;
	clock_gettime(CLOCK_MONOTONIC, &sd->drain_started);
	sd->quiet_since = sd->drain_started;
	sd->rx = rx_packets(vd);
	evtimer_add_ms(sd->ev_drain, DRAIN_POLL_MS);
}

/* Packets received on the public leg: what its hypervisor routes here. */
static uint64_t
rx_packets(const struct vrouterd *vd)
{
	FILE			*f;
	char			 line[512], name[IFNAMSIZ + 2];
	unsigned long long	 bytes, packets;
	uint64_t		 rx = 0;

	if ((f = fopen("/proc/net/dev", "re")) == NULL)
		return 0;
	snprintf(name, sizeof(name), "%s:", vd->conf.pub_if);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line + strspn(line, " ");

		if (strncmp(p, name, strlen(name)) == 0 &&
		    sscanf(p + strlen(name), "%llu %llu", &bytes,
		    &packets) == 2) {
			rx = packets;
			break;
		}
	}
	fclose(f);
	return rx;
}

/*
 * The drain ends once the hypervisors agree: nothing more arrives on the
 * public leg (the upstream follows the new master's host), after at least
 * drain_ms; or at drain_max_ms whatever arrives.
 */
static void
on_drain(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd		*vd = arg;
	struct stepdown		*sd = vd->stepdown;
	struct prio_times	 t;
	struct timespec		 now;
	uint64_t		 rx;
	unsigned int		 elapsed, quiet;

	(void)fd;
	(void)what;
	if (!sd->draining)
		return;
	prio_times(vd->conf.advert_ms, &t);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((rx = rx_packets(vd)) != sd->rx) {
		sd->rx = rx;
		sd->quiet_since = now;
	}
	elapsed = (unsigned int)ts_ms_since(&sd->drain_started);
	quiet = (unsigned int)ts_ms_since(&sd->quiet_since);
	if (!prio_drain_done(&t, elapsed, quiet)) {
		evtimer_add_ms(sd->ev_drain, DRAIN_POLL_MS);
		return;
	}
	log_info("hand-over: drained after %u ms (nothing arrived for %u ms)",
	    elapsed, quiet);
	standby_drained(vd);
	handover_resume(vd);
}

/* handover.c: 1 while the host must not be told st yet. */
int
standby_hold_host(const struct vrouterd *vd, uint8_t st)
{
	const struct stepdown *sd = vd->stepdown;

	if (sd == NULL)
		return 0;
	return st == VSP_ST_MASTER ? sd->confirming : sd->draining;
}

/* The drain is over (or the host was told anyway). */
void
standby_drained(struct vrouterd *vd)
{
	struct stepdown	*sd = vd->stepdown;

	if (sd == NULL || !sd->draining)
		return;
	sd->draining = 0;
	evtimer_del(sd->ev_drain);
	evtimer_add_ms(sd->ev_release, RELEASE_AFTER_MS);
}

int
standby_failover(struct vrouterd *vd, char *err, size_t errlen)
{
	const struct stepdown *sd = vd->stepdown;

	if (vd->router_state != VSP_ST_MASTER) {
		snprintf(err, errlen, "this node is %s, not MASTER",
		    vsp_state_name(vd->router_state));
		return -1;
	}
	if (sd->phase == SD_YIELD) {
		snprintf(err, errlen, "already handing over");
		return -1;
	}
	if (sd->confirming) {
		/* it just handed over, and the peer may be MASTER already */
		snprintf(err, errlen, "this node's MASTER is not confirmed yet "
		    "(the peer may be MASTER): try again in a moment");
		return -1;
	}
	if (yield(vd, 0) == -1) {
		snprintf(err, errlen, "cannot write the priority file: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
standby_maintenance(struct vrouterd *vd, int on, char *err, size_t errlen)
{
	struct stepdown	*sd = vd->stepdown;
	char		 path[300];
	int		 fd;

	maintenance_path(vd, path, sizeof(path));
	if (on) {
		if (mkdir(vd->statedir, 0755) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", vd->statedir,
			    strerror(errno));
			return -1;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		    0644);
		if (fd == -1 || fsync(fd) == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			if (fd != -1)
				close(fd);
			return -1;
		}
		close(fd);
	} else if (unlink(path) == -1 && errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	sd->maintenance = on;
	log_info("maintenance %s", on ? "on: staying out of MASTER" : "off");
	/*
	 * The MASTER hands over first; FAULT once the peer is MASTER.  A
	 * MASTER not confirmed yet (the host not told) leaves at once.
	 */
	if (on && vd->router_state == VSP_ST_MASTER && !sd->confirming) {
		if (sd->phase == SD_YIELD)
			sd->for_maintenance = 1;
		else if (yield(vd, 1) == -1) {
			snprintf(err, errlen, "cannot write the priority file");
			return -1;
		}
		return 0;
	}
	if (!on && sd->phase == SD_YIELD)
		sd->for_maintenance = 0;
	if (!on && sd->holding)
		return 0;	/* the drain's hold: on_release lifts it */
	if (write_standby(vd, on) == -1) {
		snprintf(err, errlen, "cannot write the standby file");
		return -1;
	}
	return 0;
}

static const char *
phase_name(const struct stepdown *sd)
{
	if (sd->draining || sd->holding)
		return "draining";
	switch (sd->phase) {
	case SD_YIELD:
		return "handing_over";
	case SD_LEFT:
		return "lingering";
	default:
		return "none";
	}
}

int
standby_in_maintenance(const struct vrouterd *vd)
{
	return vd->stepdown != NULL && vd->stepdown->maintenance;
}

int
standby_kept_out(const struct vrouterd *vd)
{
	return vd->stepdown != NULL && vd->stepdown->standby;
}

json_t *
standby_json(const struct vrouterd *vd)
{
	static const struct stepdown none;	/* before the init */
	const struct stepdown *sd = vd->stepdown ? vd->stepdown : &none;

	return json_pack("{s:s, s:i, s:s, s:I, s:I, s:s}", "phase",
	    phase_name(sd), "priority", prio_target(vd->conf.priority,
	    vd->conf.preempt, (enum prio_role)sd->role), "role",
	    role_name(sd->role), "handed_over", (json_int_t)sd->n_handed,
	    "aborted", (json_int_t)sd->n_aborted, "last", sd->last);
}

void
standby_free(struct vrouterd *vd)
{
	struct stepdown	*sd = vd->stepdown;

	if (sd == NULL)
		return;
	liberal(vd, 3, 0);
	event_free(sd->ev_bound);
	event_free(sd->ev_linger);
	event_free(sd->ev_settle);
	event_free(sd->ev_release);
	event_free(sd->ev_drain);
	event_free(sd->ev_confirm);
	free(sd);
	vd->stepdown = NULL;
}
