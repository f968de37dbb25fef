// SPDX-License-Identifier: BSD-2-Clause
/* cmd_init.c: bpfgate init [DIR], write a commented bpfgate.conf for a folder of programs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "diag.h"
#include "kernel_cache.h"
#include "project_config.h"
#include "options.h"
#include "project_programs.h"

#define SEARCH_DEPTH 3	    /* how deep under DIR the programs folder is looked for */
#define SEARCH_MAX_DIRS 4096 /* folders looked at, at most */

enum { OPT_PROGRAMS = VH_OPT_CMD, OPT_FORCE, OPT_STDOUT };

static const struct vh_opt opt_programs = {
	OPT_PROGRAMS, "programs", 'p', VH_OPT_STR, "DIR",
	.help = "the programs folder, relative to DIR (no search)",
};
static const struct vh_opt opt_force = {
	OPT_FORCE, "force", 'f', VH_OPT_FLAG, .help = "replace an existing " VH_PCONF_FILE,
};
static const struct vh_opt opt_stdout = {
	OPT_STDOUT, "stdout", 0, VH_OPT_FLAG, .help = "print the config instead of writing it",
};

static const struct vh_opt *const init_opts[] = {
	&opt_programs, &opt_force, &opt_stdout, &vh_opt_help, NULL,
};

#define STR(x) #x
#define XSTR(x) STR(x)

static const struct vh_cmd_opts init_cmd = {
	.cmd = "init",
	.synopsis = "[OPTIONS] [DIR]",
	.about = "Write DIR/" VH_PCONF_FILE " (DIR: default the current folder), the project's\n"
		 "config, with every setting commented: the programs folder (found under DIR:\n"
		 "the folder of most *.bpf.c programs, at most " XSTR(SEARCH_DEPTH) " levels down), the\n"
		 "programs found, the baseline file, the kernels of the matrix and the gate's\n"
		 "thresholds.",
	.epilog = "The file is written whole or not at all, and an existing one is kept unless\n"
		  "--force. Exit status: 0 written, 2 usage error, no programs found, the file\n"
		  "exists, or it cannot be written.\n",
	.opts = init_opts,
};

struct init_args {
	const char *programs;
	bool force, to_stdout;
};

static int init_opt(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	struct init_args *a = ctx;

	switch (o->id) {
	case OPT_PROGRAMS:
		a->programs = v->str;
		break;
	case OPT_FORCE:
		a->force = true;
		break;
	case OPT_STDOUT:
		a->to_stdout = true;
		break;
	}
	return 0;
}

struct best {
	char rel[PATH_MAX]; /* relative to DIR, "." for DIR itself */
	size_t n;	    /* programs in it */
	int depth;
	int visited;
};

