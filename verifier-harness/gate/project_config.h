/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * project_config.h: a project's bpfgate.conf, the one checked-in file that says
 * where its programs, baseline and tests are, which kernels it supports and how
 * strict the gate is. Command-line flags override it.
 *
 * Format (git-config style; docs/adopting.md has the full reference):
 *
 *	# comment            ; comment too
 *	[project]
 *	name = myproject
 *	programs = src/bpf            # paths are relative to this file's folder
 *	[gate]
 *	max_growth = 10%
 *	[program "tcp_*"]
 *	cflags = -DMAX_CONN=64
 *	[test "smoke"]
 *	exe = build/test_smoke
 *
 * Every key is typed and range-checked; an unknown section or key, a key given
 * twice in one section, a section given twice, or a bad value is an error
 * "FILE:LINE: KEY: why". Paths must be relative and stay inside the file's folder.
 */
#ifndef BPFGATE_PROJECT_CONFIG_H
#define BPFGATE_PROJECT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define VH_PCONF_FILE "bpfgate.conf"
/* Bounds: a config is a small human-written file. */
#define VH_PCONF_MAX_BYTES (64 * 1024)
#define VH_PCONF_MAX_LINE 1024
#define VH_PCONF_MAX_PROGRAMS 256 /* [program "GLOB"] sections */
#define VH_PCONF_MAX_TESTS 64	  /* [test "NAME"] sections */
#define VH_PCONF_MAX_NAME 128	  /* a section's name (glob or test name) */

enum vh_pconf_expect {
	VH_PCONF_EXPECT_UNSET = 0,
	VH_PCONF_EXPECT_PASS,
	VH_PCONF_EXPECT_FAIL,
	VH_PCONF_EXPECT_SKIP,
};

enum vh_pconf_missing {
	VH_PCONF_MISSING_UNSET = 0,
	VH_PCONF_MISSING_ERROR,
	VH_PCONF_MISSING_WARN,
};

/* [program "GLOB"]: settings of the programs whose name matches GLOB (fnmatch).
 * NAME is the program as bpf.mk names it (NAME.bpf.c or folder NAME/); a glob
 * with a ':' matches "NAME:FUNCTION", one program of an object. */
struct vh_pconf_program {
	char *glob;
	int line;
	enum vh_pconf_expect expect;
	int exclude;  /* -1 unset, 0, 1 */
	char *cflags; /* extra clang flags of NAME's compile units, or NULL */
	char *type;   /* program type for programs of unknown section, or NULL */
};

/* [test "NAME"]: a functional test executable (bpfgate verify --test). */
struct vh_pconf_test {
	char *name;
	int line;
	char *exe;   /* resolved path (root/exe) */
	int timeout; /* seconds, 0 when unset */
};

struct vh_project_config {
	char *path; /* the file as given */
	char *root; /* the folder paths are relative to ("." for a bare file name) */
	/* [project] */
	char *name;
	char *programs;	    /* resolved path, or NULL */
	char *baseline;	    /* resolved path, or NULL */
	char *kernels;	    /* words separated by one space, or NULL */
	char *kernels_conf; /* resolved path, or NULL */
	/* [gate]; the has_ flags say the key was given */
	bool has_max_growth, has_max_share;
	double max_growth; /* percent, 0..1000 */
	double max_share;  /* percent, 0..100 */
	enum vh_pconf_missing baseline_missing;
	int allow_removed; /* -1 unset, 0, 1 */
	/* [build] */
	char *cflags;
	char *includes; /* resolved paths separated by one space, or NULL */
	char *clang;
	struct vh_pconf_program *progs;
	size_t nprogs;
	struct vh_pconf_test *tests;
	size_t ntests;
};

/*
 * Read PATH. 0, or -errno with "FILE:LINE: KEY: why" (or "FILE: why") in errbuf
 * and conf emptied. -ENOENT when the file does not exist.
 */
int vh_project_config__load(struct vh_project_config *conf, const char *path, char *errbuf,
			    size_t errlen);
/* The same from memory: TEXT of LEN bytes, as if read from PATH whose folder is ROOT. */
int vh_project_config__parse(struct vh_project_config *conf, const char *text, size_t len,
			     const char *path, const char *root, char *errbuf, size_t errlen);
void vh_project_config__free(struct vh_project_config *conf);

/* The settings of one program: for each field, the last [program] section whose
 * glob matches OBJECT (the program's name) or "OBJECT:FUNC" and sets it. FUNC may be
 * NULL (build settings). Unset fields keep their unset value; cflags of several
 * sections are joined in file order (returned malloc'd in *cflags, may be NULL). */
struct vh_pconf_match {
	enum vh_pconf_expect expect;
	int exclude;
	const char *type;
	char *cflags;
};
int vh_project_config__match(const struct vh_project_config *conf, const char *object,
			     const char *func, struct vh_pconf_match *m);

/* The value of KEY ("project.programs", "gate.max_share", ...; keys of [project],
 * [gate] and [build]) as text, malloc'd in *out: paths resolved, percentages with
 * '%', booleans true/false. 0, -ENOENT unset, -EINVAL no such key, -ENOMEM. */
int vh_project_config__get(const struct vh_project_config *conf, const char *key, char **out);

/* "pass", "fail", "skip" or NULL for unset. */
const char *vh_pconf_expect__str(enum vh_pconf_expect e);

#endif
