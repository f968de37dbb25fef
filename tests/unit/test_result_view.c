// SPDX-License-Identifier: BSD-2-Clause
/* test_result_view.c: veristat's -e, -s, -f over results, and CSV out and back in. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "result_csv.h"
#include "result_view.h"
#include "unit_main.h"

static struct vh_result *add(struct vh_result_set *set, const char *object, const char *program,
			     const char *type, enum vh_verdict verdict, long insns)
{
	struct vh_result *r = vh_result_set__add(set);

	ck_assert_ptr_nonnull(r);
	r->kernel = strdup("6.18.0");
	r->object = strdup(object);
	r->program = strdup(program);
	r->prog_type = strdup(type);
	r->verdict = verdict;
	r->stats.insns_processed = insns;
	r->stats.total_states = insns >= 0 ? insns / 10 : -1;
	return r;
}

/* a set of five: two objects, every verdict */
static void sample(struct vh_result_set *set)
{
	add(set, "build/a.bpf.o", "xdp_one", "xdp", VH_PASS, 500);
	add(set, "build/a.bpf.o", "tc_two", "sched_cls", VH_PASS, 20000);
	add(set, "build/b.bpf.o", "xdp_bad", "xdp", VH_FAIL, 12);
	add(set, "build/b.bpf.o", "lsm_skip", "lsm", VH_SKIP, -1);
	add(set, "build/b.bpf.o", "broken", "xdp", VH_ERROR, -1);
}

/* The programs v shows of the sample, in order, comma-separated. */
static char *shown(const struct vh_view *v)
{
	struct vh_result_set set = {}, out;
	static char buf[256];

	sample(&set);
	ck_assert_int_eq(vh_view__apply(v, &set, &out), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < out.n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? "," : "",
			 out.v[i].program);
	vh_view__release(&out);
	vh_result_set__free(&set);
	return buf;
}

static char *filtered(const char *f1, const char *f2)
{
	struct vh_view v = {};
	char errbuf[256];
	char *s;

	ck_assert_int_eq(vh_view__filter(&v, f1, errbuf, sizeof(errbuf)), 0);
	if (f2)
		ck_assert_int_eq(vh_view__filter(&v, f2, errbuf, sizeof(errbuf)), 0);
	s = shown(&v);
	vh_view__free(&v);
	return s;
}

START_TEST(test_filters)
{
	/* veristat's verdicts: failure is any program that did not load */
	ck_assert_str_eq(filtered("verdict=success", NULL), "xdp_one,tc_two");
	ck_assert_str_eq(filtered("verdict=failure", NULL), "xdp_bad,broken");
	ck_assert_str_eq(filtered("verdict!=failure", NULL), "xdp_one,tc_two,lsm_skip");
	ck_assert_str_eq(filtered("verdict=skip", NULL), "lsm_skip");
	/* statistics: an unknown one matches no comparison */
	ck_assert_str_eq(filtered("insns>10000", NULL), "tc_two");
	ck_assert_str_eq(filtered("insns<=500", NULL), "xdp_one,xdp_bad");
	ck_assert_str_eq(filtered("insns<500", NULL), "xdp_bad");
	ck_assert_str_eq(filtered("total_insns==12", NULL), "xdp_bad");
	ck_assert_str_eq(filtered("states<>50", NULL), "tc_two,xdp_bad");
	ck_assert_str_eq(filtered("insns>=20000", NULL), "tc_two");
	/* fields by glob */
	ck_assert_str_eq(filtered("prog_type=xdp", NULL), "xdp_one,xdp_bad,broken");
	ck_assert_str_eq(filtered("prog_type!=xdp", NULL), "tc_two,lsm_skip");
	/* names: a glob of file or program, FILE/PROG, and ! */
	ck_assert_str_eq(filtered("a.bpf.o", NULL), "xdp_one,tc_two");
	ck_assert_str_eq(filtered("xdp_*", NULL), "xdp_one,xdp_bad");
	ck_assert_str_eq(filtered("b.bpf.o/xdp*", NULL), "xdp_bad");
	ck_assert_str_eq(filtered("/tc_*", NULL), "tc_two");
	ck_assert_str_eq(filtered("b.bpf.o/", NULL), "xdp_bad,lsm_skip,broken");
	ck_assert_str_eq(filtered("!xdp_*", NULL), "tc_two,lsm_skip,broken");
	/* name filters and stat filters both apply; two of a kind: either */
	ck_assert_str_eq(filtered("b.bpf.o", "verdict=failure"), "xdp_bad,broken");
	ck_assert_str_eq(filtered("insns>10000", "verdict=skip"), "tc_two,lsm_skip");
	ck_assert_str_eq(filtered("a*", "!tc_*"), "xdp_one");
}
END_TEST

