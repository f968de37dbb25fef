// SPDX-License-Identifier: BSD-2-Clause
/* options.c: option tables -> getopt_long, value checks, --help. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "options.h"

/* --- the options several commands share ------------------------------------------- */

const struct vh_opt vh_opt_json = {
	VH_OPT_JSON, "json", 'j', VH_OPT_FLAG, .help = "print the results as JSON on stdout",
};
const struct vh_opt vh_opt_pretty = {
	VH_OPT_PRETTY, "pretty", 'p', VH_OPT_FLAG, .help = "indent the JSON (implies --json)",
};
const struct vh_opt vh_opt_junit = {
	VH_OPT_JUNIT, "junit", 0, VH_OPT_STR, "FILE", .help = "also write JUnit XML to FILE",
};
const struct vh_opt vh_opt_markdown = {
	VH_OPT_MARKDOWN, "markdown", 0, VH_OPT_STR, "FILE",
	.help = "also write a Markdown summary to FILE (appended to $GITHUB_STEP_SUMMARY "
		"when set)",
};
const struct vh_opt vh_opt_html = {
	VH_OPT_HTML, "html", 0, VH_OPT_STR, "FILE",
	.help = "also write a self-contained HTML report to FILE (matrix, charts, log viewer)",
};
const struct vh_opt vh_opt_jobs = {
	VH_OPT_JOBS, "jobs", 0, VH_OPT_INT, "N", 1, 1024, .def_doc = "number of CPUs",
	.help = "parallel workers",
};
int vh_opt_jobs_default(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus > 0 ? (int)cpus : 1;
}

const struct vh_opt vh_opt_timeout = {
	VH_OPT_TIMEOUT, "timeout", 0, VH_OPT_INT, "SECONDS", 1, 86400,
	.def_doc = "sized for TCG or KVM", .help = "deadline of each VM",
};
const struct vh_opt vh_opt_test_timeout = {
	VH_OPT_TEST_TIMEOUT, "test-timeout", 0, VH_OPT_INT, "SECONDS", 1, 86400, .def = "120",
	.help = "deadline of each functional test",
};
const struct vh_opt vh_opt_baseline = {
	VH_OPT_BASELINE, "baseline", 0, VH_OPT_STR, "FILE",
	.help = "compare statistics with a baseline (a saved JSON result); exit 1 on regression",
};
const struct vh_opt vh_opt_max_growth = {
	VH_OPT_MAX_GROWTH, "max-growth", 0, VH_OPT_PCT, "PCT", 0, 1000, .def = "10",
	.help = "gate: largest allowed growth of a program's insns processed",
};
const struct vh_opt vh_opt_max_share = {
	VH_OPT_MAX_SHARE, "max-share", 0, VH_OPT_PCT, "PCT", 0, 100, .def = "25",
	.help = "gate: largest share of the verifier's insn limit (1M) a program may process",
};
const struct vh_opt vh_opt_max_time_growth = {
	VH_OPT_MAX_TIME_GROWTH, "max-time-growth", 0, VH_OPT_PCT, "PCT", 0, 100000,
	.def_doc = "not checked",
	.help = "gate: largest allowed growth of a program's verification time (it is noisy)",
};
const struct vh_opt vh_opt_baseline_missing = {
	VH_OPT_BASELINE_MISSING, "baseline-missing", 0, VH_OPT_ENUM, "error|warn",
	.choices = "error|warn", .def = "error",
	.help = "gate: when the baseline has no row of any kernel run, fail (exit 2) or warn",
};
const struct vh_opt vh_opt_allow_removed = {
	VH_OPT_ALLOW_REMOVED, "allow-removed", 0, VH_OPT_FLAG,
	.help = "gate: a program of the baseline missing from the run is not a regression",
};
const struct vh_opt vh_opt_table = {
	VH_OPT_TABLE, "table", 0, VH_OPT_FLAG,
	.help = "print every program and the full comparison table, not only the summary",
};
const struct vh_opt vh_opt_no_cache = {
	VH_OPT_NO_CACHE, "no-cache", 0, VH_OPT_FLAG,
	.help = "load every program, without reading or writing the result cache",
};
const struct vh_opt vh_opt_progress = {
	VH_OPT_PROGRESS, "progress", 0, VH_OPT_ENUM, "auto|always|never",
	.choices = "auto|always|never", .def = "auto",
	.help = "progress of host verification on stderr: auto (on a terminal), always "
		"(plain lines off a terminal), never",
};
const struct vh_opt vh_opt_verbose = {
	VH_OPT_VERBOSE, "verbose", 'v', VH_OPT_FLAG,
	.help = "print the full verifier log of failures; twice: libbpf debug output",
};
const struct vh_opt vh_opt_config = {
	VH_OPT_CONFIG, "config", 'c', VH_OPT_STR, "FILE", .def_doc = "./bpfgate.conf when there is one",
	.help = "the project's config: its baseline, gate, kernels and tests, under the options "
		"given here",
};
const struct vh_opt vh_opt_emit = {
	VH_OPT_EMIT, "emit", 'e', VH_OPT_STR, "STATS",
	.help = "the table's (or CSV's) columns, comma-separated: veristat's names (file, prog, "
		"verdict, insns, states, duration, ...) or the JSON's",
};
const struct vh_opt vh_opt_sort = {
	VH_OPT_SORT, "sort", 's', VH_OPT_STR, "SPEC",
	.help = "order of the table, CSV and JSON: names as for --emit, each followed by ^ "
		"(ascending) or v (descending) if wanted",
};
const struct vh_opt vh_opt_filter = {
	VH_OPT_FILTER, "filter", 'f', VH_OPT_STR, "EXPR",
	.help = "show only matching results (repeatable): GLOB, FILE/PROG, insns>N, "
		"verdict=failure, prog_type=xdp; !EXPR hides",
};
const struct vh_opt vh_opt_format = {
	VH_OPT_FORMAT, "format", 'o', VH_OPT_ENUM, "table|csv|json",
	.choices = "table|csv|json", .def_doc = "the short summary",
	.help = "print the results as the table (as --table), CSV, or JSON (as --json)",
};
const struct vh_opt vh_opt_output_format = {
	VH_OPT_FORMAT, "output-format", 0, VH_OPT_ENUM, "FMT", .choices = "table|csv|json",
	.help = "the same as --format (veristat's name)",
};
const struct vh_opt vh_opt_help = {
	VH_OPT_HELP, "help", 'h', VH_OPT_FLAG, .help = "show this help",
};

