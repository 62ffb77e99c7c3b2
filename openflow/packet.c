/*
 * Frames for vrouter-ofnat (packet.h): parsing, in-place rewriting with
 * incremental checksums (RFC 1624), and building ARP and ICMP.
 */
#include <errno.h>
#include <string.h>

#include <netinet/in.h>

#include "packet.h"

#define IP_HLEN		20
#define ICMP_HLEN	8
#define ICMP_ERR_MAX	576	/* RFC 1812: an error's IPv4 length */

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Addresses are kept in network order: copy the bytes as they are. */
static uint32_t
rdaddr(const uint8_t *p)
{
	uint32_t	 a;

	memcpy(&a, p, 4);
	return a;
}

static void
wraddr(uint8_t *p, uint32_t a)
{
	memcpy(p, &a, 4);
}

uint16_t
pkt_csum(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t	*p = buf;
	size_t		 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += rd16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 1624 eqn. 3: the checksum at cs after a 16-bit word old -> new. */
static void
csum_adjust16(uint8_t *cs, uint16_t old, uint16_t new)
{
	uint32_t	 sum;

	sum = (uint16_t)~rd16(cs);
	sum += (uint16_t)~old;
	sum += new;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	wr16(cs, (uint16_t)~sum);
}

static void
csum_adjust32(uint8_t *cs, uint32_t old, uint32_t new)
{
	const uint8_t	*o = (const uint8_t *)&old, *n = (const uint8_t *)&new;

	csum_adjust16(cs, rd16(o), rd16(n));
	csum_adjust16(cs, rd16(o + 2), rd16(n + 2));
}

static int
parse_inner(const uint8_t *f, size_t len, struct pkt *p)
{
	struct pkt_inner	*in = &p->inner;
	size_t			 off = p->l4 + ICMP_HLEN, ihl, end;

	end = p->l4 + p->l4_len;
	if (end > len || off + IP_HLEN > end)
		return -1;
	if ((f[off] >> 4) != 4 || (ihl = (size_t)(f[off] & 0xf) * 4) <
	    IP_HLEN || off + ihl + 8 > end)
		return -1;
	in->l3 = off;
	in->l4 = off + ihl;
	in->l4_len = end - in->l4;
	in->proto = f[off + 9];
	in->src = rdaddr(f + off + 12);
	in->dst = rdaddr(f + off + 16);
	in->sport = in->dport = 0;
	in->icmp_type = 0;
	switch (in->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		in->sport = rd16(f + in->l4);
		in->dport = rd16(f + in->l4 + 2);
		break;
	case IPPROTO_ICMP:
		in->icmp_type = f[in->l4];
		in->sport = in->dport = rd16(f + in->l4 + 4);
		break;
	}
	return 0;
}

int
pkt_parse(const void *frame, size_t len, struct pkt *p)
{
	const uint8_t	*f = frame;
	size_t		 ihl, tot;
	uint16_t	 fo;

	memset(p, 0, sizeof(*p));
	if (len < ETH_HLEN_)
		goto bad;
	p->len = len;
	memcpy(p->eth_dst, f, 6);
	memcpy(p->eth_src, f + 6, 6);
	p->eth_type = rd16(f + 12);

	if (p->eth_type == ETHTYPE_ARP) {
		if (len < ETH_HLEN_ + 28 || rd16(f + 14) != 1 ||
		    rd16(f + 16) != ETHTYPE_IPV4 || f[18] != 6 || f[19] != 4)
			goto bad;
		p->arp_op = rd16(f + 20);
		memcpy(p->arp_sha, f + 22, 6);
		p->arp_spa = rdaddr(f + 28);
		memcpy(p->arp_tha, f + 32, 6);
		p->arp_tpa = rdaddr(f + 38);
		return 0;
	}
	if (p->eth_type != ETHTYPE_IPV4)
		return 0;

	p->l3 = ETH_HLEN_;
	if (len < p->l3 + IP_HLEN || (f[p->l3] >> 4) != 4)
		goto bad;
	ihl = (size_t)(f[p->l3] & 0xf) * 4;
	tot = rd16(f + p->l3 + 2);
	if (ihl < IP_HLEN || len < p->l3 + ihl || tot < ihl)
		goto bad;
	p->l4 = p->l3 + ihl;
	if (len - p->l3 >= tot) {
		p->l4_len = tot - ihl;
		p->l4_complete = 1;
	} else
		p->l4_len = len - p->l4;
	p->ttl = f[p->l3 + 8];
	p->proto = f[p->l3 + 9];
	p->src = rdaddr(f + p->l3 + 12);
	p->dst = rdaddr(f + p->l3 + 16);
	fo = rd16(f + p->l3 + 6);
	p->frag = (fo & 0x3fff) != 0;
	p->later_frag = (fo & 0x1fff) != 0;
	if (p->later_frag)
		return 0;

	switch (p->proto) {
	case IPPROTO_TCP:
		if (p->l4_len < 20)
			goto bad;
		p->sport = rd16(f + p->l4);
		p->dport = rd16(f + p->l4 + 2);
		p->tcp_flags = f[p->l4 + 13];
		break;
	case IPPROTO_UDP:
		if (p->l4_len < 8)
			goto bad;
		p->sport = rd16(f + p->l4);
		p->dport = rd16(f + p->l4 + 2);
		break;
	case IPPROTO_ICMP:
		if (p->l4_len < ICMP_HLEN)
			goto bad;
		p->icmp_type = f[p->l4];
		p->icmp_code = f[p->l4 + 1];
		switch (p->icmp_type) {
		case ICMP_ECHO_:
		case ICMP_ECHOREPLY_:
			p->icmp_id = rd16(f + p->l4 + 4);
			p->icmp_seq = rd16(f + p->l4 + 6);
			break;
		case ICMP_UNREACH_:
		case ICMP_TIMXCEED_:
		case ICMP_PARAMPROB_:
			p->icmp_error = parse_inner(f, len, p) == 0;
			break;
		}
		break;
	}
	return 0;
bad:
	memset(p, 0, sizeof(*p));
	errno = EBADMSG;
	return -1;
}

void
pkt_set_eth(uint8_t *f, struct pkt *p, const uint8_t src[6],
    const uint8_t dst[6])
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	memcpy(p->eth_dst, dst, 6);
	memcpy(p->eth_src, src, 6);
}

