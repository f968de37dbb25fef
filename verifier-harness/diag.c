// SPDX-License-Identifier: BSD-2-Clause
/* diag.c: one-line errors and the libbpf print callback. */
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "diag.h"

static int verbosity;

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
