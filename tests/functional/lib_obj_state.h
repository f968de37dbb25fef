/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lib_obj_state.h: the map contents of a loaded BPF object, saved once and put back
 * before each test case, so that a test binary loads its object (and the kernel
 * verifies it) once instead of once per case.
 *
 * Restored: arrays and per-CPU arrays (every element rewritten), hash maps of every
 * kind and LPM tries (emptied, then refilled with what was saved), ring buffers
 * (drained: a reader created later starts after everything produced so far). Maps the
 * programs cannot write (BPF_F_RDONLY_PROG: .rodata, .kconfig) are left as they are.
 * Any other map type makes obj_state__save() fail with -EOPNOTSUPP rather than let
 * one case see another's state.
 */
#ifndef BPFGATE_LIB_OBJ_STATE_H
#define BPFGATE_LIB_OBJ_STATE_H

#include <bpf/libbpf.h>

struct obj_state;

/* Save the contents of every map of loaded obj; 0 or -errno. */
int obj_state__save(struct bpf_object *obj, struct obj_state **out);
/* Put every map back as it was saved; 0 or -errno. */
int obj_state__restore(const struct obj_state *st);
void obj_state__free(struct obj_state *st);

#endif
