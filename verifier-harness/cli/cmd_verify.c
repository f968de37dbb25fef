// SPDX-License-Identifier: BSD-2-Clause
/* cmd_verify.c: bpfgate verify: its options, the plan they make (verify_run.c runs it),
 * the end of the run (verify_finish.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "object_verify.h"
#include "prog_type.h"
#include "verify_cfg.h"
#include "verify_run.h"

#include <bpf/btf.h>

enum {
	OPT_KERNEL = VH_OPT_CMD,
	OPT_TYPE,
	OPT_PROG,
	OPT_BACKEND,
	OPT_BTF,
	OPT_TEST,
	OPT_PROBE,
	OPT_FULL_LOG,
};

static const struct vh_opt opt_kernel = {
	OPT_KERNEL, "kernel", 0, VH_OPT_STR, "K",
	.help = "verify on kernel K (repeatable): host, a series of ci/kernels.conf (5.10, 6.1, "
		"...), a kernel image or a build tree",
};
static const struct vh_opt opt_type = {
	OPT_TYPE, "type", 0, VH_OPT_STR, "TYPE",
	.help = "load every program as TYPE (libbpf name or SEC() prefix, e.g. xdp, tc)",
};
static const struct vh_opt opt_btf = {
	OPT_BTF, "btf", 0, VH_OPT_STR, "FILE",
	.help = "resolve CO-RE relocations against FILE (raw BTF or ELF) instead of the "
		"kernel's own BTF",
};
static const struct vh_opt opt_prog = {
	OPT_PROG, "prog", 0, VH_OPT_STR, "GLOB",
	.help = "verify only programs whose name matches GLOB (it must match one)",
};
static const struct vh_opt opt_test = {
	OPT_TEST, "test", 0, VH_OPT_STR, "EXE",
	.help = "also run functional test EXE on every kernel (repeatable; exit 0 pass, 77 skip)",
};
static const struct vh_opt opt_probe = {
	OPT_PROBE, "probe", 0, VH_OPT_STR, "FILE",
	.help = "record FILE (bpfgate kernel probe --json) as the running kernel's probe",
};
static const struct vh_opt opt_full_log = {
	OPT_FULL_LOG, "full-log", 0, VH_OPT_FLAG,
	.help = "put the full verifier log of each failure into the JSON (field log)",
};
static const struct vh_opt opt_backend = {
	OPT_BACKEND, "vm-backend", 0, VH_OPT_ENUM, "qemu|vng", .choices = "qemu|vng",
	.def_doc = "the faster one available, see bpfgate-verify(8)", .help = "how to boot VMs",
};

static const struct vh_opt *const verify_opts[] = {
	&vh_opt_config, &vh_opt_json, &vh_opt_pretty, &vh_opt_table, &vh_opt_junit,
	&vh_opt_markdown, &vh_opt_html, &opt_kernel,
	&vh_opt_jobs, &vh_opt_baseline, &vh_opt_max_growth, &vh_opt_max_share,
	&vh_opt_max_time_growth, &vh_opt_emit, &vh_opt_sort, &vh_opt_filter, &vh_opt_format,
	&vh_opt_output_format,
	&vh_opt_baseline_missing, &vh_opt_allow_removed, &opt_type, &opt_btf, &opt_prog,
	&opt_test, &vh_opt_test_timeout, &opt_probe, &vh_opt_timeout, &opt_backend,
	&opt_full_log, &vh_opt_no_cache, &vh_opt_progress, &vh_opt_verbose, &vh_opt_help, NULL,
};

static const struct vh_cmd_opts verify_cmd = {
	.cmd = "verify",
	.synopsis = "[OPTIONS] OBJ...",
	.about = "Load every program of each BPF object alone and report the kernel verifier's\n"
		 "verdict and statistics; explain each rejection at its source line.",
	.epilog = "Exit status: 0 every program and test passed (or was skipped with a reason),\n"
		  "1 a program or test failed or regressed, 2 usage, input or environment error\n"
		  "(also: a baseline with no row of any kernel run, unless --baseline-missing=warn).\n",
	.opts = verify_opts,
};

/* -e, -s, -f, -o: 1 taken, 0 not one of them, <0 a bad value (said) */
static int view_opt(struct verify_cfg *cfg, const struct vh_opt *o, const struct vh_opt_val *v)
{
	static const enum vh_view_format formats[] = { VH_FORMAT_TABLE, VH_FORMAT_CSV,
						       VH_FORMAT_JSON };
	char errbuf[1024], opt[32];
	int err = 0;

	switch (o->id) {
	case VH_OPT_EMIT:
		err = vh_view__emit(&cfg->view, v->str, errbuf, sizeof(errbuf));
		break;
	case VH_OPT_SORT:
		err = vh_view__sort(&cfg->view, v->str, errbuf, sizeof(errbuf));
		break;
	case VH_OPT_FILTER:
		err = vh_view__filter(&cfg->view, v->str, errbuf, sizeof(errbuf));
		break;
	case VH_OPT_FORMAT:
		cfg->view.format = formats[v->idx];
		cfg->json = cfg->view.format == VH_FORMAT_JSON;
		cfg->table = cfg->view.format == VH_FORMAT_TABLE;
		return 1;
	default:
		return 0;
	}
	if (!err)
		return 1;
	snprintf(opt, sizeof(opt), "--%s", o->name);
	vh_err(opt, "%s", errbuf);
	return -EINVAL;
}

