// SPDX-License-Identifier: BSD-2-Clause
/* vm_collect.c: what a guest sent back (guest_out.c) turned into results: each step's
 * rows mapped back to the plan by step index, error results that say how far a VM got
 * and why it stopped, and the kernel's entry in the run's kernels. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "diag.h"
#include "result_json.h"
#include "vm_fleet_priv.h"

#define CONSOLE_TAIL_LINES 20

static int add_error(struct kjob *k, struct vh_result_set *out, const char *cause,
		     const char *tail)
{
	struct vh_result *r = vh_result_set__add(out);

	if (!r)
		return -ENOMEM;
	r->verdict = VH_ERROR;
	r->kind = VH_KIND_KERNEL;
	r->kernel = strdup(k->spec.release[0] ? k->spec.release : k->spec.name);
	r->object = strdup(VH_KERNEL_OBJECT);
	r->program = strdup(VH_KERNEL_OBJECT);
	r->error = strdup(cause);
	r->log_tail = tail ? strdup(tail) : NULL;
	k->failed = true;
	vh_bfmt(k->outcome, sizeof(k->outcome), "error: %s", cause);
	return r->kernel && r->object && r->program && r->error ? 0 : -ENOMEM;
}

static int save_text(const char *dir, const char *name, const char *text, size_t len)
{
	char p[PATH_MAX];
	FILE *f;
	int err = 0;

	if (!text)
		return 0;
	if (vh_bfmt(p, sizeof(p), "%s/%s", dir, name))
		return -ENAMETOOLONG;
	f = fopen(p, "we");
	if (!f)
		return -errno;
	if (fwrite(text, 1, len, f) != len)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* First line of the guest's stderr, for a one-line cause. */
static void first_line(const char *text, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!text)
		return;
	while (text[n] && text[n] != '\n')
		n++;
	vh_bfmt(buf, len, "%.*s", (int)n, text);
}

/* Seconds from start to boot (init runs), probe, verify, and the rest (power off). */
static void split_times(const struct kjob *k, double *boot, double *probe, double *verify)
{
	double hello = k->t_hello ?: k->t_end, vs = k->t_vstart ?: hello, ve = k->t_vend ?: vs;

	*boot = hello - k->t_start;
	*probe = vs - hello;
	*verify = ve - vs;
}

static void record_timing(struct fleet *m, struct kjob *k, const struct vh_guest_out *g)
{
	double boot, probe, verify;
	char p[PATH_MAX];
	FILE *f;

	if (vh_bfmt(p, sizeof(p), "%s/timings.tsv", m->root))
		return;
	f = fopen(p, "ae");
	if (!f)
		return;
	split_times(k, &boot, &probe, &verify);
	/* kernel release backend accel total boot probe verify outcome */
	fprintf(f, "%s\t%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%s\n", k->spec.name,
		g && g->release[0] ? g->release : k->spec.release, k->kind->name,
		m->kvm ? "kvm" : "tcg", k->t_end - k->t_start, boot, probe, verify,
		k->failed ? "error" : "done");
	fclose(f);
}

/* Why a VM stopped before /init ran: its exit status and the runner's first words. */
static void vm_exit_cause(const struct kjob *k, char *cause, size_t len)
{
	char p[PATH_MAX], *first = NULL;
	int st = k->vm.proc.status;

	if (!vh_bfmt(p, sizeof(p), "%s/%s", k->dir, k->kind->runner_log))
		first = vh_vm__tail(p, 1);
	if (WIFEXITED(st))
		vh_bfmt(cause, len, "VM stopped before the guest started (%s exited with %d%s%s)",
		     k->kind->runner, WEXITSTATUS(st),
		     first && *first ? ": " : "", first ? first : "");
	else
		vh_bfmt(cause, len, "VM stopped before the guest started (killed by signal %d)",
		     WTERMSIG(st));
	free(first);
}

/*
 * The kernel's entry in out->kernels: what the guest's verify recorded (its probe)
 * or else the probe section, with where and how it ran as the host saw it.
 */
