/* SPDX-License-Identifier: BSD-2-Clause */
/* lib_net_pkt.h: craft Ethernet/IP/TCP/UDP packets and run them through BPF_PROG_TEST_RUN. */
#ifndef BPFGATE_LIB_NET_PKT_H
#define BPFGATE_LIB_NET_PKT_H

#include <stddef.h>
#include <stdint.h>

/* C linkage: the skeleton consumers are also built as C++ */
#ifdef __cplusplus
extern "C" {
#endif

#define NET_PKT_MAX 1514

/* A packet under construction: headers are appended in order, lengths fixed by finish. */
struct net_pkt {
	unsigned char buf[NET_PKT_MAX];
	size_t len;
	int l3_off;  /* -1 until an IP header is added */
	int l3_family;
	int l4_off;
	int l4_proto;
};

void net_pkt_init(struct net_pkt *p);
void net_pkt_put(struct net_pkt *p, const void *data, size_t len);
void net_pkt_eth(struct net_pkt *p, uint16_t ethertype);
/* One 802.1Q tag carrying vid, followed by ethertype (the tag's own TPID is the previous
 * header's ethertype). */
void net_pkt_vlan(struct net_pkt *p, uint16_t vid, uint16_t ethertype);
/* optlen: bytes of IPv4 options (multiple of 4, NOPs). */
void net_pkt_ipv4(struct net_pkt *p, const char *saddr, const char *daddr, uint8_t proto,
		  size_t optlen);
void net_pkt_ipv6(struct net_pkt *p, const char *saddr, const char *daddr, uint8_t nexthdr);
/* A generic extension header (hop-by-hop, routing, destination options) of
 * (hdrlen + 1) * 8 bytes, or a fragment header when type is 44. */
void net_pkt_ipv6_ext(struct net_pkt *p, uint8_t type, uint8_t nexthdr, uint8_t hdrlen,
		      uint16_t frag_off);
void net_pkt_tcp(struct net_pkt *p, uint16_t sport, uint16_t dport, uint8_t flags);
void net_pkt_udp(struct net_pkt *p, uint16_t sport, uint16_t dport);
void net_pkt_icmp(struct net_pkt *p, uint8_t type, uint8_t code);
/* Set IPv4 total length, IPv6 payload length and UDP length from what was added. */
void net_pkt_finish(struct net_pkt *p);

/* Run prog_fd once on data; 0 or -errno, the program's return value in *retval. */
int net_prog_run(int prog_fd, const void *data, size_t len, uint32_t *retval);

/* Parse "a.b.c.d" or an IPv6 address into 16 bytes (IPv4 in the first 4); 4, 6 or -1. */
int net_addr(const char *s, uint32_t out[4]);

/* Sum a per-CPU array value of nwords 64-bit counters at key 0 into out. */
int net_percpu_sum(int map_fd, uint64_t *out, size_t nwords);

#ifdef __cplusplus
}
#endif

#endif
