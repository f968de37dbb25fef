// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_core_btf.c: the per-object subset of the kernel BTF relocates every
 * program to exactly the instructions the whole kernel BTF gives.
 *
 * Each program of the project's objects and of tests/bpf/core_kinds.bpf.c (one
 * CO-RE relocation of each kind) is loaded twice on the running kernel, alone,
 * with the subset and with the whole kernel BTF, and the instructions libbpf
 * loaded are compared. Needs root and a kernel with BTF.
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "core_btf.h"
#include "unit_main.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

static const char *out_dir(void)
{
	return getenv("O") ?: "build";
}

static bool can_load(void)
{
	if (geteuid() != 0 || access(VMLINUX, R_OK)) {
		printf("test_core_btf: needs root and /sys/kernel/btf/vmlinux; not run\n");
		return false;
	}
	return true;
}

struct loaded {
	struct bpf_insn *insns;
	size_t cnt;
	int err;
};

/* Load prog of obj alone with btf_custom_path = btf; keep the instructions. */
static void load_alone(const char *obj, const char *prog, const char *btf, struct loaded *out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf);
	struct bpf_object *o = bpf_object__open_file(obj, &opts);
	struct bpf_program *p, *mine = NULL;
	struct bpf_map *m;
	/* zeroed: valgrind cannot see the kernel write a failure's log */
	static char log[1 << 20];

	ck_assert_msg(o != NULL, "cannot open %s", obj);
	bpf_object__for_each_program(p, o) {
		bool me = !strcmp(bpf_program__name(p), prog);

		bpf_program__set_autoload(p, me);
		if (me)
			mine = p;
	}
	bpf_object__for_each_map(m, o)
		bpf_map__set_pin_path(m, NULL);
	ck_assert_ptr_nonnull(mine);
	memset(log, 0, sizeof(log));
	bpf_program__set_log_buf(mine, log, sizeof(log));
	out->err = bpf_object__load(o);
	out->cnt = bpf_program__insn_cnt(mine);
	out->insns = calloc(out->cnt ?: 1, sizeof(*out->insns));
	ck_assert_ptr_nonnull(out->insns);
	if (out->cnt)
		memcpy(out->insns, bpf_program__insns(mine), out->cnt * sizeof(*out->insns));
	bpf_object__close(o);
}

