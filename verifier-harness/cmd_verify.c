// SPDX-License-Identifier: BSD-2-Clause
/* cmd_verify.c: bpfgate verify: options, the host run, VMs, reports, exit status. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "compare.h"
#include "diag.h"
#include "func_test.h"
#include "json_reader.h"
#include "core_btf.h"
#include "probe.h"
#include "matrix.h"
#include "object_verify.h"
#include "out_file.h"
#include "privilege.h"
#include "prog_type.h"
#include "report.h"
#include "report_html.h"
#include "result_cache.h"
#include "result_json.h"
#include "run_summary.h"
#include "source_path.h"
#include "term_line.h"
#include "text_escape.h"
#include "verify_cfg.h"
#include "verify_pool.h"

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

static bool is_host(const char *k)
{
	return !strcmp(k, "host");
}

/* The objects of the command line, each opened once: their programs for the host
 * run, the readable objects for the VMs. */
struct listed {
	struct vh_prog_ref *progs;
	int nprogs;
	char **objs;
	int nobjs;
	struct vh_result_set cached; /* results of the objects found in the result cache */
};

static void listed__free(struct listed *l)
{
	vh_prog_refs__free(l->progs, l->nprogs);
	free(l->objs);
	vh_result_set__free(&l->cached);
	memset(l, 0, sizeof(*l));
}

/*
 * Open every object as a host run would; an unreadable one is reported here,
 * once (not once per kernel), and left out. An object whose results are in the
 * cache is not opened. Returns an exit status contribution.
 */
static int list_objects(const struct verify_cfg *cfg, char **objs, int nobjs, struct listed *l,
			struct vh_result_cache *cache)
{
	char errbuf[512];
	int status = VH_EXIT_OK;

	memset(l, 0, sizeof(*l));
	l->objs = calloc(nobjs + 1, sizeof(*l->objs));
	if (!l->objs) {
		vh_err(objs[0], "out of memory");
		return VH_EXIT_USAGE;
	}
	for (int i = 0; i < nobjs; i++) {
		struct vh_prog_ref *progs, *grown;
		int n;

		if (cache && vh_result_cache__lookup(cache, objs[i], &l->cached)) {
			l->objs[l->nobjs++] = objs[i];
			continue;
		}
		n = vh_object__list(objs[i], &cfg->vopts, &progs, errbuf, sizeof(errbuf));

		if (n < 0) {
			vh_err(objs[i], "%s", errbuf);
			status = VH_EXIT_USAGE;
			continue;
		}
		grown = realloc(l->progs, (l->nprogs + n + 1) * sizeof(*l->progs));
		if (!grown) {
			vh_prog_refs__free(progs, n);
			vh_err(objs[i], "out of memory");
			return VH_EXIT_USAGE;
		}
		l->progs = grown;
		memcpy(l->progs + l->nprogs, progs, n * sizeof(*progs));
		l->nprogs += n;
		free(progs);
		l->objs[l->nobjs++] = objs[i];
	}
	/* a pattern that matches nothing is a typo, not a pass */
	if (cfg->vopts.filter && !l->nprogs && !l->cached.n && l->nobjs) {
		vh_err("--prog", "'%s' matches no program of the objects given", cfg->vopts.filter);
		return VH_EXIT_USAGE;
	}
	return status;
}

/* Verify the listed programs on the running kernel, with the results the cache
 * had; returns an exit status contribution. */
static int verify_host(struct verify_cfg *cfg, const struct listed *l, struct vh_result_set *out,
		       struct vh_result_cache *cache)
{
	struct vh_prog_ref *all = l->progs;
	struct vh_result_set fresh = { 0 };
	struct vh_progress progress;
	int nall = l->nprogs, status = VH_EXIT_OK, err = 0;

