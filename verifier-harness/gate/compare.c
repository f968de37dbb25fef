// SPDX-License-Identifier: BSD-2-Clause
/* compare.c: match two result sets, judge regressions, print the deltas. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "diag.h"
#include "json_writer.h"
#include "report.h"
#include "stat_registry.h"
#include "strfmt.h"
#include "term_line.h"

#ifndef BPFGATE_VERSION
#define BPFGATE_VERSION "0.0.0"
#endif

#define COLOR_RESET "\033[0m"

const char *vh_compare_status__name(enum vh_compare_status s)
{
	switch (s) {
	case VH_CMP_OK:
		return "ok";
	case VH_CMP_FIXED:
		return "fixed";
	case VH_CMP_REGRESSION:
		return "regression";
	case VH_CMP_ADDED:
		return "added";
	case VH_CMP_REMOVED:
		return "removed";
	}
	return "?";
}

/* object file name, program: the identity of a result across runs (on one kernel) */
static int prog_cmp(const struct vh_result *a, const struct vh_result *b)
{
	int c = strcmp(vh_report__basename(a->object), vh_report__basename(b->object));

	return c ? c : strcmp(a->program ?: "", b->program ?: "");
}

static int key_cmp(const struct vh_result *a, const struct vh_result *b)
{
	int c = strcmp(a->kernel ?: "", b->kernel ?: "");

	return c ? c : prog_cmp(a, b);
}

static int idx_cmp(const void *x, const void *y, void *arg)
{
	const struct vh_result_set *set = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = key_cmp(&set->v[a], &set->v[b]);

	/* equal keys keep file order, so duplicates pair up first with first */
	return c ? c : (a > b) - (a < b);
}

/* functional tests carry no verifier statistics: not compared */
static bool is_test(const struct vh_result *r)
{
	return r->kind == VH_KIND_TEST;
}

static bool is_failure(enum vh_verdict v)
{
	return v == VH_FAIL || v == VH_ERROR;
}

static long insns_limit(const struct vh_result *r)
{
	return r->stats.insns_limit > 0 ? r->stats.insns_limit : VH_INSNS_LIMIT_DEFAULT;
}

/* Each statistic the gate checks for growth, against its limit (the registry says which). */
static void judge_growth(struct vh_compare_row *row, const struct vh_compare *c)
{
	const struct vh_result *b = row->base, *n = row->cur;

	/* a failed run stops early: its numbers say nothing about growth */
	if (b->verdict != VH_PASS || n->verdict != VH_PASS)
		return;
	for (int id = 0; id < VH_STAT_CNT; id++) {
		long bv = vh_stats__get(&b->stats, id), nv = vh_stats__get(&n->stats, id);

		if (c->growth_pct[id] >= 0 && bv > 0 && nv >= 0 &&
		    (double)(nv - bv) * 100.0 > c->growth_pct[id] * (double)bv)
			row->grown |= 1u << id;
	}
	if (row->grown)
		row->why |= VH_CMP_GROWTH;
}

static void judge(struct vh_compare_row *row, const struct vh_compare *c)
{
	const struct vh_result *b = row->base, *n = row->cur;
	long ni = n->stats.insns_processed;

	if (b->verdict == VH_PASS && is_failure(n->verdict))
		row->why |= VH_CMP_NEW_FAILURE;
	judge_growth(row, c);
	if (n->verdict == VH_PASS && ni >= 0 &&
	    (double)ni * 100.0 > c->max_share_pct * (double)insns_limit(n))
		row->why |= VH_CMP_INSNS_SHARE;
	if (row->why)
		row->status = VH_CMP_REGRESSION;
	else if (is_failure(b->verdict) && n->verdict == VH_PASS)
		row->status = VH_CMP_FIXED;
	else
		row->status = VH_CMP_OK;
}

static bool valid_pct(double v)
{
	return isfinite(v) && v >= 0;
}

bool vh_release__series(const char *release, char *buf, size_t len)
{
	unsigned int major, minor;
	int n = 0;

	if (!release || sscanf(release, "%u.%u%n", &major, &minor, &n) != 2 || !n)
		return false;
	snprintf(buf, len, "%u.%u", major, minor);
	return true;
}

