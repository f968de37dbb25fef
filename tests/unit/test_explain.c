// SPDX-License-Identifier: BSD-2-Clause
/* test_explain.c: the failing instruction's context, on real logs of 5.10 to 7.2. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "fs_util.h"
#include "unit_main.h"

#define FIXTURES "tests/fixtures/logs"

static const char *const kernels[] = {
	"5.10.0-32-amd64", "6.1.0-56-amd64", "6.12.117+deb13-amd64", "6.18.44-fc-v657",
	"7.2.13+deb14-amd64",
};
#define NKERNELS (sizeof(kernels) / sizeof(kernels[0]))

static char *fixture_path(const char *kernel, const char *name)
{
	char *path;

	ck_assert_int_ge(asprintf(&path, "%s/" FIXTURES "/%s/%s", getenv("TOP") ?: ".", kernel,
				  name), 0);
	return path;
}

static char *slurp(const char *kernel, const char *name)
{
	char *path = fixture_path(kernel, name), *buf = vh_unit_slurp(path);

	free(path);
	return buf;
}

static void analyze_fixture(const char *kernel, const char *name, struct vh_explain *ex)
{
	char *log = slurp(kernel, name);

	ck_assert_int_eq(vh_explain__analyze(log, 12, 5, ex), 0);
	free(log);
}

static const struct vh_explain_reg *reg(const struct vh_explain *ex, const char *name)
{
	for (size_t i = 0; i < ex->nregs; i++)
		if (!strcmp(ex->regs[i].name, name))
			return &ex->regs[i];
	return NULL;
}

static bool is_old(const char *kernel)
{
	/* no "@ file:line" in their annotations */
	return !strncmp(kernel, "5.10.", 5) || !strncmp(kernel, "6.1.", 4);
}

/* The failing instruction is the last one of the steps, with its source line. */
static void assert_failed_at(const char *k, const struct vh_explain *ex, long insn,
			     const char *text, const char *file_line, const char *source)
{
	const struct vh_explain_step *last;

	ck_assert_int_eq(ex->failed_insn, insn);
	ck_assert_str_eq(ex->failed_text, text);
	ck_assert_uint_gt(ex->nsteps, 0);
	last = &ex->steps[ex->nsteps - 1];
	ck_assert_int_eq(last->insn, insn);
	ck_assert_str_eq(last->text, text);
	ck_assert_str_eq(last->source, source);
	if (is_old(k))
		ck_assert_ptr_null(last->file_line);
	else
		ck_assert_str_eq(last->file_line, file_line);
}

START_TEST(null_map_value)
{
	const char *k = kernels[_i];
	struct vh_explain ex;
	const struct vh_explain_reg *r0;

	analyze_fixture(k, "null_map_value.log", &ex);
	assert_failed_at(k, &ex, 7, "r1 = *(u64 *)(r0 +0)", "null_map_value.bpf.c:18", "*v += 1;");
	/* the path is the whole program: 0..4, 6 (4 is a 16-byte load), 7 */
	ck_assert_uint_eq(ex.path_len, 7);
	ck_assert_uint_eq(ex.nsteps, 7);
	ck_assert_int_eq(ex.steps[5].insn, 6);
	ck_assert_str_eq(ex.steps[5].source, "__u64 *v = bpf_map_lookup_elem(&hits, &key);");
	/* r0 is read, r1 only written: only R0 is shown */
	ck_assert_uint_eq(ex.nregs, 1);
	r0 = reg(&ex, "R0");
	ck_assert_ptr_nonnull(r0);
	ck_assert_ptr_nonnull(r0->value);
	ck_assert_msg(!strncmp(r0->value, "map_value_or_null(", 18), "R0=%s on %s", r0->value, k);
	ck_assert_uint_eq(ex.nstack, 0);
	ck_assert_uint_eq(ex.branches_total, 0);
	vh_explain__free(&ex);
}
END_TEST

START_TEST(pkt_oob)
{
	const char *k = kernels[_i];
	struct vh_explain ex;
	const struct vh_explain_reg *r1;

	analyze_fixture(k, "pkt_oob.log", &ex);
	assert_failed_at(k, &ex, 1, "r1 = *(u16 *)(r1 +12)", "pkt_oob.bpf.c:11",
			 "if (eth->h_proto == 0x0008)");
	r1 = reg(&ex, "R1");
	ck_assert_ptr_nonnull(r1);
	ck_assert_msg(r1->value && !strncmp(r1->value, "pkt(", 4), "R1=%s on %s", r1->value, k);
	vh_explain__free(&ex);
}
END_TEST