	cfg->vopts.kernel_btf = cfg->btf;
	/* Parsed once, before the workers fork. Without it (no kernel BTF, an
	 * unreadable --btf) libbpf goes its own way and says what is wrong. */
	if (nall)
		vh_core_btf__open(cfg->btf, &cfg->vopts.core_btf);
	if (nall) {
		vh_progress__start(&progress, stderr, cfg->progress, nall);
		err = vh_verify_pool__run(all, nall, &cfg->vopts, cfg->jobs, &progress, &fresh);
		vh_progress__end(&progress);
	}
	if (err == -EPERM) {
		vh_err(all[0].object, "loading BPF programs needs CAP_BPF and CAP_SYS_ADMIN (run as root)");
		status = VH_EXIT_USAGE;
	}
	vh_core_btf__free(cfg->vopts.core_btf);
	cfg->vopts.core_btf = NULL;
	if (vh_result_cache__merge(cache, l->objs, l->nobjs, &l->cached, &fresh, out, !err)) {
		vh_err("verify", "out of memory");
		status = VH_EXIT_USAGE;
	}
	vh_result_set__free(&fresh);
	/* a note for the person with the text results; stdout in a format asked for
	 * (JSON, CSV, veristat's -e/-s/-f) stays that format: then on stderr with -v */
	if (!cfg->json && cfg->view.format != VH_FORMAT_CSV && !cfg->view.ncols &&
	    !cfg->view.nsort && !cfg->view.nfilters)
		vh_result_cache__report(cache, stdout, out->n);
	else if (cfg->verbose)
		vh_result_cache__report(cache, stderr, out->n);
	return status;
}

/* Run the functional tests on the running kernel, one after the other (tests of
 * one program may count its loaded programs, so they must not overlap). */
static int test_host(const struct verify_cfg *cfg, struct vh_result_set *out)
{
	struct vh_func_test_opts o = {
		.kernel = vh_kernel_release(),
		.timeout_s = cfg->test_timeout_s,
	};

	for (int i = 0; i < cfg->ntests; i++) {
		int err = vh_func_test__run(cfg->tests[i], &o, out);

		if (err) {
			vh_err(cfg->tests[i], "cannot run the test: %s", strerror(-err));
			return VH_EXIT_USAGE;
		}
	}
	return VH_EXIT_OK;
}

/* A --probe file: the JSON object `bpfgate kernel probe --json` printed. */
static int read_probe(const char *path, struct vh_probe *p)
{
	char errbuf[256];
	int err = vh_probe__read_file(path, p, errbuf, sizeof(errbuf));

	if (err == -EINVAL)
		vh_err(path, "not a feature probe (bpfgate kernel probe --json): %s", errbuf);
	else if (err)
		vh_err(path, "cannot read the probe: %s", errbuf);
	return err;
}

static bool host_probe_wanted(const struct verify_cfg *cfg, const struct vh_result_set *set)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	const char *host = vh_kernel_release();

	if (cfg->json || cfg->junit || cfg->markdown || (summary && summary[0]))
		return true;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].verdict == VH_SKIP && !strcmp(set->v[i].kernel ?: "", host))
			return true;
	return false;
}

/* The running kernel as the run's "host" kernel, with its feature probe. */
static int record_host(const struct verify_cfg *cfg, double seconds, struct vh_result_set *out,
		       struct vh_result_cache *cache)
{
	struct vh_kernel_info k = {
		.release = (char *)vh_kernel_release(),
		.series = "host",
		.backend = "host",
		.boot_s = -1,
		.verify_s = seconds,
	};
	struct vh_probe probe = {};
	int err = 0;

	/* Probing costs tens of milliseconds: only when a result file records it
	 * or a skip needs its evidence. */
	if (cfg->probe || host_probe_wanted(cfg, out))
		k.probe = &probe;
	if (cfg->probe)
		err = read_probe(cfg->probe, &probe);
	else if (k.probe)
		err = vh_result_cache__probe(cache, &probe);
	if (err && !cfg->probe)
		vh_err("probe", "cannot probe the kernel: %s", strerror(-err));
	err = err ?: vh_result_set__merge_kernel(out, &k);
	vh_probe__clear(&probe);
	return err ? VH_EXIT_USAGE : VH_EXIT_OK;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Verify the listed (readable) objects in a VM per kernel; an exit status contribution. */
static int verify_vms(struct verify_cfg *cfg, const struct listed *l, struct vh_result_set *out)
{
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);

