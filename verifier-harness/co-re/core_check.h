/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * core_check.h: do an object's CO-RE relocations hold on a kernel we do not run?
 *
 * For one object and one target BTF, libbpf itself resolves every relocation
 * (the object is opened with btf_custom_path set to the target, through the
 * per-object subset of core_btf.h) and the host's verifier decides whether an
 * instruction libbpf poisoned, because its relocation found nothing, is
 * reachable: a bpf_core_*_exists() guard makes it dead code, which the verifier
 * drops. libbpf's debug messages name each relocation (kind, type, access
 * path) and the instruction it poisoned.
 *
 * Only CO-RE outcomes are judged: a program the host refuses for another
 * reason (its own helpers, program types, maps) passes when none of its
 * relocations failed, and is an error (not a verdict) when some did, since
 * the verifier stopped before telling whether they are reachable.
 */
#ifndef BPFGATE_CORE_CHECK_H
#define BPFGATE_CORE_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "core_btf.h"

/* The answer of libbpf's poisoned call: "invalid func unknown#195896080". */
#define VH_CORE_POISON_IMM 0xbad2310

/* A relocation that found nothing in the target BTF. */
struct vh_core_relo {
	int index;       /* relo #N of its program, as libbpf numbers them */
	int insn;        /* poisoned instruction, -1 when not known */
	char kind[32];   /* byte_off, field_exists, type_size, ... */
	char type[128];  /* "struct task_struct" */
	char access[256]; /* "__state", "real_parent.tgid", "" for a type */
	bool guarded;    /* the verifier proved the poisoned instruction dead */
};

enum vh_core_verdict {
	VH_CORE_PASS,
	VH_CORE_FAIL,  /* a poisoned instruction is reachable */
	VH_CORE_ERROR, /* no answer: see error */
};

struct vh_core_result {
	char *object;
	char *program;
	char *kernel;
	enum vh_core_verdict verdict;
	char *error;  /* VH_CORE_ERROR: why; else a host refusal that is not CO-RE, or NULL */
	struct vh_core_relo *relos;
	int nr_relos;
};

struct vh_core_results {
	struct vh_core_result *r;
	int n, cap;
};

/*
 * What libbpf sees of a target is only the BTF subset it is given (core_btf.h): an
 * object already checked against a byte-identical subset (another kernel whose
 * relocated types are the same) gets the same results again without loading.
 */
struct vh_core_memo;
struct vh_core_memo *vh_core_memo__new(void);
void vh_core_memo__free(struct vh_core_memo *m);

/*
 * Check every program of obj against the target BTF cb (core_btf.h; its file
 * is the btf_custom_path) named kernel; appends one result per program. memo
 * (or NULL) remembers the answers by object and subset.
 * 0, or -errno with a one-line cause in errbuf when the object cannot be read.
 */
int vh_core_check__object(const char *obj, const char *kernel, struct vh_core_btf *cb,
			  struct vh_core_memo *memo, struct vh_core_results *out, char *errbuf,
			  size_t errlen);

void vh_core_results__free(struct vh_core_results *rs);
/* Move src's results to the end of dst (src is left empty). 0 or -ENOMEM (src kept). */
int vh_core_results__append(struct vh_core_results *dst, struct vh_core_results *src);

const char *vh_core_verdict__name(enum vh_core_verdict v);

/*
 * Parse one libbpf debug line about a relocation of prog: "prog 'P': relo #N: ..."
 * updates (or adds) relocation N in *relos. Returns 1 when the line was about
 * prog's relocations, 0 otherwise, -ENOMEM. (Exposed for the unit test.)
 */
int vh_core_relos__parse_line(const char *line, const char *prog, struct vh_core_relo **relos,
			      int *nr);

#endif
