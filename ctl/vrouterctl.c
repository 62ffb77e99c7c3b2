/*
 * vrouterctl: the admin CLI for vrouterd (in a router VM) and
 * vrouter-hostd (on a hypervisor).  Commands are matched against a table,
 * as bgpctl and ip do; usage comes from the same table.
 *
 * Exit status: 0 done, 1 failed, 2 usage error.  Help (`help WORDS`, or
 * -h/--help anywhere after the command) is answered from the table and
 * never reaches a daemon.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "log.h"
#include "render.h"
#include "version.h"
#include "vrouterctl.h"

#ifndef TEMPLATE_DIR	/* etc/module.mk sets it, see there */
#define TEMPLATE_DIR	"/usr/local/share/vrouter/templates"
#endif


#define HOSTD_SOCK	"/run/vrouter/hostd.sock"
#define VROUTERD_SOCK	"/run/vrouter/vrouterd.sock"
#define OFNAT_SOCK	"/run/vrouter/ofnat.sock"

enum { DAEMON_VROUTERD, DAEMON_HOSTD, DAEMON_OFNAT };
#define TIMEOUT_MS	5000
#define EXIT_USAGE	2

struct ctx {
	const char	*sock;		/* for the chosen command */
	int		 json;
	const struct command *cmd;	/* the chosen command */
};

struct command {
	const char	*words[4];
	const char	*args;
	int		(*run)(struct ctx *, int, char **);
	const char	*help;
	int		 daemon;	/* DAEMON_*: whose socket */
};

static int	 action(struct ctx *, json_t *);
static int	 cmd_help(struct ctx *, int, char **);
static int	 cmd_status(struct ctx *, int, char **);
static int	 cmd_reload(struct ctx *, int, char **);
static int	 cmd_apply(struct ctx *, int, char **);
static int	 cmd_failover(struct ctx *, int, char **);
static int	 cmd_conntrack(struct ctx *, int, char **);
static int	 cmd_failtest(struct ctx *, int, char **);
static int	 cmd_ofnat_show(struct ctx *, int, char **);
static int	 cmd_ofnat_mappings(struct ctx *, int, char **);
static int	 cmd_ofnat_flows(struct ctx *, int, char **);
static int	 cmd_ofnat_network_add(struct ctx *, int, char **);
static int	 cmd_ofnat_network_del(struct ctx *, int, char **);
static int	 cmd_ofnat_forward_add(struct ctx *, int, char **);
static int	 cmd_ofnat_forward_del(struct ctx *, int, char **);
static int	 cmd_maintenance(struct ctx *, int, char **);
static int	 cmd_check(struct ctx *, int, char **);
static int	 cmd_render(struct ctx *, int, char **);
static int	 cmd_host_status(struct ctx *, int, char **);
static int	 cmd_host_vm_add(struct ctx *, int, char **);
static int	 cmd_host_vm_del(struct ctx *, int, char **);
static int	 cmd_host_vm_list(struct ctx *, int, char **);
static int	 cmd_host_vm_yield(struct ctx *, int, char **);
static int	 cmd_host_routes(struct ctx *, int, char **);
static int	 cmd_host_events(struct ctx *, int, char **);
static int	 cmd_metrics(struct ctx *, int, char **);

