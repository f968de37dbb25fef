// SPDX-License-Identifier: GPL-2.0
/* flagged: needs its own flag -DFLAGGED=1 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef FLAGGED
#error "the per-program flag -DFLAGGED=1 is missing"
#endif

SEC("xdp")
int flagged(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