START_TEST(uninit_reg)
{
	const char *k = kernels[_i];
	struct vh_explain ex;
	const struct vh_explain_reg *r9;

	analyze_fixture(k, "uninit_reg.log", &ex);
	ck_assert_int_eq(ex.failed_insn, 0);
	ck_assert_str_eq(ex.failed_text, "r1 = r9");
	ck_assert_uint_eq(ex.nregs, 1);
	r9 = reg(&ex, "R9");
	ck_assert_ptr_nonnull(r9);
	ck_assert_ptr_null(r9->value); /* never written: not initialised */
	vh_explain__free(&ex);
}
END_TEST

START_TEST(helper_arg)
{
	const char *k = kernels[_i];
	struct vh_explain ex;

	analyze_fixture(k, "helper_arg.log", &ex);
	ck_assert_int_eq(ex.failed_insn, 3);
	ck_assert_str_eq(ex.failed_text, "call bpf_map_lookup_elem#1");
	/* a call reads its arguments: the map in R1 and the NULL key in R2 */
	ck_assert_ptr_nonnull(reg(&ex, "R1"));
	ck_assert_ptr_nonnull(reg(&ex, "R2"));
	ck_assert_ptr_nonnull(reg(&ex, "R2")->value);
	ck_assert_msg(strstr(reg(&ex, "R2")->value, "0") != NULL, "R2=%s", reg(&ex, "R2")->value);
	ck_assert_ptr_null(reg(&ex, "R0"));
	vh_explain__free(&ex);
}
END_TEST

START_TEST(unreleased_ref)
{
	const char *k = kernels[_i];
	struct vh_explain ex;

	analyze_fixture(k, "unreleased_ref.log", &ex);
	assert_failed_at(k, &ex, 10, "exit", "unreleased_ref.bpf.c:19", "}");
	/* the NULL check fell through to the use of the record */
	ck_assert_uint_eq(ex.branches_total, 1);
	ck_assert_uint_eq(ex.nbranches, 1);
	ck_assert_int_eq(ex.branches[0].insn, 6);
	ck_assert(!ex.branches[0].taken);
	ck_assert_int_eq(ex.branches[0].next, 7);
	ck_assert_str_eq(ex.branches[0].text, "if r0 == 0x0 goto pc+2");
	ck_assert_str_eq(ex.branches[0].source, "if (!e)");
	if (!is_old(k))
		ck_assert_str_eq(ex.branches[0].file_line, "unreleased_ref.bpf.c:15");
	/* exit reads R0 */
	ck_assert_ptr_nonnull(reg(&ex, "R0"));
	vh_explain__free(&ex);
}
END_TEST

START_TEST(infinite_loop)
{
	const char *k = kernels[_i];
	struct vh_explain ex;
	const struct vh_explain_branch *last;

	analyze_fixture(k, "infinite_loop.log", &ex);
	ck_assert_int_eq(ex.failed_insn, 4);
	ck_assert_str_eq(ex.failed_text, "r1 = *(u32 *)(r10 -4)");
	/* the loop back to 4 was taken, the exit test at 3 was not */
	ck_assert_uint_ge(ex.nbranches, 2);
	ck_assert_int_eq(ex.branches[0].insn, 3);
	ck_assert(!ex.branches[0].taken);
	last = &ex.branches[ex.nbranches - 1];
	ck_assert_int_eq(last->insn, 5);
	ck_assert(last->taken);
	ck_assert_int_eq(last->next, 4);
	ck_assert_uint_ge(last->count, 1);
	/* reads the stack through r10: R10 and the slot are shown */
	ck_assert_ptr_nonnull(reg(&ex, "R10"));
	ck_assert_str_eq(reg(&ex, "R10")->value, "fp0");
	ck_assert_uint_ge(ex.nstack, 1);
	ck_assert_str_eq(ex.stack[0].name, "fp-8");
	vh_explain__free(&ex);
}
END_TEST

START_TEST(stack_limit)
{
	const char *k = kernels[_i];
	struct vh_explain ex;

	analyze_fixture(k, "stack_limit.log", &ex);
	/* the whole program was walked, the subprogram too, back to the main exit */
	ck_assert_int_eq(ex.failed_insn, 12);
	ck_assert_str_eq(ex.failed_text, "exit");
	ck_assert_uint_eq(ex.path_len, 24);
	ck_assert_int_eq(ex.steps[ex.nsteps - 2].insn, 11);
	ck_assert_int_eq(ex.steps[ex.nsteps - 3].insn, 23);
	ck_assert_ptr_nonnull(reg(&ex, "R0"));
	ck_assert_ptr_nonnull(reg(&ex, "R0")->value);
	vh_explain__free(&ex);
}
END_TEST

