// SPDX-License-Identifier: BSD-2-Clause
/* report_html.c: one self-contained HTML page: matrix, statistics charts, failures. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "error_class.h"
#include "explain.h"
#include "out_file.h"
#include "report.h"
#include "report_html.h"
#include "text_escape.h"

#define STEPS 12           /* instructions of the path shown in the explanation */
#define BRANCHES 5         /* branch decisions shown */
#define LOG_LINES 5000     /* the last lines of a log in the viewer (a browser stays quick) */
#define LABEL_CHARS 22     /* a kernel's name in a chart */

/* Untrusted text as HTML text, or (attr) inside a double-quoted attribute value:
 * HTML reads XML's escapes the same. */
static void h(FILE *f, const char *s)
{
	vh_escape__xml(f, s, false);
}

static void ha(FILE *f, const char *s)
{
	vh_escape__xml(f, s, true);
}

static const char *const css[] = {
	":root{--pass:#cdeccf;--fail:#f6c9c6;--skip:#e6e6e6;--error:#f5d9a8;--none:#fafafa}",
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}",
	"h1{font-size:1.4em;margin:0}h2{font-size:1.15em;margin:1.5em 0 .5em}",
	"code,pre,.log,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}",
	"table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left}",
	"#matrix th.k{font-weight:normal;font-size:12px}#matrix small{display:block;color:#444}",
	".cell a{color:inherit;text-decoration:none;display:block}",
	".v-pass{background:var(--pass)}.v-fail{background:var(--fail)}",
	".v-skip{background:var(--skip)}.v-error{background:var(--error)}",
	".v-none{background:var(--none);color:#999}",
	".cell.regressed{outline:3px solid #c0392b;outline-offset:-3px}",
	".badge{font-size:11px;padding:0 4px;border-radius:3px;background:#c0392b;color:#fff}",
	".charts{display:flex;flex-wrap:wrap;gap:12px}",
	".chart{border:1px solid #ddd;padding:6px;margin:0}.chart figcaption{font-weight:600}",
	"svg text{font:11px system-ui,sans-serif;fill:#222}svg .t{font-weight:600}",
	"svg .b-base{fill:#9aa4b1}svg .b-pass{fill:#3c9d4e}svg .b-fail{fill:#c0392b}",
	"svg .b-skip,svg .b-error{fill:#b98b2e}",
	"details.failure{border:1px solid #d9a3a0;border-radius:4px;margin:.6em 0;padding:.3em .6em}",
	"details.failure>summary{cursor:pointer;font-weight:600}",
	"dl.explain{display:grid;grid-template-columns:8em 1fr;gap:2px 8px}",
	"dl.explain dt{color:#555}dl.explain dd{margin:0}",
	".path td,.path th{border:0;padding:0 6px}.path .fail{background:var(--fail)}",
	".path .srcl{color:#2a6b9c}",
	".viewer{display:grid;grid-template-columns:minmax(0,3fr) minmax(14em,1fr);gap:8px}",
	".tools{grid-column:1/3}",
	".log{border:1px solid #ccc;max-height:28em;overflow:auto;padding:4px;position:relative}",
	".log .l{min-height:1.2em;white-space:pre}",
	".log .insn{cursor:pointer}.log .insn:hover{background:#eef}",
	".log .src{color:#2a6b9c}.log .state{color:#777}.log .err{background:var(--fail)}",
	".log .sel{outline:2px solid #e0a800;background:#ffe58a}.log .hit{background:#fff3b0}",
	".log.only .l:not(.hit){display:none}",
	".regs td.used{font-weight:700}.regs{font-size:12px}",
	".panel .regs td:first-child{white-space:nowrap}.panel .regs td{word-break:break-all}",
	".panel{border:1px solid #ccc;padding:4px;max-height:28em;overflow:auto}",
	"footer{margin-top:2em;color:#777;font-size:12px}",
	NULL,
};

/*
 * The viewer: each log line is classified (instruction, source annotation, full
 * state, message); a click on an instruction rebuilds the register state before
 * it from the last full state line and the changes printed after each
 * instruction since (the way the verifier prints them); the search box marks
 * matching lines. It reads the page's text only (textContent), never markup.
 */
