// SPDX-License-Identifier: BSD-2-Clause
/* cmd_verify.c: bpfgate verify: options, the host run, VMs, reports, exit status. */
#include <errno.h>
#include <getopt.h>
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
#include "kernel_probe.h"
#include "matrix.h"
#include "object_verify.h"
#include "privilege.h"
#include "report.h"
#include "result_json.h"
#include "verify_pool.h"

enum {
	OPT_JUNIT = 1000,
	OPT_MARKDOWN,
	OPT_KERNEL,
	OPT_JOBS,
	OPT_BASELINE,
	OPT_TYPE,
	OPT_PROG,
	OPT_TIMEOUT,
	OPT_BACKEND,
	OPT_MAX_GROWTH,
	OPT_MAX_SHARE,
	OPT_PRETTY,
	OPT_BTF,
	OPT_TEST,
	OPT_TEST_TIMEOUT,
	OPT_PROBE,
};

/* The options and their help text: --help and the man page are made to agree
 * with this table (tests/e2e/test_help_man.sh). */
static const struct opt_doc {
	struct option opt;
	const char *shortname;
	const char *arg;
	const char *help;
} opt_docs[] = {
	{ { "json", no_argument, 0, 'j' }, "-j", NULL, "print the results as JSON on stdout" },
	{ { "pretty", no_argument, 0, OPT_PRETTY }, NULL, NULL, "indent the JSON (implies --json)" },
	{ { "junit", required_argument, 0, OPT_JUNIT }, NULL, "FILE", "also write JUnit XML to FILE" },
	{ { "markdown", required_argument, 0, OPT_MARKDOWN }, NULL, "FILE",
	  "also write a Markdown summary to FILE (appended to $GITHUB_STEP_SUMMARY when set)" },
	{ { "kernel", required_argument, 0, OPT_KERNEL }, NULL, "K",
	  "verify on kernel K (repeatable): host, a series of ci/kernels.conf (5.10, 6.1, ...), a kernel image or a build tree" },
	{ { "jobs", required_argument, 0, OPT_JOBS }, NULL, "N",
	  "parallel workers (default: number of CPUs)" },
	{ { "baseline", required_argument, 0, OPT_BASELINE }, NULL, "FILE",
	  "compare statistics with a saved JSON result; exit 1 on regression" },
	{ { "max-growth", required_argument, 0, OPT_MAX_GROWTH }, NULL, "PCT",
	  "with --baseline: largest allowed growth of insns processed (default 10%)" },
	{ { "max-share", required_argument, 0, OPT_MAX_SHARE }, NULL, "PCT",
	  "with --baseline: largest allowed share of the 1M insn limit (default 50%)" },
	{ { "type", required_argument, 0, OPT_TYPE }, NULL, "TYPE",
	  "load every program as TYPE (libbpf name or SEC() prefix, e.g. xdp, tc)" },
	{ { "btf", required_argument, 0, OPT_BTF }, NULL, "FILE",
	  "resolve CO-RE relocations against FILE (raw BTF or ELF) instead of the kernel's own BTF" },
	{ { "prog", required_argument, 0, OPT_PROG }, NULL, "GLOB",
	  "verify only programs whose name matches GLOB" },
	{ { "test", required_argument, 0, OPT_TEST }, NULL, "EXE",
	  "also run functional test EXE on every kernel (repeatable; exit 0 pass, 77 skip)" },
	{ { "test-timeout", required_argument, 0, OPT_TEST_TIMEOUT }, NULL, "SECONDS",
	  "deadline of each functional test (default 120)" },
	{ { "probe", required_argument, 0, OPT_PROBE }, NULL, "FILE",
	  "record FILE (bpfgate kernel probe --json) as the running kernel's probe" },
	{ { "timeout", required_argument, 0, OPT_TIMEOUT }, NULL, "SECONDS",
	  "deadline of each VM (default sized for TCG or KVM)" },
	{ { "vm-backend", required_argument, 0, OPT_BACKEND }, NULL, "qemu|vng",
	  "how to boot VMs (default: the faster one available, see bpfgate-verify(8))" },
	{ { "verbose", no_argument, 0, 'v' }, "-v", NULL,
	  "print the full verifier log of failures; twice: libbpf debug output" },
	{ { "help", no_argument, 0, 'h' }, "-h", NULL, "show this help" },
};
#define NOPTS (sizeof(opt_docs) / sizeof(opt_docs[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfgate verify [OPTIONS] OBJ...\n\n"
		   "Load every program of each BPF object alone and report the kernel verifier's\n"
		   "verdict and statistics; explain each rejection at its source line.\n\n"
		   "Options:\n");
	for (size_t i = 0; i < NOPTS; i++) {
		const struct opt_doc *d = &opt_docs[i];
		char left[64];

		snprintf(left, sizeof(left), "%s%s--%s%s%s", d->shortname ?: "",
			 d->shortname ? ", " : "    ", d->opt.name, d->arg ? " " : "", d->arg ?: "");
		fprintf(f, "  %-26s %s\n", left, d->help);
	}
	fprintf(f, "\nExit status: 0 every program and test passed (or was skipped with a reason),\n"
		   "1 a program or test failed or regressed, 2 usage, input or environment error.\n");
}

