/*
 * Registrations are the trust boundary of the host agent: a VM may only
 * ever claim what its registration lists, so the parser is strict and
 * says exactly which field is wrong.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kroute.h"
#include "registry.h"

static int
fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

int
reg_name_valid(const char *name)
{
	size_t	 i, n = strlen(name);

	if (n == 0 || n >= REG_NAME_LEN || name[0] == '.' || name[0] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '.' &&
		    name[i] != '-' && name[i] != '_')
			return 0;
	return 1;
}

static int
ifname_valid(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ':' || isspace((unsigned char)s[i]) ||
		    !isprint((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
get_string(json_t *obj, const char *key, char *out, size_t outlen,
    char *err, size_t errlen)
{
	json_t		*v = json_object_get(obj, key);
	const char	*s;

	if (v == NULL)
		return fail(err, errlen, "%s: missing", key);
	if ((s = json_string_value(v)) == NULL)
		return fail(err, errlen, "%s: not a string", key);
	if (strlen(s) != json_string_length(v))
		return fail(err, errlen, "%s: contains a NUL byte", key);
	if (strlen(s) >= outlen)
		return fail(err, errlen, "%s: \"%.40s\": longer than %zu bytes",
		    key, s, outlen - 1);
	strcpy(out, s);
	return 0;
}

static int
get_addrs(json_t *obj, struct vm_reg *reg, char *err, size_t errlen)
{
	json_t		*arr = json_object_get(obj, "addresses"), *v;
	struct in_addr	 in;
	const char	*s;
	size_t		 i, j;

	if (arr == NULL)
		return fail(err, errlen, "addresses: missing");
	if (!json_is_array(arr))
		return fail(err, errlen, "addresses: not an array");
	if (json_array_size(arr) == 0)
		return fail(err, errlen, "addresses: empty");
	if (json_array_size(arr) > REG_MAX_ADDRS)
		return fail(err, errlen, "addresses: more than %d",
		    REG_MAX_ADDRS);
	json_array_foreach(arr, i, v) {
		if ((s = json_string_value(v)) == NULL)
			return fail(err, errlen, "addresses[%zu]: not a string",
			    i);
		if (inet_pton(AF_INET, s, &in) != 1)
			return fail(err, errlen, "addresses[%zu]: \"%.40s\": "
			    "not an IPv4 address", i, s);
		if (in.s_addr == INADDR_ANY || IN_MULTICAST(ntohl(in.s_addr)) ||
		    in.s_addr == INADDR_BROADCAST ||
		    (ntohl(in.s_addr) >> 24) == 127)
			return fail(err, errlen, "addresses[%zu]: \"%s\": not a "
			    "unicast host address", i, s);
		for (j = 0; j < reg->naddrs; j++)
			if (reg->addrs[j] == in.s_addr)
				return fail(err, errlen, "addresses[%zu]: "
				    "\"%s\": listed twice", i, s);
		reg->addrs[reg->naddrs++] = in.s_addr;
	}
	return 0;
}

static int
get_tables(json_t *obj, struct vm_reg *reg, char *err, size_t errlen)
{
	json_t		*arr = json_object_get(obj, "tables"), *v;
	char		 num[24];
	const char	*s;
	uint32_t	 t;
	size_t		 i, j;

	if (arr == NULL) {
		reg->tables[0] = 254;	/* main */
		reg->ntables = 1;
		return 0;
	}
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return fail(err, errlen, "tables: not a non-empty array");
	if (json_array_size(arr) > REG_MAX_TABLES)
		return fail(err, errlen, "tables: more than %d",
		    REG_MAX_TABLES);
	json_array_foreach(arr, i, v) {
		if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%lld",
			    (long long)json_integer_value(v));
			s = num;
		} else if ((s = json_string_value(v)) == NULL)
			return fail(err, errlen, "tables[%zu]: not a table "
			    "name or number", i);
		if (s[0] == '-' || kr_table_parse(s, &t) == -1)
			return fail(err, errlen, "tables[%zu]: \"%.40s\": %s", i,
			    s, errno == ENOENT ? "no such table name" :
			    "table number out of range");
		for (j = 0; j < reg->ntables; j++)
			if (reg->tables[j] == t)
				return fail(err, errlen, "tables[%zu]: \"%s\": "
				    "listed twice", i, s);
		reg->tables[reg->ntables++] = t;
	}
	return 0;
}

