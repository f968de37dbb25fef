// SPDX-License-Identifier: BSD-2-Clause
/* test_svcmap.c: svcmap.bpf.c on real TCP connections over loopback in a fresh network namespace. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "svcmap.h"
#include "svcmap.skel.h"
#include "common/loader.h"
#include "lib_trace_env.h"

/* The attach-point sets of svcmap.bpf.c (as its loader knows them). */
static const char *const mode_names[] = { "fentry", "kprobe", "tracepoint" };
static const char *const mode_progs[][3] = {
	{ "svcmap_connect", "svcmap_accept", "svcmap_close" },
	{ "svcmap_connect_kprobe", "svcmap_accept_kretprobe", "svcmap_close_kprobe" },
	{ "svcmap_state_tp", "svcmap_accept_tp", NULL },
};

/* Modes this kernel loads, found by main() before the tests run; each mode's test
 * attaches its skeleton, once (an attach and a detach each patch the kernel's text,
 * which a TCG guest pays dearly for), and a mode it cannot attach is not available
 * either. The tests run in main()'s process, the target_tgid the skeletons were
 * loaded with. */
static int modes[3], nr_modes, nr_attached;
static struct svcmap *loaded[3];

/* The programs skel has loaded. */
static int loaded_progs(struct svcmap *skel)
{
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, skel->obj)
		n += bpf_program__fd(prog) >= 0;
	return n;
}

