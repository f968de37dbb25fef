// SPDX-License-Identifier: GPL-2.0
/* multi: the entry point; the counting lives in helper.bpf.c. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

extern int count_packet(struct xdp_md *ctx);

SEC("xdp")
int multi_entry(struct xdp_md *ctx)
{
	return count_packet(ctx) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
