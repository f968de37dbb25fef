/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btf_index.h: a raw BTF blob read where it lies, its types found by id and by
 * name without a copy of it.
 *
 * libbpf 1.4 copies a BTF it parses (5.5 MiB for a kernel's) and keeps an
 * offset per type; bpfgate only reads the kernel's BTF, so it reads it in the
 * mapped sysfs file (not counted in the process's memory) and keeps an offset
 * per 16 types and one id per named type: under 0.5 MiB for 126,000 types.
 * The blob is checked once (header, sections, every type's size and name
 * offsets), so a hostile --btf file cannot make a read go past it.
 */
#ifndef BPFGATE_BTF_INDEX_H
#define BPFGATE_BTF_INDEX_H

#include <stddef.h>
#include <linux/btf.h>
#include <linux/types.h>

struct vh_btf_index;

/*
 * Check data[0..size) as a raw BTF of this machine's byte order and index it.
 * The data is not copied: it must outlive the index. 0 or -errno (-EINVAL for
 * a malformed blob, with why in *why when why is not NULL).
 */
int vh_btf_index__open(const void *data, size_t size, struct vh_btf_index **out,
		       const char **why);
void vh_btf_index__free(struct vh_btf_index *ix);

/* The number of ids, void (0) included, as btf__type_cnt. */
__u32 vh_btf_index__type_cnt(const struct vh_btf_index *ix);
/* The type of id 1 .. type_cnt-1; NULL otherwise. */
const struct btf_type *vh_btf_index__type(const struct vh_btf_index *ix, __u32 id);
/* The string at off, or NULL when off is outside the string section. */
const char *vh_btf_index__str(const struct vh_btf_index *ix, __u32 off);
/* A type's size in bytes in the type section (12 and what follows it). */
size_t vh_btf_index__type_size(const struct btf_type *t);

/* Call fn on each name offset of t: its own, its members', enumerators' and
 * parameters' (t must have been checked: a type of this index, or a copy). */
void vh_btf_type__visit_names(struct btf_type *t, void (*fn)(__u32 *off, void *ctx), void *ctx);

/* The length of a name without its ___flavour suffix (libbpf's rule). */
size_t vh_btf_essential_len(const char *name);

/*
 * The types whose name without flavour is name[0..len): init, then next gives
 * their ids in ascending order and 0 at the end.
 */
struct vh_btf_match {
	const struct vh_btf_index *ix;
	const char *name;
	size_t len;
	__u32 pos, end;
};
void vh_btf_index__match(const struct vh_btf_index *ix, const char *name, size_t len,
			 struct vh_btf_match *m);
__u32 vh_btf_match__next(struct vh_btf_match *m);

/* As btf__find_by_name_kind: the first id of that exact name and kind, 0 for
 * "void" or BTF_KIND_UNKN, -ENOENT when there is none. */
__s32 vh_btf_index__find(const struct vh_btf_index *ix, const char *name, __u32 kind);

#endif