static const struct command commands[] = {
	{ { "status" }, "", cmd_status,
	    "the router: VRRP state, host acks, children, handover", 0 },
	{ { "reload" }, "", cmd_reload,
	    "re-read the router description (a bad one changes nothing)", 0 },
	{ { "apply" }, "", cmd_apply,
	    "the last apply of the description (start or reload)", 0 },
	{ { "conntrack" }, "", cmd_conntrack,
	    "a summary of this node's kernel connection table", 0 },
	{ { "failover" }, "", cmd_failover,
	    "make this MASTER step down now and wait for the peer", 0 },
	{ { "failover-test" }, "--node SOCKET --node SOCKET --probe ADDR "
	    "[--count N] [--kind kill|link|planned] [--interval MS] "
	    "[--tcp ADDR:PORT [--conns N]]", cmd_failtest,
	    "inject faults into the master and measure the outage", 0 },
	{ { "metrics" }, "", cmd_metrics,
	    "the Prometheus metrics page (as vrouterd -P writes it)", 0 },
	{ { "maintenance" }, "on|off", cmd_maintenance,
	    "stay out of MASTER until turned off (survives restarts)", 0 },
	{ { "check" }, "[-f router.json] [-T templates]", cmd_check,
	    "validate a router description and render every template", 0 },
	{ { "render" }, "[-f router.json] [-T templates] [-R rundir] "
	    "keepalived.conf|conntrackd.conf|nat.rules", cmd_render,
	    "print what vrouterd would write", 0 },
	{ { "host", "status" }, "", cmd_host_status,
	    "the host agent's summary", 1 },
	{ { "host", "vm", "add" },
	    "NAME channel PATH tap IF uplink IF address A [address A ...] "
	    "[table T ...]", cmd_host_vm_add,
	    "register a router VM (replaces an earlier registration)", 1 },
	{ { "host", "vm", "del" }, "NAME", cmd_host_vm_del,
	    "unregister a VM and withdraw its routes", 1 },
	{ { "host", "vm", "yield" }, "NAME [timeout MS]", cmd_host_vm_yield,
	    "ask a VM to hand mastership over before it moves, and wait", 1 },
	{ { "host", "vm", "list" }, "", cmd_host_vm_list,
	    "registered VMs, their channels and claims", 1 },
	{ { "host", "vms" }, "", cmd_host_vm_list,
	    "the same as host vm list", 1 },
	{ { "host", "routes" }, "", cmd_host_routes,
	    "routes the host agent has in the kernel", 1 },
	{ { "host", "events" }, "", cmd_host_events,
	    "recent installs, withdrawals and refusals", 1 },
	{ { "host", "metrics" }, "", cmd_metrics,
	    "the host agent's Prometheus metrics page", 1 },
	{ { "ofnat", "show" }, "", cmd_ofnat_show,
	    "vrouter-ofnat: switch, legs, counters, NAT summary", 2 },
	{ { "ofnat", "mappings" }, "", cmd_ofnat_mappings,
	    "vrouter-ofnat: NAT mappings and their sessions", 2 },
	{ { "ofnat", "flows" }, "", cmd_ofnat_flows,
	    "vrouter-ofnat: flow and packet counters", 2 },
	{ { "ofnat", "metrics" }, "", cmd_metrics,
	    "vrouter-ofnat: the Prometheus metrics page", 2 },
	{ { "ofnat", "network", "add" }, "NAME IF CIDR GATEWAY",
	    cmd_ofnat_network_add, "vrouter-ofnat: add an inside network", 2 },
	{ { "ofnat", "network", "del" }, "NAME", cmd_ofnat_network_del,
	    "vrouter-ofnat: remove an inside network", 2 },
	{ { "ofnat", "forward", "add" }, "tcp|udp PUBLIC-PORT HOST [PORT]",
	    cmd_ofnat_forward_add, "vrouter-ofnat: add a port forward", 2 },
	{ { "ofnat", "forward", "del" }, "tcp|udp PUBLIC-PORT",
	    cmd_ofnat_forward_del, "vrouter-ofnat: remove a port forward", 2 },
	{ { "help" }, "[command]", cmd_help,
	    "this text, or the commands that start with command", 0 },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

/* How many of the first n words c starts with. */
static int
words_match(const struct command *c, int n, char **words)
{
	int	 w;

	for (w = 0; w < n && w < 4 && c->words[w] != NULL; w++)
		if (strcmp(words[w], c->words[w]) != 0)
			break;
	return w;
}

/* "host vm add NAME ...": the words, then the arguments if any. */
static void
print_words(FILE *f, const struct command *c)
{
	size_t	 w;

	for (w = 0; w < 4 && c->words[w] != NULL; w++)
		fprintf(f, "%s%s", w ? " " : "", c->words[w]);
	if (c->args[0] != '\0')
		fprintf(f, " %s", c->args);
}

/* The usage line, then each command whose words start with prefix. */
static void
print_usage_prefix(FILE *f, int n, char **prefix)
{
	size_t	 i;

	fprintf(f, "usage: vrouterctl [-hjV] [-s socket] command [args]\n");
	for (i = 0; i < NCOMMANDS; i++) {
		if (words_match(&commands[i], n, prefix) < n)
			continue;
		fprintf(f, "  ");
		print_words(f, &commands[i]);
		fprintf(f, "\n\t%s\n", commands[i].help);
	}
}

static void
print_usage(FILE *f)
{
	print_usage_prefix(f, 0, NULL);
}

/* One command's usage and help. */
static void
print_cmd_usage(FILE *f, const struct command *c)
{
	fprintf(f, "usage: vrouterctl ");
	print_words(f, c);
	fprintf(f, "\n\t%s\n", c->help);
}

/* A command's arguments are wrong: say why, show its usage, exit 2. */
static int __attribute__((format(printf, 2, 3)))
usage_err(struct ctx *ctx, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 w;

	fprintf(stderr, "vrouterctl:");
	for (w = 0; w < 4 && ctx->cmd->words[w] != NULL; w++)
		fprintf(stderr, " %s", ctx->cmd->words[w]);
	fprintf(stderr, ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_cmd_usage(stderr, ctx->cmd);
	return EXIT_USAGE;
}

static const struct command *lookup(int, char **, int *);

/*
 * Help for the command words given, answered from the table alone: one
 * command's usage, or every command that starts with the words (all of
 * them for none).  Words that name no command are a usage error.
 */
static int
help(FILE *f, int argc, char **argv)
{
	const struct command	*c;
	size_t			 i;
	int			 used, n = 0, m;

	if ((c = lookup(argc, argv, &used)) != NULL) {
		print_cmd_usage(f, c);
		return 0;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if ((m = words_match(&commands[i], argc, argv)) > n)
			n = m;
	if (argc > 0 && n == 0) {
		fprintf(stderr, "vrouterctl: unknown command: %s\n", argv[0]);
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (f == stderr) {
		fprintf(stderr, "vrouterctl: not a whole command:");
		for (m = 0; m < n; m++)
			fprintf(stderr, " %s", argv[m]);
		fputc('\n', stderr);
	}
	print_usage_prefix(f, n, argv);
	return f == stdout ? 0 : EXIT_USAGE;
}

/* Where -h or --help is among the words (before any "--"), or -1. */
static int
help_asked(int argc, char **argv)
{
	int	 i;

	for (i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return i;
	return -1;
}

static int
cmd_help(struct ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	return help(stdout, argc, argv);
}

json_t *
ctl_request(const char *sock, json_t *req, int timeout_ms, char **refusal)
{
	json_t		*reply;
	const char	*e;
	char		 err[512];

	if (refusal != NULL)
		*refusal = NULL;
	if ((reply = ctl_call(sock, req, timeout_ms, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "vrouterctl: %s\n", err);
		return NULL;
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		e = json_string_value(json_object_get(reply, "error"));
		if (e == NULL)
			e = "request failed";
		if (refusal != NULL)
			*refusal = strdup(e);
		else
			fprintf(stderr, "vrouterctl: %s\n", e);
		json_decref(reply);
		return NULL;
	}
	return reply;
}

/* Send req (consumed) and return the reply if it says ok. */
static json_t *
call(struct ctx *ctx, json_t *req)
{
	json_t	*reply;

	reply = ctl_request(ctx->sock, req, TIMEOUT_MS, NULL);
	json_decref(req);
	return reply;
}

static json_t *
request(const char *cmd)
{
	return json_pack("{s:i, s:s}", "v", CTL_VERSION, "cmd", cmd);
}

/* Run a read-only query and print it with show (or as JSON). */
static int
query(struct ctx *ctx, int argc, const char *cmd, void (*show)(json_t *))
{
	json_t	*reply;

	if (argc != 0)
		return usage_err(ctx, "takes no arguments");
	if ((reply = call(ctx, request(cmd))) == NULL)
		return 1;
	if (ctx->json)
		show_json(reply);
	else
		show(reply);
	json_decref(reply);
	return 0;
}

static int
cmd_status(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "status", show_router_status);
}

/* The same request on whichever daemon's socket the table chose. */
static int
cmd_metrics(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "metrics", show_metrics);
}

static int
cmd_reload(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	if (argc != 0)
		return usage_err(ctx, "takes no arguments");
	return ctl_reload(ctx->sock, ctx->json);
}

static int
cmd_apply(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "apply", show_apply);
}

/* Milliseconds on the monotonic clock, for the commands that wait. */
long
ctl_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What failover watches in vrouterd's status. */
struct fo_snap {
	char		 state[16], told[16], phase[16], last[160];
	long		 advert_ms;
	int		 host_enabled, host_acked;
	long long	 aborted, handed;
};

static int
fo_snap(struct ctx *ctx, struct fo_snap *s)
{
	json_t		*reply, *host, *sd;
	const char	*v;

	if ((reply = call(ctx, request("status"))) == NULL)
		return -1;
	host = json_object_get(reply, "host");
	sd = json_object_get(reply, "stepdown");
	v = json_string_value(json_object_get(reply, "state"));
	snprintf(s->state, sizeof(s->state), "%s", v != NULL ? v : "?");
	v = json_string_value(json_object_get(host, "told"));
	snprintf(s->told, sizeof(s->told), "%s", v != NULL ? v : "?");
	v = json_string_value(json_object_get(sd, "phase"));
	snprintf(s->phase, sizeof(s->phase), "%s", v != NULL ? v : "none");
	v = json_string_value(json_object_get(sd, "last"));
	snprintf(s->last, sizeof(s->last), "%s", v != NULL ? v : "");
	s->advert_ms = (long)json_integer_value(json_object_get(reply,
	    "advert_ms"));
	s->host_enabled = json_is_true(json_object_get(host, "enabled"));
	s->host_acked = json_is_true(json_object_get(host, "acked"));
	s->aborted = (long long)json_integer_value(json_object_get(sd,
	    "aborted"));
	s->handed = (long long)json_integer_value(json_object_get(sd,
	    "handed_over"));
	json_decref(reply);
	return 0;
}

/*
 * Hand over, then watch: the peer preempts this node, which becomes
 * BACKUP only when it hears the peer as MASTER; its host withdraws the
 * route after a drain.  If no peer takes over in time, vrouterd undoes
 * the request and this node stays MASTER: say why and fail.
 */
static int
cmd_failover(struct ctx *ctx, int argc, char **argv)
{
	struct fo_snap	 s;
	long		 t0, left_at = -1;
	long long	 aborted, handed;

	(void)argv;
	if (argc != 0)
		return usage_err(ctx, "takes no arguments");
	if (fo_snap(ctx, &s) == -1)
		return 1;
	aborted = s.aborted;
	handed = s.handed;
	t0 = ctl_now_ms();
	if (action(ctx, request("failover")) != 0)
		return 1;
	for (;;) {
		if (fo_snap(ctx, &s) == -1)
			return 1;
		if (left_at < 0 && (s.handed != handed ||
		    strcmp(s.state, "MASTER") != 0)) {
			left_at = ctl_now_ms();
			if (s.handed != handed)
				printf("%5ld ms  %s\n", left_at - t0, s.last);
			else {
				printf("%5ld ms  left MASTER (%s), not handed "
				    "over\n", left_at - t0, s.state);
				return 1;
			}
			if (!s.host_enabled)
				break;
		}
		if (left_at < 0 && s.aborted != aborted) {
			printf("%5ld ms  %s\n", ctl_now_ms() - t0, s.last);
			fprintf(stderr, "vrouterctl: failover: %s\n", s.last);
			return 1;
		}
		/* after the drain: out of FAULT, the host told BACKUP */
		if (left_at >= 0 && strcmp(s.phase, "draining") != 0 &&
		    strcmp(s.state, "FAULT") != 0 &&
		    strcmp(s.told, "MASTER") != 0 &&
		    strcmp(s.told, "FAULT") != 0 && s.host_acked) {
			printf("%5ld ms  the host acked %s: VIP route "
			    "withdrawn\n", ctl_now_ms() - t0, s.told);
			return strcmp(s.state, "MASTER") == 0;
		}
		if (ctl_now_ms() - t0 > 30000) {
			printf("no settled state within 30 s\n");
			return 1;
		}
		usleep(10000);
	}
	return 0;	/* handed over; no host to wait for */
}

static int
cmd_ofnat_show(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "show", show_ofnat);
}

static int
cmd_ofnat_mappings(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "mappings", show_ofnat_mappings);
}

static int
cmd_ofnat_flows(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "flows", show_ofnat);
}

