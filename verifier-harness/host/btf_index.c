// SPDX-License-Identifier: BSD-2-Clause
/* btf_index.c: a raw BTF read in place, its types by id and by name (btf_index.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "btf_index.h"

#define BTF_MAGIC_NATIVE 0xeB9F
#define MAX_TYPES 0x100000 /* the kernel's own limit (BTF_MAX_TYPE + 1) */
#define STRIDE 16          /* one kept offset per this many types */

struct vh_btf_index {
	const char *types, *strs;
	__u32 types_len, strs_len;
	__u32 ntypes;       /* ids 0 .. ntypes-1, void included */
	__u32 *offset;      /* offset[i] is where type id i*STRIDE+1 starts */
	/* named types by the hash of their name without flavour: the ids of
	 * bucket b are by_name[start[b] .. start[b+1]), ascending */
	__u32 *start, *by_name;
	__u32 nbuckets;     /* a power of two */
};

size_t vh_btf_essential_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;)
		if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' &&
		    name[i + 3] == '_' && name[i + 4] != '_')
			return i + 1;
	return n;
}

/* FNV-1a of a name's first len bytes. */
static __u32 name_hash(const char *name, size_t len)
{
	__u32 h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

/* 12 bytes, then per kind what follows; 0 for a kind this reader does not know. */
size_t vh_btf_index__type_size(const struct btf_type *t)
{
	size_t vlen = BTF_INFO_VLEN(t->info);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		return sizeof(*t) + 4;
	case BTF_KIND_ARRAY:
		return sizeof(*t) + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return sizeof(*t) + vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return sizeof(*t) + vlen * sizeof(struct btf_enum);
	case BTF_KIND_ENUM64:
		return sizeof(*t) + vlen * sizeof(struct btf_enum64);
	case BTF_KIND_FUNC_PROTO:
		return sizeof(*t) + vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return sizeof(*t) + vlen * sizeof(struct btf_var_secinfo);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_FLOAT:
	case BTF_KIND_TYPE_TAG:
		return sizeof(*t);
	default:
		return 0;
	}
}

const char *vh_btf_index__str(const struct vh_btf_index *ix, __u32 off)
{
	return off < ix->strs_len ? ix->strs + off : NULL;
}

/* The words between two name offsets in t's records (members, enumerators,
 * parameters); 0 for a kind whose records hold no names. */
static size_t name_step(const struct btf_type *t)
{
	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return sizeof(struct btf_member) / 4;
	case BTF_KIND_ENUM:
		return sizeof(struct btf_enum) / 4;
	case BTF_KIND_ENUM64:
		return sizeof(struct btf_enum64) / 4;
	case BTF_KIND_FUNC_PROTO:
		return sizeof(struct btf_param) / 4;
	default:
		return 0;
	}
}

void vh_btf_type__visit_names(struct btf_type *t, void (*fn)(__u32 *off, void *ctx), void *ctx)
{
	/* the name offset is the first word of each record */
	__u32 *v = (__u32 *)(t + 1);
	size_t step = name_step(t), n = step ? BTF_INFO_VLEN(t->info) : 0;

	fn(&t->name_off, ctx);
	for (size_t i = 0; i < n; i++)
		fn(&v[i * step], ctx);
}

/* Every name offset of t is inside the string section (the same offsets as
 * the visit above, without a call for each: this runs on every record). */
static bool names_inside(const struct vh_btf_index *ix, const struct btf_type *t)
{
	const __u32 *v = (const __u32 *)(t + 1);
	size_t step = name_step(t), n = step ? BTF_INFO_VLEN(t->info) : 0;

	if (t->name_off >= ix->strs_len)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i * step] >= ix->strs_len)
			return false;
	return true;
}

static const char *name_of(const struct vh_btf_index *ix, const struct btf_type *t)
{
	return ix->strs + t->name_off;
}

static int fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return -EINVAL;
}

