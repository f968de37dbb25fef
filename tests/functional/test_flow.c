// SPDX-License-Identifier: BSD-2-Clause
/* test_flow.c: flow.bpf.c under BPF_PROG_TEST_RUN: parsing, flow table, events, blocklist. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lib_net_pkt.h"
#include "lib_obj_state.h"
#include "flow.h"
#include "flow.skel.h"

#define XDP_DROP 1
#define XDP_PASS 2
#define TC_ACT_OK 0
#define MAX_EVENTS 512

struct events {
	struct flow_event ev[MAX_EVENTS];
	int n;
};

struct fixture {
	struct flow *skel;
	struct ring_buffer *rb;
	struct events evs;
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct events *e = ctx;

	ck_assert_uint_eq(len, sizeof(struct flow_event));
	if (e->n < MAX_EVENTS)
		memcpy(&e->ev[e->n], data, sizeof(struct flow_event));
	e->n++;
	return 0;
}

/* The object the cases share: loaded once by main(), its maps put back before each case. */
static struct flow *shared;
static struct obj_state *shared_state;

static void fx_open(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->skel = shared;
	ck_assert_int_eq(obj_state__restore(shared_state), 0);
	fx->rb = ring_buffer__new(bpf_map__fd(fx->skel->maps.flow_events), on_event, &fx->evs,
				  NULL);
	ck_assert_ptr_nonnull(fx->rb);
}

static void fx_close(struct fixture *fx)
{
	ring_buffer__free(fx->rb);
}

static __u32 run_xdp(struct fixture *fx, struct net_pkt *p)
{
	__u32 ret = 0;

	ck_assert_int_eq(net_prog_run(bpf_program__fd(fx->skel->progs.flow_xdp), p->buf, p->len,
				      &ret), 0);
	return ret;
}

static __u32 run_tc(struct fixture *fx, struct net_pkt *p)
{
	__u32 ret = 0;

	ck_assert_int_eq(net_prog_run(bpf_program__fd(fx->skel->progs.flow_tc_egress), p->buf,
				      p->len, &ret), 0);
	return ret;
}

static void metrics(struct fixture *fx, struct flow_metrics *m)
{
	ck_assert_int_eq(net_percpu_sum(bpf_map__fd(fx->skel->maps.flow_metrics), (uint64_t *)m,
					sizeof(*m) / 8), 0);
}

static int count_flows(struct fixture *fx)
{
	int fd = bpf_map__fd(fx->skel->maps.flows), n = 0;
	struct flow_key k, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

static struct flow_key key_of(int family, const char *s, const char *d, __u8 proto, __u16 sport,
			      __u16 dport, __u8 dir)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.family = family;
	net_addr(s, k.saddr);
	net_addr(d, k.daddr);
	k.proto = proto;
	k.sport = sport;
	k.dport = dport;
	k.dir = dir;
	return k;
}

static int lookup(struct fixture *fx, const struct flow_key *k, struct flow_counters *c)
{
	return bpf_map_lookup_elem(bpf_map__fd(fx->skel->maps.flows), k, c);
}

static void tcp4(struct net_pkt *p, const char *s, const char *d, __u16 sport, __u16 dport,
		 __u8 flags, size_t payload)
{
	static const char data[64];

	net_pkt_init(p);
	net_pkt_eth(p, 0x0800);
	net_pkt_ipv4(p, s, d, 6, 0);
	net_pkt_tcp(p, sport, dport, flags);
	net_pkt_put(p, data, payload);
	net_pkt_finish(p);
}

