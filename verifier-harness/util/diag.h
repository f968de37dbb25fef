/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * diag.h: how bpfgate talks to people: exit codes, one-line errors, libbpf noise.
 *
 * Errors are one line on stderr, "bpfgate: SUBJECT: cause", where SUBJECT is the
 * file, kernel or option at fault. libbpf's own messages are shown only with -v.
 */
#ifndef BPFGATE_DIAG_H
#define BPFGATE_DIAG_H

#include <stdio.h>

enum vh_exit {
	VH_EXIT_OK = 0,    /* every program passed or was skipped with a reason */
	VH_EXIT_FAIL = 1,  /* a program failed, a test failed, or a regression */
	VH_EXIT_USAGE = 2, /* usage, input or environment error */
};

/* "bpfgate: SUBJECT: cause" on stderr (SUBJECT may be NULL). */
void vh_err(const char *subject, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "bpfgate: warning: SUBJECT: cause" on stderr. */
void vh_warn(const char *subject, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Verbosity: 0 quiet, 1 (-v) show full logs and libbpf warnings, 2 (-vv) libbpf debug. */
void vh_diag__set_verbosity(int level);
int vh_diag__verbosity(void);

/*
 * While a capture buffer is set, libbpf's warnings are also kept in it (the
 * newest lines win when it is full): they explain a failure that has no
 * verifier log, such as a map the kernel cannot create. NULL stops capturing.
 */
void vh_diag__capture(char *buf, size_t len);

#endif
