// SPDX-License-Identifier: GPL-2.0
/* exec.bpf.c: process lifecycle (exec and exit) with argv, credentials and cgroup. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "bpfgate.h"
#include "exec.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXEC_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* The loader may resize it (bpf_map__set_max_entries) before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* Before Linux 6.3, kernel_cap_t was two 32-bit words instead of one u64. */
struct kernel_cap_struct___old {
	__u32 cap[2];
} __attribute__((preserve_access_index));

struct cred___old {
	struct kernel_cap_struct___old cap_effective;
} __attribute__((preserve_access_index));

/* Before Linux 5.14, task_struct's state was `long state`; it is `unsigned int __state` since. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline void fill_hdr(struct exec_event_hdr *h, struct task_struct *task,
				     __u32 type, __u32 tgid)
{
	h->ts_ns = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->type = type;
	h->pid = tgid;
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline __u64 read_cap_effective(struct task_struct *task)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);
	struct cred___old *old = (void *)cred;
	__u64 lo, hi;

	if (bpf_core_field_exists(cred->cap_effective.val))
		return BPF_CORE_READ(cred, cap_effective.val);
	lo = BPF_CORE_READ(old, cap_effective.cap[0]);
	hi = BPF_CORE_READ(old, cap_effective.cap[1]);
	return lo | hi << 32;
}

static __always_inline __u32 read_task_state(struct task_struct *task)
{
	struct task_struct___pre514 *old = (void *)task;

	if (bpf_core_field_exists(task->__state))
		return BPF_CORE_READ(task, __state);
	return (__u32)BPF_CORE_READ(old, state);
}

/*
 * BTF-enabled raw tracepoints: typed arguments, and attached by name without
 * tracefs (which minimal systems often do not mount).
 */
SEC("tp_btf/sched_process_exec")
__min_kernel("5.5") __min_kernel_reason("tp_btf programs need kernel BTF support for tracing")
int BPF_PROG(exec_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	unsigned long arg_start, arg_end;
	struct exec_event *e;
	__u64 len;

	stat_inc(EXEC_STAT_EXEC);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		/* Never block an exec on a slow reader: count the loss. */
		stat_inc(EXEC_STAT_EVENT_DROPS);
		return 0;
	}
	fill_hdr(&e->hdr, task, EXEC_EV_EXEC, tgid);
	e->flags = 0;
	e->pad = 0;
	e->cap_effective = read_cap_effective(task);

	/* loginuid exists only with CONFIG_AUDIT. */
	if (bpf_core_field_exists(task->loginuid)) {
		e->auid = BPF_CORE_READ(task, loginuid.val);
	} else {
		e->auid = (__u32)-1;
		e->flags |= EXEC_F_NO_LOGINUID;
	}

	/* The name given to execve() (or the script's interpreter resolution). */
	if (bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
				      BPF_CORE_READ(bprm, filename)) < 0) {
		e->filename[0] = '\0';
		stat_inc(EXEC_STAT_READ_ERRORS);
	}

	/* argv as the new image sees it: the argument area of the new mm, bounded. */
	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (len > EXEC_ARGS_LEN) {
		len = EXEC_ARGS_LEN;
		e->flags |= EXEC_F_ARGS_TRUNCATED;
		stat_inc(EXEC_STAT_ARGS_TRUNCATED);
	}
	if (bpf_probe_read_user(e->args, len, (void *)arg_start)) {
		len = 0;
		e->flags |= EXEC_F_ARGS_UNREADABLE;
		stat_inc(EXEC_STAT_READ_ERRORS);
	}
	e->args_len = len;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_process_exit")
__min_kernel("5.5") __min_kernel_reason("tp_btf programs need kernel BTF support for tracing")
int BPF_PROG(exec_exit, struct task_struct *task)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct exec_exit_event *e;

	/* One event per process: when its thread group leader exits. */
	if ((__u32)id != tgid)
		return 0;
	stat_inc(EXEC_STAT_EXIT);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		stat_inc(EXEC_STAT_EVENT_DROPS);
		return 0;
	}
	fill_hdr(&e->hdr, task, EXEC_EV_EXIT, tgid);
	e->duration_ns = e->hdr.ts_ns - BPF_CORE_READ(task, start_time);
	e->exit_code = BPF_CORE_READ(task, exit_code);
	e->task_state = read_task_state(task);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
