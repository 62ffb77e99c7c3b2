/*
 * Mustache subset.  A tokenizer turns a template into a flat token list in
 * which each section knows the index of its close, and a renderer walks
 * that list with a context stack.
 *
 * Standalone lines are settled while tokenizing.  A standalone partial's
 * indentation goes before each line of the partial.  The tokenizer marks
 * every line start with an INDENT token, which renders as the indentation
 * in force (usually none).  So each partial is parsed once, up front, and
 * not once per inclusion with its indentation pasted into its text.
 *
 * Hostile templates are bounded by the section nesting depth, the partial
 * nesting depth, the output size and a step budget that also counts each
 * context lookup.  The step budget stops nested loops that print nothing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mustache.h"

#define MAX_DELIM	16
#define NAME_SHOW	40	/* bytes of a name quoted in an error */
#define STACK_MAX	(MUSTACHE_MAX_DEPTH * (MUSTACHE_MAX_PARTIALS + 1) + 1)

enum tok_type {
	T_TEXT, T_INDENT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE,
	T_PARTIAL,
	T_COMMENT, T_DELIM	/* seen by the tokenizer only */
};

struct tok {
	enum tok_type	 type;
	int		 line;
	const char	*s;		/* text, or the tag's name */
	size_t		 len;
	const char	*indent;	/* partial: NULL unless standalone */
	size_t		 indentlen;
	size_t		 end;		/* section: index of its close */
};

struct tmpl {
	const char	*name;		/* partial's name; NULL for the main */
	size_t		 namelen;
	struct tok	*toks;
	size_t		 ntoks, cap;
};

struct render {
	struct tmpl	 main;
	struct tmpl	*parts;
	size_t		 nparts;
	json_t		*stack[STACK_MAX];
	size_t		 depth;
	int		 pdepth;	/* partials being rendered */
	char		*out;
	size_t		 outlen, outcap;
	char		*ind;		/* indentation: ind[indstart..indlen) */
	size_t		 indstart, indlen, indcap;
	long		 steps;
	int		 eno;
	char		*err;
	size_t		 errlen;
};

