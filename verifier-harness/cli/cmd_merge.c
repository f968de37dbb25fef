// SPDX-License-Identifier: BSD-2-Clause
/*
 * cmd_merge.c: bpfgate merge [OPTIONS] RESULT.json...: the per-kernel results of a
 * sharded run (one CI job per kernel) read back as one run, and everything
 * `bpfgate verify` makes of a run: JSON, JUnit, Markdown, annotations, the
 * summary, the gate and its exit status (vh_verify__finish, the same code).
 */
#include <string.h>

#include "commands.h"
#include "diag.h"
#include "options.h"
#include "result_json.h"
#include "verify_cfg.h"

#ifndef BPFGATE_VERSION
#define BPFGATE_VERSION "0.0.0"
#endif

static const struct vh_opt *const merge_opts[] = {
	&vh_opt_config, &vh_opt_json, &vh_opt_pretty, &vh_opt_table, &vh_opt_junit, &vh_opt_markdown,
	&vh_opt_html, &vh_opt_baseline, &vh_opt_max_growth, &vh_opt_max_share, &vh_opt_baseline_missing,
	&vh_opt_allow_removed, &vh_opt_help, NULL,
};

static const struct vh_cmd_opts merge_cmd = {
	.cmd = "merge",
	.synopsis = "[OPTIONS] RESULT.json...",
	.about = "Read the results of several runs of 'bpfgate verify --json' (one per kernel of\n"
		 "a sharded CI run) as one run, and report and gate it as 'bpfgate verify' does.",
	.epilog = "Exit status: as bpfgate verify's: 0 every program passed (or was skipped with\n"
		  "a reason), 1 a program or test failed or regressed, 2 usage error, an\n"
		  "unreadable or malformed file, a program that could not be verified, or a\n"
		  "baseline with no row of any kernel (unless --baseline-missing=warn).\n",
	.opts = merge_opts,
};

static int merge_opt(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	int ret = vh_verify_cfg__shared_opt(ctx, o, v);

	return ret < 0 ? ret : 0;
}

int do_merge(int argc, char **argv)
{
	struct verify_cfg cfg = { 0 };
	struct vh_result_set set = { 0 };
	char errbuf[512];
	int first, status = VH_EXIT_USAGE;

	first = vh_opts__parse(&merge_cmd, argc, argv, merge_opt, &cfg, false);
	if (first <= 0)
		return first ? VH_EXIT_USAGE : VH_EXIT_OK;
	if (first >= argc) {
		vh_err("merge", "no result files given (try 'bpfgate merge --help')");
		return VH_EXIT_USAGE;
	}
	if (vh_verify_cfg__config(&cfg, false))
		goto cleanup;
	for (int i = first; i < argc; i++) {
		if (vh_result_set__read_json(argv[i], &set, errbuf, sizeof(errbuf))) {
			vh_err(argv[i], "%s", errbuf);
			goto cleanup;
		}
	}
	if (!set.version)
		set.version = strdup(BPFGATE_VERSION);
	status = vh_verify__finish(&cfg, &set, VH_EXIT_OK);
cleanup:
	vh_result_set__free(&set);
	vh_verify_cfg__free(&cfg);
	return status;
}
