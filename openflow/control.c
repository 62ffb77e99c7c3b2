/*
 * vrouter-ofnat's control socket (lib/ctl.h framing).  Requests:
 *   show                  switch, legs, counters, NAT figures
 *   mappings              every mapping with its sessions
 *   flows                 flow and packet counters
 *   metrics               the Prometheus page (metrics.c), as "text"
 *   network-add {name, interface, cidr, gateway}
 *   network-del {name}
 *   forward-add {proto, public_port, host[, port]}
 *   forward-del {proto, public_port}
 *   host-add {address, mac}   a static neighbour
 *   host-del {address}        its mappings, flows and neighbour entry go
 * Changes are applied at once, in the order they arrive, between the
 * switch's messages (one event loop); a network whose port the switch does
 * not have yet waits for its PORT_STATUS.  "show" tells each leg's state:
 * waiting-port, installing (flows sent, barrier outstanding) or active
 * (the switch confirmed them with a BARRIER reply).
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "log.h"
#include "ofnat.h"

static const char *
ipstr(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static const char *
protostr(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : "icmp";
}

static int
get_addr(json_t *req, const char *key, uint32_t *a)
{
	const char	*s = json_string_value(json_object_get(req, key));
	struct in_addr	 in;

	if (s == NULL || inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*a = in.s_addr;
	return 0;
}

static int
get_proto(json_t *req, uint8_t *p)
{
	const char	*s = json_string_value(json_object_get(req, "proto"));

	if (s == NULL)
		return -1;
	if (strcmp(s, "tcp") == 0)
		*p = IPPROTO_TCP;
	else if (strcmp(s, "udp") == 0)
		*p = IPPROTO_UDP;
	else
		return -1;
	return 0;
}

static int
get_port(json_t *req, const char *key, uint16_t *port)
{
	json_t		*v = json_object_get(req, key);
	json_int_t	 i;

	if (!json_is_integer(v) || (i = json_integer_value(v)) < 1 ||
	    i > 65535)
		return -1;
	*port = (uint16_t)i;
	return 0;
}

/* "A.B.C.D/LEN": LEN, or -1. */
static int
parse_prefix(const char *s, struct in_addr *a)
{
	char		 buf[32], *slash, *end;
	unsigned long	 len;

	if (strlen(s) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", s);
	if ((slash = strchr(buf, '/')) == NULL)
		return -1;
	*slash = '\0';
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || slash[1] == '\0' || len > 32 ||
	    inet_pton(AF_INET, buf, a) != 1)
		return -1;
	return (int)len;
}

static json_t *
counters(const struct ofnat *o)
{
	const struct ofnat_counters	*c = &o->c;

	return json_pack("{sI sI sI sI sI sI sI sI sI sI sI sI sI sI sI sI "
	    "sI sI sI sI}",
	    "packet_in", (json_int_t)c->packet_in,
	    "packet_in_miss", (json_int_t)c->packet_in_miss,
	    "packet_in_invalid_ttl", (json_int_t)c->packet_in_ttl,
	    "packet_out", (json_int_t)c->packet_out,
	    "flow_mod", (json_int_t)c->flow_mod,
	    "flow_removed", (json_int_t)c->flow_removed,
	    "errors", (json_int_t)c->errors,
	    "arp_replies", (json_int_t)c->arp_replies,
	    "arp_requests", (json_int_t)c->arp_requests,
	    "echo_replies", (json_int_t)c->echo_replies,
	    "time_exceeded", (json_int_t)c->time_exceeded,
	    "icmp_translated", (json_int_t)c->icmp_translated,
	    "icmp_echo_nat", (json_int_t)c->icmp_echo_nat,
	    "hairpins", (json_int_t)c->hairpins,
	    "dropped", (json_int_t)c->dropped,
	    "filtered", (json_int_t)c->filtered,
	    "exhausted", (json_int_t)c->exhausted,
	    "setups", (json_int_t)c->setups,
	    "connects", (json_int_t)c->connects,
	    "queued_bytes", (json_int_t)ofconn_queued(o));
}

/* The session flows against the switch's table (reconcile.c). */
static json_t *
reconcile_json(const struct ofnat *o)
{
	const struct ofnat_counters	*c = &o->c;
	static const char *const	 phases[] = { "idle", "reading",
					    "comparing" };

	return json_pack("{ss sI sI sI sI sI sI sI}",
	    "phase", phases[o->audit.state],
	    "audits", (json_int_t)c->audits,
	    "audits_failed", (json_int_t)c->audits_failed,
	    "reinstalled", (json_int_t)c->recon_reinstalled,
	    "left_to_next_packet", (json_int_t)c->recon_flowless,
	    "expired", (json_int_t)c->recon_expired,
	    "adopted", (json_int_t)c->recon_adopted,
	    "stray_deleted", (json_int_t)c->recon_stray);
}

