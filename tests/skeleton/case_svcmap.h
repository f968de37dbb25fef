/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * case_svcmap.h: the knob target_tgid = this process; a TCP connection over the
 * loopback of a new network namespace gives this process's connect event, and one
 * made by a child process (another tgid) gives none.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "lib_trace_env.h"

static void case_knob(skel_t *s)
{
	s->rodata->target_tgid = (__u32)getpid();
}

#if SKEL_LIGHT
/* A light skeleton loads every program: all three attach sets. */
#define CASE_LOAD_SKIP_ERRNO EPERM
#define CASE_LOAD_SKIP_REASON "the light skeleton loads all three attach sets and this " \
	"kernel refuses one of them (fentry or kprobe: EPERM)"
#else
/* Like the loader: the first attach set that loads and attaches (fentry, kprobe,
 * tracepoints); libbpf's complaints about the others are not this test's output. */
#define CASE_OPEN_LOAD
static skel_t *case_open_load(const char *what)
{
	static const char *const sets[][3] = {
		{ "svcmap_connect", "svcmap_accept", "svcmap_close" },
		{ "svcmap_connect_kprobe", "svcmap_accept_kretprobe", "svcmap_close_kprobe" },
		{ "svcmap_state_tp", "svcmap_accept_tp", NULL },
	};
	libbpf_print_fn_t print = libbpf_set_print(NULL);
	struct bpf_program *prog;
	int set, i, err = 0;

	for (set = 0; set < 3; set++) {
		skel_t *s = svcmap__open();

		if (!s) {
			printf("%s: open: %s\n", what, strerror(errno));
			return NULL;
		}
		CASE_APPLY_KNOB(s);
		bpf_object__for_each_program(prog, s->obj) {
			bool keep = false;

			for (i = 0; i < 3 && sets[set][i]; i++)
				keep |= !strcmp(bpf_program__name(prog), sets[set][i]);
			bpf_program__set_autoload(prog, keep);
		}
		err = svcmap__load(s) ? -errno : svcmap__attach(s);
		if (!err) {
			libbpf_set_print(print);
			return s;
		}
		svcmap__destroy(s);
	}
	libbpf_set_print(print);
	printf("%s: load: no attach set loads and attaches (last: %s)\n", what,
	       strerror(-err));
	return NULL;
}
#endif

struct svcmap_seen {
	__u32 child;
	int own_connects, child_events;
};

static int svcmap_on_event(void *ctx, void *data, size_t sz)
{
	struct svcmap_seen *seen = (struct svcmap_seen *)ctx;
	const struct svcmap_event *e = (const struct svcmap_event *)data;

	if (sz != sizeof(*e))
		return 0;
	if (e->tgid == (__u32)getpid() && e->type == SVCMAP_EV_CONNECT)
		seen->own_connects++;
	if (e->tgid == seen->child)
		seen->child_events++;
	return 0;
}

/* Connect to addr and close: 0 or -errno. */
static int svcmap_connect(const struct sockaddr_in *addr)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)addr, sizeof(*addr)))
		err = -errno;
	close(fd);
	return err;
}

static int case_check(skel_t *s, const char *what)
{
	struct sockaddr_in addr = {};
	socklen_t alen = sizeof(addr);
	struct svcmap_seen seen = {};
	struct ring_buffer *rb;
	int lfd, err, status;
	pid_t child;

	err = trace_netns_enter();
	if (err) {
		printf("%s: network namespace: %s\n", what, strerror(-err));
		return 1;
	}
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 8) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen)) {
		printf("%s: listening socket: %s\n", what, strerror(errno));
		return 1;
	}
	child = fork();
	if (child == 0)
		_exit(svcmap_connect(&addr) ? 1 : 0);
	if (child < 0 || waitpid(child, &status, 0) != child || status) {
		printf("%s: the child's connection failed\n", what);
		close(lfd);
		return 1;
	}
	seen.child = (__u32)child;
	err = svcmap_connect(&addr);
	close(lfd);
	if (err) {
		printf("%s: connect: %s\n", what, strerror(-err));
		return 1;
	}
	rb = ring_buffer__new(MAP_FD(s, events), svcmap_on_event, &seen, NULL);
	if (!rb) {
		printf("%s: ring buffer: %s\n", what, strerror(errno));
		return 1;
	}
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	if (!seen.own_connects || seen.child_events) {
		printf("%s: target_tgid had no effect: %d connect events of this process, "
		       "%d events of the child\n", what, seen.own_connects, seen.child_events);
		return 1;
	}
	return 0;
}
