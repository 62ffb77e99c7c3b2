/*
 * Typed getters for router.json: each names the full key path and the
 * offending value in its message, so an operator can find the mistake
 * ("networks[1].cidr: \"10.0.1.0/33\": prefix length out of range").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

#define NAME_CHARS	"A-Z a-z 0-9 _ . -"

int
cfail(struct cctx *c, const char *fmt, ...)
{
	va_list	 ap;

	if (c->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	errno = EINVAL;
	return -1;
}

const char *
cpath(char *buf, const char *path, const char *key)
{
	if (path[0] == '\0')
		snprintf(buf, CPATH_LEN, "%s", key);
	else
		snprintf(buf, CPATH_LEN, "%s.%s", path, key);
	return buf;
}

int
cj_keys(struct cctx *c, json_t *obj, const char *path,
    const char *const *known)
{
	const char		*key;
	const char *const	*k;
	char			 p[CPATH_LEN];
	json_t			*v;

	if (!json_is_object(obj))
		return path[0] == '\0' ? cfail(c, "not a JSON object") :
		    cfail(c, "%s: not an object", path);
	json_object_foreach(obj, key, v) {
		for (k = known; *k != NULL && strcmp(*k, key) != 0; k++)
			;
		if (*k == NULL)
			return cfail(c, "%s: unknown key",
			    cpath(p, path, key));
	}
	return 0;
}

/* The value of key, or NULL: absent is an error only when required. */
static int
lookup(struct cctx *c, json_t *obj, const char *path, const char *key,
    int required, json_t **v)
{
	char	 p[CPATH_LEN];

	*v = json_object_get(obj, key);
	if (*v != NULL)
		return 0;
	if (required)
		return cfail(c, "%s: missing", cpath(p, path, key));
	return 1;
}

int
cj_object(struct cctx *c, json_t *obj, const char *path, const char *key,
    int required, json_t **out)
{
	char	 p[CPATH_LEN];
	json_t	*v;
	int	 rv;

	if ((rv = lookup(c, obj, path, key, required, &v)) != 0)
		return rv;
	if (!json_is_object(v))
		return cfail(c, "%s: not an object", cpath(p, path, key));
	*out = v;
	return 0;
}

int
cj_array(struct cctx *c, json_t *obj, const char *path, const char *key,
    int required, size_t max, json_t **out)
{
	char	 p[CPATH_LEN];
	json_t	*v;
	int	 rv;

	if ((rv = lookup(c, obj, path, key, required, &v)) != 0)
		return rv;
	if (!json_is_array(v))
		return cfail(c, "%s: not an array", cpath(p, path, key));
	if (json_array_size(v) > max)
		return cfail(c, "%s: more than %zu entries", cpath(p, path,
		    key), max);
	*out = v;
	return 0;
}

int
cj_string(struct cctx *c, json_t *obj, const char *path, const char *key,
    int required, const char **out)
{
	char		 p[CPATH_LEN];
	const char	*s;
	json_t		*v;
	int		 rv;

	if ((rv = lookup(c, obj, path, key, required, &v)) != 0)
		return rv;
	if ((s = json_string_value(v)) == NULL)
		return cfail(c, "%s: not a string", cpath(p, path, key));
	if (strlen(s) != json_string_length(v))
		return cfail(c, "%s: contains a NUL byte", cpath(p, path, key));
	*out = s;
	return 0;
}

int
cj_int(struct cctx *c, json_t *obj, const char *path, const char *key,
    int required, long long min, long long max, long long *out)
{
	char		 p[CPATH_LEN];
	long long	 n;
	json_t		*v;
	int		 rv;

	if ((rv = lookup(c, obj, path, key, required, &v)) != 0)
		return rv;
	if (!json_is_integer(v))
		return cfail(c, "%s: not an integer", cpath(p, path, key));
	n = json_integer_value(v);
	if (n < min || n > max)
		return cfail(c, "%s: %lld: out of range (%lld..%lld)",
		    cpath(p, path, key), n, min, max);
	*out = n;
	return 0;
}

int
cj_bool(struct cctx *c, json_t *obj, const char *path, const char *key,
    int required, int *out)
{
	char	 p[CPATH_LEN];
	json_t	*v;
	int	 rv;

	if ((rv = lookup(c, obj, path, key, required, &v)) != 0)
		return rv;
	if (!json_is_boolean(v))
		return cfail(c, "%s: not a boolean (true or false)",
		    cpath(p, path, key));
	*out = json_is_true(v);
	return 0;
}

static int
name_chars_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' ||
		    *s == '-'))
			return 0;
	return 1;
}

