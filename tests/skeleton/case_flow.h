/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * case_flow.h: the knob blocklist_dry_run = 1; a packet from a source of the XDP
 * blocklist is counted as blocked but passes (without the knob it is dropped) and
 * starts a flow, a start event with its ports.
 */
#include <arpa/inet.h>
#include "lib_net_pkt.h"

static void case_knob(skel_t *s)
{
	s->rodata->blocklist_dry_run = 1;
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
	__u32 retval = 0;
	struct flow_metrics m;
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
	err = flow_run(s, "192.0.2.7", &retval);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (!err)
		err = net_percpu_sum(MAP_FD(s, flow_metrics), (uint64_t *)&m, sizeof(m) / 8);
	if (err) {
		printf("%s: test run: %s\n", what, strerror(-err));
		return 1;
	}
	if (retval != 2 /* XDP_PASS */ || m.blocked != 1 ||
	    seen.n != 1 || seen.last.type != FLOW_EVENT_START || seen.last.key.sport != 40000 ||
	    seen.last.key.dport != 443) {
		printf("%s: blocklist_dry_run had no effect: XDP verdict %u, %llu blocked, "
		       "%d events (type %u, ports %u %u)\n", what, retval,
		       (unsigned long long)m.blocked, seen.n,
		       seen.last.type, seen.last.key.sport, seen.last.key.dport);
		return 1;
	}
	return 0;
}
