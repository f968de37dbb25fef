// SPDX-License-Identifier: BSD-2-Clause
/* test_reports.c: table and matrix layout, failure block, JUnit XML, Markdown, annotations. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report.h"
#include "verifier_log.h"
#include "unit_main.h"

static struct vh_result *add(struct vh_result_set *set, const char *kernel, const char *object,
			     const char *program, enum vh_verdict verdict, long insns)
{
	struct vh_result *r = vh_result_set__add(set);

	ck_assert_ptr_nonnull(r);
	r->kernel = strdup(kernel);
	r->object = strdup(object);
	r->program = strdup(program);
	r->prog_type = strdup("xdp");
	r->verdict = verdict;
	r->stats.insns_processed = insns;
	return r;
}

static void fail_fields(struct vh_result *r)
{
	r->error = strdup("R1 invalid mem access 'map_value_or_null'");
	r->error_class = strdup("invalid_mem_access");
	r->error_kind = strdup("program has a bug");
	r->source = strdup("progs/hello.bpf.c:42");
	r->source_text = strdup("return *val;");
	r->log_tail = strdup("3: (61) r0 = *(u32 *)(r0 +0)\nR1 invalid mem access 'map_value_or_null'\n");
}

/* one kernel, one object: a pass, a failure, a skip */
static void single(struct vh_result_set *set)
{
	struct vh_result *r;

	r = add(set, "6.18.0", "build/programs/hello.bpf.o", "xdp_pass", VH_PASS, 12);
	r->stats.total_states = 1;
	r->stats.verification_time_us = 17;
	r->stats.stack_depth = 8;
	r = add(set, "6.18.0", "build/programs/hello.bpf.o", "xdp_with_a_long_name", VH_FAIL,
		123456);
	fail_fields(r);
	r = add(set, "6.18.0", "build/programs/hello.bpf.o", "new", VH_SKIP, -1);
	r->reason = strdup("needs >= 7.0");
}

static char *capture_table(const struct vh_result_set *set, bool color)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vh_report__table(f, set, color);
	fclose(f);
	return buf;
}

/* the n-th line (0-based), copied */
static char *line_of(const char *text, int n)
{
	for (int i = 0; i < n && text; i++) {
		text = strchr(text, '\n');
		text = text ? text + 1 : NULL;
	}
	ck_assert_ptr_nonnull(text);
	return strndup(text, strcspn(text, "\n"));
}

static int col_of(const char *line, const char *word)
{
	const char *p = strstr(line, word);

	ck_assert_msg(p, "'%s' not in '%s'", word, line);
	return p - line;
}

START_TEST(test_table_alignment)
{
	struct vh_result_set set = {};
	char *out, *hdr, *l1, *l2, *l3;

	single(&set);
	out = capture_table(&set, false);
	hdr = line_of(out, 0);
	l1 = line_of(out, 1);
	l2 = line_of(out, 2);
	l3 = line_of(out, 3);
	ck_assert_str_eq(hdr, "PROGRAM               TYPE  VERDICT   INSNS  STATES  TIME(us)  STACK  "
			      "CLASS/ERROR");
	/* left-aligned text columns start where their header starts */
	ck_assert_int_eq(col_of(l1, "xdp "), col_of(hdr, "TYPE"));
	ck_assert_int_eq(col_of(l2, "xdp "), col_of(hdr, "TYPE"));
	ck_assert_int_eq(col_of(l2, "fail"), col_of(hdr, "VERDICT"));
	ck_assert_int_eq(col_of(l3, "skip"), col_of(hdr, "VERDICT"));
	/* numbers are right-aligned under their header's end */
	ck_assert_int_eq(col_of(l1, "12 ") + 2, col_of(hdr, "INSNS") + 5);
	ck_assert_int_eq(col_of(l2, "123456") + 6, col_of(hdr, "INSNS") + 5);
	ck_assert_int_eq(col_of(l1, "17 ") + 2, col_of(hdr, "TIME(us)") + 8);
	/* the last column says why */
	ck_assert_int_eq(col_of(l2, "invalid_mem_access"), col_of(hdr, "CLASS/ERROR"));
	ck_assert_int_eq(col_of(l3, "needs >= 7.0"), col_of(hdr, "CLASS/ERROR"));
	/* unknown statistics are "-" */
	ck_assert_int_eq(col_of(l3, "-"), col_of(hdr, "INSNS") + 4);
	ck_assert_str_eq(strstr(out, "3 programs"), "3 programs: 1 pass, 1 fail, 1 skip, 0 error\n");
	ck_assert_ptr_null(strchr(out, '\033'));
	free(hdr);
	free(l1);
	free(l2);
	free(l3);
	free(out);
	vh_result_set__free(&set);
}
END_TEST

