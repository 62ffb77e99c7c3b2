/*
 * packet: bad frames first, then parsing, rewriting with checksums that a
 * full recomputation confirms, ICMP error inner translation, builders.
 */
#include <errno.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "suites.h"
#include "packet.h"

static const uint8_t MAC_A[6] = { 2, 0, 0, 0, 0, 0xa };
static const uint8_t MAC_B[6] = { 2, 0, 0, 0, 0, 0xb };

static uint32_t
ip(const char *s)
{
	struct in_addr	 a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static void
w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A whole IPv4 frame with a TCP (20), UDP (8 + 4) or ICMP echo (8 + 4)
 * payload and correct checksums.  Returns its length. */
static size_t
mkframe(uint8_t *f, uint8_t proto, const char *src, uint16_t sport,
    const char *dst, uint16_t dport, uint8_t ttl)
{
	uint8_t		*ipp = f + 14, *l4 = f + 34;
	uint32_t	 s = ip(src), d = ip(dst);
	size_t		 l4len = proto == IPPROTO_TCP ? 20 : 12;
	uint8_t		 ph[12];

	memset(f, 0, 34 + l4len);
	memcpy(f, MAC_B, 6);
	memcpy(f + 6, MAC_A, 6);
	w16(f + 12, ETHTYPE_IPV4);
	ipp[0] = 0x45;
	w16(ipp + 2, (uint16_t)(20 + l4len));
	ipp[8] = ttl;
	ipp[9] = proto;
	memcpy(ipp + 12, &s, 4);
	memcpy(ipp + 16, &d, 4);
	w16(ipp + 10, pkt_csum(ipp, 20, 0));
	if (proto == IPPROTO_ICMP) {
		l4[0] = ICMP_ECHO_;
		w16(l4 + 4, sport);
		w16(l4 + 6, 1);
		memcpy(l4 + 8, "ping", 4);
		w16(l4 + 2, pkt_csum(l4, l4len, 0));
		return 34 + l4len;
	}
	w16(l4, sport);
	w16(l4 + 2, dport);
	if (proto == IPPROTO_TCP)
		l4[12] = 5 << 4;
	else {
		w16(l4 + 4, (uint16_t)l4len);
		memcpy(l4 + 8, "data", 4);
	}
	memcpy(ph, &s, 4);
	memcpy(ph + 4, &d, 4);
	ph[8] = 0;
	ph[9] = proto;
	w16(ph + 10, (uint16_t)l4len);
	w16(l4 + (proto == IPPROTO_TCP ? 16 : 6),
	    pkt_csum(l4, l4len, 0xffffu & ~pkt_csum(ph, 12, 0)));
	return 34 + l4len;
}

/* Do the IPv4 and transport checksums of a whole frame verify? */
static int
csums_ok(const uint8_t *f, const struct pkt *p)
{
	uint8_t		 ph[12];

	if (pkt_csum(f + p->l3, p->l4 - p->l3, 0) != 0)
		return 0;
	if (p->proto == IPPROTO_ICMP)
		return pkt_csum(f + p->l4, p->l4_len, 0) == 0;
	memcpy(ph, &p->src, 4);
	memcpy(ph + 4, &p->dst, 4);
	ph[8] = 0;
	ph[9] = p->proto;
	w16(ph + 10, (uint16_t)p->l4_len);
	return pkt_csum(f + p->l4, p->l4_len,
	    0xffffu & ~pkt_csum(ph, 12, 0)) == 0;
}

START_TEST(t_bad)
{
	uint8_t		 f[128] = { 0 };
	struct pkt	 p;
	size_t		 n;

	errno = 0;
	ck_assert_int_eq(pkt_parse(f, 13, &p), -1);
	ck_assert_int_eq(errno, EBADMSG);
	n = mkframe(f, IPPROTO_UDP, "10.1.0.10", 1, "198.51.100.1", 2, 64);
	ck_assert_int_eq(pkt_parse(f, 14 + 19, &p), -1);	/* short IP */
	ck_assert_int_eq(pkt_parse(f, 34 + 7, &p), -1);	/* short UDP */
	f[14] = 0x44;						/* ihl 16 */
	ck_assert_int_eq(pkt_parse(f, n, &p), -1);
	f[14] = 0x65;						/* version 6 */
	ck_assert_int_eq(pkt_parse(f, n, &p), -1);
	f[14] = 0x45;
	w16(f + 16, 10);					/* tot < ihl */
	ck_assert_int_eq(pkt_parse(f, n, &p), -1);
	n = mkframe(f, IPPROTO_TCP, "10.1.0.10", 1, "198.51.100.1", 2, 64);
	ck_assert_int_eq(pkt_parse(f, n - 1, &p), -1);	/* short TCP */
	/* ARP that is not Ethernet/IPv4. */
	ck_assert_int_eq(pkt_build_arp(f, sizeof(f), ARP_REQUEST, MAC_B,
	    MAC_A, ip("10.1.0.10"), MAC_B, ip("10.1.0.1")), 60);
	f[19] = 16;
	ck_assert_int_eq(pkt_parse(f, 60, &p), -1);
	ck_assert_int_eq(pkt_build_arp(f, 59, ARP_REQUEST, MAC_B, MAC_A, 0,
	    MAC_B, 0), -1);
	ck_assert_int_eq(errno, ERANGE);
	/* Other ether types parse as Ethernet only. */
	w16(f + 12, 0x86dd);
	ck_assert_int_eq(pkt_parse(f, 60, &p), 0);
	ck_assert_uint_eq(p.eth_type, 0x86dd);
	ck_assert_uint_eq(p.l3, 0);
}
END_TEST

START_TEST(t_parse)
{
	uint8_t		 f[128];
	struct pkt	 p;
	size_t		 n;

	n = mkframe(f, IPPROTO_TCP, "10.1.0.10", 40000, "198.51.100.1", 80,
	    64);
	memset(f + n, 0, 10);			/* Ethernet padding */
	ck_assert_int_eq(pkt_parse(f, n + 10, &p), 0);
	ck_assert_uint_eq(p.eth_type, ETHTYPE_IPV4);
	ck_assert_uint_eq(p.proto, IPPROTO_TCP);
	ck_assert_uint_eq(p.src, ip("10.1.0.10"));
	ck_assert_uint_eq(p.dst, ip("198.51.100.1"));
	ck_assert_uint_eq(p.sport, 40000);
	ck_assert_uint_eq(p.dport, 80);
	ck_assert_uint_eq(p.ttl, 64);
	ck_assert_uint_eq(p.l4_len, 20);
	ck_assert_int_eq(p.l4_complete, 1);
	ck_assert_int_eq(csums_ok(f, &p), 1);
	n = mkframe(f, IPPROTO_ICMP, "10.1.0.10", 77, "198.51.100.1", 0, 3);
	ck_assert_int_eq(pkt_parse(f, n, &p), 0);
	ck_assert_uint_eq(p.icmp_type, ICMP_ECHO_);
	ck_assert_uint_eq(p.icmp_id, 77);
	ck_assert_uint_eq(p.icmp_seq, 1);
	ck_assert_int_eq(p.icmp_error, 0);
	/* A later fragment has no transport header. */
	n = mkframe(f, IPPROTO_UDP, "10.1.0.10", 1, "198.51.100.1", 2, 64);
	w16(f + 20, 0x0010);
	ck_assert_int_eq(pkt_parse(f, n, &p), 0);
	ck_assert_int_eq(p.later_frag, 1);
	ck_assert_uint_eq(p.sport, 0);
}
END_TEST

/* NAT rewrites keep every checksum right. */
START_TEST(t_rewrite)
{
	static const uint8_t	 protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	uint8_t			 f[128];
	struct pkt		 p;
	size_t			 n, i;

	for (i = 0; i < sizeof(protos); i++) {
		n = mkframe(f, protos[i], "10.1.0.10", 40000, "198.51.100.1",
		    53, 64);
		ck_assert_int_eq(pkt_parse(f, n, &p), 0);
		pkt_set_src(f, &p, ip("203.0.113.20"), 61000);
		ck_assert_int_eq(pkt_dec_ttl(f, &p), 0);
		pkt_set_eth(f, &p, MAC_B, MAC_A);
		ck_assert_int_eq(csums_ok(f, &p), 1);
		ck_assert_int_eq(pkt_parse(f, n, &p), 0);
		ck_assert_uint_eq(p.src, ip("203.0.113.20"));
		ck_assert_uint_eq(p.sport, 61000);
		ck_assert_uint_eq(p.ttl, 63);
		ck_assert_int_eq(memcmp(p.eth_dst, MAC_A, 6), 0);
		pkt_set_dst(f, &p, ip("10.1.0.11"), 22);
		ck_assert_int_eq(csums_ok(f, &p), 1);
		ck_assert_uint_eq(p.dport, 22);
	}
	/* UDP without a checksum keeps none. */
	n = mkframe(f, IPPROTO_UDP, "10.1.0.10", 1, "198.51.100.1", 2, 64);
	w16(f + 40, 0);
	ck_assert_int_eq(pkt_parse(f, n, &p), 0);
	pkt_set_src(f, &p, ip("203.0.113.20"), 9);
	ck_assert_uint_eq(f[40] | f[41], 0);
	ck_assert_int_eq(pkt_csum(f + 14, 20, 0), 0);
	/* Echo id. */
	n = mkframe(f, IPPROTO_ICMP, "10.1.0.10", 77, "198.51.100.1", 0, 64);
	ck_assert_int_eq(pkt_parse(f, n, &p), 0);
	pkt_set_icmp_id(f, &p, 4242);
	pkt_set_src(f, &p, ip("203.0.113.20"), 0);
	ck_assert_int_eq(csums_ok(f, &p), 1);
	ck_assert_int_eq(pkt_parse(f, n, &p), 0);
	ck_assert_uint_eq(p.icmp_id, 4242);
	/* TTL 1 is not decremented. */
	n = mkframe(f, IPPROTO_UDP, "10.1.0.10", 1, "198.51.100.1", 2, 1);
	ck_assert_int_eq(pkt_parse(f, n, &p), 0);
	ck_assert_int_eq(pkt_dec_ttl(f, &p), -1);
	ck_assert_uint_eq(f[22], 1);
}
END_TEST

/* An ICMP error about a NATed packet, translated back for the inside. */
START_TEST(t_icmp_error)
{
	uint8_t		 orig[700], f[700];
	struct pkt	 p, op;
	size_t		 n;
	ssize_t		 m;

	/* What went out: 203.0.113.20:61000 -> 198.51.100.1:53. */
	n = mkframe(orig, IPPROTO_UDP, "203.0.113.20", 61000, "198.51.100.1",
	    53, 63);
	m = pkt_build_icmp_error(f, sizeof(f), MAC_A, MAC_B,
	    ip("198.51.100.1"), ip("203.0.113.20"), ICMP_UNREACH_,
	    ICMP_UNREACH_PORT_, 0, orig + 14, n - 14);
	ck_assert_int_eq(m, (ssize_t)(14 + 20 + 8 + n - 14));
	ck_assert_int_eq(pkt_parse(f, (size_t)m, &p), 0);
	ck_assert_int_eq(p.icmp_error, 1);
	ck_assert_uint_eq(p.inner.proto, IPPROTO_UDP);
	ck_assert_uint_eq(p.inner.src, ip("203.0.113.20"));
	ck_assert_uint_eq(p.inner.sport, 61000);
	ck_assert_uint_eq(p.inner.dport, 53);
	ck_assert_int_eq(csums_ok(f, &p), 1);
	/* Back to 10.1.0.10:40000. */
	pkt_set_dst(f, &p, ip("10.1.0.10"), 0);
	ck_assert_int_eq(pkt_set_inner_src(f, &p, ip("10.1.0.10"), 40000), 0);
	ck_assert_int_eq(csums_ok(f, &p), 1);
	ck_assert_int_eq(pkt_parse(f, (size_t)m, &p), 0);
	ck_assert_uint_eq(p.inner.src, ip("10.1.0.10"));
	ck_assert_uint_eq(p.inner.sport, 40000);
	/* The quoted packet is the original one, checksums and all. */
	ck_assert_int_eq(pkt_parse(f + p.inner.l3 - 14,
	    (size_t)m - p.inner.l3 + 14, &op), 0);
	n = mkframe(orig, IPPROTO_UDP, "10.1.0.10", 40000, "198.51.100.1",
	    53, 63);
	ck_assert_int_eq(memcmp(f + p.inner.l3, orig + 14, n - 14), 0);
	/* Not an error: refused. */
	n = mkframe(f, IPPROTO_UDP, "10.1.0.10", 1, "198.51.100.1", 2, 64);
	ck_assert_int_eq(pkt_parse(f, n, &p), 0);
	errno = 0;
	ck_assert_int_eq(pkt_set_inner_src(f, &p, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* A long original is cut to keep the error within 576 bytes. */
	memset(orig, 0x45, sizeof(orig));
	m = pkt_build_icmp_error(f, sizeof(f), MAC_A, MAC_B, 1, 2,
	    ICMP_TIMXCEED_, 0, 0, orig, 600);
	ck_assert_int_eq(m, 14 + 576);
	ck_assert_int_eq(pkt_build_icmp_error(f, 100, MAC_A, MAC_B, 1, 2,
	    ICMP_TIMXCEED_, 0, 0, orig, 100), -1);
	ck_assert_int_eq(errno, ERANGE);
}
END_TEST

START_TEST(t_builders)
{
	uint8_t		 f[128], r[128];
	struct pkt	 p, q;
	size_t		 n;
	ssize_t		 m;

	ck_assert_int_eq(pkt_build_arp(f, sizeof(f), ARP_REPLY, MAC_B, MAC_A,
	    ip("10.1.0.1"), MAC_B, ip("10.1.0.10")), 60);
	ck_assert_int_eq(pkt_parse(f, 60, &p), 0);
	ck_assert_uint_eq(p.arp_op, ARP_REPLY);
	ck_assert_uint_eq(p.arp_spa, ip("10.1.0.1"));
	ck_assert_uint_eq(p.arp_tpa, ip("10.1.0.10"));
	ck_assert_int_eq(memcmp(p.arp_sha, MAC_A, 6), 0);
	ck_assert_int_eq(memcmp(p.eth_dst, MAC_B, 6), 0);

	n = mkframe(f, IPPROTO_ICMP, "10.1.0.10", 77, "10.1.0.1", 0, 64);
	ck_assert_int_eq(pkt_parse(f, n, &p), 0);
	m = pkt_build_echo_reply(r, sizeof(r), f, &p);
	ck_assert_int_eq(m, (ssize_t)n);
	ck_assert_int_eq(pkt_parse(r, (size_t)m, &q), 0);
	ck_assert_uint_eq(q.icmp_type, ICMP_ECHOREPLY_);
	ck_assert_uint_eq(q.icmp_id, 77);
	ck_assert_uint_eq(q.src, ip("10.1.0.1"));
	ck_assert_uint_eq(q.dst, ip("10.1.0.10"));
	ck_assert_int_eq(memcmp(q.eth_dst, MAC_A, 6), 0);
	ck_assert_int_eq(csums_ok(r, &q), 1);
	ck_assert_int_eq(memcmp(r + q.l4 + 8, "ping", 4), 0);
	ck_assert_int_eq(pkt_build_echo_reply(r, (size_t)m - 1, f, &p), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(pkt_build_echo_reply(r, sizeof(r), r, &q), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *
packet_suite(void)
{
	Suite	*s = suite_create("packet");
	TCase	*tc = tcase_create("packet");

	tcase_add_test(tc, t_bad);
	tcase_add_test(tc, t_parse);
	tcase_add_test(tc, t_rewrite);
	tcase_add_test(tc, t_icmp_error);
	tcase_add_test(tc, t_builders);
	suite_add_tcase(s, tc);
	return s;
}
