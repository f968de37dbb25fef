// SPDX-License-Identifier: BSD-2-Clause
/* test_policy.c: the policy programs on crafted packets (BPF_PROG_TEST_RUN) and real connect()s. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "policy.h"
#include "policy.skel.h"
#include "common/loader.h"
#include "lib_obj_state.h"
#include "lib_trace_env.h"

#define IDENT 42
#define RULE_DB 1	/* 42 -> 10.0.0.0/8 tcp/5432 deny */
#define RULE_DNS 2	/* 42 -> 192.168.0.0/16 any deny */
#define RULE_V6 3	/* 42 -> fd00::/8 tcp/443 deny */
#define RULE_OK 4	/* 42 -> 10.9.0.0/16 tcp/5432 allow (more specific than RULE_DB) */

/* A packet as BPF_PROG_TEST_RUN takes it: Ethernet header first. */
struct pkt {
	__u8 b[512];
	__u32 len;
};

static void put(struct pkt *p, const void *d, __u32 n)
{
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void put_eth(struct pkt *p, __u16 type)
{
	__u8 h[14] = { 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, type >> 8, type & 0xff };

	p->len = 0;
	put(p, h, sizeof(h));
}

/* IPv4 with opt_words 32-bit words of options (NOPs). */
static void put_ipv4(struct pkt *p, __u8 proto, const char *dst, int opt_words, __u16 frag)
{
	__u8 h[60] = {};
	__u32 a;

	h[0] = 0x40 | (5 + opt_words);
	h[2] = 0;
	h[3] = 60;
	h[6] = frag >> 8;
	h[7] = frag & 0xff;
	h[8] = 64;
	h[9] = proto;
	inet_pton(AF_INET, "10.255.0.1", &a);
	memcpy(h + 12, &a, 4);
	inet_pton(AF_INET, dst, &a);
	memcpy(h + 16, &a, 4);
	memset(h + 20, 1, opt_words * 4);
	put(p, h, 20 + opt_words * 4);
}

static void put_ipv6(struct pkt *p, __u8 nexthdr, const char *dst)
{
	__u8 h[40] = { 0x60 };

	h[5] = 40;
	h[6] = nexthdr;
	h[7] = 64;
	inet_pton(AF_INET6, "fd00::2", h + 8);
	inet_pton(AF_INET6, dst, h + 24);
	put(p, h, sizeof(h));
}

/* An 8-byte IPv6 extension header (hop-by-hop, routing, destination options). */
static void put_ext(struct pkt *p, __u8 nexthdr)
{
	__u8 h[8] = { nexthdr, 0, 1, 4 };

	put(p, h, sizeof(h));
}

static void put_ports(struct pkt *p, __u16 dport)
{
	__u8 h[20] = { 0x30, 0x39, dport >> 8, dport & 0xff };

	h[12] = 0x50;
	put(p, h, sizeof(h));
}

struct fixture {
	struct policy *skel;
	struct ring_buffer *rb;
	struct policy_event last;
	int nr_events;
};

static int on_event(void *ctx, void *data, size_t sz)
{
	struct fixture *f = ctx;

	ck_assert_uint_eq(sz, sizeof(struct policy_event));
	memcpy(&f->last, data, sizeof(f->last));
	f->nr_events++;
	return 0;
}

static void add_rule(struct policy *skel, __u32 rule_id, const char *cidr, int plen, __u16 port,
		     __u8 proto, __u8 action)
{
	struct policy_rule rule = { .rule_id = rule_id, .action = action };
	struct policy_key key = { .identity = IDENT, .dport = port, .proto = proto };

	if (strchr(cidr, ':')) {
		key.family = AF_INET6;
		inet_pton(AF_INET6, cidr, key.addr);
	} else {
		key.family = AF_INET;
		inet_pton(AF_INET, cidr, key.addr);
	}
	key.prefixlen = POLICY_KEY_FIXED_BITS + plen;
	ck_assert_msg(!bpf_map__update_elem(skel->maps.rules, &key, sizeof(key), &rule,
					    sizeof(rule), BPF_ANY), "rules: update %s", cidr);
}

static void set_identity(struct policy *skel, __u64 cgid, __u32 ident)
{
	ck_assert_msg(!bpf_map__update_elem(skel->maps.identities, &cgid, sizeof(cgid), &ident,
					    sizeof(ident), BPF_ANY), "identities: update");
}

/* The object of default_deny 0, shared by the cases: loaded once by main(), its maps
 * put back before each case. */
static struct policy *shared;
static struct obj_state *shared_state;
static int shared_progs; /* its programs, loaded all along */

static struct policy *load(int default_deny)
{
	struct policy *skel = policy__open();

	if (!skel)
		return NULL;
	skel->rodata->default_deny = default_deny;
	/* a case of its own runs egress: the shared object (0) keeps every program */
	if (default_deny) {
		bpf_program__set_autoload(skel->progs.policy_connect4, false);
		bpf_program__set_autoload(skel->progs.policy_connect6, false);
	}
	if (policy__load(skel)) {
		int err = errno;

		policy__destroy(skel);
		errno = err;
		return NULL;
	}
	return skel;
}

static void setup(struct fixture *f, int default_deny)
{
	__u64 self;

	memset(f, 0, sizeof(*f));
	if (default_deny) {
		f->skel = load(default_deny);
		ck_assert_msg(f->skel, "policy load: %s", strerror(errno));
	} else {
		f->skel = shared;
		ck_assert_int_eq(obj_state__restore(shared_state), 0);
	}
	f->rb = ring_buffer__new(bpf_map__fd(f->skel->maps.events), on_event, f, NULL);
	ck_assert_msg(f->rb, "ring_buffer__new");
	add_rule(f->skel, RULE_DB, "10.0.0.0", 8, 5432, IPPROTO_TCP, POLICY_DENY);
	add_rule(f->skel, RULE_OK, "10.9.0.0", 16, 5432, IPPROTO_TCP, POLICY_ALLOW);
	add_rule(f->skel, RULE_DNS, "192.168.0.0", 16, 0, 0, POLICY_DENY);
	add_rule(f->skel, RULE_V6, "fd00::", 8, 443, IPPROTO_TCP, POLICY_DENY);
	/*
	 * A test run's socket belongs to the cgroup of the caller on recent kernels
	 * and to the root cgroup (id 1) on older ones: both are workload 42.
	 */
	ck_assert_msg(!trace_cgroup_self_id(&self), "own cgroup id");
	set_identity(f->skel, self, IDENT);
	set_identity(f->skel, 1, IDENT);
}

static void teardown(struct fixture *f)
{
	ring_buffer__free(f->rb);
	if (f->skel != shared)
		policy__destroy(f->skel);
}

static __u32 run(struct fixture *f, const struct pkt *p)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b, .data_size_in = p->len);
	int err = bpf_prog_test_run_opts(bpf_program__fd(f->skel->progs.policy_egress), &opts);

	ck_assert_msg(!err, "test_run: %s", strerror(-err));
	ring_buffer__consume(f->rb);
	return opts.retval;
}