START_TEST(test_table_color_and_objects)
{
	struct vh_result_set set = {};
	char *out;

	single(&set);
	add(&set, "6.18.0", "build/programs/other.bpf.o", "p", VH_ERROR, -1)->error =
		strdup("cannot open object");
	out = capture_table(&set, true);
	ck_assert_ptr_nonnull(strstr(out, "\033[31mfail"));
	ck_assert_ptr_nonnull(strstr(out, "\033[32mpass"));
	/* several objects: rows say which one */
	ck_assert_ptr_nonnull(strstr(out, "hello.bpf.o:xdp_pass "));
	ck_assert_ptr_nonnull(strstr(out, "other.bpf.o:p "));
	ck_assert_ptr_nonnull(strstr(out, "cannot open object\n"));
	ck_assert_ptr_nonnull(strstr(out, "4 programs: 1 pass, 1 fail, 1 skip, 1 error\n"));
	free(out);
	vh_result_set__free(&set);
}
END_TEST

/* Names from an untrusted result file cannot drive the terminal. */
START_TEST(test_table_hostile_names)
{
	struct vh_result_set set = {};
	char *out;

	add(&set, "6.18.0", "x.bpf.o", "evil\033]0;title\007\033[2J\xc2\x9b" "31m\nname\xff",
	    VH_PASS, 1);
	out = capture_table(&set, false);
	ck_assert_ptr_null(strchr(out, '\033'));
	ck_assert_ptr_null(strchr(out, '\007'));
	ck_assert_ptr_null(strstr(out, "\xc2\x9b"));
	ck_assert_ptr_nonnull(strstr(out, "evil?]0;title??[2J?31m name?"));
	free(out);
	vh_result_set__free(&set);
}
END_TEST

static void two_kernels(struct vh_result_set *set)
{
	struct vh_result *r;

	add(set, "5.10.0-32-amd64", "build/programs/hello.bpf.o", "xdp_pass", VH_PASS, 12);
	r = add(set, "5.10.0-32-amd64", "build/programs/hello.bpf.o", "on_connect", VH_FAIL, 5);
	fail_fields(r);
	free(r->error_class);
	r->error_class = strdup("unknown_helper");
	add(set, "6.12.117-amd64", "build/programs/hello.bpf.o", "xdp_pass", VH_PASS, 1234);
	add(set, "6.12.117-amd64", "build/programs/hello.bpf.o", "on_connect", VH_PASS, 99);
	add(set, "6.12.117-amd64", "build/programs/flow.bpf.o", "only_here", VH_SKIP, -1);
}

