/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result_json.h: result sets to and from the JSON result contract.
 *
 *	{"version": "0.1.0",
 *	 "results": [{"kernel": "6.18.0", "object": "build/programs/hello.bpf.o",
 *	              "program": "xdp_pass", "section": "xdp", "prog_type": "xdp",
 *	              "verdict": "pass", "insns_processed": 12, ..., "prog_insns": 3}],
 *	 "summary": {"pass": 1, "fail": 0, "skip": 0, "error": 0}}
 *
 * Every field is described in docs/json-schema.md. Unknown statistics are null.
 * The full verifier log (vh_result.log) is not written; log_tail is.
 */
#ifndef BPFGATE_RESULT_JSON_H
#define BPFGATE_RESULT_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

/* Result files bigger than this are refused when read. */
#define VH_RESULT_JSON_MAX_SIZE (64UL << 20)

/* The whole set as one JSON document (a newline at the end). 0, or -EIO / -EINVAL. */
int vh_result_set__write_json(FILE *f, const struct vh_result_set *set, bool pretty);

/*
 * Read a result file written by write_json (or a merged one) and append its
 * results to set (set->version is replaced when the file has one). 0, or -errno
 * with a one-line reason in errbuf ("line 3:7: expected ':' after an object key",
 * "results[2]: missing 'program'"). Unknown fields are ignored (forward
 * compatible); on error set is left as it was.
 */
int vh_result_set__read_json(const char *path, struct vh_result_set *set, char *errbuf,
			     size_t errlen);
int vh_result_set__parse_json(const char *text, size_t len, struct vh_result_set *set,
			      char *errbuf, size_t errlen);
/* As read_json, or a CSV of results (result_csv.h) when the text does not start
 * with '{': what `bpfgate compare` reads. */
int vh_result_set__read_any(const char *path, struct vh_result_set *set, char *errbuf,
			    size_t errlen);

/*
 * The run's kernels follow the summary (docs/json-schema.md):
 *	"kernels": [{"release": "5.10.0-32-amd64", "series": "5.10", "backend": "qemu",
 *	             "accel": "tcg", "boot_s": 3.1, "verify_s": 20.4,
 *	             "probe": {"kernel": ..., "prog_types": [...], "map_types": [...],
 *	                       "helpers": {...}}}]
 * A set without kernels writes none; a file without them reads; reading merges
 * kernels by release and backend (vh_result_set__merge_kernel).
 */

/* Whether k's probe lists the program type (libbpf's name, e.g. "tracing"): 1 yes,
 * 0 no, -ENOENT when nothing is known (no k, no probe, no prog_types in it). */
int vh_kernel_info__has_prog_type(const struct vh_kernel_info *k, const char *type);

/*
 * Every skip on a kernel whose probe shows the program's type is not supported
 * gets the evidence appended to its reason: "; probe: program type 'tracing' not
 * supported", or "... refused (EPERM)" when the probe lists the type among
 * those whose loads the kernel refuses (lockdown, an LSM). Skips whose type is supported, or unknown, and functional tests
 * (prog_type "test") are left alone; a reason that already has the evidence is
 * not extended again. 0 or -ENOMEM.
 */
int vh_result_set__justify_skips(struct vh_result_set *set);

/* Equal as far as JSON carries them (the full log is not compared). */
bool vh_result__json_equal(const struct vh_result *a, const struct vh_result *b);
bool vh_result_set__json_equal(const struct vh_result_set *a, const struct vh_result_set *b);
bool vh_kernel_info__json_equal(const struct vh_kernel_info *a, const struct vh_kernel_info *b);

#endif
