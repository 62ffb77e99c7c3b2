/*
 * The host routes: which of our routes are in the kernel, which VM each
 * serves, and turning a VM's full state into route changes.  A VM gets
 * exactly the addresses its registration lists, on its own tap; anything
 * else is refused, logged with its name, and counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "hostd.h"
#include "log.h"

static const char *
ntoa(uint32_t addr)
{
	static char	 buf[4][INET_ADDRSTRLEN];
	static int	 i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET, &addr, buf[i], sizeof(buf[i]));
}

static struct owned_route *
owned_find(struct hostd *hd, uint32_t addr, uint32_t table)
{
	size_t	 i;

	for (i = 0; i < hd->nroutes; i++)
		if (hd->routes[i].addr == addr && hd->routes[i].table == table)
			return &hd->routes[i];
	return NULL;
}

static struct owned_route *
owned_add(struct hostd *hd, uint32_t addr, uint32_t table)
{
	struct owned_route	*r;
	size_t			 cap;

	if ((r = owned_find(hd, addr, table)) != NULL)
		return r;
	if (hd->nroutes == hd->routes_cap) {
		cap = hd->routes_cap ? hd->routes_cap * 2 : 64;
		r = reallocarray(hd->routes, cap, sizeof(*r));
		if (r == NULL)
			return NULL;
		hd->routes = r;
		hd->routes_cap = cap;
	}
	r = &hd->routes[hd->nroutes++];
	memset(r, 0, sizeof(*r));
	r->addr = addr;
	r->table = table;
	return r;
}

static void
owned_del(struct hostd *hd, struct owned_route *r)
{
	*r = hd->routes[--hd->nroutes];
}

static int
claim_index(const struct vm *vm, uint32_t addr)
{
	size_t	 i;

	for (i = 0; i < vm->reg.naddrs; i++)
		if (vm->reg.addrs[i] == addr)
			return (int)i;
	return -1;
}

static void
refuse(struct vm *vm, struct vsp_result_entry *res, const struct vsp_addr *a,
    uint8_t reason)
{
	res->result = VSP_RES_REFUSED;
	res->reason = reason;
	vm->n_refused++;
	log_warnx("vm %s: refused %s for %s/%u: %s", vm->reg.name,
	    vsp_state_name(a->state), ntoa(a->addr), a->plen,
	    vsp_reason_name(reason));
	hostd_event(vm->hd, vm, a->addr, a->state, res->result, reason);
}

/* An operation on one (address, table) and what it means for the cache. */
struct pending {
	struct kr_op	 op;
	int		 idx;		/* claim index in vm->reg.addrs */
};

void
routes_apply_state(struct vm *vm, const struct vsp_msg *msg,
    struct vsp_ack_msg *ack, uint32_t *announce, size_t *nannounce)
{
	const struct vsp_state_msg *st = &msg->u.state;
	struct hostd		*hd = vm->hd;
	struct pending		 ops[REG_MAX_ADDRS * REG_MAX_TABLES];
	struct kr_op		 krops[REG_MAX_ADDRS * REG_MAX_TABLES];
	struct vsp_result_entry	*res_of[REG_MAX_ADDRS] = { NULL };
	uint8_t			 want[REG_MAX_ADDRS], failed[REG_MAX_ADDRS];
	uint8_t			 reason[REG_MAX_ADDRS], moved[REG_MAX_ADDRS];
	struct owned_route	*r;
	unsigned int		 ifindex;
	size_t			 i, t, n = 0;
	int			 idx;

	memset(want, 0, sizeof(want));
	memset(failed, 0, sizeof(failed));
	memset(reason, 0, sizeof(reason));
	memset(moved, 0, sizeof(moved));
	*nannounce = 0;
	ifindex = if_nametoindex(vm->reg.tap);

	/* 1. Authorise each claim against the registration. */
	ack->nresults = 0;
	for (i = 0; i < st->naddrs; i++) {
		const struct vsp_addr	*a = &st->addrs[i];
		struct vsp_result_entry	*res = &ack->results[ack->nresults++];

		res->addr = a->addr;
		if ((idx = claim_index(vm, a->addr)) == -1) {
			refuse(vm, res, a, VSP_WHY_NOT_REGISTERED);
			continue;
		}
		if (a->plen != 32) {
			refuse(vm, res, a, VSP_WHY_BAD_PREFIX);
			continue;
		}
		res_of[idx] = res;
		want[idx] = a->state == VSP_ST_MASTER;
		vm->claims[idx].state = a->state;
	}

