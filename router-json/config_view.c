/*
 * The template view: everything the templates print, already formatted,
 * so that templates/ stay free of logic (docs/router-json.md, "The
 * template view").  Built from a validated struct router_conf.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config_priv.h"

const struct conf_jump conf_jumps[CONF_NJUMPS] = {
	{ "nat", "PREROUTING", "VROUTER-PREROUTING" },
	{ "nat", "POSTROUTING", "VROUTER-POSTROUTING" },
	{ "filter", "INPUT", "VROUTER-INPUT" },
	{ "filter", "FORWARD", "VROUTER-FORWARD" },
};

int
config_rundir_check(const char *rundir, char *err, size_t errlen)
{
	const char	*s;
	size_t		 n = strlen(rundir);

	if (rundir[0] != '/') {
		snprintf(err, errlen, "rundir \"%.60s\": not an absolute path",
		    rundir);
		return -1;
	}
	for (s = rundir; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' ||
		    *s == '-' || *s == '/')) {
			snprintf(err, errlen, "rundir \"%.60s\": use only "
			    "A-Z a-z 0-9 _ . - / (it is written unquoted into "
			    "keepalived.conf and conntrackd.conf)", rundir);
			return -1;
		}
	if (n + 1 + strlen(CONF_RUN_CT_SOCK) >= CONF_SUN_PATH_MAX) {
		snprintf(err, errlen, "rundir \"%.60s\": %s/%s would be %zu "
		    "bytes, a UNIX socket path must be under %d", rundir,
		    n > 60 ? "..." : rundir, CONF_RUN_CT_SOCK,
		    n + 1 + strlen(CONF_RUN_CT_SOCK), CONF_SUN_PATH_MAX);
		return -1;
	}
	return 0;
}

/*
 * The view is built with one of these: any allocation that fails marks it
 * failed, and config_view() then returns NULL instead of half a view.
 */
struct vb {
	int	 failed;
};

/* Set key to val, which it takes over even when it fails. */
static void
put(struct vb *b, json_t *o, const char *key, json_t *val)
{
	if (o == NULL || val == NULL) {
		json_decref(val);
		b->failed = 1;
	} else if (json_object_set_new(o, key, val) == -1)
		b->failed = 1;
}

static void
set_str(struct vb *b, json_t *o, const char *key, const char *val)
{
	put(b, o, key, json_string(val));
}

static void
set_int(struct vb *b, json_t *o, const char *key, long long val)
{
	put(b, o, key, json_integer(val));
}

static void
set_bool(struct vb *b, json_t *o, const char *key, int val)
{
	put(b, o, key, json_boolean(val));
}

static void
set_addr(struct vb *b, json_t *o, const char *key, struct in_addr a)
{
	char	 buf[CADDR_LEN];

	set_str(b, o, key, caddr(a, buf));
}

static void
set_prefix(struct vb *b, json_t *o, const char *key, struct in_addr a,
    int plen)
{
	char	 buf[CADDR_LEN];

	set_str(b, o, key, cprefix(a, plen, buf));
}

static void
set_path(struct vb *b, json_t *o, const char *key, const char *rundir,
    const char *name)
{
	char	 buf[CONF_SUN_PATH_MAX + 64];

	snprintf(buf, sizeof(buf), "%s/%s", rundir, name);
	set_str(b, o, key, buf);
}

/* An address, or "" for one not given (0.0.0.0). */
static void
set_opt_addr(struct vb *b, json_t *o, const char *key, struct in_addr a)
{
	if (a.s_addr == INADDR_ANY)
		set_str(b, o, key, "");
	else
		set_addr(b, o, key, a);
}

/* A new empty array under key. */
static json_t *
new_list(struct vb *b, json_t *o, const char *key)
{
	json_t	*a = json_array();

	put(b, o, key, json_incref(a));
	json_decref(a);
	return b->failed ? NULL : a;
}

