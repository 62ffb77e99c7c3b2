/*
 * The host routes: carrying out a VM's authorised state in the kernel.
 *
 * What the kernel holds comes from the kernel (kmirror.c, kept current by
 * the route monitor, which is drained before every plan), never from our
 * memory of what we did; routes_plan.c decides, this file applies,
 * undoes a failed MASTER so it is all or nothing, and reports.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "evglue.h"
#include "hostd.h"
#include "log.h"
#include "routes_plan.h"

#define AUDIT_MS	30000	/* a full dump now and then catches drift */

static const char *
ntoa(uint32_t addr)
{
	static char	 buf[4][INET_ADDRSTRLEN];
	static int	 i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET, &addr, buf[i], sizeof(buf[i]));
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

static unsigned int
vm_ifindex(const struct vm *vm)
{
	return if_nametoindex(vm->reg.tap);
}

/* The VM a route of ours serves: its address, its table, its tap. */
struct vm *
routes_owner(struct hostd *hd, const struct km_route *r)
{
	struct vm	*vm;

	if (r->protocol != hd->proto)
		return NULL;
	TAILQ_FOREACH(vm, &hd->vms, entry)
		if (reg_has_addr(&vm->reg, r->addr) &&
		    reg_has_table(&vm->reg, r->table) &&
		    vm_ifindex(vm) == r->ifindex)
			return vm;
	return NULL;
}

/*
 * A change someone else made (an operator's `ip route`, a device that
 * went away): if it took a route from a VM that had it, say so.
 */
static void
external_change(struct hostd *hd, int type, const struct kr_route *kr,
    const struct km_route *old)
{
	struct vm	*vm;
	int		 idx;

	if (old->protocol != hd->proto)
		return;
	if ((vm = routes_owner(hd, old)) == NULL ||
	    (idx = claim_index(vm, kr->addr)) == -1 ||
	    vm->claims[idx].result != VSP_RES_INSTALLED)
		return;
	vm->n_conflicts++;
	if (type == RTM_DELROUTE) {
		vm->claims[idx].result = VSP_RES_WITHDRAWN;
		vm->claims[idx].reason = VSP_WHY_NONE;
		log_warnx("vm %s: %s/32 table %u was removed by someone else",
		    vm->reg.name, ntoa(kr->addr), kr->table);
	} else {
		vm->claims[idx].result = VSP_RES_FAILED;
		vm->claims[idx].reason = VSP_WHY_FOREIGN_ROUTE;
		log_warnx("vm %s: %s/32 table %u was replaced by a route of "
		    "protocol %u: left alone", vm->reg.name, ntoa(kr->addr),
		    kr->table, kr->protocol);
	}
	hostd_event(hd, vm, kr->addr, vm->claims[idx].state,
	    vm->claims[idx].result, vm->claims[idx].reason, 1);
}

static void
on_route(int type, const struct kr_route *kr, void *arg)
{
	struct hostd	*hd = arg;
	struct km_route	 old;
	int		 changed;

	if ((changed = km_update(hd->km, type, kr, &old)) == -1) {
		log_warn("route mirror");
		return;
	}
	if (changed && kr->nl_portid != kr_portid(hd->kr))
		external_change(hd, type, kr, &old);
}

static void
dump_cb(const struct kr_route *kr, void *arg)
{
	struct hostd	*hd = arg;
	struct km_route	 old;

	if (km_update(hd->km, RTM_NEWROUTE, kr, &old) == -1)
		log_warn("route mirror");
}

/* Mark what the VMs hold as confirmed, after a dump forgot it. */
static void
confirm_installed(struct hostd *hd)
{
	struct vm	*vm;
	struct km_route	*r;
	size_t		 i, t;

	TAILQ_FOREACH(vm, &hd->vms, entry)
		for (i = 0; i < vm->reg.naddrs; i++) {
			if (vm->claims[i].result != VSP_RES_INSTALLED)
				continue;
			for (t = 0; t < vm->reg.ntables; t++)
				if ((r = km_get(hd->km, vm->reg.addrs[i],
				    vm->reg.tables[t])) != NULL &&
				    r->protocol == hd->proto)
					r->confirmed = 1;
		}
}

/* Read the kernel's routes again from scratch. */
static int
resync(struct hostd *hd, const char *why)
{
	km_clear(hd->km);
	hd->resyncs++;
	if (kr_dump(hd->kr, 0, dump_cb, hd) == -1) {
		log_warn("route dump (%s)", why);
		return -1;
	}
	confirm_installed(hd);
	return 0;
}

