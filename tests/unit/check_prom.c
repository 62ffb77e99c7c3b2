/*
 * Unit tests for lib/prom.c: bad names and misplaced samples first, then
 * the page as written (escapes, values, histograms), then the page read
 * back by the Prometheus client's own parser, then leaks.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "prom.h"
#include "suites.h"

#define PYTHON	"/usr/bin/python3"

static const char *
page(const struct prom *p)
{
	size_t	 len;

	return prom_text(p, &len);
}

START_TEST(test_names)
{
	static const char *const good[] = { "a", "_x", "a:b_c9", "A", NULL };
	static const char *const bad[] = { "", "9a", "a-b", "a b", "é",
	    "a.b", NULL };
	int	 i;

	for (i = 0; good[i] != NULL; i++)
		ck_assert_msg(prom_metric_name_ok(good[i]), "%s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ck_assert_msg(!prom_metric_name_ok(bad[i]), "%s", bad[i]);
	ck_assert(!prom_metric_name_ok(NULL));
	ck_assert(prom_label_name_ok("vm"));
	ck_assert(prom_label_name_ok("_x"));
	ck_assert(!prom_label_name_ok("a:b"));
	ck_assert(!prom_label_name_ok("__name__"));
	ck_assert(!prom_label_name_ok("1a"));
}
END_TEST

START_TEST(test_bad_input_leaves_page)
{
	struct prom	 p;
	size_t		 len;
	char		*before;

	prom_init(&p);
	/* A sample before any family. */
	ck_assert_int_eq(prom_sample(&p, "x", 1, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(prom_family(&p, "bad-name", PROM_GAUGE, "h"), -1);
	ck_assert_int_eq(prom_family(&p, "x_total", PROM_COUNTER, "X."), 0);
	before = strdup(page(&p));
	/* Another family's sample, a bad label name, a reserved one, a
	 * NULL value, a histogram part of a counter, a second x_total. */
	ck_assert_int_eq(prom_sample(&p, "y", 1, NULL), -1);
	ck_assert_int_eq(prom_sample(&p, "x_total", 1, "a-b", "v", NULL), -1);
	ck_assert_int_eq(prom_sample(&p, "x_total", 1, "__n", "v", NULL), -1);
	ck_assert_int_eq(prom_sample(&p, "x_total", 1, "a", "v", "b", NULL,
	    NULL), -1);
	ck_assert_int_eq(prom_sample(&p, "x_total_bucket", 1, NULL), -1);
	/* Not UTF-8: a stray continuation byte, a truncated sequence, an
	 * overlong "/", a surrogate, past U+10FFFF. */
	ck_assert_int_eq(prom_sample(&p, "x_total", 1, "a", "\x80", NULL), -1);
	ck_assert_int_eq(prom_sample(&p, "x_total", 1, "a", "r\xc3", NULL),
	    -1);
	ck_assert_int_eq(prom_sample(&p, "x_total", 1, "a", "\xc0\xaf", NULL),
	    -1);
	ck_assert_int_eq(prom_sample(&p, "x_total", 1, "a", "\xed\xa0\x80",
	    NULL), -1);
	ck_assert_int_eq(prom_sample(&p, "x_total", 1, "a",
	    "\xf4\x90\x80\x80", NULL), -1);
	ck_assert_int_eq(prom_family(&p, "z", PROM_GAUGE, "\xff"), -1);
	ck_assert_int_eq(prom_family(&p, "x_total", PROM_GAUGE, "again"), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_str_eq(page(&p), before);
	ck_assert_uint_eq(p.errors, 14);
	prom_text(&p, &len);
	ck_assert_uint_eq(len, strlen(before));
	free(before);
	prom_free(&p);
}
END_TEST

START_TEST(test_escapes_and_values)
{
	struct prom	 p;

	prom_init(&p);
	ck_assert_int_eq(prom_family(&p, "vm_up", PROM_GAUGE,
	    "Up \\ or\ndown \"quoted\"."), 0);
	ck_assert_int_eq(prom_sample(&p, "vm_up", 1, "vm", "a\"b\\c\nd",
	    "z", "", NULL), 0);
	ck_assert_int_eq(prom_sample(&p, "vm_up", 2, "vm", "r\xc3\xa9\xf0\x9f"
	    "\x98\x80", NULL), 0);
	ck_assert_int_eq(prom_sample(&p, "vm_up", 0.25, NULL), 0);
	ck_assert_int_eq(prom_sample(&p, "vm_up", NAN, "k", "n", NULL), 0);
	ck_assert_int_eq(prom_sample(&p, "vm_up", -INFINITY, "k", "i",
	    NULL), 0);
	ck_assert_int_eq(prom_family(&p, "big_total", PROM_COUNTER, "B."),
	    0);
	ck_assert_int_eq(prom_sample_u64(&p, "big_total",
	    18446744073709551615ull, NULL), 0);
	ck_assert_str_eq(page(&p),
	    "# HELP vm_up Up \\\\ or\\ndown \"quoted\".\n"
	    "# TYPE vm_up gauge\n"
	    "vm_up{vm=\"a\\\"b\\\\c\\nd\",z=\"\"} 1\n"
	    "vm_up{vm=\"r\xc3\xa9\xf0\x9f\x98\x80\"} 2\n"
	    "vm_up 0.25\n"
	    "vm_up{k=\"n\"} NaN\n"
	    "vm_up{k=\"i\"} -Inf\n"
	    "# HELP big_total B.\n"
	    "# TYPE big_total counter\n"
	    "big_total 18446744073709551615\n");
	ck_assert_uint_eq(p.errors, 0);
	prom_free(&p);
}
END_TEST

START_TEST(test_histogram)
{
	static const double le[] = { 0.1, 1, 10 };
	struct prom	 p;
	struct prom_hist h;
	double		 unsorted[] = { 1, 1 };

	ck_assert_int_eq(prom_hist_init(&h, unsorted, 2), -1);
	ck_assert_int_eq(prom_hist_init(&h, le, PROM_HIST_MAX + 1), -1);
	ck_assert_int_eq(prom_hist_init(&h, le, 3), 0);
	prom_hist_observe(&h, 0.05);
	prom_hist_observe(&h, 0.1);	/* le is inclusive */
	prom_hist_observe(&h, 5);
	prom_hist_observe(&h, 50);
	ck_assert_uint_eq(h.count, 4);
	prom_init(&p);
	ck_assert_int_eq(prom_family(&p, "d_seconds", PROM_HISTOGRAM, "D."),
	    0);
	/* le is the histogram's own label. */
	ck_assert_int_eq(prom_histogram(&p, "d_seconds", &h, "le", "1",
	    NULL), -1);
	ck_assert_int_eq(prom_sample(&p, "d_seconds", 1, NULL), -1);
	ck_assert_int_eq(prom_histogram(&p, "d_seconds", &h, "to", "MASTER",
	    NULL), 0);
	ck_assert_str_eq(page(&p),
	    "# HELP d_seconds D.\n"
	    "# TYPE d_seconds histogram\n"
	    "d_seconds_bucket{to=\"MASTER\",le=\"0.1\"} 2\n"
	    "d_seconds_bucket{to=\"MASTER\",le=\"1\"} 2\n"
	    "d_seconds_bucket{to=\"MASTER\",le=\"10\"} 3\n"
	    "d_seconds_bucket{to=\"MASTER\",le=\"+Inf\"} 4\n"
	    "d_seconds_sum{to=\"MASTER\"} 55.15\n"
	    "d_seconds_count{to=\"MASTER\"} 4\n");
	prom_free(&p);
}
END_TEST

/* The page as the Prometheus client library reads it. */
static const char parse_py[] =
    "import sys\n"
    "from prometheus_client.parser import text_string_to_metric_families\n"
    "fams = {f.name: f for f in text_string_to_metric_families("
    "sys.stdin.read())}\n"
    "s = fams['vm_claims'].samples\n"
    "assert fams['vm_claims'].type == 'gauge', fams['vm_claims'].type\n"
    "assert fams['vm_claims'].documentation == 'Claims \\\\ per\\nVM.', "
    "repr(fams['vm_claims'].documentation)\n"
    "assert s[0].labels == {'vm': 'r\"1\\\\\\n', 'state': 'MASTER'}, "
    "s[0].labels\n"
    "assert s[0].value == 3\n"
    "h = fams['ho_seconds']\n"
    "assert h.type == 'histogram'\n"
    "b = [x for x in h.samples if x.name == 'ho_seconds_bucket']\n"
    "assert [x.value for x in b] == [1, 2, 2], b\n"
    "assert fams['x'].type == 'counter'\n"
    "assert [x.value for x in fams['x'].samples] == [7]\n";

START_TEST(test_client_parser)
{
	static const double le[] = { 0.5, 1 };
	struct prom	 p;
	struct prom_hist h;
	const char	*text;
	char		 dir[] = "/tmp/check_prom.XXXXXX", script[64], cmd[128];
	size_t		 len;
	FILE		*f;
	int		 st;

	if (access(PYTHON, X_OK) == -1)
		ck_abort_msg(PYTHON " missing: install python3-prometheus-client "
		    "(scripts/install-deps.sh)");
	prom_init(&p);
	prom_family(&p, "vm_claims", PROM_GAUGE, "Claims \\ per\nVM.");
	prom_sample(&p, "vm_claims", 3, "vm", "r\"1\\\n", "state", "MASTER",
	    NULL);
	prom_family(&p, "ho_seconds", PROM_HISTOGRAM, "Handovers.");
	prom_hist_init(&h, le, 2);
	prom_hist_observe(&h, 0.2);
	prom_hist_observe(&h, 0.7);
	prom_histogram(&p, "ho_seconds", &h, NULL);
	prom_family(&p, "x_total", PROM_COUNTER, "X.");
	prom_sample_u64(&p, "x_total", 7, NULL);
	ck_assert_uint_eq(p.errors, 0);
	text = prom_text(&p, &len);
	/* The script from a file: no shell quoting to get wrong. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/parse.py", dir);
	ck_assert_ptr_nonnull(f = fopen(script, "w"));
	ck_assert_int_ge(fputs(parse_py, f), 0);
	fclose(f);
	snprintf(cmd, sizeof(cmd), PYTHON " %s", script);
	ck_assert_ptr_nonnull(f = popen(cmd, "w"));
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	st = pclose(f);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the client parser rejected the page:\n%s", text);
	unlink(script);
	rmdir(dir);
	prom_free(&p);
}
END_TEST

START_TEST(test_file)
{
	char	 dir[] = "/tmp/check_prom.XXXXXX", path[64], buf[64];
	FILE	*f;
	size_t	 n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(prom_write_file("/nonexistent/dir", "a.prom", "x", 1),
	    -1);
	ck_assert_int_eq(prom_write_file(dir, "a.prom", "old\n", 4), 0);
	ck_assert_int_eq(prom_write_file(dir, "a.prom", "new\n", 4), 0);
	snprintf(path, sizeof(path), "%s/a.prom", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	ck_assert_str_eq(buf, "new\n");
	/* Nothing but the page is left in the folder. */
	snprintf(buf, sizeof(buf), "ls -A %s | grep -qv '^a.prom$'", dir);
	ck_assert_int_ne(system(buf), 0);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* Many families and a big page, freed: valgrind/ASan see no leak. */
START_TEST(test_leaks)
{
	struct prom	 p;
	char		 name[32];
	int		 i;

	prom_init(&p);
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "m%d", i);
		ck_assert_int_eq(prom_family(&p, name, PROM_GAUGE, "M."), 0);
		ck_assert_int_eq(prom_sample(&p, name, i, "vm", name, NULL), 0);
	}
	prom_free(&p);
	prom_free(&p);		/* twice is harmless */
}
END_TEST

Suite *
prom_suite(void)
{
	Suite	*s = suite_create("prom");
	TCase	*tc = tcase_create("prom");

	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_bad_input_leaves_page);
	tcase_add_test(tc, test_escapes_and_values);
	tcase_add_test(tc, test_histogram);
	tcase_add_test(tc, test_client_parser);
	tcase_add_test(tc, test_file);
	tcase_add_test(tc, test_leaks);
	suite_add_tcase(s, tc);
	return s;
}
