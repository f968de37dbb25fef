// SPDX-License-Identifier: BSD-2-Clause
/* test_run_dir.c: run folders carry their owner; those of dead runs are removed. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run_dir.h"
#include "unit_main.h"

static char dir[64];

static void setup(void)
{
	vh_unit_dir_make(dir, sizeof(dir), "rundir");
}

static void teardown(void)
{
	vh_unit_dir_remove(dir);
}

/* dir/NAME as a folder with a file in it; its path in buf. */
static void make_run(char *buf, size_t len, const char *fmt, pid_t pid,
		     unsigned long long start)
{
	char name[128], file[300];
	FILE *f;

	snprintf(name, sizeof(name), fmt, (int)pid, start);
	snprintf(buf, len, "%s/%s", dir, name);
	ck_assert_int_eq(mkdir(buf, 0755), 0);
	snprintf(file, sizeof(file), "%s/console.log", buf);
	f = fopen(file, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
}

static bool exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

/* A pid that was in use a moment ago and is free now. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	int st;

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return pid;
}

START_TEST(test_start_time)
{
	unsigned long long mine = vh_run_dir__start_time(getpid());

	ck_assert_uint_gt(mine, 0);
	ck_assert_uint_eq(vh_run_dir__start_time(getpid()), mine);
	ck_assert_uint_eq(vh_run_dir__start_time(dead_pid()), 0);
}
END_TEST

START_TEST(test_only_dead_runs_removed)
{
	unsigned long long start = vh_run_dir__start_time(getpid());
	char dead[256], reused[256], live[256], other[256], odd[256], link[300];

	make_run(dead, sizeof(dead), "bpfgate-matrix.%d.%llu.AbCdEf", dead_pid(), start);
	/* this process's pid, but another start time: the pid was reused */
	make_run(reused, sizeof(reused), "bpfgate-matrix.%d.%llu.AbCdEf", getpid(), start + 1);
	make_run(live, sizeof(live), "bpfgate-matrix.%d.%llu.AbCdEf", getpid(), start);
	make_run(other, sizeof(other), "other-tool.%d.%llu.AbCdEf", dead_pid(), start);
	/* not of the pattern: left alone */
	make_run(odd, sizeof(odd), "bpfgate-matrix.%d.%llu", dead_pid(), start);
	/* a link named like a dead run is not followed */
	snprintf(link, sizeof(link), "%s/bpfgate-matrix.%d.1.XyZxYz", dir, (int)dead_pid());
	ck_assert_int_eq(symlink(live, link), 0);

	ck_assert_int_eq(vh_run_dir__remove_stale(dir, "bpfgate-matrix"), 2);
	ck_assert(!exists(dead));
	ck_assert(!exists(reused));
	ck_assert(exists(live));
	ck_assert(exists(other));
	ck_assert(exists(odd));
	ck_assert(exists(link));
}
END_TEST

START_TEST(test_make)
{
	char p[256], want[128];

	ck_assert_int_eq(setenv("TMPDIR", dir, 1), 0);
	ck_assert_int_eq(vh_run_dir__make("bpfgate-matrix", p, sizeof(p)), 0);
	snprintf(want, sizeof(want), "%s/bpfgate-matrix.%d.%llu.", dir, (int)getpid(),
		 vh_run_dir__start_time(getpid()));
	ck_assert_int_eq(strncmp(p, want, strlen(want)), 0);
	ck_assert(exists(p));
	/* a live run's folder survives the next run's clean-up */
	ck_assert_int_eq(vh_run_dir__remove_stale(dir, "bpfgate-matrix"), 0);
	ck_assert(exists(p));
	ck_assert_int_eq(vh_run_dir__make("bpfgate-matrix", p, 10), -ENAMETOOLONG);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("run_dir");
	TCase *tc = tcase_create("run_dir");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_start_time);
	tcase_add_test(tc, test_only_dead_runs_removed);
	tcase_add_test(tc, test_make);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return vh_unit_run(suite());
}