struct verify_cfg {
	struct vh_verify_opts vopts;
	bool json, pretty;
	const char *junit, *markdown, *baseline, *backend, *btf;
	const char **kernels;
	int nkernels;
	const char **tests;
	int ntests;
	const char *probe;
	int jobs, timeout_s, test_timeout_s, verbose;
	struct vh_compare_opts cmp;
};

static int parse_num(const char *opt, const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || (*end && strcmp(end, "%")) || *out < 0) {
		vh_err(opt, "'%s' is not a non-negative number", s);
		return -EINVAL;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct verify_cfg *cfg)
{
	struct option longopts[NOPTS + 1];
	double num;
	int c;

	memset(longopts, 0, sizeof(longopts));
	for (size_t i = 0; i < NOPTS; i++)
		longopts[i] = opt_docs[i].opt;
	cfg->cmp.max_growth_pct = 10;
	cfg->cmp.max_share_pct = 50;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			cfg->json = true;
			break;
		case OPT_PRETTY:
			cfg->json = cfg->pretty = true;
			break;
		case OPT_JUNIT:
			cfg->junit = optarg;
			break;
		case OPT_MARKDOWN:
			cfg->markdown = optarg;
			break;
		case OPT_KERNEL:
			cfg->kernels = realloc(cfg->kernels, (cfg->nkernels + 1) * sizeof(char *));
			if (!cfg->kernels)
				return -ENOMEM;
			cfg->kernels[cfg->nkernels++] = optarg;
			break;
		case OPT_JOBS:
			if (parse_num("--jobs", optarg, &num) || num < 1 || num > 1024) {
				vh_err("--jobs", "'%s' is not a number of workers from 1 to 1024", optarg);
				return -EINVAL;
			}
			cfg->jobs = (int)num;
			break;
		case OPT_TIMEOUT:
			if (parse_num("--timeout", optarg, &num) || num < 1) {
				vh_err("--timeout", "'%s' is not a number of seconds", optarg);
				return -EINVAL;
			}
			cfg->timeout_s = (int)num;
			break;
		case OPT_TEST:
			if (access(optarg, X_OK)) {
				vh_err(optarg, "cannot execute: %s", strerror(errno));
				return -EINVAL;
			}
			cfg->tests = realloc(cfg->tests, (cfg->ntests + 1) * sizeof(char *));
			if (!cfg->tests)
				return -ENOMEM;
			cfg->tests[cfg->ntests++] = optarg;
			break;
		case OPT_TEST_TIMEOUT:
			if (parse_num("--test-timeout", optarg, &num) || num < 1 || num > 86400) {
				vh_err("--test-timeout", "'%s' is not a number of seconds", optarg);
				return -EINVAL;
			}
			cfg->test_timeout_s = (int)num;
			break;
		case OPT_PROBE:
			cfg->probe = optarg;
			break;
		case OPT_BASELINE:
			cfg->baseline = optarg;
			break;
		case OPT_MAX_GROWTH:
			if (parse_num("--max-growth", optarg, &cfg->cmp.max_growth_pct))
				return -EINVAL;
			break;
		case OPT_MAX_SHARE:
			if (parse_num("--max-share", optarg, &cfg->cmp.max_share_pct))
				return -EINVAL;
			break;
		case OPT_TYPE:
			cfg->vopts.prog_type = optarg;
			break;
		case OPT_BTF:
			if (access(optarg, R_OK)) {
				vh_err(optarg, "cannot read BTF: %s", strerror(errno));
				return -EINVAL;
			}
			cfg->btf = optarg;
			break;
		case OPT_PROG:
			cfg->vopts.filter = optarg;
			break;
		case OPT_BACKEND:
			if (strcmp(optarg, "qemu") && strcmp(optarg, "vng")) {
				vh_err("--vm-backend", "'%s' is not qemu or vng", optarg);
				return -EINVAL;
			}
			cfg->backend = optarg;
			break;
		case 'v':
			cfg->verbose++;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			fprintf(stderr, "Try 'bpfgate verify --help'.\n");
			return -EINVAL;
		}
	}
	if (optind >= argc && !cfg->ntests) {
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
};

