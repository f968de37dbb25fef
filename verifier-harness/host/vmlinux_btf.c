// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmlinux_btf.c: the running kernel's BTF, read and parsed once per process.
 *
 * libbpf parses the kernel BTF for every load that needs it (CO-RE without a
 * custom BTF, kfuncs and typed ksyms, fentry/fexit/tp_btf/lsm attach targets)
 * and frees it after the load: 1.4 reads /sys/kernel/btf/vmlinux (5 MiB) in
 * 4 KiB reads and parses all of it each time. In a verifier run that loads each
 * program alone, that was most of the cost of a small tracing program, on the
 * host and more so in a TCG guest (70-120 ms a parse).
 *
 * Here the file is parsed once (vh_vmlinux_btf__get) and each of libbpf's
 * calls gets an empty split BTF on top of that parse: the same type ids, names
 * and strings, made in no time, and libbpf's free of it leaves the base alone.
 * The exception is a kernel with module BTF: libbpf parses a module's BTF on top
 * of the BTF it was given, and 1.4 puts a module's strings at the wrong offsets
 * when that is itself a split. There each call gets its own parse of the base's
 * raw data (read once still). Without BTF in sysfs, libbpf's own search is used.
 *
 * How libbpf comes to call this: as a shared library, through its procedure
 * linkage table, so the definition below takes the place of libbpf's own. The
 * static bpfgate of the VM guests links libbpf.a with
 * -Wl,--wrap=btf__load_vmlinux_btf, so libbpf's calls reach __wrap_... instead
 * (the weak definition then loses to libbpf's and is unused).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf_legacy.h>

#include "fs_util.h"
#include "vmlinux_btf.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"
#define VMLINUX_BTF_MAX (256u << 20)

static struct {
	struct btf *base; /* the one parse */
	int err;          /* the first try failed: -errno, tried once */
	int modules;      /* 1 module BTF in sysfs, 0 none, -1 not looked yet */
} vmlinux = { .modules = -1 };

bool vh_vmlinux_btf__has_modules(void)
{
	DIR *d;
	struct dirent *e;

	if (vmlinux.modules >= 0)
		return vmlinux.modules;
	vmlinux.modules = 0;
	d = opendir("/sys/kernel/btf");
	if (!d)
		return false;
	while (!vmlinux.modules && (e = readdir(d)))
		vmlinux.modules = e->d_name[0] != '.' && strcmp(e->d_name, "vmlinux");
	closedir(d);
	return vmlinux.modules;
}

/* Mapped where the kernel allows it (6.15+: no 4 KiB reads), read otherwise;
 * btf__new copies either way. */
static struct btf *parse_sysfs(void)
{
	struct btf *btf = NULL;
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int err, fd = open(VMLINUX_BTF, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && st.st_size > 0 && (size_t)st.st_size <= VMLINUX_BTF_MAX) {
		void *m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			btf = btf__new(m, st.st_size);
			munmap(m, st.st_size);
		}
	}
	close(fd);
	if (btf)
		return btf;
	err = vh_read_file(VMLINUX_BTF, VMLINUX_BTF_MAX, &buf, &len);
	if (err) {
		errno = -err;
		return NULL;
	}
	btf = btf__new(buf, len);
	err = errno;
	free(buf);
	errno = err;
	return btf;
}

const struct btf *vh_vmlinux_btf__get(void)
{
	if (!vmlinux.base && !vmlinux.err) {
		vmlinux.base = parse_sysfs();
		if (!vmlinux.base) /* libbpf 1.x: NULL and errno */
			vmlinux.err = errno ? -errno : -ENOENT;
	}
	if (!vmlinux.base)
		errno = -vmlinux.err;
	return vmlinux.base;
}

/* What libbpf gets for each load: it owns and frees it, as it does its own. */
static struct btf *for_libbpf(void)
{
	const struct btf *base = vh_vmlinux_btf__get();
	__u32 size = 0;
	const void *raw;

	/* no BTF in sysfs: libbpf's own search of the other places (its old
	 * name for the same function, which neither definition here replaces) */
	if (!base)
		return libbpf_find_kernel_btf();
	if (!vh_vmlinux_btf__has_modules())
		return btf__new_empty_split((struct btf *)base);
	raw = btf__raw_data(base, &size);
	return raw ? btf__new(raw, size) : libbpf_find_kernel_btf();
}

__attribute__((weak)) struct btf *btf__load_vmlinux_btf(void)
{
	return for_libbpf();
}

struct btf *__wrap_btf__load_vmlinux_btf(void);
struct btf *__wrap_btf__load_vmlinux_btf(void)
{
	return for_libbpf();
}
