/*
 * FLOW_MOD templates and PACKET_OUTs with an encoded action list
 * (ofp.h): encode a flow once, then write copies of its bytes with new
 * values patched in.  The offsets come from walking the message the
 * encoder just wrote, so they are right by construction.
 */
#include <errno.h>
#include <string.h>

#include "ofp_wire.h"

#define FLOW_MOD_FIXED		48	/* then match, instructions */
#define PACKET_OUT_FIXED	OFP_PACKET_OUT_HDR
#define INST_HDR		8

/* Note where each TLV value of the match at p (wire form) sits. */
static void
match_offsets(struct ofp_flow_tmpl *t, size_t at)
{
	const uint8_t	*p = t->msg + at;
	size_t		 end = ofp_get16(p + 2), off;
	uint32_t	 hdr, f;

	for (off = 4; off + 4 <= end; off += 4 + (hdr & 0xff)) {
		hdr = ofp_get32(p + off);
		if ((f = (hdr >> 9) & 0x7f) < OFP_TMPL_FIELDS)
			t->match[f] = (uint16_t)(at + off + 4);
	}
}

/* Note the value offsets of the actions of the list at [at, at + len). */
static void
action_offsets(struct ofp_flow_tmpl *t, size_t at, size_t len)
{
	const uint8_t	*p = t->msg;
	size_t		 off, alen;
	uint32_t	 f;

	t->actions = (uint16_t)at;
	t->actions_len = (uint16_t)len;
	for (off = at; off < at + len; off += alen) {
		alen = ofp_get16(p + off + 2);
		switch (ofp_get16(p + off)) {
		case OFPAT_OUTPUT:
			t->output = (uint16_t)(off + 4);
			break;
		case OFPAT_SET_FIELD:
			f = (ofp_get32(p + off + 4) >> 9) & 0x7f;
			if (f < OFP_TMPL_FIELDS)
				t->set[f] = (uint16_t)(off + 8);
			break;
		}
	}
}

int
ofp_flow_tmpl_init(struct ofp_flow_tmpl *t, const struct ofp_flow_mod *fm)
{
	ssize_t		 n;
	size_t		 off, ilen;

	memset(t, 0, sizeof(*t));
	if ((n = ofp_encode_flow_mod(t->msg, sizeof(t->msg), 0, fm)) == -1)
		return -1;
	t->len = (size_t)n;
	match_offsets(t, FLOW_MOD_FIXED);
	for (off = FLOW_MOD_FIXED + ofp_match_wire_len(&fm->match);
	    off < t->len; off += ilen) {
		ilen = ofp_get16(t->msg + off + 2);
		if (ofp_get16(t->msg + off) == OFPIT_APPLY_ACTIONS)
			action_offsets(t, off + INST_HDR, ilen - INST_HDR);
	}
	return 0;
}

void
ofp_flow_tmpl_copy(void *buf, const struct ofp_flow_tmpl *t, uint32_t xid,
    uint64_t cookie, uint16_t idle_timeout)
{
	uint8_t		*p = buf;

	memcpy(p, t->msg, t->len);
	ofp_put32(p + 4, xid);
	ofp_put64(p + 8, cookie);
	ofp_put16(p + 26, idle_timeout);
}

ssize_t
ofp_encode_packet_out_raw(void *buf, size_t size, uint32_t xid,
    uint32_t in_port, const void *actions, size_t alen, const void *data,
    size_t data_len)
{
	uint8_t		*p = buf;
	size_t		 len = PACKET_OUT_FIXED + alen + data_len;

	if (alen % 8 != 0 || alen > OFP_MAX_MSG_LEN) {
		errno = EINVAL;
		return -1;
	}
	if (ofp_start(p, size, OFPT_PACKET_OUT, len, xid) == -1)
		return -1;
	ofp_put32(p + 8, OFP_NO_BUFFER);
	ofp_put32(p + 12, in_port);
	ofp_put16(p + 16, (uint16_t)alen);
	memset(p + 18, 0, 6);
	if (alen > 0)
		memcpy(p + PACKET_OUT_FIXED, actions, alen);
	if (data_len > 0)
		memcpy(p + PACKET_OUT_FIXED + alen, data, data_len);
	return (ssize_t)len;
}