/* --- values ----------------------------------------------------------------------- */

static int bad_value(const struct vh_opt *o, const char *arg)
{
	char opt[64];

	snprintf(opt, sizeof(opt), "--%s", o->name);
	switch (o->type) {
	case VH_OPT_INT:
		vh_err(opt, "'%s' is not a whole number from %.15g to %.15g", arg, o->min, o->max);
		break;
	case VH_OPT_PCT:
		vh_err(opt, "'%s' is not a percentage from %.15g to %.15g", arg, o->min, o->max);
		break;
	case VH_OPT_ENUM:
		vh_err(opt, "'%s' is not one of %s", arg, o->choices);
		break;
	default:
		vh_err(opt, "'%s' is not a valid value", arg);
		break;
	}
	return -EINVAL;
}

/* index of arg among "a|b|c", or -1 */
static int choice(const char *choices, const char *arg)
{
	size_t len = strlen(arg);
	int i = 0;

	for (const char *p = choices; p; i++) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		if (len && n == len && !strncmp(p, arg, n))
			return i;
		p = bar ? bar + 1 : NULL;
	}
	return -1;
}

int vh_opts__value(const struct vh_opt *o, const char *arg, struct vh_opt_val *v)
{
	char *end;

	memset(v, 0, sizeof(*v));
	v->str = arg;
	switch (o->type) {
	case VH_OPT_FLAG:
	case VH_OPT_STR:
		return 0;
	case VH_OPT_ENUM:
		v->idx = choice(o->choices, arg);
		return v->idx < 0 ? bad_value(o, arg) : 0;
	case VH_OPT_INT:
	case VH_OPT_PCT:
		break;
	}
	/* strtod skips leading blanks and reads "nan", "inf" and hex: a number
	 * starts with a digit (or a sign, refused by the range) and is decimal */
	if ((!isdigit((unsigned char)arg[0]) && arg[0] != '-' && arg[0] != '.') ||
	    arg[strspn(arg, "0123456789.eE+-%")])
		return bad_value(o, arg);
	errno = 0;
	if (o->type == VH_OPT_INT) {
		long n = strtol(arg, &end, 10);

		v->num = (double)n;
	} else {
		v->num = strtod(arg, &end);
		if (end != arg && *end == '%')
			end++;
	}
	if (end == arg || *end || errno || !isfinite(v->num) || v->num < o->min ||
	    v->num > o->max)
		return bad_value(o, arg);
	return 0;
}

/* --- help ------------------------------------------------------------------------- */