/* The offset of the transport checksum inside the L4 header, or 0 when
 * it has none we keep (UDP 0, ICMP, a later fragment, not present). */
static size_t
l4_csum_off(const uint8_t *f, const struct pkt *p, int pseudo_only)
{
	if (p->later_frag)
		return 0;
	switch (p->proto) {
	case IPPROTO_TCP:
		return p->l4_len >= 18 ? 16 : 0;
	case IPPROTO_UDP:
		return p->l4_len >= 8 && rd16(f + p->l4 + 6) != 0 ? 6 : 0;
	case IPPROTO_ICMP:
		return pseudo_only ? 0 : 2;
	}
	return 0;
}

static void
set_addr(uint8_t *f, struct pkt *p, size_t at, uint32_t *field,
    uint32_t addr, size_t port_at, uint16_t *pfield, uint16_t port)
{
	size_t	 cs;

	if (*field != addr) {
		csum_adjust32(f + p->l3 + 10, *field, addr);
		if ((cs = l4_csum_off(f, p, 1)) != 0)
			csum_adjust32(f + p->l4 + cs, *field, addr);
		wraddr(f + p->l3 + at, addr);
		*field = addr;
	}
	if ((p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP) &&
	    !p->later_frag && *pfield != port) {
		if ((cs = l4_csum_off(f, p, 1)) != 0)
			csum_adjust16(f + p->l4 + cs, *pfield, port);
		wr16(f + p->l4 + port_at, port);
		*pfield = port;
	}
}