/* Folders skipped by the search: hidden ones, build output, vendored trees. */
static bool skipped(const char *name)
{
	static const char *const names[] = { "build", "out", "node_modules", "vendor", NULL };

	if (name[0] == '.')
		return true;
	for (int i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* Depth-first over DIR/REL: the folder of most programs wins, then the shallowest,
 * then the first in name order. */
static void search(const char *dir, const char *rel, int depth, struct best *b)
{
	struct vh_program_list list;
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent **ents;
	int n;

	if (++b->visited > SEARCH_MAX_DIRS)
		return;
	if (snprintf(path, sizeof(path), "%s/%s", dir, rel) >= (int)sizeof(path))
		return;
	if (!vh_program_list__read(&list, path)) {
		if (list.n > b->n || (list.n == b->n && list.n && depth < b->depth)) {
			snprintf(b->rel, sizeof(b->rel), "%s", rel);
			b->n = list.n;
			b->depth = depth;
		}
		vh_program_list__free(&list);
	}
	if (depth >= SEARCH_DEPTH)
		return;
	n = scandir(path, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		struct stat st;

		if (!skipped(ents[i]->d_name) &&
		    snprintf(sub, sizeof(sub), "%s/%s", path, ents[i]->d_name) < (int)sizeof(sub) &&
		    !lstat(sub, &st) && S_ISDIR(st.st_mode)) {
			if (!strcmp(rel, "."))
				snprintf(sub, sizeof(sub), "%s", ents[i]->d_name);
			else if (snprintf(sub, sizeof(sub), "%s/%s", rel, ents[i]->d_name) >=
				 (int)sizeof(sub))
				sub[0] = '\0';
			if (sub[0])
				search(dir, sub, depth + 1, b);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

/* The project's name: DIR's own name, in the characters a name may have. */
static void project_name(const char *dir, char *out, size_t len)
{
	char real[PATH_MAX], *base;
	size_t j = 0;

	if (!realpath(dir, real))
		snprintf(real, sizeof(real), "%s", dir);
	base = strrchr(real, '/');
	base = base && base[1] ? base + 1 : real;
	for (const char *s = base; *s && j + 1 < len; s++)
		out[j++] = (strchr("._+-", *s) || (*s >= 'a' && *s <= 'z') ||
			    (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')) ? *s : '_';
	out[j] = '\0';
	if (!j || !strcmp(out, "_"))
		snprintf(out, len, "project");
}

static void write_config(FILE *f, const char *name, const char *programs,
			 const struct vh_program_list *list)
{
	struct vh_kernel_conf kconf;
	char errbuf[256];

	fprintf(f,
		"# " VH_PCONF_FILE ": how bpfgate builds, verifies and gates this project's eBPF\n"
		"# programs. Written by 'bpfgate init'; the format is in bpfgate-init(8) and\n"
		"# docs/adopting.md. Paths are relative to this file's folder and stay inside\n"
		"# it. Comments start with '#' or ';'; quote a value (\"...\") to keep them in it.\n"
		"# Command-line options and make variables override what is set here.\n\n"
		"[project]\n"
		"name = %s\n"
		"# the folder of the programs: each NAME.bpf.c, and each folder NAME/ of\n"
		"# *.bpf.c files, is one program\n"
		"programs = %s\n"
		"# %zu program%s found there:\n",
		name, programs, list->n, list->n == 1 ? "" : "s");
	for (size_t i = 0; i < list->n; i++)
		fprintf(f, "#   %s\n", list->names[i]);
	/* where make baseline PROGRAMS_DIR=... writes it by default */
	fprintf(f,
		"# the gate's reference statistics, per kernel ('make baseline' writes them;\n"
		"# check the file in)\n"
		"baseline = %s%sbpfgate-baseline.json\n"
		"# the kernels to verify on: series of the kernel matrix, or host\n",
		strcmp(programs, ".") ? programs : "", strcmp(programs, ".") ? "/" : "");
	if (!vh_kernel_conf__load(&kconf, errbuf, sizeof(errbuf))) {
		fprintf(f, "kernels =");
		for (size_t i = 0; i < kconf.n; i++)
			if (strcmp(kconf.v[i].series, "host"))
				fprintf(f, " %s", kconf.v[i].series);
		fprintf(f, " host\n");
		vh_kernel_conf__free(&kconf);
	} else {
		fprintf(f, "kernels = host\n");
	}
	fprintf(f,
		"# a kernel matrix of the project's own (default: bpfgate's ci/kernels.conf)\n"
		"# kernels_conf = ci/kernels.conf\n\n"
		"[gate]\n"
		"# largest growth of a program's processed instructions over the baseline\n"
		"max_growth = %g%%\n"
		"# largest share of the verifier's 1M instruction limit one program may use\n"
		"max_share = %g%%\n"
		"# a kernel the baseline does not cover: error, or warn\n"
		"# baseline_missing = error\n"
		"# true: a program gone since the baseline is no regression\n"
		"# allow_removed = false\n\n"
		"[build]\n"
		"# extra clang flags of every program\n"
		"# cflags = -DDEBUG=0\n"
		"# include folders, searched before bpfgate's own (its vmlinux.h, bpfgate.h)\n"
		"# includes = include\n"
		"# clang = clang-19\n\n"
		"# Settings of the programs whose name matches GLOB (or NAME:FUNCTION for one\n"
		"# function of a program); the last section that sets a key wins.\n"
		"# [program \"GLOB\"]\n"
		"# expect = pass          ; pass, fail or skip\n"
		"# exclude = true         ; neither built nor verified\n"
		"# cflags = -DEXTRA=1     ; extra clang flags of this program\n"
		"# type = xdp             ; program type when its section name says none\n\n"
		"# A functional test executable, run in each kernel (bpfgate verify --test).\n"
		"# [test \"NAME\"]\n"
		"# exe = build/test_NAME\n"
		"# timeout = 60\n",
		VH_COMPARE_DEFAULT_MAX_GROWTH, VH_COMPARE_DEFAULT_MAX_SHARE);
}

/* Write TEXT to DIR/bpfgate.conf whole or not at all: a temporary file in DIR,
 * synced, then linked in place (refuses an existing file) or renamed over it. */
static int write_atomic(const char *dir, const char *text, size_t len, bool force)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/." VH_PCONF_FILE ".XXXXXX", dir) >= (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/" VH_PCONF_FILE, dir) >= (int)sizeof(dst)) {
		vh_err(dir, "path too long");
		return -ENAMETOOLONG;
	}
	if (!force && !access(dst, F_OK)) {
		vh_err(dst, "exists (use --force to replace it)");
		return -EEXIST;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		vh_err(dir, "cannot write: %s", strerror(errno));
		return err;
	}
	if (fchmod(fd, 0644) || write(fd, text, len) != (ssize_t)len || fsync(fd)) {
		err = -(errno ?: EIO);
		vh_err(dst, "cannot write: %s", strerror(-err));
	}
	if (close(fd) && !err) {
		err = -errno;
		vh_err(dst, "cannot write: %s", strerror(errno));
	}
	if (!err && (force ? rename(tmp, dst) : link(tmp, dst))) {
		err = -errno;
		if (errno == EEXIST)
			vh_err(dst, "exists (use --force to replace it)");
		else
			vh_err(dst, "cannot write: %s", strerror(errno));
	}
	unlink(tmp); /* after link(), or after a failure; a no-op after rename() */
	return err;
}

int do_init(int argc, char **argv)
{
	const char *dir = ".", *programs;
	struct vh_program_list list = { 0 };
	struct init_args args = { 0 };
	bool force, to_stdout;
	struct best best = { .rel = "." };
	char name[64], path[PATH_MAX], *text = NULL, errbuf[512];
	struct vh_project_config check;
	struct stat st;
	size_t len = 0;
	int first, err, ret = VH_EXIT_USAGE;
	FILE *f;

	first = vh_opts__parse(&init_cmd, argc, argv, init_opt, &args, false);
	if (first <= 0)
		return first ? VH_EXIT_USAGE : VH_EXIT_OK;
	programs = args.programs;
	force = args.force;
	to_stdout = args.to_stdout;
	if (argc - first > 1) {
		vh_err("init", "expected at most one folder, got %d (try 'bpfgate init --help')",
		       argc - first);
		return VH_EXIT_USAGE;
	}
	if (argc - first == 1)
		dir = argv[first];
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		vh_err(dir, "not a folder");
		return VH_EXIT_USAGE;
	}
	if (programs) {
		snprintf(best.rel, sizeof(best.rel), "%s", programs);
	} else {
		search(dir, ".", 0, &best);
		if (!best.n) {
			vh_err(dir, "no eBPF programs (*.bpf.c) found here or %d levels down "
			       "(use --programs DIR)", SEARCH_DEPTH);
			return VH_EXIT_USAGE;
		}
	}
	if (snprintf(path, sizeof(path), "%s/%s", dir, best.rel) >= (int)sizeof(path)) {
		vh_err(dir, "path too long");
		return VH_EXIT_USAGE;
	}
	err = vh_program_list__read(&list, path);
	if (err) {
		vh_err(path, "cannot read the programs folder: %s", strerror(-err));
		return VH_EXIT_USAGE;
	}
	if (!list.n) {
		vh_err(path, "no eBPF programs (*.bpf.c) in this folder");
		goto out;
	}
	project_name(dir, name, sizeof(name));
	f = open_memstream(&text, &len);
	if (!f) {
		vh_err("init", "out of memory");
		goto out;
	}
	write_config(f, name, best.rel, &list);
	if (fclose(f)) {
		vh_err("init", "out of memory");
		goto out;
	}
	/* what init writes must read back (a --programs that leaves DIR does not) */
	if (vh_project_config__parse(&check, text, len, VH_PCONF_FILE, dir, errbuf,
				     sizeof(errbuf))) {
		vh_err(NULL, "%s", errbuf);
		goto out;
	}
	vh_project_config__free(&check);
	if (to_stdout) {
		fputs(text, stdout);
		ret = VH_EXIT_OK;
		goto out;
	}
	if (write_atomic(dir, text, len, force))
		goto out;
	printf("wrote %s/" VH_PCONF_FILE ": %zu program%s in %s\n", dir, list.n,
	       list.n == 1 ? "" : "s", best.rel);
	ret = VH_EXIT_OK;
out:
	free(text);
	vh_program_list__free(&list);
	return ret;
}
