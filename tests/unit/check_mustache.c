/*
 * Unit tests for the mustache renderer: bad templates and limits first,
 * then behaviour, then every case of the official spec files.
 *
 * The spec files are vendored in tests/mustache-spec; the path is
 * relative to the repository root, where tests/run-unit.sh runs the
 * runner for every build (build/, build-san/).  $MUSTACHE_SPEC_DIR
 * overrides it.  A missing spec directory is a failure, not a skip.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mustache.h"
#include "suites.h"

#define SPEC_DIR	"tests/mustache-spec"

/* Render s with view and partials given as JSON text. */
static char *
render(const char *s, const char *view, const char *partials, char *err,
    size_t errlen)
{
	json_t	*v, *p = NULL;
	char	*out;
	int	 eno;

	v = json_loads(view, JSON_DECODE_ANY, NULL);
	ck_assert_ptr_nonnull(v);
	if (partials != NULL)
		ck_assert_ptr_nonnull(p = json_loads(partials, 0, NULL));
	err[0] = '\0';
	out = mustache_render(s, strlen(s), v, p, err, errlen);
	eno = errno;
	json_decref(v);
	json_decref(p);
	errno = eno;
	return out;
}

static void
expect_ok(const char *s, const char *view, const char *partials,
    const char *want)
{
	char	 err[256], *out;

	out = render(s, view, partials, err, sizeof(err));
	ck_assert_msg(out != NULL, "%s: %s", s, err);
	ck_assert_str_eq(out, want);
	free(out);
}

static const struct {
	const char	*tmpl, *partials, *err;
} bad[] = {
	{ "a\n{{#networks}}\nx\n", NULL,
	  "line 2: unclosed section \"networks\"" },
	{ "{{#a}}\n{{/b}}", NULL,
	  "line 2: closing tag \"b\" does not match section \"a\" from line 1" },
	{ "x\n\n{{/x}}", NULL, "line 3: unmatched closing tag \"x\"" },
	{ "\n\n\n\n{{<parent}}{{/parent}}", NULL,
	  "line 5: unknown tag type '<'" },
	{ "{{$block}}", NULL, "line 1: unknown tag type '$'" },
	{ "{{=<% =}}", NULL, "line 1: bad delimiters" },
	{ "{{=<% %> x=}}", NULL, "line 1: bad delimiters" },
	{ "{{= =}}", NULL, "line 1: bad delimiters" },
	{ "{{=12345678901234567 x=}}", NULL, "line 1: bad delimiters" },
	{ "{{=<% %>=}}\n<%a}}", NULL, "line 2: unclosed tag" },
	{ "ok\n{{name", NULL, "line 2: unclosed tag" },
	{ "{{{name}}", NULL, "line 1: unclosed tag" },
	{ "{{}}", NULL, "line 1: empty tag" },
	{ "{{# }}", NULL, "line 1: empty tag" },
	{ "{{a..b}}", NULL, "line 1: bad name \"a..b\"" },
	{ "{{a.}}", NULL, "line 1: bad name \"a.\"" },
	{ "{{a b}}", NULL, "line 1: bad name \"a b\"" },
	{ "{{ #a}}", NULL, "line 1: bad name \"#a\"" },
	{ "{{#\x01\x02xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx}}",
	  NULL, "line 1: bad name \"??xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "...\"" },
	{ "{{>p}}", "{\"p\": \"x{{>p}}\"}",
	  "partial \"p\": line 1: partials nested deeper than 16" },
	{ "{{>a}}", "{\"a\": \"{{>b}}\", \"b\": \"\\n{{>a}}\"}",
	  "partial \"b\": line 2: partials nested deeper than 16" },
	{ "", "{\"p\": \"\\n{{#x}}\"}",
	  "partial \"p\": line 2: unclosed section \"x\"" },
	{ "", "{\"p\": 1}", "partial \"p\": not a string" },
	{ "{{obj}}", NULL, "line 1: \"obj\" is an object or a list, not a value" },
	{ "{{#obj}}\n{{{.}}}{{/obj}}", NULL,
	  "line 2: \".\" is an object or a list, not a value" },
};

START_TEST(rejects_bad_templates)
{
	char	 err[256], *out;

	out = render(bad[_i].tmpl, "{\"obj\": {\"a\": 1}}", bad[_i].partials,
	    err, sizeof(err));
	ck_assert_msg(out == NULL, "%s rendered as \"%s\"", bad[_i].tmpl, out);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_str_eq(err, bad[_i].err);
}
END_TEST

/* A string of n copies of a, then n copies of b. */
static char *
repeat2(const char *a, const char *b, int n)
{
	char	*s = calloc(1, (strlen(a) + strlen(b)) * n + 1);
	int	 i;

	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n; i++)
		strcat(s, a);
	for (i = 0; i < n; i++)
		strcat(s, b);
	return s;
}