/* Check the header and the sections; point ix at them. */
static int read_header(struct vh_btf_index *ix, const char *data, size_t size, const char **why)
{
	struct btf_header h;

	if (size < sizeof(h))
		return fail(why, "shorter than a BTF header");
	memcpy(&h, data, sizeof(h));
	if (h.magic != BTF_MAGIC_NATIVE)
		return fail(why, "not BTF of this machine's byte order (bad magic)");
	if (h.version != 1)
		return fail(why, "unknown BTF version");
	if (h.hdr_len < sizeof(h) || h.hdr_len > size || h.hdr_len % 4)
		return fail(why, "bad header length");
	if ((__u64)h.hdr_len + h.type_off + h.type_len > size ||
	    (__u64)h.hdr_len + h.str_off + h.str_len > size)
		return fail(why, "a section ends past the data");
	if (h.type_off % 4 || h.type_len % 4 || ((uintptr_t)data + h.hdr_len) % 4)
		return fail(why, "misaligned type section");
	if (!h.str_len || data[h.hdr_len + h.str_off] ||
	    data[h.hdr_len + h.str_off + h.str_len - 1])
		return fail(why, "string section not made of NUL-terminated strings");
	ix->types = data + h.hdr_len + h.type_off;
	ix->types_len = h.type_len;
	ix->strs = data + h.hdr_len + h.str_off;
	ix->strs_len = h.str_len;
	return 0;
}

/* Walk every type once: sizes inside the section, names inside the strings,
 * an offset kept every STRIDE types, named types counted. */
static int check_types(struct vh_btf_index *ix, __u32 *named, const char **why)
{
	__u32 off = 0, cap = 0;

	*named = 0;
	ix->ntypes = 1;
	while (off < ix->types_len) {
		const struct btf_type *t = (const void *)(ix->types + off);
		size_t sz;

		if (ix->types_len - off < sizeof(*t))
			return fail(why, "a type is cut short by the end of its section");
		sz = vh_btf_index__type_size(t);
		if (!sz)
			return fail(why, "a type of unknown kind");
		if (sz > ix->types_len - off)
			return fail(why, "a type is cut short by the end of its section");
		if (!names_inside(ix, t))
			return fail(why, "a name offset outside the string section");
		if (ix->ntypes == MAX_TYPES)
			return fail(why, "more types than the kernel allows");
		if ((ix->ntypes - 1) % STRIDE == 0) {
			__u32 i = (ix->ntypes - 1) / STRIDE;

			if (i == cap) {
				__u32 *grown = realloc(ix->offset, (cap = cap * 2 + 64) * sizeof(__u32));

				if (!grown)
					return -ENOMEM;
				ix->offset = grown;
			}
			ix->offset[i] = off;
		}
		*named += name_of(ix, t)[0] != '\0';
		ix->ntypes++;
		off += sz;
	}
	return 0;
}

/* Group the named types' ids by bucket: hash each name once (its bucket kept
 * aside, in pages given back at the end rather than left in the heap) and
 * count, then place the ids in a second walk. */
