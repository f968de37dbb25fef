// SPDX-License-Identifier: BSD-2-Clause
/* loader.c: the shared plumbing of the programs' loaders. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"

volatile sig_atomic_t loader_stop;

static void on_signal(int sig)
{
	(void)sig;
	loader_stop = 1;
}

static int print_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int print_all(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

void loader_init(bool verbose)
{
	libbpf_set_print(verbose ? print_all : print_warnings);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
}

void loader_json_str(const char *s, size_t len)
{
	putchar('"');
	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

unsigned long long loader_percpu_sum(int map_fd, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus();
	unsigned long long sum = 0;
	__u64 *vals;

	if (ncpu <= 0)
		return 0;
	vals = calloc(ncpu, sizeof(*vals));
	if (vals && !bpf_map_lookup_elem(map_fd, &idx, vals))
		for (int i = 0; i < ncpu; i++)
			sum += vals[i];
	free(vals);
	return sum;
}

int loader_percpu_counters(struct bpf_map *map, void *sum, size_t size)
{
	int ncpu = libbpf_num_possible_cpus(), err;
	size_t n = size / sizeof(__u64);
	__u64 *per, *dst = sum;
	__u32 zero = 0;

	memset(sum, 0, size);
	if (ncpu < 0)
		return ncpu;
	per = calloc(ncpu, size);
	if (!per)
		return -ENOMEM;
	err = bpf_map__lookup_elem(map, &zero, sizeof(zero), per, ncpu * size, 0);
	for (int i = 0; !err && i < ncpu; i++)
		for (size_t j = 0; j < n; j++)
			dst[j] += per[i * n + j];
	free(per);
	return err;
}

int loader_parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < 0 ? -EINVAL : 0;
}

int loader_parse_opts(const char *prog, int argc, char **argv, const struct loader_opt *opts,
		      void (*usage)(FILE *f), int *first)
{
	struct option longopts[32];
	char shorts[3 * 32 + 2];
	size_t n = 0, ns = 0;
	int c;

	for (; opts[n].name; n++) {
		const struct loader_opt *o = &opts[n];
		bool arg = o->kind != LOADER_OPT_FLAG;

		if (n + 2 >= sizeof(longopts) / sizeof(longopts[0])) {
			fprintf(stderr, "%s: more options than the parser holds\n", prog);
			return 2;
		}
		longopts[n] = (struct option){ o->name, arg ? required_argument : no_argument,
					       NULL, o->shortname };
		shorts[ns++] = o->shortname;
		if (arg)
			shorts[ns++] = ':';
	}
	longopts[n] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[n + 1] = (struct option){ 0 };
	shorts[ns++] = 'h';
	shorts[ns] = '\0';

	while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		const struct loader_opt *o = NULL;
		long v;

		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		for (size_t i = 0; i < n && !o; i++)
			if (opts[i].shortname == c)
				o = &opts[i];
		if (!o) {
			usage(stderr);
			return 2;
		}
		switch (o->kind) {
		case LOADER_OPT_FLAG:
			*(bool *)o->dst = true;
			break;
		case LOADER_OPT_NUM:
			if (loader_parse_long(optarg, &v) || (o->max && v > o->max)) {
				fprintf(stderr, "%s: option '--%s': invalid number '%s'\n", prog,
					o->name, optarg);
				return 2;
			}
			*(long *)o->dst = v;
			break;
		case LOADER_OPT_STR:
			*(const char **)o->dst = optarg;
			break;
		case LOADER_OPT_LIST:
			if (*o->count >= o->max) {
				fprintf(stderr, "%s: option '--%s': at most %ld\n", prog, o->name,
					o->max);
				return 2;
			}
			((const char **)o->dst)[(*o->count)++] = optarg;
			break;
		case LOADER_OPT_FN:
			if (o->fn(o->dst, optarg))
				return 2;
			break;
		}
	}
	*first = optind;
	return 0;
}

int loader_poll_events(const char *prog, struct ring_buffer *rb, long duration_s)
{
	struct timespec t0, now;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!loader_stop) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "%s: polling the ring buffer: %s\n", prog, strerror(-err));
			return err;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (duration_s && now.tv_sec - t0.tv_sec >= duration_s)
			break;
	}
	ring_buffer__consume(rb);
	return 0;
}

/* Linux 6.6's attach types, missing from older UAPI headers (Debian 12 has 6.1's). */
#define LOADER_TCX_INGRESS ((enum bpf_attach_type)46)
#define LOADER_TCX_EGRESS ((enum bpf_attach_type)47)

const char *loader_tc_mode(const struct loader_tc *tc)
{
	return tc->link_fd >= 0 ? "tcx" : "clsact";
}

int loader_tc_attach(struct bpf_program *prog, int ifindex, enum bpf_tc_attach_point where,
		     struct loader_tc *tc)
{
	const char *mode = getenv("LOADER_TC");
	int err;

	memset(tc, 0, sizeof(*tc));
	tc->link_fd = -1;
	/* tcx: no qdisc, and the kernel detaches the program when the link's last
	 * fd closes. Older kernels refuse the attach type: clsact then. */
	if (!mode || strcmp(mode, "clsact")) {
		tc->link_fd = bpf_link_create(bpf_program__fd(prog), ifindex,
					      where == BPF_TC_INGRESS ? LOADER_TCX_INGRESS :
									LOADER_TCX_EGRESS,
					      NULL);
		if (tc->link_fd >= 0) {
			tc->attached = true;
			return 0;
		}
		tc->link_fd = -1;
	}
	tc->hook.sz = sizeof(tc->hook);
	tc->hook.ifindex = ifindex;
	tc->hook.attach_point = where;
	/* an existing clsact qdisc is fine; keep libbpf from reporting the kernel's
	 * "Exclusivity flag on" for it */
	libbpf_print_fn_t print = libbpf_set_print(NULL);

	err = bpf_tc_hook_create(&tc->hook);
	libbpf_set_print(print);
	if (!err)
		tc->hook_created = true;
	else if (err != -EEXIST)
		return err;
	tc->opts.sz = sizeof(tc->opts);
	tc->opts.prog_fd = bpf_program__fd(prog);
	err = bpf_tc_attach(&tc->hook, &tc->opts);
	if (!err)
		tc->attached = true;
	if (err && tc->hook_created) {
		tc->hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&tc->hook);
		tc->hook_created = false;
	}
	return err;
}

void loader_tc_detach(struct loader_tc *tc)
{
	if (tc->attached && tc->link_fd >= 0) {
		close(tc->link_fd);
		tc->link_fd = -1;
	} else if (tc->attached) {
		tc->opts.prog_fd = 0;
		tc->opts.prog_id = 0;
		tc->opts.flags = 0;
		bpf_tc_detach(&tc->hook, &tc->opts);
		/* Destroying one hook would flush every filter on it, other users'
		 * too: remove the clsact qdisc only if this process added it. */
		if (tc->hook_created) {
			tc->hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&tc->hook);
		}
	}
	tc->attached = false;
}