static int
cmd_ofnat_network_add(struct ctx *ctx, int argc, char **argv)
{
	if (argc != 4)
		return usage_err(ctx, "want 4 arguments, got %d", argc);
	return action(ctx, json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}", "v",
	    CTL_VERSION, "cmd", "network-add", "name", argv[0], "interface",
	    argv[1], "cidr", argv[2], "gateway", argv[3]));
}

static int
cmd_ofnat_network_del(struct ctx *ctx, int argc, char **argv)
{
	if (argc != 1)
		return usage_err(ctx, "want NAME alone");
	return action(ctx, json_pack("{s:i, s:s, s:s}", "v", CTL_VERSION,
	    "cmd", "network-del", "name", argv[0]));
}

/* A port number argument, 1..65535; -1 with a message otherwise. */
static int
port_arg(struct ctx *ctx, const char *s)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 65535) {
		usage_err(ctx, "\"%s\": not a port (1..65535)", s);
		return -1;
	}
	return (int)v;
}

static int
cmd_ofnat_forward_add(struct ctx *ctx, int argc, char **argv)
{
	int	 pub, port;

	if (argc != 3 && argc != 4)
		return usage_err(ctx, "want 3 or 4 arguments, got %d", argc);
	if ((pub = port_arg(ctx, argv[1])) == -1 ||
	    (port = argc == 4 ? port_arg(ctx, argv[3]) : pub) == -1)
		return EXIT_USAGE;
	return action(ctx, json_pack("{s:i, s:s, s:s, s:i, s:s, s:i}", "v",
	    CTL_VERSION, "cmd", "forward-add", "proto", argv[0],
	    "public_port", pub, "host", argv[2], "port", port));
}

