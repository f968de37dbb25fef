// SPDX-License-Identifier: BSD-2-Clause
/* privilege.c: check the effective capabilities needed to load BPF programs. */
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privilege.h"

#ifndef CAP_BPF
#define CAP_PERFMON 38
#define CAP_BPF 39
#endif

/*
 * What loading every program type takes without CAP_SYS_ADMIN (kernel 5.8+):
 * CAP_BPF to load at all; CAP_PERFMON for tracing programs, and for every
 * program the verifier's privileged mode (without it the verifier applies its
 * unprivileged rules, pointer leaks and Spectre checks, and its verdicts are
 * not those root gets); CAP_NET_ADMIN for networking programs (XDP, tc,
 * cgroup, sockops, ...). CAP_SYS_ADMIN (root) covers all of them.
 */
static const struct {
	int cap;
	const char *name;
} needed[] = {
	{ CAP_BPF, "CAP_BPF" },
	{ CAP_PERFMON, "CAP_PERFMON" },
	{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
};

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

int vh_privilege__check(char *errbuf, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	char missing[128] = "";

	if (syscall(SYS_capget, &hdr, data)) {
		snprintf(errbuf, errlen, "cannot read capabilities: %s", strerror(errno));
		return -errno;
	}
	if (has_cap(data, CAP_SYS_ADMIN))
		return 0;
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (has_cap(data, needed[i].cap))
			continue;
		if (missing[0])
			strcat(missing, ", ");
		strcat(missing, needed[i].name);
	}
	if (!missing[0])
		return 0;
	snprintf(errbuf, errlen, "loading BPF programs needs root, or CAP_BPF + CAP_PERFMON + "
		 "CAP_NET_ADMIN (CAP_SYS_ADMIN before Linux 5.8); missing %s", missing);
	return -EPERM;
}
