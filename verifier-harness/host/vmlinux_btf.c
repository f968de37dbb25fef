// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmlinux_btf.c: the running kernel's BTF, read once per process, and no more
 * of it parsed for libbpf than a load needs.
 *
 * libbpf 1.4 reads /sys/kernel/btf/vmlinux (5.5 MiB) for every load that needs
 * it (CO-RE without a custom BTF, kfuncs and typed ksyms, fentry/fexit/tp_btf/
 * lsm/iter attach targets, struct_ops) and copies and parses all of it each
 * time. Here the file is mapped once (read where the kernel cannot map it:
 * before 6.16) and indexed in place (btf_index.c: no copy), and each of
 * libbpf's calls of btf__load_vmlinux_btf gets an empty split BTF on top of a
 * base chosen, before the load, by what the object needs
 * (vh_vmlinux_btf__prepare):
 *
 *   - names only (attach targets): a base of no types. libbpf finds an attach
 *     target with btf__find_by_name_kind, which bpfgate defines below, so that
 *     for this BTF the answer is the index's: the kernel's id.
 *   - types (typed ksyms, kfuncs): libbpf then compares the kernel's types
 *     with the object's through its own internal accessors, so the base must
 *     hold every kernel id: a skeleton made for the object, the types its
 *     names reach as the kernel has them but without members or names, every
 *     other id a 12-byte placeholder (2 MiB instead of 6). Those comparisons
 *     look at kinds, pointers, arrays, integers and prototypes, never at
 *     members; names are found through the index as above.
 *   - everything (struct_ops, CO-RE against the whole BTF): libbpf's own parse
 *     of the raw data, made once, shared by every later load that needs it.
 *
 * libbpf reaches btf__load_vmlinux_btf and btf__find_by_name_kind through its
 * procedure linkage table, so the definitions below take the place of its own
 * in the shared-library bpfgate. The static bpfgate of the VM guests links
 * libbpf.a with -Wl,--wrap= for both, which sends libbpf's calls to the
 * __wrap_ functions below (the weak definitions lose to libbpf's there). A
 * program linked without either gets everything for every load, as does a
 * kernel with module BTF: libbpf parses a module's BTF on top of the base it
 * was given (and 1.4 puts a module's strings at the wrong offsets when that is
 * itself a split, so there each load gets its own parse).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <bpf/libbpf_legacy.h>

#include "btf_index.h"
#include "fs_util.h"
#include "vmlinux_btf.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define VMLINUX_BTF_MAX (256u << 20)

static struct {
	const void *raw;          /* the file, mapped or read */
	size_t size;
	int read_err;             /* reading failed: -errno, tried once */
	struct vh_btf_index *index;
	int index_err;            /* indexing failed: -errno, tried once */
	struct btf *full;         /* libbpf's parse, for loads that need everything */
	struct btf *skeleton;     /* every type at its id, for the object being loaded */
	struct btf *no_types;     /* the base of loads that look up names only */
	int modules;              /* 1 module BTF in sysfs, 0 none, -1 not looked yet */
	enum vh_vmlinux_need { VH_VMLINUX_ALL, VH_VMLINUX_NAMES, VH_VMLINUX_TYPES } need;
} vmlinux = { .modules = -1 };

bool vh_vmlinux_btf__has_modules(void)
{
	DIR *d;
	struct dirent *e;

	if (vmlinux.modules >= 0)
		return vmlinux.modules;
	vmlinux.modules = 0;
	d = opendir("/sys/kernel/btf");
	if (!d)
		return false;
	while (!vmlinux.modules && (e = readdir(d)))
		vmlinux.modules = e->d_name[0] != '.' && strcmp(e->d_name, "vmlinux");
	closedir(d);
	return vmlinux.modules;
}

/* Map the file where the kernel allows it (6.16+; the pages are the kernel's
 * and not counted in this process's memory), read it otherwise. 0 or -errno. */
static int read_sysfs(void)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int err, fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!fstat(fd, &st) && st.st_size > 0 && (size_t)st.st_size <= VMLINUX_BTF_MAX) {
		void *m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			vmlinux.raw = m;
			vmlinux.size = st.st_size;
		}
	}
	close(fd);
	if (vmlinux.raw)
		return 0;
	err = vh_read_file(VMLINUX_BTF, VMLINUX_BTF_MAX, &buf, &len);
	if (err)
		return err;
	vmlinux.raw = buf;
	vmlinux.size = len;
	return 0;
}

