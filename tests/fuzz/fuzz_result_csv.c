// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_result_csv.c: libFuzzer target for reading CSV results (veristat's or
 * bpfgate's, untrusted: from another machine or a pull request) and the CSV
 * writer and views fed from them.
 *
 * Properties checked beyond "no crash, no leak, no UB":
 *   - a rejected input gets a one-line, non-empty reason and leaves the set as it was;
 *   - an accepted input, written back as CSV with every column, reads back with
 *     the same names, verdicts and statistics;
 *   - the CSV written has one header and one line per result, without control
 *     characters but its newlines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "report.h"
#include "result_csv.h"
#include "result_view.h"
#include "fuzz_common.h"

static char *csv(const struct vh_result_set *set, const int *cols, size_t n, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	check(f);
	vh_report__csv(f, set, cols, n);
	fclose(f);
	return buf;
}

static bool same(const char *a, const char *b)
{
	return !strcmp(a ?: "", b ?: "");
}

static void round_trip(const struct vh_result_set *set)
{
	int cols[VH_COL_CNT];
	struct vh_result_set back = {};
	size_t len, lines = 0;
	char err[256], *text;

	/* every column but the file name (the object's path stands for it) */
	for (int c = 0; c < VH_COL_CNT; c++)
		cols[c] = c;
	text = csv(set, cols + 1, VH_COL_CNT - 1, &len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		check(c == '\n' || (c >= 0x20 && c != 0x7f));
		lines += c == '\n';
	}
	check(lines == set->n + 1);
	check(vh_result_set__parse_csv(text, len, &back, err, sizeof(err)) == 0);
	check(back.n == set->n);
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *a = &set->v[i], *b = &back.v[i];
		bool plain = true;

		/* control characters are written as '?': names with them differ */
		for (const char *p = a->object; *p; p++)
			plain &= (unsigned char)*p >= 0x20 && *p != 0x7f;
		for (const char *p = a->program; *p; p++)
			plain &= (unsigned char)*p >= 0x20 && *p != 0x7f;
		check(a->verdict == b->verdict);
		check(!plain || (same(a->object, b->object) && same(a->program, b->program)));
		for (int s = 0; s < VH_STAT_CNT; s++)
			check(vh_stats__get(&a->stats, s) == vh_stats__get(&b->stats, s));
	}
	vh_result_set__free(&back);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_compare_opts opts = { .max_growth_pct = 10, .max_share_pct = 50,
					.optional_gates = 1u << VH_STAT_TIME };
	struct vh_result_set set = {};
	char err[256];
	size_t len;
	FILE *f;

	err[0] = '\0';
	if (vh_result_set__parse_csv((const char *)data, size, &set, err, sizeof(err))) {
		check(err[0] && !strchr(err, '\n'));
		check(set.n == 0);
		return 0;
	}
	round_trip(&set);
	free(csv(&set, NULL, 0, &len));
	f = fopen("/dev/null", "w");
	check(f);
	vh_report__table(f, &set, false);
	check(vh_compare__sets(f, &set, &set, &opts) >= 0);
	fclose(f);
	vh_result_set__free(&set);
	return 0;
}