START_TEST(test_ipv4_tcp_lifecycle)
{
	struct flow_key k = key_of(4, "10.0.0.1", "10.0.0.2", 6, 40000, 80, FLOW_DIR_INGRESS);
	struct flow_counters c;
	struct flow_metrics m;
	struct fixture fx;
	struct net_pkt p;
	size_t bytes;

	fx_open(&fx);
	tcp4(&p, "10.0.0.1", "10.0.0.2", 40000, 80, FLOW_TCP_SYN, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	bytes = p.len;
	tcp4(&p, "10.0.0.1", "10.0.0.2", 40000, 80, FLOW_TCP_ACK | FLOW_TCP_PSH, 40);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	bytes += p.len;
	tcp4(&p, "10.0.0.1", "10.0.0.2", 40000, 80, FLOW_TCP_ACK | FLOW_TCP_FIN, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	bytes += p.len;

	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	ck_assert_uint_eq(c.packets, 3);
	ck_assert_uint_eq(c.bytes, bytes);
	ck_assert_uint_eq(c.tcp_flags, FLOW_TCP_SYN | FLOW_TCP_ACK | FLOW_TCP_PSH | FLOW_TCP_FIN);
	ck_assert_uint_eq(c.ended, 1);
	ck_assert_uint_le(c.first_seen_ns, c.last_seen_ns);

	ck_assert_int_eq(ring_buffer__consume(fx.rb), 2);
	ck_assert_int_eq(fx.evs.n, 2);
	ck_assert_uint_eq(fx.evs.ev[0].type, FLOW_EVENT_START);
	ck_assert_mem_eq(&fx.evs.ev[0].key, &k, sizeof(k));
	ck_assert_uint_eq(fx.evs.ev[0].stats.packets, 1);
	ck_assert_uint_eq(fx.evs.ev[1].type, FLOW_EVENT_END);
	ck_assert_uint_eq(fx.evs.ev[1].end_reason, FLOW_END_FIN);
	ck_assert_uint_eq(fx.evs.ev[1].stats.packets, 3);

	/* More packets after the end: counted, no second end event. */
	tcp4(&p, "10.0.0.1", "10.0.0.2", 40000, 80, FLOW_TCP_ACK | FLOW_TCP_RST, 0);
	run_xdp(&fx, &p);
	ck_assert_int_eq(ring_buffer__consume(fx.rb), 0);

	/* A bare SYN on the finished tuple is a new connection. */
	tcp4(&p, "10.0.0.1", "10.0.0.2", 40000, 80, FLOW_TCP_SYN, 0);
	run_xdp(&fx, &p);
	ck_assert_int_eq(ring_buffer__consume(fx.rb), 1);
	ck_assert_uint_eq(fx.evs.ev[2].type, FLOW_EVENT_START);
	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	ck_assert_uint_eq(c.packets, 1);
	ck_assert_uint_eq(c.ended, 0);

	metrics(&fx, &m);
	ck_assert_uint_eq(m.packets, 5);
	ck_assert_uint_eq(m.tcp, 5);
	ck_assert_uint_eq(m.ipv4, 5);
	ck_assert_uint_eq(m.flows_started, 2);
	ck_assert_uint_eq(m.flows_ended, 1);
	ck_assert_uint_eq(m.truncated + m.malformed + m.ringbuf_drops, 0);
	fx_close(&fx);
}
END_TEST

START_TEST(test_rst_ends_flow)
{
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	tcp4(&p, "10.0.0.9", "10.0.0.2", 1234, 443, FLOW_TCP_ACK, 10);
	run_xdp(&fx, &p);
	tcp4(&p, "10.0.0.9", "10.0.0.2", 1234, 443, FLOW_TCP_RST, 0);
	run_xdp(&fx, &p);
	ck_assert_int_eq(ring_buffer__consume(fx.rb), 2);
	ck_assert_uint_eq(fx.evs.ev[1].type, FLOW_EVENT_END);
	ck_assert_uint_eq(fx.evs.ev[1].end_reason, FLOW_END_RST);
	ck_assert_uint_eq(fx.evs.ev[1].stats.packets, 2);
	fx_close(&fx);
}
END_TEST

START_TEST(test_qinq_vlan_udp)
{
	struct flow_key k = key_of(4, "192.168.1.1", "192.168.1.2", 17, 5000, 6000, 0);
	struct flow_counters c;
	struct flow_metrics m;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x88a8);
	net_pkt_vlan(&p, 100, 0x8100);
	net_pkt_vlan(&p, 200, 0x0800);
	net_pkt_ipv4(&p, "192.168.1.1", "192.168.1.2", 17, 0);
	net_pkt_udp(&p, 5000, 6000);
	net_pkt_put(&p, "hello", 5);
	net_pkt_finish(&p);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	k.vlan = 200;
	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	ck_assert_uint_eq(c.bytes, p.len);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.vlan, 1);
	ck_assert_uint_eq(m.udp, 1);
	fx_close(&fx);
}
END_TEST

