/*
 * nat_table: bad input first, then endpoint-independent mapping, port
 * preservation and parity, exhaustion without overloading, filtering,
 * forwards, hairpinning, reclamation by FlowRemoved and by expiry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "suites.h"
#include "nat_table.h"


static uint32_t
ip(const char *s)
{
	struct in_addr	 a;

	ck_assert_int_eq(inet_pton(AF_INET, s, &a), 1);
	return a.s_addr;
}

static struct nat_table *
table(uint16_t lo, uint16_t hi, enum nat_filter f)
{
	struct nat_config	 c = { 0 };
	struct nat_table	*t;

	c.pub = ip("203.0.113.20");
	c.port_lo = lo;
	c.port_hi = hi;
	c.filter = f;
	c.to.tcp_est = NAT_TCP_EST_DEFAULT;
	c.to.tcp_trans = NAT_TCP_TRANS_DEFAULT;
	c.to.udp = NAT_UDP_DEFAULT;
	c.to.icmp = NAT_ICMP_DEFAULT;
	t = nat_new(&c);
	ck_assert_ptr_nonnull(t);
	return t;
}

static int	 ended;
static void
count_end(const struct nat_session *s, void *arg)
{
	(void)s;
	(void)arg;
	ended++;
}

START_TEST(t_bad_config)
{
	struct nat_config	 c = { 0 };

	c.port_lo = 0;
	c.port_hi = 100;
	errno = 0;
	ck_assert_ptr_null(nat_new(&c));
	ck_assert_int_eq(errno, EINVAL);
	c.port_lo = 200;
	ck_assert_ptr_null(nat_new(&c));
	ck_assert_int_eq(errno, EINVAL);
	/* More sessions than a cookie can number. */
	c.port_lo = 1;
	c.max_sessions = NAT_SESSIONS_LIMIT + 1;
	errno = 0;
	ck_assert_ptr_null(nat_new(&c));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(t_bad_input)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);

	errno = 0;
	ck_assert_ptr_null(nat_outbound(t, 47, ip("10.1.0.10"), 1, 0));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(nat_forward_add(t, IPPROTO_ICMP, 1,
	    ip("10.1.0.10"), 1, NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(nat_forward_add(t, IPPROTO_TCP, 0,
	    ip("10.1.0.10"), 22, NULL, NULL));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(nat_forward_del(t, IPPROTO_TCP, 22, NULL, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(nat_inbound(t, IPPROTO_UDP, 5000, ip("1.2.3.4"),
	    53));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(nat_flow_removed(t, 12345, 0), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(nat_flow_removed(t, 0, 0), -1);
	ck_assert_int_eq(nat_flow_removed(t, ~0ULL, 0), -1);
	ck_assert_ptr_null(nat_session_by_cookie(t, 1ULL << 24));
	ck_assert_ptr_null(nat_lookup_outside(t, 99, 1));
	nat_free(t);
	nat_free(NULL);
}
END_TEST

/* RFC 4787 REQ-1: same inside endpoint, same outside port, any peer. */
START_TEST(t_eim)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);
	struct nat_mapping	*a, *b;
	struct nat_session	*s1, *s2;

	a = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.10"), 40000, 0);
	ck_assert_ptr_nonnull(a);
	s1 = nat_session(t, a, ip("198.51.100.1"), 7000, 1, 0);
	b = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.10"), 40000, 10);
	ck_assert_ptr_eq(a, b);
	s2 = nat_session(t, b, ip("198.51.100.2"), 7001, 1, 10);
	ck_assert_ptr_nonnull(s1);
	ck_assert_ptr_nonnull(s2);
	ck_assert_ptr_ne(s1, s2);
	ck_assert_uint_ne(s1->cookie, s2->cookie);
	ck_assert_uint_eq(a->nsessions, 2);
	/* TCP and UDP have separate spaces. */
	b = nat_outbound(t, IPPROTO_TCP, ip("10.1.0.10"), 40000, 0);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_eq(b->out_port, 40000);
	ck_assert_ptr_eq(nat_session(t, a, ip("198.51.100.1"), 7000, 0, 0),
	    s1);
	nat_free(t);
}
END_TEST

/* REQ-3/4: preservation when free, else the same parity, no overload. */
START_TEST(t_preservation)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);
	struct nat_mapping	*a, *b, *c;

	a = nat_outbound(t, IPPROTO_TCP, ip("10.1.0.10"), 5001, 0);
	ck_assert_uint_eq(a->out_port, 5001);
	b = nat_outbound(t, IPPROTO_TCP, ip("10.1.0.11"), 5001, 0);
	ck_assert_uint_ne(b->out_port, 5001);
	ck_assert_uint_eq(b->out_port & 1, 1);
	ck_assert_uint_ge(b->out_port, 1024);
	c = nat_outbound(t, IPPROTO_TCP, ip("10.1.0.12"), 5002, 0);
	ck_assert_uint_eq(c->out_port, 5002);
	ck_assert_ptr_eq(nat_lookup_outside(t, IPPROTO_TCP, b->out_port), b);
	/* ICMP echo ids are preserved too. */
	a = nat_outbound(t, IPPROTO_ICMP, ip("10.1.0.10"), 7, 0);
	ck_assert_uint_eq(a->out_port, 7);
	b = nat_outbound(t, IPPROTO_ICMP, ip("10.1.0.11"), 7, 0);
	ck_assert_uint_ne(b->out_port, 7);
	nat_free(t);
}
END_TEST

