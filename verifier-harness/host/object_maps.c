// SPDX-License-Identifier: BSD-2-Clause
/* object_maps.c: prepare an object's maps for a verification; explain a map failure. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "object_maps.h"
#include "strfmt.h"

/* Map types whose max_entries must be 0 (storage) or means nothing (struct_ops). */
static bool keeps_zero_entries(enum bpf_map_type type)
{
	switch ((int)type) {
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case 32: /* BPF_MAP_TYPE_CGRP_STORAGE (6.2): newer than Debian 12's headers */
	case BPF_MAP_TYPE_STRUCT_OPS:
		return true;
	default:
		return false;
	}
}

char *vh_object_maps__fixup(struct bpf_object *obj)
{
	struct bpf_map *map;
	char *names = NULL, *note = NULL;
	int n = 0;

	bpf_object__for_each_map(map, obj) {
		bpf_map__set_pin_path(map, NULL);
		if (keeps_zero_entries(bpf_map__type(map)) || bpf_map__max_entries(map))
			continue;
		if (bpf_map__set_max_entries(map, 1))
			continue;
		char *more = vh_strfmt("%s%s'%s'", names ?: "", names ? ", " : "",
				       bpf_map__name(map));

		free(names);
		names = more;
		n++;
	}
	if (names)
		note = vh_strfmt("max_entries of map%s %s is 0 in the object: set to 1 for the "
				 "verification", n > 1 ? "s" : "", names);
	free(names);
	return note;
}

int vh_object_maps__create_failure(struct bpf_object *obj, const char *libbpf_msg,
				   char **error, const char **error_class)
{
	static const char tail[] = "': failed to create";
	const char *end = strstr(libbpf_msg, tail), *start, *eol;
	struct bpf_map *map;
	char name[256];

	*error = NULL;
	*error_class = NULL;
	if (!end)
		return 0;
	/* "map 'NAME': failed to create: Invalid argument(-22)" */
	for (start = end; start > libbpf_msg && start[-1] != '\'' ; start--)
		;
	if (start == libbpf_msg || start - libbpf_msg < 5 || strncmp(start - 5, "map '", 5) ||
	    (size_t)(end - start) >= sizeof(name))
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)(end - start), start);
	map = bpf_object__find_map_by_name(obj, name);
	eol = strchr(end, '\n');
	*error = eol ? strndup(start - 5, eol - (start - 5)) : strdup(start - 5);
	/* the kernel has the map type: then the object's definition is at fault */
	*error_class = map && libbpf_probe_bpf_map_type(bpf_map__type(map), NULL) == 1 ?
		"map_create" : "map_not_supported";
	return 0;
}

/* The maps of the last object loaded in this process (see object_maps.h). */
static struct {
	struct stat st;  /* the file they were made for */
	char *path;
	int *fds;        /* one per map of the object, in object order; -1: not kept */
	int n;
} kept;

/* Map types whose contents or owner depend on the programs loaded with them. */
static bool made_per_load(enum bpf_map_type type)
{
	switch ((int)type) {
	case BPF_MAP_TYPE_PROG_ARRAY:
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
	case BPF_MAP_TYPE_HASH_OF_MAPS:
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
	case BPF_MAP_TYPE_STRUCT_OPS:
	case 33: /* BPF_MAP_TYPE_ARENA (6.9): newer than Debian 12's headers */
		return true;
	default:
		return false;
	}
}

/*
 * Maps shared between objects: made by a load that succeeded, reused by a later
 * object's map of the same name and definition. At most SHARED_MAX maps of at
 * most SHARED_BYTES in all (by their definitions: entries times key and value,
 * times the CPUs for per-CPU maps), the oldest let go first: a run keeps no more
 * kernel memory than that beyond the object it is loading.
 */
