/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * case_policy.h: the knob default_deny = 1; a packet of a managed workload that no
 * rule matches, run through the egress program, is denied (the default allows it)
 * and reported as a denial by the default.
 */
#include "lib_net_pkt.h"
#include "lib_trace_env.h"

static void case_knob(skel_t *s)
{
	s->rodata->default_deny = 1;
}

struct policy_seen {
	int n;
	struct policy_event last;
};

static int policy_on_event(void *ctx, void *data, size_t sz)
{
	struct policy_seen *seen = (struct policy_seen *)ctx;

	if (sz == sizeof(seen->last))
		memcpy(&seen->last, data, sz);
	seen->n++;
	return 0;
}

static int case_check(skel_t *s, const char *what)
{
	struct policy_seen seen = {};
	struct ring_buffer *rb;
	__u64 cg[2] = { 1, 0 };
	__u32 ident = 7, retval = 1;
	struct net_pkt p;
	int err, i;

	/* A test run's socket is in the caller's cgroup, or the root one (id 1) before 5.15
	 * or so: both are the managed workload. */
	if (trace_cgroup_self_id(&cg[1]))
		cg[1] = 1;
	for (i = 0; i < 2; i++)
		if (bpf_map_update_elem(MAP_FD(s, identities), &cg[i], &ident, BPF_ANY)) {
			printf("%s: identities: %s\n", what, strerror(errno));
			return 1;
		}
	rb = ring_buffer__new(MAP_FD(s, events), policy_on_event, &seen, NULL);
	if (!rb) {
		printf("%s: ring buffer: %s\n", what, strerror(errno));
		return 1;
	}
	net_pkt_init(&p);
	net_pkt_eth(&p, 0x0800);
	net_pkt_ipv4(&p, "10.0.0.1", "203.0.113.9", 6, 0);
	net_pkt_tcp(&p, 40000, 8080, 0x02);
	net_pkt_finish(&p);
	err = net_prog_run(PROG_FD(s, policy_egress), p.buf, p.len, &retval);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (err) {
		printf("%s: test run: %s\n", what, strerror(-err));
		return 1;
	}
	if (retval != 0 || seen.n != 1 || seen.last.verdict != POLICY_DENY ||
	    seen.last.rule_id != 0 || seen.last.dport != 8080 ||
	    seen.last.hook != POLICY_HOOK_EGRESS || seen.last.identity != ident) {
		printf("%s: default_deny had no effect: retval %u, %d events (verdict %u, "
		       "rule %u, port %u, hook %u, identity %u)\n", what, retval, seen.n,
		       seen.last.verdict, seen.last.rule_id, seen.last.dport, seen.last.hook,
		       seen.last.identity);
		return 1;
	}
	return 0;
}
