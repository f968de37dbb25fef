/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * case_flow.h: flow has no knob; a packet from a source of the XDP blocklist is
 * dropped, and another one starts a flow (a start event with its ports).
 */
#include <arpa/inet.h>
#include "lib_net_pkt.h"

static void case_knob(skel_t *s)
{
	(void)s;
}

struct flow_seen {
	int n;
	struct flow_event last;
};

static int flow_on_event(void *ctx, void *data, size_t sz)
{
	struct flow_seen *seen = (struct flow_seen *)ctx;

	if (sz == sizeof(seen->last))
		memcpy(&seen->last, data, sz);
	seen->n++;
	return 0;
}

static int flow_run(skel_t *s, const char *saddr, __u32 *retval)
{
	struct net_pkt p;

	net_pkt_init(&p);
	net_pkt_eth(&p, 0x0800);
	net_pkt_ipv4(&p, saddr, "10.0.0.2", 6, 0);
	net_pkt_tcp(&p, 40000, 443, 0x02);
	net_pkt_finish(&p);
	return net_prog_run(PROG_FD(s, flow_xdp), p.buf, p.len, retval);
}

static int case_check(skel_t *s, const char *what)
{
	struct flow_lpm_v4 block = { 24, 0 };
	struct flow_seen seen = {};
	__u32 drop = 0, pass = 0;
	struct ring_buffer *rb;
	__u64 zero = 0;
	int err;

	inet_pton(AF_INET, "192.0.2.0", &block.addr);
	if (bpf_map_update_elem(MAP_FD(s, blocklist_v4), &block, &zero, BPF_ANY)) {
		printf("%s: blocklist: %s\n", what, strerror(errno));
		return 1;
	}
	rb = ring_buffer__new(MAP_FD(s, flow_events), flow_on_event, &seen, NULL);
	if (!rb) {
		printf("%s: ring buffer: %s\n", what, strerror(errno));
		return 1;
	}
	err = flow_run(s, "192.0.2.7", &drop) ?: flow_run(s, "10.0.0.1", &pass);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (err) {
		printf("%s: test run: %s\n", what, strerror(-err));
		return 1;
	}
	if (drop != 1 /* XDP_DROP */ || pass != 2 /* XDP_PASS */ || seen.n != 1 ||
	    seen.last.type != FLOW_EVENT_START || seen.last.key.sport != 40000 ||
	    seen.last.key.dport != 443) {
		printf("%s: XDP verdicts %u and %u, %d events (type %u, ports %u %u)\n", what,
		       drop, pass, seen.n, seen.last.type, seen.last.key.sport,
		       seen.last.key.dport);
		return 1;
	}
	return 0;
}
