// SPDX-License-Identifier: BSD-2-Clause
/* flow.c: attach flow.bpf.c to an interface and print its flow events as JSON lines. */
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
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "loader.h"
#include "flow.h"
#include "flow.skel.h"

#define MAX_BLOCK 64

struct opts {
	const char *ifname;
	const char *block[MAX_BLOCK];
	int nblock;
	long duration;
	bool skb_mode;
	bool dump;
	bool verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: flow -i IFACE [-B CIDR]... [-d SECONDS] [-S] [-f] [-v]\n"
		"Track flows on IFACE (XDP on ingress, TC on egress) and print JSON lines.\n"
		"  -i, --interface IFACE   interface to attach to\n"
		"  -B, --block CIDR        drop packets from this source CIDR at XDP (repeatable)\n"
		"  -d, --duration SECONDS  stop after SECONDS (default: until SIGINT/SIGTERM)\n"
		"  -S, --skb-mode          generic (skb) XDP instead of the driver's\n"
		"  -f, --dump              print every flow of the table at exit\n"
		"  -v, --verbose           libbpf's warnings and the verifier log on failure\n");
}

static int parse_cidr(const char *s, int *family, __u32 addr[4], __u32 *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long n;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		*family = 6;
	else
		return -EINVAL;
	n = *family == 4 ? 32 : 128;
	if (slash) {
		errno = 0;
		n = strtoul(slash, &end, 10);
		if (errno || *end || end == slash || n > (*family == 4 ? 32u : 128u))
			return -EINVAL;
	}
	*plen = n;
	return 0;
}

static int add_block(struct flow *skel, const char *cidr)
{
	__u64 zero = 0;
	__u32 addr[4], plen;
	int family, err;

	err = parse_cidr(cidr, &family, addr, &plen);
	if (err) {
		fprintf(stderr, "flow: %s: not an IPv4 or IPv6 CIDR\n", cidr);
		return err;
	}
	if (family == 4) {
		struct flow_lpm_v4 k = { .prefixlen = plen, .addr = addr[0] };

		err = bpf_map__update_elem(skel->maps.blocklist_v4, &k, sizeof(k), &zero,
					   sizeof(zero), BPF_ANY);
	} else {
		struct flow_lpm_v6 k = { .prefixlen = plen };

		memcpy(k.addr, addr, 16);
		err = bpf_map__update_elem(skel->maps.blocklist_v6, &k, sizeof(k), &zero,
					   sizeof(zero), BPF_ANY);
	}
	if (err)
		fprintf(stderr, "flow: %s: cannot add to the blocklist: %s\n", cidr, strerror(-err));
	return err;
}

static const char *proto_name(__u8 p)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 58: return "icmpv6";
	default: return NULL;
	}
}

static void print_key(const struct flow_key *k)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = k->family == 6 ? AF_INET6 : AF_INET;
	const char *pn = proto_name(k->proto);

	inet_ntop(af, k->saddr, s, sizeof(s));
	inet_ntop(af, k->daddr, d, sizeof(d));
	printf("\"dir\":\"%s\",\"family\":\"ipv%u\",", k->dir == FLOW_DIR_EGRESS ? "egress" : "ingress",
	       k->family);
	if (pn)
		printf("\"proto\":\"%s\",", pn);
	else
		printf("\"proto\":%u,", k->proto);
	printf("\"saddr\":\"%s\",\"daddr\":\"%s\",\"sport\":%u,\"dport\":%u,\"vlan\":%u", s, d,
	       k->sport, k->dport, k->vlan);
}

static void print_counters(const struct flow_counters *c)
{
	printf("\"packets\":%llu,\"bytes\":%llu,\"first_seen_ns\":%llu,\"last_seen_ns\":%llu,"
	       "\"tcp_flags\":%u",
	       (unsigned long long)c->packets, (unsigned long long)c->bytes,
	       (unsigned long long)c->first_seen_ns, (unsigned long long)c->last_seen_ns,
	       c->tcp_flags);
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct flow_event *e = data;
	static const char *const reasons[] = { "", "fin", "rst" };

	(void)ctx;
	if (len < sizeof(*e))
		return 0;
	printf("{\"event\":\"%s\",\"ts_ns\":%llu,",
	       e->type == FLOW_EVENT_END ? "flow_end" : "flow_start",
	       (unsigned long long)e->ts_ns);
	print_key(&e->key);
	putchar(',');
	print_counters(&e->stats);
	if (e->type == FLOW_EVENT_END && e->end_reason < 3)
		printf(",\"reason\":\"%s\"", reasons[e->end_reason]);
	printf("}\n");
	fflush(stdout);
	return 0;
}