int
reg_from_json(json_t *obj, struct vm_reg *reg, char *err, size_t errlen)
{
	static const char *const known[] = {
		"name", "channel", "tap", "uplink", "addresses", "tables", NULL
	};
	const char		*key;
	const char *const	*k;
	json_t			*v;

	memset(reg, 0, sizeof(*reg));
	if (!json_is_object(obj))
		return fail(err, errlen, "registration is not a JSON object");
	json_object_foreach(obj, key, v) {
		for (k = known; *k != NULL && strcmp(*k, key) != 0; k++)
			;
		if (*k == NULL)
			return fail(err, errlen, "%.40s: unknown key", key);
	}
	if (get_string(obj, "name", reg->name, sizeof(reg->name), err,
	    errlen) == -1)
		return -1;
	if (!reg_name_valid(reg->name))
		return fail(err, errlen, "name: \"%s\": use letters, digits, "
		    "'.', '-' and '_'", reg->name);
	if (get_string(obj, "channel", reg->channel, sizeof(reg->channel),
	    err, errlen) == -1)
		return -1;
	if (reg->channel[0] != '/')
		return fail(err, errlen, "channel: \"%s\": not an absolute path",
		    reg->channel);
	if (get_string(obj, "tap", reg->tap, sizeof(reg->tap), err,
	    errlen) == -1)
		return -1;
	if (!ifname_valid(reg->tap))
		return fail(err, errlen, "tap: \"%s\": not an interface name",
		    reg->tap);
	if (get_string(obj, "uplink", reg->uplink, sizeof(reg->uplink), err,
	    errlen) == -1)
		return -1;
	if (!ifname_valid(reg->uplink))
		return fail(err, errlen, "uplink: \"%s\": not an interface name",
		    reg->uplink);
	if (strcmp(reg->tap, reg->uplink) == 0)
		return fail(err, errlen, "uplink: \"%s\": same as the tap",
		    reg->uplink);
	if (get_addrs(obj, reg, err, errlen) == -1)
		return -1;
	return get_tables(obj, reg, err, errlen);
}

json_t *
reg_to_json(const struct vm_reg *reg)
{
	json_t		*obj, *addrs, *tables;
	char		 buf[INET_ADDRSTRLEN];
	size_t		 i;

	addrs = json_array();
	tables = json_array();
	for (i = 0; i < reg->naddrs; i++)
		json_array_append_new(addrs, json_string(inet_ntop(AF_INET,
		    &reg->addrs[i], buf, sizeof(buf))));
	for (i = 0; i < reg->ntables; i++)
		json_array_append_new(tables, reg->tables[i] == 254 ?
		    json_string("main") : json_integer(reg->tables[i]));
	obj = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "name", reg->name,
	    "channel", reg->channel, "tap", reg->tap, "uplink", reg->uplink,
	    "addresses", addrs, "tables", tables);
	return obj;
}

int
reg_load_file(const char *path, struct vm_reg *reg, char *err,
    size_t errlen)
{
	json_error_t	 jerr;
	json_t		*obj;
	char		 msg[256];
	int		 rv;

	obj = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (obj == NULL) {
		snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
		errno = EINVAL;
		return -1;
	}
	rv = reg_from_json(obj, reg, msg, sizeof(msg));
	json_decref(obj);
	if (rv == -1)
		snprintf(err, errlen, "%s: %s", path, msg);
	return rv;
}

int
reg_save(const char *dir, const struct vm_reg *reg, char *err,
    size_t errlen)
{
	char	 path[512], tmp[520];
	json_t	*obj;
	int	 fd, rv;

	if (snprintf(path, sizeof(path), "%s/%s.json", dir, reg->name) >=
	    (int)sizeof(path))
		return fail(err, errlen, "%s: path too long", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0640);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	obj = reg_to_json(reg);
	rv = json_dumpfd(obj, fd, JSON_INDENT(2));
	json_decref(obj);
	if (rv == -1 || write(fd, "\n", 1) != 1 || fsync(fd) == -1) {
		snprintf(err, errlen, "%s: write: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: rename: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
reg_remove(const char *dir, const char *name)
{
	char	 path[512];

	if (!reg_name_valid(name)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.json", dir, name);
	if (unlink(path) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

int
reg_has_addr(const struct vm_reg *reg, uint32_t addr)
{
	size_t	 i;

	for (i = 0; i < reg->naddrs; i++)
		if (reg->addrs[i] == addr)
			return 1;
	return 0;
}

int
reg_has_table(const struct vm_reg *reg, uint32_t table)
{
	size_t	 i;

	for (i = 0; i < reg->ntables; i++)
		if (reg->tables[i] == table)
			return 1;
	return 0;
}
