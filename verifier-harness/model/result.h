/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result.h: the verification result model shared by every part of bpfgate.
 *
 * One struct vh_result is one program verified on one kernel. The field names
 * are the JSON names of the result contract (docs/bpfgate-verify.8): a writer
 * prints them as they are and a reader fills them back, so a result written by
 * a VM guest and read on the host is the same value.
 *
 * Statistics the verifier did not report are VH_STAT_UNKNOWN (-1) and are
 * written as JSON null.
 */
#ifndef BPFGATE_RESULT_H
#define BPFGATE_RESULT_H

#include <stdbool.h>
#include <stddef.h>

#include "probe.h"

#define VH_STAT_UNKNOWN (-1L)

enum vh_verdict {
	VH_PASS,
	VH_FAIL,
	VH_SKIP,
	VH_ERROR,
	VH_VERDICT_CNT,
};

/*
 * What a result is about. The JSON has no field for it: it is told by the strings
 * that are written for it (below), and readers take it back from them.
 */
enum vh_result_kind {
	VH_KIND_PROGRAM, /* a program of an object, loaded and verified */
	VH_KIND_TEST,    /* a functional test run: prog_type VH_TEST_PROG_TYPE */
	VH_KIND_KERNEL,  /* the kernel's VM failed: object and program VH_KERNEL_OBJECT */
};

#define VH_TEST_PROG_TYPE "test"
#define VH_TEST_SECTION "functional"
#define VH_KERNEL_OBJECT "(vm)"

/*
 * The verifier's own numbers, from the last lines of its log (log level 4):
 *   processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1
 *   peak_states 1 mark_read 1
 *   verification time 17 usec
 *   stack depth 8+0
 * stack_depth is the sum over subprograms (as veristat reports it); prog_insns
 * is the instruction count of the program as loaded (after libbpf's fixups).
 */
struct vh_stats {
	long insns_processed;
	long insns_limit;
	long total_states;
	long peak_states;
	long max_states_per_insn;
	long mark_read;
	long verification_time_us;
	long stack_depth;
	long prog_insns;
};

struct vh_result {
	char *kernel;      /* uname -r of where it ran */
	char *object;      /* object path as given */
	char *program;     /* function name */
	char *section;     /* ELF section (SEC name) */
	char *prog_type;   /* libbpf's name: xdp, sched_cls, ... */
	enum vh_result_kind kind;
	enum vh_verdict verdict;
	struct vh_stats stats;
	char *error;       /* fail/error: the verifier's (or loader's) error line */
	char *error_class; /* fail: fixed vocabulary, see error_class.h */
	char *error_kind;  /* fail: "kernel lacks a feature", "program has a bug",
			    * "environment problem" or "unknown" (error_class.h) */
	char *source;      /* fail: file.bpf.c:LINE of the failing instruction */
	char *source_text; /* fail: that source line, trimmed */
	char *log_tail;    /* fail: last lines of the log */
	bool log_truncated; /* fail: the log was cut at its size limit (log_tail, log) */
	char *log;         /* fail: the whole log (kept for -v), not in JSON */
	char *reason;      /* skip: why */
	char *note;        /* what bpfgate changed to load it (max_entries fixed up), or NULL */
	char *expect;      /* expectation checked (from the program's tags), or NULL */
};

/*
 * One kernel of a run (the JSON document's "kernels" array): where it ran and
 * what its feature probe found, so that every skip on it can be justified.
 */
struct vh_kernel_info {
	char *release;  /* uname -r: the results' kernel */
	char *series;   /* as given: "host", "5.10", an image path */
	char *backend;  /* "host", "qemu" or "vng" */
	char *accel;    /* "kvm", "tcg", or NULL (host) */
	double boot_s;  /* seconds to boot, < 0 unknown (null) */
	double verify_s; /* seconds of verification and functional tests, < 0 unknown */
	struct vh_probe *probe; /* its feature probe (probe.h), or NULL */
	char *baseline_kernel; /* with a baseline: the release it was compared with */
	char *baseline_match;  /* "release" or "series" (compare.h), NULL: not gated */
};

struct vh_result_set {
	char *version;  /* bpfgate version that wrote it */
	struct vh_result *v;
	size_t n, cap;
	struct vh_kernel_info *kernels; /* one per kernel of the run */
	size_t nkernels, kernels_cap;
	bool with_logs; /* the JSON written carries each failure's full log (verify --full-log) */
};

/* verdict <-> name ("pass", "fail", "skip", "error"); -1 for an unknown name */
const char *vh_verdict__name(enum vh_verdict v);
int vh_verdict__parse(const char *name);

void vh_stats__init(struct vh_stats *st);

/* The kind r's strings say it is (what a reader of JSON or CSV sets). */
enum vh_result_kind vh_result__kind_of(const struct vh_result *r);

/* Append a zeroed result (stats unknown); NULL with errno set on failure. */
struct vh_result *vh_result_set__add(struct vh_result_set *set);
void vh_result__free(struct vh_result *r);
void vh_result_set__free(struct vh_result_set *set);

/* Deep copy of src appended to dst; 0 or -errno. */
int vh_result_set__append(struct vh_result_set *dst, const struct vh_result *src);

/* Kernel releases by version: "5.10.0-32-amd64" < "6.1.0" < "6.12.117"; <0, 0, >0. */
int vh_release__cmp(const char *a, const char *b);

/* Order results by kernel (oldest first), keeping the order within a kernel; the
 * kernels array too. */
int vh_result_set__sort_by_kernel(struct vh_result_set *set);

/* Append a kernel (strings NULL, times unknown); NULL with errno set on failure. */
struct vh_kernel_info *vh_result_set__add_kernel(struct vh_result_set *set);
void vh_kernel_info__free(struct vh_kernel_info *k);
/*
 * Deep copy of src into dst's kernels: replaces the entry with the same release and
 * backend (keeping its probe when src has none), else appends. 0 or -ENOMEM.
 */
int vh_result_set__merge_kernel(struct vh_result_set *dst, const struct vh_kernel_info *src);
/* The kernel whose release is release (the first one), or NULL. */
const struct vh_kernel_info *vh_result_set__find_kernel(const struct vh_result_set *set,
							 const char *release);

/* counts of each verdict */
void vh_result_set__count(const struct vh_result_set *set, size_t counts[VH_VERDICT_CNT]);

#endif
