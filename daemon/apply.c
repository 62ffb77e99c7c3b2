/*
 * One apply of a router description for start and reload: the files and
 * the NAT rules of the new description, or nothing.  Files are staged
 * first (a full disk fails before any rule changes), the rules go in as
 * one iptables-restore (nat.c), and only then are the files renamed into
 * place.  A rename that fails after the rules went in puts the old rules
 * and files back, so no daemon runs a file that does not match the rules.
 */
#include <stdio.h>

#include "log.h"
#include "vrouterd.h"

int
apply_config(struct vrouterd *vd, const struct router_conf *next,
    const struct router_conf *old, int *keepalived_changed,
    int *conntrackd_changed, char *err, size_t errlen)
{
	char	 e[256];
	int	 ka = 0, ct = 0;

	if (render_all(vd, next, 1, &ka, &ct, err, errlen) == -1)
		return -1;
	if (nat_apply(vd, next, err, errlen) == -1) {
		render_abort(vd);
		return -1;
	}
	if (render_commit(vd, ka, ct, err, errlen) == -1) {
		/* keepalived.conf may be in place already: old's back too. */
		if (old != NULL && (nat_apply(vd, old, e, sizeof(e)) == -1 ||
		    render_all(vd, old, 1, &ka, &ct, e, sizeof(e)) == -1 ||
		    render_commit(vd, ka, ct, e, sizeof(e)) == -1))
			log_warnx("apply: the old description could not be "
			    "put back: %s", e);
		return -1;
	}
	if (keepalived_changed != NULL)
		*keepalived_changed = ka;
	if (conntrackd_changed != NULL)
		*conntrackd_changed = ct;
	return 0;
}
