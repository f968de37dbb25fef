/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * func_test.h: run a functional test executable (bpfgate verify --test EXE) and
 * turn its exit status and output into one result row.
 *
 * The test runs as a child in its own process group, in a fresh network namespace
 * with loopback up, stdin from /dev/null, stdout and stderr captured together; at
 * its deadline the whole group is killed. The row it becomes:
 *	program   the executable's name ("test_flow"), object the path as given,
 *	section   "functional", prog_type "test", statistics unknown;
 *	verdict   exit 0 pass; 77 skip, reason = the last line it printed; anything
 *	          else (another status, a signal, the deadline) fail, error = the first
 *	          failing Check assertion ("test_x.c:42:F:tcase:test:0: Assertion ...")
 *	          or else the last line, log_tail = the last lines of its output.
 */
#ifndef BPFGATE_FUNC_TEST_H
#define BPFGATE_FUNC_TEST_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

#define VH_FUNC_TEST_SKIP 77
#define VH_FUNC_TEST_DEFAULT_TIMEOUT 120
#define VH_FUNC_TEST_TAIL_LINES 20

struct vh_func_test_opts {
	const char *kernel; /* release recorded in the row */
	int timeout_s;      /* deadline; <= 0 means VH_FUNC_TEST_DEFAULT_TIMEOUT */
	bool same_netns;    /* run in the caller's network namespace instead */
};

/* Run exe and append its row to out. 0, or -ENOMEM / -errno when it could not be
 * started at all (a test that fails to exec is a failing row, not an error). */
int vh_func_test__run(const char *exe, const struct vh_func_test_opts *opts,
		      struct vh_result_set *out);

/*
 * Judge a finished test into r (whose kernel/object/program the caller sets):
 * status is its wait status (ignored when timed_out), text[0..len) its output.
 * 0 or -ENOMEM.
 */
int vh_func_test__judge(struct vh_result *r, int status, bool timed_out, int timeout_s,
			const char *text, size_t len);

/* 1 when path is an ELF executable that needs a dynamic loader (PT_INTERP), 0 when
 * it is static or not ELF (a script), -errno when it cannot be read. */
int vh_func_test__is_dynamic(const char *path);

#endif
