/*
 * OXM matches: the builder callers use, the rules a match must obey
 * (lengths, masks, prerequisites), and its wire form: type OFPMT_OXM, a
 * length that counts the 4-byte match header and the TLVs but not the
 * padding, the TLVs, then zero bytes up to a multiple of 8.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ofp_wire.h"

enum kind {
	K_NONE,		/* not supported by this codec */
	K_U8,
	K_U16,
	K_U32,
	K_IP,		/* 4 bytes kept in network order, maskable */
	K_MAC,
};

struct field {
	enum kind	 kind;
	size_t		 off;		/* value in struct ofp_match */
	size_t		 mask_off;	/* K_IP only */
};

#define F(k, m)		{ k, offsetof(struct ofp_match, m), 0 }
#define FM(m)		{ K_IP, offsetof(struct ofp_match, m), \
			  offsetof(struct ofp_match, m##_mask) }

static const struct field fields[OFP_XMT_MAX] = {
	[OFPXMT_IN_PORT] = F(K_U32, in_port),
	[OFPXMT_ETH_DST] = F(K_MAC, eth_dst),
	[OFPXMT_ETH_SRC] = F(K_MAC, eth_src),
	[OFPXMT_ETH_TYPE] = F(K_U16, eth_type),
	[OFPXMT_VLAN_VID] = F(K_U16, vlan_vid),
	[OFPXMT_IP_PROTO] = F(K_U8, ip_proto),
	[OFPXMT_IPV4_SRC] = FM(ipv4_src),
	[OFPXMT_IPV4_DST] = FM(ipv4_dst),
	[OFPXMT_TCP_SRC] = F(K_U16, tcp_src),
	[OFPXMT_TCP_DST] = F(K_U16, tcp_dst),
	[OFPXMT_UDP_SRC] = F(K_U16, udp_src),
	[OFPXMT_UDP_DST] = F(K_U16, udp_dst),
	[OFPXMT_ICMPV4_TYPE] = F(K_U8, icmpv4_type),
	[OFPXMT_ICMPV4_CODE] = F(K_U8, icmpv4_code),
	[OFPXMT_ARP_OP] = F(K_U16, arp_op),
	[OFPXMT_ARP_SPA] = FM(arp_spa),
	[OFPXMT_ARP_TPA] = FM(arp_tpa),
	[OFPXMT_ARP_SHA] = F(K_MAC, arp_sha),
	[OFPXMT_ARP_THA] = F(K_MAC, arp_tha),
};

static const int widths[] = {
	[K_NONE] = 0, [K_U8] = 1, [K_U16] = 2, [K_U32] = 4, [K_IP] = 4,
	[K_MAC] = 6,
};

#define ETH_IP		0x0800
#define ETH_ARP		0x0806
#define ETH_IPV6	0x86dd

static const uint32_t ip_fields = OFP_FIELD(OFPXMT_IPV4_SRC) |
    OFP_FIELD(OFPXMT_IPV4_DST);
static const uint32_t tcp_fields = OFP_FIELD(OFPXMT_TCP_SRC) |
    OFP_FIELD(OFPXMT_TCP_DST);
static const uint32_t udp_fields = OFP_FIELD(OFPXMT_UDP_SRC) |
    OFP_FIELD(OFPXMT_UDP_DST);
static const uint32_t icmp_fields = OFP_FIELD(OFPXMT_ICMPV4_TYPE) |
    OFP_FIELD(OFPXMT_ICMPV4_CODE);
static const uint32_t arp_fields = OFP_FIELD(OFPXMT_ARP_OP) |
    OFP_FIELD(OFPXMT_ARP_SPA) | OFP_FIELD(OFPXMT_ARP_TPA) |
    OFP_FIELD(OFPXMT_ARP_SHA) | OFP_FIELD(OFPXMT_ARP_THA);

static uint32_t
supported_fields(void)
{
	uint32_t	 all = 0;
	unsigned int	 f;

	for (f = 0; f < OFP_XMT_MAX; f++)
		if (fields[f].kind != K_NONE)
			all |= OFP_FIELD(f);
	return all;
}

int
ofp_oxm_width(unsigned int f)
{
	if (f >= OFP_XMT_MAX)
		return 0;
	return widths[fields[f].kind];
}

static int
has(const struct ofp_match *m, unsigned int f)
{
	return (m->fields & OFP_FIELD(f)) != 0;
}

static int
eth_type_is(const struct ofp_match *m, uint16_t t)
{
	return has(m, OFPXMT_ETH_TYPE) && m->eth_type == t;
}

static int
ip_proto_is(const struct ofp_match *m, uint8_t p)
{
	return has(m, OFPXMT_IP_PROTO) && m->ip_proto == p &&
	    (eth_type_is(m, ETH_IP) || eth_type_is(m, ETH_IPV6));
}

/*
 * 0 if ctx establishes the prerequisites of every field in want (the
 * basic-class prerequisites of OpenFlow 1.3), else -1.
 */
int
ofp_prereqs_ok(const struct ofp_match *ctx, uint32_t want)
{
	if ((want & OFP_FIELD(OFPXMT_IP_PROTO)) &&
	    !eth_type_is(ctx, ETH_IP) && !eth_type_is(ctx, ETH_IPV6))
		return -1;
	if ((want & ip_fields) && !eth_type_is(ctx, ETH_IP))
		return -1;
	if ((want & tcp_fields) && !ip_proto_is(ctx, 6))
		return -1;
	if ((want & udp_fields) && !ip_proto_is(ctx, 17))
		return -1;
	if ((want & icmp_fields) &&
	    (!ip_proto_is(ctx, 1) || !eth_type_is(ctx, ETH_IP)))
		return -1;
	if ((want & arp_fields) && !eth_type_is(ctx, ETH_ARP))
		return -1;
	return 0;
}

/* A VLAN id is either "no tag" or PRESENT with a 12-bit id. */
int
ofp_field_value_ok(const struct ofp_match *m, unsigned int f)
{
	if (f == OFPXMT_VLAN_VID)
		return (m->vlan_vid == OFPVID_NONE ||
		    (m->vlan_vid & ~0x0fffu) == OFPVID_PRESENT) ? 0 : -1;
	return 0;
}

static uint32_t
get_mask(const struct ofp_match *m, unsigned int f)
{
	uint32_t	 v;

	memcpy(&v, (const uint8_t *)m + fields[f].mask_off, 4);
	return v;
}

static uint32_t
get_ip(const struct ofp_match *m, unsigned int f)
{
	uint32_t	 v;

	memcpy(&v, (const uint8_t *)m + fields[f].off, 4);
	return v;
}

static int
masked(const struct ofp_match *m, unsigned int f)
{
	return fields[f].kind == K_IP && get_mask(m, f) != 0xffffffffu;
}

int
ofp_match_check(const struct ofp_match *m)
{
	unsigned int	 f;

	if (m->fields & ~supported_fields())
		goto bad;
	for (f = 0; f < OFP_XMT_MAX; f++) {
		if (!has(m, f))
			continue;
		if (ofp_field_value_ok(m, f) == -1)
			goto bad;
		if (fields[f].kind == K_IP &&
		    (get_mask(m, f) == 0 ||
		    (get_ip(m, f) & ~get_mask(m, f)) != 0))
			goto bad;
	}
	if (ofp_prereqs_ok(m, m->fields) == -1)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

void
ofp_match_copy_field(struct ofp_match *dst, const struct ofp_match *src,
    unsigned int f)
{
	const struct field *d;

	if (f >= OFP_XMT_MAX || fields[f].kind == K_NONE)
		return;
	d = &fields[f];
	memcpy((uint8_t *)dst + d->off, (const uint8_t *)src + d->off,
	    (size_t)widths[d->kind]);
	if (d->kind == K_IP)
		memcpy((uint8_t *)dst + d->mask_off,
		    (const uint8_t *)src + d->mask_off, 4);
	dst->fields |= OFP_FIELD(f);
}

int
ofp_match_equal(const struct ofp_match *a, const struct ofp_match *b)
{
	struct ofp_match x, y;
	unsigned int	 f;

	if (a->fields != b->fields)
		return 0;
	memset(&x, 0, sizeof(x));
	memset(&y, 0, sizeof(y));
	for (f = 0; f < OFP_XMT_MAX; f++) {
		if (!has(a, f) || fields[f].kind == K_NONE)
			continue;
		ofp_match_copy_field(&x, a, f);
		ofp_match_copy_field(&y, b, f);
	}
	return memcmp(&x, &y, sizeof(x)) == 0;
}

/* Write the value of field f of m at p, in network order. */
static void
put_value(uint8_t *p, const struct ofp_match *m, unsigned int f)
{
	const uint8_t	*v = (const uint8_t *)m + fields[f].off;
	uint16_t	 u16;
	uint32_t	 u32;

	switch (fields[f].kind) {
	case K_U8:
		p[0] = v[0];
		break;
	case K_U16:
		memcpy(&u16, v, 2);
		ofp_put16(p, u16);
		break;
	case K_U32:
		memcpy(&u32, v, 4);
		ofp_put32(p, u32);
		break;
	case K_IP:
		memcpy(p, v, 4);
		break;
	case K_MAC:
		memcpy(p, v, 6);
		break;
	case K_NONE:
		break;
	}
}

static void
get_value(const uint8_t *p, struct ofp_match *m, unsigned int f)
{
	uint8_t		*v = (uint8_t *)m + fields[f].off;
	uint16_t	 u16;
	uint32_t	 u32;

	switch (fields[f].kind) {
	case K_U8:
		v[0] = p[0];
		break;
	case K_U16:
		u16 = ofp_get16(p);
		memcpy(v, &u16, 2);
		break;
	case K_U32:
		u32 = ofp_get32(p);
		memcpy(v, &u32, 4);
		break;
	case K_IP:
		memcpy(v, p, 4);
		break;
	case K_MAC:
		memcpy(v, p, 6);
		break;
	case K_NONE:
		break;
	}
}

static uint32_t
oxm_header(unsigned int f, int hasmask, int len)
{
	return (uint32_t)OFPXMC_OPENFLOW_BASIC << 16 | f << 9 |
	    (hasmask ? 1u << 8 : 0) | (uint32_t)len;
}

/* Bytes of the OXM TLVs of m, without the match header or padding. */
static size_t
oxm_len(const struct ofp_match *m)
{
	size_t		 n = 0;
	unsigned int	 f;

	for (f = 0; f < OFP_XMT_MAX; f++)
		if (has(m, f))
			n += 4 + (size_t)widths[fields[f].kind] *
			    (masked(m, f) ? 2 : 1);
	return n;
}

size_t
ofp_match_wire_len(const struct ofp_match *m)
{
	return OFP_ALIGN8(4 + oxm_len(m));
}

/* Write a match that ofp_match_check accepted; ofp_match_wire_len bytes. */
void
ofp_match_put(uint8_t *p, const struct ofp_match *m)
{
	size_t		 len = 4 + oxm_len(m), off = 4;
	unsigned int	 f;
	int		 w;

	ofp_put16(p, OFPMT_OXM);
	ofp_put16(p + 2, (uint16_t)len);
	for (f = 0; f < OFP_XMT_MAX; f++) {
		if (!has(m, f))
			continue;
		w = widths[fields[f].kind];
		if (masked(m, f)) {
			ofp_put32(p + off, oxm_header(f, 1, 2 * w));
			put_value(p + off + 4, m, f);
			memcpy(p + off + 4 + w,
			    (const uint8_t *)m + fields[f].mask_off, 4);
			off += 4 + 2 * (size_t)w;
		} else {
			ofp_put32(p + off, oxm_header(f, 0, w));
			put_value(p + off + 4, m, f);
			off += 4 + (size_t)w;
		}
	}
	memset(p + off, 0, OFP_ALIGN8(len) - len);
}

/* One unmasked TLV of field f (a set_field action's payload). */
void
ofp_oxm_put(uint8_t *p, const struct ofp_match *m, unsigned int f)
{
	ofp_put32(p, oxm_header(f, 0, widths[fields[f].kind]));
	put_value(p + 4, m, f);
}

/*
 * Read one OXM TLV from the len bytes at p into m.  Returns the TLV's
 * size, or -1 if it is truncated or breaks a rule for a field this codec
 * knows (length, mask, duplicate).  Other classes and unknown fields
 * are skipped: their size is returned and m is unchanged.
 */
static ssize_t
get_tlv(const uint8_t *p, size_t len, struct ofp_match *m)
{
	uint32_t	 hdr, mask;
	unsigned int	 class, f, hasmask;
	size_t		 plen;
	int		 w;

	if (len < 4)
		return -1;
	hdr = ofp_get32(p);
	class = hdr >> 16;
	f = (hdr >> 9) & 0x7f;
	hasmask = (hdr >> 8) & 1;
	plen = hdr & 0xff;
	if (plen > len - 4)
		return -1;
	if (class == OFPXMC_EXPERIMENTER && plen < 4)
		return -1;
	if (class != OFPXMC_OPENFLOW_BASIC || f >= OFP_XMT_MAX ||
	    fields[f].kind == K_NONE)
		return (ssize_t)(4 + plen);
	w = widths[fields[f].kind];
	if (has(m, f))
		return -1;
	if (hasmask) {
		if (fields[f].kind != K_IP || plen != 2 * (size_t)w)
			return -1;
		memcpy(&mask, p + 4 + w, 4);
		if (mask == 0)
			return -1;
		memcpy((uint8_t *)m + fields[f].mask_off, &mask, 4);
	} else {
		if (plen != (size_t)w)
			return -1;
		if (fields[f].kind == K_IP) {
			mask = 0xffffffffu;
			memcpy((uint8_t *)m + fields[f].mask_off, &mask, 4);
		}
	}
	get_value(p + 4, m, f);
	m->fields |= OFP_FIELD(f);
	if (fields[f].kind == K_IP && (get_ip(m, f) & ~get_mask(m, f)) != 0)
		return -1;
	if (ofp_field_value_ok(m, f) == -1)
		return -1;
	return (ssize_t)(4 + plen);
}

/*
 * Read a set_field payload: exactly one TLV of a supported field, with
 * no mask, filling len bytes.  0 or -1.
 */
int
ofp_oxm_get(const uint8_t *p, size_t len, struct ofp_match *m)
{
	ssize_t		 n;

	memset(m, 0, sizeof(*m));
	if (len >= 4 && (p[2] & 1))	/* OpenFlow 1.3 sets no masks */
		return -1;
	n = get_tlv(p, len, m);
	if (n == -1 || (size_t)n != len || m->fields == 0)
		return -1;
	return 0;
}

/*
 * Read a struct ofp_match from the len bytes at p into m.  Returns the
 * padded size it takes, or -1 (errno EBADMSG) if it is truncated, its
 * padding is short or not zero, a TLV is bad, or a prerequisite is
 * missing.
 */
ssize_t
ofp_match_get(const uint8_t *p, size_t len, struct ofp_match *m)
{
	size_t		 mlen, off;
	ssize_t		 n;

	memset(m, 0, sizeof(*m));
	if (len < 4)
		goto bad;
	mlen = ofp_get16(p + 2);
	if (ofp_get16(p) != OFPMT_OXM || mlen < 4 || OFP_ALIGN8(mlen) > len)
		goto bad;
	for (off = 4; off < mlen; off += (size_t)n)
		if ((n = get_tlv(p + off, mlen - off, m)) == -1)
			goto bad;
	if (!ofp_zero(p + mlen, OFP_ALIGN8(mlen) - mlen))
		goto bad;
	if (ofp_prereqs_ok(m, m->fields) == -1)
		goto bad;
	return (ssize_t)OFP_ALIGN8(mlen);
bad:
	memset(m, 0, sizeof(*m));
	errno = EBADMSG;
	return -1;
}

/* The builder. */

void
ofp_match_init(struct ofp_match *m)
{
	memset(m, 0, sizeof(*m));
}

void
ofp_match_in_port(struct ofp_match *m, uint32_t v)
{
	m->in_port = v;
	m->fields |= OFP_FIELD(OFPXMT_IN_PORT);
}

void
ofp_match_eth_dst(struct ofp_match *m, const uint8_t v[6])
{
	memcpy(m->eth_dst, v, 6);
	m->fields |= OFP_FIELD(OFPXMT_ETH_DST);
}

void
ofp_match_eth_src(struct ofp_match *m, const uint8_t v[6])
{
	memcpy(m->eth_src, v, 6);
	m->fields |= OFP_FIELD(OFPXMT_ETH_SRC);
}

void
ofp_match_eth_type(struct ofp_match *m, uint16_t v)
{
	m->eth_type = v;
	m->fields |= OFP_FIELD(OFPXMT_ETH_TYPE);
}

void
ofp_match_vlan_vid(struct ofp_match *m, uint16_t v)
{
	m->vlan_vid = v;
	m->fields |= OFP_FIELD(OFPXMT_VLAN_VID);
}

void
ofp_match_ip_proto(struct ofp_match *m, uint8_t v)
{
	m->ip_proto = v;
	m->fields |= OFP_FIELD(OFPXMT_IP_PROTO);
}

void
ofp_match_ipv4_src_masked(struct ofp_match *m, uint32_t v, uint32_t mask)
{
	m->ipv4_src = v;
	m->ipv4_src_mask = mask;
	m->fields |= OFP_FIELD(OFPXMT_IPV4_SRC);
}

void
ofp_match_ipv4_src(struct ofp_match *m, uint32_t v)
{
	ofp_match_ipv4_src_masked(m, v, 0xffffffffu);
}

void
ofp_match_ipv4_dst_masked(struct ofp_match *m, uint32_t v, uint32_t mask)
{
	m->ipv4_dst = v;
	m->ipv4_dst_mask = mask;
	m->fields |= OFP_FIELD(OFPXMT_IPV4_DST);
}

void
ofp_match_ipv4_dst(struct ofp_match *m, uint32_t v)
{
	ofp_match_ipv4_dst_masked(m, v, 0xffffffffu);
}

void
ofp_match_tcp_src(struct ofp_match *m, uint16_t v)
{
	m->tcp_src = v;
	m->fields |= OFP_FIELD(OFPXMT_TCP_SRC);
}

void
ofp_match_tcp_dst(struct ofp_match *m, uint16_t v)
{
	m->tcp_dst = v;
	m->fields |= OFP_FIELD(OFPXMT_TCP_DST);
}

void
ofp_match_udp_src(struct ofp_match *m, uint16_t v)
{
	m->udp_src = v;
	m->fields |= OFP_FIELD(OFPXMT_UDP_SRC);
}

void
ofp_match_udp_dst(struct ofp_match *m, uint16_t v)
{
	m->udp_dst = v;
	m->fields |= OFP_FIELD(OFPXMT_UDP_DST);
}

void
ofp_match_icmpv4_type(struct ofp_match *m, uint8_t v)
{
	m->icmpv4_type = v;
	m->fields |= OFP_FIELD(OFPXMT_ICMPV4_TYPE);
}

void
ofp_match_icmpv4_code(struct ofp_match *m, uint8_t v)
{
	m->icmpv4_code = v;
	m->fields |= OFP_FIELD(OFPXMT_ICMPV4_CODE);
}

void
ofp_match_arp_op(struct ofp_match *m, uint16_t v)
{
	m->arp_op = v;
	m->fields |= OFP_FIELD(OFPXMT_ARP_OP);
}

void
ofp_match_arp_spa_masked(struct ofp_match *m, uint32_t v, uint32_t mask)
{
	m->arp_spa = v;
	m->arp_spa_mask = mask;
	m->fields |= OFP_FIELD(OFPXMT_ARP_SPA);
}

void
ofp_match_arp_spa(struct ofp_match *m, uint32_t v)
{
	ofp_match_arp_spa_masked(m, v, 0xffffffffu);
}

void
ofp_match_arp_tpa_masked(struct ofp_match *m, uint32_t v, uint32_t mask)
{
	m->arp_tpa = v;
	m->arp_tpa_mask = mask;
	m->fields |= OFP_FIELD(OFPXMT_ARP_TPA);
}

void
ofp_match_arp_tpa(struct ofp_match *m, uint32_t v)
{
	ofp_match_arp_tpa_masked(m, v, 0xffffffffu);
}

void
ofp_match_arp_sha(struct ofp_match *m, const uint8_t v[6])
{
	memcpy(m->arp_sha, v, 6);
	m->fields |= OFP_FIELD(OFPXMT_ARP_SHA);
}

void
ofp_match_arp_tha(struct ofp_match *m, const uint8_t v[6])
{
	memcpy(m->arp_tha, v, 6);
	m->fields |= OFP_FIELD(OFPXMT_ARP_THA);
}
