// SPDX-License-Identifier: BSD-2-Clause
/* test_l7.c: l7.bpf.c under BPF_PROG_TEST_RUN: DNS, HTTP/1.x and Kafka, good and hostile. */
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
#include "l7.h"
#include "l7.skel.h"

#define TC_ACT_OK 0
#define MAX_EVENTS 64

struct fixture {
	struct l7 *skel;
	struct ring_buffer *rb;
	struct l7_event ev[MAX_EVENTS];
	int n;
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct fixture *fx = ctx;

	ck_assert_uint_eq(len, sizeof(struct l7_event));
	if (fx->n < MAX_EVENTS)
		memcpy(&fx->ev[fx->n], data, sizeof(struct l7_event));
	fx->n++;
	return 0;
}

/* The object the cases share: loaded once by main(), its maps put back before each case. */
static struct l7 *shared;
static struct obj_state *shared_state;

static void fx_open(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	fx->skel = shared;
	ck_assert_int_eq(obj_state__restore(shared_state), 0);
	fx->rb = ring_buffer__new(bpf_map__fd(fx->skel->maps.l7_events), on_event, fx, NULL);
	ck_assert_ptr_nonnull(fx->rb);
}

static void fx_close(struct fixture *fx)
{
	ring_buffer__free(fx->rb);
	if (fx->skel != shared)
		l7__destroy(fx->skel);
}

/* Runs the egress program; returns the number of new events. */
static int run(struct fixture *fx, struct net_pkt *p)
{
	__u32 ret = 1;
	int before = fx->n;

	ck_assert_int_eq(net_prog_run(bpf_program__fd(fx->skel->progs.l7_tc_egress), p->buf,
				      p->len, &ret), 0);
	ck_assert_uint_eq(ret, TC_ACT_OK);
	ring_buffer__consume(fx->rb);
	return fx->n - before;
}

static void metrics(struct fixture *fx, struct l7_metrics *m)
{
	ck_assert_int_eq(net_percpu_sum(bpf_map__fd(fx->skel->maps.l7_metrics), (uint64_t *)m,
					sizeof(*m) / 8), 0);
}

static void udp4(struct net_pkt *p, __u16 sport, __u16 dport, const void *payload, size_t len)
{
	net_pkt_init(p);
	net_pkt_eth(p, 0x0800);
	net_pkt_ipv4(p, "10.0.0.1", "10.0.0.53", 17, 0);
	net_pkt_udp(p, sport, dport);
	net_pkt_put(p, payload, len);
	net_pkt_finish(p);
}

static void tcp4(struct net_pkt *p, __u16 sport, __u16 dport, const void *payload, size_t len)
{
	net_pkt_init(p);
	net_pkt_eth(p, 0x0800);
	net_pkt_ipv4(p, "10.0.0.1", "10.0.0.80", 6, 0);
	net_pkt_tcp(p, sport, dport, 0x18);
	net_pkt_put(p, payload, len);
	net_pkt_finish(p);
}

/* A DNS message: header, one question; name given as wire-format labels. */
static size_t dns_msg(unsigned char *b, __u16 id, __u16 flags, const void *qname, size_t qlen,
		      __u16 qtype)
{
	size_t n = 0;

	b[n++] = id >> 8, b[n++] = id & 0xff;
	b[n++] = flags >> 8, b[n++] = flags & 0xff;
	b[n++] = 0, b[n++] = 1; /* one question */
	memset(b + n, 0, 6), n += 6;
	memcpy(b + n, qname, qlen), n += qlen;
	b[n++] = qtype >> 8, b[n++] = qtype & 0xff;
	b[n++] = 0, b[n++] = 1; /* IN */
	return n;
}

static const char example_com[] = "\x07" "example" "\x03" "com";