static int open_mode(int mode, __u32 tgid, struct svcmap **out)
{
	struct bpf_program *prog;
	struct svcmap *skel = svcmap__open();
	int i, err;

	if (!skel)
		return -errno;
	skel->rodata->target_tgid = tgid;
	bpf_object__for_each_program(prog, skel->obj) {
		bool keep = false;

		for (i = 0; i < 3 && mode_progs[mode][i]; i++)
			keep |= !strcmp(bpf_program__name(prog), mode_progs[mode][i]);
		bpf_program__set_autoload(prog, keep);
	}
	err = svcmap__load(skel);
	if (err) {
		svcmap__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

struct seen {
	__u32 tgid;
	int connects, accepts, closes;
	struct svcmap_event client_close[2], server_close[2], connect[2], accept[2];
};

static int on_event(void *ctx, void *data, size_t sz)
{
	struct seen *s = ctx;
	const struct svcmap_event *e = data;
	int v6;

	ck_assert_uint_eq(sz, sizeof(*e));
	ck_assert_uint_eq(e->tgid, s->tgid);	/* target_tgid filters the rest */
	v6 = e->family == AF_INET6;
	if (e->type == SVCMAP_EV_CONNECT) {
		s->connect[v6] = *e;
		s->connects++;
	} else if (e->type == SVCMAP_EV_ACCEPT) {
		s->accept[v6] = *e;
		s->accepts++;
	} else {
		ck_assert_uint_eq(e->type, SVCMAP_EV_CLOSE);
		if (e->dir == SVCMAP_DIR_CONNECT)
			s->client_close[v6] = *e;
		else
			s->server_close[v6] = *e;
		s->closes++;
	}
	return 0;
}

static socklen_t loopback(int family, struct sockaddr_storage *ss, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*sin);
	}
	((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
	((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	((struct sockaddr_in6 *)ss)->sin6_addr = in6addr_loopback;
	return sizeof(struct sockaddr_in6);
}

static int listener(int family, int *port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss, 0);
	int fd = socket(family, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (void *)&ss, len), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (void *)&ss, &len), 0);
	*port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

static int connect_to(int family, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = loopback(family, &ss, port);
	int fd = socket(family, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_msg(!connect(fd, (void *)&ss, len), "connect: %s", strerror(errno));
	return fd;
}

static void xfer(int from, int to, size_t n)
{
	char buf[2048] = {};
	size_t got = 0;
	ssize_t r;

	ck_assert_int_eq(send(from, buf, n, 0), (ssize_t)n);
	while (got < n) {
		r = recv(to, buf, sizeof(buf), 0);
		ck_assert_int_gt(r, 0);
		got += r;
	}
}

/* A client sends 1000 bytes, the server answers 500, the client closes first. */
static int conversation(int family, int lfd, int port)
{
	int c = connect_to(family, port), a = accept(lfd, NULL, NULL);
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char b;

	ck_assert_int_ge(a, 0);
	ck_assert_int_eq(getsockname(c, (void *)&ss, &len), 0);
	xfer(c, a, 1000);
	xfer(a, c, 500);
	close(c);
	ck_assert_int_eq(recv(a, &b, 1, 0), 0);	/* the client's FIN */
	close(a);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);	/* the client's port */
}

static void check_edge(struct svcmap *skel, __u32 tgid, int family, __u8 dir, int port,
		       __u64 sent_lo, __u64 recv_lo)
{
	struct svcmap_edge_key key = { .tgid = tgid, .port = port, .family = family, .dir = dir };
	struct svcmap_edge e;

	if (family == AF_INET)
		*(__u32 *)key.addr = htonl(INADDR_LOOPBACK);
	else
		key.addr[15] = 1;
	ck_assert_msg(!bpf_map__lookup_elem(skel->maps.edges, &key, sizeof(key), &e, sizeof(e), 0),
		      "edge: family %d dir %d port %d missing", family, dir, port);
	ck_assert_uint_eq(e.connections, 1);
	ck_assert_uint_eq(e.closed, 1);
	/* Acknowledged sequence space: the payload, plus SYN and FIN when counted. */
	ck_assert_uint_ge(e.bytes_sent, sent_lo);
	ck_assert_uint_le(e.bytes_sent, sent_lo + 2);
	ck_assert_uint_ge(e.bytes_received, recv_lo);
	ck_assert_uint_le(e.bytes_received, recv_lo + 2);
	ck_assert_uint_le(e.first_ns, e.last_ns);
}

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

START_TEST(test_connections)
{
	int mode = modes[_i];
	struct svcmap *skel = loaded[_i];
	int families[2] = { AF_INET, AF_INET6 }, ports[2], cports[2], lfd[2], early, early_srv, i, status;
	struct svcmap_edge_key key, next;
	struct seen s = { .tgid = getpid() };
	struct ring_buffer *rb;
	pid_t other;
	int err, others;

	printf("mode %s\n", mode_names[mode]);
	ck_assert_int_eq(trace_netns_enter(), 0);
	for (i = 0; i < 2; i++)
		lfd[i] = listener(families[i], &ports[i]);
	/* A connection older than the programs' attachment: its close is untracked. */
	early = connect_to(AF_INET, ports[0]);
	early_srv = accept(lfd[0], NULL, NULL);

	/* whether the mode attaches here: libbpf's own complaints are not this test's */
	libbpf_set_print(NULL);
	err = svcmap__attach(skel);
	libbpf_set_print(print_warnings);
	if (err) {
		printf("mode %s: not available on this kernel (attach: %s)\n", mode_names[mode],
		       strerror(-err));
		close(early);
		close(early_srv);
		close(lfd[0]);
		close(lfd[1]);
		svcmap__destroy(skel);
		loaded[_i] = NULL;
		return;
	}
	nr_attached++;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &s, NULL);
	ck_assert_msg(rb, "ring_buffer__new");

	close(early);
	close(early_srv);
	for (i = 0; i < 2; i++)
		cports[i] = conversation(families[i], lfd[i], ports[i]);
	/* Closes can complete after close() returns (tracepoint mode): poll, bounded. */
	for (i = 0; i < 100 && s.closes < 4; i++)
		ring_buffer__poll(rb, 20);

	ck_assert_int_eq(s.connects, 2);
	ck_assert_int_eq(s.accepts, 2);
	ck_assert_int_eq(s.closes, 4);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(s.connect[i].rport, ports[i]);
		ck_assert_uint_eq(s.connect[i].dir, SVCMAP_DIR_CONNECT);
		ck_assert_uint_eq(s.accept[i].lport, ports[i]);
		ck_assert_uint_eq(s.accept[i].dir, SVCMAP_DIR_ACCEPT);
		ck_assert_uint_eq(s.client_close[i].rport, ports[i]);
		ck_assert_uint_eq(s.server_close[i].lport, ports[i]);
		ck_assert_uint_eq(s.accept[i].rport, cports[i]);
		ck_assert_uint_eq(s.server_close[i].rport, cports[i]);
		/* Tracepoint mode sees the client before its port is chosen and after it is freed. */
		if (mode != 2)
			ck_assert_uint_eq(s.client_close[i].lport, cports[i]);
		ck_assert_uint_ge(s.client_close[i].duration_ns, 1);
		ck_assert_str_eq(s.client_close[i].comm, s.connect[i].comm);
		check_edge(skel, getpid(), families[i], SVCMAP_DIR_CONNECT, ports[i], 1000, 500);
		check_edge(skel, getpid(), families[i], SVCMAP_DIR_ACCEPT, ports[i], 500, 1000);
	}
	/* Another process: filtered out by target_tgid. */
	other = fork();
	ck_assert_int_ge(other, 0);
	if (other == 0)
		_exit(close(connect_to(AF_INET, ports[0])) ? 1 : 0);
	close(accept(lfd[0], NULL, NULL));
	ck_assert_int_eq(waitpid(other, &status, 0), other);

	for (i = 0; i < 100 && s.closes < 5; i++)
		ring_buffer__poll(rb, 20);
	/* We accepted it: our server side is seen, the other client is not. */
	ck_assert_int_eq(s.connects, 2);
	ck_assert_int_eq(s.accepts, 3);
	ck_assert_int_eq(s.closes, 5);
	ck_assert_uint_ne(s.server_close[0].rport, 0);

	ck_assert_uint_ge(loader_percpu_sum(bpf_map__fd(skel->maps.stats),
					   SVCMAP_STAT_CLOSE_UNTRACKED), 1);
	/* Only this process's edges: 2 families x client and server. */
	for (i = 0, err = bpf_map__get_next_key(skel->maps.edges, NULL, &next, sizeof(next));
	     !err; err = bpf_map__get_next_key(skel->maps.edges, &key, &next, sizeof(next))) {
		key = next;
		ck_assert_uint_eq(key.tgid, getpid());
		i++;
	}
	ck_assert_int_eq(i, 4);

	/* destroyed, the skeleton leaves no link and only the other modes' programs */
	others = trace_count_progs("svcmap_") - loaded_progs(skel);
	ring_buffer__free(rb);
	svcmap__destroy(skel);
	loaded[_i] = NULL;
	close(lfd[0]);
	close(lfd[1]);
	ck_assert_int_eq(trace_wait_count(trace_count_links, "svcmap_", 0, 2000), 0);
	ck_assert_int_eq(trace_wait_count(trace_count_progs, "svcmap_", others, 2000), others);
}
END_TEST

int main(void)
{
	struct svcmap *skel;
	SRunner *sr;
	Suite *s;
	TCase *tc;
	int mode, err, failed;

	if (geteuid()) {
		printf("needs root to load tracing programs\n");
		return 77;
	}
	/* Which sets attach here; libbpf's own complaints are not this test's output. */
	libbpf_set_print(NULL);
	for (mode = 0; mode < 3; mode++) {
		err = open_mode(mode, getpid(), &skel);
		if (err) {
			printf("mode %s: not available on this kernel (%s)\n", mode_names[mode],
			       strerror(-err));
			continue;
		}
		loaded[nr_modes] = skel;
		modes[nr_modes++] = mode;
	}
	libbpf_set_print(print_warnings);
	if (!nr_modes) {
		printf("kernel attaches none of fentry, kprobe, tp_btf\n");
		return 77;
	}

	s = suite_create("svcmap");
	tc = tcase_create("real");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_connections, 0, nr_modes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK); /* the tgid the skeletons filter on */
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (!failed && !nr_attached) {
		printf("kernel attaches none of fentry, kprobe, tp_btf\n");
		return 77;
	}
	return failed ? 1 : 0;
}
