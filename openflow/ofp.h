/*
 * ofp: a pure OpenFlow 1.3 wire codec for the subset a NAT router needs
 * (docs/openflow.md).  No I/O, no logging, no allocation.
 *
 * Conventions (docs/conventions.md):
 * - Encoders write one whole message, header included, into the caller's
 *   buffer:  ssize_t ofp_encode_X(void *buf, size_t size, uint32_t xid,
 *   const struct ofp_X *).  They return the message length, or -1 with
 *   errno ERANGE (buffer too small), EMSGSIZE (longer than the 16-bit
 *   length field allows) or EINVAL (the struct breaks a rule the decoder
 *   or the switch would reject, e.g. a match missing a prerequisite).
 *   An encoder never writes past size.
 * - Decoders take one whole message as framed by ofp_header_check:
 *   int ofp_decode_X(const void *msg, size_t len, struct ofp_X *).  They
 *   fill the whole struct (zeroing what the message does not carry) and
 *   return 0, or -1 with errno EBADMSG (malformed, wrong type, or outside
 *   this subset) or EPROTONOSUPPORT (header version is not 0x04; HELLO
 *   accepts any version but 0).  Whatever a decoder accepts, the matching
 *   encoder accepts too.
 * - Pointers a decoder stores (data, data_len) point into the caller's
 *   message buffer and are valid as long as it is; nothing is owned.
 * - Byte order: IPv4 addresses and their masks are in network byte order
 *   (as in struct in_addr); every other integer is in host byte order;
 *   MAC addresses are 6 bytes as on the wire.
 */
#ifndef VR_OFP_H
#define VR_OFP_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define OFP_VERSION		0x04	/* OpenFlow 1.3 */
#define OFP_HEADER_LEN		8
#define OFP_MAX_MSG_LEN		65535	/* the 16-bit length field */
#define OFP_TCP_PORT		6653

/* Message types (ofp_type). */
enum {
	OFPT_HELLO = 0,
	OFPT_ERROR = 1,
	OFPT_ECHO_REQUEST = 2,
	OFPT_ECHO_REPLY = 3,
	OFPT_EXPERIMENTER = 4,
	OFPT_FEATURES_REQUEST = 5,
	OFPT_FEATURES_REPLY = 6,
	OFPT_GET_CONFIG_REQUEST = 7,
	OFPT_GET_CONFIG_REPLY = 8,
	OFPT_SET_CONFIG = 9,
	OFPT_PACKET_IN = 10,
	OFPT_FLOW_REMOVED = 11,
	OFPT_PORT_STATUS = 12,
	OFPT_PACKET_OUT = 13,
	OFPT_FLOW_MOD = 14,
	OFPT_GROUP_MOD = 15,
	OFPT_PORT_MOD = 16,
	OFPT_TABLE_MOD = 17,
	OFPT_MULTIPART_REQUEST = 18,
	OFPT_MULTIPART_REPLY = 19,
	OFPT_BARRIER_REQUEST = 20,
	OFPT_BARRIER_REPLY = 21,
	OFPT_ROLE_REQUEST = 24,
	OFPT_ROLE_REPLY = 25,
	OFPT_GET_ASYNC_REQUEST = 26,
	OFPT_GET_ASYNC_REPLY = 27,
	OFPT_SET_ASYNC = 28,
	OFPT_METER_MOD = 29,
};

/* Port numbers (ofp_port_no). */
#define OFPP_MAX		0xffffff00u
#define OFPP_IN_PORT		0xfffffff8u
#define OFPP_TABLE		0xfffffff9u
#define OFPP_NORMAL		0xfffffffau
#define OFPP_FLOOD		0xfffffffbu
#define OFPP_ALL		0xfffffffcu
#define OFPP_CONTROLLER		0xfffffffdu
#define OFPP_LOCAL		0xfffffffeu
#define OFPP_ANY		0xffffffffu

#define OFPG_ANY		0xffffffffu
#define OFPTT_MAX		0xfe	/* highest real table id */
#define OFPTT_ALL		0xff	/* every table, for DELETE */
#define OFP_NO_BUFFER		0xffffffffu
#define OFPCML_NO_BUFFER	0xffff	/* output max_len: whole packet */

/* One whole message, as the header announces it. */
struct ofp_header {
	uint8_t		version;
	uint8_t		type;
	uint16_t	length;
	uint32_t	xid;
};