static const char *const script[] = {
	"(function(){'use strict';",
	"var INSN=/^(\\d+): \\(([0-9a-f]{2})\\) (.*)$/,",
	"STATE=/^(?:\\d+|from \\d+ to \\d+): ((?:R\\d+|fp-?\\d+)[^=\\s]*=.*)$/,",
	"SRC=/^; (.*?)(?: @ (\\S+:\\d+))?$/,DELTA=/\\s+; ((?:R\\d+|fp-?\\d+)[^=\\s]*=.*)$/;",
	"var check=document.getElementById('selfcheck');",
	/* "R1_w=scalar(id=1; x) fp-8=mmmm" -> [[R1, scalar(id=1; x)], [fp-8, mmmm]] */
	"function regs(s){var out=[],d=0,t='';s+=' ';",
	" for(var i=0;i<s.length;i++){var c=s[i];",
	"  if(c==='('||c==='['||c==='{')d++;else if(c===')'||c===']'||c==='}')d--;",
	"  if(c===' '&&d<=0){var e=t.indexOf('=');",
	"   if(e>0)out.push([t.slice(0,e).replace(/_[rw]+$/,''),t.slice(e+1)]);t='';d=0}",
	"  else t+=c}",
	" return out}",
	"function classify(log){var ls=log.children;",
	" for(var i=0;i<ls.length;i++){var l=ls[i],t=l.textContent,m;",
	"  if(l.classList.contains('err'))continue;",
	"  if((m=INSN.exec(t))){l.classList.add('insn');l.dataset.insn=m[1]}",
	"  else if(STATE.test(t))l.classList.add('state');",
	"  else if(SRC.test(t))l.classList.add('src')}}",
	"function code(t){var m=INSN.exec(t);if(!m)return '';",
	" return m[3].replace(DELTA,'')}",
	/* the state before instruction line i */
	"function before(ls,i){var st=new Map(),j=i-1;",
	" while(j>=0&&!ls[j].classList.contains('state'))j--;",
	" if(j>=0)regs(STATE.exec(ls[j].textContent)[1]).forEach(function(p){st.set(p[0],p[1])});",
	" for(var k=j+1;k<i;k++){var t=ls[k].textContent;",
	"  if(!ls[k].classList.contains('insn'))continue;",
	"  if(/^call /.test(code(t)))['R1','R2','R3','R4','R5'].forEach(function(r){st.delete(r)});",
	"  var m=DELTA.exec(t);",
	"  if(m)regs(m[1]).forEach(function(p){st.set(p[0],p[1])})}",
	" return st}",
	"function show(v,l){var ls=v.querySelector('.log').children,i=Array.prototype.indexOf.call(ls,l);",
	" var old=v.querySelector('.sel');if(old)old.classList.remove('sel');l.classList.add('sel');",
	" var c=code(l.textContent),used=new Set(),m,re=/\\b[rw](\\d+)\\b/g;",
	" while((m=re.exec(c)))used.add('R'+m[1]);",
	" if(/^call /.test(c))['R1','R2','R3','R4','R5'].forEach(function(r){used.add(r)});",
	" if(c==='exit')used.add('R0');",
	" var st=before(ls,i),p=v.querySelector('.panel'),tb=document.createElement('table');",
	" tb.className='regs';p.textContent='';",
	" var hd=document.createElement('div');hd.className='mono';",
	" hd.textContent='state before insn '+l.dataset.insn+': '+c;p.appendChild(hd);",
	" var keys=Array.from(st.keys()).sort(function(a,b){",
	"  var fa=a[0]==='f',fb=b[0]==='f';if(fa!==fb)return fa?1:-1;",
	"  return parseInt(a.replace(/\\D+/,''),10)-parseInt(b.replace(/\\D+/,''),10)});",
	" var flat=[];keys.forEach(function(k){var r=tb.insertRow(),a=r.insertCell(),b=r.insertCell();",
	"  a.textContent=k;b.textContent=st.get(k);if(used.has(k)){a.className=b.className='used'}",
	"  flat.push(k+'='+st.get(k))});",
	" if(!keys.length){var r=tb.insertRow();r.insertCell().textContent='(no state in the log)'}",
	" p.appendChild(tb);var d=DELTA.exec(l.textContent);",
	" if(d){var a=document.createElement('div');a.className='mono';",
	"  a.textContent='after: '+d[1];p.appendChild(a)}",
	" check.dataset.insn=l.dataset.insn;check.dataset.state=flat.join(';')}",
	/* scroll the log (not the page) to line l */
	"function into(v,l){var lg=v.querySelector('.log');lg.scrollTop=l.offsetTop-lg.clientHeight/2}",
	"function search(v,q){var n=0,first=null;q=q.toLowerCase();",
	" Array.prototype.forEach.call(v.querySelector('.log').children,function(l){",
	"  var hit=q!==''&&l.textContent.toLowerCase().indexOf(q)>=0;",
	"  l.classList.toggle('hit',hit);if(hit){n++;first=first||l}});",
	" v.querySelector('.count').textContent=q?n+' matching line'+(n===1?'':'s'):'';",
	" if(first)into(v,first);",
	" check.dataset.hits=String(n);return n}",
	"document.querySelectorAll('.viewer').forEach(function(v){var log=v.querySelector('.log');",
	" classify(log);",
	" log.addEventListener('click',function(e){var l=e.target.closest('.insn');if(l)show(v,l)});",
	" var q=v.querySelector('input[type=search]');",
	" q.addEventListener('input',function(){search(v,q.value)});",
	" v.querySelector('input[type=checkbox]').addEventListener('change',function(e){",
	"  log.classList.toggle('only',e.target.checked)})});",
	/* #fail-N[&q=TEXT]: open failure N at its failing instruction */
	"function go(){var hs=decodeURIComponent(location.hash.slice(1)).split('&q=');",
	" var d=hs[0]?document.getElementById(hs[0]):null;",
	" if(!d||!d.classList.contains('failure'))return;d.open=true;check.dataset.open=d.id;",
	" var v=d.querySelector('.viewer');if(!v)return;",
	" var ls=v.querySelectorAll('.log .l'),last=null;",
	" for(var i=0;i<ls.length;i++){if(ls[i].classList.contains('err')&&last)break;",
	"  if(ls[i].classList.contains('insn'))last=ls[i]}",
	" if(last){show(v,last);into(v,last)}",
	" if(hs.length>1){var q=v.querySelector('input[type=search]');q.value=hs[1];search(v,hs[1])}",
	"}",
	"window.addEventListener('hashchange',go);go();",
	"check.dataset.cells=String(document.querySelectorAll('#matrix .cell').length);",
	"check.dataset.js='ok'})();",
	NULL,
};

