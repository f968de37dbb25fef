// SPDX-License-Identifier: GPL-2.0
/* svcmap.bpf.c: TCP connect/accept/close per process, aggregated into service-map edges. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "bpfgate.h"
#include "svcmap.h"

#define AF_INET 2
#define AF_INET6 10

/*
 * Three sets of attach points with the same logic: fentry/fexit (BPF trampolines,
 * cheapest, the default), kprobe/kretprobe, and tracepoints. The loader attaches
 * one set, the first that works; every set is valid on every kernel.
 */

/* Load-time knob: only this process (tgid), 0 for all. */
const volatile __u32 target_tgid = 0;

/*
 * Sockets we saw open, until they close: who owns them, since when, and their
 * edge (a socket may already have given back its local port when it reaches
 * CLOSE, so the edge is not read again at close).
 */
struct svcmap_sock {
	__u64 start_ns;
	struct svcmap_edge_key edge;
	__u16 lport;
	__u8 pad[6];
	char comm[SVCMAP_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);	/* struct sock * */
	__type(value, struct svcmap_sock);
} socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct svcmap_edge_key);
	__type(value, struct svcmap_edge);
} edges SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SVCMAP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);

	if (v)
		*v += 1;
}

/* Addresses and ports of a socket, through CO-RE reads of sock_common. */
static __always_inline int read_endpoints(struct sock *sk, struct svcmap_event *e)
{
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (e->family == AF_INET) {
		bpf_core_read(e->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(e->raddr, 4, &sk->__sk_common.skc_daddr);
		return 0;
	}
	if (e->family == AF_INET6) {
		bpf_core_read(e->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(e->raddr, 16, &sk->__sk_common.skc_v6_daddr);
		return 0;
	}
	return -1;
}

static __always_inline void edge_key(const struct svcmap_event *e, struct svcmap_edge_key *k)
{
	k->tgid = e->tgid;
	k->family = e->family;
	k->dir = e->dir;
	/* The service port: the peer's for a client, our own for a server. */
	k->port = e->dir == SVCMAP_DIR_CONNECT ? e->rport : e->lport;
	__builtin_memcpy(k->addr, e->raddr, sizeof(k->addr));
}

static __always_inline void submit(const struct svcmap_event *src)
{
	struct svcmap_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		/* Never wait for the reader: count the loss. */
		stat_inc(SVCMAP_STAT_EVENT_DROPS);
		return;
	}
	__builtin_memcpy(e, src, sizeof(*e));
	bpf_ringbuf_submit(e, 0);
}

static __always_inline int on_open(struct sock *sk, __u8 dir)
{
	struct svcmap_event ev = {};
	struct svcmap_edge_key key = {};
	struct svcmap_edge *edge, init = {};
	struct svcmap_sock s = {};
	__u64 sk_key = (__u64)sk;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!sk || (target_tgid && tgid != target_tgid))
		return 0;
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;

	ev.ts_ns = bpf_ktime_get_ns();
	ev.tgid = tgid;
	ev.dir = dir;
	ev.type = dir == SVCMAP_DIR_CONNECT ? SVCMAP_EV_CONNECT : SVCMAP_EV_ACCEPT;
	if (read_endpoints(sk, &ev))
		return 0;
	bpf_get_current_comm(ev.comm, sizeof(ev.comm));
	stat_inc(dir == SVCMAP_DIR_CONNECT ? SVCMAP_STAT_CONNECT : SVCMAP_STAT_ACCEPT);

	edge_key(&ev, &key);
	s.start_ns = ev.ts_ns;
	s.edge = key;
	s.lport = ev.lport;
	__builtin_memcpy(s.comm, ev.comm, sizeof(s.comm));
	if (bpf_map_update_elem(&socks, &sk_key, &s, BPF_ANY))
		stat_inc(SVCMAP_STAT_TABLE_FULL);

	edge = bpf_map_lookup_elem(&edges, &key);
	if (!edge) {
		init.first_ns = ev.ts_ns;
		__builtin_memcpy(init.comm, ev.comm, sizeof(init.comm));
		if (bpf_map_update_elem(&edges, &key, &init, BPF_NOEXIST) &&
		    bpf_map_update_elem(&edges, &key, &init, BPF_EXIST))
			stat_inc(SVCMAP_STAT_TABLE_FULL);
		edge = bpf_map_lookup_elem(&edges, &key);
	}
	if (edge) {
		__sync_fetch_and_add(&edge->connections, 1);
		edge->last_ns = ev.ts_ns;
	}
	submit(&ev);
	return 0;
}

