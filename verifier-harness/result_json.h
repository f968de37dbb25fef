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

/* Equal as far as JSON carries them (the full log is not compared). */
bool vh_result__json_equal(const struct vh_result *a, const struct vh_result *b);
bool vh_result_set__json_equal(const struct vh_result_set *a, const struct vh_result_set *b);

#endif