static void listed__free(struct listed *l)
{
	vh_prog_refs__free(l->progs, l->nprogs);
	free(l->objs);
	memset(l, 0, sizeof(*l));
}

/*
 * Open every object as a host run would; an unreadable one is reported here,
 * once (not once per kernel), and left out. Returns an exit status contribution.
 */
static int list_objects(const struct verify_cfg *cfg, char **objs, int nobjs, struct listed *l)
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
		int n = vh_object__list(objs[i], &cfg->vopts, &progs, errbuf, sizeof(errbuf));

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
	return status;
}

/* Verify the listed programs on the running kernel; returns an exit status contribution. */
static int verify_host(struct verify_cfg *cfg, const struct listed *l, struct vh_result_set *out)
{
	struct vh_prog_ref *all = l->progs;
	int nall = l->nprogs, status = VH_EXIT_OK;

	cfg->vopts.kernel_btf = cfg->btf;
	/* Parsed once, before the workers fork. Without it (no kernel BTF, an
	 * unreadable --btf) libbpf goes its own way and says what is wrong. */
	if (nall)
		vh_core_btf__open(cfg->btf, &cfg->vopts.core_btf);
	if (nall && vh_verify_pool__run(all, nall, &cfg->vopts, cfg->jobs, out) == -EPERM) {
		vh_err(all[0].object, "loading BPF programs needs CAP_BPF and CAP_SYS_ADMIN (run as root)");
		status = VH_EXIT_USAGE;
	}
	vh_core_btf__free(cfg->vopts.core_btf);
	cfg->vopts.core_btf = NULL;
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
static int read_probe(const char *path, char **out)
{
	struct vh_json_value *doc = NULL;
	char errbuf[256], *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f) {
		vh_err(path, "cannot read the probe: %s", strerror(errno));
		return -errno;
	}
	text = malloc(1 << 20);
	if (!text) {
		err = -ENOMEM;
		goto cleanup;
	}
	len = fread(text, 1, (1 << 20) - 1, f);
	text[len] = '\0';
	if (vh_json__parse(text, len, NULL, &doc, errbuf, sizeof(errbuf)) ||
	    doc->type != VH_JSON_OBJECT) {
		vh_err(path, "not a feature probe (bpfgate kernel probe --json): %s",
		       doc ? "not a JSON object" : errbuf);
		err = -EINVAL;
		goto cleanup;
	}
	*out = text;
	text = NULL;
cleanup:
	vh_json_value__free(doc);
	free(text);
	fclose(f);
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
static int record_host(const struct verify_cfg *cfg, double seconds, struct vh_result_set *out)
{
	struct vh_kernel_info k = {
		.release = (char *)vh_kernel_release(),
		.series = "host",
		.backend = "host",
		.boot_s = -1,
		.verify_s = seconds,
	};
	int err = 0;

	/* Probing costs tens of milliseconds: only when a result file records it
	 * or a skip needs its evidence. */
	if (cfg->probe)
		err = read_probe(cfg->probe, &k.probe);
	else if (host_probe_wanted(cfg, out))
		err = vh_kernel_probe__json(&k.probe);
	if (err && !cfg->probe)
		vh_err("probe", "cannot probe the kernel: %s", strerror(-err));
	err = err ?: vh_result_set__merge_kernel(out, &k);
	free(k.probe);
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

/* Print the full verifier log of each failure between markers (-v). The pool's
 * workers do not send logs back, so a failure is loaded once more here. */
static void print_full_logs(const struct verify_cfg *cfg, const struct vh_result_set *set)
{
	struct vh_verify_opts o = cfg->vopts;
	const char *host = vh_kernel_release();

	o.keep_log = true;
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		struct vh_result_set one = { 0 };

		if (r->verdict != VH_FAIL || strcmp(r->kernel ?: "", host))
			continue;
		vh_object__verify_prog(r->object, r->program, &o, &one);
		if (one.n && one.v[0].log)
			fprintf(stderr, "%s: prog '%s': -- BEGIN PROG LOAD LOG --\n%s%s-- END PROG LOAD LOG --\n",
				r->object, r->program, one.v[0].log,
				one.v[0].log[0] && one.v[0].log[strlen(one.v[0].log) - 1] == '\n' ? "" : "\n");
		vh_result_set__free(&one);
	}
}

static int write_reports(const struct verify_cfg *cfg, const struct vh_result_set *set)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	bool color = !cfg->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	int status = VH_EXIT_OK;

	if (cfg->json) {
		if (vh_result_set__write_json(stdout, set, cfg->pretty))
			status = VH_EXIT_USAGE;
	} else if (set->n) {
		vh_report__table(stdout, set, color);
		for (size_t i = 0; i < set->n; i++)
			if (set->v[i].verdict == VH_FAIL || set->v[i].verdict == VH_ERROR)
				vh_report__failure(stdout, &set->v[i], color);
	}
	if (cfg->verbose)
		print_full_logs(cfg, set);
	if (cfg->junit && vh_report__junit(cfg->junit, set)) {
		vh_err(cfg->junit, "cannot write JUnit report: %s", strerror(errno));
		status = VH_EXIT_USAGE;
	}
	if (cfg->markdown && vh_report__markdown(cfg->markdown, set, false)) {
		vh_err(cfg->markdown, "cannot write Markdown summary: %s", strerror(errno));
		status = VH_EXIT_USAGE;
	}
	if (summary && summary[0] && vh_report__markdown(summary, set, true))
		vh_warn(summary, "cannot append to $GITHUB_STEP_SUMMARY: %s", strerror(errno));
	if (getenv("GITHUB_ACTIONS") && !strcmp(getenv("GITHUB_ACTIONS"), "true"))
		vh_report__gh_annotations(stderr, set);
	return status;
}