/* Framing a TCP stream, with no I/O (as vsp_frame_check). */
enum ofp_scan {
	OFP_SCAN_NEED_MORE,	/* read more; *msglen is 0 */
	OFP_SCAN_FRAME,		/* a whole message of *msglen bytes */
	OFP_SCAN_BAD,		/* length below the header or above the
				   limit: the stream cannot be resynced,
				   drop the connection */
};

/*
 * Look at the first len bytes of a stream.  The length field is checked
 * against maxlen (at most OFP_MAX_MSG_LEN; 0 means OFP_MAX_MSG_LEN) as
 * soon as the header is in, so a reader never buffers more than maxlen.
 * Checks framing only, not the version.
 */
enum ofp_scan	 ofp_header_check(const void *buf, size_t len, size_t maxlen,
		    size_t *msglen);

/* Read the header of a whole message of len bytes; EBADMSG if length
 * does not equal len.  Any version. */
int		 ofp_decode_header(const void *msg, size_t len,
		    struct ofp_header *);

/* "FLOW_MOD" for OFPT_FLOW_MOD, "UNKNOWN" otherwise; static string. */
const char	*ofp_type_name(uint8_t type);

/*
 * OXM match fields of the OpenFlow basic class.  The value is the OXM
 * field number; OFP_FIELD(f) is its bit in struct ofp_match's fields.
 */
enum ofp_oxm_field {
	OFPXMT_IN_PORT = 0,
	OFPXMT_ETH_DST = 3,
	OFPXMT_ETH_SRC = 4,
	OFPXMT_ETH_TYPE = 5,
	OFPXMT_VLAN_VID = 6,
	OFPXMT_IP_PROTO = 10,
	OFPXMT_IPV4_SRC = 11,
	OFPXMT_IPV4_DST = 12,
	OFPXMT_TCP_SRC = 13,
	OFPXMT_TCP_DST = 14,
	OFPXMT_UDP_SRC = 15,
	OFPXMT_UDP_DST = 16,
	OFPXMT_ICMPV4_TYPE = 19,
	OFPXMT_ICMPV4_CODE = 20,
	OFPXMT_ARP_OP = 21,
	OFPXMT_ARP_SPA = 22,
	OFPXMT_ARP_TPA = 23,
	OFPXMT_ARP_SHA = 24,
	OFPXMT_ARP_THA = 25,
};
#define OFP_FIELD(f)		(1u << (f))
#define OFPVID_PRESENT		0x1000	/* vlan_vid: a VLAN tag is present */
#define OFPVID_NONE		0x0000	/* vlan_vid: no VLAN tag */

/*
 * A match (or, for set_field, the field values to write): fields is the
 * set of OFP_FIELD() bits present; members of absent fields are ignored
 * by encoders and zero after decoding.  The masked fields (ipv4_src,
 * ipv4_dst, arp_spa, arp_tpa) carry a mask: all ones is an exact match,
 * zero is refused (leave the field out instead), and the value may not
 * have bits outside the mask.  Build one with ofp_match_init and the
 * setters below.  The encoder writes fields in field-number order, which
 * puts every prerequisite before the fields that need it, and refuses a
 * match whose prerequisites are missing (EINVAL):
 *   ip_proto            eth_type 0x0800 or 0x86dd
 *   ipv4_src, ipv4_dst  eth_type 0x0800
 *   tcp_src, tcp_dst    ip_proto 6  (and so eth_type)
 *   udp_src, udp_dst    ip_proto 17
 *   icmpv4_type, _code  ip_proto 1 and eth_type 0x0800
 *   arp_*               eth_type 0x0806
 * Decoders skip OXM fields of other classes and unknown basic fields
 * (OVS adds pipeline fields such as registers to a packet-in) after
 * checking their length, and reject duplicates, bad lengths, masks on
 * fields that take none, and missing prerequisites.
 */
struct ofp_match {
	uint32_t	fields;
	uint32_t	in_port;
	uint8_t		eth_dst[6];
	uint8_t		eth_src[6];
	uint16_t	eth_type;
	uint16_t	vlan_vid;
	uint8_t		ip_proto;
	uint8_t		icmpv4_type;
	uint8_t		icmpv4_code;
	uint32_t	ipv4_src, ipv4_src_mask;
	uint32_t	ipv4_dst, ipv4_dst_mask;
	uint16_t	tcp_src, tcp_dst;
	uint16_t	udp_src, udp_dst;
	uint16_t	arp_op;
	uint32_t	arp_spa, arp_spa_mask;
	uint32_t	arp_tpa, arp_tpa_mask;
	uint8_t		arp_sha[6];
	uint8_t		arp_tha[6];
};