static unsigned long long stat(struct fixture *f, __u32 idx)
{
	return loader_percpu_sum(bpf_map__fd(f->skel->maps.stats), idx);
}

START_TEST(test_egress_l4_rules)
{
	struct fixture f;
	struct pkt p;
	__u64 denies = 0;
	__u32 ident = IDENT;

	setup(&f, 0);

	/* TCP to a denied database port: dropped, one event naming the rule. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 0, 0);
	put_ports(&p, 5432);
	ck_assert_uint_eq(run(&f, &p), 0);
	ck_assert_int_eq(f.nr_events, 1);
	ck_assert_uint_eq(f.last.verdict, POLICY_DENY);
	ck_assert_uint_eq(f.last.rule_id, RULE_DB);
	ck_assert_uint_eq(f.last.identity, IDENT);
	ck_assert_uint_eq(f.last.dport, 5432);
	ck_assert_uint_eq(f.last.proto, IPPROTO_TCP);
	ck_assert_uint_eq(f.last.hook, POLICY_HOOK_EGRESS);
	ck_assert_mem_eq(f.last.daddr, p.b + 14 + 16, 4);

	/* The same with IP options: the ports are found after them. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 3, 0);
	put_ports(&p, 5432);
	ck_assert_uint_eq(run(&f, &p), 0);
	ck_assert_uint_eq(f.last.dport, 5432);

	/* Another port of the same network: no rule, the default (allow) decides. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 0, 0);
	put_ports(&p, 80);
	ck_assert_uint_eq(run(&f, &p), 1);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_DEFAULT), 1);

	/* The longest prefix wins: 10.9.0.0/16 allows what 10.0.0.0/8 denies. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.9.1.1", 0, 0);
	put_ports(&p, 5432);
	ck_assert_uint_eq(run(&f, &p), 1);

	/* UDP to a network denied for any port and protocol. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_UDP, "192.168.7.7", 0, 0);
	put_ports(&p, 53);
	ck_assert_uint_eq(run(&f, &p), 0);
	ck_assert_uint_eq(f.last.rule_id, RULE_DNS);

	/* A later fragment has no ports: an L4 rule cannot match, an L3 rule still does. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 0, 100);
	put_ports(&p, 5432);
	ck_assert_uint_eq(run(&f, &p), 1);
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_UDP, "192.168.7.7", 0, 100);
	put_ports(&p, 9999);
	ck_assert_uint_eq(run(&f, &p), 0);
	ck_assert_uint_eq(f.last.dport, 0);

	/* IPv6 through hop-by-hop and destination options to a denied port. */
	put_eth(&p, 0x86dd);
	put_ipv6(&p, 0, "fd00::1");
	put_ext(&p, 60);
	put_ext(&p, IPPROTO_TCP);
	put_ports(&p, 443);
	ck_assert_uint_eq(run(&f, &p), 0);
	ck_assert_uint_eq(f.last.rule_id, RULE_V6);
	ck_assert_uint_eq(f.last.family, AF_INET6);
	ck_assert_uint_eq(f.last.dport, 443);

	ck_assert_uint_eq(stat(&f, POLICY_STAT_DENIED), 5);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_ALLOWED), 3);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_MALFORMED), 0);
	ck_assert_msg(!bpf_map__lookup_elem(f.skel->maps.deny_count, &ident, sizeof(ident),
					    &denies, sizeof(denies), 0), "deny_count[42]");
	ck_assert_uint_eq(denies, 5);
	teardown(&f);
}
END_TEST