static __always_inline int on_close(struct sock *sk)
{
	struct svcmap_event ev = {};
	struct svcmap_edge_key key;
	struct svcmap_edge *edge;
	struct svcmap_sock *s;
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	__u64 sk_key = (__u64)sk;

	if (!sk)
		return 0;
	s = bpf_map_lookup_elem(&socks, &sk_key);
	if (!s) {
		stat_inc(SVCMAP_STAT_CLOSE_UNTRACKED);
		return 0;
	}

	ev.ts_ns = bpf_ktime_get_ns();
	ev.duration_ns = ev.ts_ns - s->start_ns;
	ev.tgid = s->edge.tgid;
	ev.dir = s->edge.dir;
	ev.type = SVCMAP_EV_CLOSE;
	key = s->edge;
	__builtin_memcpy(ev.comm, s->comm, sizeof(ev.comm));
	if (read_endpoints(sk, &ev))
		return 0;
	if (!ev.lport)
		ev.lport = s->lport;
	bpf_map_delete_elem(&socks, &sk_key);
	/* Sequence space the peer acknowledged and we received (SYN and FIN count 1). */
	ev.bytes_sent = BPF_CORE_READ(tp, bytes_acked);
	ev.bytes_received = BPF_CORE_READ(tp, bytes_received);
	stat_inc(SVCMAP_STAT_CLOSE);

	edge = bpf_map_lookup_elem(&edges, &key);
	if (edge) {
		__sync_fetch_and_add(&edge->closed, 1);
		__sync_fetch_and_add(&edge->bytes_sent, ev.bytes_sent);
		__sync_fetch_and_add(&edge->bytes_received, ev.bytes_received);
		edge->last_ns = ev.ts_ns;
	}
	submit(&ev);
	return 0;
}

SEC("fentry/tcp_connect")
__min_kernel("5.5") __min_kernel_reason("fentry needs BPF trampolines")
int BPF_PROG(svcmap_connect, struct sock *sk)
{
	return on_open(sk, SVCMAP_DIR_CONNECT);
}

/*
 * Argument n of a trampoline program's context. Inline asm keeps each access at a
 * constant offset: clang would otherwise merge the two loads below into one load
 * at a computed offset, which the verifier rejects (modified ctx pointer).
 */
#define CTX_ARG(ctx, n)                                                               \
	({                                                                            \
		__u64 __v;                                                            \
		asm volatile("%0 = *(u64 *)(%1 + %2)" : "=r"(__v) : "r"(ctx), "i"((n) * 8)); \
		__v;                                                                  \
	})

SEC("fexit/inet_csk_accept")
__min_kernel("5.5") __min_kernel_reason("fexit needs BPF trampolines")
int svcmap_accept(__u64 *ctx)
{
	struct sock *newsk;

	/*
	 * Linux 6.10 folded inet_csk_accept()'s flags, err and kern arguments into
	 * struct proto_accept_arg, so the return value follows 2 arguments there and
	 * 4 before. The CO-RE check is a constant after relocation: the verifier
	 * only walks the branch of the running kernel.
	 */
	if (bpf_core_type_exists(struct proto_accept_arg))
		newsk = (struct sock *)CTX_ARG(ctx, 2);
	else
		newsk = (struct sock *)CTX_ARG(ctx, 4);
	return on_open(newsk, SVCMAP_DIR_ACCEPT);
}

SEC("fentry/tcp_close")
__min_kernel("5.5") __min_kernel_reason("fentry needs BPF trampolines")
int BPF_PROG(svcmap_close, struct sock *sk)
{
	return on_close(sk);
}

SEC("kprobe/tcp_connect")
int BPF_KPROBE(svcmap_connect_kprobe, struct sock *sk)
{
	return on_open(sk, SVCMAP_DIR_CONNECT);
}

SEC("kretprobe/inet_csk_accept")
int BPF_KRETPROBE(svcmap_accept_kretprobe, struct sock *newsk)
{
	return on_open(newsk, SVCMAP_DIR_ACCEPT);
}

SEC("kprobe/tcp_close")
int BPF_KPROBE(svcmap_close_kprobe, struct sock *sk)
{
	return on_close(sk);
}

/*
 * Third set: BTF-enabled raw tracepoints, for kernels where neither trampolines
 * nor kprobes are usable (no CONFIG_KPROBES, or a lockdown that refuses
 * trampolines); they need no tracefs either. A connect is the CLOSE -> SYN_SENT
 * transition, still in the connecting process (the local port may not be chosen
 * yet: lport is then 0 in the connect event); a close is the transition to CLOSE;
 * an accept is the return of accept(2) or accept4(2), whose file descriptor
 * leads to the new socket.
 */
SEC("tp_btf/inet_sock_set_state")
__min_kernel("5.5") __min_kernel_reason("tp_btf programs need kernel BTF support for tracing")
int BPF_PROG(svcmap_state_tp, struct sock *sk, int oldstate, int newstate)
{
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT)
		return on_open(sk, SVCMAP_DIR_CONNECT);
	if (newstate == TCP_CLOSE)
		return on_close(sk);
	return 0;
}

#define SVCMAP_NR_ACCEPT 43	/* x86-64 */
#define SVCMAP_NR_ACCEPT4 288

static __always_inline int on_accept_fd(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file **fds, *file;
	struct socket *sock;
	unsigned int max_fds;

	if (fd < 0)
		return 0;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	max_fds = BPF_CORE_READ(task, files, fdt, max_fds);
	if ((unsigned long)fd >= max_fds)
		return 0;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock)
		return 0;
	return on_open(BPF_CORE_READ(sock, sk), SVCMAP_DIR_ACCEPT);
}

/* Every syscall's exit passes here: leave at once unless it is an accept. */
SEC("tp_btf/sys_exit")
__min_kernel("5.5") __min_kernel_reason("tp_btf programs need kernel BTF support for tracing")
int BPF_PROG(svcmap_accept_tp, struct pt_regs *regs, long ret)
{
	long nr = BPF_CORE_READ(regs, orig_ax);

	if (nr != SVCMAP_NR_ACCEPT && nr != SVCMAP_NR_ACCEPT4)
		return 0;
	return on_accept_fd(ret);
}

char LICENSE[] SEC("license") = "GPL";
