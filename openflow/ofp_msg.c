/*
 * OpenFlow 1.3 framing and the fixed-size and simple messages: HELLO,
 * ERROR, ECHO, FEATURES, SET_CONFIG, SET_ASYNC, GET_ASYNC, BARRIER,
 * PORT_DESC and PORT_STATUS.  Every decoder checks the exact size per
 * type; pad fields inside fixed structures are ignored on input and zero
 * on output.
 */
#include <errno.h>
#include <string.h>

#include "ofp_wire.h"

#define ERROR_LEN	12
#define FEATURES_LEN	32
#define CONFIG_LEN	12
#define ASYNC_LEN	32
#define MP_LEN		16	/* multipart header: type, flags, pad */
#define PORT_STATUS_LEN	(16 + OFP_PORT_LEN)
#define HELLO_ELEM_LEN	4

int
ofp_zero(const uint8_t *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

enum ofp_scan
ofp_header_check(const void *buf, size_t len, size_t maxlen, size_t *msglen)
{
	const uint8_t	*p = buf;
	size_t		 n;

	*msglen = 0;
	if (maxlen == 0 || maxlen > OFP_MAX_MSG_LEN)
		maxlen = OFP_MAX_MSG_LEN;
	if (len < 4)
		return OFP_SCAN_NEED_MORE;
	n = ofp_get16(p + 2);
	if (n < OFP_HEADER_LEN || n > maxlen)
		return OFP_SCAN_BAD;
	if (len < n)
		return OFP_SCAN_NEED_MORE;
	*msglen = n;
	return OFP_SCAN_FRAME;
}

int
ofp_decode_header(const void *msg, size_t len, struct ofp_header *h)
{
	const uint8_t	*p = msg;

	memset(h, 0, sizeof(*h));
	if (len < OFP_HEADER_LEN || ofp_get16(p + 2) != len) {
		errno = EBADMSG;
		return -1;
	}
	h->version = p[0];
	h->type = p[1];
	h->length = ofp_get16(p + 2);
	h->xid = ofp_get32(p + 4);
	return 0;
}

int
ofp_open(const uint8_t *p, size_t len, uint8_t type, size_t min)
{
	if (len < OFP_HEADER_LEN || len < min || ofp_get16(p + 2) != len ||
	    p[1] != type) {
		errno = EBADMSG;
		return -1;
	}
	if (p[0] != OFP_VERSION) {
		errno = EPROTONOSUPPORT;
		return -1;
	}
	return 0;
}

int
ofp_start(uint8_t *p, size_t size, uint8_t type, size_t len, uint32_t xid)
{
	if (len > OFP_MAX_MSG_LEN) {
		errno = EMSGSIZE;
		return -1;
	}
	if (size < len) {
		errno = ERANGE;
		return -1;
	}
	p[0] = OFP_VERSION;
	p[1] = type;
	ofp_put16(p + 2, (uint16_t)len);
	ofp_put32(p + 4, xid);
	return 0;
}

static const char *const type_names[] = {
	[OFPT_HELLO] = "HELLO",
	[OFPT_ERROR] = "ERROR",
	[OFPT_ECHO_REQUEST] = "ECHO_REQUEST",
	[OFPT_ECHO_REPLY] = "ECHO_REPLY",
	[OFPT_EXPERIMENTER] = "EXPERIMENTER",
	[OFPT_FEATURES_REQUEST] = "FEATURES_REQUEST",
	[OFPT_FEATURES_REPLY] = "FEATURES_REPLY",
	[OFPT_GET_CONFIG_REQUEST] = "GET_CONFIG_REQUEST",
	[OFPT_GET_CONFIG_REPLY] = "GET_CONFIG_REPLY",
	[OFPT_SET_CONFIG] = "SET_CONFIG",
	[OFPT_PACKET_IN] = "PACKET_IN",
	[OFPT_FLOW_REMOVED] = "FLOW_REMOVED",
	[OFPT_PORT_STATUS] = "PORT_STATUS",
	[OFPT_PACKET_OUT] = "PACKET_OUT",
	[OFPT_FLOW_MOD] = "FLOW_MOD",
	[OFPT_GROUP_MOD] = "GROUP_MOD",
	[OFPT_PORT_MOD] = "PORT_MOD",
	[OFPT_TABLE_MOD] = "TABLE_MOD",
	[OFPT_MULTIPART_REQUEST] = "MULTIPART_REQUEST",
	[OFPT_MULTIPART_REPLY] = "MULTIPART_REPLY",
	[OFPT_BARRIER_REQUEST] = "BARRIER_REQUEST",
	[OFPT_BARRIER_REPLY] = "BARRIER_REPLY",
	[22] = "QUEUE_GET_CONFIG_REQUEST",
	[23] = "QUEUE_GET_CONFIG_REPLY",
	[OFPT_ROLE_REQUEST] = "ROLE_REQUEST",
	[OFPT_ROLE_REPLY] = "ROLE_REPLY",
	[OFPT_GET_ASYNC_REQUEST] = "GET_ASYNC_REQUEST",
	[OFPT_GET_ASYNC_REPLY] = "GET_ASYNC_REPLY",
	[OFPT_SET_ASYNC] = "SET_ASYNC",
	[OFPT_METER_MOD] = "METER_MOD",
};

const char *
ofp_type_name(uint8_t type)
{
	if (type >= sizeof(type_names) / sizeof(type_names[0]) ||
	    type_names[type] == NULL)
		return "UNKNOWN";
	return type_names[type];
}

/* HELLO: a header and a list of elements, each padded to 8 bytes. */

ssize_t
ofp_encode_hello(void *buf, size_t size, uint32_t xid,
    const struct ofp_hello *h)
{
	uint8_t		*p = buf;
	size_t		 len = OFP_HEADER_LEN + (h->bitmap ? 8 : 0);

	if (ofp_start(p, size, OFPT_HELLO, len, xid) == -1)
		return -1;
	if (h->version != 0)
		p[0] = h->version;
	if (h->bitmap) {
		ofp_put16(p + 8, OFPHET_VERSIONBITMAP);
		ofp_put16(p + 10, HELLO_ELEM_LEN + 4);
		ofp_put32(p + 12, h->bitmap);
	}
	return (ssize_t)len;
}

/*
 * Any header version but 0 is taken (negotiation decides).  Unknown elements
 * are skipped; a bitmap element has at least one 32-bit word, of which
 * only the first (versions 0..31) is kept; a second bitmap is malformed.
 */
int
ofp_decode_hello(const void *msg, size_t len, struct ofp_hello *h)
{
	const uint8_t	*p = msg;
	size_t		 off, elen;
	int		 seen = 0;

	memset(h, 0, sizeof(*h));
	if (len < OFP_HEADER_LEN || ofp_get16(p + 2) != len ||
	    p[1] != OFPT_HELLO || p[0] == 0)
		goto bad;
	h->version = p[0];
	for (off = OFP_HEADER_LEN; off < len; off += OFP_ALIGN8(elen)) {
		if (len - off < HELLO_ELEM_LEN)
			goto bad;
		elen = ofp_get16(p + off + 2);
		if (elen < HELLO_ELEM_LEN || OFP_ALIGN8(elen) > len - off)
			goto bad;
		if (!ofp_zero(p + off + elen, OFP_ALIGN8(elen) - elen))
			goto bad;
		if (ofp_get16(p + off) != OFPHET_VERSIONBITMAP)
			continue;
		if (seen++ || elen < HELLO_ELEM_LEN + 4 ||
		    (elen - HELLO_ELEM_LEN) % 4 != 0)
			goto bad;
		h->bitmap = ofp_get32(p + off + HELLO_ELEM_LEN);
	}
	return 0;
bad:
	memset(h, 0, sizeof(*h));
	errno = EBADMSG;
	return -1;
}

int
ofp_hello_negotiate(const struct ofp_hello *peer)
{
	if (peer->bitmap != 0)
		return (peer->bitmap & OFP_HELLO_BITMAP_13) ? OFP_VERSION : 0;
	return peer->version >= OFP_VERSION ? OFP_VERSION : 0;
}

/* ECHO_REQUEST, ECHO_REPLY. */

static ssize_t
encode_echo(void *buf, size_t size, uint8_t type, uint32_t xid,
    const struct ofp_echo *e)
{
	uint8_t		*p = buf;
	size_t		 len;

	if (e->data_len > OFP_MAX_MSG_LEN) {
		errno = EMSGSIZE;
		return -1;
	}
	len = OFP_HEADER_LEN + e->data_len;
	if (ofp_start(p, size, type, len, xid) == -1)
		return -1;
	if (e->data_len > 0)
		memcpy(p + OFP_HEADER_LEN, e->data, e->data_len);
	return (ssize_t)len;
}

static int
decode_echo(const void *msg, size_t len, uint8_t type, struct ofp_echo *e)
{
	const uint8_t	*p = msg;

	memset(e, 0, sizeof(*e));
	if (ofp_open(p, len, type, OFP_HEADER_LEN) == -1)
		return -1;
	e->data_len = len - OFP_HEADER_LEN;
	e->data = e->data_len ? p + OFP_HEADER_LEN : NULL;
	return 0;
}

ssize_t
ofp_encode_echo_request(void *buf, size_t size, uint32_t xid,
    const struct ofp_echo *e)
{
	return encode_echo(buf, size, OFPT_ECHO_REQUEST, xid, e);
}

ssize_t
ofp_encode_echo_reply(void *buf, size_t size, uint32_t xid,
    const struct ofp_echo *e)
{
	return encode_echo(buf, size, OFPT_ECHO_REPLY, xid, e);
}

int
ofp_decode_echo_request(const void *msg, size_t len, struct ofp_echo *e)
{
	return decode_echo(msg, len, OFPT_ECHO_REQUEST, e);
}

int
ofp_decode_echo_reply(const void *msg, size_t len, struct ofp_echo *e)
{
	return decode_echo(msg, len, OFPT_ECHO_REPLY, e);
}

/* ERROR: type, code, then the data. */

ssize_t
ofp_encode_error(void *buf, size_t size, uint32_t xid,
    const struct ofp_error *e)
{
	uint8_t		*p = buf;
	size_t		 len;

	if (e->data_len > OFP_MAX_MSG_LEN) {
		errno = EMSGSIZE;
		return -1;
	}
	len = ERROR_LEN + e->data_len;
	if (ofp_start(p, size, OFPT_ERROR, len, xid) == -1)
		return -1;
	ofp_put16(p + 8, e->type);
	ofp_put16(p + 10, e->code);
	if (e->data_len > 0)
		memcpy(p + ERROR_LEN, e->data, e->data_len);
	return (ssize_t)len;
}

int
ofp_decode_error(const void *msg, size_t len, struct ofp_error *e)
{
	const uint8_t	*p = msg;

	memset(e, 0, sizeof(*e));
	if (ofp_open(p, len, OFPT_ERROR, ERROR_LEN) == -1)
		return -1;
	e->type = ofp_get16(p + 8);
	e->code = ofp_get16(p + 10);
	e->data_len = len - ERROR_LEN;
	e->data = e->data_len ? p + ERROR_LEN : NULL;
	return 0;
}

/* Messages that are a header only, and the PORT_DESC request. */

static ssize_t
encode_empty(void *buf, size_t size, uint8_t type, uint32_t xid)
{
	if (ofp_start(buf, size, type, OFP_HEADER_LEN, xid) == -1)
		return -1;
	return OFP_HEADER_LEN;
}

static int
decode_empty(const void *msg, size_t len, uint8_t type)
{
	if (ofp_open(msg, len, type, OFP_HEADER_LEN) == -1)
		return -1;
	if (len != OFP_HEADER_LEN) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

ssize_t
ofp_encode_features_request(void *buf, size_t size, uint32_t xid)
{
	return encode_empty(buf, size, OFPT_FEATURES_REQUEST, xid);
}

ssize_t
ofp_encode_barrier_request(void *buf, size_t size, uint32_t xid)
{
	return encode_empty(buf, size, OFPT_BARRIER_REQUEST, xid);
}

ssize_t
ofp_encode_barrier_reply(void *buf, size_t size, uint32_t xid)
{
	return encode_empty(buf, size, OFPT_BARRIER_REPLY, xid);
}

int
ofp_decode_features_request(const void *msg, size_t len)
{
	return decode_empty(msg, len, OFPT_FEATURES_REQUEST);
}

int
ofp_decode_barrier_request(const void *msg, size_t len)
{
	return decode_empty(msg, len, OFPT_BARRIER_REQUEST);
}

int
ofp_decode_barrier_reply(const void *msg, size_t len)
{
	return decode_empty(msg, len, OFPT_BARRIER_REPLY);
}

ssize_t
ofp_encode_port_desc_request(void *buf, size_t size, uint32_t xid)
{
	uint8_t		*p = buf;

	if (ofp_start(p, size, OFPT_MULTIPART_REQUEST, MP_LEN, xid) == -1)
		return -1;
	ofp_put16(p + 8, OFPMP_PORT_DESC);
	memset(p + 10, 0, 6);
	return MP_LEN;
}

int
ofp_decode_port_desc_request(const void *msg, size_t len)
{
	const uint8_t	*p = msg;

	if (ofp_open(p, len, OFPT_MULTIPART_REQUEST, MP_LEN) == -1)
		return -1;
	if (len != MP_LEN || ofp_get16(p + 8) != OFPMP_PORT_DESC ||
	    ofp_get16(p + 10) != 0) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* FEATURES_REPLY. */

ssize_t
ofp_encode_features_reply(void *buf, size_t size, uint32_t xid,
    const struct ofp_features *f)
{
	uint8_t		*p = buf;

	if (ofp_start(p, size, OFPT_FEATURES_REPLY, FEATURES_LEN, xid) == -1)
		return -1;
	ofp_put64(p + 8, f->datapath_id);
	ofp_put32(p + 16, f->n_buffers);
	p[20] = f->n_tables;
	p[21] = f->auxiliary_id;
	ofp_put16(p + 22, 0);
	ofp_put32(p + 24, f->capabilities);
	ofp_put32(p + 28, 0);
	return FEATURES_LEN;
}

int
ofp_decode_features_reply(const void *msg, size_t len,
    struct ofp_features *f)
{
	const uint8_t	*p = msg;

	memset(f, 0, sizeof(*f));
	if (ofp_open(p, len, OFPT_FEATURES_REPLY, FEATURES_LEN) == -1)
		return -1;
	if (len != FEATURES_LEN) {
		errno = EBADMSG;
		return -1;
	}
	f->datapath_id = ofp_get64(p + 8);
	f->n_buffers = ofp_get32(p + 16);
	f->n_tables = p[20];
	f->auxiliary_id = p[21];
	f->capabilities = ofp_get32(p + 24);
	return 0;
}

/* struct ofp_port: 64 bytes; the name is NUL-terminated within 16. */

static int
port_ok(const struct ofp_port *pt)
{
	return strnlen(pt->name, OFP_MAX_PORT_NAME_LEN) < OFP_MAX_PORT_NAME_LEN;
}

static void
put_port(uint8_t *p, const struct ofp_port *pt)
{
	size_t	 n = strnlen(pt->name, OFP_MAX_PORT_NAME_LEN);

	memset(p, 0, OFP_PORT_LEN);
	ofp_put32(p, pt->port_no);
	memcpy(p + 8, pt->hw_addr, 6);
	memcpy(p + 16, pt->name, n);
	ofp_put32(p + 32, pt->config);
	ofp_put32(p + 36, pt->state);
	ofp_put32(p + 40, pt->curr);
	ofp_put32(p + 44, pt->advertised);
	ofp_put32(p + 48, pt->supported);
	ofp_put32(p + 52, pt->peer);
	ofp_put32(p + 56, pt->curr_speed);
	ofp_put32(p + 60, pt->max_speed);
}

static int
get_port(const uint8_t *p, struct ofp_port *pt)
{
	size_t	 n;

	memset(pt, 0, sizeof(*pt));
	n = strnlen((const char *)p + 16, OFP_MAX_PORT_NAME_LEN);
	if (n >= OFP_MAX_PORT_NAME_LEN)
		return -1;
	memcpy(pt->name, p + 16, n);
	pt->port_no = ofp_get32(p);
	memcpy(pt->hw_addr, p + 8, 6);
	pt->config = ofp_get32(p + 32);
	pt->state = ofp_get32(p + 36);
	pt->curr = ofp_get32(p + 40);
	pt->advertised = ofp_get32(p + 44);
	pt->supported = ofp_get32(p + 48);
	pt->peer = ofp_get32(p + 52);
	pt->curr_speed = ofp_get32(p + 56);
	pt->max_speed = ofp_get32(p + 60);
	return 0;
}

/* MULTIPART_REPLY of type PORT_DESC: a multipart header, then ports. */

ssize_t
ofp_encode_port_desc_reply(void *buf, size_t size, uint32_t xid,
    const struct ofp_port_desc_reply *r)
{
	uint8_t		*p = buf;
	size_t		 i, len;

	if (r->n_ports > OFP_MAX_PORTS || (r->flags & ~OFPMPF_REPLY_MORE))
		goto inval;
	for (i = 0; i < r->n_ports; i++)
		if (!port_ok(&r->ports[i]))
			goto inval;
	len = MP_LEN + r->n_ports * OFP_PORT_LEN;
	if (ofp_start(p, size, OFPT_MULTIPART_REPLY, len, xid) == -1)
		return -1;
	ofp_put16(p + 8, OFPMP_PORT_DESC);
	ofp_put16(p + 10, r->flags);
	memset(p + 12, 0, 4);
	for (i = 0; i < r->n_ports; i++)
		put_port(p + MP_LEN + i * OFP_PORT_LEN, &r->ports[i]);
	return (ssize_t)len;
inval:
	errno = EINVAL;
	return -1;
}

/* More than OFP_MAX_PORTS ports in one reply: -1 with errno E2BIG. */
int
ofp_decode_port_desc_reply(const void *msg, size_t len,
    struct ofp_port_desc_reply *r)
{
	const uint8_t	*p = msg;
	size_t		 i, n;

	memset(r, 0, sizeof(*r));
	if (ofp_open(p, len, OFPT_MULTIPART_REPLY, MP_LEN) == -1)
		return -1;
	if (ofp_get16(p + 8) != OFPMP_PORT_DESC ||
	    (ofp_get16(p + 10) & ~OFPMPF_REPLY_MORE) ||
	    (len - MP_LEN) % OFP_PORT_LEN != 0)
		goto bad;
	n = (len - MP_LEN) / OFP_PORT_LEN;
	if (n > OFP_MAX_PORTS) {
		errno = E2BIG;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (get_port(p + MP_LEN + i * OFP_PORT_LEN, &r->ports[i]) == -1) {
			memset(r, 0, sizeof(*r));
			goto bad;
		}
	r->flags = ofp_get16(p + 10);
	r->n_ports = n;
	return 0;
bad:
	errno = EBADMSG;
	return -1;
}

/* PORT_STATUS: reason, 7 pad bytes, a port. */

ssize_t
ofp_encode_port_status(void *buf, size_t size, uint32_t xid,
    const struct ofp_port_status *s)
{
	uint8_t		*p = buf;

	if (!port_ok(&s->port)) {
		errno = EINVAL;
		return -1;
	}
	if (ofp_start(p, size, OFPT_PORT_STATUS, PORT_STATUS_LEN, xid) == -1)
		return -1;
	p[8] = s->reason;
	memset(p + 9, 0, 7);
	put_port(p + 16, &s->port);
	return PORT_STATUS_LEN;
}

int
ofp_decode_port_status(const void *msg, size_t len,
    struct ofp_port_status *s)
{
	const uint8_t	*p = msg;

	memset(s, 0, sizeof(*s));
	if (ofp_open(p, len, OFPT_PORT_STATUS, PORT_STATUS_LEN) == -1)
		return -1;
	if (len != PORT_STATUS_LEN || get_port(p + 16, &s->port) == -1) {
		memset(s, 0, sizeof(*s));
		errno = EBADMSG;
		return -1;
	}
	s->reason = p[8];
	return 0;
}

/* SET_CONFIG: flags, miss_send_len. */

ssize_t
ofp_encode_set_config(void *buf, size_t size, uint32_t xid,
    const struct ofp_switch_config *c)
{
	uint8_t		*p = buf;

	if (c->flags & ~OFPC_FRAG_MASK) {
		errno = EINVAL;
		return -1;
	}
	if (ofp_start(p, size, OFPT_SET_CONFIG, CONFIG_LEN, xid) == -1)
		return -1;
	ofp_put16(p + 8, c->flags);
	ofp_put16(p + 10, c->miss_send_len);
	return CONFIG_LEN;
}

int
ofp_decode_set_config(const void *msg, size_t len,
    struct ofp_switch_config *c)
{
	const uint8_t	*p = msg;

	memset(c, 0, sizeof(*c));
	if (ofp_open(p, len, OFPT_SET_CONFIG, CONFIG_LEN) == -1)
		return -1;
	if (len != CONFIG_LEN || (ofp_get16(p + 8) & ~OFPC_FRAG_MASK)) {
		errno = EBADMSG;
		return -1;
	}
	c->flags = ofp_get16(p + 8);
	c->miss_send_len = ofp_get16(p + 10);
	return 0;
}

/* SET_ASYNC and GET_ASYNC_REPLY: three pairs of 32-bit masks. */

static ssize_t
encode_async(void *buf, size_t size, uint8_t type, uint32_t xid,
    const struct ofp_async_config *a)
{
	uint8_t		*p = buf;

	if (ofp_start(p, size, type, ASYNC_LEN, xid) == -1)
		return -1;
	ofp_put32(p + 8, a->packet_in_mask[0]);
	ofp_put32(p + 12, a->packet_in_mask[1]);
	ofp_put32(p + 16, a->port_status_mask[0]);
	ofp_put32(p + 20, a->port_status_mask[1]);
	ofp_put32(p + 24, a->flow_removed_mask[0]);
	ofp_put32(p + 28, a->flow_removed_mask[1]);
	return ASYNC_LEN;
}

static int
decode_async(const void *msg, size_t len, uint8_t type,
    struct ofp_async_config *a)
{
	const uint8_t	*p = msg;

	memset(a, 0, sizeof(*a));
	if (ofp_open(p, len, type, ASYNC_LEN) == -1)
		return -1;
	if (len != ASYNC_LEN) {
		errno = EBADMSG;
		return -1;
	}
	a->packet_in_mask[0] = ofp_get32(p + 8);
	a->packet_in_mask[1] = ofp_get32(p + 12);
	a->port_status_mask[0] = ofp_get32(p + 16);
	a->port_status_mask[1] = ofp_get32(p + 20);
	a->flow_removed_mask[0] = ofp_get32(p + 24);
	a->flow_removed_mask[1] = ofp_get32(p + 28);
	return 0;
}

ssize_t
ofp_encode_set_async(void *buf, size_t size, uint32_t xid,
    const struct ofp_async_config *a)
{
	return encode_async(buf, size, OFPT_SET_ASYNC, xid, a);
}

int
ofp_decode_set_async(const void *msg, size_t len,
    struct ofp_async_config *a)
{
	return decode_async(msg, len, OFPT_SET_ASYNC, a);
}

ssize_t
ofp_encode_get_async_reply(void *buf, size_t size, uint32_t xid,
    const struct ofp_async_config *a)
{
	return encode_async(buf, size, OFPT_GET_ASYNC_REPLY, xid, a);
}

int
ofp_decode_get_async_reply(const void *msg, size_t len,
    struct ofp_async_config *a)
{
	return decode_async(msg, len, OFPT_GET_ASYNC_REPLY, a);
}

ssize_t
ofp_encode_get_async_request(void *buf, size_t size, uint32_t xid)
{
	return encode_empty(buf, size, OFPT_GET_ASYNC_REQUEST, xid);
}

int
ofp_decode_get_async_request(const void *msg, size_t len)
{
	return decode_empty(msg, len, OFPT_GET_ASYNC_REQUEST);
}
