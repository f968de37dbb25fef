/* SPDX-License-Identifier: BSD-2-Clause */
/* policy.h: maps and events that the policy programs share with user space. */
#ifndef BPFGATE_POLICY_H
#define BPFGATE_POLICY_H

/*
 * A workload is a cgroup (v2) mapped to a numeric identity in `identities`.
 * A rule is an LPM-trie entry keyed by (identity, port, protocol, family,
 * destination prefix). The fixed fields always take part in the match, so the
 * prefix length of a key is POLICY_KEY_FIXED_BITS plus the CIDR's length:
 *
 *	identity 42 may not reach 10.1.0.0/16 on TCP port 5432:
 *	{ .prefixlen = 64 + 16, .identity = 42, .dport = 5432,
 *	  .proto = IPPROTO_TCP, .family = AF_INET, .addr = {10, 1} }
 *
 * dport 0 means any port, proto 0 any protocol (with any port). A connection
 * is matched against (port, proto), then (any port, proto), then (any, any);
 * the first rule found decides. No rule: default_deny (a load-time knob).
 * A cgroup with no identity is not managed by the policy: always allowed.
 */
#define POLICY_KEY_FIXED_BITS 64

#define POLICY_ALLOW 1
#define POLICY_DENY 2

/* Where a verdict was made (policy_event.hook). */
#define POLICY_HOOK_CONNECT4 1
#define POLICY_HOOK_CONNECT6 2
#define POLICY_HOOK_EGRESS 3

/* Indexes of the per-CPU `stats` array. */
enum policy_stat {
	POLICY_STAT_ALLOWED,	/* connections/packets allowed by a rule or the default */
	POLICY_STAT_DENIED,	/* denied (by a rule or the default) */
	POLICY_STAT_UNMANAGED,	/* from a cgroup without an identity */
	POLICY_STAT_DEFAULT,	/* decided by the default, no rule matched */
	POLICY_STAT_EVENT_DROPS, /* events lost: ring buffer full */
	POLICY_STAT_MALFORMED,	/* egress packets too short or inconsistent to classify */
	POLICY_STAT_MAX,
};

struct policy_key {
	__u32 prefixlen;
	__u32 identity;
	__u16 dport;	/* host order, 0: any */
	__u8 proto;	/* IPPROTO_*, 0: any */
	__u8 family;	/* AF_INET or AF_INET6 */
	__u8 addr[16];	/* network order; IPv4 in the first 4 bytes */
};

struct policy_rule {
	__u32 rule_id;	/* reported in events, chosen by user space */
	__u8 action;	/* POLICY_ALLOW or POLICY_DENY */
	__u8 pad[3];
};

/* One denied connection or packet (and allowed ones with log_allowed). */
struct policy_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 cgroup_id;
	__u32 identity;
	__u32 rule_id;		/* 0: the default decided */
	__u32 uid;		/* connect hooks only; egress: (__u32)-1 */
	__u16 dport;		/* host order */
	__u8 proto;
	__u8 family;
	__u8 hook;		/* POLICY_HOOK_* */
	__u8 verdict;		/* POLICY_ALLOW or POLICY_DENY */
	__u8 pad[2];
	__u8 daddr[16];
};

#endif
