// SPDX-License-Identifier: BSD-2-Clause
/* cmd_explain.c: bpfgate explain: one screen on why a program was rejected. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "core_btf.h"
#include "diag.h"
#include "error_class.h"
#include "explain.h"
#include "json_writer.h"
#include "target.h"
#include "vm_fleet.h"
#include "object_verify.h"
#include "options.h"
#include "out_file.h"
#include "privilege.h"
#include "report.h"
#include "term_line.h"
#include "verifier_log.h"

#define STEPS 12         /* instructions shown before the failure (with their source) */
#define STEP_LINES 16    /* screen lines for them and their source lines */
#define BRANCHES 5       /* branch decisions shown */
#define REG_LINES 6      /* registers shown (a call reads up to five) */
#define ERROR_LINES 3    /* lines of the verifier's message */
#define HINT_LINES 2

enum {
	OPT_KERNEL = VH_OPT_CMD,
	OPT_LOG,
};

static const struct vh_opt opt_kernel = {
	OPT_KERNEL, "kernel", 0, VH_OPT_STR, "K", .def_doc = "host",
	.help = "the kernel to explain on: host (the running kernel), a series of "
		"ci/kernels.conf (5.10, 6.1, ...), a kernel image or a build tree (in a VM)",
};
static const struct vh_opt opt_log = {
	OPT_LOG, "log", 0, VH_OPT_STR, "FILE",
	.def_doc = "a new file in $TMPDIR",
	.help = "write the full verifier logs to FILE (replaced atomically)",
};

static const struct vh_opt *const explain_opts[] = {
	&vh_opt_json, &vh_opt_pretty, &opt_kernel, &opt_log, &vh_opt_help, NULL,
};

static const struct vh_cmd_opts explain_cmd = {
	.cmd = "explain",
	.synopsis = "[OPTIONS] OBJ [PROG]",
	.about = "Load program PROG of BPF object OBJ on the running kernel (or in a VM of kernel\n"
		 "K, as bpfgate verify --kernel K does) and show on one screen why the verifier\n"
		 "rejected it: the error, its class and the usual fix, the source lines and\n"
		 "instructions leading to the failing instruction, the registers it uses, and\n"
		 "the branches the verifier took. Without PROG, every rejected program of OBJ\n"
		 "is explained in turn. The full verifier log goes to a file whose path is printed.",
	.epilog = "Exit status: 0 the program(s) passed (or were skipped with a reason), 1 a program\n"
		  "was rejected, 2 usage, input or environment error (no such object or program,\n"
		  "no privilege, a kernel that cannot be fetched or booted).\n",
	.opts = explain_opts,
};

struct explain_cfg {
	bool json, pretty;
	const char *kernel;
	const char *log;
};

static int explain_opt(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	struct explain_cfg *cfg = ctx;

	switch (o->id) {
	case VH_OPT_JSON:
		cfg->json = true;
		break;
	case VH_OPT_PRETTY:
		cfg->json = cfg->pretty = true;
		break;
	case OPT_KERNEL:
		cfg->kernel = v->str;
		break;
	case OPT_LOG:
		cfg->log = v->str;
		break;
	}
	return 0;
}

/* Where the full logs go: --log FILE, or a new file in $TMPDIR. 0 or -errno. */
static int open_log(const struct explain_cfg *cfg, struct vh_out_file *of, char **path)
{
	const char *dir = getenv("TMPDIR");
	int fd, err;

	if (cfg->log) {
		*path = strdup(cfg->log);
	} else {
		if (asprintf(path, "%s/bpfgate-explain-XXXXXX.log", dir && dir[0] ? dir : "/tmp") < 0)
			*path = NULL;
		/* a unique name, filled atomically below */
		fd = *path ? mkstemps(*path, 4) : -1;
		if (fd < 0) {
			err = *path ? -errno : -ENOMEM;
			free(*path);
			*path = NULL;
			return err;
		}
		close(fd);
	}
	if (!*path)
		return -ENOMEM;
	err = vh_out_file__open(of, *path, VH_OUT_REPLACE);
	if (err) {
		if (!cfg->log)
			unlink(*path);
		free(*path);
		*path = NULL;
		return err;
	}
	return 0;
}

