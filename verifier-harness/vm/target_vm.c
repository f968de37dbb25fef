// SPDX-License-Identifier: BSD-2-Clause
/*
 * target_vm.c: kernels booted in VMs as targets: every kernel that is not the running
 * one. The VM kinds (qemu microVM, virtme-ng: vm.h) are behind this one target kind;
 * vm_fleet.c boots them in parallel, each with its deadline, and vm_collect.c turns
 * what each guest sent back into results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "target.h"
#include "verify_run.h"
#include "vm_fleet.h"

#define GUEST_ARGS_MAX 8

/* What the guest's `bpfgate verify` is told of the host's options. */
struct guest_args {
	const char *v[GUEST_ARGS_MAX];
	int n;
	char test_timeout[16];
};

static void guest_args(const struct verify_cfg *cfg, struct guest_args *a)
{
	a->n = 0;
	if (cfg->vopts.prog_type) {
		a->v[a->n++] = "--type";
		a->v[a->n++] = cfg->vopts.prog_type;
	}
	if (cfg->vopts.filter) {
		a->v[a->n++] = "--prog";
		a->v[a->n++] = cfg->vopts.filter;
	}
	if (cfg->full_log)
		a->v[a->n++] = "--full-log";
	if (cfg->test_timeout_s) {
		snprintf(a->test_timeout, sizeof(a->test_timeout), "%d", cfg->test_timeout_s);
		a->v[a->n++] = "--test-timeout";
		a->v[a->n++] = a->test_timeout;
	}
}

/* Every kernel the running one's kind left: a series, an image or a build tree. */
static bool vm_claims(const char *kernel)
{
	(void)kernel;
	return true;
}

/* A run's options for the fleet, kept from start to run. */
struct vm_state {
	struct guest_args ga;
	struct vh_vm_fleet_opts o;
	struct vh_vm_fleet *fleet;
};

/* Boot the first kernels: they verify while the other targets run. */
static int vm_start(struct vh_target_run *t, struct vh_result_set *out)
{
	const struct vh_verify_plan *plan = t->plan;
	const struct verify_cfg *cfg = plan->cfg;
	const struct vh_listing *l = &plan->listing;
	struct vm_state *st;

	if (!l->nobjs && !plan->ntests)
		return VH_EXIT_OK;
	st = calloc(1, sizeof(*st));
	if (!st) {
		vh_err("verify", "out of memory");
		return VH_EXIT_USAGE;
	}
	t->priv = st;
	guest_args(cfg, &st->ga);
	st->o = (struct vh_vm_fleet_opts){
		.kernels = t->kernels,
		.nkernels = t->nkernels,
		.objs = (const char *const *)l->objs,
		.nobjs = l->nobjs,
		.guest_args = st->ga.v,
		.nguest_args = st->ga.n,
		.tests = plan->tests,
		.ntests = plan->ntests,
		.test_timeout_s = cfg->test_timeout_s,
		.jobs = cfg->jobs,
		.timeout_s = cfg->timeout_s,
		.backend = cfg->backend,
		.progress_tty = !cfg->json && isatty(STDERR_FILENO),
	};
	/* a failed start is said, and its status comes from vm_run */
	vh_vm_fleet__start(&st->o, out, &st->fleet);
	return VH_EXIT_OK;
}

/* Follow each kernel to its end and collect the plan's results from inside. */
static int vm_run(struct vh_target_run *t, struct vh_result_set *out)
{
	struct vm_state *st = t->priv;
	int err;

	if (!st)
		return VH_EXIT_OK; /* nothing to run (or out of memory: said) */
	err = vh_vm_fleet__finish(st->fleet, out);
	st->fleet = NULL;
	return err ? VH_EXIT_USAGE : VH_EXIT_OK;
}

static void vm_stop(struct vh_target_run *t)
{
	struct vm_state *st = t->priv;

	/* started and never run: followed to its end, its results dropped */
	if (st && st->fleet) {
		struct vh_result_set dropped = { 0 };

		vh_vm_fleet__finish(st->fleet, &dropped);
		vh_result_set__free(&dropped);
	}
	free(st);
	t->priv = NULL;
}

const struct vh_target_kind vh_target_vm = {
	.name = "vm",
	.claims = vm_claims,
	.start = vm_start,
	.run = vm_run,
	.stop = vm_stop,
};
