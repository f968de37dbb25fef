/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_reader.h: a strict, bounded JSON parser into a tree (reads result files back).
 *
 * Its input is untrusted (results written by a VM guest, baselines from a pull
 * request), so it accepts RFC 8259 JSON and nothing more: no comments, no
 * trailing commas, no NaN, no leading zeros, no raw control characters in
 * strings, no invalid UTF-8, no lone surrogates, no duplicate keys in an object.
 * Nesting and input size are limited, and every error is one line that says
 * where: "line 3:14: expected ':' after an object key".
 *
 *	struct vh_json_value *doc;
 *	char err[256];
 *
 *	if (vh_json__parse(text, len, NULL, &doc, err, sizeof(err)))
 *		... err says why ...
 *	v = vh_json_value__get(doc, "results");
 *	vh_json_value__free(doc);
 */
#ifndef BPFGATE_JSON_READER_H
#define BPFGATE_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>

#define VH_JSON_DEFAULT_MAX_SIZE (64UL << 20)
#define VH_JSON_DEFAULT_MAX_DEPTH 64

enum vh_json_type {
	VH_JSON_NULL,
	VH_JSON_BOOL,
	VH_JSON_NUMBER,
	VH_JSON_STRING,
	VH_JSON_ARRAY,
	VH_JSON_OBJECT,
};

struct vh_json_member;

struct vh_json_value {
	enum vh_json_type type;
	int line;                 /* where the value starts, for messages */
	union {
		bool boolean;
		struct {
			double d;
			long long i;      /* valid when is_int */
			bool is_int;      /* written without fraction or exponent, fits */
		} num;
		struct {
			char *s;          /* NUL-terminated; may also hold NULs (\u0000) */
			size_t len;
		} str;
		struct {
			struct vh_json_value *v;
			size_t n;
		} arr;
		struct {
			struct vh_json_member *m; /* in document order */
			size_t n;
		} obj;
	};
};

struct vh_json_member {
	char *key;
	size_t key_len;
	struct vh_json_value val;
};

struct vh_json_limits {
	size_t max_size;  /* bytes of input; 0 means VH_JSON_DEFAULT_MAX_SIZE */
	int max_depth;    /* nested arrays/objects; 0 means VH_JSON_DEFAULT_MAX_DEPTH */
};

/*
 * Parse text[0..len) (need not be NUL-terminated) into *out. 0, or -EINVAL
 * (malformed), -E2BIG (input or nesting over the limits), -ENOMEM, with a one-line
 * reason in errbuf. limits may be NULL.
 */
int vh_json__parse(const char *text, size_t len, const struct vh_json_limits *limits,
		   struct vh_json_value **out, char *errbuf, size_t errlen);
void vh_json_value__free(struct vh_json_value *v);

/* Member of an object by key, or NULL (also when v is not an object). */
const struct vh_json_value *vh_json_value__get(const struct vh_json_value *v, const char *key);
/* "null", "boolean", "number", "string", "array", "object" */
const char *vh_json_type__name(enum vh_json_type t);

#endif
