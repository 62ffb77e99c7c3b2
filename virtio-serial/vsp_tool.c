/*
 * vrouter-vsp: the protocol library's own small guest-side tool.  It sends
 * a router's state over a virtio-serial port (or the lab's pty) and prints
 * the host's answer, for tests, benchmarks and an operator's first check
 * of a new channel.
 *
 *   vrouter-vsp -p PORT -r ROUTER [-w MS] ADDR=STATE ...
 *   vrouter-vsp -p PORT -r ROUTER -f [ADDR=STATE ...]   (then stdin lines)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "version.h"
#include "vsp_guest.h"

struct tool {
	struct event_base	*base;
	struct vsp_guest	*g;
	struct vsp_state_msg	 st;
	int			 follow;
	int			 acked;
	int			 all_ok;
	struct event		*ev_stdin;
	char			 line[4096];
	size_t			 linelen;
};

/* Exit statuses (vrouter-vsp(8)). */
#define VSP_TOOL_FAILED		1	/* no ack, or the port cannot be used */
#define VSP_TOOL_USAGE		2	/* a bad option or argument */
#define VSP_TOOL_REFUSED	3	/* acked, an address refused or failed */

static void
print_usage(FILE *f)
{
	fprintf(f, "usage: vrouter-vsp [-dfhVv] -p port -r router-id "
	    "[-w ms] [address=STATE ...]\n");
}

static void __attribute__((noreturn))
usage(void)
{
	print_usage(stderr);
	exit(VSP_TOOL_USAGE);
}

/* Parse "203.0.113.10=MASTER" words into st; -1 with a message. */
static int
parse_claims(struct vsp_state_msg *st, char **words, int n)
{
	struct in_addr	 in;
	char		*eq;
	int		 i;

	st->naddrs = 0;
	for (i = 0; i < n; i++) {
		if (st->naddrs >= VSP_MAX_ADDRS) {
			log_warnx("more than %d addresses", VSP_MAX_ADDRS);
			return -1;
		}
		if ((eq = strchr(words[i], '=')) == NULL) {
			log_warnx("\"%s\": expected address=STATE", words[i]);
			return -1;
		}
		*eq = '\0';
		if (inet_pton(AF_INET, words[i], &in) != 1) {
			log_warnx("\"%s\": not an IPv4 address", words[i]);
			return -1;
		}
		if (vsp_state_parse(eq + 1,
		    &st->addrs[st->naddrs].state) == -1) {
			log_warnx("\"%s\": state must be INIT, BACKUP, MASTER, "
			    "FAULT or STOP", eq + 1);
			return -1;
		}
		st->addrs[st->naddrs].addr = in.s_addr;
		st->addrs[st->naddrs].plen = 32;
		st->addrs[st->naddrs].group = 0xff;
		st->naddrs++;
	}
	return 0;
}

static void
on_ack(const struct vsp_ack_msg *ack, void *arg)
{
	struct tool	*t = arg;
	char		 buf[INET_ADDRSTRLEN];
	uint16_t	 i;

	t->all_ok = 1;
	for (i = 0; i < ack->nresults; i++) {
		const struct vsp_result_entry *r = &ack->results[i];

		printf("ack %u %s %s%s%s\n", ack->acked_seq,
		    inet_ntop(AF_INET, &r->addr, buf, sizeof(buf)),
		    vsp_result_name(r->result), r->reason ? ": " : "",
		    vsp_reason_name(r->reason));
		if (r->result == VSP_RES_REFUSED ||
		    r->result == VSP_RES_FAILED)
			t->all_ok = 0;
	}
	printf("acked %u\n", ack->acked_seq);
	fflush(stdout);
	t->acked = 1;
	if (!t->follow)
		event_base_loopbreak(t->base);
}

