// SPDX-License-Identifier: BSD-2-Clause
/* result.c: lifetime of results and result sets. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "stat_registry.h"

static const char *const verdict_names[VH_VERDICT_CNT] = {
	[VH_PASS] = "pass",
	[VH_FAIL] = "fail",
	[VH_SKIP] = "skip",
	[VH_ERROR] = "error",
};

const char *vh_verdict__name(enum vh_verdict v)
{
	return (unsigned)v < VH_VERDICT_CNT ? verdict_names[v] : "error";
}

int vh_verdict__parse(const char *name)
{
	for (int i = 0; i < VH_VERDICT_CNT; i++)
		if (name && strcmp(name, verdict_names[i]) == 0)
			return i;
	return -1;
}

void vh_stats__init(struct vh_stats *st)
{
	for (int i = 0; i < VH_STAT_CNT; i++)
		vh_stats__set(st, i, VH_STAT_UNKNOWN);
}

static bool is_str(const char *s, const char *want)
{
	return s && !strcmp(s, want);
}

enum vh_result_kind vh_result__kind_of(const struct vh_result *r)
{
	if (is_str(r->prog_type, VH_TEST_PROG_TYPE))
		return VH_KIND_TEST;
	if (is_str(r->object, VH_KERNEL_OBJECT) && is_str(r->program, VH_KERNEL_OBJECT))
		return VH_KIND_KERNEL;
	return VH_KIND_PROGRAM;
}

struct vh_result *vh_result_set__add(struct vh_result_set *set)
{
	struct vh_result *r;

	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct vh_result *v = realloc(set->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		set->v = v;
		set->cap = cap;
	}
	r = &set->v[set->n++];
	memset(r, 0, sizeof(*r));
	vh_stats__init(&r->stats);
	return r;
}

void vh_result__free(struct vh_result *r)
{
	char **strs[] = { &r->kernel, &r->object, &r->program, &r->section,
			  &r->prog_type, &r->error, &r->error_class, &r->error_kind,
			  &r->source, &r->source_text, &r->log_tail, &r->log,
			  &r->reason, &r->note, &r->expect };

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
}

void vh_result_set__free(struct vh_result_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		vh_result__free(&set->v[i]);
	for (size_t i = 0; i < set->nkernels; i++)
		vh_kernel_info__free(&set->kernels[i]);
	free(set->kernels);
	free(set->v);
	free(set->version);
	memset(set, 0, sizeof(*set));
}

static int dup_str(char **dst, const char *src)
{
	if (!src)
		return 0;
	*dst = strdup(src);
	return *dst ? 0 : -ENOMEM;
}

int vh_result_set__append(struct vh_result_set *dst, const struct vh_result *src)
{
	struct vh_result *r = vh_result_set__add(dst);
	int err = 0;

	if (!r)
		return -ENOMEM;
	r->kind = src->kind;
	r->verdict = src->verdict;
	r->stats = src->stats;
	r->log_truncated = src->log_truncated;
	err = err ?: dup_str(&r->kernel, src->kernel);
	err = err ?: dup_str(&r->object, src->object);
	err = err ?: dup_str(&r->program, src->program);
	err = err ?: dup_str(&r->section, src->section);
	err = err ?: dup_str(&r->prog_type, src->prog_type);
	err = err ?: dup_str(&r->error, src->error);
	err = err ?: dup_str(&r->error_class, src->error_class);
	err = err ?: dup_str(&r->error_kind, src->error_kind);
	err = err ?: dup_str(&r->source, src->source);
	err = err ?: dup_str(&r->source_text, src->source_text);
	err = err ?: dup_str(&r->log_tail, src->log_tail);
	err = err ?: dup_str(&r->log, src->log);
	err = err ?: dup_str(&r->reason, src->reason);
	err = err ?: dup_str(&r->note, src->note);
	err = err ?: dup_str(&r->expect, src->expect);
	if (err) {
		vh_result__free(r);
		dst->n--;
	}
	return err;
}

void vh_result_set__count(const struct vh_result_set *set, size_t counts[VH_VERDICT_CNT])
{
	memset(counts, 0, sizeof(size_t) * VH_VERDICT_CNT);
	for (size_t i = 0; i < set->n; i++)
		counts[set->v[i].verdict < VH_VERDICT_CNT ? set->v[i].verdict : VH_ERROR]++;
}

int vh_release__cmp(const char *x, const char *y)
{
	const char *p = x ?: "", *q = y ?: "";

	/* compare runs of digits as numbers, everything else byte by byte */
	while (*p && *q) {
		if (*p >= '0' && *p <= '9' && *q >= '0' && *q <= '9') {
			char *pe, *qe;
			unsigned long m = strtoul(p, &pe, 10), n = strtoul(q, &qe, 10);

			if (m != n)
				return m < n ? -1 : 1;
			p = pe;
			q = qe;
		} else if (*p != *q) {
			break;
		} else {
			p++;
			q++;
		}
	}
	return strcmp(x ?: "", y ?: "");
}

