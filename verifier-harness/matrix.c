// SPDX-License-Identifier: BSD-2-Clause
/* matrix.c: fetch, preflight, boot and collect results for every kernel of a run, in parallel. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "fs_util.h"
#include "func_test.h"
#include "kernel_cache.h"
#include "kvm.h"
#include "matrix.h"
#include "spawn.h"
#include "result_json.h"
#include "run_dir.h"
#include "vm.h"

#define GUEST_MEM_MB 512
#define CONSOLE_TAIL_LINES 20

enum kstate {
	K_WAIT_FETCH, /* not cached: waits for the fetch slot */
	K_FETCHING,
	K_READY,      /* waits for a VM slot */
	K_RUNNING,
	K_DONE,
};

struct kjob {
	struct vh_kernel_spec spec;
	const struct vh_vm_kind *kind;
	char dir[PATH_MAX]; /* per-kernel run folder */
	enum kstate state;
	struct vh_spawn fetch;
	struct vh_vm vm;
	double t_start, t_end;
	/* host clock when each guest marker was first seen: the guest's own clock
	 * lags under TCG when the host is busy, so the split is measured here */
	double t_hello, t_vstart, t_vend;
	double est;          /* seconds this kernel took last time (0: unknown) */
	char phase[64];      /* for the display: booting, verifying N objects */
	char outcome[192];   /* done line */
	bool failed;
};

struct matrix {
	const struct vh_matrix_opts *opts;
	struct vh_kernel_conf conf;
	bool have_conf;
	struct vh_kernel_cache cache;
	struct kjob *k;
	int nk;
	bool kvm;
	char kvm_why[160];
	int jobs, timeout_s;
	char root[PATH_MAX];   /* per-run folder */
	char tmp[PATH_MAX];    /* temporary folder (initramfs; root too when not kept) */
	struct vh_guest_plan plan;
	int tty_lines;         /* lines drawn by the live display */
	struct vh_vm_run run;  /* what every VM of the run shares */
};

/* snprintf that says whether it fit; truncating a message is fine, a path is not */
static int bfmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int bfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *vh_matrix__default_backend(const char *bpfgate_path)
{
	return vh_vm_kind__default(bpfgate_path)->name;
}

/* How many VMs fit: one CPU each under TCG, and their memory plus headroom. */
static int auto_jobs(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), avail_kb = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "re");
	long by_mem;

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemAvailable: %ld kB", &avail_kb) == 1)
				break;
		fclose(f);
	}
	by_mem = avail_kb ? (avail_kb / 1024 - 512) / (GUEST_MEM_MB + 256) : cpus;
	if (cpus < 1)
		cpus = 1;
	if (by_mem < cpus)
		cpus = by_mem;
	return cpus < 1 ? 1 : (int)cpus;
}

/* --- display --------------------------------------------------------------------- */

