/*
 * vrouter-notify: the keepalived notify hook, for keepalived configs
 * written by hand (vrouterd's own config reads notify_fifo instead, which
 * keeps keepalived's order; see vrouter-notify(8)).
 *
 *   vrouter-notify [-v] [-s socket] [-w ms] TYPE NAME STATE PRIORITY
 *   vrouter-notify [-v] [-s socket] --port path --router id
 *       --address addr [--address addr ...] [-w ms] TYPE NAME STATE PRIORITY
 *
 * Every argument is checked before anything is sent.  Then: with --port
 * and no -s, straight to the port; otherwise to vrouterd's control socket,
 * falling back to the port (if given) when vrouterd is not running.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "notify.h"
#include "version.h"

#define DEFAULT_SOCK	"/run/vrouter/vrouterd.sock"

static const struct option longopts[] = {
	{ "address",	required_argument,	NULL,	'a' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ "port",	required_argument,	NULL,	'p' },
	{ "router",	required_argument,	NULL,	'r' },
	{ "socket",	required_argument,	NULL,	's' },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ "wait",	required_argument,	NULL,	'w' },
	{ NULL,		0,			NULL,	0 }
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: vrouter-notify [-hVv] [-s socket] [-w ms] "
	    "TYPE NAME STATE PRIORITY\n"
	    "       vrouter-notify [-v] [-s socket] --port path --router id\n"
	    "           --address addr [--address addr ...] [-w ms] "
	    "TYPE NAME STATE PRIORITY\n"
	    "TYPE: INSTANCE or GROUP; STATE: MASTER, BACKUP, FAULT, STOP, "
	    "DELETED or\nMASTER_RX_LOWER_PRI; PRIORITY: 0 to 255\n");
}

static void __attribute__((noreturn))
bad(const char *msg)
{
	log_warnx("%s", msg);
	usage(stderr);
	exit(NOTIFY_USAGE);
}

/* An option that takes one value may be given once. */
static void
once(const char **slot, const char *opt, const char *val)
{
	char	 err[128];

	if (*slot != NULL) {
		snprintf(err, sizeof(err), "%s given twice", opt);
		bad(err);
	}
	*slot = val;
}

/*
 * The option getopt stopped at, as the user wrote it.  A missing value
 * always ends its word, so that word is argv[optind - 1]; an unknown short
 * option may sit inside a cluster ("-vx"), so it is named by optopt.
 */
static const char *
optname(char **argv, int missing, char *buf, size_t len)
{
	if (!missing && optopt != 0) {
		snprintf(buf, len, "-%c", optopt);
		return buf;
	}
	return argv[optind - 1];
}

int
main(int argc, char *argv[])
{
	struct notify_event	 ev;
	struct notify_port	 port;
	const char		*sock = NULL, *router = NULL, *waitarg = NULL;
	char			 err[256], b[64], o[8];
	int			 ch, verbose = 0, wait_ms = NOTIFY_WAIT_MS;

	log_init(1, "vrouter-notify", LOG_DAEMON);
	/* A daemon that hangs up mid-request is an exit code, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	memset(&port, 0, sizeof(port));
	opterr = 0;
	/* "+": stop at TYPE, so a NAME that starts with '-' stays a NAME. */
	while ((ch = getopt_long(argc, argv, "+:a:hp:r:s:Vvw:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			if (notify_parse_address(&port, optarg, err,
			    sizeof(err)) == -1)
				bad(err);
			break;
		case 'h':
			usage(stdout);
			return NOTIFY_OK;
		case 'V':
			return version_print("vrouter-notify");
		case 'p':
			once(&port.path, "--port", optarg);
			if (*optarg == '\0')
				bad("--port \"\": empty path");
			break;
		case 'r':
			once(&router, "--router", optarg);
			if (notify_parse_name("--router", optarg,
			    port.router_id, err, sizeof(err)) == -1)
				bad(err);
			break;
		case 's':
			once(&sock, "-s", optarg);
			if (*optarg == '\0')
				bad("-s \"\": empty path");
			break;
		case 'v':
			verbose++;
			break;
		case 'w':
			once(&waitarg, "-w", optarg);
			if (notify_parse_wait(optarg, &wait_ms, err,
			    sizeof(err)) == -1)
				bad(err);
			break;
		case ':':
			snprintf(err, sizeof(err), "%s: needs a value",
			    notify_shown(optname(argv, 1, o, sizeof(o)),
			    b, sizeof(b)));
			bad(err);
		default:
			snprintf(err, sizeof(err), "%s: unknown option",
			    notify_shown(optname(argv, 0, o, sizeof(o)),
			    b, sizeof(b)));
			bad(err);
		}
	}
	log_setverbose(verbose);
	if (notify_parse_event(&ev, argc - optind, argv + optind, err,
	    sizeof(err)) == -1)
		bad(err);
	if (port.path == NULL && (router != NULL || port.naddrs > 0))
		bad("--router and --address need --port");
	if (port.path != NULL && router == NULL)
		bad("--port needs --router");
	if (port.path != NULL && port.naddrs == 0)
		bad("--port needs at least one --address");

	if (port.path != NULL && sock == NULL)
		return notify_direct(&port, &ev, wait_ms);
	if (sock == NULL)
		sock = DEFAULT_SOCK;
	switch (notify_probe(sock)) {
	case 0:
		return notify_forward(sock, &ev, wait_ms);
	case 1:
		if (port.path != NULL) {
			log_info("%s: vrouterd is not running: sending to %s",
			    sock, port.path);
			return notify_direct(&port, &ev, wait_ms);
		}
		log_warnx("%s: vrouterd is not running, and no --port given",
		    sock);
		return NOTIFY_UNREACHABLE;
	default:
		return NOTIFY_UNREACHABLE;
	}
}