/* A new object appended to list. */
static json_t *
append(struct vb *b, json_t *list)
{
	json_t	*o = json_object();

	if (list == NULL || o == NULL || json_array_append(list, o) == -1)
		b->failed = 1;
	json_decref(o);
	return b->failed ? NULL : o;
}

/* The network address of a prefix. */
static struct in_addr
network(const struct conf_prefix *p)
{
	struct in_addr	 a;

	a.s_addr = htonl(ntohl(p->addr.s_addr) & cmask(p->plen));
	return a;
}

/* advert_ms as keepalived's seconds, exactly: "0.01", "0.1", "1", "1.25". */
static void
set_advert_int(struct vb *b, json_t *o, unsigned int ms)
{
	char		 buf[16];
	unsigned int	 s = ms / 1000, cs = (ms % 1000) / 10;

	if (cs == 0)
		snprintf(buf, sizeof(buf), "%u", s);
	else if (cs % 10 == 0)
		snprintf(buf, sizeof(buf), "%u.%u", s, cs / 10);
	else
		snprintf(buf, sizeof(buf), "%u.%02u", s, cs);
	set_str(b, o, "advert_int", buf);
}

/*
 * The sync path's instance: adverts over the sync link, unicast between
 * the sync addresses.  VRRPv3 in keepalived 2.2.7 refuses an instance
 * without an address, so it holds a link-local /32 on the sync link that
 * nothing uses: 169.254.1.VRID.
 */
static void
view_sync_path(struct vb *b, json_t *v, const struct router_conf *conf)
{
	char	 buf[CADDR_LEN + 8];

	set_bool(b, v, "sync_path", conf->sync_path);
	set_str(b, v, "sync_instance", "VI_sync");
	set_int(b, v, "sync_vrid", conf->sync_vrid);
	snprintf(buf, sizeof(buf), "169.254.1.%u/32", conf->sync_vrid);
	set_str(b, v, "sync_path_address", buf);
}

static void
view_vrrp(struct vb *b, json_t *v, const struct router_conf *conf)
{
	const struct conf_prefix *s = &conf->sync_addr;
	const struct conf_network *n;
	json_t		*list, *o;
	int		 i;

	set_str(b, v, "router_id", conf->router_id);
	set_str(b, v, "node", conf->node);
	set_int(b, v, "priority", conf->priority);
	set_str(b, v, "sync_group", conf->router_id);
	set_int(b, v, "advert_ms", conf->advert_ms);
	set_advert_int(b, v, conf->advert_ms);
	set_bool(b, v, "preempt", conf->preempt);
	set_bool(b, v, "unicast", conf->unicast);

	set_str(b, v, "sync_interface", conf->sync_if);
	set_addr(b, v, "sync_address", s->addr);
	set_int(b, v, "sync_prefix", s->plen);
	set_prefix(b, v, "sync_cidr", s->addr, s->plen);
	set_prefix(b, v, "sync_network", network(s), s->plen);
	/* The adverts' leg, and "" for an address not given (multicast). */
	n = &conf->networks[conf->vrrp_net];
	set_str(b, v, "vrrp_interface", conf->vrrp_if);
	set_bool(b, v, "vrrp_has_address", conf->vrrp_addr.s_addr != 0);
	set_opt_addr(b, v, "vrrp_address", conf->vrrp_addr);
	if (conf->vrrp_addr.s_addr != 0)
		set_prefix(b, v, "vrrp_cidr", conf->vrrp_addr, n->cidr.plen);
	else
		set_str(b, v, "vrrp_cidr", "");
	list = new_list(b, v, "peers");
	for (i = 0; i < conf->npeers; i++) {
		o = append(b, list);
		set_str(b, o, "name", conf->peers[i].name);
		set_addr(b, o, "address", conf->peers[i].addr);
		/* always set: a section must not find the root's instead */
		set_opt_addr(b, o, "vrrp_address", conf->peers[i].vrrp_addr);
	}
	if (conf->npeers > 0)
		set_addr(b, v, "ct_peer", conf->peers[0].addr);
	else
		set_str(b, v, "ct_peer", "");
	view_sync_path(b, v, conf);
}

