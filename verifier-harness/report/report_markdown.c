// SPDX-License-Identifier: BSD-2-Clause
/* report_markdown.c: CI views: a Markdown job summary and GitHub Actions annotations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "out_file.h"
#include "report.h"
#include "stat_registry.h"
#include "text_escape.h"

/* s in a fenced code block: the fence is longer than any run of backticks in s. */
static void put_fenced(FILE *f, const char *info, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ?: "");
	size_t n = strlen((const char *)s), run = 0, longest = 0, fence;

	for (size_t i = 0; i < n; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	fence = longest < 3 ? 3 : longest + 1;
	for (size_t i = 0; i < fence; i++)
		fputc('`', f);
	fprintf(f, "%s\n", info);
	vh_escape__markdown_code(f, str);
	if (str && *str && str[strlen(str) - 1] != '\n')
		fputc('\n', f);
	for (size_t i = 0; i < fence; i++)
		fputc('`', f);
	fputc('\n', f);
}

static void put_stat(FILE *f, long v)
{
	if (v >= 0)
		fprintf(f, " %ld |", v);
	else
		fputs(" - |", f);
}

static const char *verdict_md(enum vh_verdict v)
{
	switch (v) {
	case VH_PASS:
		return "pass";
	case VH_FAIL:
		return "**FAIL**";
	case VH_SKIP:
		return "skip";
	default:
		return "**ERROR**";
	}
}

static void md_label(FILE *f, const struct vh_result *r, bool with_object)
{
	if (with_object) {
		vh_escape__markdown(f, vh_report__basename(r->object));
		fputc(':', f);
	}
	vh_escape__markdown(f, r->program ?: "?");
}

static void md_table(FILE *f, const struct vh_result_set *set)
{
	bool with_object = vh_report__many_objects(set);
	char title[64];

	fputs("| Program | Type | Verdict |", f);
	for (int s = 0; s < VH_STAT_CNT; s++)
		if (vh_stat_defs[s].show & VH_SHOW_TABLE) {
			vh_stat__title(&vh_stat_defs[s], title, sizeof(title));
			fprintf(f, " %s |", title);
		}
	fputs(" Class / error |\n| --- | --- | --- |", f);
	for (int s = 0; s < VH_STAT_CNT; s++)
		if (vh_stat_defs[s].show & VH_SHOW_TABLE)
			fputs(" ---: |", f);
	fputs(" --- |\n", f);
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		const char *why = r->verdict == VH_SKIP ? r->reason :
				  r->verdict == VH_FAIL ? (r->error_class ?: r->error) :
				  r->verdict == VH_ERROR ? r->error : NULL;

		fputs("| ", f);
		md_label(f, r, with_object);
		fputs(" | ", f);
		vh_escape__markdown(f, r->prog_type ?: "-");
		fprintf(f, " | %s |", verdict_md(r->verdict));
		for (int s = 0; s < VH_STAT_CNT; s++)
			if (vh_stat_defs[s].show & VH_SHOW_TABLE)
				put_stat(f, vh_stats__get(&r->stats, s));
		fputc(' ', f);
		vh_escape__markdown(f, why);
		fputs(" |\n", f);
	}
}

static void md_matrix(FILE *f, const struct vh_result_set *set, const struct vh_report_matrix *m)
{
	fputs("| Program |", f);
	for (size_t k = 0; k < m->nkernels; k++) {
		fputc(' ', f);
		vh_escape__markdown(f, m->kernels[k]);
		fputs(" |", f);
	}
	fputs("\n| --- |", f);
	for (size_t k = 0; k < m->nkernels; k++)
		fputs(" --- |", f);
	fputc('\n', f);
	for (size_t row = 0; row < m->nrows; row++) {
		fputs("| ", f);
		md_label(f, &set->v[m->rows[row]], true);
		fputs(" |", f);
		for (size_t k = 0; k < m->nkernels; k++) {
			long idx = m->cells[row * m->nkernels + k];
			const struct vh_result *r = idx >= 0 ? &set->v[idx] : NULL;

			if (!r) {
				fputs(" - |", f);
				continue;
			}
			fprintf(f, " %s", verdict_md(r->verdict));
			if (r->verdict == VH_PASS && r->stats.insns_processed >= 0)
				fprintf(f, " %ld", r->stats.insns_processed);
			if (r->verdict == VH_FAIL && r->error_class) {
				fputc(' ', f);
				vh_escape__markdown(f, r->error_class);
			}
			fputs(" |", f);
		}
		fputc('\n', f);
	}
}