/* A name made safe to quote in a message: printable, and cut short. */
static const char *
show(char *buf, size_t bufsz, const char *s, size_t len)
{
	size_t	 i, n = 0;

	for (i = 0; i < len && n + 4 < bufsz; i++) {
		if (i == NAME_SHOW) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		buf[n++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	}
	buf[n] = '\0';
	return buf;
}

static int __attribute__((format(printf, 5, 6)))
fail(struct render *r, const struct tmpl *t, int line, int eno,
    const char *fmt, ...)
{
	char	 msg[256], where[NAME_SHOW + 32], nm[NAME_SHOW + 8];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	where[0] = '\0';
	if (t != NULL && t->name != NULL)
		snprintf(where, sizeof(where), "partial \"%s\": ",
		    show(nm, sizeof(nm), t->name, t->namelen));
	if (line > 0)
		snprintf(where + strlen(where), sizeof(where) - strlen(where),
		    "line %d: ", line);
	if (r->err != NULL && r->errlen > 0)
		snprintf(r->err, r->errlen, "%s%s", where, msg);
	r->eno = eno;
	return -1;
}

static int
nomem(struct render *r)
{
	return fail(r, NULL, 0, ENOMEM, "out of memory");
}

/* ---- tokenizer ---- */

struct parser {
	struct render	*r;
	struct tmpl	*t;
	const char	*src;
	size_t		 len;
	int		 line;
	int		 bol;		/* at a line start with no INDENT yet */
	char		 otag[MAX_DELIM];
	char		 closer[1 + MAX_DELIM];	/* '}' or '=', then ctag */
	size_t		 olen, clen;
	size_t		 open[MUSTACHE_MAX_DEPTH];	/* open sections */
	size_t		 nopen;
};

/* A tag is src[start..end); what is between sigil and closer, s..e. */
struct tag {
	enum tok_type	 type;
	size_t		 start, s, e, end;
	size_t		 lead;		/* standalone: where its line starts */
	int		 standalone;
};

static struct tok *
push_tok(struct parser *p, enum tok_type type, const char *s, size_t len)
{
	struct tmpl	*t = p->t;
	struct tok	*tk;
	size_t		 ncap;

	if (t->ntoks == t->cap) {
		ncap = t->cap ? t->cap * 2 : 32;
		if ((tk = reallocarray(t->toks, ncap, sizeof(*tk))) == NULL) {
			nomem(p->r);
			return NULL;
		}
		t->toks = tk;
		t->cap = ncap;
	}
	tk = &t->toks[t->ntoks++];
	memset(tk, 0, sizeof(*tk));
	tk->type = type;
	tk->line = p->line;
	tk->s = s;
	tk->len = len;
	return tk;
}

/* Text [from, to), one token per line, each line after an INDENT. */
static int
emit_text(struct parser *p, size_t from, size_t to)
{
	const char	*nl;
	size_t		 end;

	while (from < to) {
		nl = memchr(p->src + from, '\n', to - from);
		end = nl != NULL ? (size_t)(nl - p->src) + 1 : to;
		if (p->bol && push_tok(p, T_INDENT, NULL, 0) == NULL)
			return -1;
		if (push_tok(p, T_TEXT, p->src + from, end - from) == NULL)
			return -1;
		p->bol = nl != NULL;
		p->line += nl != NULL;
		from = end;
	}
	return 0;
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int
is_namechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	    (unsigned char)c >= 0x80;
}

/* "." or dot-separated parts of name characters; partials take / too. */
static int
valid_name(const char *s, size_t len, int partial)
{
	size_t	 i, part = 0;

	if (len == 1 && s[0] == '.')
		return 1;
	for (i = 0; i < len; i++) {
		if (s[i] == '.' && !partial) {
			if (part == 0)
				return 0;
			part = 0;
		} else if (is_namechar(s[i]) ||
		    (partial && (s[i] == '.' || s[i] == '/')))
			part++;
		else
			return 0;
	}
	return part > 0;
}

/* The next tag from pos: 1 found, 0 none, -1 error. */
static int
find_tag(struct parser *p, size_t pos, struct tag *tg)
{
	const char	*src = p->src, *hit;
	size_t		 len = p->len, a, b;
	char		 pre = '\0';

	if ((hit = memmem(src + pos, len - pos, p->otag, p->olen)) == NULL)
		return 0;
	tg->start = hit - src;
	tg->s = tg->start + p->olen;
	tg->type = T_VAR;
	if (tg->s < len) {
		switch (src[tg->s]) {
		case '#': tg->type = T_SECTION; break;
		case '^': tg->type = T_INVERTED; break;
		case '/': tg->type = T_CLOSE; break;
		case '>': tg->type = T_PARTIAL; break;
		case '&': tg->type = T_RAW; break;
		case '!': tg->type = T_COMMENT; break;
		case '{': tg->type = T_RAW; pre = '}'; break;
		case '=': tg->type = T_DELIM; pre = '='; break;
		}
		if (tg->type != T_VAR)
			tg->s++;
	}
	p->closer[0] = pre;
	hit = memmem(src + tg->s, len - tg->s, pre ? p->closer : p->closer + 1,
	    p->clen + (pre != '\0'));
	if (hit == NULL) {
		if (emit_text(p, pos, tg->start) == -1)
			return -1;
		return fail(p->r, p->t, p->line, EBADMSG, "unclosed tag");
	}
	tg->e = hit - src;
	tg->end = tg->e + p->clen + (pre != '\0');

	/* Standalone: only blanks around it on its line; the line goes. */
	tg->standalone = 0;
	b = tg->start;
	a = tg->end;
	if (tg->type >= T_SECTION) {
		while (b > pos && (src[b - 1] == ' ' || src[b - 1] == '\t'))
			b--;
		while (a < len && (src[a] == ' ' || src[a] == '\t'))
			a++;
		tg->standalone = (b == 0 || src[b - 1] == '\n') &&
		    (a == len || src[a] == '\n' ||
		    (src[a] == '\r' && a + 1 < len && src[a + 1] == '\n'));
	}
	tg->lead = b;
	if (tg->standalone)
		tg->end = a == len ? len : a + (src[a] == '\r' ? 2 : 1);
	return 1;
}

/* {{=<% %>=}}: s..len is what lies between the two '='. */
static int
set_delims(struct parser *p, const char *s, size_t len)
{
	size_t	 i = 0, a, olen;

	while (i < len && is_space(s[i]))
		i++;
	for (a = i; i < len && !is_space(s[i]) && s[i] != '='; i++)
		;
	if ((olen = i - a) == 0 || olen > MAX_DELIM)
		goto bad;
	memcpy(p->otag, s + a, olen);
	while (i < len && is_space(s[i]))
		i++;
	for (a = i; i < len && !is_space(s[i]) && s[i] != '='; i++)
		;
	if (i - a == 0 || i - a > MAX_DELIM)
		goto bad;
	memcpy(p->closer + 1, s + a, i - a);
	p->clen = i - a;
	p->olen = olen;
	while (i < len && is_space(s[i]))
		i++;
	if (i == len)
		return 0;
bad:
	return fail(p->r, p->t, p->line, EBADMSG, "bad delimiters");
}

/* Check a tag's name, match sections with their close, add its token. */
static int
add_tag(struct parser *p, const struct tag *tg)
{
	const char	*name = p->src + tg->s, c = p->src[tg->s];
	size_t		 nlen = tg->e - tg->s;
	struct tok	*tk;
	char		 nm[NAME_SHOW + 8], nm2[NAME_SHOW + 8];

	if (tg->type == T_COMMENT)
		return 0;
	if (tg->type == T_DELIM)
		return set_delims(p, name, nlen);
	for (; nlen > 0 && is_space(*name); nlen--)
		name++;
	while (nlen > 0 && is_space(name[nlen - 1]))
		nlen--;
	if (nlen == 0)
		return fail(p->r, p->t, p->line, EBADMSG, "empty tag");
	if (tg->type == T_VAR && !is_namechar(c) && !is_space(c) && c != '.')
		return fail(p->r, p->t, p->line, EBADMSG,
		    "unknown tag type '%c'", c >= 0x20 && c < 0x7f ? c : '?');
	show(nm, sizeof(nm), name, nlen);
	if (!valid_name(name, nlen, tg->type == T_PARTIAL))
		return fail(p->r, p->t, p->line, EBADMSG, "bad name \"%s\"",
		    nm);
	if (tg->type == T_CLOSE) {
		if (p->nopen == 0)
			return fail(p->r, p->t, p->line, EBADMSG,
			    "unmatched closing tag \"%s\"", nm);
		tk = &p->t->toks[p->open[p->nopen - 1]];
		if (tk->len != nlen || memcmp(tk->s, name, nlen) != 0)
			return fail(p->r, p->t, p->line, EBADMSG,
			    "closing tag \"%s\" does not match section \"%s\" "
			    "from line %d", nm,
			    show(nm2, sizeof(nm2), tk->s, tk->len), tk->line);
		tk->end = p->t->ntoks;
		p->nopen--;
	}
	if (tg->type == T_SECTION || tg->type == T_INVERTED) {
		if (p->nopen == MUSTACHE_MAX_DEPTH)
			return fail(p->r, p->t, p->line, EBADMSG,
			    "nesting deeper than %d", MUSTACHE_MAX_DEPTH);
		p->open[p->nopen++] = p->t->ntoks;
	}
	if ((tk = push_tok(p, tg->type, name, nlen)) == NULL)
		return -1;
	if (tg->type == T_PARTIAL && tg->standalone) {
		tk->indent = p->src + tg->lead;
		tk->indentlen = tg->start - tg->lead;
	}
	return 0;
}

static int
parse(struct render *r, struct tmpl *t, const char *src, size_t len)
{
	struct parser	 p;
	struct tag	 tg;
	struct tok	*tk;
	const char	*nul;
	char		 nm[NAME_SHOW + 8];
	size_t		 pos = 0, i;
	int		 rv;

	memset(&p, 0, sizeof(p));
	memset(&tg, 0, sizeof(tg));
	p.r = r;
	p.t = t;
	p.src = src;
	p.len = len;
	p.line = p.bol = 1;
	memcpy(p.otag, "{{", 2);
	memcpy(p.closer + 1, "}}", 2);
	p.olen = p.clen = 2;
	if ((nul = memchr(src, '\0', len)) != NULL) {
		for (i = 0; i < (size_t)(nul - src); i++)
			p.line += src[i] == '\n';
		return fail(r, t, p.line, EBADMSG, "NUL byte in template");
	}
	while ((rv = find_tag(&p, pos, &tg)) == 1) {
		if (emit_text(&p, pos, tg.standalone ? tg.lead : tg.start) ==
		    -1)
			return -1;
		if (!tg.standalone && p.bol) {
			if (push_tok(&p, T_INDENT, NULL, 0) == NULL)
				return -1;
			p.bol = 0;
		}
		if (add_tag(&p, &tg) == -1)
			return -1;
		for (i = tg.start; i < tg.end; i++)
			p.line += src[i] == '\n';
		pos = tg.end;
	}
	if (rv == -1 || emit_text(&p, pos, len) == -1)
		return -1;
	if (p.nopen > 0) {
		tk = &t->toks[p.open[p.nopen - 1]];
		return fail(r, t, tk->line, EBADMSG, "unclosed section \"%s\"",
		    show(nm, sizeof(nm), tk->s, tk->len));
	}
	return 0;
}

/* ---- renderer ---- */

static int
step(struct render *r, const struct tmpl *t, int line, long n)
{
	r->steps += n;
	if (r->steps > MUSTACHE_MAX_STEPS)
		return fail(r, t, line, EBADMSG,
		    "too much work: more than %ld steps", MUSTACHE_MAX_STEPS);
	return 0;
}

static int
put(struct render *r, const struct tmpl *t, int line, const char *s,
    size_t n)
{
	size_t	 ncap;
	char	*o;

	if (n == 0)
		return 0;
	if (n > MUSTACHE_MAX_OUTPUT - r->outlen)
		return fail(r, t, line, EBADMSG, "output larger than %d bytes",
		    MUSTACHE_MAX_OUTPUT);
	if (r->outlen + n >= r->outcap) {
		ncap = r->outcap ? r->outcap * 2 : 1024;
		while (ncap <= r->outlen + n)
			ncap *= 2;
		if ((o = realloc(r->out, ncap)) == NULL)
			return nomem(r);
		r->out = o;
		r->outcap = ncap;
	}
	memcpy(r->out + r->outlen, s, n);
	r->outlen += n;
	return 0;
}

static int
put_escaped(struct render *r, const struct tmpl *t, int line, const char *s,
    size_t n)
{
	const char	*ent;
	size_t		 i, from = 0;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		default: continue;
		}
		if (put(r, t, line, s + from, i - from) == -1 ||
		    put(r, t, line, ent, strlen(ent)) == -1)
			return -1;
		from = i + 1;
	}
	return put(r, t, line, s + from, n - from);
}

