/* SPDX-License-Identifier: BSD-2-Clause */
/* lib_trace_env.h: cgroups, network namespaces and BPF object counts for the trace tests. */
#ifndef LIB_TRACE_ENV_H
#define LIB_TRACE_ENV_H

#include <stddef.h>
#include <linux/types.h>

/* C linkage: the skeleton consumers are also built as C++ */
#ifdef __cplusplus
extern "C" {
#endif

/* A cgroup v2 directory created by a test, removed by trace_cgroup__destroy(). */
struct trace_cgroup {
	char path[512];
	int fd;
	__u64 id;
};

/* The cgroup v2 mount point into buf; -ENOENT when cgroup2 is not mounted. */
int trace_cgroup2_root(char *buf, size_t sz);
/* The cgroup v2 id of a cgroup directory. */
int trace_cgroup_id(const char *path, __u64 *id);
/* The cgroup v2 id of the calling process. */
int trace_cgroup_self_id(__u64 *id);
/* Create ROOT/bpfgate_TAG_PID and open it. */
int trace_cgroup__create(struct trace_cgroup *cg, const char *tag);
/* Move process pid into the cgroup. */
int trace_cgroup__enter(const struct trace_cgroup *cg, int pid);
void trace_cgroup__destroy(struct trace_cgroup *cg);

/* Move the caller into a new network namespace with loopback up. */
int trace_netns_enter(void);

/* Loaded programs, and links of programs, whose name starts with prefix. */
int trace_count_progs(const char *prefix);
int trace_count_links(const char *prefix);
/*
 * Programs are freed asynchronously after their last reference goes: poll
 * until count_fn(prefix) == want, at most timeout_ms; returns the last count.
 */
int trace_wait_count(int (*count_fn)(const char *), const char *prefix, int want, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
