/*
 * router.json: parse each section into struct router_conf, field by field,
 * with the defaults of docs/router-json.md; config_check.c then applies
 * the rules that span sections.  Unknown keys are errors (a typo must not
 * silently become a default), and so are duplicate keys (config_load
 * parses with JSON_REJECT_DUPLICATES).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

#define DEF_ADVERT_MS		20	/* docs/performance.md, "Failover" */
#define DEF_VIP_PLEN		32
#define DEF_CT_PORT		3780
#define DEF_CT_HASH_SIZE	32768
#define DEF_CT_MAX_ENTRIES	262144
/*
 * conntrackd 1.4.7 commits in steps of 8192 buckets; a commit done in one
 * step leaves "commit in progress" set and every later flush (-f) is
 * refused (docs/keepalived-notes.md, Traps).  So more than 8192 buckets.
 */
#define CT_HASH_MIN		16384
#define MAX_FILE_SIZE		(1024 * 1024)
#define PATH_CHARS		"ABCDEFGHIJKLMNOPQRSTUVWXYZ" \
				"abcdefghijklmnopqrstuvwxyz0123456789_.-/"

/* An address that may be absent (then 0.0.0.0, which no host has). */
static int
opt_addr(struct cctx *c, json_t *o, const char *path, const char *key,
    struct in_addr *out)
{
	out->s_addr = INADDR_ANY;
	if (json_object_get(o, key) == NULL)
		return 0;
	return cj_addr(c, o, path, key, out);
}

static int
parse_node(struct cctx *c, json_t *root, struct router_conf *conf)
{
	static const char *const known[] = {
		"name", "priority", "vrrp_address", NULL
	};
	json_t		*o;
	long long	 n;

	if (cj_object(c, root, "", "node", 1, &o) == -1 ||
	    cj_keys(c, o, "node", known) == -1 ||
	    cj_name(c, o, "node", "name", conf->node) == -1 ||
	    cj_int(c, o, "node", "priority", 1, 1, 254, &n) == -1 ||
	    opt_addr(c, o, "node", "vrrp_address", &conf->vrrp_addr) == -1)
		return -1;
	conf->priority = (uint8_t)n;
	return 0;
}

static int
parse_vrrp(struct cctx *c, json_t *root, struct router_conf *conf)
{
	static const char *const known[] = {
		"advert_ms", "preempt", "unicast", "interface", "sync_path",
		"sync_vrid", NULL
	};
	json_t		*o;
	long long	 n = DEF_ADVERT_MS, vrid = 0;
	int		 rv;

	conf->advert_ms = DEF_ADVERT_MS;
	conf->preempt = 0;
	conf->unicast = 1;
	conf->vrrp_if[0] = '\0';	/* the first network's: config_check */
	conf->sync_path = -1;		/* with peers: pick_sync_path */
	conf->sync_vrid = 0;		/* public.vrid: pick_sync_path */
	if ((rv = cj_object(c, root, "", "vrrp", 0, &o)) != 0)
		return rv == 1 ? 0 : -1;
	if (cj_keys(c, o, "vrrp", known) == -1 ||
	    cj_int(c, o, "vrrp", "advert_ms", 0, 10, 40950, &n) == -1 ||
	    cj_bool(c, o, "vrrp", "preempt", 0, &conf->preempt) == -1 ||
	    cj_bool(c, o, "vrrp", "unicast", 0, &conf->unicast) == -1 ||
	    cj_bool(c, o, "vrrp", "sync_path", 0, &conf->sync_path) == -1 ||
	    cj_int(c, o, "vrrp", "sync_vrid", 0, 1, 255, &vrid) == -1)
		return -1;
	conf->sync_vrid = (uint8_t)vrid;
	if (json_object_get(o, "interface") != NULL &&
	    cj_ifname(c, o, "vrrp", "interface", conf->vrrp_if) == -1)
		return -1;
	if (n % 10 != 0)
		return cfail(c, "vrrp.advert_ms: %lld: not a multiple of 10 "
		    "(VRRPv3 counts centiseconds)", n);
	conf->advert_ms = (unsigned int)n;
	return 0;
}

