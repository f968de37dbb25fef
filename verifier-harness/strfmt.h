/* SPDX-License-Identifier: BSD-2-Clause */
/* strfmt.h: printf into a new string, into an error buffer, or into a path buffer. */
#ifndef BPFGATE_STRFMT_H
#define BPFGATE_STRFMT_H

/* malloc'd formatted string, or NULL when out of memory */
char *vh_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stddef.h>

/* printf into buf (len bytes, cut to fit) and return err: "return vh_errf(...)" */
int vh_errf(char *buf, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* printf into buf; 0 when it fit, else -ENAMETOOLONG (a message may be cut, a path
 * must not) */
int vh_fitf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
