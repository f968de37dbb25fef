// SPDX-License-Identifier: BSD-2-Clause
/* test_verifier_log.c: the log parser on real logs of 5.10, 6.1, 6.12, 6.18 and 7.2. */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier_log.h"
#include "unit_main.h"

#define FIXTURES "tests/fixtures/logs"

static char *fixture_path(const char *rel)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/" FIXTURES "/%s", getenv("TOP") ?: ".", rel), 0);
	return p;
}

/* A fixture's text (rel below FIXTURES). */
static char *slurp(const char *rel)
{
	char *path = fixture_path(rel), *buf = vh_unit_slurp(path);

	free(path);
	return buf;
}

/* The load's errno of a fixture, from loads.tsv (captured with the log). */
static int load_err(const char *rel)
{
	char *tsv = slurp("loads.tsv"), *line, *save = NULL;
	int err = 1;

	for (line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256];
		int level, e;

		if (sscanf(line, "%255s %d %d", name, &level, &e) == 3 && !strcmp(name, rel))
			err = e;
	}
	free(tsv);
	ck_assert_msg(err != 1, "%s: not in loads.tsv", rel);
	return err;
}

/* "KERNEL/CASE.log" -> CASE (static buffer) and whether it is a level-4 log. */
static const char *case_of(const char *rel, int *stats_only)
{
	static char buf[256];
	const char *slash = strchr(rel, '/');
	char *dot;

	snprintf(buf, sizeof(buf), "%s", slash ? slash + 1 : rel);
	*stats_only = strstr(buf, ".stats.log") != NULL;
	dot = strchr(buf, '.');
	if (dot)
		*dot = '\0';
	return buf;
}

static bool kernel_is(const char *rel, const char *prefix)
{
	return !strncmp(rel, prefix, strlen(prefix));
}

static glob_t fixtures(void)
{
	char *pat = fixture_path("*/*.log");
	glob_t g;

	ck_assert_int_eq(glob(pat, 0, NULL, &g), 0);
	free(pat);
	ck_assert_msg(g.gl_pathc >= 150, "fixture logs found: %zu", g.gl_pathc);
	return g;
}

static const char *rel_of(const char *path)
{
	const char *p = strstr(path, FIXTURES "/");

	return p ? p + strlen(FIXTURES "/") : path;
}

static long col(const char *s)
{
	return strcmp(s, "-") ? atol(s) : VH_STAT_UNKNOWN;
}

/* Every fixture's statistics equal what awk read from it, veristat's way. */
START_TEST(test_stats_of_every_fixture)
{
	char *tsv = slurp("expected-stats.tsv"), *line, *save = NULL;
	glob_t g = fixtures();
	size_t rows = 0;

	for (line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256], c[8][32];
		struct vh_stats st;
		char *log;
		int r;

		ck_assert_int_eq(sscanf(line, "%255s %31s %31s %31s %31s %31s %31s %31s %31s", name,
					c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]), 9);
		log = slurp(name);
		vh_stats__init(&st);
		r = vh_log__parse_stats(log, &st);
		ck_assert_msg(r == (strcmp(c[0], "-") ? 0 : -ENOENT), "%s: parse_stats returned %d",
			      name, r);
		ck_assert_msg(st.insns_processed == col(c[0]), "%s: insns_processed %ld", name,
			      st.insns_processed);
		ck_assert_msg(st.insns_limit == col(c[1]), "%s: insns_limit %ld", name,
			      st.insns_limit);
		ck_assert_msg(st.max_states_per_insn == col(c[2]), "%s: max_states_per_insn", name);
		ck_assert_msg(st.total_states == col(c[3]), "%s: total_states %ld", name,
			      st.total_states);
		ck_assert_msg(st.peak_states == col(c[4]), "%s: peak_states %ld", name,
			      st.peak_states);
		ck_assert_msg(st.mark_read == col(c[5]), "%s: mark_read %ld", name, st.mark_read);
		ck_assert_msg(st.verification_time_us == col(c[6]), "%s: verification_time_us %ld",
			      name, st.verification_time_us);
		ck_assert_msg(st.stack_depth == col(c[7]), "%s: stack_depth %ld", name,
			      st.stack_depth);
		ck_assert_msg(st.prog_insns == VH_STAT_UNKNOWN, "%s: prog_insns untouched", name);
		free(log);
		rows++;
	}
	ck_assert_msg(rows == g.gl_pathc, "expected-stats.tsv has %zu rows for %zu fixtures", rows,
		      g.gl_pathc);
	globfree(&g);
	free(tsv);
}
END_TEST

