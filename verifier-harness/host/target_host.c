// SPDX-License-Identifier: BSD-2-Clause
/*
 * target_host.c: the running kernel as a target: programs loaded by the verify pool's
 * workers, results kept from run to run (result_cache.c), functional tests run one
 * after the other, and the kernel's entry with its feature probe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "core_btf.h"
#include "diag.h"
#include "func_test.h"
#include "privilege.h"
#include "kernel_probe.h"
#include "probe.h"
#include "result_cache.h"
#include "target.h"
#include "verify_pool.h"
#include "verify_progress.h"
#include "verify_run.h"

#define HOST_SERIES "host"

struct host {
	bool can_load;               /* privileged enough to load programs */
	struct vh_result_cache cache;
	struct vh_result_set cached; /* results of the objects found in the cache */
};

static bool host_claims(const char *kernel)
{
	return !strcmp(kernel, HOST_SERIES);
}

/* Loading needs privilege: said first, and only that if it was the only thing asked.
 * --no-cache: the cache is not even opened (nothing hashed, read or written). */
static int host_prepare(struct vh_target_run *t)
{
	const struct vh_verify_plan *plan = t->plan;
	struct verify_cfg *cfg = plan->cfg;
	struct host *h = calloc(1, sizeof(*h));
	char errbuf[512];
	int status = VH_EXIT_OK;

	t->priv = h;
	if (!h) {
		vh_err("verify", "out of memory");
		t->loads = false;
		return VH_EXIT_USAGE;
	}
	h->can_load = true;
	if (plan->nobjs && vh_privilege__check(errbuf, sizeof(errbuf))) {
		vh_err(NULL, "%s", errbuf);
		status = VH_EXIT_USAGE;
		h->can_load = false;
	}
	t->loads = h->can_load;
	if (h->can_load && !cfg->no_cache)
		vh_result_cache__open(&h->cache, &cfg->vopts, cfg->btf);
	return status;
}

static int host_known(struct vh_target_run *t, const char *obj)
{
	struct host *h = t->priv;
	size_t before = h->cached.n;

	if (!vh_result_cache__lookup(&h->cache, obj, &h->cached))
		return -1;
	return (int)(h->cached.n - before);
}

/* Verify the listed programs on the running kernel, with the results the cache
 * had; returns an exit status contribution. */
static int verify_progs(struct host *h, struct verify_cfg *cfg, const struct vh_listing *l,
			struct vh_result_set *out)
{
	struct vh_prog_ref *all = l->progs;
	struct vh_result_set fresh = { 0 };
	struct vh_progress progress;
	int nall = l->nprogs, status = VH_EXIT_OK, err = 0;

	cfg->vopts.kernel_btf = cfg->btf;
	/* The kernel BTF for CO-RE subsets. Without it (no kernel BTF, an
	 * unreadable --btf) libbpf goes its own way and says what is wrong. */
	if (nall) {
		vh_core_btf__open(cfg->btf, &cfg->vopts.core_btf);
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
	if (vh_result_cache__merge(&h->cache, l->objs, l->nobjs, &h->cached, &fresh, out, !err)) {
		vh_err("verify", "out of memory");
		status = VH_EXIT_USAGE;
	}
	vh_result_set__free(&fresh);
	return status;
}

/* A note on what the cache held: for the person with the text results; stdout in a
 * format asked for (JSON, CSV, veristat's -e/-s/-f) stays that format: then on stderr
 * with -v. */
static void cache_note(const struct host *h, const struct verify_cfg *cfg, size_t n)
{
	if (!cfg->json && cfg->view.format != VH_FORMAT_CSV && !cfg->view.ncols &&
	    !cfg->view.nsort && !cfg->view.nfilters)
		vh_result_cache__report(&h->cache, stdout, n);
	else if (cfg->verbose)
		vh_result_cache__report(&h->cache, stderr, n);
}

/* Run the functional tests on the running kernel, one after the other (tests of
 * one program may count its loaded programs, so they must not overlap). */
static int run_tests(const struct vh_verify_plan *plan, struct vh_result_set *out)
{
	struct vh_func_test_opts o = {
		.kernel = vh_kernel_release(),
		.timeout_s = plan->cfg->test_timeout_s,
	};

	for (int i = 0; i < plan->ntests; i++) {
		int err = vh_func_test__run(plan->tests[i], &o, out);

		if (err) {
			vh_err(plan->tests[i], "cannot run the test: %s", strerror(-err));
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

enum probe_need {
	PROBE_NONE,
	PROBE_TYPES, /* a skip's evidence: which program types load */
	PROBE_FULL,  /* a result file records the kernel's whole probe */
};

static enum probe_need probe_needed(const struct verify_cfg *cfg, const struct vh_result_set *set)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	const char *host = vh_kernel_release();

	if (cfg->probe || cfg->json || cfg->junit || cfg->markdown || (summary && summary[0]))
		return PROBE_FULL;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].verdict == VH_SKIP && !strcmp(set->v[i].kernel ?: "", host))
			return PROBE_TYPES;
	return PROBE_NONE;
}

/* The running kernel as the run's host kernel, with its feature probe. */
static int record_kernel(struct host *h, const struct verify_cfg *cfg, double seconds,
			 struct vh_result_set *out)
{
	struct vh_kernel_info k = {
		.release = (char *)vh_kernel_release(),
		.series = HOST_SERIES,
		.backend = HOST_SERIES,
		.boot_s = -1,
		.verify_s = seconds,
	};
	struct vh_probe probe = {};
	enum probe_need need = probe_needed(cfg, out);
	int err = 0;

	/* The whole probe is some 500 loads (tens of milliseconds): only when a
	 * result file records it; a skip's evidence needs the program types only. */
	if (need != PROBE_NONE)
		k.probe = &probe;
	if (cfg->probe)
		err = read_probe(cfg->probe, &probe);
	else if (need == PROBE_FULL)
		err = vh_result_cache__probe(&h->cache, &probe);
	else if (need == PROBE_TYPES)
		err = vh_kernel_probe__prog_types(&probe);
	if (err && !cfg->probe)
		vh_err("probe", "cannot probe the kernel: %s", strerror(-err));
	err = err ?: vh_result_set__merge_kernel(out, &k);
	vh_probe__clear(&probe);
	return err ? VH_EXIT_USAGE : VH_EXIT_OK;
}

static int host_run(struct vh_target_run *t, struct vh_result_set *out)
{
	const struct vh_verify_plan *plan = t->plan;
	struct host *h = t->priv;
	double t0 = vh_now_s();
	int status = VH_EXIT_OK, st;

	if (!h)
		return VH_EXIT_USAGE;
	if (h->can_load) {
		status = verify_progs(h, plan->cfg, &plan->listing, out);
		cache_note(h, plan->cfg, out->n);
	}
	st = run_tests(plan, out);
	status = st > status ? st : status;
	st = record_kernel(h, plan->cfg, vh_now_s() - t0, out);
	return st > status ? st : status;
}

static void host_stop(struct vh_target_run *t)
{
	struct host *h = t->priv;

	if (!h)
		return;
	vh_result_set__free(&h->cached);
	vh_result_cache__close(&h->cache);
	free(h);
	t->priv = NULL;
}

const struct vh_target_kind vh_target_host = {
	.name = HOST_SERIES,
	.claims = host_claims,
	.prepare = host_prepare,
	.known = host_known,
	.run = host_run,
	.stop = host_stop,
};
