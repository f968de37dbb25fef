// SPDX-License-Identifier: BSD-2-Clause
/* test_result_json.c: result sets to JSON and back: round trips, contract fields, bad files. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "result_csv.h"
#include "result_json.h"
#include "unit_main.h"

/* Quotes, escapes, control characters, markup and non-ASCII text at once. */
#define HOSTILE "q\"uo\\te </testcase>&amp; | `x` \x01\x1b[2J\ttab\nnew \xc3\xa9\xf0\x9f\x98\x80 %0A"

static void fill(struct vh_result_set *set)
{
	struct vh_result *r;

	set->version = strdup("9.8.7");
	r = vh_result_set__add(set);
	r->kernel = strdup("6.18.0-1-amd64");
	r->object = strdup("build/programs/hello.bpf.o");
	r->program = strdup("xdp_pass");
	r->section = strdup("xdp");
	r->prog_type = strdup("xdp");
	r->verdict = VH_PASS;
	r->stats = (struct vh_stats){ 12, 1000000, 1, 1, 0, 1, 17, 8, 3 };
	r->expect = strdup("pass");

	r = vh_result_set__add(set);
	r->kernel = strdup("6.18.0-1-amd64");
	r->object = strdup(HOSTILE);
	r->program = strdup("bad_" HOSTILE);
	r->section = strdup("tc");
	r->prog_type = strdup("sched_cls");
	r->verdict = VH_FAIL;
	r->stats.insns_processed = 7;
	r->stats.stack_depth = 0; /* zero is a value, not unknown */
	r->error = strdup("R1 invalid mem access 'map_value_or_null'");
	r->error_class = strdup("invalid_mem_access");
	r->error_kind = strdup("program has a bug");
	r->source = strdup("hello.bpf.c:42");
	r->source_text = strdup(HOSTILE);
	r->log_tail = strdup("0: (b7) r0 = 0\n" HOSTILE "\n");
	r->log = strdup("THE-WHOLE-LOG");

	r = vh_result_set__add(set);
	r->kernel = strdup("6.18.0-1-amd64");
	r->object = strdup("o.bpf.o");
	r->program = strdup("needs_new_kernel");
	r->verdict = VH_SKIP;
	r->reason = strdup("needs >= 7.0: " HOSTILE);

	r = vh_result_set__add(set);
	r->kernel = strdup("5.10.0-32-amd64");
	r->object = strdup("o.bpf.o");
	r->program = strdup("broken");
	r->verdict = VH_ERROR; /* every failure field unknown: written as null */
}

static void round_trip(bool pretty)
{
	struct vh_result_set set = {}, back = {};
	char err[256];
	char *json;

	fill(&set);
	json = vh_unit_result_json(&set, pretty);
	ck_assert_msg(!vh_result_set__parse_json(json, strlen(json), &back, err, sizeof(err)),
		      "parse: %s", err);
	ck_assert_uint_eq(back.n, set.n);
	ck_assert_msg(vh_result_set__json_equal(&set, &back), "round trip changed the set:\n%s",
		      json);
	ck_assert_str_eq(back.v[1].program, "bad_" HOSTILE);
	ck_assert_int_eq(back.v[1].stats.stack_depth, 0);
	ck_assert_int_eq(back.v[1].stats.total_states, VH_STAT_UNKNOWN);
	ck_assert_ptr_null(back.v[1].log); /* the full log is not part of the contract */
	ck_assert_ptr_null(back.v[3].error);
	ck_assert_int_eq(back.v[3].verdict, VH_ERROR);
	free(json);
	vh_result_set__free(&set);
	vh_result_set__free(&back);
}

START_TEST(test_round_trip_compact)
{
	round_trip(false);
}
END_TEST

START_TEST(test_round_trip_pretty)
{
	round_trip(true);
}
END_TEST

