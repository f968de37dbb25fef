/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * case_l7.h: the knob kafka_port = 19092; a Kafka request to that port, run through
 * the ingress program, is parsed as Kafka (on the default port 9092 it would be
 * taken for HTTP and dropped as not HTTP).
 */
#include "lib_net_pkt.h"

#define CASE_KAFKA_PORT 19092

static void case_knob(skel_t *s)
{
	s->rodata->kafka_port = CASE_KAFKA_PORT;
}

struct l7_seen {
	int n;
	struct l7_event last;
};

static int l7_on_event(void *ctx, void *data, size_t sz)
{
	struct l7_seen *seen = (struct l7_seen *)ctx;

	if (sz == sizeof(seen->last))
		memcpy(&seen->last, data, sz);
	seen->n++;
	return 0;
}

static int case_check(skel_t *s, const char *what)
{
	/* length 30, ApiVersions (18) v3, correlation id 5, client id "cli" */
	static const unsigned char req[] = { 0, 0, 0, 30, 0, 18, 0, 3, 0, 0, 0, 5, 0, 3,
					     'c', 'l', 'i' };
	struct l7_seen seen = {};
	struct ring_buffer *rb;
	struct net_pkt p;
	__u32 retval;
	int err;

	rb = ring_buffer__new(MAP_FD(s, l7_events), l7_on_event, &seen, NULL);
	if (!rb) {
		printf("%s: ring buffer: %s\n", what, strerror(errno));
		return 1;
	}
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x0800);
	net_pkt_ipv4(&p, "10.0.0.1", "10.0.0.2", 6, 0);
	net_pkt_tcp(&p, 40000, CASE_KAFKA_PORT, 0x18);
	net_pkt_put(&p, req, sizeof(req));
	net_pkt_finish(&p);
	err = net_prog_run(PROG_FD(s, l7_tc_ingress), p.buf, p.len, &retval);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (err) {
		printf("%s: test run: %s\n", what, strerror(-err));
		return 1;
	}
	if (seen.n != 1 || seen.last.proto != L7_PROTO_KAFKA || seen.last.kafka.api_key != 18 ||
	    seen.last.kafka.correlation_id != 5 || strcmp(seen.last.kafka.client_id, "cli")) {
		printf("%s: kafka_port had no effect: %d events (proto %u, api key %d, "
		       "correlation id %d)\n", what, seen.n, seen.last.proto,
		       seen.last.kafka.api_key, seen.last.kafka.correlation_id);
		return 1;
	}
	return 0;
}
