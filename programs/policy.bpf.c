// SPDX-License-Identifier: GPL-2.0
/* policy.bpf.c: identity-based network policy for cgroups (connect4/6 and cgroup_skb egress). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bpfgate.h"
#include "policy.h"

#define AF_INET 2
#define AF_INET6 10

/* IPv6 extension headers walked before giving up (the packet is then malformed). */
#define POLICY_MAX_EXTHDRS 6
#define IPV6_NEXTHDR_HOP 0
#define IPV6_NEXTHDR_ROUTING 43
#define IPV6_NEXTHDR_FRAGMENT 44
#define IPV6_NEXTHDR_DEST 60

/* Load-time knobs (skeleton rodata). */
const volatile __u8 default_deny = 0;	/* no rule matched: deny instead of allow */
const volatile __u8 log_allowed = 0;	/* also emit events for allowed traffic */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);	/* cgroup v2 id */
	__type(value, __u32);	/* identity */
} identities SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 16384);
	__type(key, struct policy_key);
	__type(value, struct policy_rule);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rules SEC(".maps");

/* Denials per identity, for the operator's "who is being blocked" view. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} deny_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, POLICY_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* What a hook knows about the connection or packet it decides on. */
struct policy_flow {
	__u64 cgroup_id;
	__u32 uid;
	__u16 dport;
	__u8 proto;
	__u8 family;
	__u8 hook;
	__u8 daddr[16];
};

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline struct policy_rule *rule_lookup(struct policy_key *key, __u16 dport,
						       __u8 proto)
{
	key->dport = dport;
	key->proto = proto;
	return bpf_map_lookup_elem(&rules, key);
}

static __always_inline void emit(const struct policy_flow *f, __u32 identity, __u32 rule_id,
				 __u8 verdict)
{
	struct policy_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		/* Never block the datapath on a slow reader: count the loss. */
		stat_inc(POLICY_STAT_EVENT_DROPS);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->cgroup_id = f->cgroup_id;
	e->identity = identity;
	e->rule_id = rule_id;
	e->uid = f->uid;
	e->dport = f->dport;
	e->proto = f->proto;
	e->family = f->family;
	e->hook = f->hook;
	e->verdict = verdict;
	e->pad[0] = e->pad[1] = 0;
	__builtin_memcpy(e->daddr, f->daddr, sizeof(e->daddr));
	bpf_ringbuf_submit(e, 0);
}

/* Returns 1 to allow, 0 to deny (the convention of both hook types). */
static __always_inline int decide(const struct policy_flow *f)
{
	struct policy_rule *rule;
	struct policy_key key = {};
	__u32 *identity, id, rule_id = 0;
	__u8 verdict;
	__u64 *cnt, one = 1;

	identity = bpf_map_lookup_elem(&identities, &f->cgroup_id);
	if (!identity) {
		stat_inc(POLICY_STAT_UNMANAGED);
		return 1;
	}
	id = *identity;

	key.prefixlen = POLICY_KEY_FIXED_BITS + (f->family == AF_INET ? 32 : 128);
	key.identity = id;
	key.family = f->family;
	__builtin_memcpy(key.addr, f->daddr, sizeof(key.addr));

	/* Most specific first: L4 rule, then any port, then any protocol. */
	rule = rule_lookup(&key, f->dport, f->proto);
	if (!rule && f->dport)
		rule = rule_lookup(&key, 0, f->proto);
	if (!rule && f->proto)
		rule = rule_lookup(&key, 0, 0);

	if (rule) {
		verdict = rule->action == POLICY_DENY ? POLICY_DENY : POLICY_ALLOW;
		rule_id = rule->rule_id;
	} else {
		stat_inc(POLICY_STAT_DEFAULT);
		verdict = default_deny ? POLICY_DENY : POLICY_ALLOW;
	}

	if (verdict == POLICY_ALLOW) {
		stat_inc(POLICY_STAT_ALLOWED);
		if (log_allowed)
			emit(f, id, rule_id, verdict);
		return 1;
	}

	stat_inc(POLICY_STAT_DENIED);
	cnt = bpf_map_lookup_elem(&deny_count, &id);
	if (cnt)
		__sync_fetch_and_add(cnt, 1);
	else
		bpf_map_update_elem(&deny_count, &id, &one, BPF_NOEXIST);
	emit(f, id, rule_id, verdict);
	return 0;
}

SEC("cgroup/connect4")
int policy_connect4(struct bpf_sock_addr *ctx)
{
	struct policy_flow f = {};
	__u32 daddr = ctx->user_ip4;

	f.cgroup_id = bpf_get_current_cgroup_id();
	f.uid = (__u32)bpf_get_current_uid_gid();
	f.dport = bpf_ntohs((__u16)ctx->user_port);
	f.proto = (__u8)ctx->protocol;
	f.family = AF_INET;
	f.hook = POLICY_HOOK_CONNECT4;
	__builtin_memcpy(f.daddr, &daddr, 4);
	return decide(&f);
}

