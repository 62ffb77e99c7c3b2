/*
 * The rules of router.json that span sections: every field is already
 * valid on its own (config.c); here the router must make sense as a
 * whole.  Each message names the later of two clashing keys and the key
 * it clashes with.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "config_priv.h"

static int
check_vrids(struct cctx *c, const struct router_conf *conf)
{
	int	 i, j;

	for (i = 0; i < conf->nnetworks; i++) {
		if (conf->networks[i].vrid == conf->pub_vrid)
			return cfail(c, "networks[%d].vrid: %d: already used by "
			    "public.vrid", i, conf->pub_vrid);
		for (j = 0; j < i; j++)
			if (conf->networks[i].vrid == conf->networks[j].vrid)
				return cfail(c, "networks[%d].vrid: %d: already "
				    "used by networks[%d].vrid", i,
				    conf->networks[i].vrid, j);
	}
	return 0;
}

static int
check_interfaces(struct cctx *c, const struct router_conf *conf)
{
	const struct conf_network *n;
	int	 i, j;

	if (strcmp(conf->pub_if, conf->sync_if) == 0)
		return cfail(c, "public.interface: \"%s\": already used by "
		    "sync.interface", conf->pub_if);
	for (i = 0; i < conf->nnetworks; i++) {
		n = &conf->networks[i];
		if (strcmp(n->interface, conf->sync_if) == 0)
			return cfail(c, "networks[%d].interface: \"%s\": already "
			    "used by sync.interface", i, n->interface);
		if (strcmp(n->interface, conf->pub_if) == 0)
			return cfail(c, "networks[%d].interface: \"%s\": already "
			    "used by public.interface", i, n->interface);
		for (j = 0; j < i; j++)
			if (strcmp(n->interface,
			    conf->networks[j].interface) == 0)
				return cfail(c, "networks[%d].interface: \"%s\": "
				    "already used by networks[%d].interface",
				    i, n->interface, j);
	}
	return 0;
}

static int
check_networks(struct cctx *c, const struct router_conf *conf)
{
	const struct conf_network *n, *m;
	char	 a[CADDR_LEN], b[CADDR_LEN];
	int	 i, j;

	for (i = 0; i < conf->nnetworks; i++) {
		n = &conf->networks[i];
		for (j = 0; j < i; j++) {
			m = &conf->networks[j];
			if (strcmp(n->name, m->name) == 0)
				return cfail(c, "networks[%d].name: \"%s\": "
				    "already used by networks[%d].name", i,
				    n->name, j);
			if (coverlap(n->cidr.addr, n->cidr.plen, m->cidr.addr,
			    m->cidr.plen))
				return cfail(c, "networks[%d].cidr: \"%s\": "
				    "overlaps networks[%d].cidr \"%s\"", i,
				    cprefix(n->cidr.addr, n->cidr.plen, a), j,
				    cprefix(m->cidr.addr, m->cidr.plen, b));
		}
	}
	return 0;
}

static int
check_sync(struct cctx *c, const struct router_conf *conf)
{
	const struct conf_prefix *s = &conf->sync_addr;
	const struct conf_network *n;
	char	 a[CADDR_LEN], b[CADDR_LEN];
	int	 i;

	for (i = 0; i < conf->nnetworks; i++) {
		n = &conf->networks[i];
		if (coverlap(s->addr, s->plen, n->cidr.addr, n->cidr.plen))
			return cfail(c, "sync.address: \"%s\": overlaps "
			    "networks[%d].cidr \"%s\"", cprefix(s->addr,
			    s->plen, a), i, cprefix(n->cidr.addr, n->cidr.plen,
			    b));
	}
	if (coverlap(s->addr, s->plen, conf->vip, conf->vip_plen))
		return cfail(c, "sync.address: \"%s\": overlaps public.vip "
		    "\"%s\"", cprefix(s->addr, s->plen, a),
		    cprefix(conf->vip, conf->vip_plen, b));
	if (cinside(conf->pub_gateway, s->addr, s->plen))
		return cfail(c, "public.gateway: \"%s\": inside the sync "
		    "subnet of sync.address \"%s\"", caddr(conf->pub_gateway,
		    a), cprefix(s->addr, s->plen, b));
	return 0;
}

static int
check_peers(struct cctx *c, const struct router_conf *conf)
{
	const struct conf_prefix *s = &conf->sync_addr;
	const struct conf_peer *p;
	char	 a[CADDR_LEN], b[CADDR_LEN];
	int	 i, j;

	for (i = 0; i < conf->npeers; i++) {
		p = &conf->peers[i];
		if (strcmp(p->name, conf->node) == 0)
			return cfail(c, "sync.peers[%d].name: \"%s\": is this "
			    "node's node.name", i, p->name);
		if (p->addr.s_addr == s->addr.s_addr)
			return cfail(c, "sync.peers[%d].address: \"%s\": is "
			    "this node's sync.address", i, caddr(p->addr, a));
		if (!cinside(p->addr, s->addr, s->plen))
			return cfail(c, "sync.peers[%d].address: \"%s\": "
			    "outside the sync subnet %s", i, caddr(p->addr, a),
			    cprefix((struct in_addr){ htonl(ntohl(s->addr.s_addr)
			    & cmask(s->plen)) }, s->plen, b));
		if (cnet_or_bcast(p->addr, s->plen))
			return cfail(c, "sync.peers[%d].address: \"%s\": not a "
			    "host address of the sync subnet", i,
			    caddr(p->addr, a));
		for (j = 0; j < i; j++) {
			if (strcmp(p->name, conf->peers[j].name) == 0)
				return cfail(c, "sync.peers[%d].name: \"%s\": "
				    "already used by sync.peers[%d].name", i,
				    p->name, j);
			if (p->addr.s_addr == conf->peers[j].addr.s_addr)
				return cfail(c, "sync.peers[%d].address: "
				    "\"%s\": already used by sync.peers[%d]."
				    "address", i, caddr(p->addr, a), j);
		}
	}
	if (conf->sync_path && conf->npeers == 0)
		return cfail(c, "vrrp.sync_path: true, but sync.peers has none "
		    "(the sync path's adverts go to their sync.peers[].address)");
	if (conf->unicast && conf->npeers == 0)
		return cfail(c, "sync.peers: none, but unicast VRRP "
		    "(vrrp.unicast) needs at least one");
	if (conf->ct_enabled && conf->npeers != 1)
		return cfail(c, "sync.peers: %d, but conntrackd state sync "
		    "(FTFW over UDP) needs exactly one (or set "
		    "conntrackd.enabled to false)", conf->npeers);
	return 0;
}

/*
 * The adverts' addresses on vrrp.interface: host addresses of its
 * network, not the gateway that moves with the MASTER, all different.
 * Unicast needs them all; multicast takes this node's as its source.
 */