/* A few numbers read by eye from the logs, so the oracle itself is checked. */
START_TEST(test_stats_known_values)
{
	char *log = slurp("7.2.13+deb14-amd64/pass.stats.log");
	struct vh_stats st;

	vh_stats__init(&st);
	ck_assert_int_eq(vh_log__parse_stats(log, &st), 0);
	ck_assert_int_eq(st.insns_processed, 31);
	ck_assert_int_eq(st.stack_depth, 32); /* "stack depth 8+24 max 48": max is not a part */
	ck_assert_int_eq(st.verification_time_us, 11904);
	ck_assert_int_eq(st.total_states, 2);
	free(log);

	log = slurp("5.10.0-32-amd64/complexity.stats.log");
	vh_stats__init(&st);
	ck_assert_int_eq(vh_log__parse_stats(log, &st), 0);
	ck_assert_int_eq(st.insns_processed, 1000001);
	ck_assert_int_eq(st.insns_limit, 1000000);
	ck_assert_int_eq(st.peak_states, 9525);
	ck_assert_int_eq(st.max_states_per_insn, 4);
	free(log);
}
END_TEST

/* Formats that no fixture has: before 5.2, 7.x without the classic line, overflow. */
START_TEST(test_stats_other_formats)
{
	struct vh_stats st;

	vh_stats__init(&st);
	ck_assert_int_eq(vh_log__parse_stats("0: (95) exit\nprocessed 12 insns (limit 131072), "
					     "stack depth 0+8\n", &st), 0);
	ck_assert_int_eq(st.insns_processed, 12);
	ck_assert_int_eq(st.insns_limit, 131072);
	ck_assert_int_eq(st.stack_depth, 8);
	ck_assert_msg(st.total_states == VH_STAT_UNKNOWN, "old format: total_states untouched");

	vh_stats__init(&st);
	ck_assert_int_eq(vh_log__parse_stats("stack depth 16\ninsns processed 5\n", &st), 0);
	ck_assert_int_eq(st.insns_processed, 5);
	ck_assert_int_eq(st.stack_depth, 16);
	ck_assert_msg(st.verification_time_us == VH_STAT_UNKNOWN, "no time line: untouched");

	vh_stats__init(&st);
	ck_assert_int_eq(vh_log__parse_stats("processed 99999999999999999999999 insns (limit 1)"
					     "\nstack depth 9223372036854775807+9\n", &st), 0);
	ck_assert_msg(st.insns_processed == LONG_MAX, "saturates: %ld", st.insns_processed);
	ck_assert_msg(st.stack_depth == LONG_MAX, "sum saturates: %ld", st.stack_depth);

	vh_stats__init(&st);
	st.insns_processed = 42;
	ck_assert_int_eq(vh_log__parse_stats("R0 !read_ok\nprocessed insns\n", &st), -ENOENT);
	ck_assert_msg(st.insns_processed == 42, "no processed count: field untouched");
	ck_assert_int_eq(vh_log__parse_stats(NULL, &st), -ENOENT);
	ck_assert_int_eq(vh_log__parse_stats("", &st), -ENOENT);
}
END_TEST

/* The error line of each case; NULL for what the kernel accepted. */
static const char *expected_error(const char *rel)
{
	int stats_only;
	const char *c = case_of(rel, &stats_only);

	if (!strcmp(c, "null_map_value"))
		return "R0 invalid mem access 'map_value_or_null'";
	if (!strcmp(c, "pkt_oob"))
		return "invalid access to packet, off=12 size=2, R1(id=0,off=12,r=0)";
	if (!strcmp(c, "ctx_access"))
		return "invalid bpf_context access off=64 size=4";
	if (!strcmp(c, "core_reloc"))
		return stats_only ? "invalid func unknown#195896080" :
				    "failed to resolve CO-RE relocation <byte_off> [8] struct "
				    "xdp_md___old.no_such_field (0:0 @ offset 0)";
	if (!strcmp(c, "unknown_kfunc"))
		return stats_only ? "invalid func unknown#2002000000" :
				    "kfunc 'bpfgate_fixture_missing_kfunc' is referenced but wasn't "
				    "resolved";
	if (!strcmp(c, "gpl_only"))
		return "cannot call GPL-restricted function from non-GPL compatible program";
	if (!strcmp(c, "helper_arg"))
		return "R2 type="; /* a prefix: the list of types grew with each kernel */
	if (!strcmp(c, "stack_limit"))
		return "combined stack size of 2 calls is 640. Too large";
	if (!strcmp(c, "uninit_reg"))
		return "R9 !read_ok";
	if (!strcmp(c, "unreleased_ref"))
		return "Unreleased reference id=2 alloc_insn=5";
	if (!strcmp(c, "infinite_loop"))
		return "infinite loop detected at insn 5";
	if (!strcmp(c, "complexity"))
		/* 5.10 and 6.1 keep the start of a log that did not fit: no error in it */
		return stats_only || kernel_is(rel, "6.18") ?
			       "BPF program is too large. Processed 1000001 insn" : NULL;
	if (!strcmp(c, "uninit_stack") && kernel_is(rel, "5.10"))
		return "invalid indirect read from stack R3 off -16+0 size 8";
	if (!strcmp(c, "helper_new") && kernel_is(rel, "5.10"))
		return "invalid func unknown#160";
	if (!strcmp(c, "callback_new") && kernel_is(rel, "5.10"))
		return "number of funcs in func_info doesn't match number of subprogs";
	return NULL;
}

