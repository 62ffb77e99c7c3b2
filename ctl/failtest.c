/*
 * vrouterctl failover-test: the operator's chaos tool.  Run it where the
 * router's clients are (in the lab: the client's namespace) with the
 * control sockets of both router nodes.  Each run injects a fault into
 * the current master (or asks it to step down), probes a server behind
 * the public side every few ms, watches both nodes' status, and prints a
 * timeline: when the old master left, when the new one took over, when
 * its host route was installed, the longest gap the probes saw, and how
 * many held TCP connections survived.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "vrouterctl.h"

#define MAX_NODES	4
#define MAX_CONNS	64
#define RUN_LIMIT_MS	15000
#define SETTLE_MS	10000

struct node {
	const char	*sock;
	char		 name[64];
	char		 state[16];
	char		 host_result[16];
};

struct run {
	long		 left_ms, master_ms, host_ms, resumed_ms;
	long		 gap_ms;
	int		 sent, received, kept, conns;
	int		 old, new;
	int		 converged;
};

static int
node_poll(struct node *n)
{
	json_t		*req, *reply, *host, *vip;
	char		 err[256];
	const char	*s;

	req = json_pack("{s:i, s:s}", "v", CTL_VERSION, "cmd", "status");
	reply = ctl_call(n->sock, req, 1000, err, sizeof(err));
	json_decref(req);
	if (reply == NULL) {
		strcpy(n->state, "DOWN");	/* vrouterd not answering */
		return -1;
	}
	s = json_string_value(json_object_get(reply, "state"));
	snprintf(n->state, sizeof(n->state), "%s", s ? s : "?");
	s = json_string_value(json_object_get(reply, "node"));
	if (s != NULL)
		snprintf(n->name, sizeof(n->name), "%s", s);
	host = json_object_get(reply, "host");
	vip = json_object_get(host, "vip");
	s = json_is_true(json_object_get(host, "acked")) ?
	    json_string_value(json_object_get(vip, "result")) : NULL;
	snprintf(n->host_result, sizeof(n->host_result), "%s", s ? s : "-");
	json_decref(reply);
	return 0;
}

static int
node_cmd(struct node *n, json_t *req)
{
	json_t	*reply;
	char	 err[256];
	int	 ok;

	reply = ctl_call(n->sock, req, 3000, err, sizeof(err));
	json_decref(req);
	if (reply == NULL) {
		fprintf(stderr, "vrouterctl: %s\n", err);
		return -1;
	}
	ok = json_is_true(json_object_get(reply, "ok"));
	if (!ok)
		fprintf(stderr, "vrouterctl: %s: %s\n", n->name,
		    json_string_value(json_object_get(reply, "error")));
	json_decref(reply);
	return ok ? 0 : -1;
}

/*
 * for_ms: the daemon undoes a link-down by itself after that long, so an
 * interrupted test leaves nothing broken.
 */
static int
inject(struct node *n, const char *fault, int for_ms)
{
	json_t	*req = json_pack("{s:i, s:s, s:s}", "v", CTL_VERSION, "cmd",
	    "inject", "fault", fault);

	if (req != NULL && for_ms > 0)
		json_object_set_new(req, "for_ms", json_integer(for_ms));
	return node_cmd(n, req);
}

static uint16_t
icmp_sum(const void *data, size_t len)
{
	const uint8_t	*p = data;
	uint32_t	 sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int
probe_send(int fd, const struct sockaddr_in *dst, uint16_t id, uint16_t seq)
{
	struct icmphdr	 h;

	memset(&h, 0, sizeof(h));
	h.type = ICMP_ECHO;
	h.un.echo.id = htons(id);
	h.un.echo.sequence = htons(seq);
	h.checksum = icmp_sum(&h, sizeof(h));
	return sendto(fd, &h, sizeof(h), 0, (const struct sockaddr *)dst,
	    sizeof(*dst)) == (ssize_t)sizeof(h) ? 0 : -1;
}

/* 1 for each echo reply of ours read from the raw socket. */
static int
probe_recv(int fd, uint16_t id)
{
	uint8_t		 buf[256];
	struct ip	*ip = (struct ip *)buf;
	struct icmphdr	*h;
	ssize_t		 n;
	int		 got = 0;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if ((size_t)n < sizeof(*ip) ||
		    (size_t)n < (size_t)ip->ip_hl * 4 + sizeof(*h))
			continue;
		h = (struct icmphdr *)(buf + ip->ip_hl * 4);
		if (h->type == ICMP_ECHOREPLY && ntohs(h->un.echo.id) == id)
			got++;
	}
	return got;
}