/*
 * The spec's resolution: the first part of a dotted name is looked up down
 * the context stack, the rest only inside what that found.  NULL if
 * missing.
 */
static int
lookup(struct render *r, const struct tmpl *t, const struct tok *tk,
    json_t **out)
{
	const char	*s = tk->s, *dot;
	size_t		 len = tk->len, plen, i;
	json_t		*v = NULL;

	*out = NULL;
	if (len == 1 && s[0] == '.') {
		*out = r->stack[r->depth - 1];
		return 0;
	}
	dot = memchr(s, '.', len);
	plen = dot != NULL ? (size_t)(dot - s) : len;
	for (i = r->depth; i-- > 0 && v == NULL; ) {
		if (step(r, t, tk->line, 1) == -1)
			return -1;
		if (json_is_object(r->stack[i]))
			v = json_object_getn(r->stack[i], s, plen);
	}
	while (v != NULL && plen < len) {
		s += plen + 1;
		len -= plen + 1;
		dot = memchr(s, '.', len);
		plen = dot != NULL ? (size_t)(dot - s) : len;
		v = json_is_object(v) ? json_object_getn(v, s, plen) : NULL;
	}
	*out = v;
	return 0;
}

static int
truthy(json_t *v)
{
	return v != NULL && !json_is_null(v) && !json_is_false(v) &&
	    !(json_is_array(v) && json_array_size(v) == 0);
}

