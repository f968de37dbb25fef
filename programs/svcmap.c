// SPDX-License-Identifier: BSD-2-Clause
/* svcmap.c: loader for svcmap.bpf.c; prints TCP events and service-map edges as JSON lines. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "loader.h"
#include "svcmap.h"
#include "svcmap.skel.h"

/* The attach-point sets of svcmap.bpf.c, in the order auto mode tries them. */
static const char *const mode_names[] = { "fentry", "kprobe", "tracepoint" };
static const char *const mode_progs[][4] = {
	{ "svcmap_connect", "svcmap_accept", "svcmap_close" },
	{ "svcmap_connect_kprobe", "svcmap_accept_kretprobe", "svcmap_close_kprobe" },
	{ "svcmap_state_tp", "svcmap_accept_tp" },
};
#define NR_MODES 3

struct svcmap_opts {
	long duration_s;
	long max_events;
	long pid;
	int mode;	/* -1: auto */
	bool verbose;
};

struct svcmap_ctx {
	const struct svcmap_opts *opts;
	long printed;
};

static const char *addr_str(__u8 family, const __u8 *addr, char *buf, size_t sz)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, sz))
		snprintf(buf, sz, "?");
	return buf;
}

static const char *const ev_names[] = { "", "connect", "accept", "close" };

static int on_event(void *data, void *raw, size_t sz)
{
	struct svcmap_ctx *ctx = data;
	const struct svcmap_event *e = raw;
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];

	if (sz < sizeof(*e) || e->type < SVCMAP_EV_CONNECT || e->type > SVCMAP_EV_CLOSE)
		return 0;
	printf("{\"type\":\"%s\",\"ts_ns\":%llu,\"pid\":%u,\"comm\":", ev_names[e->type],
	       (unsigned long long)e->ts_ns, e->tgid);
	loader_json_str(e->comm, sizeof(e->comm));
	printf(",\"role\":\"%s\",\"family\":%u,\"laddr\":\"%s\",\"lport\":%u,\"raddr\":\"%s\","
	       "\"rport\":%u",
	       e->dir == SVCMAP_DIR_CONNECT ? "client" : "server", e->family == AF_INET6 ? 6 : 4,
	       addr_str(e->family, e->laddr, l, sizeof(l)), e->lport,
	       addr_str(e->family, e->raddr, r, sizeof(r)), e->rport);
	if (e->type == SVCMAP_EV_CLOSE)
		printf(",\"duration_ns\":%llu,\"bytes_sent\":%llu,\"bytes_received\":%llu",
		       (unsigned long long)e->duration_ns, (unsigned long long)e->bytes_sent,
		       (unsigned long long)e->bytes_received);
	printf("}\n");
	fflush(stdout);
	ctx->printed++;
	if (ctx->opts->max_events && ctx->printed >= ctx->opts->max_events)
		loader_stop = 1;
	return 0;
}

/* The service map as it stands: one JSON line per edge, then the counters. */
static void dump_edges(struct svcmap *skel)
{
	int fd = bpf_map__fd(skel->maps.edges), sfd = bpf_map__fd(skel->maps.stats);
	struct svcmap_edge_key key, next;
	struct svcmap_edge val;
	char a[INET6_ADDRSTRLEN];
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		printf("{\"type\":\"edge\",\"pid\":%u,\"comm\":", key.tgid);
		loader_json_str(val.comm, sizeof(val.comm));
		printf(",\"role\":\"%s\",\"peer\":\"%s\",\"port\":%u,\"connections\":%llu,"
		       "\"closed\":%llu,\"bytes_sent\":%llu,\"bytes_received\":%llu}\n",
		       key.dir == SVCMAP_DIR_CONNECT ? "client" : "server",
		       addr_str(key.family, key.addr, a, sizeof(a)), key.port,
		       (unsigned long long)val.connections, (unsigned long long)val.closed,
		       (unsigned long long)val.bytes_sent, (unsigned long long)val.bytes_received);
	}
	printf("{\"type\":\"stats\",\"connects\":%llu,\"accepts\":%llu,\"closes\":%llu,"
	       "\"closes_untracked\":%llu,\"event_drops\":%llu,\"table_full\":%llu}\n",
	       loader_percpu_sum(sfd, SVCMAP_STAT_CONNECT), loader_percpu_sum(sfd, SVCMAP_STAT_ACCEPT),
	       loader_percpu_sum(sfd, SVCMAP_STAT_CLOSE), loader_percpu_sum(sfd, SVCMAP_STAT_CLOSE_UNTRACKED),
	       loader_percpu_sum(sfd, SVCMAP_STAT_EVENT_DROPS), loader_percpu_sum(sfd, SVCMAP_STAT_TABLE_FULL));
}