START_TEST(test_dns_query_and_response)
{
	unsigned char msg[512];
	struct l7_metrics m;
	struct fixture fx;
	struct net_pkt p;
	size_t n;

	fx_open(&fx);
	n = dns_msg(msg, 0x1234, 0x0100, example_com, sizeof(example_com), 28);
	udp4(&p, 40000, 53, msg, n);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(fx.ev[0].proto, L7_PROTO_DNS);
	ck_assert_uint_eq(fx.ev[0].dir, L7_DIR_EGRESS);
	ck_assert_uint_eq(fx.ev[0].l4, 17);
	ck_assert_uint_eq(fx.ev[0].sport, 40000);
	ck_assert_uint_eq(fx.ev[0].dport, 53);
	ck_assert_uint_eq(fx.ev[0].dns.id, 0x1234);
	ck_assert_uint_eq(fx.ev[0].dns.qtype, 28);
	ck_assert_uint_eq(fx.ev[0].dns.qclass, 1);
	ck_assert_str_eq(fx.ev[0].dns.name, "example.com");
	ck_assert_uint_eq(fx.ev[0].dns.name_len, 11);
	ck_assert_uint_eq(fx.ev[0].flags, 0);

	/* NXDOMAIN response. */
	n = dns_msg(msg, 0x1234, 0x8183, example_com, sizeof(example_com), 1);
	udp4(&p, 53, 40000, msg, n);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(fx.ev[1].flags & L7_F_RESPONSE, L7_F_RESPONSE);
	ck_assert_uint_eq(fx.ev[1].dns.rcode, 3);
	ck_assert_str_eq(fx.ev[1].dns.name, "example.com");

	/* The root name. */
	n = dns_msg(msg, 7, 0x0100, "", 1, 2);
	udp4(&p, 40001, 53, msg, n);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_str_eq(fx.ev[2].dns.name, "");
	ck_assert_uint_eq(fx.ev[2].dns.qtype, 2);

	metrics(&fx, &m);
	ck_assert_uint_eq(m.dns_queries, 2);
	ck_assert_uint_eq(m.dns_responses, 1);
	ck_assert_uint_eq(m.dns_malformed, 0);
	fx_close(&fx);
}
END_TEST

START_TEST(test_dns_over_ipv6_and_tcp)
{
	unsigned char msg[512], tcpmsg[514];
	struct fixture fx;
	struct net_pkt p;
	size_t n;

	fx_open(&fx);
	n = dns_msg(msg, 1, 0x0100, example_com, sizeof(example_com), 1);
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x86dd);
	net_pkt_ipv6(&p, "2001:db8::1", "2001:db8::53", 60);
	net_pkt_ipv6_ext(&p, 60, 17, 0, 0);
	net_pkt_udp(&p, 5353, 53);
	net_pkt_put(&p, msg, n);
	net_pkt_finish(&p);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(fx.ev[0].family, 6);
	ck_assert_str_eq(fx.ev[0].dns.name, "example.com");

	tcpmsg[0] = n >> 8, tcpmsg[1] = n & 0xff;
	memcpy(tcpmsg + 2, msg, n);
	tcp4(&p, 40000, 53, tcpmsg, n + 2);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(fx.ev[1].flags & L7_F_TCP, L7_F_TCP);
	ck_assert_str_eq(fx.ev[1].dns.name, "example.com");
	fx_close(&fx);
}
END_TEST

/* Hostile names: pointers (including a pointer to itself), reserved label types, cuts. */
START_TEST(test_dns_hostile_names)
{
	static const char self_ptr[] = "\xc0\x0c";          /* points at itself (offset 12) */
	static const char label_then_ptr[] = "\x03" "www" "\xc0\x0c";
	static const char reserved[] = "\x43" "abc";         /* 0x40 label type */
	static const char overrun[] = "\x3f" "short";        /* 63 announced, 5 present */
	unsigned char msg[512];
	struct l7_metrics m;
	struct fixture fx;
	struct net_pkt p;
	size_t n;

	fx_open(&fx);
	n = dns_msg(msg, 1, 0x0100, self_ptr, 2, 1);
	udp4(&p, 1000, 53, msg, n);
	ck_assert_int_eq(run(&fx, &p), 0);
	n = dns_msg(msg, 1, 0x0100, label_then_ptr, sizeof(label_then_ptr) - 1, 1);
	udp4(&p, 1000, 53, msg, n);
	ck_assert_int_eq(run(&fx, &p), 0);
	n = dns_msg(msg, 1, 0x0100, reserved, sizeof(reserved) - 1, 1);
	udp4(&p, 1000, 53, msg, n);
	ck_assert_int_eq(run(&fx, &p), 0);
	n = dns_msg(msg, 1, 0x0100, overrun, sizeof(overrun) - 1, 1);
	udp4(&p, 1000, 53, msg, n - 4); /* no room for the label, nor the type */
	ck_assert_int_eq(run(&fx, &p), 0);
	/* No question at all. */
	n = dns_msg(msg, 1, 0x0100, example_com, sizeof(example_com), 1);
	msg[5] = 0;
	udp4(&p, 1000, 53, msg, n);
	ck_assert_int_eq(run(&fx, &p), 0);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.dns_malformed, 5);
	ck_assert_uint_eq(m.dns_queries, 0);
	fx_close(&fx);
}
END_TEST

