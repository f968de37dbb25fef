// SPDX-License-Identifier: BSD-2-Clause
/* test_error_class.c: rejection classes of real logs, the vocabulary and its documentation. */
#include <check.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_class.h"
#include "unit_main.h"

#define FIXTURES "tests/fixtures/logs"

/* The class each failing fixture must get; the case is the file name without extension. */
static const char *expected_class(const char *kernel, const char *c, int err)
{
	static const struct {
		const char *c, *cls;
	} by_case[] = {
		{ "null_map_value", "null_pointer" },
		{ "pkt_oob", "invalid_mem_access" },
		{ "ctx_access", "invalid_ctx_access" },
		{ "core_reloc", "core_relocation" },
		{ "unknown_kfunc", "unknown_kfunc" },
		{ "gpl_only", "license_gpl_only" },
		{ "helper_arg", "helper_arg_mismatch" },
		{ "stack_limit", "stack_limit" },
		{ "uninit_reg", "uninitialized_register" },
		{ "unreleased_ref", "unreleased_reference" },
		{ "infinite_loop", "unbounded_loop" },
		{ "uninit_stack", "invalid_stack_access" }, /* 5.10 only */
		{ "helper_new", "unknown_helper" },         /* 5.10 only */
		{ "callback_new", "unsupported_feature" },  /* 5.10 only */
		{ "prog_type_new", "unsupported_prog_type" }, /* 5.10 and 6.1: no log */
	};

	(void)kernel;
	if (!strcmp(c, "complexity"))
		/* the whole log did not fit a 64 KiB buffer (ENOSPC): 5.10 and 6.1 kept its
		 * start, without the reason; 6.18 kept the end, which has it */
		return err == -ENOSPC && strncmp(kernel, "6.18", 4) ? "log_truncated" :
								      "complexity_limit";
	for (size_t i = 0; i < sizeof(by_case) / sizeof(by_case[0]); i++)
		if (!strcmp(by_case[i].c, c))
			return by_case[i].cls;
	return NULL;
}

