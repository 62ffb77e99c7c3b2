/*
 * OpenFlow 1.3 controller roles: ROLE_REQUEST, ROLE_REPLY and the
 * generation_id rule a switch applies to them (docs/openflow.md).
 */
#include <errno.h>
#include <string.h>

#include "ofp_wire.h"

#define ROLE_LEN	24	/* header, role, 4 pad, generation_id */

static ssize_t
encode_role(void *buf, size_t size, uint8_t type, uint32_t xid,
    const struct ofp_role *r)
{
	uint8_t		*p = buf;

	if (r->role > OFPCR_ROLE_SLAVE) {
		errno = EINVAL;
		return -1;
	}
	if (ofp_start(p, size, type, ROLE_LEN, xid) == -1)
		return -1;
	ofp_put32(p + 8, r->role);
	memset(p + 12, 0, 4);
	ofp_put64(p + 16, r->generation_id);
	return ROLE_LEN;
}

/* An unknown role is malformed: OVS refuses it too (OFPRRFC_BAD_ROLE). */
static int
decode_role(const void *msg, size_t len, uint8_t type, struct ofp_role *r)
{
	const uint8_t	*p = msg;

	memset(r, 0, sizeof(*r));
	if (ofp_open(p, len, type, ROLE_LEN) == -1)
		return -1;
	if (len != ROLE_LEN || ofp_get32(p + 8) > OFPCR_ROLE_SLAVE) {
		errno = EBADMSG;
		return -1;
	}
	r->role = ofp_get32(p + 8);
	r->generation_id = ofp_get64(p + 16);
	return 0;
}

ssize_t
ofp_encode_role_request(void *buf, size_t size, uint32_t xid,
    const struct ofp_role *r)
{
	return encode_role(buf, size, OFPT_ROLE_REQUEST, xid, r);
}

ssize_t
ofp_encode_role_reply(void *buf, size_t size, uint32_t xid,
    const struct ofp_role *r)
{
	return encode_role(buf, size, OFPT_ROLE_REPLY, xid, r);
}

int
ofp_decode_role_request(const void *msg, size_t len, struct ofp_role *r)
{
	return decode_role(msg, len, OFPT_ROLE_REQUEST, r);
}

int
ofp_decode_role_reply(const void *msg, size_t len, struct ofp_role *r)
{
	return decode_role(msg, len, OFPT_ROLE_REPLY, r);
}

static const char *const role_names[] = {
	[OFPCR_ROLE_NOCHANGE] = "nochange",
	[OFPCR_ROLE_EQUAL] = "equal",
	[OFPCR_ROLE_MASTER] = "master",
	[OFPCR_ROLE_SLAVE] = "slave",
};

const char *
ofp_role_name(uint32_t role)
{
	if (role >= sizeof(role_names) / sizeof(role_names[0]))
		return "UNKNOWN";
	return role_names[role];
}

/*
 * (int64_t)(req - cur) < 0, written without the implementation-defined
 * conversion: the unsigned difference has its top bit set.  A distance
 * of exactly 2^63 is therefore stale, in both directions.
 */
int
ofp_role_stale(int seen, uint64_t cur, uint64_t req)
{
	if (!seen)
		return 0;
	return ((req - cur) >> 63) != 0;
}
