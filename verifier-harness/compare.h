/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compare.h: verifier statistics of two result sets, side by side, and the
 * regression gate (bpfgate compare, bpfgate verify --baseline).
 *
 * Results are matched by kernel + object file name (without its directory) +
 * program. A matched pair is a regression when
 *   - the program newly fails: pass in the base, fail or error now;
 *   - it passed and passes now, and its processed instructions grew by more than
 *     max_growth_pct percent of the base count (100 -> 111 is 11%);
 *   - it passes now and processes more than max_share_pct percent of the
 *     verifier's instruction limit (the result's insns_limit when known, else
 *     1,000,000), whatever the base said: a budget, not a delta.
 * Verification time is shown but never fails (it is noisy). Programs present in
 * only one set are listed as added or removed, and are not regressions; base
 * results of a kernel the new set has no result for at all (a host-only run
 * against a baseline of the whole matrix) are left out and only counted.
 *
 * The table reads like veristat's comparison: base, new, diff (pct%), e.g.
 *   Insns (A)  Insns (B)  Insns (DIFF)
 *       21547      20920  -627 (-2.91%)
 */
#ifndef BPFGATE_COMPARE_H
#define BPFGATE_COMPARE_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

#define VH_COMPARE_DEFAULT_MAX_GROWTH 10.0
#define VH_COMPARE_DEFAULT_MAX_SHARE 50.0
#define VH_INSNS_LIMIT_DEFAULT 1000000L

struct vh_compare_opts {
	double max_growth_pct;
	double max_share_pct;
	bool json;   /* JSON instead of the table */
	bool color;  /* ANSI colours in the table */
};

enum vh_compare_status {
	VH_CMP_OK,
	VH_CMP_FIXED,      /* failed in the base, passes now */
	VH_CMP_REGRESSION,
	VH_CMP_ADDED,      /* only in the new set */
	VH_CMP_REMOVED,    /* only in the base set */
};

/* why a row is a regression (bits) */
enum {
	VH_CMP_NEW_FAILURE = 1 << 0,
	VH_CMP_INSNS_GROWTH = 1 << 1,
	VH_CMP_INSNS_SHARE = 1 << 2,
};

struct vh_compare_row {
	const struct vh_result *base; /* NULL when added */
	const struct vh_result *cur;  /* NULL when removed */
	enum vh_compare_status status;
	unsigned int why;
};

struct vh_compare {
	struct vh_compare_row *rows; /* new set's order, then the removed ones */
	size_t n;
	size_t compared, regressions, fixed, added, removed;
	size_t other_kernels; /* base results of kernels the new set has none of */
	double max_growth_pct, max_share_pct;
};

/* Match and judge; the rows point into base and cur. 0 or -ENOMEM / -EINVAL (bad opts). */
int vh_compare__build(struct vh_compare *c, const struct vh_result_set *base,
		      const struct vh_result_set *cur, const struct vh_compare_opts *opts);
void vh_compare__free(struct vh_compare *c);
/* The delta table (or JSON with opts->json) of a built comparison. 0 or -EIO. */
int vh_compare__print(FILE *f, const struct vh_compare *c, const struct vh_compare_opts *opts);

/* Build and print; returns 0 no regression, 1 regression, <0 -errno. */
int vh_compare__sets(FILE *f, const struct vh_result_set *base, const struct vh_result_set *cur,
		     const struct vh_compare_opts *opts);

const char *vh_compare_status__name(enum vh_compare_status s);

#endif
