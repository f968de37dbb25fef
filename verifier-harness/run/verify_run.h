/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify_run.h: a verify run, top to bottom: a plan (objects, kernels, functional
 * tests, and the options and gate of verify_cfg.h) goes in, a result set comes out.
 *
 *	1. the targets claim the kernels and prepare (matrix.c, target.h)
 *	2. every object is opened once: an unreadable or broken one is said here, once,
 *	   and left out; one a target already holds results for is not opened
 *	3. every target runs every step and collects its results
 *	4. the project's expectations are applied to the results
 *
 * The gate, the reports and the exit status follow in vh_verify__finish()
 * (verify_finish.c).
 */
#ifndef BPFGATE_VERIFY_RUN_H
#define BPFGATE_VERIFY_RUN_H

#include "object_verify.h"
#include "result.h"
#include "verify_cfg.h"

/* The objects of the plan, each opened once (step 2). */
struct vh_listing {
	struct vh_prog_ref *progs; /* the programs of the objects opened */
	int nprogs;
	char **objs;               /* the objects every target gets: readable, whole */
	int nobjs;
	int nknown;                /* results the targets already held */
};

struct vh_verify_plan {
	struct verify_cfg *cfg;        /* options: how to load, where to boot, the gate */
	const char *const *objs;       /* the objects as given */
	int nobjs;
	const char *const *kernels;    /* none: the running kernel (VH_TARGET_DEFAULT) */
	int nkernels;
	const char *const *tests;      /* functional test executables */
	int ntests;
	struct vh_listing listing;     /* filled by the run (step 2) */
};

/*
 * Run the plan; results (with their kernels) into out. Returns an exit status
 * contribution (VH_EXIT_OK, VH_EXIT_USAGE), every error said on stderr; the gate's
 * part comes from vh_verify__finish().
 */
int vh_verify__run(struct vh_verify_plan *plan, struct vh_result_set *out);

#endif
