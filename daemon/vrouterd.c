/*
 * vrouterd: turns one router description into a running keepalived,
 * conntrackd and NAT rule set inside a router VM, and tells the host agent
 * about every VRRP transition.  See docs/design.md and docs/architecture.md.
 */
#include <sys/stat.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl.h"
#include "evglue.h"
#include "log.h"
#include "proc.h"
#include "sdnotify.h"
#include "version.h"
#include "vrouterd.h"

#define DEFAULT_CONF	"/etc/vrouter/router.json"
#define DEFAULT_RUNDIR	"/run/vrouter"
#ifndef TEMPLATE_DIR	/* etc/module.mk sets it, see there */
#define TEMPLATE_DIR	"/usr/local/share/vrouter/templates"
#endif
#define DEFAULT_TMPLDIR	TEMPLATE_DIR
#define DEFAULT_STATEDIR	"/var/lib/vrouter"
#define STOP_WAIT_MS	3000
#define DETACH_WAIT_MS	5000	/* a handover step's own limit */

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: vrouterd [-dhnVv] [-f file] [-M statedir] "
	    "[-P metrics-dir]\n\t[-R rundir] [-s socket] [-S ro-socket] "
	    "[-T templates]\n");
}

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(2);
}

double
ts_ms_since(const struct timespec *then)
{
	struct timespec	 now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - then->tv_sec) * 1000.0 +
	    (double)(now.tv_nsec - then->tv_nsec) / 1e6;
}

static void	 maybe_done(struct vrouterd *);

static void
keepalived_exited(struct child *c, int status)
{
	char	 why[96], desc[64];

	(void)status;
	if (!c->want) {
		maybe_done(c->vd);	/* an adopted one has no SIGCHLD */
		return;
	}
	if (c->last_status == -1)
		snprintf(why, sizeof(why), "keepalived (adopted) ended");
	else
		snprintf(why, sizeof(why), "keepalived %s",
		    proc_status_str(c->last_status, desc, sizeof(desc)));
	state_keepalived_died(c->vd, why);
}

/* keepalived forfeits mastership under a burst of SIGHUPs: space them. */
static int
reload_gap_ms(const struct vrouterd *vd)
{
	int	 gap = (int)(vd->conf.advert_ms * 3 / 2);

	return gap < 1000 ? 1000 : gap;
}

static void
on_reload_timer(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd	*vd = arg;

	(void)fd;
	(void)what;
	if (!vd->reload_pending)
		return;
	vd->reload_pending = 0;
	clock_gettime(CLOCK_MONOTONIC, &vd->last_reload);
	if (child_signal(&vd->keepalived, SIGHUP) == 0)
		log_info("keepalived: reloaded");
}

static void
reload_keepalived(struct vrouterd *vd)
{
	double	 since = ts_ms_since(&vd->last_reload);
	int	 gap = reload_gap_ms(vd), wait_ms;

	vd->reload_pending = 1;
	wait_ms = since >= gap ? 0 : gap - (int)since;
	if (wait_ms > 0)
		log_info("keepalived: reload in %d ms (at most one per %d ms)",
		    wait_ms, gap);
	evtimer_add_ms(vd->ev_reload, wait_ms);
}

/* When the running reload began, its parse included (bench/apply.sh). */
static struct timespec reload_t0;

/* A reload's apply ended: the new description runs, or the old one. */
static void
reload_applied(struct vrouterd *vd, struct router_conf *next, int ok,
    int ka_changed, int ct_changed, const char *err, double apply_ms)
{
	double	 ms = ts_ms_since(&reload_t0);	/* the parse included */

	(void)apply_ms;
	if (!ok) {
		log_warnx("reload failed after %.1f ms: %s", ms, err);
		return;
	}
	vd->conf = *next;
	if (vd->stopping)
		return;			/* the children are on their way out */
	if (standby_reconf(vd) == -1)
		log_warnx("reload: the priority file was not rewritten");
	if (ct_changed && vd->conf.ct_enabled) {
		log_info("conntrackd: configuration changed, restarting");
		child_stop(&vd->conntrackd);
		vd->conntrackd.want = 1;	/* restarted when reaped */
	}
	if (ka_changed)
		reload_keepalived(vd);
	log_info("reload done in %.1f ms%s%s", ms,
	    ka_changed ? ", keepalived.conf changed" : "",
	    ct_changed ? ", conntrackd.conf changed" : "");
}