static int
cmd_ofnat_forward_del(struct ctx *ctx, int argc, char **argv)
{
	int	 pub;

	if (argc != 2)
		return usage_err(ctx, "want 2 arguments, got %d", argc);
	if ((pub = port_arg(ctx, argv[1])) == -1)
		return EXIT_USAGE;
	return action(ctx, json_pack("{s:i, s:s, s:s, s:i}", "v", CTL_VERSION,
	    "cmd", "forward-del", "proto", argv[0], "public_port", pub));
}

static int
cmd_failtest(struct ctx *ctx, int argc, char **argv)
{
	return cmd_failover_test(ctx->json, argc, argv);
}

static int
cmd_conntrack(struct ctx *ctx, int argc, char **argv)
{
	json_t	*sum;
	char	 err[256];

	(void)argv;
	if (argc != 0)
		return usage_err(ctx, "takes no arguments");
	if ((sum = conntrack_summary(err, sizeof(err))) == NULL) {
		fprintf(stderr, "vrouterctl: %s\n", err);
		return 1;
	}
	if (ctx->json)
		show_json(sum);
	else
		show_conntrack(sum);
	json_decref(sum);
	return 0;
}

static int
cmd_maintenance(struct ctx *ctx, int argc, char **argv)
{
	if (argc != 1 || (strcmp(argv[0], "on") != 0 &&
	    strcmp(argv[0], "off") != 0))
		return usage_err(ctx, "want on or off");
	return ctl_maintenance(ctx->sock, ctx->json, strcmp(argv[0], "on") == 0);
}

