// SPDX-License-Identifier: BSD-2-Clause
/*
 * cmd_baseline.c: bpfgate baseline update FILE RESULT.json...: a project's baseline
 * grows kernel by kernel. The rows of the kernels in the results replace the rows
 * of FILE the gate would compare them with (the same release, or another release
 * of the same series and kind); the rows of every other kernel stay. The file is written
 * sorted (kernel, oldest first; object file name; program) and without what
 * changes on every run (verification times, boot times, probes), so the diff of a
 * refresh shows only what changed for the gate.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "diag.h"
#include "options.h"
#include "out_file.h"
#include "project_config.h"
#include "report.h"
#include "result_json.h"

#ifndef BPFGATE_VERSION
#define BPFGATE_VERSION "0.0.0"
#endif

static const struct vh_opt opt_config = {
	VH_OPT_CONFIG, "config", 0, VH_OPT_STR, "CONF",
	.help = "update the baseline CONF (a bpfgate.conf) names: every argument is then a "
		"RESULT.json",
};
static const struct vh_opt *const baseline_opts[] = { &opt_config, &vh_opt_help, NULL };

static const struct vh_cmd_opts baseline_cmd = {
	.cmd = "baseline",
	.synopsis = "update FILE RESULT.json...\n"
		    "       bpfgate baseline --config CONF update RESULT.json...",
	.about = "Refresh a baseline: the rows of the kernels in the results (the JSON of\n"
		 "'bpfgate verify -j') replace those kernels' rows of FILE (the same release,\n"
		 "or another one of the same series and kind); the rows of other kernels stay.\n"
		 "FILE is created when missing and replaced atomically, sorted and without\n"
		 "timings, so that the diff of a refresh is reviewable.",
	.epilog = "Exit status: 0 written, 2 usage error, an unreadable or malformed file, or a\n"
		  "write error (FILE is then left as it was).\n",
	.opts = baseline_opts,
};

static int baseline_opt(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	if (o->id == VH_OPT_CONFIG)
		*(const char **)ctx = v->str;
	return 0;
}

/* The baseline a project's config names. 0 (*path malloc'd) or -1 (said). */
static int config_baseline(const char *conf_path, char **path)
{
	struct vh_project_config conf;
	char errbuf[512];

	if (vh_project_config__load(&conf, conf_path, errbuf, sizeof(errbuf))) {
		vh_err(NULL, "%s", errbuf);
		return -1;
	}
	*path = conf.baseline ? strdup(conf.baseline) : NULL;
	vh_project_config__free(&conf);
	if (!*path) {
		vh_err(conf_path, "names no baseline ([project] baseline = FILE)");
		return -1;
	}
	return 0;
}

static bool is_test(const struct vh_result *r)
{
	return r->kind == VH_KIND_TEST;
}

/* Whether the fresh results replace the old rows of kernel release: a kernel of
 * theirs the gate would compare with it (the same release, or the same series
 * and kind: a refresh on another patch build replaces, it does not pile up). */
static bool replaced_by(const struct vh_result_set *fresh, const struct vh_result_set *old,
			const char *release)
{
	for (size_t i = 0; i < fresh->n; i++)
		if (vh_kernel__match(fresh, fresh->v[i].kernel, old, release) != VH_MATCH_NONE)
			return true;
	for (size_t i = 0; i < fresh->nkernels; i++)
		if (vh_kernel__match(fresh, fresh->kernels[i].release, old, release) !=
		    VH_MATCH_NONE)
			return true;
	return false;
}

/* the rows a baseline keeps, without what differs from run to run */
static int keep(struct vh_result_set *out, const struct vh_result *r)
{
	int err;

	if (is_test(r))
		return 0;
	err = vh_result_set__append(out, r);
	for (int id = 0; !err && id < VH_STAT_CNT; id++)
		if (!vh_stat_defs[id].in_baseline)
			vh_stats__set(&out->v[out->n - 1].stats, id, VH_STAT_UNKNOWN);
	return err;
}

static int keep_kernel(struct vh_result_set *out, const struct vh_kernel_info *k)
{
	struct vh_kernel_info copy = *k;

	copy.boot_s = copy.verify_s = -1;
	copy.probe = NULL;
	copy.baseline_kernel = copy.baseline_match = NULL;
	return vh_result_set__merge_kernel(out, &copy);
}

static int row_cmp(const void *x, const void *y, void *arg)
{
	const struct vh_result *v = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = vh_release__cmp(v[a].kernel, v[b].kernel);

	if (!c)
		c = strcmp(v[a].kernel ?: "", v[b].kernel ?: "");
	if (!c)
		c = strcmp(vh_report__basename(v[a].object), vh_report__basename(v[b].object));
	if (!c)
		c = strcmp(v[a].program ?: "", v[b].program ?: "");
	return c ? c : (a > b) - (a < b);
}

