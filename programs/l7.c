// SPDX-License-Identifier: BSD-2-Clause
/* l7.c: attach l7.bpf.c to an interface and print DNS, HTTP and Kafka events as JSON lines. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "l7.h"
#include "l7.skel.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: l7 -i IFACE [-k PORT] [-d SECONDS] [-v]\n"
		"Print DNS, HTTP/1.x and Kafka requests and responses seen on IFACE (TC ingress\n"
		"and egress) as JSON lines.\n"
		"  -i, --interface IFACE    interface to attach to\n"
		"  -k, --kafka-port PORT    Kafka broker port (default 9092, 0: no Kafka parsing)\n"
		"  -d, --duration SECONDS   stop after SECONDS (default: until SIGINT/SIGTERM)\n"
		"  -v, --verbose            libbpf's warnings and the verifier log on failure\n");
}

/* A string from a packet: anything but printable ASCII is escaped (loader_json_str). */
static void print_str(const char *key, const char *s, size_t max)
{
	printf(",\"%s\":", key);
	loader_json_str(s, max);
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct l7_event *e = data;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = e->family == 6 ? AF_INET6 : AF_INET;
	static const char *const names[] = { "", "dns", "http", "kafka" };

	(void)ctx;
	if (len < sizeof(*e) || e->proto > L7_PROTO_KAFKA)
		return 0;
	inet_ntop(af, e->saddr, s, sizeof(s));
	inet_ntop(af, e->daddr, d, sizeof(d));
	printf("{\"event\":\"%s\",\"ts_ns\":%llu,\"dir\":\"%s\",\"family\":\"ipv%u\","
	       "\"l4\":\"%s\",\"saddr\":\"%s\",\"daddr\":\"%s\",\"sport\":%u,\"dport\":%u,"
	       "\"response\":%s,\"truncated\":%s",
	       names[e->proto], (unsigned long long)e->ts_ns,
	       e->dir == L7_DIR_EGRESS ? "egress" : "ingress", e->family,
	       e->l4 == 6 ? "tcp" : "udp", s, d, e->sport, e->dport,
	       e->flags & L7_F_RESPONSE ? "true" : "false",
	       e->flags & L7_F_TRUNCATED ? "true" : "false");
	switch (e->proto) {
	case L7_PROTO_DNS:
		printf(",\"id\":%u,\"opcode\":%u,\"rcode\":%u,\"qtype\":%u,\"qclass\":%u",
		       e->dns.id, e->dns.opcode, e->dns.rcode, e->dns.qtype, e->dns.qclass);
		print_str("name", e->dns.name, sizeof(e->dns.name));
		break;
	case L7_PROTO_HTTP:
		if (e->flags & L7_F_RESPONSE) {
			printf(",\"status\":%u", e->http.status);
		} else {
			print_str("method", e->http.method, sizeof(e->http.method));
			print_str("path", e->http.path, sizeof(e->http.path));
		}
		break;
	case L7_PROTO_KAFKA:
		printf(",\"length\":%d,\"api_key\":%d,\"api_version\":%d,\"correlation_id\":%d",
		       e->kafka.length, e->kafka.api_key, e->kafka.api_version,
		       e->kafka.correlation_id);
		if (e->kafka.client_id_len < 0)
			printf(",\"client_id\":null");
		else
			print_str("client_id", e->kafka.client_id, sizeof(e->kafka.client_id));
		break;
	}
	printf("}\n");
	fflush(stdout);
	return 0;
}

static int print_metrics(struct l7 *skel)
{
	struct l7_metrics sum;
	int err = loader_percpu_counters(skel->maps.l7_metrics, &sum, sizeof(sum));

	if (err)
		return err;
#define M(f) printf(",\"" #f "\":%llu", (unsigned long long)sum.f)
	printf("{\"event\":\"metrics\"");
	M(packets); M(not_parsed); M(malformed_l3l4); M(dns_queries); M(dns_responses);
	M(dns_malformed); M(http_requests); M(http_responses); M(http_truncated);
	M(kafka_requests); M(kafka_malformed); M(ringbuf_drops);
#undef M
	printf("}\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct loader_tc in = { 0 }, out = { 0 };
	struct ring_buffer *rb = NULL;
	struct l7 *skel = NULL;
	const char *ifname = NULL;
	int c, first, err = 0, ifindex;
	long kafka_port = 9092, duration = 0;
	bool verbose = false;
	const struct loader_opt table[] = {
		LOADER_OPT("interface", 'i', LOADER_OPT_STR, &ifname),
		LOADER_OPT("kafka-port", 'k', LOADER_OPT_NUM, &kafka_port, .max = 65535),
		LOADER_OPT("duration", 'd', LOADER_OPT_NUM, &duration),
		LOADER_OPT("verbose", 'v', LOADER_OPT_FLAG, &verbose),
		{},
	};

	c = loader_parse_opts("l7", argc, argv, table, usage, &first);
	if (c)
		return c == 1 ? 0 : 2;
	if (!ifname || first != argc) {
		usage(stderr);
		return 2;
	}
	ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "l7: %s: no such interface\n", ifname);
		return 2;
	}
	loader_init(verbose);

	/* Open, configure, load and verify. */
	skel = l7__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "l7: cannot open l7.bpf.o: %s\n", strerror(errno));
		goto cleanup;
	}
	skel->rodata->kafka_port = kafka_port;
	err = l7__load(skel);
	if (err) {
		fprintf(stderr, "l7: cannot load l7.bpf.o: %s\n", strerror(-err));
		goto cleanup;
	}

	/* Both directions at TC: requests leave, responses arrive (or the reverse). */
	err = loader_tc_attach(skel->progs.l7_tc_ingress, ifindex, BPF_TC_INGRESS, &in);
	if (!err)
		err = loader_tc_attach(skel->progs.l7_tc_egress, ifindex, BPF_TC_EGRESS, &out);
	if (err) {
		fprintf(stderr, "l7: %s: cannot attach at TC: %s\n", ifname, strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.l7_events), on_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "l7: cannot open the ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}

	printf("{\"event\":\"attached\",\"ifname\":\"%s\",\"ifindex\":%d,\"tc\":\"%s\"}\n",
	       ifname, ifindex, loader_tc_mode(&in));
	fflush(stdout);

	err = loader_poll_events("l7", rb, duration);
	if (err)
		goto cleanup;
	err = print_metrics(skel);
	fflush(stdout);

cleanup:
	ring_buffer__free(rb);
	/* Egress first: the ingress hook may own the clsact qdisc both share. */
	loader_tc_detach(&out);
	loader_tc_detach(&in);
	l7__destroy(skel);
	return err ? 1 : 0;
}
