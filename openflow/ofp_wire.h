/*
 * Internal to the ofp codec: byte access in network order, message
 * headers, and the pieces one codec file lends another.  Not for callers;
 * they use ofp.h.
 */
#ifndef VR_OFP_WIRE_H
#define VR_OFP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ofp.h"

#define OFP_ALIGN8(n)		(((n) + 7) & ~(size_t)7)
#define OFP_MATCH_MIN		8	/* an empty match, padded */
#define OFPMT_OXM		1
#define OFPXMC_OPENFLOW_BASIC	0x8000
#define OFPXMC_EXPERIMENTER	0xffff
#define OFP_XMT_MAX		26	/* field numbers below this */
#define OFP_PORT_LEN		64	/* struct ofp_port on the wire */

static inline uint16_t
ofp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
ofp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
ofp_get64(const uint8_t *p)
{
	return (uint64_t)ofp_get32(p) << 32 | ofp_get32(p + 4);
}

static inline void
ofp_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void
ofp_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static inline void
ofp_put64(uint8_t *p, uint64_t v)
{
	ofp_put32(p, v >> 32);
	ofp_put32(p + 4, v & 0xffffffffu);
}

/* 1 if the n bytes at p are all zero. */
int	 ofp_zero(const uint8_t *p, size_t n);

/*
 * Open a whole message of len bytes for decoding as type: the header
 * must say version 0x04, this type and exactly len bytes, and len must
 * be at least min.  0, or -1 with errno EBADMSG/EPROTONOSUPPORT.
 */
int	 ofp_open(const uint8_t *p, size_t len, uint8_t type, size_t min);

/*
 * Check that a message of len bytes fits the 16-bit length (EMSGSIZE)
 * and the buffer (ERANGE), then write its header.  0 or -1.
 */
int	 ofp_start(uint8_t *p, size_t size, uint8_t type, size_t len,
	    uint32_t xid);

/* ofp_match.c: the ofp_match structure with its OXM TLVs and padding. */
size_t	 ofp_match_wire_len(const struct ofp_match *);	/* padded */
void	 ofp_match_put(uint8_t *p, const struct ofp_match *);
ssize_t	 ofp_match_get(const uint8_t *p, size_t len, struct ofp_match *);

/* One unmasked OXM TLV (set_field): width, write, read. */
int	 ofp_oxm_width(unsigned int field);	/* 0 if unsupported */
void	 ofp_oxm_put(uint8_t *p, const struct ofp_match *, unsigned int field);
int	 ofp_oxm_get(const uint8_t *p, size_t len, struct ofp_match *);
/* Add field f of src (value and mask) to dst. */
void	 ofp_match_copy_field(struct ofp_match *dst,
	    const struct ofp_match *src, unsigned int f);
/* 0 if the set_field of field is allowed after match ctx. */
int	 ofp_prereqs_ok(const struct ofp_match *ctx, uint32_t fields);
/* 0 if the value of field in m is valid for it (vlan_vid rules). */
int	 ofp_field_value_ok(const struct ofp_match *m, unsigned int field);

/* ofp_action.c: action lists, and flow-mod instructions. */
int	 ofp_actions_check(const struct ofp_actions *,
	    const struct ofp_match *ctx);
size_t	 ofp_actions_wire_len(const struct ofp_actions *);
void	 ofp_actions_put(uint8_t *p, const struct ofp_actions *);
int	 ofp_actions_get(const uint8_t *p, size_t len, struct ofp_actions *);
int	 ofp_port_out_ok(uint32_t port);

#endif