/* Sort rows by kernel, object file name and program (stable for equal keys). */
static int sort_rows(struct vh_result_set *set)
{
	size_t *idx = calloc(set->n ?: 1, sizeof(*idx));
	struct vh_result *v = calloc(set->n ?: 1, sizeof(*v));

	if (!idx || !v) {
		free(idx);
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < set->n; i++)
		idx[i] = i;
	qsort_r(idx, set->n, sizeof(*idx), row_cmp, set->v);
	for (size_t i = 0; i < set->n; i++)
		v[i] = set->v[idx[i]];
	memcpy(set->v, v, set->n * sizeof(*v));
	free(idx);
	free(v);
	return vh_result_set__sort_by_kernel(set);
}

static int write_file(const char *path, const struct vh_result_set *set)
{
	struct vh_out_file of;
	int err = vh_out_file__open(&of, path, VH_OUT_REPLACE);

	if (err)
		return err;
	err = vh_result_set__write_json(of.f, set, true);
	if (err) {
		vh_out_file__abort(&of);
		return err;
	}
	return vh_out_file__commit(&of);
}

static int update(const char *path, char **results, int nresults)
{
	struct vh_result_set old = { 0 }, fresh = { 0 }, out = { 0 };
	size_t kept = 0, replaced = 0, added = 0;
	char errbuf[512];
	int err = 0, ret = VH_EXIT_USAGE;

	if (access(path, F_OK) == 0 &&
	    vh_result_set__read_json(path, &old, errbuf, sizeof(errbuf))) {
		vh_err(path, "%s", errbuf);
		goto cleanup;
	}
	for (int i = 0; i < nresults; i++) {
		if (vh_result_set__read_json(results[i], &fresh, errbuf, sizeof(errbuf))) {
			vh_err(results[i], "%s", errbuf);
			goto cleanup;
		}
	}
	out.version = strdup(BPFGATE_VERSION);
	if (!out.version)
		err = -ENOMEM;
	for (size_t i = 0; i < old.n && !err; i++) {
		if (replaced_by(&fresh, &old, old.v[i].kernel)) {
			replaced += !is_test(&old.v[i]);
			continue;
		}
		err = keep(&out, &old.v[i]);
		kept += !err && !is_test(&old.v[i]);
	}
	for (size_t i = 0; i < old.nkernels && !err; i++)
		if (!replaced_by(&fresh, &old, old.kernels[i].release))
			err = keep_kernel(&out, &old.kernels[i]);
	for (size_t i = 0; i < fresh.n && !err; i++) {
		err = keep(&out, &fresh.v[i]);
		added += !err && !is_test(&fresh.v[i]);
	}
	for (size_t i = 0; i < fresh.nkernels && !err; i++)
		err = keep_kernel(&out, &fresh.kernels[i]);
	err = err ?: sort_rows(&out);
	err = err ?: write_file(path, &out);
	if (err) {
		vh_err(path, "cannot write the baseline: %s", strerror(-err));
		goto cleanup;
	}
	printf("%s: %zu rows of this run written (%zu replaced), %zu rows of other kernels kept\n",
	       path, added, replaced, kept);
	ret = VH_EXIT_OK;
cleanup:
	vh_result_set__free(&old);
	vh_result_set__free(&fresh);
	vh_result_set__free(&out);
	return ret;
}

int do_baseline(int argc, char **argv)
{
	const char *conf = NULL;
	char *file = NULL;
	int first = vh_opts__parse(&baseline_cmd, argc, argv, baseline_opt, &conf, true);
	int ret;

	if (first <= 0)
		return first ? VH_EXIT_USAGE : VH_EXIT_OK;
	if (first >= argc || strcmp(argv[first], "update")) {
		vh_err(first < argc ? argv[first] : "baseline",
		       "unknown subcommand, expected update (try 'bpfgate baseline --help')");
		return VH_EXIT_USAGE;
	}
	if (argc - first < (conf ? 2 : 3)) {
		vh_err("baseline update", "expected %sRESULT.json... (try 'bpfgate baseline "
		       "--help')", conf ? "" : "FILE ");
		return VH_EXIT_USAGE;
	}
	if (!conf)
		return update(argv[first + 1], argv + first + 2, argc - first - 2);
	if (config_baseline(conf, &file))
		return VH_EXIT_USAGE;
	ret = update(file, argv + first + 1, argc - first - 1);
	free(file);
	return ret;
}
