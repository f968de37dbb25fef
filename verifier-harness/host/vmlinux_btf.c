// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmlinux_btf.c: the running kernel's BTF read once per process.
 *
 * libbpf parses the kernel BTF for every load that needs it (CO-RE without a
 * custom BTF, kfuncs and typed ksyms, fentry/fexit/tp_btf/lsm attach targets):
 * 1.4 reads /sys/kernel/btf/vmlinux (5 MiB) in 4 KiB reads each time, and in
 * a verifier run that loads each program alone that is most of the cost of a
 * small program. libbpf calls btf__load_vmlinux_btf() through its procedure
 * linkage table, so this definition in bpfgate takes the place of libbpf's
 * own when libbpf is a shared library: the file is read once per process,
 * and each call parses a new copy of it (libbpf owns and frees what it gets,
 * as it does its own). Without BTF in sysfs, libbpf's own search is used.
 * Linked with libbpf.a (the static bpfgate of the VM guests) it is weak and
 * libbpf's own definition is used.
 */
#include <stdlib.h>

#include <bpf/btf.h>
#include <bpf/libbpf_legacy.h>

#include "fs_util.h"
#include "vmlinux_btf.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define VMLINUX_BTF_MAX (256u << 20)

static struct {
	void *raw;
	size_t size;
	int err;            /* the first read failed: -errno, tried once */
	const void *shared; /* vh_vmlinux_btf__share's copy, read no more */
	size_t shared_size;
} vmlinux;

void vh_vmlinux_btf__share(const void *raw, size_t size)
{
	vmlinux.shared = raw;
	vmlinux.shared_size = raw ? size : 0;
}

/* The whole file into vmlinux.raw (more than VMLINUX_BTF_MAX is no kernel's BTF). */
static int read_once(void)
{
	char *buf = NULL;
	size_t len = 0;
	int err = vh_read_file(VMLINUX_BTF, VMLINUX_BTF_MAX, &buf, &len);

	if (err)
		return err;
	vmlinux.raw = buf;
	vmlinux.size = len;
	return 0;
}

__attribute__((weak)) struct btf *btf__load_vmlinux_btf(void)
{
	if (vmlinux.shared)
		return btf__new(vmlinux.shared, vmlinux.shared_size);
	if (!vmlinux.raw && !vmlinux.err)
		vmlinux.err = read_once();
	/* no BTF in sysfs: libbpf's own search of the other places (its old
	 * name for the same function, which this one does not replace) */
	if (vmlinux.err)
		return libbpf_find_kernel_btf();
	return btf__new(vmlinux.raw, vmlinux.size);
}
