/*
 * MULTIPART FLOW statistics: the request (which flows: table, out port
 * and group, cookie under a mask, a match) and the reply, one entry per
 * flow.  A reply entry's match and instructions are kept as the bytes
 * the switch sent, checked for framing only: the controller needs a
 * flow's cookie and counters, and a flow outside the codec's subset (an
 * operator's) must not make the whole reply unreadable.
 */
#include <errno.h>
#include <string.h>

#include "ofp_wire.h"

#define MP_LEN		16	/* multipart header: type, flags, pad */
#define FSREQ_FIXED	(MP_LEN + 32)	/* then the match */
#define FS_FIXED	48	/* one entry's fixed part; then match, insts */
#define INST_HDR	8

/* FLOW request. */

ssize_t
ofp_encode_flow_stats_request(void *buf, size_t size, uint32_t xid,
    const struct ofp_flow_stats_request *r)
{
	uint8_t		*p = buf;
	size_t		 len;

	if (ofp_match_check(&r->match) == -1)
		return -1;
	len = FSREQ_FIXED + ofp_match_wire_len(&r->match);
	if (ofp_start(p, size, OFPT_MULTIPART_REQUEST, len, xid) == -1)
		return -1;
	ofp_put16(p + 8, OFPMP_FLOW);
	memset(p + 10, 0, 6);
	p[16] = r->table_id;
	memset(p + 17, 0, 3);
	ofp_put32(p + 20, r->out_port);
	ofp_put32(p + 24, r->out_group);
	memset(p + 28, 0, 4);
	ofp_put64(p + 32, r->cookie);
	ofp_put64(p + 40, r->cookie_mask);
	ofp_match_put(p + FSREQ_FIXED, &r->match);
	return (ssize_t)len;
}

int
ofp_decode_flow_stats_request(const void *msg, size_t len,
    struct ofp_flow_stats_request *r)
{
	const uint8_t	*p = msg;
	ssize_t		 mlen;

	memset(r, 0, sizeof(*r));
	if (ofp_open(p, len, OFPT_MULTIPART_REQUEST,
	    FSREQ_FIXED + OFP_MATCH_MIN) == -1)
		return -1;
	if (ofp_get16(p + 8) != OFPMP_FLOW || ofp_get16(p + 10) != 0)
		goto bad;
	mlen = ofp_match_get(p + FSREQ_FIXED, len - FSREQ_FIXED, &r->match);
	if (mlen == -1 || FSREQ_FIXED + (size_t)mlen != len)
		goto bad;
	r->table_id = p[16];
	r->out_port = ofp_get32(p + 20);
	r->out_group = ofp_get32(p + 24);
	r->cookie = ofp_get64(p + 32);
	r->cookie_mask = ofp_get64(p + 40);
	return 0;
bad:
	memset(r, 0, sizeof(*r));
	errno = EBADMSG;
	return -1;
}

/*
 * The framing of an entry's raw match (an OXM ofp_match: type, length
 * of header and TLVs, zero padding to 8) and instructions (each a type
 * and a length of at least 8, a multiple of 8, that fits).  0 or -1.
 */
static int
raw_match_ok(const uint8_t *p, size_t len)
{
	size_t	 mlen;

	if (len < OFP_MATCH_MIN || ofp_get16(p) != OFPMT_OXM)
		return -1;
	mlen = ofp_get16(p + 2);
	if (mlen < 4 || OFP_ALIGN8(mlen) != len)
		return -1;
	return ofp_zero(p + mlen, len - mlen) ? 0 : -1;
}

static int
raw_insts_ok(const uint8_t *p, size_t len)
{
	size_t	 off, ilen;

	for (off = 0; off < len; off += ilen) {
		if (len - off < INST_HDR)
			return -1;
		ilen = ofp_get16(p + off + 2);
		if (ilen < INST_HDR || ilen % 8 != 0 || ilen > len - off)
			return -1;
	}
	return 0;
}

/* The OXM match length at p (padded), or 0 when it does not fit. */
static size_t
raw_match_len(const uint8_t *p, size_t len)
{
	size_t	 mlen;

	if (len < 4)
		return 0;
	mlen = OFP_ALIGN8((size_t)ofp_get16(p + 2));
	return mlen <= len ? mlen : 0;
}