static int record_kernel(struct fleet *m, struct kjob *k, const struct vh_guest_out *g,
			 const struct vh_result_set *got, struct vh_result_set *out)
{
	const struct vh_kernel_info *guest = got && got->nkernels ? &got->kernels[0] : NULL;
	struct vh_probe sent = {};
	struct vh_kernel_info ki = {
		.release = (char *)(g->release[0] ? g->release :
				    k->spec.release[0] ? k->spec.release : k->spec.name),
		.series = k->spec.name,
		.backend = (char *)k->kind->name,
		.accel = m->kvm ? "kvm" : "tcg",
		.boot_s = -1,
		.verify_s = -1,
		.probe = guest ? guest->probe : NULL,
	};
	double boot, probe, verify;
	char errbuf[160];
	int err;

	/* a probe section that is no probe (cut short, garbled) is no probe */
	if (!ki.probe && g->probe &&
	    !vh_probe__parse(g->probe, g->probe_len, &sent, errbuf, sizeof(errbuf)))
		ki.probe = &sent;

	if (g->hello) {
		split_times(k, &boot, &probe, &verify);
		ki.boot_s = boot;
		if (g->verified)
			ki.verify_s = verify;
	}
	err = vh_result_set__merge_kernel(out, &ki);
	vh_probe__clear(&sent);
	return err;
}

/* A kernel that never booted: its error result, and its entry without a probe. */
int vh_fleet__fail_early(struct fleet *m, struct kjob *k, struct vh_result_set *out,
		      const char *cause)
{
	struct vh_guest_out none = { 0 };
	int err = add_error(k, out, cause, NULL);

	return err ?: record_kernel(m, k, &none, NULL, out);
}

/* The path the user gave for step I (1..N: the objects, then the tests). */
static const char *step_source(const struct vh_guest_plan *plan, int step)
{
	if (step < 1 || step > plan->nobjs + plan->ntests)
		return NULL;
	return step <= plan->nobjs ? plan->objs[step - 1] : plan->tests[step - 1 - plan->nobjs];
}

/* A row of step I names its object or test as the guest saw it: back to the user's. */
static int map_back(const struct vh_guest_plan *plan, int step, struct vh_result *r)
{
	const char *src = step_source(plan, step);

	if (!r->object || !src)
		return 0;
	free(r->object);
	r->object = strdup(src);
	return r->object ? 0 : -ENOMEM;
}

/* "s" when n is not one */
static const char *plural(int n)
{
	return n == 1 ? "" : "s";
}

/* How far the guest got: "verifying step 3 of 6: results of 2 steps kept". */
static void how_far(const struct vh_guest_out *g, int nsteps, int kept, char *buf, size_t len)
{
	char k[64];

	if (kept)
		vh_bfmt(k, sizeof(k), "results of %d step%s kept", kept, plural(kept));
	else
		vh_bfmt(k, sizeof(k), "no results kept");
	if (!g->hello)
		vh_bfmt(buf, len, "booting");
	else if (!g->steps_started && !g->verified)
		vh_bfmt(buf, len, "probing");
	else if (!g->verified)
		vh_bfmt(buf, len, "verifying step %d of %d: %s", g->steps_started, nsteps, k);
	else
		vh_bfmt(buf, len, "powering off: %s", k);
}

/* A line of the guest's stderr that names the guest path, else its first line. */
static void stderr_line(const char *text, const char *guest_path, char *buf, size_t len)
{
	const char *p = text && guest_path[0] ? strstr(text, guest_path) : NULL;

	if (p) {
		while (p > text && p[-1] != '\n')
			p--;
		text = p;
	}
	first_line(text, buf, len);
}

/*
 * Whether the console shows a kernel panic, and its reason ("sysrq triggered crash"):
 * the whole log is searched, the oops before the panic can push it out of the tail.
 */