static int build_names(struct vh_btf_index *ix, __u32 named)
{
	size_t aside = (named ? named : 1) * sizeof(__u32);
	__u32 off = 0, k = 0, *bucket_of = mmap(NULL, aside, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ix->nbuckets = 1;
	while (ix->nbuckets < named / 4)
		ix->nbuckets <<= 1;
	ix->start = calloc(ix->nbuckets + 1, sizeof(*ix->start));
	ix->by_name = malloc((named ? named : 1) * sizeof(*ix->by_name));
	if (bucket_of == MAP_FAILED)
		return -ENOMEM;
	if (!ix->start || !ix->by_name) {
		munmap(bucket_of, aside);
		return -ENOMEM;
	}
	for (__u32 id = 1; id < ix->ntypes; id++) {
		const struct btf_type *t = (const void *)(ix->types + off);
		const char *name = name_of(ix, t);

		off += vh_btf_index__type_size(t);
		if (name[0]) {
			bucket_of[k] = name_hash(name, vh_btf_essential_len(name)) &
				       (ix->nbuckets - 1);
			ix->start[bucket_of[k++] + 1]++;
		}
	}
	for (__u32 b = 0; b < ix->nbuckets; b++)
		ix->start[b + 1] += ix->start[b];
	off = k = 0;
	for (__u32 id = 1; id < ix->ntypes; id++) {
		const struct btf_type *t = (const void *)(ix->types + off);

		off += vh_btf_index__type_size(t);
		if (name_of(ix, t)[0])
			ix->by_name[ix->start[bucket_of[k++]]++] = id;
	}
	/* each start moved to the next bucket's: shift them back */
	memmove(ix->start + 1, ix->start, ix->nbuckets * sizeof(*ix->start));
	ix->start[0] = 0;
	munmap(bucket_of, aside);
	return 0;
}

int vh_btf_index__open(const void *data, size_t size, struct vh_btf_index **out, const char **why)
{
	struct vh_btf_index *ix = calloc(1, sizeof(*ix));
	__u32 named;
	int err;

	*out = NULL;
	if (!ix)
		return -ENOMEM;
	err = read_header(ix, data, size, why);
	if (!err)
		err = check_types(ix, &named, why);
	if (!err)
		err = build_names(ix, named);
	if (err) {
		vh_btf_index__free(ix);
		return err;
	}
	*out = ix;
	return 0;
}

void vh_btf_index__free(struct vh_btf_index *ix)
{
	if (!ix)
		return;
	free(ix->offset);
	free(ix->start);
	free(ix->by_name);
	free(ix);
}

__u32 vh_btf_index__type_cnt(const struct vh_btf_index *ix)
{
	return ix->ntypes;
}

const struct btf_type *vh_btf_index__type(const struct vh_btf_index *ix, __u32 id)
{
	__u32 off;

	if (!id || id >= ix->ntypes)
		return NULL;
	off = ix->offset[(id - 1) / STRIDE];
	for (__u32 n = (id - 1) % STRIDE; n; n--)
		off += vh_btf_index__type_size((const void *)(ix->types + off));
	return (const void *)(ix->types + off);
}

void vh_btf_index__match(const struct vh_btf_index *ix, const char *name, size_t len,
			 struct vh_btf_match *m)
{
	__u32 b = name_hash(name, len) & (ix->nbuckets - 1);

	*m = (struct vh_btf_match){ ix, name, len, ix->start[b], ix->start[b + 1] };
}

__u32 vh_btf_match__next(struct vh_btf_match *m)
{
	while (m->pos < m->end) {
		__u32 id = m->ix->by_name[m->pos++];
		const char *name = name_of(m->ix, vh_btf_index__type(m->ix, id));

		if (!strncmp(name, m->name, m->len) && vh_btf_essential_len(name) == m->len)
			return id;
	}
	return 0;
}

__s32 vh_btf_index__find(const struct vh_btf_index *ix, const char *name, __u32 kind)
{
	struct vh_btf_match m;
	__u32 id;

	if (kind == BTF_KIND_UNKN || !strcmp(name, "void"))
		return 0;
	if (!name[0]) { /* libbpf's scan finds the first anonymous one */
		for (id = 1; id < ix->ntypes; id++) {
			const struct btf_type *t = vh_btf_index__type(ix, id);

			if (BTF_INFO_KIND(t->info) == kind && !name_of(ix, t)[0])
				return id;
		}
		return -ENOENT;
	}
	vh_btf_index__match(ix, name, vh_btf_essential_len(name), &m);
	while ((id = vh_btf_match__next(&m))) {
		const struct btf_type *t = vh_btf_index__type(ix, id);

		if (BTF_INFO_KIND(t->info) == kind && !strcmp(name_of(ix, t), name))
			return id;
	}
	return -ENOENT;
}
