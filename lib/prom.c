/*
 * The Prometheus text exposition format, written (prom.h).  The rules
 * followed are those of the format's description: names match
 * [a-zA-Z_:][a-zA-Z0-9_:]* (labels: no colon, no leading "__", which is
 * reserved), HELP text escapes backslash and newline, label values also
 * the double quote, and both must be UTF-8; values are Go floats ("NaN",
 * "+Inf").
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

/* Appends; a failure leaves a flag the caller turns into a rollback. */
struct out {
	struct prom	*p;
	size_t		 start;	/* length to roll back to */
	int		 err;
};

static void
put(struct out *o, const char *s, size_t n)
{
	struct prom	*p = o->p;
	size_t		 cap;
	char		*nb;

	if (o->err)
		return;
	if (p->len + n + 1 > p->cap) {
		cap = p->cap ? p->cap : 4096;
		while (cap < p->len + n + 1)
			cap *= 2;
		if ((nb = realloc(p->buf, cap)) == NULL) {
			o->err = ENOMEM;
			return;
		}
		p->buf = nb;
		p->cap = cap;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = '\0';
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/*
 * Label values and HELP text must be UTF-8: a scraper rejects the whole
 * page otherwise.  1 when s is (no overlongs, surrogates or > U+10FFFF).
 */
static int
utf8_ok(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned int	 cp;
	int		 n, i;

	while (*s != '\0') {
		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 1;
			cp = *s & 0x1f;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 2;
			cp = *s & 0x0f;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 3;
			cp = *s & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

/* HELP text escapes \ and newline; a label value also ". */
static void
put_escaped(struct out *o, const char *s, int quote)
{
	const char	*run = s;

	for (; *s != '\0'; s++) {
		const char *rep = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n" :
		    (*s == '"' && quote) ? "\\\"" : NULL;

		if (rep == NULL)
			continue;
		put(o, run, (size_t)(s - run));
		puts_(o, rep);
		run = s + 1;
	}
	put(o, run, (size_t)(s - run));
}

static int
finish(struct out *o)
{
	struct prom	*p = o->p;

	if (o->err == 0)
		return 0;
	p->len = o->start;
	if (p->buf != NULL)
		p->buf[p->len] = '\0';
	p->errors++;
	errno = o->err;
	return -1;
}

int
prom_metric_name_ok(const char *s)
{
	const char	*c;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (c = s; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '_' || *c == ':'))
			return 0;
	return 1;
}

int
prom_label_name_ok(const char *s)
{
	if (s == NULL || strchr(s, ':') != NULL || strncmp(s, "__", 2) == 0)
		return 0;
	return prom_metric_name_ok(s);
}

void
prom_init(struct prom *p)
{
	memset(p, 0, sizeof(*p));
}

void
prom_free(struct prom *p)
{
	size_t	 i;

	for (i = 0; i < p->nnames; i++)
		free(p->names[i]);
	free(p->names);
	free(p->buf);
	memset(p, 0, sizeof(*p));
}

const char *
prom_text(const struct prom *p, size_t *len)
{
	*len = p->len;
	return p->buf != NULL ? p->buf : "";
}

static const char *
type_name(enum prom_type t)
{
	return t == PROM_COUNTER ? "counter" : t == PROM_GAUGE ? "gauge" :
	    "histogram";
}

int
prom_family(struct prom *p, const char *name, enum prom_type type,
    const char *help)
{
	struct out	 o = { p, p->len, 0 };
	char		**nn, *dup;
	size_t		 i;

	if (!prom_metric_name_ok(name) || type > PROM_HISTOGRAM ||
	    help == NULL || !utf8_ok(help)) {
		o.err = EINVAL;
		return finish(&o);
	}
	for (i = 0; i < p->nnames; i++)
		if (strcmp(p->names[i], name) == 0) {
			o.err = EEXIST;
			return finish(&o);
		}
	puts_(&o, "# HELP ");
	puts_(&o, name);
	puts_(&o, " ");
	put_escaped(&o, help, 0);
	puts_(&o, "\n# TYPE ");
	puts_(&o, name);
	puts_(&o, " ");
	puts_(&o, type_name(type));
	puts_(&o, "\n");
	if (o.err == 0) {
		nn = realloc(p->names, (p->nnames + 1) * sizeof(*nn));
		dup = strdup(name);
		if (nn != NULL)
			p->names = nn;
		if (nn == NULL || dup == NULL) {
			free(dup);
			o.err = ENOMEM;
		} else {
			p->names[p->nnames++] = dup;
			p->family = dup;
			p->type = type;
		}
	}
	return finish(&o);
}

/* A sample name of the current family (with a histogram's suffixes). */
static int
belongs(const struct prom *p, const char *name, int hist_part)
{
	size_t	 n;

	if (p->family == NULL || strncmp(name, p->family,
	    (n = strlen(p->family))) != 0)
		return 0;
	if (!hist_part)
		return name[n] == '\0' && p->type != PROM_HISTOGRAM;
	return strcmp(name + n, "_bucket") == 0 ||
	    strcmp(name + n, "_sum") == 0 || strcmp(name + n, "_count") == 0;
}

/* name{k="v",...,extra} with the pairs of ap; extra is a ready label. */
static void
put_series(struct out *o, const char *name, va_list ap, const char *extra)
{
	const char	*k, *v;
	int		 n = 0;

	puts_(o, name);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (!prom_label_name_ok(k) || v == NULL || !utf8_ok(v) ||
		    (extra != NULL && strcmp(k, "le") == 0)) {
			o->err = EINVAL;
			return;
		}
		puts_(o, n++ ? "," : "{");
		puts_(o, k);
		puts_(o, "=\"");
		put_escaped(o, v, 1);
		puts_(o, "\"");
	}
	if (extra != NULL) {
		puts_(o, n++ ? "," : "{");
		puts_(o, extra);
	}
	if (n > 0)
		puts_(o, "}");
}

static void
fmt_double(char *num, size_t size, double v)
{
	if (isnan(v))
		snprintf(num, size, "NaN");
	else if (isinf(v))
		snprintf(num, size, "%s", v > 0 ? "+Inf" : "-Inf");
	else
		snprintf(num, size, "%.15g", v);
}

static void
put_double(struct out *o, double v)
{
	char	 num[40];

	fmt_double(num, sizeof(num), v);
	puts_(o, num);
}

static void
put_u64(struct out *o, uint64_t v)
{
	char	 num[24];

	snprintf(num, sizeof(num), "%" PRIu64, v);
	puts_(o, num);
}

/* One sample of a family: the series, then the value as text. */
static int
sample(struct prom *p, const char *name, const char *value, va_list ap)
{
	struct out	 o = { p, p->len, 0 };

	if (!belongs(p, name, 0)) {
		o.err = EINVAL;
		return finish(&o);
	}
	put_series(&o, name, ap, NULL);
	puts_(&o, " ");
	puts_(&o, value);
	puts_(&o, "\n");
	return finish(&o);
}

int
prom_sample(struct prom *p, const char *name, double value, ...)
{
	char		 num[40];
	va_list		 ap;
	int		 rv;

	fmt_double(num, sizeof(num), value);
	va_start(ap, value);
	rv = sample(p, name, num, ap);
	va_end(ap);
	return rv;
}

int
prom_sample_u64(struct prom *p, const char *name, uint64_t value, ...)
{
	char		 num[24];
	va_list		 ap;
	int		 rv;

	snprintf(num, sizeof(num), "%" PRIu64, value);
	va_start(ap, value);
	rv = sample(p, name, num, ap);
	va_end(ap);
	return rv;
}

int
prom_histogram(struct prom *p, const char *name, const struct prom_hist *h,
    ...)
{
	struct out	 o = { p, p->len, 0 };
	char		 part[256], le[48];
	uint64_t	 cum = 0;
	size_t		 i;
	va_list		 ap;

	if (p->family == NULL || p->type != PROM_HISTOGRAM ||
	    strcmp(name, p->family) != 0 || h->n > PROM_HIST_MAX ||
	    strlen(name) + 8 > sizeof(part)) {
		o.err = EINVAL;
		return finish(&o);
	}
	snprintf(part, sizeof(part), "%s_bucket", name);
	for (i = 0; i <= h->n; i++) {
		if (i < h->n) {
			cum += h->bucket[i];
			snprintf(le, sizeof(le), "le=\"%.15g\"", h->le[i]);
		} else {
			cum = h->count;
			snprintf(le, sizeof(le), "le=\"+Inf\"");
		}
		va_start(ap, h);
		put_series(&o, part, ap, le);
		va_end(ap);
		puts_(&o, " ");
		put_u64(&o, cum);
		puts_(&o, "\n");
	}
	snprintf(part, sizeof(part), "%s_sum", name);
	va_start(ap, h);
	put_series(&o, part, ap, NULL);
	va_end(ap);
	puts_(&o, " ");
	put_double(&o, h->sum);
	puts_(&o, "\n");
	snprintf(part, sizeof(part), "%s_count", name);
	va_start(ap, h);
	put_series(&o, part, ap, NULL);
	va_end(ap);
	puts_(&o, " ");
	put_u64(&o, h->count);
	puts_(&o, "\n");
	return finish(&o);
}

int
prom_hist_init(struct prom_hist *h, const double *le, size_t n)
{
	size_t	 i;

	memset(h, 0, sizeof(*h));
	if (n > PROM_HIST_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (isnan(le[i]) || (i > 0 && le[i] <= le[i - 1])) {
			errno = EINVAL;
			return -1;
		}
		h->le[i] = le[i];
	}
	h->n = n;
	return 0;
}

void
prom_hist_observe(struct prom_hist *h, double v)
{
	size_t	 i;

	for (i = 0; i < h->n; i++)
		if (v <= h->le[i]) {
			h->bucket[i]++;
			break;
		}
	h->count++;
	h->sum += v;
}
