/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compare.h: verifier statistics of two result sets, side by side, and the
 * regression gate (bpfgate compare, bpfgate verify --baseline).
 *
 * Results are matched by kernel + object file name (without its directory) +
 * program. Each kernel of the new set is compared with one kernel of the base:
 * the same release, else the newest one of the same series (major.minor: a
 * host's 6.18.44-fc-v1045 with the base's 6.18.44-fc-v657; a host only with a
 * host, a VM's kernel only with a VM's), said in the output and in the JSON
 * (baseline_kernel, baseline_match "release" or "series"). A kernel the base
 * has no row for is not gated; when that is every kernel of the run the
 * comparison is an error (exit 2) unless missing is VH_MISSING_WARN.
 *
 * A matched pair is a regression when
 *   - the program newly fails: pass in the base, fail or error now;
 *   - it passed and passes now, and a statistic the gate checks grew by more
 *     than its limit in percent of the base (100 -> 111 is 11%): the processed
 *     instructions always, by max_growth_pct; the optional gates of the
 *     registry (verification time) only when asked, by their growth_pct;
 *   - it passes now and processes more than max_share_pct percent of the
 *     verifier's instruction limit (the result's insns_limit when known, else
 *     1,000,000), whatever the base said: a budget, not a delta.
 * A program of the base missing from the run (on a kernel the run compared) is
 * removed, a regression unless allow_removed; one only in the run is added.
 * Verification time is shown, and fails only with its optional gate (it is
 * noisy). Base results of kernels no kernel of the run was compared with are
 * left out and only counted.
 * Functional tests (prog_type "test") are not compared: they have no statistics.
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
#include "stat_registry.h"

#define VH_COMPARE_DEFAULT_MAX_GROWTH 10.0 /* the options' defaults (options.h) */
#define VH_COMPARE_DEFAULT_MAX_SHARE 25.0
#define VH_INSNS_LIMIT_DEFAULT 1000000L

/* what a run whose kernels the baseline has none of is */
enum vh_missing {
	VH_MISSING_ERROR, /* exit 2: nothing was gated */
	VH_MISSING_WARN,  /* a warning, exit 0 */
};

struct vh_compare_opts {
	double max_growth_pct;
	double max_share_pct;
	/* the optional gates (VH_GATE_GROWTH_OPTIONAL in stat_registry.h): the bit
	 * 1 << vh_stat_id of each one asked for, and its growth limit in percent */
	unsigned int optional_gates;
	double growth_pct[VH_STAT_CNT];
	enum vh_missing missing;
	bool allow_removed;
	bool json;   /* JSON instead of the text */
	bool color;  /* ANSI colours in the table */
	bool table;  /* the full table of every program, not only what changed */
	size_t width; /* widest line of the text (0: 120) */
	const char *base_name; /* the baseline's file name, for messages (NULL: "baseline") */
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
	VH_CMP_GROWTH = 1 << 1, /* a statistic grew past its limit (row.grown says which) */
	VH_CMP_INSNS_GROWTH = VH_CMP_GROWTH,
	VH_CMP_INSNS_SHARE = 1 << 2,
	VH_CMP_GONE = 1 << 3, /* removed, and removals are not allowed */
};

enum vh_baseline_match {
	VH_MATCH_NONE,    /* the base has no row of this kernel or of its series */
	VH_MATCH_RELEASE, /* the same release */
	VH_MATCH_SERIES,  /* another release of the same major.minor */
};

/* A kernel of the new set and the base kernel it is compared with. */
struct vh_compare_kernel {
	const char *kernel;      /* points into the new set */
	const char *base_kernel; /* points into the base, NULL with VH_MATCH_NONE */
	enum vh_baseline_match match;
};

struct vh_compare_row {
	const struct vh_result *base; /* NULL when added */
	const struct vh_result *cur;  /* NULL when removed */
	enum vh_compare_status status;
	unsigned int why;
	unsigned int grown; /* 1 << vh_stat_id of each statistic grown past its limit */
};

struct vh_compare {
	struct vh_compare_row *rows; /* new set's order, then the removed ones */
	size_t n;
	size_t compared, regressions, fixed, added, removed;
	size_t other_kernels; /* base results of kernels no kernel of the run matched */
	size_t ungated;       /* new results of kernels the base has nothing of */
	struct vh_compare_kernel *kernels; /* the new set's kernels, oldest first */
	size_t nkernels, uncovered;
	double max_growth_pct, max_share_pct;
	double growth_pct[VH_STAT_CNT]; /* each statistic's growth limit, < 0: not gated */
	enum vh_missing missing;
	bool allow_removed;
	const char *base_name;
	const struct vh_result_set *base; /* for the kernels it has (messages) */
};

/* Match and judge; the rows point into base and cur. 0 or -ENOMEM / -EINVAL (bad opts). */
int vh_compare__build(struct vh_compare *c, const struct vh_result_set *base,
		      const struct vh_result_set *cur, const struct vh_compare_opts *opts);
void vh_compare__free(struct vh_compare *c);
/* The text (or JSON with opts->json) of a built comparison: which base kernel each
 * kernel was compared with, the reasons of each regression, added and removed
 * programs, totals; with opts->table first the delta table of every program,
 * narrowed to opts->width. 0 or -EIO. */
int vh_compare__print(FILE *f, const struct vh_compare *c, const struct vh_compare_opts *opts);

/*
 * The gate's exit status: 2 when no kernel of the run is in the base (and
 * missing is VH_MISSING_ERROR), else 1 on a regression, else 0. The one-line
 * error (or warning) about missing kernels is printed on stderr here, once.
 */
int vh_compare__status(const struct vh_compare *c);

/* The match of release in a built comparison (NULL when not one of its kernels). */
const struct vh_compare_kernel *vh_compare__kernel(const struct vh_compare *c,
						   const char *release);
const char *vh_baseline_match__name(enum vh_baseline_match m); /* NULL for NONE */

/* How base kernel bk (of base) stands for kernel k of a run (of cur): the same
 * release, the same series and kind (host or VM), or not at all. */
enum vh_baseline_match vh_kernel__match(const struct vh_result_set *cur, const char *k,
					const struct vh_result_set *base, const char *bk);

/* "6.18" of "6.18.44-fc-v1045" into buf; false when release has no major.minor. */
bool vh_release__series(const char *release, char *buf, size_t len);

/* Build, print and judge: the exit status of vh_compare__status, or <0 -errno. */
int vh_compare__sets(FILE *f, const struct vh_result_set *base, const struct vh_result_set *cur,
		     const struct vh_compare_opts *opts);

const char *vh_compare_status__name(enum vh_compare_status s);

#endif