SEC("cgroup/connect6")
int policy_connect6(struct bpf_sock_addr *ctx)
{
	struct policy_flow f = {};
	__u32 a[4];

	/* The context allows only 4-byte reads of user_ip6. */
	a[0] = ctx->user_ip6[0];
	a[1] = ctx->user_ip6[1];
	a[2] = ctx->user_ip6[2];
	a[3] = ctx->user_ip6[3];
	f.cgroup_id = bpf_get_current_cgroup_id();
	f.uid = (__u32)bpf_get_current_uid_gid();
	f.dport = bpf_ntohs((__u16)ctx->user_port);
	f.proto = (__u8)ctx->protocol;
	f.family = AF_INET6;
	f.hook = POLICY_HOOK_CONNECT6;
	__builtin_memcpy(f.daddr, a, 16);
	return decide(&f);
}

/* Ports of a TCP or UDP header at off; 0 when absent (not an error: ICMP, SCTP...). */
static __always_inline int load_dport(struct __sk_buff *skb, __u32 off, __u8 proto, __u16 *dport)
{
	__be16 ports[2];

	*dport = 0;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return 0;
	if (bpf_skb_load_bytes(skb, off, ports, sizeof(ports)))
		return -1;
	*dport = bpf_ntohs(ports[1]);
	return 0;
}

static __always_inline int parse_ipv4(struct __sk_buff *skb, struct policy_flow *f)
{
	struct iphdr ip;
	__u32 ihl;

	if (bpf_skb_load_bytes(skb, 0, &ip, sizeof(ip)))
		return -1;
	ihl = ip.ihl * 4;
	if (ihl < sizeof(ip) || ihl > skb->len)
		return -1;
	f->family = AF_INET;
	f->proto = ip.protocol;
	__builtin_memcpy(f->daddr, &ip.daddr, 4);
	/* A non-first fragment has no L4 header: only L3 rules can match it. */
	if (ip.frag_off & bpf_htons(0x1fff))
		return 0;
	return load_dport(skb, ihl, f->proto, &f->dport);
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, struct policy_flow *f)
{
	struct ipv6hdr ip6;
	struct ipv6_opt_hdr opt;
	__u32 off = sizeof(ip6);
	__u8 nexthdr;
	int i;

	if (bpf_skb_load_bytes(skb, 0, &ip6, sizeof(ip6)))
		return -1;
	f->family = AF_INET6;
	__builtin_memcpy(f->daddr, &ip6.daddr, 16);
	nexthdr = ip6.nexthdr;

	/* Bounded walk: a chain longer than POLICY_MAX_EXTHDRS is malformed. */
#pragma unroll
	for (i = 0; i < POLICY_MAX_EXTHDRS; i++) {
		if (nexthdr == IPV6_NEXTHDR_FRAGMENT) {
			struct frag_hdr fh;

			if (bpf_skb_load_bytes(skb, off, &fh, sizeof(fh)))
				return -1;
			f->proto = fh.nexthdr;
			/* Later fragments carry no L4 header. */
			if (fh.frag_off & bpf_htons(0xfff8))
				return 0;
			return load_dport(skb, off + sizeof(fh), f->proto, &f->dport);
		}
		if (nexthdr != IPV6_NEXTHDR_HOP && nexthdr != IPV6_NEXTHDR_ROUTING &&
		    nexthdr != IPV6_NEXTHDR_DEST) {
			f->proto = nexthdr;
			return load_dport(skb, off, nexthdr, &f->dport);
		}
		if (bpf_skb_load_bytes(skb, off, &opt, sizeof(opt)))
			return -1;
		nexthdr = opt.nexthdr;
		off += (opt.hdrlen + 1) * 8;
	}
	return -1;
}

SEC("cgroup_skb/egress")
int policy_egress(struct __sk_buff *skb)
{
	struct policy_flow f = {};
	__u8 vers;
	int err;

	/* cgroup_skb sees the packet from its network header on. */
	if (bpf_skb_load_bytes(skb, 0, &vers, 1))
		goto malformed;
	vers >>= 4;
	if (vers == 4)
		err = parse_ipv4(skb, &f);
	else if (vers == 6)
		err = parse_ipv6(skb, &f);
	else
		return 1;	/* not IP: not this policy's business */
	if (err)
		goto malformed;

	f.cgroup_id = bpf_skb_cgroup_id(skb);
	f.uid = (__u32)-1;
	f.hook = POLICY_HOOK_EGRESS;
	return decide(&f);

malformed:
	/* Locally generated packets the parser cannot classify are let through, counted. */
	stat_inc(POLICY_STAT_MALFORMED);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