/* The match builder: each setter adds one field (exact unless _masked). */
void	 ofp_match_init(struct ofp_match *);
void	 ofp_match_in_port(struct ofp_match *, uint32_t);
void	 ofp_match_eth_dst(struct ofp_match *, const uint8_t [6]);
void	 ofp_match_eth_src(struct ofp_match *, const uint8_t [6]);
void	 ofp_match_eth_type(struct ofp_match *, uint16_t);
void	 ofp_match_vlan_vid(struct ofp_match *, uint16_t);
void	 ofp_match_ip_proto(struct ofp_match *, uint8_t);
void	 ofp_match_ipv4_src(struct ofp_match *, uint32_t);
void	 ofp_match_ipv4_src_masked(struct ofp_match *, uint32_t, uint32_t);
void	 ofp_match_ipv4_dst(struct ofp_match *, uint32_t);
void	 ofp_match_ipv4_dst_masked(struct ofp_match *, uint32_t, uint32_t);
void	 ofp_match_tcp_src(struct ofp_match *, uint16_t);
void	 ofp_match_tcp_dst(struct ofp_match *, uint16_t);
void	 ofp_match_udp_src(struct ofp_match *, uint16_t);
void	 ofp_match_udp_dst(struct ofp_match *, uint16_t);
void	 ofp_match_icmpv4_type(struct ofp_match *, uint8_t);
void	 ofp_match_icmpv4_code(struct ofp_match *, uint8_t);
void	 ofp_match_arp_op(struct ofp_match *, uint16_t);
void	 ofp_match_arp_spa(struct ofp_match *, uint32_t);
void	 ofp_match_arp_spa_masked(struct ofp_match *, uint32_t, uint32_t);
void	 ofp_match_arp_tpa(struct ofp_match *, uint32_t);
void	 ofp_match_arp_tpa_masked(struct ofp_match *, uint32_t, uint32_t);
void	 ofp_match_arp_sha(struct ofp_match *, const uint8_t [6]);
void	 ofp_match_arp_tha(struct ofp_match *, const uint8_t [6]);

/* 0 if the encoder would take the match, else -1 with errno EINVAL. */
int	 ofp_match_check(const struct ofp_match *);
/* 1 if a and b have the same fields with the same values and masks;
 * members of absent fields do not count. */
int	 ofp_match_equal(const struct ofp_match *a, const struct ofp_match *b);

/*
 * Actions: output, set_field, dec_nw_ttl.  A set_field action holds a
 * struct ofp_match with exactly one field, unmasked.
 */
enum {
	OFPAT_OUTPUT = 0,
	OFPAT_SET_FIELD = 25,
	OFPAT_DEC_NW_TTL = 24,
};
#define OFP_MAX_ACTIONS		16

struct ofp_action {
	uint16_t	type;		/* OFPAT_* */
	uint16_t	max_len;	/* output to OFPP_CONTROLLER */
	uint32_t	port;		/* output */
	struct ofp_match field;		/* set_field */
};

struct ofp_actions {
	size_t		n;
	struct ofp_action a[OFP_MAX_ACTIONS];
};

/*
 * Append to a list: return 0, or -1 with errno ERANGE when the list is
 * full (nothing is appended then).  ofp_actions_set_fields appends one
 * set_field action per field present in *fields, in field order, all or
 * none (EINVAL for a field outside the subset).  Output ports are checked by the encoder (not 0, not OFPP_ANY,
 * not above OFPP_MAX unless reserved).
 */
int	 ofp_actions_output(struct ofp_actions *, uint32_t port,
	    uint16_t max_len);
int	 ofp_actions_dec_nw_ttl(struct ofp_actions *);
int	 ofp_actions_set_fields(struct ofp_actions *,
	    const struct ofp_match *fields);

/* HELLO.  The encoder sends version (0 means OFP_VERSION) in the
 * header, and a bitmap element unless bitmap is 0. */
#define OFPHET_VERSIONBITMAP	1
#define OFP_HELLO_BITMAP_13	(1u << OFP_VERSION)