	const char *guest_args[8];
	char test_timeout[16];
	int nguest = 0, nvm = 0, err;
	const char **vms = calloc(cfg->nkernels, sizeof(char *));

	if (!vms)
		return VH_EXIT_USAGE;
	self[len > 0 ? len : 0] = '\0';
	for (int i = 0; i < cfg->nkernels; i++)
		if (!is_host(cfg->kernels[i]))
			vms[nvm++] = cfg->kernels[i];
	if (cfg->vopts.prog_type) {
		guest_args[nguest++] = "--type";
		guest_args[nguest++] = cfg->vopts.prog_type;
	}
	if (cfg->vopts.filter) {
		guest_args[nguest++] = "--prog";
		guest_args[nguest++] = cfg->vopts.filter;
	}
	if (cfg->full_log)
		guest_args[nguest++] = "--full-log";
	if (cfg->test_timeout_s) {
		snprintf(test_timeout, sizeof(test_timeout), "%d", cfg->test_timeout_s);
		guest_args[nguest++] = "--test-timeout";
		guest_args[nguest++] = test_timeout;
	}
	struct vh_matrix_opts mopts = {
		.kernels = vms,
		.nkernels = nvm,
		.objs = (const char *const *)l->objs,
		.nobjs = l->nobjs,
		.guest_args = guest_args,
		.nguest_args = nguest,
		.tests = cfg->tests,
		.ntests = cfg->ntests,
		.test_timeout_s = cfg->test_timeout_s,
		.jobs = cfg->jobs,
		.timeout_s = cfg->timeout_s,
		.backend = cfg->backend,
		.progress_tty = !cfg->json && isatty(STDERR_FILENO),
		.bpfgate_path = self[0] ? self : "bpfgate",
	};
	err = nvm && (l->nobjs || cfg->ntests) ? vh_matrix__run(&mopts, out) : 0;
	free(vms);
	return err ? VH_EXIT_USAGE : VH_EXIT_OK;
}

/* The full verifier log of each failure on this host (-v, --html). The pool's
 * workers do not send logs back, so a failure is loaded once more here; results
 * read back (merge: no kernel of its own) keep what they have. */
static void load_full_logs(const struct verify_cfg *cfg, struct vh_result_set *set)
{
	struct vh_verify_opts o = cfg->vopts;
	const char *host = vh_kernel_release();

	o.keep_log = true;
	for (size_t i = 0; cfg->vopts.kernel && i < set->n; i++) {
		struct vh_result *r = &set->v[i];
		struct vh_result_set one = { 0 };

		/* no log tail: the kernel never saw the program, a load gives no log */
		if (r->verdict != VH_FAIL || r->log || !r->log_tail ||
		    strcmp(r->kernel ?: "", host))
			continue;
		vh_object__verify_prog(r->object, r->program, &o, &one);
		if (one.n && one.v[0].log) {
			r->log = one.v[0].log;
			r->log_truncated = one.v[0].log_truncated;
			one.v[0].log = NULL;
		}
		vh_result_set__free(&one);
	}
}

/* Print the full verifier log of each failure between markers (-v). */
static void print_full_logs(const struct vh_result_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		const char *log = r->verdict == VH_FAIL ? r->log : NULL;

		if (log) {
			vh_escape__term(stderr, r->object, false);
			fputs(": prog '", stderr);
			vh_escape__term(stderr, r->program, false);
			fputs("': -- BEGIN PROG LOAD LOG --\n", stderr);
			vh_escape__term(stderr, log, true);
			if (log[0] && log[strlen(log) - 1] != '\n')
				fputc('\n', stderr);
			if (r->log_truncated)
				fprintf(stderr, "%s\n", VH_LOG_TRUNCATED_NOTE);
			fputs("-- END PROG LOAD LOG --\n", stderr);
		}
	}
}