START_TEST(limits)
{
	json_t		*v, *p;
	const char	*t;
	char		 err[256], buf[128], name[8], *s;
	time_t		 t0;
	int		 i, k;

	/* 64 sections deep is fine, 65 is not. */
	s = repeat2("{{#a}}", "{{/a}}", MUSTACHE_MAX_DEPTH);
	expect_ok(s, "{\"a\": true}", NULL, "");
	free(s);
	s = repeat2("{{^a}}", "{{/a}}", MUSTACHE_MAX_DEPTH + 1);
	ck_assert_ptr_null(render(s, "{}", NULL, err, sizeof(err)));
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_str_eq(err, "line 1: nesting deeper than 64");
	free(s);

	/* Nested loops that print nothing still run out of steps, fast. */
	t0 = time(NULL);
	s = repeat2("{{#l}}", "{{/l}}", 12);
	ck_assert_ptr_null(render(s, "{\"l\": [1,2,3,4,5,6,7,8,9,10]}",
	    NULL, err, sizeof(err)));
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_str_eq(err, "line 1: too much work: more than 16777216 steps");
	free(s);

	/* So do partials that fan out: p0 holds 8 p1, ..., p8 holds 8 p9. */
	p = json_object();
	for (i = 0; i < 10; i++) {
		buf[0] = '\0';
		for (k = 0; i < 9 && k < 8; k++)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			    "{{>p%d}}", i + 1);
		snprintf(name, sizeof(name), "p%d", i);
		json_object_set_new(p, name, json_string(buf));
	}
	v = json_object();
	t = "{{>p0}}";
	ck_assert_ptr_null(mustache_render(t, strlen(t), v, p, err,
	    sizeof(err)));
	json_decref(v);
	json_decref(p);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_msg(strstr(err, "too much work") != NULL, "%s", err);
	ck_assert_int_le(time(NULL) - t0, 10);

	/* Output is capped. */
	s = malloc(1024 * 1024 + 1);
	memset(s, 'x', 1024 * 1024);
	s[1024 * 1024] = '\0';
	v = json_pack("{s:s, s:[iiiiiiiiiiiiiiiiiiii]}", "big", s, "l",
	    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	free(s);
	t = "{{#l}}{{{big}}}{{/l}}";
	ck_assert_ptr_null(mustache_render(t, strlen(t), v, NULL, err,
	    sizeof(err)));
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_str_eq(err, "line 1: output larger than 16777216 bytes");
	t = "{{#l}}{{#l}}{{{big}}}{{/l}}{{/l}}";
	ck_assert_ptr_null(mustache_render(t, strlen(t), v, NULL, NULL, 0));
	json_decref(v);

	/* Caller errors, NUL bytes. */
	ck_assert_ptr_null(mustache_render("x", 1, NULL, NULL, err,
	    sizeof(err)));
	ck_assert_int_eq(errno, EINVAL);
	v = json_object();
	p = json_array();
	ck_assert_ptr_null(mustache_render("x", 1, v, p, err, sizeof(err)));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(mustache_render("a\nb\0c", 5, v, NULL, err,
	    sizeof(err)));
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_str_eq(err, "line 2: NUL byte in template");
	json_object_set_new(v, "s", json_stringn("a\0b", 3));
	ck_assert_ptr_null(mustache_render("{{s}}", 5, v, NULL, err,
	    sizeof(err)));
	ck_assert_str_eq(err, "line 1: \"s\" holds a NUL byte");
	json_decref(p);
	json_decref(v);
}
END_TEST

START_TEST(renders_config)
{
	static const char tmpl[] =
	    "{{! keepalived.conf: config is not HTML, so values go raw }}\n"
	    "vrrp_instance {{{name}}} {\n"
	    "    virtual_router_id {{vrid}}\n"
	    "    priority {{{prio}}}\n"
	    "{{#unicast}}\n"
	    "    unicast_peer {\n"
	    "{{#peers}}\n"
	    "        {{{.}}}\n"
	    "{{/peers}}\n"
	    "    }\n"
	    "{{/unicast}}\n"
	    "{{^unicast}}\n"
	    "    # multicast\n"
	    "{{/unicast}}\n"
	    "    virtual_ipaddress {\n"
	    "{{#networks}}\n"
	    "        {{{gw}}}/{{{len}}} dev {{&dev}}{{#vip.label}} label "
	    "{{vip.label}}{{/vip.label}}\n"
	    "{{/networks}}\n"
	    "    }\n"
	    "}\n";
	static const char view[] =
	    "{\"name\": \"VR_<1>\", \"vrid\": 51, \"prio\": 100.5,"
	    " \"unicast\": true, \"peers\": [\"10.0.0.2\", \"10.0.0.3\"],"
	    " \"dev\": \"eth1\", \"networks\": ["
	    "  {\"gw\": \"10.1.0.1\", \"len\": 24},"
	    "  {\"gw\": \"10.2.0.1\", \"len\": 16, \"dev\": \"eth2\","
	    "   \"vip\": {\"label\": \"eth2:&\"}}]}";

	expect_ok(tmpl, view, NULL,
	    "vrrp_instance VR_<1> {\n"
	    "    virtual_router_id 51\n"
	    "    priority 100.5\n"
	    "    unicast_peer {\n"
	    "        10.0.0.2\n"
	    "        10.0.0.3\n"
	    "    }\n"
	    "    virtual_ipaddress {\n"
	    "        10.1.0.1/24 dev eth1\n"
	    "        10.2.0.1/16 dev eth2 label eth2:&amp;\n"
	    "    }\n"
	    "}\n");
}
END_TEST

