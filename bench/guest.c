/*
 * guest.c: the STATE a router VM sends, as the benchmarks play the guest
 * (docs/protocol.md): one address, a host route, no VRRP group.
 */
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "vsp.h"

void
guest_state(struct vsp_msg *m, const char *router_id, uint64_t epoch,
    uint32_t seq, uint32_t addr, uint8_t state)
{
	memset(m, 0, sizeof(*m));
	m->hdr.type = VSP_STATE;
	m->hdr.seq = seq;
	m->hdr.epoch = epoch;
	snprintf(m->u.state.router_id, sizeof(m->u.state.router_id), "%s",
	    router_id);
	m->u.state.naddrs = 1;
	m->u.state.addrs[0].addr = addr;
	m->u.state.addrs[0].plen = 32;
	m->u.state.addrs[0].state = state;
	m->u.state.addrs[0].group = 0xff;
}
