// SPDX-License-Identifier: GPL-2.0
/* l7.bpf.c: DNS, HTTP/1.x and Kafka request visibility from TCP/UDP payloads at TC. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bpfgate.h"
#include "l7.h"

#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IP_OFFSET 0x1FFF
#define TC_ACT_OK 0
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH 51
#define NEXTHDR_DEST 60
#define DNS_PORT 53
#define DNS_HDR_LEN 12
#define KAFKA_HDR_LEN 14

/*
 * Every loop below is unrolled (a constant bound and #pragma unroll): 5.10 and 6.1
 * refuse a loop that clang happens to close with a fall-through edge (check_cfg()
 * "back-edge"), whatever its bound, and unrolled the verifier also does less work.
 */

/* The broker port whose inbound requests are parsed as Kafka (set before load). */
const volatile __u16 kafka_port = 9092;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} l7_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct l7_metrics);
} l7_metrics SEC(".maps");

/* The event is built here (it is too big for the stack), then copied to the ring. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct l7_event);
} l7_scratch SEC(".maps");

/* Where the payload is: [off, end) in the skb. */
struct payload {
	__u32 off;
	__u32 end;
};

/*
 * Every read goes through bpf_skb_load_bytes(): it works on non-linear skbs (GRO,
 * TSO) and it keeps offsets as plain numbers, which the verifier can prune well.
 */
static __always_inline int parse_l3l4(struct __sk_buff *skb, struct l7_event *ev,
				      struct payload *pl, struct l7_metrics *m)
{
	__u32 off = ETH_HLEN, end = skb->len;
	__u16 proto;
	__u8 l4;
	int i;

	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)))
		goto not_parsed;
#pragma unroll
	for (i = 0; i < L7_MAX_VLAN; i++) {
		struct vlan_hdr vh;

		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		if (bpf_skb_load_bytes(skb, off, &vh, sizeof(vh)))
			goto malformed;
		proto = vh.h_vlan_encapsulated_proto;
		off += sizeof(vh);
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr iph;
		__u32 tot;

		if (bpf_skb_load_bytes(skb, off, &iph, sizeof(iph)))
			goto malformed;
		tot = bpf_ntohs(iph.tot_len);
		if (iph.version != 4 || iph.ihl < 5 || tot < iph.ihl * 4)
			goto malformed;
		/* No transport header in a non-first fragment. */
		if (iph.frag_off & bpf_htons(IP_OFFSET))
			goto not_parsed;
		ev->family = 4;
		ev->saddr[0] = iph.saddr;
		ev->daddr[0] = iph.daddr;
		l4 = iph.protocol;
		/* The IP length, not the frame, bounds the payload (Ethernet padding). */
		if (off + tot < end)
			end = off + tot;
		off += iph.ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
			goto malformed;
		if (ip6.version != 6)
			goto malformed;
		ev->family = 6;
		__builtin_memcpy(ev->saddr, &ip6.saddr, 16);
		__builtin_memcpy(ev->daddr, &ip6.daddr, 16);
		l4 = ip6.nexthdr;
		if (off + sizeof(ip6) + bpf_ntohs(ip6.payload_len) < end)
			end = off + sizeof(ip6) + bpf_ntohs(ip6.payload_len);
		off += sizeof(ip6);

#pragma unroll
		for (i = 0; i < L7_IPV6_MAX_EXT + 1; i++) {
			struct ipv6_opt_hdr oh;
			__be16 frag_off;

			if (l4 != NEXTHDR_HOP && l4 != NEXTHDR_ROUTING && l4 != NEXTHDR_DEST &&
			    l4 != NEXTHDR_FRAGMENT && l4 != NEXTHDR_AUTH)
				break;
			if (i == L7_IPV6_MAX_EXT)
				goto malformed;
			if (bpf_skb_load_bytes(skb, off, &oh, sizeof(oh)))
				goto malformed;
			if (l4 == NEXTHDR_FRAGMENT) {
				if (bpf_skb_load_bytes(skb, off + 2, &frag_off, sizeof(frag_off)))
					goto malformed;
				if (frag_off & bpf_htons(0xfff8))
					goto not_parsed;
				off += 8;
			} else if (l4 == NEXTHDR_AUTH) {
				off += (oh.hdrlen + 2) * 4;
			} else {
				off += (oh.hdrlen + 1) * 8;
			}
			l4 = oh.nexthdr;
		}
	} else {
		goto not_parsed;
	}

	ev->l4 = l4;
	if (l4 == IPPROTO_TCP) {
		struct tcphdr th;

		if (bpf_skb_load_bytes(skb, off, &th, sizeof(th)))
			goto malformed;
		if (th.doff < 5)
			goto malformed;
		ev->sport = bpf_ntohs(th.source);
		ev->dport = bpf_ntohs(th.dest);
		off += th.doff * 4;
	} else if (l4 == IPPROTO_UDP) {
		struct udphdr uh;

		if (bpf_skb_load_bytes(skb, off, &uh, sizeof(uh)))
			goto malformed;
		ev->sport = bpf_ntohs(uh.source);
		ev->dport = bpf_ntohs(uh.dest);
		off += sizeof(uh);
	} else {
		goto not_parsed;
	}
	if (off > end)
		goto malformed;
	if (off == end)
		goto not_parsed;
	pl->off = off;
	pl->end = end;
	return 0;

