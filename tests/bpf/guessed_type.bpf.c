// SPDX-License-Identifier: GPL-2.0
/* guessed_type: SEC() names no program type; the context argument does. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("my_custom_hook")
int guessed_type(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
