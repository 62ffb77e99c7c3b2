/*
 * What config.c, config_json.c and config_check.c share: the error buffer,
 * typed getters that name the key path in their messages, and IPv4
 * helpers.  Nothing outside router-json/config*.c includes this.
 */
#ifndef VR_CONFIG_PRIV_H
#define VR_CONFIG_PRIV_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "config.h"

#define CPATH_LEN	64	/* "sync.peers[3].address" and the like */

struct cctx {
	char	*err;
	size_t	 errlen;
};

/* Write the message into the error buffer, set errno EINVAL, return -1. */
int	 cfail(struct cctx *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* "path.key", or "key" at the top level; into buf, which it returns. */
const char *cpath(char *buf, const char *path, const char *key);

/*
 * The getters return 0 when the key is there and valid, 1 when it is
 * absent and not required (the output is then untouched), -1 with a
 * message otherwise.
 */
int	 cj_keys(struct cctx *, json_t *obj, const char *path,
	    const char *const *known);
int	 cj_object(struct cctx *, json_t *obj, const char *path,
	    const char *key, int required, json_t **out);
int	 cj_array(struct cctx *, json_t *obj, const char *path,
	    const char *key, int required, size_t max, json_t **out);
int	 cj_string(struct cctx *, json_t *obj, const char *path,
	    const char *key, int required, const char **out);
int	 cj_int(struct cctx *, json_t *obj, const char *path, const char *key,
	    int required, long long min, long long max, long long *out);
int	 cj_bool(struct cctx *, json_t *obj, const char *path,
	    const char *key, int required, int *out);
/* A name of [A-Za-z0-9_.-], 1..CONF_NAME_LEN bytes, into out. */
int	 cj_name(struct cctx *, json_t *obj, const char *path,
	    const char *key, char *out);
/* An interface name of [A-Za-z0-9_.-], 1..IFNAMSIZ-1 bytes, into out. */
int	 cj_ifname(struct cctx *, json_t *obj, const char *path,
	    const char *key, char *out);
/* A unicast IPv4 host address "A.B.C.D". */
int	 cj_addr(struct cctx *, json_t *obj, const char *path,
	    const char *key, struct in_addr *out);
/* "A.B.C.D/LEN" with LEN in minlen..maxlen; host bits kept. */
int	 cj_prefix(struct cctx *, json_t *obj, const char *path,
	    const char *key, int minlen, int maxlen, struct conf_prefix *out);

/* Host-order helpers. */
uint32_t cmask(int plen);
int	 cinside(struct in_addr a, struct in_addr net, int plen);
int	 coverlap(struct in_addr a, int alen, struct in_addr b, int blen);
/* a is the network or broadcast address of its /plen (plen <= 30). */
int	 cnet_or_bcast(struct in_addr a, int plen);
/* "A.B.C.D" / "A.B.C.D/LEN" into a caller buffer of >= 19 bytes. */
const char *caddr(struct in_addr, char *buf);
const char *cprefix(struct in_addr, int plen, char *buf);
#define CADDR_LEN	19

/* config_check.c: the rules that span sections. */
int	 config_check(struct cctx *, const struct router_conf *);

#endif