static void put_lines(FILE *f, const char *const *lines)
{
	for (size_t i = 0; lines[i]; i++) {
		fputs(lines[i], f);
		fputc('\n', f);
	}
}

static const char *verdict_class(const struct vh_result *r)
{
	return r ? vh_verdict__name(r->verdict) : "none";
}

static void put_label(FILE *f, const struct vh_result *r)
{
	h(f, vh_report__basename(r->object));
	fputc(':', f);
	h(f, r->program ?: "?");
}

static long stat_of(const struct vh_result *r, int which)
{
	if (!r)
		return VH_STAT_UNKNOWN;
	return which ? r->stats.total_states : r->stats.insns_processed;
}

/* --- what the page needs of the comparison --------------------------------------- */

static const struct vh_compare_row *row_of(const struct vh_compare *cmp, const struct vh_result *r)
{
	for (size_t i = 0; cmp && i < cmp->n; i++)
		if (cmp->rows[i].cur == r)
			return &cmp->rows[i];
	return NULL;
}

static const struct vh_result *base_of(const struct vh_compare *cmp, const struct vh_result *r)
{
	const struct vh_compare_row *row = row_of(cmp, r);

	return row ? row->base : NULL;
}

/* --- the matrix ------------------------------------------------------------------- */

static void put_kernel_head(FILE *f, const struct vh_result_set *set, const char *release)
{
	const struct vh_kernel_info *k = vh_result_set__find_kernel(set, release);

	fputs("<th class=\"k\" title=\"", f);
	if (k && k->baseline_kernel) {
		fputs("compared with the baseline's ", f);
		ha(f, k->baseline_kernel);
	}
	fputs("\">", f);
	h(f, release);
	if (k && (k->series || k->backend)) {
		fputs("<br><small>", f);
		h(f, k->series ?: "");
		if (k->backend && k->series && strcmp(k->backend, k->series)) {
			fputs(" (", f);
			h(f, k->backend);
			fputc(')', f);
		}
		fputs("</small>", f);
	}
	fputs("</th>", f);
}

