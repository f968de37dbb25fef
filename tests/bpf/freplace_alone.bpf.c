// SPDX-License-Identifier: GPL-2.0
/* freplace_alone: an extension program cannot be loaded without its target. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("freplace/some_global_func")
int freplace_alone(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
