/* SPDX-License-Identifier: BSD-2-Clause */
/* strfmt.h: printf into a new string, into a buffer that must hold it, or into an error buffer. */
#ifndef BPFGATE_STRFMT_H
#define BPFGATE_STRFMT_H

/* malloc'd formatted string, or NULL when out of memory */
char *vh_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#include <stddef.h>

/* snprintf that says whether it fit: 0, or -ENAMETOOLONG when cut (a path must not be) */
int vh_bfmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* printf into buf (len bytes, cut to fit) and return err: "return vh_errf(...)" */
int vh_errf(char *buf, size_t len, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