static json_t *
nat_json(const struct ofnat *o)
{
	struct nat_stats		 st;
	const struct nat_config		*nc = nat_config_get(o->nat);

	nat_stats_get(o->nat, &st);
	return json_pack("{sI sI sI sI sI sI sI ss s[ii] s{sisisisi}}",
	    "mappings", (json_int_t)st.mappings,
	    "forwards", (json_int_t)st.forwards,
	    "sessions", (json_int_t)st.sessions,
	    "created", (json_int_t)st.created,
	    "reclaimed", (json_int_t)st.reclaimed,
	    "exhausted", (json_int_t)st.exhausted,
	    "filtered", (json_int_t)st.filtered,
	    "filtering", nc->filter == NAT_FILTER_EIF ?
	    "endpoint-independent" : "address-dependent",
	    "port_range", nc->port_lo, nc->port_hi,
	    "timeouts", "tcp_established", nc->to.tcp_est,
	    "tcp_transitory", nc->to.tcp_trans, "udp", nc->to.udp,
	    "icmp", nc->to.icmp);
}

/* Candidate connections closed, by reason (ofconn_policy.h). */
static json_t *
refused(const struct ofnat *o)
{
	json_t	*r = json_object();
	int	 i;

	for (i = 0; i < OFCONN_REF_MAX; i++)
		json_object_set_new(r, ofconn_refusal_name(i),
		    json_integer((json_int_t)o->c.refused[i]));
	return r;
}

static json_t *
show(const struct ofnat *o)
{
	json_t		*legs = json_array(), *r;
	char		 a[INET_ADDRSTRLEN], dp[32];
	const struct leg *l;
	int		 i, plen;

	for (i = 0; i < OFNAT_MAX_LEGS; i++) {
		l = &o->legs[i];
		if (l->state == LEG_UNUSED)
			continue;
		plen = __builtin_popcount(l->mask);
		json_array_append_new(legs, json_pack("{ss ss ss si si ss}",
		    "name", l->name, "interface", l->ifname,
		    "address", ipstr(l->addr, a), "prefix",
		    l->public ? 32 : plen, "port", (int)l->port_no,
		    "state", pipeline_leg_state(l->state)));
	}
	snprintf(dp, sizeof(dp), "%016llx", (unsigned long long)o->dpid);
	r = ctl_reply_ok();
	json_object_set_new(r, "switch", json_pack("{sb ss si ss sI sI "
	    "sI so}",
	    "connected", ofconn_connected(o), "datapath", dp,
	    "ports", (int)o->nports, "peer", ofconn_peer(o),
	    "takeovers", (json_int_t)o->c.takeovers,
	    "replaced", (json_int_t)o->c.replaced,
	    "candidates", (json_int_t)ofconn_candidates(o),
	    "refused", refused(o)));
	json_object_set_new(r, "legs", legs);
	json_object_set_new(r, "counters", counters(o));
	json_object_set_new(r, "reconcile", reconcile_json(o));
	json_object_set_new(r, "nat", nat_json(o));
	return r;
}

struct dump {
	json_t		*arr;
	size_t		 n;
};

#define DUMP_MAX	10000

static void
dump_one(const struct nat_mapping *m, void *arg)
{
	struct dump		*d = arg;
	const struct nat_session *s;
	json_t			*ss;
	char			 a[INET_ADDRSTRLEN];

	if (d->n++ >= DUMP_MAX)
		return;
	ss = json_array();
	for (s = m->sessions; s != NULL; s = s->m_next)
	{
		char	 ck[24];

		snprintf(ck, sizeof(ck), "0x%llx",
		    (unsigned long long)s->cookie);
		json_array_append_new(ss, json_pack("{ss si si sI ss}",
		    "remote", ipstr(s->r_addr, a), "remote_port", s->r_port,
		    "flows", s->nflows, "packets", (json_int_t)s->packets,
		    "cookie", ck));
	}
	json_array_append_new(d->arr, json_pack("{ss ss si si sb so}",
	    "proto", protostr(m->proto), "inside", ipstr(m->in_addr, a),
	    "inside_port", m->in_port, "outside_port", m->out_port,
	    "forward", m->forward, "sessions", ss));
}

