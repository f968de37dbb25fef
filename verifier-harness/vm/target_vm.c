// SPDX-License-Identifier: BSD-2-Clause
/*
 * target_vm.c: kernels booted in VMs as targets: every kernel that is not the running
 * one. The VM kinds (qemu microVM, virtme-ng: vm.h) are behind this one target kind;
 * vm_fleet.c boots them in parallel, each with its deadline, and vm_collect.c turns
 * what each guest sent back into results.
 */
#include <stdio.h>
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

/* Boot each kernel and run the plan's readable objects and its tests inside. */
static int vm_run(struct vh_target_run *t, struct vh_result_set *out)
{
	const struct vh_verify_plan *plan = t->plan;
	const struct verify_cfg *cfg = plan->cfg;
	const struct vh_listing *l = &plan->listing;
	struct guest_args ga;

	if (!l->nobjs && !plan->ntests)
		return VH_EXIT_OK;
	guest_args(cfg, &ga);
	struct vh_vm_fleet_opts o = {
		.kernels = t->kernels,
		.nkernels = t->nkernels,
		.objs = (const char *const *)l->objs,
		.nobjs = l->nobjs,
		.guest_args = ga.v,
		.nguest_args = ga.n,
		.tests = plan->tests,
		.ntests = plan->ntests,
		.test_timeout_s = cfg->test_timeout_s,
		.jobs = cfg->jobs,
		.timeout_s = cfg->timeout_s,
		.backend = cfg->backend,
		.progress_tty = !cfg->json && isatty(STDERR_FILENO),
	};
	return vh_vm_fleet__run(&o, out) ? VH_EXIT_USAGE : VH_EXIT_OK;
}

const struct vh_target_kind vh_target_vm = {
	.name = "vm",
	.claims = vm_claims,
	.run = vm_run,
};
