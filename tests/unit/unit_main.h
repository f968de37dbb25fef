/* SPDX-License-Identifier: BSD-2-Clause */
/* unit_main.h: what the unit tests share: the runner of main(), a fresh folder per test. */
#ifndef BPFGATE_UNIT_MAIN_H
#define BPFGATE_UNIT_MAIN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

#endif