static void
view_legs(struct vb *b, json_t *v, const struct router_conf *conf)
{
	const struct conf_network *n;
	char		 name[CONF_NAME_LEN + 8];
	json_t		*nets, *insts, *o, *r;
	int		 i;

	set_str(b, v, "public_interface", conf->pub_if);
	set_addr(b, v, "vip", conf->vip);
	set_int(b, v, "vip_prefix", conf->vip_plen);
	set_prefix(b, v, "vip_cidr", conf->vip, conf->vip_plen);
	set_addr(b, v, "public_gateway", conf->pub_gateway);
	set_int(b, v, "public_vrid", conf->pub_vrid);
	set_str(b, v, "public_instance", "VI_pub");

	/* The public instance first: it carries the default route. */
	insts = new_list(b, v, "instances");
	o = append(b, insts);
	set_str(b, o, "name", "VI_pub");
	set_int(b, o, "vrid", conf->pub_vrid);
	set_str(b, o, "interface", conf->pub_if);
	set_bool(b, o, "track_leg", 1);
	set_prefix(b, o, "address_cidr", conf->vip, conf->vip_plen);
	r = json_object();
	set_addr(b, r, "gateway", conf->pub_gateway);
	set_str(b, r, "interface", conf->pub_if);
	set_addr(b, r, "src", conf->vip);
	put(b, o, "default_route", r);

	nets = new_list(b, v, "networks");
	for (i = 0; i < conf->nnetworks; i++) {
		n = &conf->networks[i];
		snprintf(name, sizeof(name), "VI_%s", n->name);
		o = append(b, nets);
		set_str(b, o, "name", n->name);
		set_str(b, o, "interface", n->interface);
		set_prefix(b, o, "cidr", n->cidr.addr, n->cidr.plen);
		set_addr(b, o, "network", n->cidr.addr);
		set_int(b, o, "prefix", n->cidr.plen);
		set_addr(b, o, "gateway", n->gateway);
		set_prefix(b, o, "gateway_cidr", n->gateway, n->cidr.plen);
		set_int(b, o, "vrid", n->vrid);
		set_str(b, o, "instance", name);

		o = append(b, insts);
		set_str(b, o, "name", name);
		set_int(b, o, "vrid", n->vrid);
		set_str(b, o, "interface", n->interface);
		/* keepalived tracks its own interface, and warns if told */
		set_bool(b, o, "track_leg", i != conf->vrrp_net);
		set_prefix(b, o, "address_cidr", n->gateway, n->cidr.plen);
		/* explicit, or a section would find another in the root */
		set_bool(b, o, "default_route", 0);
	}
}

static void
view_forwards(struct vb *b, json_t *v, const struct router_conf *conf)
{
	const struct conf_forward *f;
	char		 host[CADDR_LEN], dest[CADDR_LEN + 8];
	json_t		*list, *o;
	int		 i;

	list = new_list(b, v, "forwards");
	for (i = 0; i < conf->nforwards; i++) {
		f = &conf->forwards[i];
		o = append(b, list);
		set_str(b, o, "proto", f->proto == IPPROTO_TCP ? "tcp" : "udp");
		set_int(b, o, "public_port", f->public_port);
		set_str(b, o, "host", caddr(f->host, host));
		set_int(b, o, "port", f->port);
		snprintf(dest, sizeof(dest), "%s:%u", host, f->port);
		set_str(b, o, "destination", dest);
	}
}