/*
 * Reload as a transaction: parse the new description and apply it as the
 * start does (apply_config: its files and NAT rules, or nothing); only if
 * that worked does it replace the running one.  A failure leaves the
 * router exactly as it was.  The file is read when its apply begins: a
 * reload asked during an apply waits for it.
 */
int64_t
vrouterd_reload(struct vrouterd *vd, const char *why, char *err,
    size_t errlen)
{
	struct router_conf *next;
	int64_t		 id;

	if (vd->stopping) {
		snprintf(err, errlen, "vrouterd is stopping");
		return -1;
	}
	if (apply_busy(vd))
		return (int64_t)apply_defer(vd, why);
	clock_gettime(CLOCK_MONOTONIC, &reload_t0);
	log_info("reload (%s)", why);
	if ((next = malloc(sizeof(*next))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (config_load(vd->conf_path, next, err, errlen) == -1)
		goto fail;
	if (strcmp(next->router_id, vd->conf.router_id) != 0 ||
	    strcmp(next->host_port, vd->conf.host_port) != 0) {
		snprintf(err, errlen, "router_id and host_channel.port cannot "
		    "change at run time: restart vrouterd");
		goto fail;
	}
	id = apply_config(vd, next, &vd->conf, why, reload_applied, err,
	    errlen);
	if (id == -1)
		log_warnx("reload failed: %s", err);
	return id;
fail:
	log_warnx("reload failed: %s", err);
	apply_refused(vd, why, err);
	free(next);
	return -1;
}

void
vrouterd_replace_outdated(struct vrouterd *vd)
{
	struct child	*c = &vd->keepalived;
	char		 err[256];

	if (!c->outdated || c->pid == 0 || vd->stopping)
		return;
	if (vd->router_state == VSP_ST_MASTER) {
		if (vd->outdated_handing_over)
			return;
		vd->outdated_handing_over = 1;
		if (standby_failover(vd, err, sizeof(err)) == -1)
			log_warnx("keepalived: outdated, but cannot hand over "
			    "to replace it: %s; it goes on as it is", err);
		else
			log_info("keepalived: outdated: handing over first, "
			    "then replacing it");
		return;
	}
	/* Not MASTER: its stop moves nothing.  Restarted when reaped. */
	log_info("keepalived: replacing the adopted pid %d (%s here)",
	    (int)c->pid, vsp_state_name(vd->router_state));
	c->outdated = 0;
	vd->outdated_handing_over = 0;
	child_stop(c);
	c->want = 1;
}

static void
maybe_done(struct vrouterd *vd)
{
	if (vd->stopping && vd->keepalived.pid == 0 &&
	    vd->conntrackd.pid == 0 && !handover_stepping(vd) &&
	    !apply_busy(vd))
		event_base_loopbreak(vd->base);
}

static void
on_sigchld(evutil_socket_t sig, short what, void *arg)
{
	struct vrouterd	*vd = arg;
	pid_t		 pid;
	int		 status;

	(void)sig;
	(void)what;
	while (proc_reap(&pid, &status) == 1) {
		if (child_reaped(&vd->keepalived, pid, status) ||
		    child_reaped(&vd->conntrackd, pid, status) ||
		    handover_reaped(vd, pid, status) ||
		    apply_reaped(vd, pid, status) ||
		    ctstats_reaped(vd, pid, status) ||
		    synclink_reaped(vd, pid, status))
			continue;
		log_debug("reaped unknown child %d", (int)pid);
	}
	maybe_done(vd);
}

static void
on_stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	log_warnx("children did not stop in %d ms; leaving", STOP_WAIT_MS);
	event_base_loopbreak(((struct vrouterd *)arg)->base);
}

static void
detach(struct vrouterd *vd)
{
	child_detach(&vd->keepalived);
	child_detach(&vd->conntrackd);
	event_base_loopbreak(vd->base);
}

static void
on_detach_wait(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd	*vd = arg;

	(void)fd;
	(void)what;
	/* A conntrackd step or an iptables-restore ends first. */
	if ((handover_stepping(vd) || apply_busy(vd)) &&
	    ts_ms_since(&vd->detach_asked) < DETACH_WAIT_MS) {
		evtimer_add_ms(vd->ev_stop, 20);
		return;
	}
	detach(vd);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct vrouterd	*vd = arg;
	char		 err[512];

	(void)what;
	if (sig == SIGHUP) {
		vrouterd_reload(vd, "SIGHUP", err, sizeof(err));
		return;
	}
	if (vd->stopping)
		return;
	if (sig == SIGUSR2) {
		/*
		 * A restart that must move no traffic (an upgrade): leave
		 * keepalived and conntrackd serving, and the VIPs and the
		 * host's route as they are; the next vrouterd adopts them.
		 * Not in the middle of a conntrackd step: a commit must end
		 * before the next vrouterd tells the host MASTER.
		 */
		log_info("SIGUSR2: leaving, with keepalived and conntrackd "
		    "running for the next vrouterd");
		vd->stopping = vd->detaching = 1;
		sdnotify_stopping();
		clock_gettime(CLOCK_MONOTONIC, &vd->detach_asked);
		vd->ev_stop = evtimer_new(vd->base, on_detach_wait, vd);
		if (vd->ev_stop == NULL)
			detach(vd);
		else
			on_detach_wait(-1, 0, vd);
		return;
	}
	log_info("%s: stopping", strsignal((int)sig));
	vd->stopping = 1;
	sdnotify_stopping();
	/* keepalived leaves with a priority-0 advert: the peer takes over. */
	child_stop(&vd->keepalived);
	child_stop(&vd->conntrackd);
	state_publish(vd, VSP_ST_STOP);
	vd->ev_stop = evtimer_new(vd->base, on_stop_timeout, vd);
	evtimer_add_ms(vd->ev_stop, STOP_WAIT_MS);
	maybe_done(vd);
}

static void
conntrackd_started(struct child *c)
{
	rtclass_conntrackd_started(c->vd, c->pid);
	ctstats_started(c->vd);
}

static void
conntrackd_exited(struct child *c, int status)
{
	(void)status;
	ctstats_ended(c->vd);
	maybe_done(c->vd);
}

static void
keepalived_started(struct child *c)
{
	rtclass_keepalived_started(c->vd);
}

static void
find_program(const char *name, char *path, size_t size)
{
	if (proc_which(name, path, size) == -1)
		fatal("%s: not found in %s", name, PROC_SAFE_PATH);
}

static void
setup_children(struct vrouterd *vd)
{
	char	 path[256], pid[300];

	find_program("keepalived", path, sizeof(path));
	if (child_init(&vd->keepalived, vd, "keepalived", path) == -1)
		fatalx("out of memory for events");
	/* Foreground, log to stderr, VRRP only (no checker process). */
	child_arg(&vd->keepalived, "--dont-fork");
	child_arg(&vd->keepalived, "--log-console");
	child_arg(&vd->keepalived, "--log-detail");
	child_arg(&vd->keepalived, "--no-syslog");
	child_arg(&vd->keepalived, "--vrrp");
	child_arg(&vd->keepalived, "--use-file");
	child_arg(&vd->keepalived, vd->keepalived_conf);
	snprintf(pid, sizeof(pid), "%s/%s", vd->rundir, CONF_RUN_KA_PID);
	child_arg(&vd->keepalived, "--pid");
	child_arg(&vd->keepalived, pid);
	child_stale_file(&vd->keepalived, pid);
	snprintf(pid, sizeof(pid), "%s/%s", vd->rundir, CONF_RUN_VRRP_PID);
	child_arg(&vd->keepalived, "--vrrp_pid");
	child_arg(&vd->keepalived, pid);
	child_stale_file(&vd->keepalived, pid);
	vd->keepalived.on_exit = keepalived_exited;
	/* A keepalived that dies at its first election has not been well. */
	vd->keepalived.stable_ms = (int)(vd->conf.advert_ms * 10);
	vd->keepalived.on_start = keepalived_started;

	find_program("conntrackd", vd->conntrackd_bin,
	    sizeof(vd->conntrackd_bin));
	if (child_init(&vd->conntrackd, vd, "conntrackd",
	    vd->conntrackd_bin) == -1)
		fatalx("out of memory for events");
	child_arg(&vd->conntrackd, "-C");
	child_arg(&vd->conntrackd, vd->conntrackd_conf);
	snprintf(pid, sizeof(pid), "%s/%s", vd->rundir, CONF_RUN_CT_LOCK);
	child_stale_file(&vd->conntrackd, pid);
	vd->conntrackd.on_start = conntrackd_started;
	vd->conntrackd.on_exit = conntrackd_exited;
}

/* The start's apply, as a reload's but waited for: nothing runs yet. */
static struct {
	int		 done, ok, ct_changed;
	char		 err[512];
} start;

static void
start_applied(struct vrouterd *vd, struct router_conf *next, int ok,
    int ka_changed, int ct_changed, const char *err, double ms)
{
	(void)vd;
	(void)next;
	(void)ka_changed;
	(void)ms;
	start.done = 1;
	start.ok = ok;
	start.ct_changed = ct_changed;
	if (!ok)
		snprintf(start.err, sizeof(start.err), "%s", err);
}

/* Returns whether conntrackd.conf changed (an adopted one restarts). */
static int
start_apply(struct vrouterd *vd)
{
	struct router_conf *next;
	char		 err[512];

	if ((next = malloc(sizeof(*next))) == NULL)
		fatal("apply");
	*next = vd->conf;
	if (apply_config(vd, next, NULL, "start", start_applied, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	while (!start.done)
		if (event_base_loop(vd->base, EVLOOP_ONCE) == -1)
			fatalx("event loop failed during the start's apply");
	if (!start.ok)
		fatalx("%s", start.err);
	/* In the kernel, as nf_tables shows it: not iptables-legacy's. */
	if (nat_verify(vd, err, sizeof(err)) == -1)
		fatalx("%s", err);
	return start.ct_changed;
}

int
main(int argc, char *argv[])
{
	static struct vrouterd	 vd;
	struct ctl_server	*ctl, *ctl_ro = NULL;
	struct event		*ev_chld, *ev_term, *ev_int, *ev_hup, *ev_usr2;
	char			 err[512], sock[300], rosock[300];
	const char		*sockp = NULL, *rosockp = NULL;
	const char		*promdir = NULL;
	int			 ch, check_only = 0, foreground = 0, verbose = 0;
	int			 master = 0, ct_changed = 0;
	struct timespec		 t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);	/* bench/apply.sh reads it */
	/*
	 * Until their handlers are in: a restart's SIGUSR2 must not kill
	 * us, nor a SIGHUP (its reload would run before the children are
	 * set up).
	 */
	signal(SIGUSR2, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	vd.conf_path = DEFAULT_CONF;
	vd.rundir = DEFAULT_RUNDIR;
	vd.tmpldir = DEFAULT_TMPLDIR;
	vd.statedir = DEFAULT_STATEDIR;
	while ((ch = getopt_long(argc, argv, "df:hM:nP:R:s:S:T:Vv",
	    version_longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			print_usage(stdout);
			return 0;
		case 'V':
			return version_print("vrouterd");
		case 'd':
			foreground = 1;
			break;
		case 'f':
			vd.conf_path = optarg;
			break;
		case 'M':
			vd.statedir = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'P':
			promdir = optarg;
			break;
		case 'R':
			vd.rundir = optarg;
			break;
		case 's':
			sockp = optarg;
			break;
		case 'S':
			rosockp = optarg;
			break;
		case 'T':
			vd.tmpldir = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(1, "vrouterd", LOG_DAEMON);
	log_setverbose(verbose);

	if (config_load(vd.conf_path, &vd.conf, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (config_rundir_check(vd.rundir, err, sizeof(err)) == -1)
		fatalx("-R %s: %s", vd.rundir, err);
	snprintf(vd.fifo_path, sizeof(vd.fifo_path), "%s/%s", vd.rundir,
	    CONF_RUN_FIFO);
	snprintf(vd.keepalived_conf, sizeof(vd.keepalived_conf),
	    "%s/keepalived.conf", vd.rundir);
	snprintf(vd.conntrackd_conf, sizeof(vd.conntrackd_conf),
	    "%s/conntrackd.conf", vd.rundir);
	if (render_all(&vd, &vd.conf, 0, NULL, NULL, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (check_only) {
		printf("%s: configuration OK\n", vd.conf_path);
		return 0;
	}

	if (mkdir(vd.rundir, 0700) == -1 && errno != EEXIST)
		fatal("%s", vd.rundir);
	find_program("iptables-restore", vd.iptables_restore,
	    sizeof(vd.iptables_restore));
	if (!foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, "vrouterd", LOG_DAEMON);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((vd.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	vd.ev_reload = evtimer_new(vd.base, on_reload_timer, &vd);
	if (nat_init(&vd, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (apply_init(&vd) == -1)
		fatal("apply");
	handover_init(&vd);
	ctstats_init(&vd);
	rtclass_init(&vd);
	if (synclink_init(&vd) == -1)
		fatal("sync link %s: cannot watch it", vd.conf.sync_if);
	if (metrics_init(&vd, promdir) == -1)
		fatal("metrics");
	if (inject_init(&vd) == -1)
		fatal("inject");
	state_init(&vd);
	setup_children(&vd);

	ev_chld = evsignal_new(vd.base, SIGCHLD, on_sigchld, &vd);
	if (ev_chld == NULL || evsignal_add(ev_chld, NULL) == -1)
		fatalx("evsignal_new failed");
	ct_changed = start_apply(&vd);
	log_info("NAT: rules installed %.1f ms after start", ts_ms_since(&t0));
	/*
	 * What a previous vrouterd left running is taken over, not started
	 * twice: a second keepalived would take the VIP from the first.
	 */
	if (child_adopt(&vd.keepalived)) {
		vd.adopted = 1;
		master = addrs_vip_present(&vd);
	}
	if (child_adopt(&vd.conntrackd)) {
		vd.adopted = 1;
		if (!vd.conf.ct_enabled || ct_changed ||
		    vd.conntrackd.outdated)
			child_stop(&vd.conntrackd);	/* not wanted as it is */
		if ((ct_changed || vd.conntrackd.outdated) &&
		    vd.conf.ct_enabled)
			vd.conntrackd.want = 1;		/* restarted when reaped */
	}
	/* Before keepalived reads it: maintenance survives restarts. */
	if (standby_init(&vd, master) == -1)
		fatalx("%s/%s: cannot write keepalived's track file",
		    vd.rundir, CONF_RUN_STANDBY);
	if (fifo_open(&vd) == -1)
		fatalx("%s: cannot read keepalived's notify FIFO",
		    vd.fifo_path);
	if (host_init(&vd) == -1)
		fatal("%s", vd.conf.host_port);

	snprintf(sock, sizeof(sock), "%s/vrouterd.sock", vd.rundir);
	snprintf(rosock, sizeof(rosock), "%s/vrouterd.ro.sock", vd.rundir);
	if ((ctl = vd_control_init(&vd, sockp ? sockp : sock, 0)) == NULL)
		fatal("control socket %s", sockp ? sockp : sock);
	if (!(rosockp && strcmp(rosockp, "-") == 0) && (ctl_ro =
	    vd_control_init(&vd, rosockp ? rosockp : rosock, 1)) == NULL)
		fatal("control socket %s", rosockp ? rosockp : rosock);

	ev_term = evsignal_new(vd.base, SIGTERM, on_signal, &vd);
	ev_int = evsignal_new(vd.base, SIGINT, on_signal, &vd);
	ev_hup = evsignal_new(vd.base, SIGHUP, on_signal, &vd);
	ev_usr2 = evsignal_new(vd.base, SIGUSR2, on_signal, &vd);
	if (ev_term == NULL || ev_int == NULL ||
	    ev_hup == NULL || ev_usr2 == NULL)
		fatalx("evsignal_new failed");
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	evsignal_add(ev_hup, NULL);
	evsignal_add(ev_usr2, NULL);

	/*
	 * Until keepalived says otherwise we are not master: a VIP left on
	 * an interface by a crashed predecessor goes, and the host hears so.
	 */
	if (vd.keepalived.adopted) {
		/*
		 * The adopted keepalived goes on as it is; its VIP says
		 * whether it is MASTER, and a reload has it write every
		 * state into the FIFO anew.  What it wrote while nobody read
		 * (keepalived holds the FIFO open read-write, so those lines
		 * wait in the pipe) is past: skipped.
		 */
		fifo_discard(&vd);
		state_adopted(&vd, master);
		if (vd.keepalived.outdated)
			vrouterd_replace_outdated(&vd);
		else
			reload_keepalived(&vd);
	} else {
		addrs_remove_vips(&vd);
		state_publish(&vd, VSP_ST_INIT);
	}
	if (vd.conf.ct_enabled && vd.conntrackd.pid == 0 &&
	    vd.conntrackd.want == 0 && child_start(&vd.conntrackd) == -1)
		fatal("conntrackd");
	if (vd.keepalived.pid == 0 && child_start(&vd.keepalived) == -1)
		fatal("keepalived");
	log_info("router %s node %s %s", vd.conf.router_id, vd.conf.node,
	    vd.adopted ? "took over what was running" : "started");
	/* The control sockets listen and nat_apply() has applied the rules. */
	if (sdnotify_init(vd.base) == -1)
		fatalx("out of memory for events");
	sdnotify_ready("router %s node %s: %d NAT rules, keepalived started",
	    vd.conf.router_id, vd.conf.node, apply_rules(&vd, NULL));

	event_base_dispatch(vd.base);

	if (!vd.detaching) {
		addrs_remove_vips(&vd);
		addrs_drain_route(&vd, 0);	/* stopped while handing over */
	}
	fifo_close(&vd);
	host_free(&vd);
	handover_free(&vd);
	ctstats_free(&vd);
	rtclass_free(&vd);
	synclink_free(&vd);
	metrics_free(&vd);
	inject_free(&vd);
	standby_free(&vd);
	apply_free(&vd);
	ctl_server_free(ctl);
	ctl_server_free(ctl_ro);
	child_free(&vd.keepalived);
	child_free(&vd.conntrackd);
	event_free(ev_chld);
	event_free(ev_term);
	event_free(ev_int);
	event_free(ev_hup);
	event_free(ev_usr2);
	event_free(vd.ev_reload);
	sdnotify_free();
	if (vd.ev_stop != NULL)
		event_free(vd.ev_stop);
	event_base_free(vd.base);
	return 0;
}
