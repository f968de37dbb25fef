/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * matrix.h: the kernels of a run as targets (target.h), driven in the order of the
 * kinds without knowing which kind each is.
 *
 * Each kernel given is claimed by the first kind that claims it (the running kernel,
 * then VMs for everything else); a kernel given twice runs once.
 */
#ifndef BPFGATE_MATRIX_H
#define BPFGATE_MATRIX_H

#include <stdbool.h>

#include "result.h"
#include "target.h"

struct vh_verify_plan;

#define VH_MATRIX_KINDS 2

struct vh_matrix {
	struct vh_target_run t[VH_MATRIX_KINDS]; /* the kinds with kernels, in order */
	int nt;
};

/* Claim the plan's kernels and prepare their targets: an exit status contribution
 * (a target that could not prepare said why; the others still run). */
int vh_matrix__prepare(struct vh_matrix *m, const struct vh_verify_plan *plan);
/* Whether any target loads objects (else nothing needs opening). */
bool vh_matrix__loads(const struct vh_matrix *m);
/* How many results the targets already hold for obj, <0 when none knows it. */
int vh_matrix__known(struct vh_matrix *m, const char *obj);
/* Every target runs the plan, in order; an exit status contribution. */
int vh_matrix__run(struct vh_matrix *m, struct vh_result_set *out);
/* Release every target (after vh_matrix__prepare, whatever it returned). */
void vh_matrix__stop(struct vh_matrix *m);

#endif
