/*
 * The router description (router.json, see docs/router-json.md): one file
 * that says everything vrouterd and vrouter-ofnat need to build a router.
 * config.c parses and validates it; nothing else reads the JSON.
 */
#ifndef VR_CONFIG_H
#define VR_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include <jansson.h>

#define CONF_NAME_LEN		32	/* fits a vsp name */
#define CONF_PATH_LEN		256
#define CONF_MAX_PEERS		4
#define CONF_MAX_NETWORKS	64
#define CONF_MAX_FORWARDS	1024
#define CONF_SUN_PATH_MAX	108	/* sizeof(sun_path), with its NUL */

/*
 * vrouterd's runtime files, under its rundir.  config_view() gives the
 * full paths to the templates; vrouterd uses the same names for the
 * command lines (docs/router-json.md, "Runtime files").
 */
#define CONF_RUN_FIFO		"keepalived.fifo"	/* vrrp_notify_fifo */
#define CONF_RUN_KA_PID		"keepalived.pid"	/* keepalived -p */
#define CONF_RUN_VRRP_PID	"keepalived-vrrp.pid"	/* keepalived -r */
#define CONF_RUN_CT_SOCK	"conntrackd.sock"	/* UNIX Path */
#define CONF_RUN_CT_LOCK	"conntrackd.lock"	/* LockFile */
#define CONF_RUN_CT_LOG		"conntrackd.log"	/* LogFile */
#define CONF_RUN_STANDBY	"standby"	/* track_file: non-zero = FAULT */
#define CONF_RUN_PRIO		"prio"		/* track_file: priority bonus */
#define CONF_RUN_NAT_RULES	"nat.rules"	/* the NAT rules in force */
#define CONF_RUN_NAT_OUT	"nat.out"	/* iptables-restore's words */
#define CONF_HOST_PORT_DEFAULT	"/dev/virtio-ports/org.vrouter.0"

struct conf_prefix {
	struct in_addr	 addr;		/* as written (host bits kept) */
	uint8_t		 plen;
};

struct conf_peer {
	char		 name[CONF_NAME_LEN + 1];
	struct in_addr	 addr;		/* on the sync link */
	struct in_addr	 vrrp_addr;	/* on vrrp_if; 0: not given */
};

struct conf_network {
	char		 name[CONF_NAME_LEN + 1];
	char		 interface[IFNAMSIZ];
	struct conf_prefix cidr;	/* network address, host bits zero */
	struct in_addr	 gateway;	/* the gateway VIP inside cidr */
	uint8_t		 vrid;
};

struct conf_forward {
	uint8_t		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t	 public_port;
	struct in_addr	 host;		/* inside one of the networks */
	uint16_t	 port;
};

struct router_conf {
	char		 router_id[CONF_NAME_LEN + 1];
	char		 node[CONF_NAME_LEN + 1];	/* this VM's name */
	uint8_t		 priority;			/* 1..254 */

	/* VRRP */
	unsigned int	 advert_ms;	/* 10..40950, multiple of 10 */
	int		 preempt;
	int		 unicast;	/* unicast adverts to peers */
	/*
	 * Adverts go over a private network both nodes share, not the
	 * sync link, so that losing the sync link is no FAULT.
	 */
	char		 vrrp_if[IFNAMSIZ];	/* a network's interface */
	int		 vrrp_net;		/* index of that network */
	struct in_addr	 vrrp_addr;	/* this node's there; 0: not given */
	/*
	 * The sync path: one more instance in the sync group, with no
	 * address of use, whose adverts go over the sync link, so that one
	 * cut link is not taken for a dead peer (docs/router-json.md).
	 */
	int		 sync_path;
	uint8_t		 sync_vrid;

	/* management / sync link */
	char		 sync_if[IFNAMSIZ];
	struct conf_prefix sync_addr;	/* this node's address there */
	struct conf_peer peers[CONF_MAX_PEERS];
	int		 npeers;

	/* public leg */
	char		 pub_if[IFNAMSIZ];
	struct in_addr	 vip;
	uint8_t		 vip_plen;	/* as added on pub_if; 32 routed */
	struct in_addr	 pub_gateway;	/* upstream, reached on pub_if */
	uint8_t		 pub_vrid;

	struct conf_network networks[CONF_MAX_NETWORKS];
	int		 nnetworks;
	struct conf_forward forwards[CONF_MAX_FORWARDS];
	int		 nforwards;

	/* host channel: virtio-serial port; empty: no host agent */
	char		 host_port[CONF_PATH_LEN];

	/* conntrackd */
	int		 ct_enabled;
	uint16_t	 ct_port;	/* UDP port for FTFW sync */
	unsigned int	 ct_hash_size;
	unsigned int	 ct_max_entries;
};

/* The jumps from the built-in chains into vrouter's own NAT chains. */
struct conf_jump {
	const char	*table;
	const char	*chain;
	const char	*target;
};
#define CONF_NJUMPS	4
extern const struct conf_jump conf_jumps[CONF_NJUMPS];

/*
 * Parse and validate.  On error returns -1 and writes one message naming
 * the key path ("networks[1].cidr: \"10.0.1.0/33\": prefix length out of
 * range") into err; *conf is then undefined.
 */
int	 config_from_json(json_t *, struct router_conf *, char *err,
	    size_t errlen);
/* The same from a file; messages start with the file name. */
int	 config_load(const char *path, struct router_conf *, char *err,
	    size_t errlen);
/*
 * The view the templates render from (docs/router-json.md, "The template
 * view"): a new JSON object the caller owns.  rundir is where vrouterd
 * keeps its runtime files (notify FIFO, conntrackd socket, pid and lock
 * files).  NULL with errno EINVAL when rundir fails config_rundir_check(),
 * ENOMEM when out of memory.
 */
json_t	*config_view(const struct router_conf *, const char *rundir);
/*
 * Is rundir usable: an absolute path of A-Z a-z 0-9 _ . - / (it is
 * written into keepalived.conf and conntrackd.conf unquoted) short enough
 * that rundir/conntrackd.sock fits a UNIX socket address?  0, or -1 with a
 * message in err.
 */
int	 config_rundir_check(const char *rundir, char *err, size_t errlen);
/*
 * The view's "jumps" lists every jump from a built-in chain into one of
 * vrouter's chains ({table, chain, target, nat, filter}), as if none were
 * installed; the NAT template inserts each one listed.  vrouterd drops
 * those iptables-save already shows.  0, or -1 (errno ENOENT) when the
 * view lists no such jump.
 */
int	 config_view_drop_jump(json_t *view, const char *chain,
	    const char *target);

#endif