/* Options shared by check and render. */
struct offline {
	const char	*file;
	const char	*tmpldir;
	const char	*rundir;
};

static int
offline_args(int *argc, char ***argv, struct offline *o)
{
	int	 ch;

	o->file = "/etc/vrouter/router.json";
	o->tmpldir = TEMPLATE_DIR;
	o->rundir = "/run/vrouter";
	optind = 0;
	opterr = 0;
	while ((ch = getopt(*argc + 1, *argv - 1, ":f:R:T:")) != -1) {
		switch (ch) {
		case 'f':
			o->file = optarg;
			break;
		case 'R':
			o->rundir = optarg;
			break;
		case 'T':
			o->tmpldir = optarg;
			break;
		default:
			return -1;
		}
	}
	*argc -= optind - 1;
	*argv += optind - 1;
	return 0;
}

static int
cmd_check(struct ctx *ctx, int argc, char **argv)
{
	static const char *const names[] = {
		"keepalived.conf", "conntrackd.conf", "nat.rules"
	};
	struct router_conf	 conf;
	struct offline		 o;
	json_t			*view;
	char			 err[512], *out;
	size_t			 i;

	if (offline_args(&argc, &argv, &o) == -1)
		return usage_err(ctx, "-%c: unknown option or no value", optopt);
	if (argc != 0)
		return usage_err(ctx, "unexpected argument \"%s\"", argv[0]);
	if (config_load(o.file, &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "vrouterctl: %s\n", err);
		return 1;
	}
	if ((view = config_view(&conf, o.rundir)) == NULL) {
		fprintf(stderr, "vrouterctl: -R %s: %s\n", o.rundir,
		    strerror(errno));
		return 1;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((out = render_template(o.tmpldir, names[i], view, err,
		    sizeof(err))) == NULL) {
			fprintf(stderr, "vrouterctl: %s\n", err);
			json_decref(view);
			return 1;
		}
		free(out);
	}
	json_decref(view);
	printf("%s: OK\n", o.file);
	return 0;
}

