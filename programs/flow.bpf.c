// SPDX-License-Identifier: GPL-2.0
/* flow.bpf.c: per-flow accounting and an early CIDR blocklist, at XDP and TC. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bpfgate.h"
#include "flow.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IP_MF 0x2000
#define IP_OFFSET 0x1FFF
#define TC_ACT_OK 0
#define IPPROTO_ICMPV6 58

#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH 51
#define NEXTHDR_DEST 60

/* Flow table size: big enough for a busy node, LRU so that it never fills up. */
#define FLOW_TABLE_SIZE 65536

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FLOW_TABLE_SIZE);
	__type(key, struct flow_key);
	__type(value, struct flow_counters);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} flow_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flow_metrics);
} flow_metrics SEC(".maps");

/* Source CIDRs dropped at XDP; the value counts the packets each entry dropped. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct flow_lpm_v4);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 4096);
	__type(key, struct flow_lpm_v6);
	__type(value, __u64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} blocklist_v6 SEC(".maps");

/* Load-time knob (skeleton rodata): 1 counts blocklisted sources but lets them through,
 * to try a blocklist before enforcing it. */
const volatile __u8 blocklist_dry_run = 0;

enum parse_verdict {
	PARSE_OK,
	PARSE_NON_IP,
	PARSE_TRUNCATED,
	PARSE_MALFORMED,
};

struct l4_ports {
	__be16 source;
	__be16 dest;
};

/*
 * Parse Ethernet, VLAN tags, IPv4/IPv6 and the transport header into key. Every read
 * is bounded by data_end; anything that does not fit is reported, never guessed.
 * Both walks are unrolled (a constant bound and #pragma unroll): 5.10 and 6.1 refuse
 * a loop that clang happens to close with a fall-through edge (check_cfg()
 * "back-edge"), whatever its bound.
 */
static __always_inline int parse_packet(void *data, void *data_end, struct flow_key *key,
					__u8 *tcp_flags, struct flow_metrics *m)
{
	struct ethhdr *eth = data;
	void *cur = data + ETH_HLEN;
	__u16 proto;
	__u8 l4 = 0;
	bool first_frag = true;
	int i;

	if (cur > data_end)
		return PARSE_TRUNCATED;
	proto = eth->h_proto;

#pragma unroll
	for (i = 0; i < FLOW_MAX_VLAN; i++) {
		struct vlan_hdr *vh = cur;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > data_end)
			return PARSE_TRUNCATED;
		key->vlan = bpf_ntohs(vh->h_vlan_TCI) & 0x0fff;
		proto = vh->h_vlan_encapsulated_proto;
		cur = vh + 1;
	}
	if (key->vlan || proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD))
		m->vlan++;

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = cur;
		__u32 ihl_len;

		if ((void *)(iph + 1) > data_end)
			return PARSE_TRUNCATED;
		if (iph->version != 4 || iph->ihl < 5)
			return PARSE_MALFORMED;
		ihl_len = iph->ihl * 4;
		if (bpf_ntohs(iph->tot_len) < ihl_len)
			return PARSE_MALFORMED;
		/* Options are skipped, never interpreted. */
		if (cur + ihl_len > data_end)
			return PARSE_TRUNCATED;
		key->family = 4;
		key->saddr[0] = iph->saddr;
		key->daddr[0] = iph->daddr;
		l4 = iph->protocol;
		if (iph->frag_off & bpf_htons(IP_OFFSET))
			first_frag = false;
		cur += ihl_len;
		m->ipv4++;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;

		if ((void *)(ip6 + 1) > data_end)
			return PARSE_TRUNCATED;
		if (ip6->version != 6)
			return PARSE_MALFORMED;
		key->family = 6;
		__builtin_memcpy(key->saddr, &ip6->saddr, 16);
		__builtin_memcpy(key->daddr, &ip6->daddr, 16);
		l4 = ip6->nexthdr;
		cur = ip6 + 1;
		m->ipv6++;

		/*
		 * A bounded walk: a chain longer than FLOW_IPV6_MAX_EXT is hostile. Every
		 * header's length is computed the same way (a fragment header's second
		 * byte is reserved and must be zero) so that the verifier sees one shape
		 * of state per step instead of one per kind of header.
		 */