/* With --table the table of every program (else the short summary follows, from
 * vh_verify__finish), and the explanation of each failure; lines cut to the
 * terminal's width (120 columns off a terminal). */
static void print_results(FILE *out, const struct verify_cfg *cfg,
			  const struct vh_result_set *set, bool color)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len), *f = mem ?: out;

	if (cfg->table && cfg->view.ncols)
		vh_report__columns(f, set, cfg->view.cols, cfg->view.ncols, color);
	else if (cfg->table)
		vh_report__table(f, set, color);
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].verdict == VH_FAIL || set->v[i].verdict == VH_ERROR)
			vh_report__failure(f, &set->v[i], color);
	if (!mem)
		return;
	fclose(mem);
	vh_term__cut_lines(out, text ?: "", vh_term__width(STDOUT_FILENO));
	free(text);
}

/* The results on stdout (table, CSV or JSON), as -f and -s show them; a full or
 * closed stdout is an error. */
static int write_stdout(const struct verify_cfg *cfg, const struct vh_result_set *all)
{
	bool color = !cfg->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	bool csv = cfg->view.format == VH_FORMAT_CSV;
	struct vh_result_set shown, *set = &shown;
	struct vh_out_file out;
	int err, werr = 0;

	err = vh_view__apply(&cfg->view, all, &shown);
	err = err ?: vh_out_file__stdout(&out);
	if (!err) {
		if (csv) {
			vh_report__csv(out.f, set, cfg->view.cols, cfg->view.ncols);
		} else if (cfg->json) {
			werr = vh_result_set__write_json(out.f, set, cfg->pretty);
		} else if (set->n) {
			print_results(out.f, cfg, set, color);
		}
		/* the write error itself (ENOSPC) says more than the writer's EIO */
		err = vh_out_file__commit(&out) ?: werr;
	}
	vh_view__release(&shown);
	/* text goes on after this (summary, verdict): its error is said at the end */
	if (!err || (!cfg->json && !csv))
		return VH_EXIT_OK;
	vh_err("stdout", "cannot write the %s results: %s", csv ? "CSV" : "JSON",
	       strerror(-err));
	return VH_EXIT_USAGE;
}

/* GitHub's annotations point at files of the repository: the sources' paths from
 * its root, not their bare names. */
static void gh_annotations(const struct vh_result_set *set)
{
	struct vh_result_set rel;

	if (vh_source__relative_set(&rel, set))
		vh_report__gh_annotations(stderr, set);
	else
		vh_report__gh_annotations(stderr, &rel);
	vh_result_set__free(&rel);
}

static int write_reports(const struct verify_cfg *cfg, struct vh_result_set *set,
			 const struct vh_compare *c)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	int status, err;

	/* the JSON carries the full logs only when asked (they are large) */
	if (cfg->full_log) {
		load_full_logs(cfg, set);
		set->with_logs = true;
	}
	status = write_stdout(cfg, set);
	if (cfg->verbose || cfg->html)
		load_full_logs(cfg, set);
	if (cfg->verbose)
		print_full_logs(set);
	if (cfg->html && (err = vh_report__html(cfg->html, set, c))) {
		vh_err(cfg->html, "cannot write the HTML report: %s", strerror(-err));
		status = VH_EXIT_USAGE;
	}
	if (cfg->junit && (err = vh_report__junit(cfg->junit, set))) {
		vh_err(cfg->junit, "cannot write the JUnit report: %s", strerror(-err));
		status = VH_EXIT_USAGE;
	}
	if (cfg->markdown && (err = vh_report__markdown(cfg->markdown, set, false))) {
		vh_err(cfg->markdown, "cannot write the Markdown summary: %s", strerror(-err));
		status = VH_EXIT_USAGE;
	}
	if (summary && summary[0] && (err = vh_report__markdown(summary, set, true))) {
		vh_err(summary, "cannot append to $GITHUB_STEP_SUMMARY: %s", strerror(-err));
		status = VH_EXIT_USAGE;
	}
	if (getenv("GITHUB_ACTIONS") && !strcmp(getenv("GITHUB_ACTIONS"), "true"))
		gh_annotations(set);
	return status;
}

