/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run_summary.h: what a developer reads after a run when nothing needs the full
 * table: one line per program that failed, could not be verified or was
 * skipped (with why), then the totals. Lines fit the given width.
 */
#ifndef BPFGATE_RUN_SUMMARY_H
#define BPFGATE_RUN_SUMMARY_H

#include <stddef.h>
#include <stdio.h>

#include "result.h"

void vh_run_summary__print(FILE *f, const struct vh_result_set *set, size_t width);

#endif
