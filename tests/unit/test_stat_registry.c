// SPDX-License-Identifier: BSD-2-Clause
/* test_stat_registry.c: the table of statistics: complete, consistent, and the JSON contract's. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result_json.h"
#include "stat_registry.h"
#include "unit_main.h"

/* The JSON result contract (docs/json-schema.md): the statistics' keys, in order. */
static const char *const contract[] = {
	"insns_processed", "insns_limit", "total_states", "peak_states", "max_states_per_insn",
	"mark_read", "verification_time_us", "stack_depth", "prog_insns",
};

START_TEST(test_rows_complete)
{
	bool seen[sizeof(struct vh_stats) / sizeof(long)] = {};

	/* one row per field of struct vh_stats: a field without a row is caught */
	ck_assert_uint_eq(VH_STAT_CNT, sizeof(struct vh_stats) / sizeof(long));
	ck_assert_uint_eq(VH_STAT_CNT, sizeof(contract) / sizeof(contract[0]));
	for (int i = 0; i < VH_STAT_CNT; i++) {
		const struct vh_stat_def *d = &vh_stat_defs[i];

		ck_assert_int_eq(d->id, i);
		ck_assert_str_eq(d->json, contract[i]);
		ck_assert_uint_eq(d->off % sizeof(long), 0);
		ck_assert_uint_lt(d->off, sizeof(struct vh_stats));
		ck_assert(!seen[d->off / sizeof(long)]);
		seen[d->off / sizeof(long)] = true;
		ck_assert_ptr_nonnull(d->title);
		ck_assert_ptr_nonnull(d->what);
		/* a gated statistic names its reason and its option */
		if (d->gate != VH_GATE_NONE) {
			ck_assert_ptr_nonnull(d->gate_reason);
			ck_assert_ptr_nonnull(d->gate_option);
		}
	}
}
END_TEST

START_TEST(test_names_unique)
{
	/* every name (JSON key or veristat's) leads to one statistic: its own */
	for (int i = 0; i < VH_STAT_CNT; i++) {
		const struct vh_stat_def *d = &vh_stat_defs[i];

		ck_assert_int_eq(vh_stat__lookup(d->json, strlen(d->json)), i);
		for (int j = 0; j < VH_STAT_MAX_NAMES && d->names[j]; j++)
			ck_assert_int_eq(vh_stat__lookup(d->names[j], strlen(d->names[j])), i);
	}
}
END_TEST

START_TEST(test_veristat_names)
{
	static const struct {
		const char *name;
		int id;
	} v[] = {
		{ "insns", VH_STAT_INSNS },
		{ "total_insns", VH_STAT_INSNS },
		{ "states", VH_STAT_STATES },
		{ "total_states", VH_STAT_STATES },
		{ "peak_states", VH_STAT_PEAK_STATES },
		{ "max_states_per_insn", VH_STAT_MAX_STATES },
		{ "mark_read", VH_STAT_MARK_READ },
		{ "max_mark_read_len", VH_STAT_MARK_READ },
		{ "duration", VH_STAT_TIME },
		{ "dur", VH_STAT_TIME },
		{ "stack", VH_STAT_STACK },
		{ "stack_depth", VH_STAT_STACK },
		{ "prog_size", VH_STAT_PROG_INSNS },
		{ "prog_size_jited", -1 },
		{ "insn", -1 },
		{ "", -1 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_int_eq(vh_stat__lookup(v[i].name, strlen(v[i].name)), v[i].id);
	/* a prefix of a name is not the name */
	ck_assert_int_eq(vh_stat__lookup("insns_processed", 5), VH_STAT_INSNS);
	ck_assert_int_eq(vh_stat__lookup("insns_processed", 6), -1);
	/* veristat's CSV columns come first */
	ck_assert_str_eq(vh_stat_defs[VH_STAT_INSNS].names[0], "total_insns");
	ck_assert_str_eq(vh_stat_defs[VH_STAT_TIME].names[0], "duration");
	ck_assert_str_eq(vh_stat_defs[VH_STAT_MARK_READ].names[0], "max_mark_read_len");
}
END_TEST

START_TEST(test_headers_and_access)
{
	struct vh_stats st;
	char buf[64];

	vh_stat__table_header(&vh_stat_defs[VH_STAT_TIME], buf, sizeof(buf));
	ck_assert_str_eq(buf, "TIME(us)");
	vh_stat__table_header(&vh_stat_defs[VH_STAT_PEAK_STATES], buf, sizeof(buf));
	ck_assert_str_eq(buf, "PEAK STATES");
	vh_stat__title(&vh_stat_defs[VH_STAT_TIME], buf, sizeof(buf));
	ck_assert_str_eq(buf, "Time (us)");
	vh_stats__init(&st);
	for (int i = 0; i < VH_STAT_CNT; i++) {
		ck_assert_int_eq(vh_stats__get(&st, i), VH_STAT_UNKNOWN);
		vh_stats__set(&st, i, 100 + i);
	}
	ck_assert_int_eq(st.insns_processed, 100 + VH_STAT_INSNS);
	ck_assert_int_eq(st.verification_time_us, 100 + VH_STAT_TIME);
	ck_assert_int_eq(st.prog_insns, 100 + VH_STAT_PROG_INSNS);
	/* the time is noisy: gated only when asked, not kept in a baseline */
	ck_assert_int_eq(vh_stat_defs[VH_STAT_TIME].gate, VH_GATE_GROWTH_OPTIONAL);
	ck_assert(!vh_stat_defs[VH_STAT_TIME].in_baseline);
	ck_assert_int_eq(vh_stat_defs[VH_STAT_INSNS].gate, VH_GATE_GROWTH);
}
END_TEST

/* The JSON of a result carries every statistic under its contract key, in order. */
START_TEST(test_json_keys_in_order)
{
	struct vh_result_set set = {}, back = {};
	struct vh_result *r = vh_result_set__add(&set);
	char *buf = NULL, errbuf[256];
	const char *at;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	set.version = strdup("9.9.9");
	r->kernel = strdup("k");
	r->object = strdup("o");
	r->program = strdup("p");
	for (int i = 0; i < VH_STAT_CNT; i++)
		vh_stats__set(&r->stats, i, 1000 + i);
	ck_assert_int_eq(vh_result_set__write_json(f, &set, false), 0);
	fclose(f);
	at = buf;
	for (int i = 0; i < VH_STAT_CNT; i++) {
		char key[64];

		snprintf(key, sizeof(key), "\"%s\":%d", contract[i], 1000 + i);
		at = strstr(at, key);
		ck_assert_msg(at, "%s missing or out of order in %s", key, buf);
	}
	/* and reads back the same */
	ck_assert_int_eq(vh_result_set__parse_json(buf, len, &back, errbuf, sizeof(errbuf)), 0);
	ck_assert(vh_result_set__json_equal(&set, &back));
	free(buf);
	vh_result_set__free(&set);
	vh_result_set__free(&back);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stat_registry");
	TCase *tc = tcase_create("registry");

	tcase_add_test(tc, test_rows_complete);
	tcase_add_test(tc, test_names_unique);
	tcase_add_test(tc, test_veristat_names);
	tcase_add_test(tc, test_headers_and_access);
	tcase_add_test(tc, test_json_keys_in_order);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
