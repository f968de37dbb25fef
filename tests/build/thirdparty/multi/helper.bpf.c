// SPDX-License-Identifier: GPL-2.0
/* multi: a global function linked into the program by bpftool gen object. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

__noinline int count_packet(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *v;

	if (!ctx)
		return 0;
	v = bpf_map_lookup_elem(&seen, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 1;
}