void
pkt_set_src(uint8_t *f, struct pkt *p, uint32_t addr, uint16_t port)
{
	set_addr(f, p, 12, &p->src, addr, 0, &p->sport, port);
}

void
pkt_set_dst(uint8_t *f, struct pkt *p, uint32_t addr, uint16_t port)
{
	set_addr(f, p, 16, &p->dst, addr, 2, &p->dport, port);
}

void
pkt_set_icmp_id(uint8_t *f, struct pkt *p, uint16_t id)
{
	if (p->proto != IPPROTO_ICMP || p->later_frag || p->icmp_id == id ||
	    (p->icmp_type != ICMP_ECHO_ && p->icmp_type != ICMP_ECHOREPLY_))
		return;
	csum_adjust16(f + p->l4 + 2, p->icmp_id, id);
	wr16(f + p->l4 + 4, id);
	p->icmp_id = id;
}

int
pkt_dec_ttl(uint8_t *f, struct pkt *p)
{
	uint8_t	*ttl = f + p->l3 + 8;

	if (p->ttl <= 1)
		return -1;
	/* TTL is the high byte of the word TTL|proto. */
	csum_adjust16(f + p->l3 + 10, (uint16_t)(ttl[0] << 8 | ttl[1]),
	    (uint16_t)((ttl[0] - 1) << 8 | ttl[1]));
	ttl[0]--;
	p->ttl--;
	return 0;
}

static int
set_inner(uint8_t *f, struct pkt *p, int dst, uint32_t addr, uint16_t port)
{
	struct pkt_inner	*in = &p->inner;
	size_t			 acs = 0, at = dst ? 16 : 12;
	size_t			 pat = dst ? 2 : 0;
	uint32_t		*field = dst ? &in->dst : &in->src;
	uint16_t		*pfield = dst ? &in->dport : &in->sport;
	uint16_t		 old;

	if (!p->icmp_error) {
		errno = EINVAL;
		return -1;
	}
	/* Which inner transport checksum covers addresses and ports. */
	if (in->proto == IPPROTO_TCP && in->l4_len >= 18)
		acs = 16;
	else if (in->proto == IPPROTO_UDP && rd16(f + in->l4 + 6) != 0)
		acs = 6;
	if (*field != addr) {
		csum_adjust32(f + in->l3 + 10, *field, addr);
		if (acs != 0)
			csum_adjust32(f + in->l4 + acs, *field, addr);
		wraddr(f + in->l3 + at, addr);
		*field = addr;
	}
	if (in->proto == IPPROTO_TCP || in->proto == IPPROTO_UDP) {
		if (*pfield != port) {
			if (acs != 0)
				csum_adjust16(f + in->l4 + acs, *pfield,
				    port);
			wr16(f + in->l4 + pat, port);
			*pfield = port;
		}
	} else if (in->proto == IPPROTO_ICMP && in->sport != port) {
		old = in->sport;
		if (in->l4_len >= 8) {
			csum_adjust16(f + in->l4 + 2, old, port);
			wr16(f + in->l4 + 4, port);
		}
		in->sport = in->dport = port;
	}
	/* The outer ICMP checksum covers all of that. */
	if (p->l4_complete) {
		wr16(f + p->l4 + 2, 0);
		wr16(f + p->l4 + 2, pkt_csum(f + p->l4, p->l4_len, 0));
	}
	return 0;
}

int
pkt_set_inner_src(uint8_t *f, struct pkt *p, uint32_t addr, uint16_t port)
{
	return set_inner(f, p, 0, addr, port);
}

int
pkt_set_inner_dst(uint8_t *f, struct pkt *p, uint32_t addr, uint16_t port)
{
	return set_inner(f, p, 1, addr, port);
}

static void
put_eth(uint8_t *b, const uint8_t dst[6], const uint8_t src[6],
    uint16_t type)
{
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	wr16(b + 12, type);
}

