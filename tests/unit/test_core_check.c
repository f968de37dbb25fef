// SPDX-License-Identifier: BSD-2-Clause
/* test_core_check.c: reading libbpf's relocation messages (core_check.h). */
#include <check.h>
#include <stdlib.h>

#include "core_check.h"
#include "unit_main.h"

static struct vh_core_relo *relos;
static int nr;

static void reset(void)
{
	free(relos);
	relos = NULL;
	nr = 0;
}

static int feed(const char *line, const char *prog)
{
	return vh_core_relos__parse_line(line, prog, &relos, &nr);
}

START_TEST(test_field_spec_then_poison)
{
	reset();
	ck_assert_int_eq(feed("prog 'p': relo #3: <byte_off> [19] struct task_struct.real_parent.tgid "
			      "(0:56:1 @ offset 2452)\n", "p"), 1);
	ck_assert_int_eq(feed("prog 'p': relo #3: non-matching candidate #0 <byte_off> [1] "
			      "struct task_struct (0 @ offset 0)\n", "p"), 1);
	ck_assert_int_eq(feed("prog 'p': relo #3: substituting insn #12 w/ invalid insn\n", "p"), 1);
	ck_assert_int_eq(nr, 1);
	ck_assert_int_eq(relos[0].index, 3);
	ck_assert_int_eq(relos[0].insn, 12);
	ck_assert_str_eq(relos[0].kind, "byte_off");
	/* the first spec is the program's own: a candidate's does not replace it */
	ck_assert_str_eq(relos[0].type, "struct task_struct");
	ck_assert_str_eq(relos[0].access, "real_parent.tgid");
	reset();
}
END_TEST

START_TEST(test_ldimm64_takes_first_insn)
{
	reset();
	feed("prog 'p': relo #0: <enumval_value> [391] enum bpf_func_id::BPF_FUNC_loop = 181", "p");
	feed("prog 'p': relo #0: substituting insn #8 w/ invalid insn", "p");
	feed("prog 'p': relo #0: substituting insn #7 w/ invalid insn", "p");
	ck_assert_int_eq(nr, 1);
	ck_assert_int_eq(relos[0].insn, 7);
	ck_assert_str_eq(relos[0].kind, "enumval_value");
	ck_assert_str_eq(relos[0].type, "enum bpf_func_id");
	ck_assert_str_eq(relos[0].access, "BPF_FUNC_loop");
	reset();
}
END_TEST

START_TEST(test_type_and_array_access)
{
	reset();
	feed("prog 'p': relo #1: <type_size> [7] struct foo", "p");
	feed("prog 'p': relo #2: <byte_off> [9] struct cred___old.cap_effective.cap[1] "
	     "(0:0:0:1 @ offset 4)", "p");
	ck_assert_int_eq(nr, 2);
	ck_assert_str_eq(relos[0].type, "struct foo");
	ck_assert_str_eq(relos[0].access, "");
	ck_assert_int_eq(relos[0].insn, -1);
	ck_assert_str_eq(relos[1].type, "struct cred___old");
	ck_assert_str_eq(relos[1].access, "cap_effective.cap[1]");
	reset();
}
END_TEST

START_TEST(test_other_lines_and_programs_ignored)
{
	reset();
	ck_assert_int_eq(feed("sec '.relxdp': relo #0: insn #16 against 'm'", "p"), 0);
	ck_assert_int_eq(feed("prog 'pp': relo #0: <byte_off> [1] struct a.b (0:0 @ offset 0)",
			      "p"), 0);
	ck_assert_int_eq(feed("prog 'p': relo #x: <byte_off>", "p"), 0);
	ck_assert_int_eq(feed("prog 'p': relo #-1: <byte_off>", "p"), 0);
	ck_assert_int_eq(feed("prog 'p'", "p"), 0);
	/* malformed specs are kept without crashing */
	ck_assert_int_eq(feed("prog 'p': relo #4: <", "p"), 1);
	ck_assert_int_eq(feed("prog 'p': relo #5: <byte_off [", "p"), 1);
	ck_assert_int_eq(feed("prog 'p': relo #6: <byte_off> [1] struct ", "p"), 1);
	ck_assert_int_eq(nr, 3);
	ck_assert_str_eq(relos[2].kind, "byte_off");
	reset();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("core_check");
	TCase *tc = tcase_create("relo_messages");

	tcase_add_test(tc, test_field_spec_then_poison);
	tcase_add_test(tc, test_ldimm64_takes_first_insn);
	tcase_add_test(tc, test_type_and_array_access);
	tcase_add_test(tc, test_other_lines_and_programs_ignored);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
