// SPDX-License-Identifier: BSD-2-Clause
/* kernel_btf.c: copy /sys/kernel/btf/vmlinux into a memfd once. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel_btf.h"

int vh_kernel_btf__snapshot(char *path, size_t len)
{
	char buf[1 << 16];
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
	while ((n = read(src, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(dst, buf, n) != n) {
			err = n < 0 ? -errno : -EIO;
			close(dst);
			goto cleanup;
		}
	}
	snprintf(path, len, "/proc/self/fd/%d", dst);
cleanup:
	close(src);
	return err;
}
