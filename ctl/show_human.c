/* vrouterctl's human output: aligned columns, as iproute2 and bgpctl. */
#include <stdio.h>
#include <string.h>

#include "vrouterctl.h"

static const char *
str(json_t *obj, const char *key)
{
	const char	*s = json_string_value(json_object_get(obj, key));

	return s != NULL ? s : "-";
}

static const char *
yesno(json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key)) ? "yes" : "no";
}

void
show_host_status(json_t *r)
{
	printf("host:        %s\n", str(r, "host"));
	printf("epoch:       %lld\n",
	    (long long)json_integer_value(json_object_get(r, "epoch")));
	printf("vms:         %lld registered, %lld connected\n",
	    (long long)json_integer_value(json_object_get(r, "vms")),
	    (long long)json_integer_value(json_object_get(r, "connected")));
	printf("routes:      %lld\n",
	    (long long)json_integer_value(json_object_get(r, "routes")));
	printf("protocol:    %lld\n",
	    (long long)json_integer_value(json_object_get(r, "protocol")));
	printf("reconciling: %s\n", yesno(r, "reconciling"));
}

static void
print_tables(json_t *tables)
{
	json_t	*t;
	size_t	 i;

	json_array_foreach(tables, i, t) {
		if (json_is_string(t))
			printf("%s%s", i ? "," : "", json_string_value(t));
		else
			printf("%s%lld", i ? "," : "",
			    (long long)json_integer_value(t));
	}
}

void
show_host_vms(json_t *r)
{
	json_t	*vm, *c, *n;
	size_t	 i, j;

	json_array_foreach(json_object_get(r, "vms"), i, vm) {
		n = json_object_get(vm, "counters");
		printf("%s%s\n", i ? "\n" : "", str(vm, "name"));
		printf("  channel %s (%s), tap %s, uplink %s, tables ",
		    str(vm, "channel"), json_is_true(json_object_get(vm,
		    "connected")) ? "connected" : "not connected",
		    str(vm, "tap"), str(vm, "uplink"));
		print_tables(json_object_get(vm, "tables"));
		printf("\n  router %s, epoch %lld seq %lld\n",
		    str(vm, "router_id")[0] ? str(vm, "router_id") : "-",
		    (long long)json_integer_value(json_object_get(vm,
		    "guest_epoch")),
		    (long long)json_integer_value(json_object_get(vm,
		    "guest_seq")));
		printf("  states %lld, stale %lld, refused %lld, failed %lld, "
		    "connects %lld, garbage bytes %lld\n",
		    (long long)json_integer_value(json_object_get(n, "states")),
		    (long long)json_integer_value(json_object_get(n, "stale")),
		    (long long)json_integer_value(json_object_get(n, "refused")),
		    (long long)json_integer_value(json_object_get(n, "failed")),
		    (long long)json_integer_value(json_object_get(n,
		    "connects")),
		    (long long)json_integer_value(json_object_get(n,
		    "garbage_bytes")));
		json_array_foreach(json_object_get(vm, "claims"), j, c)
			printf("  %-18s %-7s %s%s%s\n", str(c, "address"),
			    str(c, "state"), str(c, "result"),
			    str(c, "reason")[0] ? ": " : "",
			    str(c, "reason"));
	}
}

void
show_host_routes(json_t *r)
{
	json_t	*rt;
	size_t	 i;

	printf("%-18s %-10s %-16s %-20s %s\n", "ADDRESS", "TABLE", "DEV",
	    "VM", "CONFIRMED");
	json_array_foreach(json_object_get(r, "routes"), i, rt) {
		long long t = json_integer_value(json_object_get(rt, "table"));
		char	  tb[24];

		if (t == 254)
			strcpy(tb, "main");
		else
			snprintf(tb, sizeof(tb), "%lld", t);
		printf("%-15s/32 %-10s %-16s %-20s %s\n", str(rt, "address"),
		    tb, str(rt, "dev"), str(rt, "vm"), yesno(rt, "confirmed"));
	}
}

void
show_host_events(json_t *r)
{
	json_t	*e;
	size_t	 i;

	printf("%-24s %-16s %-15s %-7s %-9s %s\n", "TIME", "VM", "ADDRESS",
	    "STATE", "RESULT", "REASON");
	json_array_foreach(json_object_get(r, "events"), i, e)
		printf("%-24s %-16s %-15s %-7s %-9s %s\n", str(e, "time"),
		    str(e, "vm"), str(e, "address"), str(e, "state"),
		    str(e, "result"), str(e, "reason"));
}