static bool find_panic(const char *console, char *why, size_t len)
{
	static const char mark[] = "Kernel panic - not syncing: ";
	char line[512];
	bool found = false;
	FILE *f = fopen(console, "re");

	why[0] = '\0';
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, mark);

		if (!p)
			continue;
		p += sizeof(mark) - 1;
		p[strcspn(p, "\r\n")] = '\0';
		vh_bfmt(why, len, "%s", p);
		found = true;
	}
	fclose(f);
	return found;
}

/* The guest path of step I (1..N): an object, then the tests. */
static void step_path(struct fleet *m, struct kjob *k, int step, char *buf, size_t len)
{
	if (vh_vm__step_path(k->kind, &m->plan, step, buf, len))
		buf[0] = '\0';
}

static int save_results(const char *dir, const struct vh_result_set *set)
{
	char p[PATH_MAX];
	FILE *f;
	int err;

	if (vh_bfmt(p, sizeof(p), "%s/results.json", dir))
		return -ENAMETOOLONG;
	f = fopen(p, "we");
	if (!f)
		return -errno;
	err = vh_result_set__write_json(f, set, true);
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* A step that came back without usable results: an error result with the line of
 * the guest's stderr that names its object or test (else why). */
static int step_error(struct fleet *m, struct kjob *k, const struct vh_guest_out *g,
		      const struct vh_guest_section *s, const char *why, struct vh_result_set *out)
{
	char gpath[PATH_MAX], line[192], cause[256];

	step_path(m, k, s->step, gpath, sizeof(gpath));
	stderr_line(g->stderr_text, gpath, line, sizeof(line));
	vh_bfmt(cause, sizeof(cause), "guest: step %d of %d (exit status %d): %s", s->step,
	     m->plan.nobjs + m->plan.ntests, s->rc, line[0] ? line : why);
	return add_error(k, out, cause, g->stderr_text);
}

/*
 * The results of every step that came back whole, appended to out in step order (paths
 * as the user gave them) and gathered in got; a step whose JSON does not parse (bpfgate
 * died in the guest) is an error result of its own, with the line of the guest's
 * stderr that says why, and so is one that exited 2 without a result. Returns how many
 * steps were kept, or -ENOMEM.
 */
static int parse_steps(struct fleet *m, struct kjob *k, const struct vh_guest_out *g,
		       struct vh_result_set *got, struct vh_result_set *out)
{
	char errbuf[256];
	int kept = 0, err = 0;

	for (int i = 0; i < g->nresults && !err; i++) {
		const struct vh_guest_section *s = &g->results[i];
		size_t first = got->n;

		err = vh_result_set__parse_json(s->data, s->len, got, errbuf, sizeof(errbuf));
		if (err == -ENOMEM)
			break;
		if (err) {
			err = step_error(m, k, g, s, errbuf, out);
			continue;
		}
		kept++;
		/* bpfgate in the guest refused the step (exit 2) without a result row:
		 * its one-line error is the result, as it is on the host */
		if (s->rc >= VH_EXIT_USAGE && got->n == first)
			err = step_error(m, k, g, s, "no result", out);
		for (size_t j = first; j < got->n && !err; j++) {
			struct vh_result *r = &got->v[j];

			err = map_back(&m->plan, s->step, r);
			if (!err && !r->kernel && g->release[0]) {
				r->kernel = strdup(g->release);
				err = r->kernel ? 0 : -ENOMEM;
			}
			err = err ?: vh_result_set__append(out, r);
		}
	}
	return err ?: kept;
}

/* What the console says: its last lines (caller frees) and a panic, if any. */
struct console {
	char *tail;
	bool panic;
	char panic_s[160]; /* "kernel panic (REASON)" */
};

static void read_console(const struct kjob *k, struct console *con)
{
	char p[PATH_MAX], why[128];

	vh_bfmt(p, sizeof(p), "%s/console.log", k->dir);
	con->tail = vh_vm__tail(p, CONSOLE_TAIL_LINES);
	con->panic = find_panic(p, why, sizeof(why)) ||
		     (con->tail && strstr(con->tail, "Kernel panic"));
	if (con->panic && why[0])
		vh_bfmt(con->panic_s, sizeof(con->panic_s), "kernel panic (%s)", why);
	else
		vh_bfmt(con->panic_s, sizeof(con->panic_s), "kernel panic");
}

/* The guest's channel, read whole; its probe and stderr kept in the kernel's folder. */
static void read_guest(struct kjob *k, struct vh_guest_out *g)
{
	char p[PATH_MAX];

	vh_bfmt(p, sizeof(p), "%s/guest.out", k->dir);
	if (vh_guest_out__parse(p, g))
		memset(g, 0, sizeof(*g));
	k->t_end = vh_now_s();
	/* markers that appeared since the last look arrived just now */
	if (g->hello && !k->t_hello)
		k->t_hello = k->t_end;
	if (g->verify_start > 0 && !k->t_vstart)
		k->t_vstart = k->t_end;
	if (g->verified && !k->t_vend)
		k->t_vend = k->t_end;
	save_text(k->dir, "probe.json", g->probe, g->probe_len);
	save_text(k->dir, "stderr.txt", g->stderr_text, g->stderr_len);
}

/* Why a VM that did not finish stopped, and how far it got. */
static void stop_cause(const struct kjob *k, const struct vh_guest_out *g,
		       const struct console *con, const char *far, char *cause, size_t len)
{
	const char *sep = g->problem[0] ? ": " : "";

	if (!g->hello && con->panic)
		vh_bfmt(cause, len, "%s while booting", con->panic_s);
	else if (!g->hello)
		vm_exit_cause(k, cause, len);
	else if (con->panic)
		vh_bfmt(cause, len, "%s while %s", con->panic_s, far);
	else if (!g->nresults)
		vh_bfmt(cause, len, "no results came back%s%s", sep, g->problem);
	else
		vh_bfmt(cause, len, "the guest stopped early%s%s (%s)", sep, g->problem, far);
}

/* The done line of a kernel whose every step came back. */
static void done_line(struct kjob *k, const struct vh_guest_out *g)
{
	double boot, probe, verify;

	split_times(k, &boot, &probe, &verify);
	vh_bfmt(k->outcome, sizeof(k->outcome),
	     "done in %.1f s (%s: boot %.1f s, probe %.1f s, verify %.1f s)",
	     k->t_end - k->t_start, g->release, boot, probe, verify);
}

int vh_fleet__collect(struct fleet *m, struct kjob *k, bool timed_out, struct vh_result_set *out)
{
	int nsteps = m->plan.nobjs + m->plan.ntests, kept;
	char p[PATH_MAX], cause[320], far[160];
	struct vh_result_set got = { 0 };
	struct console con = { 0 };
	struct vh_guest_out g;
	int err = 0;

	read_console(k, &con);
	read_guest(k, &g);
	/* whatever came back whole is kept, however the VM ended */
	kept = parse_steps(m, k, &g, &got, out);
	if (kept < 0) {
		err = kept;
		goto cleanup;
	}
	/* (vng's guest used the same file for each step's JSON) */
	if (g.nresults)
		save_results(k->dir, &got);
	else if (!vh_bfmt(p, sizeof(p), "%s/results.json", k->dir))
		unlink(p);

	how_far(&g, nsteps, kept, far, sizeof(far));
	if (timed_out) {
		vh_bfmt(cause, sizeof(cause), "VM timed out after %d s (%s)", m->timeout_s, far);
		err = add_error(k, out, cause, con.tail);
	} else if (!g.done || g.nresults < nsteps || g.problem[0]) {
		stop_cause(k, &g, &con, far, cause, sizeof(cause));
		err = add_error(k, out, cause, con.tail);
	} else if (!k->failed) {
		vh_fleet__save_est(m, k);
		done_line(k, &g);
	}
cleanup:
	if (record_kernel(m, k, &g, &got, out))
		err = -ENOMEM;
	record_timing(m, k, &g);
	vh_fleet__show(m, k, "%s", k->outcome);
	vh_result_set__free(&got);
	vh_guest_out__free(&g);
	free(con.tail);
	return err == -ENOMEM ? err : 0;
}