/* Everything the monitor has queued: the mirror is then exact. */
static void
drain_monitor(struct hostd *hd)
{
	int	 rv;

	while ((rv = kr_monitor_read(hd->krmon, on_route, hd)) == 1)
		;
	if (rv == -1) {
		if (errno == ENOBUFS)
			log_warnx("route monitor lost notifications: "
			    "reading every route again");
		else
			log_warn("route monitor");
		resync(hd, "monitor");
	}
}

static void
on_monitor(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	drain_monitor(arg);
}

static void
plan_lookup(void *arg, uint32_t addr, uint32_t table, struct plan_route *out)
{
	struct hostd	*hd = arg;
	struct km_route	*r = km_get(hd->km, addr, table);

	if (r == NULL)
		return;
	out->present = 1;
	out->protocol = r->protocol;
	out->ifindex = r->ifindex;
}

static uint8_t
error_reason(int error)
{
	return error == EEXIST ? VSP_WHY_FOREIGN_ROUTE : VSP_WHY_NETLINK;
}

/* Run ops; on a lost answer read the kernel again, so the mirror holds. */
static void
apply_ops(struct vm *vm, struct kr_op *ops, size_t n)
{
	struct hostd	*hd = vm->hd;

	if (n == 0)
		return;
	if (kr_apply(hd->kr, ops, n) == -1) {
		log_warn("vm %s: route socket", vm->reg.name);
		/* Some answers lost: only the kernel knows what happened. */
		if (errno == ENOBUFS)
			resync(hd, "lost acks");
	}
	drain_monitor(hd);
}

void
routes_apply_state(struct vm *vm, const struct psm_state *st,
    struct psm_result *res)
{
	struct hostd	*hd = vm->hd;
	static struct plan p;	/* large; one state at a time */
	struct kr_op	 ops[PLAN_MAX_OPS], undo[REG_MAX_TABLES];
	uint8_t		 failed[REG_MAX_ADDRS], why[REG_MAX_ADDRS];
	unsigned int	 ifindex = vm_ifindex(vm);
	struct km_route	*r;
	size_t		 i, t, n;

	drain_monitor(hd);
	routes_plan(&vm->reg, ifindex, hd->proto, st->claims, st->nclaims,
	    plan_lookup, hd, &p);
	if (p.violations > 0) {
		vm->n_violations += p.violations;
		vm_log(vm, 0, "the channel engine passed %zu claims it "
		    "must have refused: dropped", p.violations);
	}
	for (i = 0; i < p.nops; i++)
		ops[i] = p.ops[i].op;
	apply_ops(vm, ops, p.nops);
	for (i = 0; i < p.nops; i++)
		p.ops[i].op.error = ops[i].error;

	/* MASTER is all or nothing: undo what a failure left half done. */
	memset(failed, 0, sizeof(failed));
	memset(why, 0, sizeof(why));
	for (i = 0; i < p.nops; i++) {
		const struct plan_op *o = &p.ops[i];

		if (o->op.error == 0 || failed[o->idx])
			continue;
		failed[o->idx] = 1;
		why[o->idx] = error_reason(o->op.error);
		vm_log(vm, 0, "%s %s/32 table %u dev %s: %s",
		    o->op.cmd == KR_DELETE ? "delete" : "install",
		    ntoa(o->op.addr), o->op.table, vm->reg.tap,
		    strerror(o->op.error));
	}
	for (i = 0; i < vm->reg.naddrs; i++)
		if (failed[i] && p.want[i]) {
			n = routes_plan_undo(&vm->reg, ifindex, &p, (uint16_t)i,
			    undo);
			apply_ops(vm, undo, n);
		}