struct ofp_hello {
	uint8_t		version;	/* decoded: the header version */
	uint32_t	bitmap;		/* versions 0..31; 0 = no element */
};
ssize_t	 ofp_encode_hello(void *, size_t, uint32_t xid,
	    const struct ofp_hello *);
int	 ofp_decode_hello(const void *, size_t, struct ofp_hello *);
/* The version both ends speak: OFP_VERSION, or 0 if there is none. */
int	 ofp_hello_negotiate(const struct ofp_hello *peer);

/* ECHO_REQUEST and ECHO_REPLY: arbitrary data, echoed back. */
struct ofp_echo {
	const uint8_t	*data;
	size_t		 data_len;
};
ssize_t	 ofp_encode_echo_request(void *, size_t, uint32_t xid,
	    const struct ofp_echo *);
ssize_t	 ofp_encode_echo_reply(void *, size_t, uint32_t xid,
	    const struct ofp_echo *);
int	 ofp_decode_echo_request(const void *, size_t, struct ofp_echo *);
int	 ofp_decode_echo_reply(const void *, size_t, struct ofp_echo *);

/* ERROR.  data is (the start of) the offending request, as sent. */
enum {
	OFPET_HELLO_FAILED = 0,
	OFPET_BAD_REQUEST = 1,
	OFPET_BAD_ACTION = 2,
	OFPET_BAD_INSTRUCTION = 3,
	OFPET_BAD_MATCH = 4,
	OFPET_FLOW_MOD_FAILED = 5,
	OFPET_GROUP_MOD_FAILED = 6,
	OFPET_PORT_MOD_FAILED = 7,
	OFPET_TABLE_MOD_FAILED = 8,
	OFPET_QUEUE_OP_FAILED = 9,
	OFPET_SWITCH_CONFIG_FAILED = 10,
	OFPET_ROLE_REQUEST_FAILED = 11,
	OFPET_METER_MOD_FAILED = 12,
	OFPET_TABLE_FEATURES_FAILED = 13,
	OFPET_EXPERIMENTER = 0xffff,
};
#define OFPHFC_INCOMPATIBLE	0	/* HELLO_FAILED code */
/* ROLE_REQUEST_FAILED codes: a switch refuses a ROLE_REQUEST with one
 * of these; data holds the request, so its xid and generation_id tell
 * which one. */
enum {
	OFPRRFC_STALE = 0,	/* generation_id older than the last seen */
	OFPRRFC_UNSUP = 1,	/* roles not supported (auxiliary link) */
	OFPRRFC_BAD_ROLE = 2,	/* role outside OFPCR_ROLE_* */
};

struct ofp_error {
	uint16_t	 type;
	uint16_t	 code;
	const uint8_t	*data;
	size_t		 data_len;
};
ssize_t	 ofp_encode_error(void *, size_t, uint32_t xid,
	    const struct ofp_error *);
int	 ofp_decode_error(const void *, size_t, struct ofp_error *);

/* Messages with no body: FEATURES_REQUEST, BARRIER_REQUEST/REPLY,
 * and the PORT_DESC multipart request. */
ssize_t	 ofp_encode_features_request(void *, size_t, uint32_t xid);
ssize_t	 ofp_encode_barrier_request(void *, size_t, uint32_t xid);
ssize_t	 ofp_encode_barrier_reply(void *, size_t, uint32_t xid);
ssize_t	 ofp_encode_port_desc_request(void *, size_t, uint32_t xid);
int	 ofp_decode_features_request(const void *, size_t);
int	 ofp_decode_barrier_request(const void *, size_t);
int	 ofp_decode_barrier_reply(const void *, size_t);
int	 ofp_decode_port_desc_request(const void *, size_t);

/* FEATURES_REPLY. */
struct ofp_features {
	uint64_t	datapath_id;
	uint32_t	n_buffers;
	uint8_t		n_tables;
	uint8_t		auxiliary_id;
	uint32_t	capabilities;
};
ssize_t	 ofp_encode_features_reply(void *, size_t, uint32_t xid,
	    const struct ofp_features *);
int	 ofp_decode_features_reply(const void *, size_t,
	    struct ofp_features *);

/* A port (ofp_port), as in PORT_DESC replies and PORT_STATUS. */
#define OFP_MAX_PORT_NAME_LEN	16	/* on the wire, NUL included */