int
cj_name(struct cctx *c, json_t *obj, const char *path, const char *key,
    char *out)
{
	char		 p[CPATH_LEN];
	const char	*s;
	size_t		 n;

	if (cj_string(c, obj, path, key, 1, &s) == -1)
		return -1;
	n = strlen(s);
	if (n == 0 || n > CONF_NAME_LEN || !name_chars_ok(s))
		return cfail(c, "%s: \"%.40s\": not a name (1..%d of "
		    NAME_CHARS ")", cpath(p, path, key), s, CONF_NAME_LEN);
	memcpy(out, s, n + 1);
	return 0;
}

int
cj_ifname(struct cctx *c, json_t *obj, const char *path, const char *key,
    char *out)
{
	char		 p[CPATH_LEN];
	const char	*s;
	size_t		 n;

	if (cj_string(c, obj, path, key, 1, &s) == -1)
		return -1;
	n = strlen(s);
	if (n == 0 || n >= IFNAMSIZ || !name_chars_ok(s) ||
	    strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return cfail(c, "%s: \"%.40s\": not an interface name (1..%d "
		    "of " NAME_CHARS ")", cpath(p, path, key), s, IFNAMSIZ - 1);
	memcpy(out, s, n + 1);
	return 0;
}

/* 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 and 240.0.0.0/4 are no hosts. */
static int
unicast(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) < 14;
}

int
cj_addr(struct cctx *c, json_t *obj, const char *path, const char *key,
    struct in_addr *out)
{
	char		 p[CPATH_LEN];
	const char	*s;

	if (cj_string(c, obj, path, key, 1, &s) == -1)
		return -1;
	if (inet_pton(AF_INET, s, out) != 1)
		return cfail(c, "%s: \"%.40s\": not an IPv4 address",
		    cpath(p, path, key), s);
	if (!unicast(*out))
		return cfail(c, "%s: \"%s\": not a unicast host address",
		    cpath(p, path, key), s);
	return 0;
}

int
cj_prefix(struct cctx *c, json_t *obj, const char *path, const char *key,
    int minlen, int maxlen, struct conf_prefix *out)
{
	char		 p[CPATH_LEN], addr[INET_ADDRSTRLEN];
	const char	*s, *slash, *d;
	int		 plen = 0;

	if (cj_string(c, obj, path, key, 1, &s) == -1)
		return -1;
	cpath(p, path, key);
	if ((slash = strchr(s, '/')) == NULL ||
	    (size_t)(slash - s) >= sizeof(addr))
		return cfail(c, "%s: \"%.40s\": not an IPv4 prefix "
		    "(A.B.C.D/LEN)", p, s);
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (inet_pton(AF_INET, addr, &out->addr) != 1)
		return cfail(c, "%s: \"%.40s\": not an IPv4 prefix "
		    "(A.B.C.D/LEN)", p, s);
	for (d = slash + 1; *d >= '0' && *d <= '9' && plen < 100; d++)
		plen = plen * 10 + (*d - '0');
	if (d == slash + 1 || *d != '\0' || (slash[1] == '0' && d > slash + 2))
		return cfail(c, "%s: \"%.40s\": not an IPv4 prefix "
		    "(A.B.C.D/LEN)", p, s);
	if (plen < minlen || plen > maxlen)
		return cfail(c, "%s: \"%s\": prefix length out of range "
		    "(%d..%d)", p, s, minlen, maxlen);
	if (!unicast(out->addr))
		return cfail(c, "%s: \"%s\": not a unicast range", p, s);
	out->plen = (uint8_t)plen;
	return 0;
}

uint32_t
cmask(int plen)
{
	return plen <= 0 ? 0 : 0xffffffffU << (32 - plen);
}

int
cinside(struct in_addr a, struct in_addr net, int plen)
{
	uint32_t m = cmask(plen);

	return (ntohl(a.s_addr) & m) == (ntohl(net.s_addr) & m);
}

int
coverlap(struct in_addr a, int alen, struct in_addr b, int blen)
{
	return cinside(a, b, alen < blen ? alen : blen);
}

int
cnet_or_bcast(struct in_addr a, int plen)
{
	uint32_t m = cmask(plen), h = ntohl(a.s_addr);

	if (plen > 30)
		return 0;
	return (h & ~m) == 0 || (h & ~m) == ~m;
}

const char *
caddr(struct in_addr a, char *buf)
{
	inet_ntop(AF_INET, &a, buf, CADDR_LEN);
	return buf;
}

const char *
cprefix(struct in_addr a, int plen, char *buf)
{
	char	 s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, s, sizeof(s));
	snprintf(buf, CADDR_LEN, "%s/%d", s, plen);
	return buf;
}
