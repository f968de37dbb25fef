// SPDX-License-Identifier: BSD-2-Clause
/* test_project_programs.c: a folder's programs, named as compiler/bpf.mk names them. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_util.h"
#include "project_programs.h"
#include "unit_main.h"

static char dir[] = "/tmp/bpfgate-progs.XXXXXX";

static void make_file(const char *rel)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static void make_dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

START_TEST(test_names)
{
	struct vh_program_list list;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* empty: no programs, no error */
	ck_assert_int_eq(vh_program_list__read(&list, dir), 0);
	ck_assert_uint_eq(list.n, 0);
	vh_program_list__free(&list);
	make_file("zeta.bpf.c");
	make_file("alpha.bpf.c");
	make_file("loader.c");	     /* not a BPF source */
	make_file(".bpf.c");	     /* no name */
	make_file(".hidden.bpf.c");  /* hidden */
	make_dir("multi");	     /* a program over several files */
	make_file("multi/a.bpf.c");
	make_file("multi/b.bpf.c");
	make_dir("zeta");	     /* zeta.bpf.c and zeta/: one program */
	make_file("zeta/x.bpf.c");
	make_dir("include");	     /* a folder without sources */
	make_file("include/vmlinux.h");
	ck_assert_int_eq(vh_program_list__read(&list, dir), 0);
	ck_assert_uint_eq(list.n, 3);
	ck_assert_str_eq(list.names[0], "alpha");
	ck_assert_str_eq(list.names[1], "multi");
	ck_assert_str_eq(list.names[2], "zeta");
	vh_program_list__free(&list);
	ck_assert_ptr_null(list.names);
	ck_assert_int_eq(vh_rm_rf(dir), 0);
	ck_assert_int_eq(vh_program_list__read(&list, dir), -ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("project_programs");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
