/*
 * The sync link, watched.  It carries only conntrackd's state sync: the
 * VRRP adverts go over a private network (router.json vrrp.interface), so
 * the link may go down, with a dead peer on a point-to-point link or with
 * a cable, and no VRRP instance goes to FAULT.  What a cut costs is the
 * connections the master opened or changed meanwhile, which never reached
 * the backup; FTFW resends only what its resend queue still holds.  So
 * when the link comes back up, a BACKUP asks the master for a full resync
 * (`conntrackd -n`, after a short delay for the other end), as its
 * handover does when it becomes BACKUP.  The MASTER does nothing: the
 * backup's request makes it send everything.
 *
 * Link changes come from rtnetlink (RTMGRP_LINK) on a socket the event
 * loop reads; the request is a child process the loop never waits for.
 * The link counts as up when it is administratively up and running
 * (carrier, IFF_RUNNING).
 *
 * A cut that no carrier shows (a switch between the nodes, a filter) is
 * seen by ctstats.c instead: the peer's conntrackd, which sends at least
 * an ALIVE message a second, goes silent.  While it is, a BACKUP asks
 * for a resync every SILENT_RETRY_MS; a request lost in the cut costs
 * nothing, and the first one after it brings the master's table.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "evglue.h"
#include "log.h"
#include "nlreq.h"
#include "proc.h"
#include "vrouterd.h"

#ifndef RESYNC_DELAY_MS
#define RESYNC_DELAY_MS		500	/* the other end sees it up too */
#endif
#define RESYNC_TIMEOUT_MS	5000
#define SILENT_MS		6000	/* 3 polls: not a lost ALIVE or two */
#define SILENT_RETRY_MS		10000

struct synclink {
	struct vrouterd		*vd;
	struct mnl_socket	*nl;
	struct event		*ev_read;
	struct event		*ev_resync;
	struct event		*ev_timeout;
	int			 up;		/* -1: not known */
	struct timespec		 down_since;
	pid_t			 pid;		/* the running `conntrackd -n` */
	struct timespec		 asked;		/* the last request, if any */
	int			 silent;	/* the peer is, as last told */
	uint64_t		 downs, resyncs;
};

/* The link's state now, from its flags: 1 up, 0 down or absent. */
static int
link_up_now(const char *ifname)
{
	struct ifreq	 ifr;
	int		 s, up = 0;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0)
		up = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	close(s);
	return up;
}

/*
 * Run `conntrackd -n` (a BACKUP asks the master for everything) or `-B`
 * (a MASTER sends everything); why says what for, in the log.
 */
static void
run_resync(struct synclink *sl, const char *opt, const char *why)
{
	struct vrouterd	*vd = sl->vd;
	const char	*argv[5];
	struct proc_spec spec = PROC_SPEC_INIT(argv);

	if (sl->pid != 0)
		return;		/* one request at a time is enough */
	argv[0] = vd->conntrackd_bin;
	argv[1] = "-C";
	argv[2] = vd->conntrackd_conf;
	argv[3] = opt;
	argv[4] = NULL;
	spec.fd_out = STDERR_FILENO;
	spec.fd_err = STDERR_FILENO;
	if ((sl->pid = proc_spawn(&spec)) == -1) {
		log_warn("sync link %s: conntrackd %s", vd->conf.sync_if, opt);
		sl->pid = 0;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &sl->asked);
	log_info("sync link %s: %s: %s (conntrackd %s)", vd->conf.sync_if, why,
	    opt[1] == 'n' ? "asking the master for a resync" :
	    "sending the backup everything", opt);
	evtimer_add_ms(sl->ev_timeout, RESYNC_TIMEOUT_MS);
}

static void
request(struct synclink *sl, const char *why)
{
	run_resync(sl, "-n", why);
}

int
synclink_resync(struct vrouterd *vd, const char *why)
{
	struct synclink	*sl = vd->synclink;

	if (sl == NULL || !vd->conf.ct_enabled || vd->conntrackd.pid == 0 ||
	    sl->pid != 0)
		return 0;
	if (vd->router_state == VSP_ST_BACKUP)
		run_resync(sl, "-n", why);
	else if (vd->router_state == VSP_ST_MASTER)
		run_resync(sl, "-B", why);
	return sl->pid != 0;
}

static void
on_resync(evutil_socket_t fd, short what, void *arg)
{
	struct synclink	*sl = arg;
	struct vrouterd	*vd = sl->vd;

	(void)fd;
	(void)what;
	if (!vd->conf.ct_enabled || vd->conntrackd.pid == 0 || sl->up != 1)
		return;
	if (vd->router_state != VSP_ST_BACKUP) {
		log_info("sync link %s: up; %s here, so the BACKUP asks for "
		    "the resync", vd->conf.sync_if,
		    vd->router_state == VSP_ST_MASTER ? "MASTER" : "not BACKUP");
		return;
	}
	request(sl, "up");
}

