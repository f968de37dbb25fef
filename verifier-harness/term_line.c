// SPDX-License-Identifier: BSD-2-Clause
/* term_line.c: terminal width, and lines cut to it. */
#include <stdarg.h>
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
		strcpy(s + i, "...");
	}
	vh_report__put_text(f, s);
	fputc('\n', f);
	free(s);
}