/* The file's bytes, read once; false with errno set when there are none. */
static bool have_raw(void)
{
	if (!vmlinux.raw && !vmlinux.read_err)
		vmlinux.read_err = read_sysfs();
	if (!vmlinux.raw)
		errno = -vmlinux.read_err;
	return vmlinux.raw;
}

const struct vh_btf_index *vh_vmlinux_btf__index(void)
{
	if (!vmlinux.index && !vmlinux.index_err)
		vmlinux.index_err = have_raw() ? vh_btf_index__open(vmlinux.raw, vmlinux.size,
								      &vmlinux.index, NULL)
					       : -errno;
	if (!vmlinux.index)
		errno = -vmlinux.index_err;
	return vmlinux.index;
}

/* The kernel's id for a name, for libbpf's lookups in a BTF made below. */
static __s32 find_by_name_kind(const struct btf *btf, const char *type_name, __u32 kind);

__attribute__((weak, alias("find_by_name_kind"))) __s32
btf__find_by_name_kind(const struct btf *btf, const char *type_name, __u32 kind);

/* The static bpfgate links libbpf.a with -Wl,--wrap=btf__find_by_name_kind:
 * libbpf's calls come here, and this name is then libbpf's own function. */
__s32 __wrap_btf__find_by_name_kind(const struct btf *btf, const char *type_name, __u32 kind);
__s32 __wrap_btf__find_by_name_kind(const struct btf *btf, const char *type_name, __u32 kind)
{
	return find_by_name_kind(btf, type_name, kind);
}

extern __s32 __real_btf__find_by_name_kind(const struct btf *btf, const char *type_name,
					   __u32 kind) __attribute__((weak));

bool vh_vmlinux_btf__can_stand_in(void)
{
	/* shared libbpf: whether the definition below won (it does where an
	 * executable defines it); static: whether the link wrapped libbpf's */
	__s32 (*volatile defined)(const struct btf *, const char *, __u32) = btf__find_by_name_kind;
	__s32 (*volatile real)(const struct btf *, const char *, __u32) =
		__real_btf__find_by_name_kind;

	return defined == find_by_name_kind || real;
}

/* The kernel types libbpf may compare with the object's: those named as one
 * of its functions or variables (among them its kfuncs and typed ksyms), and
 * what they refer to through pointers, arrays, modifiers, typedefs and
 * prototypes (where libbpf's comparison goes; it stops at structs, unions and
 * enums). */
struct closure {
	const struct vh_btf_index *ix;
	__u64 *marked;
	__u32 *stack;
	__u32 top;
};

static void mark(struct closure *c, __u32 id)
{
	if (!id || id >= vh_btf_index__type_cnt(c->ix) || c->marked[id / 64] >> (id % 64) & 1)
		return;
	c->marked[id / 64] |= 1ull << (id % 64);
	c->stack[c->top++] = id; /* each id once: the stack holds them all */
}

