/*
 * Pure encoder and decoder for vsp frames: no I/O, no logging, no
 * allocation, no state but a counter of CRC work.  Every length is checked
 * before it is used, and every reserved byte must be zero so that later
 * versions can use them.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "vsp.h"

#define STATE_FIXED	(VSP_NAME_LEN + 4)
#define GROUP_LEN	(VSP_NAME_LEN + 4)
#define ADDR_LEN	8
#define ACK_FIXED	16
#define RESULT_LEN	8
#define HELLO_LEN	(4 + VSP_NAME_LEN)
#define YIELD_LEN	8

static const uint8_t magic_bytes[4] = { 0x56, 0x52, 0x53, 0x50 };

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, v & 0xffffffffu);
}

uint64_t	 vsp_crc_bytes;

uint32_t
vsp_crc32(const void *p, size_t len)
{
	vsp_crc_bytes += len;
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)len);
}

int
vsp_seq_next(uint64_t *epoch, uint32_t *seq)
{
	if (*seq < UINT32_MAX) {
		(*seq)++;
		return 0;
	}
	/* A wrapped seq would look older than the last one: start over. */
	if (*epoch == UINT64_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	(*epoch)++;
	*seq = 1;
	return 0;
}

/* Names are 1..32 graphic ASCII bytes, NUL padded to 32. */
static int
get_name(const uint8_t *p, char *out, int allow_empty)
{
	size_t	 i, n;

	for (n = 0; n < VSP_NAME_LEN && p[n] != '\0'; n++)
		if (p[n] < 0x21 || p[n] > 0x7e)
			return -1;
	for (i = n; i < VSP_NAME_LEN; i++)
		if (p[i] != '\0')
			return -1;
	if (n == 0 && !allow_empty)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static int
put_name(uint8_t *p, const char *name, int allow_empty)
{
	size_t	 i, n = strnlen(name, VSP_NAME_LEN + 1);

	if (n > VSP_NAME_LEN || (n == 0 && !allow_empty))
		return -1;
	for (i = 0; i < n; i++)
		if ((uint8_t)name[i] < 0x21 || (uint8_t)name[i] > 0x7e)
			return -1;
	memset(p, 0, VSP_NAME_LEN);
	memcpy(p, name, n);
	return 0;
}

/*
 * Where in p[0..len) a frame could start: the first whole magic, or a
 * prefix of one that runs into the end; len if nowhere.  memmem, not a
 * loop per byte, so a run of garbage costs a scan and no more.
 */
static size_t
next_magic(const uint8_t *p, size_t len)
{
	const uint8_t	*m;
	size_t		 i;

	if ((m = memmem(p, len, magic_bytes, sizeof(magic_bytes))) != NULL)
		return (size_t)(m - p);
	for (i = len > 3 ? len - 3 : 0; i < len; i++)
		if (memcmp(p + i, magic_bytes, len - i) == 0)
			return i;
	return len;
}

/*
 * Look at the front of buf.  Once a header's own CRC holds, the header is
 * trusted: a payload that fails its CRC makes the whole frame, header and
 * length bytes, one bad frame (VSP_SCAN_BAD_PAYLOAD), never garbage to
 * rescan.  So no payload byte is checked against two overlapping headers,
 * and a stream of headers claiming long payloads costs each byte one CRC.
 */
enum vsp_scan
vsp_frame_check(const void *buf, size_t len, size_t *outlen)
{
	const uint8_t	*p = buf;
	size_t		 n;
	uint32_t	 plen;

	n = len < sizeof(magic_bytes) ? len : sizeof(magic_bytes);
	if (memcmp(p, magic_bytes, n) != 0) {
		*outlen = 1 + next_magic(p + 1, len - 1);
		return VSP_SCAN_GARBAGE;
	}
	if (len < VSP_HDR_LEN) {
		*outlen = 0;
		return VSP_SCAN_NEED_MORE;
	}
	/* The length first: it is cheaper than the CRC and kills as much. */
	plen = get32(p + 8);
	if (plen > VSP_MAX_PAYLOAD || vsp_crc32(p, 28) != get32(p + 28)) {
		*outlen = 1;
		return VSP_SCAN_GARBAGE;
	}
	*outlen = VSP_HDR_LEN + plen;
	if (len < VSP_HDR_LEN + plen)
		return VSP_SCAN_NEED_MORE;
	if (vsp_crc32(p + VSP_HDR_LEN, plen) != get32(p + 24))
		return VSP_SCAN_BAD_PAYLOAD;
	return VSP_SCAN_FRAME;
}

static int
decode_hello(const uint8_t *p, size_t len, struct vsp_hello_msg *m)
{
	if (len != HELLO_LEN || get16(p + 2) != 0)
		return -1;
	m->min_version = p[0];
	m->max_version = p[1];
	if (m->min_version > m->max_version)
		return -1;
	return get_name(p + 4, m->host, 1);
}

static int
decode_state(const uint8_t *p, size_t len, struct vsp_state_msg *m)
{
	const uint8_t	*q;
	size_t		 i, j;

	if (len < STATE_FIXED)
		return -1;
	if (get_name(p, m->router_id, 0) == -1)
		return -1;
	m->ngroups = get16(p + VSP_NAME_LEN);
	m->naddrs = get16(p + VSP_NAME_LEN + 2);
	if (m->ngroups > VSP_MAX_GROUPS || m->naddrs > VSP_MAX_ADDRS)
		return -1;
	if (len != STATE_FIXED + (size_t)m->ngroups * GROUP_LEN +
	    (size_t)m->naddrs * ADDR_LEN)
		return -1;

	q = p + STATE_FIXED;
	for (i = 0; i < m->ngroups; i++, q += GROUP_LEN) {
		struct vsp_group *g = &m->groups[i];

		if (get_name(q, g->name, 0) == -1)
			return -1;
		g->kind = q[VSP_NAME_LEN];
		g->state = q[VSP_NAME_LEN + 1];
		g->priority = q[VSP_NAME_LEN + 2];
		if (g->kind >= VSP_KIND_MAX || g->state >= VSP_ST_MAX ||
		    q[VSP_NAME_LEN + 3] != 0)
			return -1;
	}
	for (i = 0; i < m->naddrs; i++, q += ADDR_LEN) {
		struct vsp_addr *a = &m->addrs[i];

		memcpy(&a->addr, q, 4);
		a->plen = q[4];
		a->state = q[5];
		a->group = q[6];
		if (a->plen > 32 || a->state >= VSP_ST_MAX || q[7] != 0)
			return -1;
		if (a->group != 0xff && a->group >= m->ngroups)
			return -1;
		/* Two claims on one address would contradict each other. */
		for (j = 0; j < i; j++)
			if (m->addrs[j].addr == a->addr)
				return -1;
	}
	return 0;
}

static int
decode_ack(const uint8_t *p, size_t len, struct vsp_ack_msg *m)
{
	const uint8_t	*q;
	size_t		 i;

	if (len < ACK_FIXED)
		return -1;
	m->acked_seq = get32(p);
	m->acked_epoch = get64(p + 4);
	m->nresults = get16(p + 12);
	if (get16(p + 14) != 0 || m->nresults > VSP_MAX_ADDRS)
		return -1;
	if (len != ACK_FIXED + (size_t)m->nresults * RESULT_LEN)
		return -1;
	q = p + ACK_FIXED;
	for (i = 0; i < m->nresults; i++, q += RESULT_LEN) {
		struct vsp_result_entry *r = &m->results[i];

		memcpy(&r->addr, q, 4);
		r->result = q[4];
		r->reason = q[5];
		if (r->result >= VSP_RES_MAX || r->reason >= VSP_WHY_MAX ||
		    get16(q + 6) != 0)
			return -1;
	}
	return 0;
}

static int
decode_yield(const uint8_t *p, size_t len, struct vsp_yield_msg *m)
{
	if (len != YIELD_LEN || get32(p + 4) != 0)
		return -1;
	m->request = get32(p);
	return m->request != 0 ? 0 : -1;
}

/*
 * Decode one whole frame (as delimited by vsp_frame_check) into *msg.
 * Returns 0, or -1 with errno EBADMSG for a malformed frame and
 * EPROTONOSUPPORT for a version this code does not speak.
 */
int
vsp_decode(const void *buf, size_t len, struct vsp_msg *msg)
{
	const uint8_t	*p = buf;
	size_t		 flen;
	int		 rv;

	if (vsp_frame_check(buf, len, &flen) != VSP_SCAN_FRAME ||
	    flen != len) {
		errno = EBADMSG;
		return -1;
	}
	memset(&msg->hdr, 0, sizeof(msg->hdr));
	msg->hdr.version = p[4];
	msg->hdr.type = p[5];
	msg->hdr.flags = get16(p + 6);
	msg->hdr.length = get32(p + 8);
	msg->hdr.seq = get32(p + 12);
	msg->hdr.epoch = get64(p + 16);
	if (msg->hdr.version != VSP_VERSION) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (msg->hdr.flags != 0) {
		errno = EBADMSG;
		return -1;
	}
	p += VSP_HDR_LEN;
	switch (msg->hdr.type) {
	case VSP_HELLO:
		rv = decode_hello(p, msg->hdr.length, &msg->u.hello);
		break;
	case VSP_STATE:
		rv = decode_state(p, msg->hdr.length, &msg->u.state);
		break;
	case VSP_ACK:
		rv = decode_ack(p, msg->hdr.length, &msg->u.ack);
		break;
	case VSP_YIELD:
		rv = decode_yield(p, msg->hdr.length, &msg->u.yield);
		break;
	default:
		rv = -1;
		break;
	}
	if (rv == -1)
		errno = EBADMSG;
	return rv;
}

static ssize_t
encode_payload(uint8_t *p, size_t size, const struct vsp_msg *msg)
{
	const struct vsp_state_msg *s = &msg->u.state;
	const struct vsp_ack_msg *a = &msg->u.ack;
	size_t		 i, len;
	uint8_t		*q;

	switch (msg->hdr.type) {
	case VSP_HELLO:
		if (size < HELLO_LEN)
			goto small;
		p[0] = msg->u.hello.min_version;
		p[1] = msg->u.hello.max_version;
		put16(p + 2, 0);
		if (put_name(p + 4, msg->u.hello.host, 1) == -1)
			goto inval;
		return HELLO_LEN;
	case VSP_STATE:
		if (s->ngroups > VSP_MAX_GROUPS || s->naddrs > VSP_MAX_ADDRS)
			goto inval;
		len = STATE_FIXED + (size_t)s->ngroups * GROUP_LEN +
		    (size_t)s->naddrs * ADDR_LEN;
		if (size < len)
			goto small;
		if (put_name(p, s->router_id, 0) == -1)
			goto inval;
		put16(p + VSP_NAME_LEN, s->ngroups);
		put16(p + VSP_NAME_LEN + 2, s->naddrs);
		q = p + STATE_FIXED;
		for (i = 0; i < s->ngroups; i++, q += GROUP_LEN) {
			if (put_name(q, s->groups[i].name, 0) == -1)
				goto inval;
			q[VSP_NAME_LEN] = s->groups[i].kind;
			q[VSP_NAME_LEN + 1] = s->groups[i].state;
			q[VSP_NAME_LEN + 2] = s->groups[i].priority;
			q[VSP_NAME_LEN + 3] = 0;
		}
		for (i = 0; i < s->naddrs; i++, q += ADDR_LEN) {
			memcpy(q, &s->addrs[i].addr, 4);
			q[4] = s->addrs[i].plen;
			q[5] = s->addrs[i].state;
			q[6] = s->addrs[i].group;
			q[7] = 0;
		}
		return (ssize_t)len;
	case VSP_ACK:
		if (a->nresults > VSP_MAX_ADDRS)
			goto inval;
		len = ACK_FIXED + (size_t)a->nresults * RESULT_LEN;
		if (size < len)
			goto small;
		put32(p, a->acked_seq);
		put64(p + 4, a->acked_epoch);
		put16(p + 12, a->nresults);
		put16(p + 14, 0);
		q = p + ACK_FIXED;
		for (i = 0; i < a->nresults; i++, q += RESULT_LEN) {
			memcpy(q, &a->results[i].addr, 4);
			q[4] = a->results[i].result;
			q[5] = a->results[i].reason;
			put16(q + 6, 0);
		}
		return (ssize_t)len;
	case VSP_YIELD:
		if (msg->u.yield.request == 0)
			goto inval;
		if (size < YIELD_LEN)
			goto small;
		put32(p, msg->u.yield.request);
		put32(p + 4, 0);
		return YIELD_LEN;
	default:
		goto inval;
	}
small:
	errno = ERANGE;
	return -1;
inval:
	errno = EINVAL;
	return -1;
}

/*
 * Encode *msg (type, seq and epoch from msg->hdr; version, length and
 * checksums are filled in here) into the caller's buffer of size bytes.
 * Returns the frame length, or -1 with errno ERANGE (buffer too small) or
 * EINVAL (the message cannot be represented).  The encoder refuses
 * anything the decoder would reject, so peers only see valid frames.
 */
ssize_t
vsp_encode(void *buf, size_t size, const struct vsp_msg *msg)
{
	struct vsp_msg	 check;
	uint8_t		*p = buf;
	ssize_t		 plen;

	if (size < VSP_HDR_LEN) {
		errno = ERANGE;
		return -1;
	}
	plen = encode_payload(p + VSP_HDR_LEN, size - VSP_HDR_LEN, msg);
	if (plen == -1)
		return -1;
	memcpy(p, magic_bytes, 4);
	p[4] = VSP_VERSION;
	p[5] = msg->hdr.type;
	put16(p + 6, 0);
	put32(p + 8, (uint32_t)plen);
	put32(p + 12, msg->hdr.seq);
	put64(p + 16, msg->hdr.epoch);
	put32(p + 24, vsp_crc32(p + VSP_HDR_LEN, (size_t)plen));
	put32(p + 28, vsp_crc32(p, 28));
	/* Every type, not only STATE: any of them can be invalid. */
	if (vsp_decode(p, VSP_HDR_LEN + (size_t)plen, &check) == -1) {
		errno = EINVAL;
		return -1;
	}
	return VSP_HDR_LEN + plen;
}

static const char *const state_names[VSP_ST_MAX] = {
	"INIT", "BACKUP", "MASTER", "FAULT", "STOP"
};
static const char *const result_names[VSP_RES_MAX] = {
	"installed", "withdrawn", "refused", "failed"
};
static const char *const reason_names[VSP_WHY_MAX] = {
	"", "address not registered for this VM", "prefix is not /32",
	"kernel refused the route", "tap interface missing",
	"a route vrouter did not make is in the way"
};

const char *
vsp_state_name(unsigned int s)
{
	return s < VSP_ST_MAX ? state_names[s] : "?";
}

int
vsp_state_parse(const char *name, uint8_t *state)
{
	unsigned int	 i;

	for (i = 0; i < VSP_ST_MAX; i++)
		if (strcasecmp(name, state_names[i]) == 0) {
			*state = (uint8_t)i;
			return 0;
		}
	errno = EINVAL;
	return -1;
}

const char *
vsp_result_name(unsigned int r)
{
	return r < VSP_RES_MAX ? result_names[r] : "?";
}

const char *
vsp_reason_name(unsigned int r)
{
	return r < VSP_WHY_MAX ? reason_names[r] : "?";
}

const char *
vsp_type_name(unsigned int t)
{
	switch (t) {
	case VSP_HELLO:
		return "HELLO";
	case VSP_STATE:
		return "STATE";
	case VSP_ACK:
		return "ACK";
	case VSP_YIELD:
		return "YIELD";
	}
	return "?";
}
