/*
 * Legs and live configuration: the public leg and one per inside
 * network, each tied to a switch port by interface name; their own flows,
 * installed when the port shows up (a barrier says when they are in) and
 * deleted when it goes; and the networks and forwards added and removed
 * at run time.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "ofnat.h"
#include "packet.h"
#include "pipeline_priv.h"

static const char *
ipstr(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

const char *
pipeline_leg_state(enum leg_state s)
{
	switch (s) {
	case LEG_UNUSED:
		return "unused";
	case LEG_WAIT_PORT:
		return "waiting-port";
	case LEG_INSTALLING:
		return "installing";
	case LEG_ACTIVE:
		return "active";
	}
	return "?";
}

/* --- legs and ports -------------------------------------------------- */

struct leg *
leg_of_port(struct ofnat *o, uint32_t port)
{
	int	 i;

	for (i = 0; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state >= LEG_INSTALLING &&
		    o->legs[i].port_no == port)
			return &o->legs[i];
	return NULL;
}

/* The network leg whose prefix holds addr. */
struct leg *
leg_of_addr(struct ofnat *o, uint32_t addr)
{
	int	 i;

	for (i = 1; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state >= LEG_INSTALLING &&
		    (addr & o->legs[i].mask) == o->legs[i].net)
			return &o->legs[i];
	return NULL;
}

int
leg_slot(const struct ofnat *o, const struct leg *l)
{
	return (int)(l - o->legs);
}

static struct ofp_port *
port_by_name(struct ofnat *o, const char *name)
{
	size_t	 i;

	for (i = 0; i < o->nports; i++)
		if (strcmp(o->ports[i].name, name) == 0)
			return &o->ports[i];
	return NULL;
}

/* The port is there: install the leg's own flows, then a barrier. */
static void
leg_activate(struct ofnat *o, struct leg *l, const struct ofp_port *p)
{
	struct ofp_flow_mod	 fm;
	char			 a[INET_ADDRSTRLEN];

	l->port_no = p->port_no;
	memcpy(l->mac, p->hw_addr, 6);
	l->state = LEG_INSTALLING;
	if (!l->public) {
		ofp_flow_mod_init(&fm);
		fm.cookie = COOKIE_LEG | (uint64_t)leg_slot(o, l);
		fm.priority = PRIO_GW;
		ofp_match_init(&fm.match);
		ofp_match_in_port(&fm.match, l->port_no);
		ofp_match_eth_type(&fm.match, ETHTYPE_IPV4);
		ofp_match_ipv4_dst(&fm.match, l->addr);
		fm.instructions = OFPIT_BIT(OFPIT_APPLY_ACTIONS);
		flow_send(o, &fm);	/* empty actions: drop */
		fm.priority = PRIO_GW_ICMP;
		ofp_match_ip_proto(&fm.match, IPPROTO_ICMP);
		ofp_actions_output(&fm.apply, OFPP_CONTROLLER,
		    OFPCML_NO_BUFFER);
		flow_send(o, &fm);
	}
	l->barrier_xid = barrier(o);
	log_info("leg %s: %s is port %u, %s", l->name, l->ifname,
	    l->port_no, ipstr(l->addr, a));
	if (l->public)
		arp_request(o, l, o->conf.pub_gateway.s_addr);
}

/* The leg's port is gone or the leg removed: its flows and hosts go. */
static void
leg_deactivate(struct ofnat *o, struct leg *l)
{
	if (l->state >= LEG_INSTALLING && l->port_no != 0 &&
	    ofconn_connected(o)) {
		flows_delete(o, COOKIE_LEG | (uint64_t)leg_slot(o, l),
		    ~0ull, 0, 0);
		flows_delete(o, 0, 0, l->port_no, 0);
		flows_delete(o, 0, 0, 0, l->port_no);
	}
	if (!l->public)
		nat_drop_hosts(o->nat, l->net, (uint8_t)__builtin_popcount(
		    l->mask), end_session, o);
	l->port_no = 0;
	l->state = LEG_WAIT_PORT;
	l->barrier_xid = 0;
}

void
legs_match_ports(struct ofnat *o)
{
	struct ofp_port	*p;
	int		 i;

	for (i = 0; i < OFNAT_MAX_LEGS; i++) {
		if (o->legs[i].state != LEG_WAIT_PORT)
			continue;
		if ((p = port_by_name(o, o->legs[i].ifname)) != NULL)
			leg_activate(o, &o->legs[i], p);
	}
}

void
pipeline_port_status(struct ofnat *o, const struct ofp_port_status *ps)
{
	struct ofp_port	*p;
	size_t		 i;
	int		 j;

	p = port_by_name(o, ps->port.name);
	log_info("port %s (%u): %s", ps->port.name, ps->port.port_no,
	    ps->reason == OFPPR_ADD ? "added" : ps->reason == OFPPR_DELETE ?
	    "deleted" : "modified");
	if (ps->reason == OFPPR_DELETE) {
		for (j = 0; j < OFNAT_MAX_LEGS; j++)
			if (o->legs[j].state >= LEG_INSTALLING &&
			    o->legs[j].port_no == ps->port.port_no)
				leg_deactivate(o, &o->legs[j]);
		if (p != NULL) {
			i = (size_t)(p - o->ports);
			o->ports[i] = o->ports[--o->nports];
		}
		return;
	}
	if (p != NULL)
		*p = ps->port;
	else if (o->nports < OFNAT_MAX_PORTS)
		o->ports[o->nports++] = ps->port;
	if (o->ready)
		legs_match_ports(o);
}

