/*
 * Ethernet/ARP/IPv4/TCP/UDP/ICMP frames for vrouter-ofnat: parsing,
 * rewriting and building, pure (no I/O, no logging, no allocation).
 *
 * pkt_parse fills a struct pkt with the offsets and fields of one frame;
 * the rewriting functions change a frame the caller owns in place and keep
 * its checksums right; the builders write a whole frame into the caller's
 * buffer and return its length, or -1 with errno ERANGE when it does not
 * fit.  Addresses are in network byte order, ports and identifiers in host
 * order, MAC addresses 6 bytes as on the wire.
 */
#ifndef VR_PACKET_H
#define VR_PACKET_H

#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_HLEN_		14
#define ETHTYPE_IPV4		0x0800
#define ETHTYPE_ARP		0x0806
#define ARP_REQUEST		1
#define ARP_REPLY		2

#define ICMP_ECHOREPLY_		0
#define ICMP_UNREACH_		3
#define ICMP_ECHO_		8
#define ICMP_TIMXCEED_		11
#define ICMP_PARAMPROB_		12
#define ICMP_UNREACH_PORT_	3
#define ICMP_UNREACH_NEEDFRAG_	4
#define ICMP_UNREACH_FILTER_	13	/* administratively prohibited */

/* What an ICMP error carries: the start of the packet it is about. */
struct pkt_inner {
	size_t		 l3;		/* offset of the inner IPv4 header */
	size_t		 l4;		/* offset of its transport header */
	size_t		 l4_len;	/* bytes of it present (>= 8) */
	uint8_t		 proto;
	uint32_t	 src, dst;
	uint16_t	 sport, dport;	/* TCP/UDP ports; ICMP: id in both */
	uint8_t		 icmp_type;	/* inner ICMP (echo) */
};

struct pkt {
	size_t		 len;		/* of the whole frame */
	uint8_t		 eth_dst[6], eth_src[6];
	uint16_t	 eth_type;

	/* ARP (eth_type ETHTYPE_ARP, Ethernet/IPv4 only) */
	uint16_t	 arp_op;
	uint8_t		 arp_sha[6], arp_tha[6];
	uint32_t	 arp_spa, arp_tpa;

	/* IPv4 */
	size_t		 l3;		/* offset of the IPv4 header */
	size_t		 l4;		/* offset of the payload */
	size_t		 l4_len;	/* payload bytes present */
	int		 l4_complete;	/* the frame holds all of it */
	uint8_t		 ttl;
	uint8_t		 proto;
	uint32_t	 src, dst;
	int		 frag;		/* a fragment (offset or MF) */
	int		 later_frag;	/* offset > 0: no L4 header */

	/* TCP/UDP */
	uint16_t	 sport, dport;
	uint8_t		 tcp_flags;

	/* ICMP */
	uint8_t		 icmp_type, icmp_code;
	uint16_t	 icmp_id, icmp_seq;	/* echo and echo reply */
	int		 icmp_error;		/* unreach, time exceeded... */
	struct pkt_inner inner;			/* valid if icmp_error */
};

/*
 * Parse one frame.  Returns 0, or -1 with errno EBADMSG when it is not
 * well formed as far as it goes: shorter than its headers, IPv4 header
 * length or version wrong, total length below the header.  Frames of other
 * ether types parse with only the Ethernet fields set.  An ICMP error
 * whose inner packet is shorter than an IPv4 header and 8 bytes parses
 * with icmp_error 0 (such a message cannot be translated).
 */
int	 pkt_parse(const void *frame, size_t len, struct pkt *);

/* The Internet checksum of len bytes, with sum as a starting value. */
uint16_t pkt_csum(const void *, size_t len, uint32_t sum);

/*
 * Rewriting in place.  p must come from pkt_parse of the same frame and is
 * updated.  Each keeps the IPv4 header checksum and, when the frame holds
 * the whole segment, the TCP/UDP/ICMP checksum right (UDP checksum 0
 * stays 0).
 */
void	 pkt_set_eth(uint8_t *frame, struct pkt *, const uint8_t src[6],
	    const uint8_t dst[6]);
void	 pkt_set_src(uint8_t *frame, struct pkt *, uint32_t addr,
	    uint16_t port);
void	 pkt_set_dst(uint8_t *frame, struct pkt *, uint32_t addr,
	    uint16_t port);
/* ICMP echo/echo reply identifier. */
void	 pkt_set_icmp_id(uint8_t *frame, struct pkt *, uint16_t id);
/* 0, or -1 (nothing changed) when the TTL is 0 or 1. */
int	 pkt_dec_ttl(uint8_t *frame, struct pkt *);
/*
 * The packet inside an ICMP error: set its source or destination
 * (address and port, or echo id for an inner ICMP echo).  Updates the
 * inner IPv4 checksum, the inner transport checksum incrementally when it
 * lies within the bytes present, and the outer ICMP checksum.  -1 (EINVAL)
 * if p is not an ICMP error.
 */
int	 pkt_set_inner_src(uint8_t *frame, struct pkt *, uint32_t addr,
	    uint16_t port);
int	 pkt_set_inner_dst(uint8_t *frame, struct pkt *, uint32_t addr,
	    uint16_t port);

/* Builders. */
ssize_t	 pkt_build_arp(void *buf, size_t size, uint16_t op,
	    const uint8_t eth_dst[6], const uint8_t sha[6], uint32_t spa,
	    const uint8_t tha[6], uint32_t tpa);
/*
 * An ICMP error (type, code; mtu for Fragmentation Needed) from src to the
 * sender of the IPv4 packet at orig (orig_len bytes from its IPv4 header),
 * quoting as much of it as keeps the error within 576 bytes (RFC 1812
 * 4.3.2.3).  TTL 64.
 */
ssize_t	 pkt_build_icmp_error(void *buf, size_t size,
	    const uint8_t eth_src[6], const uint8_t eth_dst[6], uint32_t src,
	    uint32_t dst, uint8_t type, uint8_t code, uint16_t mtu,
	    const void *orig, size_t orig_len);
/*
 * The echo reply to the echo request p parsed from frame: from the
 * address it was sent to, same id, sequence and data, TTL 64, MACs
 * swapped.  -1 with EINVAL when p is not a whole echo request.
 */
ssize_t	 pkt_build_echo_reply(void *buf, size_t size, const uint8_t *frame,
	    const struct pkt *p);

#endif
