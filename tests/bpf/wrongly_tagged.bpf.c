// SPDX-License-Identifier: GPL-2.0
/* wrongly_tagged: tagged __failure, but the verifier accepts it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpfgate.h"

SEC("xdp")
__failure __msg("anything")
int wrongly_tagged(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