/* File descriptors in ld_imm64 (maps, BTF objects) differ between two loads. */
static void forget_fds(struct loaded *l)
{
	for (size_t i = 0; i + 1 < l->cnt; i++) {
		struct bpf_insn *in = &l->insns[i];

		if (in->code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		if (in->src_reg == BPF_PSEUDO_MAP_FD || in->src_reg == BPF_PSEUDO_MAP_VALUE)
			in->imm = 0;
		if (in->src_reg == BPF_PSEUDO_BTF_ID)
			in[1].imm = 0;
		i++;
	}
}

/* Every program of obj: the same instructions either way. Returns how many. */
static int compare_object(struct vh_core_btf *cb, const char *obj)
{
	struct bpf_object *o = bpf_object__open_file(obj, NULL);
	struct bpf_program *p;
	int n = 0;

	ck_assert_msg(o != NULL, "cannot open %s (run make and make test-bpf)", obj);
	bpf_object__for_each_program(p, o) {
		const char *name = bpf_program__name(p);
		const char *sub = vh_core_btf__path_for(cb, obj);
		struct loaded a = { 0 }, b = { 0 };

		load_alone(obj, name, sub, &a);
		load_alone(obj, name, VMLINUX, &b);
		forget_fds(&a);
		forget_fds(&b);
		ck_assert_msg(a.err == b.err, "%s:%s: load %d with the subset, %d without", obj,
			      name, a.err, b.err);
		ck_assert_msg(a.cnt == b.cnt, "%s:%s: %zu instructions with the subset, %zu without",
			      obj, name, a.cnt, b.cnt);
		for (size_t i = 0; i < a.cnt; i++)
			ck_assert_msg(!memcmp(&a.insns[i], &b.insns[i], sizeof(a.insns[i])),
				      "%s:%s: instruction %zu differs (imm %d vs %d)", obj, name, i,
				      a.insns[i].imm, b.insns[i].imm);
		free(a.insns);
		free(b.insns);
		n++;
	}
	bpf_object__close(o);
	return n;
}

START_TEST(test_same_instructions)
{
	struct vh_core_btf *cb;
	char pattern[4096], obj[4096];
	glob_t g = { 0 };
	int n = 0;

	if (!can_load())
		return;
	ck_assert_int_eq(vh_core_btf__open(NULL, &cb), 0);
	snprintf(pattern, sizeof(pattern), "%s/programs/*.bpf.o", out_dir());
	ck_assert_int_eq(glob(pattern, 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++)
		n += compare_object(cb, g.gl_pathv[i]);
	globfree(&g);
	snprintf(obj, sizeof(obj), "%s/tests/programs/core_kinds.bpf.o", out_dir());
	n += compare_object(cb, obj);
	ck_assert_int_ge(n, 10);
	vh_core_btf__free(cb);
}
END_TEST

START_TEST(test_subset_is_small)
{
	struct vh_core_btf *cb;
	struct stat sub, whole;
	char obj[4096];
	const char *path;

	if (!can_load())
		return;
	ck_assert_int_eq(vh_core_btf__open(NULL, &cb), 0);
	snprintf(obj, sizeof(obj), "%s/tests/programs/core_kinds.bpf.o", out_dir());
	path = vh_core_btf__path_for(cb, obj);
	ck_assert_ptr_nonnull(path);
	ck_assert_msg(!strncmp(path, "/proc/self/fd/", 14), "a subset, not %s", path);
	/* asked again for the same object: the same answer, not a new subset */
	ck_assert_str_eq(vh_core_btf__path_for(cb, obj), path);
	/* a subset: libbpf needs no more of the kernel BTF for its relocations */
	ck_assert(!vh_core_btf__needs_whole_kernel(cb));
	ck_assert_int_eq(stat(path, &sub), 0);
	ck_assert_int_eq(stat(VMLINUX, &whole), 0);
	/* type relocations on task_struct: all it points to, transitively */
	ck_assert_msg(sub.st_size > 0 && sub.st_size * 5 < whole.st_size,
		      "subset of %lld bytes for %lld of kernel BTF", (long long)sub.st_size,
		      (long long)whole.st_size);
	/* field relocations only: the structures behind pointers stay out */
	snprintf(obj, sizeof(obj), "%s/programs/flow.bpf.o", out_dir());
	path = vh_core_btf__path_for(cb, obj);
	ck_assert_int_eq(stat(path, &sub), 0);
	ck_assert_msg(sub.st_size > 0 && sub.st_size * 500 < whole.st_size,
		      "subset of %lld bytes for %lld of kernel BTF", (long long)sub.st_size,
		      (long long)whole.st_size);
	vh_core_btf__free(cb);
}
END_TEST

START_TEST(test_type_id_gets_whole_btf)
{
	struct vh_core_btf *cb;
	char obj[4096];

	if (!can_load())
		return;
	snprintf(obj, sizeof(obj), "%s/tests/programs/core_type_id.bpf.o", out_dir());
	/* the running kernel: libbpf's own search */
	ck_assert_int_eq(vh_core_btf__open(NULL, &cb), 0);
	ck_assert_ptr_null(vh_core_btf__path_for(cb, obj));
	ck_assert(vh_core_btf__needs_whole_kernel(cb));
	/* no CO-RE relocations at all: nothing needed */
	snprintf(obj, sizeof(obj), "%s/tests/programs/msg_each.bpf.o", out_dir());
	ck_assert_ptr_null(vh_core_btf__path_for(cb, obj));
	ck_assert(!vh_core_btf__needs_whole_kernel(cb));
	snprintf(obj, sizeof(obj), "%s/tests/programs/core_type_id.bpf.o", out_dir());
	vh_core_btf__free(cb);
	/* --btf FILE: that file, whole */
	ck_assert_int_eq(vh_core_btf__open(VMLINUX, &cb), 0);
	ck_assert_str_eq(vh_core_btf__path_for(cb, obj), VMLINUX);
	ck_assert(!vh_core_btf__needs_whole_kernel(cb)); /* the file stands in for it */
	vh_core_btf__free(cb);
}
END_TEST

START_TEST(test_bad_input)
{
	struct vh_core_btf *cb = (void *)1;
	const char *p;

	ck_assert_int_lt(vh_core_btf__open("/nonexistent/vmlinux", &cb), 0);
	ck_assert_ptr_null(cb);
	ck_assert_ptr_null(vh_core_btf__path_for(NULL, "x.bpf.o"));
	if (!can_load())
		return;
	/* an object that cannot be read: the fallback, for libbpf to report */
	ck_assert_int_eq(vh_core_btf__open(VMLINUX, &cb), 0);
	p = vh_core_btf__path_for(cb, "/nonexistent.bpf.o");
	ck_assert_str_eq(p, VMLINUX);
	p = vh_core_btf__path_for(cb, "/etc/passwd");
	ck_assert_str_eq(p, VMLINUX);
	vh_core_btf__free(cb);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("core_btf");
	TCase *tc = tcase_create("subset");

	libbpf_set_print(NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_same_instructions);
	tcase_add_test(tc, test_subset_is_small);
	tcase_add_test(tc, test_type_id_gets_whole_btf);
	tcase_add_test(tc, test_bad_input);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