struct ranked {
	struct vh_result r;
	size_t pos;
};

static int by_kernel_then_pos(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	int c = vh_release__cmp(x->r.kernel, y->r.kernel);

	return c ?: (x->pos < y->pos ? -1 : x->pos > y->pos);
}

int vh_result_set__sort_by_kernel(struct vh_result_set *set)
{
	struct ranked *v = malloc((set->n ?: 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < set->n; i++)
		v[i] = (struct ranked){ set->v[i], i };
	qsort(v, set->n, sizeof(*v), by_kernel_then_pos);
	for (size_t i = 0; i < set->n; i++)
		set->v[i] = v[i].r;
	free(v);
	/* the kernels array in the same order; insertion sort keeps it stable */
	for (size_t i = 1; i < set->nkernels; i++) {
		struct vh_kernel_info k = set->kernels[i];
		size_t j = i;

		for (; j > 0 && vh_release__cmp(set->kernels[j - 1].release, k.release) > 0; j--)
			set->kernels[j] = set->kernels[j - 1];
		set->kernels[j] = k;
	}
	return 0;
}

struct vh_kernel_info *vh_result_set__add_kernel(struct vh_result_set *set)
{
	struct vh_kernel_info *k;

	if (set->nkernels == set->kernels_cap) {
		size_t cap = set->kernels_cap ? set->kernels_cap * 2 : 4;
		struct vh_kernel_info *v = realloc(set->kernels, cap * sizeof(*v));

		if (!v)
			return NULL;
		set->kernels = v;
		set->kernels_cap = cap;
	}
	k = &set->kernels[set->nkernels++];
	memset(k, 0, sizeof(*k));
	k->boot_s = k->verify_s = -1;
	return k;
}

void vh_kernel_info__free(struct vh_kernel_info *k)
{
	free(k->release);
	free(k->series);
	free(k->backend);
	free(k->accel);
	vh_probe__free(k->probe);
	free(k->baseline_kernel);
	free(k->baseline_match);
	memset(k, 0, sizeof(*k));
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

const struct vh_kernel_info *vh_result_set__find_kernel(const struct vh_result_set *set,
							 const char *release)
{
	for (size_t i = 0; i < set->nkernels; i++)
		if (same_str(set->kernels[i].release, release))
			return &set->kernels[i];
	return NULL;
}

int vh_result_set__merge_kernel(struct vh_result_set *dst, const struct vh_kernel_info *src)
{
	struct vh_kernel_info copy = { .boot_s = src->boot_s, .verify_s = src->verify_s };
	struct vh_kernel_info *k = NULL;
	int err = 0;

	err = err ?: dup_str(&copy.release, src->release);
	err = err ?: dup_str(&copy.series, src->series);
	err = err ?: dup_str(&copy.backend, src->backend);
	err = err ?: dup_str(&copy.accel, src->accel);
	if (src->probe && !(copy.probe = vh_probe__dup(src->probe)))
		err = -ENOMEM;
	err = err ?: dup_str(&copy.baseline_kernel, src->baseline_kernel);
	err = err ?: dup_str(&copy.baseline_match, src->baseline_match);
	if (err)
		goto cleanup;
	for (size_t i = 0; i < dst->nkernels && !k; i++)
		if (same_str(dst->kernels[i].release, src->release) &&
		    same_str(dst->kernels[i].backend, src->backend))
			k = &dst->kernels[i];
	if (k && !copy.probe) {
		/* a probe once recorded stays: a later entry without one adds nothing */
		copy.probe = k->probe;
		k->probe = NULL;
	}
	if (!k)
		k = vh_result_set__add_kernel(dst);
	if (!k) {
		err = -ENOMEM;
		goto cleanup;
	}
	vh_kernel_info__free(k);
	*k = copy;
	return 0;
cleanup:
	vh_kernel_info__free(&copy);
	return err;
}
