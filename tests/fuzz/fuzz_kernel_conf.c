// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_kernel_conf.c: libFuzzer target for the configuration files bpfgate
 * reads: the kernel matrix (kernels.conf, vh_kernel_conf__read) and a kernel's
 * .config, which the preflight reads (a user's own kernel build tree may hold
 * anything).
 *
 * Properties beyond "no crash, no leak": a matrix either loads with entries that
 * obey the grammar (every field non-empty, without blanks; a release that can
 * name a cache folder: no '/', no '..'; each series once and found again by
 * name; the cache path builder accepts each release and keeps it inside the
 * cache) or fails with one line "FILE:..." and no entries; the preflight says
 * yes, unknown or names what is missing, in one line.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "fuzz_common.h"
#include "kernel_cache.h"
#include "vm.h"

static void check_field(const char *s, size_t size)
{
	check(memchr(s, '\0', size) && s[0]);
	check(!strpbrk(s, " \t\r\n#/"));
	for (const char *p = s; *p; p++)
		check((unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_kernel_cache cache = { .root = "/nonexistent-bpfgate-fuzz",
					 .kernels = "/nonexistent-bpfgate-fuzz/kernels" };
	struct vh_kernel_conf conf;
	struct vh_kernel_spec spec = { 0 };
	char path[64], errbuf[256] = "", missing[256], dir[PATH_MAX];
	int fd = fuzz_input_file(data, size, path, sizeof(path)), err;

	if (fd < 0)
		return 0;
	err = vh_kernel_conf__read(&conf, path, errbuf, sizeof(errbuf));
	if (err) {
		check(errbuf[0] && !strchr(errbuf, '\n'));
		check(!strncmp(errbuf, path, strlen(path)));
		check(conf.n == 0 && conf.v == NULL);
	} else {
		check(conf.n > 0);
		for (size_t i = 0; i < conf.n; i++) {
			const struct vh_kernel_entry *e = &conf.v[i];
			const char *field;
			char why[256];

			check_field(e->series, sizeof(e->series));
			check_field(e->suite, sizeof(e->suite));
			check_field(e->release, sizeof(e->release));
			check_field(e->packages, sizeof(e->packages));
			check(vh_kernel_conf__find(&conf, e->series) == e);
			check(vh_kernel_entry__check(e, &field, why, sizeof(why)) == 0);
			if (strcmp(e->series, "host")) {
				check(!strstr(e->release, ".."));
				check(vh_kernel_cache__entry_dir(&cache, e->release, dir,
								 sizeof(dir)) == 0);
				check(!strncmp(dir, cache.kernels, strlen(cache.kernels)) &&
				      dir[strlen(cache.kernels)] == '/' &&
				      !strchr(dir + strlen(cache.kernels) + 1, '/'));
			}
		}
		vh_kernel_conf__free(&conf);
	}
	/* the same bytes as a kernel's .config */
	memcpy(spec.config, path, strlen(path) + 1);
	for (int b = 0; b < 2; b++) {
		const struct vh_vm_kind *kind = b ? &vh_vm_vng : &vh_vm_qemu;

		err = vh_kernel__preflight(&spec, kind->kconfig_needs, missing, sizeof(missing));
		check(err == 0 || err == -ENOENT || err == -ENOTSUP);
		check(!strchr(missing, '\n'));
		check(err != -ENOTSUP || missing[0]);
	}
	close(fd);
	return 0;
}
