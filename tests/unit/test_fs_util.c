// SPDX-License-Identifier: BSD-2-Clause
/* test_fs_util.c: reading whole files (regular, at and over a limit, pipes, folders), mkdir -p, rm -rf. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_util.h"
#include "unit_main.h"

START_TEST(test_read_file_limits)
{
	char *buf = NULL;
	size_t len = 0;

	vh_unit_write_file(vh_unit_path("f"), "hello", 5);
	ck_assert_int_eq(vh_read_file(vh_unit_path("f"), 5, &buf, &len), 0);
	ck_assert_uint_eq(len, 5);
	ck_assert_str_eq(buf, "hello");
	free(buf);
	ck_assert_int_eq(vh_read_file(vh_unit_path("f"), 4, &buf, &len), -EFBIG);
	ck_assert_int_eq(vh_read_file(vh_unit_path("f"), 0, &buf, &len), 0);
	free(buf);
	ck_assert_int_eq(vh_read_file(vh_unit_path("missing"), 0, &buf, &len), -ENOENT);
	ck_assert_int_eq(vh_read_file(vh_unit_tmpdir, 0, &buf, &len), -EISDIR);
	/* empty, and a file that says it has no size (procfs) */
	vh_unit_write_file(vh_unit_path("empty"), "", 0);
	ck_assert_int_eq(vh_read_file(vh_unit_path("empty"), 0, &buf, &len), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(buf, "");
	free(buf);
	ck_assert_int_eq(vh_read_file("/proc/self/stat", 0, &buf, &len), 0);
	ck_assert_uint_gt(len, 10);
	ck_assert_uint_eq(strlen(buf), len);
	free(buf);
	/* the last bytes of a file */
	ck_assert_int_eq(vh_read_file_end(vh_unit_path("f"), 3, &buf, &len), 0);
	ck_assert_str_eq(buf, "llo");
	free(buf);
}
END_TEST

/* A pipe has no size: read to its end, and refused once past the limit. */
START_TEST(test_read_fd_pipe)
{
	static char data[100000];
	char *buf = NULL;
	size_t len = 0;
	int fds[2];

	memset(data, 'x', sizeof(data));
	for (int limit = 0; limit < 2; limit++) {
		ck_assert_int_eq(pipe(fds), 0);
		if (fork() == 0) {
			close(fds[0]);
			_exit(write(fds[1], data, sizeof(data)) != sizeof(data));
		}
		close(fds[1]);
		if (limit) {
			ck_assert_int_eq(vh_read_fd(fds[0], sizeof(data) - 1, &buf, &len), -EFBIG);
		} else {
			ck_assert_int_eq(vh_read_fd(fds[0], sizeof(data), &buf, &len), 0);
			ck_assert_uint_eq(len, sizeof(data));
			ck_assert_int_eq(memcmp(buf, data, len), 0);
			free(buf);
		}
		close(fds[0]);
	}
}
END_TEST

START_TEST(test_mkdir_rm)
{
	struct stat st;

	ck_assert_int_eq(vh_mkdir_p(vh_unit_path("a/b/c"), 0700), 0);
	ck_assert_int_eq(vh_mkdir_p(vh_unit_path("a/b/c"), 0700), 0);
	vh_unit_write_file(vh_unit_path("a/b/c/f"), "x", 1);
	ck_assert_int_eq(symlink("/", vh_unit_path("a/link")), 0);
	ck_assert_int_eq(vh_rm_rf(vh_unit_path("a")), 0);
	ck_assert_int_ne(stat(vh_unit_path("a"), &st), 0);
	ck_assert_int_eq(stat("/", &st), 0);
}
END_TEST

static void setup(void)
{
	vh_unit_dir_make(vh_unit_tmpdir, sizeof(vh_unit_tmpdir), "fs_util");
}

static void teardown(void)
{
	vh_unit_dir_remove(vh_unit_tmpdir);
}

int main(void)
{
	Suite *s = suite_create("fs_util");
	TCase *tc = tcase_create("files");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_read_file_limits);
	tcase_add_test(tc, test_read_fd_pipe);
	tcase_add_test(tc, test_mkdir_rm);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
