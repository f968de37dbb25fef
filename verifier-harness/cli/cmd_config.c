// SPDX-License-Identifier: BSD-2-Clause
/*
 * cmd_config.c: bpfgate config check|get KEY|make, the project's bpfgate.conf for
 * scripts and for compiler/bpf.mk (which cannot parse the file itself: it includes
 * what 'config make' prints, so the file has one parser).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "options.h"
#include "project_config.h"
#include "project_programs.h"

enum { OPT_PROGRAMS_DIR = VH_OPT_CMD };

static const struct vh_opt opt_programs_dir = {
	OPT_PROGRAMS_DIR, "programs-dir", 0, VH_OPT_STR, "DIR",
	.help = "with make: also the programs of DIR get their [program] settings (the folder "
		"make builds)",
};

static const struct vh_opt *const config_opts[] = {
	&vh_opt_config, &opt_programs_dir, &vh_opt_help, NULL,
};

static const struct vh_cmd_opts config_cmd = {
	.cmd = "config",
	.synopsis = "[OPTIONS] check|get SECTION.KEY|make",
	.about = "Read the project's config (" VH_PCONF_FILE ", format in bpfgate-init(8)).\n"
		 "  check  read it; say what is wrong at FILE:LINE\n"
		 "  get    print one value of [project], [gate] or [build], e.g. project.programs\n"
		 "         (paths resolved against the config's folder)\n"
		 "  make   print it as make variables, for compiler/bpf.mk",
	.epilog = "Exit status: 0 ok, 1 get: the key is not set, 2 usage error, unknown key,\n"
		  "or a config that cannot be read or is invalid.\n",
	.opts = config_opts,
};

struct config_args {
	const char *path, *programs_dir;
};

static int config_opt(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	struct config_args *a = ctx;

	if (o->id == VH_OPT_CONFIG)
		a->path = v->str;
	else if (o->id == OPT_PROGRAMS_DIR)
		a->programs_dir = v->str;
	return 0;
}

/* A value in a make assignment: '$' and '#' taken literally. */
static void put_make_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '$')
			fputc('$', f);
		else if (*s == '#')
			fputc('\\', f);
		fputc(*s, f);
	}
}

static void put_var(FILE *f, const char *var, const char *val)
{
	fprintf(f, "%s := ", var);
	put_make_value(f, val);
	fputc('\n', f);
}

