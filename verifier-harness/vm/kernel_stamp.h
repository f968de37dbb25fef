/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernel_stamp.h: the stamp of a kernel cache entry, written last.
 *
 * DIR/stamp lists every regular file under DIR with its size and SHA-256:
 *
 *	bpfgate-stamp 1
 *	SIZE SHA256 RELATIVE/PATH
 *	...
 *	end COUNT
 *
 * The "end" line proves the stamp itself is whole. An entry is used only when
 * its stamp is whole and every listed file has its size (cheap, each use);
 * `bpfgate kernel verify` also compares the hashes and looks for files, links
 * or special files that the stamp does not list.
 */
#ifndef BPFGATE_KERNEL_STAMP_H
#define BPFGATE_KERNEL_STAMP_H

#include <stdbool.h>
#include <stddef.h>

#define VH_STAMP_NAME "stamp"

/* Write DIR/stamp (fsynced). Refuses symbolic links and special files in DIR. */
int vh_stamp__write(const char *dir, char *errbuf, size_t errlen);

/*
 * Check DIR against DIR/stamp: sizes, and with full also hashes and unlisted
 * files. 0 whole, -ENOENT no stamp, -EBADMSG damaged; why says what.
 */
int vh_stamp__check(const char *dir, bool full, char *why, size_t len);

#endif