START_TEST(test_matrix)
{
	struct vh_result_set set = {};
	char *out, *hdr, *l1, *l2, *l3;

	two_kernels(&set);
	out = capture_table(&set, false);
	hdr = line_of(out, 0);
	l1 = line_of(out, 1);
	l2 = line_of(out, 2);
	l3 = line_of(out, 3);
	ck_assert_str_eq(hdr, "PROGRAM                 5.10.0-32-amd64      6.12.117-amd64");
	ck_assert_str_eq(l1, "hello.bpf.o:xdp_pass    pass 12              pass 1234");
	ck_assert_str_eq(l2, "hello.bpf.o:on_connect  fail unknown_helper  pass 99");
	ck_assert_str_eq(l3, "flow.bpf.o:only_here    -                    skip");
	ck_assert_str_eq(strstr(out, "5 results"),
			 "5 results (3 programs x 2 kernels): 3 pass, 1 fail, 1 skip, 0 error\n");
	free(hdr);
	free(l1);
	free(l2);
	free(l3);
	free(out);
	vh_result_set__free(&set);
}
END_TEST

START_TEST(test_failure_block)
{
	struct vh_result_set set = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	single(&set);
	set.v[1].expect = strdup("pass");
	vh_report__failure(f, &set.v[1], false);
	fclose(f);
	ck_assert_str_eq(buf,
		"prog 'xdp_with_a_long_name' (build/programs/hello.bpf.o, kernel 6.18.0): fail\n"
		"  error:   R1 invalid mem access 'map_value_or_null'\n"
		"  source:  progs/hello.bpf.c:42: return *val;\n"
		"  class:   invalid_mem_access (program has a bug)\n"
		"  expect:  pass\n"
		"  log tail:\n"
		"    3: (61) r0 = *(u32 *)(r0 +0)\n"
		"    R1 invalid mem access 'map_value_or_null'\n");
	free(buf);
	vh_result_set__free(&set);
}
END_TEST

static char tmpdir[256];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/bpfgate-reports-XXXXXX", getenv("TMPDIR") ?: "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char p[512];

	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, e->d_name);
		if (rmdir(p))
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* xmllint says whether the file is well-formed XML; 77 when it is not installed */
static int xmllint(const char *path)
{
	char cmd[600];

	if (system("command -v xmllint >/dev/null 2>&1"))
		return 77;
	snprintf(cmd, sizeof(cmd), "xmllint --noout '%s'", path);
	return system(cmd);
}

/*
 * Python's XML parser reads the file and checks the JUnit structure: one
 * testsuite per kernel whose counts are its testcases', every classname
 * "KERNEL.OBJECT" of its suite, the totals the sum of the suites.
 */
static const char junit_check_py[] =
	"import sys, xml.etree.ElementTree as ET\n"
	"root = ET.parse(sys.argv[1]).getroot()\n"
	"assert root.tag == 'testsuites', root.tag\n"
	"tot = dict(tests=0, failures=0, errors=0, skipped=0)\n"
	"names = []\n"
	"for s in root.findall('testsuite'):\n"
	"    k = s.get('name'); names.append(k)\n"
	"    cases = s.findall('testcase')\n"
	"    n = dict(tests=len(cases), failures=sum(len(c.findall('failure')) for c in cases),\n"
	"             errors=sum(len(c.findall('error')) for c in cases),\n"
	"             skipped=sum(len(c.findall('skipped')) for c in cases))\n"
	"    for key, v in n.items():\n"
	"        assert int(s.get(key)) == v, (k, key, s.get(key), v)\n"
	"        tot[key] += v\n"
	"    float(s.get('time'))\n"
	"    for c in cases:\n"
	"        assert c.get('classname').startswith(k + '.'), (k, c.get('classname'))\n"
	"        assert c.get('name'), c.attrib\n"
	"assert len(names) == len(set(names)), names\n"
	"for key, v in tot.items():\n"
	"    assert int(root.get(key)) == v, (key, root.get(key), v)\n";