/* A full range refuses new mappings; it never shares a port. */
START_TEST(t_exhaustion)
{
	struct nat_table	*t = table(2000, 2003, NAT_FILTER_EIF);
	struct nat_mapping	*m[4];
	struct nat_stats	 st;
	int			 i, j;

	for (i = 0; i < 4; i++) {
		m[i] = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.10"),
		    (uint16_t)(30000 + i), 0);
		ck_assert_ptr_nonnull(m[i]);
		ck_assert_uint_ge(m[i]->out_port, 2000);
		ck_assert_uint_le(m[i]->out_port, 2003);
		for (j = 0; j < i; j++)
			ck_assert_uint_ne(m[i]->out_port, m[j]->out_port);
	}
	errno = 0;
	ck_assert_ptr_null(nat_outbound(t, IPPROTO_UDP, ip("10.1.0.11"),
	    30000, 0));
	ck_assert_int_eq(errno, ENOSPC);
	/* An existing mapping still works. */
	ck_assert_ptr_eq(nat_outbound(t, IPPROTO_UDP, ip("10.1.0.10"), 30001,
	    0), m[1]);
	nat_stats_get(t, &st);
	ck_assert_uint_eq(st.exhausted, 1);
	ck_assert_uint_eq(st.mappings, 4);
	nat_free(t);
}
END_TEST

START_TEST(t_filtering)
{
	struct nat_table	*t;
	struct nat_mapping	*a;
	int			 f;

	for (f = 0; f < 2; f++) {
		t = table(1024, 65535, (enum nat_filter)f);
		a = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.10"), 4000, 0);
		ck_assert_ptr_nonnull(nat_session(t, a, ip("198.51.100.1"),
		    53, 1, 0));
		/* The peer itself, another port of it: always allowed. */
		ck_assert_ptr_eq(nat_inbound(t, IPPROTO_UDP, 4000,
		    ip("198.51.100.1"), 53), a);
		ck_assert_ptr_eq(nat_inbound(t, IPPROTO_UDP, 4000,
		    ip("198.51.100.1"), 54), a);
		/* Another address: EIF allows, ADF filters. */
		errno = 0;
		if (f == NAT_FILTER_EIF)
			ck_assert_ptr_eq(nat_inbound(t, IPPROTO_UDP, 4000,
			    ip("198.51.100.2"), 53), a);
		else {
			ck_assert_ptr_null(nat_inbound(t, IPPROTO_UDP, 4000,
			    ip("198.51.100.2"), 53));
			ck_assert_int_eq(errno, EACCES);
		}
		nat_free(t);
	}
}
END_TEST

