/* SPDX-License-Identifier: BSD-2-Clause */
/* exec.h: process exec/exit events shared by exec.bpf.c and its loader. */
#ifndef BPFGATE_EXEC_H
#define BPFGATE_EXEC_H

#define EXEC_COMM_LEN 16
#define EXEC_FILENAME_LEN 256
#define EXEC_ARGS_LEN 512	/* bytes of the argument area copied, NUL-separated */

/* exec_event_hdr.type */
#define EXEC_EV_EXEC 1
#define EXEC_EV_EXIT 2

/* exec_event.flags */
#define EXEC_F_ARGS_TRUNCATED (1U << 0)	/* argv longer than EXEC_ARGS_LEN */
#define EXEC_F_ARGS_UNREADABLE (1U << 1)	/* the argument area could not be read */
#define EXEC_F_NO_LOGINUID (1U << 2)	/* kernel without audit: auid is unknown */

/* Indexes of the per-CPU `stats` array. */
enum exec_stat {
	EXEC_STAT_EXEC,		/* execs seen */
	EXEC_STAT_EXIT,		/* process (thread group) exits seen */
	EXEC_STAT_EVENT_DROPS,	/* events lost: ring buffer full */
	EXEC_STAT_ARGS_TRUNCATED,
	EXEC_STAT_READ_ERRORS,	/* argv or filename unreadable */
	EXEC_STAT_MAX,
};

struct exec_event_hdr {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 cgroup_id;	/* cgroup v2 id */
	__u32 type;		/* EXEC_EV_* */
	__u32 pid;		/* thread group id */
	__u32 ppid;		/* real parent's thread group id */
	__u32 uid;
	char comm[EXEC_COMM_LEN];
};

struct exec_event {
	struct exec_event_hdr hdr;
	__u64 cap_effective;	/* effective capabilities, bit N = capability N */
	__u32 auid;		/* login uid, (__u32)-1 when unset or unknown */
	__u32 flags;		/* EXEC_F_* */
	__u32 args_len;		/* bytes valid in args */
	__u32 pad;
	char filename[EXEC_FILENAME_LEN];	/* as given to execve(), NUL-terminated */
	char args[EXEC_ARGS_LEN];	/* argv[0]\0argv[1]\0... */
};

struct exec_exit_event {
	struct exec_event_hdr hdr;
	__u64 duration_ns;	/* since the process started */
	__u32 exit_code;	/* as wait(2) reports it: status << 8 | signal */
	__u32 task_state;	/* task_struct's state word (TASK_RUNNING on its exit path) */
};

#endif
