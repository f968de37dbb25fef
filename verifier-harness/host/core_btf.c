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
#include "core_btf.h"
#include "elf_check.h"
#include "loader_crash.h"
#include "vmlinux_btf.h"


struct root {
	const char *name; /* in the object's BTF */
	size_t len;       /* without the ___flavour suffix */
	__u16 kind;
	bool found;       /* a kernel type of that name and kind exists */
};

struct vh_core_btf {
	struct btf *kernel;
	__u32 ntypes;      /* btf__type_cnt(kernel) */
	char *fallback;    /* the --btf path, or NULL: libbpf's own search */
	int load_err;      /* the kernel BTF could not be parsed: -errno, tried once */
	bool modules;      /* the running kernel has module BTF besides vmlinux */
	__u32 *new_id;     /* per kernel type id: its id in the subset, 0 if left out */
	__u32 *stack;      /* closure work list (each id is pushed at most once) */
	/* kernel types by name without flavour, made on the first object that
	 * needs it: bucket[hash] is the first id, next[id] the following one */
	__u32 *bucket, *next;
	__u32 nbuckets;    /* a power of two */
	/* the last object's answer, known by its file's identity */
	bool cached;
	struct stat obj;
	int fd;
	char path[32];
	const char *result;
};

#define IN_SUBSET UINT32_MAX /* new_id[] mark before ids are assigned */

/* libbpf's rule: "X___Y" (X and Y not underscores) marks a flavour suffix. */
static size_t essential_len(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = n >= 5 ? n - 5 + 1 : 0; i-- > 0;)
		if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' &&
		    name[i + 3] == '_' && name[i + 4] != '_')
			return i + 1;
	return n;
}

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

struct walk {
	struct vh_core_btf *cb;
	__u32 top;
};

static void push(__u32 *id, void *ctx)
{
	struct walk *w = ctx;

	if (*id && *id < w->cb->ntypes && !w->cb->new_id[*id]) {
		w->cb->new_id[*id] = IN_SUBSET;
		w->cb->stack[w->top++] = *id;
	}
}

/* A type left out of the subset is 0 in new_id: only pointer targets can be,
 * and those pointers become void *. */
static void remap(__u32 *id, void *ctx)
{
	const __u32 *new_id = ctx;

	*id = new_id[*id];
}

/* The kernel BTF and what the subsets need beside it. 0 or -errno. */
static int load_kernel(struct vh_core_btf *cb)
{
	/* the running kernel's: the process's one parse, which libbpf's loads share */
	cb->kernel = cb->fallback ? btf__parse(cb->fallback, NULL)
				  : (struct btf *)vh_vmlinux_btf__get();
	if (!cb->kernel) /* libbpf 1.x: NULL and errno */
		return errno ? -errno : -ENOENT;
	cb->ntypes = btf__type_cnt(cb->kernel);
	cb->new_id = calloc(cb->ntypes, sizeof(*cb->new_id));
	cb->stack = calloc(cb->ntypes, sizeof(*cb->stack));
	cb->modules = !cb->fallback && vh_vmlinux_btf__has_modules();
	return cb->new_id && cb->stack ? 0 : -ENOMEM;
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
	cb->result = NULL;
}

