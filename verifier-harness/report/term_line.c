// SPDX-License-Identifier: BSD-2-Clause
/* term_line.c: terminal width, and lines cut to it. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "report.h"
#include "term_line.h"

size_t vh_term__width(int fd)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	long n = 0;

	if (!isatty(fd))
		return VH_TERM_DEFAULT_WIDTH;
	if (!ioctl(fd, TIOCGWINSZ, &ws) && ws.ws_col)
		n = ws.ws_col;
	else if (cols)
		n = strtol(cols, NULL, 10);
	if (n <= 0)
		return VH_TERM_DEFAULT_WIDTH;
	return n < VH_TERM_MIN_WIDTH ? VH_TERM_MIN_WIDTH : (size_t)n;
}

void vh_term__line(FILE *f, size_t width, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	if (width >= 4 && vh_report__width(s) > width) {
		size_t cols = 0, i = 0;

		/* a column per character: count the bytes that start one */
		for (; s[i]; i++)
			if (((unsigned char)s[i] & 0xc0) != 0x80 && ++cols > width - 3)
				break;
		if (s[i]) /* escaped bytes are wider than counted here: maybe no cut */
			strcpy(s + i, "...");
	}
	vh_report__put_text(f, s);
	fputc('\n', f);
	free(s);
}

/* columns of line[0..len) up to byte end: SGR sequences and UTF-8 continuation
 * bytes take none; returns the byte offset where width - 3 columns are used */
static size_t cut_at(const char *line, size_t len, size_t width, bool *cut)
{
	size_t cols = 0, at = len;

	*cut = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c == '\033' && i + 1 < len && line[i + 1] == '[') {
			for (i += 2; i < len && !((unsigned char)line[i] >= 0x40 &&
						  (unsigned char)line[i] <= 0x7e); i++)
				;
			continue;
		}
		if ((c & 0xc0) == 0x80)
			continue;
		if (++cols == width - 2 && at == len)
			at = i;
		if (cols > width) {
			*cut = true;
			return at;
		}
	}
	return len;
}

void vh_term__cut_lines(FILE *f, const char *text, size_t width)
{
	while (*text) {
		size_t len = strcspn(text, "\n");
		bool cut;
		size_t n = width >= 4 ? cut_at(text, len, width, &cut) : len;

		fwrite(text, 1, n, f);
		if (width >= 4 && cut)
			fputs(memchr(text, '\033', len) ? "...\033[0m" : "...", f);
		if (text[len] == '\n')
			fputc('\n', f);
		text += len + (text[len] == '\n');
	}
}
