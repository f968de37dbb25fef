// SPDX-License-Identifier: BSD-2-Clause
/* kernel_btf.c: copy /sys/kernel/btf/vmlinux into a memfd once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_btf.h"

int vh_kernel_btf__snapshot(char *path, size_t len)
{
	char buf[1 << 16];
	struct stat st;
	ssize_t n;
	int src, dst, err = 0;

	src = open("/sys/kernel/btf/vmlinux", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return -errno;
	dst = memfd_create("bpfgate-vmlinux-btf", 0);
	if (dst < 0) {
		err = -errno;
		goto cleanup;
	}
	/* Kernels since 6.15 let the BTF be mapped: one write copies it all. */
	if (!fstat(src, &st) && st.st_size > 0) {
		void *m = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, src, 0);

		if (m != MAP_FAILED) {
			n = write(dst, m, st.st_size);
			munmap(m, st.st_size);
			if (n == st.st_size)
				goto done;
			if (ftruncate(dst, 0) || lseek(dst, 0, SEEK_SET))
				goto fail;
		}
	}
	while ((n = read(src, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(dst, buf, n) != n)
			goto fail;
	}
done:
	snprintf(path, len, "/proc/self/fd/%d", dst);
	goto cleanup;
fail:
	err = errno ? -errno : -EIO;
	close(dst);
cleanup:
	close(src);
	return err;
}