/* 0 when the JUnit file passes junit_check_py, 77 without python3 */
static int junit_check(const char *path)
{
	char cmd[600];
	FILE *f;
	int rc;

	if (system("command -v python3 >/dev/null 2>&1"))
		return 77;
	snprintf(cmd, sizeof(cmd), "python3 - '%s'", path);
	f = popen(cmd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(junit_check_py, f);
	rc = pclose(f);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

START_TEST(test_junit)
{
	struct vh_result_set set = {};
	char path[512], *xml;
	struct vh_result *r;
	int lint;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/junit.xml", tmpdir);
	two_kernels(&set);
	r = add(&set, "6.12.117-amd64", "x&y<\".bpf.o", "p'q\x01\xff" "\xef\xbf\xbf", VH_ERROR, -1);
	r->error = strdup("oops ]]> <b>&amp;\n\x1b[31m");
	r->stats.verification_time_us = 1234567;
	ck_assert_int_eq(vh_report__junit(path, &set), 0);
	xml = vh_unit_slurp(path);
	lint = xmllint(path);
	ck_assert_msg(lint == 0 || lint == 77, "xmllint rejected:\n%s", xml);
	ck_assert_msg(junit_check(path) == 0, "not the JUnit structure:\n%s", xml);
	ck_assert(!strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 50));
	ck_assert_ptr_nonnull(strstr(xml, "<testsuites name=\"bpfgate\" tests=\"6\" failures=\"1\" "
					  "errors=\"1\" skipped=\"1\""));
	ck_assert_uint_eq(count(xml, "<testsuite "), 2);
	ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"5.10.0-32-amd64\" tests=\"2\" "
					  "failures=\"1\" errors=\"0\" skipped=\"0\""));
	ck_assert_uint_eq(count(xml, "<testcase "), 6);
	/* classname KERNEL.OBJECT; the message is the error line, the body where and why */
	ck_assert_ptr_nonnull(strstr(xml, "<testcase classname=\"5.10.0-32-amd64."
					  "build/programs/hello.bpf.o\" name=\"on_connect\">"));
	ck_assert_ptr_nonnull(strstr(xml, "<testcase classname=\"6.12.117-amd64."
					  "build/programs/hello.bpf.o\" name=\"on_connect\">"));
	ck_assert_ptr_nonnull(strstr(xml, "<failure message=\"R1 invalid mem access "
					  "&apos;map_value_or_null&apos;\" type=\"unknown_helper\">"
					  "source: progs/hello.bpf.c:42: return *val;\n"
					  "log tail:\n3: (61) r0 = *(u32 *)(r0 +0)\n"
					  "R1 invalid mem access 'map_value_or_null'\n</failure>"));
	/* statistics: only the known ones */
	ck_assert_ptr_nonnull(strstr(xml, "name=\"xdp_pass\">\n      <system-out>insns_processed=12"
					  "</system-out>\n    </testcase>"));
	ck_assert_ptr_nonnull(strstr(xml, "<skipped message=\"\"/>"));
	/* hostile names: escaped, control characters and non-characters replaced */
	ck_assert_ptr_nonnull(strstr(xml, "classname=\"6.12.117-amd64.x&amp;y&lt;&quot;.bpf.o\" "
					  "name=\"p&apos;q\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\" "
					  "time=\"1.234567\""));
	ck_assert_ptr_nonnull(strstr(xml, "<error message=\"oops ]]&gt; &lt;b&gt;&amp;amp;&#10;"
					  "\xef\xbf\xbd[31m\">"));
	ck_assert_ptr_null(strchr(xml, '\033'));
	free(xml);
	ck_assert_int_eq(vh_unit_count_entries(tmpdir), 1); /* no temp file left behind */
	remove_tmpdir();
	vh_result_set__free(&set);
}
END_TEST

