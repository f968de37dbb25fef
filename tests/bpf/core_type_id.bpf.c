// SPDX-License-Identifier: GPL-2.0
/*
 * core_type_id: a relocation to a kernel type id (bpf_core_type_id_kernel).
 * Ids differ in a subset of the kernel BTF, so bpfgate gives libbpf the whole
 * BTF for this object (verifier-harness/host/core_btf.h).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "bpfgate.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} type_ids SEC(".maps");

SEC("xdp")
__success
int core_type_id(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 id = bpf_core_type_id_kernel(struct task_struct);

	bpf_map_update_elem(&type_ids, &key, &id, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
