// SPDX-License-Identifier: BSD-2-Clause
/* test_compare.c: the statistics regression gate: thresholds, new failures, matching, output. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "json_reader.h"

static const struct vh_compare_opts defaults = {
	.max_growth_pct = VH_COMPARE_DEFAULT_MAX_GROWTH,
	.max_share_pct = VH_COMPARE_DEFAULT_MAX_SHARE,
};

static struct vh_result *add(struct vh_result_set *set, const char *kernel, const char *object,
			     const char *program, enum vh_verdict verdict, long insns)
{
	struct vh_result *r = vh_result_set__add(set);

	ck_assert_ptr_nonnull(r);
	r->kernel = strdup(kernel);
	r->object = strdup(object);
	r->program = strdup(program);
	r->verdict = verdict;
	r->stats.insns_processed = insns;
	return r;
}

/* Compare one program, base -> new, and return the row's status and reasons. */
static enum vh_compare_status one(enum vh_verdict bv, long bi, enum vh_verdict nv, long ni,
				  const struct vh_compare_opts *opts, unsigned int *why)
{
	struct vh_result_set base = {}, cur = {};
	enum vh_compare_status st;
	struct vh_compare c;

	add(&base, "6.18.0", "a/x.bpf.o", "p", bv, bi);
	add(&cur, "6.18.0", "b/x.bpf.o", "p", nv, ni);
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, opts), 0);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.compared, 1);
	st = c.rows[0].status;
	*why = c.rows[0].why;
	ck_assert_uint_eq(c.regressions, st == VH_CMP_REGRESSION);
	vh_compare__free(&c);
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
	return st;
}

START_TEST(test_growth_boundaries)
{
	struct vh_compare_opts o = defaults;
	unsigned int why;

	/* exactly 10% is allowed, one more instruction is not */
	ck_assert_int_eq(one(VH_PASS, 100, VH_PASS, 110, &o, &why), VH_CMP_OK);
	ck_assert_int_eq(one(VH_PASS, 100, VH_PASS, 111, &o, &why), VH_CMP_REGRESSION);
	ck_assert_uint_eq(why, VH_CMP_INSNS_GROWTH);
	ck_assert_int_eq(one(VH_PASS, 1000, VH_PASS, 1100, &o, &why), VH_CMP_OK);
	ck_assert_int_eq(one(VH_PASS, 1000, VH_PASS, 1101, &o, &why), VH_CMP_REGRESSION);
	/* shrinking never fails */
	ck_assert_int_eq(one(VH_PASS, 1000, VH_PASS, 10, &o, &why), VH_CMP_OK);
	/* fractional thresholds */
	o.max_growth_pct = 12.5;
	ck_assert_int_eq(one(VH_PASS, 1000, VH_PASS, 1125, &o, &why), VH_CMP_OK);
	ck_assert_int_eq(one(VH_PASS, 1000, VH_PASS, 1126, &o, &why), VH_CMP_REGRESSION);
	/* zero tolerance: any growth fails, no change passes */
	o.max_growth_pct = 0;
	ck_assert_int_eq(one(VH_PASS, 100, VH_PASS, 100, &o, &why), VH_CMP_OK);
	ck_assert_int_eq(one(VH_PASS, 100, VH_PASS, 101, &o, &why), VH_CMP_REGRESSION);
	/* unknown counts cannot grow */
	o = defaults;
	ck_assert_int_eq(one(VH_PASS, -1, VH_PASS, 5000, &o, &why), VH_CMP_OK);
	ck_assert_int_eq(one(VH_PASS, 100, VH_PASS, -1, &o, &why), VH_CMP_OK);
}
END_TEST