static int
parse_peers(struct cctx *c, json_t *sync, struct router_conf *conf)
{
	static const char *const known[] = {
		"name", "address", "vrrp_address", NULL
	};
	char		 p[CPATH_LEN];
	json_t		*a, *o;
	size_t		 i;
	int		 rv;

	if ((rv = cj_array(c, sync, "sync", "peers", 0, CONF_MAX_PEERS,
	    &a)) != 0)
		return rv == 1 ? 0 : -1;
	json_array_foreach(a, i, o) {
		snprintf(p, sizeof(p), "sync.peers[%zu]", i);
		if (cj_keys(c, o, p, known) == -1 ||
		    cj_name(c, o, p, "name", conf->peers[i].name) == -1 ||
		    cj_addr(c, o, p, "address", &conf->peers[i].addr) == -1 ||
		    opt_addr(c, o, p, "vrrp_address",
		    &conf->peers[i].vrrp_addr) == -1)
			return -1;
		conf->npeers++;
	}
	return 0;
}

static int
parse_sync(struct cctx *c, json_t *root, struct router_conf *conf)
{
	static const char *const known[] = {
		"interface", "address", "peers", NULL
	};
	json_t	*o;

	if (cj_object(c, root, "", "sync", 1, &o) == -1 ||
	    cj_keys(c, o, "sync", known) == -1 ||
	    cj_ifname(c, o, "sync", "interface", conf->sync_if) == -1 ||
	    cj_prefix(c, o, "sync", "address", 8, 31, &conf->sync_addr) == -1)
		return -1;
	if (cnet_or_bcast(conf->sync_addr.addr, conf->sync_addr.plen))
		return cfail(c, "sync.address: \"%s\": not a host address of "
		    "its subnet", json_string_value(json_object_get(o,
		    "address")));
	return parse_peers(c, o, conf);
}

static int
parse_public(struct cctx *c, json_t *root, struct router_conf *conf)
{
	static const char *const known[] = {
		"interface", "vip", "prefix", "gateway", "vrid", NULL
	};
	char		 a[CADDR_LEN];
	json_t		*o;
	long long	 plen = DEF_VIP_PLEN, vrid;

	if (cj_object(c, root, "", "public", 1, &o) == -1 ||
	    cj_keys(c, o, "public", known) == -1 ||
	    cj_ifname(c, o, "public", "interface", conf->pub_if) == -1 ||
	    cj_addr(c, o, "public", "vip", &conf->vip) == -1 ||
	    cj_int(c, o, "public", "prefix", 0, 8, 32, &plen) == -1 ||
	    cj_addr(c, o, "public", "gateway", &conf->pub_gateway) == -1 ||
	    cj_int(c, o, "public", "vrid", 1, 1, 255, &vrid) == -1)
		return -1;
	conf->vip_plen = (uint8_t)plen;
	conf->pub_vrid = (uint8_t)vrid;
	if (cnet_or_bcast(conf->vip, conf->vip_plen))
		return cfail(c, "public.vip: \"%s\": not a host address of "
		    "its /%d", caddr(conf->vip, a), conf->vip_plen);
	if (conf->pub_gateway.s_addr == conf->vip.s_addr)
		return cfail(c, "public.gateway: \"%s\": is the VIP",
		    caddr(conf->pub_gateway, a));
	return 0;
}

static int
parse_network(struct cctx *c, json_t *o, const char *p,
    struct conf_network *n)
{
	static const char *const known[] = {
		"name", "interface", "cidr", "gateway", "vrid", NULL
	};
	char		 a[CADDR_LEN], b[CADDR_LEN];
	long long	 vrid;
	uint32_t	 m;

	if (cj_keys(c, o, p, known) == -1 ||
	    cj_name(c, o, p, "name", n->name) == -1)
		return -1;
	if (strcmp(n->name, "pub") == 0)
		return cfail(c, "%s.name: \"pub\": reserved for the public "
		    "leg (VRRP instance VI_pub)", p);
	if (strlen(n->name) > CONF_NAME_LEN - 3)
		return cfail(c, "%s.name: \"%s\": longer than %d bytes (its "
		    "VRRP instance VI_%s must fit %d)", p, n->name,
		    CONF_NAME_LEN - 3, n->name, CONF_NAME_LEN);
	if (cj_ifname(c, o, p, "interface", n->interface) == -1 ||
	    cj_prefix(c, o, p, "cidr", 8, 30, &n->cidr) == -1 ||
	    cj_addr(c, o, p, "gateway", &n->gateway) == -1 ||
	    cj_int(c, o, p, "vrid", 1, 1, 255, &vrid) == -1)
		return -1;
	n->vrid = (uint8_t)vrid;
	m = cmask(n->cidr.plen);
	if ((ntohl(n->cidr.addr.s_addr) & ~m) != 0) {
		struct in_addr net = { htonl(ntohl(n->cidr.addr.s_addr) & m) };

		return cfail(c, "%s.cidr: \"%s\": host bits set (the network "
		    "is %s)", p, cprefix(n->cidr.addr, n->cidr.plen, a),
		    cprefix(net, n->cidr.plen, b));
	}
	if (!cinside(n->gateway, n->cidr.addr, n->cidr.plen))
		return cfail(c, "%s.gateway: \"%s\": outside %s.cidr %s", p,
		    caddr(n->gateway, a), p, cprefix(n->cidr.addr,
		    n->cidr.plen, b));
	if (cnet_or_bcast(n->gateway, n->cidr.plen))
		return cfail(c, "%s.gateway: \"%s\": is the %s address of %s",
		    p, caddr(n->gateway, a), n->gateway.s_addr ==
		    n->cidr.addr.s_addr ? "network" : "broadcast",
		    cprefix(n->cidr.addr, n->cidr.plen, b));
	return 0;
}

