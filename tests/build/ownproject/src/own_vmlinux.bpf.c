// SPDX-License-Identifier: GPL-2.0
/* own_vmlinux: builds only with the project's include/vmlinux.h. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef PROJECT_OWN_VMLINUX_H
#error "not the project's vmlinux.h: bpfgate's own came first"
#endif

SEC("xdp")
int own_vmlinux(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
