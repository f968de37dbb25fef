// SPDX-License-Identifier: BSD-2-Clause
/* test_out_file.c: output files are replaced atomically, written through, or fail cleanly. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "out_file.h"
#include "unit_main.h"

static char dir[256];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "%s/bpfgate-out-XXXXXX", getenv("TMPDIR") ?: "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static char *at(const char *name)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static char *get(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_msg(f, "open %s", path);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int write_text(const char *path, enum vh_out_mode mode, const char *text)
{
	struct vh_out_file of;
	int err = vh_out_file__open(&of, path, mode);

	if (err)
		return err;
	fputs(text, of.f);
	return vh_out_file__commit(&of);
}

START_TEST(test_new_and_replaced)
{
	struct vh_out_file of;
	struct stat st;
	mode_t old = umask(027);

	/* a new file: 0666 minus the umask */
	ck_assert_int_eq(write_text(at("r.xml"), VH_OUT_REPLACE, "one\n"), 0);
	ck_assert_int_eq(stat(at("r.xml"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0640);
	ck_assert_str_eq(get(at("r.xml")), "one\n");
	/* replaced whole, keeping its mode */
	ck_assert_int_eq(chmod(at("r.xml"), 0604), 0);
	ck_assert_int_eq(write_text(at("r.xml"), VH_OUT_REPLACE, "two\n"), 0);
	ck_assert_int_eq(stat(at("r.xml"), &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0604);
	ck_assert_str_eq(get(at("r.xml")), "two\n");
	/* until commit the old file is untouched; abort leaves it and nothing else */
	ck_assert_int_eq(vh_out_file__open(&of, at("r.xml"), VH_OUT_REPLACE), 0);
	fputs("three\n", of.f);
	fflush(of.f);
	ck_assert_str_eq(get(at("r.xml")), "two\n");
	ck_assert_int_eq(vh_unit_count_entries(dir), 2);
	vh_out_file__abort(&of);
	ck_assert_str_eq(get(at("r.xml")), "two\n");
	ck_assert_int_eq(vh_unit_count_entries(dir), 1);
	umask(old);
}
END_TEST

START_TEST(test_symlinks_followed)
{
	struct stat st;

	/* a link to a file: the file is replaced, the link stays a link */
	put(at("target.xml"), "old\n");
	ck_assert_int_eq(symlink("target.xml", at("link.xml")), 0);
	ck_assert_int_eq(write_text(at("link.xml"), VH_OUT_REPLACE, "new\n"), 0);
	ck_assert_int_eq(lstat(at("link.xml"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(get(at("target.xml")), "new\n");
	/* a chain, and a dangling link: its target is created */
	ck_assert_int_eq(symlink("link.xml", at("chain.xml")), 0);
	ck_assert_int_eq(write_text(at("chain.xml"), VH_OUT_REPLACE, "chain\n"), 0);
	ck_assert_str_eq(get(at("target.xml")), "chain\n");
	ck_assert_int_eq(symlink(at("made.xml"), at("dangling.xml")), 0);
	ck_assert_int_eq(write_text(at("dangling.xml"), VH_OUT_REPLACE, "made\n"), 0);
	ck_assert_int_eq(lstat(at("dangling.xml"), &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
	ck_assert_str_eq(get(at("made.xml")), "made\n");
	/* a loop is an error */
	ck_assert_int_eq(symlink("loop2", at("loop1")), 0);
	ck_assert_int_eq(symlink("loop1", at("loop2")), 0);
	ck_assert_int_eq(write_text(at("loop1"), VH_OUT_REPLACE, "x"), -ELOOP);
	ck_assert_int_eq(vh_unit_count_entries(dir), 7);
}
END_TEST

START_TEST(test_written_through)
{
	char buf[64] = "";
	struct stat st;
	int rd;

	/* a FIFO stays a FIFO: its reader gets the text */
	ck_assert_int_eq(mkfifo(at("fifo"), 0600), 0);
	rd = open(at("fifo"), O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rd, 0);
	ck_assert_int_eq(write_text(at("fifo"), VH_OUT_REPLACE, "through\n"), 0);
	ck_assert_int_eq(read(rd, buf, sizeof(buf) - 1), 8);
	ck_assert_str_eq(buf, "through\n");
	close(rd);
	ck_assert_int_eq(lstat(at("fifo"), &st), 0);
	ck_assert(S_ISFIFO(st.st_mode));
	/* a device (a null device made here) stays a device */
	if (mknod(at("null"), S_IFCHR | 0666, makedev(1, 3)) == 0) {
		ck_assert_int_eq(write_text(at("null"), VH_OUT_REPLACE, "gone\n"), 0);
		ck_assert_int_eq(lstat(at("null"), &st), 0);
		ck_assert(S_ISCHR(st.st_mode));
	}
	/* a directory is not written to */
	ck_assert_int_eq(mkdir(at("d"), 0700), 0);
	ck_assert_int_eq(write_text(at("d"), VH_OUT_REPLACE, "x"), -EISDIR);
	ck_assert_int_eq(write_text(at("no/such/file"), VH_OUT_REPLACE, "x"), -ENOENT);
	ck_assert_int_le(vh_unit_count_entries(dir), 3);
}
END_TEST

/* A full device: the cause is kept (not a bare EIO), nothing is left behind. */
START_TEST(test_full)
{
	struct vh_out_file of;
	struct stat st;

	if (mknod(at("full"), S_IFCHR | 0666, makedev(1, 7)))
		return; /* not root: the e2e test covers /dev/full */
	ck_assert_int_eq(write_text(at("full"), VH_OUT_REPLACE, "x\n"), -ENOSPC);
	ck_assert_int_eq(write_text(at("full"), VH_OUT_APPEND, "x\n"), -ENOSPC);
	ck_assert_int_eq(lstat(at("full"), &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	/* a big text fails while it is written; the error is still the first cause */
	ck_assert_int_eq(vh_out_file__open(&of, at("full"), VH_OUT_REPLACE), 0);
	for (int i = 0; i < 10000; i++)
		fputs("0123456789", of.f);
	ck_assert_int_eq(vh_out_file__commit(&of), -ENOSPC);
	ck_assert_int_eq(vh_unit_count_entries(dir), 1);
}
END_TEST

START_TEST(test_append)
{
	ck_assert_int_eq(write_text(at("summary.md"), VH_OUT_APPEND, "a\n"), 0);
	ck_assert_int_eq(write_text(at("summary.md"), VH_OUT_APPEND, "b\n"), 0);
	ck_assert_str_eq(get(at("summary.md")), "a\nb\n");
	ck_assert_int_eq(write_text(at("no/such.md"), VH_OUT_APPEND, "x"), -ENOENT);
	ck_assert_int_eq(vh_unit_count_entries(dir), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("out_file");
	TCase *tc = tcase_create("out_file");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_new_and_replaced);
	tcase_add_test(tc, test_symlinks_followed);
	tcase_add_test(tc, test_written_through);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_append);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