START_TEST(test_egress_malformed)
{
	struct fixture f;
	struct pkt p;
	int i;

	setup(&f, 1);	/* default deny: only a malformed packet can pass untouched */

	/*
	 * Truncated IPv4 header. Test runs refuse an IPv4 frame shorter than its
	 * header, so this one is labelled with another EtherType: the program
	 * classifies by the version nibble, not by the label.
	 */
	put_eth(&p, 0x88b5);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 0, 0);
	p.len = 14 + 12;
	ck_assert_uint_eq(run(&f, &p), 1);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_MALFORMED), 1);

	/* IHL below 5. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 0, 0);
	p.b[14] = 0x43;
	put_ports(&p, 5432);
	ck_assert_uint_eq(run(&f, &p), 1);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_MALFORMED), 2);

	/* IHL pointing past the end of the packet. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 0, 0);
	p.b[14] = 0x4f;
	ck_assert_uint_eq(run(&f, &p), 1);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_MALFORMED), 3);

	/* An IPv6 extension header chain longer than the parser's bound. */
	put_eth(&p, 0x86dd);
	put_ipv6(&p, 60, "fd00::1");
	for (i = 0; i < 10; i++)
		put_ext(&p, i < 9 ? 60 : IPPROTO_TCP);
	put_ports(&p, 443);
	ck_assert_uint_eq(run(&f, &p), 1);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_MALFORMED), 4);

	/* An extension header cut short. */
	put_eth(&p, 0x86dd);
	put_ipv6(&p, 0, "fd00::1");
	p.b[p.len++] = 60;
	ck_assert_uint_eq(run(&f, &p), 1);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_MALFORMED), 5);

	/* TCP header cut short: ports unreadable. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 0, 0);
	p.b[p.len++] = 0;
	ck_assert_uint_eq(run(&f, &p), 1);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_MALFORMED), 6);

	/* None of them was taken for a real flow. */
	ck_assert_int_eq(f.nr_events, 0);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_DENIED), 0);

	/* A well-formed packet no rule matches: default deny. */
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 0, 0);
	put_ports(&p, 80);
	ck_assert_uint_eq(run(&f, &p), 0);
	ck_assert_uint_eq(f.last.rule_id, 0);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_DEFAULT), 1);
	teardown(&f);
}
END_TEST

