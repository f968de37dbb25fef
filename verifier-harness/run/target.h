/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * target.h: a kernel that programs are verified on, behind one interface.
 *
 * A run names its kernels (--kernel K); each kind of target claims the kernels it
 * can run (the running kernel, kernels booted in VMs, and later a remote runner),
 * and matrix.c drives every kind through the same operations without knowing which
 * it is:
 *
 *	claims   whether K is one of its kernels (kinds are asked in order)
 *	prepare  once per run, with all the kernels it claimed: checks and set-up
 *	         before any object is opened
 *	known    results it already holds for an object (a cache): the object then
 *	         need not be opened for it
 *	start    begin what goes on by itself (VMs boot) while the other kinds run;
 *	         every kind is started before the first one runs
 *	run      start its kernels, run every step of the plan (each object, each
 *	         functional test), collect the results into the run's result set
 *	stop     release everything it holds; also after a failed prepare
 *
 * Every operation but claims may be NULL (nothing to do). Statuses are exit status
 * contributions (diag.h: VH_EXIT_OK, VH_EXIT_USAGE); each error was said on stderr.
 */
#ifndef BPFGATE_TARGET_H
#define BPFGATE_TARGET_H

#include <stdbool.h>

#include "result.h"

/* The kernel a run verifies on when it names none. */
#define VH_TARGET_DEFAULT "host"

struct vh_verify_plan;
struct vh_target_kind;

/* The targets of one kind in one run. */
struct vh_target_run {
	const struct vh_target_kind *kind;
	const struct vh_verify_plan *plan;
	const char **kernels; /* the kernels it claimed, as given, without repeats */
	int nkernels;
	bool loads;           /* it loads objects (prepare clears it when it cannot) */
	void *priv;           /* the kind's own state */
};

struct vh_target_kind {
	const char *name;
	bool (*claims)(const char *kernel);
	int (*prepare)(struct vh_target_run *t);
	/* how many results it holds for obj (added to its own state), <0 none */
	int (*known)(struct vh_target_run *t, const char *obj);
	int (*start)(struct vh_target_run *t, struct vh_result_set *out);
	int (*run)(struct vh_target_run *t, struct vh_result_set *out);
	void (*stop)(struct vh_target_run *t);
};

/* The kinds (target_host.c, target_vm.c). */
extern const struct vh_target_kind vh_target_host, vh_target_vm;

#endif