#define SHARED_MAX 64
#define SHARED_BYTES (256ull << 20)
struct map_def {
	char *name;
	__u32 type, key_size, value_size, max_entries, flags, numa_node, ifindex;
	__u64 extra;
};
/* the kept maps are map[0..n) */
static struct {
	struct shared_map {
		struct map_def def;
		int fd;
		unsigned long long bytes; /* map_bytes(&def) */
		unsigned long seq;        /* when kept: the smallest is the oldest */
	} map[SHARED_MAX];
	int n;
	unsigned long long total; /* their bytes */
	unsigned long next_seq;
} shared;

/* Whether a value of type id has fields the verifier checks through their BTF
 * (spin locks, timers, graph roots and nodes, refcounts: kernel structs named
 * bpf_*; kptrs: pointers with a type tag). Unknown, too deep or too large (more
 * than *left types looked at: a hostile object's nested structs) counts as yes. */
static bool special_fields(const struct btf *btf, __u32 id, int depth, int *left)
{
	const struct btf_type *t = btf__type_by_id(btf, id);
	const char *name;

	if (!id)
		return false;
	if (!t || depth > 32 || --*left < 0)
		return true;
	switch (btf_kind(t)) {
	case BTF_KIND_TYPE_TAG:
		return true;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_CONST:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_RESTRICT:
		return special_fields(btf, t->type, depth + 1, left);
	case BTF_KIND_PTR: /* only a tag makes a pointer special: not followed further */
		for (t = btf__type_by_id(btf, t->type); t && (btf_is_mod(t) || btf_is_typedef(t));
		     t = btf__type_by_id(btf, t->type))
			/* a hostile object's typedefs can loop */
			if (btf_is_type_tag(t) || --*left < 0)
				return true;
		return false;
	case BTF_KIND_ARRAY:
		return special_fields(btf, btf_array(t)->type, depth + 1, left);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		name = btf__name_by_offset(btf, t->name_off);
		if (name && !strncmp(name, "bpf_", 4))
			return true;
		for (__u16 i = 0; i < btf_vlen(t); i++)
			if (special_fields(btf, btf_members(t)[i].type, depth + 1, left))
				return true;
		return false;
	default: /* INT, ENUM, FLOAT, FWD */
		return false;
	}
}

/* Whether map can be shared between objects: its verification depends on its
 * definition and name alone (the log names it). */
static bool shareable(const struct bpf_object *obj, const struct bpf_map *map)
{
	const struct btf *btf = bpf_object__btf(obj);
	int left = 4096;

	return !bpf_map__is_internal(map) && bpf_map__autocreate(map) &&
	       !made_per_load(bpf_map__type(map)) && !keeps_zero_entries(bpf_map__type(map)) &&
	       (!bpf_map__btf_value_type_id(map) ||
		(btf && !special_fields(btf, bpf_map__btf_value_type_id(map), 0, &left)));
}

static struct map_def def_of(const struct bpf_map *map)
{
	return (struct map_def){
		.name = (char *)bpf_map__name(map),
		.type = bpf_map__type(map),
		.key_size = bpf_map__key_size(map),
		.value_size = bpf_map__value_size(map),
		.max_entries = bpf_map__max_entries(map),
		.flags = bpf_map__map_flags(map),
		.numa_node = bpf_map__numa_node(map),
		.ifindex = bpf_map__ifindex(map),
		.extra = bpf_map__map_extra(map),
	};
}

static int find_shared(const struct map_def *d)
{
	for (int i = 0; i < shared.n; i++) {
		const struct map_def *s = &shared.map[i].def;

		if (s->type == d->type && s->key_size == d->key_size &&
		    s->value_size == d->value_size && s->max_entries == d->max_entries &&
		    s->flags == d->flags && s->numa_node == d->numa_node &&
		    s->ifindex == d->ifindex && s->extra == d->extra && !strcmp(s->name, d->name))
			return i;
	}
	return -1;
}