START_TEST(test_dns_long_names_are_cut)
{
	unsigned char name[300], msg[512];
	struct fixture fx;
	struct net_pkt p;
	size_t n = 0, i;

	fx_open(&fx);
	/* 4 labels of 63 bytes: the longest legal name (255 bytes on the wire) fits. */
	for (i = 0; i < 4; i++) {
		name[n++] = 63;
		memset(name + n, 'a' + i, 63);
		n += 63;
	}
	name[n++] = 0;
	n = dns_msg(msg, 1, 0x0100, name, n, 1);
	udp4(&p, 1000, 53, msg, n);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(fx.ev[0].flags & L7_F_TRUNCATED, 0);
	ck_assert_uint_eq(fx.ev[0].dns.name_len, 4 * 63 + 3);
	ck_assert_uint_eq(strlen(fx.ev[0].dns.name), 4 * 63 + 3);
	ck_assert_int_eq(fx.ev[0].dns.name[64], 'b');
	ck_assert_int_eq(fx.ev[0].dns.name[63], '.');
	ck_assert_uint_eq(fx.ev[0].dns.qtype, 1);

	/* 20 labels of 10: no label starts past L7_DNS_NAME_COPY, the name is cut at 18. */
	for (n = 0, i = 0; i < 20; i++) {
		name[n++] = 10;
		memset(name + n, 'k', 10);
		n += 10;
	}
	name[n++] = 0;
	n = dns_msg(msg, 1, 0x0100, name, n, 1);
	udp4(&p, 1000, 53, msg, n);
	ck_assert_int_eq(run(&fx, &p), 1);
	fx.ev[0] = fx.ev[1];
	fx.n = 1;
	ck_assert_uint_eq(fx.ev[0].flags & L7_F_TRUNCATED, L7_F_TRUNCATED);
	ck_assert_uint_eq(fx.ev[0].dns.name_len, 18 * 11 - 1);

	/* 40 one-byte labels: more than the label limit. */
	for (n = 0, i = 0; i < 40; i++) {
		name[n++] = 1;
		name[n++] = 'x';
	}
	name[n++] = 0;
	n = dns_msg(msg, 1, 0x0100, name, n, 1);
	udp4(&p, 1000, 53, msg, n);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(fx.ev[1].flags & L7_F_TRUNCATED, L7_F_TRUNCATED);
	ck_assert_uint_eq(fx.ev[1].dns.name_len, L7_DNS_MAX_LABELS * 2 - 1);
	fx_close(&fx);
}
END_TEST

/* Every cut of a query: never a wrong name; an event only when the question is whole. */
START_TEST(test_dns_truncation_sweep)
{
	unsigned char msg[512];
	struct net_pkt full, p;
	struct l7_metrics m;
	struct fixture fx;
	size_t n, cut, hdrs;
	int events = 0;

	fx_open(&fx);
	n = dns_msg(msg, 9, 0x0100, example_com, sizeof(example_com), 1);
	udp4(&full, 1000, 53, msg, n);
	hdrs = full.len - n;
	for (cut = hdrs; cut < full.len; cut++) {
		p = full;
		p.len = cut;
		net_pkt_finish(&p); /* consistent IP/UDP lengths: the message itself is short */
		events += run(&fx, &p);
	}
	ck_assert_int_eq(events, 0);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.dns_malformed, n - 1);
	ck_assert_int_eq(run(&fx, &full), 1);
	ck_assert_str_eq(fx.ev[0].dns.name, "example.com");
	fx_close(&fx);
}
END_TEST