void vh_core_btf__free(struct vh_core_btf *cb)
{
	if (!cb)
		return;
	forget_object(cb);
	if (cb->fallback) /* the running kernel's is vh_vmlinux_btf__get's */
		btf__free(cb->kernel);
	free(cb->fallback);
	free(cb->new_id);
	free(cb->stack);
	free(cb->bucket);
	free(cb->next);
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
			len = essential_len(name);
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

/* FNV-1a of a name's first len bytes. */
static __u32 name_hash(const char *name, size_t len)
{
	__u32 h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

/* Index the kernel's named types once: each object then looks its roots up
 * instead of scanning every kernel type. 0 or -ENOMEM. */
static int build_index(struct vh_core_btf *cb)
{
	cb->nbuckets = 1;
	while (cb->nbuckets < cb->ntypes)
		cb->nbuckets <<= 1;
	cb->bucket = calloc(cb->nbuckets, sizeof(*cb->bucket));
	cb->next = calloc(cb->ntypes, sizeof(*cb->next));
	if (!cb->bucket || !cb->next)
		return -ENOMEM;
	/* backwards, so that each chain lists ids in ascending order */
	for (__u32 id = cb->ntypes - 1; id >= 1; id--) {
		const struct btf_type *t = btf__type_by_id(cb->kernel, id);
		const char *name = btf__name_by_offset(cb->kernel, t->name_off);
		__u32 b;

		if (!name || !name[0])
			continue;
		b = name_hash(name, essential_len(name)) & (cb->nbuckets - 1);
		cb->next[id] = cb->bucket[b];
		cb->bucket[b] = id;
	}
	return 0;
}

/* Mark the candidates of every root and all they reach; false if a root has no
 * candidate in vmlinux while modules might have one, or the index cannot be made. */
static bool mark_subset(struct vh_core_btf *cb, struct root *roots, int nroots, bool by_type)
{
	struct walk w = { .cb = cb };

	if (!cb->bucket && build_index(cb))
		return false;
	for (int j = 0; j < nroots; j++) {
		__u32 b = name_hash(roots[j].name, roots[j].len) & (cb->nbuckets - 1);

		for (__u32 id = cb->bucket[b]; id; id = cb->next[id]) {
			const struct btf_type *t = btf__type_by_id(cb->kernel, id);
			const char *name = btf__name_by_offset(cb->kernel, t->name_off);
			__u32 ref = id;

			if (strncmp(roots[j].name, name, roots[j].len) ||
			    essential_len(name) != roots[j].len)
				continue;
			roots[j].found |= roots[j].kind == btf_kind(t);
			push(&ref, &w);
		}
	}
	for (int j = 0; j < nroots; j++)
		if (!roots[j].found && cb->modules)
			return false;
	while (w.top) {
		struct btf_type *t = (struct btf_type *)btf__type_by_id(cb->kernel, cb->stack[--w.top]);

		/* A field's pointer type only has to be a pointer (its size and
		 * kind are what field relocations check): it becomes void *, and
		 * the structures behind it stay out. */
		if (!by_type && btf_is_ptr(t))
			continue;
		for_each_ref(t, push, &w);
	}
	return true;
}

/* Copy the marked types into a new BTF, in kernel id order, references remapped. */
static struct btf *copy_subset(struct vh_core_btf *cb)
{
	struct btf *sub = btf__new_empty();
	__u32 n = 0;

	if (!sub)
		return NULL;
	for (__u32 id = 1; id < cb->ntypes; id++) {
		if (!cb->new_id[id])
			continue;
		int nid = btf__add_type(sub, cb->kernel, btf__type_by_id(cb->kernel, id));

		if (nid < 0) {
			btf__free(sub);
			return NULL;
		}
		cb->new_id[id] = nid;
		n++;
	}
	/* every reference of a marked type is marked: all have new ids now */
	for (__u32 nid = 1; nid <= n; nid++)
		for_each_ref((struct btf_type *)btf__type_by_id(sub, nid), remap, cb->new_id);
	return sub;
}

static int write_memfd(const struct btf *sub)
{
	__u32 size = 0;
	const char *raw = btf__raw_data(sub, &size);
	int fd = raw ? memfd_create("bpfgate-core-btf", MFD_CLOEXEC) : -1;

	for (__u32 done = 0; fd >= 0 && done < size;) {
		ssize_t w = write(fd, raw + done, size - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return -1;
		}
		done += w;
	}
	return fd;
}

static const char *compute(struct vh_core_btf *cb, const char *obj_path)
{
	struct btf_ext *ext = NULL;
	struct btf *local = NULL, *sub = NULL;
	struct root *roots = NULL;
	int nroots = 0, have, phase;
	bool by_type = false;
	const char *result = cb->fallback;

	if (vh_elf__check_btf_sections(obj_path, (char[160]){ 0 }, 160))
		return result;
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
	memset(cb->new_id, 0, cb->ntypes * sizeof(*cb->new_id));
	if (!mark_subset(cb, roots, nroots, by_type))
		goto out;
	sub = copy_subset(cb);
	if (sub)
		cb->fd = write_memfd(sub);
	if (cb->fd >= 0) {
		snprintf(cb->path, sizeof(cb->path), "/proc/self/fd/%d", cb->fd);
		result = cb->path;
	}
out:
	btf__free(sub);
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
	if (stat(obj_path, &st))
		return cb->fallback; /* libbpf will say why it cannot open it */
	if (cb->cached && same_file(&cb->obj, &st))
		return cb->result;
	forget_object(cb);
	cb->result = compute(cb, obj_path);
	cb->obj = st;
	cb->cached = true;
	return cb->result;
}