static void
view_conntrackd(struct vb *b, json_t *v, const struct router_conf *conf)
{
	json_t		*list;
	int		 i;

	set_bool(b, v, "ct_enabled", conf->ct_enabled);
	set_int(b, v, "ct_port", conf->ct_port);
	set_int(b, v, "ct_hash_size", conf->ct_hash_size);
	set_int(b, v, "ct_max_entries", conf->ct_max_entries);

	/*
	 * Only forwarded connections are worth syncing, not the router's
	 * own: loopback, the sync link, the VIP, the network gateways, the
	 * nodes' addresses on the adverts' leg.
	 */
	list = new_list(b, v, "ct_ignore");
	set_str(b, append(b, list), "address", "127.0.0.0/8");
	set_prefix(b, append(b, list), "address", network(&conf->sync_addr),
	    conf->sync_addr.plen);
	set_addr(b, append(b, list), "address", conf->vip);
	for (i = 0; i < conf->nnetworks; i++)
		set_addr(b, append(b, list), "address",
		    conf->networks[i].gateway);
	/* the nodes' own addresses on the adverts' leg */
	if (conf->vrrp_addr.s_addr != INADDR_ANY)
		set_addr(b, append(b, list), "address", conf->vrrp_addr);
	for (i = 0; i < conf->npeers; i++)
		if (conf->peers[i].vrrp_addr.s_addr != INADDR_ANY)
			set_addr(b, append(b, list), "address",
			    conf->peers[i].vrrp_addr);
}

static void
view_run(struct vb *b, json_t *v, const struct router_conf *conf,
    const char *rundir)
{
	json_t	*list, *o;
	size_t	 i;

	set_bool(b, v, "host_enabled", conf->host_port[0] != '\0');
	set_str(b, v, "host_port", conf->host_port);

	set_str(b, v, "rundir", rundir);
	set_path(b, v, "notify_fifo", rundir, CONF_RUN_FIFO);
	set_path(b, v, "keepalived_pid", rundir, CONF_RUN_KA_PID);
	set_path(b, v, "vrrp_pid", rundir, CONF_RUN_VRRP_PID);
	set_path(b, v, "conntrackd_sock", rundir, CONF_RUN_CT_SOCK);
	set_path(b, v, "conntrackd_lock", rundir, CONF_RUN_CT_LOCK);
	set_path(b, v, "conntrackd_log", rundir, CONF_RUN_CT_LOG);
	set_path(b, v, "standby_file", rundir, CONF_RUN_STANDBY);
	set_path(b, v, "prio_file", rundir, CONF_RUN_PRIO);

	list = new_list(b, v, "jumps");
	for (i = 0; i < CONF_NJUMPS; i++) {
		o = append(b, list);
		set_str(b, o, "table", conf_jumps[i].table);
		set_str(b, o, "chain", conf_jumps[i].chain);
		set_str(b, o, "target", conf_jumps[i].target);
		set_bool(b, o, "nat", strcmp(conf_jumps[i].table, "nat") == 0);
		set_bool(b, o, "filter", strcmp(conf_jumps[i].table, "filter") == 0);
	}
}

json_t *
config_view(const struct router_conf *conf, const char *rundir)
{
	struct vb	 b = { 0 };
	char		 err[256];
	json_t		*v;

	if (config_rundir_check(rundir, err, sizeof(err)) == -1) {
		errno = EINVAL;
		return NULL;
	}
	if ((v = json_object()) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	view_vrrp(&b, v, conf);
	view_legs(&b, v, conf);
	view_forwards(&b, v, conf);
	view_conntrackd(&b, v, conf);
	view_run(&b, v, conf, rundir);
	if (b.failed) {
		json_decref(v);
		errno = ENOMEM;
		return NULL;
	}
	return v;
}

int
config_view_drop_jump(json_t *view, const char *chain, const char *target)
{
	json_t		*list = json_object_get(view, "jumps"), *o;
	const char	*c, *t;
	size_t		 i;

	json_array_foreach(list, i, o) {
		c = json_string_value(json_object_get(o, "chain"));
		t = json_string_value(json_object_get(o, "target"));
		if (c != NULL && t != NULL && strcmp(c, chain) == 0 &&
		    strcmp(t, target) == 0)
			return json_array_remove(list, i);
	}
	errno = ENOENT;
	return -1;
}
