/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernel_btf.h: one in-memory copy of the running kernel's BTF per run.
 *
 * libbpf 1.4 parses /sys/kernel/btf/vmlinux for every object it loads, and
 * sysfs hands it over 4 KiB per read(): about 1,400 system calls for each
 * program verified. A copy in a memfd is read in one call; libbpf uses it for
 * CO-RE relocations through bpf_object_open_opts.btf_custom_path.
 */
#ifndef BPFGATE_KERNEL_BTF_H
#define BPFGATE_KERNEL_BTF_H

#include <stddef.h>

/* Copy the kernel's BTF into a memfd (kept open for the life of the process;
 * forked workers inherit it) and write its path to path. 0, or -errno when the
 * kernel has no BTF (then libbpf reads sysfs itself as usual). */
int vh_kernel_btf__snapshot(char *path, size_t len);

#endif