static int
entry_ok(const struct ofp_flow_stats *fs)
{
	if (fs->match == NULL || raw_match_ok(fs->match, fs->match_len) ==
	    -1 || (fs->instructions_len > 0 && fs->instructions == NULL) ||
	    raw_insts_ok(fs->instructions, fs->instructions_len) == -1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* FLOW reply. */

ssize_t
ofp_encode_flow_stats_reply(void *buf, size_t size, uint32_t xid,
    uint16_t flags, const struct ofp_flow_stats *fs, size_t n)
{
	uint8_t		*p = buf;
	size_t		 i, len = MP_LEN, elen;

	if (flags & ~OFPMPF_REPLY_MORE) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (entry_ok(&fs[i]) == -1)
			return -1;
		elen = FS_FIXED + fs[i].match_len + fs[i].instructions_len;
		if (elen > OFP_MAX_MSG_LEN) {
			errno = EMSGSIZE;
			return -1;
		}
		len += elen;
		if (len > OFP_MAX_MSG_LEN) {
			errno = EMSGSIZE;
			return -1;
		}
	}
	if (ofp_start(p, size, OFPT_MULTIPART_REPLY, len, xid) == -1)
		return -1;
	ofp_put16(p + 8, OFPMP_FLOW);
	ofp_put16(p + 10, flags);
	memset(p + 12, 0, 4);
	p += MP_LEN;
	for (i = 0; i < n; i++, p += elen) {
		elen = FS_FIXED + fs[i].match_len + fs[i].instructions_len;
		ofp_put16(p, (uint16_t)elen);
		p[2] = fs[i].table_id;
		p[3] = 0;
		ofp_put32(p + 4, fs[i].duration_sec);
		ofp_put32(p + 8, fs[i].duration_nsec);
		ofp_put16(p + 12, fs[i].priority);
		ofp_put16(p + 14, fs[i].idle_timeout);
		ofp_put16(p + 16, fs[i].hard_timeout);
		ofp_put16(p + 18, fs[i].flags);
		memset(p + 20, 0, 4);
		ofp_put64(p + 24, fs[i].cookie);
		ofp_put64(p + 32, fs[i].packet_count);
		ofp_put64(p + 40, fs[i].byte_count);
		memcpy(p + FS_FIXED, fs[i].match, fs[i].match_len);
		if (fs[i].instructions_len > 0)
			memcpy(p + FS_FIXED + fs[i].match_len,
			    fs[i].instructions, fs[i].instructions_len);
	}
	return (ssize_t)len;
}

/* The entry at body + off (off_next: after it); 0 or -1 (malformed). */
static int
entry_get(const uint8_t *body, size_t body_len, size_t off,
    struct ofp_flow_stats *fs, size_t *off_next)
{
	const uint8_t	*p = body + off;
	size_t		 elen, left = body_len - off, mlen;

	memset(fs, 0, sizeof(*fs));
	if (left < FS_FIXED + OFP_MATCH_MIN)
		return -1;
	elen = ofp_get16(p);
	if (elen < FS_FIXED + OFP_MATCH_MIN || elen > left)
		return -1;
	if ((mlen = raw_match_len(p + FS_FIXED, elen - FS_FIXED)) == 0 ||
	    raw_match_ok(p + FS_FIXED, mlen) == -1 ||
	    raw_insts_ok(p + FS_FIXED + mlen, elen - FS_FIXED - mlen) == -1)
		return -1;
	fs->table_id = p[2];
	fs->duration_sec = ofp_get32(p + 4);
	fs->duration_nsec = ofp_get32(p + 8);
	fs->priority = ofp_get16(p + 12);
	fs->idle_timeout = ofp_get16(p + 14);
	fs->hard_timeout = ofp_get16(p + 16);
	fs->flags = ofp_get16(p + 18);
	fs->cookie = ofp_get64(p + 24);
	fs->packet_count = ofp_get64(p + 32);
	fs->byte_count = ofp_get64(p + 40);
	fs->match = p + FS_FIXED;
	fs->match_len = mlen;
	fs->instructions_len = elen - FS_FIXED - mlen;
	fs->instructions = fs->instructions_len ? p + FS_FIXED + mlen : NULL;
	*off_next = off + elen;
	return 0;
}

int
ofp_decode_flow_stats_reply(const void *msg, size_t len,
    struct ofp_flow_stats_reply *r)
{
	const uint8_t		*p = msg;
	struct ofp_flow_stats	 fs;
	size_t			 off, n = 0;

	memset(r, 0, sizeof(*r));
	if (ofp_open(p, len, OFPT_MULTIPART_REPLY, MP_LEN) == -1)
		return -1;
	if (ofp_get16(p + 8) != OFPMP_FLOW ||
	    (ofp_get16(p + 10) & ~OFPMPF_REPLY_MORE))
		goto bad;
	for (off = 0; off < len - MP_LEN; n++)
		if (entry_get(p + MP_LEN, len - MP_LEN, off, &fs, &off) == -1)
			goto bad;
	r->flags = ofp_get16(p + 10);
	r->body = len > MP_LEN ? p + MP_LEN : NULL;
	r->body_len = len - MP_LEN;
	r->n_flows = n;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

int
ofp_flow_stats_next(const struct ofp_flow_stats_reply *r, size_t *off,
    struct ofp_flow_stats *fs)
{
	if (*off >= r->body_len)
		return 0;
	if (entry_get(r->body, r->body_len, *off, fs, off) == -1) {
		errno = EBADMSG;
		return -1;
	}
	return 1;
}

int
ofp_flow_stats_match(const struct ofp_flow_stats *fs, struct ofp_match *m)
{
	ssize_t	 n;

	if ((n = ofp_match_get(fs->match, fs->match_len, m)) == -1 ||
	    (size_t)n != fs->match_len) {
		memset(m, 0, sizeof(*m));
		errno = EBADMSG;
		return -1;
	}
	return 0;
}
