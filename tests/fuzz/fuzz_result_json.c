// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_result_json.c: libFuzzer target for reading result files (untrusted: VM
 * guests' output, baselines from pull requests) and for every writer fed from them.
 *
 * Properties checked beyond "no crash, no leak, no UB":
 *   - a rejected input gets a one-line, non-empty reason;
 *   - an accepted input, written back (compact and pretty), reads back equal;
 *   - the compare JSON of the set against itself is valid JSON.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "json_reader.h"
#include "report.h"
#include "report_html.h"
#include "result_json.h"
#include "fuzz_common.h"


static char *render(const struct vh_result_set *set, bool pretty, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	check(f);
	check(vh_result_set__write_json(f, set, pretty) == 0);
	fclose(f);
	return buf;
}

static void round_trip(const struct vh_result_set *set, bool pretty)
{
	struct vh_result_set back = {};
	char err[256];
	size_t len;
	char *json = render(set, pretty, &len);

	check(vh_result_set__parse_json(json, len, &back, err, sizeof(err)) == 0);
	check(vh_result_set__json_equal(set, &back));
	vh_result_set__free(&back);
	free(json);
}

static void views(const struct vh_result_set *set)
{
	struct vh_compare_opts opts = { .max_growth_pct = 10, .max_share_pct = 50, .json = true };
	struct vh_json_value *doc;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	check(f);
	vh_report__table(f, set, true);
	for (size_t i = 0; i < set->n; i++)
		vh_report__failure(f, &set->v[i], false);
	vh_report__gh_annotations(f, set);
	check(vh_report__markdown("/dev/null", set, true) == 0);
	check(vh_report__html("/dev/null", set, NULL) == 0);
	fclose(f);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	check(f);
	check(vh_compare__sets(f, set, set, &opts) >= 0);
	fclose(f);
	check(vh_json__parse(buf, len, NULL, &doc, err, sizeof(err)) == 0);
	vh_json_value__free(doc);
	free(buf);
	opts.json = false;
	f = fopen("/dev/null", "w");
	check(f);
	check(vh_compare__sets(f, set, set, &opts) >= 0);
	/* the HTML report beside a baseline (the set itself) */
	{
		struct vh_compare c = {};

		if (vh_compare__build(&c, set, set, &opts) == 0)
			check(vh_report__html("/dev/null", set, &c) == 0);
		vh_compare__free(&c);
	}
	/* two halves of the set (views, not copies): added, removed, unmatched keys */
	if (set->n) {
		struct vh_result_set a = { .v = set->v, .n = set->n / 2 };
		struct vh_result_set b = { .v = set->v + set->n / 2, .n = set->n - set->n / 2 };

		check(vh_compare__sets(f, &a, &b, &opts) >= 0);
		check(vh_compare__sets(f, &b, &a, &opts) >= 0);
	}
	fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_result_set set = {};
	char err[256];

	err[0] = '\0';
	if (vh_result_set__parse_json((const char *)data, size, &set, err, sizeof(err))) {
		check(err[0] && !strchr(err, '\n'));
		check(set.n == 0 && !set.version);
		return 0;
	}
	/* a file without a version is written with the writer's own */
	if (!set.version)
		set.version = strdup("fuzz");
	check(set.version);
	round_trip(&set, false);
	round_trip(&set, true);
	views(&set);
	vh_result_set__free(&set);
	return 0;
}
