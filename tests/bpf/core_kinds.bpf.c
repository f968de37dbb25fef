// SPDX-License-Identifier: GPL-2.0
/*
 * core_kinds: one CO-RE relocation of each kind that bpfgate resolves against
 * its per-object subset of the kernel BTF (verifier-harness/host/core_btf.h).
 * tests/unit/test_core_btf.c checks that every relocated instruction is the
 * same as with the whole kernel BTF.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "bpfgate.h"

/* a flavour: only its essential name, task_struct, is looked up */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

/* no kernel has it: a relocation with no candidate at all */
struct bpfgate_absent {
	int x;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} core_values SEC(".maps");

static __always_inline void put(__u32 key, __u64 v)
{
	bpf_map_update_elem(&core_values, &key, &v, BPF_ANY);
}

SEC("xdp")
__success
int core_fields(struct xdp_md *ctx)
{
	put(0, bpf_core_field_offset(struct task_struct, pid));
	put(1, bpf_core_field_size(struct task_struct, comm));
	put(2, bpf_core_field_exists(struct task_struct, __state));
	put(3, bpf_core_field_exists(struct task_struct___old, state));
	put(4, __builtin_preserve_field_info(((struct tcphdr *)0)->doff, BPF_FIELD_SIGNED));
	put(5, __builtin_preserve_field_info(((struct tcphdr *)0)->doff, BPF_FIELD_LSHIFT_U64));
	put(6, __builtin_preserve_field_info(((struct tcphdr *)0)->doff, BPF_FIELD_RSHIFT_U64));
	put(7, bpf_core_field_offset(struct sk_buff, len));
	return XDP_PASS;
}

SEC("xdp")
__success
int core_types(struct xdp_md *ctx)
{
	put(8, bpf_core_type_exists(struct task_struct));
	put(9, bpf_core_type_size(struct task_struct));
	put(10, bpf_core_type_exists(struct bpfgate_absent));
	put(11, bpf_core_type_id_local(struct task_struct));
#if __clang_major__ >= 15
	put(12, bpf_core_type_matches(struct tcphdr));
	/* matching looks behind its pointers: at the name of what they point to */
	put(15, bpf_core_type_matches(struct callback_head));
#endif
	put(13, bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_loop));
	put(14, bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_loop));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
