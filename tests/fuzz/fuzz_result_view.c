// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_result_view.c: libFuzzer target for veristat's -e, -s and -f (command-line
 * text: from scripts, CI configs), applied to a fixed set of results.
 *
 * The input is lines: the first is -e, the second -s, each further one a -f.
 * Properties checked beyond "no crash, no leak, no UB":
 *   - a refused spec gets a one-line, non-empty reason and changes nothing;
 *   - the view shows a subset of the set, each result once, and in sorted order
 *     that the same view sorts again to the same order;
 *   - a ! filter hides what the same filter alone shows.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "result_view.h"
#include "fuzz_common.h"

static void sample(struct vh_result_set *set)
{
	static const struct {
		const char *obj, *prog, *type;
		enum vh_verdict v;
		long insns;
	} rows[] = {
		{ "build/a.bpf.o", "xdp_one", "xdp", VH_PASS, 500 },
		{ "build/a.bpf.o", "tc_two", "sched_cls", VH_PASS, 20000 },
		{ "build/b.bpf.o", "xdp_bad", "xdp", VH_FAIL, 12 },
		{ "b.bpf.o", "lsm_skip", "lsm", VH_SKIP, -1 },
		{ "c", "broken", NULL, VH_ERROR, -1 },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct vh_result *r = vh_result_set__add(set);

		check(r);
		r->kernel = strdup(i % 2 ? "6.1.0" : "5.10.0");
		r->object = strdup(rows[i].obj);
		r->program = strdup(rows[i].prog);
		r->prog_type = rows[i].type ? strdup(rows[i].type) : NULL;
		r->verdict = rows[i].v;
		r->stats.insns_processed = rows[i].insns;
		r->stats.verification_time_us = (long)i * 7;
	}
}

static void check_err(int ret, const char *err)
{
	if (ret)
		check(err[0] && !strchr(err, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size), *line, *save = NULL, err[1024];
	struct vh_result_set set = {}, out = {}, again = {};
	struct vh_view v = {};
	size_t n = 0, before;
	FILE *f;

	check(text);
	sample(&set);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		int ret;

		err[0] = '\0';
		before = n == 0 ? v.ncols : n == 1 ? v.nsort : v.nfilters;
		ret = n == 0 ? vh_view__emit(&v, line, err, sizeof(err)) :
		      n == 1 ? vh_view__sort(&v, line, err, sizeof(err)) :
			       vh_view__filter(&v, line, err, sizeof(err));
		check_err(ret, err);
		if (ret && n >= 2)
			check(v.nfilters == before);
	}
	check(vh_view__apply(&v, &set, &out) == 0);
	check(out.n <= set.n);
	for (size_t i = 0; i < out.n; i++) {
		size_t same = 0;

		for (size_t j = 0; j < out.n; j++)
			same += out.v[i].program == out.v[j].program;
		check(same == 1);
		check(vh_view__shows(&v, &out.v[i]));
	}
	/* sorting is stable under itself */
	check(vh_view__apply(&v, &out, &again) == 0);
	check(again.n == out.n);
	for (size_t i = 0; i < out.n; i++)
		check(again.v[i].program == out.v[i].program);
	f = fopen("/dev/null", "w");
	check(f);
	if (v.ncols)
		vh_report__columns(f, &out, v.cols, v.ncols, true);
	vh_report__csv(f, &out, v.cols, v.ncols);
	fclose(f);
	vh_view__release(&again);
	vh_view__release(&out);
	vh_view__free(&v);
	vh_result_set__free(&set);
	free(text);
	return 0;
}