/* Cut logs (the start on 5.10 and 6.1, the end on 6.18) never crash and keep a path. */
START_TEST(complexity_cut)
{
	const char *k = kernels[_i];
	struct vh_explain ex;
	char *path = fixture_path(k, "complexity.log");
	bool captured = !access(path, R_OK);

	free(path);
	if (!captured)
		return; /* captured at level 4 only on this kernel */
	analyze_fixture(k, "complexity.log", &ex);
	ck_assert_int_ge(ex.failed_insn, 0);
	ck_assert_uint_ge(ex.nsteps, 1);
	ck_assert_uint_le(ex.nsteps, 12);
	ck_assert_uint_le(ex.nbranches, 5);
	vh_explain__free(&ex);
}
END_TEST

/* Level 4 logs have no trace: nothing is made up. */
START_TEST(stats_only)
{
	struct vh_explain ex;

	analyze_fixture(kernels[_i], "null_map_value.stats.log", &ex);
	ck_assert_int_eq(ex.failed_insn, -1);
	ck_assert_ptr_null(ex.failed_text);
	ck_assert_uint_eq(ex.nsteps + ex.nregs + ex.nbranches, 0);
	vh_explain__free(&ex);
}
END_TEST

/* "from X to Y" cuts the path back to the jump at X: the explored arm is gone. */
START_TEST(from_cuts_path)
{
	static const char log[] =
		"func#0 @0\n"
		"0: R1=ctx() R10=fp0\n"
		"; int f(void *ctx) @ a.bpf.c:3\n"
		"0: (b7) r0 = 0                        ; R0_w=0\n"
		"; if (x) @ a.bpf.c:4\n"
		"1: (15) if r1 == 0x0 goto pc+2        ; R1=ctx()\n"
		"2: (b7) r3 = 1                        ; R3_w=1\n"
		"3: (95) exit\n"
		"from 1 to 4: R0=0 R1=ctx() R10=fp0\n"
		"; v += w; @ a.bpf.c:7\n"
		"4: (0f) r0 += r3\n"
		"R3 !read_ok\n"
		"processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 "
		"peak_states 0 mark_read 0\n";
	struct vh_explain ex;

	ck_assert_int_eq(vh_explain__analyze(log, 12, 5, &ex), 0);
	ck_assert_uint_eq(ex.path_len, 3);
	ck_assert_int_eq(ex.steps[0].insn, 0);
	ck_assert_int_eq(ex.steps[1].insn, 1);
	ck_assert_int_eq(ex.steps[2].insn, 4);
	ck_assert_str_eq(ex.steps[2].file_line, "a.bpf.c:7");
	ck_assert_str_eq(ex.steps[2].source, "v += w;");
	ck_assert_uint_eq(ex.branches_total, 1);
	ck_assert(ex.branches[0].taken);
	ck_assert_int_eq(ex.branches[0].next, 4);
	ck_assert_str_eq(ex.branches[0].file_line, "a.bpf.c:4");
	/* the state is the popped one: R3 was set on the other arm only */
	ck_assert_uint_eq(ex.nregs, 2);
	ck_assert_str_eq(reg(&ex, "R0")->value, "0");
	ck_assert_ptr_null(reg(&ex, "R3")->value);
	vh_explain__free(&ex);
}
END_TEST

/* A jump that is not in the (cut) log: no branch decision is invented. */
START_TEST(from_unknown_jump)
{
	static const char log[] =
		"0: (b7) r0 = 0\n"
		"1: (15) if r1 == 0x0 goto pc+2\n"
		"2: (95) exit\n"
		"from 9 to 1: R1=ctx() R10=fp0\n"
		"1: (15) if r1 == 0x0 goto pc+2\n"
		"from 12 to 5: R1=ctx() R10=fp0\n"
		"5: (bf) r0 = r1\n"
		"R1 pointer leak\n";
	struct vh_explain ex;

	ck_assert_int_eq(vh_explain__analyze(log, 12, 5, &ex), 0);
	ck_assert_int_eq(ex.failed_insn, 5);
	ck_assert_uint_eq(ex.path_len, 5);
	/* 1 -> 2 only: 2 -> 1 and 1 -> 5 are across gaps */
	ck_assert_uint_eq(ex.branches_total, 1);
	ck_assert(!ex.branches[0].taken);
	ck_assert_str_eq(reg(&ex, "R1")->value, "ctx()");
	vh_explain__free(&ex);
}
END_TEST