START_TEST(test_http_request_and_response)
{
	static const char get[] = "GET /api/v1/users?id=7 HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char del[] = "DELETE /items/42 HTTP/1.1\r\n\r\n";
	static const char resp[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
	struct l7_metrics m;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	tcp4(&p, 40000, 8080, get, sizeof(get) - 1);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(fx.ev[0].proto, L7_PROTO_HTTP);
	ck_assert_str_eq(fx.ev[0].http.method, "GET");
	ck_assert_str_eq(fx.ev[0].http.path, "/api/v1/users?id=7");
	ck_assert_uint_eq(fx.ev[0].http.path_len, 18);
	ck_assert_uint_eq(fx.ev[0].flags, 0);

	tcp4(&p, 40000, 80, del, sizeof(del) - 1);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_str_eq(fx.ev[1].http.method, "DELETE");
	ck_assert_str_eq(fx.ev[1].http.path, "/items/42");

	tcp4(&p, 80, 40000, resp, sizeof(resp) - 1);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(fx.ev[2].flags & L7_F_RESPONSE, L7_F_RESPONSE);
	ck_assert_uint_eq(fx.ev[2].http.status, 404);

	metrics(&fx, &m);
	ck_assert_uint_eq(m.http_requests, 2);
	ck_assert_uint_eq(m.http_responses, 1);
	fx_close(&fx);
}
END_TEST

/* A request line split over two segments: one event, flagged, and no mislabelled second. */
START_TEST(test_http_split_across_segments)
{
	static const char seg1[] = "GET /download/very/long/path";
	static const char seg2[] = "/file.bin HTTP/1.1\r\nHost: example\r\n\r\n";
	static const char seg3[] = "HTTP/1.1\r\nHost: example\r\n\r\n";
	static const char seg4[] = "GE";
	char longpath[200];
	struct l7_metrics m;
	struct fixture fx;
	struct net_pkt p;

	fx_open(&fx);
	tcp4(&p, 40000, 80, seg1, sizeof(seg1) - 1);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_str_eq(fx.ev[0].http.path, "/download/very/long/path");
	ck_assert_uint_eq(fx.ev[0].flags & L7_F_TRUNCATED, L7_F_TRUNCATED);
	/* The continuation is not a request, nor a response. */
	tcp4(&p, 40000, 80, seg2, sizeof(seg2) - 1);
	ck_assert_int_eq(run(&fx, &p), 0);
	tcp4(&p, 40000, 80, seg3, sizeof(seg3) - 1);
	ck_assert_int_eq(run(&fx, &p), 0);
	tcp4(&p, 40000, 80, seg4, sizeof(seg4) - 1);
	ck_assert_int_eq(run(&fx, &p), 0);

	/* A path longer than the kept prefix. */
	memcpy(longpath, "GET /", 5);
	memset(longpath + 5, 'p', 150);
	memcpy(longpath + 155, " HTTP/1.0\r\n\r\n", 13);
	tcp4(&p, 40000, 80, longpath, 168);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(strlen(fx.ev[1].http.path), L7_HTTP_PATH_LEN - 1);
	ck_assert_uint_eq(fx.ev[1].flags & L7_F_TRUNCATED, L7_F_TRUNCATED);

	metrics(&fx, &m);
	ck_assert_uint_eq(m.http_requests, 2);
	ck_assert_uint_eq(m.http_truncated, 2);
	ck_assert_uint_eq(m.http_responses, 0);
	fx_close(&fx);
}
END_TEST

static size_t kafka_req(unsigned char *b, __s32 length, __s16 key, __s16 ver, __s32 corr,
			__s16 cid_len, const char *cid)
{
	size_t n = 0;

	b[n++] = length >> 24, b[n++] = length >> 16, b[n++] = length >> 8, b[n++] = length;
	b[n++] = key >> 8, b[n++] = key;
	b[n++] = ver >> 8, b[n++] = ver;
	b[n++] = corr >> 24, b[n++] = corr >> 16, b[n++] = corr >> 8, b[n++] = corr;
	b[n++] = cid_len >> 8, b[n++] = cid_len;
	if (cid_len > 0) {
		memcpy(b + n, cid, cid_len);
		n += cid_len;
	}
	return n;
}

START_TEST(test_kafka_requests)
{
	unsigned char b[256];
	struct l7_metrics m;
	struct fixture fx;
	struct net_pkt p;
	size_t n;

	fx_open(&fx);
	n = kafka_req(b, 100, 0, 9, 42, 12, "bpfgate-test");
	tcp4(&p, 40000, 9092, b, n);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_uint_eq(fx.ev[0].proto, L7_PROTO_KAFKA);
	ck_assert_int_eq(fx.ev[0].kafka.api_key, 0);
	ck_assert_int_eq(fx.ev[0].kafka.api_version, 9);
	ck_assert_int_eq(fx.ev[0].kafka.correlation_id, 42);
	ck_assert_int_eq(fx.ev[0].kafka.length, 100);
	ck_assert_str_eq(fx.ev[0].kafka.client_id, "bpfgate-test");

	/* Null client id (Fetch v11). */
	n = kafka_req(b, 50, 1, 11, 7, -1, NULL);
	tcp4(&p, 40000, 9092, b, n);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_int_eq(fx.ev[1].kafka.client_id_len, -1);
	ck_assert_str_eq(fx.ev[1].kafka.client_id, "");

	/* Malformed: negative key, client id longer than the message, tiny length. */
	n = kafka_req(b, 100, -5, 1, 1, 0, NULL);
	tcp4(&p, 40000, 9092, b, n);
	ck_assert_int_eq(run(&fx, &p), 0);
	n = kafka_req(b, 20, 3, 1, 1, 0, NULL);
	b[12] = 0, b[13] = 200;
	tcp4(&p, 40000, 9092, b, n);
	ck_assert_int_eq(run(&fx, &p), 0);
	n = kafka_req(b, 2, 3, 1, 1, 0, NULL);
	tcp4(&p, 40000, 9092, b, n);
	ck_assert_int_eq(run(&fx, &p), 0);
	/* Kafka bytes on another port are not Kafka. */
	n = kafka_req(b, 100, 0, 9, 42, 12, "bpfgate-test");
	tcp4(&p, 40000, 9093, b, n);
	ck_assert_int_eq(run(&fx, &p), 0);

	metrics(&fx, &m);
	ck_assert_uint_eq(m.kafka_requests, 2);
	ck_assert_uint_eq(m.kafka_malformed, 3);
	fx_close(&fx);
}
END_TEST

/* The broker port is configuration (rodata), set before load. */
START_TEST(test_kafka_port_is_configurable)
{
	unsigned char b[64];
	struct fixture fx;
	struct net_pkt p;
	size_t n;

	memset(&fx, 0, sizeof(fx));
	fx.skel = l7__open();
	ck_assert_ptr_nonnull(fx.skel);
	/* run() takes egress: the verifier's work on ingress would be spent again */
	bpf_program__set_autoload(fx.skel->progs.l7_tc_ingress, false);
	fx.skel->rodata->kafka_port = 19092;
	ck_assert_int_eq(l7__load(fx.skel), 0);
	fx.rb = ring_buffer__new(bpf_map__fd(fx.skel->maps.l7_events), on_event, &fx, NULL);
	n = kafka_req(b, 30, 18, 3, 5, 3, "cli");
	tcp4(&p, 40000, 19092, b, n);
	ck_assert_int_eq(run(&fx, &p), 1);
	ck_assert_int_eq(fx.ev[0].kafka.api_key, 18);
	tcp4(&p, 40000, 9092, b, n);
	ck_assert_int_eq(run(&fx, &p), 0);
	fx_close(&fx);
}
END_TEST

START_TEST(test_l3l4_hostile)
{
	unsigned char msg[512];
	struct net_pkt p;
	struct l7_metrics m;
	struct fixture fx;
	size_t n;
	int i;

	fx_open(&fx);
	n = dns_msg(msg, 1, 0x0100, example_com, sizeof(example_com), 1);
	/* Too many IPv6 extension headers before the UDP header. */
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x86dd);
	net_pkt_ipv6(&p, "::1", "::2", 60);
	for (i = 0; i < 10; i++)
		net_pkt_ipv6_ext(&p, 60, i == 9 ? 17 : 60, 0, 0);
	net_pkt_udp(&p, 1000, 53);
	net_pkt_put(&p, msg, n);
	net_pkt_finish(&p);
	ck_assert_int_eq(run(&fx, &p), 0);
	/* Bad IHL. */
	udp4(&p, 1000, 53, msg, n);
	p.buf[14] = 0x43;
	ck_assert_int_eq(run(&fx, &p), 0);
	/* TCP data offset past the end. */
	tcp4(&p, 1000, 80, "GET / HTTP/1.1\r\n\r\n", 18);
	p.buf[34 + 12] = 15 << 4;
	p.len = 34 + 40;
	net_pkt_finish(&p);
	ck_assert_int_eq(run(&fx, &p), 0);
	/* Ethernet padding after a short UDP datagram is not payload. */
	udp4(&p, 1000, 53, msg, 6);
	memcpy(p.buf + p.len, msg + 6, n - 6);
	p.len += n - 6;
	ck_assert_int_eq(run(&fx, &p), 0);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.malformed_l3l4, 3);
	ck_assert_uint_eq(m.dns_malformed, 1);
	fx_close(&fx);
}
END_TEST

