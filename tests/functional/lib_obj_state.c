// SPDX-License-Identifier: BSD-2-Clause
/* lib_obj_state.c: save a loaded object's map contents once, put them back per test case. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib_obj_state.h"

enum map_kind { KIND_UNSUPPORTED, KIND_KEEP, KIND_ARRAY, KIND_HASH, KIND_RINGBUF };

struct map_state {
	int fd;
	enum map_kind kind;
	size_t key_size, value_size; /* value_size: all CPUs' values for a per-CPU map */
	size_t n;                     /* saved entries */
	unsigned char *keys, *values; /* n keys and n values, back to back */
};

struct obj_state {
	struct map_state *maps;
	size_t nmaps;
};

static enum map_kind kind_of(const struct bpf_map *map)
{
	if (bpf_map__map_flags(map) & BPF_F_RDONLY_PROG)
		return KIND_KEEP; /* the programs cannot change it (.rodata, .kconfig) */
	switch (bpf_map__type(map)) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return KIND_ARRAY;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
	case BPF_MAP_TYPE_LPM_TRIE:
		return KIND_HASH;
	case BPF_MAP_TYPE_RINGBUF:
		return KIND_RINGBUF;
	default:
		return KIND_UNSUPPORTED;
	}
}

static bool is_percpu(enum bpf_map_type t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH ||
	       t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Append one entry (key, value) to ms. */
static int push(struct map_state *ms, const void *key, const void *value)
{
	unsigned char *k = realloc(ms->keys, (ms->n + 1) * ms->key_size);
	unsigned char *v;

	if (!k)
		return -ENOMEM;
	ms->keys = k;
	v = realloc(ms->values, (ms->n + 1) * ms->value_size);
	if (!v)
		return -ENOMEM;
	ms->values = v;
	memcpy(ms->keys + ms->n * ms->key_size, key, ms->key_size);
	memcpy(ms->values + ms->n * ms->value_size, value, ms->value_size);
	ms->n++;
	return 0;
}

/* Every key of a hash map or trie, collected in one walk (deleting while walking
 * would restart the walk at the first bucket for every key). */
static int all_keys(int fd, size_t key_size, unsigned char **keys, size_t *n)
{
	unsigned char *buf = NULL, *grown;

	*n = 0;
	for (;;) {
		grown = realloc(buf, (*n + 1) * key_size);
		if (!grown) {
			free(buf);
			return -ENOMEM;
		}
		buf = grown;
		/* the previous key, where the buffer is now */
		if (bpf_map_get_next_key(fd, *n ? buf + (*n - 1) * key_size : NULL,
					 buf + *n * key_size)) {
			if (errno != ENOENT) {
				free(buf);
				return -errno;
			}
			break;
		}
		(*n)++;
	}
	*keys = buf;
	return 0;
}

static int save_map(const struct bpf_map *map, struct map_state *ms)
{
	unsigned char *keys = NULL, *value;
	size_t nkeys = 0;
	int ncpu = libbpf_num_possible_cpus(), err = 0;

	ms->fd = bpf_map__fd(map);
	ms->kind = kind_of(map);
	if (ms->kind == KIND_UNSUPPORTED)
		return -EOPNOTSUPP;
	if (ms->kind == KIND_KEEP || ms->kind == KIND_RINGBUF)
		return 0;
	if (ncpu < 0)
		return ncpu;
	ms->key_size = bpf_map__key_size(map);
	ms->value_size = bpf_map__value_size(map);
	if (is_percpu(bpf_map__type(map)))
		ms->value_size = ((ms->value_size + 7) & ~7UL) * ncpu;
	value = malloc(ms->value_size);
	if (!value)
		return -ENOMEM;
	if (ms->kind == KIND_ARRAY) {
		for (__u32 i = 0; i < bpf_map__max_entries(map) && !err; i++)
			err = bpf_map_lookup_elem(ms->fd, &i, value) ? -errno : push(ms, &i, value);
	} else {
		err = all_keys(ms->fd, ms->key_size, &keys, &nkeys);
		for (size_t i = 0; i < nkeys && !err; i++) {
			const void *k = keys + i * ms->key_size;

			err = bpf_map_lookup_elem(ms->fd, k, value) ? -errno : push(ms, k, value);
		}
	}
	free(keys);
	free(value);
	return err;
}

int obj_state__save(struct bpf_object *obj, struct obj_state **out)
{
	struct obj_state *st = calloc(1, sizeof(*st));
	struct bpf_map *map;
	int err = 0;

	if (!st)
		return -ENOMEM;
	bpf_object__for_each_map(map, obj) {
		struct map_state *grown = realloc(st->maps, (st->nmaps + 1) * sizeof(*st->maps));

		if (!grown) {
			err = -ENOMEM;
			break;
		}
		st->maps = grown;
		memset(&st->maps[st->nmaps], 0, sizeof(*st->maps));
		err = save_map(map, &st->maps[st->nmaps++]);
		if (err)
			break;
	}
	if (err) {
		obj_state__free(st);
		return err;
	}
	*out = st;
	return 0;
}

static int drop_event(void *ctx, void *data, size_t len)
{
	(void)ctx, (void)data, (void)len;
	return 0;
}

static int drain(int fd)
{
	struct ring_buffer *rb = ring_buffer__new(fd, drop_event, NULL, NULL);
	int n;

	if (!rb)
		return -errno;
	n = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return n < 0 ? n : 0;
}

/* Empty a hash map or trie. */
static int clear(const struct map_state *ms)
{
	unsigned char *keys = NULL;
	size_t nkeys = 0;
	int err = all_keys(ms->fd, ms->key_size, &keys, &nkeys);

	for (size_t i = 0; i < nkeys && !err; i++)
		if (bpf_map_delete_elem(ms->fd, keys + i * ms->key_size) && errno != ENOENT)
			err = -errno;
	free(keys);
	return err;
}

static int restore_map(const struct map_state *ms)
{
	int err = 0;

	if (ms->kind == KIND_RINGBUF)
		return drain(ms->fd);
	if (ms->kind == KIND_HASH)
		err = clear(ms);
	for (size_t i = 0; i < ms->n && !err; i++)
		if (bpf_map_update_elem(ms->fd, ms->keys + i * ms->key_size,
					ms->values + i * ms->value_size, BPF_ANY))
			err = -errno;
	return err;
}

int obj_state__restore(const struct obj_state *st)
{
	int err = 0;

	for (size_t i = 0; i < st->nmaps && !err; i++)
		err = restore_map(&st->maps[i]);
	return err;
}

void obj_state__free(struct obj_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nmaps; i++) {
		free(st->maps[i].keys);
		free(st->maps[i].values);
	}
	free(st->maps);
	free(st);
}
