// SPDX-License-Identifier: BSD-2-Clause
/* test_project_config.c: bpfgate.conf, the project's config: values, paths, errors. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "project_config.h"
#include "unit_main.h"

static struct vh_project_config conf;
static char errbuf[512];

static int parse(const char *text)
{
	return vh_project_config__parse(&conf, text, strlen(text), "p/bpfgate.conf", "p", errbuf,
					sizeof(errbuf));
}

/* TEXT is refused with exactly the error WANT. */
#define ck_refused(text, want)                                                    \
	do {                                                                      \
		ck_assert_int_eq(parse(text), -EINVAL);                           \
		ck_assert_str_eq(errbuf, want);                                   \
		ck_assert_ptr_null(conf.path);                                    \
	} while (0)

START_TEST(test_full_file)
{
	const char *text = "# a project\n"
			   "[project]\n"
			   "name = demo ; trailing comment\n"
			   "programs = src/bpf/\n"
			   "baseline = ci/./baseline.json\n"
			   "kernels = 5.10   6.1 host\n"
			   "kernels_conf = ci/kernels.conf\n"
			   "\n"
			   "[gate]\n"
			   "max_growth = 15%\n"
			   "max_share = 25\n"
			   "baseline_missing = warn\n"
			   "allow_removed = yes\n"
			   "[build]\n"
			   "cflags = \"-DX=1 -DHASH='#'\"  # quoted: '#' is kept\n"
			   "includes = include src/bpf/../common\n"
			   "clang = clang-19\n"
			   "[program \"tcp_*\"]\n"
			   "\tcflags = -DMAX=64\n"
			   "expect = fail\n"
			   "[program \"tcp_*:probe\"]\n"
			   "type = kprobe\n"
			   "[program \"old\"]\n"
			   "exclude = true\n"
			   "[test \"smoke\"]\n"
			   "exe = build/test_smoke\r\n"
			   "timeout = 30\n";

	ck_assert_int_eq(parse(text), 0);
	ck_assert_str_eq(conf.name, "demo");
	ck_assert_str_eq(conf.programs, "p/src/bpf");
	ck_assert_str_eq(conf.baseline, "p/ci/baseline.json");
	ck_assert_str_eq(conf.kernels, "5.10 6.1 host");
	ck_assert_str_eq(conf.kernels_conf, "p/ci/kernels.conf");
	ck_assert(conf.has_max_growth && conf.max_growth == 15);
	ck_assert(conf.has_max_share && conf.max_share == 25);
	ck_assert_int_eq(conf.baseline_missing, VH_PCONF_MISSING_WARN);
	ck_assert_int_eq(conf.allow_removed, 1);
	ck_assert_str_eq(conf.cflags, "-DX=1 -DHASH='#'");
	ck_assert_str_eq(conf.includes, "p/include p/src/common");
	ck_assert_str_eq(conf.clang, "clang-19");
	ck_assert_uint_eq(conf.nprogs, 3);
	ck_assert_str_eq(conf.progs[0].glob, "tcp_*");
	ck_assert_int_eq(conf.progs[0].line, 18);
	ck_assert_uint_eq(conf.ntests, 1);
	ck_assert_str_eq(conf.tests[0].name, "smoke");
	ck_assert_str_eq(conf.tests[0].exe, "p/build/test_smoke");
	ck_assert_int_eq(conf.tests[0].timeout, 30);
	vh_project_config__free(&conf);
	ck_assert_ptr_null(conf.name);
}
END_TEST

