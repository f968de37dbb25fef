/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernel_cache.h: the kernel matrix (ci/kernels.conf) and the cache of fetched kernels.
 *
 * Cache layout (ROOT is $BPFGATE_CACHE, else $XDG_CACHE_HOME/bpfgate, else
 * ~/.cache/bpfgate):
 *
 *	ROOT/kernels/RELEASE/vmlinuz              the kernel image
 *	ROOT/kernels/RELEASE/vmlinux              unpacked from it (ELF, boots via PVH)
 *	ROOT/kernels/RELEASE/config               its configuration
 *	ROOT/kernels/RELEASE/lib/modules/RELEASE/ modules, depmod run
 *	ROOT/kernels/RELEASE/manifest             series, suite, packages (written last)
 *	ROOT/kernels/.RELEASE.lock                held while fetching RELEASE
 *	ROOT/kernels/.tmp-RELEASE.XXXXXX/         a fetch in progress (never used)
 *	ROOT/apt/SUITE/                           isolated apt lists per suite
 *
 * A fetch fills a .tmp- folder and renames it to RELEASE only when complete, so an
 * entry that exists is whole; a killed fetch leaves only a .tmp- folder, which the
 * next fetch of that kernel removes under the lock.
 */
#ifndef BPFGATE_KERNEL_CACHE_H
#define BPFGATE_KERNEL_CACHE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* One line of ci/kernels.conf. */
struct vh_kernel_entry {
	char series[32];    /* "6.1", or "host" */
	char suite[64];     /* Debian suite, "-" for host */
	char release[128];  /* uname -r of the kernel, "-" for host */
	char packages[512]; /* NAME=VERSION[,NAME=VERSION...] */
};

struct vh_kernel_conf {
	char path[PATH_MAX];   /* the kernels.conf read */
	char script[PATH_MAX]; /* ci/kernels.sh beside it (does the apt part) */
	struct vh_kernel_entry *v;
	size_t n;
};

struct vh_kernel_cache {
	char root[PATH_MAX];    /* ROOT above */
	char kernels[PATH_MAX]; /* ROOT/kernels */
};

/* How to boot one --kernel argument. */
struct vh_kernel_spec {
	char name[PATH_MAX];    /* as given: "6.1", "host", a path */
	char image[PATH_MAX];   /* bootable image (bzImage/vmlinuz) */
	char vmlinux[PATH_MAX]; /* the same kernel as an ELF file, "" if none */
	char config[PATH_MAX];  /* its .config, "" when not known */
	char modroot[PATH_MAX]; /* folder holding lib/modules/RELEASE, "" if none */
	char release[128];      /* expected release, "" when not known */
	bool host;              /* the running kernel: no VM */
	bool cached;            /* a series whose cache entry exists */
	const struct vh_kernel_entry *entry; /* the matrix line, NULL for a path */
};

/*
 * Find and read ci/kernels.conf: $BPFGATE_KERNELS_CONF, else kernels.conf in
 * $BPFGATE_DATADIR, beside the running binary (../ci for a build tree,
 * ../share/bpfgate/ci when installed), or in the source tree bpfgate was built from.
 * 0, or -errno with the cause in errbuf.
 */
int vh_kernel_conf__load(struct vh_kernel_conf *conf, char *errbuf, size_t errlen);
int vh_kernel_conf__read(struct vh_kernel_conf *conf, const char *path, char *errbuf,
			 size_t errlen);
const struct vh_kernel_entry *vh_kernel_conf__find(const struct vh_kernel_conf *conf,
						   const char *series);
void vh_kernel_conf__free(struct vh_kernel_conf *conf);

/* Resolve the cache root from the environment (does not create it). */
int vh_kernel_cache__init(struct vh_kernel_cache *cache);
/* ROOT/kernels/RELEASE into buf; -ENAMETOOLONG if it does not fit. */
int vh_kernel_cache__entry_dir(const struct vh_kernel_cache *cache, const char *release,
			       char *buf, size_t len);
/* True when a complete entry for release is in the cache. */
bool vh_kernel_cache__has(const struct vh_kernel_cache *cache, const char *release);
/* Bytes used by an entry (0 when absent). */
unsigned long long vh_kernel_cache__entry_size(const struct vh_kernel_cache *cache,
					       const char *release);

/*
 * Fetch e into the cache: take the kernel's lock (waits while another run fetches
 * it), return at once if it is cached by then, else run the conf's kernels.sh into
 * a temporary folder and rename it into place. log_fd receives the script's
 * progress and errors (-1: stderr). 0, or -errno with the cause in errbuf.
 */
int vh_kernel_cache__fetch(const struct vh_kernel_cache *cache, const struct vh_kernel_conf *conf,
			   const struct vh_kernel_entry *e, int log_fd, char *errbuf,
			   size_t errlen);

/*
 * Resolve one --kernel argument: "host", a series of the conf (cached or not: see
 * spec->cached), a kernel image file, a kernel build tree (arch/x86/boot/bzImage)
 * or a cache-entry-like folder (vmlinuz inside). 0, or -ENOENT/-EINVAL with a
 * one-line cause in errbuf.
 */
int vh_kernel__resolve(const char *arg, const struct vh_kernel_conf *conf,
		       const struct vh_kernel_cache *cache, struct vh_kernel_spec *spec,
		       char *errbuf, size_t errlen);

/*
 * Preflight: does the kernel's config have what the backend needs? backend is
 * "qemu" (built-in serial console, initramfs, devtmpfs) or "vng" (9p or virtiofs,
 * virtio console). Both need BPF and BTF. Returns 0 when fine, -ENOENT when the
 * config is unknown (nothing checked), -ENOTSUP with the missing options listed in
 * missing ("CONFIG_X CONFIG_Y").
 */
int vh_kernel__preflight(const struct vh_kernel_spec *spec, const char *backend, char *missing,
			 size_t len);

/*
 * The file QEMU should boot: the ELF vmlinux when there is one and the kernel has
 * CONFIG_PVH (QEMU then starts it directly, without the decompression that takes
 * seconds under TCG), else the compressed image.
 */
const char *vh_kernel__qemu_image(const struct vh_kernel_spec *spec);

#endif