START_TEST(test_error_line_of_every_fixture)
{
	glob_t g = fixtures();

	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *rel = rel_of(g.gl_pathv[i]), *want = expected_error(rel);
		char *log = slurp(rel), *got = vh_log__error_line(log);
		int err = load_err(rel);

		if (!want) {
			ck_assert_msg(got == NULL, "%s: no error expected, got '%s'", rel, got);
			/* an accepted program has no error line, whatever else is in the log */
			ck_assert_msg(err != 0 || !got, "%s: passed", rel);
		} else {
			ck_assert_msg(err != 0, "%s: loads.tsv says it passed", rel);
			ck_assert_msg(got && !strncmp(got, want, strlen(want)),
				      "%s: error line '%s', want '%s'", rel, got, want);
		}
		free(got);
		free(log);
	}
	globfree(&g);
}
END_TEST

/* The instruction being checked at the failure, from the full (1|2|4) logs. */
START_TEST(test_failed_insn)
{
	static const struct {
		const char *rel;
		long insn;
	} cases[] = {
		{ "5.10.0-32-amd64/null_map_value.log", 7 },
		{ "6.1.0-56-amd64/pkt_oob.log", 1 },
		{ "6.12.117+deb13-amd64/gpl_only.log", 4 },
		{ "6.18.44-fc-v657/helper_arg.log", 3 },
		{ "7.2.13+deb14-amd64/stack_limit.log", 12 },
		{ "7.2.13+deb14-amd64/unreleased_ref.log", 10 },
		{ "5.10.0-32-amd64/infinite_loop.log", 5 }, /* named by the message */
		{ "6.18.44-fc-v657/infinite_loop.stats.log", 5 },
		/* libbpf rewrote the poisoned call: "0: <invalid CO-RE relocation>" */
		{ "6.1.0-56-amd64/core_reloc.log", 0 },
		{ "7.2.13+deb14-amd64/unknown_kfunc.log", 0 },
		{ "6.18.44-fc-v657/complexity.log", 7 },
		/* no trace at log level 4, nothing failed, or the log lost its end */
		{ "6.12.117+deb13-amd64/null_map_value.stats.log", -1 },
		{ "7.2.13+deb14-amd64/pass.log", -1 },
		{ "5.10.0-32-amd64/complexity.log", -1 },
		{ "6.1.0-56-amd64/prog_type_new.log", -1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *log = slurp(cases[i].rel);

		ck_assert_msg(vh_log__failed_insn(log) == cases[i].insn, "%s: failed insn %ld",
			      cases[i].rel, vh_log__failed_insn(log));
		free(log);
	}
	ck_assert_int_eq(vh_log__failed_insn(NULL), -1);
	/* liveness listings are indented and are not instructions being verified */
	ck_assert_int_eq(vh_log__failed_insn("      9: .1........ (b7) r0 = 2\n3: (b7) r0 = 1\n"
					     "R1 !read_ok\n"), 3);
}
END_TEST

/* 6.12 and later say where; older kernels give the same text without the place. */
START_TEST(test_source_hint)
{
	static const char *const cases[] = { "null_map_value", "pkt_oob", "ctx_access",
					     "gpl_only", "helper_arg", "stack_limit",
					     "uninit_reg", "unreleased_ref", "infinite_loop",
					     "unknown_kfunc", "core_reloc" };
	static const char *const old[] = { "5.10.0-32-amd64", "6.1.0-56-amd64" };
	static const char *const new[] = { "6.12.117+deb13-amd64", "6.18.44-fc-v657",
					   "7.2.13+deb14-amd64" };
	char *text, *file_line, *log, rel[256];

	log = slurp("6.12.117+deb13-amd64/null_map_value.log");
	ck_assert_int_eq(vh_log__source_hint(log, &text, &file_line), 0);
	ck_assert_str_eq(text, "*v += 1;");
	ck_assert_str_eq(file_line, "null_map_value.bpf.c:18");
	free(text);
	free(file_line);
	free(log);

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char *want_text = NULL, *want_fl = NULL;

		for (size_t k = 0; k < 3; k++) {
			snprintf(rel, sizeof(rel), "%s/%s.log", new[k], cases[c]);
			log = slurp(rel);
			ck_assert_msg(!vh_log__source_hint(log, &text, &file_line), "%s: hint", rel);
			ck_assert_msg(file_line && !strncmp(file_line, cases[c], strlen(cases[c])),
				      "%s: file_line '%s'", rel, file_line);
			if (!want_text) {
				want_text = text;
				want_fl = file_line;
			} else {
				ck_assert_msg(!strcmp(text, want_text) && !strcmp(file_line, want_fl),
					      "%s: '%s' @ %s, 6.12 said '%s' @ %s", rel, text,
					      file_line, want_text, want_fl);
				free(text);
				free(file_line);
			}
			free(log);
		}
		for (size_t k = 0; k < 2; k++) {
			snprintf(rel, sizeof(rel), "%s/%s.log", old[k], cases[c]);
			log = slurp(rel);
			ck_assert_msg(!vh_log__source_hint(log, &text, &file_line), "%s: hint", rel);
			ck_assert_msg(file_line == NULL, "%s: old kernels print no place", rel);
			ck_assert_msg(!strcmp(text, want_text), "%s: text '%s', newer '%s'", rel, text,
				      want_text);
			free(text);
			free(log);
		}
		free(want_text);
		free(want_fl);
	}

	/* 5.10 at log level 4 prints no annotation; a 6.x annotation after the error counts */
	log = slurp("5.10.0-32-amd64/null_map_value.stats.log");
	ck_assert_int_eq(vh_log__source_hint(log, &text, &file_line), -ENOENT);
	ck_assert_ptr_null(text);
	ck_assert_ptr_null(file_line);
	free(log);
	ck_assert_int_eq(vh_log__source_hint("; a @ b\n; x = 1; @ f.bpf.c:7x\n", &text,
					     &file_line), 0);
	ck_assert_msg(!strcmp(text, "x = 1; @ f.bpf.c:7x") && !file_line,
		      "not a place: kept as text ('%s')", text);
	free(text);
	ck_assert_int_eq(vh_log__source_hint(NULL, &text, &file_line), -ENOENT);
}
END_TEST

