// SPDX-License-Identifier: BSD-2-Clause
/* json_reader.c: strict, bounded JSON parsing into a tree of vh_json_value. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_reader.h"
#include "json_writer.h"

/* Longer numbers are not results of ours; refusing them keeps strtod's copy small. */
#define MAX_NUMBER_LEN 128

struct parser {
	const char *p, *end;
	int line;
	const char *line_start;
	int depth, max_depth;
	int err;
	char *errbuf;
	size_t errlen;
};

static int fail_at(struct parser *ps, const char *at, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Record the first error as "line L:C: message"; columns count characters, not bytes. */
static int fail_at(struct parser *ps, const char *at, int err, const char *fmt, ...)
{
	va_list ap;
	int col = 1;
	size_t off;

	if (ps->err)
		return ps->err;
	ps->err = err;
	if (!ps->errbuf || !ps->errlen)
		return err;
	for (const char *c = ps->line_start; c < at; c++)
		if ((*c & 0xc0) != 0x80)
			col++;
	snprintf(ps->errbuf, ps->errlen, "line %d:%d: ", ps->line, col);
	off = strlen(ps->errbuf);
	va_start(ap, fmt);
	vsnprintf(ps->errbuf + off, ps->errlen - off, fmt, ap);
	va_end(ap);
	return err;
}

/* "'x'", "byte 0xNN" or "end of input", for messages */
static const char *describe(const struct parser *ps, const char *at, char *buf, size_t len)
{
	unsigned char c;

	if (at >= ps->end)
		return "end of input";
	c = *at;
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, len, "'%c'", c);
	else
		snprintf(buf, len, "byte 0x%02x", c);
	return buf;
}

static int unexpected(struct parser *ps, const char *what)
{
	char buf[16];

	return fail_at(ps, ps->p, -EINVAL, "unexpected %s, expected %s",
		       describe(ps, ps->p, buf, sizeof(buf)), what);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == '\n') {
			ps->line++;
			ps->line_start = ps->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		ps->p++;
	}
}

static int hex4(const char *s, unsigned int *out)
{
	unsigned int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* \uXXXX at ps->p (after the backslash-u), with a following low surrogate if needed */
static int parse_u_escape(struct parser *ps, const char *esc, unsigned int *cp)
{
	unsigned int hi, lo;

	if (ps->end - ps->p < 4 || hex4(ps->p, &hi))
		return fail_at(ps, esc, -EINVAL, "invalid \\u escape (4 hex digits expected)");
	ps->p += 4;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return fail_at(ps, esc, -EINVAL, "lone low surrogate \\u%04x", hi);
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		return 0;
	}
	if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' || hex4(ps->p + 2, &lo) ||
	    lo < 0xdc00 || lo > 0xdfff)
		return fail_at(ps, esc, -EINVAL, "lone high surrogate \\u%04x", hi);
	ps->p += 6;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* A string at ps->p (on its opening quote) into a new NUL-terminated buffer. */
static int parse_string(struct parser *ps, char **out, size_t *out_len)
{
	const char *open = ps->p, *q;
	char *buf, *o;
	int err = 0;

	/* find the closing quote to size the buffer: decoding never makes text longer */
	for (q = open + 1; q < ps->end && *q != '"'; q++)
		if (*q == '\\')
			q++;
	if (q >= ps->end)
		return fail_at(ps, open, -EINVAL, "unterminated string");
	buf = malloc(q - open);
	if (!buf)
		return fail_at(ps, open, -ENOMEM, "out of memory");
	o = buf;
	ps->p = open + 1;
	while (*ps->p != '"') {
		unsigned char c = *ps->p;
		const char *at = ps->p;
		unsigned int cp = 0;
		size_t n;

		if (c < 0x20) {
			err = fail_at(ps, at, -EINVAL,
				      "control character 0x%02x in a string must be escaped", c);
			goto cleanup;
		}
		if (c >= 0x80) {
			n = vh_utf8__seq_len((const unsigned char *)at, ps->end - at);
			if (!n) {
				err = fail_at(ps, at, -EINVAL, "invalid UTF-8 in a string");
				goto cleanup;
			}
			memcpy(o, at, n);
			o += n;
			ps->p += n;
			continue;
		}
		ps->p++;
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		c = *ps->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*o++ = c;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			err = parse_u_escape(ps, at, &cp);
			if (err)
				goto cleanup;
			o += put_utf8(o, cp);
			break;
		default:
			err = fail_at(ps, at, -EINVAL, "invalid escape in a string");
			goto cleanup;
		}
	}
	ps->p++;
	*o = '\0';
	*out = buf;
	*out_len = o - buf;
	return 0;
cleanup:
	free(buf);
	return err;
}

static bool is_digit(const struct parser *ps, const char *p)
{
	return p < ps->end && *p >= '0' && *p <= '9';
}

