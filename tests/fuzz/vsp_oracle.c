/* The protocol's rules for the vsp fuzz targets (see vsp_oracle.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsp_oracle.h"

void
oracle_fail(const char *why)
{
	fprintf(stderr, "vsp oracle: %s\n", why);
	abort();
}

static int
name_ok(const char *name, int allow_empty)
{
	size_t	 i, n = strnlen(name, VSP_NAME_LEN + 1);

	if (n > VSP_NAME_LEN || (n == 0 && !allow_empty))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)name[i] < 0x21 ||
		    (unsigned char)name[i] > 0x7e)
			return 0;
	return 1;
}

static int
state_valid(const struct vsp_state_msg *s)
{
	size_t	 i, j;

	if (!name_ok(s->router_id, 0) || s->ngroups > VSP_MAX_GROUPS ||
	    s->naddrs > VSP_MAX_ADDRS)
		return 0;
	for (i = 0; i < s->ngroups; i++)
		if (!name_ok(s->groups[i].name, 0) ||
		    s->groups[i].kind >= VSP_KIND_MAX ||
		    s->groups[i].state >= VSP_ST_MAX)
			return 0;
	for (i = 0; i < s->naddrs; i++) {
		if (s->addrs[i].plen > 32 || s->addrs[i].state >= VSP_ST_MAX ||
		    (s->addrs[i].group != 0xff &&
		    s->addrs[i].group >= s->ngroups))
			return 0;
		for (j = 0; j < i; j++)
			if (s->addrs[j].addr == s->addrs[i].addr)
				return 0;
	}
	return 1;
}

static int
ack_valid(const struct vsp_ack_msg *a)
{
	size_t	 i;

	if (a->nresults > VSP_MAX_ADDRS)
		return 0;
	for (i = 0; i < a->nresults; i++)
		if (a->results[i].result >= VSP_RES_MAX ||
		    a->results[i].reason >= VSP_WHY_MAX)
			return 0;
	return 1;
}

int
oracle_msg_valid(const struct vsp_msg *m)
{
	switch (m->hdr.type) {
	case VSP_HELLO:
		return m->u.hello.min_version <= m->u.hello.max_version &&
		    name_ok(m->u.hello.host, 1);
	case VSP_STATE:
		return state_valid(&m->u.state);
	case VSP_ACK:
		return ack_valid(&m->u.ack);
	case VSP_YIELD:
		return m->u.yield.request != 0;
	}
	return 0;
}

static int
state_equal(const struct vsp_state_msg *a, const struct vsp_state_msg *b)
{
	size_t	 i;

	if (strcmp(a->router_id, b->router_id) != 0 ||
	    a->ngroups != b->ngroups || a->naddrs != b->naddrs)
		return 0;
	for (i = 0; i < a->ngroups; i++) {
		const struct vsp_group *x = &a->groups[i], *y = &b->groups[i];

		if (strcmp(x->name, y->name) != 0 || x->kind != y->kind ||
		    x->state != y->state || x->priority != y->priority)
			return 0;
	}
	for (i = 0; i < a->naddrs; i++) {
		const struct vsp_addr *x = &a->addrs[i], *y = &b->addrs[i];

		if (x->addr != y->addr || x->plen != y->plen ||
		    x->state != y->state || x->group != y->group)
			return 0;
	}
	return 1;
}

static int
ack_equal(const struct vsp_ack_msg *a, const struct vsp_ack_msg *b)
{
	size_t	 i;

	if (a->acked_seq != b->acked_seq || a->acked_epoch != b->acked_epoch ||
	    a->nresults != b->nresults)
		return 0;
	for (i = 0; i < a->nresults; i++) {
		const struct vsp_result_entry *x = &a->results[i];
		const struct vsp_result_entry *y = &b->results[i];

		if (x->addr != y->addr || x->result != y->result ||
		    x->reason != y->reason)
			return 0;
	}
	return 1;
}

int
oracle_msg_equal(const struct vsp_msg *a, const struct vsp_msg *b)
{
	if (a->hdr.type != b->hdr.type || a->hdr.seq != b->hdr.seq ||
	    a->hdr.epoch != b->hdr.epoch)
		return 0;
	switch (a->hdr.type) {
	case VSP_HELLO:
		return a->u.hello.min_version == b->u.hello.min_version &&
		    a->u.hello.max_version == b->u.hello.max_version &&
		    strcmp(a->u.hello.host, b->u.hello.host) == 0;
	case VSP_STATE:
		return state_equal(&a->u.state, &b->u.state);
	case VSP_ACK:
		return ack_equal(&a->u.ack, &b->u.ack);
	case VSP_YIELD:
		return a->u.yield.request == b->u.yield.request;
	}
	return 0;
}
