// SPDX-License-Identifier: BSD-2-Clause
/* core_btf.c: per object, the subset of the kernel BTF its CO-RE relocations reach. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <linux/bpf.h>

#include "btf_ext.h"
#include "btf_index.h"
#include "core_btf.h"
#include "elf_check.h"
#include "fs_util.h"
#include "loader_crash.h"
#include "vmlinux_btf.h"


struct root {
	const char *name; /* in the object's BTF */
	size_t len;       /* without the ___flavour suffix */
	__u16 kind;
	bool found;       /* a kernel type of that name and kind exists */
};

struct vh_core_btf {
	const struct vh_btf_index *kernel;
	__u32 ntypes;      /* vh_btf_index__type_cnt(kernel) */
	char *fallback;    /* the --btf path, or NULL: libbpf's own search */
	struct btf *file;  /* the --btf file as libbpf parsed it, */
	struct vh_btf_index *file_index; /* and its index */
	int load_err;      /* the kernel BTF could not be read: -errno, tried once */
	bool modules;      /* the running kernel has module BTF besides vmlinux */
	/* the subset: a bit per kernel type id, and per 64 ids the number of
	 * marked ids below them (a marked id's rank is its id in the subset) */
	__u64 *marked;
	__u32 *rank;
	__u32 *stack;      /* closure work list (each id is pushed at most once) */
	__u32 top, cap;
	bool short_of_memory; /* the closure is incomplete: no subset */
	/* the last object's answer, known by its file's identity */
	bool cached;
	struct stat obj;
	int fd;
	char path[32];
	const char *result;
	bool whole;       /* its CO-RE relocations need libbpf's whole kernel BTF */
};

/* Call fn on every type id t refers to (the ids matching walks). */
static void for_each_ref(struct btf_type *t, void (*fn)(__u32 *id, void *ctx), void *ctx)
{
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_VAR:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_DECL_TAG:
		fn(&t->type, ctx);
		break;
	case BTF_KIND_ARRAY:
		fn(&btf_array(t)->type, ctx);
		fn(&btf_array(t)->index_type, ctx);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (__u16 i = 0; i < btf_vlen(t); i++)
			fn(&btf_members(t)[i].type, ctx);
		break;
	case BTF_KIND_FUNC_PROTO:
		fn(&t->type, ctx);
		for (__u16 i = 0; i < btf_vlen(t); i++)
			fn(&btf_params(t)[i].type, ctx);
		break;
	case BTF_KIND_DATASEC:
		for (__u16 i = 0; i < btf_vlen(t); i++)
			fn(&btf_var_secinfos(t)[i].type, ctx);
		break;
	default: /* INT, ENUM, ENUM64, FWD, FLOAT: no references */
		break;
	}
}

static bool is_marked(const struct vh_core_btf *cb, __u32 id)
{
	return cb->marked[id / 64] >> (id % 64) & 1;
}

static void push(__u32 *id, void *ctx)
{
	struct vh_core_btf *cb = ctx;

	if (!*id || *id >= cb->ntypes || is_marked(cb, *id) || cb->short_of_memory)
		return;
	if (cb->top == cb->cap) {
		__u32 *grown = realloc(cb->stack, (cb->cap * 2 + 256) * sizeof(*cb->stack));

		if (!grown) {
			cb->short_of_memory = true;
			return;
		}
		cb->stack = grown;
		cb->cap = cb->cap * 2 + 256;
	}
	cb->marked[*id / 64] |= 1ull << (*id % 64);
	cb->stack[cb->top++] = *id;
}

/* A kernel id's id in the subset: 1 + the marked ids below it. A type left
 * out is 0: only pointer targets can be, and those pointers become void *. */
static void remap(__u32 *id, void *ctx)
{
	const struct vh_core_btf *cb = ctx;
	__u64 below = cb->marked[*id / 64] & ((1ull << (*id % 64)) - 1);

	*id = is_marked(cb, *id) ? cb->rank[*id / 64] + __builtin_popcountll(below) + 1 : 0;
}