static void put_cell(FILE *f, const struct vh_result *r, long fail_id, size_t row,
		     const struct vh_compare *cmp)
{
	const struct vh_compare_row *c = r ? row_of(cmp, r) : NULL;
	bool regressed = c && c->status == VH_CMP_REGRESSION;

	fprintf(f, "<td class=\"cell v-%s%s\" data-verdict=\"%s\"", verdict_class(r),
		regressed ? " regressed" : "", verdict_class(r));
	if (!r) {
		fputs(">-</td>", f);
		return;
	}
	fputs(" data-kernel=\"", f);
	ha(f, r->kernel);
	fputs("\" title=\"", f);
	ha(f, r->error ?: r->reason ?: "");
	if (fail_id >= 0)
		fprintf(f, "\"><a href=\"#fail-%ld\">", fail_id);
	else
		fprintf(f, "\"><a href=\"#prog-%zu\">", row);
	fputs(vh_verdict__name(r->verdict), f);
	if (regressed)
		fputs(" <span class=\"badge\">regressed</span>", f);
	else if (c && c->status == VH_CMP_FIXED)
		fputs(" <span class=\"badge\" style=\"background:#3c9d4e\">fixed</span>", f);
	fputs("<small>", f);
	if (r->verdict == VH_PASS && r->stats.insns_processed >= 0)
		fprintf(f, "%ld insns", r->stats.insns_processed);
	else if (r->verdict == VH_FAIL || r->verdict == VH_ERROR)
		h(f, r->error_class ?: "");
	else if (r->verdict == VH_SKIP)
		h(f, r->reason ?: "");
	fputs("</small></a></td>", f);
}