static int print_metrics(struct flow *skel)
{
	struct flow_metrics sum;
	int err = loader_percpu_counters(skel->maps.flow_metrics, &sum, sizeof(sum));

	if (err)
		return err;
#define M(f) printf(",\"" #f "\":%llu", (unsigned long long)sum.f)
	printf("{\"event\":\"metrics\"");
	M(packets); M(bytes); M(non_ip); M(ipv4); M(ipv6); M(vlan); M(tcp); M(udp); M(icmp);
	M(other_l4); M(fragments); M(truncated); M(malformed); M(ipv6_ext_limit); M(blocked);
	M(flows_started); M(flows_ended); M(flow_update_errors); M(ringbuf_drops);
#undef M
	printf("}\n");
	return 0;
}

static void dump_flows(struct flow *skel)
{
	struct flow_key key, next;
	struct flow_counters c;
	int fd = bpf_map__fd(skel->maps.flows);
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &c))
			continue;
		printf("{\"event\":\"flow\",");
		print_key(&key);
		putchar(',');
		print_counters(&c);
		printf("}\n");
	}
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	const struct loader_opt table[] = {
		LOADER_OPT("interface", 'i', LOADER_OPT_STR, &o.ifname),
		LOADER_OPT("block", 'B', LOADER_OPT_LIST, o.block,
			   .max = MAX_BLOCK, .count = &o.nblock),
		LOADER_OPT("duration", 'd', LOADER_OPT_NUM, &o.duration),
		LOADER_OPT("skb-mode", 'S', LOADER_OPT_FLAG, &o.skb_mode),
		LOADER_OPT("dump", 'f', LOADER_OPT_FLAG, &o.dump),
		LOADER_OPT("verbose", 'v', LOADER_OPT_FLAG, &o.verbose),
		{},
	};
	struct ring_buffer *rb = NULL;
	int xdp_fd = -1;
	struct loader_tc tc = { 0 };
	struct flow *skel = NULL;
	int c, first, err = 0, ifindex, i;

	c = loader_parse_opts("flow", argc, argv, table, usage, &first);
	if (c)
		return c == 1 ? 0 : 2;
	if (!o.ifname || first != argc) {
		usage(stderr);
		return 2;
	}
	ifindex = if_nametoindex(o.ifname);
	if (!ifindex) {
		fprintf(stderr, "flow: %s: no such interface\n", o.ifname);
		return 2;
	}
	loader_init(o.verbose);

	/* Open, load and verify. */
	skel = flow__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "flow: cannot load flow.bpf.o: %s\n", strerror(errno));
		goto cleanup;
	}
	for (i = 0; i < o.nblock; i++) {
		err = add_block(skel, o.block[i]);
		if (err)
			goto cleanup;
	}

	/* Ingress at XDP (early drops), egress at TC. */
	{
		LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = o.skb_mode ? XDP_FLAGS_SKB_MODE : 0);

		/* A link: the program goes away with this process, even on a crash. */
		xdp_fd = bpf_link_create(bpf_program__fd(skel->progs.flow_xdp), ifindex, BPF_XDP,
					 &lo);
	}
	if (xdp_fd < 0) {
		err = -errno;
		fprintf(stderr, "flow: %s: cannot attach XDP: %s\n", o.ifname, strerror(errno));
		goto cleanup;
	}
	err = loader_tc_attach(skel->progs.flow_tc_egress, ifindex, BPF_TC_EGRESS, &tc);
	if (err) {
		fprintf(stderr, "flow: %s: cannot attach TC egress: %s\n", o.ifname, strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.flow_events), on_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "flow: cannot open the ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}

	printf("{\"event\":\"attached\",\"ifname\":\"%s\",\"ifindex\":%d,\"tc\":\"%s\"}\n",
	       o.ifname, ifindex, loader_tc_mode(&tc));
	fflush(stdout);

	err = loader_poll_events("flow", rb, o.duration);
	if (err)
		goto cleanup;
	if (o.dump)
		dump_flows(skel);
	err = print_metrics(skel);
	fflush(stdout);

cleanup:
	ring_buffer__free(rb);
	loader_tc_detach(&tc);
	if (xdp_fd >= 0)
		close(xdp_fd);
	flow__destroy(skel);
	return err ? 1 : 0;
}
