// SPDX-License-Identifier: BSD-2-Clause
/* test_result.c: result sets: kernel ordering, copies, counts. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "unit_main.h"

START_TEST(test_release_order)
{
	ck_assert_int_lt(vh_release__cmp("5.10.0-32-amd64", "6.1.0-56-amd64"), 0);
	ck_assert_int_lt(vh_release__cmp("6.1.0-56-amd64", "6.12.117+deb13-amd64"), 0);
	ck_assert_int_lt(vh_release__cmp("6.12.117+deb13-amd64", "6.18.44-fc-v657"), 0);
	ck_assert_int_lt(vh_release__cmp("6.18.44", "7.2.13+deb14-amd64"), 0);
	ck_assert_int_gt(vh_release__cmp("10.0", "9.9"), 0);
	ck_assert_int_eq(vh_release__cmp("6.1.0", "6.1.0"), 0);
	ck_assert_int_ne(vh_release__cmp(NULL, "6.1"), 0);
}
END_TEST

static void add(struct vh_result_set *set, const char *kernel, const char *prog, enum vh_verdict v)
{
	struct vh_result *r = vh_result_set__add(set);

	ck_assert_ptr_nonnull(r);
	r->kernel = strdup(kernel);
	r->program = strdup(prog);
	r->verdict = v;
}

START_TEST(test_sort_by_kernel_is_stable)
{
	struct vh_result_set set = { 0 };
	size_t counts[VH_VERDICT_CNT];

	add(&set, "7.2.13", "b", VH_PASS);
	add(&set, "5.10.0", "a", VH_FAIL);
	add(&set, "7.2.13", "a", VH_PASS);
	add(&set, "5.10.0", "b", VH_SKIP);
	ck_assert_int_eq(vh_result_set__sort_by_kernel(&set), 0);
	ck_assert_str_eq(set.v[0].kernel, "5.10.0");
	ck_assert_str_eq(set.v[0].program, "a");
	ck_assert_str_eq(set.v[1].program, "b");
	ck_assert_str_eq(set.v[2].kernel, "7.2.13");
	ck_assert_str_eq(set.v[2].program, "b");
	ck_assert_str_eq(set.v[3].program, "a");
	vh_result_set__count(&set, counts);
	ck_assert_int_eq(counts[VH_PASS], 2);
	ck_assert_int_eq(counts[VH_FAIL], 1);
	ck_assert_int_eq(counts[VH_SKIP], 1);
	vh_result_set__free(&set);
}
END_TEST

START_TEST(test_append_is_deep)
{
	struct vh_result_set a = { 0 }, b = { 0 };

	add(&a, "6.1", "p", VH_FAIL);
	a.v[0].error = strdup("R0 invalid mem access");
	a.v[0].stats.insns_processed = 42;
	ck_assert_int_eq(vh_result_set__append(&b, &a.v[0]), 0);
	vh_result_set__free(&a);
	ck_assert_str_eq(b.v[0].error, "R0 invalid mem access");
	ck_assert_int_eq(b.v[0].stats.insns_processed, 42);
	ck_assert_int_eq(b.v[0].stats.peak_states, VH_STAT_UNKNOWN);
	ck_assert_str_eq(vh_verdict__name(b.v[0].verdict), "fail");
	ck_assert_int_eq(vh_verdict__parse("skip"), VH_SKIP);
	ck_assert_int_eq(vh_verdict__parse("bogus"), -1);
	vh_result_set__free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("result");
	TCase *tc = tcase_create("sets");

	tcase_add_test(tc, test_release_order);
	tcase_add_test(tc, test_sort_by_kernel_is_stable);
	tcase_add_test(tc, test_append_is_deep);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