/* No half file: when the file cannot be put in place, nothing is left. */
START_TEST(test_junit_atomic)
{
	struct vh_result_set set = {};
	char path[512];

	make_tmpdir();
	single(&set);
	snprintf(path, sizeof(path), "%s/no/such/dir/junit.xml", tmpdir);
	ck_assert_int_eq(vh_report__junit(path, &set), -ENOENT);
	/* the target is a directory: rename fails, the temp file is removed */
	snprintf(path, sizeof(path), "%s/taken", tmpdir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(vh_report__junit(path, &set), -EISDIR);
	ck_assert_int_eq(vh_unit_count_entries(tmpdir), 1);
	/* an existing report is replaced whole */
	snprintf(path, sizeof(path), "%s/junit.xml", tmpdir);
	ck_assert_int_eq(vh_report__junit(path, &set), 0);
	vh_result_set__free(&set);
	ck_assert_int_eq(vh_report__junit(path, &set), 0);
	{
		char *xml = vh_unit_slurp(path);

		ck_assert_ptr_nonnull(strstr(xml, "<testsuites name=\"bpfgate\" tests=\"0\""));
		ck_assert_ptr_null(strstr(xml, "<testcase"));
		free(xml);
	}
	ck_assert_int_eq(vh_unit_count_entries(tmpdir), 2);
	remove_tmpdir();
}
END_TEST

START_TEST(test_markdown)
{
	struct vh_result_set set = {};
	char path[512], *md;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/summary.md", tmpdir);
	single(&set);
	free(set.v[1].source_text);
	set.v[1].source_text = strdup("x = `a` ``` y;"); /* backticks need a longer fence */
	add(&set, "6.18.0", "build/programs/other.bpf.o", "a|b_<c>", VH_PASS, 5);
	ck_assert_int_eq(vh_report__markdown(path, &set, false), 0);
	md = vh_unit_slurp(path);
	ck_assert_ptr_nonnull(strstr(md, "| Program | Type | Verdict | Insns | States | Time (us) | "
					 "Stack | Class / error |\n| --- | --- | --- | ---: |"));
	ck_assert_ptr_nonnull(strstr(md, "| hello.bpf.o:xdp\\_pass | xdp | pass | 12 | 1 | 17 | 8 |  |\n"));
	ck_assert_ptr_nonnull(strstr(md, "| hello.bpf.o:xdp\\_with\\_a\\_long\\_name | xdp | **FAIL** | "
					 "123456 | - | - | - | invalid\\_mem\\_access |\n"));
	ck_assert_ptr_nonnull(strstr(md, "| other.bpf.o:a\\|b\\_\\<c\\> |"));
	ck_assert_ptr_nonnull(strstr(md, "**4 programs: 2 pass, 1 fail, 1 skip, 0 error**"));
	ck_assert_ptr_nonnull(strstr(md, "#### Failures\n"));
	ck_assert_ptr_nonnull(strstr(md, "- source: progs/hello.bpf.c:42\n"));
	ck_assert_ptr_nonnull(strstr(md, "\n````c\nx = `a` ``` y;\n````\n"));
	ck_assert_ptr_nonnull(strstr(md, "<details><summary>verifier log (tail)</summary>\n\n```\n3: (61)"));
	free(md);
	/* append: a second summary after the first (GITHUB_STEP_SUMMARY) */
	ck_assert_int_eq(vh_report__markdown(path, &set, true), 0);
	md = vh_unit_slurp(path);
	ck_assert_uint_eq(count(md, "### bpfgate verify\n"), 2);
	free(md);
	/* not append: replaced */
	ck_assert_int_eq(vh_report__markdown(path, &set, false), 0);
	md = vh_unit_slurp(path);
	ck_assert_uint_eq(count(md, "### bpfgate verify\n"), 1);
	free(md);
	ck_assert_int_eq(vh_unit_count_entries(tmpdir), 1);
	vh_result_set__free(&set);
	remove_tmpdir();
}
END_TEST

START_TEST(test_markdown_matrix)
{
	struct vh_result_set set = {};
	char path[512], *md;

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/summary.md", tmpdir);
	two_kernels(&set);
	ck_assert_int_eq(vh_report__markdown(path, &set, false), 0);
	md = vh_unit_slurp(path);
	ck_assert_ptr_nonnull(strstr(md, "| Program | 5.10.0-32-amd64 | 6.12.117-amd64 |\n"
					 "| --- | --- | --- |\n"
					 "| hello.bpf.o:xdp\\_pass | pass 12 | pass 1234 |\n"
					 "| hello.bpf.o:on\\_connect | **FAIL** unknown\\_helper | pass 99 |\n"
					 "| flow.bpf.o:only\\_here | - | skip |\n"));
	ck_assert_ptr_nonnull(strstr(md, "##### on\\_connect (hello.bpf.o, kernel 5.10.0-32-amd64): fail"));
	free(md);
	vh_result_set__free(&set);
	ck_assert_int_eq(vh_report__markdown("/nonexistent-dir/x.md", &set, true), -ENOENT);
	remove_tmpdir();
}
END_TEST

START_TEST(test_gh_annotations)
{
	struct vh_result_set set = {};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vh_result *r;

	single(&set);
	r = add(&set, "6.18.0", "o.bpf.o", "p,q", VH_ERROR, -1);
	r->error = strdup("100% broken\nsecond line");
	r = add(&set, "6.18.0", "o.bpf.o", "nofile", VH_FAIL, -1);
	r->source = strdup("no-line-number");
	vh_report__gh_annotations(f, &set);
	fclose(f);
	ck_assert_str_eq(buf,
		"::error file=progs/hello.bpf.c,line=42,title=bpfgate%3A xdp_with_a_long_name "
		"rejected on 6.18.0::R1 invalid mem access 'map_value_or_null' [invalid_mem_access]"
		"%0Areturn *val;\n"
		"::error title=bpfgate%3A p%2Cq not verified on 6.18.0::100%25 broken%0Asecond line\n"
		"::error title=bpfgate%3A nofile rejected on 6.18.0::fail\n");
	free(buf);
	vh_result_set__free(&set);
}
END_TEST

/* A verifier log cut at its size limit says so wherever it is shown. */
START_TEST(test_log_truncated)
{
	struct vh_result_set set = {};
	char path[512], *buf = NULL, *text;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	single(&set);
	set.v[1].log_truncated = true;
	vh_report__failure(f, &set.v[1], false);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "'map_value_or_null'\n  " VH_LOG_TRUNCATED_NOTE "\n"));
	free(buf);
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/junit.xml", tmpdir);
	ck_assert_int_eq(vh_report__junit(path, &set), 0);
	text = vh_unit_slurp(path);
	ck_assert_ptr_nonnull(strstr(text, "'map_value_or_null'\n" VH_LOG_TRUNCATED_NOTE
					   "\n</failure>"));
	ck_assert_uint_eq(count(text, VH_LOG_TRUNCATED_NOTE), 1);
	free(text);
	snprintf(path, sizeof(path), "%s/summary.md", tmpdir);
	ck_assert_int_eq(vh_report__markdown(path, &set, false), 0);
	text = vh_unit_slurp(path);
	ck_assert_ptr_nonnull(strstr(text, "</details>\n\n" VH_LOG_TRUNCATED_NOTE "\n"));
	free(text);
	/* not said of a whole log */
	set.v[1].log_truncated = false;
	ck_assert_int_eq(vh_report__junit(path, &set), 0);
	text = vh_unit_slurp(path);
	ck_assert_ptr_null(strstr(text, VH_LOG_TRUNCATED_NOTE));
	free(text);
	remove_tmpdir();
	vh_result_set__free(&set);
}
END_TEST

