/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernel_cache.h: the cache of fetched kernels, and how a --kernel argument is resolved.
 *
 * Cache layout (ROOT is $BPFGATE_CACHE, else $XDG_CACHE_HOME/bpfgate, else
 * ~/.cache/bpfgate):
 *
 *	ROOT/kernels/RELEASE/vmlinuz              the kernel image
 *	ROOT/kernels/RELEASE/vmlinux              unpacked from it (ELF, boots via PVH)
 *	ROOT/kernels/RELEASE/config               its configuration
 *	ROOT/kernels/RELEASE/lib/modules/RELEASE/ modules, depmod run
 *	ROOT/kernels/RELEASE/manifest             series, suite, packages, substitution
 *	ROOT/kernels/RELEASE/stamp                every file's size and SHA-256 (written last)
 *	ROOT/kernels/RELEASE.fetch.log            the log of a failed fetch (kept)
 *	ROOT/kernels/RELEASE.substitute           the release fetched instead of a pin
 *	                                          that left the mirror (--allow-newer)
 *	ROOT/kernels/.RELEASE.lock                held while fetching RELEASE
 *	ROOT/kernels/.tmp-RELEASE.XXXXXX/         a fetch in progress (never used)
 *	ROOT/apt/SUITE/                           isolated apt lists per suite
 *
 * Every path under ROOT/kernels is built by vh_kernel_cache__path(), which refuses
 * a name that could leave the folder and checks the result after resolving
 * symbolic links. A fetch fills a .tmp- folder, stamps it and renames it to RELEASE,
 * so an entry is whole; one whose stamp does not match is damaged: never booted,
 * fetched again. One without a stamp (an older bpfgate's) is not used until a fetch
 * stamps it in place (no download) or, if it does not look whole, fetches it again.
 */
#ifndef BPFGATE_KERNEL_CACHE_H
#define BPFGATE_KERNEL_CACHE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "kernel_conf.h"

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
	bool cached;            /* a series whose cache entry exists and is whole */
	const struct vh_kernel_entry *entry; /* the matrix line, NULL for a path */
	char pinned[128];       /* the pinned release when a newer one stands in, else "" */
};

/* State of a cache entry. */
enum vh_entry_state {
	VH_ENTRY_ABSENT,
	VH_ENTRY_WHOLE,
	VH_ENTRY_DAMAGED, /* stamp missing or not matching: fetch it again */
};

/*
 * Find and read kernels.conf: $BPFGATE_KERNELS_CONF, else kernels.conf in bpfgate's
 * data folder; conf->script is kernels.sh of the data folder (never of the conf's
 * folder: a custom kernels.conf needs nothing beside it). The data folder is
 * $BPFGATE_DATADIR, else ../ci beside the running binary (a build tree),
 * ../share/bpfgate/ci (installed), or the source tree bpfgate was built from.
 * 0, or -errno with "FILE[:LINE]: cause" in errbuf.
 */
int vh_kernel_conf__load(struct vh_kernel_conf *conf, char *errbuf, size_t errlen);
/* The same with an explicit file (NULL: as above). */
int vh_kernel_conf__load_file(struct vh_kernel_conf *conf, const char *path, char *errbuf,
			      size_t errlen);

/* Resolve the cache root from the environment (does not create it). */
int vh_kernel_cache__init(struct vh_kernel_cache *cache);

/*
 * THE way to name something under ROOT/kernels: NAME (printf-formatted, one folder
 * entry: no '/', not '.' or '..', no control character), then sub (a relative path
 * inside it, or NULL). Refuses (-EINVAL, -ELOOP) a name that could leave the cache,
 * a symbolic link as the entry, and a result whose real path is not under the real
 * ROOT/kernels. -ENAMETOOLONG when it does not fit.
 */