/* A program name that can be part of a make variable's name. */
static bool make_safe(const char *name)
{
	return name[strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789._+-")] == '\0';
}

/* Per-program settings of the programs of DIR (exclusions and clang flags). */
static int program_vars(FILE *f, const struct vh_project_config *conf, const char *dir,
			char **excluded)
{
	struct vh_program_list list;
	struct vh_pconf_match m;
	int err = vh_program_list__read(&list, dir);

	if (err == -ENOENT)
		return 0;
	if (err) {
		vh_err(dir, "cannot read the programs folder: %s", strerror(-err));
		return err;
	}
	for (size_t i = 0; i < list.n && !err; i++) {
		const char *n = list.names[i];
		char var[256];

		if (!make_safe(n))
			continue;
		err = vh_project_config__match(conf, n, NULL, &m);
		if (err)
			break;
		if (m.cflags) {
			snprintf(var, sizeof(var), "BPF_CONFIG_CFLAGS_%s", n);
			put_var(f, var, m.cflags);
		}
		free(m.cflags);
		if (m.exclude == 1) {
			char *x = *excluded ? NULL : strdup(n);

			if (*excluded && asprintf(&x, "%s %s", *excluded, n) < 0)
				x = NULL;
			free(*excluded);
			*excluded = x;
			if (!x)
				err = -ENOMEM;
		}
	}
	vh_program_list__free(&list);
	return err;
}

static bool same_folder(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	if (!b)
		return false;
	if (!realpath(a, ra) || !realpath(b, rb))
		return !strcmp(a, b);
	return !strcmp(ra, rb);
}

static int print_make(const struct vh_project_config *conf, const char *programs_dir)
{
	/* values of the file that the Makefile's targets may use, under these names */
	static const char *const vars[][2] = {
		{ "project.name", "BPF_CONFIG_NAME" },
		{ "project.baseline", "BPF_CONFIG_BASELINE" },
		{ "project.kernels", "BPF_CONFIG_KERNELS" },
		{ "project.kernels_conf", "BPF_CONFIG_KERNELS_CONF" },
		{ "gate.max_growth", "BPF_CONFIG_MAX_GROWTH" },
		{ "gate.max_share", "BPF_CONFIG_MAX_SHARE" },
		{ "gate.baseline_missing", "BPF_CONFIG_BASELINE_MISSING" },
		{ "gate.allow_removed", "BPF_CONFIG_ALLOW_REMOVED" },
		{ "build.cflags", "BPF_CONFIG_CFLAGS" },
		{ "build.clang", "CLANG" },
	};
	char *excluded = NULL, *val;
	int err = 0;

	printf("# %s, as make variables ('bpfgate config make')\n", conf->path);
	if (conf->programs) {
		put_var(stdout, "PROGRAMS_DIR", conf->programs);
		/* a project's programs are built as they are, without -Werror */
		put_var(stdout, "BPF_WERROR", "0");
	}
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		err = vh_project_config__get(conf, vars[i][0], &val);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		put_var(stdout, vars[i][1], val);
		free(val);
	}
	if (conf->includes) {
		char *copy = strdup(conf->includes), *tok, *save = NULL;

		if (!copy)
			return -ENOMEM;
		printf("BPF_CONFIG_INCLUDES :=");
		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			printf(" -I");
			put_make_value(stdout, tok);
		}
		printf("\n");
		free(copy);
	}
	if (conf->ntests) {
		printf("BPF_CONFIG_TESTS :=");
		for (size_t i = 0; i < conf->ntests; i++) {
			printf(" ");
			put_make_value(stdout, conf->tests[i].exe);
		}
		printf("\n");
	}
	if (conf->programs)
		err = program_vars(stdout, conf, conf->programs, &excluded);
	if (!err && programs_dir && !same_folder(programs_dir, conf->programs))
		err = program_vars(stdout, conf, programs_dir, &excluded);
	if (!err && excluded)
		put_var(stdout, "BPF_EXCLUDE", excluded);
	free(excluded);
	return err;
}

int do_config(int argc, char **argv)
{
	struct config_args args = { .path = VH_PCONF_FILE };
	const char *path, *programs_dir, *verb;
	struct vh_project_config conf;
	char errbuf[512], *val;
	int first, err, ret = VH_EXIT_USAGE;

	first = vh_opts__parse(&config_cmd, argc, argv, config_opt, &args, false);
	if (first <= 0)
		return first ? VH_EXIT_USAGE : VH_EXIT_OK;
	path = args.path;
	programs_dir = args.programs_dir;
	verb = first < argc ? argv[first] : NULL;
	if (!verb || (strcmp(verb, "check") && strcmp(verb, "get") && strcmp(verb, "make"))) {
		vh_err("config", "expected check, get KEY or make (try 'bpfgate config --help')");
		return VH_EXIT_USAGE;
	}
	if (argc - first != (strcmp(verb, "get") ? 1 : 2)) {
		vh_err(verb, "wrong number of arguments (try 'bpfgate config --help')");
		return VH_EXIT_USAGE;
	}
	err = vh_project_config__load(&conf, path, errbuf, sizeof(errbuf));
	if (err) {
		vh_err(NULL, "%s", errbuf);
		return VH_EXIT_USAGE;
	}
	if (!strcmp(verb, "check")) {
		printf("%s: ok\n", path);
		ret = VH_EXIT_OK;
	} else if (!strcmp(verb, "get")) {
		err = vh_project_config__get(&conf, argv[first + 1], &val);
		if (!err) {
			printf("%s\n", val);
			free(val);
			ret = VH_EXIT_OK;
		} else if (err == -ENOENT) {
			ret = VH_EXIT_FAIL;
		} else if (err == -EINVAL) {
			vh_err(argv[first + 1], "no such key (SECTION.KEY of [project], [gate] or "
			       "[build], e.g. project.programs)");
		} else {
			vh_err(argv[first + 1], "%s", strerror(-err));
		}
	} else {
		err = print_make(&conf, programs_dir);
		if (err)
			vh_err(path, "%s", strerror(-err));
		else
			ret = VH_EXIT_OK;
	}
	vh_project_config__free(&conf);
	return ret;
}