const char *vh_baseline_match__name(enum vh_baseline_match m)
{
	return m == VH_MATCH_RELEASE ? "release" : m == VH_MATCH_SERIES ? "series" : NULL;
}

/* 1 a host kernel, 0 a VM's, -1 unknown (a result file without "kernels") */
static int is_host_kernel(const struct vh_result_set *set, const char *release)
{
	const struct vh_kernel_info *k = vh_result_set__find_kernel(set, release);

	if (!k || (!k->series && !k->backend))
		return -1;
	return (k->series && !strcmp(k->series, "host")) ||
	       (k->backend && !strcmp(k->backend, "host"));
}

/* The distinct kernels of set's results (tests left out), in order; strings point
 * into set. Returns the count, or -ENOMEM. */
static long distinct_kernels(const struct vh_result_set *set, const char ***out)
{
	const char **k = calloc(set->n ?: 1, sizeof(*k));
	size_t n = 0;

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < set->n; i++) {
		const char *r = set->v[i].kernel ?: "";
		size_t j = 0;

		if (is_test(&set->v[i]))
			continue;
		while (j < n && strcmp(k[j], r))
			j++;
		if (j == n)
			k[n++] = r;
	}
	*out = k;
	return (long)n;
}

enum vh_baseline_match vh_kernel__match(const struct vh_result_set *cur, const char *k,
					const struct vh_result_set *base, const char *bk)
{
	char series[32], bseries[32];
	int host, bhost;

	if (!strcmp(k ?: "", bk ?: ""))
		return VH_MATCH_RELEASE;
	if (!vh_release__series(k, series, sizeof(series)) ||
	    !vh_release__series(bk, bseries, sizeof(bseries)) || strcmp(series, bseries))
		return VH_MATCH_NONE;
	host = is_host_kernel(cur, k);
	bhost = is_host_kernel(base, bk);
	return host >= 0 && bhost >= 0 && host != bhost ? VH_MATCH_NONE : VH_MATCH_SERIES;
}

/* The base kernel a kernel of the run is compared with: the same release, else
 * the newest of the same series and kind (host or VM). */
static void match_kernel(struct vh_compare_kernel *ck, const struct vh_result_set *base,
			 const char **bk, size_t nbk, const struct vh_result_set *cur)
{
	for (size_t i = 0; i < nbk; i++) {
		enum vh_baseline_match m = vh_kernel__match(cur, ck->kernel, base, bk[i]);

		if (m == VH_MATCH_RELEASE) {
			ck->base_kernel = bk[i];
			ck->match = m;
			return;
		}
		if (m == VH_MATCH_SERIES &&
		    (!ck->base_kernel || vh_release__cmp(bk[i], ck->base_kernel) > 0))
			ck->base_kernel = bk[i];
	}
	if (ck->base_kernel)
		ck->match = VH_MATCH_SERIES;
}

const struct vh_compare_kernel *vh_compare__kernel(const struct vh_compare *c,
						   const char *release)
{
	for (size_t i = 0; i < c->nkernels; i++)
		if (!strcmp(c->kernels[i].kernel, release ?: ""))
			return &c->kernels[i];
	return NULL;
}

static int match_kernels(struct vh_compare *c, const struct vh_result_set *base,
			 const struct vh_result_set *cur)
{
	const char **bk = NULL, **ck = NULL;
	long nbk = distinct_kernels(base, &bk), nck = distinct_kernels(cur, &ck);
	int err = -ENOMEM;

	if (nbk < 0 || nck < 0)
		goto cleanup;
	c->kernels = calloc(nck ?: 1, sizeof(*c->kernels));
	if (!c->kernels)
		goto cleanup;
	for (long i = 0; i < nck; i++) {
		struct vh_compare_kernel *k = &c->kernels[c->nkernels++];

		k->kernel = ck[i];
		match_kernel(k, base, bk, (size_t)nbk, cur);
		if (k->match == VH_MATCH_NONE)
			c->uncovered++;
	}
	err = 0;
cleanup:
	free(bk);
	free(ck);
	return err;
}

/* whether some kernel of the run is compared with base kernel bk */
static bool base_kernel_used(const struct vh_compare *c, const char *bk)
{
	for (size_t i = 0; i < c->nkernels; i++)
		if (c->kernels[i].base_kernel && !strcmp(c->kernels[i].base_kernel, bk ?: ""))
			return true;
	return false;
}

