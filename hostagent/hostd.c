/*
 * vrouter-hostd: moves a router's public addresses to the hypervisor that
 * hosts its active VM.  See hostagent/README.md and docs/protocol.md.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "evglue.h"
#include "hostd.h"
#include "log.h"
#include "sdnotify.h"
#include "version.h"

#define DEFAULT_REGDIR	"/etc/vrouter/hostd.d"
#define DEFAULT_SOCK	"/run/vrouter/hostd.sock"
#define DEFAULT_ROSOCK	"/run/vrouter/hostd.ro.sock"
/* Bytes read from one channel per loop turn (bench/hostile.sh sizes it). */
#ifndef HOSTD_READ_BUDGET
#define HOSTD_READ_BUDGET	16384
#endif

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: vrouter-hostd [-dhVv] [-A announce-rate] "
	    "[-a garp-count] [-B state-burst]\n\t[-g grace-ms] "
	    "[-H hostname] [-P metrics-dir] [-p protocol]\n\t"
	    "[-R state-rate] [-r regdir] [-s socket] [-S ro-socket] "
	    "[-u user]\n");
}

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(2);
}

/* A number in [min, max], or errstr is set. */
static long
number(const char *s, long min, long max, const char *what,
    const char **errstr)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max) {
		static char	 msg[128];

		snprintf(msg, sizeof(msg), "%s must be %ld..%ld", what, min,
		    max);
		*errstr = msg;
	}
	return v;
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct hostd	*hd = arg;
	struct vm	*vm;
	uint64_t	 now = mono_ms();

	(void)fd;
	(void)what;
	TAILQ_FOREACH(vm, &hd->vms, entry)
		vm_log_flush(vm, now);
	evtimer_add_ms(hd->ev_tick, 1000);
}

static void
on_grace(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	routes_grace_end(arg);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct hostd	*hd = arg;

	(void)what;
	log_info("%s: stopping; routes stay for the next start to reconcile",
	    strsignal((int)sig));
	sdnotify_stopping();
	event_base_loopbreak(hd->base);
}

