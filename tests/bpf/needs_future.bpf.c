// SPDX-License-Identifier: GPL-2.0
/* needs_future: declares a kernel newer than any; rejected here, so skipped. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpfgate.h"

/* a helper id no kernel has (yet) */
static long (*future_helper)(void) = (void *)100000;

SEC("xdp")
__min_kernel("99.0") __min_kernel_reason("uses a helper from the future")
int needs_future(struct xdp_md *ctx)
{
	return future_helper() ? XDP_PASS : XDP_DROP;
}

SEC("xdp")
__min_kernel("99.0")
int passes_below_min(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
