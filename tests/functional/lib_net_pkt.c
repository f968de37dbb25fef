// SPDX-License-Identifier: BSD-2-Clause
/* lib_net_pkt.c: packet crafting and test runs for the flow and l7 functional tests. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib_net_pkt.h"

void net_pkt_init(struct net_pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->l3_off = -1;
	p->l4_off = -1;
}

void net_pkt_put(struct net_pkt *p, const void *data, size_t len)
{
	if (p->len + len > sizeof(p->buf))
		abort(); /* a test bug, not a condition to handle */
	memcpy(p->buf + p->len, data, len);
	p->len += len;
}

static void put16(struct net_pkt *p, uint16_t v)
{
	v = htons(v);
	net_pkt_put(p, &v, 2);
}

void net_pkt_eth(struct net_pkt *p, uint16_t ethertype)
{
	static const unsigned char macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	net_pkt_put(p, macs, sizeof(macs));
	put16(p, ethertype);
}

void net_pkt_vlan(struct net_pkt *p, uint16_t vid, uint16_t ethertype)
{
	put16(p, vid & 0x0fff);
	put16(p, ethertype);
}

int net_addr(const char *s, uint32_t out[4])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1)
		return 4;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 6;
	return -1;
}

void net_pkt_ipv4(struct net_pkt *p, const char *saddr, const char *daddr, uint8_t proto,
		  size_t optlen)
{
	unsigned char h[60] = { 0 };
	uint32_t a[4];

	p->l3_off = p->len;
	p->l3_family = 4;
	h[0] = 0x40 | ((20 + optlen) / 4);
	h[8] = 64;
	h[9] = proto;
	net_addr(saddr, a);
	memcpy(h + 12, a, 4);
	net_addr(daddr, a);
	memcpy(h + 16, a, 4);
	memset(h + 20, 1, optlen); /* NOP options */
	net_pkt_put(p, h, 20 + optlen);
	p->l4_proto = proto;
}

void net_pkt_ipv6(struct net_pkt *p, const char *saddr, const char *daddr, uint8_t nexthdr)
{
	unsigned char h[40] = { 0x60 };
	uint32_t a[4];

	p->l3_off = p->len;
	p->l3_family = 6;
	h[6] = nexthdr;
	h[7] = 64;
	net_addr(saddr, a);
	memcpy(h + 8, a, 16);
	net_addr(daddr, a);
	memcpy(h + 24, a, 16);
	net_pkt_put(p, h, 40);
	p->l4_proto = nexthdr;
}

void net_pkt_ipv6_ext(struct net_pkt *p, uint8_t type, uint8_t nexthdr, uint8_t hdrlen,
		      uint16_t frag_off)
{
	unsigned char h[2048] = { 0 };
	size_t len = type == 44 ? 8 : (hdrlen + 1) * 8u;

	h[0] = nexthdr;
	if (type == 44) {
		h[2] = frag_off >> 8;
		h[3] = frag_off & 0xff;
	} else {
		h[1] = hdrlen;
		if (len > 2) {
			h[2] = 1; /* PadN option filling the rest */
			h[3] = len - 4;
		}
	}
	net_pkt_put(p, h, len);
	p->l4_proto = nexthdr;
}

void net_pkt_tcp(struct net_pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	unsigned char h[20] = { 0 };

	p->l4_off = p->len;
	h[0] = sport >> 8, h[1] = sport & 0xff;
	h[2] = dport >> 8, h[3] = dport & 0xff;
	h[7] = 1;
	h[12] = 5 << 4;
	h[13] = flags;
	h[14] = 0xff, h[15] = 0xff;
	net_pkt_put(p, h, sizeof(h));
}

void net_pkt_udp(struct net_pkt *p, uint16_t sport, uint16_t dport)
{
	unsigned char h[8] = { 0 };

	p->l4_off = p->len;
	h[0] = sport >> 8, h[1] = sport & 0xff;
	h[2] = dport >> 8, h[3] = dport & 0xff;
	net_pkt_put(p, h, sizeof(h));
}

void net_pkt_icmp(struct net_pkt *p, uint8_t type, uint8_t code)
{
	unsigned char h[8] = { type, code, 0, 0, 0x12, 0x34, 0, 1 };

	p->l4_off = p->len;
	net_pkt_put(p, h, sizeof(h));
}

void net_pkt_finish(struct net_pkt *p)
{
	uint16_t v;

	if (p->l3_off >= 0 && p->l3_family == 4) {
		v = htons(p->len - p->l3_off);
		memcpy(p->buf + p->l3_off + 2, &v, 2);
	} else if (p->l3_off >= 0 && p->l3_family == 6) {
		v = htons(p->len - p->l3_off - 40);
		memcpy(p->buf + p->l3_off + 4, &v, 2);
	}
	if (p->l4_off >= 0 && p->l4_proto == 17) {
		v = htons(p->len - p->l4_off);
		memcpy(p->buf + p->l4_off + 4, &v, 2);
	}
}

int net_prog_run(int prog_fd, const void *data, size_t len, uint32_t *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = len, .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return -errno;
	*retval = opts.retval;
	return 0;
}

int net_percpu_sum(int map_fd, uint64_t *out, size_t nwords)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint32_t zero = 0;
	uint64_t *per;
	size_t j;

	if (ncpu < 0)
		return ncpu;
	per = calloc((size_t)ncpu * nwords, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(map_fd, &zero, per)) {
		free(per);
		return -errno;
	}
	memset(out, 0, nwords * sizeof(*out));
	for (i = 0; i < ncpu; i++)
		for (j = 0; j < nwords; j++)
			out[j] += per[i * nwords + j];
	free(per);
	return 0;
}
