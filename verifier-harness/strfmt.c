// SPDX-License-Identifier: BSD-2-Clause
/* strfmt.c: printf into a new string. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "strfmt.h"

char *vh_strfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}