static void put_matrix(FILE *f, const struct vh_result_set *set, const struct vh_report_matrix *m,
		       const long *fail_ids, const struct vh_compare *cmp)
{
	fputs("<table id=\"matrix\"><thead><tr><th>program</th><th>type</th>", f);
	for (size_t k = 0; k < m->nkernels; k++)
		put_kernel_head(f, set, m->kernels[k]);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t row = 0; row < m->nrows; row++) {
		const struct vh_result *first = &set->v[m->rows[row]];

		fprintf(f, "<tr><th class=\"prog\"><a href=\"#prog-%zu\">", row);
		put_label(f, first);
		fputs("</a></th><td>", f);
		h(f, first->prog_type ?: "-");
		fputs("</td>", f);
		for (size_t k = 0; k < m->nkernels; k++) {
			long idx = m->cells[row * m->nkernels + k];

			put_cell(f, idx >= 0 ? &set->v[idx] : NULL, idx >= 0 ? fail_ids[idx] : -1,
				 row, cmp);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table>\n", f);
}

/* --- the charts ------------------------------------------------------------------- */

#define CH_LABEL 150  /* kernel names */
#define CH_BAR 190    /* the longest bar */
#define CH_WIDTH 420
#define CH_ROW 15     /* a kernel's bar */
#define CH_BASE 7     /* its baseline's bar, under it */

static void put_svg_text(FILE *f, int x, int y, const char *cls, const char *s)
{
	fprintf(f, "<text x=\"%d\" y=\"%d\"%s%s%s>", x, y, cls ? " class=\"" : "", cls ?: "",
		cls ? "\"" : "");
	h(f, s);
	fputs("</text>", f);
}

/* One panel: a bar per kernel for one statistic (0 insns, 1 states); returns its height. */
static int put_panel(FILE *f, const struct vh_result_set *set, const struct vh_report_matrix *m,
		     size_t row, const struct vh_compare *cmp, int which, int y0)
{
	static const char *const titles[] = { "insns processed", "states (total)" };
	bool with_base = false;
	long max = 1;
	int y = y0 + 14;

	for (size_t k = 0; k < m->nkernels; k++) {
		long idx = m->cells[row * m->nkernels + k];
		const struct vh_result *r = idx >= 0 ? &set->v[idx] : NULL;
		const struct vh_result *b = r ? base_of(cmp, r) : NULL;

		if (stat_of(r, which) > max)
			max = stat_of(r, which);
		if (stat_of(b, which) > max)
			max = stat_of(b, which);
		with_base |= b != NULL;
	}
	put_svg_text(f, 0, y - 3, "t", titles[which]);
	if (with_base)
		put_svg_text(f, CH_LABEL, y - 3, NULL, "(grey: baseline)");
	for (size_t k = 0; k < m->nkernels; k++) {
		long idx = m->cells[row * m->nkernels + k];
		const struct vh_result *r = idx >= 0 ? &set->v[idx] : NULL;
		const struct vh_result *b = r ? base_of(cmp, r) : NULL;
		long v = stat_of(r, which), bv = stat_of(b, which);
		char label[LABEL_CHARS + 4], num[64];
		int w = v > 0 ? (int)(CH_BAR * (double)v / max) : 0;

		snprintf(label, sizeof(label), "%.*s%s", LABEL_CHARS, m->kernels[k],
			 strlen(m->kernels[k]) > LABEL_CHARS ? "..." : "");
		put_svg_text(f, 0, y + 11, NULL, label);
		fprintf(f, "<rect class=\"b-%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
			"<title>", verdict_class(r), CH_LABEL, y + 2, w ? w : 1, CH_ROW - 4);
		h(f, m->kernels[k]);
		if (v >= 0)
			fprintf(f, ": %ld", v);
		if (which && r && r->stats.peak_states >= 0)
			fprintf(f, " (peak %ld)", r->stats.peak_states);
		fputs("</title></rect>", f);
		snprintf(num, sizeof(num), "%s", v >= 0 ? "" : "-");
		if (v >= 0)
			snprintf(num, sizeof(num), "%ld", v);
		put_svg_text(f, CH_LABEL + (w ? w : 1) + 4, y + 11, NULL, num);
		y += CH_ROW;
		if (!b)
			continue;
		w = bv > 0 ? (int)(CH_BAR * (double)bv / max) : 0;
		fprintf(f, "<rect class=\"b-base\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
			"<title>baseline ", CH_LABEL, y, w ? w : 1, CH_BASE - 2);
		h(f, b->kernel);
		if (bv >= 0)
			fprintf(f, ": %ld", bv);
		fputs("</title></rect>", f);
		if (bv >= 0) {
			snprintf(num, sizeof(num), "%ld", bv);
			fprintf(f, "<text x=\"%d\" y=\"%d\" style=\"font-size:8px\">%s</text>",
				CH_LABEL + (w ? w : 1) + 4, y + 6, num);
		}
		y += CH_BASE;
	}
	return y - y0 + 6;
}

static void put_chart(FILE *f, const struct vh_result_set *set, const struct vh_report_matrix *m,
		      size_t row, const struct vh_compare *cmp)
{
	char *svg = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&svg, &len);
	int height = 0;

	fprintf(f, "<figure class=\"chart\" id=\"prog-%zu\"><figcaption>", row);
	put_label(f, &set->v[m->rows[row]]);
	fputs("</figcaption>\n", f);
	/* the panels first, to know the height */
	if (!mem) {
		fputs("(out of memory)</figure>\n", f);
		return;
	}
	height += put_panel(mem, set, m, row, cmp, 0, height);
	height += put_panel(mem, set, m, row, cmp, 1, height);
	fclose(mem);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"role=\"img\">%s</svg></figure>\n", CH_WIDTH, height, svg ?: "");
	free(svg);
}

/* --- the failures ----------------------------------------------------------------- */

static void put_dd(FILE *f, const char *term, const char *text, bool code)
{
	if (!text)
		return;
	fprintf(f, "<dt>%s</dt><dd>%s", term, code ? "<code>" : "");
	h(f, text);
	fprintf(f, "%s</dd>\n", code ? "</code>" : "");
}