static void md_failure(FILE *f, const struct vh_result *r)
{
	fputs("##### ", f);
	vh_escape__markdown(f, r->program ?: "?");
	fputs(" (", f);
	vh_escape__markdown(f, vh_report__basename(r->object));
	fputs(", kernel ", f);
	vh_escape__markdown(f, r->kernel ?: "?");
	fprintf(f, "): %s\n\n", vh_verdict__name(r->verdict));
	if (r->error) {
		fputs("- error: ", f);
		vh_escape__markdown(f, r->error);
		fputc('\n', f);
	}
	if (r->error_class) {
		fputs("- class: ", f);
		vh_escape__markdown(f, r->error_class);
		if (r->error_kind) {
			fputs(" (", f);
			vh_escape__markdown(f, r->error_kind);
			fputc(')', f);
		}
		fputc('\n', f);
	}
	if (r->expect) {
		fputs("- expected: ", f);
		vh_escape__markdown(f, r->expect);
		fputc('\n', f);
	}
	if (r->source) {
		fputs("- source: ", f);
		vh_escape__markdown(f, r->source);
		fputc('\n', f);
	}
	fputc('\n', f);
	if (r->source_text) {
		put_fenced(f, "c", r->source_text);
		fputc('\n', f);
	}
	if (r->log_tail && *r->log_tail) {
		fputs("<details><summary>verifier log (tail)</summary>\n\n", f);
		put_fenced(f, "", r->log_tail);
		fputs("\n</details>\n\n", f);
	}
	if (r->log_truncated)
		fprintf(f, "%s\n\n", VH_LOG_TRUNCATED_NOTE);
}

static void write_markdown(FILE *f, const struct vh_result_set *set)
{
	struct vh_report_matrix m;
	size_t c[VH_VERDICT_CNT];
	char summary[256];
	bool have_matrix;

	vh_result_set__count(set, c);
	vh_report__summary(summary, sizeof(summary), set);
	fputs("### bpfgate verify\n\n", f);
	have_matrix = !vh_report_matrix__build(&m, set) && m.nkernels > 1;
	if (have_matrix)
		md_matrix(f, set, &m);
	else
		md_table(f, set);
	vh_report_matrix__free(&m);
	fprintf(f, "\n**%s**\n\n", summary);
	if (!c[VH_FAIL] && !c[VH_ERROR])
		return;
	fputs("#### Failures\n\n", f);
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].verdict == VH_FAIL || set->v[i].verdict == VH_ERROR)
			md_failure(f, &set->v[i]);
}

int vh_report__markdown(const char *path, const struct vh_result_set *set, bool append)
{
	struct vh_out_file of;
	int err;

	err = vh_out_file__open(&of, path, append ? VH_OUT_APPEND : VH_OUT_REPLACE);
	if (err)
		return err;
	write_markdown(of.f, set);
	return vh_out_file__commit(&of);
}

/* "dir/file.bpf.c:42" -> file part length and line, when it has that shape */
static bool split_source(const char *src, size_t *file_len, long *line)
{
	const char *colon = src ? strrchr(src, ':') : NULL;
	char *end;

	if (!colon || colon == src || !colon[1])
		return false;
	*line = strtol(colon + 1, &end, 10);
	if (*end || *line <= 0 || colon[1] < '0' || colon[1] > '9')
		return false;
	*file_len = colon - src;
	return true;
}

void vh_report__gh_annotations(FILE *f, const struct vh_result_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		size_t file_len;
		char *file;
		long line;

		if (r->verdict != VH_FAIL && r->verdict != VH_ERROR)
			continue;
		fputs("::error ", f);
		if (split_source(r->source, &file_len, &line) &&
		    (file = strndup(r->source, file_len))) {
			fputs("file=", f);
			vh_escape__gh(f, file, true);
			fprintf(f, ",line=%ld,", line);
			free(file);
		}
		fputs("title=", f);
		vh_escape__gh(f, "bpfgate: ", true);
		vh_escape__gh(f, r->program ?: "?", true);
		vh_escape__gh(f, r->verdict == VH_FAIL ? " rejected on " : " not verified on ", true);
		vh_escape__gh(f, r->kernel ?: "?", true);
		fputs("::", f);
		vh_escape__gh(f, r->error ?: vh_verdict__name(r->verdict), false);
		if (r->error_class) {
			vh_escape__gh(f, " [", false);
			vh_escape__gh(f, r->error_class, false);
			vh_escape__gh(f, "]", false);
		}
		if (r->source_text) {
			vh_escape__gh(f, "\n", false);
			vh_escape__gh(f, r->source_text, false);
		}
		fputc('\n', f);
	}
}
