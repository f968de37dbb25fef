// SPDX-License-Identifier: BSD-2-Clause
/* test_expect.c: expectations and program types read from real objects' BTF. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>

#include "expect.h"
#include "prog_type.h"
#include "unit_main.h"

/* BTF of one of the harness's test objects (built by `make test-bpf`). */
static struct btf *test_btf(const char *name)
{
	const char *o = getenv("O") ?: "build";
	char path[4096];
	struct btf *btf;

	snprintf(path, sizeof(path), "%s/tests/programs/%s.bpf.o", o, name);
	btf = btf__parse_elf(path, NULL);
	ck_assert_msg(btf != NULL, "btf__parse_elf(%s) failed: run make test-bpf", path);
	return btf;
}

START_TEST(test_failure_and_msg)
{
	struct btf *btf = test_btf("rejects_null_deref");
	struct vh_expect e;

	vh_expect__read(btf, "rejects_null_deref", &e);
	ck_assert_msg(e.must_fail, "__failure read as must_fail");
	ck_assert_int_eq(e.nmsgs, 1);
	ck_assert_str_eq(e.msgs[0], "invalid mem access 'map_value_or_null'");
	ck_assert_ptr_null(e.min_kernel);
	btf__free(btf);
}
END_TEST

START_TEST(test_min_kernel_per_function)
{
	struct btf *btf = test_btf("needs_future");
	struct vh_expect e;

	vh_expect__read(btf, "needs_future", &e);
	ck_assert_str_eq(e.min_kernel, "99.0");
	ck_assert_str_eq(e.min_kernel_reason, "uses a helper from the future");
	ck_assert_msg(!e.must_fail, "no __failure on needs_future");
	/* the tags of one function do not leak to another */
	vh_expect__read(btf, "passes_below_min", &e);
	ck_assert_str_eq(e.min_kernel, "99.0");
	ck_assert_ptr_null(e.min_kernel_reason);
	vh_expect__read(btf, "no_such_function", &e);
	ck_assert_ptr_null(e.min_kernel);
	btf__free(btf);
}
END_TEST

START_TEST(test_success_is_default)
{
	struct btf *btf = test_btf("ok_counter");
	struct vh_expect e;

	vh_expect__read(btf, "ok_counter", &e);
	ck_assert_msg(!e.must_fail, "__success means must pass");
	ck_assert_int_eq(e.nmsgs, 0);
	vh_expect__read(NULL, "ok_counter", &e);
	ck_assert_msg(!e.must_fail && !e.min_kernel, "no BTF: no expectations");
	btf__free(btf);
}
END_TEST

START_TEST(test_guess_from_context)
{
	struct btf *btf = test_btf("guessed_type");
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	const char *why = NULL;

	ck_assert_int_eq(vh_prog_type__guess(btf, "guessed_type", &type, &attach, &why), 0);
	ck_assert_int_eq(type, BPF_PROG_TYPE_XDP);
	ck_assert_str_eq(why, "xdp_md");
	ck_assert_int_ne(vh_prog_type__guess(btf, "missing", &type, &attach, &why), 0);
	btf__free(btf);
}
END_TEST

START_TEST(test_type_from_name)
{
	enum bpf_prog_type type;
	enum bpf_attach_type attach;

	ck_assert_int_eq(vh_prog_type__from_name("xdp", &type, &attach), 0);
	ck_assert_int_eq(type, BPF_PROG_TYPE_XDP);
	ck_assert_int_eq(vh_prog_type__from_name("tc", &type, &attach), 0);
	ck_assert_int_eq(type, BPF_PROG_TYPE_SCHED_CLS);
	ck_assert_int_eq(vh_prog_type__from_name("sched_cls", &type, &attach), 0);
	ck_assert_int_eq(type, BPF_PROG_TYPE_SCHED_CLS);
	ck_assert_int_eq(vh_prog_type__from_name("cgroup/connect4", &type, &attach), 0);
	ck_assert_int_eq(type, BPF_PROG_TYPE_CGROUP_SOCK_ADDR);
	ck_assert_int_eq(attach, BPF_CGROUP_INET4_CONNECT);
	ck_assert_int_eq(vh_prog_type__from_name("kprobe", &type, &attach), 0);
	ck_assert_int_eq(type, BPF_PROG_TYPE_KPROBE);
	ck_assert_int_ne(vh_prog_type__from_name("no-such-type", &type, &attach), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("expect");
	TCase *tc = tcase_create("btf_tags");

	tcase_add_test(tc, test_failure_and_msg);
	tcase_add_test(tc, test_min_kernel_per_function);
	tcase_add_test(tc, test_success_is_default);
	tcase_add_test(tc, test_guess_from_context);
	tcase_add_test(tc, test_type_from_name);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