START_TEST(values_and_truth)
{
	expect_ok("{{a}}|{{{a}}}|{{&a}}", "{\"a\": \"<&\\\"'>\"}", NULL,
	    "&lt;&amp;&quot;'&gt;|<&\"'>|<&\"'>");
	expect_ok("{{i}} {{n}} {{r}} {{x}} {{e}} {{t}} {{f}} {{z}}",
	    "{\"i\": -9223372036854775807, \"n\": 0, \"r\": 0.1,"
	    " \"x\": 0.30000000000000004, \"e\": 1e300, \"t\": true,"
	    " \"f\": false, \"z\": null}", NULL,
	    "-9223372036854775807 0 0.1 0.30000000000000004 1e+300 true "
	    "false ");
	/* The spec: 0 and "" are truthy; false, null, [] and missing not. */
	expect_ok("{{#n}}0{{/n}}{{#s}}s{{/s}}{{#o}}o{{/o}}{{#f}}F{{/f}}"
	    "{{#z}}Z{{/z}}{{#l}}L{{/l}}{{#m}}M{{/m}}{{^f}}f{{/f}}{{^z}}z{{/z}}"
	    "{{^l}}l{{/l}}{{^m}}m{{/m}}{{^n}}N{{/n}}",
	    "{\"n\": 0, \"s\": \"\", \"o\": {}, \"f\": false, \"z\": null,"
	    " \"l\": []}", NULL, "0sofzlm");
	/* Dotted names resolve their first part only. */
	expect_ok("{{#a}}{{b.c}}|{{c}}{{/a}}",
	    "{\"a\": {\"b\": {}}, \"b\": {\"c\": 1}, \"c\": 2}", NULL, "|2");
	/* A root that is a list, and a view that is a scalar. */
	expect_ok("{{#.}}{{.}},{{/.}}", "[1, 2]", NULL, "1,2,");
	expect_ok("{{.}}{{x}}", "\"s\"", NULL, "s");
}
END_TEST

START_TEST(whitespace_and_partials)
{
	/* Delimiters last until reset; partials start with {{ }}. */
	expect_ok("{{=<% %>=}}<%a%> {{a}} <%>p%>\n<%={{ }}=%>{{a}}", "{\"a\": 1}",
	    "{\"p\": \"{{a}}\"}", "1 {{a}} 1\n1");
	/* Standalone lines go, with \r\n; inline tags stay. */
	expect_ok("a\r\n  {{#t}}  \r\n b\r\n{{/t}}\r\n{{#t}}x{{/t}}\n",
	    "{\"t\": 1}", NULL, "a\r\n b\r\nx\n");
	/* Indentation adds up through nested standalone partials, not
	 * through inline ones nor into interpolated values. */
	expect_ok("<\n  {{>outer}}\n>", "{\"v\": \"1\\n2\"}",
	    "{\"outer\": \"o\\n  {{>inner}}\\n{{>inline}}!\\n\","
	    " \"inner\": \"i\\n{{{v}}}\\n\", \"inline\": \"x\\ny\"}",
	    "<\n  o\n    i\n    1\n2\n  x\ny!\n>");
	/* A missing partial is empty, as the spec says. */
	expect_ok("[{{>nope}}]", "{}", "{}", "[]");
	expect_ok("[{{>nope}}]", "{}", NULL, "[]");
}
END_TEST

/* ---- the official spec ---- */

/* Cases that cannot pass, by file and name, with the reason. */
static const struct {
	const char	*file, *name, *why;
} skips[] = {
	{ NULL, NULL, NULL }
};

/* Every file must be there; optional modules (~name) are not supported. */
static const char *const required[] = {
	"interpolation.json", "sections.json", "inverted.json",
	"comments.json", "delimiters.json", "partials.json",
};