static void
on_stdin(evutil_socket_t fd, short what, void *arg)
{
	struct tool	*t = arg;
	char		*words[VSP_MAX_ADDRS + 1], *nl, *w;
	ssize_t		 n;
	int		 nw;

	(void)what;
	n = read(fd, t->line + t->linelen, sizeof(t->line) - 1 - t->linelen);
	if (n <= 0) {
		event_base_loopbreak(t->base);
		return;
	}
	t->linelen += (size_t)n;
	t->line[t->linelen] = '\0';
	while ((nl = strchr(t->line, '\n')) != NULL) {
		*nl = '\0';
		nw = 0;
		for (w = strtok(t->line, " \t"); w != NULL && nw <
		    VSP_MAX_ADDRS + 1; w = strtok(NULL, " \t"))
			words[nw++] = w;
		if (parse_claims(&t->st, words, nw) == 0 &&
		    vsp_guest_set_state(t->g, &t->st) == -1)
			log_warn("state not sent");
		t->linelen -= (size_t)(nl + 1 - t->line);
		memmove(t->line, nl + 1, t->linelen + 1);
	}
	if (t->linelen == sizeof(t->line) - 1) {
		log_warnx("stdin: line too long, dropped");
		t->linelen = 0;
	}
}

static void
on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct tool	*t = arg;

	(void)fd;
	(void)what;
	event_base_loopbreak(t->base);
}

int
main(int argc, char *argv[])
{
	struct tool	 t;
	struct event	*ev_deadline = NULL;
	struct timeval	 tv;
	const char	*port = NULL, *router = NULL;
	char		*end;
	long		 wait_ms = 3000;
	int		 ch, verbose = 0, rv;

	memset(&t, 0, sizeof(t));
	while ((ch = getopt_long(argc, argv, "dfhp:r:Vvw:", version_longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			print_usage(stdout);
			return 0;
		case 'V':
			return version_print("vrouter-vsp");
		case 'd':
			break;
		case 'f':
			t.follow = 1;
			break;
		case 'p':
			port = optarg;
			break;
		case 'r':
			router = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'w':
			wait_ms = strtol(optarg, &end, 10);
			if (*end != '\0' || wait_ms < 1 || wait_ms > 3600000)
				usage();
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	log_init(1, "vrouter-vsp", LOG_USER);
	log_setverbose(verbose);
	if (port == NULL || router == NULL || (!t.follow && argc == 0))
		usage();
	if (strlen(router) > VSP_NAME_LEN) {
		log_warnx("router id \"%s\": longer than %d bytes", router,
		    VSP_NAME_LEN);
		usage();
	}
	snprintf(t.st.router_id, sizeof(t.st.router_id), "%s", router);
	if (parse_claims(&t.st, argv, argc) == -1)
		usage();

	if ((t.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((t.g = vsp_guest_new(t.base, port, on_ack, &t)) == NULL)
		fatal("%s", port);
	if (argc > 0 && vsp_guest_set_state(t.g, &t.st) == -1)
		fatal("state not representable");
	if (t.follow) {
		t.ev_stdin = event_new(t.base, STDIN_FILENO,
		    EV_READ | EV_PERSIST, on_stdin, &t);
		event_add(t.ev_stdin, NULL);
	} else {
		ev_deadline = evtimer_new(t.base, on_deadline, &t);
		tv.tv_sec = wait_ms / 1000;
		tv.tv_usec = (wait_ms % 1000) * 1000;
		evtimer_add(ev_deadline, &tv);
	}
	event_base_dispatch(t.base);

	if (!t.follow && !t.acked)
		log_warnx("%s: no ack within %ld ms", port, wait_ms);
	rv = !t.acked ? VSP_TOOL_FAILED : t.all_ok ? 0 : VSP_TOOL_REFUSED;
	if (t.follow)
		rv = 0;
	if (ev_deadline != NULL)
		event_free(ev_deadline);
	if (t.ev_stdin != NULL)
		event_free(t.ev_stdin);
	vsp_guest_free(t.g);
	event_base_free(t.base);
	return rv;
}
