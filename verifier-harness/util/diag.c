// SPDX-License-Identifier: BSD-2-Clause
/* diag.c: one-line errors and the libbpf print callback. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "diag.h"
#include "text_escape.h"


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

/* The subject (a file name) and the cause (which may quote a log or a guest)
 * can hold anything: escaped, and kept on one line. */
static void vreport(const char *prefix, const char *subject, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	fputs("bpfgate: ", stderr);
	fputs(prefix, stderr);
	if (subject) {
		vh_escape__term(stderr, subject, false);
		fputs(": ", stderr);
	}
	vh_escape__term(stderr, msg ?: fmt, false);
	fputc('\n', stderr);
	free(msg);
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
	char *text;

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
	/* libbpf quotes names and strings of the object: escaped like a log */
	if (vasprintf(&text, fmt, ap) < 0)
		return -ENOMEM;
	vh_escape__term(stderr, text, true);
	free(text);
	return 0;
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