static void
show_child(json_t *r, const char *name)
{
	json_t	*c = json_object_get(r, name);

	if (json_is_true(json_object_get(c, "running")))
		printf("  %-11s running, pid %lld%s, %lld restarts\n", name,
		    (long long)json_integer_value(json_object_get(c, "pid")),
		    json_is_true(json_object_get(c, "adopted")) ?
		    " (adopted)" : "",
		    (long long)json_integer_value(json_object_get(c,
		    "restarts")));
	else
		printf("  %-11s not running, %lld restarts%s%s\n", name,
		    (long long)json_integer_value(json_object_get(c,
		    "restarts")), str(c, "last_exit")[0] ? ", last: " : "",
		    str(c, "last_exit"));
}

/* One line: the last apply's outcome, and what runs or waits. */
static void
print_apply(json_t *a)
{
	json_t	*l = json_object_get(a, "last");

	if (l == NULL)
		printf("none yet");
	else if (json_is_true(json_object_get(l, "ok")))
		printf("#%lld ok in %.1f ms (%s)",
		    (long long)json_integer_value(json_object_get(l, "id")),
		    json_real_value(json_object_get(l, "ms")), str(l, "why"));
	else
		printf("#%lld FAILED (%s): %s",
		    (long long)json_integer_value(json_object_get(l, "id")),
		    str(l, "why"), str(l, "error"));
	if (json_is_true(json_object_get(a, "running")))
		printf("; #%lld running",
		    (long long)json_integer_value(json_object_get(a, "id")));
	if (json_is_true(json_object_get(a, "pending")))
		printf("; a reload waits");
	printf("\n");
}

void
show_router_status(json_t *r)
{
	json_t	*host = json_object_get(r, "host"), *ho, *f, *e, *vip, *sd;
	size_t	 i;

	printf("router %s, node %s: %s since %s\n", str(r, "router_id"),
	    str(r, "node"), str(r, "state"), str(r, "since"));
	if (json_is_true(json_object_get(r, "maintenance")))
		printf("  maintenance on: this node stays out of MASTER\n");
	else if (json_is_true(json_object_get(r, "standby")))
		printf("  standby     out of the election (after a hand-over)\n");
	if ((sd = json_object_get(r, "stepdown")) != NULL) {
		printf("  priority    %lld (%s)", (long long)json_integer_value(
		    json_object_get(sd, "priority")), str(sd, "role"));
		if (strcmp(str(sd, "phase"), "none") != 0)
			printf(", %s", str(sd, "phase"));
		if (json_string_length(json_object_get(sd, "last")) > 0)
			printf("; last hand-over: %s", str(sd, "last"));
		putchar('\n');
	}
	printf("  reason      %s (%lld transitions)\n", str(r, "reason"),
	    (long long)json_integer_value(json_object_get(r,
	    "transitions")));
	if (json_is_true(json_object_get(host, "enabled"))) {
		vip = json_object_get(host, "vip");
		printf("  host        told %s, %s", str(host, "told"),
		    json_is_true(json_object_get(host, "acked")) ? "acked" :
		    "not acked yet");
		/* An older vrouterd says nothing of its channel. */
		if (json_object_get(host, "channel") != NULL &&
		    strcmp(str(host, "channel"), "connected") != 0)
			printf(" (channel %s)", str(host, "channel"));
		if (vip != NULL)
			printf(": %s %s%s%s", str(vip, "address"),
			    str(vip, "result"), str(vip, "reason")[0] ?
			    ": " : "", str(vip, "reason"));
		printf("\n");
	} else
		printf("  host        no host channel configured\n");
	show_child(r, "keepalived");
	show_child(r, "conntrackd");
	f = json_object_get(r, "sync");
	if (json_is_true(json_object_get(f, "enabled")))
		printf("  sync        %s%s%s\n",
		    json_is_true(json_object_get(f, "healthy")) ? "healthy" :
		    "unhealthy", str(f, "why")[0] ? ": " : "", str(f, "why"));
	ho = json_object_get(r, "handover");
	printf("  handover    %lld commits (last %lld ms), %lld failures%s\n",
	    (long long)json_integer_value(json_object_get(ho, "commits")),
	    (long long)json_integer_value(json_object_get(ho,
	    "last_commit_ms")),
	    (long long)json_integer_value(json_object_get(ho, "failures")),
	    json_is_true(json_object_get(ho, "busy")) ? ", in progress" : "");
	f = json_object_get(r, "nat");
	printf("  nat         %lld rules in vrouter's chains, applied %s\n",
	    (long long)json_integer_value(json_object_get(f, "rules")),
	    str(f, "applied"));
	printf("  apply       ");
	print_apply(json_object_get(r, "apply"));
	f = json_object_get(r, "fifo");
	printf("  fifo        %lld lines, %lld malformed\n",
	    (long long)json_integer_value(json_object_get(f, "lines")),
	    (long long)json_integer_value(json_object_get(f, "malformed")));
	printf("\n  %-20s %-9s %-7s %4s  %-24s %s\n", "VRRP", "KIND", "STATE",
	    "PRIO", "SINCE", "REASON");
	json_array_foreach(json_object_get(r, "vrrp"), i, e)
		printf("  %-20s %-9s %-7s %4lld  %-24s %s\n", str(e, "name"),
		    str(e, "kind"), str(e, "state"),
		    (long long)json_integer_value(json_object_get(e,
		    "priority")), str(e, "since"), str(e, "reason"));
}