/* Integers as integers, reals in the fewest digits that read back. */
static int
put_value(struct render *r, const struct tmpl *t, const struct tok *tk,
    json_t *v)
{
	char		 buf[64], nm[NAME_SHOW + 8];
	const char	*s = buf;
	size_t		 n;
	int		 prec;

	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		if (memchr(s, '\0', n) != NULL)
			return fail(r, t, tk->line, EBADMSG,
			    "\"%s\" holds a NUL byte",
			    show(nm, sizeof(nm), tk->s, tk->len));
		break;
	case JSON_INTEGER:
		n = snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		break;
	case JSON_REAL:
		for (prec = 15; prec < 17; prec++) {
			snprintf(buf, sizeof(buf), "%.*g", prec,
			    json_real_value(v));
			if (strtod(buf, NULL) == json_real_value(v))
				break;
		}
		n = snprintf(buf, sizeof(buf), "%.*g", prec,
		    json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		s = json_is_true(v) ? "true" : "false";
		n = strlen(s);
		break;
	case JSON_NULL:
		return 0;
	default:
		return fail(r, t, tk->line, EBADMSG,
		    "\"%s\" is an object or a list, not a value",
		    show(nm, sizeof(nm), tk->s, tk->len));
	}
	if (tk->type == T_RAW)
		return put(r, t, tk->line, s, n);
	return put_escaped(r, t, tk->line, s, n);
}