#define OFPPC_PORT_DOWN		(1u << 0)	/* config */
#define OFPPC_NO_RECV		(1u << 2)
#define OFPPC_NO_FWD		(1u << 5)
#define OFPPC_NO_PACKET_IN	(1u << 6)
#define OFPPS_LINK_DOWN		(1u << 0)	/* state */
#define OFPPS_BLOCKED		(1u << 1)
#define OFPPS_LIVE		(1u << 2)

struct ofp_port {
	uint32_t	port_no;
	uint8_t		hw_addr[6];
	char		name[OFP_MAX_PORT_NAME_LEN];	/* NUL-terminated */
	uint32_t	config;
	uint32_t	state;
	uint32_t	curr;
	uint32_t	advertised;
	uint32_t	supported;
	uint32_t	peer;
	uint32_t	curr_speed;
	uint32_t	max_speed;
};

/* MULTIPART PORT_DESC reply.  OFPMPF_REPLY_MORE: more replies follow. */
#define OFPMP_PORT_DESC		13
#define OFPMPF_REPLY_MORE	1
#define OFP_MAX_PORTS		256	/* per reply message; E2BIG beyond */

struct ofp_port_desc_reply {
	uint16_t	flags;
	size_t		n_ports;
	struct ofp_port	ports[OFP_MAX_PORTS];
};
ssize_t	 ofp_encode_port_desc_reply(void *, size_t, uint32_t xid,
	    const struct ofp_port_desc_reply *);
int	 ofp_decode_port_desc_reply(const void *, size_t,
	    struct ofp_port_desc_reply *);

/*
 * MULTIPART FLOW statistics (ofp_stats.c).  The request selects flows as
 * a non-strict DELETE does: table_id (OFPTT_ALL for every table),
 * out_port (OFPP_ANY), out_group (OFPG_ANY), cookie under cookie_mask
 * (mask 0: any), and a match the flows must be at least as specific as.
 */
#define OFPMP_FLOW		1

struct ofp_flow_stats_request {
	uint8_t		 table_id;
	uint32_t	 out_port;
	uint32_t	 out_group;
	uint64_t	 cookie;
	uint64_t	 cookie_mask;
	struct ofp_match match;
};
ssize_t	 ofp_encode_flow_stats_request(void *, size_t, uint32_t xid,
	    const struct ofp_flow_stats_request *);
int	 ofp_decode_flow_stats_request(const void *, size_t,
	    struct ofp_flow_stats_request *);

/*
 * One flow of a FLOW reply.  match (the wire ofp_match, padding
 * included) and instructions are the bytes the switch sent, checked for
 * framing only (a flow outside the subset still gives its cookie and
 * counters); ofp_flow_stats_match decodes the match with every rule.
 * The encoder takes them as bytes too and checks the same framing.
 */
struct ofp_flow_stats {
	uint8_t		 table_id;
	uint32_t	 duration_sec;
	uint32_t	 duration_nsec;
	uint16_t	 priority;
	uint16_t	 idle_timeout;
	uint16_t	 hard_timeout;
	uint16_t	 flags;		/* OFPFF_* */
	uint64_t	 cookie;
	uint64_t	 packet_count;
	uint64_t	 byte_count;
	const uint8_t	*match;
	size_t		 match_len;
	const uint8_t	*instructions;
	size_t		 instructions_len;
};

/*
 * A FLOW reply message: the decoder checks every entry's framing and
 * counts them; ofp_flow_stats_next walks them (off starts at 0) and
 * returns 1 with the next entry, 0 at the end.  A reply split over
 * several messages has OFPMPF_REPLY_MORE in all but the last.
 */
struct ofp_flow_stats_reply {
	uint16_t	 flags;
	size_t		 n_flows;
	const uint8_t	*body;		/* the entries, into the message */
	size_t		 body_len;
};
ssize_t	 ofp_encode_flow_stats_reply(void *, size_t, uint32_t xid,
	    uint16_t flags, const struct ofp_flow_stats *, size_t n);
int	 ofp_decode_flow_stats_reply(const void *, size_t,
	    struct ofp_flow_stats_reply *);
int	 ofp_flow_stats_next(const struct ofp_flow_stats_reply *, size_t *off,
	    struct ofp_flow_stats *);
/* The entry's match, decoded: 0, or -1 with EBADMSG. */
int	 ofp_flow_stats_match(const struct ofp_flow_stats *,
	    struct ofp_match *);

