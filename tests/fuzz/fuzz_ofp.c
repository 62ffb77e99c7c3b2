/*
 * The OpenFlow 1.3 codec: the input is a TCP stream.  ofp_header_check
 * frames it; each whole message goes to the decoder for its type (and a
 * MULTIPART message to the PORT_DESC and FLOW decoders).  Oracle, besides "no
 * crash": framing reports only lengths the header holds and the input
 * has; a decoded message re-encodes (every message here has an encoder),
 * the encoding decodes back to the same struct, encoding that struct
 * again gives the same bytes, and a buffer one byte short gives ERANGE.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ofp.h"

static uint8_t	 enc1[OFP_MAX_MSG_LEN], enc2[OFP_MAX_MSG_LEN];

/* Both decodes of one message, kept out of the stack (port lists). */
static union msgs {
	struct ofp_hello		 hello;
	struct ofp_echo			 echo;
	struct ofp_error		 error;
	struct ofp_features		 features;
	struct ofp_port_desc_reply	 port_desc;
	struct ofp_port_status		 port_status;
	struct ofp_switch_config	 config;
	struct ofp_async_config		 async;
	struct ofp_packet_in		 packet_in;
	struct ofp_packet_out		 packet_out;
	struct ofp_flow_mod		 flow_mod;
	struct ofp_flow_removed		 flow_removed;
	struct ofp_flow_stats_request	 fs_request;
	struct ofp_role			 role;
} a, b;

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static int
same_data(const uint8_t *p, size_t n, const uint8_t *q, size_t m)
{
	return n == m && (n == 0 || memcmp(p, q, n) == 0);
}

/*
 * The oracle shared by every type: x was decoded from the input; encode
 * it, decode that into y, compare, encode y, compare the bytes.
 */
#define ROUND_TRIP(encode, decode, x, y, equal) do {			\
	ssize_t n1, n2;							\
									\
	n1 = encode(enc1, sizeof(enc1), xid, &(x));			\
	CHECK(n1 >= 8);							\
	CHECK(decode(enc1, (size_t)n1, &(y)) == 0);			\
	CHECK(equal);							\
	n2 = encode(enc2, sizeof(enc2), xid, &(y));			\
	CHECK(n2 == n1 && memcmp(enc1, enc2, (size_t)n1) == 0);		\
	errno = 0;							\
	CHECK(encode(enc2, (size_t)n1 - 1, xid, &(y)) == -1 &&		\
	    errno == ERANGE);						\
} while (0)

/* A FLOW reply's entries, as decoded and as decoded again. */
#define FS_MAX	(OFP_MAX_MSG_LEN / 56 + 1)
static struct ofp_flow_stats	 fsa[FS_MAX], fsb[FS_MAX];

static int
same_fs(const struct ofp_flow_stats *x, const struct ofp_flow_stats *y)
{
	return x->table_id == y->table_id &&
	    x->duration_sec == y->duration_sec &&
	    x->duration_nsec == y->duration_nsec &&
	    x->priority == y->priority && x->idle_timeout == y->idle_timeout &&
	    x->hard_timeout == y->hard_timeout && x->flags == y->flags &&
	    x->cookie == y->cookie && x->packet_count == y->packet_count &&
	    x->byte_count == y->byte_count &&
	    same_data(x->match, x->match_len, y->match, y->match_len) &&
	    same_data(x->instructions, x->instructions_len, y->instructions,
	    y->instructions_len);
}

/* Walk a decoded FLOW reply into out[]; the count. */
static size_t
fs_walk(const struct ofp_flow_stats_reply *r, struct ofp_flow_stats *out)
{
	struct ofp_match	 m;
	size_t			 off = 0, n = 0;
	int			 rc;

	while ((rc = ofp_flow_stats_next(r, &off, &out[n])) == 1) {
		CHECK(n < FS_MAX);
		if (ofp_flow_stats_match(&out[n], &m) == 0)
			CHECK(ofp_match_check(&m) == 0);
		n++;
	}
	CHECK(rc == 0 && off == r->body_len && n == r->n_flows);
	return n;
}