static void put_path(FILE *f, const struct vh_explain *ex)
{
	const char *prev = NULL;

	fprintf(f, "<p>Source and instructions before the failure (last %zu of %zu verified on "
		"its path):</p>\n<table class=\"path mono\">", ex->nsteps, ex->path_len);
	for (size_t i = 0; i < ex->nsteps; i++) {
		const struct vh_explain_step *st = &ex->steps[i];

		if (st->source && (!prev || strcmp(prev, st->source))) {
			fputs("<tr class=\"srcl\"><td></td><td>", f);
			h(f, st->file_line ?: "");
			fputs("</td><td>", f);
			h(f, st->source);
			fputs("</td></tr>", f);
		}
		prev = st->source;
		fprintf(f, "<tr%s><td>%ld:</td><td></td><td>", i + 1 == ex->nsteps ?
			" class=\"fail\"" : "", st->insn);
		h(f, st->text);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<p>Registers the failing instruction uses:</p>\n"
	      "<table class=\"regs mono\">", f);
	for (size_t i = 0; i < ex->nregs; i++) {
		fputs("<tr><td>", f);
		h(f, ex->regs[i].name);
		fputs("</td><td>", f);
		h(f, ex->regs[i].value ?: "not initialised");
		fputs("</td></tr>", f);
	}
	for (size_t i = 0; i < ex->nstack; i++) {
		fputs("<tr><td>", f);
		h(f, ex->stack[i].name);
		fputs("</td><td>", f);
		h(f, ex->stack[i].value);
		fputs("</td></tr>", f);
	}
	fputs("</table>\n", f);
	fprintf(f, "<p>Path: %zu branch decision%s on the way to it.</p>\n<table class=\"path "
		"mono\">", ex->branches_total, ex->branches_total == 1 ? "" : "s");
	for (size_t i = 0; i < ex->nbranches; i++) {
		const struct vh_explain_branch *b = &ex->branches[i];

		fprintf(f, "<tr><td>%ld:</td><td>%s", b->insn, b->taken ? "taken" : "not taken");
		if (b->count > 1)
			fprintf(f, " x%zu", b->count);
		fputs("</td><td>", f);
		h(f, b->file_line ?: "");
		fputs("</td><td>", f);
		h(f, b->source ?: "");
		fputs("</td><td>", f);
		h(f, b->text);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The log, one element per line (its last LOG_LINES), the error line marked. */
static void put_log(FILE *f, const struct vh_result *r, const char *log)
{
	size_t lines = 0, skip;
	const char *p = log;

	for (const char *q = log; *q; q++)
		lines += *q == '\n';
	lines += log[0] && log[strlen(log) - 1] != '\n';
	skip = lines > LOG_LINES ? lines - LOG_LINES : 0;
	if (skip)
		fprintf(f, "<div class=\"l\">[%zu earlier lines not shown]</div>", skip);
	for (size_t i = 0; *p; i++) {
		size_t n = strcspn(p, "\n");
		char *line = strndup(p, n);
		bool err = line && r->error && !strcmp(line, r->error);

		if (i >= skip) {
			fprintf(f, "<div class=\"l%s\">", err ? " err" : "");
			h(f, line ?: "");
			fputs("</div>", f);
		}
		free(line);
		p += n + (p[n] == '\n');
		if (i >= skip)
			fputc('\n', f);
	}
	if (r->log_truncated)
		fprintf(f, "<div class=\"l\">%s</div>\n", VH_LOG_TRUNCATED_NOTE);
}

static int put_failure(FILE *f, const struct vh_result *r, long id)
{
	const struct vh_error_class *cls = vh_error__by_name(r->error_class ?: "other");
	const char *log = r->log ?: r->log_tail;
	struct vh_explain ex;
	char where[512];

	fprintf(f, "<details class=\"failure\" id=\"fail-%ld\" data-verdict=\"%s\">"
		"<summary>", id, vh_verdict__name(r->verdict));
	put_label(f, r);
	fputs(" on ", f);
	h(f, r->kernel ?: "?");
	fputs(": ", f);
	h(f, r->error_class ?: r->error ?: vh_verdict__name(r->verdict));
	fputs("</summary>\n<dl class=\"explain\">\n", f);
	put_dd(f, "error", r->error, true);
	if (r->source || r->source_text) {
		snprintf(where, sizeof(where), "%s%s%s", r->source ?: "",
			 r->source && r->source_text ? ": " : "", r->source_text ?: "");
		put_dd(f, "at", where, true);
	}
	if (r->error_class) {
		snprintf(where, sizeof(where), "%s (%s)", r->error_class,
			 r->error_kind ?: cls ? cls->kind : VH_KIND_UNKNOWN);
		put_dd(f, "class", where, false);
		put_dd(f, "hint", cls ? cls->hint : NULL, false);
		snprintf(where, sizeof(where), "docs/error-classes.md#%s", r->error_class);
		put_dd(f, "docs", where, true);
	}
	put_dd(f, "type", r->prog_type, false);
	put_dd(f, "expect", r->expect, false);
	put_dd(f, "note", r->note, false);
	fputs("</dl>\n", f);
	if (vh_explain__analyze(log, STEPS, BRANCHES, &ex)) {
		vh_explain__free(&ex);
		return -ENOMEM;
	}
	if (ex.failed_insn >= 0)
		put_path(f, &ex);
	vh_explain__free(&ex);
	if (log && log[0]) {
		fprintf(f, "<p>Verifier log (%s; click an instruction for the state before it):</p>\n"
			"<div class=\"viewer\"><div class=\"tools\"><input type=\"search\" "
			"placeholder=\"search the log\" aria-label=\"search the log\"> <label>"
			"<input type=\"checkbox\"> matching lines only</label> <span class=\"count\">"
			"</span></div>\n<div class=\"log\">", r->log ? "full" : "its last lines");
		put_log(f, r, log);
		fputs("</div><div class=\"panel\">click an instruction</div></div>\n", f);
	}
	fputs("</details>\n", f);
	return 0;
}

/* --- the page --------------------------------------------------------------------- */

static bool is_failure(const struct vh_result *r)
{
	return r->verdict == VH_FAIL || r->verdict == VH_ERROR;
}

static int write_page(FILE *f, const struct vh_result_set *set, const struct vh_compare *cmp,
		      const struct vh_report_matrix *m, const long *fail_ids)
{
	char summary[256];
	long nfail = 0;
	int err = 0;

	vh_report__summary(summary, sizeof(summary), set);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
	      "<title>bpfgate verification report</title>\n<style>\n", f);
	put_lines(f, css);
	fputs("</style></head><body>\n<header><h1>bpfgate verification report</h1>\n"
	      "<p id=\"summary\">", f);
	h(f, summary);
	fputs("</p>\n", f);
	if (cmp) {
		fprintf(f, "<p id=\"gate\">Baseline <code>");
		h(f, cmp->base_name ?: "baseline");
		fprintf(f, "</code>: %zu compared, %zu regression%s, %zu fixed, %zu added, "
			"%zu removed.</p>\n", cmp->compared, cmp->regressions,
			cmp->regressions == 1 ? "" : "s", cmp->fixed, cmp->added, cmp->removed);
	}
	fputs("</header>\n<h2>Programs by kernel</h2>\n", f);
	put_matrix(f, set, m, fail_ids, cmp);
	fputs("<h2>Statistics</h2>\n<div class=\"charts\">\n", f);
	for (size_t row = 0; row < m->nrows; row++)
		put_chart(f, set, m, row, cmp);
	fputs("</div>\n", f);
	for (size_t i = 0; i < set->n; i++)
		nfail += is_failure(&set->v[i]);
	fprintf(f, "<h2>Failures (%ld)</h2>\n", nfail);
	for (size_t i = 0; i < set->n && !err; i++)
		if (fail_ids[i] >= 0)
			err = put_failure(f, &set->v[i], fail_ids[i]);
	fputs("<footer>bpfgate ", f);
	h(f, set->version ?: "");
	fputs("</footer>\n<output id=\"selfcheck\" hidden></output>\n<script>\n", f);
	put_lines(f, script);
	fputs("</script>\n</body></html>\n", f);
	return err;
}

int vh_report__html(const char *path, const struct vh_result_set *set,
		    const struct vh_compare *cmp)
{
	struct vh_report_matrix m;
	struct vh_out_file of;
	long *fail_ids, next = 0;
	bool full_logs = false;
	char *target = NULL;
	int err;

	if (vh_report_matrix__build(&m, set))
		return -ENOMEM;
	fail_ids = calloc(set->n ? set->n : 1, sizeof(*fail_ids));
	if (!fail_ids) {
		vh_report_matrix__free(&m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < set->n; i++) {
		fail_ids[i] = is_failure(&set->v[i]) ? next++ : -1;
		full_logs |= fail_ids[i] >= 0 && set->v[i].log;
	}
	err = vh_out_file__open(&of, path, VH_OUT_REPLACE);
	if (!err) {
		err = write_page(of.f, set, cmp, &m, fail_ids);
		/* a full log shows this kernel's addresses: a page with one is for its
		 * owner only, as bpfgate explain's log file (a device or FIFO given
		 * as FILE is written through and left as it is) */
		if (!err && full_logs && of.tmp && !(target = strdup(of.target)))
			err = -ENOMEM;
		if (err)
			vh_out_file__abort(&of);
		else
			err = vh_out_file__commit(&of);
		if (!err && target && chmod(target, 0600))
			err = -errno;
	}
	free(target);
	free(fail_ids);
	vh_report_matrix__free(&m);
	return err;
}