/* first index of sorted[0..n) whose base result is not below (kernel, r) */
static size_t lower_bound(const struct vh_result_set *base, const size_t *sorted, size_t n,
			  const char *kernel, const struct vh_result *r)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct vh_result *b = &base->v[sorted[mid]];
		int cmp = strcmp(b->kernel ?: "", kernel);

		if ((cmp ?: prog_cmp(b, r)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int vh_compare__build(struct vh_compare *c, const struct vh_result_set *base,
		      const struct vh_result_set *cur, const struct vh_compare_opts *opts)
{
	size_t *sorted = NULL, *taken = NULL;
	bool *matched = NULL;
	int err = -ENOMEM;

	memset(c, 0, sizeof(*c));
	if (!valid_pct(opts->max_growth_pct) || !valid_pct(opts->max_share_pct))
		return -EINVAL;
	for (int id = 0; id < VH_STAT_CNT; id++) {
		enum vh_stat_gate g = vh_stat_defs[id].gate;
		bool on = opts->optional_gates & (1u << id);

		if (on && !valid_pct(opts->growth_pct[id]))
			return -EINVAL;
		c->growth_pct[id] = g == VH_GATE_GROWTH ? opts->max_growth_pct :
				    g == VH_GATE_GROWTH_OPTIONAL && on ? opts->growth_pct[id] : -1;
	}
	c->max_growth_pct = opts->max_growth_pct;
	c->max_share_pct = opts->max_share_pct;
	c->missing = opts->missing;
	c->allow_removed = opts->allow_removed;
	c->base_name = opts->base_name ?: "baseline";
	c->base = base;
	c->rows = calloc(base->n + cur->n ?: 1, sizeof(*c->rows));
	sorted = calloc(base->n ?: 1, sizeof(*sorted));
	taken = calloc(base->n ?: 1, sizeof(*taken));
	matched = calloc(base->n ?: 1, sizeof(*matched));
	if (!c->rows || !sorted || !taken || !matched || match_kernels(c, base, cur))
		goto cleanup;
	/* base sorted by key: each new result finds its group by binary search and
	 * takes the group's next unused member (taken[] counts per group start) */
	for (size_t i = 0; i < base->n; i++)
		sorted[i] = i;
	qsort_r(sorted, base->n, sizeof(*sorted), idx_cmp, (void *)base);
	for (size_t i = 0; i < cur->n; i++) {
		const struct vh_compare_kernel *k = vh_compare__kernel(c, cur->v[i].kernel);
		struct vh_compare_row *row;
		size_t lo;

		if (is_test(&cur->v[i]))
			continue;
		if (!k || !k->base_kernel) {
			c->ungated++;
			continue;
		}
		row = &c->rows[c->n++];
		row->cur = &cur->v[i];
		lo = lower_bound(base, sorted, base->n, k->base_kernel, row->cur);
		if (lo < base->n && lo + taken[lo] < base->n &&
		    !strcmp(base->v[sorted[lo + taken[lo]]].kernel ?: "", k->base_kernel) &&
		    !prog_cmp(&base->v[sorted[lo + taken[lo]]], row->cur)) {
			size_t b = sorted[lo + taken[lo]++];

			matched[b] = true;
			row->base = &base->v[b];
			judge(row, c);
			c->compared++;
		} else {
			row->status = VH_CMP_ADDED;
			c->added++;
		}
		if (row->status == VH_CMP_REGRESSION)
			c->regressions++;
		if (row->status == VH_CMP_FIXED)
			c->fixed++;
	}
	for (size_t i = 0; i < base->n; i++) {
		if (matched[i] || is_test(&base->v[i]))
			continue;
		/* a host-only run against a matrix baseline: the VMs' kernels were
		 * not run, their programs are not gone */
		if (!base_kernel_used(c, base->v[i].kernel)) {
			c->other_kernels++;
			continue;
		}
		c->rows[c->n].base = &base->v[i];
		c->rows[c->n].status = VH_CMP_REMOVED;
		if (!c->allow_removed) {
			c->rows[c->n].why = VH_CMP_GONE;
			c->regressions++;
		}
		c->n++;
		c->removed++;
	}
	err = 0;
cleanup:
	free(sorted);
	free(taken);
	free(matched);
	if (err)
		vh_compare__free(c);
	return err;
}

void vh_compare__free(struct vh_compare *c)
{
	free(c->rows);
	free(c->kernels);
	memset(c, 0, sizeof(*c));
}

/* The statistics shown side by side (the registry's VH_SHOW_COMPARE), in its order;
 * their count. */
static size_t metrics(int ids[VH_STAT_CNT])
{
	size_t n = 0;

	for (int i = 0; i < VH_STAT_CNT; i++)
		if (vh_stat_defs[i].show & VH_SHOW_COMPARE)
			ids[n++] = i;
	return n;
}

static long metric(const struct vh_result *r, int id)
{
	return r ? vh_stats__get(&r->stats, id) : VH_STAT_UNKNOWN;
}

static const char *row_kernel(const struct vh_compare_row *row)
{
	return (row->cur ?: row->base)->kernel ?: "?";
}

static const struct vh_result *row_any(const struct vh_compare_row *row)
{
	return row->cur ?: row->base;
}

static char *stat_cell(long v)
{
	return v >= 0 ? vh_strfmt("%ld", v) : strdup("-");
}

/* "+20 (+25.00%)"; "-" when either side is unknown */
static char *diff_cell(long a, long b)
{
	if (a < 0 || b < 0)
		return strdup("-");
	if (a == 0)
		return vh_strfmt("%+ld", b - a);
	return vh_strfmt("%+ld (%+.2f%%)", b - a, (double)(b - a) * 100.0 / (double)a);
}

static char *verdict_cell(const struct vh_compare_row *row)
{
	if (!row->base)
		return vh_strfmt("-> %s", vh_verdict__name(row->cur->verdict));
	if (!row->cur)
		return vh_strfmt("%s ->", vh_verdict__name(row->base->verdict));
	if (row->base->verdict == row->cur->verdict)
		return strdup(vh_verdict__name(row->cur->verdict));
	return vh_strfmt("%s -> %s", vh_verdict__name(row->base->verdict),
		   vh_verdict__name(row->cur->verdict));
}

static const char *status_color(enum vh_compare_status s)
{
	switch (s) {
	case VH_CMP_REGRESSION:
		return "\033[31m";
	case VH_CMP_FIXED:
		return "\033[32m";
	case VH_CMP_ADDED:
	case VH_CMP_REMOVED:
		return "\033[33m";
	default:
		return NULL;
	}
}

static bool many_kernels(const struct vh_compare *c)
{
	for (size_t i = 1; i < c->n; i++)
		if (strcmp(row_kernel(&c->rows[i]), row_kernel(&c->rows[0])))
			return true;
	return false;
}

static const char *row_name(const struct vh_compare_row *row)
{
	return vh_report__basename(row_any(row)->object);
}

/* One line per reason a row regressed, so the exit status explains itself. */
static void print_reasons(FILE *f, size_t width, const struct vh_compare *c,
			  const struct vh_compare_row *row)
{
	const struct vh_result *b = row->base, *n = row->cur, *r = row_any(row);
	const char *k = r->kernel ?: "?";

	if (row->why & VH_CMP_GONE)
		vh_term__line(f, width, "regression: %s:%s on %s: removed (--allow-removed "
			      "accepts it)", row_name(row),
			      r->program ?: "?", k);
	if (row->why & VH_CMP_NEW_FAILURE)
		vh_term__line(f, width, "regression: %s:%s on %s: newly %s%s%s", row_name(row),
			      n->program ?: "?", k, n->verdict == VH_FAIL ?
			      "rejected by the verifier" : "not verified (error)",
			      n->error_class || n->error ? ": " : "", n->error_class ?: n->error ?: "");
	for (int id = 0; id < VH_STAT_CNT; id++) {
		const struct vh_stat_def *d = &vh_stat_defs[id];
		long bv = metric(b, id), nv = metric(n, id);

		if (!(row->grown & (1u << id)))
			continue;
		vh_term__line(f, width, "regression: %s:%s on %s: %s grew from %ld to %ld%s%s "
			      "(%+.2f%%), more than %g%%", row_name(row), n->program ?: "?", k,
			      d->what, bv, nv, d->unit ? " " : "", d->unit ?: "",
			      (double)(nv - bv) * 100.0 / (double)bv, c->growth_pct[id]);
	}
	if (row->why & VH_CMP_INSNS_SHARE) {
		long ni = n->stats.insns_processed;

		vh_term__line(f, width, "regression: %s:%s on %s: %ld insns processed is %.2f%% of "
			      "the limit of %ld, more than %g%%", row_name(row), n->program ?: "?",
			      k, ni, (double)ni * 100.0 / (double)insns_limit(n), insns_limit(n),
			      c->max_share_pct);
	}
}

enum { COL_PROGRAM, COL_KERNEL, COL_VERDICT, COL_METRICS };
#define MAXCOLS (COL_METRICS + 3 * VH_STAT_CNT + 1)
#define MIN_PROGRAM_WIDTH 16

static size_t table_width(const size_t *width, const bool *show, size_t ncols)
{
	size_t w = 0, n = 0;

	for (size_t col = 0; col < ncols; col++)
		if (show[col])
			w += width[col], n++;
	return w + (n ? 2 * (n - 1) : 0);
}

/* Drop the least telling statistics (time, then peak states, then states) and
 * then shorten the program names until the table fits max columns. */
static void fit_table(size_t *width, bool *show, size_t nm, size_t max)
{
	size_t ncols = COL_METRICS + 3 * nm + 1;

	for (size_t m = nm - 1; m > 0 && table_width(width, show, ncols) > max; m--)
		for (size_t j = 0; j < 3; j++)
			show[COL_METRICS + 3 * m + j] = false;
	if (table_width(width, show, ncols) > max) {
		size_t over = table_width(width, show, ncols) - max;

		width[COL_PROGRAM] = width[COL_PROGRAM] > MIN_PROGRAM_WIDTH + over ?
					     width[COL_PROGRAM] - over : MIN_PROGRAM_WIDTH;
	}
}

/* s in exactly width columns: padded, or cut with "..." */
static void put_fitted(FILE *f, const char *s, size_t width, bool right)
{
	char *cut;

	if (vh_report__width(s) <= width || width < 4) {
		vh_report__put_cell(f, s, width, right);
		return;
	}
	cut = strdup(s);
	if (!cut)
		return;
	for (size_t i = 0, cols = 0; cut[i]; i++) {
		if (((unsigned char)cut[i] & 0xc0) != 0x80 && ++cols > width - 3) {
			strcpy(cut + i, "...");
			break;
		}
	}
	vh_report__put_cell(f, cut, width, right);
	free(cut);
}

static void print_table(FILE *f, const struct vh_compare *c, bool color, size_t max)
{
	char *hdr[MAXCOLS] = {}, **cells, title[64];
	int ids[VH_STAT_CNT];
	size_t nm = metrics(ids), ncols = COL_METRICS + 3 * nm + 1, col_status = ncols - 1;
	size_t width[MAXCOLS];
	bool show[MAXCOLS];

	cells = calloc((c->n ?: 1) * ncols, sizeof(*cells));
	if (!cells)
		return;
	hdr[COL_PROGRAM] = strdup("Program");
	hdr[COL_KERNEL] = strdup("Kernel");
	hdr[COL_VERDICT] = strdup("Verdict");
	for (size_t m = 0; m < nm; m++) {
		const struct vh_stat_def *d = &vh_stat_defs[ids[m]];

		snprintf(title, sizeof(title), "%s%s%s", d->title, d->unit ? " " : "",
			 d->unit ?: "");
		hdr[COL_METRICS + 3 * m] = vh_strfmt("%s (A)", title);
		hdr[COL_METRICS + 3 * m + 1] = vh_strfmt("%s (B)", title);
		hdr[COL_METRICS + 3 * m + 2] = vh_strfmt("%s (DIFF)", title);
	}
	hdr[col_status] = strdup("Status");
	for (size_t col = 0; col < ncols; col++) {
		width[col] = vh_report__width(hdr[col]);
		show[col] = true;
	}
	show[COL_KERNEL] = many_kernels(c);
	for (size_t i = 0; i < c->n; i++) {
		const struct vh_compare_row *row = &c->rows[i];
		const struct vh_result *r = row_any(row);
		char **cell = &cells[i * ncols];

		cell[COL_PROGRAM] = vh_strfmt("%s:%s", vh_report__basename(r->object), r->program ?: "?");
		cell[COL_KERNEL] = strdup(row_kernel(row));
		cell[COL_VERDICT] = verdict_cell(row);
		for (size_t m = 0; m < nm; m++) {
			long a = metric(row->base, ids[m]), b = metric(row->cur, ids[m]);

			cell[COL_METRICS + 3 * m] = stat_cell(a);
			cell[COL_METRICS + 3 * m + 1] = stat_cell(b);
			cell[COL_METRICS + 3 * m + 2] = diff_cell(a, b);
		}
		cell[col_status] = strdup(vh_compare_status__name(row->status));
		for (size_t col = 0; col < ncols; col++) {
			size_t w = vh_report__width(cell[col]);

			if (w > width[col])
				width[col] = w;
		}
	}
	fit_table(width, show, nm, max);
	for (size_t i = 0; i <= c->n; i++) {
		char **cell = i ? &cells[(i - 1) * ncols] : hdr;
		const char *col_on = i && color ? status_color(c->rows[i - 1].status) : NULL;
		bool first = true;

		for (size_t col = 0; col < ncols; col++) {
			if (!show[col])
				continue;
			if (!first)
				fputs("  ", f);
			first = false;
			if (col == col_status) {
				if (col_on)
					fputs(col_on, f);
				put_fitted(f, cell[col], vh_report__width(cell[col]), false);
				if (col_on)
					fputs(COLOR_RESET, f);
			} else {
				put_fitted(f, cell[col], width[col], col >= COL_METRICS);
			}
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->n * ncols; i++)
		free(cells[i]);
	for (size_t col = 0; col < ncols; col++)
		free(hdr[col]);
	free(cells);
}

static int release_cmp(const void *a, const void *b)
{
	return vh_release__cmp(*(const char *const *)a, *(const char *const *)b);
}

/* "5.10.0-32-amd64, 6.1.0-56-amd64", oldest first (at most len bytes) */
static void base_kernel_list(const struct vh_compare *c, char *buf, size_t len)
{
	const char **k = NULL;
	long n = distinct_kernels(c->base, &k);
	size_t used = 0;

	buf[0] = '\0';
	if (n > 1)
		qsort(k, (size_t)n, sizeof(*k), release_cmp);
	for (long i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "", k[i]);
	if (n <= 0)
		snprintf(buf, len, "no results");
	free(k);
}

static void print_kernels(FILE *f, size_t width, const struct vh_compare *c)
{
	for (size_t i = 0; i < c->nkernels; i++) {
		const struct vh_compare_kernel *k = &c->kernels[i];
		char series[32];

		if (k->match != VH_MATCH_SERIES)
			continue;
		vh_release__series(k->kernel, series, sizeof(series));
		vh_term__line(f, width, "kernel %s: compared with the baseline's %s (same series %s)",
			      k->kernel, k->base_kernel, series);
	}
	for (size_t i = 0; i < c->nkernels; i++)
		if (c->kernels[i].match == VH_MATCH_NONE)
			vh_term__line(f, width, "kernel %s: not in the baseline, not gated",
				      c->kernels[i].kernel);
}

static void print_text(FILE *f, const struct vh_compare *c, const struct vh_compare_opts *o)
{
	size_t width = o->width ?: VH_TERM_DEFAULT_WIDTH;
	char more[256] = "";
	size_t used = 0;

	if (o->table)
		print_table(f, c, o->color, width);
	print_kernels(f, width, c);
	for (size_t i = 0; i < c->n; i++) {
		const struct vh_compare_row *row = &c->rows[i];
		const struct vh_result *r = row_any(row);

		if (row->status == VH_CMP_REGRESSION || row->why)
			print_reasons(f, width, c, row);
		else if (row->status == VH_CMP_ADDED || row->status == VH_CMP_REMOVED)
			vh_term__line(f, width, "%s: %s:%s on %s", vh_compare_status__name(row->status),
				      row_name(row), r->program ?: "?", r->kernel ?: "?");
	}
	for (int id = 0; id < VH_STAT_CNT; id++)
		if (vh_stat_defs[id].gate == VH_GATE_GROWTH_OPTIONAL && c->growth_pct[id] >= 0)
			used += snprintf(more + used, sizeof(more) - used, ", max %s growth %g%%",
					 vh_stat_defs[id].what, c->growth_pct[id]);
	vh_term__line(f, width, "%zu program%s compared: %zu regression%s, %zu fixed, %zu added, "
		      "%zu removed (max growth %g%%, max share %g%% of the insn limit%s)",
		      c->compared, c->compared == 1 ? "" : "s", c->regressions,
		      c->regressions == 1 ? "" : "s", c->fixed, c->added, c->removed,
		      c->max_growth_pct, c->max_share_pct, more);
	if (c->other_kernels)
		vh_term__line(f, width, "%zu result%s of baseline kernels this run did not cover left "
			      "out", c->other_kernels, c->other_kernels == 1 ? "" : "s");
}

int vh_compare__status(const struct vh_compare *c)
{
	bool fatal = c->uncovered && c->uncovered == c->nkernels && c->missing == VH_MISSING_ERROR;
	char have[512], run[256], msg[1024];
	size_t used = 0;

	if (!c->uncovered)
		return c->regressions ? 1 : 0;
	run[0] = '\0';
	for (size_t i = 0; i < c->nkernels && used < sizeof(run); i++)
		if (c->kernels[i].match == VH_MATCH_NONE)
			used += snprintf(run + used, sizeof(run) - used, "%s%s", used ? ", " : "",
					 c->kernels[i].kernel);
	base_kernel_list(c, have, sizeof(have));
	snprintf(msg, sizeof(msg), "no rows of kernel%s %s nor of %s series (it has: %s); add %s "
		 "with 'make baseline' or 'bpfgate baseline update %s RESULT.json'%s",
		 c->uncovered == 1 ? "" : "s", run, c->uncovered == 1 ? "its" : "their", have,
		 c->uncovered == 1 ? "it" : "them", c->base_name,
		 fatal ? " (--baseline-missing=warn to go on)" : "; not gated");
	if (fatal) {
		vh_err(c->base_name, "%s", msg);
		return 2;
	}
	vh_warn(c->base_name, "%s", msg);
	return c->regressions ? 1 : 0;
}

static void json_stat(struct vh_json_writer *w, long v)
{
	if (v >= 0)
		vh_json_writer__int(w, v);
	else
		vh_json_writer__null(w);
}

static void print_json_row(struct vh_json_writer *w, const struct vh_compare_row *row)
{
	const struct vh_result *r = row_any(row);
	int ids[VH_STAT_CNT];
	size_t nm = metrics(ids);

	vh_json_writer__begin_object(w);
	vh_json_writer__kv_string(w, "kernel", r->kernel);
	vh_json_writer__kv_string(w, "object", r->object);
	vh_json_writer__kv_string(w, "program", r->program);
	vh_json_writer__kv_string(w, "baseline_kernel", row->base ? row->base->kernel : NULL);
	vh_json_writer__kv_string(w, "status", vh_compare_status__name(row->status));
	vh_json_writer__key(w, "reasons");
	vh_json_writer__begin_array(w);
	if (row->why & VH_CMP_NEW_FAILURE)
		vh_json_writer__string(w, "new_failure");
	for (int id = 0; id < VH_STAT_CNT; id++)
		if (row->grown & (1u << id))
			vh_json_writer__string(w, vh_stat_defs[id].gate_reason);
	if (row->why & VH_CMP_INSNS_SHARE)
		vh_json_writer__string(w, "insns_share");
	if (row->why & VH_CMP_GONE)
		vh_json_writer__string(w, "removed");
	vh_json_writer__end_array(w);
	vh_json_writer__key(w, "verdict");
	vh_json_writer__begin_object(w);
	vh_json_writer__kv_string(w, "base",
				  row->base ? vh_verdict__name(row->base->verdict) : NULL);
	vh_json_writer__kv_string(w, "new", row->cur ? vh_verdict__name(row->cur->verdict) : NULL);
	vh_json_writer__end_object(w);
	for (size_t m = 0; m < nm; m++) {
		long a = metric(row->base, ids[m]), b = metric(row->cur, ids[m]);

		vh_json_writer__key(w, vh_stat_defs[ids[m]].json);
		vh_json_writer__begin_object(w);
		vh_json_writer__key(w, "base");
		json_stat(w, a);
		vh_json_writer__key(w, "new");
		json_stat(w, b);
		vh_json_writer__key(w, "diff");
		if (a >= 0 && b >= 0)
			vh_json_writer__int(w, b - a);
		else
			vh_json_writer__null(w);
		vh_json_writer__key(w, "pct");
		if (a > 0 && b >= 0)
			vh_json_writer__double(w, (double)(b - a) * 100.0 / (double)a);
		else
			vh_json_writer__null(w);
		vh_json_writer__end_object(w);
	}
	vh_json_writer__end_object(w);
}

/* "max-time-growth" -> "max_time_growth_pct" */
static void gate_key(char *buf, size_t len, const char *option)
{
	snprintf(buf, len, "%s_pct", option);
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
}

static int print_json(FILE *f, const struct vh_compare *c)
{
	struct vh_json_writer w;

	vh_json_writer__init(&w, f, false);
	vh_json_writer__begin_object(&w);
	vh_json_writer__kv_string(&w, "version", BPFGATE_VERSION);
	vh_json_writer__key(&w, "max_growth_pct");
	vh_json_writer__double(&w, c->max_growth_pct);
	vh_json_writer__key(&w, "max_share_pct");
	vh_json_writer__double(&w, c->max_share_pct);
	/* optional gates only when on: other files stay as they were */
	for (int id = 0; id < VH_STAT_CNT; id++) {
		char key[64];

		if (vh_stat_defs[id].gate != VH_GATE_GROWTH_OPTIONAL || c->growth_pct[id] < 0)
			continue;
		gate_key(key, sizeof(key), vh_stat_defs[id].gate_option);
		vh_json_writer__key(&w, key);
		vh_json_writer__double(&w, c->growth_pct[id]);
	}
	vh_json_writer__kv_string(&w, "baseline_missing",
				  c->missing == VH_MISSING_WARN ? "warn" : "error");
	vh_json_writer__key(&w, "allow_removed");
	vh_json_writer__bool(&w, c->allow_removed);
	vh_json_writer__key(&w, "kernels");
	vh_json_writer__begin_array(&w);
	for (size_t i = 0; i < c->nkernels; i++) {
		vh_json_writer__begin_object(&w);
		vh_json_writer__kv_string(&w, "kernel", c->kernels[i].kernel);
		vh_json_writer__kv_string(&w, "baseline_kernel", c->kernels[i].base_kernel);
		vh_json_writer__kv_string(&w, "baseline_match",
					  vh_baseline_match__name(c->kernels[i].match));
		vh_json_writer__end_object(&w);
	}
	vh_json_writer__end_array(&w);
	vh_json_writer__key(&w, "programs");
	vh_json_writer__begin_array(&w);
	for (size_t i = 0; i < c->n; i++)
		print_json_row(&w, &c->rows[i]);
	vh_json_writer__end_array(&w);
	vh_json_writer__key(&w, "summary");
	vh_json_writer__begin_object(&w);
	vh_json_writer__kv_int(&w, "compared", c->compared);
	vh_json_writer__kv_int(&w, "regressions", c->regressions);
	vh_json_writer__kv_int(&w, "fixed", c->fixed);
	vh_json_writer__kv_int(&w, "added", c->added);
	vh_json_writer__kv_int(&w, "removed", c->removed);
	vh_json_writer__kv_int(&w, "other_kernels", c->other_kernels);
	vh_json_writer__kv_int(&w, "ungated", c->ungated);
	vh_json_writer__kv_int(&w, "uncovered_kernels", c->uncovered);
	vh_json_writer__end_object(&w);
	vh_json_writer__end_object(&w);
	return vh_json_writer__finish(&w);
}

int vh_compare__print(FILE *f, const struct vh_compare *c, const struct vh_compare_opts *opts)
{
	if (opts->json)
		return print_json(f, c);
	print_text(f, c, opts);
	return fflush(f) || ferror(f) ? -EIO : 0;
}

int vh_compare__sets(FILE *f, const struct vh_result_set *base, const struct vh_result_set *cur,
		     const struct vh_compare_opts *opts)
{
	struct vh_compare c;
	int err;

	err = vh_compare__build(&c, base, cur, opts);
	if (err)
		return err;
	err = vh_compare__print(f, &c, opts);
	if (!err)
		err = vh_compare__status(&c);
	vh_compare__free(&c);
	return err;
}