/* The equality used by the round trip is not vacuous. */
START_TEST(test_equal_detects_changes)
{
	struct vh_result_set a = {}, b = {};

	fill(&a);
	fill(&b);
	ck_assert(vh_result_set__json_equal(&a, &b));
	b.v[0].stats.peak_states = 2;
	ck_assert(!vh_result_set__json_equal(&a, &b));
	b.v[0].stats.peak_states = 1;
	free(b.v[2].reason);
	b.v[2].reason = NULL;
	ck_assert(!vh_result_set__json_equal(&a, &b));
	vh_result_set__free(&a);
	vh_result_set__free(&b);
}
END_TEST

/* verify --full-log: the set asks for the full logs; they are read back */
START_TEST(test_full_logs)
{
	struct vh_result_set set = {}, back = {};
	char err[256], *json;

	fill(&set);
	set.with_logs = true;
	json = vh_unit_result_json(&set, false);
	ck_assert_int_eq(vh_result_set__parse_json(json, strlen(json), &back, err, sizeof(err)), 0);
	ck_assert_uint_eq(back.n, set.n);
	for (size_t i = 0; i < set.n; i++) {
		if (set.v[i].log)
			ck_assert_str_eq(back.v[i].log, set.v[i].log);
		else
			ck_assert_ptr_null(back.v[i].log);
	}
	ck_assert_ptr_nonnull(strstr(json, "\"log\":\"THE-WHOLE-LOG\""));
	free(json);
	vh_result_set__free(&set);
	vh_result_set__free(&back);
}
END_TEST

START_TEST(test_contract_fields)
{
	struct vh_result_set set = {};
	char *json;

	fill(&set);
	json = vh_unit_result_json(&set, false);
	ck_assert_ptr_nonnull(strstr(json, "{\"version\":\"9.8.7\",\"results\":[{\"kernel\":"));
	ck_assert_ptr_nonnull(strstr(json, "\"summary\":{\"pass\":1,\"fail\":1,\"skip\":1,\"error\":1}}\n"));
	ck_assert_ptr_nonnull(strstr(json, "\"program\":\"xdp_pass\",\"section\":\"xdp\","
					   "\"prog_type\":\"xdp\",\"verdict\":\"pass\",\"expect\":\"pass\","
					   "\"insns_processed\":12,\"insns_limit\":1000000,"
					   "\"total_states\":1,\"peak_states\":1,"
					   "\"max_states_per_insn\":0,\"mark_read\":1,"
					   "\"verification_time_us\":17,\"stack_depth\":8,"
					   "\"prog_insns\":3}"));
	/* unknown statistics are null; the failure carries its fields */
	ck_assert_ptr_nonnull(strstr(json, "\"insns_processed\":7,\"insns_limit\":null"));
	ck_assert_ptr_nonnull(strstr(json, "\"error_class\":\"invalid_mem_access\","
					   "\"error_kind\":\"program has a bug\","
					   "\"source\":\"hello.bpf.c:42\""));
	/* an error without details still has the failure keys, as null */
	ck_assert_ptr_nonnull(strstr(json, "\"prog_insns\":null,\"error\":null,\"error_class\":null,"
					   "\"error_kind\":null,\"source\":null,\"source_text\":null,"
					   "\"log_tail\":null}"));
	ck_assert_ptr_nonnull(strstr(json, "\"reason\":\"needs >= 7.0: "));
	/* a pass has no failure keys; nothing has the full log */
	ck_assert_ptr_null(strstr(json, "\"prog_insns\":3,\"error\""));
	ck_assert_ptr_null(strstr(json, "THE-WHOLE-LOG"));
	ck_assert_ptr_null(strstr(json, "\"log\""));
	/* control characters never appear raw */
	for (const char *p = json; *p; p++)
		ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n', "raw 0x%02x in JSON", *p);
	ck_assert_ptr_nonnull(strstr(json, "\\u0001\\u001b[2J\\ttab\\nnew"));
	free(json);
	vh_result_set__free(&set);
}
END_TEST

