/*
 * vrouter-hostd: moves a router's public addresses to the hypervisor that
 * hosts its active VM.  See hostagent/README.md and docs/protocol.md.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "hostd.h"
#include "log.h"

#define DEFAULT_REGDIR	"/etc/vrouter/hostd.d"
#define DEFAULT_SOCK	"/run/vrouter/hostd.sock"
#define DEFAULT_ROSOCK	"/run/vrouter/hostd.ro.sock"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: vrouter-hostd [-dv] [-a garp-count] "
	    "[-g grace-ms] [-H hostname]\n\t[-p protocol] [-r regdir] "
	    "[-s socket] [-S ro-socket]\n");
	exit(1);
}

void
hostd_event(struct hostd *hd, struct vm *vm, uint32_t addr, uint8_t state,
    uint8_t result, uint8_t reason)
{
	struct hostd_event	*e = &hd->events[hd->nevents++ % EVENT_RING];

	clock_gettime(CLOCK_REALTIME, &e->when);
	snprintf(e->vm, sizeof(e->vm), "%s", vm != NULL ? vm->reg.name : "");
	e->addr = addr;
	e->state = state;
	e->result = result;
	e->reason = reason;
}

struct vm *
hostd_vm_find(struct hostd *hd, const char *name)
{
	struct vm	*vm;

	TAILQ_FOREACH(vm, &hd->vms, entry)
		if (strcmp(vm->reg.name, name) == 0)
			return vm;
	return NULL;
}

static void
claims_reset(struct vm *vm)
{
	size_t	 i;

	for (i = 0; i < REG_MAX_ADDRS; i++) {
		vm->claims[i].state = VSP_ST_INIT;
		vm->claims[i].result = VSP_RES_WITHDRAWN;
		vm->claims[i].reason = VSP_WHY_NONE;
	}
}

/* A new VM from a registration, queued on hd->vms; NULL if no memory. */
static struct vm *
vm_new(struct hostd *hd, const struct vm_reg *reg)
{
	struct vm	*vm;

	if ((vm = calloc(1, sizeof(*vm))) == NULL)
		return NULL;
	vm->hd = hd;
	vm->fd = -1;
	vm->reg = *reg;
	claims_reset(vm);
	TAILQ_INSERT_TAIL(&hd->vms, vm, entry);
	return vm;
}

static void
vm_free(struct vm *vm)
{
	vmchan_stop(vm);
	free(vm);
}