malformed:
	m->malformed_l3l4++;
	return -1;
not_parsed:
	m->not_parsed++;
	return -1;
}

/*
 * A helper's size argument that 5.10 and 6.1 can prove non-zero. They learn nothing
 * from "n != 0" (only later kernels raise the lower bound on it), so the bound comes
 * from arithmetic instead: for n in [1, mask + 1] the result is n itself, and the
 * verifier sees [1, mask + 1] on every kernel. mask + 1 must be a power of two.
 */
static __always_inline __u64 nonzero_len(__u64 n, __u64 mask)
{
	/* Hide what clang knows about n, or it drops the arithmetic as a no-op. */
	barrier_var(n);
	return ((n - 1) & mask) + 1;
}

/* Query name, label by label; compression pointers are refused, not followed. */
static __always_inline int parse_dns(struct __sk_buff *skb, struct payload *pl,
				     struct l7_event *ev, struct l7_metrics *m)
{
	struct l7_dns *dns = &ev->dns;
	/* 64-bit, so that the bound checked below is the bound the verifier sees. */
	__u64 pos, out = 0, at, n;
	__be16 hdr[6];
	__be16 q[2];
	__u16 flags;
	int i;

	/* DNS over TCP carries a two-byte length first. */
	if (ev->l4 == IPPROTO_TCP) {
		pl->off += 2;
		ev->flags |= L7_F_TCP;
	}
	if (pl->off + DNS_HDR_LEN + 1 > pl->end)
		goto malformed;
	if (bpf_skb_load_bytes(skb, pl->off, hdr, sizeof(hdr)))
		goto malformed;
	flags = bpf_ntohs(hdr[1]);
	if (!hdr[2]) /* no question */
		goto malformed;
	dns->id = bpf_ntohs(hdr[0]);
	dns->opcode = (flags >> 11) & 0xf;
	dns->rcode = flags & 0xf;
	if (flags & 0x8000)
		ev->flags |= L7_F_RESPONSE;

	pos = pl->off + DNS_HDR_LEN;
#pragma unroll
	for (i = 0; i < L7_DNS_MAX_LABELS; i++) {
		__u8 len;

		if (pos >= pl->end || bpf_skb_load_bytes(skb, pos, &len, 1))
			goto malformed;
		if (len == 0)
			break;
		/* 0xC0: a compression pointer; 0x40/0x80: reserved label types. */
		if (len > 63)
			goto malformed;
		if (pos + 1 + len > pl->end)
			goto malformed;
		/*
		 * 5.10 and 6.1 bound only the register a check was made on, not the other
		 * copies clang keeps of it: check one copy of out and use only that one.
		 */
		at = out;
		barrier_var(at);
		if (at >= L7_DNS_NAME_COPY) {
			ev->flags |= L7_F_TRUNCATED;
			break;
		}
		if (at)
			dns->name[at++] = '.';
		n = nonzero_len(len, 63);
		if (bpf_skb_load_bytes(skb, pos + 1, &dns->name[at], n))
			goto malformed;
		out = at + n;
		pos += 1 + n;
	}
	if (i == L7_DNS_MAX_LABELS)
		ev->flags |= L7_F_TRUNCATED;
	dns->name_len = out;
	if (!(ev->flags & L7_F_TRUNCATED)) {
		if (pos + 1 + sizeof(q) > pl->end ||
		    bpf_skb_load_bytes(skb, pos + 1, q, sizeof(q)))
			goto malformed;
		dns->qtype = bpf_ntohs(q[0]);
		dns->qclass = bpf_ntohs(q[1]);
	}
	ev->proto = L7_PROTO_DNS;
	if (ev->flags & L7_F_RESPONSE)
		m->dns_responses++;
	else
		m->dns_queries++;
	return 0;

malformed:
	m->dns_malformed++;
	return -1;
}

