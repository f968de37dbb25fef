// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_btf_index.c: bpfgate's reader of raw BTF finds what libbpf finds, and
 * refuses a blob that would make it read past its end.
 *
 * On the running kernel's BTF (when readable) every type is compared byte for
 * byte with libbpf's parse, and lookups by name with a scan in id order (the
 * answer libbpf's btf__find_by_name_kind gives). A small BTF built here checks
 * flavours, and each way it can be broken.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "btf_index.h"
#include "fs_util.h"
#include "unit_main.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

/* [1] int, [2] int *, [3] struct s___v { int *p; }, [4] int (int *), [5] f */
static const char strs[] = "\0int\0s___v\0p\0f";
enum { S_INT = 1, S_S = 5, S_P = 11, S_F = 13 };

struct tiny {
	struct btf_header h;
	__u32 w[64];
	size_t len; /* bytes in all */
};

static void tiny_make(struct tiny *b)
{
	__u32 *w = b->w, n = 0;

	memset(b, 0, sizeof(*b));
	/* int: 4 bytes, 32 bits */
	w[n++] = S_INT, w[n++] = BTF_KIND_INT << 24, w[n++] = 4, w[n++] = 32;
	w[n++] = 0, w[n++] = BTF_KIND_PTR << 24, w[n++] = 1;
	w[n++] = S_S, w[n++] = BTF_KIND_STRUCT << 24 | 1, w[n++] = 8;
	w[n++] = S_P, w[n++] = 2, w[n++] = 0;
	w[n++] = 0, w[n++] = BTF_KIND_FUNC_PROTO << 24 | 1, w[n++] = 1;
	w[n++] = 0, w[n++] = 2;
	w[n++] = S_F, w[n++] = BTF_KIND_FUNC << 24 | BTF_FUNC_GLOBAL, w[n++] = 4;
	b->h = (struct btf_header){ .magic = 0xeB9F, .version = 1, .hdr_len = sizeof(b->h),
				    .type_len = n * 4, .str_off = n * 4, .str_len = sizeof(strs) };
	memcpy(w + n, strs, sizeof(strs));
	b->len = sizeof(b->h) + n * 4 + sizeof(strs);
}

static int tiny_open(struct tiny *b, struct vh_btf_index **ix, const char **why)
{
	*why = NULL;
	return vh_btf_index__open(b, b->len, ix, why);
}

START_TEST(test_tiny_lookups)
{
	struct tiny b;
	struct vh_btf_index *ix;
	struct vh_btf_match m;
	const char *why;

	tiny_make(&b);
	ck_assert_int_eq(tiny_open(&b, &ix, &why), 0);
	ck_assert_uint_eq(vh_btf_index__type_cnt(ix), 6);
	ck_assert_int_eq(vh_btf_index__find(ix, "f", BTF_KIND_FUNC), 5);
	ck_assert_int_eq(vh_btf_index__find(ix, "int", BTF_KIND_INT), 1);
	ck_assert_int_eq(vh_btf_index__find(ix, "int", BTF_KIND_STRUCT), -ENOENT);
	ck_assert_int_eq(vh_btf_index__find(ix, "void", BTF_KIND_STRUCT), 0);
	ck_assert_int_eq(vh_btf_index__find(ix, "s___v", BTF_KIND_STRUCT), 3);
	/* an exact lookup does not drop a flavour; a match does */
	ck_assert_int_eq(vh_btf_index__find(ix, "s", BTF_KIND_STRUCT), -ENOENT);
	vh_btf_index__match(ix, "s", 1, &m);
	ck_assert_uint_eq(vh_btf_match__next(&m), 3);
	ck_assert_uint_eq(vh_btf_match__next(&m), 0);
	/* anonymous types: the first of the kind, as libbpf's scan */
	ck_assert_int_eq(vh_btf_index__find(ix, "", BTF_KIND_PTR), 2);
	ck_assert_ptr_null(vh_btf_index__type(ix, 6));
	ck_assert_ptr_null(vh_btf_index__type(ix, 0));
	ck_assert_str_eq(vh_btf_index__str(ix, vh_btf_index__type(ix, 3)->name_off), "s___v");
	ck_assert_ptr_null(vh_btf_index__str(ix, sizeof(strs)));
	vh_btf_index__free(ix);
}
END_TEST