START_TEST(test_filter_errors)
{
	struct vh_view v = {};
	char errbuf[1024];

	ck_assert_int_eq(vh_view__filter(&v, "bogus>3", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(errbuf, "'bogus' is not a statistic or field"));
	ck_assert_int_eq(vh_view__filter(&v, "insns>lots", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(errbuf, "'lots' is not a whole number"));
	ck_assert_int_eq(vh_view__filter(&v, "insns>", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_int_eq(vh_view__filter(&v, "verdict=maybe", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_int_eq(vh_view__filter(&v, "verdict<1", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(errbuf, "= or != only"));
	ck_assert_int_eq(vh_view__filter(&v, "mem_peak>1", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(errbuf, "veristat's columns that bpfgate does not record"));
	ck_assert_int_eq(vh_view__filter(&v, "!", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_int_eq(vh_view__filter(&v, "", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_uint_eq(v.nfilters, 0);
	vh_view__free(&v);
}
END_TEST

static char *sorted(const char *spec)
{
	struct vh_view v = {};
	char errbuf[256];
	char *s;

	ck_assert_int_eq(vh_view__sort(&v, spec, errbuf, sizeof(errbuf)), 0);
	s = shown(&v);
	vh_view__free(&v);
	return s;
}

START_TEST(test_sort)
{
	/* numbers descending by default, unknown last; ^ ascending */
	ck_assert_str_eq(sorted("insns"), "tc_two,xdp_one,xdp_bad,broken,lsm_skip");
	ck_assert_str_eq(sorted("insns^"), "broken,lsm_skip,xdp_bad,xdp_one,tc_two");
	ck_assert_str_eq(sorted("insns_"), "tc_two,xdp_one,xdp_bad,broken,lsm_skip");
	/* names ascending by default, v descending; the verdict: failures first */
	ck_assert_str_eq(sorted("prog"), "broken,lsm_skip,tc_two,xdp_bad,xdp_one");
	ck_assert_str_eq(sorted("progv"), "xdp_one,xdp_bad,tc_two,lsm_skip,broken");
	ck_assert_str_eq(sorted("verdict,insns"), "broken,xdp_bad,lsm_skip,tc_two,xdp_one");
	ck_assert_str_eq(sorted("file_name,prog_name"), "tc_two,xdp_one,broken,lsm_skip,xdp_bad");
	/* |stat| as veristat (nothing is negative) */
	ck_assert_str_eq(sorted("|insns|^"), "broken,lsm_skip,xdp_bad,xdp_one,tc_two");
}
END_TEST

START_TEST(test_emit)
{
	struct vh_view v = {};
	char errbuf[1024];

	ck_assert_int_eq(vh_view__emit(&v, "file,prog,verdict,insns,duration,stack_depth,kernel",
				       errbuf, sizeof(errbuf)), 0);
	ck_assert_uint_eq(v.ncols, 7);
	ck_assert_int_eq(v.cols[0], VH_COL_FILE);
	ck_assert_int_eq(v.cols[1], VH_COL_PROG);
	ck_assert_int_eq(v.cols[3], VH_COL_STATS + VH_STAT_INSNS);
	ck_assert_int_eq(v.cols[4], VH_COL_STATS + VH_STAT_TIME);
	ck_assert_int_eq(v.cols[6], VH_COL_KERNEL);
	ck_assert_int_eq(vh_view__emit(&v, "prog,,insns", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_int_eq(vh_view__emit(&v, "prog_size_jited", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_int_eq(vh_view__sort(&v, "nothing", errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(errbuf, "'nothing' is not"));
	vh_view__free(&v);
}
END_TEST

static char *csv_of(const struct vh_result_set *set, const int *cols, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vh_report__csv(f, set, cols, n);
	fclose(f);
	return buf;
}

START_TEST(test_csv_out)
{
	static const int cols[] = { VH_COL_FILE, VH_COL_PROG, VH_COL_VERDICT,
				    VH_COL_STATS + VH_STAT_INSNS };
	struct vh_result_set set = {};
	char *s;

	add(&set, "dir/a.bpf.o", "p", "xdp", VH_PASS, 7);
	add(&set, "dir/we,ird\".bpf.o", "q\x1b[2J", "xdp", VH_SKIP, -1);
	s = csv_of(&set, cols, 4);
	ck_assert_str_eq(s, "file_name,prog_name,verdict,total_insns\n"
			    "a.bpf.o,p,pass,7\n"
			    "\"we,ird\"\".bpf.o\",\"q?[2J\",skip,\n");
	free(s);
	/* without columns: veristat's CSV columns bpfgate records */
	s = csv_of(&set, NULL, 0);
	ck_assert_ptr_eq(strstr(s, "file_name,prog_name,verdict,duration,total_insns,total_states,"
				"peak_states,max_states_per_insn,max_mark_read_len,prog_size,"
				"prog_type,stack_depth\n"), s);
	free(s);
	vh_result_set__free(&set);
}
END_TEST

/* veristat 0.5's own CSV, as `veristat -o csv` writes it */
static const char veristat_csv[] =
	"file_name,prog_name,verdict,duration,total_insns,total_states,peak_states,"
	"max_states_per_insn,max_mark_read_len,prog_size,prog_size_jited,prog_type,"
	"attach_type,stack_depth,mem_peak\n"
	"flow.bpf.o,flow_xdp,success,4211,8557,511,278,7,0,808,4312,xdp,xdp,120,0\n"
	"bad.bpf.o,bad,failure,17,2,0,0,0,0,9,0,xdp,xdp,0,0\n";

START_TEST(test_csv_in)
{
	struct vh_result_set set = {};
	char errbuf[256];

	ck_assert_int_eq(vh_result_set__parse_csv(veristat_csv, strlen(veristat_csv), &set, errbuf,
						  sizeof(errbuf)), 0);
	ck_assert_uint_eq(set.n, 2);
	ck_assert_str_eq(set.v[0].object, "flow.bpf.o");
	ck_assert_str_eq(set.v[0].program, "flow_xdp");
	ck_assert_ptr_null(set.v[0].kernel);
	ck_assert_int_eq(set.v[0].verdict, VH_PASS);
	ck_assert_int_eq(set.v[0].stats.insns_processed, 8557);
	ck_assert_int_eq(set.v[0].stats.verification_time_us, 4211);
	ck_assert_int_eq(set.v[0].stats.prog_insns, 808);
	ck_assert_int_eq(set.v[0].stats.stack_depth, 120);
	ck_assert_int_eq(set.v[0].stats.insns_limit, VH_STAT_UNKNOWN);
	ck_assert_str_eq(set.v[0].prog_type, "xdp");
	ck_assert_int_eq(set.v[1].verdict, VH_FAIL);
	vh_result_set__free(&set);
}
END_TEST

START_TEST(test_csv_round_trip)
{
	struct vh_result_set set = {}, back = {};
	char errbuf[256], *s;
	int cols[VH_VIEW_MAX_COLS];
	size_t n = 0;

	add(&set, "a.bpf.o", "p", "xdp", VH_PASS, 7);
	add(&set, "we,ird\".bpf.o", "q", "xdp", VH_SKIP, -1);
	set.v[1].kernel[0] = '5'; /* two kernels: the kernel column comes first */
	ck_assert_uint_eq(vh_view__csv_default(&set, cols), 13);
	ck_assert_int_eq(cols[0], VH_COL_KERNEL);
	s = csv_of(&set, NULL, n);
	ck_assert_int_eq(vh_result_set__parse_csv(s, strlen(s), &back, errbuf, sizeof(errbuf)), 0);
	ck_assert_uint_eq(back.n, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_str_eq(back.v[i].object, set.v[i].object);
		ck_assert_str_eq(back.v[i].program, set.v[i].program);
		ck_assert_str_eq(back.v[i].kernel, set.v[i].kernel);
		ck_assert_int_eq(back.v[i].verdict, set.v[i].verdict);
		ck_assert_int_eq(back.v[i].stats.insns_processed, set.v[i].stats.insns_processed);
		ck_assert_int_eq(back.v[i].stats.total_states, set.v[i].stats.total_states);
	}
	free(s);
	vh_result_set__free(&set);
	vh_result_set__free(&back);
}
END_TEST

START_TEST(test_csv_errors)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "", "empty" },
		{ "a,b\n1,2\n", "needs the columns file_name and prog_name" },
		{ "file_name,prog_name,verdict\nx.o,p\n", "line 2: 2 fields, the header has 3" },
		{ "file_name,prog_name,verdict\nx.o,p,maybe\n", "line 2: verdict: 'maybe'" },
		{ "file_name,prog_name,total_insns\nx.o,p,-3\n", "total_insns: '-3'" },
		{ "file_name,prog_name,total_insns\nx.o,p,12x\n", "total_insns: '12x'" },
		{ "file_name,prog_name\n\"x.o,p\n", "line 2: a quote not closed" },
		{ "file_name,prog_name\n\"x\"y,p\n", "line 2: a quote not closed" },
		{ "file_name,prog_name\n,p\n", "line 2: no file name or program name" },
		{ "file_name,prog_name\nx\xb4.o,p\n", "line 2: not UTF-8" },
	};
	struct vh_result_set set = {};
	char errbuf[256];

	add(&set, "keep.bpf.o", "keep", "xdp", VH_PASS, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(vh_result_set__parse_csv(bad[i].text, strlen(bad[i].text), &set,
							  errbuf, sizeof(errbuf)), -EINVAL);
		ck_assert_msg(strstr(errbuf, bad[i].msg), "%s: got '%s'", bad[i].text, errbuf);
		ck_assert_uint_eq(set.n, 1); /* left as it was */
	}
	/* CRLF line ends and a blank last line read */
	ck_assert_int_eq(vh_result_set__parse_csv("file_name,prog_name\r\nx.o,p\r\n\r\n", 29, &set,
						  errbuf, sizeof(errbuf)), 0);
	ck_assert_uint_eq(set.n, 2);
	ck_assert_str_eq(set.v[1].program, "p");
	vh_result_set__free(&set);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("result_view");
	TCase *view = tcase_create("view"), *csv = tcase_create("csv");

	tcase_add_test(view, test_filters);
	tcase_add_test(view, test_filter_errors);
	tcase_add_test(view, test_sort);
	tcase_add_test(view, test_emit);
	tcase_add_test(csv, test_csv_out);
	tcase_add_test(csv, test_csv_in);
	tcase_add_test(csv, test_csv_round_trip);
	tcase_add_test(csv, test_csv_errors);
	suite_add_tcase(s, view);
	suite_add_tcase(s, csv);
	return vh_unit_run(s);
}