static void mark_named(struct closure *c, const struct btf *local)
{
	for (__u32 i = 1; local && i < btf__type_cnt(local); i++) {
		const struct btf_type *t = btf__type_by_id(local, i);
		const char *name = btf__name_by_offset(local, t->name_off);
		struct vh_btf_match m;
		__u32 id;

		/* every function and variable, not only the externs: libbpf has
		 * made the functions of .ksyms global by now */
		if (!(btf_is_func(t) || btf_is_var(t)) || !name || !name[0])
			continue;
		/* any flavour: libbpf looks kfuncs up without their ___suffix */
		vh_btf_index__match(c->ix, name, vh_btf_essential_len(name), &m);
		while ((id = vh_btf_match__next(&m)))
			mark(c, id);
	}
	while (c->top) {
		const struct btf_type *t = vh_btf_index__type(c->ix, c->stack[--c->top]);

		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_FUNC_PROTO:
			for (__u16 i = 0; i < BTF_INFO_VLEN(t->info); i++)
				mark(c, ((const struct btf_param *)(t + 1))[i].type);
			mark(c, t->type);
			break;
		case BTF_KIND_ARRAY:
			mark(c, ((const struct btf_array *)(t + 1))->type);
			break;
		case BTF_KIND_PTR:
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case BTF_KIND_TYPE_TAG:
		case BTF_KIND_FUNC:
		case BTF_KIND_VAR:
			mark(c, t->type);
			break;
		default: /* INT, ENUM, STRUCT, UNION, FWD, FLOAT: the end of a walk */
			break;
		}
	}
}

/*
 * Every kernel id holds a type: those of the closure as the kernel has them,
 * without members, enumerators or names (the comparison never looks at them);
 * the others a pointer to void, 12 bytes (the least a type takes).
 */
static struct btf *make_skeleton(const struct vh_btf_index *ix, const struct btf *local)
{
	__u32 n = vh_btf_index__type_cnt(ix);
	struct closure c = { .ix = ix, .marked = calloc(n / 64 + 1, sizeof(__u64)),
			     .stack = malloc(n * sizeof(__u32)) };
	struct btf_type filler = { .info = BTF_KIND_PTR << 24 }, *copy = NULL;
	struct btf *sk = c.marked && c.stack ? btf__new_empty() : NULL;
	size_t cap = 0;

	if (sk)
		mark_named(&c, local);
	free(c.stack);
	for (__u32 id = 1; sk && id < n; id++) {
		const struct btf_type *t = &filler;
		size_t sz = sizeof(*t);
		__u16 kind;

		if (c.marked[id / 64] >> (id % 64) & 1) {
			t = vh_btf_index__type(ix, id);
			kind = BTF_INFO_KIND(t->info);
			if (kind != BTF_KIND_STRUCT && kind != BTF_KIND_UNION &&
			    kind != BTF_KIND_ENUM && kind != BTF_KIND_ENUM64)
				sz = vh_btf_index__type_size(t);
			if (sz > cap) {
				struct btf_type *grown = realloc(copy, cap = sz);

				if (!grown)
					goto fail;
				copy = grown;
			}
			memcpy(copy, t, sz);
			copy->name_off = 0;
			if (sz == sizeof(*t) && kind != BTF_KIND_FUNC_PROTO)
				copy->info &= ~0xffffu; /* no members left */
			if (kind == BTF_KIND_FUNC_PROTO)
				for (__u16 i = 0; i < BTF_INFO_VLEN(t->info); i++)
					((struct btf_param *)(copy + 1))[i].name_off = 0;
			t = copy;
		}
		/* nothing names a string: libbpf copies the bytes as they are */
		if (btf__add_type(sk, sk, t) != (int)id)
			goto fail;
	}
	free(copy);
	free(c.marked);
	return sk;
fail:
	free(copy);
	free(c.marked);
	btf__free(sk);
	return NULL;
}

/* What loading obj needs of the kernel BTF (vmlinux_btf.h). */
static enum vh_vmlinux_need need_of(const struct bpf_object *obj, bool core_whole)
{
	const struct btf *btf = bpf_object__btf(obj);
	struct bpf_map *map;

