/*
 * The messages that carry matches, actions and packets: PACKET_IN,
 * PACKET_OUT, FLOW_MOD (with its apply-actions and goto-table
 * instructions) and FLOW_REMOVED.
 */
#include <errno.h>
#include <string.h>

#include "ofp_wire.h"

#define PACKET_IN_FIXED		24	/* then match, 2 pad, frame */
#define PACKET_OUT_FIXED	24	/* then actions, frame */
#define FLOW_MOD_FIXED		48	/* then match, instructions */
#define FLOW_REMOVED_FIXED	48	/* then match */
#define INST_HDR		8	/* type, len, 4 pad (or table + 3) */
#define FLOW_MOD_FLAGS		0x1f

/* PACKET_IN. */

ssize_t
ofp_encode_packet_in(void *buf, size_t size, uint32_t xid,
    const struct ofp_packet_in *pi)
{
	uint8_t		*p = buf;
	size_t		 mlen, len;

	if (ofp_match_check(&pi->match) == -1)
		return -1;
	if (pi->data_len > OFP_MAX_MSG_LEN) {
		errno = EMSGSIZE;
		return -1;
	}
	mlen = ofp_match_wire_len(&pi->match);
	len = PACKET_IN_FIXED + mlen + 2 + pi->data_len;
	if (ofp_start(p, size, OFPT_PACKET_IN, len, xid) == -1)
		return -1;
	ofp_put32(p + 8, pi->buffer_id);
	ofp_put16(p + 12, pi->total_len);
	p[14] = pi->reason;
	p[15] = pi->table_id;
	ofp_put64(p + 16, pi->cookie);
	ofp_match_put(p + PACKET_IN_FIXED, &pi->match);
	ofp_put16(p + PACKET_IN_FIXED + mlen, 0);
	if (pi->data_len > 0)
		memcpy(p + PACKET_IN_FIXED + mlen + 2, pi->data, pi->data_len);
	return (ssize_t)len;
}

int
ofp_decode_packet_in(const void *msg, size_t len, struct ofp_packet_in *pi)
{
	const uint8_t	*p = msg;
	ssize_t		 mlen;
	size_t		 off;

	memset(pi, 0, sizeof(*pi));
	if (ofp_open(p, len, OFPT_PACKET_IN,
	    PACKET_IN_FIXED + OFP_MATCH_MIN + 2) == -1)
		return -1;
	mlen = ofp_match_get(p + PACKET_IN_FIXED, len - PACKET_IN_FIXED,
	    &pi->match);
	if (mlen == -1)
		return -1;
	off = PACKET_IN_FIXED + (size_t)mlen;
	if (len - off < 2)
		goto bad;
	off += 2;
	pi->buffer_id = ofp_get32(p + 8);
	pi->total_len = ofp_get16(p + 12);
	pi->reason = p[14];
	pi->table_id = p[15];
	pi->cookie = ofp_get64(p + 16);
	pi->data_len = len - off;
	pi->data = pi->data_len ? p + off : NULL;
	return 0;
bad:
	memset(pi, 0, sizeof(*pi));
	errno = EBADMSG;
	return -1;
}

/* PACKET_OUT. */

static int
packet_out_check(const struct ofp_packet_out *po)
{
	if (po->buffer_id != OFP_NO_BUFFER && po->data_len != 0) {
		errno = EINVAL;
		return -1;
	}
	return ofp_actions_check(&po->actions, NULL);
}

ssize_t
ofp_encode_packet_out(void *buf, size_t size, uint32_t xid,
    const struct ofp_packet_out *po)
{
	uint8_t		*p = buf;
	size_t		 alen, len;

	if (packet_out_check(po) == -1)
		return -1;
	if (po->data_len > OFP_MAX_MSG_LEN) {
		errno = EMSGSIZE;
		return -1;
	}
	alen = ofp_actions_wire_len(&po->actions);
	len = PACKET_OUT_FIXED + alen + po->data_len;
	if (ofp_start(p, size, OFPT_PACKET_OUT, len, xid) == -1)
		return -1;
	ofp_put32(p + 8, po->buffer_id);
	ofp_put32(p + 12, po->in_port);
	ofp_put16(p + 16, (uint16_t)alen);
	memset(p + 18, 0, 6);
	ofp_actions_put(p + PACKET_OUT_FIXED, &po->actions);
	if (po->data_len > 0)
		memcpy(p + PACKET_OUT_FIXED + alen, po->data, po->data_len);
	return (ssize_t)len;
}

int
ofp_decode_packet_out(const void *msg, size_t len,
    struct ofp_packet_out *po)
{
	const uint8_t	*p = msg;
	size_t		 alen;

