// SPDX-License-Identifier: BSD-2-Clause
/* report_table.c: the terminal views: results table, kernel matrix, failure explanation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "result_view.h"
#include "stat_registry.h"
#include "text_escape.h"

#define COLOR_RESET "\033[0m"

static const char *verdict_color(enum vh_verdict v)
{
	switch (v) {
	case VH_PASS:
		return "\033[32m";
	case VH_FAIL:
		return "\033[31m";
	case VH_SKIP:
		return "\033[33m";
	default:
		return "\033[1;31m";
	}
}

/* PROGRAM TYPE VERDICT, the statistics the registry shows in a table, CLASS/ERROR */
enum { C_PROGRAM, C_TYPE, C_VERDICT, C_STATS, MAXCOLS = C_STATS + VH_STAT_CNT + 1 };

struct layout {
	char headers[MAXCOLS][32];
	int stat[MAXCOLS]; /* the statistic of a column, or -1 */
	int ncols;         /* the last one is CLASS/ERROR */
};

static void layout(struct layout *l)
{
	static const char *const fixed[C_STATS] = { "PROGRAM", "TYPE", "VERDICT" };
	int c;

	for (c = 0; c < C_STATS; c++) {
		snprintf(l->headers[c], sizeof(l->headers[c]), "%s", fixed[c]);
		l->stat[c] = -1;
	}
	for (int i = 0; i < VH_STAT_CNT; i++) {
		if (!(vh_stat_defs[i].show & VH_SHOW_TABLE))
			continue;
		vh_stat__table_header(&vh_stat_defs[i], l->headers[c], sizeof(l->headers[c]));
		l->stat[c++] = i;
	}
	snprintf(l->headers[c], sizeof(l->headers[c]), "CLASS/ERROR");
	l->stat[c++] = -1;
	l->ncols = c;
}

static char *stat_str(long v)
{
	char *s;

	if (v < 0)
		return strdup("-");
	return asprintf(&s, "%ld", v) < 0 ? NULL : s;
}

/* What explains a verdict in one short cell: the error class, else the error line;
 * for a skip, its reason. */
static const char *why(const struct vh_result *r)
{
	switch (r->verdict) {
	case VH_FAIL:
		return r->error_class ?: r->error ?: "";
	case VH_ERROR:
		return r->error ?: r->error_class ?: "";
	case VH_SKIP:
		return r->reason ?: "";
	default:
		return "";
	}
}

static char *program_label(const struct vh_result *r, bool with_object)
{
	char *s;

	/* a functional test is its own object: "test_flow", not "test_flow:test_flow" */
	if (!with_object || !strcmp(vh_report__basename(r->object), r->program ?: "?"))
		return strdup(r->program ?: "?");
	if (asprintf(&s, "%s:%s", vh_report__basename(r->object), r->program ?: "?") < 0)
		return NULL;
	return s;
}

static void print_summary(FILE *f, const struct vh_result_set *set)
{
	char buf[256];

	vh_report__summary(buf, sizeof(buf), set);
	fprintf(f, "%s\n", buf);
}

static void table(FILE *f, const struct vh_result_set *set, bool color)
{
	bool with_object = vh_report__many_objects(set);
	size_t width[MAXCOLS];
	struct layout l;
	char **cells;
	int n;

	layout(&l);
	n = l.ncols;
	cells = calloc((set->n ?: 1) * n, sizeof(*cells));
	if (!cells)
		return;
	for (int c = 0; c < n; c++)
		width[c] = strlen(l.headers[c]);
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		char **row = &cells[i * n];

		row[C_PROGRAM] = program_label(r, with_object);
		row[C_TYPE] = strdup(r->prog_type ?: "-");
		row[C_VERDICT] = strdup(vh_verdict__name(r->verdict));
		for (int c = C_STATS; c < n - 1; c++)
			row[c] = stat_str(vh_stats__get(&r->stats, l.stat[c]));
		row[n - 1] = strdup(why(r));
		for (int c = 0; c < n; c++) {
			size_t w = vh_report__width(row[c]);

			if (w > width[c])
				width[c] = w;
		}
	}
	for (int c = 0; c < n; c++) {
		if (c == n - 1)
			fputs(l.headers[c], f); /* no trailing blanks */
		else
			vh_report__put_cell(f, l.headers[c], width[c], l.stat[c] >= 0);
		fputs(c == n - 1 ? "\n" : "  ", f);
	}
	for (size_t i = 0; i < set->n; i++) {
		char **row = &cells[i * n];

		for (int c = 0; c < n; c++) {
			if (c == C_VERDICT && color)
				fputs(verdict_color(set->v[i].verdict), f);
			if (c == n - 1)
				vh_report__put_text(f, row[c]);
			else
				vh_report__put_cell(f, row[c], width[c], l.stat[c] >= 0);
			if (c == C_VERDICT && color)
				fputs(COLOR_RESET, f);
			fputs(c == n - 1 ? "\n" : "  ", f);
		}
	}
	for (size_t i = 0; i < set->n * n; i++)
		free(cells[i]);
	free(cells);
}