int vh_verify_cfg__shared_opt(struct verify_cfg *cfg, const struct vh_opt *o,
			      const struct vh_opt_val *v)
{
	int ret = view_opt(cfg, o, v);

	if (ret)
		return ret;
	if (!v->dflt && o->id < 64)
		cfg->given |= 1ULL << o->id;
	switch (o->id) {
	case VH_OPT_CONFIG:
		cfg->config = v->str;
		return 1;
	case VH_OPT_JSON:
		cfg->json = true;
		cfg->view.format = VH_FORMAT_JSON;
		return 1;
	case VH_OPT_PRETTY:
		cfg->json = cfg->pretty = true;
		cfg->view.format = VH_FORMAT_JSON;
		return 1;
	case VH_OPT_TABLE:
		cfg->table = true;
		return 1;
	case VH_OPT_JUNIT:
		cfg->junit = v->str;
		return 1;
	case VH_OPT_MARKDOWN:
		cfg->markdown = v->str;
		return 1;
	case VH_OPT_HTML:
		cfg->html = v->str;
		return 1;
	case VH_OPT_BASELINE:
		cfg->baseline = cfg->cmp.base_name = v->str;
		return 1;
	case VH_OPT_MAX_GROWTH:
		cfg->cmp.max_growth_pct = v->num;
		return 1;
	case VH_OPT_MAX_SHARE:
		cfg->cmp.max_share_pct = v->num;
		return 1;
	case VH_OPT_MAX_TIME_GROWTH:
		cfg->cmp.optional_gates |= 1u << VH_STAT_TIME;
		cfg->cmp.growth_pct[VH_STAT_TIME] = v->num;
		return 1;
	case VH_OPT_BASELINE_MISSING:
		cfg->cmp.missing = v->idx ? VH_MISSING_WARN : VH_MISSING_ERROR;
		return 1;
	case VH_OPT_ALLOW_REMOVED:
		cfg->cmp.allow_removed = true;
		return 1;
	case VH_OPT_VERBOSE:
		cfg->verbose++;
		return 1;
	}
	return 0;
}

/* a --btf file must be BTF: raw, or an ELF file with a .BTF section */
static int check_btf(const char *path)
{
	struct btf *btf = btf__parse(path, NULL);
	int err = btf ? 0 : -errno;

	if (!btf)
		vh_err(path, "not a BTF file (raw BTF or an ELF file with .BTF): %s",
		       strerror(-err ?: EINVAL));
	btf__free(btf);
	return btf ? 0 : -EINVAL;
}

