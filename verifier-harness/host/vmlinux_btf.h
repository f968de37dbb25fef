/* SPDX-License-Identifier: BSD-2-Clause */
/* vmlinux_btf.h: the running kernel's BTF, read once per process (vmlinux_btf.c). */
#ifndef BPFGATE_VMLINUX_BTF_H
#define BPFGATE_VMLINUX_BTF_H

#include <stdbool.h>

struct bpf_object;
struct btf;
struct vh_btf_index;

/*
 * /sys/kernel/btf/vmlinux, mapped (read where the kernel cannot map it) and
 * indexed on the first call; the same index after it. NULL with errno set when
 * the kernel has none or it does not parse (tried once). It lives as long as
 * the process.
 */
const struct vh_btf_index *vh_vmlinux_btf__index(void);

/* Whether the running kernel has module BTF besides vmlinux (looked at once). */
bool vh_vmlinux_btf__has_modules(void);

/*
 * Before libbpf loads obj: give its load no more of the kernel BTF than it
 * needs (libbpf asks through btf__load_vmlinux_btf):
 *
 *   - names only: attach targets of fentry/fexit/fmod_ret, tp_btf, lsm and
 *     iter programs (libbpf's lookups reach the index through
 *     btf__find_by_name_kind, which vmlinux_btf.c defines);
 *   - the types libbpf compares with the object's, for typed ksyms and kfuncs:
 *     a skeleton that holds every id, made for this object;
 *   - everything (struct_ops, CO-RE against the whole kernel BTF: core_whole):
 *     libbpf's own parse, made once.
 *
 * Without a call (and after done) a load gets everything, as it also does
 * where bpfgate cannot stand in for libbpf's lookups (a static link without
 * -Wl,--wrap=btf__find_by_name_kind: vh_vmlinux_btf__can_stand_in is false) or
 * the kernel has module BTF (a module's BTF needs the whole base).
 */
void vh_vmlinux_btf__prepare(const struct bpf_object *obj, bool core_whole);
/* After the object is closed: what prepare made for it is let go. */
void vh_vmlinux_btf__done(void);
bool vh_vmlinux_btf__can_stand_in(void);

#endif
