/*
 * The order of the handover's steps, by the state they serve: on the way
 * to MASTER the commit comes before the host is told (handover.c says
 * why).  A file of its own so that a test build can link another order
 * (tests/tools/handover_plan_racy.c) and the daemon has no switch for it.
 */
#include <stddef.h>

#include "vrouterd.h"

const struct handover_plan handover_plans[] = {
	/* commit, announce, then rebuild the caches and feed the peer */
	{ VSP_ST_MASTER, { "-c", HO_PUBLISH, "-f", "-R", "-B" }, 5 },
	/* announce, then ask the new master for its state */
	{ VSP_ST_BACKUP, { HO_PUBLISH, "-n" }, 2 },
	/* announce; the kernel table holds the peer's state: keep it */
	{ VSP_ST_FAULT, { HO_PUBLISH }, 1 },
};

const size_t handover_nplans =
    sizeof(handover_plans) / sizeof(handover_plans[0]);
