/*
 * NAT and guard rules, in vrouter's own chains only, applied with one
 * iptables-restore --noflush.  It commits each table as one transaction
 * (iptables-nft too: not the whole input), so the template puts the
 * filter table, which no router.json changes, first: a bad set leaves the
 * previous NAT rules in place.  No --test run: it catches only what the
 * real run's parser catches too, not what the kernel refuses.  No check
 * back through iptables-save: a table either committed whole or not at
 * all, so the count comes from the rendered rules.  The jumps into our
 * chains that the kernel lacks are found over netlink (nat_jumps.c), not
 * by an iptables-save.  The figures are in docs/DEPENDENCIES.md ("NAT
 * rules").
 *
 * The rules go to rundir/nat.rules.new, iptables-restore reads them from
 * there and writes what it says to rundir/nat.out: the run needs no pipe
 * to feed or drain, so apply.c runs it without blocking the event loop.
 * After a good run the file becomes rundir/nat.rules, the rules in force.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "vrouterd.h"

#define OUT_MAX		300	/* of iptables' words in an error */

static void
path_of(const struct vrouterd *vd, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", vd->rundir, name);
}

int
nat_init(struct vrouterd *vd, char *err, size_t errlen)
{
	char	 real[PATH_MAX];

	/*
	 * iptables-legacy keeps its rules outside nf_tables, where
	 * nat_jumps.c cannot see them: each apply would add the jumps again.
	 */
	if (realpath(vd->iptables_restore, real) == NULL) {
		snprintf(err, errlen, "%s: %s", vd->iptables_restore,
		    strerror(errno));
		return -1;
	}
	if (strstr(basename(real), "legacy") != NULL) {
		snprintf(err, errlen, "%s is iptables-legacy (%s): vrouterd "
		    "needs the nf_tables back end (update-alternatives --set "
		    "iptables /usr/sbin/iptables-nft)", vd->iptables_restore,
		    real);
		return -1;
	}
	return 0;
}

static int
count_ours(const char *text)
{
	const char	*p = text;
	int		 n = 0;

	while ((p = strstr(p, "-A VROUTER-")) != NULL) {
		if (p == text || p[-1] == '\n')
			n++;
		p++;
	}
	return n;
}

int
nat_stage(struct vrouterd *vd, const struct router_conf *conf, char *err,
    size_t errlen)
{
	json_t	*view;
	char	*rules = NULL, path[300];
	size_t	 i;
	int	 rv = -1, have;

	if ((view = config_view(conf, vd->rundir)) == NULL) {
		snprintf(err, errlen, "building the template view: %s",
		    strerror(errno));
		return -1;
	}
	/* The view lists every jump; keep those the kernel lacks. */
	for (i = 0; i < CONF_NJUMPS; i++) {
		have = nat_jump_present(conf_jumps[i].table,
		    conf_jumps[i].chain, conf_jumps[i].target);
		if (have == -1) {
			snprintf(err, errlen, "asking nf_tables for %s %s: %s",
			    conf_jumps[i].table, conf_jumps[i].chain,
			    strerror(errno));
			goto done;
		}
		if (have)
			config_view_drop_jump(view, conf_jumps[i].chain,
			    conf_jumps[i].target);
	}
	if ((rules = render_template(vd->tmpldir, "nat.rules", view, err,
	    errlen)) == NULL)
		goto done;
	path_of(vd, CONF_RUN_NAT_RULES ".new", path, sizeof(path));
	if (render_write(path, rules, err, errlen) == -1)
		goto done;
	rv = count_ours(rules);
done:
	json_decref(view);
	free(rules);
	return rv;
}

int
nat_verify(struct vrouterd *vd, char *err, size_t errlen)
{
	size_t	 i;
	int	 have;

	for (i = 0; i < CONF_NJUMPS; i++) {
		have = nat_jump_present(conf_jumps[i].table,
		    conf_jumps[i].chain, conf_jumps[i].target);
		if (have == 1)
			continue;
		if (have == -1)
			snprintf(err, errlen, "asking nf_tables for %s %s: %s",
			    conf_jumps[i].table, conf_jumps[i].chain,
			    strerror(errno));
		else
			snprintf(err, errlen, "%s took the rules but nf_tables "
			    "has no \"-A %s -j %s\": is it iptables-legacy? "
			    "vrouterd needs the nf_tables back end",
			    vd->iptables_restore, conf_jumps[i].chain,
			    conf_jumps[i].target);
		return -1;
	}
	return 0;
}

pid_t
nat_spawn(struct vrouterd *vd, char *err, size_t errlen)
{
	const char	*argv[] = { vd->iptables_restore, "--noflush", NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);
	char		 in[300], out[300];
	pid_t		 pid = -1;

	path_of(vd, CONF_RUN_NAT_RULES ".new", in, sizeof(in));
	path_of(vd, CONF_RUN_NAT_OUT, out, sizeof(out));
	spec.fd_in = open(in, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	spec.fd_out = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	spec.fd_err = spec.fd_out;
	if (spec.fd_in == -1 || spec.fd_out == -1)
		snprintf(err, errlen, "%s: %s", spec.fd_in == -1 ? in : out,
		    strerror(errno));
	else if ((pid = proc_spawn(&spec)) == -1)
		snprintf(err, errlen, "%s: %s", vd->iptables_restore,
		    strerror(errno));
	if (spec.fd_in != -1)
		close(spec.fd_in);
	if (spec.fd_out != -1)
		close(spec.fd_out);
	return pid;
}

int
nat_finish(struct vrouterd *vd, int status, char *err, size_t errlen)
{
	char	 in[300], out[300], desc[64], said[OUT_MAX + 1] = "", *nl;
	ssize_t	 n;
	int	 fd;

	path_of(vd, CONF_RUN_NAT_RULES ".new", in, sizeof(in));
	path_of(vd, CONF_RUN_NAT_OUT, out, sizeof(out));
	if (status == 0) {
		char	 done[300];

		path_of(vd, CONF_RUN_NAT_RULES, done, sizeof(done));
		if (rename(in, done) == -1)
			log_warn("%s", done);	/* the rules are in anyway */
		unlink(out);
		return 0;
	}
	if ((fd = open(out, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) != -1) {
		if ((n = read(fd, said, OUT_MAX)) > 0)
			said[n] = '\0';
		close(fd);
	}
	while ((nl = strchr(said, '\n')) != NULL)
		*nl = ' ';
	snprintf(err, errlen, "%s --noflush: %s: %s", vd->iptables_restore,
	    proc_status_str(status, desc, sizeof(desc)), said);
	nat_abort(vd);
	return -1;
}

void
nat_abort(struct vrouterd *vd)
{
	char	 path[300];

	path_of(vd, CONF_RUN_NAT_RULES ".new", path, sizeof(path));
	unlink(path);
	path_of(vd, CONF_RUN_NAT_OUT, path, sizeof(path));
	unlink(path);
}
