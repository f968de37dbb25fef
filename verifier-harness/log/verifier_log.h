/* SPDX-License-Identifier: BSD-2-Clause */
/* verifier_log.h: read the kernel verifier's log text (statistics, error, source). */
#ifndef BPFGATE_VERIFIER_LOG_H
#define BPFGATE_VERIFIER_LOG_H

#include "result.h"

/*
 * A verifier log, as every kernel from 5.10 to 7.x writes it, is a body and a
 * block of statistics:
 *
 *	func#0 @0                                   trace (log level 1|2)
 *	0: R1=ctx() R10=fp0                         register state
 *	; *v += 1; @ null_map_value.bpf.c:17        source annotation ("@ file:line" from 6.x on)
 *	7: (79) r1 = *(u64 *)(r0 +0)                the instruction being checked
 *	R0 invalid mem access 'map_value_or_null'   the error: first message after the trace
 *	verification time 34 usec                   statistics (log level 4)
 *	stack depth 8+0 max 16                      one number per subprogram (" max N" on 7.x)
 *	insns processed 7                           (7.x)
 *	processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
 *
 * Log level 4 alone has no trace; 6.x kernels still print the error line and
 * its annotation there, 5.10 prints the error line only. Old kernels (< 6.4)
 * keep the start of a log that did not fit, newer ones the end, so a log may
 * lack either part. Every function reads only up to the terminating NUL and
 * accepts any text, including NULL.
 */

/* Fill st from the statistics lines ("processed N insns (limit L) max_states_per_insn M
 * total_states T peak_states P mark_read R", or "insns processed N"; "verification time
 * N usec"; "stack depth A+B+..." summed as veristat does). Only fields found are written,
 * from the last line of each kind. 0 when a processed line was found, -ENOENT if not. */
int vh_log__parse_stats(const char *log, struct vh_stats *st);

/* The verifier's own error line ("R0 invalid mem access 'map_value_or_null'"), malloc'd,
 * or NULL when the log has none (a pass, or a log cut before the error). */
char *vh_log__error_line(const char *log);

/* The error line and the message lines after it up to the statistics ("cur state: ...",
 * "R1 offset is outside of the packet"), malloc'd, or NULL like vh_log__error_line(). */
char *vh_log__error_text(const char *log);

/* Every message line of the log (neither trace, source annotation nor statistics), each
 * ending in '\n', at most the first 64 KiB, malloc'd; "" when none, NULL without memory.
 * For a text that is not a verifier log (libbpf's warnings) that is every line. */
char *vh_log__messages(const char *log);

/* Index of the instruction being verified when it failed (the last "N: (xx) ..." or
 * libbpf's "N: <invalid ...>" line before the error), or -1. */
long vh_log__failed_insn(const char *log);

/* The last nlines lines of the body (trace and error) before the statistics, malloc'd
 * ("" when there are none); NULL only when out of memory. */
char *vh_log__tail(const char *log, int nlines);

/* The source annotation nearest before the failure: "; text @ file.bpf.c:18" (6.x and
 * later) or "; text" (older). Sets *text (malloc'd, trimmed) and, when present,
 * *file_line ("file.bpf.c:18", else NULL). 0, -ENOENT without an annotation, -ENOMEM. */
int vh_log__source_hint(const char *log, char **text, char **file_line);

#endif