static json_t *
handle(const char *cmd, json_t *req, int readonly, void *arg)
{
	struct ofnat		*o = arg;
	struct conf_network	 n;
	struct conf_forward	 f;
	struct dump		 d;
	char			 err[256];
	const char		*s;
	uint32_t		 a;
	uint8_t			 mac[6];
	json_t			*r;
	int			 plen, rc;

	(void)readonly;
	if (strcmp(cmd, "show") == 0)
		return show(o);
	if (strcmp(cmd, "flows") == 0) {
		r = ctl_reply_ok();
		json_object_set_new(r, "counters", counters(o));
		json_object_set_new(r, "nat", nat_json(o));
		return r;
	}
	if (strcmp(cmd, "metrics") == 0) {
		size_t	 len;
		char	*text;

		if ((text = ofnat_metrics_page(o, &len)) == NULL)
			return ctl_reply_error("metrics: out of memory");
		r = ctl_reply_ok();
		json_object_set_new(r, "text", json_stringn(text, len));
		free(text);
		return r;
	}
	if (strcmp(cmd, "mappings") == 0) {
		d.arr = json_array();
		d.n = 0;
		nat_foreach(o->nat, dump_one, &d);
		r = ctl_reply_ok();
		json_object_set_new(r, "mappings", d.arr);
		json_object_set_new(r, "truncated", json_boolean(d.n >
		    DUMP_MAX));
		return r;
	}
	if (strcmp(cmd, "network-add") == 0) {
		memset(&n, 0, sizeof(n));
		s = json_string_value(json_object_get(req, "name"));
		if (s == NULL || strlen(s) > CONF_NAME_LEN || *s == '\0')
			return ctl_reply_error("network-add: name missing");
		snprintf(n.name, sizeof(n.name), "%s", s);
		s = json_string_value(json_object_get(req, "interface"));
		if (s == NULL || strlen(s) >= IFNAMSIZ || *s == '\0')
			return ctl_reply_error("network-add: interface "
			    "missing");
		snprintf(n.interface, sizeof(n.interface), "%s", s);
		s = json_string_value(json_object_get(req, "cidr"));
		if (s == NULL || (plen = parse_prefix(s, &n.cidr.addr)) < 8 ||
		    plen > 30)
			return ctl_reply_error("network-add: cidr: want "
			    "A.B.C.D/8..30");
		n.cidr.plen = (uint8_t)plen;
		if (get_addr(req, "gateway", &a) == -1)
			return ctl_reply_error("network-add: gateway missing");
		n.gateway.s_addr = a;
		if (pipeline_leg_add(o, &n, err, sizeof(err)) == -1)
			return ctl_reply_error("%s", err);
		return ctl_reply_ok();
	}
	if (strcmp(cmd, "network-del") == 0) {
		s = json_string_value(json_object_get(req, "name"));
		if (s == NULL)
			return ctl_reply_error("network-del: name missing");
		if (pipeline_leg_del(o, s, err, sizeof(err)) == -1)
			return ctl_reply_error("%s", err);
		return ctl_reply_ok();
	}
	if (strcmp(cmd, "forward-add") == 0 ||
	    strcmp(cmd, "forward-del") == 0) {
		memset(&f, 0, sizeof(f));
		if (get_proto(req, &f.proto) == -1 ||
		    get_port(req, "public_port", &f.public_port) == -1)
			return ctl_reply_error("%s: proto (tcp|udp) and "
			    "public_port (1..65535) needed", cmd);
		if (strcmp(cmd, "forward-del") == 0)
			rc = pipeline_forward_del(o, f.proto, f.public_port,
			    err, sizeof(err));
		else {
			if (get_addr(req, "host", &a) == -1)
				return ctl_reply_error("forward-add: host "
				    "missing");
			f.host.s_addr = a;
			if (json_object_get(req, "port") == NULL)
				f.port = f.public_port;
			else if (get_port(req, "port", &f.port) == -1)
				return ctl_reply_error("forward-add: port: "
				    "1..65535");
			rc = pipeline_forward_add(o, &f, err, sizeof(err));
		}
		return rc == -1 ? ctl_reply_error("%s", err) : ctl_reply_ok();
	}
	if (strcmp(cmd, "host-add") == 0) {
		s = json_string_value(json_object_get(req, "mac"));
		if (get_addr(req, "address", &a) == -1 || s == NULL ||
		    sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &mac[0],
		    &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6)
			return ctl_reply_error("host-add: address and mac "
			    "needed");
		if (pipeline_host_add(o, a, mac, err, sizeof(err)) == -1)
			return ctl_reply_error("%s", err);
		return ctl_reply_ok();
	}
	if (strcmp(cmd, "host-del") == 0) {
		if (get_addr(req, "address", &a) == -1)
			return ctl_reply_error("host-del: address needed");
		if (pipeline_host_del(o, a, err, sizeof(err)) == -1)
			return ctl_reply_error("%s", err);
		return ctl_reply_ok();
	}
	return ctl_reply_error("unknown command: %s", cmd);
}

struct ctl_server *
control_init(struct ofnat *o, const char *path)
{
	return ctl_server_new(o->base, path, 0600, NULL, handle, o);
}
