// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_btf_index.c: libFuzzer target for bpfgate's reader of raw BTF (the
 * kernel's, or a --btf file a user names).
 *
 * Properties beyond "no crash, no leak": a blob is taken with a type count of
 * at least 1, or refused with -EINVAL and a reason; once taken, every id up
 * to the count has a type of known size, every name it holds is a string of
 * the blob, a lookup of a named type by its name and kind answers an id no
 * greater than its own whose type has that name and kind, and a match on its
 * name without flavour yields it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "btf_index.h"
#include "fuzz_common.h"

struct names {
	const struct vh_btf_index *ix;
};

static void name_is_string(__u32 *off, void *ctx)
{
	const struct names *n = ctx;

	check(vh_btf_index__str(n->ix, *off) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the reader wants its blob aligned as a mapped file or a heap block is */
	void *blob = malloc(size ? size : 1);
	struct vh_btf_index *ix;
	const char *why = NULL;
	int err;

	if (!blob)
		return 0;
	memcpy(blob, data, size);
	err = vh_btf_index__open(blob, size, &ix, &why);
	if (err) {
		check(err == -EINVAL && why && why[0]);
		free(blob);
		return 0;
	}
	check(vh_btf_index__type_cnt(ix) >= 1);
	check(!vh_btf_index__type(ix, 0) && !vh_btf_index__type(ix, vh_btf_index__type_cnt(ix)));
	for (__u32 id = 1; id < vh_btf_index__type_cnt(ix) && id < 2048; id++) {
		struct btf_type *t = (struct btf_type *)vh_btf_index__type(ix, id);
		struct names n = { ix };
		const char *name;
		struct vh_btf_match m;
		__u32 got;
		__s32 found;

		check(t && vh_btf_index__type_size(t) >= sizeof(*t));
		/* (the visit only reads here) */
		vh_btf_type__visit_names(t, name_is_string, &n);
		name = vh_btf_index__str(ix, t->name_off);
		if (!name[0] || !strcmp(name, "void")) /* "void" is id 0 to any lookup */
			continue;
		found = vh_btf_index__find(ix, name, BTF_INFO_KIND(t->info));
		check(found > 0 && (__u32)found <= id);
		check(!strcmp(vh_btf_index__str(ix, vh_btf_index__type(ix, found)->name_off), name));
		check(BTF_INFO_KIND(vh_btf_index__type(ix, found)->info) == BTF_INFO_KIND(t->info));
		vh_btf_index__match(ix, name, vh_btf_essential_len(name), &m);
		while ((got = vh_btf_match__next(&m)) && got != id)
			check(got < id);
		check(got == id);
	}
	vh_btf_index__free(ix);
	free(blob);
	return 0;
}