static int
cmd_render(struct ctx *ctx, int argc, char **argv)
{
	struct router_conf	 conf;
	struct offline		 o;
	json_t			*view;
	char			 err[512], *out;

	if (offline_args(&argc, &argv, &o) == -1)
		return usage_err(ctx, "-%c: unknown option or no value", optopt);
	if (argc != 1)
		return usage_err(ctx, "want one template name, got %d", argc);
	if (config_load(o.file, &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "vrouterctl: %s\n", err);
		return 1;
	}
	view = config_view(&conf, o.rundir);
	/* As on a fresh machine: the view lists every jump as missing. */
	if (view == NULL) {
		fprintf(stderr, "vrouterctl: -R %s: %s\n", o.rundir,
		    strerror(errno));
		return 1;
	}
	out = render_template(o.tmpldir, argv[0], view, err, sizeof(err));
	json_decref(view);
	if (out == NULL) {
		fprintf(stderr, "vrouterctl: %s\n", err);
		return 1;
	}
	fputs(out, stdout);
	free(out);
	return 0;
}

static int
cmd_host_status(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "status", show_host_status);
}

static int
cmd_host_vm_list(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "vm.list", show_host_vms);
}

static int
cmd_host_routes(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "routes", show_host_routes);
}

static int
cmd_host_events(struct ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return query(ctx, argc, "events", show_host_events);
}

/* Simple actions print nothing on success, or {"ok":true} with -j. */
static int
action(struct ctx *ctx, json_t *req)
{
	json_t	*reply;

	if ((reply = call(ctx, req)) == NULL)
		return 1;
	if (ctx->json)
		show_json(reply);
	json_decref(reply);
	return 0;
}

static int
cmd_host_vm_add(struct ctx *ctx, int argc, char **argv)
{
	static const char *const single[] = { "channel", "tap", "uplink" };
	json_t		*vm, *addrs, *tables;
	size_t		 k;
	int		 i, known;

	if (argc < 1)
		return usage_err(ctx, "NAME missing");
	addrs = json_array();
	tables = json_array();
	vm = json_pack("{s:s}", "name", argv[0]);
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc) {
			usage_err(ctx, "\"%s\" needs a value", argv[i]);
			goto fail;
		}
		known = 0;
		for (k = 0; k < sizeof(single) / sizeof(single[0]); k++)
			if (strcmp(argv[i], single[k]) == 0) {
				if (json_object_get(vm, single[k]) != NULL) {
					usage_err(ctx, "%s given twice",
					    single[k]);
					goto fail;
				}
				json_object_set_new(vm, single[k],
				    json_string(argv[i + 1]));
				known = 1;
			}
		if (strcmp(argv[i], "address") == 0) {
			json_array_append_new(addrs, json_string(argv[i + 1]));
			known = 1;
		} else if (strcmp(argv[i], "table") == 0) {
			json_array_append_new(tables, json_string(argv[i + 1]));
			known = 1;
		}
		if (!known) {
			usage_err(ctx, "unknown keyword \"%s\"", argv[i]);
			goto fail;
		}
	}
	json_object_set_new(vm, "addresses", addrs);
	if (json_array_size(tables) > 0)
		json_object_set_new(vm, "tables", tables);
	else
		json_decref(tables);
	return action(ctx, json_pack("{s:i, s:s, s:o}", "v", CTL_VERSION,
	    "cmd", "vm.add", "vm", vm));
