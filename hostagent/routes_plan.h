/*
 * routes_plan: the trust boundary of vrouter-hostd, as a pure function.
 *
 * A guest's claims and the kernel's routes go in; the route operations
 * that carry out exactly what the VM's registration allows come out.
 * Nothing here does I/O, so every rule is checked by table-driven tests
 * (tests/unit/check_routes_plan.c).
 *
 * The rules:
 * - A claim is honoured only for an address registered for the VM, as a
 *   /32, and only ever on the VM's own tap, in the registered tables.
 * - Ownership comes from the kernel, not from memory: a route that does
 *   not carry our protocol number is never replaced or deleted, whatever
 *   hostd remembers.  It is a conflict: the address is not installed.
 * - MASTER is all or nothing across the registration's tables: an address
 *   is installed in every table, or (after a failure or a conflict) in
 *   none of them.
 */
#ifndef VR_ROUTES_PLAN_H
#define VR_ROUTES_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "kroute.h"
#include "psmsg.h"
#include "registry.h"

/* Why a claim is refused, or VSP_WHY_NONE: the engine and plan both ask. */
uint8_t	 plan_authorise(const uint32_t *addrs, size_t naddrs, uint32_t addr,
	    uint8_t plen, uint8_t state);

/* What the kernel holds at (address, table), metric 0. */
struct plan_route {
	int		 present;
	uint8_t		 protocol;
	unsigned int	 ifindex;
};

typedef void	(*plan_lookup_fn)(void *arg, uint32_t addr, uint32_t table,
		    struct plan_route *);

struct plan_op {
	struct kr_op	 op;
	uint16_t	 idx;		/* registered address index */
	unsigned int	 prev_ifindex;	/* KR_REPLACE: where ours was */
};

#define PLAN_MAX_OPS	(REG_MAX_ADDRS * REG_MAX_TABLES)

/* The plan for one state: per registered address, and the operations. */
struct plan {
	uint8_t		 state[REG_MAX_ADDRS];	/* claimed; STOP if left out */
	uint8_t		 want[REG_MAX_ADDRS];	/* 1: MASTER */
	uint8_t		 result[REG_MAX_ADDRS];	/* if every op succeeds */
	uint8_t		 reason[REG_MAX_ADDRS];
	uint8_t		 moved[REG_MAX_ADDRS];	/* lands on this tap now */
	uint8_t		 conflict[REG_MAX_ADDRS]; /* a foreign route */
	uint32_t	 conflict_table[REG_MAX_ADDRS];
	size_t		 violations;	/* claims plan_authorise refused */
	size_t		 nops;
	struct plan_op	 ops[PLAN_MAX_OPS];
};

/*
 * Plan the routes of reg for claims (a full state: a registered address
 * left out is not claimed).  ifindex is the VM's tap (0: missing), proto
 * our route protocol, lookup the kernel's view.  Fills *out.
 */
void	 routes_plan(const struct vm_reg *reg, unsigned int ifindex,
	    uint8_t proto, const struct psm_claim *claims, size_t nclaims,
	    plan_lookup_fn lookup, void *arg, struct plan *out);

/*
 * The operations that undo a failed MASTER of address idx: delete ours
 * from the tap in every table, or put a moved route back where it was.
 * ops[] are the plan's, with their errors; returns how many were written
 * to undo[] (at most REG_MAX_TABLES).
 */
size_t	 routes_plan_undo(const struct vm_reg *reg, unsigned int ifindex,
	    const struct plan *p, uint16_t idx, struct kr_op *undo);

#endif
