// SPDX-License-Identifier: BSD-2-Clause
/* compare.c: match two result sets, judge regressions, print the deltas. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "json_writer.h"
#include "report.h"

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

/* kernel, object file name, program: the identity of a result across runs */
static int key_cmp(const struct vh_result *a, const struct vh_result *b)
{
	int c = strcmp(a->kernel ?: "", b->kernel ?: "");

	if (!c)
		c = strcmp(vh_report__basename(a->object), vh_report__basename(b->object));
	if (!c)
		c = strcmp(a->program ?: "", b->program ?: "");
	return c;
}

static int idx_cmp(const void *x, const void *y, void *arg)
{
	const struct vh_result_set *set = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = key_cmp(&set->v[a], &set->v[b]);

	/* equal keys keep file order, so duplicates pair up first with first */
	return c ? c : (a > b) - (a < b);
}

static bool is_failure(enum vh_verdict v)
{
	return v == VH_FAIL || v == VH_ERROR;
}

static long insns_limit(const struct vh_result *r)
{
	return r->stats.insns_limit > 0 ? r->stats.insns_limit : VH_INSNS_LIMIT_DEFAULT;
}

static void judge(struct vh_compare_row *row, const struct vh_compare *c)
{
	const struct vh_result *b = row->base, *n = row->cur;
	long bi = b->stats.insns_processed, ni = n->stats.insns_processed;

	if (b->verdict == VH_PASS && is_failure(n->verdict))
		row->why |= VH_CMP_NEW_FAILURE;
	/* a failed run stops early: its count says nothing about growth */
	if (b->verdict == VH_PASS && n->verdict == VH_PASS && bi > 0 && ni >= 0 &&
	    (double)(ni - bi) * 100.0 > c->max_growth_pct * (double)bi)
		row->why |= VH_CMP_INSNS_GROWTH;
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

static bool has_kernel(const struct vh_result_set *set, const char *kernel)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].kernel ?: "", kernel ?: ""))
			return true;
	return false;
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
	c->max_growth_pct = opts->max_growth_pct;
	c->max_share_pct = opts->max_share_pct;
	c->rows = calloc(base->n + cur->n ?: 1, sizeof(*c->rows));
	sorted = calloc(base->n ?: 1, sizeof(*sorted));
	taken = calloc(base->n ?: 1, sizeof(*taken));
	matched = calloc(base->n ?: 1, sizeof(*matched));
	if (!c->rows || !sorted || !taken || !matched)
		goto cleanup;
	/* base sorted by key: each new result finds its group by binary search and
	 * takes the group's next unused member (taken[] counts per group start) */
	for (size_t i = 0; i < base->n; i++)
		sorted[i] = i;
	qsort_r(sorted, base->n, sizeof(*sorted), idx_cmp, (void *)base);
	for (size_t i = 0; i < cur->n; i++) {
		struct vh_compare_row *row = &c->rows[c->n++];
		size_t lo = 0, hi = base->n;

		row->cur = &cur->v[i];
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (key_cmp(&base->v[sorted[mid]], row->cur) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < base->n && lo + taken[lo] < base->n &&
		    !key_cmp(&base->v[sorted[lo + taken[lo]]], row->cur)) {
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
		if (matched[i])
			continue;
		/* a host-only run against a matrix baseline: the VMs' kernels were
		 * not run, their programs are not gone */
		if (!has_kernel(cur, base->v[i].kernel)) {
			c->other_kernels++;
			continue;
		}
		c->rows[c->n].base = &base->v[i];
		c->rows[c->n++].status = VH_CMP_REMOVED;
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
	memset(c, 0, sizeof(*c));
}

/* The statistics shown side by side; time is informational only. */
static const struct metric {
	const char *header;
	const char *json;
	size_t off;
} metrics[] = {
	{ "Insns", "insns_processed", offsetof(struct vh_stats, insns_processed) },
	{ "States", "total_states", offsetof(struct vh_stats, total_states) },
	{ "Peak states", "peak_states", offsetof(struct vh_stats, peak_states) },
	{ "Time us", "verification_time_us", offsetof(struct vh_stats, verification_time_us) },
};

#define NMETRICS (sizeof(metrics) / sizeof(metrics[0]))

static long metric(const struct vh_result *r, const struct metric *m)
{
	return r ? *(const long *)((const char *)&r->stats + m->off) : VH_STAT_UNKNOWN;
}

static const char *row_kernel(const struct vh_compare_row *row)
{
	return (row->cur ?: row->base)->kernel ?: "?";
}

static const struct vh_result *row_any(const struct vh_compare_row *row)
{
	return row->cur ?: row->base;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static char *stat_cell(long v)
{
	return v >= 0 ? fmt("%ld", v) : strdup("-");
}

/* "+20 (+25.00%)"; "-" when either side is unknown */
static char *diff_cell(long a, long b)
{
	if (a < 0 || b < 0)
		return strdup("-");
	if (a == 0)
		return fmt("%+ld", b - a);
	return fmt("%+ld (%+.2f%%)", b - a, (double)(b - a) * 100.0 / (double)a);
}

static char *verdict_cell(const struct vh_compare_row *row)
{
	if (!row->base)
		return fmt("-> %s", vh_verdict__name(row->cur->verdict));
	if (!row->cur)
		return fmt("%s ->", vh_verdict__name(row->base->verdict));
	if (row->base->verdict == row->cur->verdict)
		return strdup(vh_verdict__name(row->cur->verdict));
	return fmt("%s -> %s", vh_verdict__name(row->base->verdict),
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

/* One line per reason a row regressed, so the exit status explains itself. */
static void print_reasons(FILE *f, const struct vh_compare *c, const struct vh_compare_row *row)
{
	const struct vh_result *b = row->base, *n = row->cur;
	long bi = b->stats.insns_processed, ni = n->stats.insns_processed;
	const char *prefix = "regression: ";

	if (row->why & VH_CMP_NEW_FAILURE) {
		fputs(prefix, f);
		vh_report__put_text(f, vh_report__basename(n->object));
		fputc(':', f);
		vh_report__put_text(f, n->program);
		fputs(" on ", f);
		vh_report__put_text(f, n->kernel ?: "?");
		fprintf(f, ": newly %s", n->verdict == VH_FAIL ? "rejected by the verifier" :
							      "not verified (error)");
		if (n->error_class || n->error) {
			fputs(": ", f);
			vh_report__put_text(f, n->error_class ?: n->error);
		}
		fputc('\n', f);
	}
	if (row->why & VH_CMP_INSNS_GROWTH) {
		fputs(prefix, f);
		vh_report__put_text(f, vh_report__basename(n->object));
		fputc(':', f);
		vh_report__put_text(f, n->program);
		fputs(" on ", f);
		vh_report__put_text(f, n->kernel ?: "?");
		fprintf(f, ": insns processed grew from %ld to %ld (%+.2f%%), more than %g%%\n", bi,
			ni, (double)(ni - bi) * 100.0 / (double)bi, c->max_growth_pct);
	}
	if (row->why & VH_CMP_INSNS_SHARE) {
		fputs(prefix, f);
		vh_report__put_text(f, vh_report__basename(n->object));
		fputc(':', f);
		vh_report__put_text(f, n->program);
		fputs(" on ", f);
		vh_report__put_text(f, n->kernel ?: "?");
		fprintf(f, ": %ld insns processed is %.2f%% of the limit of %ld, more than %g%%\n",
			ni, (double)ni * 100.0 / (double)insns_limit(n), insns_limit(n),
			c->max_share_pct);
	}
}

enum { COL_PROGRAM, COL_KERNEL, COL_VERDICT, COL_METRICS };
#define NCOLS (COL_METRICS + 3 * NMETRICS + 1)
#define COL_STATUS (NCOLS - 1)

static void print_table(FILE *f, const struct vh_compare *c, bool color)
{
	bool kernels = many_kernels(c);
	char *hdr[NCOLS] = {}, **cells;
	size_t width[NCOLS];

	cells = calloc((c->n ?: 1) * NCOLS, sizeof(*cells));
	if (!cells)
		return;
	hdr[COL_PROGRAM] = strdup("Program");
	hdr[COL_KERNEL] = strdup("Kernel");
	hdr[COL_VERDICT] = strdup("Verdict");
	for (size_t m = 0; m < NMETRICS; m++) {
		hdr[COL_METRICS + 3 * m] = fmt("%s (A)", metrics[m].header);
		hdr[COL_METRICS + 3 * m + 1] = fmt("%s (B)", metrics[m].header);
		hdr[COL_METRICS + 3 * m + 2] = fmt("%s (DIFF)", metrics[m].header);
	}
	hdr[COL_STATUS] = strdup("Status");
	for (size_t col = 0; col < NCOLS; col++)
		width[col] = vh_report__width(hdr[col]);
	for (size_t i = 0; i < c->n; i++) {
		const struct vh_compare_row *row = &c->rows[i];
		const struct vh_result *r = row_any(row);
		char **cell = &cells[i * NCOLS];

		cell[COL_PROGRAM] = fmt("%s:%s", vh_report__basename(r->object), r->program ?: "?");
		cell[COL_KERNEL] = strdup(row_kernel(row));
		cell[COL_VERDICT] = verdict_cell(row);
		for (size_t m = 0; m < NMETRICS; m++) {
			long a = metric(row->base, &metrics[m]), b = metric(row->cur, &metrics[m]);

			cell[COL_METRICS + 3 * m] = stat_cell(a);
			cell[COL_METRICS + 3 * m + 1] = stat_cell(b);
			cell[COL_METRICS + 3 * m + 2] = diff_cell(a, b);
		}
		cell[COL_STATUS] = strdup(vh_compare_status__name(row->status));
		for (size_t col = 0; col < NCOLS; col++) {
			size_t w = vh_report__width(cell[col]);

			if (w > width[col])
				width[col] = w;
		}
	}
	for (size_t i = 0; i <= c->n; i++) {
		char **cell = i ? &cells[(i - 1) * NCOLS] : hdr;
		const char *col_on = i && color ? status_color(c->rows[i - 1].status) : NULL;

		for (size_t col = 0; col < NCOLS; col++) {
			if (col == COL_KERNEL && !kernels)
				continue;
			if (col)
				fputs("  ", f);
			if (col == COL_STATUS) {
				if (col_on)
					fputs(col_on, f);
				vh_report__put_text(f, cell[col]);
				if (col_on)
					fputs(COLOR_RESET, f);
			} else {
				vh_report__put_cell(f, cell[col], width[col], col >= COL_METRICS);
			}
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < c->n * NCOLS; i++)
		free(cells[i]);
	for (size_t col = 0; col < NCOLS; col++)
		free(hdr[col]);
	free(cells);
}

static void print_text(FILE *f, const struct vh_compare *c, bool color)
{
	print_table(f, c, color);
	for (size_t i = 0; i < c->n; i++)
		if (c->rows[i].status == VH_CMP_REGRESSION)
			print_reasons(f, c, &c->rows[i]);
	fprintf(f, "%zu program%s compared: %zu regression%s, %zu fixed, %zu added, %zu removed "
		   "(max growth %g%%, max share %g%% of the insn limit)\n",
		c->compared, c->compared == 1 ? "" : "s", c->regressions,
		c->regressions == 1 ? "" : "s", c->fixed, c->added, c->removed, c->max_growth_pct,
		c->max_share_pct);
	if (c->other_kernels)
		fprintf(f, "%zu result%s of kernels this run did not cover left out\n",
			c->other_kernels, c->other_kernels == 1 ? "" : "s");
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
	static const struct {
		unsigned int bit;
		const char *name;
	} reasons[] = {
		{ VH_CMP_NEW_FAILURE, "new_failure" },
		{ VH_CMP_INSNS_GROWTH, "insns_growth" },
		{ VH_CMP_INSNS_SHARE, "insns_share" },
	};

	vh_json_writer__begin_object(w);
	vh_json_writer__kv_string(w, "kernel", r->kernel);
	vh_json_writer__kv_string(w, "object", r->object);
	vh_json_writer__kv_string(w, "program", r->program);
	vh_json_writer__kv_string(w, "status", vh_compare_status__name(row->status));
	vh_json_writer__key(w, "reasons");
	vh_json_writer__begin_array(w);
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (row->why & reasons[i].bit)
			vh_json_writer__string(w, reasons[i].name);
	vh_json_writer__end_array(w);
	vh_json_writer__key(w, "verdict");
	vh_json_writer__begin_object(w);
	vh_json_writer__kv_string(w, "base",
				  row->base ? vh_verdict__name(row->base->verdict) : NULL);
	vh_json_writer__kv_string(w, "new", row->cur ? vh_verdict__name(row->cur->verdict) : NULL);
	vh_json_writer__end_object(w);
	for (size_t m = 0; m < NMETRICS; m++) {
		long a = metric(row->base, &metrics[m]), b = metric(row->cur, &metrics[m]);

		vh_json_writer__key(w, metrics[m].json);
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
	vh_json_writer__end_object(&w);
	vh_json_writer__end_object(&w);
	return vh_json_writer__finish(&w);
}

int vh_compare__print(FILE *f, const struct vh_compare *c, const struct vh_compare_opts *opts)
{
	if (opts->json)
		return print_json(f, c);
	print_text(f, c, opts->color);
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
		err = c.regressions ? 1 : 0;
	vh_compare__free(&c);
	return err;
}
