// SPDX-License-Identifier: BSD-2-Clause
/* test_func_test.c: functional test executables run for real and judged into result rows. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "func_test.h"
#include "unit_main.h"

static char dir[64];

static void setup(void)
{
	vh_unit_dir_make(dir, sizeof(dir), "func");
}

static void teardown(void)
{
	vh_unit_dir_remove(dir);
}

/* An executable shell script NAME with body; its path in a static buffer. */
static const char *script(const char *name, const char *body)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0755), 0);
	return path;
}

/* Run path; the one row it became. */
static struct vh_result *run(struct vh_result_set *set, const char *path, int timeout_s)
{
	struct vh_func_test_opts o = { .kernel = "6.18.0", .timeout_s = timeout_s };

	ck_assert_int_eq(vh_func_test__run(path, &o, set), 0);
	ck_assert_uint_eq(set->n, 1);
	return &set->v[0];
}

START_TEST(test_pass_row)
{
	struct vh_result_set set = {};
	const char *p = script("test_ok", "echo all good\nexit 0");
	struct vh_result *r = run(&set, p, 10);

	ck_assert_int_eq(r->verdict, VH_PASS);
	ck_assert_str_eq(r->kernel, "6.18.0");
	ck_assert_str_eq(r->object, p);
	ck_assert_str_eq(r->program, "test_ok");
	ck_assert_str_eq(r->section, "functional");
	ck_assert_str_eq(r->prog_type, "test");
	ck_assert_int_eq(r->kind, VH_KIND_TEST);
	ck_assert_int_eq(r->stats.insns_processed, VH_STAT_UNKNOWN);
	ck_assert_ptr_null(r->error);
	ck_assert_ptr_null(r->reason);
	vh_result_set__free(&set);
}
END_TEST

START_TEST(test_skip_reason_is_last_line)
{
	struct vh_result_set set = {};
	struct vh_result *r;

	r = run(&set, script("t", "echo probing\necho 'kernel lacks tp_btf (Invalid argument)'\n"
				  "echo\nexit 77"),
		10);
	ck_assert_int_eq(r->verdict, VH_SKIP);
	ck_assert_str_eq(r->reason, "kernel lacks tp_btf (Invalid argument)");
	vh_result_set__free(&set);

	r = run(&set, script("t", "exit 77"), 10);
	ck_assert_int_eq(r->verdict, VH_SKIP);
	ck_assert_str_eq(r->reason, "exited with 77 (skip) and printed no reason");
	vh_result_set__free(&set);
}
END_TEST

/* Check's output: the first failing assertion is the error, the end is the log tail. */
START_TEST(test_check_failure_line)
{
	struct vh_result_set set = {};
	struct vh_result *r;

	r = run(&set, script("t", "i=0; while [ $i -lt 30 ]; do echo line $i; i=$((i + 1)); done\n"
				  "echo 'Running suite(s): flow' >&2\n"
				  "echo '33%: Checks: 3, Failures: 1, Errors: 1'\n"
				  "echo 'tests/functional/test_flow.c:120:F:prog_test_run:test_rst:0: "
				  "Assertion '\\''m.flows == 0'\\'' failed: m.flows == 1, 0 == 0'\n"
				  "echo 'tests/functional/test_flow.c:99:E:prog_test_run:test_x:0: "
				  "(after this point) Received signal 11'\n"
				  "exit 1"),
		10);
	ck_assert_int_eq(r->verdict, VH_FAIL);
	ck_assert_str_eq(r->error, "tests/functional/test_flow.c:120:F:prog_test_run:test_rst:0: "
				   "Assertion 'm.flows == 0' failed: m.flows == 1, 0 == 0");
	ck_assert_ptr_nonnull(strstr(r->log_tail, "Received signal 11"));
	ck_assert_ptr_nonnull(strstr(r->log_tail, "Running suite(s): flow")); /* stderr too */
	ck_assert_ptr_null(strstr(r->log_tail, "line 5\n"));
	vh_result_set__free(&set);

	/* an error line alone counts as well */
	r = run(&set, script("t", "echo 'a.c:9:E:tc:t:0: (after this point) Test timeout expired'\n"
				  "echo '0%: Checks: 1, Failures: 0, Errors: 1'\nexit 1"),
		10);
	ck_assert_str_eq(r->error, "a.c:9:E:tc:t:0: (after this point) Test timeout expired");
	vh_result_set__free(&set);
}
END_TEST

START_TEST(test_other_failures)
{
	struct vh_result_set set = {};
	struct vh_result *r;

	r = run(&set, script("t", "echo first\necho 'cannot attach: No such device'\nexit 3"), 10);
	ck_assert_int_eq(r->verdict, VH_FAIL);
	ck_assert_str_eq(r->error, "cannot attach: No such device");
	vh_result_set__free(&set);

	r = run(&set, script("t", "exit 3"), 10);
	ck_assert_str_eq(r->error, "exited with 3");
	ck_assert_ptr_null(r->log_tail);
	vh_result_set__free(&set);

	r = run(&set, script("t", "echo crashing\nkill -SEGV $$"), 10);
	ck_assert_int_eq(r->verdict, VH_FAIL);
	ck_assert_str_eq(r->error, "killed by signal 11 (Segmentation fault)");
	ck_assert_str_eq(r->log_tail, "crashing");
	vh_result_set__free(&set);
}
END_TEST