static int	render(struct render *, const struct tmpl *, size_t, size_t);

static int
render_in(struct render *r, const struct tmpl *t, const struct tok *tk,
    size_t from, json_t *ctx)
{
	int	 rv;

	if (r->depth == STACK_MAX)	/* the parser's limits prevent it */
		return fail(r, t, tk->line, EBADMSG, "context stack full");
	r->stack[r->depth++] = ctx;
	rv = render(r, t, from, tk->end);
	r->depth--;
	return rv;
}

static int
render_partial(struct render *r, const struct tmpl *t, const struct tok *tk)
{
	const struct tmpl	*p = NULL;
	size_t			 i, ostart = r->indstart, olen = r->indlen;
	size_t			 ncap;
	char			*n;
	int			 rv;

	for (i = 0; i < r->nparts && p == NULL; i++)
		if (r->parts[i].namelen == tk->len &&
		    memcmp(r->parts[i].name, tk->s, tk->len) == 0)
			p = &r->parts[i];
	if (step(r, t, tk->line, i) == -1)
		return -1;
	if (p == NULL)		/* the spec: a missing partial is empty */
		return 0;
	if (r->pdepth == MUSTACHE_MAX_PARTIALS)
		return fail(r, t, tk->line, EBADMSG,
		    "partials nested deeper than %d", MUSTACHE_MAX_PARTIALS);
	if (tk->indent == NULL)		/* inline: not indented at all */
		r->indstart = r->indlen;
	else if (tk->indentlen > 0) {
		if (r->indlen + tk->indentlen > r->indcap) {
			ncap = (r->indlen + tk->indentlen) * 2;
			if ((n = realloc(r->ind, ncap)) == NULL)
				return nomem(r);
			r->ind = n;
			r->indcap = ncap;
		}
		memcpy(r->ind + r->indlen, tk->indent, tk->indentlen);
		r->indlen += tk->indentlen;
	}
	r->pdepth++;
	rv = render(r, p, 0, p->ntoks);
	r->pdepth--;
	r->indstart = ostart;
	r->indlen = olen;
	return rv;
}