#pragma unroll
		for (i = 0; i < FLOW_IPV6_MAX_EXT + 1; i++) {
			struct ipv6_opt_hdr *oh = cur;
			__u32 len;

			if (l4 != NEXTHDR_HOP && l4 != NEXTHDR_ROUTING && l4 != NEXTHDR_DEST &&
			    l4 != NEXTHDR_FRAGMENT && l4 != NEXTHDR_AUTH)
				break;
			if (i == FLOW_IPV6_MAX_EXT) {
				m->ipv6_ext_limit++;
				return PARSE_MALFORMED;
			}
			if (cur + 8 > data_end)
				return PARSE_TRUNCATED;
			if (l4 == NEXTHDR_FRAGMENT) {
				struct frag_hdr *fh = cur;

				if (fh->reserved)
					return PARSE_MALFORMED;
				/* Not the first fragment: no transport header to read. */
				if (fh->frag_off & bpf_htons(0xfff8)) {
					key->proto = fh->nexthdr;
					m->fragments++;
					return PARSE_OK;
				}
			}
			/* AH counts 4-byte words minus 2, the others 8-byte words minus 1. */
			if (l4 == NEXTHDR_AUTH)
				len = (oh->hdrlen + 2) << 2;
			else
				len = (oh->hdrlen + 1) << 3;
			l4 = oh->nexthdr;
			if (cur + len > data_end)
				return PARSE_TRUNCATED;
			cur += len;
		}
	} else {
		return PARSE_NON_IP;
	}

	key->proto = l4;
	if (!first_frag) {
		m->fragments++;
		return PARSE_OK;
	}

	if (l4 == IPPROTO_TCP) {
		struct tcphdr *th = cur;

		if ((void *)(th + 1) > data_end)
			return PARSE_TRUNCATED;
		if (th->doff < 5)
			return PARSE_MALFORMED;
		key->sport = bpf_ntohs(th->source);
		key->dport = bpf_ntohs(th->dest);
		/* Byte 13 of the header: CWR ECE URG ACK PSH RST SYN FIN. */
		*tcp_flags = ((__u8 *)th)[13];
		m->tcp++;
	} else if (l4 == IPPROTO_UDP) {
		struct l4_ports *ports = cur;

		if (cur + sizeof(struct udphdr) > data_end)
			return PARSE_TRUNCATED;
		key->sport = bpf_ntohs(ports->source);
		key->dport = bpf_ntohs(ports->dest);
		m->udp++;
	} else if (l4 == IPPROTO_ICMP || l4 == IPPROTO_ICMPV6) {
		__u8 *icmp = cur;

		if (cur + 4 > data_end)
			return PARSE_TRUNCATED;
		key->sport = icmp[0];
		key->dport = icmp[1];
		m->icmp++;
	} else {
		m->other_l4++;
	}
	return PARSE_OK;
}

