// SPDX-License-Identifier: BSD-2-Clause
/* diag.c: one-line errors and the libbpf print callback. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "diag.h"


static int verbosity;
static char *capture_buf;
static size_t capture_len;

void vh_diag__capture(char *buf, size_t len)
{
	capture_buf = len ? buf : NULL;
	capture_len = len;
	if (capture_buf)
		capture_buf[0] = '\0';
}

/* Append line to the capture buffer, dropping the oldest text when full. */
static void capture_line(const char *line)
{
	size_t have = strlen(capture_buf), add = strlen(line);

	if (add >= capture_len) {
		line += add - (capture_len - 1);
		add = capture_len - 1;
	}
	if (have + add >= capture_len) {
		size_t drop = have + add - (capture_len - 1);

		memmove(capture_buf, capture_buf + drop, have - drop + 1);
		have -= drop;
	}
	memcpy(capture_buf + have, line, add + 1);
}

static void vreport(const char *prefix, const char *subject, const char *fmt, va_list ap)
{
	fputs("bpfgate: ", stderr);
	fputs(prefix, stderr);
	if (subject)
		fprintf(stderr, "%s: ", subject);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vh_err(const char *subject, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", subject, fmt, ap);
	va_end(ap);
}

void vh_warn(const char *subject, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", subject, fmt, ap);
	va_end(ap);
}

/* libbpf explains failures in its own words; we print our own one-line error
 * instead, and pass libbpf's text through only when asked to (-v, -vv). */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (capture_buf && level == LIBBPF_WARN) {
		char line[1024];
		va_list cp;

		va_copy(cp, ap);
		vsnprintf(line, sizeof(line), fmt, cp);
		va_end(cp);
		capture_line(line);
	}
	if (verbosity == 0 || (level == LIBBPF_DEBUG && verbosity < 2))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void vh_diag__set_verbosity(int level)
{
	verbosity = level;
	libbpf_set_print(libbpf_print);
}

int vh_diag__verbosity(void)
{
	return verbosity;
}