static int
render(struct render *r, const struct tmpl *t, size_t from, size_t to)
{
	const struct tok	*tk;
	json_t			*v;
	size_t			 i, k;

	for (i = from; i < to; i++) {
		tk = &t->toks[i];
		if (step(r, t, tk->line, 1) == -1)
			return -1;
		switch (tk->type) {
		case T_TEXT:
			if (put(r, t, tk->line, tk->s, tk->len) == -1)
				return -1;
			break;
		case T_INDENT:	/* ind is NULL until a partial indents */
			if (r->indlen > r->indstart && put(r, t, tk->line,
			    r->ind + r->indstart, r->indlen - r->indstart) == -1)
				return -1;
			break;
		case T_VAR:
		case T_RAW:
			if (lookup(r, t, tk, &v) == -1 ||
			    (v != NULL && put_value(r, t, tk, v) == -1))
				return -1;
			break;
		case T_SECTION:
			if (lookup(r, t, tk, &v) == -1)
				return -1;
			if (json_is_array(v)) {
				for (k = 0; k < json_array_size(v); k++)
					if (step(r, t, tk->line, 1) == -1 ||
					    render_in(r, t, tk, i + 1,
					    json_array_get(v, k)) == -1)
						return -1;
			} else if (truthy(v) &&
			    render_in(r, t, tk, i + 1, v) == -1)
				return -1;
			i = tk->end;
			break;
		case T_INVERTED:
			if (lookup(r, t, tk, &v) == -1 ||
			    (!truthy(v) && render(r, t, i + 1, tk->end) == -1))
				return -1;
			i = tk->end;
			break;
		case T_PARTIAL:
			if (render_partial(r, t, tk) == -1)
				return -1;
			break;
		default:	/* T_CLOSE is jumped over */
			break;
		}
	}
	return 0;
}

static void
render_free(struct render *r)
{
	size_t	 i;

	free(r->main.toks);
	for (i = 0; i < r->nparts; i++)
		free(r->parts[i].toks);
	free(r->parts);
	free(r->ind);
	free(r->out);
}

char *
mustache_render(const char *tmpl, size_t len, json_t *view,
    json_t *partials, char *err, size_t errlen)
{
	struct render	*r;
	const char	*key;
	json_t		*val;
	char		*out = NULL;
	int		 eno;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->err = err;
	r->errlen = errlen;
	if ((tmpl == NULL && len > 0) || view == NULL ||
	    (partials != NULL && !json_is_object(partials))) {
		fail(r, NULL, 0, EINVAL, "no template, no view, or partials "
		    "not an object");
		goto done;
	}
	if (partials != NULL && json_object_size(partials) > 0) {
		r->parts = calloc(json_object_size(partials),
		    sizeof(*r->parts));
		if (r->parts == NULL) {
			nomem(r);
			goto done;
		}
		json_object_foreach(partials, key, val) {
			struct tmpl	*p = &r->parts[r->nparts++];

			p->name = key;
			p->namelen = strlen(key);
			if (!json_is_string(val)) {
				fail(r, p, 0, EBADMSG, "not a string");
				goto done;
			}
			if (parse(r, p, json_string_value(val),
			    json_string_length(val)) == -1)
				goto done;
		}
	}
	if (parse(r, &r->main, tmpl != NULL ? tmpl : "", len) == -1)
		goto done;
	r->stack[r->depth++] = view;
	if (render(r, &r->main, 0, r->main.ntoks) == -1 ||
	    put(r, NULL, 0, "", 1) == -1)	/* the NUL */
		goto done;
	out = r->out;
	r->out = NULL;
done:
	eno = r->eno;
	render_free(r);
	free(r);
	if (out == NULL)
		errno = eno;
	return out;
}