	/*
	 * 2. Plan.  Registered addresses the state leaves out are not
	 * claimed: full state means absence is withdrawal.
	 */
	for (i = 0; i < vm->reg.naddrs; i++) {
		if (res_of[i] == NULL)
			vm->claims[i].state = VSP_ST_STOP;
		if (want[i] && ifindex == 0) {
			failed[i] = 1;
			reason[i] = VSP_WHY_NO_TAP;
			continue;
		}
		for (t = 0; t < vm->reg.ntables; t++) {
			struct kr_op	*op = &ops[n].op;

			r = owned_find(hd, vm->reg.addrs[i], vm->reg.tables[t]);
			memset(op, 0, sizeof(*op));
			op->addr = vm->reg.addrs[i];
			op->table = vm->reg.tables[t];
			if (want[i]) {
				/* Replace only a route we know is ours. */
				op->cmd = r != NULL ? KR_REPLACE : KR_CREATE;
				op->ifindex = ifindex;
				if (r == NULL || r->vm != vm ||
				    r->ifindex != ifindex)
					moved[i] = 1;
			} else if (r != NULL && (r->vm == vm ||
			    (r->vm == NULL && r->ifindex == ifindex))) {
				op->cmd = KR_DELETE;
				op->ifindex = r->ifindex;
			} else
				continue;
			ops[n++].idx = (int)i;
		}
	}

	/* 3. One netlink batch for all of it. */
	for (i = 0; i < n; i++)
		krops[i] = ops[i].op;
	if (n > 0 && kr_apply(hd->kr, krops, n) == -1) {
		log_warn("vm %s: route socket", vm->reg.name);
		for (i = 0; i < n; i++)
			krops[i].error = errno;
	}

	/* 4. Record what the kernel now has. */
	for (i = 0; i < n; i++) {
		struct kr_op	*op = &krops[i];

		idx = ops[i].idx;
		if (op->error != 0) {
			failed[idx] = 1;
			reason[idx] = op->error == EEXIST ?
			    VSP_WHY_FOREIGN_ROUTE : VSP_WHY_NETLINK;
			log_warnx("vm %s: %s %s/32 table %u dev %s: %s",
			    vm->reg.name, op->cmd == KR_DELETE ? "delete" :
			    "install", ntoa(op->addr), op->table, vm->reg.tap,
			    strerror(op->error));
			continue;
		}
		r = owned_find(hd, op->addr, op->table);
		if (op->cmd == KR_DELETE) {
			if (r != NULL)
				owned_del(hd, r);
			continue;
		}
		if (r == NULL && (r = owned_add(hd, op->addr,
		    op->table)) == NULL) {
			log_warn("vm %s: route cache", vm->reg.name);
			continue;
		}
		r->ifindex = op->ifindex;
		r->vm = vm;
		r->confirmed = 1;
	}

	/* 5. Results, events, and announcements. */
	for (i = 0; i < vm->reg.naddrs; i++) {
		uint8_t	 result, old = vm->claims[i].result;

		if (failed[i]) {
			result = VSP_RES_FAILED;
			vm->n_failed++;
		} else
			result = want[i] ? VSP_RES_INSTALLED :
			    VSP_RES_WITHDRAWN;
		vm->claims[i].result = result;
		vm->claims[i].reason = failed[i] ? reason[i] : VSP_WHY_NONE;
		if (res_of[i] != NULL) {
			res_of[i]->result = result;
			res_of[i]->reason = vm->claims[i].reason;
		}
		if (result != old || moved[i] || failed[i])
			hostd_event(hd, vm, vm->reg.addrs[i],
			    vm->claims[i].state, result, vm->claims[i].reason);
		/*
		 * Announce on every applied MASTER claim, not only when the
		 * route moved: after a split brain the guest re-asserts with a
		 * new state, and the upstream must hear from us again.
		 */
		if (result == VSP_RES_INSTALLED)
			announce[(*nannounce)++] = vm->reg.addrs[i];
		if (result == VSP_RES_INSTALLED && moved[i])
			log_info("vm %s: %s/32 -> dev %s", vm->reg.name,
			    ntoa(vm->reg.addrs[i]), vm->reg.tap);
		else if (result == VSP_RES_WITHDRAWN && old ==
		    VSP_RES_INSTALLED)
			log_info("vm %s: %s/32 withdrawn", vm->reg.name,
			    ntoa(vm->reg.addrs[i]));
	}
}