/* PORT_STATUS. */
enum {
	OFPPR_ADD = 0,
	OFPPR_DELETE = 1,
	OFPPR_MODIFY = 2,
};
struct ofp_port_status {
	uint8_t		reason;		/* OFPPR_* */
	struct ofp_port	port;
};
ssize_t	 ofp_encode_port_status(void *, size_t, uint32_t xid,
	    const struct ofp_port_status *);
int	 ofp_decode_port_status(const void *, size_t,
	    struct ofp_port_status *);

/* SET_CONFIG. */
#define OFPC_FRAG_NORMAL	0
#define OFPC_FRAG_DROP		1
#define OFPC_FRAG_REASM		2
#define OFPC_FRAG_MASK		3

struct ofp_switch_config {
	uint16_t	flags;		/* OFPC_FRAG_*; other bits EINVAL */
	uint16_t	miss_send_len;	/* OFPCML_NO_BUFFER: whole packet */
};
ssize_t	 ofp_encode_set_config(void *, size_t, uint32_t xid,
	    const struct ofp_switch_config *);
int	 ofp_decode_set_config(const void *, size_t,
	    struct ofp_switch_config *);

/*
 * SET_ASYNC: which asynchronous messages the switch sends.  Element 0 is
 * for the master/equal role, element 1 for slave.  A mask has bit
 * (1 << reason) set for each reason wanted: e.g. packet_in_mask[0] =
 * OFP_ASYNC_BIT(OFPR_NO_MATCH) | OFP_ASYNC_BIT(OFPR_ACTION) |
 * OFP_ASYNC_BIT(OFPR_INVALID_TTL) to get TTL-expired packets, which OVS
 * does not send by default.
 */
#define OFP_ASYNC_BIT(reason)	(1u << (reason))

struct ofp_async_config {
	uint32_t	packet_in_mask[2];
	uint32_t	port_status_mask[2];
	uint32_t	flow_removed_mask[2];
};
ssize_t	 ofp_encode_set_async(void *, size_t, uint32_t xid,
	    const struct ofp_async_config *);
int	 ofp_decode_set_async(const void *, size_t,
	    struct ofp_async_config *);
/* GET_ASYNC_REQUEST (no body) and GET_ASYNC_REPLY (the switch's masks
 * for this connection, in SET_ASYNC's layout). */
ssize_t	 ofp_encode_get_async_request(void *, size_t, uint32_t xid);
int	 ofp_decode_get_async_request(const void *, size_t);
ssize_t	 ofp_encode_get_async_reply(void *, size_t, uint32_t xid,
	    const struct ofp_async_config *);
int	 ofp_decode_get_async_reply(const void *, size_t,
	    struct ofp_async_config *);

/*
 * ROLE_REQUEST and ROLE_REPLY (ofp_role.c): a controller asks to be
 * master, slave or equal; the reply gives its role and the switch's
 * generation_id.  role is one of OFPCR_ROLE_* (EINVAL to encode another,
 * EBADMSG to decode one, as OVS answers OFPRRFC_BAD_ROLE); NOCHANGE
 * only asks.  generation_id counts masterships (it is compared only for
 * MASTER and SLAVE, see ofp_role_stale) and is kept as sent for the
 * other roles too.
 */
enum {
	OFPCR_ROLE_NOCHANGE = 0,
	OFPCR_ROLE_EQUAL = 1,
	OFPCR_ROLE_MASTER = 2,
	OFPCR_ROLE_SLAVE = 3,
};
struct ofp_role {
	uint32_t	role;		/* OFPCR_ROLE_* */
	uint64_t	generation_id;
};
ssize_t	 ofp_encode_role_request(void *, size_t, uint32_t xid,
	    const struct ofp_role *);
ssize_t	 ofp_encode_role_reply(void *, size_t, uint32_t xid,
	    const struct ofp_role *);
int	 ofp_decode_role_request(const void *, size_t, struct ofp_role *);
int	 ofp_decode_role_reply(const void *, size_t, struct ofp_role *);
/* "nochange", "equal", "master", "slave", or "UNKNOWN"; static. */
const char	*ofp_role_name(uint32_t role);

/*
 * The generation_id rule for a MASTER or SLAVE request (OpenFlow 1.3,
 * 6.3.6): with no generation_id seen yet (seen 0) nothing is stale;
 * otherwise req is stale when the signed 64-bit distance req - cur is
 * negative, so the counter may wrap.  1 if stale (the switch answers
 * OFPET_ROLE_REQUEST_FAILED/OFPRRFC_STALE and keeps cur), else 0 (the
 * switch takes req as its new cur).  Pure; the caller keeps seen and cur.
 */
