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
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf_legacy.h>

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define VMLINUX_BTF_MAX (256u << 20)

static struct {
	void *raw;
	size_t size;
	int err; /* the first read failed: -errno, tried once */
} vmlinux;

/* The whole file into vmlinux.raw; sysfs gives no size, so the buffer grows. */
static int read_once(void)
{
	int fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);
	size_t cap = 8u << 20, len = 0;
	char *buf = NULL;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (len == cap || !buf) {
			char *g = len == cap && cap < VMLINUX_BTF_MAX ? realloc(buf, cap *= 2) :
				  !buf ? malloc(cap) : NULL;

			if (!g) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = g;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(buf);
			close(fd);
			return err;
		}
		if (r == 0)
			break;
		len += r;
	}
	close(fd);
	vmlinux.raw = buf;
	vmlinux.size = len;
	return 0;
}

__attribute__((weak)) struct btf *btf__load_vmlinux_btf(void)
{
	if (!vmlinux.raw && !vmlinux.err)
		vmlinux.err = read_once();
	/* no BTF in sysfs: libbpf's own search of the other places (its old
	 * name for the same function, which this one does not replace) */
	if (vmlinux.err)
		return libbpf_find_kernel_btf();
	return btf__new(vmlinux.raw, vmlinux.size);
}
