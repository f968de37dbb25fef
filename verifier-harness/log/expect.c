// SPDX-License-Identifier: BSD-2-Clause
/* expect.c: read a program's bpfgate:KEY=VALUE declaration tags from BTF. */
#include <string.h>

#include <bpf/btf.h>

#include "expect.h"

static void apply_tag(struct vh_expect *e, const char *tag)
{
	const char *kv, *val;
	size_t klen;

	if (strncmp(tag, "bpfgate:", 8) != 0)
		return;
	kv = tag + 8;
	val = strchr(kv, '=');
	if (!val)
		return;
	klen = val - kv;
	val++;
	if (klen == 6 && !strncmp(kv, "expect", klen))
		e->must_fail = !strcmp(val, "fail");
	else if (klen == 3 && !strncmp(kv, "msg", klen) && e->nmsgs < VH_EXPECT_MAX_MSGS)
		e->msgs[e->nmsgs++] = val;
	else if (klen == 10 && !strncmp(kv, "min_kernel", klen))
		e->min_kernel = val;
	else if (klen == 17 && !strncmp(kv, "min_kernel_reason", klen))
		e->min_kernel_reason = val;
	else if (klen == 9 && !strncmp(kv, "prog_type", klen))
		e->prog_type = val;
}

void vh_expect__read(const struct btf *btf, const char *func, struct vh_expect *e)
{
	__u32 n;

	memset(e, 0, sizeof(*e));
	if (!btf || !func)
		return;
	n = btf__type_cnt(btf);
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id), *target;
		const struct btf_decl_tag *tag;

		if (!t || !btf_is_decl_tag(t))
			continue;
		tag = btf_decl_tag(t);
		if (tag->component_idx != -1)
			continue;
		target = btf__type_by_id(btf, t->type);
		if (!target || !btf_is_func(target))
			continue;
		if (strcmp(btf__name_by_offset(btf, target->name_off) ?: "", func) != 0)
			continue;
		apply_tag(e, btf__name_by_offset(btf, t->name_off) ?: "");
	}
}