/* Every failing fixture of every kernel, with the errno of its load. */
START_TEST(test_every_failing_fixture)
{
	char *path = vh_unit_top_path(FIXTURES "/loads.tsv"), *tsv = vh_unit_slurp(path), *line, *save = NULL;
	int failing = 0;

	free(path);
	for (line = strtok_r(tsv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char rel[256], kernel[128], c[128], *fx, *log;
		const struct vh_error_class *got;
		const char *want;
		int level, err;

		ck_assert_int_eq(sscanf(line, "%255s %d %d", rel, &level, &err), 3);
		if (!err)
			continue;
		ck_assert_int_eq(sscanf(rel, "%127[^/]/%127[^.]", kernel, c), 2);
		ck_assert_int_ge(asprintf(&fx, FIXTURES "/%s", rel), 0);
		path = vh_unit_top_path(fx);
		log = vh_unit_slurp(path);
		want = expected_class(kernel, c, err);
		ck_assert_msg(want != NULL, "%s failed (%d) but no class is expected", rel, err);
		got = vh_error__classify(log, err);
		ck_assert_msg(got && !strcmp(got->name, want), "%s (err %d): class %s, want %s", rel,
			      err, got ? got->name : "NULL", want);
		failing++;
		free(log);
		free(path);
		free(fx);
	}
	ck_assert_msg(failing >= 90, "failing fixtures classified: %d", failing);
	free(tsv);
}
END_TEST

/* bpfgate passes libbpf's own words when the kernel wrote no log. */
START_TEST(test_without_a_log)
{
	const char *libbpf = "libbpf: prog 'prog_type_new': BPF program load failed: Invalid "
			     "argument\nlibbpf: prog 'prog_type_new': failed to load: -22\n";

	ck_assert_str_eq(vh_error__classify(libbpf, -EINVAL)->name, "unsupported_prog_type");
	ck_assert_str_eq(vh_error__classify("", -EINVAL)->name, "unsupported_prog_type");
	ck_assert_str_eq(vh_error__classify(NULL, -EPERM)->name, "permission");
	ck_assert_str_eq(vh_error__classify("", -E2BIG)->name, "program_too_large");
	ck_assert_str_eq(vh_error__classify("", -EOPNOTSUPP)->name, "unsupported_attach_type");
	ck_assert_str_eq(vh_error__classify("", -524)->name, "unsupported_attach_type");
	ck_assert_str_eq(vh_error__classify("libbpf: extern (func ksym) 'bpf_foo': not found in "
					    "kernel or module BTFs\n", -ESRCH)->name,
			 "unknown_kfunc");
	ck_assert_str_eq(vh_error__classify("libbpf: prog 'p': failed to find kernel BTF type ID"
					    " of 'no_such_fn': -3\n", -ESRCH)->name,
			 "attach_target_missing");
	ck_assert_str_eq(vh_error__classify("libbpf: map 'm': failed to create map: -22\n",
					    -EINVAL)->name, "map_not_supported");
	ck_assert_str_eq(vh_error__classify("some new message\nprocessed 3 insns (limit 9)\n",
					    -EINVAL)->name, "other");
	ck_assert_str_eq(vh_error__classify("", -EACCES)->name, "other");
}
END_TEST

/* Messages of classes no fixture reaches, in the kernel's own formats. */
START_TEST(test_other_messages)
{
	static const struct {
		const char *log, *cls;
	} cases[] = {
		{ "3: (05) goto pc-2\nback-edge from insn 3 to 2\n", "back_edge" },
		{ "0: (85) call bpf_get_current_task#35\nunknown func bpf_get_current_task#35\n",
		  "helper_not_allowed" },
		{ "0: <invalid BPF map reference>\nBPF map 'm' is referenced but wasn't created\n",
		  "map_not_supported" },
		{ "2: (0f) r1 += r2\nR1 pointer arithmetic on map_ptr prohibited\n",
		  "pointer_arithmetic" },
		{ "4: (95) exit\nAt program exit the register R0 has value (0x2; 0x0) should have "
		  "been in (0x0; 0x1)\n", "invalid_return" },
		{ "9: (71) r1 = *(u8 *)(r0 +8)\ninvalid access to map value, value_size=8 off=8 "
		  "size=1\nR0 min value is outside of the allowed memory range\n",
		  "invalid_mem_access" },
		{ "The sequence of 8193 jumps is too complex.\nverification time 9 usec\n",
		  "complexity_limit" },
		{ "0: (bf) r10 = r1\nframe pointer is read only\n", "other" },
		/* level 4 on 5.10: no words, the count is over the limit */
		{ "verification time 1 usec\nstack depth 0\nprocessed 1000001 insns (limit 1000000) "
		  "max_states_per_insn 4 total_states 9 peak_states 9 mark_read 1\n",
		  "complexity_limit" },
		/* the traced source is never read as a message */
		{ "; /* infinite loop detected: GPL-restricted */\n7: (79) r1 = *(u64 *)(r0 +0)\n"
		  "R0 invalid mem access 'map_value_or_null'\n", "null_pointer" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vh_error_class *c = vh_error__classify(cases[i].log, -EACCES);

		ck_assert_msg(!strcmp(c->name, cases[i].cls), "case %zu: %s, want %s", i, c->name,
			      cases[i].cls);
	}
}
END_TEST

START_TEST(test_vocabulary)
{
	const struct vh_error_class *c;
	int n = 0;

	for (int i = 0; (c = vh_error__at(i)); i++, n++) {
		ck_assert_msg(vh_error__by_name(c->name) == c, "%s: by_name finds it", c->name);
		ck_assert_msg(!strcmp(c->kind, VH_KIND_FEATURE) || !strcmp(c->kind, VH_KIND_BUG) ||
				      !strcmp(c->kind, VH_KIND_ENV) || !strcmp(c->kind, VH_KIND_OBJECT) ||
				      !strcmp(c->kind, VH_KIND_UNKNOWN),
			      "%s: kind '%s'", c->name, c->kind);
		ck_assert_msg(c->hint[0] && !strchr(c->hint, '\n') && strlen(c->hint) <= 120,
			      "%s: hint is one short line", c->name);
		ck_assert_msg(strspn(c->name, "abcdefghijklmnopqrstuvwxyz_") == strlen(c->name),
			      "%s: a JSON-friendly name", c->name);
	}
	ck_assert_int_ge(n, 25);
	ck_assert_ptr_null(vh_error__by_name("no_such_class"));
	ck_assert_ptr_null(vh_error__by_name(NULL));
	ck_assert_ptr_null(vh_error__at(-1));
	ck_assert_ptr_nonnull(vh_error__classify(NULL, 0));
}
END_TEST

/* docs/error-classes.md has one row per class and no other. */
START_TEST(test_documented)
{
	char *path = vh_unit_top_path("docs/error-classes.md"), *doc = vh_unit_slurp(path), *line, *save = NULL;
	const struct vh_error_class *c;
	int rows = 0, n = 0;

	for (line = strtok_r(doc, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[64], kind[64], anchor[64];

		/* a row is "| <a id="NAME"></a>`NAME` | kind |": the anchor explain links to */
		if (sscanf(line, "| <a id=\"%63[a-z_]\"></a>`%63[a-z_]` | %63[^|]|", anchor, name,
			   kind) != 3) {
			if (sscanf(line, "| `%63[a-z_]` | %63[^|]|", name, kind) == 2)
				ck_abort_msg("docs: %s has no anchor <a id=\"%s\">", name, name);
			continue;
		}
		ck_assert_msg(!strcmp(anchor, name), "docs: %s has the anchor '%s'", name, anchor);
		c = vh_error__by_name(name);
		ck_assert_msg(c != NULL, "docs: '%s' is not a class", name);
		ck_assert_msg(!strncmp(kind, c->kind, strlen(c->kind)), "docs: %s kind '%s', code '%s'",
			      name, kind, c->kind);
		rows++;
	}
	for (n = 0; vh_error__at(n); n++)
		;
	ck_assert_msg(rows == n, "docs list %d classes, the code %d", rows, n);
	free(doc);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("error_class");
	TCase *tc = tcase_create("fixtures");

	tcase_add_test(tc, test_every_failing_fixture);
	tcase_add_test(tc, test_without_a_log);
	tcase_add_test(tc, test_other_messages);
	suite_add_tcase(s, tc);
	tc = tcase_create("vocabulary");
	tcase_add_test(tc, test_vocabulary);
	tcase_add_test(tc, test_documented);
	suite_add_tcase(s, tc);

	return vh_unit_run(s);
}