static int verify_opt(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	struct verify_cfg *cfg = ctx;
	enum bpf_prog_type type;
	enum bpf_attach_type attach;
	int ret = vh_verify_cfg__shared_opt(cfg, o, v);

	if (ret)
		return ret < 0 ? ret : 0;
	switch (o->id) {
	case OPT_KERNEL:
		return vh_verify_cfg__append(&cfg->kernels, &cfg->nkernels, v->str);
	case VH_OPT_JOBS:
		cfg->jobs = (int)v->num;
		break;
	case VH_OPT_TIMEOUT:
		cfg->timeout_s = (int)v->num;
		break;
	case VH_OPT_TEST_TIMEOUT:
		cfg->test_timeout_s = (int)v->num;
		break;
	case OPT_TEST:
		if (access(v->str, X_OK)) {
			vh_err(v->str, "cannot execute: %s", strerror(errno));
			return -EINVAL;
		}
		return vh_verify_cfg__append(&cfg->tests, &cfg->ntests, v->str);
	case OPT_PROBE:
		cfg->probe = v->str;
		break;
	case OPT_FULL_LOG:
		cfg->full_log = true;
		break;
	case OPT_TYPE:
		if (vh_prog_type__from_name(v->str, &type, &attach)) {
			vh_err("--type", "'%s' is not a program type libbpf knows (e.g. xdp, tc, "
			       "kprobe, tracepoint)", v->str);
			return -EINVAL;
		}
		cfg->vopts.prog_type = v->str;
		break;
	case OPT_BTF:
		if (check_btf(v->str))
			return -EINVAL;
		cfg->btf = v->str;
		break;
	case OPT_PROG:
		cfg->vopts.filter = v->str;
		break;
	case OPT_BACKEND:
		cfg->backend = v->str;
		break;
	case VH_OPT_NO_CACHE:
		cfg->no_cache = true;
		break;
	case VH_OPT_PROGRESS:
		cfg->progress = v->idx;
		break;
	}
	return 0;
}

/* 0 go on, 1 help printed, <0 a usage error (printed) */
static int parse_args(int argc, char **argv, struct verify_cfg *cfg)
{
	int first = vh_opts__parse(&verify_cmd, argc, argv, verify_opt, cfg, false);

	if (first <= 0)
		return first ?: 1;
	/* veristat's -e, -s and -f shape a table: asked for alone, they print one */
	if (cfg->view.format == VH_FORMAT_TEXT &&
	    (cfg->view.ncols || cfg->view.nsort || cfg->view.nfilters)) {
		cfg->view.format = VH_FORMAT_TABLE;
		cfg->table = true;
	}
	if (vh_verify_cfg__config(cfg, true))
		return -EINVAL;
	if (first >= argc && !cfg->ntests) {
		vh_err("verify", "no BPF objects given (try 'bpfgate verify --help')");
		return -EINVAL;
	}
	return 0;
}

/* The cfg's defaults that depend on the machine: the running kernel, the CPUs. */
static void machine_defaults(struct verify_cfg *cfg)
{
	cfg->vopts.kernel = vh_kernel_release();
	cfg->vopts.jobs_auto = !cfg->jobs;
	if (!cfg->jobs)
		cfg->jobs = vh_opt_jobs_default();
}

int do_verify(int argc, char **argv)
{
	struct verify_cfg cfg = { 0 };
	struct vh_result_set set = { 0 };
	struct vh_verify_plan plan;
	int status, err;

	err = parse_args(argc, argv, &cfg);
	if (err) {
		vh_view__free(&cfg.view);
		vh_verify_cfg__free(&cfg);
		return err > 0 ? VH_EXIT_OK : VH_EXIT_USAGE;
	}
	vh_diag__set_verbosity(cfg.verbose);
	machine_defaults(&cfg);
	plan = (struct vh_verify_plan){
		.cfg = &cfg,
		.objs = (const char *const *)argv + optind,
		.nobjs = argc - optind,
		.kernels = cfg.kernels,
		.nkernels = cfg.nkernels,
		.tests = cfg.tests,
		.ntests = cfg.ntests,
	};
	set.version = strdup(BPFGATE_VERSION);
	status = vh_verify__run(&plan, &set);
	status = vh_verify__finish(&cfg, &set, status);
	vh_result_set__free(&set);
	vh_view__free(&cfg.view);
	vh_verify_cfg__free(&cfg);
	return status;
}