int
main(int argc, char *argv[])
{
	struct hostd		 hd;
	struct ctl_server	*ctl, *ctl_ro = NULL;
	struct event		*ev_term, *ev_int;
	struct timespec		 ts;
	const char		*sock = DEFAULT_SOCK, *rosock = DEFAULT_ROSOCK;
	const char		*errstr = NULL, *promdir = NULL;
	char			 self[PATH_MAX];
	ssize_t			 n;
	long			 proto = KR_PROTO_VROUTER;
	int			 ch;

	/* The channel engine is this binary too (privsep.c starts it). */
	if (argc > 1 && strcmp(argv[1], "-E") == 0)
		return engine_main(argc, argv);

	memset(&hd, 0, sizeof(hd));
	TAILQ_INIT(&hd.vms);
	hd.regdir = DEFAULT_REGDIR;
	hd.grace_ms = 10000;
	hd.garp_count = 2;
	hd.garp_rate = 2;
	hd.garp_burst = 4;
	hd.engine_cfg.state_rate = 20;
	hd.engine_cfg.state_burst = 10;
	hd.engine_cfg.read_budget = HOSTD_READ_BUDGET;
	gethostname(hd.hostname, sizeof(hd.hostname) - 1);

	while ((ch = getopt_long(argc, argv, "A:a:B:dg:H:hP:p:R:r:s:S:u:Vv",
	    version_longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			print_usage(stdout);
			return 0;
		case 'V':
			return version_print("vrouter-hostd");
		case 'A':
			hd.garp_rate = (uint32_t)number(optarg, 1, 1000,
			    "-A: announcements per second", &errstr);
			break;
		case 'a':
			hd.garp_count = (int)number(optarg, 0, 10,
			    "-a: garp count", &errstr);
			break;
		case 'B':
			hd.engine_cfg.state_burst = (uint32_t)number(optarg, 1,
			    10000, "-B: state burst", &errstr);
			break;
		case 'd':
			hd.foreground = 1;
			break;
		case 'g':
			hd.grace_ms = (int)number(optarg, 0, 3600000,
			    "-g: grace (ms)", &errstr);
			break;
		case 'H':
			snprintf(hd.hostname, sizeof(hd.hostname), "%s", optarg);
			break;
		case 'P':
			promdir = optarg;
			break;
		case 'p':
			proto = number(optarg, 5, 255, "-p: route protocol",
			    &errstr);
			break;
		case 'R':
			hd.engine_cfg.state_rate = (uint32_t)number(optarg, 1,
			    100000, "-R: states per second", &errstr);
			break;
		case 'r':
			hd.regdir = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'S':
			rosock = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 'u':
			hd.engine_user = optarg;
			break;
		case 'v':
			hd.verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(1, "vrouter-hostd", LOG_DAEMON);
	log_setverbose(hd.verbose);
	if (errstr != NULL) {
		log_warnx("%s", errstr);
		usage();
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) == -1)
		fatal("/proc/self/exe");
	self[n] = '\0';
	hd.self_path = self;

	clock_gettime(CLOCK_REALTIME, &ts);
	hd.epoch = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	hd.proto = (uint8_t)proto;
	snprintf(hd.engine_cfg.host, sizeof(hd.engine_cfg.host), "%s",
	    hd.hostname);
	hd.engine_cfg.epoch = hd.epoch;
	hd.engine_cfg.verbose = (uint8_t)hd.verbose;
	/* Another hostd on these sockets: refuse before touching a route. */
	if (ctl_server_check(sock) == -1)
		fatal("control socket %s", sock);
	if ((hd.kr = kr_open(hd.proto)) == NULL)
		fatal("route socket");
	if ((hd.krmon = kr_monitor_open()) == NULL)
		fatal("route monitor socket");
	if ((hd.km = km_new()) == NULL)
		fatal("route mirror");
	if ((hd.garp_fd = garp_open()) == -1)
		fatal("packet socket for gratuitous ARP");
	hostd_load_registrations(&hd);
	if (routes_reconcile_start(&hd) == -1)
		fatal("dumping routes");

	if (!hd.foreground) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, "vrouter-hostd", LOG_DAEMON);
	}
	signal(SIGPIPE, SIG_IGN);
	if ((hd.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((ctl = control_init(&hd, sock, 0)) == NULL)
		fatal("control socket %s", sock);
	if (rosock != NULL && (ctl_ro = control_init(&hd, rosock, 1)) == NULL)
		fatal("control socket %s", rosock);
	ev_term = evsignal_new(hd.base, SIGTERM, on_signal, &hd);
	ev_int = evsignal_new(hd.base, SIGINT, on_signal, &hd);
	hd.ev_grace = evtimer_new(hd.base, on_grace, &hd);
	hd.ev_tick = evtimer_new(hd.base, on_tick, &hd);
	if (ev_term == NULL || ev_int == NULL || hd.ev_grace == NULL ||
	    hd.ev_tick == NULL)
		fatalx("out of memory for events");
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	evtimer_add_ms(hd.ev_grace, (unsigned int)hd.grace_ms);
	evtimer_add_ms(hd.ev_tick, 1000);
	if (routes_monitor_start(&hd) == -1)
		fatal("route and link monitors");
	if (privsep_start(&hd) == -1)
		fatal("starting the channel engine");
	chan_engine_back(&hd);
	if (hostd_metrics_init(&hd, promdir) == -1)
		fatal("metrics");
	log_info("started: %s, protocol %ld, grace %d ms, %u states/s per VM "
	    "(burst %u)", hd.hostname, proto, hd.grace_ms,
	    hd.engine_cfg.state_rate, hd.engine_cfg.state_burst);
	/* Control sockets, the kernel's routes adopted, the engine running. */
	if (sdnotify_init(hd.base) == -1)
		fatalx("out of memory for events");
	sdnotify_ready("%s: routes reconciled, channel engine pid %d",
	    hd.hostname, (int)hd.engine_pid);

	event_base_dispatch(hd.base);

	hostd_metrics_free(&hd);
	hostd_vms_free(&hd);
	privsep_stop(&hd);
	ctl_server_free(ctl);
	ctl_server_free(ctl_ro);
	event_free(ev_term);
	event_free(ev_int);
	event_free(hd.ev_grace);
	event_free(hd.ev_tick);
	sdnotify_free();
	event_free(hd.ev_krmon);
	event_free(hd.ev_audit);
	linkmon_stop(&hd);
	event_base_free(hd.base);
	kr_monitor_close(hd.krmon);
	kr_close(hd.kr);
	km_free(hd.km);
	close(hd.garp_fd);
	return 0;
}
