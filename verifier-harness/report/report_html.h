/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_html.h: one self-contained HTML page of a result set, to look at in a
 * browser (bpfgate verify --html, bpfgate merge --html).
 *
 * The page loads nothing (inline CSS and script, no network): the program x
 * kernel matrix coloured by verdict, per program a small SVG chart of its
 * instructions processed and states on each kernel (beside the baseline's when
 * the run was compared with one), and per failure its explanation (error,
 * class, hint, source line, the path's last instructions, the registers the
 * failing instruction uses, the branches taken) with a verifier-log viewer:
 * the log's instructions with their source lines, the register state before
 * an instruction on click, and a search box. The log shown is the result's
 * full log when it has one (a run on this host), else its log tail (results
 * read from JSON).
 *
 * Every string of a result is escaped as HTML text (text_escape.h) and none is
 * put inside the script, so a name or a log line cannot inject markup. Address
 * #fail-N opens the N-th failure (0 first) and shows the state before its
 * failing instruction; #fail-N&q=TEXT also searches its log for TEXT.
 */
#ifndef BPFGATE_REPORT_HTML_H
#define BPFGATE_REPORT_HTML_H

#include "compare.h"
#include "result.h"

/* Write the page to path with out_file.h. cmp, when not NULL, is the run's
 * comparison with its baseline (bars of the base's numbers, regressions marked).
 * 0 or -errno. */
int vh_report__html(const char *path, const struct vh_result_set *set,
		    const struct vh_compare *cmp);

#endif
