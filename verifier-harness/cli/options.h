/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * options.h: every command's options, declared once.
 *
 * A command lists its options as a NULL-terminated table of struct vh_opt
 * pointers; options that several commands take (--json, --jobs, the gate's
 * thresholds, report files, deadlines) are the shared vh_opt_* below, so the
 * same option has the same range, default and help everywhere. From the table
 * come the parsing (getopt_long), the validation of each value (a number is
 * finite, in range and has no trailing junk; '%' only for a percentage), the
 * --help text and, through --help, the check of each man page's OPTIONS
 * (tests/e2e/test_help_man.sh).
 */
#ifndef BPFGATE_OPTIONS_H
#define BPFGATE_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

enum vh_opt_type {
	VH_OPT_FLAG,  /* no argument */
	VH_OPT_STR,   /* any text (a file, a pattern) */
	VH_OPT_INT,   /* a whole number from min to max */
	VH_OPT_PCT,   /* a percentage from min to max: "12.5" or "12.5%" */
	VH_OPT_ENUM,  /* one of choices, "a|b|c" */
};

/* ids of the shared options; a command numbers its own from VH_OPT_CMD */
enum vh_opt_id {
	VH_OPT_JSON = 1,
	VH_OPT_PRETTY,
	VH_OPT_JUNIT,
	VH_OPT_MARKDOWN,
	VH_OPT_JOBS,
	VH_OPT_TIMEOUT,
	VH_OPT_TEST_TIMEOUT,
	VH_OPT_BASELINE,
	VH_OPT_MAX_GROWTH,
	VH_OPT_MAX_SHARE,
	VH_OPT_BASELINE_MISSING,
	VH_OPT_ALLOW_REMOVED,
	VH_OPT_TABLE,
	VH_OPT_VERBOSE,
	VH_OPT_HELP,
	VH_OPT_CONFIG,
	VH_OPT_HTML,
	VH_OPT_MAX_TIME_GROWTH,
	VH_OPT_EMIT,
	VH_OPT_SORT,
	VH_OPT_FILTER,
	VH_OPT_FORMAT,
	VH_OPT_NO_CACHE,
	VH_OPT_PROGRESS,
	VH_OPT_CMD = 100,
};

struct vh_opt {
	int id;
	const char *name;    /* long name, without "--" */
	char shortname;      /* 0: none */
	enum vh_opt_type type;
	const char *arg;     /* metavariable in the help: FILE, N, PCT */
	double min, max;     /* VH_OPT_INT, VH_OPT_PCT */
	const char *choices; /* VH_OPT_ENUM: "error|warn" */
	const char *def;     /* the default as a value (parsed like an argument), or NULL */
	const char *def_doc; /* the default as said in the help when def is not enough */
	const char *help;
};

/* A parsed value: str always (the argument as given), num for numbers,
 * idx for an enum (index in choices). */
struct vh_opt_val {
	const char *str;
	double num;
	int idx;
	bool dflt; /* the table's default, not given on the command line */
};

/* Called for each option given (and, from vh_opts__parse, first for each default);
 * returns 0 or a negative errno (after printing its one-line error). */
typedef int (*vh_opt_fn)(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v);

extern const struct vh_opt vh_opt_json, vh_opt_pretty, vh_opt_junit, vh_opt_markdown,
	vh_opt_jobs, vh_opt_timeout, vh_opt_test_timeout, vh_opt_baseline, vh_opt_max_growth,
	vh_opt_max_share, vh_opt_baseline_missing, vh_opt_allow_removed, vh_opt_table,
	vh_opt_verbose, vh_opt_help, vh_opt_config, vh_opt_html, vh_opt_max_time_growth,
	vh_opt_no_cache, vh_opt_progress;
/* veristat's -e, -s, -f and -o (result_view.h) */
extern const struct vh_opt vh_opt_emit, vh_opt_sort, vh_opt_filter, vh_opt_format,
	vh_opt_output_format;

/* --jobs when it is not given: the number of CPUs online (at least 1). */
int vh_opt_jobs_default(void);

/* The gate's defaults, the same for every command and for make. */
#define VH_GATE_MAX_GROWTH_PCT 10.0
#define VH_GATE_MAX_SHARE_PCT 25.0

struct vh_cmd_opts {
	const char *cmd;      /* "verify" */
	const char *synopsis; /* "[OPTIONS] OBJ..." */
	const char *about;    /* paragraph after the usage line */
	const char *epilog;   /* after the options (exit status) */
	const struct vh_opt *const *opts; /* NULL-terminated */
};

/*
 * Parse argv[1..] (argv[0] is the command's name): first fn for each option's
 * default, then for each option given, in order. Stops at the first operand when
 * stop_at_operand (a subcommand), else permutes operands to the end. --help
 * prints the help on stdout. Returns the index of the first operand, 0 after
 * --help, or -EINVAL after printing one line on stderr.
 */
int vh_opts__parse(const struct vh_cmd_opts *c, int argc, char **argv, vh_opt_fn fn, void *ctx,
		   bool stop_at_operand);

/* The help: usage line, about, one line per option with its default, epilog. */
void vh_opts__usage(FILE *f, const struct vh_cmd_opts *c);

/* Check one value against o (the parser's validation). 0 or -EINVAL (message printed). */
int vh_opts__value(const struct vh_opt *o, const char *arg, struct vh_opt_val *v);

#endif
