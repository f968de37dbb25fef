// SPDX-License-Identifier: BSD-2-Clause
/* matrix.c: the run's kernels claimed by target kinds, and every target driven through
 * target.h's operations; no kind is named but in the table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "matrix.h"
#include "verify_run.h"

/* In order of claim: the first kind that claims a kernel runs it. */
static const struct vh_target_kind *const kinds[VH_MATRIX_KINDS] = {
	&vh_target_host,
	&vh_target_vm,
};

static int worst(int a, int b)
{
	return a > b ? a : b;
}

/* The targets of kind k, added to m when it has none yet. */
static struct vh_target_run *target_of(struct vh_matrix *m, const struct vh_target_kind *k,
				       const struct vh_verify_plan *plan)
{
	for (int i = 0; i < m->nt; i++)
		if (m->t[i].kind == k)
			return &m->t[i];
	m->t[m->nt] = (struct vh_target_run){ .kind = k, .plan = plan, .loads = true };
	return &m->t[m->nt++];
}

/* Give kernel to the first kind that claims it (once). 0 or -ENOMEM. */
static int claim(struct vh_matrix *m, const struct vh_verify_plan *plan, const char *kernel)
{
	const struct vh_target_kind *k = NULL;
	struct vh_target_run *t;
	const char **grown;

	for (int i = 0; i < VH_MATRIX_KINDS && !k; i++)
		if (kinds[i]->claims(kernel))
			k = kinds[i];
	if (!k)
		return 0;
	t = target_of(m, k, plan);
	for (int i = 0; i < t->nkernels; i++)
		if (!strcmp(t->kernels[i], kernel))
			return 0;
	grown = realloc(t->kernels, (t->nkernels + 1) * sizeof(*t->kernels));
	if (!grown)
		return -ENOMEM;
	t->kernels = grown;
	t->kernels[t->nkernels++] = kernel;
	return 0;
}

/* The targets in the order of the kinds (a run reads the same whatever the order of
 * --kernel). */
static void sort_targets(struct vh_matrix *m)
{
	struct vh_matrix sorted = { 0 };

	for (int k = 0; k < VH_MATRIX_KINDS; k++)
		for (int i = 0; i < m->nt; i++)
			if (m->t[i].kind == kinds[k])
				sorted.t[sorted.nt++] = m->t[i];
	*m = sorted;
}

int vh_matrix__prepare(struct vh_matrix *m, const struct vh_verify_plan *plan)
{
	static const char *const fallback[] = { VH_TARGET_DEFAULT };
	const char *const *kernels = plan->nkernels ? plan->kernels : fallback;
	int n = plan->nkernels ? plan->nkernels : 1, status = VH_EXIT_OK;

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < n; i++) {
		if (claim(m, plan, kernels[i])) {
			vh_err("verify", "out of memory");
			return VH_EXIT_USAGE;
		}
	}
	sort_targets(m);
	for (int i = 0; i < m->nt; i++)
		if (m->t[i].kind->prepare)
			status = worst(status, m->t[i].kind->prepare(&m->t[i]));
	return status;
}

bool vh_matrix__loads(const struct vh_matrix *m)
{
	for (int i = 0; i < m->nt; i++)
		if (m->t[i].loads)
			return true;
	return false;
}

int vh_matrix__known(struct vh_matrix *m, const char *obj)
{
	for (int i = 0; i < m->nt; i++) {
		int n = m->t[i].kind->known ? m->t[i].kind->known(&m->t[i], obj) : -1;

		if (n >= 0)
			return n;
	}
	return -1;
}

int vh_matrix__run(struct vh_matrix *m, struct vh_result_set *out)
{
	int status = VH_EXIT_OK;

	/* what runs by itself first (VMs boot while the host verifies) */
	for (int i = 0; i < m->nt; i++)
		if (m->t[i].kind->start)
			status = worst(status, m->t[i].kind->start(&m->t[i], out));
	for (int i = 0; i < m->nt; i++)
		if (m->t[i].kind->run)
			status = worst(status, m->t[i].kind->run(&m->t[i], out));
	return status;
}

void vh_matrix__stop(struct vh_matrix *m)
{
	for (int i = 0; i < m->nt; i++) {
		if (m->t[i].kind->stop)
			m->t[i].kind->stop(&m->t[i]);
		free(m->t[i].kernels);
	}
	memset(m, 0, sizeof(*m));
}