START_TEST(t_forwards)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_ADF);
	struct nat_mapping	*d, *f;
	struct nat_stats	 st;

	/* A dynamic mapping holding 2222 yields to the forward. */
	d = nat_outbound(t, IPPROTO_TCP, ip("10.1.0.12"), 2222, 0);
	ck_assert_uint_eq(d->out_port, 2222);
	ck_assert_ptr_nonnull(nat_session(t, d, ip("198.51.100.1"), 80, 1,
	    0));
	ended = 0;
	f = nat_forward_add(t, IPPROTO_TCP, 2222, ip("10.1.0.11"), 22,
	    count_end, NULL);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ended, 1);
	ck_assert_int_eq(f->forward, 1);
	ck_assert_ptr_null(nat_lookup_inside(t, IPPROTO_TCP, ip("10.1.0.12"),
	    2222));
	/* Anyone may use a forward, whatever the filtering. */
	ck_assert_ptr_eq(nat_inbound(t, IPPROTO_TCP, 2222,
	    ip("198.51.100.9"), 999), f);
	/* The forwarded endpoint sends out from its forward port (EIM). */
	ck_assert_ptr_eq(nat_outbound(t, IPPROTO_TCP, ip("10.1.0.11"), 22, 0),
	    f);
	/* Taken twice: refused. */
	errno = 0;
	ck_assert_ptr_null(nat_forward_add(t, IPPROTO_TCP, 2222,
	    ip("10.1.0.13"), 22, NULL, NULL));
	ck_assert_int_eq(errno, EADDRINUSE);
	ck_assert_ptr_null(nat_forward_add(t, IPPROTO_TCP, 2223,
	    ip("10.1.0.11"), 22, NULL, NULL));
	ck_assert_int_eq(errno, EADDRINUSE);
	/* Dynamic ports avoid it; it survives the loss of its sessions. */
	d = nat_outbound(t, IPPROTO_TCP, ip("10.1.0.14"), 2222, 0);
	ck_assert_uint_ne(d->out_port, 2222);
	d = nat_session(t, f, ip("198.51.100.9"), 999, 1, 0)->map;
	ck_assert_ptr_eq(d, f);
	ck_assert_uint_eq(nat_drop_hosts(t, ip("10.1.0.0"), 24, NULL, NULL),
	    1);
	ck_assert_ptr_eq(nat_lookup_outside(t, IPPROTO_TCP, 2222), f);
	ended = 0;
	ck_assert_int_eq(nat_forward_del(t, IPPROTO_TCP, 2222, count_end,
	    NULL), 0);
	ck_assert_int_eq(ended, 1);
	ck_assert_ptr_null(nat_lookup_outside(t, IPPROTO_TCP, 2222));
	nat_stats_get(t, &st);
	ck_assert_uint_eq(st.forwards, 0);
	ck_assert_uint_eq(st.mappings, 0);
	ck_assert_uint_eq(st.sessions, 0);
	nat_free(t);
}
END_TEST

