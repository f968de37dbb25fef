// SPDX-License-Identifier: BSD-2-Clause
/* object_maps.c: prepare an object's maps for a verification; explain a map failure. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
