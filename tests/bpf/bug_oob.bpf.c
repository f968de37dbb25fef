// SPDX-License-Identifier: GPL-2.0
/* bug_oob: reads the packet without a bounds check (a real bug). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bug_oob(struct xdp_md *ctx)
{
	unsigned char *data = (void *)(long)ctx->data;

	if (data[12] == 0x08) /* BUG-LINE: no check against data_end */
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp")
int fine_next_to_bug(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
