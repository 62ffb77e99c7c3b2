/*
 * FOR TESTS ONLY, linked into tests/tools/vrouterd-racy instead of
 * daemon/handover_plan.c: the host is told before the conntrack commit,
 * the order of keepalived issue 2254, so that t_survival.sh can show the
 * resets that order causes and that the right order, the daemon's, has
 * none.  No vrouterd that is installed can do this.
 */
#include <stddef.h>

#include "vrouterd.h"

const struct handover_plan handover_plans[] = {
	{ VSP_ST_MASTER, { HO_PUBLISH, "-c", "-f", "-R", "-B" }, 5 },
	{ VSP_ST_BACKUP, { HO_PUBLISH, "-n" }, 2 },
	{ VSP_ST_FAULT, { HO_PUBLISH }, 1 },
};

const size_t handover_nplans =
    sizeof(handover_plans) / sizeof(handover_plans[0]);
