/* Unit tests for hostd registrations: the trust boundary of the host. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "registry.h"
#include "suites.h"

#define GOOD "{\"name\":\"r1\",\"channel\":\"/run/r1.sock\",\"tap\":\"tap0\"," \
	"\"uplink\":\"eth0\",\"addresses\":[\"203.0.113.10\"]"

static const struct {
	const char	*json;
	const char	*err;		/* expected start of the message */
} bad[] = {
	{ "[]", "registration is not a JSON object" },
	{ GOOD ",\"extra\":1}", "extra: unknown key" },
	{ "{\"channel\":\"/x\",\"tap\":\"t\",\"uplink\":\"u\","
	    "\"addresses\":[\"203.0.113.1\"]}", "name: missing" },
	{ "{\"name\":5}", "name: not a string" },
	{ "{\"name\":\"a/b\"}", "name: \"a/b\": use letters" },
	{ "{\"name\":\"-x\"}", "name: \"-x\": use letters" },
	{ "{\"name\":\"r\",\"channel\":\"rel\"}", "channel: \"rel\": not an "
	    "absolute path" },
	{ "{\"name\":\"r\",\"channel\":\"/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaa\"}", "channel: " },
	{ "{\"name\":\"r\",\"channel\":\"/x\",\"tap\":\"a/b\"}",
	    "tap: \"a/b\": not an interface name" },
	{ "{\"name\":\"r\",\"channel\":\"/x\",\"tap\":\"waytoolongname00\"}",
	    "tap: \"waytoolongname00\": longer than 15 bytes" },
	{ "{\"name\":\"r\",\"channel\":\"/x\",\"tap\":\"t\",\"uplink\":\"t\"}",
	    "uplink: \"t\": same as the tap" },
	{ "{\"name\":\"r\",\"channel\":\"/x\",\"tap\":\"t\",\"uplink\":\"u\"}",
	    "addresses: missing" },
	{ "{\"name\":\"r\",\"channel\":\"/x\",\"tap\":\"t\",\"uplink\":\"u\","
	    "\"addresses\":[]}", "addresses: empty" },
	{ "{\"name\":\"r\",\"channel\":\"/x\",\"tap\":\"t\",\"uplink\":\"u\","
	    "\"addresses\":[\"10.0.0.256\"]}",
	    "addresses[0]: \"10.0.0.256\": not an IPv4 address" },
	{ "{\"name\":\"r\",\"channel\":\"/x\",\"tap\":\"t\",\"uplink\":\"u\","
	    "\"addresses\":[\"10.0.0.1\",\"10.0.0.1\"]}",
	    "addresses[1]: \"10.0.0.1\": listed twice" },
	{ "{\"name\":\"r\",\"channel\":\"/x\",\"tap\":\"t\",\"uplink\":\"u\","
	    "\"addresses\":[\"224.0.0.5\"]}", "addresses[0]: \"224.0.0.5\": "
	    "not a unicast host address" },
	{ "{\"name\":\"r\",\"channel\":\"/x\",\"tap\":\"t\",\"uplink\":\"u\","
	    "\"addresses\":[\"127.0.0.1\"]}", "addresses[0]: \"127.0.0.1\": "
	    "not a unicast" },
	{ GOOD ",\"tables\":[\"local\"]}", "tables[0]: \"local\": no such" },
	{ GOOD ",\"tables\":[0]}", "tables[0]: \"0\": table number out of "
	    "range" },
	{ GOOD ",\"tables\":[255]}", "tables[0]: \"255\": table number out" },
	{ GOOD ",\"tables\":[-1]}", "tables[0]: \"-1\"" },
	{ GOOD ",\"tables\":[4294967295]}", "tables[0]: \"4294967295\"" },
	{ GOOD ",\"tables\":[\"main\",254]}", "tables[1]: \"254\": listed "
	    "twice" },
	{ GOOD ",\"tables\":[\"nosuchtable\"]}", "tables[0]: \"nosuchtable\": "
	    "no such table name" },
	{ GOOD ",\"tables\":[1,2,3,4,5,6,7,8,9]}", "tables: more than 8" },
	{ GOOD ",\"tables\":{}}", "tables: not a non-empty array" },
};

START_TEST(rejects_bad_registrations)
{
	struct vm_reg	 reg;
	json_error_t	 jerr;
	json_t		*obj;
	char		 err[256] = "";

	obj = json_loads(bad[_i].json, 0, &jerr);
	ck_assert_msg(obj != NULL, "test JSON broken: %s", bad[_i].json);
	ck_assert_int_eq(reg_from_json(obj, &reg, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, bad[_i].err, strlen(bad[_i].err)) == 0,
	    "got \"%s\", want \"%s...\"", err, bad[_i].err);
	json_decref(obj);
}
END_TEST

START_TEST(parses_and_round_trips)
{
	struct vm_reg	 a, b;
	json_t		*obj, *back;
	char		 err[256];

	obj = json_loads(GOOD ",\"tables\":[\"main\",100]}", 0, NULL);
	ck_assert_int_eq(reg_from_json(obj, &a, err, sizeof(err)), 0);
	ck_assert_str_eq(a.name, "r1");
	ck_assert_uint_eq(a.naddrs, 1);
	ck_assert_uint_eq(a.addrs[0], inet_addr("203.0.113.10"));
	ck_assert_uint_eq(a.ntables, 2);
	ck_assert_uint_eq(a.tables[0], 254);
	ck_assert_uint_eq(a.tables[1], 100);
	ck_assert(reg_has_addr(&a, inet_addr("203.0.113.10")));
	ck_assert(!reg_has_addr(&a, inet_addr("203.0.113.11")));
	ck_assert(reg_has_table(&a, 100) && !reg_has_table(&a, 101));
	back = reg_to_json(&a);
	ck_assert_int_eq(reg_from_json(back, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	json_decref(obj);
	json_decref(back);

	obj = json_loads(GOOD "}", 0, NULL);
	ck_assert_int_eq(reg_from_json(obj, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(a.ntables, 1);	/* main by default */
	ck_assert_uint_eq(a.tables[0], 254);
	json_decref(obj);
}
END_TEST

START_TEST(save_load_remove)
{
	struct vm_reg	 a, b;
	json_t		*obj;
	char		 dir[] = "/tmp/vr-reg-XXXXXX", path[256], err[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	obj = json_loads(GOOD "}", 0, NULL);
	ck_assert_int_eq(reg_from_json(obj, &a, err, sizeof(err)), 0);
	json_decref(obj);
	ck_assert_int_eq(reg_save(dir, &a, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/r1.json", dir);
	ck_assert_int_eq(reg_load_file(path, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(memcmp(&a, &b, sizeof(a)), 0);
	ck_assert_int_eq(reg_remove(dir, "r1"), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(reg_remove(dir, "r1"), 0);	/* absent is fine */
	ck_assert_int_eq(reg_remove(dir, "../etc"), -1);
	/* A file that is not JSON is named with its line. */
	snprintf(path, sizeof(path), "%s/bad.json", dir);
	FILE *f = fopen(path, "w");
	fputs("{\n\"name\": \n", f);
	fclose(f);
	ck_assert_int_eq(reg_load_file(path, &b, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "bad.json:") != NULL, "%s", err);
	unlink(path);
	rmdir(dir);
}
END_TEST

Suite *
registry_suite(void)
{
	Suite	*s = suite_create("registry");
	TCase	*tc = tcase_create("registry");

	tcase_add_loop_test(tc, rejects_bad_registrations, 0,
	    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, parses_and_round_trips);
	tcase_add_test(tc, save_load_remove);
	suite_add_tcase(s, tc);
	return s;
}
