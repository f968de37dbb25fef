/* SPDX-License-Identifier: BSD-2-Clause */
/* fs_util.h: file-system chores of the kernel cache and the VM run folders. */
#ifndef BPFGATE_FS_UTIL_H
#define BPFGATE_FS_UTIL_H

/* rm -rf of a folder bpfgate made itself (symbolic links are removed, never
 * followed). 0, or -errno of the first thing that could not be removed. */
int vh_rm_rf(const char *path);

#include <stddef.h>

/* mkdir -p: path and every missing folder above it, with mode (existing ones are
 * left as they are). 0 or -errno. */
int vh_mkdir_p(const char *path, unsigned int mode);

/* The whole file path into *data (malloc'd, NUL after its *size bytes). A file larger
 * than max (0: no limit) is -EFBIG (a regular one before it is read), a folder
 * -EISDIR. 0 or -errno. */
int vh_read_file(const char *path, size_t max, char **data, size_t *size);
/* The same from an open descriptor (a pipe, stdin) up to its end; fd stays open. */
int vh_read_fd(int fd, size_t max, char **data, size_t *size);
/* The same for its last max bytes at most (0: all of it); never -EFBIG. */
int vh_read_file_end(const char *path, size_t max, char **data, size_t *size);
/* All len bytes of data to fd (writes cut short or interrupted are resumed).
 * 0 or -errno. */
int vh_write_all(int fd, const void *data, size_t len);

#endif