/* RFC 4787 REQ-9: hairpin to a forward and to another host's mapping. */
START_TEST(t_hairpin)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);
	struct nat_mapping	*f, *src, *dst, *h2;

	f = nat_forward_add(t, IPPROTO_TCP, 8080, ip("10.1.0.11"), 80, NULL,
	    NULL);
	dst = nat_hairpin(t, IPPROTO_TCP, ip("10.1.0.10"), 33000, 8080, 0,
	    &src);
	ck_assert_ptr_eq(dst, f);
	ck_assert_ptr_nonnull(src);
	ck_assert_uint_eq(src->out_port, 33000);
	ck_assert_uint_eq(src->in_addr, ip("10.1.0.10"));
	/* To another inside host's UDP mapping, by its outside port. */
	h2 = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.11"), 5353, 0);
	dst = nat_hairpin(t, IPPROTO_UDP, ip("10.1.0.10"), 5000, 5353, 0,
	    &src);
	ck_assert_ptr_eq(dst, h2);
	/* Nothing there: ENOENT. */
	errno = 0;
	ck_assert_ptr_null(nat_hairpin(t, IPPROTO_UDP, ip("10.1.0.10"), 5000,
	    9, 0, &src));
	ck_assert_int_eq(errno, ENOENT);
	nat_free(t);

	/* Address-dependent filtering: h2 never sent to the public address. */
	t = table(1024, 65535, NAT_FILTER_ADF);
	h2 = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.11"), 5353, 0);
	nat_session(t, h2, ip("198.51.100.1"), 53, 1, 0);
	errno = 0;
	ck_assert_ptr_null(nat_hairpin(t, IPPROTO_UDP, ip("10.1.0.10"), 5000,
	    5353, 0, &src));
	ck_assert_int_eq(errno, EACCES);
	nat_free(t);
}
END_TEST

/* FlowRemoved reclaims: the session with its last flow, the mapping and
 * its port with its last session. */
START_TEST(t_reclaim_flows)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);
	struct nat_mapping	*a;
	struct nat_session	*s1, *s2;
	struct nat_stats	 st;
	uint64_t		 c1, c2;

	a = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.10"), 4000, 0);
	s1 = nat_session(t, a, ip("198.51.100.1"), 53, 1, 0);
	s2 = nat_session(t, a, ip("198.51.100.2"), 53, 1, 0);
	nat_session_flows(t, s1, 2);
	nat_session_flows(t, s2, 2);
	c1 = s1->cookie;
	c2 = s2->cookie;
	/* Flows in the switch: expiry never takes these sessions. */
	ck_assert_uint_eq(nat_expire(t, UINT64_MAX / 2, NULL, NULL), 0);
	ck_assert_uint_eq(nat_next_expiry(t), 0);
	ck_assert_int_eq(nat_flow_removed(t, c1, 1000), 0);
	ck_assert_int_eq(nat_flow_removed(t, c1, 1000), 1);
	ck_assert_ptr_null(nat_session_by_cookie(t, c1));
	ck_assert_ptr_eq(nat_lookup_outside(t, IPPROTO_UDP, 4000), a);
	ck_assert_int_eq(nat_flow_removed(t, c2, 1000), 0);
	ck_assert_int_eq(nat_flow_removed(t, c2, 1000), 1);
	ck_assert_ptr_null(nat_lookup_outside(t, IPPROTO_UDP, 4000));
	ck_assert_ptr_null(nat_lookup_inside(t, IPPROTO_UDP, ip("10.1.0.10"),
	    4000));
	ck_assert_int_eq(nat_flow_removed(t, c2, 1000), -1);
	nat_stats_get(t, &st);
	ck_assert_uint_eq(st.mappings, 0);
	ck_assert_uint_eq(st.sessions, 0);
	ck_assert_uint_eq(st.created, 1);
	ck_assert_uint_eq(st.reclaimed, 1);
	/* The port is free again, for anyone. */
	a = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.11"), 4000, 2000);
	ck_assert_uint_eq(a->out_port, 4000);
	nat_free(t);
}
END_TEST

/* ICMP queries and never-installed sessions end by time. */
START_TEST(t_reclaim_expiry)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);
	struct nat_mapping	*a;
	struct nat_session	*s;
	struct nat_timeouts	 to = { 7440, 240, 120, 60 };

	nat_set_timeouts(t, &to);
	ck_assert_uint_eq(nat_idle_timeout(t, IPPROTO_TCP), 7440);
	ck_assert_uint_eq(nat_idle_timeout(t, IPPROTO_UDP), 120);
	ck_assert_uint_eq(nat_idle_timeout(t, IPPROTO_ICMP), 60);
	a = nat_outbound(t, IPPROTO_ICMP, ip("10.1.0.10"), 77, 0);
	s = nat_session(t, a, ip("198.51.100.1"), 0, 1, 0);
	ck_assert_uint_eq(nat_next_expiry(t), 60000);
	nat_touch(t, s, 30000);
	ck_assert_uint_eq(nat_next_expiry(t), 90000);
	ended = 0;
	ck_assert_uint_eq(nat_expire(t, 89999, count_end, NULL), 0);
	ck_assert_uint_eq(nat_expire(t, 90000, count_end, NULL), 1);
	ck_assert_int_eq(ended, 1);
	ck_assert_ptr_null(nat_lookup_outside(t, IPPROTO_ICMP, 77));
	ck_assert_uint_eq(nat_next_expiry(t), 0);
	nat_free(t);
}
END_TEST