START_TEST(test_ringbuf_full_counts_drops)
{
	unsigned char msg[512];
	struct l7_metrics m;
	struct fixture fx;
	struct net_pkt p;
	__u32 total;
	size_t n;
	int err;

	fx_open(&fx);
	/* one event (and its 8-byte record header) per query: more than fit */
	total = bpf_map__max_entries(fx.skel->maps.l7_events) / (sizeof(struct l7_event) + 8) + 50;
	n = dns_msg(msg, 1, 0x0100, example_com, sizeof(example_com), 1);
	udp4(&p, 1000, 53, msg, n);
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.buf, .data_size_in = p.len,
			    .repeat = total);

		err = bpf_prog_test_run_opts(bpf_program__fd(fx.skel->progs.l7_tc_ingress), &opts);
		ck_assert_int_eq(err, 0);
		ck_assert_uint_eq(opts.retval, TC_ACT_OK);
	}
	ring_buffer__consume(fx.rb);
	metrics(&fx, &m);
	ck_assert_uint_eq(m.dns_queries, total);
	ck_assert_uint_gt(m.ringbuf_drops, 0);
	ck_assert_uint_eq(fx.n + m.ringbuf_drops, total);
	ck_assert_uint_eq(fx.ev[0].dir, L7_DIR_INGRESS);
	fx_close(&fx);
}
END_TEST