	/* Results, events, and what the kernel now holds for us. */
	vm->n_applied++;
	res->nresults = 0;
	for (i = 0; i < vm->reg.naddrs; i++) {
		struct vm_claim	*c = &vm->claims[i];
		uint8_t		 old = c->result;

		c->state = p.state[i];
		c->result = failed[i] ? VSP_RES_FAILED : p.result[i];
		c->reason = failed[i] ? why[i] : p.reason[i];
		if (c->result == VSP_RES_FAILED)
			vm->n_failed++;
		if (p.conflict[i])
			vm->n_conflicts++;
		if (c->result != old || p.moved[i] ||
		    c->result == VSP_RES_FAILED)
			hostd_event(hd, vm, vm->reg.addrs[i], c->state,
			    c->result, c->reason, p.conflict[i]);
		if (p.conflict[i] && c->result != old)
			vm_log(vm, 0, "%s/32 table %u holds a route vrouter "
			    "did not make: not installed",
			    ntoa(vm->reg.addrs[i]), p.conflict_table[i]);
		if (c->result == VSP_RES_INSTALLED) {
			for (t = 0; t < vm->reg.ntables; t++)
				if ((r = km_get(hd->km, vm->reg.addrs[i],
				    vm->reg.tables[t])) != NULL)
					r->confirmed = 1;
			if (p.moved[i])
				vm_log(vm, 1, "%s/32 -> dev %s",
				    ntoa(vm->reg.addrs[i]), vm->reg.tap);
		} else if (c->result == VSP_RES_WITHDRAWN &&
		    old == VSP_RES_INSTALLED)
			vm_log(vm, 1, "%s/32 withdrawn",
			    ntoa(vm->reg.addrs[i]));
	}
	for (i = 0; i < st->nclaims; i++) {
		int idx = claim_index(vm, st->claims[i].addr);

		if (idx == -1)
			continue;
		res->results[res->nresults].addr = st->claims[i].addr;
		res->results[res->nresults].result = vm->claims[idx].result;
		res->results[res->nresults].reason = vm->claims[idx].reason;
		res->nresults++;
	}
}

/* Take every route of ours off the VM's tap: fail safe. */
void
routes_withdraw_vm(struct vm *vm, const char *why)
{
	struct hostd	*hd = vm->hd;
	struct kr_op	 ops[PLAN_MAX_OPS];
	unsigned int	 ifindex = vm_ifindex(vm);
	struct km_route	*r;
	size_t		 i, t, n = 0;

	drain_monitor(hd);
	for (i = 0; i < vm->reg.naddrs; i++)
		for (t = 0; t < vm->reg.ntables; t++) {
			r = km_get(hd->km, vm->reg.addrs[i],
			    vm->reg.tables[t]);
			if (r == NULL || r->protocol != hd->proto ||
			    r->ifindex != ifindex)
				continue;
			memset(&ops[n], 0, sizeof(ops[n]));
			ops[n].cmd = KR_DELETE;
			ops[n].addr = r->addr;
			ops[n].table = r->table;
			ops[n].ifindex = r->ifindex;
			n++;
		}
	apply_ops(vm, ops, n);
	for (i = 0; i < n; i++)
		if (ops[i].error != 0)
			log_warnx("vm %s: withdrawing %s/32 table %u: %s",
			    vm->reg.name, ntoa(ops[i].addr), ops[i].table,
			    strerror(ops[i].error));
	for (i = 0; i < vm->reg.naddrs; i++) {
		if (vm->claims[i].result != VSP_RES_INSTALLED)
			continue;
		vm->claims[i].result = VSP_RES_WITHDRAWN;
		vm->claims[i].state = VSP_ST_STOP;
		vm->claims[i].reason = VSP_WHY_NONE;
		hostd_event(hd, vm, vm->reg.addrs[i], VSP_ST_STOP,
		    VSP_RES_WITHDRAWN, VSP_WHY_NONE, 0);
		log_info("vm %s: %s/32 withdrawn: %s", vm->reg.name,
		    ntoa(vm->reg.addrs[i]), why);
	}
}

/* Read every route again and tell the VMs that lost one silently. */
static void
audit(struct hostd *hd, const char *why)
{
	struct vm	*vm;
	struct km_route	*r;
	size_t		 i, t, lost = 0;

	drain_monitor(hd);
	if (resync(hd, why) == 0) {
		/* What the monitor could not tell: routes gone with a tap. */
		TAILQ_FOREACH(vm, &hd->vms, entry)
			for (i = 0; i < vm->reg.naddrs; i++) {
				if (vm->claims[i].result != VSP_RES_INSTALLED)
					continue;
				for (t = 0; t < vm->reg.ntables; t++)
					if ((r = km_get(hd->km,
					    vm->reg.addrs[i],
					    vm->reg.tables[t])) == NULL ||
					    r->protocol != hd->proto) {
						vm->claims[i].result =
						    VSP_RES_WITHDRAWN;
						hostd_event(hd, vm,
						    vm->reg.addrs[i],
						    vm->claims[i].state,
						    VSP_RES_WITHDRAWN,
						    VSP_WHY_NONE, 1);
						lost++;
						break;
					}
			}
		if (lost > 0)
			log_warnx("%s: %zu installed addresses lost their "
			    "routes behind our back", why, lost);
	}
}

