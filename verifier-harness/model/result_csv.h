/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result_csv.h: results from CSV: veristat's (`veristat -o csv`) and bpfgate's own
 * (`bpfgate verify -o csv`), for `bpfgate compare`.
 *
 * The first line names the columns, by veristat's names or bpfgate's
 * (result_view.h); file_name and prog_name are required, columns bpfgate does
 * not record (prog_size_jited, attach_type, mem_peak, ...) are ignored. A
 * verdict is veristat's success or failure (read as pass and fail) or one of
 * bpfgate's; a statistic is a non-negative whole number, or empty when unknown.
 * Fields may be quoted (RFC 4180) and are UTF-8, as JSON strings. Without a kernel column the results have no
 * kernel (NULL).
 */
#ifndef BPFGATE_RESULT_CSV_H
#define BPFGATE_RESULT_CSV_H

#include <stddef.h>

#include "result.h"

/* Append the results of text to set; 0, or -EINVAL / -ENOMEM with a one-line reason
 * in errbuf ("line 3: 4 fields, the header has 12"). On error set is unchanged. */
int vh_result_set__parse_csv(const char *text, size_t len, struct vh_result_set *set,
			     char *errbuf, size_t errlen);

#endif