/* Removing a network ends its hosts' dynamic mappings only. */
START_TEST(t_drop_hosts)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);
	struct nat_mapping	*a;
	int			 i;

	for (i = 0; i < 50; i++) {
		a = nat_outbound(t, IPPROTO_TCP, ip("10.2.0.10"),
		    (uint16_t)(20000 + i), 0);
		nat_session_flows(t, nat_session(t, a, ip("198.51.100.1"), 80,
		    1, 0), 2);
	}
	nat_outbound(t, IPPROTO_TCP, ip("10.1.0.10"), 20000, 0);
	ended = 0;
	ck_assert_uint_eq(nat_drop_hosts(t, ip("10.2.0.0"), 24, count_end,
	    NULL), 50);
	ck_assert_int_eq(ended, 50);
	ck_assert_ptr_nonnull(nat_lookup_inside(t, IPPROTO_TCP,
	    ip("10.1.0.10"), 20000));
	ck_assert_uint_eq(nat_drop_hosts(t, ip("10.1.0.10"), 32, NULL, NULL),
	    1);
	nat_free(t);
}
END_TEST

/* Many sessions: the session tables grow and every one stays found. */
START_TEST(t_many_sessions)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);
	struct nat_mapping	*a;
	struct nat_session	*s;
	struct nat_stats	 st;
	uint32_t		 i, n = 70000;

	a = nat_outbound(t, IPPROTO_TCP, ip("10.1.0.10"), 5000, 0);
	for (i = 0; i < n; i++) {
		s = nat_session(t, a, htonl(0xc6330000u + i), 80, 1, 0);
		ck_assert_ptr_nonnull(s);
		nat_session_flows(t, s, 1);
	}
	for (i = 0; i < n; i++) {
		s = nat_session(t, a, htonl(0xc6330000u + i), 80, 0, 0);
		ck_assert_ptr_nonnull(s);
		ck_assert_ptr_eq(nat_session_by_cookie(t, s->cookie), s);
	}
	for (i = 1; i <= n; i++)
		ck_assert_int_eq(nat_flow_removed(t, i, 0), 1);
	nat_stats_get(t, &st);
	ck_assert_uint_eq(st.sessions, 0);
	ck_assert_uint_eq(st.mappings, 0);
	nat_free(t);
}
END_TEST

/* A session's slot is used again, its cookie never: a late FlowRemoved
 * for an ended session does not touch the one that took its place. */
