// SPDX-License-Identifier: GPL-2.0
/* rejects_null_deref: must be rejected: a map value used without a NULL check. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpfgate.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("xdp")
__failure __msg("invalid mem access 'map_value_or_null'")
int rejects_null_deref(struct xdp_md *ctx)
{
	__u32 key = 1;
	__u64 *v = bpf_map_lookup_elem(&seen, &key);

	*v += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
