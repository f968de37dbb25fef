/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_writer.h: a small streaming JSON writer (what -j/--json and result files use).
 *
 * The writer emits each token as it is called and remembers only where it is in
 * the nesting, so results stream out without being built in memory:
 *
 *	struct vh_json_writer w;
 *
 *	vh_json_writer__init(&w, stdout, pretty);
 *	vh_json_writer__begin_object(&w);
 *	vh_json_writer__key(&w, "program");
 *	vh_json_writer__string(&w, "xdp_pass");
 *	vh_json_writer__key(&w, "insns_processed");
 *	vh_json_writer__int(&w, 12);
 *	vh_json_writer__end_object(&w);
 *	err = vh_json_writer__finish(&w);
 *
 * Strings are always valid JSON: quotes, backslashes and control characters are
 * escaped, and bytes that are not valid UTF-8 are written as U+FFFD, so a log with
 * binary junk in it cannot break the document. Misuse (a value where a key is due,
 * unbalanced ends) and I/O errors are remembered and reported by __finish().
 */
#ifndef BPFGATE_JSON_WRITER_H
#define BPFGATE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define VH_JSON_WRITER_MAX_DEPTH 64

struct vh_json_writer {
	FILE *f;
	bool pretty;
	bool after_key;   /* a key was written, its value is due */
	bool done;        /* the top-level value is complete */
	int depth;
	int err;          /* first error (-EINVAL misuse, -EIO write), sticky */
	char open[VH_JSON_WRITER_MAX_DEPTH];      /* '{' or '[' per level */
	bool nonempty[VH_JSON_WRITER_MAX_DEPTH];  /* the level has an element */
};

void vh_json_writer__init(struct vh_json_writer *w, FILE *f, bool pretty);
void vh_json_writer__begin_object(struct vh_json_writer *w);
void vh_json_writer__end_object(struct vh_json_writer *w);
void vh_json_writer__begin_array(struct vh_json_writer *w);
void vh_json_writer__end_array(struct vh_json_writer *w);
void vh_json_writer__key(struct vh_json_writer *w, const char *key);
/* A NULL string is written as null. */
void vh_json_writer__string(struct vh_json_writer *w, const char *s);
void vh_json_writer__string_len(struct vh_json_writer *w, const char *s, size_t len);
void vh_json_writer__int(struct vh_json_writer *w, long long v);
/* Written with 15 significant digits; NaN and infinities become null. */
void vh_json_writer__double(struct vh_json_writer *w, double v);
void vh_json_writer__bool(struct vh_json_writer *w, bool v);
void vh_json_writer__null(struct vh_json_writer *w);

/* key + value in one call */
void vh_json_writer__kv_string(struct vh_json_writer *w, const char *key, const char *s);
void vh_json_writer__kv_int(struct vh_json_writer *w, const char *key, long long v);

/* Ends the document with a newline and flushes. 0, -EINVAL if the calls did not
 * form one complete value, -EIO if writing failed. */
int vh_json_writer__finish(struct vh_json_writer *w);

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes available): 1 to 4,
 * or 0 when the bytes there are not valid UTF-8 (overlong forms, surrogates and
 * code points above U+10FFFF are invalid). Shared by the JSON and XML writers.
 */
size_t vh_utf8__seq_len(const unsigned char *s, size_t n);

#endif