static __always_inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Request line "METHOD PATH HTTP/1.x" or status line "HTTP/1.x NNN ". */
static __always_inline int parse_http(struct __sk_buff *skb, struct payload *pl,
				      struct l7_event *ev, struct l7_metrics *m)
{
	struct l7_http *http = &ev->http;
	char b[16] = {}, c;
	__u64 avail = pl->end - pl->off, mlen, pos;
	int i;

	if (avail < 13)
		return -1;
	if (bpf_skb_load_bytes(skb, pl->off, b, 13))
		return -1;

	if (b[0] == 'H' && b[1] == 'T' && b[2] == 'T' && b[3] == 'P' && b[4] == '/' &&
	    b[5] == '1' && b[6] == '.' && is_digit(b[7]) && b[8] == ' ' && is_digit(b[9]) &&
	    is_digit(b[10]) && is_digit(b[11]) && (b[12] == ' ' || b[12] == '\r')) {
		http->status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
		ev->flags |= L7_F_RESPONSE;
		ev->proto = L7_PROTO_HTTP;
		m->http_responses++;
		return 0;
	}

	/* Constant indexes only: the verifier refuses a variable offset into the stack. */
	if (b[0] == 'G' && b[1] == 'E' && b[2] == 'T' && b[3] == ' ')
		mlen = 3, c = b[4];
	else if (b[0] == 'P' && b[1] == 'U' && b[2] == 'T' && b[3] == ' ')
		mlen = 3, c = b[4];
	else if (b[0] == 'P' && b[1] == 'O' && b[2] == 'S' && b[3] == 'T' && b[4] == ' ')
		mlen = 4, c = b[5];
	else if (b[0] == 'H' && b[1] == 'E' && b[2] == 'A' && b[3] == 'D' && b[4] == ' ')
		mlen = 4, c = b[5];
	else if (b[0] == 'P' && b[1] == 'A' && b[2] == 'T' && b[3] == 'C' && b[4] == 'H' &&
		 b[5] == ' ')
		mlen = 5, c = b[6];
	else if (b[0] == 'D' && b[1] == 'E' && b[2] == 'L' && b[3] == 'E' && b[4] == 'T' &&
		 b[5] == 'E' && b[6] == ' ')
		mlen = 6, c = b[7];
	else if (b[0] == 'O' && b[1] == 'P' && b[2] == 'T' && b[3] == 'I' && b[4] == 'O' &&
		 b[5] == 'N' && b[6] == 'S' && b[7] == ' ')
		mlen = 7, c = b[8];
	else
		return -1;
	/* The target must start right after the single space. */
	if (c != '/' && c != '*' && c != 'h')
		return -1;
	__builtin_memcpy(http->method, b, 8);
	http->method[mlen] = 0;

	/*
	 * Byte by byte: a copy sized from the payload length would make the verifier
	 * track the exact header offsets of every path here, and stop pruning them.
	 */
	pos = pl->off + mlen + 1;
#pragma unroll
	for (i = 0; i < L7_HTTP_PATH_LEN - 1; i++) {
		if (pos + i >= pl->end || bpf_skb_load_bytes(skb, pos + i, &c, 1))
			break;
		if (c == ' ' || c == '\r' || c == '\n')
			break;
		http->path[i] = c;
	}
	/* The target did not end in this segment (or is longer): keep the prefix. */
	if (c != ' ' && c != '\r' && c != '\n') {
		ev->flags |= L7_F_TRUNCATED;
		m->http_truncated++;
	}
	http->path_len = i;
	ev->proto = L7_PROTO_HTTP;
	m->http_requests++;
	return 0;
}