START_TEST(test_share_limit)
{
	struct vh_compare_opts o = defaults;
	struct vh_result_set base = {}, cur = {};
	struct vh_compare c;
	unsigned int why;

	/* half of the default limit of 1,000,000 is allowed, one more is not */
	ck_assert_int_eq(one(VH_PASS, 500000, VH_PASS, 500000, &o, &why), VH_CMP_OK);
	ck_assert_int_eq(one(VH_PASS, 500001, VH_PASS, 500001, &o, &why), VH_CMP_REGRESSION);
	ck_assert_uint_eq(why, VH_CMP_INSNS_SHARE);
	/* growth and share at once */
	ck_assert_int_eq(one(VH_PASS, 400000, VH_PASS, 600000, &o, &why), VH_CMP_REGRESSION);
	ck_assert_uint_eq(why, VH_CMP_INSNS_GROWTH | VH_CMP_INSNS_SHARE);
	o.max_share_pct = 100;
	ck_assert_int_eq(one(VH_PASS, 999999, VH_PASS, 1000000, &o, &why), VH_CMP_OK);

	/* the limit the result reports wins over the default */
	add(&base, "k", "x.bpf.o", "p", VH_PASS, 50001);
	add(&cur, "k", "x.bpf.o", "p", VH_PASS, 50001)->stats.insns_limit = 100000;
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, &defaults), 0);
	ck_assert_int_eq(c.rows[0].status, VH_CMP_REGRESSION);
	ck_assert_uint_eq(c.rows[0].why, VH_CMP_INSNS_SHARE);
	vh_compare__free(&c);
	cur.v[0].stats.insns_processed = 50000;
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, &defaults), 0);
	ck_assert_int_eq(c.rows[0].status, VH_CMP_OK);
	vh_compare__free(&c);
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
}
END_TEST

START_TEST(test_verdicts)
{
	unsigned int why;

	ck_assert_int_eq(one(VH_PASS, 10, VH_FAIL, 10, &defaults, &why), VH_CMP_REGRESSION);
	ck_assert_uint_eq(why, VH_CMP_NEW_FAILURE);
	ck_assert_int_eq(one(VH_PASS, 10, VH_ERROR, -1, &defaults, &why), VH_CMP_REGRESSION);
	ck_assert_uint_eq(why, VH_CMP_NEW_FAILURE);
	/* still failing is not new; growth and share apply only to passing programs */
	ck_assert_int_eq(one(VH_FAIL, 10, VH_FAIL, 1000000, &defaults, &why), VH_CMP_OK);
	ck_assert_int_eq(one(VH_FAIL, 10, VH_PASS, 20, &defaults, &why), VH_CMP_FIXED);
	ck_assert_int_eq(one(VH_ERROR, -1, VH_PASS, 20, &defaults, &why), VH_CMP_FIXED);
	/* a skip has a stated reason */
	ck_assert_int_eq(one(VH_PASS, 10, VH_SKIP, -1, &defaults, &why), VH_CMP_OK);
	ck_assert_int_eq(one(VH_SKIP, -1, VH_FAIL, 5, &defaults, &why), VH_CMP_OK);
}
END_TEST

START_TEST(test_time_never_fails)
{
	struct vh_result_set base = {}, cur = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	add(&base, "k", "x.bpf.o", "p", VH_PASS, 100)->stats.verification_time_us = 10;
	add(&cur, "k", "x.bpf.o", "p", VH_PASS, 100)->stats.verification_time_us = 10000000;
	ck_assert_int_eq(vh_compare__sets(f, &base, &cur, &defaults), 0);
	fclose(f);
	/* shown, though */
	ck_assert_ptr_nonnull(strstr(buf, "+9999990 (+99999900.00%)"));
	free(buf);
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
}
END_TEST