	memset(po, 0, sizeof(*po));
	if (ofp_open(p, len, OFPT_PACKET_OUT, PACKET_OUT_FIXED) == -1)
		return -1;
	alen = ofp_get16(p + 16);
	if (alen > len - PACKET_OUT_FIXED)
		goto bad;
	if (ofp_actions_get(p + PACKET_OUT_FIXED, alen, &po->actions) == -1)
		goto bad;
	po->buffer_id = ofp_get32(p + 8);
	po->in_port = ofp_get32(p + 12);
	po->data_len = len - PACKET_OUT_FIXED - alen;
	po->data = po->data_len ? p + PACKET_OUT_FIXED + alen : NULL;
	if (packet_out_check(po) == -1)
		goto bad;
	return 0;
bad:
	memset(po, 0, sizeof(*po));
	errno = EBADMSG;
	return -1;
}

/* FLOW_MOD. */

void
ofp_flow_mod_init(struct ofp_flow_mod *fm)
{
	memset(fm, 0, sizeof(*fm));
	fm->command = OFPFC_ADD;
	fm->buffer_id = OFP_NO_BUFFER;
	fm->out_port = OFPP_ANY;
	fm->out_group = OFPG_ANY;
}

static int
flow_mod_check(const struct ofp_flow_mod *fm)
{
	if (fm->command > OFPFC_DELETE_STRICT ||
	    (fm->flags & ~FLOW_MOD_FLAGS) ||
	    (fm->instructions & ~(OFPIT_BIT(OFPIT_GOTO_TABLE) |
	    OFPIT_BIT(OFPIT_APPLY_ACTIONS))))
		goto bad;
	if (fm->command < OFPFC_DELETE && fm->table_id == OFPTT_ALL)
		goto bad;
	if ((fm->instructions & OFPIT_BIT(OFPIT_GOTO_TABLE)) &&
	    (fm->goto_table <= fm->table_id || fm->goto_table > OFPTT_MAX))
		goto bad;
	if (ofp_match_check(&fm->match) == -1)
		return -1;
	if (fm->instructions & OFPIT_BIT(OFPIT_APPLY_ACTIONS))
		return ofp_actions_check(&fm->apply, &fm->match);
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

ssize_t
ofp_encode_flow_mod(void *buf, size_t size, uint32_t xid,
    const struct ofp_flow_mod *fm)
{
	uint8_t		*p = buf;
	size_t		 mlen, alen = 0, len;

	if (flow_mod_check(fm) == -1)
		return -1;
	mlen = ofp_match_wire_len(&fm->match);
	len = FLOW_MOD_FIXED + mlen;
	if (fm->instructions & OFPIT_BIT(OFPIT_GOTO_TABLE))
		len += INST_HDR;
	if (fm->instructions & OFPIT_BIT(OFPIT_APPLY_ACTIONS)) {
		alen = ofp_actions_wire_len(&fm->apply);
		len += INST_HDR + alen;
	}
	if (ofp_start(p, size, OFPT_FLOW_MOD, len, xid) == -1)
		return -1;
	ofp_put64(p + 8, fm->cookie);
	ofp_put64(p + 16, fm->cookie_mask);
	p[24] = fm->table_id;
	p[25] = fm->command;
	ofp_put16(p + 26, fm->idle_timeout);
	ofp_put16(p + 28, fm->hard_timeout);
	ofp_put16(p + 30, fm->priority);
	ofp_put32(p + 32, fm->buffer_id);
	ofp_put32(p + 36, fm->out_port);
	ofp_put32(p + 40, fm->out_group);
	ofp_put16(p + 44, fm->flags);
	ofp_put16(p + 46, 0);
	ofp_match_put(p + FLOW_MOD_FIXED, &fm->match);
	p += FLOW_MOD_FIXED + mlen;
	/* The order of the list does not matter: the spec fixes the
	 * order of execution.  Apply first reads naturally. */
	if (fm->instructions & OFPIT_BIT(OFPIT_APPLY_ACTIONS)) {
		ofp_put16(p, OFPIT_APPLY_ACTIONS);
		ofp_put16(p + 2, (uint16_t)(INST_HDR + alen));
		memset(p + 4, 0, 4);
		ofp_actions_put(p + INST_HDR, &fm->apply);
		p += INST_HDR + alen;
	}
	if (fm->instructions & OFPIT_BIT(OFPIT_GOTO_TABLE)) {
		ofp_put16(p, OFPIT_GOTO_TABLE);
		ofp_put16(p + 2, INST_HDR);
		p[4] = fm->goto_table;
		memset(p + 5, 0, 3);
	}
	return (ssize_t)len;
}

/*
 * The instruction list fills the rest of the message.  Each instruction
 * is a type and a length (a multiple of 8, at least 8); goto-table and
 * apply-actions may each appear once, other types are outside the
 * subset.
 */
static int
get_instructions(const uint8_t *p, size_t len, struct ofp_flow_mod *fm)
{
	size_t		 off, ilen;
	unsigned int	 type;

	for (off = 0; off < len; off += ilen) {
		if (len - off < INST_HDR)
			return -1;
		type = ofp_get16(p + off);
		ilen = ofp_get16(p + off + 2);
		if (ilen < INST_HDR || ilen % 8 != 0 || ilen > len - off)
			return -1;
		if (type != OFPIT_GOTO_TABLE && type != OFPIT_APPLY_ACTIONS)
			return -1;
		if (fm->instructions & OFPIT_BIT(type))
			return -1;
		fm->instructions |= OFPIT_BIT(type);
		if (type == OFPIT_GOTO_TABLE) {
			if (ilen != INST_HDR)
				return -1;
			fm->goto_table = p[off + 4];
		} else if (ofp_actions_get(p + off + INST_HDR,
		    ilen - INST_HDR, &fm->apply) == -1)
			return -1;
	}
	return 0;
}

int
ofp_decode_flow_mod(const void *msg, size_t len, struct ofp_flow_mod *fm)
{
	const uint8_t	*p = msg;
	ssize_t		 mlen;
	size_t		 off;

	memset(fm, 0, sizeof(*fm));
	if (ofp_open(p, len, OFPT_FLOW_MOD,
	    FLOW_MOD_FIXED + OFP_MATCH_MIN) == -1)
		return -1;
	fm->cookie = ofp_get64(p + 8);
	fm->cookie_mask = ofp_get64(p + 16);
	fm->table_id = p[24];
	fm->command = p[25];
	fm->idle_timeout = ofp_get16(p + 26);
	fm->hard_timeout = ofp_get16(p + 28);
	fm->priority = ofp_get16(p + 30);
	fm->buffer_id = ofp_get32(p + 32);
	fm->out_port = ofp_get32(p + 36);
	fm->out_group = ofp_get32(p + 40);
	fm->flags = ofp_get16(p + 44);
	mlen = ofp_match_get(p + FLOW_MOD_FIXED, len - FLOW_MOD_FIXED,
	    &fm->match);
	if (mlen == -1)
		goto bad;
	off = FLOW_MOD_FIXED + (size_t)mlen;
	if (get_instructions(p + off, len - off, fm) == -1)
		goto bad;
	if (flow_mod_check(fm) == -1)
		goto bad;
	return 0;
bad:
	memset(fm, 0, sizeof(*fm));
	errno = EBADMSG;
	return -1;
}

/* FLOW_REMOVED. */

ssize_t
ofp_encode_flow_removed(void *buf, size_t size, uint32_t xid,
    const struct ofp_flow_removed *fr)
{
	uint8_t		*p = buf;
	size_t		 len;

	if (ofp_match_check(&fr->match) == -1)
		return -1;
	len = FLOW_REMOVED_FIXED + ofp_match_wire_len(&fr->match);
	if (ofp_start(p, size, OFPT_FLOW_REMOVED, len, xid) == -1)
		return -1;
	ofp_put64(p + 8, fr->cookie);
	ofp_put16(p + 16, fr->priority);
	p[18] = fr->reason;
	p[19] = fr->table_id;
	ofp_put32(p + 20, fr->duration_sec);
	ofp_put32(p + 24, fr->duration_nsec);
	ofp_put16(p + 28, fr->idle_timeout);
	ofp_put16(p + 30, fr->hard_timeout);
	ofp_put64(p + 32, fr->packet_count);
	ofp_put64(p + 40, fr->byte_count);
	ofp_match_put(p + FLOW_REMOVED_FIXED, &fr->match);
	return (ssize_t)len;
}

int
ofp_decode_flow_removed(const void *msg, size_t len,
    struct ofp_flow_removed *fr)
{
	const uint8_t	*p = msg;
	ssize_t		 mlen;

	memset(fr, 0, sizeof(*fr));
	if (ofp_open(p, len, OFPT_FLOW_REMOVED,
	    FLOW_REMOVED_FIXED + OFP_MATCH_MIN) == -1)
		return -1;
	mlen = ofp_match_get(p + FLOW_REMOVED_FIXED, len - FLOW_REMOVED_FIXED,
	    &fr->match);
	if (mlen == -1)
		return -1;
	if (FLOW_REMOVED_FIXED + (size_t)mlen != len) {
		memset(fr, 0, sizeof(*fr));
		errno = EBADMSG;
		return -1;
	}
	fr->cookie = ofp_get64(p + 8);
	fr->priority = ofp_get16(p + 16);
	fr->reason = p[18];
	fr->table_id = p[19];
	fr->duration_sec = ofp_get32(p + 20);
	fr->duration_nsec = ofp_get32(p + 24);
	fr->idle_timeout = ofp_get16(p + 28);
	fr->hard_timeout = ofp_get16(p + 30);
	fr->packet_count = ofp_get64(p + 32);
	fr->byte_count = ofp_get64(p + 40);
	return 0;
}