/* check_cfg errors carry no "; text" annotation; their "N: text" lines do
 * (a real 5.10 log of a loop closed by a fall-through edge). */
START_TEST(test_source_hint_back_edge)
{
	static const char log[] = "func#0 @0\nfunc#1 @17\n158: l4 = oh->nexthdr;\n"
				  "159: if (l4 != NEXTHDR_HOP && l4 != NEXTHDR_ROUTING &&\n"
				  "back-edge from insn 158 to 159\n";
	char *text = NULL, *file_line = NULL;

	ck_assert_int_eq(vh_log__source_hint(log, &text, &file_line), 0);
	ck_assert_str_eq(text, "l4 = oh->nexthdr;");
	ck_assert_ptr_null(file_line);
	free(text);
	/* an insn trace line with that number is not source text */
	ck_assert_int_ne(vh_log__source_hint("158: (61) r1 = *(u32 *)(r1 +0)\n"
					     "back-edge from insn 158 to 159\n", &text, &file_line), 0);
}
END_TEST

START_TEST(test_tail)
{
	char *log = slurp("6.12.117+deb13-amd64/null_map_value.log"), *t;

	t = vh_log__tail(log, 3);
	ck_assert_msg(strstr(t, "7: (79) r1 = *(u64 *)(r0 +0)\n") != NULL, "tail: insn in '%s'",
		      t);
	ck_assert_msg(!strcmp(t + strlen(t) - strlen("R0 invalid mem access 'map_value_or_null'"),
			      "R0 invalid mem access 'map_value_or_null'"),
		      "tail ends with the error: '%s'", t);
	ck_assert_msg(!strstr(t, "processed"), "no statistics in the tail");
	ck_assert_msg(strchr(t, '\n') && strchr(strchr(t, '\n') + 1, '\n') &&
			      !strchr(strchr(strchr(t, '\n') + 1, '\n') + 1, '\n'),
		      "three lines: '%s'", t);
	free(t);
	free(log);

	log = slurp("5.10.0-32-amd64/unreleased_ref.stats.log");
	t = vh_log__tail(log, 10);
	ck_assert_str_eq(t, "Unreleased reference id=2 alloc_insn=5");
	free(t);
	free(log);

	t = vh_log__tail("a\nb\nc\n\nprocessed 1 insns (limit 9)\n", 2);
	ck_assert_str_eq(t, "b\nc");
	free(t);
	t = vh_log__tail(NULL, 5);
	ck_assert_str_eq(t, "");
	free(t);
	t = vh_log__tail("x\n", 0);
	ck_assert_str_eq(t, "");
	free(t);
}
END_TEST

