/*
 * registry: what vrouter-hostd knows of each router VM, from JSON files
 * in its registration directory and from `vrouterctl host vm add`.
 */
#ifndef VR_REGISTRY_H
#define VR_REGISTRY_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define REG_NAME_LEN	64
#define REG_PATH_LEN	108	/* sun_path */
#define REG_MAX_ADDRS	64
#define REG_MAX_TABLES	8

struct vm_reg {
	char		 name[REG_NAME_LEN];
	char		 channel[REG_PATH_LEN];
	char		 tap[IFNAMSIZ];
	char		 uplink[IFNAMSIZ];
	uint32_t	 addrs[REG_MAX_ADDRS];	/* network byte order */
	size_t		 naddrs;
	uint32_t	 tables[REG_MAX_TABLES];
	size_t		 ntables;
};

/*
 * Fill *reg from a JSON object, checking every field.  On error returns -1
 * and writes a message naming the field ("addresses[1]: ...") into err.
 */
int	 reg_from_json(json_t *, struct vm_reg *, char *err, size_t errlen);
/* A new JSON object for *reg; the caller owns the reference. */
json_t	*reg_to_json(const struct vm_reg *);
/* Load one file; errors name the file. */
int	 reg_load_file(const char *path, struct vm_reg *, char *err,
	    size_t errlen);
/* Write dir/NAME.json atomically (temp file, fsync, rename). */
int	 reg_save(const char *dir, const struct vm_reg *, char *err,
	    size_t errlen);
/* Remove dir/NAME.json; absent is not an error. */
int	 reg_remove(const char *dir, const char *name);
int	 reg_has_addr(const struct vm_reg *, uint32_t addr);
int	 reg_has_table(const struct vm_reg *, uint32_t table);
int	 reg_name_valid(const char *);

#endif