void vh_report__columns(FILE *f, const struct vh_result_set *set, const int *cols,
			size_t ncols, bool color)
{
	size_t width[VH_VIEW_MAX_COLS];
	char hdr[VH_VIEW_MAX_COLS][32];
	char **cells = calloc((set->n ?: 1) * (ncols ?: 1), sizeof(*cells));

	if (!cells || ncols > VH_VIEW_MAX_COLS) {
		free(cells);
		return;
	}
	for (size_t c = 0; c < ncols; c++) {
		vh_view__col_header(cols[c], hdr[c], sizeof(hdr[c]));
		width[c] = strlen(hdr[c]);
	}
	for (size_t i = 0; i < set->n; i++) {
		for (size_t c = 0; c < ncols; c++) {
			int stat = vh_view__col_stat(cols[c]);
			char **cell = &cells[i * ncols + c];
			size_t w;

			*cell = stat >= 0 ? stat_str(vh_stats__get(&set->v[i].stats, stat)) :
					    strdup(vh_view__col_text(cols[c], &set->v[i]) ?: "-");
			w = vh_report__width(*cell);
			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t i = 0; i <= set->n; i++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *s = i ? cells[(i - 1) * ncols + c] : hdr[c];
			bool right = vh_view__col_stat(cols[c]) >= 0, paint;

			paint = i && color && cols[c] == VH_COL_VERDICT;
			if (c)
				fputs("  ", f);
			if (paint)
				fputs(verdict_color(set->v[i - 1].verdict), f);
			/* the last column is not padded: no trailing blanks */
			if (c + 1 == ncols && !right)
				vh_report__put_text(f, s ?: "");
			else
				vh_report__put_cell(f, s ?: "", width[c], right);
			if (paint)
				fputs(COLOR_RESET, f);
		}
		fputc('\n', f);
	}
	for (size_t i = 0; i < set->n * ncols; i++)
		free(cells[i]);
	free(cells);
	print_summary(f, set);
}

static char *matrix_cell(const struct vh_result *r)
{
	char *s;
	int n;

	if (!r)
		return strdup("-");
	if (r->verdict == VH_PASS && r->stats.insns_processed >= 0)
		n = asprintf(&s, "pass %ld", r->stats.insns_processed);
	else if (r->verdict == VH_FAIL && r->error_class)
		n = asprintf(&s, "fail %s", r->error_class);
	else
		n = asprintf(&s, "%s", vh_verdict__name(r->verdict));
	return n < 0 ? NULL : s;
}

