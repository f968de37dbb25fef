// SPDX-License-Identifier: BSD-2-Clause
/* verify_run.c: a plan in, a result set out: targets prepared, objects opened once,
 * every target run, the project's expectations applied. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "matrix.h"
#include "object_verify.h"
#include "verify_run.h"

static int worst(int a, int b)
{
	return a > b ? a : b;
}

static void listing__free(struct vh_listing *l)
{
	vh_prog_refs__free(l->progs, l->nprogs);
	free(l->objs);
	memset(l, 0, sizeof(*l));
}

/* The programs of obj added to the listing; 0, or an exit status (said). */
static int list_one(const struct verify_cfg *cfg, const char *obj, struct vh_listing *l)
{
	struct vh_prog_ref *progs, *grown;
	char errbuf[512];
	int n = vh_object__list(obj, &cfg->vopts, &progs, errbuf, sizeof(errbuf));

	if (n < 0) {
		vh_err(obj, "%s", errbuf);
		return VH_EXIT_USAGE;
	}
	grown = realloc(l->progs, (l->nprogs + n + 1) * sizeof(*l->progs));
	if (!grown) {
		vh_prog_refs__free(progs, n);
		vh_err(obj, "out of memory");
		return -ENOMEM;
	}
	l->progs = grown;
	memcpy(l->progs + l->nprogs, progs, n * sizeof(*progs));
	l->nprogs += n;
	free(progs);
	return VH_EXIT_OK;
}

/*
 * Open every object as a load would; an unreadable one is reported here, once (not
 * once per kernel), and left out. An object whose results a target already holds is
 * not opened. Returns an exit status contribution.
 */
static int list_objects(struct vh_verify_plan *plan, struct vh_matrix *m)
{
	const struct verify_cfg *cfg = plan->cfg;
	struct vh_listing *l = &plan->listing;
	int status = VH_EXIT_OK;

	l->objs = calloc(plan->nobjs + 1, sizeof(*l->objs));
	if (!l->objs) {
		vh_err(plan->objs[0], "out of memory");
		return VH_EXIT_USAGE;
	}
	for (int i = 0; i < plan->nobjs; i++) {
		const char *obj = plan->objs[i];
		int known = vh_matrix__known(m, obj), st;

		if (known >= 0) {
			l->nknown += known;
			l->objs[l->nobjs++] = (char *)obj;
			continue;
		}
		st = list_one(cfg, obj, l);
		if (st < 0)
			return VH_EXIT_USAGE;
		status = worst(status, st);
		if (st == VH_EXIT_OK)
			l->objs[l->nobjs++] = (char *)obj;
	}
	/* a pattern that matches nothing is a typo, not a pass */
	if (cfg->vopts.filter && !l->nprogs && !l->nknown && l->nobjs) {
		vh_err("--prog", "'%s' matches no program of the objects given", cfg->vopts.filter);
		return VH_EXIT_USAGE;
	}
	return status;
}

int vh_verify__run(struct vh_verify_plan *plan, struct vh_result_set *out)
{
	struct verify_cfg *cfg = plan->cfg;
	struct vh_matrix m;
	int status;

	/* 1. the targets: a target that cannot load says so first */
	status = vh_matrix__prepare(&m, plan);
	/* 2. the objects, each opened once */
	if (plan->nobjs && vh_matrix__loads(&m))
		status = worst(status, list_objects(plan, &m));
	vh_object__list_done(); /* its child is not needed while programs load */
	/* 3. every step on every target */
	status = worst(status, vh_matrix__run(&m, out));
	vh_matrix__stop(&m);
	listing__free(&plan->listing);
	/* 4. what the project expects of its programs */
	if (vh_verify_cfg__expectations(cfg, out)) {
		vh_err(cfg->conf->path, "cannot apply the programs' expectations: out of memory");
		status = VH_EXIT_USAGE;
	}
	return status;
}
