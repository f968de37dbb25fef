/* SPDX-License-Identifier: BSD-2-Clause */
/* l7.h: DNS, HTTP/1.x and Kafka events and counters shared by l7.bpf.c and its loader. */
#ifndef BPFGATE_L7_H
#define BPFGATE_L7_H

#ifndef __bpf__
#include <linux/types.h>
#endif

/* A label is appended only while the name is shorter than L7_DNS_NAME_COPY bytes, so a
 * name (up to 255 bytes of labels) is kept whole or cut and flagged L7_F_TRUNCATED. */
#define L7_DNS_NAME_LEN 256
#define L7_DNS_NAME_COPY 192
#define L7_DNS_MAX_LABELS 32  /* labels walked before the name is declared cut */
#define L7_HTTP_METHOD_LEN 8
#define L7_HTTP_PATH_LEN 64   /* the path prefix kept, NUL included */
#define L7_KAFKA_CLIENT_LEN 32
#define L7_IPV6_MAX_EXT 6
#define L7_MAX_VLAN 2

enum l7_proto {
	L7_PROTO_DNS = 1,
	L7_PROTO_HTTP = 2,
	L7_PROTO_KAFKA = 3,
};

enum l7_dir {
	L7_DIR_INGRESS = 0,
	L7_DIR_EGRESS = 1,
};

enum {
	L7_F_RESPONSE = 0x01,  /* DNS response, HTTP response */
	L7_F_TRUNCATED = 0x02, /* a string field was cut (segment ended or field too long) */
	L7_F_TCP = 0x04,       /* DNS over TCP */
};

struct l7_dns {
	__u16 id;
	__u16 qtype;
	__u16 qclass;
	__u8 rcode;
	__u8 opcode;
	__u16 name_len;
	__u8 pad[6];
	char name[L7_DNS_NAME_LEN]; /* dotted, NUL terminated, "" for the root */
};

struct l7_http {
	char method[L7_HTTP_METHOD_LEN]; /* "" for a response */
	__u16 status;                    /* 0 for a request */
	__u16 path_len;
	__u8 pad[4];
	char path[L7_HTTP_PATH_LEN];
};

struct l7_kafka {
	__s32 length; /* message size field */
	__s16 api_key;
	__s16 api_version;
	__s32 correlation_id;
	__s16 client_id_len; /* -1: null */
	__u8 pad[2];
	char client_id[L7_KAFKA_CLIENT_LEN];
};

/* Ring buffer record. Addresses in network order (IPv4 in word 0), ports in host order. */
struct l7_event {
	__u64 ts_ns;
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport;
	__u16 dport;
	__u8 family;  /* 4 or 6 */
	__u8 l4;      /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 proto;   /* enum l7_proto */
	__u8 dir;     /* enum l7_dir */
	__u8 flags;   /* L7_F_* */
	__u8 pad[7];
	union {
		struct l7_dns dns;
		struct l7_http http;
		struct l7_kafka kafka;
	};
};

/* Per-CPU counters (sum them in user space). */
struct l7_metrics {
	__u64 packets;
	__u64 not_parsed;    /* non-IP, non-first fragments, other transports, empty payloads */
	__u64 malformed_l3l4; /* bad or truncated IP/TCP/UDP headers, too many IPv6 ext headers */
	__u64 dns_queries;
	__u64 dns_responses;
	__u64 dns_malformed; /* bad header, bad label, compression pointer in the question, cut */
	__u64 http_requests;
	__u64 http_responses;
	__u64 http_truncated; /* request whose path did not end in the segment */
	__u64 kafka_requests;
	__u64 kafka_malformed;
	__u64 ringbuf_drops;  /* events lost because the ring buffer was full */
};

#endif