static int compare_baseline(const struct verify_cfg *cfg, const struct vh_result_set *set)
{
	struct vh_result_set base = { 0 };
	char errbuf[256];
	int ret;

	if (vh_result_set__read_json(cfg->baseline, &base, errbuf, sizeof(errbuf))) {
		vh_err(cfg->baseline, "%s", errbuf);
		return VH_EXIT_USAGE;
	}
	ret = vh_compare__sets(cfg->json ? stderr : stdout, &base, set, &cfg->cmp);
	vh_result_set__free(&base);
	if (ret < 0) {
		vh_err(cfg->baseline, "cannot compare: %s", strerror(-ret));
		return VH_EXIT_USAGE;
	}
	return ret ? VH_EXIT_FAIL : VH_EXIT_OK;
}

static int worst(int a, int b)
{
	return a > b ? a : b;
}

int do_verify(int argc, char **argv)
{
	struct verify_cfg cfg = { 0 };
	struct vh_result_set set = { 0 };
	size_t counts[VH_VERDICT_CNT];
	struct listed listed = { 0 };
	bool want_host = false, host_ok = true, vms;
	char errbuf[512];
	int status, err;

	err = parse_args(argc, argv, &cfg);
	if (err) {
		free(cfg.kernels);
		free(cfg.tests);
		return err > 0 ? VH_EXIT_OK : VH_EXIT_USAGE;
	}
	vh_diag__set_verbosity(cfg.verbose);
	cfg.vopts.kernel = vh_kernel_release();
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
		vh_err(argv[optind], "%s", errbuf);
		status = VH_EXIT_USAGE;
		host_ok = false;
	}
	if (optind < argc && (host_ok || vms))
		status = worst(status, list_objects(&cfg, argv + optind, argc - optind, &listed));
	if (want_host) {
		double t0 = now_s();

		if (host_ok)
			status = worst(status, verify_host(&cfg, &listed, &set));
		status = worst(status, test_host(&cfg, &set));
		status = worst(status, record_host(&cfg, now_s() - t0, &set));
	}
	if (vms)
		status = worst(status, verify_vms(&cfg, &listed, &set));
	listed__free(&listed);

	/* VMs finish in any order: results read oldest kernel first, always */
	if (vh_result_set__sort_by_kernel(&set) || vh_result_set__justify_skips(&set))
		status = VH_EXIT_USAGE;
	status = worst(status, write_reports(&cfg, &set));
	vh_result_set__count(&set, counts);
	if (counts[VH_FAIL])
		status = worst(status, VH_EXIT_FAIL);
	if (counts[VH_ERROR])
		status = VH_EXIT_USAGE;
	if (cfg.baseline)
		status = worst(status, compare_baseline(&cfg, &set));
	vh_result_set__free(&set);
	free(cfg.kernels);
	free(cfg.tests);
	return status;
}
