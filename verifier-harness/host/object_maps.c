// SPDX-License-Identifier: BSD-2-Clause
/* object_maps.c: prepare an object's maps for a verification; explain a map failure. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
		return 0;
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

		kept.fds[i++] = fd >= 0 && !made_per_load(bpf_map__type(map)) ?
			fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
	}
	kept.n = n;
	kept.st = st;
}