static void show_line(struct matrix *m, struct kjob *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void draw(struct matrix *m)
{
	double t = now_s();

	if (!m->opts->progress_tty || m->opts->quiet)
		return;
	if (m->tty_lines)
		fprintf(stderr, "\033[%dA", m->tty_lines);
	for (int i = 0; i < m->nk; i++) {
		struct kjob *k = &m->k[i];

		fprintf(stderr, "\r\033[K  %-12s ", k->spec.name);
		switch (k->state) {
		case K_WAIT_FETCH:
			fprintf(stderr, "waiting to fetch");
			break;
		case K_FETCHING:
			fprintf(stderr, "fetching (%.0f s)", t - k->t_start);
			break;
		case K_READY:
			fprintf(stderr, "waiting for a VM slot");
			break;
		case K_RUNNING:
			fprintf(stderr, "%s (%.0f s)", k->phase, t - k->t_start);
			break;
		case K_DONE:
			fprintf(stderr, "%s", k->outcome);
			break;
		}
		fputc('\n', stderr);
	}
	m->tty_lines = m->nk;
	fflush(stderr);
}

/* Plain progress when stderr is not a terminal: one line per change. */
static void show_line(struct matrix *m, struct kjob *k, const char *fmt, ...)
{
	va_list ap;

	if (m->opts->quiet || m->opts->progress_tty)
		return;
	fprintf(stderr, "matrix: %s: ", k->spec.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* --- results --------------------------------------------------------------------- */

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
	bfmt(k->outcome, sizeof(k->outcome), "error: %s", cause);
	return r->kernel && r->object && r->program && r->error ? 0 : -ENOMEM;
}

static int save_text(const char *dir, const char *name, const char *text, size_t len)
{
	char p[PATH_MAX];
	FILE *f;
	int err = 0;

	if (!text)
		return 0;
	if (bfmt(p, sizeof(p), "%s/%s", dir, name))
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
	bfmt(buf, len, "%.*s", (int)n, text);
}

/* Seconds from start to boot (init runs), probe, verify, and the rest (power off). */
static void split_times(const struct kjob *k, double *boot, double *probe, double *verify)
{
	double hello = k->t_hello ?: k->t_end, vs = k->t_vstart ?: hello, ve = k->t_vend ?: vs;

	*boot = hello - k->t_start;
	*probe = vs - hello;
	*verify = ve - vs;
}

static void record_timing(struct matrix *m, struct kjob *k, const struct vh_guest_out *g)
{
	double boot, probe, verify;
	char p[PATH_MAX];
	FILE *f;

	if (bfmt(p, sizeof(p), "%s/timings.tsv", m->root))
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

/* The ready kernel that took longest last time; unknown ones count as longest. */
static struct kjob *longest_ready(struct matrix *m)
{
	struct kjob *best = NULL;

	for (int i = 0; i < m->nk; i++) {
		struct kjob *k = &m->k[i];

		if (k->state != K_READY)
			continue;
		if (!best || (best->est && (!k->est || k->est > best->est)))
			best = k;
	}
	return best;
}

/* Where a cached kernel keeps how long its last run took (for scheduling). */
static int est_path(struct matrix *m, struct kjob *k, char *buf, size_t len)
{
	if (!k->spec.entry || !k->spec.release[0])
		return -ENOENT;
	return bfmt(buf, len, "%s/%s/last-run-%s", m->cache.kernels, k->spec.release, k->kind->name);
}

static void load_est(struct matrix *m, struct kjob *k)
{
	char p[PATH_MAX];
	FILE *f;

	if (est_path(m, k, p, sizeof(p)) || !(f = fopen(p, "re")))
		return;
	if (fscanf(f, "%lf", &k->est) != 1 || k->est < 0)
		k->est = 0;
	fclose(f);
}

static void save_est(struct matrix *m, struct kjob *k)
{
	char p[PATH_MAX], tmp[PATH_MAX];
	FILE *f;

	if (est_path(m, k, p, sizeof(p)) || bfmt(tmp, sizeof(tmp), "%s.%d", p, (int)getpid()))
		return;
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "%.2f\n", k->t_end - k->t_start);
	if (fclose(f) || rename(tmp, p))
		unlink(tmp);
}

/* Why a VM stopped before /init ran: its exit status and the runner's first words. */
static void vm_exit_cause(const struct kjob *k, char *cause, size_t len)
{
	char p[PATH_MAX], *first = NULL;
	int st = k->vm.proc.status;

	if (!bfmt(p, sizeof(p), "%s/%s", k->dir, k->kind->runner_log))
		first = vh_vm__tail(p, 1);
	if (WIFEXITED(st))
		bfmt(cause, len, "VM stopped before the guest started (%s exited with %d%s%s)",
		     k->kind->runner, WEXITSTATUS(st),
		     first && *first ? ": " : "", first ? first : "");
	else
		bfmt(cause, len, "VM stopped before the guest started (killed by signal %d)",
		     WTERMSIG(st));
	free(first);
}

/*
 * The kernel's entry in out->kernels: what the guest's verify recorded (its probe)
 * or else the probe section, with where and how it ran as the host saw it.
 */
static int record_kernel(struct matrix *m, struct kjob *k, const struct vh_guest_out *g,
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
static int fail_early(struct matrix *m, struct kjob *k, struct vh_result_set *out,
		      const char *cause)
{
	struct vh_guest_out none = { 0 };
	int err = add_error(k, out, cause, NULL);

	return err ?: record_kernel(m, k, &none, NULL, out);
}

/* Back to the path the user gave for an object or test the guest named. */
static int map_back(struct matrix *m, struct kjob *k, struct vh_result *r)
{
	char p[PATH_MAX];
	bool test = r->kind == VH_KIND_TEST;
	int n = test ? m->plan.ntests : m->plan.nobjs;

	for (int j = 0; r->object && j < n; j++) {
		int err = k->kind->guest_path(&m->plan, test, j, p, sizeof(p));

		if (err || strcmp(p, r->object))
			continue;
		free(r->object);
		r->object = strdup(test ? m->plan.tests[j] : m->plan.objs[j]);
		return r->object ? 0 : -ENOMEM;
	}
	return 0;
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
		bfmt(k, sizeof(k), "results of %d step%s kept", kept, plural(kept));
	else
		bfmt(k, sizeof(k), "no results kept");
	if (!g->hello)
		bfmt(buf, len, "booting");
	else if (!g->steps_started && !g->verified)
		bfmt(buf, len, "probing");
	else if (!g->verified)
		bfmt(buf, len, "verifying step %d of %d: %s", g->steps_started, nsteps, k);
	else
		bfmt(buf, len, "powering off: %s", k);
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
		bfmt(why, len, "%s", p);
		found = true;
	}
	fclose(f);
	return found;
}

/* The guest path of step I (1..N): an object, then the tests. */
static void step_path(struct matrix *m, struct kjob *k, int step, char *buf, size_t len)
{
	if (vh_vm__step_path(k->kind, &m->plan, step, buf, len))
		buf[0] = '\0';
}

static int save_results(const char *dir, const struct vh_result_set *set)
{
	char p[PATH_MAX];
	FILE *f;
	int err;

	if (bfmt(p, sizeof(p), "%s/results.json", dir))
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
static int step_error(struct matrix *m, struct kjob *k, const struct vh_guest_out *g,
		      const struct vh_guest_section *s, const char *why, struct vh_result_set *out)
{
	char gpath[PATH_MAX], line[192], cause[256];

	step_path(m, k, s->step, gpath, sizeof(gpath));
	stderr_line(g->stderr_text, gpath, line, sizeof(line));
	bfmt(cause, sizeof(cause), "guest: step %d of %d (exit status %d): %s", s->step,
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
static int parse_steps(struct matrix *m, struct kjob *k, const struct vh_guest_out *g,
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

			err = map_back(m, k, r);
			if (!err && !r->kernel && g->release[0]) {
				r->kernel = strdup(g->release);
				err = r->kernel ? 0 : -ENOMEM;
			}
			err = err ?: vh_result_set__append(out, r);
		}
	}
	return err ?: kept;
}

/* The VM ended (or was killed at its deadline): turn what it sent into results. */
static int collect(struct matrix *m, struct kjob *k, bool timed_out, struct vh_result_set *out)
{
	char p[PATH_MAX], cause[320], far[160], why[128], panic_s[160];
	int nsteps = m->plan.nobjs + m->plan.ntests, kept;
	struct vh_result_set got = { 0 };
	bool panic, complete;
	struct vh_guest_out g;
	char *tail;
	int err = 0;

	bfmt(p, sizeof(p), "%s/console.log", k->dir);
	tail = vh_vm__tail(p, CONSOLE_TAIL_LINES);
	panic = find_panic(p, why, sizeof(why)) || (tail && strstr(tail, "Kernel panic"));
	if (panic && why[0])
		bfmt(panic_s, sizeof(panic_s), "kernel panic (%s)", why);
	else
		bfmt(panic_s, sizeof(panic_s), "kernel panic");
	bfmt(p, sizeof(p), "%s/guest.out", k->dir);
	if (vh_guest_out__parse(p, &g))
		memset(&g, 0, sizeof(g));
	k->t_end = now_s();
	/* markers that appeared since the last look arrived just now */
	if (g.hello && !k->t_hello)
		k->t_hello = k->t_end;
	if (g.verify_start > 0 && !k->t_vstart)
		k->t_vstart = k->t_end;
	if (g.verified && !k->t_vend)
		k->t_vend = k->t_end;
	save_text(k->dir, "probe.json", g.probe, g.probe_len);
	save_text(k->dir, "stderr.txt", g.stderr_text, g.stderr_len);

	/* whatever came back whole is kept, however the VM ended */
	kept = parse_steps(m, k, &g, &got, out);
	if (kept < 0) {
		err = kept;
		goto cleanup;
	}
	/* (vng's guest used the same file for each step's JSON) */
	if (g.nresults)
		save_results(k->dir, &got);
	else if (!bfmt(p, sizeof(p), "%s/results.json", k->dir))
		unlink(p);

	how_far(&g, nsteps, kept, far, sizeof(far));
	complete = g.done && g.nresults >= nsteps && !g.problem[0];
	if (timed_out) {
		bfmt(cause, sizeof(cause), "VM timed out after %d s (%s)", m->timeout_s, far);
		err = add_error(k, out, cause, tail);
		goto cleanup;
	}
	if (!complete) {
		if (!g.hello && panic)
			bfmt(cause, sizeof(cause), "%s while booting", panic_s);
		else if (!g.hello)
			vm_exit_cause(k, cause, sizeof(cause));
		else if (panic)
			bfmt(cause, sizeof(cause), "%s while %s", panic_s, far);
		else if (!g.nresults)
			bfmt(cause, sizeof(cause), "no results came back%s%s",
			     g.problem[0] ? ": " : "", g.problem);
		else
			bfmt(cause, sizeof(cause), "the guest stopped early%s%s (%s)",
			     g.problem[0] ? ": " : "", g.problem, far);
		err = add_error(k, out, cause, tail);
		goto cleanup;
	}
	if (k->failed)
		goto cleanup;
	save_est(m, k);
	{
		double boot, probe, verify;

		split_times(k, &boot, &probe, &verify);
		bfmt(k->outcome, sizeof(k->outcome),
		     "done in %.1f s (%s: boot %.1f s, probe %.1f s, verify %.1f s)",
		     k->t_end - k->t_start, g.release, boot, probe, verify);
	}
cleanup:
	if (record_kernel(m, k, &g, &got, out))
		err = -ENOMEM;
	record_timing(m, k, &g);
	show_line(m, k, "%s", k->outcome);
	vh_result_set__free(&got);
	vh_guest_out__free(&g);
	free(tail);
	return err == -ENOMEM ? err : 0;
}

/* --- the run ----------------------------------------------------------------------- */

struct fetch_job {
	struct matrix *m;
	struct kjob *k;
};

/* In the spawned child: the fetch, its log on stdout (fetch.log). */
static int fetch_kernel(void *arg)
{
	const struct fetch_job *j = arg;
	char errbuf[256];
	int err;

	err = vh_kernel_cache__fetch(&j->m->cache, &j->m->conf, j->k->spec.entry, STDOUT_FILENO,
				     errbuf, sizeof(errbuf));
	if (err)
		dprintf(STDOUT_FILENO, "bpfgate: %s: %s\n", j->k->spec.name, errbuf);
	return err ? 1 : 0;
}

static int start_fetch(struct matrix *m, struct kjob *k)
{
	struct fetch_job job = { m, k };
	struct vh_spawn_opts so = { .fn = fetch_kernel, .fn_arg = &job, .out = VH_SPAWN_OUT_FILE };
	char log[PATH_MAX];
	int err;

	bfmt(log, sizeof(log), "%s/fetch.log", k->dir);
	so.out_path = log;
	err = vh_spawn__start(&k->fetch, &so);
	if (err)
		return err;
	k->state = K_FETCHING;
	k->t_start = now_s();
	show_line(m, k, "fetching %s", k->spec.release);
	return 0;
}

static int start_vm(struct matrix *m, struct kjob *k, struct vh_result_set *out)
{
	char errbuf[256], missing[256];
	int err;

	err = vh_kernel__preflight(&k->spec, k->kind->name, missing, sizeof(missing));
	if (err == -ENOTSUP) {
		bfmt(errbuf, sizeof(errbuf), "preflight: the kernel lacks %s (needed by the %s backend)",
			 missing, k->kind->name);
		k->state = K_DONE;
		return fail_early(m, k, out, errbuf);
	}
	if (err == -ENOENT)
		show_line(m, k, "no kernel config found, preflight skipped");
	k->vm = (struct vh_vm){
		.kind = k->kind,
		.run = &m->run,
		.kernel = &k->spec,
		.rundir = k->dir,
	};
	err = k->kind->prepare ? k->kind->prepare(&k->vm, errbuf, sizeof(errbuf)) : 0;
	if (err) {
		k->state = K_DONE;
		return fail_early(m, k, out, errbuf);
	}
	k->t_start = now_s();
	err = vh_vm__start(&k->vm, errbuf, sizeof(errbuf));
	if (err) {
		k->state = K_DONE;
		return fail_early(m, k, out, errbuf);
	}
	k->state = K_RUNNING;
	bfmt(k->phase, sizeof(k->phase), "booting");
	show_line(m, k, "booting (%s, %s)", k->kind->name, m->kvm ? "KVM" : "TCG");
	return 0;
}

/* Follow the guest's markers for the display. */
static void update_phase(struct matrix *m, struct kjob *k)
{
	int nsteps = m->plan.nobjs + m->plan.ntests;
	char p[PATH_MAX], old[64];
	struct vh_guest_out g;

	bfmt(p, sizeof(p), "%s/guest.out", k->dir);
	if (vh_guest_out__parse(p, &g))
		return;
	bfmt(old, sizeof(old), "%s", k->phase);
	if (g.hello && !k->t_hello)
		k->t_hello = now_s();
	if (g.verify_start > 0 && !k->t_vstart)
		k->t_vstart = now_s();
	if (g.verified && !k->t_vend)
		k->t_vend = now_s();
	if (g.verified)
		bfmt(k->phase, sizeof(k->phase), "verified %d/%d (%s)", g.nresults, nsteps,
		     g.release);
	else if (g.steps_started)
		bfmt(k->phase, sizeof(k->phase), "verifying %d/%d (%s)", g.steps_started, nsteps,
		     g.release);
	else if (g.hello)
		bfmt(k->phase, sizeof(k->phase), "probing (%s)", g.release);
	if (strcmp(old, k->phase))
		show_line(m, k, "%s", k->phase);
	vh_guest_out__free(&g);
}

static int setup(struct matrix *m, struct vh_result_set *out)
{
	const struct vh_matrix_opts *o = m->opts;
	char errbuf[512];
	const char *keep = o->result_dir ?: getenv("BPFGATE_RESULT_DIR");
	bool need_conf = false;
	int err = 0;

	(void)out;
	if (o->nobjs <= 0 && o->ntests <= 0)
		return vh_err("verify", "no objects to verify"), -EINVAL;
	if (o->backend && !vh_vm_kind__find(o->backend))
		return vh_err("--vm-backend", "'%s' is not a backend (%s)", o->backend,
			      vh_vm_kind__names()),
		       -EINVAL;
	if (o->timeout_s < 0 || o->jobs < 0)
		return vh_err(o->jobs < 0 ? "--jobs" : "--timeout", "must not be negative"),
		       -EINVAL;
	for (int i = 0; i < o->nobjs; i++)
		if (access(o->objs[i], R_OK))
			return vh_err(o->objs[i], "%s", strerror(errno)), -errno;
	for (int i = 0; i < o->ntests; i++)
		if (access(o->tests[i], R_OK | X_OK))
			return vh_err(o->tests[i], "%s", strerror(errno)), -errno;
	for (int i = 0; i < o->nkernels; i++)
		if (strcmp(o->kernels[i], "host") && !strchr(o->kernels[i], '/') &&
		    access(o->kernels[i], F_OK))
			need_conf = true;
	err = vh_kernel_conf__load(&m->conf, errbuf, sizeof(errbuf));
	if (err && need_conf)
		return vh_err(NULL, "%s", errbuf), err; /* errbuf names the file */
	m->have_conf = !err;
	err = vh_kernel_cache__init(&m->cache);
	if (err)
		return vh_err("cache", "set BPFGATE_CACHE or HOME"), err;

	m->k = calloc(o->nkernels ? o->nkernels : 1, sizeof(*m->k));
	if (!m->k)
		return -ENOMEM;
	for (int i = 0; i < o->nkernels; i++) {
		struct kjob *k = &m->k[m->nk];
		bool dup = false;

		if (!strcmp(o->kernels[i], "host"))
			continue;
		for (int j = 0; j < m->nk; j++)
			dup |= !strcmp(m->k[j].spec.name, o->kernels[i]);
		if (dup)
			continue;
		err = vh_kernel__resolve(o->kernels[i], m->have_conf ? &m->conf : NULL, &m->cache,
					 &k->spec, errbuf, sizeof(errbuf));
		if (err)
			return vh_err(o->kernels[i], "%s", errbuf), err;
		k->state = k->spec.entry && !k->spec.cached ? K_WAIT_FETCH : K_READY;
		m->nk++;
	}
	if (!m->nk)
		return 0;

	/* decided up front, never by waiting for a hang */
	m->kvm = vh_kvm__usable(m->kvm_why, sizeof(m->kvm_why));
	m->jobs = o->jobs ?: auto_jobs();
	if (m->jobs > m->nk)
		m->jobs = m->nk;

	/* named after this process: a later run removes it if this one is killed */
	err = vh_run_dir__make("bpfgate-matrix", m->tmp, sizeof(m->tmp));
	if (err)
		return vh_err("temporary folder", "%s", strerror(-err)), err;
	if (keep) {
		if (mkdir(keep, 0755) && errno != EEXIST)
			return vh_err(keep, "%s", strerror(errno)), -errno;
		bfmt(m->root, sizeof(m->root), "%s", keep);
	} else {
		bfmt(m->root, sizeof(m->root), "%s", m->tmp);
	}
	m->plan = (struct vh_guest_plan){
		.objs = o->objs,
		.nobjs = o->nobjs,
		.guest_args = o->guest_args,
		.nguest_args = o->nguest_args,
		.tests = o->tests,
		.ntests = o->ntests,
		.probe = true,
	};
	for (int i = 0; i < m->nk; i++) {
		struct kjob *k = &m->k[i];
		char safe[64];
		size_t n = 0;

		/* the folder is named after the kernel as given */
		for (const char *s = k->spec.name; *s && n < sizeof(safe) - 1; s++)
			safe[n++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
						    (*s >= '0' && *s <= '9') || *s == '.' ||
						    *s == '-' || *s == '_' || *s == '+' ?
					    *s :
					    '_';
		safe[n] = '\0';
		bfmt(k->dir, sizeof(k->dir), "%s/%s", m->root, safe);
		vh_rm_rf(k->dir);
		if (mkdir(k->dir, 0755))
			return vh_err(k->dir, "%s", strerror(errno)), -errno;
		k->kind = o->backend ? vh_vm_kind__find(o->backend) :
				       vh_vm_kind__default(o->bpfgate_path);
		load_est(m, k);
	}

	/* what each kind prepares once for all its boots (qemu: the initramfs) */
	m->run = (struct vh_vm_run){
		.plan = &m->plan,
		.bpfgate_path = o->bpfgate_path,
		.tmp = m->tmp,
		.kvm = m->kvm,
		.mem_mb = GUEST_MEM_MB,
	};
	for (int i = 0; i < m->nk; i++) {
		const struct vh_vm_kind *kind = m->k[i].kind;
		bool done = false;

		for (int j = 0; j < i; j++)
			done |= m->k[j].kind == kind;
		err = done || !kind->prepare_run ? 0 : kind->prepare_run(&m->run);
		if (err)
			return err;
	}

	if (o->timeout_s)
		m->timeout_s = o->timeout_s;
	else if (m->kvm)
		m->timeout_s = 60 + o->nobjs;
	else
		m->timeout_s = m->k[0].kind->tcg_timeout_s + 2 * o->nobjs;
	/* each test has its own deadline in the guest: the VM waits for all of them */
	if (!o->timeout_s)
		m->timeout_s += o->ntests * ((o->test_timeout_s ?: VH_FUNC_TEST_DEFAULT_TIMEOUT) + 5);
	if (!m->kvm)
		m->run.tsc_khz = vh_vm__host_tsc_khz();
	m->run.timeout_s = m->timeout_s;

	if (!o->quiet)
		fprintf(stderr, "matrix: %d kernel%s, %s, %s (%s), up to %d VM%s at once, timeout %d s\n",
			m->nk, m->nk == 1 ? "" : "s",
			m->k[0].kind->name, m->kvm ? "KVM" : "TCG",
			m->kvm_why, m->jobs, m->jobs == 1 ? "" : "s", m->timeout_s);
	return 0;
}

/* The signal that interrupted the run, 0 if none (a handler can only set a flag). */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static int loop(struct matrix *m, struct vh_result_set *out)
{
	double last_draw = 0, last_phase = 0;
	int err = 0;

	for (;;) {
		int running = 0, fetching = 0, left = 0;
		double t = now_s();

		for (int i = 0; i < m->nk; i++) {
			running += m->k[i].state == K_RUNNING;
			fetching += m->k[i].state == K_FETCHING;
			left += m->k[i].state != K_DONE;
		}
		if (!left)
			break;
		for (int i = 0; i < m->nk && !err; i++) {
			struct kjob *k = &m->k[i];
			int r;

			switch (k->state) {
			case K_WAIT_FETCH:
				/* one download at a time: they share the network */
				if (!fetching) {
					err = start_fetch(m, k);
					fetching++;
				}
				break;
			case K_FETCHING:
				r = vh_spawn__poll(&k->fetch);
				if (r == 0)
					break;
				fetching--;
				vh_spawn__free(&k->fetch);
				if (r < 0 || !WIFEXITED(k->fetch.status) ||
				    WEXITSTATUS(k->fetch.status)) {
					char p[PATH_MAX], *tail, cause[256];

					bfmt(p, sizeof(p), "%s/fetch.log", k->dir);
					tail = vh_vm__tail(p, 1);
					bfmt(cause, sizeof(cause), "fetch failed: %s",
						 tail ? tail : "see fetch.log");
					k->state = K_DONE;
					err = fail_early(m, k, out, cause);
					show_line(m, k, "%s", k->outcome);
					free(tail);
					break;
				}
				k->spec.cached = true;
				k->state = K_READY;
				show_line(m, k, "fetched in %.1f s", t - k->t_start);
				break;
			case K_READY:
				/* longest first: the slots then finish together */
				if (running < m->jobs && longest_ready(m) == k) {
					err = start_vm(m, k, out);
					running += k->state == K_RUNNING;
					if (k->state == K_DONE)
						show_line(m, k, "%s", k->outcome);
				}
				break;
			case K_RUNNING:
				/* the keeper kills it at its deadline */
				r = vh_spawn__poll(&k->vm.proc);
				if (r != 0) {
					k->state = K_DONE;
					running--;
					err = collect(m, k, k->vm.proc.timed_out, out);
					vh_spawn__free(&k->vm.proc);
				} else if (t - last_phase > 0.2) {
					update_phase(m, k);
				}
				break;
			case K_DONE:
				break;
			}
		}
		if (t - last_phase > 0.2)
			last_phase = t;
		if (interrupted)
			err = -EINTR;
		if (err)
			break;
		if (t - last_draw > 0.5) {
			draw(m);
			last_draw = t;
		}
		usleep(50 * 1000);
	}
	draw(m);
	return err;
}

int vh_matrix__run(const struct vh_matrix_opts *opts, struct vh_result_set *out)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal }, old[3];
	struct matrix m = { .opts = opts };
	int err;

	/* Ctrl-C stops the VMs and removes the run's files before bpfgate goes */
	interrupted = 0;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++) {
		sigaction(sigs[i], NULL, &old[i]);
		/* a signal ignored when bpfgate started (nohup, a background job) stays so */
		if (old[i].sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
	err = setup(&m, out);
	if (!err && m.nk)
		err = loop(&m, out);
	/* nothing of this run outlives it */
	for (int i = 0; i < m.nk; i++) {
		if (m.k[i].state == K_RUNNING)
			vh_spawn__free(&m.k[i].vm.proc);
		if (m.k[i].state == K_FETCHING)
			vh_spawn__free(&m.k[i].fetch);
	}
	if (m.tmp[0])
		vh_rm_rf(m.tmp);
	free(m.k);
	if (m.have_conf)
		vh_kernel_conf__free(&m.conf);
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	/* then die of the signal, as the shell that sent it expects */
	if (interrupted) {
		vh_err("verify", "interrupted (%s): VMs stopped, the run's files removed",
		       strsignal(interrupted));
		raise(interrupted);
	}
	return err;
}