START_TEST(t_cookie_reuse)
{
	struct nat_config	 c = { 0 };
	struct nat_table	*t;
	struct nat_mapping	*a;
	struct nat_session	*s, *s2;
	uint64_t		 old;
	int			 i;

	c.pub = ip("203.0.113.20");
	c.port_lo = 1024;
	c.port_hi = 65535;
	c.to.tcp_est = NAT_TCP_EST_DEFAULT;
	c.max_sessions = 3;
	t = nat_new(&c);
	ck_assert_ptr_nonnull(t);
	a = nat_outbound(t, IPPROTO_TCP, ip("10.1.0.10"), 5000, 0);
	for (i = 0; i < 3; i++)
		nat_session_flows(t, nat_session(t, a, ip("198.51.100.1"),
		    (uint16_t)(80 + i), 1, 0), 1);
	errno = 0;
	ck_assert_ptr_null(nat_session(t, a, ip("198.51.100.1"), 99, 1, 0));
	ck_assert_int_eq(errno, ENOSPC);
	s = nat_session(t, a, ip("198.51.100.1"), 81, 0, 0);
	old = s->cookie;
	for (i = 0; i < 1000; i++) {
		ck_assert_int_eq(nat_flow_removed(t, old, 0), 1);
		s2 = nat_session(t, a, ip("198.51.100.2"), (uint16_t)i, 1, 0);
		ck_assert_ptr_nonnull(s2);
		ck_assert_ptr_eq(s2, s);	/* the same slot */
		ck_assert_uint_ne(s2->cookie, old);
		ck_assert_uint_eq(s2->cookie >> 61, 0);
		nat_session_flows(t, s2, 1);
		/* The ended session's cookie is not found; the new is. */
		ck_assert_ptr_null(nat_session_by_cookie(t, old));
		ck_assert_int_eq(nat_flow_removed(t, old, 0), -1);
		ck_assert_ptr_eq(nat_session_by_cookie(t, s2->cookie), s2);
		old = s2->cookie;
	}
	nat_free(t);
}
END_TEST

/*
 * Sessions come and go in a pseudo-random order over many mappings, with
 * the key table growing meanwhile: every live session is found under its
 * key and its cookie, and no ended one is.  This walks the probing, its
 * wrap at the end of the table, and the backward shift on delete.
 */
START_TEST(t_session_churn)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);
	struct nat_mapping	*m[8];
	struct nat_session	*s;
	struct nat_stats	 st;
	enum { N = 60000 };
	static uint64_t		 cookie[N];	/* 0: not live */
	uint32_t		 x = 12345, k;
	size_t			 live = 0;
	int			 i, round;

	/* Each mapping keeps one session of its own, so it never ends. */
	for (i = 0; i < 8; i++) {
		m[i] = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.10"),
		    (uint16_t)(6000 + i), 0);
		nat_session_flows(t, nat_session(t, m[i], ip("198.51.100.9"),
		    (uint16_t)i, 1, 0), 1);
	}
	memset(cookie, 0, sizeof(cookie));
	for (round = 0; round < 4 * N; round++) {
		x = x * 1103515245u + 12345u;
		k = (x >> 8) % N;
		if (cookie[k] == 0) {
			s = nat_session(t, m[k % 8], htonl(0xc6330000u + k),
			    (uint16_t)k, 1, 0);
			ck_assert_ptr_nonnull(s);
			nat_session_flows(t, s, 1);
			cookie[k] = s->cookie;
			live++;
		} else {
			ck_assert_int_eq(nat_flow_removed(t, cookie[k], 0),
			    1);
			cookie[k] = 0;
			live--;
		}
		if (round % 20000 != 0)
			continue;
		for (k = 0; k < N; k++) {
			s = nat_session(t, m[k % 8], htonl(0xc6330000u + k),
			    (uint16_t)k, 0, 0);
			if (cookie[k] == 0) {
				ck_assert_ptr_null(s);
				continue;
			}
			ck_assert_ptr_nonnull(s);
			ck_assert_uint_eq(s->cookie, cookie[k]);
			ck_assert_ptr_eq(nat_session_by_cookie(t, cookie[k]),
			    s);
		}
	}
	nat_stats_get(t, &st);
	ck_assert_uint_eq(st.sessions, live + 8);
	ck_assert_uint_eq(st.mappings, 8);
	nat_free(t);
}
END_TEST