	if (core_whole)
		return VH_VMLINUX_ALL;
	/* libbpf fills a struct_ops map from the kernel's struct it implements */
	bpf_object__for_each_map(map, obj)
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			return VH_VMLINUX_ALL;
	/* typed ksyms and kfuncs: libbpf compares their types with the kernel's */
	if (btf && btf__find_by_name_kind(btf, ".ksyms", BTF_KIND_DATASEC) > 0)
		return VH_VMLINUX_TYPES;
	return VH_VMLINUX_NAMES;
}

void vh_vmlinux_btf__prepare(const struct bpf_object *obj, bool core_whole)
{
	vh_vmlinux_btf__done();
	if (!vh_vmlinux_btf__can_stand_in())
		return;
	vmlinux.need = need_of(obj, core_whole);
	if (vmlinux.need != VH_VMLINUX_TYPES || !vh_vmlinux_btf__index())
		return;
	vmlinux.skeleton = make_skeleton(vmlinux.index, bpf_object__btf(obj));
	if (!vmlinux.skeleton)
		vmlinux.need = VH_VMLINUX_ALL;
}

void vh_vmlinux_btf__done(void)
{
	btf__free(vmlinux.skeleton);
	vmlinux.skeleton = NULL;
	vmlinux.need = VH_VMLINUX_ALL;
}

/* The base of libbpf's next load; NULL if it cannot be made. */
static struct btf *base_for(enum vh_vmlinux_need need)
{
	if (need == VH_VMLINUX_NAMES) {
		if (!vmlinux.no_types)
			vmlinux.no_types = btf__new_empty();
		if (vmlinux.no_types)
			return vmlinux.no_types;
	}
	if (need == VH_VMLINUX_TYPES && vmlinux.skeleton)
		return vmlinux.skeleton;
	if (!vmlinux.full)
		vmlinux.full = btf__new(vmlinux.raw, vmlinux.size);
	return vmlinux.full;
}

/* What libbpf gets for each load: it owns and frees it, as it does its own. */
static struct btf *for_libbpf(void)
{
	enum vh_vmlinux_need need = vh_vmlinux_btf__can_stand_in() ? vmlinux.need : VH_VMLINUX_ALL;
	struct btf *base;

	/* a load that needs all of it reads the file but does not index it
	 * (the functional tests' loads); one that would stand on the index
	 * needs all of it where the index cannot be made */
	if (need != VH_VMLINUX_ALL && !vh_vmlinux_btf__index())
		need = VH_VMLINUX_ALL;
	/* no BTF in sysfs: libbpf's own search of the other places (its old
	 * name for the same function, which neither definition here replaces) */
	if (!have_raw())
		return libbpf_find_kernel_btf();
	if (vh_vmlinux_btf__has_modules())
		return btf__new(vmlinux.raw, vmlinux.size);
	base = base_for(need);
	if (!base) {
		errno = ENOMEM;
		return NULL;
	}
	return btf__new_empty_split(base);
}

__attribute__((weak)) struct btf *btf__load_vmlinux_btf(void)
{
	return for_libbpf();
}

struct btf *__wrap_btf__load_vmlinux_btf(void);
struct btf *__wrap_btf__load_vmlinux_btf(void)
{
	return for_libbpf();
}

static bool based_on(const struct btf *btf, const struct btf *base)
{
	return base && (btf == base || btf__base_btf(btf) == base);
}

static __s32 find_by_name_kind(const struct btf *btf, const char *type_name, __u32 kind)
{
	__u32 n = btf__type_cnt(btf);

	if (based_on(btf, vmlinux.no_types) || based_on(btf, vmlinux.skeleton)) {
		__s32 id = vh_btf_index__find(vmlinux.index, type_name, kind);

		if (id < 0)
			errno = -id;
		return id;
	}
	/* any other BTF: libbpf's own scan */
	if (kind == BTF_KIND_UNKN || !strcmp(type_name, "void"))
		return 0;
	for (__u32 id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;

		if (btf_kind(t) != kind)
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (name && !strcmp(type_name, name))
			return id;
	}
	errno = ENOENT;
	return -ENOENT;
}
