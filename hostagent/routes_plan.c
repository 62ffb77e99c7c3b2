/*
 * The pure planner behind every route vrouter-hostd changes: see
 * routes_plan.h for the rules it enforces.
 */
#include <string.h>

#include "routes_plan.h"

uint8_t
plan_authorise(const uint32_t *addrs, size_t naddrs, uint32_t addr,
    uint8_t plen, uint8_t state)
{
	size_t	 i;

	if (state >= VSP_ST_MAX)
		return VSP_WHY_NOT_REGISTERED;
	for (i = 0; i < naddrs; i++)
		if (addrs[i] == addr)
			break;
	if (i == naddrs)
		return VSP_WHY_NOT_REGISTERED;
	if (plen != 32)
		return VSP_WHY_BAD_PREFIX;
	return VSP_WHY_NONE;
}

static int
reg_index(const struct vm_reg *reg, uint32_t addr)
{
	size_t	 i;

	for (i = 0; i < reg->naddrs; i++)
		if (reg->addrs[i] == addr)
			return (int)i;
	return -1;
}

static void
add_op(struct plan *p, uint8_t cmd, uint32_t addr, uint32_t table,
    unsigned int ifindex, uint16_t idx, unsigned int prev)
{
	struct plan_op	*o = &p->ops[p->nops++];

	memset(o, 0, sizeof(*o));
	o->op.cmd = cmd;
	o->op.addr = addr;
	o->op.table = table;
	o->op.ifindex = ifindex;
	o->idx = idx;
	o->prev_ifindex = prev;
}

/* MASTER for address i: in every table, or, on a conflict, in none. */
static void
plan_master(const struct vm_reg *reg, unsigned int ifindex, uint8_t proto,
    plan_lookup_fn lookup, void *arg, struct plan *p, uint16_t i)
{
	struct plan_route	 kr[REG_MAX_TABLES];
	uint32_t		 addr = reg->addrs[i];
	size_t			 t;

	if (ifindex == 0) {
		p->result[i] = VSP_RES_FAILED;
		p->reason[i] = VSP_WHY_NO_TAP;
		return;
	}
	for (t = 0; t < reg->ntables; t++) {
		memset(&kr[t], 0, sizeof(kr[t]));
		lookup(arg, addr, reg->tables[t], &kr[t]);
		if (kr[t].present && kr[t].protocol != proto &&
		    !p->conflict[i]) {
			p->conflict[i] = 1;
			p->conflict_table[i] = reg->tables[t];
		}
	}
	if (p->conflict[i]) {
		/* None of them: take ours off the tap where we have it. */
		p->result[i] = VSP_RES_FAILED;
		p->reason[i] = VSP_WHY_FOREIGN_ROUTE;
		for (t = 0; t < reg->ntables; t++)
			if (kr[t].present && kr[t].protocol == proto &&
			    kr[t].ifindex == ifindex)
				add_op(p, KR_DELETE, addr, reg->tables[t],
				    ifindex, i, 0);
		return;
	}
	p->result[i] = VSP_RES_INSTALLED;
	for (t = 0; t < reg->ntables; t++) {
		if (!kr[t].present) {
			add_op(p, KR_CREATE, addr, reg->tables[t], ifindex, i,
			    0);
			p->moved[i] = 1;
		} else if (kr[t].ifindex != ifindex) {
			/* Ours on another tap: the pair's other VM here. */
			add_op(p, KR_REPLACE, addr, reg->tables[t], ifindex, i,
			    kr[t].ifindex);
			p->moved[i] = 1;
		}
	}
}

/* Not MASTER: ours on this tap goes; anything else stays. */
static void
plan_withdraw(const struct vm_reg *reg, unsigned int ifindex, uint8_t proto,
    plan_lookup_fn lookup, void *arg, struct plan *p, uint16_t i)
{
	struct plan_route	 kr;
	size_t			 t;

	p->result[i] = VSP_RES_WITHDRAWN;
	if (ifindex == 0)
		return;		/* the kernel took its routes with the tap */
	for (t = 0; t < reg->ntables; t++) {
		memset(&kr, 0, sizeof(kr));
		lookup(arg, reg->addrs[i], reg->tables[t], &kr);
		if (kr.present && kr.protocol == proto &&
		    kr.ifindex == ifindex)
			add_op(p, KR_DELETE, reg->addrs[i], reg->tables[t],
			    ifindex, i, 0);
	}
}

void
routes_plan(const struct vm_reg *reg, unsigned int ifindex, uint8_t proto,
    const struct psm_claim *claims, size_t nclaims, plan_lookup_fn lookup,
    void *arg, struct plan *p)
{
	size_t		 i;
	int		 idx;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < REG_MAX_ADDRS; i++)
		p->state[i] = VSP_ST_STOP;
	for (i = 0; i < nclaims; i++) {
		if (plan_authorise(reg->addrs, reg->naddrs, claims[i].addr, 32,
		    claims[i].state) != VSP_WHY_NONE ||
		    (idx = reg_index(reg, claims[i].addr)) == -1) {
			p->violations++;
			continue;
		}
		p->state[idx] = claims[i].state;
		p->want[idx] = claims[i].state == VSP_ST_MASTER;
	}
	for (i = 0; i < reg->naddrs; i++) {
		if (p->want[i])
			plan_master(reg, ifindex, proto, lookup, arg, p,
			    (uint16_t)i);
		else
			plan_withdraw(reg, ifindex, proto, lookup, arg, p,
			    (uint16_t)i);
	}
}

size_t
routes_plan_undo(const struct vm_reg *reg, unsigned int ifindex,
    const struct plan *p, uint16_t idx, struct kr_op *undo)
{
	size_t	 t, k, n = 0;

	for (t = 0; t < reg->ntables; t++) {
		const struct plan_op *moved = NULL;

		for (k = 0; k < p->nops; k++)
			if (p->ops[k].idx == idx &&
			    p->ops[k].op.table == reg->tables[t] &&
			    p->ops[k].op.cmd == KR_REPLACE &&
			    p->ops[k].op.error == 0)
				moved = &p->ops[k];
		memset(&undo[n], 0, sizeof(undo[n]));
		undo[n].addr = reg->addrs[idx];
		undo[n].table = reg->tables[t];
		if (moved != NULL) {
			undo[n].cmd = KR_REPLACE;
			undo[n].ifindex = moved->prev_ifindex;
		} else {
			undo[n].cmd = KR_DELETE;
			undo[n].ifindex = ifindex;
		}
		n++;
	}
	return n;
}