START_TEST(test_ipv4_options)
{
	struct flow_key k = key_of(4, "10.1.1.1", "10.1.1.2", 17, 53, 33000, 0);
	struct flow_counters c;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x0800);
	net_pkt_ipv4(&p, "10.1.1.1", "10.1.1.2", 17, 12);
	net_pkt_udp(&p, 53, 33000);
	net_pkt_finish(&p);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	/* Ports come from after the options, not from inside them. */
	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	ck_assert_int_eq(count_flows(&fx), 1);
	fx_close(&fx);
}
END_TEST

START_TEST(test_ipv4_bad_ihl_and_lengths)
{
	struct flow_metrics m;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	/* IHL 4: below the minimum header. */
	tcp4(&p, "10.0.0.1", "10.0.0.2", 1, 2, FLOW_TCP_SYN, 0);
	p.buf[14] = 0x44;
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	/* Version 5. */
	tcp4(&p, "10.0.0.1", "10.0.0.2", 1, 2, FLOW_TCP_SYN, 0);
	p.buf[14] = 0x55;
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	/* Total length shorter than the header. */
	tcp4(&p, "10.0.0.1", "10.0.0.2", 1, 2, FLOW_TCP_SYN, 0);
	p.buf[16] = 0, p.buf[17] = 10;
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	/* TCP data offset 4. */
	tcp4(&p, "10.0.0.1", "10.0.0.2", 1, 2, FLOW_TCP_SYN, 0);
	p.buf[34 + 12] = 4 << 4;
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	/* IHL 15: options running past the end of the packet. */
	tcp4(&p, "10.0.0.1", "10.0.0.2", 1, 2, FLOW_TCP_SYN, 0);
	p.buf[14] = 0x4f;
	p.buf[16] = 0, p.buf[17] = 60;
	p.len = 14 + 40;
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);

	metrics(&fx, &m);
	ck_assert_uint_eq(m.malformed, 4);
	ck_assert_uint_eq(m.truncated, 1);
	ck_assert_int_eq(count_flows(&fx), 0);
	ck_assert_int_eq(ring_buffer__consume(fx.rb), 0);
	fx_close(&fx);
}
END_TEST

static void ipv6_chain(struct net_pkt *p, int n_dest, __u16 frag_off)
{
	int i;

	net_pkt_init(p);
	net_pkt_eth(p, 0x86dd);
	net_pkt_ipv6(p, "2001:db8::1", "2001:db8::2", 0);
	net_pkt_ipv6_ext(p, 0, 43, 0, 0);            /* hop-by-hop -> routing */
	net_pkt_ipv6_ext(p, 43, 44, 1, 0);           /* routing (16 bytes) -> fragment */
	net_pkt_ipv6_ext(p, 44, n_dest ? 60 : 6, 0, frag_off);
	for (i = 0; i < n_dest; i++)
		net_pkt_ipv6_ext(p, 60, i == n_dest - 1 ? 6 : 60, 0, 0);
	net_pkt_tcp(p, 2222, 22, FLOW_TCP_SYN);
	net_pkt_finish(p);
}