/* The kernel BTF and what the subsets need beside it. 0 or -errno. */
static int load_kernel(struct vh_core_btf *cb)
{
	if (cb->fallback) {
		__u32 size = 0;
		const void *raw;

		cb->file = btf__parse(cb->fallback, NULL);
		if (!cb->file) /* libbpf 1.x: NULL and errno */
			return errno ? -errno : -ENOENT;
		raw = btf__raw_data(cb->file, &size);
		if (!raw)
			return -ENOMEM;
		if (vh_btf_index__open(raw, size, &cb->file_index, NULL))
			return -EINVAL;
		cb->kernel = cb->file_index;
	} else {
		/* the running kernel's: the process's one index, in the mapped file */
		cb->kernel = vh_vmlinux_btf__index();
		if (!cb->kernel)
			return errno ? -errno : -ENOENT;
		cb->modules = vh_vmlinux_btf__has_modules();
	}
	cb->ntypes = vh_btf_index__type_cnt(cb->kernel);
	cb->marked = calloc(cb->ntypes / 64 + 1, sizeof(*cb->marked));
	cb->rank = calloc(cb->ntypes / 64 + 1, sizeof(*cb->rank));
	return cb->marked && cb->rank ? 0 : -ENOMEM;
}

int vh_core_btf__open(const char *btf_path, struct vh_core_btf **out)
{
	struct vh_core_btf *cb = calloc(1, sizeof(*cb));
	int err = 0;

	*out = NULL;
	if (!cb)
		return -ENOMEM;
	cb->fd = -1;
	cb->fallback = btf_path ? strdup(btf_path) : NULL;
	if (btf_path && !cb->fallback)
		err = -ENOMEM;
	/* a --btf file is checked now; the running kernel's BTF is parsed by the
	 * first object with CO-RE relocations (in the worker that loads it: a run
	 * without any parses none) */
	else if (btf_path)
		err = load_kernel(cb);
	if (err) {
		vh_core_btf__free(cb);
		return err;
	}
	*out = cb;
	return 0;
}

static void forget_object(struct vh_core_btf *cb)
{
	if (cb->fd >= 0)
		close(cb->fd);
	cb->fd = -1;
	cb->cached = false;
	cb->whole = false;
	cb->result = NULL;
}

void vh_core_btf__free(struct vh_core_btf *cb)
{
	if (!cb)
		return;
	forget_object(cb);
	vh_btf_index__free(cb->file_index);
	btf__free(cb->file);
	free(cb->fallback);
	free(cb->marked);
	free(cb->rank);
	free(cb->stack);
	free(cb);
}

/* Relocations that compare whole types: libbpf's matching then follows
 * pointers to what they point to. Field and enum relocations never do. */
static bool compares_types(__u32 kind)
{
	return kind == BPF_CORE_TYPE_EXISTS || kind == BPF_CORE_TYPE_SIZE ||
	       kind == BPF_CORE_TYPE_MATCHES;
}

/*
 * The roots of the object's relocations: 1 with *nroots set, 0 when it has
 * none, -1 when the subset cannot stand in for the whole BTF (a relocation
 * needs kernel type ids) or the object cannot be read (libbpf will say why).
 * *by_type tells whether a relocation compares whole types.
 */
static int read_roots(const struct btf *local, const struct btf_ext *ext, struct root **roots,
		      int *nroots, bool *by_type)
{
	struct vh_ext_iter it;
	__u32 size = 0;
	const void *raw = btf_ext__raw_data(ext, &size);
	int n = 0, cap = 0;

	*roots = NULL;
	*nroots = 0;
	if (vh_ext_iter__init(&it, raw, size, VH_EXT_CORE_RELO))
		return 0;
	while (vh_ext_iter__next(&it, local)) {
		for (__u32 i = 0; i < it.nrecs; i++) {
			__u32 kind = vh_ext_iter__u32(&it, i, 3);
			const struct btf_type *t = btf__type_by_id(local, vh_ext_iter__u32(&it, i, 1));
			const char *name = t ? btf__name_by_offset(local, t->name_off) : NULL;
			size_t len;
			int j;

			if (kind == BPF_CORE_TYPE_ID_TARGET)
				goto whole;
			*by_type |= compares_types(kind);
			if (kind == BPF_CORE_TYPE_ID_LOCAL || !name || !name[0])
				continue; /* no target needed, or libbpf fails it on any BTF */
			len = vh_btf_essential_len(name);
			for (j = 0; j < n; j++)
				if ((*roots)[j].len == len && (*roots)[j].kind == btf_kind(t) &&
				    !strncmp((*roots)[j].name, name, len))
					break;
			if (j < n)
				continue;
			if (n == cap) {
				struct root *grown = realloc(*roots, (cap = cap * 2 + 8) * sizeof(**roots));

				if (!grown)
					goto whole;
				*roots = grown;
			}
			(*roots)[n++] = (struct root){ name, len, btf_kind(t), false };
		}
	}
	*nroots = n;
	return n > 0;
whole:
	free(*roots);
	*roots = NULL;
	return -1;
}