static int worst(int a, int b)
{
	return a > b ? a : b;
}

/* Each kernel of the run records the baseline kernel it was compared with. */
static int record_matches(struct vh_result_set *set, const struct vh_compare *c)
{
	for (size_t i = 0; i < set->nkernels; i++) {
		struct vh_kernel_info *k = &set->kernels[i];
		const struct vh_compare_kernel *m = vh_compare__kernel(c, k->release);

		if (!m || m->match == VH_MATCH_NONE)
			continue;
		free(k->baseline_kernel);
		free(k->baseline_match);
		k->baseline_kernel = strdup(m->base_kernel);
		k->baseline_match = strdup(vh_baseline_match__name(m->match));
		if (!k->baseline_kernel || !k->baseline_match)
			return -ENOMEM;
	}
	return 0;
}

/* Read the baseline and compare; 0 (c built, base holds its results) or an exit status. */
static int compare_baseline(const struct verify_cfg *cfg, struct vh_result_set *set,
			    struct vh_result_set *base, struct vh_compare *c)
{
	char errbuf[256];
	int err;

	if (vh_result_set__read_json(cfg->baseline, base, errbuf, sizeof(errbuf))) {
		vh_err(cfg->baseline, "%s", errbuf);
		return VH_EXIT_USAGE;
	}
	err = vh_compare__build(c, base, set, &cfg->cmp);
	if (!err && record_matches(set, c)) {
		vh_compare__free(c);
		err = -ENOMEM;
	}
	if (err) {
		vh_err(cfg->baseline, "cannot compare: %s", strerror(-err));
		return VH_EXIT_USAGE;
	}
	return VH_EXIT_OK;
}

/* The last line: the verdict of the run and of its gate. */
static void print_verdict(FILE *f, size_t width, const struct verify_cfg *cfg,
			  const struct vh_compare *c, int status)
{
	const char *word = status == VH_EXIT_OK ? "PASS" : status == VH_EXIT_FAIL ? "FAIL" : "ERROR";

	if (!cfg->baseline)
		vh_term__line(f, width, "%s (not gated: no baseline)", word);
	else if (!c)
		vh_term__line(f, width, "%s (not gated: %s could not be read)", word, cfg->baseline);
	else if (c->nkernels && c->uncovered == c->nkernels)
		vh_term__line(f, width, "%s (not gated: %s has no row of the kernels run)", word,
			      cfg->baseline);
	else
		vh_term__line(f, width, "%s (gate: %zu regression%s against %s)", word,
			      c->regressions, c->regressions == 1 ? "" : "s", cfg->baseline);
}

