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
#include "unit_main.h"

static const struct vh_compare_opts defaults = {
	.max_growth_pct = VH_COMPARE_DEFAULT_MAX_GROWTH,
	.max_share_pct = VH_COMPARE_DEFAULT_MAX_SHARE,
	.table = true,
	.width = 1000,
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

	/* a quarter of the default limit of 1,000,000 is allowed, one more is not */
	ck_assert_int_eq(one(VH_PASS, 250000, VH_PASS, 250000, &o, &why), VH_CMP_OK);
	ck_assert_int_eq(one(VH_PASS, 250001, VH_PASS, 250001, &o, &why), VH_CMP_REGRESSION);
	ck_assert_uint_eq(why, VH_CMP_INSNS_SHARE);
	/* growth and share at once */
	ck_assert_int_eq(one(VH_PASS, 200000, VH_PASS, 300000, &o, &why), VH_CMP_REGRESSION);
	ck_assert_uint_eq(why, VH_CMP_INSNS_GROWTH | VH_CMP_INSNS_SHARE);
	o.max_share_pct = 100;
	ck_assert_int_eq(one(VH_PASS, 999999, VH_PASS, 1000000, &o, &why), VH_CMP_OK);

	/* the limit the result reports wins over the default */
	add(&base, "k", "x.bpf.o", "p", VH_PASS, 25001);
	add(&cur, "k", "x.bpf.o", "p", VH_PASS, 25001)->stats.insns_limit = 100000;
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, &defaults), 0);
	ck_assert_int_eq(c.rows[0].status, VH_CMP_REGRESSION);
	ck_assert_uint_eq(c.rows[0].why, VH_CMP_INSNS_SHARE);
	vh_compare__free(&c);
	cur.v[0].stats.insns_processed = 25000;
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

/* --max-time-growth: the optional gate of the registry, off unless asked */
START_TEST(test_time_gate_optional)
{
	struct vh_compare_opts o = defaults;
	struct vh_result_set base = {}, cur = {}, slow = {};
	struct vh_compare c;

	add(&base, "k", "x.bpf.o", "p", VH_PASS, 100)->stats.verification_time_us = 100;
	add(&cur, "k", "x.bpf.o", "p", VH_PASS, 100)->stats.verification_time_us = 150;
	add(&slow, "k", "x.bpf.o", "p", VH_PASS, 100)->stats.verification_time_us = 151;
	o.optional_gates = 1u << VH_STAT_TIME;
	o.growth_pct[VH_STAT_TIME] = 50;
	/* 50% exactly passes, 51% fails, with the statistic named */
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, &o), 0);
	ck_assert_uint_eq(c.regressions, 0);
	vh_compare__free(&c);
	ck_assert_int_eq(vh_compare__build(&c, &base, &slow, &o), 0);
	ck_assert_uint_eq(c.regressions, 1);
	ck_assert_uint_eq(c.rows[0].why, VH_CMP_GROWTH);
	ck_assert_uint_eq(c.rows[0].grown, 1u << VH_STAT_TIME);
	vh_compare__free(&c);
	/* the limit alone does not turn it on */
	o.optional_gates = 0;
	ck_assert_int_eq(vh_compare__build(&c, &base, &slow, &o), 0);
	ck_assert_uint_eq(c.regressions, 0);
	vh_compare__free(&c);
	/* a bad limit is refused like the others */
	o.optional_gates = 1u << VH_STAT_TIME;
	o.growth_pct[VH_STAT_TIME] = -1;
	ck_assert_int_eq(vh_compare__build(&c, &base, &slow, &o), -EINVAL);
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
	vh_result_set__free(&slow);
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
	add(&cur, "6.12.0", "x.bpf.o", "same", VH_PASS, 10);        /* not in base: ungated */
	add(&cur, "6.1.0", "y.bpf.o", "same", VH_PASS, 10);         /* other object: added */
	add(&cur, "6.1.0", "x.bpf.o", "dup", VH_PASS, 1);
	add(&cur, "6.1.0", "x.bpf.o", "dup", VH_PASS, 2);
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, &defaults), 0);
	ck_assert_uint_eq(c.n, 6);
	ck_assert_uint_eq(c.compared, 3);
	ck_assert_uint_eq(c.added, 2);
	ck_assert_uint_eq(c.removed, 1);
	ck_assert_uint_eq(c.other_kernels, 1);
	ck_assert_uint_eq(c.ungated, 1);
	ck_assert_uint_eq(c.uncovered, 1);
	ck_assert_uint_eq(c.regressions, 1); /* the removed one */
	ck_assert_ptr_eq(c.rows[0].base, &base.v[0]);
	ck_assert_int_eq(c.rows[1].status, VH_CMP_ADDED);
	ck_assert_int_eq(c.rows[2].status, VH_CMP_ADDED);
	/* duplicates pair first with first */
	ck_assert_ptr_eq(c.rows[3].base, &base.v[3]);
	ck_assert_ptr_eq(c.rows[4].base, &base.v[4]);
	ck_assert_int_eq(c.rows[5].status, VH_CMP_REMOVED);
	ck_assert_uint_eq(c.rows[5].why, VH_CMP_GONE);
	ck_assert_ptr_eq(c.rows[5].base, &base.v[1]);
	ck_assert_ptr_null(c.rows[5].cur);
	vh_compare__free(&c);
	{
		FILE *devnull = fopen("/dev/null", "w");
		struct vh_compare_opts o = defaults;

		/* one of two kernels not in base: a warning, not an error */
		ck_assert_int_eq(vh_compare__sets(devnull, &base, &cur, &defaults), 1);
		o.allow_removed = true;
		ck_assert_int_eq(vh_compare__sets(devnull, &base, &cur, &o), 0);
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
					  "0 removed (max growth 10%, max share 25% of the insn limit)\n"));
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
	ck_assert_str_eq(vh_json_value__get(&progs->arr.v[1], "reasons")->arr.v[0].str.s, "removed");
	ck_assert_str_eq(vh_json_value__get(p, "baseline_kernel")->str.s, "6.18.0");
	p = &vh_json_value__get(doc, "kernels")->arr.v[0];
	ck_assert_str_eq(vh_json_value__get(p, "baseline_match")->str.s, "release");
	sum = vh_json_value__get(doc, "summary");
	ck_assert_int_eq(vh_json_value__get(sum, "regressions")->num.i, 2);
	ck_assert_int_eq(vh_json_value__get(sum, "removed")->num.i, 1);
	vh_json_value__free(doc);
	free(buf);
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
}
END_TEST