/* Open n TCP connections and check each echoes a line back. */
static int
conns_open(const struct sockaddr_in *sa, int *fds, int n)
{
	int	 i, ok = 0;

	for (i = 0; i < n; i++) {
		struct timeval	 tv = { 2, 0 };

		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (fds[i] == -1 || connect(fds[i], (const struct sockaddr *)sa,
		    sizeof(*sa)) == -1) {
			if (fds[i] != -1)
				close(fds[i]);
			fds[i] = -1;
		} else
			ok++;
	}
	return ok;
}

static int
conns_check(int *fds, int n)
{
	char	 buf[16];
	int	 i, kept = 0;

	for (i = 0; i < n; i++) {
		if (fds[i] == -1)
			continue;
		if (write(fds[i], "vrouter\n", 8) == 8 &&
		    read(fds[i], buf, sizeof(buf)) == 8 &&
		    memcmp(buf, "vrouter\n", 8) == 0)
			kept++;
	}
	return kept;
}

static void
conns_close(int *fds, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (fds[i] != -1)
			close(fds[i]);
}

static int
find_master(struct node *nodes, int n)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (node_poll(&nodes[i]) == 0 &&
		    strcmp(nodes[i].state, "MASTER") == 0)
			return i;
	return -1;
}

static int
one_run(struct node *nodes, int nnodes, const char *kind, int fd,
    const struct sockaddr_in *probe, int interval, const struct sockaddr_in *tcp,
    int nconns, struct run *r)
{
	int		 fds[MAX_CONNS];
	long		 t0, now, next_probe, next_poll, last_reply, stable_since;
	uint16_t	 id = (uint16_t)getpid(), seq = 0;
	int		 i, got;

	memset(r, 0, sizeof(*r));
	r->left_ms = r->master_ms = r->host_ms = r->resumed_ms = -1;
	r->new = -1;
	if ((r->old = find_master(nodes, nnodes)) == -1) {
		fprintf(stderr, "vrouterctl: no node is MASTER\n");
		return -1;
	}
	r->conns = tcp != NULL ? conns_open(tcp, fds, nconns) : 0;
	if (tcp != NULL && conns_check(fds, nconns) != r->conns)
		fprintf(stderr, "vrouterctl: some held connections do not "
		    "echo before the fault\n");

	t0 = ctl_now_ms();
	if (strcmp(kind, "kill") == 0)
		i = inject(&nodes[r->old], "kill-keepalived", 0);
	else if (strcmp(kind, "link") == 0)
		i = inject(&nodes[r->old], "link-down", RUN_LIMIT_MS + 1000);
	else
		i = node_cmd(&nodes[r->old], json_pack("{s:i, s:s}", "v",
		    CTL_VERSION, "cmd", "failover"));
	if (i == -1) {
		conns_close(fds, r->conns ? nconns : 0);
		return -1;
	}
	last_reply = t0;
	stable_since = -1;
	next_probe = next_poll = t0;
	for (;;) {
		now = ctl_now_ms();
		if (now >= next_probe) {
			if (probe_send(fd, probe, id, seq++) == 0)
				r->sent++;
			next_probe += interval;
		}
		if (now >= next_poll) {
			for (i = 0; i < nnodes; i++)
				node_poll(&nodes[i]);
			if (r->left_ms < 0 &&
			    strcmp(nodes[r->old].state, "MASTER") != 0)
				r->left_ms = ctl_now_ms() - t0;
			for (i = 0; i < nnodes && r->master_ms < 0; i++)
				if (i != r->old &&
				    strcmp(nodes[i].state, "MASTER") == 0) {
					r->new = i;
					r->master_ms = ctl_now_ms() - t0;
				}
			if (r->new >= 0 && r->host_ms < 0 && strcmp(
			    nodes[r->new].host_result, "installed") == 0)
				r->host_ms = ctl_now_ms() - t0;
			next_poll = ctl_now_ms() + 10;
		}
		struct pollfd pfd = { fd, POLLIN, 0 };
		long wait = next_probe - ctl_now_ms();

		poll(&pfd, 1, wait > 0 ? (int)wait : 0);
		if ((got = probe_recv(fd, id)) > 0) {
			now = ctl_now_ms();
			r->received += got;
			if (now - last_reply > r->gap_ms) {
				r->gap_ms = now - last_reply;
				r->resumed_ms = now - t0;
			}
			last_reply = now;
			if (stable_since < 0)
				stable_since = now;
		} else if (ctl_now_ms() - last_reply > interval * 3)
			stable_since = -1;
		now = ctl_now_ms();
		/*
		 * Done: a new master with its route, the old one's withdrawn
		 * (after a planned switchover, once its drain is over),
		 * traffic flowing 500 ms.
		 */
		if (r->host_ms >= 0 && stable_since >= 0 &&
		    now - stable_since >= 500 && now - t0 > 500 &&
		    strcmp(nodes[r->old].host_result, "installed") != 0)
			break;
		if (now - t0 > RUN_LIMIT_MS)
			break;
	}
	r->converged = r->new >= 0 && r->host_ms >= 0 &&
	    strcmp(nodes[r->old].host_result, "installed") != 0;
	if (tcp != NULL) {
		r->kept = conns_check(fds, nconns);
		conns_close(fds, nconns);
	}

	/* Repair, and let the old master settle as BACKUP. */
	if (strcmp(kind, "link") == 0)
		inject(&nodes[r->old], "link-up", 0);
	for (t0 = ctl_now_ms(); ctl_now_ms() - t0 < SETTLE_MS; usleep(20000))
		if (node_poll(&nodes[r->old]) == 0 &&
		    strcmp(nodes[r->old].state, "BACKUP") == 0)
			break;
	return 0;
}

