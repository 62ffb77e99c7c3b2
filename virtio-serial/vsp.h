/*
 * vsp: the vrouter serial protocol spoken between a router VM (guest) and
 * vrouter-hostd (host) over a virtio-serial port.  See docs/protocol.md.
 *
 * This header holds the wire constants and the decoded message structures.
 * vsp_codec.c turns them into bytes and back without any I/O.
 */
#ifndef VR_VSP_H
#define VR_VSP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VSP_MAGIC		0x56525350u	/* "VRSP" */
#define VSP_VERSION		1
#define VSP_HDR_LEN		32
#define VSP_MAX_PAYLOAD		8192
#define VSP_MAX_FRAME		(VSP_HDR_LEN + VSP_MAX_PAYLOAD)

#define VSP_NAME_LEN		32	/* router id and group names, NUL padded */
#define VSP_MAX_GROUPS		64
#define VSP_MAX_ADDRS		256

/*
 * The longest frame of each type version 1 can hold, well below
 * VSP_MAX_FRAME: what a buffer for one side's frames needs.
 */
#define VSP_HELLO_FRAME		(VSP_HDR_LEN + 4 + VSP_NAME_LEN)
#define VSP_MAX_STATE_FRAME	(VSP_HDR_LEN + VSP_NAME_LEN + 4 + \
				 VSP_MAX_GROUPS * (VSP_NAME_LEN + 4) + \
				 VSP_MAX_ADDRS * 8)
#define VSP_MAX_ACK_FRAME	(VSP_HDR_LEN + 16 + VSP_MAX_ADDRS * 8)
#define VSP_YIELD_FRAME		(VSP_HDR_LEN + 8)

enum vsp_type {
	VSP_HELLO = 1,		/* host -> guest greeting on every connect */
	VSP_STATE = 2,		/* guest -> host: full current state */
	VSP_ACK = 3,		/* host -> guest: per-address result */
	VSP_YIELD = 4,		/* host -> guest: hand mastership over */
};

/* VRRP state of an instance/group, and the state claimed for an address. */
enum vsp_state {
	VSP_ST_INIT = 0,
	VSP_ST_BACKUP = 1,
	VSP_ST_MASTER = 2,
	VSP_ST_FAULT = 3,
	VSP_ST_STOP = 4,
	VSP_ST_MAX		/* one past the last valid state */
};

enum vsp_group_kind {
	VSP_KIND_INSTANCE = 0,
	VSP_KIND_GROUP = 1,
	VSP_KIND_MAX
};

/* What the host did with one claimed address. */
enum vsp_result {
	VSP_RES_INSTALLED = 0,	/* route in place (state MASTER) */
	VSP_RES_WITHDRAWN = 1,	/* route absent (state not MASTER) */
	VSP_RES_REFUSED = 2,	/* not applied: see reason */
	VSP_RES_FAILED = 3,	/* allowed, but the kernel said no */
	VSP_RES_MAX
};

enum vsp_reason {
	VSP_WHY_NONE = 0,
	VSP_WHY_NOT_REGISTERED = 1,	/* address not registered for this VM */
	VSP_WHY_BAD_PREFIX = 2,		/* only /32 host routes are allowed */
	VSP_WHY_NETLINK = 3,		/* kernel refused the route */
	VSP_WHY_NO_TAP = 4,		/* the VM's tap interface is missing */
	VSP_WHY_FOREIGN_ROUTE = 5,	/* a route not made by vrouter is there */
	VSP_WHY_MAX
};

struct vsp_header {
	uint8_t		 version;
	uint8_t		 type;
	uint16_t	 flags;
	uint32_t	 length;	/* payload bytes after the header */
	uint32_t	 seq;		/* sender's sequence number */
	uint64_t	 epoch;		/* sender's boot epoch */
};

struct vsp_group {
	char		 name[VSP_NAME_LEN + 1];
	uint8_t		 kind;		/* enum vsp_group_kind */
	uint8_t		 state;		/* enum vsp_state */
	uint8_t		 priority;
};