START_TEST(test_unset_values)
{
	ck_assert_int_eq(parse("; nothing but comments\n\n   # here\n[gate]\n"), 0);
	ck_assert_ptr_null(conf.programs);
	ck_assert(!conf.has_max_growth && !conf.has_max_share);
	ck_assert_int_eq(conf.allow_removed, -1);
	ck_assert_int_eq(conf.baseline_missing, VH_PCONF_MISSING_UNSET);
	vh_project_config__free(&conf);
	/* a bare file name: paths relative to the current folder */
	ck_assert_int_eq(vh_project_config__parse(&conf, "[project]\nprograms=.\n", 21,
						  "bpfgate.conf", NULL, errbuf,
						  sizeof(errbuf)),
			 0);
	ck_assert_str_eq(conf.programs, ".");
	vh_project_config__free(&conf);
}
END_TEST

START_TEST(test_match)
{
	struct vh_pconf_match m;

	ck_assert_int_eq(parse("[program \"tcp_*\"]\ncflags = -DA\nexpect = fail\n"
			       "[program \"tcp_conn\"]\ncflags = -DB\nexpect = pass\n"
			       "[program \"tcp_*:kp_*\"]\ntype = kprobe\nexpect = skip\n"
			       "[program \"udp\"]\nexclude = 1\n"),
			 0);
	ck_assert_int_eq(vh_project_config__match(&conf, "tcp_conn", NULL, &m), 0);
	ck_assert_str_eq(m.cflags, "-DA -DB");
	ck_assert_int_eq(m.expect, VH_PCONF_EXPECT_PASS); /* the last section wins */
	ck_assert_int_eq(m.exclude, -1);
	ck_assert_ptr_null(m.type);
	free(m.cflags);
	ck_assert_int_eq(vh_project_config__match(&conf, "tcp_x", "kp_open", &m), 0);
	ck_assert_str_eq(m.type, "kprobe");
	ck_assert_int_eq(m.expect, VH_PCONF_EXPECT_SKIP);
	ck_assert_str_eq(vh_pconf_expect__str(m.expect), "skip");
	free(m.cflags);
	ck_assert_int_eq(vh_project_config__match(&conf, "udp", NULL, &m), 0);
	ck_assert_int_eq(m.exclude, 1);
	ck_assert_ptr_null(m.cflags);
	ck_assert_int_eq(vh_project_config__match(&conf, "other", "f", &m), 0);
	ck_assert_int_eq(m.expect, VH_PCONF_EXPECT_UNSET);
	ck_assert_ptr_null(vh_pconf_expect__str(m.expect));
	vh_project_config__free(&conf);
}
END_TEST