/*
 * A verifier log line and names with escape sequences (ESC, CSI as C1, DEL, a
 * bell, bytes that are not UTF-8): no terminal view lets one through, Markdown
 * escapes its table pipes and HTML, XML stays well-formed.
 */
START_TEST(test_hostile_log)
{
	static const char evil_log[] =
		"0: R1=ctx() R10=fp0\n"
		"; x = 1; @ evil.bpf.c:3\n"
		"1: (b7) r0 = 0\n"
		"R0 \033[2J\033]0;pwned\007 bad \xc2\x9b" "31m| <b>x</b> \x7f\xff\r\n"
		"processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 "
		"peak_states 0 mark_read 0\n";
	struct vh_result_set set = {};
	char path[512], *buf = NULL, *text;
	size_t len = 0;
	struct vh_result *r;
	FILE *f;

	r = add(&set, "6.18.0", "\033[31mred.bpf.o", "p", VH_FAIL, 2);
	r->error = vh_log__error_line(evil_log);
	r->log_tail = vh_log__tail(evil_log, 12);
	ck_assert_ptr_nonnull(r->error);
	ck_assert_ptr_nonnull(strchr(r->log_tail, '\033')); /* the raw text is kept */
	r->source_text = strdup("x = 1;\033[0m");
	f = open_memstream(&buf, &len);
	vh_report__table(f, &set, false);
	vh_report__failure(f, r, false);
	fclose(f);
	ck_assert_ptr_null(strchr(buf, '\033'));
	ck_assert_ptr_null(strchr(buf, '\007'));
	ck_assert_ptr_null(strchr(buf, '\r'));
	ck_assert_ptr_null(strchr(buf, 0x7f));
	ck_assert_ptr_null(strstr(buf, "\xc2\x9b"));
	ck_assert_ptr_nonnull(strstr(buf, "    R0 ?[2J?]0;pwned? bad ?31m| <b>x</b> ???\n"));
	free(buf);

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/summary.md", tmpdir);
	ck_assert_int_eq(vh_report__markdown(path, &set, false), 0);
	text = vh_unit_slurp(path);
	ck_assert_ptr_null(strchr(text, '\033'));
	ck_assert_ptr_null(strstr(text, "\xc2\x9b"));
	ck_assert_ptr_nonnull(strstr(text, "- error: R0 ?\\[2J?\\]0;pwned? bad ?31m\\| \\<b\\>x\\</b\\>"));
	free(text);
	snprintf(path, sizeof(path), "%s/junit.xml", tmpdir);
	ck_assert_int_eq(vh_report__junit(path, &set), 0);
	text = vh_unit_slurp(path);
	ck_assert_ptr_null(strchr(text, '\033'));
	ck_assert_msg(junit_check(path) == 0, "not well-formed JUnit:\n%s", text);
	free(text);
	remove_tmpdir();
	vh_result_set__free(&set);
}
END_TEST

