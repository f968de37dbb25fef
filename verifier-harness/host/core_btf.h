/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * core_btf.h: the part of the kernel's BTF that an object's CO-RE relocations
 * can see, so libbpf does not parse all of it for every program.
 *
 * libbpf resolves CO-RE relocations against the whole kernel BTF (5.5 MiB,
 * ~126,000 types) and 1.4 reads and parses it again for each object it loads:
 * for a verifier run that loads every program alone, that is most of the time
 * spent outside the kernel. bpfgate reads the kernel BTF once per process, in
 * place (btf_index.h), and hands libbpf, through
 * bpf_object_open_opts.btf_custom_path, a raw BTF written from it holding only
 * what the relocations of that object can reach:
 *
 *   - every kernel type whose name, without a ___flavour suffix, is the name
 *     of a type that one of the object's relocations starts from (libbpf's
 *     candidates are exactly such types, of the same kind);
 *   - every type those reach, through members, pointers, arrays, typedefs,
 *     modifiers and function prototypes (what matching walks).
 *
 * Relocations then resolve to the same offsets, sizes, existence and values,
 * so the program the verifier sees is the same instruction for instruction
 * (tests/unit/test_core_btf.c loads each program both ways and compares).
 * Type ids differ, so an object with a BPF_CORE_TYPE_ID_TARGET relocation
 * (bpf_core_type_id_kernel) gets the whole BTF. So does one whose relocation
 * finds no candidate in vmlinux while the kernel has module BTF: libbpf then
 * searches the modules, which it only does without btf_custom_path.
 */
#ifndef BPFGATE_CORE_BTF_H
#define BPFGATE_CORE_BTF_H

#include <stdbool.h>

struct vh_core_btf;

/*
 * The kernel BTF, read once: btf_path (--btf, parsed by libbpf, which takes raw
 * BTF and ELF files alike) now, or when NULL the running kernel's
 * /sys/kernel/btf/vmlinux on the first object with CO-RE relocations (in the
 * process that loads it; a run without such objects reads none).
 * Returns 0 or -errno (a --btf that does not parse: then callers go on without,
 * as libbpf would).
 */
int vh_core_btf__open(const char *btf_path, struct vh_core_btf **out);
void vh_core_btf__free(struct vh_core_btf *cb);

/*
 * The btf_custom_path to open obj_path with: a memfd path holding the subset
 * for this object, or the fallback (btf_path given to open, or NULL for
 * libbpf's own search) when the subset would not be exact or the object has
 * no CO-RE relocations. The last object's answer is kept (the same file: same
 * device, inode, size and mtime): call it for each program. The returned
 * string lives until the next call.
 */
const char *vh_core_btf__path_for(struct vh_core_btf *cb, const char *obj_path);

/*
 * Whether the last object path_for answered has CO-RE relocations that libbpf
 * resolves against the whole kernel BTF (no subset, no --btf), or could not be
 * read to tell; true without a cb.
 */
bool vh_core_btf__needs_whole_kernel(const struct vh_core_btf *cb);

#endif
