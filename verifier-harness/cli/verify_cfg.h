/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify_cfg.h: what a verify run was asked for, and its end: the gate, the
 * reports and the exit status. `bpfgate verify` fills it from its options and
 * runs programs; `bpfgate merge` fills the same output and gate fields from the
 * same shared options and reads results; both end in vh_verify__finish(), so
 * every output and the exit status follow one set of rules.
 */
#ifndef BPFGATE_VERIFY_CFG_H
#define BPFGATE_VERIFY_CFG_H

#include <stdbool.h>

#include "compare.h"
#include "project_config.h"
#include "object_verify.h"
#include "options.h"
#include "result.h"
#include "result_view.h"

struct verify_cfg {
	struct vh_verify_opts vopts;
	bool json, pretty, table;
	bool no_cache;              /* --no-cache */
	int progress;               /* --progress: index in auto|always|never */
	const char *junit, *markdown, *baseline, *backend, *btf;
	const char *html;           /* --html FILE */
	bool full_log;              /* --full-log: the full logs of failures in the JSON */
	const char **kernels;
	int nkernels;
	const char **tests;
	int ntests;
	const char *probe;
	int jobs, timeout_s, test_timeout_s, verbose;
	struct vh_compare_opts cmp;
	struct vh_view view;        /* -e, -s, -f, -o: what stdout shows */
	const char *config;         /* --config FILE */
	unsigned long long given;   /* 1 << id of each shared option on the command line */
	struct vh_project_config *conf; /* the config read, or NULL */
	char **conf_strs;           /* what was taken from it (freed with it) */
	size_t nconf_strs;
};

/*
 * Read the project's config (--config FILE, else ./bpfgate.conf when it exists) and
 * take from it what the command line did not say: the baseline, the gate, and for
 * verify (with_run) the kernels and the functional tests. 0, or -EINVAL after one
 * line on stderr ("bpfgate: FILE:LINE: KEY: why").
 */
int vh_verify_cfg__config(struct verify_cfg *cfg, bool with_run);
void vh_verify_cfg__free(struct verify_cfg *cfg);
/* The config's [program "GLOB"] expect = fail|skip applied to the run's results
 * (programs whose source tags already set an expectation are left alone). */
int vh_verify_cfg__expectations(const struct verify_cfg *cfg, struct vh_result_set *set);
/* Add s to a list of options (--kernel, --test); 0 or -ENOMEM (said). */
int vh_verify_cfg__append(const char ***list, int *n, const char *s);

/*
 * Take one of the options verify and merge share (output, report files, the
 * gate): 1 taken, 0 not one of them, <0 a bad value (message printed).
 */
int vh_verify_cfg__shared_opt(struct verify_cfg *cfg, const struct vh_opt *o,
			      const struct vh_opt_val *v);

/*
 * The end of a run over the results in set (sorted here): compare with the
 * baseline, write every report, print the summary (or the full table), and
 * return the exit status: the worst of status, 1 when a program or test failed,
 * 2 when one could not be verified, and the gate's (vh_compare__status).
 */
int vh_verify__finish(const struct verify_cfg *cfg, struct vh_result_set *set, int status);

#endif