/* A rejection to explain: a failure, or a rejection the program's __failure tag
 * expects (its verdict is pass, the exit status stays 0). */
static bool explained(const struct vh_result *r)
{
	return r->verdict == VH_FAIL || (r->verdict == VH_PASS && r->log && r->error_class);
}

/* Write the logs of the rejected results. 0 or -errno (nothing left behind). */
static int write_logs(const struct explain_cfg *cfg, const struct vh_result_set *set,
		      char **path)
{
	struct vh_out_file of;
	char *target = NULL;
	int err = open_log(cfg, &of, path);

	if (err)
		return err;
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		size_t n = r->log ? strlen(r->log) : 0;

		if (!explained(r))
			continue;
		fprintf(of.f, "%s: prog '%s': -- BEGIN PROG LOAD LOG --\n%s%s-- END PROG LOAD LOG --\n",
			r->object, r->program, r->log ?: "", n && r->log[n - 1] != '\n' ? "\n" : "");
	}
	/* the log shows kernel addresses: for its owner only (a file put in place;
	 * a device or FIFO given as --log is written through, left as it is) */
	if (of.tmp && !(target = strdup(of.target))) {
		vh_out_file__abort(&of);
		err = -ENOMEM;
	} else {
		err = vh_out_file__commit(&of);
	}
	if (!err && target && chmod(target, 0600))
		err = -errno;
	free(target);
	if (err && !cfg->log)
		unlink(*path);
	return err;
}

/* --- the screen ------------------------------------------------------------------- */

struct screen {
	FILE *f;
	size_t width;
};

