// SPDX-License-Identifier: BSD-2-Clause
/* exec.c: loader for exec.bpf.c; prints process exec and exit events as JSON lines. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "loader.h"
#include "exec.h"
#include "exec.skel.h"

struct exec_opts {
	long duration_s;	/* 0: until interrupted */
	long max_events;	/* 0: no limit */
	long pid;		/* 0: all; else this process and its children */
	bool verbose;
};

struct exec_ctx {
	const struct exec_opts *opts;
	long printed;
};

static void print_hdr(const struct exec_event_hdr *h, const char *type)
{
	printf("{\"type\":\"%s\",\"ts_ns\":%llu,\"pid\":%u,\"ppid\":%u,\"uid\":%u,"
	       "\"cgroup_id\":%llu,\"comm\":", type, (unsigned long long)h->ts_ns, h->pid, h->ppid,
	       h->uid, (unsigned long long)h->cgroup_id);
	loader_json_str(h->comm, sizeof(h->comm));
}

static void print_exec(const struct exec_event *e)
{
	__u32 i, start = 0, len = e->args_len < EXEC_ARGS_LEN ? e->args_len : EXEC_ARGS_LEN;
	bool first = true;

	print_hdr(&e->hdr, "exec");
	printf(",\"filename\":");
	loader_json_str(e->filename, sizeof(e->filename));
	printf(",\"argv\":[");
	/* The argument area is argv[0]\0argv[1]\0...; a truncated last one has no NUL. */
	for (i = 0; i <= len; i++) {
		if (i < len && e->args[i])
			continue;
		if (i == len && i == start)
			break;
		printf("%s", first ? "" : ",");
		loader_json_str(e->args + start, i - start);
		first = false;
		start = i + 1;
	}
	printf("],\"args_truncated\":%s,\"auid\":%u,\"cap_effective\":\"0x%llx\"}\n",
	       e->flags & EXEC_F_ARGS_TRUNCATED ? "true" : "false", e->auid,
	       (unsigned long long)e->cap_effective);
}

static void print_exit(const struct exec_exit_event *e)
{
	print_hdr(&e->hdr, "exit");
	printf(",\"exit_code\":%u,\"exit_status\":%u,\"signal\":%u,\"duration_ns\":%llu,"
	       "\"task_state\":%u}\n",
	       e->exit_code, (e->exit_code >> 8) & 0xff, e->exit_code & 0x7f,
	       (unsigned long long)e->duration_ns, e->task_state);
}

static int on_event(void *data, void *data_sz, size_t sz)
{
	struct exec_ctx *ctx = data;
	const struct exec_event_hdr *h = data_sz;
	long pid = ctx->opts->pid;

	if (sz < sizeof(*h))
		return 0;
	if (pid && h->pid != (__u32)pid && h->ppid != (__u32)pid)
		return 0;
	if (h->type == EXEC_EV_EXEC && sz >= sizeof(struct exec_event))
		print_exec((const struct exec_event *)h);
	else if (h->type == EXEC_EV_EXIT && sz >= sizeof(struct exec_exit_event))
		print_exit((const struct exec_exit_event *)h);
	else
		return 0;
	fflush(stdout);
	ctx->printed++;
	if (ctx->opts->max_events && ctx->printed >= ctx->opts->max_events)
		loader_stop = 1;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: exec [-d SECONDS] [-n COUNT] [-p PID] [-v]\n"
		   "Print process exec and exit events as JSON lines.\n"
		   "  -d, --duration SECONDS  stop after SECONDS (default: until Ctrl-C)\n"
		   "  -n, --count COUNT       stop after COUNT events\n"
		   "  -p, --pid PID           only PID and its children\n"
		   "  -v, --verbose           show libbpf's debug output\n");
}

int main(int argc, char **argv)
{
	struct exec_opts opts = {};
	const struct loader_opt table[] = {
		LOADER_OPTS_COMMON(&opts.duration_s, &opts.max_events, &opts.verbose),
		LOADER_OPT("pid", 'p', LOADER_OPT_NUM, &opts.pid),
		{},
	};
	struct exec_ctx ctx = { .opts = &opts };
	struct ring_buffer *rb = NULL;
	struct exec *skel = NULL;
	int opt, first, err = 0;

	opt = loader_parse_opts("exec", argc, argv, table, usage, &first);
	if (opt)
		return opt == 1 ? 0 : 2;
	if (first != argc) {
		usage(stderr);
		return 2;
	}
	loader_init(opts.verbose);

	/* Open, load and verify, attach both tracepoints. */
	skel = exec__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "exec: load: %s\n", strerror(-err));
		goto cleanup;
	}
	err = exec__attach(skel);
	if (err) {
		fprintf(stderr, "exec: attach: %s\n", strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &ctx, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "exec: ring buffer: %s\n", strerror(-err));
		goto cleanup;
	}
	fprintf(stderr, "exec: attached, printing events (Ctrl-C to stop)\n");

	err = loader_poll_events("exec", rb, opts.duration_s);
	if (err)
		goto cleanup;
	/* What the kernel side counted, including events it had to drop. */
	{
		int fd = bpf_map__fd(skel->maps.stats);

		printf("{\"type\":\"stats\",\"execs\":%llu,\"exits\":%llu,\"event_drops\":%llu,"
		       "\"args_truncated\":%llu,\"read_errors\":%llu}\n",
		       loader_percpu_sum(fd, EXEC_STAT_EXEC), loader_percpu_sum(fd, EXEC_STAT_EXIT),
		       loader_percpu_sum(fd, EXEC_STAT_EVENT_DROPS), loader_percpu_sum(fd, EXEC_STAT_ARGS_TRUNCATED),
		       loader_percpu_sum(fd, EXEC_STAT_READ_ERRORS));
	}

cleanup:
	ring_buffer__free(rb);
	exec__destroy(skel);
	return err ? 1 : 0;
}