START_TEST(test_empty_set)
{
	struct vh_result_set set = {}, back = {};
	char *json = vh_unit_result_json(&set, false);
	char err[256];

	ck_assert_ptr_nonnull(strstr(json, "\"results\":[],\"summary\":{\"pass\":0,\"fail\":0,"
					   "\"skip\":0,\"error\":0}}"));
	ck_assert_int_eq(vh_result_set__parse_json(json, strlen(json), &back, err, sizeof(err)), 0);
	ck_assert_uint_eq(back.n, 0);
	ck_assert_ptr_nonnull(back.version); /* the writer's own version */
	free(json);
	vh_result_set__free(&back);
}
END_TEST

static void tmp_path(char *path, size_t len, const char *name)
{
	snprintf(path, len, "%s/bpfgate-test-%d-%s", getenv("TMPDIR") ?: "/tmp", getpid(), name);
}

START_TEST(test_read_file_appends)
{
	struct vh_result_set set = {}, acc = {};
	char path[256], err[256];
	FILE *f;

	tmp_path(path, sizeof(path), "results.json");
	fill(&set);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(vh_result_set__write_json(f, &set, true), 0);
	fclose(f);
	/* two files (say, two kernels' guests) read into one set */
	ck_assert_msg(!vh_result_set__read_json(path, &acc, err, sizeof(err)), "read: %s", err);
	ck_assert_msg(!vh_result_set__read_json(path, &acc, err, sizeof(err)), "read: %s", err);
	ck_assert_uint_eq(acc.n, 2 * set.n);
	ck_assert_str_eq(acc.version, "9.8.7");
	for (size_t i = 0; i < acc.n; i++)
		ck_assert(vh_result__json_equal(&acc.v[i], &set.v[i % set.n]));
	unlink(path);
	vh_result_set__free(&set);
	vh_result_set__free(&acc);
}
END_TEST

START_TEST(test_forward_compatible)
{
	const char *text = "{\"version\":\"99.0\",\"generator\":{\"host\":[1,2,{\"x\":null}]},"
			   "\"results\":[{\"kernel\":\"7.2.13\",\"object\":\"a.bpf.o\","
			   "\"program\":\"p\",\"verdict\":\"pass\",\"insns_processed\":5,"
			   "\"new_stat\":1.5,\"jited_size\":{\"x86\":100}}],\"summary\":\"ignored\"}";
	struct vh_result_set set = {};
	char err[256];

	ck_assert_msg(!vh_result_set__parse_json(text, strlen(text), &set, err, sizeof(err)),
		      "parse: %s", err);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_str_eq(set.version, "99.0");
	ck_assert_int_eq(set.v[0].stats.insns_processed, 5);
	ck_assert_int_eq(set.v[0].stats.total_states, VH_STAT_UNKNOWN);
	ck_assert_ptr_null(set.v[0].section);
	vh_result_set__free(&set);
}
END_TEST

#define R(fields) "{\"kernel\":\"k\",\"object\":\"o\",\"program\":\"p\",\"verdict\":\"pass\"" fields "}"