/* Open, keep only one set of attach points, load and attach. */
static int open_mode(const struct svcmap_opts *opts, int mode, struct svcmap **out)
{
	struct bpf_program *prog;
	struct svcmap *skel;
	int i, err;

	skel = svcmap__open();
	if (!skel)
		return -errno;
	skel->rodata->target_tgid = opts->pid;
	bpf_object__for_each_program(prog, skel->obj) {
		bool keep = false;

		for (i = 0; i < 4 && mode_progs[mode][i]; i++)
			keep |= !strcmp(bpf_program__name(prog), mode_progs[mode][i]);
		bpf_program__set_autoload(prog, keep);
	}
	err = svcmap__load(skel);
	if (!err)
		err = svcmap__attach(skel);
	if (err) {
		svcmap__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: svcmap [-m auto|fentry|kprobe|tracepoint] [-d SECONDS] [-n COUNT] "
		   "[-p PID] [-v]\n"
		   "Print TCP connect/accept/close events as JSON lines, then the service-map\n"
		   "edges and counters when it stops.\n"
		   "  -m, --mode MODE         attach points (default auto: the first that works)\n"
		   "  -d, --duration SECONDS  stop after SECONDS (default: until Ctrl-C)\n"
		   "  -n, --count COUNT       stop after COUNT events\n"
		   "  -p, --pid PID           only process PID\n"
		   "  -v, --verbose           show libbpf's debug output\n");
}

/* -m MODE: a name of mode_names[], or auto (-1) */
static int parse_mode(void *dst, const char *arg)
{
	int *mode = dst;

	*mode = -1;
	if (!strcmp(arg, "auto"))
		return 0;
	for (int m = 0; m < NR_MODES; m++)
		if (!strcmp(arg, mode_names[m])) {
			*mode = m;
			return 0;
		}
	fprintf(stderr, "svcmap: option '--mode': unknown mode '%s'\n", arg);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	struct svcmap_opts opts = { .mode = -1 };
	const struct loader_opt table[] = {
		LOADER_OPT("mode", 'm', LOADER_OPT_FN, &opts.mode, .fn = parse_mode),
		LOADER_OPTS_COMMON(&opts.duration_s, &opts.max_events, &opts.verbose),
		LOADER_OPT("pid", 'p', LOADER_OPT_NUM, &opts.pid),
		{},
	};
	struct svcmap_ctx ctx = { .opts = &opts };
	struct ring_buffer *rb = NULL;
	struct svcmap *skel = NULL;
	int opt, first, mode, err = 0;

	opt = loader_parse_opts("svcmap", argc, argv, table, usage, &first);
	if (opt)
		return opt == 1 ? 0 : 2;
	if (first != argc) {
		usage(stderr);
		return 2;
	}
	loader_init(opts.verbose);

	/* The chosen set, or the first set this kernel accepts. */
	for (mode = opts.mode < 0 ? 0 : opts.mode; mode < NR_MODES; mode++) {
		err = open_mode(&opts, mode, &skel);
		if (!err || opts.mode >= 0)
			break;
		fprintf(stderr, "svcmap: mode '%s' unavailable (%s), trying the next\n",
			mode_names[mode], strerror(-err));
	}
	if (err) {
		fprintf(stderr, "svcmap: load and attach: %s\n", strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &ctx, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "svcmap: ring buffer: %s\n", strerror(-err));
		goto cleanup;
	}
	fprintf(stderr, "svcmap: attached (%s), printing events (Ctrl-C to stop)\n",
		mode_names[mode]);

	err = loader_poll_events("svcmap", rb, opts.duration_s);
	if (err)
		goto cleanup;
	dump_edges(skel);

cleanup:
	ring_buffer__free(rb);
	svcmap__destroy(skel);
	return err ? 1 : 0;
}