static int parse_number(struct parser *ps, struct vh_json_value *v)
{
	const char *start = ps->p, *p = ps->p;
	char buf[MAX_NUMBER_LEN + 1], *endp;
	bool is_int = true;
	size_t len;

	if (*p == '-')
		p++;
	if (!is_digit(ps, p))
		return fail_at(ps, start, -EINVAL, "invalid number (digit expected)");
	if (*p == '0') {
		p++;
		if (is_digit(ps, p))
			return fail_at(ps, start, -EINVAL, "invalid number (leading zero)");
	} else {
		while (is_digit(ps, p))
			p++;
	}
	if (p < ps->end && *p == '.') {
		is_int = false;
		p++;
		if (!is_digit(ps, p))
			return fail_at(ps, start, -EINVAL,
				       "invalid number (digit expected after '.')");
		while (is_digit(ps, p))
			p++;
	}
	if (p < ps->end && (*p == 'e' || *p == 'E')) {
		is_int = false;
		p++;
		if (p < ps->end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(ps, p))
			return fail_at(ps, start, -EINVAL,
				       "invalid number (digit expected in exponent)");
		while (is_digit(ps, p))
			p++;
	}
	len = p - start;
	if (len > MAX_NUMBER_LEN)
		return fail_at(ps, start, -EINVAL, "number longer than %d characters",
			       MAX_NUMBER_LEN);
	memcpy(buf, start, len);
	buf[len] = '\0';
	v->type = VH_JSON_NUMBER;
	errno = 0;
	v->num.d = strtod(buf, &endp);
	if (!isfinite(v->num.d))
		return fail_at(ps, start, -EINVAL, "number out of range");
	if (is_int) {
		errno = 0;
		v->num.i = strtoll(buf, &endp, 10);
		is_int = errno != ERANGE;
	}
	v->num.is_int = is_int;
	ps->p = p;
	return 0;
}

static int parse_literal(struct parser *ps, struct vh_json_value *v)
{
	static const struct {
		const char *text;
		enum vh_json_type type;
		bool b;
	} lits[] = {
		{ "true", VH_JSON_BOOL, true },
		{ "false", VH_JSON_BOOL, false },
		{ "null", VH_JSON_NULL, false },
	};

	for (size_t i = 0; i < sizeof(lits) / sizeof(lits[0]); i++) {
		size_t n = strlen(lits[i].text);

		if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, lits[i].text, n)) {
			v->type = lits[i].type;
			v->boolean = lits[i].b;
			ps->p += n;
			return 0;
		}
	}
	return unexpected(ps, "a value");
}

static int parse_value(struct parser *ps, struct vh_json_value *v);

static int enter(struct parser *ps)
{
	if (ps->depth >= ps->max_depth)
		return fail_at(ps, ps->p, -E2BIG, "nesting deeper than %d levels", ps->max_depth);
	ps->depth++;
	ps->p++;
	return 0;
}

/* Grow *arr (of *n elements, *cap allocated) by one zeroed element. */
static void *grow(void *arr, size_t *n, size_t *cap, size_t elem)
{
	char *a = arr;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 4;

		a = realloc(arr, c * elem);
		if (!a)
			return NULL;
		*cap = c;
	}
	memset(a + *n * elem, 0, elem);
	(*n)++;
	return a;
}

static int parse_array(struct parser *ps, struct vh_json_value *v)
{
	size_t cap = 0;
	int err;

	v->type = VH_JSON_ARRAY;
	err = enter(ps);
	if (err)
		return err;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']')
		goto done;
	for (;;) {
		struct vh_json_value *a = grow(v->arr.v, &v->arr.n, &cap, sizeof(*a));

		if (!a)
			return fail_at(ps, ps->p, -ENOMEM, "out of memory");
		v->arr.v = a;
		err = parse_value(ps, &a[v->arr.n - 1]);
		if (err)
			return err;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']')
			break;
		return unexpected(ps, "',' or ']' in an array");
	}
done:
	ps->p++;
	ps->depth--;
	return 0;
}