/* Kafka request header v1+: length, api_key, api_version, correlation_id, client_id. */
static __always_inline int parse_kafka(struct __sk_buff *skb, struct payload *pl,
				       struct l7_event *ev, struct l7_metrics *m)
{
	struct l7_kafka *k = &ev->kafka;
	__u8 h[KAFKA_HDR_LEN];
	__u64 avail = pl->end - pl->off, n;
	__s32 length;
	__s16 cid_len;

	if (avail < KAFKA_HDR_LEN || bpf_skb_load_bytes(skb, pl->off, h, sizeof(h)))
		goto malformed;
	length = (__s32)bpf_ntohl(*(__be32 *)&h[0]);
	k->api_key = (__s16)bpf_ntohs(*(__be16 *)&h[4]);
	k->api_version = (__s16)bpf_ntohs(*(__be16 *)&h[6]);
	k->correlation_id = (__s32)bpf_ntohl(*(__be32 *)&h[8]);
	cid_len = (__s16)bpf_ntohs(*(__be16 *)&h[12]);
	k->length = length;
	k->client_id_len = cid_len;
	/* Sanity limits that real requests satisfy and random bytes rarely do. */
	if (length < KAFKA_HDR_LEN - 4 || length > (100 << 20) || k->api_key < 0 ||
	    k->api_key > 127 || k->api_version < 0 || k->api_version > 63 || cid_len < -1 ||
	    cid_len > length - (KAFKA_HDR_LEN - 4))
		goto malformed;
	/* Sized from the packet's field only (see parse_http() for why). A client id
	 * that does not fit in the segment is left empty and flagged. */
	if (cid_len > 0) {
		n = (__u16)cid_len;
		if (n > L7_KAFKA_CLIENT_LEN - 1) {
			n = L7_KAFKA_CLIENT_LEN - 1;
			ev->flags |= L7_F_TRUNCATED;
		}
		n = nonzero_len(n, L7_KAFKA_CLIENT_LEN - 1);
		if (bpf_skb_load_bytes(skb, pl->off + KAFKA_HDR_LEN, k->client_id, n)) {
			__builtin_memset(k->client_id, 0, sizeof(k->client_id));
			ev->flags |= L7_F_TRUNCATED;
		}
	}
	ev->proto = L7_PROTO_KAFKA;
	m->kafka_requests++;
	return 0;

malformed:
	m->kafka_malformed++;
	return -1;
}

static __always_inline int l7_handle(struct __sk_buff *skb, __u8 dir)
{
	struct l7_metrics *m;
	struct l7_event *ev;
	struct payload pl;
	__u32 zero = 0;
	int err;

	m = bpf_map_lookup_elem(&l7_metrics, &zero);
	ev = bpf_map_lookup_elem(&l7_scratch, &zero);
	if (!m || !ev)
		return TC_ACT_OK;
	m->packets++;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->dir = dir;

	if (parse_l3l4(skb, ev, &pl, m))
		return TC_ACT_OK;

	if (ev->sport == DNS_PORT || ev->dport == DNS_PORT)
		err = parse_dns(skb, &pl, ev, m);
	else if (ev->l4 == IPPROTO_TCP && kafka_port && ev->dport == kafka_port)
		err = parse_kafka(skb, &pl, ev, m);
	else if (ev->l4 == IPPROTO_TCP)
		err = parse_http(skb, &pl, ev, m);
	else
		err = -1;
	if (err)
		return TC_ACT_OK;

	ev->ts_ns = bpf_ktime_get_ns();
	/* Full ring: count the loss and let the packet go, never wait. */
	if (bpf_ringbuf_output(&l7_events, ev, sizeof(*ev), 0))
		m->ringbuf_drops++;
	return TC_ACT_OK;
}

SEC("tc")
int l7_tc_ingress(struct __sk_buff *skb)
{
	return l7_handle(skb, L7_DIR_INGRESS);
}

SEC("tc")
int l7_tc_egress(struct __sk_buff *skb)
{
	return l7_handle(skb, L7_DIR_EGRESS);
}

char LICENSE[] SEC("license") = "GPL";