/* Each way of breaking the blob is refused with a reason, never read past. */
START_TEST(test_tiny_broken)
{
	struct tiny b;
	struct vh_btf_index *ix;
	const char *why;

	tiny_make(&b);
	for (size_t len = 0; len < b.len; len++) {
		size_t whole = b.len;

		b.len = len;
		ck_assert_msg(tiny_open(&b, &ix, &why) == -EINVAL && why,
			      "a blob cut to %zu bytes was taken", len);
		b.len = whole;
	}
#define BROKEN(change, reason)                                                     \
	do {                                                                       \
		tiny_make(&b);                                                     \
		change;                                                            \
		ck_assert_int_eq(tiny_open(&b, &ix, &why), -EINVAL);               \
		ck_assert_msg(why && strstr(why, reason), "%s: %s", #change, why); \
	} while (0)
	BROKEN(b.h.magic = 0x9FeB, "byte order");
	BROKEN(b.h.version = 2, "version");
	BROKEN(b.h.hdr_len = 20, "header length");
	BROKEN(b.h.str_len += 1, "past the data");
	BROKEN(b.h.type_len -= 4, "cut short");
	BROKEN(b.w[0] = 1000, "name offset outside");
	BROKEN(b.w[10] = 1000, "name offset outside"); /* the member's name */
	BROKEN(b.w[1] = 31u << 24, "unknown kind");
	BROKEN((b.h.type_off = 2, b.h.str_off -= 2), "misaligned");
	BROKEN(((char *)b.w)[b.h.str_off + sizeof(strs) - 1] = 'x', "NUL-terminated");
	BROKEN(((char *)b.w)[b.h.str_off] = 'x', "NUL-terminated");
#undef BROKEN
}
END_TEST

static void count_name(__u32 *off, void *ctx)
{
	(void)off;
	(*(int *)ctx)++;
}

START_TEST(test_visit_names)
{
	struct tiny b;
	struct vh_btf_index *ix;
	const char *why;
	struct btf_type *t;
	int n = 0;

	tiny_make(&b);
	ck_assert_int_eq(tiny_open(&b, &ix, &why), 0);
	t = (struct btf_type *)vh_btf_index__type(ix, 3);
	vh_btf_type__visit_names(t, count_name, &n);
	ck_assert_int_eq(n, 2); /* the struct's and its member's */
	n = 0;
	vh_btf_type__visit_names((struct btf_type *)vh_btf_index__type(ix, 4), count_name, &n);
	ck_assert_int_eq(n, 2); /* the prototype's (empty) and its parameter's */
	vh_btf_index__free(ix);
}
END_TEST

struct want {
	const char *name;
	__u32 kind, id; /* id: the first of that name and kind, by a scan */
};

static int by_name(const void *a, const void *b)
{
	const struct want *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->kind - (int)y->kind;
}

START_TEST(test_kernel_same_as_libbpf)
{
	struct vh_btf_index *ix;
	struct btf *btf;
	char *raw;
	size_t len, nwant = 0;
	struct want *want;
	__u32 n;

	if (access(VMLINUX, R_OK)) {
		printf("test_btf_index: no readable %s; kernel comparison not run\n", VMLINUX);
		return;
	}
	ck_assert_int_eq(vh_read_file(VMLINUX, 0, &raw, &len), 0);
	ck_assert_int_eq(vh_btf_index__open(raw, len, &ix, NULL), 0);
	btf = btf__parse(VMLINUX, NULL);
	ck_assert_ptr_nonnull(btf);
	n = btf__type_cnt(btf);
	ck_assert_uint_eq(vh_btf_index__type_cnt(ix), n);
	want = calloc(n, sizeof(*want));
	ck_assert_ptr_nonnull(want);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *a = vh_btf_index__type(ix, id), *b = btf__type_by_id(btf, id);
		size_t sz = vh_btf_index__type_size(a);
		const char *name = btf__name_by_offset(btf, b->name_off);

		ck_assert_msg(sz && !memcmp(a, b, sz), "type %u differs from libbpf's", id);
		ck_assert_str_eq(vh_btf_index__str(ix, a->name_off), name);
		if (name[0] && id % 7 == 0) /* a seventh of the named types */
			want[nwant++] = (struct want){ name, btf_kind(b), 0 };
	}
	/* the first id of each name and kind, as a scan in id order finds it */
	qsort(want, nwant, sizeof(*want), by_name);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		struct want key = { btf__name_by_offset(btf, t->name_off), btf_kind(t), 0 }, *w;

		w = bsearch(&key, want, nwant, sizeof(*want), by_name);
		for (; w && w > want && !by_name(w - 1, &key); w--)
			;
		for (; w && w < want + nwant && !by_name(w, &key); w++)
			if (!w->id)
				w->id = id;
	}
	for (size_t i = 0; i < nwant; i++)
		ck_assert_msg(vh_btf_index__find(ix, want[i].name, want[i].kind) == (__s32)want[i].id,
			      "%s (kind %u): %d, a scan finds %u", want[i].name, want[i].kind,
			      vh_btf_index__find(ix, want[i].name, want[i].kind), want[i].id);
	ck_assert_int_eq(vh_btf_index__find(ix, "task_struct___nowhere", BTF_KIND_STRUCT), -ENOENT);
	ck_assert_int_eq(vh_btf_index__find(ix, "task_struct", BTF_KIND_STRUCT),
			 btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT));
	printf("test_btf_index: %u kernel types the same as libbpf's, %zu lookups\n", n - 1, nwant);
	free(want);
	btf__free(btf);
	vh_btf_index__free(ix);
	free(raw);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("btf_index");
	TCase *tc = tcase_create("btf_index");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_tiny_lookups);
	tcase_add_test(tc, test_tiny_broken);
	tcase_add_test(tc, test_visit_names);
	tcase_add_test(tc, test_kernel_same_as_libbpf);
	suite_add_tcase(s, tc);
	return vh_unit_run(s);
}