struct spec_case {
	char	*file;
	json_t	*test;		/* name, data, template, partials, expected */
};

static struct spec_case	*cases;
static int		 ncases;
static char		 spec_error[2048];

static void
free_cases(void)
{
	int	 i;

	for (i = 0; i < ncases; i++) {
		free(cases[i].file);
		json_decref(cases[i].test);
	}
	free(cases);
	cases = NULL;
	ncases = 0;
}

static int
load_file(const char *dir, const char *file)
{
	json_error_t	 jerr;
	json_t		*doc, *tests, *t;
	char		 path[1024];
	size_t		 i;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if ((doc = json_load_file(path, 0, &jerr)) == NULL) {
		snprintf(spec_error, sizeof(spec_error), "%s: line %d: %s",
		    path, jerr.line, jerr.text);
		return -1;
	}
	tests = json_object_get(doc, "tests");
	if (!json_is_array(tests) || json_array_size(tests) == 0) {
		snprintf(spec_error, sizeof(spec_error), "%s: no tests", path);
		json_decref(doc);
		return -1;
	}
	json_array_foreach(tests, i, t) {
		cases = reallocarray(cases, ncases + 1, sizeof(*cases));
		if (cases == NULL)
			abort();
		cases[ncases].file = strdup(file);
		cases[ncases].test = json_incref(t);
		ncases++;
	}
	json_decref(doc);
	return 0;
}

static int
is_json(const struct dirent *d)
{
	size_t	 n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".json") == 0;
}

/* Loads every spec file; on failure, spec_error says why. */
static void
load_spec(void)
{
	struct dirent	**ents;
	const char	 *dir = getenv("MUSTACHE_SPEC_DIR");
	size_t		  i;
	int		  n, k, found;

	if (dir == NULL)
		dir = SPEC_DIR;
	if ((n = scandir(dir, &ents, is_json, alphasort)) == -1) {
		snprintf(spec_error, sizeof(spec_error), "%s: %s (set "
		    "MUSTACHE_SPEC_DIR)", dir, strerror(errno));
		return;
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		for (found = 0, k = 0; k < n; k++)
			found |= strcmp(ents[k]->d_name, required[i]) == 0;
		if (!found)
			snprintf(spec_error, sizeof(spec_error),
			    "%s/%s: missing", dir, required[i]);
	}
	for (k = 0; k < n; k++) {
		if (spec_error[0] == '\0' && ents[k]->d_name[0] != '~')
			load_file(dir, ents[k]->d_name);
		free(ents[k]);
	}
	free(ents);
	if (spec_error[0] != '\0')
		free_cases();
}

START_TEST(spec_present)
{
	ck_assert_msg(spec_error[0] == '\0', "mustache spec: %s", spec_error);
	ck_assert_int_gt(ncases, 0);
}
END_TEST

START_TEST(spec_case)
{
	const struct spec_case	*c = &cases[_i];
	const char		*name, *tmpl, *want;
	char			 err[256], *out;
	size_t			 i;

	name = json_string_value(json_object_get(c->test, "name"));
	tmpl = json_string_value(json_object_get(c->test, "template"));
	want = json_string_value(json_object_get(c->test, "expected"));
	ck_assert_msg(name != NULL && tmpl != NULL && want != NULL,
	    "%s: case %d: no name, template or expected", c->file, _i);
	for (i = 0; skips[i].file != NULL; i++)
		if (strcmp(skips[i].file, c->file) == 0 &&
		    strcmp(skips[i].name, name) == 0)
			return;
	err[0] = '\0';
	out = mustache_render(tmpl, strlen(tmpl),
	    json_object_get(c->test, "data"),
	    json_object_get(c->test, "partials"), err, sizeof(err));
	ck_assert_msg(out != NULL, "%s: \"%s\": %s", c->file, name, err);
	ck_assert_msg(strcmp(out, want) == 0,
	    "%s: \"%s\": got \"%s\", want \"%s\"", c->file, name, out, want);
	free(out);
}
END_TEST

Suite *
mustache_suite(void)
{
	Suite	*s = suite_create("mustache");
	TCase	*tc = tcase_create("bad");

	tcase_add_loop_test(tc, rejects_bad_templates, 0,
	    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, limits);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, renders_config);
	tcase_add_test(tc, values_and_truth);
	tcase_add_test(tc, whitespace_and_partials);
	suite_add_tcase(s, tc);

	if (cases == NULL && spec_error[0] == '\0') {
		load_spec();
		atexit(free_cases);
	}
	tc = tcase_create("spec");
	tcase_add_test(tc, spec_present);
	tcase_add_loop_test(tc, spec_case, 0, ncases);
	suite_add_tcase(s, tc);
	return s;
}
