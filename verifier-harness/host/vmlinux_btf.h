/* SPDX-License-Identifier: BSD-2-Clause */
/* vmlinux_btf.h: the running kernel's BTF, parsed once per process (vmlinux_btf.c). */
#ifndef BPFGATE_VMLINUX_BTF_H
#define BPFGATE_VMLINUX_BTF_H

#include <stdbool.h>

struct btf;

/*
 * /sys/kernel/btf/vmlinux parsed on the first call; the same BTF after it (also
 * the base of what libbpf's loads in this process get). NULL with errno set when
 * the kernel has none or it cannot be parsed (tried once). Not to be freed or
 * changed: it lives as long as the process.
 */
const struct btf *vh_vmlinux_btf__get(void);

/* Whether the running kernel has module BTF besides vmlinux (looked at once). */
bool vh_vmlinux_btf__has_modules(void);

#endif