static int
parse_networks(struct cctx *c, json_t *root, struct router_conf *conf)
{
	char	 p[CPATH_LEN];
	json_t	*a, *o;
	size_t	 i;

	if (cj_array(c, root, "", "networks", 1, CONF_MAX_NETWORKS, &a) == -1)
		return -1;
	if (json_array_size(a) == 0)
		return cfail(c, "networks: empty (a router needs at least one "
		    "private network)");
	json_array_foreach(a, i, o) {
		snprintf(p, sizeof(p), "networks[%zu]", i);
		if (parse_network(c, o, p, &conf->networks[i]) == -1)
			return -1;
		conf->nnetworks++;
	}
	return 0;
}

/*
 * The network whose interface carries the adverts: vrrp.interface, or the
 * first network's; -1 when it names none (config_check says so, after the
 * rules on interfaces).
 */
static void
pick_vrrp_leg(struct router_conf *conf)
{
	int	 i;

	if (conf->vrrp_if[0] == '\0')
		memcpy(conf->vrrp_if, conf->networks[0].interface,
		    sizeof(conf->vrrp_if));
	conf->vrrp_net = -1;
	for (i = 0; i < conf->nnetworks; i++)
		if (strcmp(conf->networks[i].interface, conf->vrrp_if) == 0)
			conf->vrrp_net = i;
}

/*
 * The sync path is on by default when there is a peer to send its adverts
 * to; its VRID is public.vrid's unless given: it is alone on the sync
 * link, so no other instance's VRID can clash with it there.
 */
static void
pick_sync_path(struct router_conf *conf)
{
	if (conf->sync_path == -1)
		conf->sync_path = conf->npeers > 0;
	if (conf->sync_vrid == 0)
		conf->sync_vrid = conf->pub_vrid;
}

static int
parse_forwards(struct cctx *c, json_t *root, struct router_conf *conf)
{
	static const char *const known[] = {
		"proto", "public_port", "host", "port", NULL
	};
	struct conf_forward	*f;
	char			 p[CPATH_LEN];
	const char		*proto;
	long long		 pub, port;
	json_t			*a, *o;
	size_t			 i;
	int			 rv;

	if ((rv = cj_array(c, root, "", "port_forwards", 0, CONF_MAX_FORWARDS,
	    &a)) != 0)
		return rv == 1 ? 0 : -1;
	json_array_foreach(a, i, o) {
		f = &conf->forwards[i];
		snprintf(p, sizeof(p), "port_forwards[%zu]", i);
		if (cj_keys(c, o, p, known) == -1 ||
		    cj_string(c, o, p, "proto", 1, &proto) == -1)
			return -1;
		if (strcmp(proto, "tcp") == 0)
			f->proto = IPPROTO_TCP;
		else if (strcmp(proto, "udp") == 0)
			f->proto = IPPROTO_UDP;
		else
			return cfail(c, "%s.proto: \"%.40s\": not \"tcp\" or "
			    "\"udp\"", p, proto);
		if (cj_int(c, o, p, "public_port", 1, 1, 65535, &pub) == -1 ||
		    cj_addr(c, o, p, "host", &f->host) == -1)
			return -1;
		port = pub;
		if (cj_int(c, o, p, "port", 0, 1, 65535, &port) == -1)
			return -1;
		f->public_port = (uint16_t)pub;
		f->port = (uint16_t)port;
		conf->nforwards++;
	}
	return 0;
}