#define HELP_COL 28
#define HELP_WIDTH 79

/* text from column col, words wrapped at HELP_WIDTH, continuation at HELP_COL */
static void put_wrapped(FILE *f, const char *text, size_t col)
{
	const char *p = text;

	while (*p) {
		const char *word = p;
		size_t n;

		while (*p && *p != ' ')
			p++;
		n = (size_t)(p - word);
		if (col > HELP_COL && col + 1 + n > HELP_WIDTH) {
			fprintf(f, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (col > HELP_COL) {
			fputc(' ', f);
			col++;
		}
		fwrite(word, 1, n, f);
		col += n;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

void vh_opts__usage(FILE *f, const struct vh_cmd_opts *c)
{
	fprintf(f, "Usage: bpfgate %s %s\n\n%s\n\nOptions:\n", c->cmd, c->synopsis, c->about);
	for (const struct vh_opt *const *op = c->opts; *op; op++) {
		const struct vh_opt *o = *op;
		char left[64], help[512];
		int n;

		n = snprintf(left, sizeof(left), "  %c%c%s--%s%s%s", o->shortname ? '-' : ' ',
			     o->shortname ?: ' ', o->shortname ? ", " : "  ", o->name,
			     o->arg ? " " : "", o->arg ?: "");
		if (o->def_doc || o->def)
			snprintf(help, sizeof(help), "%s (default: %s%s)", o->help,
				 o->def_doc ?: o->def, !o->def_doc && o->type == VH_OPT_PCT ? "%" : "");
		else
			snprintf(help, sizeof(help), "%s", o->help);
		if (n >= HELP_COL - 1) {
			fprintf(f, "%s\n%*s", left, HELP_COL, "");
			n = HELP_COL;
		} else {
			fprintf(f, "%-*s", HELP_COL, left);
			n = HELP_COL;
		}
		put_wrapped(f, help, (size_t)n);
	}
	if (c->epilog)
		fprintf(f, "\n%s", c->epilog);
}

/* --- parsing ---------------------------------------------------------------------- */

static size_t count(const struct vh_cmd_opts *c)
{
	size_t n = 0;

	while (c->opts[n])
		n++;
	return n;
}

int vh_opts__parse(const struct vh_cmd_opts *c, int argc, char **argv, vh_opt_fn fn, void *ctx,
		   bool stop_at_operand)
{
	size_t n = count(c), ns = 0;
	struct option *longopts = calloc(n + 1, sizeof(*longopts));
	char *shorts = malloc(3 * n + 3);
	struct vh_opt_val v;
	int opt, ret = -EINVAL;

	if (!longopts || !shorts) {
		vh_err(c->cmd, "out of memory");
		goto cleanup;
	}
	if (stop_at_operand)
		shorts[ns++] = '+';
	shorts[ns++] = ':';
	for (size_t i = 0; i < n; i++) {
		const struct vh_opt *o = c->opts[i];
		bool has_arg = o->type != VH_OPT_FLAG;

		longopts[i] = (struct option){ o->name, has_arg ? required_argument : no_argument,
					       NULL, 256 + (int)i };
		if (o->shortname) {
			shorts[ns++] = o->shortname;
			if (has_arg)
				shorts[ns++] = ':';
		}
		if (o->def && vh_opts__value(o, o->def, &v))
			goto cleanup;
		v.dflt = true;
		if (o->def && fn(ctx, o, &v))
			goto cleanup;
	}
	shorts[ns] = '\0';
	optind = 0; /* 0, not 1: GNU getopt then forgets the state of an earlier scan */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		const struct vh_opt *o = NULL;

		if (opt >= 256 && (size_t)(opt - 256) < n)
			o = c->opts[opt - 256];
		for (size_t i = 0; !o && i < n; i++)
			if (opt == c->opts[i]->shortname)
				o = c->opts[i];
		if (opt == ':') {
			vh_err(argv[optind - 1], "needs an argument (try 'bpfgate %s --help')", c->cmd);
			goto cleanup;
		}
		if (!o) {
			vh_err(argv[optind - 1], "unknown option (try 'bpfgate %s --help')", c->cmd);
			goto cleanup;
		}
		if (o->id == VH_OPT_HELP) {
			vh_opts__usage(stdout, c);
			ret = 0;
			goto cleanup;
		}
		if (vh_opts__value(o, o->type == VH_OPT_FLAG ? "" : optarg, &v) || fn(ctx, o, &v))
			goto cleanup;
	}
	ret = optind;
cleanup:
	free(longopts);
	free(shorts);
	return ret;
}
