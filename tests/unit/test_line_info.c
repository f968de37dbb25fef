// SPDX-License-Identifier: BSD-2-Clause
/* test_line_info.c: source lines from BTF line info, checked against what newer kernels print. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "line_info.h"
#include "verifier_log.h"
#include "unit_main.h"

#define FIXTURES "tests/fixtures/logs"

/* The fixture programs' objects, built by `make line-info-fixtures`. */
static char *obj(const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/fixtures/programs/%s.bpf.o", getenv("O") ?: "build",
				  name), 0);
	ck_assert_msg(access(p, R_OK) == 0, "%s: run make line-info-fixtures", p);
	return p;
}

static char *fixture_log(const char *kernel, const char *c)
{
	char *p, *log;

	ck_assert_int_ge(asprintf(&p, "%s/" FIXTURES "/%s/%s.log", getenv("TOP") ?: ".", kernel, c),
			 0);
	log = vh_unit_slurp(p);
	free(p);
	return log;
}

/*
 * The whole path for an old kernel: the 5.10 log says only "; text", the object's
 * line info gives file:line back, and it must be what 6.12 and 7.2 print for the
 * same object ("; text @ file:line").
 */
START_TEST(test_old_kernel_gets_the_new_kernels_place)
{
	static const struct {
		const char *c, *section;
	} cases[] = {
		{ "null_map_value", "xdp" }, { "pkt_oob", "xdp" },     { "ctx_access", "xdp" },
		{ "gpl_only", "xdp" },       { "helper_arg", "xdp" },  { "stack_limit", "xdp" },
		{ "uninit_reg", "xdp" },     { "unreleased_ref", "xdp" }, { "infinite_loop", "xdp" },
		{ "unknown_kfunc", "tc" },   { "core_reloc", "xdp" },  { "helper_new", "xdp" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *c = cases[i].c;
		char *old = fixture_log("5.10.0-32-amd64", c), *new = NULL, *o = obj(c);
		char *text, *fl, *ntext, *nfl, *ltext, *lfl;

		ck_assert_msg(!vh_log__source_hint(old, &text, &fl), "%s: 5.10 hint", c);
		ck_assert_msg(fl == NULL, "%s: 5.10 prints no place", c);
		/* helper_new passes there: its one line is still the last annotation */
		new = fixture_log(i % 2 ? "6.12.117+deb13-amd64" : "7.2.13+deb14-amd64", c);
		ck_assert_msg(!vh_log__source_hint(new, &ntext, &nfl) && nfl, "%s: new hint", c);

		ck_assert_msg(!vh_line_info__locate(o, cases[i].section, c, text, &lfl, &ltext),
			      "%s: locate '%s'", c, text);
		ck_assert_msg(!strcmp(lfl, nfl), "%s: line info says %s, the newer kernel %s", c, lfl,
			      nfl);
		ck_assert_msg(!strcmp(ltext, text), "%s: text '%s', the log's '%s'", c, ltext, text);
		free(lfl);
		free(ltext);
		free(text);
		free(fl);
		free(ntext);
		free(nfl);
		free(new);
		free(old);
		free(o);
	}
}
END_TEST

/* The same line in two programs of one section: the failing program's own wins. */
START_TEST(test_prefers_the_programs_function)
{
	char *o = obj("two_progs"), *fl, *text;

	ck_assert_int_eq(vh_line_info__locate(o, "xdp", "second", "*v += 1;", &fl, &text), 0);
	ck_assert_str_eq(fl, "two_progs.bpf.c:30");
	ck_assert_str_eq(text, "*v += 1;");
	free(fl);
	free(text);
	ck_assert_int_eq(vh_line_info__locate(o, "xdp", "first", "  *v += 1;  ", &fl, &text), 0);
	ck_assert_str_eq(fl, "two_progs.bpf.c:19");
	free(fl);
	free(text);
	/* a static subprogram lives in .text: found from the program's section too */
	free(o);
	o = obj("stack_limit");
	ck_assert_int_eq(vh_line_info__locate(o, "xdp", "stack_limit", "return buf[7];", &fl,
					      &text), 0);
	ck_assert_str_eq(fl, "stack_limit.bpf.c:10");
	free(fl);
	free(text);
	free(o);
}
END_TEST

/* The source file is read when it can be found, the BTF copy is used otherwise. */
START_TEST(test_source_file_or_btf)
{
	char dir[] = "/tmp/test_line_info.XXXXXX", cwd[4096], *o = obj("null_map_value");
	char *copy, *src, *cmd, *fl, *text;
	FILE *f;

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_ge(asprintf(&copy, "%s/x.bpf.o", dir), 0);
	ck_assert_int_ge(asprintf(&cmd, "cp '%s' '%s' && mkdir -p '%s/" FIXTURES "/src'", o, copy,
				  dir), 0);
	ck_assert_int_eq(system(cmd), 0);

	/* from elsewhere, with no source next to the object: BTF's text */
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(vh_line_info__locate(copy, "xdp", "null_map_value", "*v += 1;", &fl,
					      &text), 0);
	ck_assert_str_eq(fl, "null_map_value.bpf.c:18");
	ck_assert_str_eq(text, "*v += 1;");
	free(fl);
	free(text);

	/* a source beside the object (its recorded relative path) is the one read */
	ck_assert_int_ge(asprintf(&src, "%s/" FIXTURES "/src/null_map_value.bpf.c", dir), 0);
	f = fopen(src, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 1; i < 18; i++)
		fprintf(f, "// line %d\n", i);
	fprintf(f, "\t*v += 2; /* edited */\n");
	fclose(f);
	ck_assert_int_eq(vh_line_info__locate(copy, "xdp", "null_map_value", "*v += 1;", &fl,
					      &text), 0);
	ck_assert_str_eq(text, "*v += 2; /* edited */");
	free(fl);
	free(text);

	/* a FIFO where the source was (the path is the object's to choose): not
	 * read, or bpfgate would wait for a writer forever; BTF's text instead */
	ck_assert_int_eq(unlink(src), 0);
	ck_assert_int_eq(mkfifo(src, 0600), 0);
	ck_assert_int_eq(vh_line_info__locate(copy, "xdp", "null_map_value", "*v += 1;", &fl,
					      &text), 0);
	ck_assert_str_eq(text, "*v += 1;");
	free(fl);
	free(text);

	/* and from the repository, the real source file through the path in BTF */
	ck_assert_int_eq(chdir(cwd), 0);
	ck_assert_int_eq(vh_line_info__locate(o, "xdp", "null_map_value", "*v += 1;", &fl, &text),
			 0);
	ck_assert_str_eq(text, "*v += 1;");
	free(fl);
	free(text);

	free(cmd);
	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
	free(src);
	free(copy);
	free(o);
}
END_TEST

START_TEST(test_not_found)
{
	char *o = obj("pass"), *fl = (char *)1, *text = (char *)1, *readme;

	ck_assert_int_eq(vh_line_info__locate(o, "xdp", "pass", "no such line", &fl, &text),
			 -ENOENT);
	ck_assert_ptr_null(fl);
	ck_assert_ptr_null(text);
	ck_assert_int_eq(vh_line_info__locate(o, "xdp", "pass", "", &fl, &text), -ENOENT);
	ck_assert_int_eq(vh_line_info__locate(o, "xdp", "pass", NULL, &fl, &text), -ENOENT);
	ck_assert_int_eq(vh_line_info__locate(NULL, "xdp", "pass", "x", &fl, &text), -ENOENT);
	ck_assert_int_eq(vh_line_info__locate("/nonexistent.bpf.o", NULL, NULL, "x", &fl, &text),
			 -ENOENT);
	ck_assert_int_ge(asprintf(&readme, "%s/" FIXTURES "/README.md", getenv("TOP") ?: "."), 0);
	ck_assert_int_eq(vh_line_info__locate(readme, "xdp", "pass", "x", &fl, &text), -ENOENT);
	/* no section or program: any record with the text still does */
	ck_assert_int_eq(vh_line_info__locate(o, NULL, NULL, "*v += sum_bytes(ctx);", &fl, &text),
			 0);
	ck_assert_str_eq(fl, "pass.bpf.c:29");
	free(fl);
	free(text);
	free(readme);
	free(o);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("line_info");
	TCase *tc = tcase_create("locate");

	tcase_add_test(tc, test_old_kernel_gets_the_new_kernels_place);
	tcase_add_test(tc, test_prefers_the_programs_function);
	tcase_add_test(tc, test_source_file_or_btf);
	tcase_add_test(tc, test_not_found);
	suite_add_tcase(s, tc);

	return vh_unit_run(s);
}
