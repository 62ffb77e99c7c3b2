/*
 * vrouter-ofnat: an OpenFlow 1.3 NAT router controller for an Open
 * vSwitch bridge, driven by the same router description as vrouterd.
 * See docs/ofnat.md.
 *
 * usage: vrouter-ofnat [-dhVv] [-f router.json] [-l addr:port] [-s ctlsock]
 *            [-F eif|adf] [-P metrics-dir] [-p lo-hi]
 *            [-t tcp=S,trans=S,udp=S,icmp=S]
 *        vrouter-ofnat [-s ctlsock] -c '{"cmd":"show"}'
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "ctl.h"
#include "evglue.h"
#include "log.h"
#include "ofnat.h"
#include "sdnotify.h"
#include "version.h"

#define DEFAULT_CONF	"/etc/vrouter/router.json"
#define DEFAULT_LISTEN	"127.0.0.1:6653"
#define DEFAULT_SOCK	"/run/vrouter/ofnat.sock"

static struct ofnat	 ofnat;
static int		 clock_held;
static uint64_t		 clock_ms;

uint64_t
ofnat_now_ms(void)
{
	struct timespec	 ts;

	if (clock_held)
		return clock_ms;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
ofnat_clock_hold(void)
{
	clock_held = 0;
	clock_ms = ofnat_now_ms();
	clock_held = 1;
}

void
ofnat_clock_release(void)
{
	clock_held = 0;
}

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: vrouter-ofnat [-dhVv] [-f router.json] "
	    "[-l addr:port] [-s ctlsock]\n"
	    "           [-F eif|adf] [-P metrics-dir] [-p lo-hi]\n"
	    "           [-t tcp=S,trans=S,udp=S,icmp=S]\n"
	    "       vrouter-ofnat [-s ctlsock] -c JSON-REQUEST\n");
}

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(2);
}

/* A bad option value: what is wrong with it, then the usage. */
static void __attribute__((noreturn, format(printf, 1, 2)))
usage_err(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("vrouter-ofnat: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	usage();
}

/* "tcp=7440,udp=300": 0, or -1 with a message. */
static int
parse_timeouts(char *s, struct nat_timeouts *to, char *err, size_t errlen)
{
	char		*tok, *eq, *end;
	unsigned long	 v;

	for (tok = strtok(s, ","); tok != NULL; tok = strtok(NULL, ",")) {
		if ((eq = strchr(tok, '=')) == NULL)
			goto bad;
		*eq++ = '\0';
		errno = 0;
		v = strtoul(eq, &end, 10);
		if (errno != 0 || *end != '\0' || v < 1 || v > 65535)
			goto bad;
		if (strcmp(tok, "tcp") == 0)
			to->tcp_est = (unsigned int)v;
		else if (strcmp(tok, "trans") == 0)
			to->tcp_trans = (unsigned int)v;
		else if (strcmp(tok, "udp") == 0)
			to->udp = (unsigned int)v;
		else if (strcmp(tok, "icmp") == 0)
			to->icmp = (unsigned int)v;
		else
			goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "-t: want tcp=S,trans=S,udp=S,icmp=S with "
	    "1..65535 seconds");
	return -1;
}

static int
client(const char *sock, const char *req)
{
	json_t		*j, *r;
	json_error_t	 je;
	char		 err[256], *out;
	int		 ok;

	if ((j = json_loads(req, 0, &je)) == NULL || !json_is_object(j)) {
		fprintf(stderr, "vrouter-ofnat: -c: not a JSON object: %s\n",
		    je.text);
		return 2;
	}
	if (json_object_get(j, "v") == NULL)
		json_object_set_new(j, "v", json_integer(CTL_VERSION));
	r = ctl_call(sock, j, 5000, err, sizeof(err));
	json_decref(j);
	if (r == NULL) {
		fprintf(stderr, "vrouter-ofnat: %s: %s\n", sock, err);
		return 1;
	}
	out = json_dumps(r, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (out != NULL)
		puts(out);
	free(out);
	ok = json_is_true(json_object_get(r, "ok"));
	json_decref(r);
	return ok ? 0 : 1;
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	if (sig == SIGHUP) {
		log_warnx("SIGHUP: reload is not supported; change networks "
		    "and forwards on the control socket");
		return;
	}
	log_info("signal %d: exiting", (int)sig);
	sdnotify_stopping();
	event_base_loopexit(arg, NULL);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	pipeline_tick(arg);
}

int
main(int argc, char *argv[])
{
	struct ofnat		*o = &ofnat;
	struct nat_config	 nc;
	struct ctl_server	*ctl;
	struct event		*sigs[3];
	struct timeval		 tv = { 1, 0 };
	const char		*conf = DEFAULT_CONF, *sock = DEFAULT_SOCK;
	const char		*req = NULL, *promdir = NULL;
	char			 listen_s[64] = DEFAULT_LISTEN, err[512];
	char			*colon, *end, *tos = NULL;
	unsigned long		 lport, lo = 1024, hi = 65535;
	int			 ch, debug = 0, verbose = 0, i;

	memset(&nc, 0, sizeof(nc));
	nc.filter = NAT_FILTER_EIF;
	nc.to.tcp_est = NAT_TCP_EST_DEFAULT;
	nc.to.tcp_trans = NAT_TCP_TRANS_DEFAULT;
	nc.to.udp = NAT_UDP_DEFAULT;
	nc.to.icmp = NAT_ICMP_DEFAULT;

	while ((ch = getopt_long(argc, argv, "c:dF:f:hl:P:p:s:t:Vv",
	    version_longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			print_usage(stdout);
			return 0;
		case 'V':
			return version_print("vrouter-ofnat");
		case 'c':
			req = optarg;
			break;
		case 'd':
			debug = 1;
			break;
		case 'F':
			if (strcmp(optarg, "eif") == 0)
				nc.filter = NAT_FILTER_EIF;
			else if (strcmp(optarg, "adf") == 0)
				nc.filter = NAT_FILTER_ADF;
			else
				usage();
			break;
		case 'f':
			conf = optarg;
			break;
		case 'l':
			snprintf(listen_s, sizeof(listen_s), "%s", optarg);
			break;
		case 'P':
			promdir = optarg;
			break;
		case 'p':
			lo = strtoul(optarg, &end, 10);
			if (*end != '-')
				usage();
			hi = strtoul(end + 1, &end, 10);
			if (*end != '\0' || lo < 1 || hi > 65535 || lo > hi)
				usage();
			break;
		case 's':
			sock = optarg;
			break;
		case 't':
			tos = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (req != NULL)
		return client(sock, req);

	log_init(debug, "vrouter-ofnat", LOG_DAEMON);
	log_setverbose(verbose);
	if (tos != NULL && parse_timeouts(tos, &nc.to, err, sizeof(err)) ==
	    -1)
		usage_err("%s", err);
	nc.port_lo = (uint16_t)lo;
	nc.port_hi = (uint16_t)hi;

	if (config_load(conf, &o->conf, err, sizeof(err)) == -1)
		fatalx("%s", err);
	nc.pub = o->conf.vip.s_addr;
	if ((o->nat = nat_new(&nc)) == NULL)
		fatal("nat_new");

	if ((colon = strrchr(listen_s, ':')) == NULL)
		usage_err("-l %s: want addr:port", listen_s);
	*colon = '\0';
	lport = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || lport < 1 || lport > 65535)
		usage_err("-l: bad port %s", colon + 1);

	signal(SIGPIPE, SIG_IGN);
	if ((o->base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	pipeline_init(o);
	if (ofconn_listen(o, listen_s, (uint16_t)lport) == -1)
		fatal("listen %s:%lu", listen_s, lport);
	if ((ctl = control_init(o, sock)) == NULL)
		fatal("control socket %s", sock);
	if (ofnat_metrics_init(o, promdir) == -1)
		fatal("metrics");
	sigs[0] = evsignal_new(o->base, SIGTERM, on_signal, o->base);
	sigs[1] = evsignal_new(o->base, SIGINT, on_signal, o->base);
	sigs[2] = evsignal_new(o->base, SIGHUP, on_signal, o->base);
	for (i = 0; i < 3; i++)
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) == -1)
			fatalx("signal events failed");
	o->tick = event_new(o->base, -1, EV_PERSIST, on_tick, o);
	if (o->tick == NULL || event_add(o->tick, &tv) == -1)
		fatalx("timer failed");
	log_info("listening on %s:%lu for the switch; control %s; "
	    "router %s, public %s", listen_s, lport, sock,
	    o->conf.router_id, o->conf.pub_if);
	if (sdnotify_init(o->base) == -1)
		fatalx("out of memory for events");
	sdnotify_ready("listening on %s:%lu for the switch; control %s",
	    listen_s, lport, sock);

	event_base_dispatch(o->base);

	ofconn_shutdown(o);
	ofnat_metrics_free();
	ctl_server_free(ctl);
	for (i = 0; i < 3; i++)
		event_free(sigs[i]);
	event_free(o->tick);
	sdnotify_free();
	pipeline_free(o);
	nat_free(o->nat);
	event_base_free(o->base);
	return 0;
}