static void
put_ip(uint8_t *ip, size_t totlen, uint8_t proto, uint32_t src,
    uint32_t dst)
{
	memset(ip, 0, IP_HLEN);
	ip[0] = 0x45;
	wr16(ip + 2, (uint16_t)totlen);
	wr16(ip + 6, 0x4000);	/* DF */
	ip[8] = 64;
	ip[9] = proto;
	wraddr(ip + 12, src);
	wraddr(ip + 16, dst);
	wr16(ip + 10, pkt_csum(ip, IP_HLEN, 0));
}

ssize_t
pkt_build_arp(void *buf, size_t size, uint16_t op, const uint8_t eth_dst[6],
    const uint8_t sha[6], uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
	uint8_t		*b = buf;
	const size_t	 len = 60;	/* 42 padded to Ethernet's minimum */

	if (size < len) {
		errno = ERANGE;
		return -1;
	}
	memset(b, 0, len);
	put_eth(b, eth_dst, sha, ETHTYPE_ARP);
	wr16(b + 14, 1);
	wr16(b + 16, ETHTYPE_IPV4);
	b[18] = 6;
	b[19] = 4;
	wr16(b + 20, op);
	memcpy(b + 22, sha, 6);
	wraddr(b + 28, spa);
	memcpy(b + 32, tha, 6);
	wraddr(b + 38, tpa);
	return (ssize_t)len;
}

ssize_t
pkt_build_icmp_error(void *buf, size_t size, const uint8_t eth_src[6],
    const uint8_t eth_dst[6], uint32_t src, uint32_t dst, uint8_t type,
    uint8_t code, uint16_t mtu, const void *orig, size_t orig_len)
{
	uint8_t	*b = buf, *ip, *icmp;
	size_t	 quote = orig_len, len;

	if (quote > ICMP_ERR_MAX - IP_HLEN - ICMP_HLEN)
		quote = ICMP_ERR_MAX - IP_HLEN - ICMP_HLEN;
	len = ETH_HLEN_ + IP_HLEN + ICMP_HLEN + quote;
	if (size < len) {
		errno = ERANGE;
		return -1;
	}
	put_eth(b, eth_dst, eth_src, ETHTYPE_IPV4);
	ip = b + ETH_HLEN_;
	put_ip(ip, IP_HLEN + ICMP_HLEN + quote, IPPROTO_ICMP, src, dst);
	icmp = ip + IP_HLEN;
	memset(icmp, 0, ICMP_HLEN);
	icmp[0] = type;
	icmp[1] = code;
	if (type == ICMP_UNREACH_ && code == ICMP_UNREACH_NEEDFRAG_)
		wr16(icmp + 6, mtu);
	memcpy(icmp + ICMP_HLEN, orig, quote);
	wr16(icmp + 2, pkt_csum(icmp, ICMP_HLEN + quote, 0));
	return (ssize_t)len;
}

ssize_t
pkt_build_echo_reply(void *buf, size_t size, const uint8_t *frame,
    const struct pkt *p)
{
	uint8_t	*b = buf, *icmp;
	size_t	 len;

	if (p->eth_type != ETHTYPE_IPV4 || p->proto != IPPROTO_ICMP ||
	    p->icmp_type != ICMP_ECHO_ || !p->l4_complete || p->frag) {
		errno = EINVAL;
		return -1;
	}
	len = ETH_HLEN_ + IP_HLEN + p->l4_len;
	if (size < len) {
		errno = ERANGE;
		return -1;
	}
	put_eth(b, p->eth_src, p->eth_dst, ETHTYPE_IPV4);
	put_ip(b + ETH_HLEN_, IP_HLEN + p->l4_len, IPPROTO_ICMP, p->dst,
	    p->src);
	icmp = b + ETH_HLEN_ + IP_HLEN;
	memcpy(icmp, frame + p->l4, p->l4_len);
	icmp[0] = ICMP_ECHOREPLY_;
	icmp[1] = 0;
	wr16(icmp + 2, 0);
	wr16(icmp + 2, pkt_csum(icmp, p->l4_len, 0));
	return (ssize_t)len;
}