int	 ofp_role_stale(int seen, uint64_t cur, uint64_t req);

/* PACKET_IN. */
enum {
	OFPR_NO_MATCH = 0,
	OFPR_ACTION = 1,
	OFPR_INVALID_TTL = 2,
};
struct ofp_packet_in {
	uint32_t	 buffer_id;	/* OVS: always OFP_NO_BUFFER */
	uint16_t	 total_len;	/* of the frame in the switch */
	uint8_t		 reason;	/* OFPR_* */
	uint8_t		 table_id;
	uint64_t	 cookie;
	struct ofp_match match;		/* in_port and other pipeline fields */
	const uint8_t	*data;		/* the frame, maybe truncated */
	size_t		 data_len;
};
ssize_t	 ofp_encode_packet_in(void *, size_t, uint32_t xid,
	    const struct ofp_packet_in *);
int	 ofp_decode_packet_in(const void *, size_t, struct ofp_packet_in *);

/* PACKET_OUT.  With a buffer_id other than OFP_NO_BUFFER, no data. */
struct ofp_packet_out {
	uint32_t	 buffer_id;
	uint32_t	 in_port;	/* OFPP_CONTROLLER if none */
	struct ofp_actions actions;
	const uint8_t	*data;
	size_t		 data_len;
};
ssize_t	 ofp_encode_packet_out(void *, size_t, uint32_t xid,
	    const struct ofp_packet_out *);
int	 ofp_decode_packet_out(const void *, size_t,
	    struct ofp_packet_out *);

/*
 * FLOW_MOD.  Instructions: apply-actions when OFPIT_BIT(OFPIT_APPLY_
 * ACTIONS) is in instructions (an empty list is allowed), goto-table
 * when OFPIT_BIT(OFPIT_GOTO_TABLE) is (goto_table must be above
 * table_id).  No instruction at all drops the packet.  The encoder also
 * refuses: ADD/MODIFY on table OFPTT_ALL, and a set_field whose
 * prerequisites the match does not establish (OVS rejects both).
 */
enum {
	OFPFC_ADD = 0,
	OFPFC_MODIFY = 1,
	OFPFC_MODIFY_STRICT = 2,
	OFPFC_DELETE = 3,
	OFPFC_DELETE_STRICT = 4,
};
#define OFPFF_SEND_FLOW_REM	(1u << 0)
#define OFPFF_CHECK_OVERLAP	(1u << 1)
#define OFPFF_RESET_COUNTS	(1u << 2)
#define OFPFF_NO_PKT_COUNTS	(1u << 3)
#define OFPFF_NO_BYT_COUNTS	(1u << 4)

enum {
	OFPIT_GOTO_TABLE = 1,
	OFPIT_APPLY_ACTIONS = 4,
};
#define OFPIT_BIT(t)		(1u << (t))

struct ofp_flow_mod {
	uint64_t	 cookie;
	uint64_t	 cookie_mask;	/* MODIFY/DELETE filter */
	uint8_t		 table_id;
	uint8_t		 command;	/* OFPFC_* */
	uint16_t	 idle_timeout;	/* seconds, 0 = none */
	uint16_t	 hard_timeout;
	uint16_t	 priority;
	uint32_t	 buffer_id;	/* OFP_NO_BUFFER */
	uint32_t	 out_port;	/* DELETE filter; OFPP_ANY */
	uint32_t	 out_group;	/* DELETE filter; OFPG_ANY */
	uint16_t	 flags;		/* OFPFF_* */
	struct ofp_match match;
	uint32_t	 instructions;	/* OFPIT_BIT() set */
	struct ofp_actions apply;	/* apply-actions */
	uint8_t		 goto_table;	/* goto-table */
};
/* Zero, then buffer_id OFP_NO_BUFFER, out_port OFPP_ANY, out_group
 * OFPG_ANY, command OFPFC_ADD. */
void	 ofp_flow_mod_init(struct ofp_flow_mod *);
ssize_t	 ofp_encode_flow_mod(void *, size_t, uint32_t xid,
	    const struct ofp_flow_mod *);
int	 ofp_decode_flow_mod(const void *, size_t, struct ofp_flow_mod *);