START_TEST(test_ipv6_extension_headers)
{
	struct flow_key k = key_of(6, "2001:db8::1", "2001:db8::2", 6, 2222, 22, 0);
	struct flow_counters c;
	struct flow_metrics m;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	/* hop-by-hop, routing, fragment (first), one destination options: 4 headers. */
	ipv6_chain(&p, 1, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	ck_assert_uint_eq(c.tcp_flags, FLOW_TCP_SYN);

	/* Exactly the limit (6 headers) is still parsed. */
	ipv6_chain(&p, FLOW_IPV6_MAX_EXT - 3, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	ck_assert_uint_eq(count_flows(&fx), 1);
	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	ck_assert_uint_eq(c.packets, 2);

	/* One more is refused, passed and counted; so is a long chain. */
	ipv6_chain(&p, FLOW_IPV6_MAX_EXT - 2, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	ipv6_chain(&p, 40, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.ipv6_ext_limit, 2);
	ck_assert_uint_eq(m.malformed, 2);
	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	ck_assert_uint_eq(c.packets, 2);

	/* A non-first fragment: tracked with ports 0, the TCP-looking bytes ignored. */
	ipv6_chain(&p, 1, 8 << 3);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	k = key_of(6, "2001:db8::1", "2001:db8::2", 60, 0, 0, 0);
	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.fragments, 1);
	fx_close(&fx);
}
END_TEST

START_TEST(test_ipv4_fragment)
{
	struct flow_key k = key_of(4, "10.0.0.1", "10.0.0.2", 17, 0, 0, 0);
	struct flow_counters c;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x0800);
	net_pkt_ipv4(&p, "10.0.0.1", "10.0.0.2", 17, 0);
	net_pkt_udp(&p, 1111, 2222);
	net_pkt_finish(&p);
	p.buf[14 + 6] = 0x00, p.buf[14 + 7] = 0x10; /* offset 128 bytes */
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	fx_close(&fx);
}
END_TEST

START_TEST(test_icmp_and_icmpv6)
{
	struct flow_key k4 = key_of(4, "10.0.0.1", "10.0.0.2", 1, 8, 0, 0);
	struct flow_key k6 = key_of(6, "fe80::1", "fe80::2", 58, 128, 0, 0);
	struct flow_counters c;
	struct flow_metrics m;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x0800);
	net_pkt_ipv4(&p, "10.0.0.1", "10.0.0.2", 1, 0);
	net_pkt_icmp(&p, 8, 0);
	net_pkt_finish(&p);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x86dd);
	net_pkt_ipv6(&p, "fe80::1", "fe80::2", 58);
	net_pkt_icmp(&p, 128, 0);
	net_pkt_finish(&p);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	ck_assert_int_eq(lookup(&fx, &k4, &c), 0);
	ck_assert_int_eq(lookup(&fx, &k6, &c), 0);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.icmp, 2);
	fx_close(&fx);
}
END_TEST

START_TEST(test_non_ip_passes)
{
	static const unsigned char arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	struct flow_metrics m;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x0806);
	net_pkt_put(&p, arp, sizeof(arp));
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.non_ip, 1);
	ck_assert_int_eq(count_flows(&fx), 0);
	fx_close(&fx);
}
END_TEST

/* Every cut of a valid packet short of its last header byte is passed, counted, not tracked. */
START_TEST(test_truncation_sweep)
{
	struct net_pkt full, p;
	struct flow_metrics m;
	struct fixture fx;
	size_t cut, hdr, n = 0;
	int round;

	fx_open(&fx);
	for (round = 0; round < 3; round++) {
		if (round == 0) {
			net_pkt_init(&full);
			net_pkt_eth(&full, 0x8100);
			net_pkt_vlan(&full, 7, 0x0800);
			net_pkt_ipv4(&full, "10.0.0.1", "10.0.0.2", 6, 8);
			net_pkt_tcp(&full, 1, 2, FLOW_TCP_SYN);
			net_pkt_finish(&full);
		} else if (round == 1) {
			ipv6_chain(&full, 2, 0);
		} else {
			net_pkt_init(&full);
			net_pkt_eth(&full, 0x86dd);
			net_pkt_ipv6(&full, "::1", "::2", 17);
			net_pkt_udp(&full, 1, 2);
			net_pkt_finish(&full);
		}
		hdr = full.len;
		for (cut = 15; cut < hdr; cut++) {
			p = full;
			p.len = cut;
			ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
			n++;
		}
		ck_assert_int_eq(count_flows(&fx), round);
		ck_assert_uint_eq(run_xdp(&fx, &full), XDP_PASS);
		ck_assert_int_eq(count_flows(&fx), round + 1);
	}
	metrics(&fx, &m);
	ck_assert_uint_eq(m.truncated, n);
	ck_assert_uint_eq(m.malformed, 0);
	ck_assert_uint_eq(m.flows_started, 3);
	fx_close(&fx);
}
END_TEST

static void add_block4(struct fixture *fx, const char *addr, __u32 plen)
{
	struct flow_lpm_v4 k = { .prefixlen = plen };
	__u32 a[4];
	__u64 zero = 0;

	net_addr(addr, a);
	k.addr = a[0];
	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(fx->skel->maps.blocklist_v4), &k, &zero,
					     BPF_ANY), 0);
}