static __always_inline void emit_event(struct flow_metrics *m, __u8 type, __u8 reason,
				       const struct flow_key *key, const struct flow_counters *st,
				       __u64 now)
{
	struct flow_event *ev;

	ev = bpf_ringbuf_reserve(&flow_events, sizeof(*ev), 0);
	if (!ev) {
		/* Full: count and go on, never wait for the reader. */
		m->ringbuf_drops++;
		return;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->end_reason = reason;
	ev->ts_ns = now;
	ev->key = *key;
	ev->stats = *st;
	bpf_ringbuf_submit(ev, 0);
}

static __always_inline void account(struct flow_metrics *m, const struct flow_key *key,
				    __u64 len, __u8 tcp_flags)
{
	__u64 now = bpf_ktime_get_ns();
	struct flow_counters *st, init = {};
	__u8 reason = FLOW_END_NONE;

	if (tcp_flags & FLOW_TCP_RST)
		reason = FLOW_END_RST;
	else if (tcp_flags & FLOW_TCP_FIN)
		reason = FLOW_END_FIN;

	st = bpf_map_lookup_elem(&flows, key);
	if (st) {
		/* A bare SYN on a finished flow is a new connection on a reused tuple. */
		if (st->ended && (tcp_flags & (FLOW_TCP_SYN | FLOW_TCP_ACK)) == FLOW_TCP_SYN) {
			bpf_map_delete_elem(&flows, key);
			st = NULL;
		}
	}
	if (!st) {
		init.packets = 1;
		init.bytes = len;
		init.first_seen_ns = now;
		init.last_seen_ns = now;
		init.tcp_flags = tcp_flags;
		init.ended = reason != FLOW_END_NONE;
		if (bpf_map_update_elem(&flows, key, &init, BPF_NOEXIST)) {
			/* Another CPU created it first: account there. */
			st = bpf_map_lookup_elem(&flows, key);
			if (!st) {
				m->flow_update_errors++;
				return;
			}
		} else {
			m->flows_started++;
			emit_event(m, FLOW_EVENT_START, FLOW_END_NONE, key, &init, now);
			if (reason != FLOW_END_NONE) {
				m->flows_ended++;
				emit_event(m, FLOW_EVENT_END, reason, key, &init, now);
			}
			return;
		}
	}
	__sync_fetch_and_add(&st->packets, 1);
	__sync_fetch_and_add(&st->bytes, len);
	st->last_seen_ns = now;
	st->tcp_flags |= tcp_flags;
	if (reason != FLOW_END_NONE && !st->ended) {
		st->ended = 1;
		m->flows_ended++;
		emit_event(m, FLOW_EVENT_END, reason, key, st, now);
	}
}

static __always_inline bool blocked(const struct flow_key *key)
{
	__u64 *hits;

	if (key->family == 4) {
		struct flow_lpm_v4 k = { .prefixlen = 32, .addr = key->saddr[0] };

		hits = bpf_map_lookup_elem(&blocklist_v4, &k);
	} else {
		struct flow_lpm_v6 k = { .prefixlen = 128 };

		__builtin_memcpy(k.addr, key->saddr, 16);
		hits = bpf_map_lookup_elem(&blocklist_v6, &k);
	}
	if (!hits)
		return false;
	__sync_fetch_and_add(hits, 1);
	return true;
}

/* Returns true when the packet must be dropped (blocklisted source). */
static __always_inline bool handle(void *data, void *data_end, __u64 len, __u8 dir,
				   bool enforce)
{
	struct flow_key key = {};
	struct flow_metrics *m;
	__u8 tcp_flags = 0;
	__u32 zero = 0;
	int verdict;

	m = bpf_map_lookup_elem(&flow_metrics, &zero);
	if (!m)
		return false;
	m->packets++;
	m->bytes += len;

	key.dir = dir;
	verdict = parse_packet(data, data_end, &key, &tcp_flags, m);
	switch (verdict) {
	case PARSE_NON_IP:
		m->non_ip++;
		return false;
	case PARSE_TRUNCATED:
		m->truncated++;
		break;
	case PARSE_MALFORMED:
		m->malformed++;
		break;
	default:
		break;
	}
	/* The addresses are known even when a later header was bad. */
	if (enforce && key.family && blocked(&key)) {
		m->blocked++;
		if (!blocklist_dry_run)
			return true;
	}
	if (verdict == PARSE_OK)
		account(m, &key, len, tcp_flags);
	return false;
}

SEC("xdp")
int flow_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if (handle(data, data_end, data_end - data, FLOW_DIR_INGRESS, true))
		return XDP_DROP;
	return XDP_PASS;
}

/* A call of its own, so that the packet pointers are read after any pull. */
static __noinline int tc_parse(struct __sk_buff *skb, __u8 dir)
{
	handle((void *)(long)skb->data, (void *)(long)skb->data_end, skb->len, dir, false);
	return 0;
}

/* TC sees the packet as an skb: make sure the headers are in the linear part. */
static __always_inline void tc_handle(struct __sk_buff *skb, __u8 dir)
{
	__u32 want = skb->len < 128 ? skb->len : 128;

	if (skb->data_end - skb->data < want)
		bpf_skb_pull_data(skb, want);
	tc_parse(skb, dir);
}

SEC("tc")
int flow_tc_ingress(struct __sk_buff *skb)
{
	tc_handle(skb, FLOW_DIR_INGRESS);
	return TC_ACT_OK;
}

SEC("tc")
int flow_tc_egress(struct __sk_buff *skb)
{
	tc_handle(skb, FLOW_DIR_EGRESS);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
