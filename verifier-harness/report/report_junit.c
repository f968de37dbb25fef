// SPDX-License-Identifier: BSD-2-Clause
/* report_junit.c: JUnit XML for CI test views, one testsuite per kernel. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "out_file.h"
#include "report.h"
#include "stat_registry.h"
#include "text_escape.h"

static void put_attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	vh_escape__xml(f, value, true);
	fputc('"', f);
}

/* seconds, from the verifier's microseconds */
static void put_time(FILE *f, long us)
{
	if (us >= 0)
		fprintf(f, " time=\"%ld.%06ld\"", us / 1000000, us % 1000000);
}

/* The error line is the message; the body shows where (the source line) and why
 * (the end of the verifier log). */
static void failure_body(FILE *f, const struct vh_result *r)
{
	if (r->source) {
		fputs("source: ", f);
		vh_escape__xml(f, r->source, false);
		if (r->source_text) {
			fputs(": ", f);
			vh_escape__xml(f, r->source_text, false);
		}
		fputc('\n', f);
	}
	if (r->expect) {
		fputs("expect: ", f);
		vh_escape__xml(f, r->expect, false);
		fputc('\n', f);
	}
	if (r->reason) {
		fputs("reason: ", f);
		vh_escape__xml(f, r->reason, false);
		fputc('\n', f);
	}
	if (r->log_tail && *r->log_tail) {
		fputs("log tail:\n", f);
		vh_escape__xml(f, r->log_tail, false);
		if (r->log_tail[strlen(r->log_tail) - 1] != '\n')
			fputc('\n', f);
	}
	if (r->log_truncated)
		fprintf(f, "%s\n", VH_LOG_TRUNCATED_NOTE);
}

/* the statistics the verifier reported, for a reader of the CI log */
static void stats_out(FILE *f, const struct vh_result *r)
{
	bool any = false;

	for (int i = 0; i < VH_STAT_CNT; i++) {
		long v = vh_stats__get(&r->stats, i);

		if (v < 0 || !(vh_stat_defs[i].show & VH_SHOW_JUNIT))
			continue;
		fprintf(f, "%s%s=%ld", any ? " " : "      <system-out>", vh_stat_defs[i].json, v);
		any = true;
	}
	if (any)
		fputs("</system-out>\n", f);
}

/* classname KERNEL.OBJECT: CI views group by it, one group per kernel and object */
static void put_classname(FILE *f, const struct vh_result *r)
{
	fputs(" classname=\"", f);
	vh_escape__xml(f, r->kernel ?: "?", true);
	fputc('.', f);
	vh_escape__xml(f, r->object ?: "", true);
	fputc('"', f);
}

static void testcase(FILE *f, const struct vh_result *r)
{
	fputs("    <testcase", f);
	put_classname(f, r);
	put_attr(f, "name", r->program ?: "");
	put_time(f, r->stats.verification_time_us);
	fputs(">\n", f);
	switch (r->verdict) {
	case VH_FAIL:
	case VH_ERROR:
		fprintf(f, "      <%s", r->verdict == VH_FAIL ? "failure" : "error");
		put_attr(f, "message", r->error ?: vh_verdict__name(r->verdict));
		if (r->error_class)
			put_attr(f, "type", r->error_class);
		fputs(">", f);
		failure_body(f, r);
		fprintf(f, "</%s>\n", r->verdict == VH_FAIL ? "failure" : "error");
		break;
	case VH_SKIP:
		fputs("      <skipped", f);
		put_attr(f, "message", r->reason ?: "");
		fputs("/>\n", f);
		break;
	default:
		break;
	}
	stats_out(f, r);
	fputs("    </testcase>\n", f);
}

static void counts_attrs(FILE *f, const size_t c[VH_VERDICT_CNT], long us)
{
	fprintf(f, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"",
		c[VH_PASS] + c[VH_FAIL] + c[VH_SKIP] + c[VH_ERROR], c[VH_FAIL], c[VH_ERROR],
		c[VH_SKIP]);
	put_time(f, us);
}

static int write_junit(FILE *f, const struct vh_result_set *set)
{
	size_t total[VH_VERDICT_CNT];
	const char **kernels;
	long nk, total_us = 0;

	nk = vh_report__kernels(set, &kernels);
	if (nk < 0)
		return nk;
	vh_result_set__count(set, total);
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].stats.verification_time_us > 0)
			total_us += set->v[i].stats.verification_time_us;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"bpfgate\"", f);
	counts_attrs(f, total, total_us);
	fputs(">\n", f);
	for (long k = 0; k < nk; k++) {
		size_t c[VH_VERDICT_CNT] = {};
		long us = 0;

		for (size_t i = 0; i < set->n; i++) {
			const struct vh_result *r = &set->v[i];

			if (strcmp(r->kernel ?: "?", kernels[k]))
				continue;
			c[r->verdict < VH_VERDICT_CNT ? r->verdict : VH_ERROR]++;
			if (r->stats.verification_time_us > 0)
				us += r->stats.verification_time_us;
		}
		fputs("  <testsuite", f);
		put_attr(f, "name", kernels[k]);
		counts_attrs(f, c, us);
		fputs(">\n", f);
		for (size_t i = 0; i < set->n; i++)
			if (!strcmp(set->v[i].kernel ?: "?", kernels[k]))
				testcase(f, &set->v[i]);
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
	free(kernels);
	return 0;
}

int vh_report__junit(const char *path, const struct vh_result_set *set)
{
	struct vh_out_file of;
	int err;

	err = vh_out_file__open(&of, path, VH_OUT_REPLACE);
	if (err)
		return err;
	err = write_junit(of.f, set);
	if (err) {
		vh_out_file__abort(&of);
		return err;
	}
	return vh_out_file__commit(&of);
}
