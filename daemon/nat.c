/*
 * NAT and guard rules, in vrouter's own chains only, applied atomically
 * with iptables-restore --noflush and checked back with iptables-save.
 * The whole rule set is first tried with --test, so a bad set changes
 * nothing: the previous rules stay in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>

#include "log.h"
#include "proc.h"
#include "vrouterd.h"

#define SAVE_MAX	(4 * 1024 * 1024)
#define RUN_TIMEOUT_MS	10000


static int
run(const char *path, const char *arg1, const char *arg2, const char *input,
    char *out, size_t outsz, char *err, size_t errlen)
{
	const char	*argv[] = { path, arg1, arg2, NULL };
	struct proc_spec spec = PROC_SPEC_INIT(argv);
	char		 desc[64];
	int		 status;

	if (arg1 == NULL)
		argv[1] = NULL;
	else if (arg2 == NULL)
		argv[2] = NULL;
	if (proc_run(&spec, input, input ? strlen(input) : 0, out, outsz,
	    NULL, RUN_TIMEOUT_MS, &status) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (status != 0) {
		snprintf(err, errlen, "%s %s: %s: %.300s", path,
		    arg1 ? arg1 : "", proc_status_str(status, desc,
		    sizeof(desc)), out);
		return -1;
	}
	return 0;
}

/* Does an iptables-save dump hold "-A CHAIN -j TARGET"? */
static int
has_jump(const char *save, const char *chain, const char *target)
{
	char	 line[128];

	snprintf(line, sizeof(line), "\n-A %s -j %s\n", chain, target);
	return strstr(save, line) != NULL;
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
nat_apply(struct vrouterd *vd, const struct router_conf *conf, char *err,
    size_t errlen)
{
	json_t	*view = NULL;
	char	*save = NULL, *rules = NULL;
	size_t	 i;
	int	 rv = -1, want, have;

	if ((save = malloc(SAVE_MAX)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (run(vd->iptables_save, NULL, NULL, NULL, save, SAVE_MAX, err,
	    errlen) == -1)
		goto done;
	/* The view lists every jump; keep those the kernel lacks. */
	if ((view = config_view(conf, vd->rundir)) == NULL) {
		snprintf(err, errlen, "building the template view: %s",
		    strerror(errno));
		goto done;
	}
	for (i = 0; i < CONF_NJUMPS; i++)
		if (has_jump(save, conf_jumps[i].chain, conf_jumps[i].target))
			config_view_drop_jump(view, conf_jumps[i].chain,
			    conf_jumps[i].target);
	if ((rules = render_template(vd->tmpldir, "nat.rules", view, err,
	    errlen)) == NULL)
		goto done;
	if (run(vd->iptables_restore, "--test", "--noflush", rules, save,
	    SAVE_MAX, err, errlen) == -1)
		goto done;
	if (run(vd->iptables_restore, "--noflush", NULL, rules, save,
	    SAVE_MAX, err, errlen) == -1)
		goto done;

	/* Check back: every rule of ours and every jump is there. */
	if (run(vd->iptables_save, NULL, NULL, NULL, save, SAVE_MAX, err,
	    errlen) == -1)
		goto done;
	want = count_ours(rules);
	have = count_ours(save);
	if (want != have) {
		snprintf(err, errlen, "iptables-save shows %d rules in "
		    "vrouter's chains, %d were applied", have, want);
		goto done;
	}
	for (i = 0; i < CONF_NJUMPS; i++)
		if (!has_jump(save, conf_jumps[i].chain, conf_jumps[i].target)) {
			snprintf(err, errlen, "jump from %s to %s missing "
			    "after apply", conf_jumps[i].chain, conf_jumps[i].target);
			goto done;
		}
	log_info("NAT: %d rules in vrouter's chains", have);
	vd->nat_rules = have;
	clock_gettime(CLOCK_REALTIME, &vd->nat_applied);
	rv = 0;
done:
	json_decref(view);
	free(save);
	free(rules);
	return rv;
}