/* The FLOW reply oracle: entries survive a re-encoding unchanged. */
static void
flow_stats_reply(const uint8_t *p, size_t len, uint32_t xid)
{
	struct ofp_flow_stats_reply	 ra, rb;
	ssize_t				 n1, n2;
	size_t				 na, nb, i;

	if (ofp_decode_flow_stats_reply(p, len, &ra) == -1)
		return;
	na = fs_walk(&ra, fsa);
	n1 = ofp_encode_flow_stats_reply(enc1, sizeof(enc1), xid, ra.flags,
	    fsa, na);
	CHECK(n1 >= 16 && (size_t)n1 == len);
	CHECK(ofp_decode_flow_stats_reply(enc1, (size_t)n1, &rb) == 0);
	CHECK(rb.flags == ra.flags);
	nb = fs_walk(&rb, fsb);
	CHECK(nb == na);
	for (i = 0; i < na; i++)
		CHECK(same_fs(&fsa[i], &fsb[i]));
	n2 = ofp_encode_flow_stats_reply(enc2, sizeof(enc2), xid, rb.flags,
	    fsb, nb);
	CHECK(n2 == n1 && memcmp(enc1, enc2, (size_t)n1) == 0);
	errno = 0;
	CHECK(ofp_encode_flow_stats_reply(enc2, (size_t)n1 - 1, xid,
	    rb.flags, fsb, nb) == -1 && errno == ERANGE);
}

static void
empty(ssize_t (*encode)(void *, size_t, uint32_t),
    int (*decode)(const void *, size_t), const uint8_t *p, size_t len,
    uint32_t xid)
{
	ssize_t	 n;

	if (decode(p, len) == -1)
		return;
	n = encode(enc1, sizeof(enc1), xid);
	/* Pad bytes are ignored on input: compare the header. */
	CHECK(n >= 8 && (size_t)n == len && memcmp(enc1, p, 8) == 0);
	CHECK(encode(enc1, len - 1, xid) == -1 && errno == ERANGE);
}

/*
 * The generation_id rule on a decoded role: a request is never stale
 * against itself or without a generation seen; of two different ids
 * exactly one is stale against the other, except at a distance of
 * 2^63, where both are.
 */
static void
role_rule(const struct ofp_role *r, uint32_t xid)
{
	uint64_t	 g = r->generation_id, other = g ^ (uint64_t)xid << 17;

	CHECK(r->role <= OFPCR_ROLE_SLAVE);
	CHECK(!ofp_role_stale(1, g, g) && !ofp_role_stale(0, other, g));
	if (other == g)
		return;
	if (g - other == 1ull << 63)
		CHECK(ofp_role_stale(1, g, other) &&
		    ofp_role_stale(1, other, g));
	else
		CHECK(ofp_role_stale(1, g, other) !=
		    ofp_role_stale(1, other, g));
}