START_TEST(test_added_removed_matching)
{
	struct vh_result_set base = {}, cur = {};
	struct vh_compare c;

	add(&base, "6.1.0", "old/dir/x.bpf.o", "same", VH_PASS, 10);
	add(&base, "6.1.0", "x.bpf.o", "gone", VH_PASS, 10);
	add(&base, "5.10.0", "x.bpf.o", "same", VH_PASS, 10);  /* a kernel cur did not run */
	add(&base, "6.1.0", "x.bpf.o", "dup", VH_PASS, 1);
	add(&base, "6.1.0", "x.bpf.o", "dup", VH_PASS, 2);
	add(&cur, "6.1.0", "new/dir/x.bpf.o", "same", VH_PASS, 10); /* directory does not matter */
	add(&cur, "6.1.0", "x.bpf.o", "fresh", VH_FAIL, 10);        /* added, even failing */
	add(&cur, "6.12.0", "x.bpf.o", "same", VH_PASS, 10);        /* other kernel: added */
	add(&cur, "6.1.0", "y.bpf.o", "same", VH_PASS, 10);         /* other object: added */
	add(&cur, "6.1.0", "x.bpf.o", "dup", VH_PASS, 1);
	add(&cur, "6.1.0", "x.bpf.o", "dup", VH_PASS, 2);
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, &defaults), 0);
	ck_assert_uint_eq(c.n, 7);
	ck_assert_uint_eq(c.compared, 3);
	ck_assert_uint_eq(c.added, 3);
	ck_assert_uint_eq(c.removed, 1);
	ck_assert_uint_eq(c.other_kernels, 1);
	ck_assert_uint_eq(c.regressions, 0);
	ck_assert_ptr_eq(c.rows[0].base, &base.v[0]);
	ck_assert_int_eq(c.rows[1].status, VH_CMP_ADDED);
	ck_assert_int_eq(c.rows[2].status, VH_CMP_ADDED);
	ck_assert_int_eq(c.rows[3].status, VH_CMP_ADDED);
	/* duplicates pair first with first */
	ck_assert_ptr_eq(c.rows[4].base, &base.v[3]);
	ck_assert_ptr_eq(c.rows[5].base, &base.v[4]);
	ck_assert_int_eq(c.rows[6].status, VH_CMP_REMOVED);
	ck_assert_ptr_eq(c.rows[6].base, &base.v[1]);
	ck_assert_ptr_null(c.rows[6].cur);
	vh_compare__free(&c);
	{
		FILE *devnull = fopen("/dev/null", "w");

		ck_assert_int_eq(vh_compare__sets(devnull, &base, &cur, &defaults), 0);
		fclose(devnull);
	}
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
}
END_TEST

START_TEST(test_table_output)
{
	struct vh_result_set base = {}, cur = {};
	char *buf = NULL, *hdr;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	add(&base, "6.18.0", "x.bpf.o", "grows", VH_PASS, 100)->stats.total_states = 4;
	add(&base, "6.18.0", "x.bpf.o", "breaks", VH_PASS, 50);
	add(&cur, "6.18.0", "x.bpf.o", "grows", VH_PASS, 125)->stats.total_states = 3;
	add(&cur, "6.18.0", "x.bpf.o", "breaks", VH_FAIL, 50)->error_class =
		strdup("invalid_mem_access");
	ck_assert_int_eq(vh_compare__sets(f, &base, &cur, &defaults), 1);
	fclose(f);
	hdr = strndup(buf, strcspn(buf, "\n"));
	ck_assert_ptr_nonnull(strstr(hdr, "Program         Verdict       Insns (A)  Insns (B)   "
					  "Insns (DIFF)  States (A)  States (B)  States (DIFF)"));
	ck_assert_ptr_null(strstr(hdr, "Kernel")); /* one kernel: no column for it */
	ck_assert_ptr_nonnull(strstr(buf, "\nx.bpf.o:grows   pass                100        125  "
					  "+25 (+25.00%)           4           3   -1 (-25.00%)"));
	ck_assert_ptr_nonnull(strstr(buf, "\nx.bpf.o:breaks  pass -> fail         50         50"));
	ck_assert_ptr_nonnull(strstr(buf, "regression: x.bpf.o:grows on 6.18.0: insns processed grew "
					  "from 100 to 125 (+25.00%), more than 10%\n"));
	ck_assert_ptr_nonnull(strstr(buf, "regression: x.bpf.o:breaks on 6.18.0: newly rejected by "
					  "the verifier: invalid_mem_access\n"));
	ck_assert_ptr_nonnull(strstr(buf, "2 programs compared: 2 regressions, 0 fixed, 0 added, "
					  "0 removed (max growth 10%, max share 50% of the insn limit)\n"));
	free(hdr);
	free(buf);
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
}
END_TEST

