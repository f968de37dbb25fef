/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * object_maps.h: the maps of an object opened to verify one of its programs.
 *
 * Before the load: maps are never pinned (a verification leaves nothing in
 * bpffs), and a map whose max_entries is 0 (an object that leaves the size to
 * its loader, e.g. set from the number of CPUs at run time) gets 1, as veristat
 * does, so that programs are verified with the same maps veristat uses: storage
 * maps (whose max_entries must stay 0) and struct_ops maps are left alone.
 * After a failed load: which map libbpf could not create, and whether that is
 * the object's fault (the kernel has the map type) or the kernel's (it lacks it).
 */
#ifndef BPFGATE_OBJECT_MAPS_H
#define BPFGATE_OBJECT_MAPS_H

#include <bpf/libbpf.h>
#include <stdbool.h>

/* Prepare obj's maps for loading; returns a note naming the maps whose
 * max_entries was set ("max_entries of map 'm' is 0 in the object: set to 1
 * for the verification"), malloc'd, or NULL when none was. */
char *vh_object_maps__fixup(struct bpf_object *obj);

/*
 * After bpf_object__load failed with libbpf's warnings in libbpf_msg: when it
 * failed creating a map, the error line naming that map and the class
 * ("map_create" when the kernel supports the map's type, so the definition is
 * at fault, "map_not_supported" when it does not), malloc'd; else 0 and NULLs.
 */
int vh_object_maps__create_failure(struct bpf_object *obj, const char *libbpf_msg,
				   char **error, const char **error_class);

/*
 * Maps made once per object. Loading one program of an object creates all of
 * its maps, and a large hash or per-CPU map costs the kernel more to allocate
 * than a program costs to verify; the next program of the same object would
 * create them all again. So after a load that succeeded the maps are kept
 * (their descriptors duplicated) and the next load of a program of the same
 * file (same device, inode, size and modification time) reuses them
 * (bpf_map__reuse_fd): the verifier sees the same map types, sizes, flags and
 * BTF, and the same frozen .rodata contents, as a fresh load would give it.
 * Maps whose state depends on the programs loaded with them are made anew
 * each time: program arrays, maps of maps, cgroup storage, struct_ops, arenas.
 * One object is kept per process (the last one); a load of another file lets
 * the kept maps go.
 *
 * Between objects, a map is shared where its verification depends on nothing
 * but its name (the log names it) and its definition (type, key and value size,
 * max_entries, flags, NUMA node, ifindex, map_extra): a later object's map of
 * the same name and definition reuses the first one made (projects repeat the
 * maps of a shared header in every object). Not shared: the types above,
 * .rodata/.data/.bss/.kconfig (their contents are the object's), storage maps,
 * and maps whose value has fields the verifier checks through their BTF (spin
 * locks, timers, kptrs, graph roots and nodes, refcounts). Up to 64 are kept,
 * of up to 256 MiB in all by their definitions (the oldest let go first; a map
 * that could hold more is never kept).
 *
 * __reuse() is called between open and load; __keep() after a load that
 * succeeded, before the object is closed. __reuse() returns how many maps it
 * reused (0 when the object is not the kept one).
 */
int vh_object_maps__reuse(struct bpf_object *obj, const char *path);
void vh_object_maps__keep(struct bpf_object *obj, const char *path);
/* Let the kept maps go (also done at exit, by the process ending). */
void vh_object_maps__drop(void);

#endif