static const struct bad {
	const char *text;
	const char *msg;
} bad[] = {
	{ "[]", "expected a JSON object, not array" },
	{ "{}", "missing 'results'" },
	{ "{\"results\":{}}", "results: expected an array, not object" },
	{ "{\"version\":1,\"results\":[]}", "version: expected a string, not number" },
	{ "{\"results\":[" R("") ",7]}", "line 1: results[1]: expected an object, not number" },
	{ "{\"results\":[" R("") ",\n{\"kernel\":\"k\",\"object\":\"o\",\"verdict\":\"pass\"}]}",
	  "results[1]: missing 'program'" },
	{ "{\"results\":[{\"kernel\":\"k\",\"object\":\"o\",\"program\":null,\"verdict\":\"pass\"}]}",
	  "results[0]: missing 'program'" },
	{ "{\"results\":[{\"kernel\":\"k\",\"program\":\"p\",\"verdict\":\"pass\"}]}",
	  "results[0]: missing 'object'" },
	{ "{\"results\":[{\"kernel\":\"k\",\"object\":\"o\",\"program\":\"p\"}]}",
	  "results[0]: missing 'verdict'" },
	{ "{\"results\":[{\"kernel\":\"k\",\"object\":\"o\",\"program\":\"p\",\"verdict\":\"ok\"}]}",
	  "line 1: results[0].verdict: expected \"pass\", \"fail\", \"skip\" or \"error\"" },
	{ "{\"results\":[\n" R(",\"insns_processed\":\"12\"") "]}",
	  "line 2: results[0].insns_processed: expected a non-negative integer or null" },
	{ "{\"results\":[" R(",\"total_states\":-1") "]}",
	  "line 1: results[0].total_states: expected a non-negative integer or null" },
	{ "{\"results\":[" R(",\"stack_depth\":1.5") "]}",
	  "line 1: results[0].stack_depth: expected a non-negative integer or null" },
	{ "{\"results\":[" R(",\"peak_states\":99999999999999999999") "]}",
	  "line 1: results[0].peak_states: expected a non-negative integer or null" },
	{ "{\"results\":[" R(",\"error\":[]") "]}",
	  "line 1: results[0].error: expected a string, not array" },
	{ "{\"results\":[" R(",\"reason\":\"a\\u0000b\"") "]}",
	  "line 1: results[0].reason: contains a NUL character" },
	{ "{\n\"results\": [\n  {\"kernel\" \"k\"}]}",
	  "line 3:13: unexpected '\"', expected ':' after an object key" },
};

START_TEST(test_malformed)
{
	struct vh_result_set set = {};
	struct vh_result *keep;
	char err[256];
	int ret;

	/* what the set held before stays as it was */
	keep = vh_result_set__add(&set);
	keep->program = strdup("kept");
	ret = vh_result_set__parse_json(bad[_i].text, strlen(bad[_i].text), &set, err, sizeof(err));
	ck_assert_msg(ret == -EINVAL, "'%s': returned %d (%s)", bad[_i].text, ret, err);
	ck_assert_msg(!strcmp(err, bad[_i].msg), "'%s': message '%s', want '%s'", bad[_i].text,
		      err, bad[_i].msg);
	ck_assert_uint_eq(set.n, 1);
	ck_assert_str_eq(set.v[0].program, "kept");
	ck_assert_ptr_null(set.version);
	vh_result_set__free(&set);
}
END_TEST

/* A gated run records, per kernel, the baseline kernel it was compared with; a run
 * that was not gated writes nothing of it (its files stay as they were). */
START_TEST(test_baseline_match_fields)
{
	struct vh_result_set set = {}, back = {};
	struct vh_kernel_info *k;
	char err[256], *json;

	fill(&set);
	k = vh_result_set__add_kernel(&set);
	k->release = strdup("6.18.0-1-amd64");
	k->series = strdup("host");
	json = vh_unit_result_json(&set, false);
	ck_assert_ptr_null(strstr(json, "baseline_"));
	free(json);
	k->baseline_kernel = strdup("6.18.0-9-amd64");
	k->baseline_match = strdup("series");
	json = vh_unit_result_json(&set, false);
	ck_assert_ptr_nonnull(strstr(json, "\"baseline_kernel\":\"6.18.0-9-amd64\","
					   "\"baseline_match\":\"series\""));
	ck_assert_msg(!vh_result_set__parse_json(json, strlen(json), &back, err, sizeof(err)),
		      "parse: %s", err);
	ck_assert_str_eq(back.kernels[0].baseline_kernel, "6.18.0-9-amd64");
	ck_assert_str_eq(back.kernels[0].baseline_match, "series");
	ck_assert(vh_result_set__json_equal(&set, &back));
	free(back.kernels[0].baseline_match);
	back.kernels[0].baseline_match = strdup("release");
	ck_assert(!vh_result_set__json_equal(&set, &back));
	free(json);
	vh_result_set__free(&set);
	vh_result_set__free(&back);
}
END_TEST