START_TEST(test_json_output)
{
	struct vh_compare_opts o = defaults;
	struct vh_result_set base = {}, cur = {};
	const struct vh_json_value *progs, *p, *insns, *sum;
	struct vh_json_value *doc;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	o.json = true;
	add(&base, "6.18.0", "x.bpf.o", "p", VH_PASS, 100);
	add(&base, "6.18.0", "x.bpf.o", "gone", VH_PASS, 1);
	add(&cur, "6.18.0", "x.bpf.o", "p", VH_PASS, 600000);
	ck_assert_int_eq(vh_compare__sets(f, &base, &cur, &o), 1);
	fclose(f);
	ck_assert_msg(!vh_json__parse(buf, len, NULL, &doc, err, sizeof(err)), "%s: %s", err, buf);
	progs = vh_json_value__get(doc, "programs");
	ck_assert_uint_eq(progs->arr.n, 2);
	p = &progs->arr.v[0];
	ck_assert_str_eq(vh_json_value__get(p, "status")->str.s, "regression");
	ck_assert_uint_eq(vh_json_value__get(p, "reasons")->arr.n, 2);
	insns = vh_json_value__get(p, "insns_processed");
	ck_assert_int_eq(vh_json_value__get(insns, "diff")->num.i, 599900);
	ck_assert(vh_json_value__get(insns, "pct")->num.d == 599900.0);
	ck_assert_int_eq(vh_json_value__get(vh_json_value__get(p, "total_states"), "base")->type,
			 VH_JSON_NULL);
	ck_assert_str_eq(vh_json_value__get(&progs->arr.v[1], "status")->str.s, "removed");
	sum = vh_json_value__get(doc, "summary");
	ck_assert_int_eq(vh_json_value__get(sum, "regressions")->num.i, 1);
	ck_assert_int_eq(vh_json_value__get(sum, "removed")->num.i, 1);
	vh_json_value__free(doc);
	free(buf);
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
}
END_TEST

START_TEST(test_bad_opts_and_empty)
{
	struct vh_compare_opts o = defaults;
	struct vh_result_set empty = {};
	struct vh_compare c;

	o.max_growth_pct = NAN;
	ck_assert_int_eq(vh_compare__build(&c, &empty, &empty, &o), -EINVAL);
	o = defaults;
	o.max_share_pct = -1;
	ck_assert_int_eq(vh_compare__build(&c, &empty, &empty, &o), -EINVAL);
	ck_assert_int_eq(vh_compare__build(&c, &empty, &empty, &defaults), 0);
	ck_assert_uint_eq(c.n, 0);
	vh_compare__free(&c);
	ck_assert_str_eq(vh_compare_status__name(VH_CMP_FIXED), "fixed");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compare");
	TCase *gate = tcase_create("gate"), *out = tcase_create("output");
	SRunner *sr;
	int failed;

	tcase_add_test(gate, test_growth_boundaries);
	tcase_add_test(gate, test_share_limit);
	tcase_add_test(gate, test_verdicts);
	tcase_add_test(gate, test_time_never_fails);
	tcase_add_test(gate, test_added_removed_matching);
	tcase_add_test(gate, test_bad_opts_and_empty);
	tcase_add_test(out, test_table_output);
	tcase_add_test(out, test_json_output);
	suite_add_tcase(s, gate);
	suite_add_tcase(s, out);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