START_TEST(test_errors_at_file_line)
{
	ck_refused("[project]\nnmae = x\n", "p/bpfgate.conf:2: nmae: unknown key in [project]");
	ck_refused("[projects]\n", "p/bpfgate.conf:1: projects: unknown section (one of project, "
				   "gate, build, program, test)");
	ck_refused("name = x\n", "p/bpfgate.conf:1: name: outside any section (start with [project])");
	ck_refused("[project]\nname = a\nname = b\n",
		   "p/bpfgate.conf:3: name: given twice in this section (first at line 2)");
	ck_refused("[gate]\n[project]\n[gate]\n",
		   "p/bpfgate.conf:3: gate: [gate] given twice (first at line 1)");
	ck_refused("[test \"a\"]\n[test \"a\"]\n",
		   "p/bpfgate.conf:2: test: [test \"a\"] given twice (first at line 1)");
	ck_refused("[program]\n", "p/bpfgate.conf:1: program: needs a name: [program \"GLOB\"]");
	ck_refused("[gate \"x\"]\n", "p/bpfgate.conf:1: gate: [gate] takes no name");
	ck_refused("[gate]\nmax_growth = 10.5x\n",
		   "p/bpfgate.conf:2: max_growth: '10.5x' is not a percentage from 0 to 1000%");
	ck_refused("[gate]\nmax_share = 101%\n",
		   "p/bpfgate.conf:2: max_share: '101%' is not a percentage from 0 to 100%");
	ck_refused("[gate]\nmax_share = -1\n",
		   "p/bpfgate.conf:2: max_share: '-1' is not a percentage from 0 to 100%");
	ck_refused("[gate]\nallow_removed = maybe\n",
		   "p/bpfgate.conf:2: allow_removed: 'maybe' is not true or false");
	ck_refused("[gate]\nbaseline_missing = ignore\n",
		   "p/bpfgate.conf:2: baseline_missing: 'ignore' is not error or warn");
	ck_refused("[program \"x\"]\nexpect = maybe\n",
		   "p/bpfgate.conf:2: expect: 'maybe' is not pass, fail or skip");
	ck_refused("[test \"t\"]\ntimeout = 0\n",
		   "p/bpfgate.conf:2: timeout: '0' is not a whole number of seconds from 1 to 86400");
	ck_refused("[test \"t\"]\ntimeout = 1.5\n",
		   "p/bpfgate.conf:2: timeout: '1.5' is not a whole number of seconds from 1 to 86400");
	ck_refused("[project]\nname =\n",
		   "p/bpfgate.conf:2: name: empty value (remove the line to leave it unset)");
	ck_refused("[project]\nname = a b\n",
		   "p/bpfgate.conf:2: name: 'a b': only letters, digits and . _ + - allowed");
	ck_refused("[project]\nname = \"abc\n", "p/bpfgate.conf:2: name: missing closing quote");
	ck_refused("[project]\nname = \"a\" b\n", "p/bpfgate.conf:2: name: text after the closing quote");
	ck_refused("[build]\ncflags = \"\\n\"\n",
		   "p/bpfgate.conf:2: cflags: only \\\" and \\\\ are escapes in a quoted value");
	ck_refused("[project]\nname = a\x01\n", "p/bpfgate.conf:2: control character 0x01");
	ck_refused("[build]\ncflags = -DX $(touch y)\n",
		   "p/bpfgate.conf:2: cflags: '-DX $(touch y)': the characters `$;&|<>()\\ are not "
		   "allowed in flags");
	ck_refused("[program \"a\"]\ncflags = \"-DA; rm x\"\n",
		   "p/bpfgate.conf:2: cflags: '-DA; rm x': the characters `$;&|<>()\\ are not "
		   "allowed in flags");
	ck_refused("[project\n", "p/bpfgate.conf:1: project: expected ']' to end the section header");
	ck_refused("[project]\njunk\n",
		   "p/bpfgate.conf:2: junk: expected '=' after the key");
	ck_refused("[project]\n= x\n",
		   "p/bpfgate.conf:2: expected 'key = value', a [section] or a comment");
	ck_refused("[project]\nkernels = 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 "
		   "23 24 25 26 27 28 29 30 31 32 33\n",
		   "p/bpfgate.conf:2: kernels: more than 32 entries");
}
END_TEST

START_TEST(test_paths_stay_inside)
{
	ck_refused("[project]\nprograms = /etc\n",
		   "p/bpfgate.conf:2: programs: '/etc' is absolute (paths are relative to the "
		   "folder of p/bpfgate.conf)");
	ck_refused("[project]\nbaseline = a/../../x\n",
		   "p/bpfgate.conf:2: baseline: 'a/../../x' leaves the folder of p/bpfgate.conf");
	ck_refused("[build]\nincludes = inc ../up\n",
		   "p/bpfgate.conf:2: includes: '../up' leaves the folder of p/bpfgate.conf");
	ck_refused("[project]\nprograms = a b\n",
		   "p/bpfgate.conf:2: programs: 'a b': blanks, quotes and the characters "
		   "`$;&|<>()\\ are not allowed in a path");
	ck_refused("[project]\nbaseline = \"a;rm\"\n",
		   "p/bpfgate.conf:2: baseline: 'a;rm': blanks, quotes and the characters "
		   "`$;&|<>()\\ are not allowed in a path");
	ck_refused("[build]\nincludes = $(HOME)\n",
		   "p/bpfgate.conf:2: includes: '$(HOME)': quotes and the characters `$;&|<>()\\ "
		   "are not allowed in a word");
	ck_refused("[build]\nincludes = inc `id`\n",
		   "p/bpfgate.conf:2: includes: '`id`': quotes and the characters `$;&|<>()\\ "
		   "are not allowed in a word");
	ck_assert_int_eq(parse("[project]\nprograms = a/b/../../c//d/.\n"), 0);
	ck_assert_str_eq(conf.programs, "p/c/d");
	vh_project_config__free(&conf);
	ck_assert_int_eq(parse("[project]\nprograms = ./\n"), 0);
	ck_assert_str_eq(conf.programs, "p");
	vh_project_config__free(&conf);
}
END_TEST