START_TEST(test_blocklist)
{
	struct flow_lpm_v6 k6 = { .prefixlen = 32 };
	struct flow_lpm_v4 k4 = { .prefixlen = 16 };
	struct flow_metrics m;
	struct fixture fx;
	struct net_pkt p;
	__u64 hits, zero = 0;
	__u32 a[4];

	fx_open(&fx);
	add_block4(&fx, "10.1.0.0", 16);
	net_addr("2001:db8::", k6.addr);
	ck_assert_int_eq(bpf_map_update_elem(bpf_map__fd(fx.skel->maps.blocklist_v6), &k6, &zero,
					     BPF_ANY), 0);

	tcp4(&p, "10.1.2.3", "10.0.0.2", 1000, 80, FLOW_TCP_SYN, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_DROP);
	tcp4(&p, "10.1.255.255", "10.0.0.2", 1000, 80, FLOW_TCP_SYN, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_DROP);
	tcp4(&p, "10.2.0.1", "10.0.0.2", 1000, 80, FLOW_TCP_SYN, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	/* Destination in the blocked range: not a source match. */
	tcp4(&p, "10.0.0.2", "10.1.2.3", 80, 1000, FLOW_TCP_SYN, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	ipv6_chain(&p, 0, 0);
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_DROP);
	/* TC only accounts: it never drops. */
	tcp4(&p, "10.1.2.3", "10.0.0.2", 1000, 80, FLOW_TCP_SYN, 0);
	ck_assert_uint_eq(run_tc(&fx, &p), TC_ACT_OK);

	net_addr("10.1.0.0", a);
	k4.addr = a[0];
	ck_assert_int_eq(bpf_map_lookup_elem(bpf_map__fd(fx.skel->maps.blocklist_v4), &k4, &hits),
			 0);
	ck_assert_uint_eq(hits, 2);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.blocked, 3);
	/* Dropped packets create no flows: the two passed at XDP and the one at TC. */
	ck_assert_int_eq(count_flows(&fx), 3);
	fx_close(&fx);
}
END_TEST

START_TEST(test_tc_egress_direction)
{
	struct flow_key k = key_of(4, "10.0.0.2", "10.0.0.1", 6, 80, 40000, FLOW_DIR_EGRESS);
	struct flow_counters c;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	tcp4(&p, "10.0.0.2", "10.0.0.1", 80, 40000, FLOW_TCP_SYN | FLOW_TCP_ACK, 0);
	ck_assert_uint_eq(run_tc(&fx, &p), TC_ACT_OK);
	ck_assert_int_eq(lookup(&fx, &k, &c), 0);
	ck_assert_uint_eq(c.bytes, p.len);
	/* The same tuple seen at ingress is another direction, another entry. */
	ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
	ck_assert_int_eq(count_flows(&fx), 2);
	ck_assert_int_eq(ring_buffer__consume(fx.rb), 2);
	ck_assert_uint_eq(fx.evs.ev[0].key.dir, FLOW_DIR_EGRESS);
	ck_assert_uint_eq(fx.evs.ev[1].key.dir, FLOW_DIR_INGRESS);
	fx_close(&fx);
}
END_TEST

/* A full ring buffer loses events with a count; the packets still pass. */
START_TEST(test_ringbuf_full_counts_drops)
{
	struct flow_metrics m;
	struct fixture fx;
	struct net_pkt p;
	int i, n;

	fx_open(&fx);
	/* new flows, each an event (and its 8-byte record header): more than fit. Through
	 * TC, which counts them as XDP does: on 5.10 each XDP test run also patches the
	 * XDP dispatcher's code twice, thousands of times here (costly under TCG). */
	n = bpf_map__max_entries(fx.skel->maps.flow_events) / (sizeof(struct flow_event) + 8) + 50;
	for (i = 0; i < n; i++) {
		tcp4(&p, "10.9.0.1", "10.9.0.2", 10000 + i, 80, FLOW_TCP_SYN, 0);
		ck_assert_uint_eq(run_tc(&fx, &p), TC_ACT_OK);
	}
	ring_buffer__consume(fx.rb);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.flows_started, n);
	ck_assert_uint_gt(m.ringbuf_drops, 0);
	ck_assert_uint_gt(fx.evs.n, 0);
	ck_assert_uint_eq(fx.evs.n + m.ringbuf_drops, n);
	ck_assert_int_eq(count_flows(&fx), n);
	/* Once drained, events flow again. */
	tcp4(&p, "10.9.0.1", "10.9.0.2", 9999, 80, FLOW_TCP_SYN, 0);
	run_tc(&fx, &p);
	ck_assert_int_eq(ring_buffer__consume(fx.rb), 1);
	fx_close(&fx);
}
END_TEST