/* text cut into lines of width columns at spaces, at most max lines */
static void wrapped(const struct screen *s, const char *label, const char *text, int max)
{
	size_t room = s->width > 12 ? s->width - 10 : 30;
	const char *p = text;

	for (int i = 0; *p && i < max; i++) {
		size_t n = strlen(p), cut = n;

		if (n > room && i < max - 1) {
			cut = room;
			while (cut > room / 2 && p[cut] != ' ')
				cut--;
			if (p[cut] != ' ')
				cut = room;
		}
		vh_term__line(s->f, s->width, "%-8s%.*s", i ? "" : label, (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

/* The verifier's message: its first lines (the error and what it says after). */
static void print_error(const struct screen *s, const struct vh_result *r)
{
	char *text = r->log ? vh_log__error_text(r->log) : NULL;
	const char *p = text && text[0] ? text : r->error ?: "(no error line)";

	for (int i = 0; *p && i < ERROR_LINES; i++) {
		size_t n = strcspn(p, "\n");

		vh_term__line(s->f, s->width, "%-8s%.*s", i ? "" : "error:", (int)n, p);
		p += n + (p[n] == '\n');
	}
	free(text);
}

static void print_steps(const struct screen *s, const struct vh_explain *ex)
{
	const char *prev = NULL;
	size_t first = 0, lines = 0;

	/* from the end, as many steps (and their source lines) as fit */
	for (size_t i = ex->nsteps; i-- > 0;) {
		const struct vh_explain_step *st = &ex->steps[i];
		bool new_src = st->source && (i == 0 || !ex->steps[i - 1].source ||
					      strcmp(ex->steps[i - 1].source, st->source) ||
					      strcmp(ex->steps[i - 1].file_line ?: "", st->file_line ?: ""));

		if (lines + 1 + new_src + (i && !new_src) > STEP_LINES)
			break;
		lines += 1 + new_src;
		first = i;
	}
	vh_term__line(s->f, s->width, "source and instructions before the failure (last %zu of %zu "
		      "verified on its path):", ex->nsteps - first, ex->path_len);
	for (size_t i = first; i < ex->nsteps; i++) {
		const struct vh_explain_step *st = &ex->steps[i];
		bool last = i + 1 == ex->nsteps;

		if (st->source && (i == first || !prev || strcmp(prev, st->source)))
			vh_term__line(s->f, s->width, "  %s%s%s", st->file_line ?: "",
				      st->file_line ? ": " : "; ", st->source);
		prev = st->source;
		vh_term__line(s->f, s->width, "  %s %5ld: %s", last ? ">" : " ", st->insn, st->text);
	}
}

static void print_state(const struct screen *s, const struct vh_explain *ex)
{
	vh_term__line(s->f, s->width, "state before insn %ld (the registers it uses):",
		      ex->failed_insn);
	if (!ex->nregs)
		vh_term__line(s->f, s->width, "  (the log has no register state for it)");
	for (size_t i = 0; i < ex->nregs && i < REG_LINES; i++)
		vh_term__line(s->f, s->width, "  %-4s %s", ex->regs[i].name,
			      ex->regs[i].value ?: "not initialised");
	if (ex->nregs > REG_LINES)
		vh_term__line(s->f, s->width, "  (%zu more with --json)", ex->nregs - REG_LINES);
	if (ex->nstack) {
		char line[512];
		size_t n = 0;

		for (size_t i = 0; i < ex->nstack && n < sizeof(line); i++)
			n += snprintf(line + n, sizeof(line) - n, "%s%s=%s", i ? " " : "",
				      ex->stack[i].name, ex->stack[i].value);
		vh_term__line(s->f, s->width, "  stack %s", line);
	}
}

static void print_branches(const struct screen *s, const struct vh_explain *ex)
{
	size_t shown = 0;

	for (size_t i = 0; i < ex->nbranches; i++)
		shown += ex->branches[i].count;
	if (!ex->branches_total) {
		vh_term__line(s->f, s->width, "path: no branch decided on the way to it");
		return;
	}
	vh_term__line(s->f, s->width, "path: %zu branch decision%s on the way to it%s:",
		      ex->branches_total, ex->branches_total == 1 ? "" : "s",
		      shown < ex->branches_total ? ", the last ones" : "");
	for (size_t i = 0; i < ex->nbranches; i++) {
		const struct vh_explain_branch *b = &ex->branches[i];
		char times[32] = "";

		if (b->count > 1)
			snprintf(times, sizeof(times), " x%zu", b->count);
		vh_term__line(s->f, s->width, "  %5ld: %s%s  %s%s%s  (%s)", b->insn,
			      b->taken ? "taken" : "not taken", times, b->file_line ?: "",
			      b->file_line ? ": " : "", b->source ?: "", b->text);
	}
}

static void print_screen(const struct screen *s, const struct vh_result *r,
			 const struct vh_explain *ex, const char *log_path)
{
	const struct vh_error_class *cls = vh_error__by_name(r->error_class ?: "other");
	const char *what = r->verdict == VH_PASS ? "rejected, as its __failure tag expects," :
			   !strcmp(r->error_class ?: "", "expectation") ?
			   "does not meet its __failure/__msg tags" : "rejected";

	vh_term__line(s->f, s->width, "%s: prog '%s' (%s) %s on %s",
		      vh_report__basename(r->object), r->program, r->prog_type ?: "?", what,
		      r->kernel);
	print_error(s, r);
	if (r->source || r->source_text)
		vh_term__line(s->f, s->width, "%-8s%s%s%s", "at:", r->source ?: "",
			      r->source && r->source_text ? ": " : "", r->source_text ?: "");
	vh_term__line(s->f, s->width, "%-8s%s (%s)", "class:", r->error_class ?: "other",
		      cls ? cls->kind : VH_KIND_UNKNOWN);
	if (cls)
		wrapped(s, "hint:", cls->hint, HINT_LINES);
	vh_term__line(s->f, s->width, "%-8sdocs/error-classes.md#%s", "docs:",
		      r->error_class ?: "other");
	if (ex->failed_insn >= 0) {
		fputc('\n', s->f);
		print_steps(s, ex);
		fputc('\n', s->f);
		print_state(s, ex);
		fputc('\n', s->f);
		print_branches(s, ex);
	} else {
		vh_term__line(s->f, s->width, "(the log has no instruction trace)");
	}
	vh_term__line(s->f, s->width, "full log: %s", log_path);
}

/* --- JSON ------------------------------------------------------------------------- */

static void json_regs(struct vh_json_writer *w, const char *key, const struct vh_explain_reg *v,
		      size_t n)
{
	vh_json_writer__key(w, key);
	vh_json_writer__begin_object(w);
	for (size_t i = 0; i < n; i++)
		vh_json_writer__kv_string(w, v[i].name, v[i].value);
	vh_json_writer__end_object(w);
}

static void json_one(struct vh_json_writer *w, const struct vh_result *r,
		     const struct vh_explain *ex)
{
	const struct vh_error_class *cls = vh_error__by_name(r->error_class ?: "other");
	char *text = r->log ? vh_log__error_text(r->log) : NULL;
	char doc[128];

	snprintf(doc, sizeof(doc), "docs/error-classes.md#%s", r->error_class ?: "other");
	vh_json_writer__begin_object(w);
	vh_json_writer__kv_string(w, "object", r->object);
	vh_json_writer__kv_string(w, "program", r->program);
	vh_json_writer__kv_string(w, "prog_type", r->prog_type);
	vh_json_writer__kv_string(w, "kernel", r->kernel);
	vh_json_writer__kv_string(w, "verdict", vh_verdict__name(r->verdict));
	vh_json_writer__kv_string(w, "error", r->error);
	vh_json_writer__kv_string(w, "error_text", text);
	vh_json_writer__kv_string(w, "error_class", r->error_class);
	vh_json_writer__kv_string(w, "error_kind", r->error_kind);
	vh_json_writer__kv_string(w, "hint", cls ? cls->hint : NULL);
	vh_json_writer__kv_string(w, "doc", doc);
	vh_json_writer__kv_string(w, "source", r->source);
	vh_json_writer__kv_string(w, "source_text", r->source_text);
	vh_json_writer__kv_int(w, "failed_insn", ex->failed_insn);
	vh_json_writer__kv_string(w, "failed_text", ex->failed_text);
	vh_json_writer__kv_int(w, "path_len", (long long)ex->path_len);
	vh_json_writer__key(w, "steps");
	vh_json_writer__begin_array(w);
	for (size_t i = 0; i < ex->nsteps; i++) {
		vh_json_writer__begin_object(w);
		vh_json_writer__kv_int(w, "insn", ex->steps[i].insn);
		vh_json_writer__kv_string(w, "text", ex->steps[i].text);
		vh_json_writer__kv_string(w, "source", ex->steps[i].file_line);
		vh_json_writer__kv_string(w, "source_text", ex->steps[i].source);
		vh_json_writer__end_object(w);
	}
	vh_json_writer__end_array(w);
	json_regs(w, "registers", ex->regs, ex->nregs);
	json_regs(w, "stack", ex->stack, ex->nstack);
	vh_json_writer__kv_int(w, "branches_total", (long long)ex->branches_total);
	vh_json_writer__key(w, "branches");
	vh_json_writer__begin_array(w);
	for (size_t i = 0; i < ex->nbranches; i++) {
		const struct vh_explain_branch *b = &ex->branches[i];

		vh_json_writer__begin_object(w);
		vh_json_writer__kv_int(w, "insn", b->insn);
		vh_json_writer__kv_string(w, "text", b->text);
		vh_json_writer__key(w, "taken");
		vh_json_writer__bool(w, b->taken);
		vh_json_writer__kv_int(w, "next", b->next);
		vh_json_writer__kv_int(w, "count", (long long)b->count);
		vh_json_writer__kv_string(w, "source", b->file_line);
		vh_json_writer__kv_string(w, "source_text", b->source);
		vh_json_writer__end_object(w);
	}
	vh_json_writer__end_array(w);
	vh_json_writer__end_object(w);
	free(text);
}

/* --- the command ------------------------------------------------------------------ */

/* The programs of obj (only prog when given); their count, or -1 (said). */
static int list_progs(const char *obj, const char *prog, struct vh_verify_opts *o,
		      struct vh_prog_ref **progs)
{
	char errbuf[512];
	int n;

	*progs = NULL;
	o->filter = prog;
	n = vh_object__list(obj, o, progs, errbuf, sizeof(errbuf));
	if (n < 0) {
		vh_err(obj, "%s", errbuf);
		return -1;
	}
	if (!n) {
		vh_err(obj, "no program named '%s' in this object", prog);
		vh_prog_refs__free(*progs, n);
		*progs = NULL;
		return -1;
	}
	return n;
}

/*
 * Verify in a VM of kernel: the guest's bpfgate verify sends the full logs of its
 * failures back in its JSON (--full-log). Exit status contribution.
 */
static int verify_vm(const char *kernel, const char *obj, const char *prog,
		     struct vh_result_set *set)
{
	struct vh_verify_opts o = { 0 };
	struct vh_prog_ref *progs;
	const char *guest_args[3] = { "--full-log" }, *objs[] = { obj }, *kernels[] = { kernel };
	int n = list_progs(obj, prog, &o, &progs), nguest = 1;

	if (n < 0)
		return VH_EXIT_USAGE;
	vh_prog_refs__free(progs, n);
	if (prog) {
		guest_args[nguest++] = "--prog";
		guest_args[nguest++] = prog;
	}
	struct vh_vm_fleet_opts m = {
		.kernels = kernels,
		.nkernels = 1,
		.objs = objs,
		.nobjs = 1,
		.guest_args = guest_args,
		.nguest_args = nguest,
		.jobs = 1,
		.progress_tty = isatty(STDERR_FILENO),
	};
	return vh_vm_fleet__run(&m, set) ? VH_EXIT_USAGE : VH_EXIT_OK;
}

/* Verify the programs with their full logs kept. Exit status contribution. */
static int verify_all(const char *obj, const char *prog, struct vh_result_set *set)
{
	struct vh_verify_opts o = { .kernel = vh_kernel_release(), .keep_log = true };
	struct vh_prog_ref *progs;
	int n = list_progs(obj, prog, &o, &progs);

	if (n < 0)
		return VH_EXIT_USAGE;
	vh_core_btf__open(NULL, &o.core_btf);
	for (int i = 0; i < n; i++) {
		if (vh_object__verify_prog(obj, progs[i].program, &o, set) == -ENOMEM) {
			vh_err(obj, "out of memory");
			break;
		}
	}
	vh_core_btf__free(o.core_btf);
	vh_prog_refs__free(progs, n);
	return set->n == (size_t)n ? VH_EXIT_OK : VH_EXIT_USAGE;
}

/* What is said of a program that was not rejected; its exit status contribution. */
static int report_other(const struct vh_result *r, bool named, FILE *f, size_t width)
{
	switch (r->verdict) {
	case VH_ERROR:
		vh_err(r->object, "prog '%s': %s", r->program, r->error ?: "cannot load");
		return VH_EXIT_USAGE;
	case VH_SKIP:
		if (named)
			vh_term__line(f, width, "%s: prog '%s' skipped on %s: %s",
				      vh_report__basename(r->object), r->program, r->kernel,
				      r->reason ?: "");
		return VH_EXIT_OK;
	default:
		if (named)
			vh_term__line(f, width, "%s: prog '%s' passes on %s: nothing to explain",
				      vh_report__basename(r->object), r->program, r->kernel);
		return VH_EXIT_OK;
	}
}

static int worst(int a, int b)
{
	return a > b ? a : b;
}

/* Explain every rejected result (the text screens or one JSON document). */
static int explain_set(const struct explain_cfg *cfg, const struct vh_result_set *set,
		       const char *prog, const char *log_path)
{
	struct screen s = { stdout, vh_term__width(STDOUT_FILENO) };
	struct vh_json_writer w;
	int status = VH_EXIT_OK;
	size_t shown = 0;

	if (cfg->json) {
		vh_json_writer__init(&w, stdout, cfg->pretty);
		vh_json_writer__begin_object(&w);
		vh_json_writer__kv_string(&w, "version", BPFGATE_VERSION);
		vh_json_writer__kv_string(&w, "log_file", log_path);
		vh_json_writer__key(&w, "programs");
		vh_json_writer__begin_array(&w);
	}
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		struct vh_explain ex;

		if (!explained(r)) {
			status = worst(status, report_other(r, prog && !cfg->json, stdout, s.width));
			if (cfg->json && r->verdict != VH_ERROR) {
				vh_json_writer__begin_object(&w);
				vh_json_writer__kv_string(&w, "object", r->object);
				vh_json_writer__kv_string(&w, "program", r->program);
				vh_json_writer__kv_string(&w, "kernel", r->kernel);
				vh_json_writer__kv_string(&w, "verdict", vh_verdict__name(r->verdict));
				vh_json_writer__kv_string(&w, "reason", r->reason);
				vh_json_writer__end_object(&w);
			}
			continue;
		}
		status = worst(status, r->verdict == VH_FAIL ? VH_EXIT_FAIL : VH_EXIT_OK);
		if (vh_explain__analyze(r->log, STEPS, BRANCHES, &ex)) {
			vh_explain__free(&ex);
			vh_err(r->object, "out of memory");
			return VH_EXIT_USAGE;
		}
		if (cfg->json) {
			json_one(&w, r, &ex);
		} else {
			if (shown++)
				fputc('\n', stdout);
			print_screen(&s, r, &ex, log_path);
		}
		vh_explain__free(&ex);
	}
	if (cfg->json) {
		vh_json_writer__end_array(&w);
		vh_json_writer__end_object(&w);
		if (vh_json_writer__finish(&w))
			status = VH_EXIT_USAGE;
	} else if (!prog && !shown && status == VH_EXIT_OK) {
		vh_term__line(stdout, s.width, "%s: no program was rejected on %s (%zu checked)",
			      set->n ? vh_report__basename(set->v[0].object) : "?",
			      set->n && set->v[0].kernel ? set->v[0].kernel : vh_kernel_release(),
			      set->n);
	}
	return status;
}

int do_explain(int argc, char **argv)
{
	struct explain_cfg cfg = { 0 };
	struct vh_result_set set = { 0 };
	int first = vh_opts__parse(&explain_cmd, argc, argv, explain_opt, &cfg, false);
	const char *obj, *prog;
	char errbuf[512], *log_path = NULL;
	int status, err;
	bool vm;

	if (first <= 0)
		return first ? VH_EXIT_USAGE : VH_EXIT_OK;
	if (first >= argc || argc - first > 2) {
		vh_err("explain", "%s (try 'bpfgate explain --help')",
		       first >= argc ? "no BPF object given" : "one object and at most one program");
		return VH_EXIT_USAGE;
	}
	obj = argv[first];
	prog = argc - first == 2 ? argv[first + 1] : NULL;
	vm = cfg.kernel && !vh_target_host.claims(cfg.kernel);
	if (access(obj, R_OK)) {
		vh_err(obj, "cannot read: %s", strerror(errno));
		return VH_EXIT_USAGE;
	}
	if (!vm && vh_privilege__check(errbuf, sizeof(errbuf))) {
		vh_err(obj, "%s", errbuf);
		return VH_EXIT_USAGE;
	}
	status = vm ? verify_vm(cfg.kernel, obj, prog, &set) : verify_all(obj, prog, &set);
	if (status == VH_EXIT_OK) {
		bool rejected = false;

		for (size_t i = 0; i < set.n; i++)
			rejected |= explained(&set.v[i]);
		err = rejected ? write_logs(&cfg, &set, &log_path) : 0;
		if (err) {
			vh_err(cfg.log ?: "log", "cannot write the full log: %s", strerror(-err));
			status = VH_EXIT_USAGE;
		} else {
			status = explain_set(&cfg, &set, prog, log_path);
		}
	}
	if (!cfg.json && (err = vh_out_file__flush_stdout())) {
		vh_err("stdout", "cannot write the explanation: %s", strerror(-err));
		status = worst(status, VH_EXIT_USAGE);
	}
	free(log_path);
	vh_result_set__free(&set);
	return status;
}
