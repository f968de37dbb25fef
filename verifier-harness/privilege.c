// SPDX-License-Identifier: BSD-2-Clause
/* privilege.c: check the effective capabilities needed to load BPF programs. */
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privilege.h"

#ifndef CAP_BPF
#define CAP_PERFMON 38
#define CAP_BPF 39
#endif

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

int vh_privilege__check(char *errbuf, size_t errlen)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	if (syscall(SYS_capget, &hdr, data)) {
		snprintf(errbuf, errlen, "cannot read capabilities: %m");
		return -errno;
	}
	/* Tracing and networking programs need more than CAP_BPF alone. */
	if (has_cap(data, CAP_SYS_ADMIN) ||
	    (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON) && has_cap(data, CAP_NET_ADMIN)))
		return 0;
	snprintf(errbuf, errlen, "loading BPF programs needs CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN, "
		 "or CAP_SYS_ADMIN (run as root)");
	return -EPERM;
}
