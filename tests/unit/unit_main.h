/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit_main.h: what the unit tests share: the runner of main(), a fresh folder per
 * test, the files of the source tree, and result sets as JSON text.
 */
#ifndef BPFGATE_UNIT_MAIN_H
#define BPFGATE_UNIT_MAIN_H

#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_util.h"
#include "result_json.h"

/* Run every test of s; the exit status of the test program. */
static inline int vh_unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}

/* A new folder /tmp/bpfgate-test-NAME.XXXXXX into dir (a checked fixture's setup). */
static inline void vh_unit_dir_make(char *dir, size_t len, const char *name)
{
	snprintf(dir, len, "/tmp/bpfgate-test-%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Remove it and all it holds, from outside it (its teardown). */
static inline void vh_unit_dir_remove(const char *dir)
{
	char cmd[4200];

	ck_assert_int_eq(chdir("/"), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The scratch folder of a test that uses the two below (its fixture makes it). */
static char vh_unit_tmpdir[128] __attribute__((unused));

/* NAME in the scratch folder (four at a time stay valid). */
static inline const char *vh_unit_path(const char *name)
{
	static char p[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", vh_unit_tmpdir, name);
	return p[i];
}

/* Write len bytes of data to path, or fail the test. */
static inline void vh_unit_write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	ck_assert_msg(f, "fopen %s", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Entries of folder dir, hidden ones (temp files ".NAME.XXXXXX") included. */
static inline int vh_unit_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

/* REL (a path in the source tree) from where the tests run ($TOP); caller frees. */
static inline char *vh_unit_top_path(const char *rel)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", getenv("TOP") ?: ".", rel), 0);
	return p;
}

/* The whole file at path (NUL-terminated; caller frees), or fail the test. */
static inline char *vh_unit_slurp(const char *path)
{
	char *buf = NULL;
	size_t n;

	ck_assert_msg(vh_read_file(path, 0, &buf, &n) == 0, "read %s", path);
	return buf;
}

/* The whole file REL of the source tree, or fail the test. */
static inline char *vh_unit_slurp_top(const char *rel)
{
	char *path = vh_unit_top_path(rel), *buf = vh_unit_slurp(path);

	free(path);
	return buf;
}

/* set as the JSON vh_result_set__write_json writes (caller frees). */
static inline char *vh_unit_result_json(const struct vh_result_set *set, bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(vh_result_set__write_json(f, set, pretty), 0);
	fclose(f);
	return buf;
}

#endif