/* Random payloads on the parsed ports: always TC_ACT_OK; any event holds printable text. */
START_TEST(test_random_payloads)
{
	static const __u16 ports[] = { 53, 80, 9092 };
	unsigned char payload[300];
	unsigned int seed = 777;
	struct fixture fx;
	struct net_pkt p;
	int i, j, k;
	size_t len;

	fx_open(&fx);
	for (i = 0; i < 3000; i++) {
		len = 1 + rand_r(&seed) % sizeof(payload);
		for (j = 0; j < (int)len; j++)
			payload[j] = rand_r(&seed);
		if (i % 4 == 0) /* look like a DNS query with random labels */
			payload[2] = 0x01, payload[3] = 0, payload[4] = 0, payload[5] = 1;
		if (i % 4 == 1)
			memcpy(payload, "GET /", len > 5 ? 5 : len);
		if (i % 2)
			tcp4(&p, 40000, ports[i % 3], payload, len);
		else
			udp4(&p, 40000, ports[i % 3], payload, len);
		fx.n = 0;
		k = run(&fx, &p);
		for (j = 0; j < k && j < MAX_EVENTS; j++) {
			if (fx.ev[j].proto == L7_PROTO_DNS)
				ck_assert_uint_eq(strlen(fx.ev[j].dns.name), fx.ev[j].dns.name_len);
			if (fx.ev[j].proto == L7_PROTO_HTTP)
				ck_assert_uint_lt(strlen(fx.ev[j].http.path), L7_HTTP_PATH_LEN);
		}
	}
	fx_close(&fx);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("l7");
	TCase *tc = tcase_create("prog_test_run");
	SRunner *sr;
	int failed, err;

	shared = l7__open_and_load();
	if (!shared) {
		printf("cannot load l7.bpf.o (%s): needs root or CAP_BPF+CAP_NET_ADMIN\n",
		       strerror(errno));
		return 77;
	}
	err = obj_state__save(shared->obj, &shared_state);
	if (err) {
		printf("l7.bpf.o: cannot save its maps' state (%s)\n", strerror(-err));
		return 1;
	}

	tcase_add_test(tc, test_dns_query_and_response);
	tcase_add_test(tc, test_dns_over_ipv6_and_tcp);
	tcase_add_test(tc, test_dns_hostile_names);
	tcase_add_test(tc, test_dns_long_names_are_cut);
	tcase_add_test(tc, test_dns_truncation_sweep);
	tcase_add_test(tc, test_http_request_and_response);
	tcase_add_test(tc, test_http_split_across_segments);
	tcase_add_test(tc, test_kafka_requests);
	tcase_add_test(tc, test_kafka_port_is_configurable);
	tcase_add_test(tc, test_l3l4_hostile);
	tcase_add_test(tc, test_ringbuf_full_counts_drops);
	tcase_add_test(tc, test_random_payloads);
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
	l7__destroy(shared);
	return failed ? 1 : 0;
}