/* A helper call leaves R1-R5 uninitialised; states of a subprogram stay whole. */
START_TEST(call_and_frames)
{
	static const char call_log[] =
		"0: R1=ctx() R2=1 R10=fp0\n"
		"0: (85) call bpf_get_prandom_u32#7    ; R0_w=scalar()\n"
		"1: (bf) r3 = r2\n"
		"R2 !read_ok\n";
	static const char frame_log[] =
		"13: frame1: R1=ctx() R10=fp0\n"
		"13: (b7) r2 = 0                      ; frame1: R2_w=0\n"
		"14: (0f) r1 += r2\n"
		"R1 pointer arithmetic on ctx prohibited\n";
	struct vh_explain ex;

	ck_assert_int_eq(vh_explain__analyze(call_log, 12, 5, &ex), 0);
	ck_assert_uint_eq(ex.nregs, 1);
	ck_assert_str_eq(ex.regs[0].name, "R2");
	ck_assert_ptr_null(ex.regs[0].value);
	vh_explain__free(&ex);

	ck_assert_int_eq(vh_explain__analyze(frame_log, 12, 5, &ex), 0);
	ck_assert_uint_eq(ex.nregs, 2);
	ck_assert_str_eq(reg(&ex, "R1")->value, "ctx()");
	ck_assert_str_eq(reg(&ex, "R2")->value, "0");
	vh_explain__free(&ex);
}
END_TEST

/* Values may hold spaces in parentheses; the state ends where the token does. */
START_TEST(spaces_in_values)
{
	static const char log[] =
		"0: R1=ctx() R10=fp0\n"
		"0: (61) r2 = *(u32 *)(r1 +12)         ; R2=scalar(var_off=(0x0; 0xff)) R10=fp0\n"
		"1: (0f) r1 += r2\n"
		"R1 pointer arithmetic\n";
	struct vh_explain ex;

	ck_assert_int_eq(vh_explain__analyze(log, 12, 5, &ex), 0);
	ck_assert_str_eq(reg(&ex, "R2")->value, "scalar(var_off=(0x0; 0xff))");
	vh_explain__free(&ex);
}
END_TEST

/* Loops fold into one branch with a count; only the last max_branches are kept. */
START_TEST(loop_folds)
{
	char log[8192];
	size_t n = 0;
	struct vh_explain ex;

	n += snprintf(log + n, sizeof(log) - n, "0: R1=ctx() R10=fp0\n"
		      "0: (b7) r2 = 0\n1: (15) if r1 == 0x0 goto pc+0\n");
	for (int i = 0; i < 50; i++)
		n += snprintf(log + n, sizeof(log) - n, "2: (07) r2 += 1\n"
			      "3: (55) if r2 != 0x32 goto pc-2\n");
	n += snprintf(log + n, sizeof(log) - n, "2: (07) r2 += 1\nsomething wrong\n");
	ck_assert_int_eq(vh_explain__analyze(log, 12, 1, &ex), 0);
	ck_assert_uint_eq(ex.branches_total, 51);
	ck_assert_uint_eq(ex.nbranches, 1);
	ck_assert_int_eq(ex.branches[0].insn, 3);
	ck_assert(ex.branches[0].taken);
	ck_assert_uint_eq(ex.branches[0].count, 50);
	ck_assert_uint_eq(ex.nsteps, 12);
	vh_explain__free(&ex);
}
END_TEST

START_TEST(bad_input)
{
	static const char junk[] = "\x01\x02 7: (79\n: (xx) \n12345678901234567890: (95) exit\n"
				   "from \nfrom 1 to\n frame\n;\n; @ :\n";
	struct vh_explain ex;

	ck_assert_int_eq(vh_explain__analyze(NULL, 12, 5, &ex), 0);
	ck_assert_int_eq(ex.failed_insn, -1);
	vh_explain__free(&ex);
	ck_assert_int_eq(vh_explain__analyze("", 12, 5, &ex), 0);
	ck_assert_int_eq(ex.failed_insn, -1);
	vh_explain__free(&ex);
	ck_assert_int_eq(vh_explain__analyze(junk, 0, 0, &ex), 0);
	ck_assert_uint_eq(ex.nsteps, 0);
	vh_explain__free(&ex);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, null_map_value, 0, NKERNELS);
	tcase_add_loop_test(tc, pkt_oob, 0, NKERNELS);
	tcase_add_loop_test(tc, uninit_reg, 0, NKERNELS);
	tcase_add_loop_test(tc, helper_arg, 0, NKERNELS);
	tcase_add_loop_test(tc, unreleased_ref, 0, NKERNELS);
	tcase_add_loop_test(tc, infinite_loop, 0, NKERNELS);
	tcase_add_loop_test(tc, stack_limit, 0, NKERNELS);
	tcase_add_loop_test(tc, complexity_cut, 0, NKERNELS);
	tcase_add_loop_test(tc, stats_only, 0, NKERNELS);
	tcase_add_test(tc, from_cuts_path);
	tcase_add_test(tc, from_unknown_jump);
	tcase_add_test(tc, call_and_frames);
	tcase_add_test(tc, spaces_in_values);
	tcase_add_test(tc, loop_folds);
	tcase_add_test(tc, bad_input);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vh_unit_run(suite());
}