static void matrix(FILE *f, const struct vh_result_set *set, const struct vh_report_matrix *m,
		   bool color)
{
	size_t ncols = m->nkernels + 1, *width;
	char **cells;

	cells = calloc(m->nrows * ncols ?: 1, sizeof(*cells));
	width = calloc(ncols, sizeof(*width));
	if (!cells || !width)
		goto cleanup;
	width[0] = strlen("PROGRAM");
	for (size_t k = 0; k < m->nkernels; k++)
		width[k + 1] = vh_report__width(m->kernels[k]);
	for (size_t row = 0; row < m->nrows; row++) {
		for (size_t c = 0; c < ncols; c++) {
			long idx = c ? m->cells[row * m->nkernels + c - 1] : (long)m->rows[row];
			const struct vh_result *r = idx >= 0 ? &set->v[idx] : NULL;
			char *s = c ? matrix_cell(r) : program_label(r, true);
			size_t w = vh_report__width(s);

			cells[row * ncols + c] = s;
			if (w > width[c])
				width[c] = w;
		}
	}
	vh_report__put_cell(f, "PROGRAM", width[0], false);
	for (size_t k = 0; k < m->nkernels; k++) {
		fputs("  ", f);
		if (k + 1 == m->nkernels)
			vh_report__put_text(f, m->kernels[k]);
		else
			vh_report__put_cell(f, m->kernels[k], width[k + 1], false);
	}
	fputc('\n', f);
	for (size_t row = 0; row < m->nrows; row++) {
		for (size_t c = 0; c < ncols; c++) {
			long idx = c ? m->cells[row * m->nkernels + c - 1] : -1;
			bool last = c + 1 == ncols;

			if (c)
				fputs("  ", f);
			if (color && idx >= 0)
				fputs(verdict_color(set->v[idx].verdict), f);
			if (last)
				vh_report__put_text(f, cells[row * ncols + c]);
			else
				vh_report__put_cell(f, cells[row * ncols + c], width[c], false);
			if (color && idx >= 0)
				fputs(COLOR_RESET, f);
		}
		fputc('\n', f);
	}
cleanup:
	if (cells)
		for (size_t i = 0; i < m->nrows * ncols; i++)
			free(cells[i]);
	free(cells);
	free(width);
}

void vh_report__table(FILE *f, const struct vh_result_set *set, bool color)
{
	struct vh_report_matrix m;

	if (!vh_report_matrix__build(&m, set) && m.nkernels > 1)
		matrix(f, set, &m, color);
	else
		table(f, set, color);
	vh_report_matrix__free(&m);
	print_summary(f, set);
}

/* "  label:  text" with text made safe; nothing when text is NULL */
static void field(FILE *f, const char *label, const char *text)
{
	if (!text)
		return;
	fprintf(f, "  %-8s ", label);
	vh_report__put_text(f, text);
	fputc('\n', f);
}

void vh_report__failure(FILE *f, const struct vh_result *r, bool color)
{
	if (color)
		fputs(verdict_color(r->verdict), f);
	fputs("prog '", f);
	vh_report__put_text(f, r->program ?: "?");
	fputs("' (", f);
	vh_report__put_text(f, r->object ?: "?");
	fputs(", kernel ", f);
	vh_report__put_text(f, r->kernel ?: "?");
	fprintf(f, "): %s", vh_verdict__name(r->verdict));
	if (color)
		fputs(COLOR_RESET, f);
	fputc('\n', f);
	field(f, "error:", r->error);
	if (r->source) {
		fprintf(f, "  %-8s ", "source:");
		vh_report__put_text(f, r->source);
		if (r->source_text) {
			fputs(": ", f);
			vh_report__put_text(f, r->source_text);
		}
		fputc('\n', f);
	}
	if (r->error_class) {
		fprintf(f, "  %-8s ", "class:");
		vh_report__put_text(f, r->error_class);
		if (r->error_kind) {
			fputs(" (", f);
			vh_report__put_text(f, r->error_kind);
			fputc(')', f);
		}
		fputc('\n', f);
	}
	field(f, "reason:", r->reason);
	field(f, "expect:", r->expect);
	if (r->log_tail && *r->log_tail) {
		const char *line = r->log_tail;

		fputs("  log tail:\n", f);
		while (*line) {
			const char *nl = strchr(line, '\n');
			size_t len = nl ? (size_t)(nl - line) : strlen(line);
			char *copy = strndup(line, len);

			fputs("    ", f);
			vh_escape__term(f, copy ?: "?", true); /* a log line: tabs kept */
			fputc('\n', f);
			free(copy);
			line += len + (nl ? 1 : 0);
		}
	}
	if (r->log_truncated)
		fprintf(f, "  %s\n", VH_LOG_TRUNCATED_NOTE);
}