/* A test that cannot be executed is a failing row that says why. */
START_TEST(test_exec_failure)
{
	struct vh_result_set set = {};
	char path[300];
	struct vh_result *r;

	snprintf(path, sizeof(path), "%s/missing_test", dir);
	r = run(&set, path, 10);
	ck_assert_int_eq(r->verdict, VH_FAIL);
	ck_assert_ptr_nonnull(strstr(r->error, "cannot execute: No such file or directory"));
	ck_assert_str_eq(r->program, "missing_test");
	vh_result_set__free(&set);
}
END_TEST

/* Running, as opposed to gone or a zombie waiting for init to reap it. */
static bool alive(pid_t pid)
{
	char path[64], buf[512], *paren;
	size_t n;
	FILE *f;

	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (!f)
			return false;
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		paren = strrchr(buf, ')');
		if (!paren || paren[1] != ' ' || paren[2] == 'Z' || paren[2] == 'X')
			return false;
		usleep(10 * 1000);
	}
	return true;
}

/* The deadline kills the test and everything it started. */
START_TEST(test_deadline)
{
	struct vh_result_set set = {};
	char body[512], pidfile[300];
	struct timespec a, b;
	struct vh_result *r;
	FILE *f;
	int pid = 0;

	snprintf(pidfile, sizeof(pidfile), "%s/pid", dir);
	snprintf(body, sizeof(body), "sleep 300 &\necho $! >'%s'\necho waiting\nwait", pidfile);
	clock_gettime(CLOCK_MONOTONIC, &a);
	r = run(&set, script("t", body), 1);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_eq(r->verdict, VH_FAIL);
	ck_assert_str_eq(r->error, "timed out after 1 s");
	ck_assert_str_eq(r->log_tail, "waiting");
	ck_assert_int_lt(b.tv_sec - a.tv_sec, 10);
	f = fopen(pidfile, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%d", &pid), 1);
	fclose(f);
	ck_assert_msg(!alive(pid), "the test's child %d outlived its deadline", pid);
	vh_result_set__free(&set);
}
END_TEST

/* Each test gets a network namespace of its own, loopback up; not when asked otherwise. */
START_TEST(test_fresh_netns)
{
	struct vh_func_test_opts o = { .kernel = "k", .timeout_s = 10 };
	struct vh_result_set set = {};
	char mine[128], body[512];
	ssize_t n;

	if (geteuid() || access("/sbin/ip", X_OK))
		return; /* unshare needs root; ip shows the flags */
	n = readlink("/proc/self/ns/net", mine, sizeof(mine) - 1);
	ck_assert_int_gt(n, 0);
	mine[n] = '\0';
	snprintf(body, sizeof(body),
		 "[ \"$(readlink /proc/self/ns/net)\" != '%s' ] || { echo same netns; exit 1; }\n"
		 "/sbin/ip -o link show lo | grep -q 'LOOPBACK,UP' || { echo lo down; exit 1; }\n"
		 "[ \"$(/sbin/ip -o link show | wc -l)\" = 1 ] || { echo more links; exit 1; }",
		 mine);
	ck_assert_int_eq(vh_func_test__run(script("t", body), &o, &set), 0);
	ck_assert_msg(set.v[0].verdict == VH_PASS, "%s", set.v[0].error);
	vh_result_set__free(&set);

	o.same_netns = true;
	snprintf(body, sizeof(body), "[ \"$(readlink /proc/self/ns/net)\" = '%s' ]", mine);
	ck_assert_int_eq(vh_func_test__run(script("t", body), &o, &set), 0);
	ck_assert_int_eq(set.v[0].verdict, VH_PASS);
	vh_result_set__free(&set);
}
END_TEST

START_TEST(test_is_dynamic)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	ck_assert_int_gt(n, 0);
	self[n] = '\0';
	/* this test binary links libcheck dynamically */
	ck_assert_int_eq(vh_func_test__is_dynamic(self), 1);
	ck_assert_int_eq(vh_func_test__is_dynamic(script("t", "exit 0")), 0);
	ck_assert_int_eq(vh_func_test__is_dynamic("/nonexistent/test"), -ENOENT);
	/* busybox-static is the static binary every matrix host has */
	if (!access("/bin/busybox", R_OK))
		ck_assert_int_eq(vh_func_test__is_dynamic("/bin/busybox"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("func_test");
	TCase *tc = tcase_create("run");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_pass_row);
	tcase_add_test(tc, test_skip_reason_is_last_line);
	tcase_add_test(tc, test_check_failure_line);
	tcase_add_test(tc, test_other_failures);
	tcase_add_test(tc, test_exec_failure);
	tcase_add_test(tc, test_deadline);
	tcase_add_test(tc, test_fresh_netns);
	tcase_add_test(tc, test_is_dynamic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vh_unit_run(suite());
}