static void add_kernel(struct vh_result_set *set, const char *release, const char *series)
{
	struct vh_kernel_info *k = vh_result_set__add_kernel(set);

	ck_assert_ptr_nonnull(k);
	k->release = strdup(release);
	k->series = strdup(series);
	k->backend = strdup(strcmp(series, "host") ? "qemu" : "host");
}

START_TEST(test_series_match)
{
	struct vh_result_set base = {}, cur = {};
	const struct vh_compare_kernel *k;
	struct vh_compare c;

	add(&base, "6.18.44-fc-v657", "x.bpf.o", "p", VH_PASS, 100);
	add_kernel(&base, "6.18.44-fc-v657", "host");
	add(&base, "6.18.40-fc-v1", "x.bpf.o", "p", VH_PASS, 1);    /* older of the series */
	add_kernel(&base, "6.18.40-fc-v1", "host");
	add(&base, "6.1.0-56-amd64", "x.bpf.o", "p", VH_PASS, 100);
	add_kernel(&base, "6.1.0-56-amd64", "6.1");
	add(&base, "6.12.117+deb13-amd64", "x.bpf.o", "p", VH_PASS, 100);
	add_kernel(&base, "6.12.117+deb13-amd64", "6.12");
	/* another patch build of the host's series: the newest of it, and said */
	add(&cur, "6.18.44-fc-v1045", "x.bpf.o", "p", VH_PASS, 200);
	add_kernel(&cur, "6.18.44-fc-v1045", "host");
	/* a newer Debian 6.1: series */
	add(&cur, "6.1.0-57-amd64", "x.bpf.o", "p", VH_PASS, 100);
	add_kernel(&cur, "6.1.0-57-amd64", "6.1");
	/* a host of the 6.12 series: the base has only a VM's 6.12 */
	add(&cur, "6.12.9-custom", "x.bpf.o", "p", VH_PASS, 100);
	add_kernel(&cur, "6.12.9-custom", "host");
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, &defaults), 0);
	ck_assert_uint_eq(c.nkernels, 3);
	k = vh_compare__kernel(&c, "6.18.44-fc-v1045");
	ck_assert_int_eq(k->match, VH_MATCH_SERIES);
	ck_assert_str_eq(k->base_kernel, "6.18.44-fc-v657");
	k = vh_compare__kernel(&c, "6.1.0-57-amd64");
	ck_assert_int_eq(k->match, VH_MATCH_SERIES);
	ck_assert_str_eq(k->base_kernel, "6.1.0-56-amd64");
	k = vh_compare__kernel(&c, "6.12.9-custom");
	ck_assert_int_eq(k->match, VH_MATCH_NONE);
	ck_assert_ptr_null(k->base_kernel);
	ck_assert_uint_eq(c.compared, 2);
	ck_assert_uint_eq(c.regressions, 1); /* 100 -> 200 on the host */
	ck_assert_uint_eq(c.ungated, 1);
	ck_assert_uint_eq(c.other_kernels, 2); /* 6.18.40 and 6.12 */
	vh_compare__free(&c);
	/* the same release wins over a newer one of the series */
	free(cur.v[0].kernel);
	cur.v[0].kernel = strdup("6.18.40-fc-v1");
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, &defaults), 0);
	k = vh_compare__kernel(&c, "6.18.40-fc-v1");
	ck_assert_int_eq(k->match, VH_MATCH_RELEASE);
	ck_assert_str_eq(k->base_kernel, "6.18.40-fc-v1");
	vh_compare__free(&c);
	/* files without "kernels": the kind is unknown, the series decides */
	ck_assert_int_eq(vh_kernel__match(&cur, "6.12.9-custom", &cur, "6.12.1"), VH_MATCH_SERIES);
	ck_assert_int_eq(vh_kernel__match(&cur, "6.12.9-custom", &base, "6.12.117+deb13-amd64"),
			 VH_MATCH_NONE);
	ck_assert_int_eq(vh_kernel__match(&cur, "6.1", &cur, "6.10.0"), VH_MATCH_NONE);
	ck_assert_int_eq(vh_kernel__match(&cur, "weird", &cur, "weird2"), VH_MATCH_NONE);
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
}
END_TEST