static int cmp_member(const void *a, const void *b)
{
	const struct vh_json_member *x = *(const struct vh_json_member *const *)a;
	const struct vh_json_member *y = *(const struct vh_json_member *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

static int dup_error(struct parser *ps, const struct vh_json_member *m)
{
	if (ps->errbuf && ps->errlen)
		snprintf(ps->errbuf, ps->errlen, "line %d: duplicate key '%.*s' in an object",
			 m->val.line, m->key_len > 64 ? 64 : (int)m->key_len, m->key);
	ps->err = -EINVAL;
	return ps->err;
}

/* Two members with one key would make the document mean different things to
 * different readers; sort pointers to find them in O(n log n). */
static int check_duplicates(struct parser *ps, const struct vh_json_value *v)
{
	const struct vh_json_member **s;
	int err = 0;

	if (v->obj.n < 2)
		return 0;
	s = malloc(v->obj.n * sizeof(*s));
	if (!s)
		return fail_at(ps, ps->p, -ENOMEM, "out of memory");
	for (size_t i = 0; i < v->obj.n; i++)
		s[i] = &v->obj.m[i];
	qsort(s, v->obj.n, sizeof(*s), cmp_member);
	for (size_t i = 1; i < v->obj.n; i++) {
		if (!cmp_member(&s[i - 1], &s[i])) {
			/* name the later one in the document */
			err = dup_error(ps, s[i] > s[i - 1] ? s[i] : s[i - 1]);
			break;
		}
	}
	free(s);
	return err;
}

static int parse_object(struct parser *ps, struct vh_json_value *v)
{
	size_t cap = 0;
	int err;

	v->type = VH_JSON_OBJECT;
	err = enter(ps);
	if (err)
		return err;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}')
		goto done;
	for (;;) {
		struct vh_json_member *m;

		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			return unexpected(ps, "a string key");
		m = grow(v->obj.m, &v->obj.n, &cap, sizeof(*m));
		if (!m)
			return fail_at(ps, ps->p, -ENOMEM, "out of memory");
		v->obj.m = m;
		m = &m[v->obj.n - 1];
		m->val.line = ps->line;
		err = parse_string(ps, &m->key, &m->key_len);
		if (err)
			return err;
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':')
			return unexpected(ps, "':' after an object key");
		ps->p++;
		err = parse_value(ps, &m->val);
		if (err)
			return err;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}')
			break;
		return unexpected(ps, "',' or '}' in an object");
	}
done:
	ps->p++;
	ps->depth--;
	return check_duplicates(ps, v);
}

static int parse_value(struct parser *ps, struct vh_json_value *v)
{
	skip_ws(ps);
	v->line = ps->line;
	if (ps->p >= ps->end)
		return unexpected(ps, "a value");
	switch (*ps->p) {
	case '{':
		return parse_object(ps, v);
	case '[':
		return parse_array(ps, v);
	case '"':
		v->type = VH_JSON_STRING;
		return parse_string(ps, &v->str.s, &v->str.len);
	case '-':
	case '0' ... '9':
		return parse_number(ps, v);
	default:
		return parse_literal(ps, v);
	}
}

static void free_children(struct vh_json_value *v)
{
	switch (v->type) {
	case VH_JSON_STRING:
		free(v->str.s);
		break;
	case VH_JSON_ARRAY:
		for (size_t i = 0; i < v->arr.n; i++)
			free_children(&v->arr.v[i]);
		free(v->arr.v);
		break;
	case VH_JSON_OBJECT:
		for (size_t i = 0; i < v->obj.n; i++) {
			free(v->obj.m[i].key);
			free_children(&v->obj.m[i].val);
		}
		free(v->obj.m);
		break;
	default:
		break;
	}
}

void vh_json_value__free(struct vh_json_value *v)
{
	if (!v)
		return;
	free_children(v);
	free(v);
}

int vh_json__parse(const char *text, size_t len, const struct vh_json_limits *limits,
		   struct vh_json_value **out, char *errbuf, size_t errlen)
{
	size_t max_size = limits && limits->max_size ? limits->max_size : VH_JSON_DEFAULT_MAX_SIZE;
	struct parser ps = {
		.p = text,
		.end = text + len,
		.line = 1,
		.line_start = text,
		.max_depth = limits && limits->max_depth > 0 ? limits->max_depth :
							       VH_JSON_DEFAULT_MAX_DEPTH,
		.errbuf = errbuf,
		.errlen = errlen,
	};
	struct vh_json_value *v;
	int err;

	*out = NULL;
	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (len > max_size) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "input of %zu bytes is over the %zu-byte limit",
				 len, max_size);
		return -E2BIG;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return fail_at(&ps, ps.p, -ENOMEM, "out of memory");
	err = parse_value(&ps, v);
	if (!err) {
		skip_ws(&ps);
		if (ps.p < ps.end)
			err = unexpected(&ps, "end of input after the value");
	}
	if (err) {
		vh_json_value__free(v);
		return err;
	}
	*out = v;
	return 0;
}

const struct vh_json_value *vh_json_value__get(const struct vh_json_value *v, const char *key)
{
	size_t len = strlen(key);

	if (!v || v->type != VH_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->obj.n; i++)
		if (v->obj.m[i].key_len == len && !memcmp(v->obj.m[i].key, key, len))
			return &v->obj.m[i].val;
	return NULL;
}

const char *vh_json_type__name(enum vh_json_type t)
{
	switch (t) {
	case VH_JSON_NULL:
		return "null";
	case VH_JSON_BOOL:
		return "boolean";
	case VH_JSON_NUMBER:
		return "number";
	case VH_JSON_STRING:
		return "string";
	case VH_JSON_ARRAY:
		return "array";
	case VH_JSON_OBJECT:
		return "object";
	}
	return "unknown";
}