static void
on_audit(evutil_socket_t fd, short what, void *arg)
{
	struct hostd	*hd = arg;

	(void)fd;
	(void)what;
	audit(hd, "audit");
	evtimer_add_ms(hd->ev_audit, AUDIT_MS);
}

static void
on_link_down(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	audit(arg, "a link went down");
}

/* The route monitor on the event loop, and the periodic audit. */
int
routes_monitor_start(struct hostd *hd)
{
	hd->ev_krmon = event_new(hd->base, kr_monitor_fd(hd->krmon),
	    EV_READ | EV_PERSIST, on_monitor, hd);
	hd->ev_audit = evtimer_new(hd->base, on_audit, hd);
	if (hd->ev_krmon == NULL || hd->ev_audit == NULL ||
	    linkmon_start(hd, on_link_down) == -1)
		return -1;
	event_add(hd->ev_krmon, NULL);
	evtimer_add_ms(hd->ev_audit, AUDIT_MS);
	return 0;
}

/*
 * At start: read every route, and take over those of ours that a
 * previous hostd left, unchanged, so a restart does not flap them.  Those
 * no VM confirms within the grace period go in routes_grace_end().
 */
int
routes_reconcile_start(struct hostd *hd)
{
	struct vm	*vm;
	struct km_route	*r;
	unsigned int	 ifindex;
	size_t		 i, t, n;

	if (resync(hd, "start") == -1)
		return -1;
	TAILQ_FOREACH(vm, &hd->vms, entry) {
		ifindex = vm_ifindex(vm);
		for (i = 0; i < vm->reg.naddrs && ifindex != 0; i++) {
			for (t = 0; t < vm->reg.ntables; t++)
				if ((r = km_get(hd->km, vm->reg.addrs[i],
				    vm->reg.tables[t])) == NULL ||
				    r->protocol != hd->proto ||
				    r->ifindex != ifindex)
					break;
			if (vm->reg.ntables > 0 && t == vm->reg.ntables)
				vm->claims[i].result = VSP_RES_INSTALLED;
		}
	}
	hd->reconciling = 1;
	if ((n = km_count(hd->km, hd->proto)) > 0)
		log_info("found %zu routes of ours in the kernel; waiting "
		    "%d ms for their VMs to confirm them", n, hd->grace_ms);
	return 0;
}

/* Routes of ours that no VM confirmed, gathered for one batch. */
struct grace {
	struct hostd	*hd;
	struct kr_op	*ops;
	size_t		 n, cap;
};

static void
grace_cb(struct km_route *r, void *arg)
{
	struct grace	*g = arg;
	struct kr_op	*op;

	if (r->protocol != g->hd->proto || r->confirmed || g->n >= g->cap)
		return;
	op = &g->ops[g->n++];
	memset(op, 0, sizeof(*op));
	op->cmd = KR_DELETE;
	op->addr = r->addr;
	op->table = r->table;
	op->ifindex = r->ifindex;
}

void
routes_grace_end(struct hostd *hd)
{
	struct grace	 g = { hd, NULL, 0, 0 };
	struct vm	*vm;
	size_t		 i;
	int		 idx;

	hd->reconciling = 0;
	drain_monitor(hd);
	if ((g.cap = km_count(hd->km, hd->proto)) == 0)
		return;
	if ((g.ops = calloc(g.cap, sizeof(*g.ops))) == NULL) {
		log_warn("grace end");
		return;
	}
	km_foreach(hd->km, grace_cb, &g);
	if (g.n > 0 && kr_apply(hd->kr, g.ops, g.n) == -1)
		log_warn("withdrawing unconfirmed routes");
	for (i = 0; i < g.n; i++) {
		struct kr_op *op = &g.ops[i];

		if (op->error != 0) {
			log_warnx("withdrawing %s/32 table %u: %s",
			    ntoa(op->addr), op->table, strerror(op->error));
			continue;
		}
		log_info("%s/32 table %u withdrawn: no VM confirmed it",
		    ntoa(op->addr), op->table);
		TAILQ_FOREACH(vm, &hd->vms, entry)
			if ((idx = claim_index(vm, op->addr)) != -1 &&
			    vm->claims[idx].result == VSP_RES_INSTALLED &&
			    reg_has_table(&vm->reg, op->table)) {
				vm->claims[idx].result = VSP_RES_WITHDRAWN;
				hostd_event(hd, vm, op->addr,
				    vm->claims[idx].state, VSP_RES_WITHDRAWN,
				    VSP_WHY_NONE, 0);
			}
	}
	free(g.ops);
	drain_monitor(hd);
}