/* Mark the candidates of every root and all they reach; false if a root has no
 * candidate in vmlinux while modules might have one, or memory ran out. */
static bool mark_subset(struct vh_core_btf *cb, struct root *roots, int nroots, bool by_type)
{
	for (int j = 0; j < nroots; j++) {
		struct vh_btf_match m;
		__u32 id;

		vh_btf_index__match(cb->kernel, roots[j].name, roots[j].len, &m);
		while ((id = vh_btf_match__next(&m))) {
			const struct btf_type *t = vh_btf_index__type(cb->kernel, id);

			roots[j].found |= roots[j].kind == btf_kind(t);
			push(&id, cb);
		}
	}
	for (int j = 0; j < nroots; j++)
		if (!roots[j].found && cb->modules)
			return false;
	while (cb->top && !cb->short_of_memory) {
		const struct btf_type *t = vh_btf_index__type(cb->kernel, cb->stack[--cb->top]);

		/* A field's pointer type only has to be a pointer (its size and
		 * kind are what field relocations check): it becomes void *, and
		 * the structures behind it stay out. */
		if (!by_type && btf_is_ptr(t))
			continue;
		/* the walk only reads the type */
		for_each_ref((struct btf_type *)t, push, cb);
	}
	return !cb->short_of_memory;
}

/* A growing byte buffer. */
struct bytes {
	char *data;
	size_t len, cap;
};

static void *bytes_add(struct bytes *b, const void *src, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap * 2 + n + 4096;
		char *grown = realloc(b->data, cap);

		if (!grown)
			return NULL;
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, src, n);
	b->len += n;
	return b->data + b->len - n;
}

/* The subset's strings: each kernel string once, found by its kernel offset. */
struct strings {
	const struct vh_btf_index *kernel;
	struct bytes out;
	__u32 *from, *to; /* open addressing; from 0 is a free slot */
	__u32 cap, n;
	bool failed;
};

static __u32 *slot(struct strings *s, __u32 off)
{
	__u32 i = off * 2654435761u & (s->cap - 1);

	while (s->from[i] && s->from[i] != off)
		i = (i + 1) & (s->cap - 1);
	return &s->from[i];
}

static bool strings_grow(struct strings *s)
{
	struct strings big = { .cap = s->cap ? s->cap * 2 : 1024 };

	big.from = calloc(big.cap, sizeof(*big.from));
	big.to = calloc(big.cap, sizeof(*big.to));
	if (!big.from || !big.to) {
		free(big.from);
		free(big.to);
		return false;
	}
	for (__u32 i = 0; i < s->cap; i++)
		if (s->from[i]) {
			__u32 *f = slot(&big, s->from[i]);

			*f = s->from[i];
			big.to[f - big.from] = s->to[i];
		}
	free(s->from);
	free(s->to);
	s->from = big.from;
	s->to = big.to;
	s->cap = big.cap;
	return true;
}

static void rename_str(__u32 *off, void *ctx)
{
	struct strings *s = ctx;
	const char *str = vh_btf_index__str(s->kernel, *off);
	__u32 *f;

	if (!*off || s->failed)
		return; /* the empty string is at 0 in both */
	if ((s->n + 1) * 2 > s->cap && !strings_grow(s))
		goto fail;
	f = slot(s, *off);
	if (!*f) {
		__u32 at = s->out.len;

		if (!str || !bytes_add(&s->out, str, strlen(str) + 1))
			goto fail;
		*f = *off;
		s->to[f - s->from] = at;
		s->n++;
	}
	*off = s->to[f - s->from];
	return;
fail:
	s->failed = true;
}