/* A full ring buffer loses events, counted, and never changes a verdict. */
START_TEST(test_egress_ringbuf_full)
{
	struct fixture f;
	struct pkt p;
	unsigned long long drops;
	__u32 runs;
	int err;

	setup(&f, 0);
	/* one event (and its 8-byte record header) per run: more than fit */
	runs = bpf_map__max_entries(f.skel->maps.events) / (sizeof(struct policy_event) + 8) + 50;
	put_eth(&p, 0x0800);
	put_ipv4(&p, IPPROTO_TCP, "10.1.2.3", 0, 0);
	put_ports(&p, 5432);
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.b, .data_size_in = p.len,
			    .repeat = runs);

		err = bpf_prog_test_run_opts(bpf_program__fd(f.skel->progs.policy_egress), &opts);
		ck_assert_msg(!err, "test_run: %s", strerror(-err));
		ck_assert_uint_eq(opts.retval, 0);
	}
	ring_buffer__consume(f.rb);
	drops = stat(&f, POLICY_STAT_EVENT_DROPS);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_DENIED), runs);
	ck_assert_msg(drops > 0, "the ring buffer cannot hold %u events", runs);
	ck_assert_uint_eq(drops + f.nr_events, runs);
	teardown(&f);
}
END_TEST

/* In the child, inside the test cgroup: the errno of each connection attempt. */
static int try_connect(int family, const char *addr, int port, int type)
{
	struct sockaddr_storage ss = {};
	socklen_t len;
	int fd, err = 0;

	if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		inet_pton(AF_INET, addr, &sin->sin_addr);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &sin6->sin6_addr);
		len = sizeof(*sin6);
	}
	fd = socket(family, type, 0);
	if (fd < 0)
		return errno;
	if (type == SOCK_DGRAM) {
		if (sendto(fd, "x", 1, 0, (void *)&ss, len) < 0)
			err = errno;
	} else if (connect(fd, (void *)&ss, len)) {
		err = errno;
	}
	close(fd);
	return err;
}

/* Runs in a forked child placed in cg: 0 when every outcome is the expected one. */
static int child_connects(int managed)
{
	int fails = 0, deny = managed ? EPERM : ECONNREFUSED;

	if (trace_netns_enter())
		return 100;
	fails += try_connect(AF_INET, "127.0.0.1", 5432, SOCK_STREAM) != deny;
	fails += try_connect(AF_INET, "127.0.0.1", 80, SOCK_STREAM) != ECONNREFUSED;
	fails += try_connect(AF_INET6, "::1", 443, SOCK_STREAM) != deny;
	fails += try_connect(AF_INET6, "::1", 80, SOCK_STREAM) != ECONNREFUSED;
	/* Unconnected UDP never calls connect(): the egress program stops it. */
	fails += try_connect(AF_INET, "127.0.0.1", 53, SOCK_DGRAM) != (managed ? EPERM : 0);
	fails += try_connect(AF_INET, "127.0.0.1", 54, SOCK_DGRAM) != 0;
	return fails;
}

static int run_in_cgroup(struct trace_cgroup *cg, int managed)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (trace_cgroup__enter(cg, getpid()))
			_exit(101);
		_exit(child_connects(managed));
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status), "child died");
	return WEXITSTATUS(status);
}

