// SPDX-License-Identifier: BSD-2-Clause
/* verify_finish.c: the end of a run: the gate against the baseline, every report, the
 * summary and the verdict on the terminal, the exit status (verify and merge). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare.h"
#include "diag.h"
#include "out_file.h"
#include "report.h"
#include "report_html.h"
#include "result_json.h"
#include "run_summary.h"
#include "source_path.h"
#include "term_line.h"
#include "text_escape.h"
#include "verify_cfg.h"

/* The full verifier log of each failure on this host (-v, --html). The pool's
 * workers do not send logs back, so a failure is loaded once more here; results
 * read back (merge: no kernel of its own) keep what they have. */
static void load_full_logs(const struct verify_cfg *cfg, struct vh_result_set *set)
{
	struct vh_verify_opts o = cfg->vopts;
	const char *host = vh_kernel_release();

	o.keep_log = true;
	for (size_t i = 0; cfg->vopts.kernel && i < set->n; i++) {
		struct vh_result *r = &set->v[i];
		struct vh_result_set one = { 0 };

		/* no log tail: the kernel never saw the program, a load gives no log */
		if (r->verdict != VH_FAIL || r->log || !r->log_tail ||
		    strcmp(r->kernel ?: "", host))
			continue;
		vh_object__verify_prog(r->object, r->program, &o, &one);
		if (one.n && one.v[0].log) {
			r->log = one.v[0].log;
			r->log_truncated = one.v[0].log_truncated;
			one.v[0].log = NULL;
		}
		vh_result_set__free(&one);
	}
}

/* Print the full verifier log of each failure between markers (-v). */
static void print_full_logs(const struct vh_result_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		const char *log = r->verdict == VH_FAIL ? r->log : NULL;

		if (log) {
			vh_escape__term(stderr, r->object, false);
			fputs(": prog '", stderr);
			vh_escape__term(stderr, r->program, false);
			fputs("': -- BEGIN PROG LOAD LOG --\n", stderr);
			vh_escape__term(stderr, log, true);
			if (log[0] && log[strlen(log) - 1] != '\n')
				fputc('\n', stderr);
			if (r->log_truncated)
				fprintf(stderr, "%s\n", VH_LOG_TRUNCATED_NOTE);
			fputs("-- END PROG LOAD LOG --\n", stderr);
		}
	}
}

/* With --table the table of every program (else the short summary follows, from
 * vh_verify__finish), and the explanation of each failure; lines cut to the
 * terminal's width (120 columns off a terminal). */
static void print_results(FILE *out, const struct verify_cfg *cfg,
			  const struct vh_result_set *set, bool color)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len), *f = mem ?: out;

	if (cfg->table && cfg->view.ncols)
		vh_report__columns(f, set, cfg->view.cols, cfg->view.ncols, color);
	else if (cfg->table)
		vh_report__table(f, set, color);
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].verdict == VH_FAIL || set->v[i].verdict == VH_ERROR)
			vh_report__failure(f, &set->v[i], color);
	if (!mem)
		return;
	fclose(mem);
	vh_term__cut_lines(out, text ?: "", vh_term__width(STDOUT_FILENO));
	free(text);
}

/* The results on stdout (table, CSV or JSON), as -f and -s show them; a full or
 * closed stdout is an error. */
static int write_stdout(const struct verify_cfg *cfg, const struct vh_result_set *all)
{
	bool color = !cfg->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	bool csv = cfg->view.format == VH_FORMAT_CSV;
	struct vh_result_set shown, *set = &shown;
	struct vh_out_file out;
	int err, werr = 0;

	err = vh_view__apply(&cfg->view, all, &shown);
	err = err ?: vh_out_file__stdout(&out);
	if (!err) {
		if (csv) {
			vh_report__csv(out.f, set, cfg->view.cols, cfg->view.ncols);
		} else if (cfg->json) {
			werr = vh_result_set__write_json(out.f, set, cfg->pretty);
		} else if (set->n) {
			print_results(out.f, cfg, set, color);
		}
		/* the write error itself (ENOSPC) says more than the writer's EIO */
		err = vh_out_file__commit(&out) ?: werr;
	}
	vh_view__release(&shown);
	/* text goes on after this (summary, verdict): its error is said at the end */
	if (!err || (!cfg->json && !csv))
		return VH_EXIT_OK;
	vh_err("stdout", "cannot write the %s results: %s", csv ? "CSV" : "JSON",
	       strerror(-err));
	return VH_EXIT_USAGE;
}

/* GitHub's annotations point at files of the repository: the sources' paths from
 * its root, not their bare names. */
static void gh_annotations(const struct vh_result_set *set)
{
	struct vh_result_set rel;

	if (vh_source__relative_set(&rel, set))
		vh_report__gh_annotations(stderr, set);
	else
		vh_report__gh_annotations(stderr, &rel);
	vh_result_set__free(&rel);
}