/* The marked types, in kernel id order, references and names remapped, as a
 * raw BTF in a memfd. The fd, or -1. */
static int write_subset(struct vh_core_btf *cb)
{
	struct btf_header h = { .magic = 0xeB9F, .version = 1, .hdr_len = sizeof(h) };
	struct bytes types = { 0 };
	struct strings strs = { .kernel = cb->kernel };
	__u32 n = 0;
	int fd = -1;

	for (__u32 w = 0; w <= cb->ntypes / 64; w++) {
		cb->rank[w] = n;
		n += __builtin_popcountll(cb->marked[w]);
	}
	if (!bytes_add(&strs.out, "", 1))
		goto out;
	for (__u32 id = 1; id < cb->ntypes && !strs.failed; id++) {
		const struct btf_type *t;
		struct btf_type *copy;

		if (!is_marked(cb, id))
			continue;
		t = vh_btf_index__type(cb->kernel, id);
		copy = bytes_add(&types, t, vh_btf_index__type_size(t));
		if (!copy)
			goto out;
		for_each_ref(copy, remap, cb);
		vh_btf_type__visit_names(copy, rename_str, &strs);
	}
	if (strs.failed)
		goto out;
	h.type_len = types.len;
	h.str_off = types.len;
	h.str_len = strs.out.len;
	fd = memfd_create("bpfgate-core-btf", MFD_CLOEXEC);
	if (fd >= 0 && (vh_write_all(fd, &h, sizeof(h)) || vh_write_all(fd, types.data, types.len) ||
			vh_write_all(fd, strs.out.data, strs.out.len))) {
		close(fd);
		fd = -1;
	}
out:
	free(types.data);
	free(strs.out.data);
	free(strs.from);
	free(strs.to);
	return fd;
}

static const char *compute(struct vh_core_btf *cb, const char *obj_path)
{
	struct btf_ext *ext = NULL;
	struct btf *local = NULL;
	struct root *roots = NULL;
	int nroots = 0, have = -1, phase;
	bool by_type = false;
	const char *result = cb->fallback;

	if (vh_elf__check_btf_sections(obj_path, (char[160]){ 0 }, 160))
		goto out;
	phase = vh_loader__enter(VH_IN_LIBBPF_BTF);
	local = btf__parse_elf(obj_path, &ext);
	vh_loader__enter(phase);
	if (!local || !ext)
		goto out;
	have = read_roots(local, ext, &roots, &nroots, &by_type);
	if (have <= 0)
		goto out; /* no relocations: libbpf will not look at it */
	if (!cb->kernel && (cb->load_err || (cb->load_err = load_kernel(cb))))
		goto out; /* no kernel BTF: libbpf's own search says why */
	memset(cb->marked, 0, (cb->ntypes / 64 + 1) * sizeof(*cb->marked));
	cb->top = 0;
	cb->short_of_memory = false;
	if (!mark_subset(cb, roots, nroots, by_type))
		goto out;
	cb->fd = write_subset(cb);
	if (cb->fd >= 0) {
		snprintf(cb->path, sizeof(cb->path), "/proc/self/fd/%d", cb->fd);
		result = cb->path;
	}
out:
	/* relocations (or an object not read) and no BTF given for them */
	cb->whole = !result && have;
	free(roots);
	btf_ext__free(ext);
	btf__free(local);
	return result;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

const char *vh_core_btf__path_for(struct vh_core_btf *cb, const char *obj_path)
{
	struct stat st;

	if (!cb)
		return NULL;
	if (stat(obj_path, &st)) {
		cb->whole = !cb->fallback;
		return cb->fallback; /* libbpf will say why it cannot open it */
	}
	if (cb->cached && same_file(&cb->obj, &st))
		return cb->result;
	forget_object(cb);
	cb->result = compute(cb, obj_path);
	cb->obj = st;
	cb->cached = true;
	return cb->result;
}

bool vh_core_btf__needs_whole_kernel(const struct vh_core_btf *cb)
{
	return !cb || cb->whole;
}
