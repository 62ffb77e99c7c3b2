/*
 * The STATE message vrouterd sends its host (host.c), pure so that it can
 * be tested.  The groups go first: with 64 networks there are more VRRP
 * instances (networks, public, sync path) plus the sync group than a
 * STATE holds (VSP_MAX_GROUPS), and the VIP's entry names its group; the
 * instances follow as they fit.  The host acts on the addresses only.
 */
#include <stdio.h>
#include <string.h>

#include "vrouterd.h"

void
host_state(const struct vrouterd *vd, uint8_t st, struct vsp_state_msg *msg)
{
	int	 i, pass, group = -1;

	memset(msg, 0, sizeof(*msg));
	snprintf(msg->router_id, sizeof(msg->router_id), "%s",
	    vd->conf.router_id);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < vd->nvrrp && msg->ngroups < VSP_MAX_GROUPS;
		    i++) {
			struct vsp_group *g;
			int		  is_group;

			is_group = vd->vrrp[i].kind == FIFO_GROUP;
			if (is_group != (pass == 0))
				continue;
			if (is_group && group == -1)
				group = msg->ngroups;
			g = &msg->groups[msg->ngroups++];
			snprintf(g->name, sizeof(g->name), "%s",
			    vd->vrrp[i].name);
			g->kind = is_group ? VSP_KIND_GROUP :
			    VSP_KIND_INSTANCE;
			g->state = vd->vrrp[i].state;
			g->priority = vd->vrrp[i].priority;
		}
	msg->naddrs = 1;
	msg->addrs[0].addr = vd->conf.vip.s_addr;
	msg->addrs[0].plen = 32;
	msg->addrs[0].state = st;
	msg->addrs[0].group = group == -1 ? 0xff : (uint8_t)group;
}