/* Register (or re-register) a VM at run time; persisted in regdir. */
int
hostd_vm_add(struct hostd *hd, const struct vm_reg *reg, char *err,
    size_t errlen)
{
	struct vm	*vm = hostd_vm_find(hd, reg->name);
	int		 new_channel;

	if (vm != NULL && memcmp(&vm->reg, reg, sizeof(*reg)) == 0)
		return 0;	/* the same again: Ganeti re-runs hooks */
	if (hd->regdir != NULL && reg_save(hd->regdir, reg, err,
	    errlen) == -1)
		return -1;
	if (vm == NULL) {
		if ((vm = vm_new(hd, reg)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		log_info("vm %s: registered", reg->name);
		if (vmchan_start(vm) == -1) {
			snprintf(err, errlen, "out of memory for events");
			TAILQ_REMOVE(&hd->vms, vm, entry);
			vm_free(vm);
			return -1;
		}
		return 0;
	}
	/*
	 * Changed registration: what it no longer allows must go now; the
	 * guest's next state (it resends on our HELLO) installs the rest.
	 */
	log_info("vm %s: registration changed", reg->name);
	routes_withdraw_vm(vm, "registration changed");
	new_channel = strcmp(vm->reg.channel, reg->channel) != 0;
	vm->reg = *reg;
	claims_reset(vm);
	if (new_channel) {
		vmchan_stop(vm);
		if (vmchan_start(vm) == -1)
			log_warnx("vm %s: out of memory for events", reg->name);
	} else if (vm->connected) {
		vm->have_state = 0;	/* apply the next resend in full */
	}
	return 0;
}

int
hostd_vm_del(struct hostd *hd, const char *name, char *err, size_t errlen)
{
	struct vm	*vm = hostd_vm_find(hd, name);

	if (vm == NULL) {
		snprintf(err, errlen, "vm %s: not registered", name);
		return -1;
	}
	if (hd->regdir != NULL && reg_remove(hd->regdir, name) == -1) {
		snprintf(err, errlen, "%s/%s.json: %s", hd->regdir, name,
		    strerror(errno));
		return -1;
	}
	routes_withdraw_vm(vm, "unregistered");
	routes_forget_vm(hd, vm);
	TAILQ_REMOVE(&hd->vms, vm, entry);
	vm_free(vm);
	log_info("vm %s: unregistered", name);
	return 0;
}

/* Load every NAME.json in regdir; a bad file is reported and skipped. */
static void
load_registrations(struct hostd *hd)
{
	DIR		*d;
	struct dirent	*de;
	struct vm_reg	 reg;
	char		 path[512], err[512];
	size_t		 len;

	if ((d = opendir(hd->regdir)) == NULL) {
		if (errno != ENOENT)
			log_warn("%s", hd->regdir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".json") != 0 ||
		    de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", hd->regdir, de->d_name);
		if (reg_load_file(path, &reg, err, sizeof(err)) == -1) {
			log_warnx("%s (skipped)", err);
			continue;
		}
		if (strlen(reg.name) != len - 5 ||
		    strncmp(reg.name, de->d_name, len - 5) != 0) {
			log_warnx("%s: name \"%s\" does not match the file "
			    "name (skipped)", path, reg.name);
			continue;
		}
		if (vm_new(hd, &reg) == NULL)
			fatal("calloc");
	}
	closedir(d);
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
	event_base_loopbreak(hd->base);
}

int
main(int argc, char *argv[])
{
	struct hostd		 hd;
	struct ctl_server	*ctl, *ctl_ro = NULL;
	struct event		*ev_term, *ev_int;
	struct timespec		 ts;
	struct timeval		 tv;
	struct vm		*vm;
	const char		*sock = DEFAULT_SOCK, *rosock = DEFAULT_ROSOCK;
	const char		*errstr = NULL;
	char			*end;
	long			 proto = KR_PROTO_VROUTER;
	int			 ch, foreground = 0, verbose = 0;

	memset(&hd, 0, sizeof(hd));
	TAILQ_INIT(&hd.vms);
	hd.regdir = DEFAULT_REGDIR;
	hd.grace_ms = 10000;
	hd.garp_count = 2;
	gethostname(hd.hostname, sizeof(hd.hostname) - 1);

	while ((ch = getopt(argc, argv, "a:dg:H:p:r:s:S:v")) != -1) {
		switch (ch) {
		case 'a':
			hd.garp_count = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || hd.garp_count < 0 ||
			    hd.garp_count > 10)
				errstr = "-a: garp count must be 0..10";
			break;
		case 'd':
			foreground = 1;
			break;
		case 'g':
			hd.grace_ms = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || hd.grace_ms < 0 ||
			    hd.grace_ms > 3600000)
				errstr = "-g: grace must be 0..3600000 ms";
			break;
		case 'H':
			snprintf(hd.hostname, sizeof(hd.hostname), "%s", optarg);
			break;
		case 'p':
			proto = strtol(optarg, &end, 10);
			if (*end != '\0' || proto < 5 || proto > 255)
				errstr = "-p: route protocol must be 5..255";
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
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(1, "vrouter-hostd", LOG_DAEMON);
	log_setverbose(verbose);
	if (errstr != NULL)
		fatalx("%s", errstr);

	clock_gettime(CLOCK_REALTIME, &ts);
	hd.epoch = (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
	if ((hd.kr = kr_open((uint8_t)proto)) == NULL)
		fatal("route socket");
	if ((hd.garp_fd = garp_open()) == -1)
		fatal("packet socket for gratuitous ARP");
	load_registrations(&hd);
	if (routes_reconcile_start(&hd) == -1)
		fatal("dumping routes");

	if (!foreground) {
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
	if (ev_term == NULL || ev_int == NULL)
		fatalx("evsignal_new failed");
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	hd.ev_grace = evtimer_new(hd.base, on_grace, &hd);
	tv.tv_sec = hd.grace_ms / 1000;
	tv.tv_usec = (hd.grace_ms % 1000) * 1000;
	evtimer_add(hd.ev_grace, &tv);

	TAILQ_FOREACH(vm, &hd.vms, entry)
		if (vmchan_start(vm) == -1)
			fatalx("vm %s: out of memory for events", vm->reg.name);
	log_info("started: %s, protocol %ld, grace %d ms", hd.hostname, proto,
	    hd.grace_ms);

	event_base_dispatch(hd.base);

	while ((vm = TAILQ_FIRST(&hd.vms)) != NULL) {
		TAILQ_REMOVE(&hd.vms, vm, entry);
		vm_free(vm);
	}
	ctl_server_free(ctl);
	ctl_server_free(ctl_ro);
	event_free(ev_term);
	event_free(ev_int);
	event_free(hd.ev_grace);
	event_base_free(hd.base);
	kr_close(hd.kr);
	close(hd.garp_fd);
	free(hd.routes);
	return 0;
}