int vh_kernel_cache__path(const struct vh_kernel_cache *cache, char *buf, size_t len,
			  const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* ROOT/kernels/RELEASE into buf (vh_kernel_cache__path). */
int vh_kernel_cache__entry_dir(const struct vh_kernel_cache *cache, const char *release,
			       char *buf, size_t len);
/* Cheap check (stamp whole, sizes) or full (hashes, unlisted files); why says what. */
enum vh_entry_state vh_kernel_cache__check(const struct vh_kernel_cache *cache,
					   const char *release, bool full, char *why,
					   size_t len);
/* True when a whole entry for release is in the cache (cheap check). */
bool vh_kernel_cache__has(const struct vh_kernel_cache *cache, const char *release);
/* Bytes used by an entry (0 when absent). */
unsigned long long vh_kernel_cache__entry_size(const struct vh_kernel_cache *cache,
					       const char *release);
/* The release that stands in for a pinned one (RELEASE.substitute), "" if none. */
void vh_kernel_cache__substitute(const struct vh_kernel_cache *cache, const char *release,
				 char *buf, size_t len);

struct vh_fetch_opts {
	int log_fd;       /* progress and errors of kernels.sh (-1: stderr) */
	bool allow_newer; /* a pin that left the mirror: take the newest of its series */
};

/*
 * Fetch e into the cache: take the kernel's lock (waits while another run fetches
 * it), return at once if it is whole by then, else run kernels.sh into a temporary
 * folder (its own process group, killed with bpfgate), stamp it and rename it into
 * place. SIGINT, SIGTERM and SIGHUP stop it within a second: the children are
 * killed, the locks released, the temporary folder removed; the signal is then
 * raised again. 0, -EINTR, -ESTALE (the pin left the mirror and allow_newer is not
 * set), or -errno, with the cause in errbuf (naming the kept log of a failed fetch).
 * On success used (if not NULL) is the release cached (a newer one, or e's).
 */
int vh_kernel_cache__fetch_opts(const struct vh_kernel_cache *cache,
				const struct vh_kernel_conf *conf, const struct vh_kernel_entry *e,
				const struct vh_fetch_opts *opts, char *used, size_t usedlen,
				char *errbuf, size_t errlen);
/* The same with log_fd and no --allow-newer. */
int vh_kernel_cache__fetch(const struct vh_kernel_cache *cache, const struct vh_kernel_conf *conf,
			   const struct vh_kernel_entry *e, int log_fd, char *errbuf,
			   size_t errlen);

/*
 * The newest version of e's series in e's suite, as an entry (same series and
 * suite), from the apt lists of the cache (refreshed first when refresh, else only
 * if present). 0, -ENOENT when nothing is known (no lists, or no package found),
 * or -errno with errbuf.
 */
int vh_kernel_cache__newest(const struct vh_kernel_cache *cache, const struct vh_kernel_conf *conf,
			    const struct vh_kernel_entry *e, bool refresh,
			    struct vh_kernel_entry *newest, char *errbuf, size_t errlen);

/* Is the file at path a kernel image (bzImage "HdrS" at 0x202, or ELF)? */
bool vh_kernel__is_image(const char *path);

/*
 * Resolve one --kernel argument: "host", a series of the conf (cached or not: see
 * spec->cached), a kernel image file, a kernel build tree (arch/x86/boot/bzImage)
 * or a cache-entry-like folder (vmlinuz inside); every image must be a kernel
 * image. 0, or -ENOENT/-EINVAL with a one-line cause in errbuf.
 */
int vh_kernel__resolve(const char *arg, const struct vh_kernel_conf *conf,
		       const struct vh_kernel_cache *cache, struct vh_kernel_spec *spec,
		       char *errbuf, size_t errlen);

/*
 * Preflight: does the kernel's config have BPF, BTF and what a VM kind needs
 * (needs: NULL-terminated, each "CONFIG_X=y" built in, "CONFIG_X" built in or a
 * module, "A+B|C" both A and B, or C)? Returns 0 when fine, -ENOENT when the
 * config is unknown (nothing checked), -ENOTSUP with the missing options listed in
 * missing ("CONFIG_X CONFIG_Y", without "=y").
 */
int vh_kernel__preflight(const struct vh_kernel_spec *spec, const char *const *needs,
			 char *missing, size_t len);

/*
 * The file QEMU should boot: the ELF vmlinux when there is one and the kernel has
 * CONFIG_PVH (QEMU then starts it directly, without the decompression that takes
 * seconds under TCG), else the compressed image.
 */
const char *vh_kernel__qemu_image(const struct vh_kernel_spec *spec);

#endif
