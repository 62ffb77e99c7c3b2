/*
 * Stepping down on purpose: `vrouterctl failover` (once) and `vrouterctl
 * maintenance on` (until turned off, across restarts and reboots).  Both
 * write keepalived's track file, which keepalived watches with inotify: a
 * non-zero value is a FAULT, so this node leaves at once with a
 * priority-0 advert and the peer takes over whatever its preemption
 * setting.  A failover releases the file again once the peer had time to
 * take over; the node then returns as BACKUP.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "evglue.h"
#include "log.h"
#include "vrouterd.h"

#define FAILOVER_MIN_HOLD_MS	500

static int
write_standby(struct vrouterd *vd, int on)
{
	char	 path[300], tmp[310];
	int	 fd;

	snprintf(path, sizeof(path), "%s/%s", vd->rundir, CONF_RUN_STANDBY);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd == -1 || write(fd, on ? "1\n" : "0\n", 2) != 2) {
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
	vd->standby = on;
	return 0;
}

static void
maintenance_path(const struct vrouterd *vd, char *buf, size_t size)
{
	snprintf(buf, size, "%s/maintenance", vd->statedir);
}

/* At start: the track file says what the persistent flag says. */
int
standby_init(struct vrouterd *vd)
{
	char	 path[300];

	maintenance_path(vd, path, sizeof(path));
	vd->maintenance = access(path, F_OK) == 0;
	if (vd->maintenance)
		log_info("maintenance is on (%s): staying out of MASTER", path);
	return write_standby(vd, vd->maintenance);
}

static void
on_release(evutil_socket_t fd, short what, void *arg)
{
	struct vrouterd	*vd = arg;

	(void)fd;
	(void)what;
	vd->failover_pending = 0;
	if (!vd->maintenance && write_standby(vd, 0) == 0)
		log_info("failover: standing by again as BACKUP");
}

int
standby_failover(struct vrouterd *vd, char *err, size_t errlen)
{
	unsigned int	 hold;

	if (vd->router_state != VSP_ST_MASTER) {
		snprintf(err, errlen, "this node is %s, not MASTER",
		    vsp_state_name(vd->router_state));
		return -1;
	}
	if (write_standby(vd, 1) == -1) {
		snprintf(err, errlen, "cannot write the standby file: %s",
		    strerror(errno));
		return -1;
	}
	/* The peer needs about three adverts to notice we are gone. */
	hold = vd->conf.advert_ms * 4 + 200;
	if (hold < FAILOVER_MIN_HOLD_MS)
		hold = FAILOVER_MIN_HOLD_MS;
	vd->failover_pending = 1;
	if (vd->ev_release == NULL)
		vd->ev_release = evtimer_new(vd->base, on_release, vd);
	evtimer_add_ms(vd->ev_release, hold);
	log_info("failover: stepping down (requested), back as BACKUP in %u "
	    "ms", hold);
	return 0;
}

int
standby_maintenance(struct vrouterd *vd, int on, char *err, size_t errlen)
{
	char	 path[300];
	int	 fd;

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
	vd->maintenance = on;
	log_info("maintenance %s", on ? "on: staying out of MASTER" : "off");
	if (write_standby(vd, on || vd->failover_pending) == -1) {
		snprintf(err, errlen, "cannot write the standby file");
		return -1;
	}
	return 0;
}

void
standby_free(struct vrouterd *vd)
{
	if (vd->ev_release != NULL)
		event_free(vd->ev_release);
	vd->ev_release = NULL;
}