/* The error is a message, never a line of the traced source or a state dump. */
START_TEST(test_error_not_from_trace)
{
	char *e;

	e = vh_log__error_line("; infinite loop detected at insn 3\n0: (85) call unknown#9\n"
			       "frame pointer is read only\nprocessed 1 insns (limit 9)\n");
	ck_assert_str_eq(e, "frame pointer is read only");
	free(e);
	e = vh_log__error_line("func#0 @0\n0: R1=ctx() R10=fp0\n0: (b7) r0 = 0\n1: (95) exit\n"
			       "mark_precise: frame0: last_idx 1\nverification time 5 usec\n"
			       "processed 2 insns (limit 1000000)\n");
	ck_assert_ptr_null(e);
	e = vh_log__error_text("0: (79) r1 = *(u64 *)(r0 +0)\nbad thing\n; x;\nwhy\n"
			       "stack depth 8\n");
	ck_assert_str_eq(e, "bad thing\n; x;\nwhy");
	free(e);
	e = vh_log__messages("libbpf: prog 'p': failed\n0: (95) exit\n; a\nsomething\n");
	ck_assert_str_eq(e, "libbpf: prog 'p': failed\nsomething\n");
	free(e);
	ck_assert_ptr_null(vh_log__error_line(NULL));
	ck_assert_ptr_null(vh_log__error_line(""));
}
END_TEST

/* Every prefix of real logs (a log cut anywhere, as a full buffer leaves it):
 * no crash, no read past the end (ASan), answers from the part present. */
START_TEST(test_truncated_anywhere)
{
	static const char *const rels[] = { "6.18.44-fc-v657/infinite_loop.log",
					    "5.10.0-32-amd64/core_reloc.log",
					    "7.2.13+deb14-amd64/pass.stats.log" };

	for (size_t r = 0; r < sizeof(rels) / sizeof(rels[0]); r++) {
		char *log = slurp(rels[r]);
		size_t n = strlen(log);

		for (size_t i = 0; i <= n; i++) {
			char *cut = strndup(log, i), *a, *b, *t, *fl;
			struct vh_stats st;

			vh_stats__init(&st);
			vh_log__parse_stats(cut, &st);
			a = vh_log__error_line(cut);
			b = vh_log__tail(cut, 4);
			ck_assert_ptr_nonnull(b);
			vh_log__failed_insn(cut);
			if (!vh_log__source_hint(cut, &t, &fl)) {
				ck_assert_ptr_nonnull(t);
				free(t);
				free(fl);
			}
			free(a);
			free(b);
			free(cut);
		}
		free(log);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verifier_log");
	TCase *tc = tcase_create("stats");

	tcase_add_test(tc, test_stats_of_every_fixture);
	tcase_add_test(tc, test_stats_known_values);
	tcase_add_test(tc, test_stats_other_formats);
	suite_add_tcase(s, tc);
	tc = tcase_create("error");
	tcase_add_test(tc, test_error_line_of_every_fixture);
	tcase_add_test(tc, test_failed_insn);
	tcase_add_test(tc, test_error_not_from_trace);
	suite_add_tcase(s, tc);
	tc = tcase_create("source_and_tail");
	tcase_add_test(tc, test_source_hint);
	tcase_add_test(tc, test_source_hint_back_edge);
	tcase_add_test(tc, test_tail);
	suite_add_tcase(s, tc);
	tc = tcase_create("robustness");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_truncated_anywhere);
	suite_add_tcase(s, tc);

	return vh_unit_run(s);
}
