// SPDX-License-Identifier: BSD-2-Clause
/* run_summary.c: the short view of a run (one line per program that did not pass). */
#include "report.h"
#include "run_summary.h"
#include "term_line.h"

void vh_run_summary__print(FILE *f, const struct vh_result_set *set, size_t width)
{
	char totals[256];

	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		const char *why = r->verdict == VH_SKIP ? r->reason : r->error_class ?: r->error;

		if (r->verdict == VH_PASS)
			continue;
		vh_term__line(f, width, "%-5s %s:%s on %s%s%s%s%s", vh_verdict__name(r->verdict),
			      vh_report__basename(r->object), r->program ?: "?", r->kernel ?: "?",
			      why ? ": " : "", why ?: "", r->source ? " at " : "", r->source ?: "");
	}
	vh_report__summary(totals, sizeof(totals), set);
	vh_term__line(f, width, "%s", totals);
}
