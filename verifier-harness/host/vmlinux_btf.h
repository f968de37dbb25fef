/* SPDX-License-Identifier: BSD-2-Clause */
/* vmlinux_btf.h: the running kernel's BTF, read once per process (vmlinux_btf.c). */
#ifndef BPFGATE_VMLINUX_BTF_H
#define BPFGATE_VMLINUX_BTF_H

#include <stddef.h>

/*
 * The raw BTF of /sys/kernel/btf/vmlinux that this process already holds (the
 * core_btf subsets' copy): libbpf's loads parse it instead of reading the file
 * again, and worker processes inherit it. raw must stay valid until the next
 * call; NULL stops the sharing.
 */
void vh_vmlinux_btf__share(const void *raw, size_t size);

#endif