/* What reconciliation with the switch's flow table uses. */
START_TEST(t_resync)
{
	struct nat_table	*t = table(1024, 65535, NAT_FILTER_EIF);
	struct nat_mapping	*m;
	struct nat_session	*s1, *s2, *it;
	struct nat_stats	 st;
	uint64_t		 old, c2;
	uint32_t		 slot = 0;
	int			 n = 0;

	m = nat_outbound(t, IPPROTO_UDP, ip("10.1.0.10"), 5000, 0);
	ck_assert_ptr_nonnull(m);
	s1 = nat_session(t, m, ip("198.51.100.1"), 53, 1, 0);
	s2 = nat_session(t, m, ip("198.51.100.2"), 53, 1, 0);
	ck_assert_ptr_nonnull(s1);
	ck_assert_ptr_nonnull(s2);
	ck_assert_uint_eq(s1->audit, 0);
	ck_assert_uint_eq(s1->seen, 0);
	nat_session_flows(t, s1, 2);
	nat_session_flows(t, s2, 2);
	/* The walk finds both, in slot order, and ends. */
	while ((it = nat_session_next(t, &slot)) != NULL)
		n++;
	ck_assert_int_eq(n, 2);
	ck_assert_ptr_null(nat_session_next(t, &slot));
	/* A new cookie: the old one no longer finds the session, and a
	 * FlowRemoved with it is unknown. */
	old = s1->cookie;
	ck_assert_uint_ne(nat_session_recookie(t, s1), old);
	ck_assert_uint_eq(s1->cookie & 0xffffff, old & 0xffffff);
	ck_assert_ptr_null(nat_session_by_cookie(t, old));
	ck_assert_ptr_eq(nat_session_by_cookie(t, s1->cookie), s1);
	ck_assert_int_eq(nat_flow_removed(t, old, 0), -1);
	ck_assert_uint_eq(s1->nflows, 2);
	/* The switch has none of s1's flows: flowless, ends at the time
	 * given, and not before. */
	nat_session_alive(t, s1, 1000);
	ck_assert_uint_eq(s1->expires_ms, 1000 + 1000ull * NAT_UDP_DEFAULT);
	nat_session_resync(t, s1, 0, 5000);
	ck_assert_uint_eq(s1->nflows, 0);
	ck_assert_uint_eq(nat_next_expiry(t), 5000);
	ck_assert_uint_eq(nat_expire(t, 4999, NULL, NULL), 0);
	/* Flows again: off the expiry list. */
	nat_session_resync(t, s1, 2, 5000);
	ck_assert_uint_eq(nat_next_expiry(t), 0);
	ck_assert_uint_eq(nat_expire(t, 9999, NULL, NULL), 0);
	nat_session_resync(t, s1, 0, 5000);
	ck_assert_uint_eq(nat_expire(t, 5000, NULL, NULL), 1);
	/* Ending the last session by hand ends the mapping, told first. */
	c2 = s2->cookie;
	ended = 0;
	nat_session_end(t, s2, count_end, NULL);
	ck_assert_int_eq(ended, 1);
	ck_assert_ptr_null(nat_session_by_cookie(t, c2));
	ck_assert_ptr_null(nat_lookup_inside(t, IPPROTO_UDP,
	    ip("10.1.0.10"), 5000));
	nat_stats_get(t, &st);
	ck_assert_uint_eq(st.sessions, 0);
	ck_assert_uint_eq(st.mappings, 0);
	slot = 0;
	ck_assert_ptr_null(nat_session_next(t, &slot));
	nat_free(t);
}
END_TEST

Suite *
nat_table_suite(void)
{
	Suite	*s = suite_create("nat_table");
	TCase	*tc = tcase_create("nat_table");

	tcase_add_test(tc, t_bad_config);
	tcase_add_test(tc, t_bad_input);
	tcase_add_test(tc, t_eim);
	tcase_add_test(tc, t_preservation);
	tcase_add_test(tc, t_exhaustion);
	tcase_add_test(tc, t_filtering);
	tcase_add_test(tc, t_forwards);
	tcase_add_test(tc, t_hairpin);
	tcase_add_test(tc, t_reclaim_flows);
	tcase_add_test(tc, t_reclaim_expiry);
	tcase_add_test(tc, t_drop_hosts);
	tcase_add_test(tc, t_many_sessions);
	tcase_add_test(tc, t_cookie_reuse);
	tcase_add_test(tc, t_session_churn);
	tcase_add_test(tc, t_resync);
	/* The churn runs a million setups: slow under ASan on a busy host. */
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