struct vsp_addr {
	uint32_t	 addr;		/* IPv4, network byte order */
	uint8_t		 plen;		/* always 32 in version 1 */
	uint8_t		 state;		/* enum vsp_state */
	uint8_t		 group;		/* index into groups[], 0xff if none */
};

struct vsp_state_msg {
	char		 router_id[VSP_NAME_LEN + 1];
	uint16_t	 ngroups;
	uint16_t	 naddrs;
	struct vsp_group groups[VSP_MAX_GROUPS];
	struct vsp_addr	 addrs[VSP_MAX_ADDRS];
};

struct vsp_result_entry {
	uint32_t	 addr;		/* network byte order */
	uint8_t		 result;	/* enum vsp_result */
	uint8_t		 reason;	/* enum vsp_reason */
};

struct vsp_ack_msg {
	uint32_t	 acked_seq;	/* seq of the STATE being answered */
	uint64_t	 acked_epoch;	/* epoch of the STATE being answered */
	uint16_t	 nresults;
	struct vsp_result_entry results[VSP_MAX_ADDRS];
};

/*
 * The host asks the guest to hand mastership to its peer (a planned
 * move of the VM).  The guest answers with its states, not with a frame
 * of its own: the host judges by what the guest then claims.
 */
struct vsp_yield_msg {
	uint32_t	 request;	/* the host's number for it, not 0 */
};

struct vsp_hello_msg {
	uint8_t		 min_version;
	uint8_t		 max_version;
	char		 host[VSP_NAME_LEN + 1];
};

/* A decoded frame: the header and the one message its type names. */
struct vsp_msg {
	struct vsp_header hdr;
	union {
		struct vsp_hello_msg hello;
		struct vsp_state_msg state;
		struct vsp_ack_msg ack;
		struct vsp_yield_msg yield;
	} u;
};

/*
 * Status of looking at the front of a byte buffer (vsp_frame_check).
 */
enum vsp_scan {
	VSP_SCAN_FRAME,		/* a whole frame of *len bytes, CRCs right */
	VSP_SCAN_NEED_MORE,	/* a valid prefix: wait for more bytes; *len
				   is the frame's length once its header is
				   in and valid, 0 before */
	VSP_SCAN_GARBAGE,	/* not a frame here: drop *len bytes, which
				   reach up to the next possible magic */
	VSP_SCAN_BAD_PAYLOAD,	/* a valid header whose payload fails its
				   CRC: drop the whole frame, *len bytes */
};

/* Pure codec, no I/O, no logging.  Buffers are the caller's. */
enum vsp_scan	vsp_frame_check(const void *buf, size_t len, size_t *outlen);
int		vsp_decode(const void *buf, size_t len, struct vsp_msg *msg);
ssize_t		vsp_encode(void *buf, size_t size, const struct vsp_msg *msg);

/*
 * The frame checksum: CRC-32/ISO-HDLC (zlib's crc32, as in Ethernet and
 * gzip): polynomial 0x04c11db7 reflected (0xedb88320), input and output
 * reflected, init 0xffffffff, xorout 0xffffffff; "123456789" gives
 * 0xcbf43926.
 */
uint32_t	vsp_crc32(const void *buf, size_t len);
/*
 * Bytes this process has run through vsp_crc32: a work meter for tests and
 * benchmarks (the reader's CRC work per byte received is bounded, see
 * docs/protocol.md), not a protocol value.
 */
extern uint64_t	vsp_crc_bytes;

/*
 * The (epoch, seq) a sender uses after (*epoch, *seq): seq + 1, or, where
 * seq would wrap, epoch + 1 and seq 1, so (epoch, seq) only ever grows.
 * -1 with errno EOVERFLOW if both are at their maximum.
 */
int		vsp_seq_next(uint64_t *epoch, uint32_t *seq);

const char	*vsp_state_name(unsigned int);
int		 vsp_state_parse(const char *, uint8_t *);
const char	*vsp_result_name(unsigned int);
const char	*vsp_reason_name(unsigned int);
const char	*vsp_type_name(unsigned int);

#endif