/*
 * FLOW_MOD templates (ofp_tmpl.c).  A controller that sends many
 * flow-mods of one shape (the same match fields, the same action list
 * with the same set_field fields, the same flags and priority) encodes
 * one with ofp_flow_tmpl_init and writes the others as copies of its
 * bytes with new values patched in.  No encoder and no check runs per
 * copy, so a value patched in must be one the encoder would take (an
 * output port that ofp_actions_output allows, an IPv4 address inside
 * its mask).
 *
 * The template records where each value sits in the message: match[f]
 * is the offset of match field f's value (0 when the match lacks f),
 * set[f] that of the set_field action writing field f, output that of
 * the last output action's port.  actions and actions_len are the
 * apply-actions list, for a PACKET_OUT that does the same
 * (ofp_encode_packet_out_raw).  The template is the caller's; it holds
 * no pointers.
 */
#define OFP_TMPL_MAX		512	/* bytes of a template's message */
#define OFP_TMPL_FIELDS		32	/* field numbers it records */

struct ofp_flow_tmpl {
	size_t		 len;		/* of the message */
	uint8_t		 msg[OFP_TMPL_MAX];
	uint16_t	 match[OFP_TMPL_FIELDS];
	uint16_t	 set[OFP_TMPL_FIELDS];
	uint16_t	 output;
	uint16_t	 actions;	/* 0 and 0 without apply-actions */
	uint16_t	 actions_len;
};

/* Encode fm as a template: 0, or -1 with errno as ofp_encode_flow_mod
 * (ERANGE when it is longer than OFP_TMPL_MAX). */
int	 ofp_flow_tmpl_init(struct ofp_flow_tmpl *,
	    const struct ofp_flow_mod *fm);
/* Write a copy of the template's message (t->len bytes) at buf, with a
 * new xid, cookie and idle_timeout. */
void	 ofp_flow_tmpl_copy(void *buf, const struct ofp_flow_tmpl *t,
	    uint32_t xid, uint64_t cookie, uint16_t idle_timeout);

/* Patch a value into a copy at a template's offset (wire order). */
static inline void
ofp_tmpl_put16(void *msg, uint16_t off, uint16_t v)	/* host order */
{
	uint8_t	*p = (uint8_t *)msg + off;

	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
ofp_tmpl_put32(void *msg, uint16_t off, uint32_t v)	/* host order */
{
	uint8_t	*p = (uint8_t *)msg + off;

	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
ofp_tmpl_put_ipv4(void *msg, uint16_t off, uint32_t a)	/* network order */
{
	memcpy((uint8_t *)msg + off, &a, 4);
}

static inline void
ofp_tmpl_put_mac(void *msg, uint16_t off, const uint8_t mac[6])
{
	memcpy((uint8_t *)msg + off, mac, 6);
}

/*
 * A PACKET_OUT (OFP_NO_BUFFER) whose action list is given already
 * encoded, alen bytes, e.g. a template's (t->msg + t->actions,
 * t->actions_len).  The actions are not checked.  The message is
 * OFP_PACKET_OUT_HDR + alen + data_len bytes.  Returns that, or -1 with
 * errno EINVAL (alen not a multiple of 8), ERANGE or EMSGSIZE.
 */
#define OFP_PACKET_OUT_HDR	24
ssize_t	 ofp_encode_packet_out_raw(void *, size_t, uint32_t xid,
	    uint32_t in_port, const void *actions, size_t alen,
	    const void *data, size_t data_len);

/* FLOW_REMOVED. */
enum {
	OFPRR_IDLE_TIMEOUT = 0,
	OFPRR_HARD_TIMEOUT = 1,
	OFPRR_DELETE = 2,
	OFPRR_GROUP_DELETE = 3,
};
struct ofp_flow_removed {
	uint64_t	 cookie;
	uint16_t	 priority;
	uint8_t		 reason;	/* OFPRR_* */
	uint8_t		 table_id;
	uint32_t	 duration_sec;
	uint32_t	 duration_nsec;
	uint16_t	 idle_timeout;
	uint16_t	 hard_timeout;
	uint64_t	 packet_count;
	uint64_t	 byte_count;
	struct ofp_match match;
};
ssize_t	 ofp_encode_flow_removed(void *, size_t, uint32_t xid,
	    const struct ofp_flow_removed *);
int	 ofp_decode_flow_removed(const void *, size_t,
	    struct ofp_flow_removed *);

#endif
