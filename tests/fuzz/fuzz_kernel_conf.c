// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_kernel_conf.c: libFuzzer target for the configuration files bpfgate
 * reads: the kernel matrix (ci/kernels.conf, vh_kernel_conf__read) and a
 * kernel's .config, which the preflight reads (a user's own kernel build tree
 * may hold anything).
 *
 * Properties beyond "no crash, no leak": a matrix either loads with complete
 * entries (every field non-empty, without blanks, each series once and found
 * again by name) or fails with a one-line cause and no entries; the preflight
 * says yes, unknown or names what is missing, in one line.
 */
#include <errno.h>
#include <string.h>

#include "fuzz_common.h"
#include "kernel_cache.h"

static void check_field(const char *s, size_t size)
{
	check(memchr(s, '\0', size) && s[0]);
	check(!strpbrk(s, " \t\r\n#"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_kernel_conf conf;
	struct vh_kernel_spec spec = { 0 };
	char path[64], errbuf[256] = "", missing[256];
	int fd = fuzz_input_file(data, size, path, sizeof(path)), err;

	if (fd < 0)
		return 0;
	err = vh_kernel_conf__read(&conf, path, errbuf, sizeof(errbuf));
	if (err) {
		check(errbuf[0] && !strchr(errbuf, '\n'));
		check(conf.n == 0 && conf.v == NULL);
	} else {
		for (size_t i = 0; i < conf.n; i++) {
			const struct vh_kernel_entry *e = &conf.v[i];

			check_field(e->series, sizeof(e->series));
			check_field(e->suite, sizeof(e->suite));
			check_field(e->release, sizeof(e->release));
			check_field(e->packages, sizeof(e->packages));
			check(vh_kernel_conf__find(&conf, e->series) == e);
		}
		vh_kernel_conf__free(&conf);
	}
	/* the same bytes as a kernel's .config */
	memcpy(spec.config, path, strlen(path) + 1);
	for (int b = 0; b < 2; b++) {
		err = vh_kernel__preflight(&spec, b ? "vng" : "qemu", missing, sizeof(missing));
		check(err == 0 || err == -ENOENT || err == -ENOTSUP);
		check(!strchr(missing, '\n'));
		check(err != -ENOTSUP || missing[0]);
	}
	close(fd);
	return 0;
}
