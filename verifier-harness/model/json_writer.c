// SPDX-License-Identifier: BSD-2-Clause
/* json_writer.c: streaming JSON output with full string escaping. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "json_writer.h"

size_t vh_utf8__seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned int cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1 (always overlong) or 0xf5.. */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000))
		return 0; /* overlong */
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

void vh_json_writer__init(struct vh_json_writer *w, FILE *f, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = pretty;
}

static void set_err(struct vh_json_writer *w, int err)
{
	if (!w->err)
		w->err = err;
}

static void indent(struct vh_json_writer *w, int depth)
{
	fputc('\n', w->f);
	for (int i = 0; i < depth; i++)
		fputs("  ", w->f);
}

/* Separator and indentation before a value or a key; false on misuse. */
static bool begin_element(struct vh_json_writer *w, bool is_key)
{
	if (w->done) {
		set_err(w, -EINVAL); /* a second top-level value */
		return false;
	}
	if (w->after_key) {
		if (is_key) {
			set_err(w, -EINVAL);
			return false;
		}
		w->after_key = false;
		return true;
	}
	if (w->depth == 0) {
		if (is_key)
			set_err(w, -EINVAL);
		return !is_key;
	}
	/* inside an object only keys start an element; inside an array only values */
	if ((w->open[w->depth - 1] == '{') != is_key) {
		set_err(w, -EINVAL);
		return false;
	}
	if (w->nonempty[w->depth - 1])
		fputc(',', w->f);
	if (w->pretty)
		indent(w, w->depth);
	w->nonempty[w->depth - 1] = true;
	return true;
}

static void end_value(struct vh_json_writer *w)
{
	if (w->depth == 0)
		w->done = true;
}

static void begin(struct vh_json_writer *w, char open)
{
	if (!begin_element(w, false))
		return;
	if (w->depth == VH_JSON_WRITER_MAX_DEPTH) {
		set_err(w, -EINVAL);
		return;
	}
	fputc(open, w->f);
	w->open[w->depth] = open;
	w->nonempty[w->depth] = false;
	w->depth++;
}

static void end(struct vh_json_writer *w, char open, char close)
{
	if (w->depth == 0 || w->open[w->depth - 1] != open || w->after_key) {
		set_err(w, -EINVAL);
		return;
	}
	w->depth--;
	if (w->pretty && w->nonempty[w->depth])
		indent(w, w->depth);
	fputc(close, w->f);
	end_value(w);
}

void vh_json_writer__begin_object(struct vh_json_writer *w)
{
	begin(w, '{');
}

void vh_json_writer__end_object(struct vh_json_writer *w)
{
	end(w, '{', '}');
}

void vh_json_writer__begin_array(struct vh_json_writer *w)
{
	begin(w, '[');
}

void vh_json_writer__end_array(struct vh_json_writer *w)
{
	end(w, '[', ']');
}

/* The quoted, escaped string; runs of bytes that need nothing are written at once. */
static void put_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t run = 0, i = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = s[i];
		size_t n = vh_utf8__seq_len(s + i, len - i);

		if (n > 0 && c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
			i += n;
			continue;
		}
		fwrite(s + run, 1, i - run, f);
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (n == 0)
				fputs("\\ufffd", f); /* not UTF-8: replacement character */
			else
				fprintf(f, "\\u%04x", c);
			break;
		}
		i++;
		run = i;
	}
	fwrite(s + run, 1, i - run, f);
	fputc('"', f);
}

void vh_json_writer__key(struct vh_json_writer *w, const char *key)
{
	if (!key) {
		set_err(w, -EINVAL);
		return;
	}
	if (!begin_element(w, true))
		return;
	put_string(w->f, key, strlen(key));
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

void vh_json_writer__string_len(struct vh_json_writer *w, const char *s, size_t len)
{
	if (!begin_element(w, false))
		return;
	put_string(w->f, s, len);
	end_value(w);
}

void vh_json_writer__string(struct vh_json_writer *w, const char *s)
{
	if (s)
		vh_json_writer__string_len(w, s, strlen(s));
	else
		vh_json_writer__null(w);
}

void vh_json_writer__int(struct vh_json_writer *w, long long v)
{
	if (!begin_element(w, false))
		return;
	fprintf(w->f, "%lld", v);
	end_value(w);
}

void vh_json_writer__double(struct vh_json_writer *w, double v)
{
	if (!isfinite(v)) {
		vh_json_writer__null(w);
		return;
	}
	if (!begin_element(w, false))
		return;
	/* "C" locale is assumed: bpfgate never calls setlocale() */
	fprintf(w->f, "%.15g", v);
	end_value(w);
}

void vh_json_writer__bool(struct vh_json_writer *w, bool v)
{
	if (!begin_element(w, false))
		return;
	fputs(v ? "true" : "false", w->f);
	end_value(w);
}

void vh_json_writer__null(struct vh_json_writer *w)
{
	if (!begin_element(w, false))
		return;
	fputs("null", w->f);
	end_value(w);
}

void vh_json_writer__kv_string(struct vh_json_writer *w, const char *key, const char *s)
{
	vh_json_writer__key(w, key);
	vh_json_writer__string(w, s);
}

void vh_json_writer__kv_int(struct vh_json_writer *w, const char *key, long long v)
{
	vh_json_writer__key(w, key);
	vh_json_writer__int(w, v);
}

int vh_json_writer__finish(struct vh_json_writer *w)
{
	if (!w->done)
		set_err(w, -EINVAL);
	fputc('\n', w->f);
	if (fflush(w->f) || ferror(w->f))
		set_err(w, -EIO);
	return w->err;
}
