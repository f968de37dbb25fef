/* SPDX-License-Identifier: BSD-2-Clause */
/* verifier_log.h: read the kernel verifier's log text (statistics, error, source). */
#ifndef BPFGATE_VERIFIER_LOG_H
#define BPFGATE_VERIFIER_LOG_H

#include "result.h"

int vh_log__parse_stats(const char *log, struct vh_stats *st);
char *vh_log__error_line(const char *log);
long vh_log__failed_insn(const char *log);
char *vh_log__tail(const char *log, int nlines);
int vh_log__source_hint(const char *log, char **text, char **file_line);

#endif