static int
parse_host_channel(struct cctx *c, json_t *root, struct router_conf *conf)
{
	static const char *const known[] = { "enabled", "port", NULL };
	const char	*port = CONF_HOST_PORT_DEFAULT;
	json_t		*o;
	int		 enabled = 1, rv;

	if ((rv = cj_object(c, root, "", "host_channel", 0, &o)) == -1)
		return -1;
	if (rv == 0 && (cj_keys(c, o, "host_channel", known) == -1 ||
	    cj_bool(c, o, "host_channel", "enabled", 0, &enabled) == -1 ||
	    cj_string(c, o, "host_channel", "port", 0, &port) == -1))
		return -1;
	if (port[0] != '/')
		return cfail(c, "host_channel.port: \"%.60s\": not an absolute "
		    "path", port);
	if (strspn(port, PATH_CHARS) != strlen(port))
		return cfail(c, "host_channel.port: \"%.60s\": use only A-Z a-z "
		    "0-9 _ . - /", port);
	if (strlen(port) >= CONF_SUN_PATH_MAX)
		return cfail(c, "host_channel.port: \"%.60s...\": %zu bytes, "
		    "the limit is %d", port, strlen(port),
		    CONF_SUN_PATH_MAX - 1);
	if (enabled)
		snprintf(conf->host_port, sizeof(conf->host_port), "%s", port);
	return 0;
}

static int
parse_conntrackd(struct cctx *c, json_t *root, struct router_conf *conf)
{
	static const char *const known[] = {
		"enabled", "port", "hash_size", "max_entries", NULL
	};
	long long	 port = DEF_CT_PORT, hash = DEF_CT_HASH_SIZE;
	long long	 max = DEF_CT_MAX_ENTRIES;
	json_t		*o;
	int		 rv;

	conf->ct_enabled = 1;
	if ((rv = cj_object(c, root, "", "conntrackd", 0, &o)) == -1)
		return -1;
	if (rv == 0 && (cj_keys(c, o, "conntrackd", known) == -1 ||
	    cj_bool(c, o, "conntrackd", "enabled", 0, &conf->ct_enabled) == -1 ||
	    cj_int(c, o, "conntrackd", "port", 0, 1024, 65535, &port) == -1 ||
	    cj_int(c, o, "conntrackd", "hash_size", 0, CT_HASH_MIN, 16777216,
	    &hash) == -1 ||
	    cj_int(c, o, "conntrackd", "max_entries", 0, 1024, 67108864,
	    &max) == -1))
		return -1;
	conf->ct_port = (uint16_t)port;
	conf->ct_hash_size = (unsigned int)hash;
	conf->ct_max_entries = (unsigned int)max;
	return 0;
}

int
config_from_json(json_t *root, struct router_conf *conf, char *err,
    size_t errlen)
{
	static const char *const known[] = {
		"router_id", "node", "vrrp", "sync", "public", "networks",
		"port_forwards", "host_channel", "conntrackd", NULL
	};
	struct cctx	 c = { err, errlen };

	memset(conf, 0, sizeof(*conf));
	if (errlen > 0)
		err[0] = '\0';
	if (cj_keys(&c, root, "", known) == -1 ||
	    cj_name(&c, root, "", "router_id", conf->router_id) == -1 ||
	    parse_node(&c, root, conf) == -1 ||
	    parse_vrrp(&c, root, conf) == -1 ||
	    parse_sync(&c, root, conf) == -1 ||
	    parse_public(&c, root, conf) == -1 ||
	    parse_networks(&c, root, conf) == -1 ||
	    parse_forwards(&c, root, conf) == -1 ||
	    parse_host_channel(&c, root, conf) == -1 ||
	    parse_conntrackd(&c, root, conf) == -1)
		return -1;
	pick_vrrp_leg(conf);
	pick_sync_path(conf);
	if (config_check(&c, conf) == -1)
		return -1;
	return 0;
}

int
config_load(const char *path, struct router_conf *conf, char *err,
    size_t errlen)
{
	json_error_t	 jerr;
	struct stat	 st;
	char		 msg[256];
	json_t		*root;
	FILE		*fp;
	int		 rv;

	if ((fp = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fclose(fp);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE_SIZE) {
		snprintf(err, errlen, "%s: %s", path, S_ISREG(st.st_mode) ?
		    "larger than 1 MiB" : "not a regular file");
		fclose(fp);
		errno = EINVAL;
		return -1;
	}
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	fclose(fp);
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line,
		    jerr.column, jerr.text);
		errno = EINVAL;
		return -1;
	}
	rv = config_from_json(root, conf, msg, sizeof(msg));
	json_decref(root);
	if (rv == -1) {
		snprintf(err, errlen, "%s: %s", path, msg);
		errno = EINVAL;
	}
	return rv;
}
