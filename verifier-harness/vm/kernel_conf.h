/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernel_conf.h: the kernel matrix file (ci/kernels.conf) and its grammar.
 *
 * One kernel a line, four whitespace-separated fields, '#' starts a comment:
 *
 *	SERIES  SUITE  RELEASE  NAME=VERSION[,NAME=VERSION...]
 *	host    -      -        -
 *
 * Every field is untrusted: RELEASE names a folder of the kernel cache and the
 * packages are handed to apt. Each field must match its grammar (Debian's own
 * character sets, bounded lengths) or the whole file is refused with
 * "FILE:LINE: FIELD: why".
 */
#ifndef BPFGATE_KERNEL_CONF_H
#define BPFGATE_KERNEL_CONF_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define VH_KCONF_MAX_BYTES (256 * 1024) /* a larger file is refused */
#define VH_KCONF_MAX_LINE 1024
#define VH_KCONF_MAX_KERNELS 64
#define VH_KCONF_MAX_PACKAGES 8

/* One line of kernels.conf. */
struct vh_kernel_entry {
	char series[16];    /* "6.1", or "host" */
	char suite[48];     /* Debian suite, "-" for host */
	char release[65];   /* uname -r of the kernel (at most 64, like the kernel's), "-" for host */
	char packages[512]; /* NAME=VERSION[,NAME=VERSION...], "-" for host */
	int line;           /* where it was read (0: not from a file) */
};

struct vh_kernel_conf {
	char path[PATH_MAX];   /* the kernels.conf read */
	char script[PATH_MAX]; /* kernels.sh of bpfgate's data folder ("" if not found) */
	struct vh_kernel_entry *v;
	size_t n;
};

/*
 * Check one entry against the grammar. 0, or -EINVAL with the field's name in
 * *field and why in why ("'..' is not allowed").
 */
int vh_kernel_entry__check(const struct vh_kernel_entry *e, const char **field, char *why,
			   size_t len);
/* Is s a valid kernel release (the cache folder's name)? */
bool vh_kernel_release__valid(const char *s);
/* major.minor of a series or release ("6.1" of "6.1.0-56-amd64"); false if none. */
bool vh_kernel_series__of(const char *s, unsigned *major, unsigned *minor);

/*
 * Read and check a kernels.conf. 0, or -errno with "FILE:LINE: field: why" (or
 * "FILE: why") in errbuf and conf empty. A file without a kernel is an error.
 * conf->script is left empty: vh_kernel_conf__load() finds it.
 */
int vh_kernel_conf__read(struct vh_kernel_conf *conf, const char *path, char *errbuf,
			 size_t errlen);
const struct vh_kernel_entry *vh_kernel_conf__find(const struct vh_kernel_conf *conf,
						   const char *series);
void vh_kernel_conf__free(struct vh_kernel_conf *conf);

/*
 * Rewrite the pins of conf->path: each entry of repl[] (n of them, matched by
 * the line they were read from) replaces the release and packages fields of
 * its line; every other byte
 * (comments, blank lines, other kernels) stays. The file is replaced atomically
 * (a temporary file in the same folder, fsync, rename). 0 or -errno with errbuf.
 */
int vh_kernel_conf__rewrite(const struct vh_kernel_conf *conf,
			    const struct vh_kernel_entry *repl, size_t n, char *errbuf,
			    size_t errlen);

#endif
