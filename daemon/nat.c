/*
 * NAT and guard rules, in vrouter's own chains only, applied with one
 * iptables-restore --noflush.  It commits each table as one transaction
 * (iptables-nft too: not the whole input), so the template puts the
 * filter table, which no router.json changes, first: a bad set leaves the
 * previous NAT rules in place.  No --test run: it catches only what the
 * real run's parser catches too, not what the kernel refuses.  No check
 * back through iptables-save: a table either committed whole or not at
 * all, so the count comes from the rendered rules.  One iptables-save
 * before says which jumps into our chains are missing.  The figures are
 * in docs/DEPENDENCIES.md ("NAT rules").
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
	int	 rv = -1, have;

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
	if (run(vd->iptables_restore, "--noflush", NULL, rules, save,
	    SAVE_MAX, err, errlen) == -1)
		goto done;
	have = count_ours(rules);
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