/* What a map of definition d may cost the kernel, roughly. */
static unsigned long long map_bytes(const struct map_def *d)
{
	unsigned long long per = (unsigned long long)d->key_size + d->value_size;
	int cpus;

	switch (d->type) {
	case BPF_MAP_TYPE_PERCPU_ARRAY:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		/* a value per possible CPU, as the kernel allocates them */
		cpus = libbpf_num_possible_cpus();
		per = d->key_size + (unsigned long long)d->value_size * (cpus > 0 ? cpus : 1);
		break;
	case BPF_MAP_TYPE_RINGBUF:
	case BPF_MAP_TYPE_USER_RINGBUF:
		per = 1; /* max_entries is the size in bytes */
		break;
	default:
		break;
	}
	return per * d->max_entries;
}

/* Let the oldest kept map go; the last one takes its place. */
static void let_go_oldest(void)
{
	int o = 0;

	for (int i = 1; i < shared.n; i++)
		if (shared.map[i].seq < shared.map[o].seq)
			o = i;
	free(shared.map[o].def.name);
	close(shared.map[o].fd);
	shared.total -= shared.map[o].bytes;
	shared.map[o] = shared.map[--shared.n];
}

static void share(const struct bpf_object *obj, const struct bpf_map *map)
{
	struct map_def d = def_of(map);
	unsigned long long bytes = map_bytes(&d);
	int fd;

	if (bpf_map__fd(map) < 0 || bytes > SHARED_BYTES || !shareable(obj, map) ||
	    find_shared(&d) >= 0)
		return;
	d.name = strdup(d.name);
	fd = fcntl(bpf_map__fd(map), F_DUPFD_CLOEXEC, 3);
	if (!d.name || fd < 0) {
		free(d.name);
		if (fd >= 0)
			close(fd);
		return;
	}
	while (shared.n == SHARED_MAX || shared.total + bytes > SHARED_BYTES)
		let_go_oldest();
	shared.map[shared.n++] = (struct shared_map){ d, fd, bytes, ++shared.next_seq };
	shared.total += bytes;
}

static int reuse_shared(struct bpf_object *obj)
{
	struct bpf_map *map;
	int reused = 0;

	bpf_object__for_each_map(map, obj) {
		struct map_def d = def_of(map);
		int i;

		if (shareable(obj, map) && (i = find_shared(&d)) >= 0 &&
		    !bpf_map__reuse_fd(map, shared.map[i].fd))
			reused++;
	}
	return reused;
}

void vh_object_maps__drop(void)
{
	for (int i = 0; i < kept.n; i++)
		if (kept.fds[i] >= 0)
			close(kept.fds[i]);
	free(kept.fds);
	free(kept.path);
	memset(&kept, 0, sizeof(kept));
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool is_kept(const char *path, struct stat *st)
{
	return !stat(path, st) && kept.path && !strcmp(kept.path, path) && same_file(st, &kept.st);
}

int vh_object_maps__reuse(struct bpf_object *obj, const char *path)
{
	struct bpf_map *map;
	struct stat st;
	int i = 0, reused = 0;

	if (!is_kept(path, &st))
		return reuse_shared(obj);
	bpf_object__for_each_map(map, obj) {
		if (i >= kept.n)
			break;
		if (kept.fds[i] >= 0 && !bpf_map__reuse_fd(map, kept.fds[i]))
			reused++;
		i++;
	}
	return reused;
}

void vh_object_maps__keep(struct bpf_object *obj, const char *path)
{
	struct bpf_map *map;
	struct stat st;
	int n = 0, i = 0;

	if (is_kept(path, &st))
		return;
	vh_object_maps__drop();
	if (stat(path, &st))
		return;
	bpf_object__for_each_map(map, obj)
		n++;
	kept.fds = malloc((n ?: 1) * sizeof(*kept.fds));
	kept.path = strdup(path);
	if (!kept.fds || !kept.path) {
		vh_object_maps__drop();
		return;
	}
	bpf_object__for_each_map(map, obj) {
		int fd = bpf_map__fd(map);

		share(obj, map);
		kept.fds[i++] = fd >= 0 && !made_per_load(bpf_map__type(map)) ?
			fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
	}
	kept.n = n;
	kept.st = st;
}
