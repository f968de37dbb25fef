// SPDX-License-Identifier: GPL-2.0
/*
 * core_missing_field: a field that kernels before 5.14 lack (task_struct's
 * __state, renamed from state), read once without a guard and once behind
 * bpf_core_field_exists(). `bpfgate core-check` must fail the unguarded
 * program against a BTF without the field and pass everything else
 * (tests/e2e/test_core_check.sh).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "bpfgate.h"

struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} last_state SEC(".maps");

static __always_inline void put(__u64 v)
{
	__u32 key = 0;

	bpf_map_update_elem(&last_state, &key, &v, BPF_ANY);
}

SEC("raw_tp/sched_switch")
__success
int state_unguarded(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();

	put(BPF_CORE_READ(task, __state));
	return 0;
}

SEC("raw_tp/sched_switch")
__success
int state_guarded(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	struct task_struct___pre514 *old = (void *)task;

	if (bpf_core_field_exists(task->__state))
		put(BPF_CORE_READ(task, __state));
	else
		put(BPF_CORE_READ(old, state));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
