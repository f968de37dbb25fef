/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.h: a kernel's feature probe as a value, with its one JSON reader and writer.
 *
 * The JSON is what `bpfgate kernel probe --json` prints and what each kernel of a
 * verify run records ("kernels[].probe", docs/json-schema.md):
 *
 *	{"kernel": "6.1.0-56-amd64", "kvm": false,
 *	 "prog_types": ["socket_filter", "kprobe", ...], "prog_types_refused": [],
 *	 "map_types": ["hash", ...], "helpers": {"kprobe": [1, 2, ...], "sched_cls": [...]}}
 *
 * Every member may be missing (files of older versions have no
 * "prog_types_refused"); the writer writes the members that were there, in the
 * order above, so what was read is written back byte for byte. Members bpfgate
 * does not know are ignored, as everywhere in result files. A member of the
 * wrong type is an error that names it and says what it should be:
 * "line 4: probe.helpers.kprobe[2]: expected a helper id, not string".
 */
#ifndef BPFGATE_PROBE_H
#define BPFGATE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A probe file (or section) larger than this is refused: real ones are about 3 KiB. */
#define VH_PROBE_MAX_SIZE (1UL << 20)

/* A list of libbpf type names; present is false when the member was missing. */
struct vh_probe_names {
	char **v;
	size_t n;
	bool present;
};

/* The helper ids one program type may call. */
struct vh_probe_helpers {
	char *prog_type;
	int *ids;
	size_t n;
};

struct vh_probe {
	char *kernel;                          /* uname -r, NULL: missing */
	bool has_kvm, kvm;                     /* KVM works where it ran */
	struct vh_probe_names prog_types;      /* types that load */
	struct vh_probe_names prog_types_refused; /* missing ones refused with EPERM */
	struct vh_probe_names map_types;
	struct vh_probe_helpers *helpers;      /* per probed program type, in order */
	size_t nhelpers;
	bool has_helpers;
};

struct vh_json_value;
struct vh_json_writer;

/*
 * Read a probe from JSON text (at most VH_PROBE_MAX_SIZE bytes). Errors go to errbuf
 * as "line L:C: ..." for the syntax or "probe.MEMBER: cause" for the content.
 * 0, -EINVAL, -EFBIG or -ENOMEM; p is left empty on error.
 */
int vh_probe__parse(const char *text, size_t len, struct vh_probe *p, char *errbuf,
		    size_t errlen);
/* The same from a parsed value; where names it in errors ("kernels[1].probe"). */
int vh_probe__from_json(const struct vh_json_value *v, const char *where, struct vh_probe *p,
			char *errbuf, size_t errlen);
/* The same from a file; errbuf does not repeat the path. */
int vh_probe__read_file(const char *path, struct vh_probe *p, char *errbuf, size_t errlen);

/* Write p as one JSON value at the writer's position. */
void vh_probe__write(struct vh_json_writer *w, const struct vh_probe *p);
/* Write p as a whole JSON document (a newline at the end). 0 or -EIO. */
int vh_probe__write_json(FILE *f, const struct vh_probe *p, bool pretty);
/* p as compact JSON text without the newline in *out (caller frees). 0 or -ENOMEM. */
int vh_probe__to_text(const struct vh_probe *p, char **out);

/* Whether the list holds name. */
bool vh_probe_names__has(const struct vh_probe_names *l, const char *name);
/* Append a copy of name. 0 or -ENOMEM. */
int vh_probe_names__add(struct vh_probe_names *l, const char *name);

/* A deep copy (NULL for NULL), or NULL with errno set. */
struct vh_probe *vh_probe__dup(const struct vh_probe *src);
/* Whether a and b are written as the same JSON (NULL equals only NULL). */
bool vh_probe__equal(const struct vh_probe *a, const struct vh_probe *b);
/* Free what p holds and zero it. */
void vh_probe__clear(struct vh_probe *p);
/* vh_probe__clear and free p itself. */
void vh_probe__free(struct vh_probe *p);

#endif
