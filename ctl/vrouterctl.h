#ifndef VR_VROUTERCTL_H
#define VR_VROUTERCTL_H

#include <jansson.h>

/* vrouterctl.c: milliseconds on the monotonic clock. */
long	ctl_now_ms(void);

/*
 * vrouterctl.c: send req (not consumed) on sock, waiting up to timeout_ms;
 * the reply if it says ok (caller owns).  Otherwise NULL: no answer is
 * printed; a refusal is printed too, or, with refusal, handed over there
 * (the daemon's error; caller frees).
 */
json_t	*ctl_request(const char *sock, json_t *req, int timeout_ms,
	    char **refusal);

/* failtest.c: vrouterctl failover-test; argv after the command words. */
int	cmd_failover_test(int json, int argc, char **argv);

/*
 * maintenance.c: vrouterctl maintenance on|off on vrouterd's socket sock,
 * waiting for the outcome; the exit status (0, or 1 with a message).
 */
int	ctl_maintenance(const char *sock, int json, int on);

/*
 * reload.c: vrouterctl reload on vrouterd's socket sock, waiting until
 * its apply has ended; the exit status (0, or 1 with a message).
 */
int	ctl_reload(const char *sock, int json);

/*
 * yield.c: vrouterctl host vm yield on hostd's socket sock: ask the VM to
 * hand over and wait up to timeout_ms until it is not MASTER; the exit
 * status (0: not MASTER at the end, 1: still MASTER or no answer).
 */
int	ctl_host_vm_yield(const char *sock, int json, const char *name,
	    long timeout_ms);

/* conntrack.c: a summary of the kernel table (caller owns it). */
json_t	*conntrack_summary(char *err, size_t errlen);

/* Human output (show_human.c): one printer per reply kind. */
void	show_conntrack(json_t *);
void	show_ofnat(json_t *);
void	show_ofnat_mappings(json_t *);
void	show_router_status(json_t *);
void	show_apply(json_t *);
void	show_host_status(json_t *);
void	show_host_vms(json_t *);
void	show_host_routes(json_t *);
void	show_host_events(json_t *);
void	show_metrics(json_t *);

/* -j output (show_json.c): the reply without its envelope. */
void	show_json(json_t *);

#endif
