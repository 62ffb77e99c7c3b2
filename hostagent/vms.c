/*
 * The registered VMs of vrouter-hostd: from the registration folder at
 * start, and from `vrouterctl host vm add/del` (the Ganeti hooks) at run
 * time.  A VM costs its registration and a little bookkeeping while idle;
 * its channel's buffers live in the engine, and only while connected.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostd.h"
#include "log.h"

struct vm *
hostd_vm_find(struct hostd *hd, const char *name)
{
	struct vm	*vm;

	TAILQ_FOREACH(vm, &hd->vms, entry)
		if (strcmp(vm->reg.name, name) == 0)
			return vm;
	return NULL;
}

struct vm *
hostd_vm_by_id(struct hostd *hd, uint32_t id)
{
	struct vm	*vm;

	TAILQ_FOREACH(vm, &hd->vms, entry)
		if (vm->id == id)
			return vm;
	return NULL;
}

uint8_t
hostd_vm_role(const struct vm *vm)
{
	size_t	 i;

	for (i = 0; i < vm->reg.naddrs; i++)
		if (vm->claims[i].state == VSP_ST_MASTER)
			return VSP_ST_MASTER;
	return vm->reg.naddrs > 0 ? vm->claims[0].state : VSP_ST_INIT;
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
	vm->id = ++hd->next_vm_id;
	vm->reg = *reg;
	claims_reset(vm);
	tb_init(&vm->garp_tb, hd->garp_rate, hd->garp_burst, mono_ms());
	TAILQ_INSERT_TAIL(&hd->vms, vm, entry);
	return vm;
}

static void
vm_free(struct vm *vm)
{
	chan_stop(vm);
	free(vm);
}

/* Register (or re-register) a VM at run time; persisted in regdir. */
int
hostd_vm_add(struct hostd *hd, const struct vm_reg *reg, char *err,
    size_t errlen)
{
	struct vm	*vm = hostd_vm_find(hd, reg->name);

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
		if (chan_start(vm) == -1) {
			snprintf(err, errlen, "out of memory for events");
			TAILQ_REMOVE(&hd->vms, vm, entry);
			vm_free(vm);
			return -1;
		}
		return 0;
	}
	/*
	 * Changed registration: what it no longer allows must go now; a
	 * new connection makes the guest resend, and that installs the rest.
	 */
	log_info("vm %s: registration changed", reg->name);
	routes_withdraw_vm(vm, "registration changed");
	chan_stop(vm);
	vm->reg = *reg;
	claims_reset(vm);
	if (chan_start(vm) == -1)
		log_warnx("vm %s: out of memory for events", reg->name);
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
	TAILQ_REMOVE(&hd->vms, vm, entry);
	vm_free(vm);
	log_info("vm %s: unregistered", name);
	return 0;
}

/* Load every NAME.json in regdir; a bad file is reported and skipped. */
void
hostd_load_registrations(struct hostd *hd)
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

void
hostd_vms_free(struct hostd *hd)
{
	struct vm	*vm;

	while ((vm = TAILQ_FIRST(&hd->vms)) != NULL) {
		TAILQ_REMOVE(&hd->vms, vm, entry);
		vm_free(vm);
	}
}
