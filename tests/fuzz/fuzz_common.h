/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_common.h: what every fuzz target needs: a property check, input as a file. */
#ifndef BPFGATE_FUZZ_COMMON_H
#define BPFGATE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

/* A broken property is a crash libFuzzer keeps, like any other. */
#define check(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

/* The input as a file for the code under test (which reads paths): a memfd,
 * named /proc/self/fd/N in path. The fd (close it), or -1 to skip this input. */
static inline int fuzz_input_file(const uint8_t *data, size_t size, char *path, size_t len)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
