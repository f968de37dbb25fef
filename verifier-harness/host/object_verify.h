/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * object_verify.h: verify every program of one BPF object on the running kernel.
 *
 * Each program is loaded alone: the object is reopened with autoload on that
 * program only, so a rejected program never hides or aborts the others (as
 * veristat does). The first load asks only for statistics (log level 4); a
 * rejected program is loaded once more with the full log (1|2|4) to explain it.
 */
#ifndef BPFGATE_OBJECT_VERIFY_H
#define BPFGATE_OBJECT_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "core_btf.h"
#include "result.h"

struct vh_verify_opts {
	const char *kernel;    /* release string recorded in results (uname -r) */
	const char *prog_type; /* --type: force this program type for every program */
	const char *filter;    /* --prog GLOB: only programs whose name matches */
	bool keep_log;         /* keep the full log of failures in vh_result.log */
	const char *kernel_btf; /* --btf: CO-RE relocations against this BTF, or NULL */
	struct vh_core_btf *core_btf; /* that or the running kernel's BTF, parsed (core_btf.h) */
	bool jobs_auto;        /* --jobs not given: workers also sized to the machine's load */
};

/* A program of an object, as listed before verification. */
struct vh_prog_ref {
	char *object;
	char *program;
};

/*
 * List the programs of an object (in object order) that opts->filter selects.
 * Returns the count (>= 0), or -errno with a one-line cause in errbuf ("not an
 * ELF file", "no BPF programs in object", ...). *progs is malloc'd.
 * The object is opened in a child process (one serves every call, and is
 * started again after a crash; it ends at vh_object__list_done() or when
 * bpfgate exits): when libbpf
 * crashes on it, the cause is "the loader crashed on this object: SIGSEGV in
 * libbpf (...)".
 */
int vh_object__list(const char *path, const struct vh_verify_opts *opts,
		    struct vh_prog_ref **progs, char *errbuf, size_t errlen);
/* The same in this process (what the child runs; the fuzz target calls it to
 * see the code it explores). */
int vh_object__list_in_process(const char *path, const struct vh_verify_opts *opts,
			       struct vh_prog_ref **progs, char *errbuf, size_t errlen);
/* No more listing: stop the child (the next vh_object__list starts another). */
void vh_object__list_done(void);
void vh_prog_refs__free(struct vh_prog_ref *progs, int n);

/*
 * Verify program prog of object path; appends exactly one result to out.
 * Returns 0 (whatever the verdict), or -errno when nothing could be recorded.
 * The caller checks privilege first (privilege.h): a load refused with EPERM
 * after that is the kernel's verdict on this program.
 */
int vh_object__verify_prog(const char *path, const char *prog,
			   const struct vh_verify_opts *opts, struct vh_result_set *out);

/* The running kernel's release (uname -r), static storage. */
const char *vh_kernel_release(void);

/* Compare "5.10.223-1-amd64" style versions by major.minor: <0, 0, >0. */
int vh_kernel_version_cmp(const char *a, const char *b);

#endif