void
show_apply(json_t *r)
{
	print_apply(json_object_get(r, "apply"));
}

void
show_conntrack(json_t *r)
{
	json_t		*p = json_object_get(r, "protocols");
	json_t		*n = json_object_get(r, "nat"), *v;
	const char	*k;

	printf("entries     %lld\n",
	    (long long)json_integer_value(json_object_get(r, "total")));
	printf("protocols   tcp %lld, udp %lld, icmp %lld, other %lld\n",
	    (long long)json_integer_value(json_object_get(p, "tcp")),
	    (long long)json_integer_value(json_object_get(p, "udp")),
	    (long long)json_integer_value(json_object_get(p, "icmp")),
	    (long long)json_integer_value(json_object_get(p, "other")));
	printf("tcp states ");
	json_object_foreach(json_object_get(r, "tcp_states"), k, v)
		printf(" %s %lld", k, (long long)json_integer_value(v));
	printf("\nnat         snat %lld, dnat %lld\n",
	    (long long)json_integer_value(json_object_get(n, "snat")),
	    (long long)json_integer_value(json_object_get(n, "dnat")));
}

static void
show_counters(json_t *c)
{
	const char	*k;
	json_t		*v;
	int		 n = 0;

	json_object_foreach(c, k, v)
		if (json_is_integer(v))
			printf("%s%s %lld", n++ % 4 ? ", " : "\n  ", k,
			    (long long)json_integer_value(v));
	printf("\n");
}

void
show_ofnat(json_t *r)
{
	json_t	*sw = json_object_get(r, "switch"), *l, *nat;
	size_t	 i;

	if (sw != NULL)
		printf("switch %s, datapath %s, %lld ports\n",
		    json_is_true(json_object_get(sw, "connected")) ?
		    "connected" : "NOT connected", str(sw, "datapath"),
		    (long long)json_integer_value(json_object_get(sw, "ports")));
	json_array_foreach(json_object_get(r, "legs"), i, l)
		printf("  leg %-10s %-8s %s/%lld port %lld %s\n", str(l, "name"),
		    str(l, "interface"), str(l, "address"),
		    (long long)json_integer_value(json_object_get(l, "prefix")),
		    (long long)json_integer_value(json_object_get(l, "port")),
		    str(l, "state"));
	printf("counters");
	show_counters(json_object_get(r, "counters"));
	nat = json_object_get(r, "nat");
	printf("nat (%s filtering)", str(nat, "filtering"));
	show_counters(nat);
}

void
show_ofnat_mappings(json_t *r)
{
	json_t	*m, *s;
	size_t	 i, j;

	printf("%-5s %-21s %-8s %s\n", "PROTO", "INSIDE", "OUTSIDE",
	    "SESSIONS (remote flows packets)");
	json_array_foreach(json_object_get(r, "mappings"), i, m) {
		char	 in[40];

		snprintf(in, sizeof(in), "%s:%lld", str(m, "inside"),
		    (long long)json_integer_value(json_object_get(m,
		    "inside_port")));
		printf("%-5s %-21s %-8lld%s", str(m, "proto"), in,
		    (long long)json_integer_value(json_object_get(m,
		    "outside_port")), json_is_true(json_object_get(m,
		    "forward")) ? " forward" : "");
		json_array_foreach(json_object_get(m, "sessions"), j, s)
			printf(" %s:%lld %lld %lld", str(s, "remote"),
			    (long long)json_integer_value(json_object_get(s,
			    "remote_port")),
			    (long long)json_integer_value(json_object_get(s,
			    "flows")),
			    (long long)json_integer_value(json_object_get(s,
			    "packets")));
		printf("\n");
	}
	if (json_is_true(json_object_get(r, "truncated")))
		printf("(truncated)\n");
}

/* The page is already text for humans and for Prometheus alike. */
void
show_metrics(json_t *r)
{
	const char	*text = json_string_value(json_object_get(r, "text"));

	if (text != NULL)
		fputs(text, stdout);
}