static int
check_vrrp_addr(struct cctx *c, const struct router_conf *conf,
    const char *key, struct in_addr a)
{
	const struct conf_network *n = &conf->networks[conf->vrrp_net];
	char	 x[CADDR_LEN], y[CADDR_LEN];

	if (a.s_addr == INADDR_ANY) {
		if (conf->unicast)
			return cfail(c, "%s: missing (unicast VRRP adverts go "
			    "between the nodes' addresses on vrrp.interface "
			    "\"%s\")", key, conf->vrrp_if);
		return 0;
	}
	if (!cinside(a, n->cidr.addr, n->cidr.plen))
		return cfail(c, "%s: \"%s\": outside networks[%d].cidr %s, "
		    "the network of vrrp.interface \"%s\"", key, caddr(a, x),
		    conf->vrrp_net, cprefix(n->cidr.addr, n->cidr.plen, y),
		    conf->vrrp_if);
	if (a.s_addr == n->gateway.s_addr)
		return cfail(c, "%s: \"%s\": is networks[%d].gateway, which "
		    "moves with the MASTER", key, caddr(a, x), conf->vrrp_net);
	if (cnet_or_bcast(a, n->cidr.plen))
		return cfail(c, "%s: \"%s\": not a host address of "
		    "networks[%d].cidr %s", key, caddr(a, x), conf->vrrp_net,
		    cprefix(n->cidr.addr, n->cidr.plen, y));
	return 0;
}

static int
check_vrrp(struct cctx *c, const struct router_conf *conf)
{
	const struct conf_peer *p;
	char	 key[CPATH_LEN], a[CADDR_LEN];
	int	 i, j;

	/*
	 * Only a network will do: the public leg's neighbours are not ours,
	 * and the sync link is what must be allowed to fail.
	 */
	if (conf->vrrp_net < 0)
		return cfail(c, "vrrp.interface: \"%s\": not the interface of "
		    "one of the networks (the adverts go over a private "
		    "network both nodes share)", conf->vrrp_if);
	if (check_vrrp_addr(c, conf, "node.vrrp_address",
	    conf->vrrp_addr) == -1)
		return -1;
	for (i = 0; i < conf->npeers; i++) {
		p = &conf->peers[i];
		snprintf(key, sizeof(key), "sync.peers[%d].vrrp_address", i);
		if (check_vrrp_addr(c, conf, key, p->vrrp_addr) == -1)
			return -1;
		if (p->vrrp_addr.s_addr == INADDR_ANY)
			continue;
		if (p->vrrp_addr.s_addr == conf->vrrp_addr.s_addr)
			return cfail(c, "%s: \"%s\": is this node's "
			    "node.vrrp_address", key, caddr(p->vrrp_addr, a));
		for (j = 0; j < i; j++)
			if (p->vrrp_addr.s_addr ==
			    conf->peers[j].vrrp_addr.s_addr)
				return cfail(c, "%s: \"%s\": already used by "
				    "sync.peers[%d].vrrp_address", key,
				    caddr(p->vrrp_addr, a), j);
	}
	return 0;
}