void
synclink_peer_quiet(struct vrouterd *vd, double quiet_ms)
{
	struct synclink	*sl = vd->synclink;

	if (sl == NULL)
		return;
	if (quiet_ms < SILENT_MS) {
		if (sl->silent)
			log_info("sync link %s: the peer's conntrackd is heard "
			    "again", vd->conf.sync_if);
		sl->silent = 0;
		return;
	}
	if (!sl->silent)
		log_warnx("sync link %s: nothing from the peer's conntrackd "
		    "for %.0f ms", vd->conf.sync_if, quiet_ms);
	sl->silent = 1;
	if (!vd->conf.ct_enabled || vd->conntrackd.pid == 0 || sl->up != 1 ||
	    vd->router_state != VSP_ST_BACKUP)
		return;
	if (sl->asked.tv_sec != 0 && ts_ms_since(&sl->asked) < SILENT_RETRY_MS)
		return;
	request(sl, "the peer is silent");
}

static void
on_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct synclink	*sl = arg;

	(void)fd;
	(void)what;
	if (sl->pid != 0) {
		log_warnx("sync link: conntrackd -n did not finish in %d ms: "
		    "killed", RESYNC_TIMEOUT_MS);
		proc_kill_group(sl->pid, SIGKILL);
	}
}

static void
changed(struct synclink *sl, int up)
{
	const char	*ifname = sl->vd->conf.sync_if;

	if (sl->up == up)
		return;
	if (sl->up == -1) {		/* first news: nothing to compare */
		sl->up = up;
		return;
	}
	sl->up = up;
	if (!up) {
		sl->downs++;
		clock_gettime(CLOCK_MONOTONIC, &sl->down_since);
		evtimer_del(sl->ev_resync);
		log_warnx("sync link %s: down: conntrackd's state sync waits "
		    "for it (not a FAULT: the adverts go over %s)", ifname,
		    sl->vd->conf.vrrp_if);
		return;
	}
	log_info("sync link %s: up again after %.0f ms", ifname,
	    ts_ms_since(&sl->down_since));
	evtimer_add_ms(sl->ev_resync, RESYNC_DELAY_MS);
}

static int
attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr	**tb = data;

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if (mnl_attr_get_type(attr) == IFLA_IFNAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(attr)] = attr;
	return MNL_CB_OK;
}

static int
link_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct synclink		*sl = arg;
	const struct nlattr	*tb[IFLA_MAX + 1] = { NULL };
	const struct ifinfomsg	*ifi;
	int			 up;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	mnl_attr_parse(nlh, sizeof(*ifi), attr_cb, tb);
	if (tb[IFLA_IFNAME] == NULL ||
	    strcmp(mnl_attr_get_str(tb[IFLA_IFNAME]), sl->vd->conf.sync_if) != 0)
		return MNL_CB_OK;
	up = nlh->nlmsg_type == RTM_NEWLINK && (ifi->ifi_flags & IFF_UP) &&
	    (ifi->ifi_flags & IFF_RUNNING);
	changed(sl, up);
	return MNL_CB_OK;
}

static void
on_read(evutil_socket_t fd, short what, void *arg)
{
	struct synclink	*sl = arg;

	(void)what;
	if (nl_drain(fd, link_cb, sl))
		/* lost some news: ask the link itself */
		changed(sl, link_up_now(sl->vd->conf.sync_if));
}

int
synclink_init(struct vrouterd *vd)
{
	struct synclink	*sl;

	if ((sl = calloc(1, sizeof(*sl))) == NULL)
		return -1;
	vd->synclink = sl;
	sl->vd = vd;
	if ((sl->nl = mnl_socket_open2(NETLINK_ROUTE,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == NULL ||
	    mnl_socket_bind(sl->nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) == -1)
		return -1;
	sl->ev_read = event_new(vd->base, mnl_socket_get_fd(sl->nl),
	    EV_READ | EV_PERSIST, on_read, sl);
	sl->ev_resync = evtimer_new(vd->base, on_resync, sl);
	sl->ev_timeout = evtimer_new(vd->base, on_timeout, sl);
	if (sl->ev_read == NULL || sl->ev_resync == NULL ||
	    sl->ev_timeout == NULL) {
		errno = ENOMEM;
		return -1;
	}
	event_add(sl->ev_read, NULL);
	/* after the subscription: no change falls in between */
	sl->up = link_up_now(vd->conf.sync_if);
	if (!sl->up)
		log_warnx("sync link %s: down at start-up", vd->conf.sync_if);
	return 0;
}

int
synclink_reaped(struct vrouterd *vd, pid_t pid, int status)
{
	struct synclink	*sl = vd->synclink;
	char		 desc[64];

	if (sl == NULL || sl->pid == 0 || pid != sl->pid)
		return 0;
	sl->pid = 0;
	evtimer_del(sl->ev_timeout);
	if (status == 0)
		sl->resyncs++;
	else
		log_warnx("sync link %s: conntrackd resync: %s", vd->conf.sync_if,
		    proc_status_str(status, desc, sizeof(desc)));
	return 1;
}

void
synclink_free(struct vrouterd *vd)
{
	struct synclink	*sl = vd->synclink;

	if (sl == NULL)
		return;
	if (sl->pid != 0)
		proc_kill_group(sl->pid, SIGKILL);
	if (sl->ev_read != NULL)
		event_free(sl->ev_read);
	if (sl->ev_resync != NULL)
		event_free(sl->ev_resync);
	if (sl->ev_timeout != NULL)
		event_free(sl->ev_timeout);
	if (sl->nl != NULL)
		mnl_socket_close(sl->nl);
	free(sl);
	vd->synclink = NULL;
}