static void
message(const uint8_t *p, size_t len)
{
	struct ofp_header h;
	uint32_t xid;

	CHECK(ofp_decode_header(p, len, &h) == 0);
	CHECK(h.length == len);
	xid = h.xid;
	switch (h.type) {
	case OFPT_HELLO:
		if (ofp_decode_hello(p, len, &a.hello) == -1)
			break;
		CHECK(a.hello.version != 0);
		ROUND_TRIP(ofp_encode_hello, ofp_decode_hello, a.hello,
		    b.hello, a.hello.version == b.hello.version &&
		    a.hello.bitmap == b.hello.bitmap);
		break;
	case OFPT_ERROR:
		if (ofp_decode_error(p, len, &a.error) == -1)
			break;
		ROUND_TRIP(ofp_encode_error, ofp_decode_error, a.error,
		    b.error, a.error.type == b.error.type &&
		    a.error.code == b.error.code &&
		    same_data(a.error.data, a.error.data_len, b.error.data,
		    b.error.data_len));
		break;
	case OFPT_ECHO_REQUEST:
		if (ofp_decode_echo_request(p, len, &a.echo) == -1)
			break;
		ROUND_TRIP(ofp_encode_echo_request, ofp_decode_echo_request,
		    a.echo, b.echo, same_data(a.echo.data, a.echo.data_len,
		    b.echo.data, b.echo.data_len));
		break;
	case OFPT_ECHO_REPLY:
		if (ofp_decode_echo_reply(p, len, &a.echo) == -1)
			break;
		ROUND_TRIP(ofp_encode_echo_reply, ofp_decode_echo_reply,
		    a.echo, b.echo, same_data(a.echo.data, a.echo.data_len,
		    b.echo.data, b.echo.data_len));
		break;
	case OFPT_FEATURES_REQUEST:
		empty(ofp_encode_features_request,
		    ofp_decode_features_request, p, len, xid);
		break;
	case OFPT_BARRIER_REQUEST:
		empty(ofp_encode_barrier_request, ofp_decode_barrier_request,
		    p, len, xid);
		break;
	case OFPT_BARRIER_REPLY:
		empty(ofp_encode_barrier_reply, ofp_decode_barrier_reply,
		    p, len, xid);
		break;
	case OFPT_MULTIPART_REQUEST:
		empty(ofp_encode_port_desc_request,
		    ofp_decode_port_desc_request, p, len, xid);
		if (ofp_decode_flow_stats_request(p, len, &a.fs_request) == -1)
			break;
		ROUND_TRIP(ofp_encode_flow_stats_request,
		    ofp_decode_flow_stats_request, a.fs_request, b.fs_request,
		    a.fs_request.table_id == b.fs_request.table_id &&
		    a.fs_request.out_port == b.fs_request.out_port &&
		    a.fs_request.out_group == b.fs_request.out_group &&
		    a.fs_request.cookie == b.fs_request.cookie &&
		    a.fs_request.cookie_mask == b.fs_request.cookie_mask &&
		    memcmp(&a.fs_request.match, &b.fs_request.match,
		    sizeof(a.fs_request.match)) == 0);
		break;
	case OFPT_FEATURES_REPLY:
		if (ofp_decode_features_reply(p, len, &a.features) == -1)
			break;
		ROUND_TRIP(ofp_encode_features_reply,
		    ofp_decode_features_reply, a.features, b.features,
		    memcmp(&a.features, &b.features, sizeof(a.features)) == 0);
		break;
	case OFPT_MULTIPART_REPLY:
		flow_stats_reply(p, len, xid);
		if (ofp_decode_port_desc_reply(p, len, &a.port_desc) == -1) {
			CHECK(errno == EBADMSG || errno == E2BIG ||
			    errno == EPROTONOSUPPORT);
			break;
		}
		CHECK(a.port_desc.n_ports <= OFP_MAX_PORTS);
		ROUND_TRIP(ofp_encode_port_desc_reply,
		    ofp_decode_port_desc_reply, a.port_desc, b.port_desc,
		    memcmp(&a.port_desc, &b.port_desc,
		    sizeof(a.port_desc)) == 0);
		break;
	case OFPT_PORT_STATUS:
		if (ofp_decode_port_status(p, len, &a.port_status) == -1)
			break;
		ROUND_TRIP(ofp_encode_port_status, ofp_decode_port_status,
		    a.port_status, b.port_status, memcmp(&a.port_status,
		    &b.port_status, sizeof(a.port_status)) == 0);
		break;
	case OFPT_SET_CONFIG:
		if (ofp_decode_set_config(p, len, &a.config) == -1)
			break;
		ROUND_TRIP(ofp_encode_set_config, ofp_decode_set_config,
		    a.config, b.config,
		    memcmp(&a.config, &b.config, sizeof(a.config)) == 0);
		break;
	case OFPT_SET_ASYNC:
		if (ofp_decode_set_async(p, len, &a.async) == -1)
			break;
		ROUND_TRIP(ofp_encode_set_async, ofp_decode_set_async,
		    a.async, b.async,
		    memcmp(&a.async, &b.async, sizeof(a.async)) == 0);
		break;
	case OFPT_GET_ASYNC_REQUEST:
		empty(ofp_encode_get_async_request,
		    ofp_decode_get_async_request, p, len, xid);
		break;
	case OFPT_GET_ASYNC_REPLY:
		if (ofp_decode_get_async_reply(p, len, &a.async) == -1)
			break;
		ROUND_TRIP(ofp_encode_get_async_reply,
		    ofp_decode_get_async_reply, a.async, b.async,
		    memcmp(&a.async, &b.async, sizeof(a.async)) == 0);
		break;
	case OFPT_ROLE_REQUEST:
		if (ofp_decode_role_request(p, len, &a.role) == -1)
			break;
		role_rule(&a.role, xid);
		ROUND_TRIP(ofp_encode_role_request, ofp_decode_role_request,
		    a.role, b.role, a.role.role == b.role.role &&
		    a.role.generation_id == b.role.generation_id);
		break;
	case OFPT_ROLE_REPLY:
		if (ofp_decode_role_reply(p, len, &a.role) == -1)
			break;
		role_rule(&a.role, xid);
		ROUND_TRIP(ofp_encode_role_reply, ofp_decode_role_reply,
		    a.role, b.role, a.role.role == b.role.role &&
		    a.role.generation_id == b.role.generation_id);
		break;
	case OFPT_PACKET_IN:
		if (ofp_decode_packet_in(p, len, &a.packet_in) == -1)
			break;
		CHECK(ofp_match_check(&a.packet_in.match) == 0);
		CHECK(a.packet_in.data == NULL ||
		    (a.packet_in.data >= p &&
		    a.packet_in.data + a.packet_in.data_len == p + len));
		ROUND_TRIP(ofp_encode_packet_in, ofp_decode_packet_in,
		    a.packet_in, b.packet_in,
		    a.packet_in.buffer_id == b.packet_in.buffer_id &&
		    a.packet_in.total_len == b.packet_in.total_len &&
		    a.packet_in.reason == b.packet_in.reason &&
		    a.packet_in.table_id == b.packet_in.table_id &&
		    a.packet_in.cookie == b.packet_in.cookie &&
		    memcmp(&a.packet_in.match, &b.packet_in.match,
		    sizeof(a.packet_in.match)) == 0 &&
		    same_data(a.packet_in.data, a.packet_in.data_len,
		    b.packet_in.data, b.packet_in.data_len));
		break;
	case OFPT_PACKET_OUT:
		if (ofp_decode_packet_out(p, len, &a.packet_out) == -1)
			break;
		ROUND_TRIP(ofp_encode_packet_out, ofp_decode_packet_out,
		    a.packet_out, b.packet_out,
		    a.packet_out.buffer_id == b.packet_out.buffer_id &&
		    a.packet_out.in_port == b.packet_out.in_port &&
		    memcmp(&a.packet_out.actions, &b.packet_out.actions,
		    sizeof(a.packet_out.actions)) == 0 &&
		    same_data(a.packet_out.data, a.packet_out.data_len,
		    b.packet_out.data, b.packet_out.data_len));
		break;
	case OFPT_FLOW_MOD:
		if (ofp_decode_flow_mod(p, len, &a.flow_mod) == -1)
			break;
		CHECK(ofp_match_check(&a.flow_mod.match) == 0);
		ROUND_TRIP(ofp_encode_flow_mod, ofp_decode_flow_mod,
		    a.flow_mod, b.flow_mod, memcmp(&a.flow_mod, &b.flow_mod,
		    sizeof(a.flow_mod)) == 0);
		break;
	case OFPT_FLOW_REMOVED:
		if (ofp_decode_flow_removed(p, len, &a.flow_removed) == -1)
			break;
		ROUND_TRIP(ofp_encode_flow_removed, ofp_decode_flow_removed,
		    a.flow_removed, b.flow_removed, memcmp(&a.flow_removed,
		    &b.flow_removed, sizeof(a.flow_removed)) == 0);
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 off = 0, n;

	while (off < size) {
		switch (ofp_header_check(data + off, size - off, 0, &n)) {
		case OFP_SCAN_FRAME:
			CHECK(n >= OFP_HEADER_LEN && n <= size - off);
			CHECK(n == (size_t)(data[off + 2] << 8 |
			    data[off + 3]));
			message(data + off, n);
			off += n;
			break;
		case OFP_SCAN_NEED_MORE:
			CHECK(n == 0);
			return 0;
		case OFP_SCAN_BAD:
			CHECK(n == 0 && size - off >= 4);
			return 0;
		}
	}
	return 0;
}
