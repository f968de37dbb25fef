/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loader.h: what every loader of programs/ does the same way: stop on
 * SIGINT/SIGTERM, keep libbpf quiet unless asked, print JSON strings, sum
 * per-CPU counters, read numeric options.
 */
#ifndef PROGRAMS_LOADER_H
#define PROGRAMS_LOADER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <linux/types.h>
#include <bpf/libbpf.h>

/* Set by SIGINT and SIGTERM once loader_init() ran; the event loops poll it. */
extern volatile sig_atomic_t loader_stop;

/* Install the stop handlers; libbpf prints warnings only, or everything when
 * verbose (-v). */
void loader_init(bool verbose);

/* s (at most len bytes, up to a NUL) as a JSON string on stdout: quotes,
 * backslashes and bytes outside printable ASCII escaped. */
void loader_json_str(const char *s, size_t len);

/* The sum over CPUs of entry idx of a per-CPU array map; 0 if unreadable. */
unsigned long long loader_percpu_sum(int map_fd, __u32 idx);

/* Entry 0 of a per-CPU array whose value is a struct of __u64 counters (size
 * bytes), summed over CPUs into sum. 0 or -errno. */
int loader_percpu_counters(struct bpf_map *map, void *sum, size_t size);

/*
 * A TC program attached to one hook of an interface: through a tcx link where
 * the kernel has them (6.6+; the program goes away with this process, even on
 * a crash), else as a filter of a clsact qdisc.
 */
struct loader_tc {
	int link_fd; /* the tcx link, -1 with clsact */
	struct bpf_tc_hook hook;
	struct bpf_tc_opts opts;
	bool attached;
	bool hook_created; /* this process added the clsact qdisc */
};

/* "tcx" or "clsact": how tc is attached (for the loaders' "attached" event). */
const char *loader_tc_mode(const struct loader_tc *tc);

/* Attach prog at where (BPF_TC_INGRESS or BPF_TC_EGRESS) of ifindex; 0 or -errno.
 * LOADER_TC=clsact in the environment skips tcx (for tests of the fallback). */
int loader_tc_attach(struct bpf_program *prog, int ifindex, enum bpf_tc_attach_point where,
		     struct loader_tc *tc);
/* Detach; remove the clsact qdisc only if this process created it. */
void loader_tc_detach(struct loader_tc *tc);

/* A non-negative decimal number: 0, or -EINVAL. */
int loader_parse_long(const char *s, long *out);

/*
 * The loaders' options, declared once each: a table ends with a NULL name;
 * -h/--help is added to every table. A value goes where dst points:
 *   LOADER_OPT_FLAG  bool, set to true
 *   LOADER_OPT_NUM   long, a non-negative decimal number up to max (0: no bound)
 *   LOADER_OPT_STR   const char *
 *   LOADER_OPT_LIST  const char *[max], the count in *count (repeatable)
 *   LOADER_OPT_FN    fn(dst, arg): 0, or -EINVAL after printing its own error
 */
enum loader_opt_kind {
	LOADER_OPT_FLAG,
	LOADER_OPT_NUM,
	LOADER_OPT_STR,
	LOADER_OPT_LIST,
	LOADER_OPT_FN,
};

struct loader_opt {
	const char *name;
	char shortname;
	enum loader_opt_kind kind;
	void *dst;
	long max;   /* NUM: the largest value; LIST: the most items */
	int *count; /* LIST */
	int (*fn)(void *dst, const char *arg);
};

/* One entry: LOADER_OPT("pid", 'p', LOADER_OPT_NUM, &opts.pid, .max = 99) */
#define LOADER_OPT(n, s, k, d, ...) \
	{ .name = n, .shortname = s, .kind = k, .dst = d, __VA_ARGS__ }

/* The options every event loader takes: -d SECONDS, -n COUNT, -v. */
#define LOADER_OPTS_COMMON(duration, count, verbose) \
	LOADER_OPT("duration", 'd', LOADER_OPT_NUM, (duration)), \
	LOADER_OPT("count", 'n', LOADER_OPT_NUM, (count)), \
	LOADER_OPT("verbose", 'v', LOADER_OPT_FLAG, (verbose))

/*
 * Parse argv by the table: 0 to go on (operands from *first), 1 after --help
 * (printed by usage on stdout: exit 0), 2 on a bad option or value (a line on
 * stderr naming prog and the option, then usage on stderr: exit 2).
 */
int loader_parse_opts(const char *prog, int argc, char **argv, const struct loader_opt *opts,
		      void (*usage)(FILE *f), int *first);

/*
 * Deliver rb's events until SIGINT/SIGTERM (or a callback sets loader_stop),
 * or for duration_s seconds when it is not 0; then whatever is still queued.
 * 0, or a negative errno after a line on stderr naming prog.
 */
int loader_poll_events(const char *prog, struct ring_buffer *rb, long duration_s);

#endif