static int
cmp_long(const void *a, const void *b)
{
	long	 x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static int
parse_addr(const char *s, struct sockaddr_in *sa, int want_port)
{
	char		 host[64], *colon;
	long		 port = 0;

	snprintf(host, sizeof(host), "%s", s);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if ((colon = strchr(host, ':')) != NULL) {
		*colon = '\0';
		port = strtol(colon + 1, NULL, 10);
	}
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1 ||
	    (want_port && (port < 1 || port > 65535)) ||
	    (!want_port && colon != NULL))
		return -1;
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

int
cmd_failover_test(int json_out, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "kind", required_argument, NULL, 'k' },
		{ "node", required_argument, NULL, 'n' },
		{ "probe", required_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "tcp", required_argument, NULL, 't' },
		{ "conns", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 }
	};
	struct node		 nodes[MAX_NODES];
	struct sockaddr_in	 probe, tcp;
	struct run		 r;
	const char		*kind = "kill";
	long			 outages[256];
	json_t			*runs = json_array();
	int			 ch, count = 1, nnodes = 0, interval = 5;
	int			 have_probe = 0, have_tcp = 0, nconns = 16;
	int			 fd, i, n = 0, failed = 0;

	memset(nodes, 0, sizeof(nodes));
	optind = 0;
	while ((ch = getopt_long(argc + 1, argv - 1, "", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			count = atoi(optarg);
			break;
		case 'k':
			kind = optarg;
			break;
		case 'n':
			if (nnodes < MAX_NODES)
				nodes[nnodes++].sock = optarg;
			break;
		case 'p':
			have_probe = parse_addr(optarg, &probe, 0) == 0;
			break;
		case 'i':
			interval = atoi(optarg);
			break;
		case 't':
			have_tcp = parse_addr(optarg, &tcp, 1) == 0;
			break;
		case 'C':
			nconns = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc + 1 || nnodes < 2 || !have_probe ||
	    count < 1 || count > 256 || interval < 1 || interval > 1000 ||
	    nconns < 1 || nconns > MAX_CONNS || (strcmp(kind, "kill") != 0 &&
	    strcmp(kind, "link") != 0 && strcmp(kind, "planned") != 0))
		goto usage;
	for (i = 0; i < nnodes; i++)
		snprintf(nodes[i].name, sizeof(nodes[i].name), "%s",
		    nodes[i].sock);
	if ((fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP)) == -1) {
		fprintf(stderr, "vrouterctl: ICMP probe socket: %s (root "
		    "needed)\n", strerror(errno));
		json_decref(runs);
		return 1;
	}
	for (i = 0; i < count; i++) {
		if (one_run(nodes, nnodes, kind, fd, &probe, interval,
		    have_tcp ? &tcp : NULL, nconns, &r) == -1) {
			failed = 1;
			break;
		}
		outages[n++] = r.gap_ms;
		if (!r.converged || (have_tcp && r.kept != r.conns))
			failed = 1;
		json_array_append_new(runs, json_pack("{s:i, s:s, s:s, s:s?, "
		    "s:I, s:I, s:I, s:I, s:I, s:i, s:i, s:i, s:i, s:b}",
		    "run", i + 1, "kind", kind, "old_master",
		    nodes[r.old].name, "new_master", r.new >= 0 ?
		    nodes[r.new].name : NULL, "left_ms", (json_int_t)r.left_ms,
		    "master_ms", (json_int_t)r.master_ms,
		    "host_route_ms", (json_int_t)r.host_ms,
		    "resumed_ms", (json_int_t)r.resumed_ms,
		    "outage_ms", (json_int_t)r.gap_ms, "probes_sent", r.sent,
		    "probes_answered", r.received, "connections", r.conns,
		    "connections_kept", r.kept, "routes_converged",
		    r.converged));
		if (json_out)
			continue;
		printf("run %d (%s): %s -> %s\n", i + 1, kind,
		    nodes[r.old].name, r.new >= 0 ? nodes[r.new].name : "none");
		printf("  %6d ms  fault injected\n", 0);
		printf("  %6ld ms  old master left MASTER\n", r.left_ms);
		printf("  %6ld ms  new master is MASTER\n", r.master_ms);
		printf("  %6ld ms  its host route is installed\n", r.host_ms);
		printf("  %6ld ms  probes answered again\n", r.resumed_ms);
		printf("  outage %ld ms (longest gap, probe every %d ms); %d of "
		    "%d probes answered\n", r.gap_ms, interval, r.received,
		    r.sent);
		if (have_tcp)
			printf("  connections kept %d of %d\n", r.kept, r.conns);
		printf("  host routes %s\n", r.converged ? "converged" :
		    "NOT converged");
	}
	close(fd);
	qsort(outages, (size_t)n, sizeof(outages[0]), cmp_long);
	if (json_out) {
		json_t *out = json_pack("{s:o, s:I, s:I}", "runs", runs,
		    "median_outage_ms", (json_int_t)(n ? outages[n / 2] : -1),
		    "p95_outage_ms", (json_int_t)(n ? outages[(n * 95 - 1) /
		    100] : -1));

		json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(out);
	} else {
		if (n > 0)
			printf("outage over %d runs: median %ld ms, p95 %ld ms\n",
			    n, outages[n / 2], outages[(n * 95 - 1) / 100]);
		json_decref(runs);
	}
	return failed;
usage:
	fprintf(stderr, "vrouterctl: usage: failover-test --node SOCKET "
	    "--node SOCKET --probe ADDR\n\t[--count N] [--kind "
	    "kill|link|planned] [--interval MS]\n\t[--tcp ADDR:PORT "
	    "[--conns N]]\n");
	json_decref(runs);
	return 2;
}
