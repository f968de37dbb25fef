/* SPDX-License-Identifier: BSD-2-Clause */
/* strfmt.h: printf into a new string. */
#ifndef BPFGATE_STRFMT_H
#define BPFGATE_STRFMT_H

/* malloc'd formatted string, or NULL when out of memory */
char *vh_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
