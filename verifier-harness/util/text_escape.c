// SPDX-License-Identifier: BSD-2-Clause
/* text_escape.c: untrusted text made safe for terminals, Markdown, XML and CI annotations. */
#include <string.h>

#include "json_writer.h"
#include "text_escape.h"

#define REPLACEMENT_CHAR "\xef\xbf\xbd" /* U+FFFD */

enum unit_kind {
	U_TEXT,  /* a printable character (ASCII or a UTF-8 sequence) */
	U_CTRL,  /* a C0 control or DEL: the byte in *c */
	U_BAD,   /* a C1 control, U+FFFE/U+FFFF, or a byte that is not UTF-8 */
};

/* What starts at s (n bytes left); *len bytes long. */
static enum unit_kind next_unit(const unsigned char *s, size_t n, size_t *len)
{
	size_t k = vh_utf8__seq_len(s, n);

	*len = k ?: 1;
	if (!k)
		return U_BAD;
	if (k == 1)
		return s[0] < 0x20 || s[0] == 0x7f ? U_CTRL : U_TEXT;
	if (k == 2 && s[0] == 0xc2 && s[1] < 0xa0)
		return U_BAD; /* U+0080..U+009F: C1 controls, CSI (U+009B) among them */
	if (k == 3 && s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
		return U_BAD; /* non-characters XML refuses */
	return U_TEXT;
}

/* every unit of str: s points at it, len is its length, kind what it is */
#define FOR_EACH_UNIT(str, s, len, kind)                                                    \
	for (const unsigned char *s = (const unsigned char *)((str) ?: ""),                   \
				 *end_ = s + strlen((const char *)s);                       \
	     s < end_ && ((kind) = next_unit(s, end_ - s, &(len)), 1); s += (len))

void vh_escape__term(FILE *f, const char *str, bool multiline)
{
	enum unit_kind kind;
	size_t len;

	FOR_EACH_UNIT(str, s, len, kind) {
		if (kind == U_TEXT)
			fwrite(s, 1, len, f);
		else if (kind == U_CTRL && multiline && (*s == '\n' || *s == '\t'))
			fputc(*s, f);
		else if (kind == U_CTRL && !multiline && (*s == '\n' || *s == '\t' || *s == '\r'))
			fputc(' ', f);
		else
			fputc('?', f);
	}
}

size_t vh_escape__term_width(const char *str)
{
	enum unit_kind kind;
	size_t len, w = 0;

	/* every unit prints as one column: itself, a space or '?' */
	FOR_EACH_UNIT(str, s, len, kind)
		w++;
	(void)kind;
	return w;
}

void vh_escape__markdown(FILE *f, const char *str)
{
	enum unit_kind kind;
	size_t len;

	FOR_EACH_UNIT(str, s, len, kind) {
		if (kind == U_CTRL && (*s == '\n' || *s == '\t' || *s == '\r'))
			fputc(' ', f); /* a line break would end the table row */
		else if (kind != U_TEXT)
			fputc('?', f);
		else if (len == 1 && strchr("\\`*_[]<>|&~$#!", *s))
			fprintf(f, "\\%c", *s);
		else
			fwrite(s, 1, len, f);
	}
}

void vh_escape__markdown_code(FILE *f, const char *str)
{
	enum unit_kind kind;
	size_t len;

	FOR_EACH_UNIT(str, s, len, kind) {
		if (kind == U_TEXT || (kind == U_CTRL && (*s == '\n' || *s == '\t')))
			fwrite(s, 1, len, f);
		else
			fputc('?', f);
	}
}

void vh_escape__xml(FILE *f, const char *str, bool attr)
{
	enum unit_kind kind;
	size_t len;

	FOR_EACH_UNIT(str, s, len, kind) {
		if (kind == U_BAD) {
			fputs(REPLACEMENT_CHAR, f);
		} else if (kind == U_CTRL) {
			bool ws = *s == '\n' || *s == '\t' || *s == '\r';

			/* attribute values are normalized to spaces unless written as refs */
			if (ws && attr)
				fprintf(f, "&#%d;", *s);
			else if (ws)
				fputc(*s, f);
			else
				fputs(REPLACEMENT_CHAR, f);
		} else if (*s == '&') {
			fputs("&amp;", f);
		} else if (*s == '<') {
			fputs("&lt;", f);
		} else if (*s == '>') {
			fputs("&gt;", f);
		} else if (*s == '"' && attr) {
			fputs("&quot;", f);
		} else if (*s == '\'' && attr) {
			fputs("&apos;", f);
		} else {
			fwrite(s, 1, len, f);
		}
	}
}

void vh_escape__gh(FILE *f, const char *str, bool property)
{
	enum unit_kind kind;
	size_t len;

	FOR_EACH_UNIT(str, s, len, kind) {
		if (*s == '%')
			fputs("%25", f);
		else if (*s == '\r')
			fputs("%0D", f);
		else if (*s == '\n')
			fputs("%0A", f);
		else if (property && *s == ':')
			fputs("%3A", f);
		else if (property && *s == ',')
			fputs("%2C", f);
		else if (kind != U_TEXT)
			fputc('?', f);
		else
			fwrite(s, 1, len, f);
	}
}

void vh_escape__controls(char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}