START_TEST(test_missing_baseline)
{
	struct vh_compare_opts o = defaults;
	struct vh_result_set base = {}, cur = {};
	FILE *devnull = fopen("/dev/null", "w");
	struct vh_compare c;

	add(&base, "5.10.0-32-amd64", "x.bpf.o", "p", VH_PASS, 100);
	add(&cur, "6.18.0", "x.bpf.o", "p", VH_PASS, 100);
	ck_assert_int_eq(vh_compare__build(&c, &base, &cur, &o), 0);
	ck_assert_uint_eq(c.uncovered, 1);
	ck_assert_uint_eq(c.compared, 0);
	ck_assert_int_eq(vh_compare__status(&c), 2); /* nothing gated: an error */
	vh_compare__free(&c);
	o.missing = VH_MISSING_WARN;
	ck_assert_int_eq(vh_compare__sets(devnull, &base, &cur, &o), 0);
	/* no program at all: nothing to gate, nothing missing */
	vh_result_set__free(&cur);
	ck_assert_int_eq(vh_compare__sets(devnull, &base, &cur, &defaults), 0);
	fclose(devnull);
	vh_result_set__free(&base);
}
END_TEST

START_TEST(test_table_fits)
{
	struct vh_compare_opts o = defaults;
	struct vh_result_set base = {}, cur = {};
	char *buf = NULL, *line, *save;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	add(&base, "6.18.0", "x.bpf.o", "a_program_with_a_long_name_indeed_very_long", VH_PASS,
	    123456)->stats.verification_time_us = 123456;
	add(&cur, "6.18.0", "x.bpf.o", "a_program_with_a_long_name_indeed_very_long", VH_PASS,
	    123457)->stats.verification_time_us = 654321;
	add(&cur, "6.18.0", "x.bpf.o", "p", VH_PASS, 1);
	o.width = 80;
	ck_assert_int_eq(vh_compare__sets(f, &base, &cur, &o), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "Insns (DIFF)"));
	ck_assert_ptr_null(strstr(buf, "Time us")); /* the least telling columns go first */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		ck_assert_msg(strlen(line) <= 80, "%zu columns: %s", strlen(line), line);
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

	tcase_add_test(gate, test_growth_boundaries);
	tcase_add_test(gate, test_share_limit);
	tcase_add_test(gate, test_verdicts);
	tcase_add_test(gate, test_time_never_fails);
	tcase_add_test(gate, test_time_gate_optional);
	tcase_add_test(gate, test_added_removed_matching);
	tcase_add_test(gate, test_bad_opts_and_empty);
	tcase_add_test(gate, test_series_match);
	tcase_add_test(gate, test_missing_baseline);
	tcase_add_test(out, test_table_fits);
	tcase_add_test(out, test_table_output);
	tcase_add_test(out, test_json_output);
	suite_add_tcase(s, gate);
	suite_add_tcase(s, out);
	return vh_unit_run(s);
}
