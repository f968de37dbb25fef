// SPDX-License-Identifier: BSD-2-Clause
/* report_csv.c: results as CSV (bpfgate verify -o csv), veristat's columns and names. */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "result_view.h"

/*
 * One field: as it is when it is plain, else quoted with its quotes doubled (RFC
 * 4180). Control characters never reach a terminal: they are written as '?'.
 */
static void put_field(FILE *f, const char *s)
{
	bool quote = s[strcspn(s, ",\"")] != '\0';

	for (const char *p = s; *p && !quote; p++)
		quote = (unsigned char)*p < 0x20 || *p == 0x7f;
	if (quote)
		fputc('"', f);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			fputs("\"\"", f);
		else
			fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
	}
	if (quote)
		fputc('"', f);
}

void vh_report__csv(FILE *f, const struct vh_result_set *set, const int *cols, size_t ncols)
{
	int defaults[VH_VIEW_MAX_COLS];

	if (!ncols) {
		ncols = vh_view__csv_default(set, defaults);
		cols = defaults;
	}
	for (size_t c = 0; c < ncols; c++)
		fprintf(f, "%s%s", c ? "," : "", vh_view__col_csv_name(cols[c]));
	fputc('\n', f);
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];

		for (size_t c = 0; c < ncols; c++) {
			int stat = vh_view__col_stat(cols[c]);

			if (c)
				fputc(',', f);
			/* an unknown statistic is an empty field */
			if (stat >= 0 && vh_stats__get(&r->stats, stat) >= 0)
				fprintf(f, "%ld", vh_stats__get(&r->stats, stat));
			else if (stat < 0)
				put_field(f, vh_view__col_text(cols[c], r) ?: "");
		}
		fputc('\n', f);
	}
}