/*
 * The sync path's instance is VI_sync: no network's instance (VI_NAME)
 * may take that name while it is on.
 */
static int
check_sync_path(struct cctx *c, const struct router_conf *conf)
{
	int	 i;

	if (!conf->sync_path)
		return 0;
	for (i = 0; i < conf->nnetworks; i++)
		if (strcmp(conf->networks[i].name, "sync") == 0)
			return cfail(c, "networks[%d].name: \"sync\": reserved "
			    "for the sync path (VRRP instance VI_sync); rename "
			    "the network or set vrrp.sync_path to false", i);
	return 0;
}

static int
check_public(struct cctx *c, const struct router_conf *conf)
{
	const struct conf_network *n;
	char	 a[CADDR_LEN], b[CADDR_LEN];
	int	 i;

	for (i = 0; i < conf->nnetworks; i++) {
		n = &conf->networks[i];
		if (conf->vip_plen == 32 &&
		    cinside(conf->vip, n->cidr.addr, n->cidr.plen))
			return cfail(c, "public.vip: \"%s\": inside "
			    "networks[%d].cidr \"%s\"", caddr(conf->vip, a), i,
			    cprefix(n->cidr.addr, n->cidr.plen, b));
		if (coverlap(conf->vip, conf->vip_plen, n->cidr.addr,
		    n->cidr.plen))
			return cfail(c, "public.prefix: %d: \"%s\" overlaps "
			    "networks[%d].cidr \"%s\"", conf->vip_plen,
			    cprefix(conf->vip, conf->vip_plen, a), i,
			    cprefix(n->cidr.addr, n->cidr.plen, b));
		if (cinside(conf->pub_gateway, n->cidr.addr, n->cidr.plen))
			return cfail(c, "public.gateway: \"%s\": inside "
			    "networks[%d].cidr \"%s\"", caddr(conf->pub_gateway,
			    a), i, cprefix(n->cidr.addr, n->cidr.plen, b));
	}
	return 0;
}

static int
check_forwards(struct cctx *c, const struct router_conf *conf)
{
	const struct conf_forward *f;
	const struct conf_network *n = NULL;
	char	 a[CADDR_LEN], b[CADDR_LEN];
	int	 i, j;

	for (i = 0; i < conf->nforwards; i++) {
		f = &conf->forwards[i];
		for (j = 0; j < conf->nnetworks; j++) {
			n = &conf->networks[j];
			if (cinside(f->host, n->cidr.addr, n->cidr.plen))
				break;
		}
		if (j == conf->nnetworks)
			return cfail(c, "port_forwards[%d].host: \"%s\": not "
			    "inside any of the networks", i, caddr(f->host, a));
		if (f->host.s_addr == n->gateway.s_addr)
			return cfail(c, "port_forwards[%d].host: \"%s\": is "
			    "networks[%d].gateway, the router itself", i,
			    caddr(f->host, a), j);
		if (cnet_or_bcast(f->host, n->cidr.plen))
			return cfail(c, "port_forwards[%d].host: \"%s\": not a "
			    "host address of networks[%d].cidr \"%s\"", i,
			    caddr(f->host, a), j, cprefix(n->cidr.addr,
			    n->cidr.plen, b));
		for (j = 0; j < i; j++)
			if (f->proto == conf->forwards[j].proto &&
			    f->public_port == conf->forwards[j].public_port)
				return cfail(c, "port_forwards[%d].public_port: "
				    "%s %d: already forwarded by "
				    "port_forwards[%d]", i, f->proto ==
				    IPPROTO_TCP ? "tcp" : "udp",
				    f->public_port, j);
	}
	return 0;
}

int
config_check(struct cctx *c, const struct router_conf *conf)
{
	if (check_vrids(c, conf) == -1 ||
	    check_interfaces(c, conf) == -1 ||
	    check_networks(c, conf) == -1 ||
	    check_public(c, conf) == -1 ||
	    check_sync(c, conf) == -1 ||
	    check_peers(c, conf) == -1 ||
	    check_forwards(c, conf) == -1 ||
	    check_vrrp(c, conf) == -1 ||
	    check_sync_path(c, conf) == -1)
		return -1;
	return 0;
}
