// SPDX-License-Identifier: BSD-2-Clause
/* cmd_compare.c: bpfgate compare BASE.json NEW.json, the statistics regression gate. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "diag.h"
#include "options.h"
#include "result_json.h"
#include "term_line.h"

static const struct vh_opt *const compare_opts[] = {
	&vh_opt_max_growth, &vh_opt_max_share, &vh_opt_max_time_growth, &vh_opt_baseline_missing,
	&vh_opt_allow_removed, &vh_opt_json, &vh_opt_help, NULL,
};

static const struct vh_cmd_opts compare_cmd = {
	.cmd = "compare",
	.synopsis = "[OPTIONS] BASE NEW",
	.about = "Compare the verifier statistics of two results of 'bpfgate verify --json'\n"
		 "(or CSV of 'bpfgate verify -o csv' or 'veristat -o csv', told apart by their\n"
		 "content), program by program (matched by kernel, object file name and program;\n"
		 "a kernel missing from BASE by another release of its series), and fail when NEW\n"
		 "regressed. A CSV without a kernel column stands for the other file's kernel.",
	.epilog = "A file name of - reads standard input; files over 64 MiB are refused.\n"
		  "Verification time is shown, and fails only with --max-time-growth (it is\n"
		  "noisy). 'bpfgate verify --baseline FILE' runs the same comparison after\n"
		  "verifying.\n"
		  "Exit status: 0 no regression, 1 a program newly fails, exceeds a limit or was\n"
		  "removed, 2 usage error, an unreadable or malformed file, or a BASE with no row\n"
		  "of any kernel of NEW (unless --baseline-missing=warn).\n",
	.opts = compare_opts,
};

static int compare_opt(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	struct vh_compare_opts *opts = ctx;

	switch (o->id) {
	case VH_OPT_MAX_GROWTH:
		opts->max_growth_pct = v->num;
		break;
	case VH_OPT_MAX_SHARE:
		opts->max_share_pct = v->num;
		break;
	case VH_OPT_MAX_TIME_GROWTH:
		opts->optional_gates |= 1u << VH_STAT_TIME;
		opts->growth_pct[VH_STAT_TIME] = v->num;
		break;
	case VH_OPT_BASELINE_MISSING:
		opts->missing = v->idx ? VH_MISSING_WARN : VH_MISSING_ERROR;
		break;
	case VH_OPT_ALLOW_REMOVED:
		opts->allow_removed = true;
		break;
	case VH_OPT_JSON:
		opts->json = true;
		break;
	}
	return 0;
}

static int load(const char *path, struct vh_result_set *set)
{
	char errbuf[512];
	int err;

	err = vh_result_set__read_any(path, set, errbuf, sizeof(errbuf));
	if (err)
		vh_err(path, "%s", errbuf);
	return err;
}

/* The one kernel of a set's results: 1 and *k (NULL when they name none), or 0
 * when they name several. */
static int one_kernel(const struct vh_result_set *set, const char **k)
{
	*k = set->n ? set->v[0].kernel : NULL;
	for (size_t i = 1; i < set->n; i++)
		if (!set->v[i].kernel != !*k || (*k && strcmp(set->v[i].kernel, *k)))
			return 0;
	return 1;
}

/*
 * veristat's CSV names no kernel: its results stand for the other file's kernel
 * (when it has one), so that a veristat run compares with a bpfgate run on the
 * same machine. 0, or -EINVAL (said) when the other file has several kernels.
 */
static int adopt_kernel(struct vh_result_set *set, const char *path,
			const struct vh_result_set *other)
{
	const char *mine, *theirs;

	/* only a set whose results name no kernel at all */
	if (!set->n || !one_kernel(set, &mine) || mine)
		return 0;
	if (!one_kernel(other, &theirs)) {
		vh_err(path, "has no kernel column, and the other file has results of several "
		       "kernels: compare it with results of one kernel");
		return -EINVAL;
	}
	if (!theirs)
		return 0; /* neither names one */
	for (size_t i = 0; i < set->n; i++)
		if (!(set->v[i].kernel = strdup(theirs)))
			return -ENOMEM;
	return 0;
}

int do_compare(int argc, char **argv)
{
	struct vh_compare_opts opts = { 0 };
	struct vh_result_set base = {}, cur = {};
	const char *no_color = getenv("NO_COLOR");
	int first, err, ret = VH_EXIT_USAGE;

	first = vh_opts__parse(&compare_cmd, argc, argv, compare_opt, &opts, false);
	if (first <= 0)
		return first ? VH_EXIT_USAGE : VH_EXIT_OK;
	if (argc - first != 2) {
		vh_err("compare", "expected two files, BASE NEW, got %d "
		       "(try 'bpfgate compare --help')", argc - first);
		return VH_EXIT_USAGE;
	}
	opts.color = !opts.json && isatty(STDOUT_FILENO) && !(no_color && *no_color);
	opts.width = vh_term__width(STDOUT_FILENO);
	opts.base_name = argv[first];
	/* the table is the point of a comparison asked for on its own */
	opts.table = true;
	if (load(argv[first], &base) || load(argv[first + 1], &cur) ||
	    adopt_kernel(&base, argv[first], &cur) || adopt_kernel(&cur, argv[first + 1], &base))
		goto cleanup;
	err = vh_compare__sets(stdout, &base, &cur, &opts);
	if (err < 0)
		vh_err("compare", "%s", strerror(-err));
	else
		ret = err;
cleanup:
	vh_result_set__free(&base);
	vh_result_set__free(&cur);
	return ret;
}
