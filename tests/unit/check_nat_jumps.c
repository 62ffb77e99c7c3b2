/*
 * Unit tests for the jump lookup's parser (daemon/nat_jumps.c) on what
 * Linux's nf_tables sent (tests/unit/data/nft-*.bin, dumps of sequence
 * 1234 captured in a namespace after iptables-nft-restore of:
 *	-A PREROUTING -j VROUTER-PREROUTING
 *	-A PREROUTING -i lo -j VROUTER-PREROUTING
 *	-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1:8080
 *	-A VROUTER-PREROUTING -d 10.1.1.1/32 -p tcp -m tcp --dport 2222
 *	    -j DNAT --to-destination 10.0.0.2:22
 * nft-prerouting.bin is the PREROUTING dump with its NLMSG_DONE,
 * nft-ours.bin the VROUTER-PREROUTING one, nft-notable.bin and
 * nft-nochain.bin what a dump of a missing table or chain gets).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include "suites.h"
#include "vrouterd.h"

#define DATA	"tests/unit/data/"
#define SEQ	1234

static uint32_t	 buf[4096 / 4];

static size_t
load(const char *name)
{
	FILE	*f;
	size_t	 n;

	f = fopen(name, "rb");
	ck_assert_msg(f != NULL, "%s: %s (run from the source tree)", name,
	    strerror(errno));
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	ck_assert_uint_gt(n, 0);
	return n;
}

START_TEST(plain_jump_counted_once)
{
	size_t	 n = load(DATA "nft-prerouting.bin");
	int	 found = 0;

	/* The "-i lo" jump is an operator's, not a plain one. */
	ck_assert_int_eq(nat_jumps_parse(buf, n, SEQ, "VROUTER-PREROUTING",
	    &found), 0);
	ck_assert_int_eq(found, 1);
	found = 0;
	ck_assert_int_eq(nat_jumps_parse(buf, n, SEQ, "VROUTER-POSTROUTING",
	    &found), 0);
	ck_assert_int_eq(found, 0);
	found = 0;
	ck_assert_int_eq(nat_jumps_parse(buf, n, 0, "VROUTER-PREROUTING",
	    &found), 0);
	ck_assert_int_eq(found, 1);
}
END_TEST

START_TEST(dnat_rule_is_no_jump)
{
	size_t	 n = load(DATA "nft-ours.bin");
	int	 found = 0;

	/* Only the rule: the dump goes on (its NLMSG_DONE came apart). */
	ck_assert_int_eq(nat_jumps_parse(buf, n, SEQ, "VROUTER-PREROUTING",
	    &found), 1);
	ck_assert_int_eq(found, 0);
}
END_TEST

START_TEST(missing_table_or_chain)
{
	int	 found = 0;
	size_t	 n;

	n = load(DATA "nft-notable.bin");
	ck_assert_int_eq(nat_jumps_parse(buf, n, SEQ, "X", &found), 0);
	n = load(DATA "nft-nochain.bin");
	ck_assert_int_eq(nat_jumps_parse(buf, n, SEQ, "X", &found), 0);
	ck_assert_int_eq(found, 0);
}
END_TEST

START_TEST(another_dump_refused)
{
	size_t	 n = load(DATA "nft-prerouting.bin");
	int	 found = 0;

	errno = 0;
	ck_assert_int_eq(nat_jumps_parse(buf, n, SEQ + 1, "X", &found), -1);
	ck_assert_int_eq(errno, EPROTO);
}
END_TEST

START_TEST(truncated_refused)
{
	size_t	 n = load(DATA "nft-prerouting.bin");
	int	 found = 0;

	errno = 0;
	ck_assert_int_eq(nat_jumps_parse(buf, n - 24, SEQ, "X", &found), -1);
	ck_assert_int_eq(errno, EBADMSG);
	errno = 0;
	ck_assert_int_eq(nat_jumps_parse(buf, 10, SEQ, "X", &found), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(kernel_error_passed_on)
{
	struct {
		struct nlmsghdr	 h;
		struct nlmsgerr	 e;
	} m;
	int	 found = 0;

	memset(&m, 0, sizeof(m));
	m.h.nlmsg_len = sizeof(m);
	m.h.nlmsg_type = NLMSG_ERROR;
	m.e.error = -ENOENT;
	errno = 0;
	ck_assert_int_eq(nat_jumps_parse(&m, sizeof(m), 0, "X", &found), -1);
	ck_assert_int_eq(errno, ENOENT);
	m.e.error = 5;		/* not an errno the kernel sends */
	ck_assert_int_eq(nat_jumps_parse(&m, sizeof(m), 0, "X", &found), -1);
	ck_assert_int_eq(errno, EBADMSG);
	m.e.error = 0;		/* an ack */
	ck_assert_int_eq(nat_jumps_parse(&m, sizeof(m), 0, "X", &found), 0);
}
END_TEST

Suite *
nat_jumps_suite(void)
{
	Suite	*s = suite_create("nat_jumps");
	TCase	*tc = tcase_create("parse");

	tcase_add_test(tc, plain_jump_counted_once);
	tcase_add_test(tc, dnat_rule_is_no_jump);
	tcase_add_test(tc, missing_table_or_chain);
	tcase_add_test(tc, another_dump_refused);
	tcase_add_test(tc, truncated_refused);
	tcase_add_test(tc, kernel_error_passed_on);
	suite_add_tcase(s, tc);
	return s;
}