/* Hostile bytes: random frames and random mutations of valid ones are all passed. */
START_TEST(test_random_packets_pass)
{
	struct net_pkt p, base;
	struct flow_metrics m;
	struct fixture fx;
	unsigned int seed = 12345;
	int i, j, n = 1000, tc_runs = 0;
	__u32 ret;

	fx_open(&fx);
	ipv6_chain(&base, 2, 0);
	for (i = 0; i < n; i++) {
		if (i % 2) {
			p = base;
			for (j = 0; j < 4; j++)
				p.buf[14 + rand_r(&seed) % (base.len - 14)] = rand_r(&seed);
		} else {
			net_pkt_init(&p);
			p.len = 14 + rand_r(&seed) % 200;
			for (j = 0; j < (int)p.len; j++)
				p.buf[j] = rand_r(&seed);
			/* Make most of them claim to be IP. */
			p.buf[12] = (i % 3) ? 0x08 : 0x86;
			p.buf[13] = (i % 3) ? 0x00 : 0xdd;
			p.buf[14] = (i % 3) ? 0x45 + (rand_r(&seed) % 11) : 0x60;
		}
		ck_assert_uint_eq(run_xdp(&fx, &p), XDP_PASS);
		/* The kernel refuses to build an skb from some frames (-EINVAL): fine. */
		if (!net_prog_run(bpf_program__fd(fx.skel->progs.flow_tc_egress), p.buf, p.len,
				  &ret)) {
			ck_assert_uint_eq(ret, TC_ACT_OK);
			tc_runs++;
		}
	}
	ck_assert_int_gt(tc_runs, n / 2);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.packets, n + tc_runs);
	ck_assert_uint_eq(m.blocked, 0);
	ck_assert_uint_eq(m.flow_update_errors, 0);
	fx_close(&fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("flow");
	TCase *tc = tcase_create("prog_test_run");
	SRunner *sr;
	int failed, err;

	/* Loading needs BPF privileges; without them there is nothing to test. */
	shared = flow__open_and_load();
	if (!shared) {
		printf("cannot load flow.bpf.o (%s): needs root or CAP_BPF+CAP_NET_ADMIN\n",
		       strerror(errno));
		return 77;
	}
	err = obj_state__save(shared->obj, &shared_state);
	if (err) {
		printf("flow.bpf.o: cannot save its maps' state (%s)\n", strerror(-err));
		return 1;
	}

	tcase_add_test(tc, test_ipv4_tcp_lifecycle);
	tcase_add_test(tc, test_rst_ends_flow);
	tcase_add_test(tc, test_qinq_vlan_udp);
	tcase_add_test(tc, test_ipv4_options);
	tcase_add_test(tc, test_ipv4_bad_ihl_and_lengths);
	tcase_add_test(tc, test_ipv6_extension_headers);
	tcase_add_test(tc, test_ipv4_fragment);
	tcase_add_test(tc, test_icmp_and_icmpv6);
	tcase_add_test(tc, test_non_ip_passes);
	tcase_add_test(tc, test_truncation_sweep);
	tcase_add_test(tc, test_blocklist);
	tcase_add_test(tc, test_tc_egress_direction);
	tcase_add_test(tc, test_ringbuf_full_counts_drops);
	tcase_add_test(tc, test_random_packets_pass);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* Each case puts the shared object's maps back itself: a fork per case would
	 * isolate nothing more, and under TCG it costs 10-20 ms (the deadline of a hung
	 * case is bpfgate's --test-timeout, a crash fails the whole test) */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	obj_state__free(shared_state);
	flow__destroy(shared);
	return failed ? 1 : 0;
}