int vh_verify__finish(const struct verify_cfg *cfg, struct vh_result_set *set, int status)
{
	struct vh_compare_opts co = cfg->cmp;
	struct vh_result_set base = { 0 };
	/* with JSON or CSV on stdout, only that: the text goes to stderr, or not at all */
	bool machine = cfg->json || cfg->view.format == VH_FORMAT_CSV;
	FILE *text = machine ? stderr : stdout;
	size_t counts[VH_VERDICT_CNT];
	struct vh_compare c = { 0 };
	bool compared = false;
	int gate = VH_EXIT_OK, err;

	/* VMs finish in any order: results read oldest kernel first, always */
	if (vh_result_set__sort_by_kernel(set) || vh_result_set__justify_skips(set))
		status = worst(status, VH_EXIT_USAGE);
	if (cfg->baseline) {
		gate = compare_baseline(cfg, set, &base, &c);
		compared = gate == VH_EXIT_OK;
	}
	status = worst(status, write_reports(cfg, set, compared ? &c : NULL));
	co.width = vh_term__width(fileno(text));
	co.color = !machine && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	co.json = false;
	co.table = cfg->table;
	if (!machine && !cfg->table)
		vh_run_summary__print(text, set, co.width);
	if (compared) {
		if (vh_compare__print(text, &c, &co))
			status = worst(status, VH_EXIT_USAGE);
		gate = vh_compare__status(&c);
	}
	vh_result_set__count(set, counts);
	if (counts[VH_FAIL])
		status = worst(status, VH_EXIT_FAIL);
	if (counts[VH_ERROR])
		status = worst(status, VH_EXIT_USAGE);
	status = worst(status, gate);
	if (!machine)
		print_verdict(text, co.width, cfg, compared ? &c : NULL, status);
	if (!machine && (err = vh_out_file__flush_stdout())) {
		vh_err("stdout", "cannot write the results: %s", strerror(-err));
		status = worst(status, VH_EXIT_USAGE);
	}
	vh_compare__free(&c);
	vh_result_set__free(&base);
	return status;
}

int do_verify(int argc, char **argv)
{
	struct verify_cfg cfg = { 0 };
	struct vh_result_set set = { 0 };
	struct listed listed = { 0 };
	struct vh_result_cache cache = { 0 };
	bool want_host = false, host_ok = true, vms;
	char errbuf[512];
	int status, err;

	err = parse_args(argc, argv, &cfg);
	if (err) {
		vh_view__free(&cfg.view);
		vh_verify_cfg__free(&cfg);
		return err > 0 ? VH_EXIT_OK : VH_EXIT_USAGE;
	}
	vh_diag__set_verbosity(cfg.verbose);
	cfg.vopts.kernel = vh_kernel_release();
	cfg.vopts.jobs_auto = !cfg.jobs;
	if (!cfg.jobs)
		cfg.jobs = (int)sysconf(_SC_NPROCESSORS_ONLN) > 0 ? (int)sysconf(_SC_NPROCESSORS_ONLN) : 1;
	for (int i = 0; i < cfg.nkernels; i++)
		want_host |= is_host(cfg.kernels[i]);
	if (!cfg.nkernels)
		want_host = true;

	set.version = strdup(BPFGATE_VERSION);
	status = VH_EXIT_OK;
	vms = cfg.nkernels > (want_host ? 1 : 0);
	/* loading on the host needs privilege: say so first, and only that if it
	 * was the only thing asked */
	if (want_host && optind < argc && vh_privilege__check(errbuf, sizeof(errbuf))) {
		vh_err(NULL, "%s", errbuf);
		status = VH_EXIT_USAGE;
		host_ok = false;
	}
	/* --no-cache: the cache is not even opened (nothing hashed, read or written) */
	if (want_host && host_ok && !cfg.no_cache)
		vh_result_cache__open(&cache, &cfg.vopts, cfg.btf);
	if (optind < argc && (host_ok || vms))
		status = worst(status, list_objects(&cfg, argv + optind, argc - optind, &listed,
						    &cache));
	if (want_host) {
		double t0 = now_s();

		if (host_ok)
			status = worst(status, verify_host(&cfg, &listed, &set, &cache));
		status = worst(status, test_host(&cfg, &set));
		status = worst(status, record_host(&cfg, now_s() - t0, &set, &cache));
	}
	if (vms)
		status = worst(status, verify_vms(&cfg, &listed, &set));
	listed__free(&listed);
	vh_result_cache__close(&cache);
	if (vh_verify_cfg__expectations(&cfg, &set)) {
		vh_err(cfg.conf->path, "cannot apply the programs' expectations: out of memory");
		status = VH_EXIT_USAGE;
	}

	status = vh_verify__finish(&cfg, &set, status);
	vh_result_set__free(&set);
	vh_view__free(&cfg.view);
	vh_verify_cfg__free(&cfg);
	return status;
}