fail:
	json_decref(vm);
	json_decref(addrs);
	json_decref(tables);
	return EXIT_USAGE;
}

static int
cmd_host_vm_del(struct ctx *ctx, int argc, char **argv)
{
	if (argc != 1)
		return usage_err(ctx, "want NAME alone");
	return action(ctx, json_pack("{s:i, s:s, s:s}", "v", CTL_VERSION,
	    "cmd", "vm.del", "name", argv[0]));
}

#define YIELD_TIMEOUT_MS	5000
#define YIELD_TIMEOUT_MIN	100
#define YIELD_TIMEOUT_MAX	60000

static int
cmd_host_vm_yield(struct ctx *ctx, int argc, char **argv)
{
	long	 ms = YIELD_TIMEOUT_MS;
	char	*end;

	if (argc != 1 && argc != 3)
		return usage_err(ctx, "want NAME, optionally timeout MS");
	if (argc == 3) {
		if (strcmp(argv[1], "timeout") != 0)
			return usage_err(ctx, "unknown keyword \"%s\"", argv[1]);
		ms = strtol(argv[2], &end, 10);
		if (argv[2][0] == '\0' || *end != '\0' ||
		    ms < YIELD_TIMEOUT_MIN || ms > YIELD_TIMEOUT_MAX)
			return usage_err(ctx, "timeout \"%s\": want %d..%d ms",
			    argv[2], YIELD_TIMEOUT_MIN, YIELD_TIMEOUT_MAX);
	}
	return ctl_host_vm_yield(ctx->sock, ctx->json, argv[0], ms);
}

static const struct command *
lookup(int argc, char **argv, int *used)
{
	size_t	 i, w;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		for (w = 0; w < 4 && commands[i].words[w] != NULL; w++)
			if ((int)w >= argc ||
			    strcmp(argv[w], commands[i].words[w]) != 0)
				break;
		if (w == 4 || commands[i].words[w] == NULL) {
			*used = (int)w;
			return &commands[i];
		}
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	const struct command	*cmd;
	struct ctx		 ctx;
	int			 ch, used;

	memset(&ctx, 0, sizeof(ctx));
	while ((ch = getopt_long(argc, argv, "+hjs:V", version_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			print_usage(stdout);
			return 0;
		case 'V':
			return version_print("vrouterctl");
		case 'j':
			ctx.json = 1;
			break;
		case 's':
			ctx.sock = optarg;
			break;
		default:
			print_usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	log_init(1, "vrouterctl", LOG_USER);
	if (argc == 0) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	/* Before anything else: help never reaches a daemon. */
	if ((used = help_asked(argc, argv)) != -1)
		return help(stdout, used, argv);
	if ((cmd = lookup(argc, argv, &used)) == NULL)
		return help(stderr, argc, argv);
	ctx.cmd = cmd;
	if (ctx.sock == NULL) {
		static const char *const env[] = {
			"VROUTER_SOCK", "VROUTER_HOSTD_SOCK", "VROUTER_OFNAT_SOCK"
		};
		static const char *const dflt[] = {
			VROUTERD_SOCK, HOSTD_SOCK, OFNAT_SOCK
		};

		ctx.sock = getenv(env[cmd->daemon]) ? getenv(env[cmd->daemon]) :
		    dflt[cmd->daemon];
	}
	return cmd->run(&ctx, argc - used, argv + used);
}