START_TEST(test_bounds)
{
	size_t big = VH_PCONF_MAX_BYTES + 1;
	char *text = malloc(big + 1), line[VH_PCONF_MAX_LINE + 16];
	char *many = malloc(40 * (VH_PCONF_MAX_TESTS + 1)), *w = many;

	memset(text, '#', big);
	text[big] = '\0';
	ck_assert_int_eq(vh_project_config__parse(&conf, text, big, "f", ".", errbuf,
						  sizeof(errbuf)),
			 -EINVAL);
	ck_assert_str_eq(errbuf, "f: larger than 65536 bytes");
	memset(line, '#', VH_PCONF_MAX_LINE + 1);
	line[VH_PCONF_MAX_LINE + 1] = '\0';
	ck_refused(line, "p/bpfgate.conf:1: longer than 1024 bytes");
	line[VH_PCONF_MAX_LINE] = '\0'; /* exactly at the limit: fine */
	ck_assert_int_eq(parse(line), 0);
	vh_project_config__free(&conf);
	for (int i = 0; i <= VH_PCONF_MAX_TESTS; i++)
		w += sprintf(w, "[test \"t%d\"]\n", i);
	ck_assert_int_eq(parse(many), -EINVAL);
	ck_assert_str_eq(errbuf, "p/bpfgate.conf:65: test: more than 64 [test] sections");
	ck_assert_int_eq(vh_project_config__parse(&conf, "[gate]\n\0x", 9, "f", ".", errbuf,
						  sizeof(errbuf)),
			 -EINVAL);
	ck_assert_str_eq(errbuf, "f:2: NUL byte");
	free(text);
	free(many);
}
END_TEST

START_TEST(test_load_file)
{
	char dir[] = "/tmp/bpfgate-pconf.XXXXXX", path[64];
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bpfgate.conf", dir);
	ck_assert_int_eq(vh_project_config__load(&conf, path, errbuf, sizeof(errbuf)), -ENOENT);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[project]\nprograms = bpf\n", f);
	fclose(f);
	ck_assert_int_eq(vh_project_config__load(&conf, path, errbuf, sizeof(errbuf)), 0);
	ck_assert_str_eq(conf.root, dir);
	ck_assert_str_eq(conf.path, path);
	ck_assert_int_eq(strncmp(conf.programs, dir, strlen(dir)), 0);
	ck_assert_str_eq(conf.programs + strlen(dir), "/bpf");
	vh_project_config__free(&conf);
	ck_assert_int_eq(vh_project_config__load(&conf, dir, errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_msg(strstr(errbuf, "not a regular file"), "%s", errbuf);
	/* a file over the limit is refused by its size */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	for (int i = 0; i <= VH_PCONF_MAX_BYTES; i++)
		fputc('#', f);
	fclose(f);
	ck_assert_int_eq(vh_project_config__load(&conf, path, errbuf, sizeof(errbuf)), -EINVAL);
	ck_assert_msg(strstr(errbuf, "bpfgate.conf: larger than 65536 bytes"), "%s", errbuf);
	unlink(path);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("project_config");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_full_file);
	tcase_add_test(tc, test_unset_values);
	tcase_add_test(tc, test_match);
	tcase_add_test(tc, test_errors_at_file_line);
	tcase_add_test(tc, test_paths_stay_inside);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_load_file);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
