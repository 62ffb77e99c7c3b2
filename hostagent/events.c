/*
 * What vrouter-hostd remembers and says about each VM.  A tenant must not
 * be able to flood the host's log or push another tenant's history out:
 * every VM has its own event ring, and the lines a guest can provoke go
 * through a per-VM limiter that reports what it held back in one line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hostd.h"
#include "log.h"

void
hostd_event(struct hostd *hd, struct vm *vm, uint32_t addr, uint8_t state,
    uint8_t result, uint8_t reason, int conflict)
{
	struct hostd_event	*e;

	if (vm != NULL)
		e = &vm->events.ev[vm->events.n++ % VM_EVENTS];
	else
		e = &hd->events.ev[hd->events.n++ % HOST_EVENTS];
	clock_gettime(CLOCK_REALTIME, &e->when);
	e->addr = addr;
	e->state = state;
	e->result = result;
	e->reason = reason;
	e->conflict = conflict != 0;
}

/* level 0: a warning, 1: information; both limited per VM. */
void
vm_log(struct vm *vm, int level, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	logrl_vlog(&vm->logrl, vm->reg.name, level != 0, fmt, ap);
	va_end(ap);
}

void
vm_log_flush(struct vm *vm, uint64_t now_ms)
{
	logrl_report(&vm->logrl, vm->reg.name, now_ms);
}
