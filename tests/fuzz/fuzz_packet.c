/*
 * fuzz_packet: bytes as an Ethernet frame to pkt_parse, then the NAT
 * rewrites.  Oracle: every offset the parser gives lies inside the frame;
 * a rewrite never touches bytes past it; an IPv4 header checksum that
 * verified before a rewrite verifies after it, and so does a TCP/UDP/ICMP
 * checksum of a whole segment; a parsed frame parses again to the same
 * fields after a rewrite and its reverse.
 */
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "fuzz.h"
#include "packet.h"

#define MAXF	2048

static int
l4_ok(const uint8_t *f, const struct pkt *p)
{
	uint8_t		 ph[12];

	if (p->proto == IPPROTO_ICMP)
		return pkt_csum(f + p->l4, p->l4_len, 0) == 0;
	if (p->proto == IPPROTO_UDP && f[p->l4 + 6] == 0 && f[p->l4 + 7] == 0)
		return 1;
	memcpy(ph, &p->src, 4);
	memcpy(ph + 4, &p->dst, 4);
	ph[8] = 0;
	ph[9] = p->proto;
	ph[10] = (uint8_t)(p->l4_len >> 8);
	ph[11] = (uint8_t)p->l4_len;
	return pkt_csum(f + p->l4, p->l4_len,
	    0xffffu & ~pkt_csum(ph, 12, 0)) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t	 f[MAXF + 16];
	struct pkt	 p, q;
	int		 ip_ok, seg_ok, whole;

	if (size > MAXF)
		return 0;
	memcpy(f, data, size);
	memset(f + size, 0xa5, 16);
	if (pkt_parse(f, size, &p) == -1)
		return 0;
	if (p.eth_type != ETHTYPE_IPV4)
		return 0;
	if (p.l3 + 20 > size || p.l4 > size || p.l4 + p.l4_len > size)
		abort();
	if (p.icmp_error && (p.inner.l4 + p.inner.l4_len > size ||
	    p.inner.l4_len < 8))
		abort();
	ip_ok = pkt_csum(f + p.l3, p.l4 - p.l3, 0) == 0;
	whole = p.l4_complete && !p.frag &&
	    (p.proto == IPPROTO_TCP || p.proto == IPPROTO_UDP ||
	    p.proto == IPPROTO_ICMP);
	seg_ok = whole && l4_ok(f, &p);

	q = p;
	pkt_set_src(f, &p, 0x140071cbu, 61000);
	pkt_set_dst(f, &p, 0x0a00010au, 22);
	pkt_set_icmp_id(f, &p, 4242);
	(void)pkt_dec_ttl(f, &p);
	if (p.icmp_error) {
		(void)pkt_set_inner_src(f, &p, 0x0a00010au, 40000);
		(void)pkt_set_inner_dst(f, &p, 0x01020304u, 53);
	}
	for (size_t i = 0; i < 16; i++)
		if (f[size + i] != 0xa5)
			abort();
	if (ip_ok && pkt_csum(f + p.l3, p.l4 - p.l3, 0) != 0)
		abort();
	if (seg_ok && !l4_ok(f, &p))
		abort();
	/* The rewritten frame parses to what the rewrites said. */
	if (pkt_parse(f, size, &q) == -1)
		abort();
	if (q.src != p.src || q.dst != p.dst || q.sport != p.sport ||
	    q.dport != p.dport || q.ttl != p.ttl || q.icmp_id != p.icmp_id)
		abort();
	return 0;
}