START_TEST(test_helpers)
{
	ck_assert_str_eq(vh_report__basename("a/b/c.bpf.o"), "c.bpf.o");
	ck_assert_str_eq(vh_report__basename("c.bpf.o"), "c.bpf.o");
	ck_assert_str_eq(vh_report__basename(NULL), "");
	ck_assert_uint_eq(vh_report__width("caf\xc3\xa9"), 4);
	ck_assert_uint_eq(vh_report__width("\xff\x1b"), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("reports");
	TCase *table = tcase_create("table"), *files = tcase_create("files");

	tcase_add_test(table, test_table_alignment);
	tcase_add_test(table, test_table_color_and_objects);
	tcase_add_test(table, test_table_hostile_names);
	tcase_add_test(table, test_matrix);
	tcase_add_test(table, test_failure_block);
	tcase_add_test(table, test_helpers);
	/* the XML checks start python3: slow on a loaded machine */
	tcase_set_timeout(files, 120);
	tcase_add_test(files, test_junit);
	tcase_add_test(files, test_junit_atomic);
	tcase_add_test(files, test_markdown);
	tcase_add_test(files, test_markdown_matrix);
	tcase_add_test(files, test_gh_annotations);
	tcase_add_test(files, test_log_truncated);
	tcase_add_test(files, test_hostile_log);
	suite_add_tcase(s, table);
	suite_add_tcase(s, files);
	return vh_unit_run(s);
}