static int write_reports(const struct verify_cfg *cfg, struct vh_result_set *set,
			 const struct vh_compare *c)
{
	const char *summary = getenv("GITHUB_STEP_SUMMARY");
	int status, err;

	/* the JSON carries the full logs only when asked (they are large) */
	if (cfg->full_log) {
		load_full_logs(cfg, set);
		set->with_logs = true;
	}
	status = write_stdout(cfg, set);
	if (cfg->verbose || cfg->html)
		load_full_logs(cfg, set);
	if (cfg->verbose)
		print_full_logs(set);
	if (cfg->html && (err = vh_report__html(cfg->html, set, c))) {
		vh_err(cfg->html, "cannot write the HTML report: %s", strerror(-err));
		status = VH_EXIT_USAGE;
	}
	if (cfg->junit && (err = vh_report__junit(cfg->junit, set))) {
		vh_err(cfg->junit, "cannot write the JUnit report: %s", strerror(-err));
		status = VH_EXIT_USAGE;
	}
	if (cfg->markdown && (err = vh_report__markdown(cfg->markdown, set, false))) {
		vh_err(cfg->markdown, "cannot write the Markdown summary: %s", strerror(-err));
		status = VH_EXIT_USAGE;
	}
	if (summary && summary[0] && (err = vh_report__markdown(summary, set, true))) {
		vh_err(summary, "cannot append to $GITHUB_STEP_SUMMARY: %s", strerror(-err));
		status = VH_EXIT_USAGE;
	}
	if (getenv("GITHUB_ACTIONS") && !strcmp(getenv("GITHUB_ACTIONS"), "true"))
		gh_annotations(set);
	return status;
}

static int worst(int a, int b)
{
	return a > b ? a : b;
}

/* Each kernel of the run records the baseline kernel it was compared with. */
static int record_matches(struct vh_result_set *set, const struct vh_compare *c)
{
	for (size_t i = 0; i < set->nkernels; i++) {
		struct vh_kernel_info *k = &set->kernels[i];
		const struct vh_compare_kernel *m = vh_compare__kernel(c, k->release);

		if (!m || m->match == VH_MATCH_NONE)
			continue;
		free(k->baseline_kernel);
		free(k->baseline_match);
		k->baseline_kernel = strdup(m->base_kernel);
		k->baseline_match = strdup(vh_baseline_match__name(m->match));
		if (!k->baseline_kernel || !k->baseline_match)
			return -ENOMEM;
	}
	return 0;
}

/* Read the baseline and compare; 0 (c built, base holds its results) or an exit status. */
static int compare_baseline(const struct verify_cfg *cfg, struct vh_result_set *set,
			    struct vh_result_set *base, struct vh_compare *c)
{
	char errbuf[256];
	int err;

	if (vh_result_set__read_json(cfg->baseline, base, errbuf, sizeof(errbuf))) {
		vh_err(cfg->baseline, "%s", errbuf);
		return VH_EXIT_USAGE;
	}
	err = vh_compare__build(c, base, set, &cfg->cmp);
	if (!err && record_matches(set, c)) {
		vh_compare__free(c);
		err = -ENOMEM;
	}
	if (err) {
		vh_err(cfg->baseline, "cannot compare: %s", strerror(-err));
		return VH_EXIT_USAGE;
	}
	return VH_EXIT_OK;
}

/* The last line: the verdict of the run and of its gate. */
static void print_verdict(FILE *f, size_t width, const struct verify_cfg *cfg,
			  const struct vh_compare *c, int status)
{
	const char *word = status == VH_EXIT_OK ? "PASS" : status == VH_EXIT_FAIL ? "FAIL" : "ERROR";

	if (!cfg->baseline)
		vh_term__line(f, width, "%s (not gated: no baseline)", word);
	else if (!c)
		vh_term__line(f, width, "%s (not gated: %s could not be read)", word, cfg->baseline);
	else if (c->nkernels && c->uncovered == c->nkernels)
		vh_term__line(f, width, "%s (not gated: %s has no row of the kernels run)", word,
			      cfg->baseline);
	else
		vh_term__line(f, width, "%s (gate: %zu regression%s against %s)", word,
			      c->regressions, c->regressions == 1 ? "" : "s", cfg->baseline);
}

int vh_verify__finish(const struct verify_cfg *cfg, struct vh_result_set *set, int status)
{
	struct vh_compare_opts co = cfg->cmp;
	struct vh_result_set base = { 0 };
	/* with JSON or CSV on stdout, only that: the text goes to stderr, or not at all */
	bool machine = cfg->json || cfg->view.format == VH_FORMAT_CSV;
	FILE *text = machine ? stderr : stdout;
	size_t counts[VH_VERDICT_CNT];
	struct vh_compare c = { 0 };
	bool compared = false;
	int gate = VH_EXIT_OK, err;

	/* VMs finish in any order: results read oldest kernel first, always */
	if (vh_result_set__sort_by_kernel(set) || vh_result_set__justify_skips(set))
		status = worst(status, VH_EXIT_USAGE);
	if (cfg->baseline) {
		gate = compare_baseline(cfg, set, &base, &c);
		compared = gate == VH_EXIT_OK;
	}
	status = worst(status, write_reports(cfg, set, compared ? &c : NULL));
	co.width = vh_term__width(fileno(text));
	co.color = !machine && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	co.json = false;
	co.table = cfg->table;
	if (!machine && !cfg->table)
		vh_run_summary__print(text, set, co.width);
	if (compared) {
		if (vh_compare__print(text, &c, &co))
			status = worst(status, VH_EXIT_USAGE);
		gate = vh_compare__status(&c);
	}
	vh_result_set__count(set, counts);
	if (counts[VH_FAIL])
		status = worst(status, VH_EXIT_FAIL);
	if (counts[VH_ERROR])
		status = worst(status, VH_EXIT_USAGE);
	status = worst(status, gate);
	if (!machine)
		print_verdict(text, co.width, cfg, compared ? &c : NULL, status);
	if (!machine && (err = vh_out_file__flush_stdout())) {
		vh_err("stdout", "cannot write the results: %s", strerror(-err));
		status = worst(status, VH_EXIT_USAGE);
	}
	vh_compare__free(&c);
	vh_result_set__free(&base);
	return status;
}

