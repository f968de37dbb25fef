// SPDX-License-Identifier: GPL-2.0
/* plain: must not get another program's flags */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifdef FLAGGED
#error "another program's flag -DFLAGGED leaked into this one"
#endif

SEC("xdp")
int plain(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