void
pipeline_barrier(struct ofnat *o, uint32_t xid)
{
	int	 i;

	for (i = 0; i < OFNAT_MAX_LEGS; i++) {
		if (o->legs[i].state == LEG_INSTALLING &&
		    o->legs[i].barrier_xid == xid) {
			o->legs[i].state = LEG_ACTIVE;
			log_info("leg %s: active", o->legs[i].name);
		}
	}
}

/* --- configuration ----------------------------------------------------- */

static struct leg *
leg_free_slot(struct ofnat *o)
{
	int	 i;

	for (i = 1; i < OFNAT_MAX_LEGS; i++)
		if (o->legs[i].state == LEG_UNUSED)
			return &o->legs[i];
	return NULL;
}

static void
leg_from_network(struct leg *l, const struct conf_network *n)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->name, sizeof(l->name), "%s", n->name);
	snprintf(l->ifname, sizeof(l->ifname), "%s", n->interface);
	l->addr = n->gateway.s_addr;
	l->mask = n->cidr.plen == 0 ? 0 :
	    htonl(0xffffffffu << (32 - n->cidr.plen));
	l->net = n->cidr.addr.s_addr & l->mask;
	l->state = LEG_WAIT_PORT;
}

void
pipeline_init(struct ofnat *o)
{
	struct leg	*l = &o->legs[0];
	char		 err[256];
	int		 i;

	memset(l, 0, sizeof(*l));
	l->public = 1;
	snprintf(l->name, sizeof(l->name), "public");
	snprintf(l->ifname, sizeof(l->ifname), "%s", o->conf.pub_if);
	l->addr = o->conf.vip.s_addr;
	l->state = LEG_WAIT_PORT;
	for (i = 0; i < o->conf.nnetworks; i++)
		leg_from_network(&o->legs[i + 1], &o->conf.networks[i]);
	for (i = 0; i < o->conf.nforwards; i++)
		if (pipeline_forward_add(o, &o->conf.forwards[i], err,
		    sizeof(err)) == -1)
			log_warnx("%s", err);
}

int
pipeline_leg_add(struct ofnat *o, const struct conf_network *n, char *err,
    size_t errlen)
{
	struct leg	*l, nl;
	int		 i;

	leg_from_network(&nl, n);
	for (i = 0; i < OFNAT_MAX_LEGS; i++) {
		l = &o->legs[i];
		if (l->state == LEG_UNUSED)
			continue;
		if (strcmp(l->name, nl.name) == 0 ||
		    strcmp(l->ifname, nl.ifname) == 0) {
			snprintf(err, errlen, "network %s: name or interface "
			    "%s already used by %s", nl.name, nl.ifname,
			    l->name);
			return -1;
		}
		if (!l->public && ((nl.net & l->mask) == l->net ||
		    (l->net & nl.mask) == nl.net)) {
			snprintf(err, errlen, "network %s: overlaps %s",
			    nl.name, l->name);
			return -1;
		}
	}
	if ((nl.addr & nl.mask) != nl.net || (o->conf.vip.s_addr & nl.mask)
	    == nl.net) {
		snprintf(err, errlen, "network %s: gateway outside the "
		    "network, or the network holds the public address",
		    nl.name);
		return -1;
	}
	if ((l = leg_free_slot(o)) == NULL) {
		snprintf(err, errlen, "network %s: no room (%d networks)",
		    nl.name, CONF_MAX_NETWORKS);
		return -1;
	}
	*l = nl;
	log_info("network %s added on %s", l->name, l->ifname);
	if (o->ready)
		legs_match_ports(o);
	return 0;
}

int
pipeline_leg_del(struct ofnat *o, const char *name, char *err,
    size_t errlen)
{
	struct leg	*l;
	int		 i;

	for (i = 1; i < OFNAT_MAX_LEGS; i++) {
		l = &o->legs[i];
		if (l->state == LEG_UNUSED || strcmp(l->name, name) != 0)
			continue;
		leg_deactivate(o, l);
		if (o->ready)
			(void)barrier(o);
		memset(l, 0, sizeof(*l));
		log_info("network %s removed", name);
		return 0;
	}
	snprintf(err, errlen, "network %s: no such network", name);
	return -1;
}

int
pipeline_forward_add(struct ofnat *o, const struct conf_forward *f,
    char *err, size_t errlen)
{
	char	 a[INET_ADDRSTRLEN];

	if (nat_forward_add(o->nat, f->proto, f->public_port, f->host.s_addr,
	    f->port, end_session, o) == NULL) {
		snprintf(err, errlen, "forward %s %u -> %s:%u: %s",
		    f->proto == IPPROTO_TCP ? "tcp" : "udp", f->public_port,
		    ipstr(f->host.s_addr, a), f->port, strerror(errno));
		return -1;
	}
	return 0;
}

int
pipeline_forward_del(struct ofnat *o, uint8_t proto, uint16_t public_port,
    char *err, size_t errlen)
{
	if (nat_forward_del(o->nat, proto, public_port, end_session, o) ==
	    -1) {
		snprintf(err, errlen, "forward %s %u: no such forward",
		    proto == IPPROTO_TCP ? "tcp" : "udp", public_port);
		return -1;
	}
	return 0;
}
