// SPDX-License-Identifier: GPL-2.0
/* split: a program over two files; both need its flag -DFLAGGED=1. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef FLAGGED
#error "the per-program flag -DFLAGGED=1 is missing"
#endif

int split_helper(void);

SEC("xdp")
int split_main(struct xdp_md *ctx)
{
	return split_helper() ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