/* What a result is about is read back from the strings written for it (JSON and CSV). */
START_TEST(test_kinds)
{
	static const struct {
		const char *object, *program, *prog_type;
		enum vh_result_kind kind;
	} rows[] = {
		{ "o.bpf.o", "p", "xdp", VH_KIND_PROGRAM },
		{ "tests/test_flow", "test_flow", "test", VH_KIND_TEST },
		{ "(vm)", "(vm)", NULL, VH_KIND_KERNEL },
		{ "(vm)", "p", "xdp", VH_KIND_PROGRAM },
	};
	struct vh_result_set set = {}, back = {}, csv = {};
	const char *text = "file_name,prog_name,verdict,prog_type\n"
			   "(vm),(vm),failure,\nt,t,success,test\no,p,success,xdp\n";
	char err[256], *json;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct vh_result *r = vh_result_set__add(&set);

		r->kernel = strdup("6.1.0");
		r->object = strdup(rows[i].object);
		r->program = strdup(rows[i].program);
		r->prog_type = rows[i].prog_type ? strdup(rows[i].prog_type) : NULL;
		r->kind = rows[i].kind;
		ck_assert_int_eq(vh_result__kind_of(r), rows[i].kind);
	}
	json = vh_unit_result_json(&set, false);
	ck_assert_int_eq(vh_result_set__parse_json(json, strlen(json), &back, err, sizeof(err)), 0);
	for (size_t i = 0; i < back.n; i++)
		ck_assert_int_eq(back.v[i].kind, rows[i].kind);
	ck_assert_msg(!vh_result_set__parse_csv(text, strlen(text), &csv, err, sizeof(err)), "%s",
		      err);
	ck_assert_int_eq(csv.v[0].kind, VH_KIND_KERNEL);
	ck_assert_int_eq(csv.v[1].kind, VH_KIND_TEST);
	ck_assert_int_eq(csv.v[2].kind, VH_KIND_PROGRAM);
	/* a copy keeps it */
	ck_assert_int_eq(vh_result_set__append(&csv, &set.v[1]), 0);
	ck_assert_int_eq(csv.v[3].kind, VH_KIND_TEST);
	free(json);
	vh_result_set__free(&set);
	vh_result_set__free(&back);
	vh_result_set__free(&csv);
}
END_TEST

START_TEST(test_read_errors)
{
	struct vh_result_set set = {};
	char path[256], err[256];
	int fd;

	tmp_path(path, sizeof(path), "missing.json");
	ck_assert_int_eq(vh_result_set__read_json(path, &set, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "No such file or directory");
	ck_assert_int_eq(vh_result_set__read_json("/", &set, err, sizeof(err)), -EISDIR);
	ck_assert_str_eq(err, "not a regular file");

	/* an empty file */
	tmp_path(path, sizeof(path), "empty.json");
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(vh_result_set__read_json(path, &set, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "line 1:1: unexpected end of input, expected a value");

	/* a (sparse) file over the size limit is refused before parsing */
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	ck_assert_int_eq(ftruncate(fd, VH_RESULT_JSON_MAX_SIZE + 1), 0);
	close(fd);
	ck_assert_int_eq(vh_result_set__read_json(path, &set, err, sizeof(err)), -EFBIG);
	ck_assert_str_eq(err, "larger than the limit of 64 MiB");
	unlink(path);
	ck_assert_uint_eq(set.n, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("result_json");
	TCase *rt = tcase_create("round_trip"), *rd = tcase_create("read");

	tcase_add_test(rt, test_round_trip_compact);
	tcase_add_test(rt, test_baseline_match_fields);
	tcase_add_test(rt, test_round_trip_pretty);
	tcase_add_test(rt, test_equal_detects_changes);
	tcase_add_test(rt, test_contract_fields);
	tcase_add_test(rt, test_full_logs);
	tcase_add_test(rt, test_empty_set);
	tcase_add_test(rd, test_read_file_appends);
	tcase_add_test(rd, test_forward_compatible);
	tcase_add_loop_test(rd, test_malformed, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(rd, test_read_errors);
	tcase_add_test(rd, test_kinds);
	suite_add_tcase(s, rt);
	suite_add_tcase(s, rd);
	return vh_unit_run(s);
}
