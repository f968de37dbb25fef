// SPDX-License-Identifier: BSD-2-Clause
/* report_common.c: what the report writers share: safe text, layout. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "text_escape.h"

const char *vh_report__basename(const char *path)
{
	const char *slash;

	if (!path)
		return "";
	slash = strrchr(path, '/');
	return slash && slash[1] ? slash + 1 : path;
}

size_t vh_report__width(const char *s)
{
	return vh_escape__term_width(s);
}

void vh_report__put_text(FILE *f, const char *s)
{
	vh_escape__term(f, s, false);
}

void vh_report__put_cell(FILE *f, const char *s, size_t width, bool right)
{
	size_t w = vh_report__width(s);

	if (right)
		fprintf(f, "%*s", (int)(width > w ? width - w : 0), "");
	vh_report__put_text(f, s);
	if (!right)
		fprintf(f, "%*s", (int)(width > w ? width - w : 0), "");
}

static bool str_eq(const char *a, const char *b)
{
	return !strcmp(a ?: "", b ?: "");
}

static int kernel_order(const void *a, const void *b)
{
	return vh_release__cmp(*(const char *const *)a, *(const char *const *)b);
}

long vh_report__kernels(const struct vh_result_set *set, const char ***kernels)
{
	const char **k = calloc(set->n ? set->n : 1, sizeof(*k));
	size_t n = 0;

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < set->n; i++) {
		const char *name = set->v[i].kernel ?: "?";
		size_t j;

		for (j = 0; j < n && strcmp(k[j], name); j++)
			;
		if (j == n)
			k[n++] = name;
	}
	/* a matrix reads oldest to newest, whatever order the VMs finished in */
	qsort(k, n, sizeof(*k), kernel_order);
	*kernels = k;
	return n;
}

void vh_report__summary(char *buf, size_t len, const struct vh_result_set *set)
{
	struct vh_report_matrix m;
	size_t c[VH_VERDICT_CNT];
	int off;

	vh_result_set__count(set, c);
	if (!vh_report_matrix__build(&m, set) && m.nkernels > 1)
		off = snprintf(buf, len, "%zu results (%zu program%s x %zu kernels)", set->n,
			       m.nrows, m.nrows == 1 ? "" : "s", m.nkernels);
	else
		off = snprintf(buf, len, "%zu program%s", set->n, set->n == 1 ? "" : "s");
	vh_report_matrix__free(&m);
	if (off < 0 || (size_t)off >= len)
		return;
	snprintf(buf + off, len - off, ": %zu pass, %zu fail, %zu skip, %zu error", c[VH_PASS],
		 c[VH_FAIL], c[VH_SKIP], c[VH_ERROR]);
}

bool vh_report__many_objects(const struct vh_result_set *set)
{
	for (size_t i = 1; i < set->n; i++)
		if (!str_eq(set->v[i].object, set->v[0].object))
			return true;
	return false;
}

int vh_report_matrix__build(struct vh_report_matrix *m, const struct vh_result_set *set)
{
	long nk;
	int err = -ENOMEM;

	memset(m, 0, sizeof(*m));
	nk = vh_report__kernels(set, &m->kernels);
	if (nk < 0)
		return nk;
	m->nkernels = nk;
	m->rows = calloc(set->n ? set->n : 1, sizeof(*m->rows));
	if (!m->rows)
		goto cleanup;
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		size_t j;

		for (j = 0; j < m->nrows; j++) {
			const struct vh_result *q = &set->v[m->rows[j]];

			if (str_eq(q->object, r->object) && str_eq(q->program, r->program))
				break;
		}
		if (j == m->nrows)
			m->rows[m->nrows++] = i;
	}
	m->cells = malloc((m->nrows * m->nkernels ?: 1) * sizeof(*m->cells));
	if (!m->cells)
		goto cleanup;
	for (size_t c = 0; c < m->nrows * m->nkernels; c++)
		m->cells[c] = -1;
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		size_t row, k;

		for (row = 0; row < m->nrows; row++) {
			const struct vh_result *q = &set->v[m->rows[row]];

			if (str_eq(q->object, r->object) && str_eq(q->program, r->program))
				break;
		}
		for (k = 0; k < m->nkernels && strcmp(m->kernels[k], r->kernel ?: "?"); k++)
			;
		if (m->cells[row * m->nkernels + k] < 0)
			m->cells[row * m->nkernels + k] = i;
	}
	return 0;
cleanup:
	vh_report_matrix__free(m);
	return err;
}

void vh_report_matrix__free(struct vh_report_matrix *m)
{
	free(m->kernels);
	free(m->rows);
	free(m->cells);
	memset(m, 0, sizeof(*m));
}
