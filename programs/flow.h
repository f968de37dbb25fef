/* SPDX-License-Identifier: BSD-2-Clause */
/* flow.h: flow records, events and metrics shared by flow.bpf.c and its loader. */
#ifndef BPFGATE_FLOW_H
#define BPFGATE_FLOW_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* Most IPv6 extension headers walked before the packet is declared malformed. */
#define FLOW_IPV6_MAX_EXT 6
/* Most 802.1Q/802.1ad tags (QinQ) parsed in front of the network header. */
#define FLOW_MAX_VLAN 2

enum flow_dir {
	FLOW_DIR_INGRESS = 0,
	FLOW_DIR_EGRESS = 1,
};

/* TCP flag bits as they appear in byte 13 of the TCP header. */
enum {
	FLOW_TCP_FIN = 0x01,
	FLOW_TCP_SYN = 0x02,
	FLOW_TCP_RST = 0x04,
	FLOW_TCP_PSH = 0x08,
	FLOW_TCP_ACK = 0x10,
	FLOW_TCP_URG = 0x20,
	FLOW_TCP_ECE = 0x40,
	FLOW_TCP_CWR = 0x80,
};

/*
 * One direction of a conversation. Addresses are in network byte order; an IPv4
 * address is in saddr[0]/daddr[0] with the other words zero. Ports are in host
 * order; for ICMP and ICMPv6 sport is the type and dport the code. A fragment
 * that is not the first has no ports (0). vlan is the innermost VLAN id (0 if
 * untagged). Padding is always zero so the key hashes the same on both sides.
 */
struct flow_key {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport;
	__u16 dport;
	__u16 vlan;
	__u8 family; /* 4 or 6 */
	__u8 proto;  /* IPPROTO_* */
	__u8 dir;    /* enum flow_dir */
	__u8 pad[3];
};

/* Value of the flow table. */
struct flow_counters {
	__u64 packets;
	__u64 bytes;
	__u64 first_seen_ns; /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u64 last_seen_ns;
	__u8 tcp_flags; /* OR of all flags seen */
	__u8 ended;     /* a FIN or RST was seen and flow-end reported */
	__u8 pad[6];
};

enum flow_event_type {
	FLOW_EVENT_START = 1,
	FLOW_EVENT_END = 2,
};

enum flow_end_reason {
	FLOW_END_NONE = 0,
	FLOW_END_FIN = 1,
	FLOW_END_RST = 2,
};

/* Ring buffer record. */
struct flow_event {
	__u8 type;       /* enum flow_event_type */
	__u8 end_reason; /* enum flow_end_reason */
	__u8 pad[6];
	__u64 ts_ns;
	struct flow_key key;
	struct flow_counters stats; /* at the time of the event */
};

/* Node-wide counters, one copy per CPU (sum them in user space). */
struct flow_metrics {
	__u64 packets;     /* every packet seen, parsed or not */
	__u64 bytes;
	__u64 non_ip;      /* neither IPv4 nor IPv6: passed, not tracked */
	__u64 ipv4;
	__u64 ipv6;
	__u64 vlan;        /* packets that carried at least one VLAN tag */
	__u64 tcp;
	__u64 udp;
	__u64 icmp;        /* ICMP and ICMPv6 */
	__u64 other_l4;    /* tracked with ports 0 */
	__u64 fragments;   /* non-first fragments, tracked with ports 0 */
	__u64 truncated;   /* a header ran past the end of the packet: passed, not tracked */
	__u64 malformed;   /* bad IHL, version, lengths, TCP offset: passed, not tracked */
	__u64 ipv6_ext_limit; /* more than FLOW_IPV6_MAX_EXT extension headers (also malformed) */
	__u64 blocked;     /* dropped by the XDP blocklist */
	__u64 flows_started;
	__u64 flows_ended;
	__u64 flow_update_errors; /* the flow table refused an insert */
	__u64 ringbuf_drops;      /* events lost because the ring buffer was full */
};

/* Blocklist keys (LPM trie): prefixlen in bits, then the address in network order. */
struct flow_lpm_v4 {
	__u32 prefixlen;
	__u32 addr;
};

struct flow_lpm_v6 {
	__u32 prefixlen;
	__u32 addr[4];
};

#endif