START_TEST(test_real_connect)
{
	/* Programs of earlier tests may still be being freed: let them go first. */
	int progs_before = trace_wait_count(trace_count_progs, "policy_", shared_progs, 2000);
	int links_before = trace_wait_count(trace_count_links, "policy_", 0, 2000);
	struct trace_cgroup cg = { .fd = -1 }, other = { .fd = -1 };
	struct bpf_link *links[6] = {};
	struct policy_key key = { .identity = IDENT, .family = AF_INET };
	struct policy_rule rule = { .rule_id = 7, .action = POLICY_DENY };
	struct fixture f;
	int i, err, nr;

	err = trace_cgroup__create(&cg, "policy");
	ck_assert_msg(!err, "cgroup: %s", strerror(-err));
	err = trace_cgroup__create(&other, "policy_other");
	ck_assert_msg(!err, "cgroup: %s", strerror(-err));
	setup(&f, 0);
	/* The workload's cgroup is 42; the other cgroup has no identity. */
	set_identity(f.skel, cg.id, IDENT);
	key.prefixlen = POLICY_KEY_FIXED_BITS + 8;
	key.dport = 5432;
	key.proto = IPPROTO_TCP;
	key.addr[0] = 127;
	bpf_map__update_elem(f.skel->maps.rules, &key, sizeof(key), &rule, sizeof(rule), 0);
	key.dport = 53;
	key.proto = IPPROTO_UDP;
	rule.rule_id = 8;
	bpf_map__update_elem(f.skel->maps.rules, &key, sizeof(key), &rule, sizeof(rule), 0);
	key.family = AF_INET6;
	key.prefixlen = POLICY_KEY_FIXED_BITS + 128;
	key.dport = 443;
	key.proto = IPPROTO_TCP;
	memset(key.addr, 0, sizeof(key.addr));
	key.addr[15] = 1;
	rule.rule_id = 9;
	bpf_map__update_elem(f.skel->maps.rules, &key, sizeof(key), &rule, sizeof(rule), 0);

	links[0] = bpf_program__attach_cgroup(f.skel->progs.policy_connect4, cg.fd);
	links[1] = bpf_program__attach_cgroup(f.skel->progs.policy_connect6, cg.fd);
	links[2] = bpf_program__attach_cgroup(f.skel->progs.policy_egress, cg.fd);
	links[3] = bpf_program__attach_cgroup(f.skel->progs.policy_connect4, other.fd);
	links[4] = bpf_program__attach_cgroup(f.skel->progs.policy_connect6, other.fd);
	links[5] = bpf_program__attach_cgroup(f.skel->progs.policy_egress, other.fd);
	for (i = 0; i < 6; i++)
		ck_assert_msg(links[i], "attach %d: %s", i, strerror(errno));
	ck_assert_int_eq(trace_count_links("policy_"), links_before + 6);

	ck_assert_int_eq(run_in_cgroup(&cg, 1), 0);
	nr = f.nr_events;
	ring_buffer__consume(f.rb);
	ck_assert_int_eq(f.nr_events - nr, 3);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_DENIED), 3);
	ck_assert_uint_ge(stat(&f, POLICY_STAT_UNMANAGED), 0);

	/* The same traffic from a cgroup without identity is not policed. */
	ck_assert_int_eq(run_in_cgroup(&other, 0), 0);
	ring_buffer__consume(f.rb);
	ck_assert_uint_eq(stat(&f, POLICY_STAT_DENIED), 3);
	ck_assert_uint_gt(stat(&f, POLICY_STAT_UNMANAGED), 0);

	for (i = 0; i < 6; i++)
		bpf_link__destroy(links[i]);
	teardown(&f);
	trace_cgroup__destroy(&cg);
	trace_cgroup__destroy(&other);
	/* Nothing left behind. */
	ck_assert_int_eq(trace_wait_count(trace_count_links, "policy_", links_before, 2000),
			 links_before);
	ck_assert_int_eq(trace_wait_count(trace_count_progs, "policy_", progs_before, 2000),
			 progs_before);
}
END_TEST

int main(void)
{
	char root[256];
	SRunner *sr;
	Suite *s = suite_create("policy");
	TCase *tc = tcase_create("test_run");
	int failed, err;

	if (geteuid()) {
		printf("needs root (BPF_PROG_TEST_RUN, cgroups)\n");
		return 77;
	}
	shared = load(0);
	if (!shared) {
		printf("cannot load policy.bpf.o (%s)\n", strerror(errno));
		return 1;
	}
	shared_progs = trace_count_progs("policy_");
	err = obj_state__save(shared->obj, &shared_state);
	if (err) {
		printf("policy.bpf.o: cannot save its maps' state (%s)\n", strerror(-err));
		return 1;
	}
	tcase_add_test(tc, test_egress_l4_rules);
	tcase_add_test(tc, test_egress_malformed);
	tcase_add_test(tc, test_egress_ringbuf_full);
	suite_add_tcase(s, tc);
	tc = tcase_create("real");
	if (trace_cgroup2_root(root, sizeof(root)))
		printf("cgroup2 not mounted: real connect() test not run\n");
	else
		tcase_add_test(tc, test_real_connect);
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
	policy__destroy(shared);
	return failed ? 1 : 0;
}
