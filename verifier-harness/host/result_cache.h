/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result_cache.h: host verification results kept between runs, so that an object
 * that has not changed is not loaded again.
 *
 * An entry holds the results of every program of one object, and its name is a
 * SHA-256 of everything that decides them: the object's bytes and its path as
 * given (results name it), the kernel (release, version string and the hash of
 * its BTF, /sys/kernel/btf/vmlinux, hashed once per boot), bpfgate (its version
 * and the hash of its executable, which holds the log levels, fixups and
 * classification; hashed once per file: device, inode, size and time), the
 * libbpf version, and the options that change a verdict (--type, --prog, the
 * bytes of --btf). Expectations from a config file are applied to the results
 * after the cache, so they are not part of the name.
 *
 * Where: $BPFGATE_RESULT_CACHE, else the kernel cache's root (kernel_cache.h:
 * $BPFGATE_CACHE, $XDG_CACHE_HOME/bpfgate, ~/.cache/bpfgate) + "/results", as
 * RESULTS/ab/abcd...json. Names are hex digits only: no entry lies outside the
 * root. Entries are written to a temp file and renamed (a reader sees a whole
 * entry or none); an entry that cannot be read or does not match its name is
 * ignored and written again. Objects with a result in error (a crash, a load
 * that failed for want of memory) are not kept: they are verified again.
 */
#ifndef BPFGATE_RESULT_CACHE_H
#define BPFGATE_RESULT_CACHE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "probe.h"

#include "object_verify.h"
#include "result.h"

#define VH_RESULT_CACHE_VERSION 1

/* What decides the results of one object; every field text (NULL for "none"). */
struct vh_result_cache_key {
	const char *object_hash; /* SHA-256 of the object's bytes */
	const char *object_path; /* as given on the command line */
	const char *kernel;      /* the kernel's identity */
	const char *tool;        /* bpfgate's and libbpf's identity */
	const char *prog_type;   /* --type */
	const char *filter;      /* --prog */
	const char *btf_hash;    /* SHA-256 of the --btf file */
};

/* The entry name of key: 64 hex digits of a SHA-256 over every field, each
 * with its length, so that no two different keys read the same. */
void vh_result_cache__key(const struct vh_result_cache_key *key, char hex[65]);

struct vh_result_cache_miss {
	char *path;
	char name[65];
};

struct vh_result_cache {
	char dir[PATH_MAX];  /* the results folder */
	char *kernel, *tool;
	char btf_hash[65];
	const struct vh_verify_opts *opts;
	struct vh_result_cache_miss *miss; /* objects looked up and not found */
	size_t nmiss;
	size_t hits;         /* results taken from the cache */
	bool on;            /* off (zeroed, or __open failed): every lookup misses */
};

/*
 * Ready the cache for a host run with opts (btf: the --btf file or NULL). A
 * cache that cannot be used (no home folder) is off: every lookup misses and
 * nothing is stored. 0, or -errno when the identity of the run cannot be known
 * (then the cache is off too).
 */
int vh_result_cache__open(struct vh_result_cache *c, const struct vh_verify_opts *opts,
			  const char *btf);

/* The results folder the cache would use (for messages); "" when none. */
const char *vh_result_cache__dir(const struct vh_result_cache *c);

/*
 * The results of object path: 1 found (appended to out, c->hits counts them),
 * 0 not found (remembered for __merge, which stores what the run found).
 */
int vh_result_cache__lookup(struct vh_result_cache *c, const char *path,
			    struct vh_result_set *out);

/*
 * Put the results of objs[0..nobjs) in out in that order: each object's from
 * cached (those __lookup found, in the same order) or from fresh (the run's,
 * grouped by object in the same order); with keep, store each fresh group
 * without an error (not after a run that was cut short). 0 or -ENOMEM.
 */
int vh_result_cache__merge(struct vh_result_cache *c, char *const *objs, int nobjs,
			   const struct vh_result_set *cached, const struct vh_result_set *fresh,
			   struct vh_result_set *out, bool keep);

/*
 * The running kernel's feature probe (vh_kernel_probe__run: hundreds of test
 * loads) into p, kept like results: by the kernel's and bpfgate's identity.
 * 0 or -errno; p is vh_probe__clear'd by the caller.
 */
int vh_result_cache__probe(struct vh_result_cache *c, struct vh_probe *p);

/* "N of TOTAL results from cache (DIR; ...)" on f when any came from it. */
void vh_result_cache__report(const struct vh_result_cache *c, FILE *f, size_t total);

void vh_result_cache__close(struct vh_result_cache *c);

#endif
