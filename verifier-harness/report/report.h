/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.h: human and CI views of a result set: the terminal table (or the
 * program x kernel matrix), the failure explanation, JUnit XML, a Markdown
 * summary and GitHub Actions annotations. The JSON view is result_json.h.
 *
 * Every string of a result may come from an untrusted file, so each writer
 * makes it safe for its format with text_escape.h: control characters never
 * reach a terminal, XML and Markdown special characters are escaped. Files are
 * written through out_file.h (atomic replace, write-through, every error kept).
 */
#ifndef BPFGATE_REPORT_H
#define BPFGATE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

/*
 * Aligned table: PROGRAM TYPE VERDICT INSNS STATES TIME(us) STACK CLASS/ERROR,
 * then one summary line ("12 programs: 11 pass, 1 fail, 0 skip, 0 error").
 * PROGRAM is "object:program" when the set holds several objects. When the set
 * holds more than one kernel: a matrix instead, rows object:program, one column
 * per kernel, each cell "pass 1234" (insns processed) or the short verdict and
 * error class. Colour only when color is true (the caller decides from isatty).
 */
void vh_report__table(FILE *f, const struct vh_result_set *set, bool color);

/*
 * The table of the columns cols[0..ncols) (result_view.h: -e), one row per result in
 * the set's order, then the summary line. Colour as vh_report__table.
 */
void vh_report__columns(FILE *f, const struct vh_result_set *set, const int *cols,
			size_t ncols, bool color);

/*
 * CSV: a header of the columns' names (veristat's: file_name, prog_name, verdict,
 * total_insns, ...), one line per result. Without columns (ncols 0), veristat's
 * CSV columns that bpfgate records (vh_view__csv_default). An unknown statistic
 * is an empty field; a field with a comma, quote or control character is quoted.
 */
void vh_report__csv(FILE *f, const struct vh_result_set *set, const int *cols, size_t ncols);

/* For a failure, the readable explanation: error line, source location with the
 * source text, class and kind, expectation, and the log tail (the caller prints
 * the full log with -v). */
void vh_report__failure(FILE *f, const struct vh_result *r, bool color);

/* Said after a verifier log (or its tail) that was cut at its size limit. */
#define VH_LOG_TRUNCATED_NOTE "[verifier log truncated: it did not fit its size limit]"

/* JUnit XML: one <testsuite name="KERNEL"> per kernel with its counts and time,
 * one <testcase classname="KERNEL.OBJECT" name="PROGRAM"> per result,
 * <failure>/<error message="ERROR LINE"> whose body is the source line and the
 * log tail, <skipped message="REASON"/>. Written with out_file.h. 0 or -errno. */
int vh_report__junit(const char *path, const struct vh_result_set *set);

/* Markdown summary for CI: the table (or program x kernel matrix), then the
 * failures with their source lines and log tails. Appends when append is true
 * (for $GITHUB_STEP_SUMMARY), else written as out_file.h says. 0 or -errno. */
int vh_report__markdown(const char *path, const struct vh_result_set *set, bool append);

/* GitHub Actions annotations, one line per failure or error:
 * "::error file=F,line=L,title=T::MSG" (file and line only when the result has a
 * source location). */
void vh_report__gh_annotations(FILE *f, const struct vh_result_set *set);

/* --- shared by the report writers (report_common.c) ---------------------------- */

/* Last path component ("build/x/hello.bpf.o" -> "hello.bpf.o"); "" for NULL. */
const char *vh_report__basename(const char *path);
/* Terminal columns s takes when printed by vh_report__put_text() (one per
 * character; wide characters are not special-cased). */
size_t vh_report__width(const char *s);
/* s on one line of a terminal: vh_escape__term(f, s, false) (text_escape.h). */
void vh_report__put_text(FILE *f, const char *s);
/* put_text padded with spaces to width columns (left aligned, or right aligned) */
void vh_report__put_cell(FILE *f, const char *s, size_t width, bool right);

/*
 * The distinct kernels of a set, oldest version first (a NULL kernel is "?"). *kernels is allocated (free() it; the strings belong to the set).
 * Returns the count, or -ENOMEM.
 */
long vh_report__kernels(const struct vh_result_set *set, const char ***kernels);

/*
 * Matrix layout: rows are the distinct (object, program) pairs in order of first
 * appearance; cell[row * nkernels + k] is the index of the first result of that
 * row on kernels[k], or -1. 0 or -ENOMEM; free() rows and cells.
 */
struct vh_report_matrix {
	const char **kernels;
	size_t nkernels;
	size_t *rows;     /* index of the first result of each row */
	size_t nrows;
	long *cells;
};
int vh_report_matrix__build(struct vh_report_matrix *m, const struct vh_result_set *set);
void vh_report_matrix__free(struct vh_report_matrix *m);
/* "12 programs: 11 pass, 1 fail, 0 skip, 0 error", or with several kernels
 * "24 results (12 programs x 2 kernels): ..." */
void vh_report__summary(char *buf, size_t len, const struct vh_result_set *set);
/* true when the set spans several objects (rows need the object's name) */
bool vh_report__many_objects(const struct vh_result_set *set);

#endif