/* Delete one of our routes from the kernel; logs a failure. */
static int
owned_withdraw(struct hostd *hd, struct owned_route *r)
{
	struct kr_op	 op;

	memset(&op, 0, sizeof(op));
	op.cmd = KR_DELETE;
	op.addr = r->addr;
	op.table = r->table;
	op.ifindex = r->ifindex;
	if (kr_apply(hd->kr, &op, 1) != 0) {
		log_warnx("withdrawing %s/32 table %u: %s", ntoa(r->addr),
		    r->table, strerror(op.error ? op.error : errno));
		return -1;
	}
	return 0;
}

void
routes_withdraw_vm(struct vm *vm, const char *why)
{
	struct hostd	*hd = vm->hd;
	size_t		 i;
	int		 idx;

	for (i = 0; i < hd->nroutes; ) {
		struct owned_route *r = &hd->routes[i];

		if (r->vm != vm) {
			i++;
			continue;
		}
		if (owned_withdraw(hd, r) == -1) {
			r->vm = NULL;	/* orphan: `host routes` shows it */
			r->confirmed = 0;
			i++;
			continue;
		}
		log_info("vm %s: %s/32 table %u withdrawn: %s", vm->reg.name,
		    ntoa(r->addr), r->table, why);
		if ((idx = claim_index(vm, r->addr)) != -1 &&
		    vm->claims[idx].result == VSP_RES_INSTALLED) {
			vm->claims[idx].result = VSP_RES_WITHDRAWN;
			vm->claims[idx].state = VSP_ST_STOP;
			hostd_event(hd, vm, r->addr, VSP_ST_STOP,
			    VSP_RES_WITHDRAWN, VSP_WHY_NONE);
		}
		owned_del(hd, r);
	}
}

void
routes_forget_vm(struct hostd *hd, struct vm *vm)
{
	size_t	 i;

	for (i = 0; i < hd->nroutes; i++)
		if (hd->routes[i].vm == vm)
			hd->routes[i].vm = NULL;
}

static void
adopt_route(const struct kr_route *kr, void *arg)
{
	struct hostd		*hd = arg;
	struct owned_route	*r;
	struct vm		*vm;

	if (kr->plen != 32) {
		log_warnx("route %s/%u table %u carries our protocol but is "
		    "not a host route: left alone", ntoa(kr->addr), kr->plen,
		    kr->table);
		return;
	}
	if ((r = owned_add(hd, kr->addr, kr->table)) == NULL) {
		log_warn("route cache");
		return;
	}
	r->ifindex = kr->ifindex;
	r->confirmed = 0;
	r->vm = NULL;
	TAILQ_FOREACH(vm, &hd->vms, entry)
		if (if_nametoindex(vm->reg.tap) == kr->ifindex &&
		    reg_has_addr(&vm->reg, kr->addr) &&
		    reg_has_table(&vm->reg, kr->table)) {
			r->vm = vm;
			vm->claims[claim_index(vm, kr->addr)].result =
			    VSP_RES_INSTALLED;
			break;
		}
}

/*
 * At start: take over the routes a previous hostd left, unchanged, so a
 * restart does not flap them.  Those that no VM confirms within the grace
 * period are withdrawn by routes_grace_end().
 */
int
routes_reconcile_start(struct hostd *hd)
{
	hd->nroutes = 0;
	if (kr_dump(hd->kr, 1, adopt_route, hd) == -1)
		return -1;
	hd->reconciling = 1;
	if (hd->nroutes > 0)
		log_info("found %zu routes of ours in the kernel; waiting "
		    "%d ms for their VMs to confirm them", hd->nroutes,
		    hd->grace_ms);
	return 0;
}

void
routes_grace_end(struct hostd *hd)
{
	size_t		 i;

	hd->reconciling = 0;
	for (i = 0; i < hd->nroutes; ) {
		struct owned_route *r = &hd->routes[i];

		if (r->confirmed || owned_withdraw(hd, r) == -1) {
			i++;
			continue;
		}
		log_info("%s/32 table %u withdrawn: no VM confirmed it",
		    ntoa(r->addr), r->table);
		if (r->vm != NULL) {
			int idx = claim_index(r->vm, r->addr);

			r->vm->claims[idx].result = VSP_RES_WITHDRAWN;
		}
		owned_del(hd, r);
	}
}
