// SPDX-License-Identifier: GPL-2.0
/* msg_each: every __msg of a __failure program must be in the log, the last as much as
 * the first: each program but msg_all_found has one message the verifier never writes,
 * first or last in its list. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "bpfgate.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

static __always_inline int deref_unchecked(void)
{
	__u32 key = 1;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);

	*v += 1;
	return XDP_PASS;
}

SEC("xdp")
__failure __msg("invalid mem access") __msg("map_value_or_null")
int msg_all_found(struct xdp_md *ctx)
{
	return deref_unchecked();
}

SEC("xdp")
__failure __msg("invalid mem access") __msg("no verifier writes this")
int msg_last_missing(struct xdp_md *ctx)
{
	return deref_unchecked();
}

SEC("xdp")
__failure __msg("no verifier writes this") __msg("invalid mem access")
int msg_first_missing(struct xdp_md *ctx)
{
	return deref_unchecked();
}

char LICENSE[] SEC("license") = "GPL";
