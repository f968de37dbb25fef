// SPDX-License-Identifier: BSD-2-Clause
/* vm_fleet.c: fetch, preflight and boot every kernel of a run in a VM, in parallel, each
 * with its deadline; what each guest sent back is read by vm_collect.c. */
#include <errno.h>
#include <signal.h>
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
#include "run_dir.h"
#include "spawn.h"
#include "vm.h"
#include "vm_fleet_priv.h"

#define GUEST_MEM_MB 512

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

static void draw(struct fleet *m)
{
	double t = vh_now_s();

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
void vh_fleet__show(struct fleet *m, struct kjob *k, const char *fmt, ...)
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

/* --- scheduling ------------------------------------------------------------------ */

/* The ready kernel that took longest last time; unknown ones count as longest. */
static struct kjob *longest_ready(struct fleet *m)
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
static int est_path(struct fleet *m, struct kjob *k, char *buf, size_t len)
{
	if (!k->spec.entry || !k->spec.release[0])
		return -ENOENT;
	return vh_bfmt(buf, len, "%s/%s/last-run-%s", m->cache.kernels, k->spec.release,
		       k->kind->name);
}

static void load_est(struct fleet *m, struct kjob *k)
{
	char p[PATH_MAX];
	FILE *f;

	if (est_path(m, k, p, sizeof(p)) || !(f = fopen(p, "re")))
		return;
	if (fscanf(f, "%lf", &k->est) != 1 || k->est < 0)
		k->est = 0;
	fclose(f);
}

void vh_fleet__save_est(struct fleet *m, struct kjob *k)
{
	char p[PATH_MAX], tmp[PATH_MAX];
	FILE *f;

	if (est_path(m, k, p, sizeof(p)) || vh_bfmt(tmp, sizeof(tmp), "%s.%d", p, (int)getpid()))
		return;
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "%.2f\n", k->t_end - k->t_start);
	if (fclose(f) || rename(tmp, p))
		unlink(tmp);
}

/* --- the run ----------------------------------------------------------------------- */

struct fetch_job {
	struct fleet *m;
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

static int start_fetch(struct fleet *m, struct kjob *k)
{
	struct fetch_job job = { m, k };
	struct vh_spawn_opts so = { .fn = fetch_kernel, .fn_arg = &job, .out = VH_SPAWN_OUT_FILE };
	char log[PATH_MAX];
	int err;

	vh_bfmt(log, sizeof(log), "%s/fetch.log", k->dir);
	so.out_path = log;
	err = vh_spawn__start(&k->fetch, &so);
	if (err)
		return err;
	k->state = K_FETCHING;
	k->t_start = vh_now_s();
	vh_fleet__show(m, k, "fetching %s", k->spec.release);
	return 0;
}

static int start_vm(struct fleet *m, struct kjob *k, struct vh_result_set *out)
{
	char errbuf[256], missing[256];
	int err;

	err = vh_kernel__preflight(&k->spec, k->kind->kconfig_needs, missing, sizeof(missing));
	if (err == -ENOTSUP) {
		vh_bfmt(errbuf, sizeof(errbuf),
			"preflight: the kernel lacks %s (needed by the %s backend)",
			missing, k->kind->name);
		k->state = K_DONE;
		return vh_fleet__fail_early(m, k, out, errbuf);
	}
	if (err == -ENOENT)
		vh_fleet__show(m, k, "no kernel config found, preflight skipped");
	k->vm = (struct vh_vm){
		.kind = k->kind,
		.run = &m->run,
		.kernel = &k->spec,
		.rundir = k->dir,
	};
	err = k->kind->prepare ? k->kind->prepare(&k->vm, errbuf, sizeof(errbuf)) : 0;
	if (err) {
		k->state = K_DONE;
		return vh_fleet__fail_early(m, k, out, errbuf);
	}
	k->t_start = vh_now_s();
	err = vh_vm__start(&k->vm, errbuf, sizeof(errbuf));
	if (err) {
		k->state = K_DONE;
		return vh_fleet__fail_early(m, k, out, errbuf);
	}
	k->state = K_RUNNING;
	vh_bfmt(k->phase, sizeof(k->phase), "booting");
	vh_fleet__show(m, k, "booting (%s, %s)", k->kind->name, m->kvm ? "KVM" : "TCG");
	return 0;
}

/* Follow the guest's markers for the display. */
static void update_phase(struct fleet *m, struct kjob *k)
{
	int nsteps = m->plan.nobjs + m->plan.ntests;
	char p[PATH_MAX], old[64];
	struct vh_guest_out g;

	vh_bfmt(p, sizeof(p), "%s/guest.out", k->dir);
	if (vh_guest_out__parse(p, &g))
		return;
	vh_bfmt(old, sizeof(old), "%s", k->phase);
	if (g.hello && !k->t_hello)
		k->t_hello = vh_now_s();
	if (g.verify_start > 0 && !k->t_vstart)
		k->t_vstart = vh_now_s();
	if (g.verified && !k->t_vend)
		k->t_vend = vh_now_s();
	if (g.verified)
		vh_bfmt(k->phase, sizeof(k->phase), "verified %d/%d (%s)", g.nresults, nsteps,
		     g.release);
	else if (g.steps_started)
		vh_bfmt(k->phase, sizeof(k->phase), "verifying %d/%d (%s)", g.steps_started, nsteps,
		     g.release);
	else if (g.hello)
		vh_bfmt(k->phase, sizeof(k->phase), "probing (%s)", g.release);
	if (strcmp(old, k->phase))
		vh_fleet__show(m, k, "%s", k->phase);
	vh_guest_out__free(&g);
}

/* --- set-up ------------------------------------------------------------------------ */

/* The options, the objects and the tests: 0 or -errno (said). */
static int check_opts(const struct vh_vm_fleet_opts *o)
{
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
	return 0;
}

/* The kernel matrix (needed to resolve a series) and the kernel cache. */
static int open_conf(struct fleet *m)
{
	const struct vh_vm_fleet_opts *o = m->opts;
	char errbuf[512];
	bool need_conf = false;
	int err;

	for (int i = 0; i < o->nkernels; i++)
		if (!strchr(o->kernels[i], '/') && access(o->kernels[i], F_OK))
			need_conf = true;
	err = vh_kernel_conf__load(&m->conf, errbuf, sizeof(errbuf));
	if (err && need_conf)
		return vh_err(NULL, "%s", errbuf), err; /* errbuf names the file */
	m->have_conf = !err;
	err = vh_kernel_cache__init(&m->cache);
	if (err)
		return vh_err("cache", "set BPFGATE_CACHE or HOME"), err;
	return 0;
}

/* One job per kernel given (repeats once): resolved, fetched first when missing. */
static int resolve_kernels(struct fleet *m)
{
	const struct vh_vm_fleet_opts *o = m->opts;
	char errbuf[512];

	m->k = calloc(o->nkernels ? o->nkernels : 1, sizeof(*m->k));
	if (!m->k)
		return -ENOMEM;
	for (int i = 0; i < o->nkernels; i++) {
		struct kjob *k = &m->k[m->nk];
		bool dup = false;
		int err;

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
	return 0;
}

/* The run's folders: a temporary one, and the kept one (or the same). */
static int make_root(struct fleet *m)
{
	const char *keep = m->opts->result_dir ?: getenv("BPFGATE_RESULT_DIR");
	int err;

	/* named after this process: a later run removes it if this one is killed */
	err = vh_run_dir__make("bpfgate-matrix", m->tmp, sizeof(m->tmp));
	if (err)
		return vh_err("temporary folder", "%s", strerror(-err)), err;
	if (keep) {
		if (mkdir(keep, 0755) && errno != EEXIST)
			return vh_err(keep, "%s", strerror(errno)), -errno;
		vh_bfmt(m->root, sizeof(m->root), "%s", keep);
	} else {
		vh_bfmt(m->root, sizeof(m->root), "%s", m->tmp);
	}
	return 0;
}

/* A kernel's folder is named after the kernel as given, with only safe characters. */
static void safe_name(const char *name, char *safe, size_t len)
{
	size_t n = 0;

	for (const char *s = name; *s && n < len - 1; s++)
		safe[n++] = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
					    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
					    *s == '_' || *s == '+' ?
				    *s :
				    '_';
	safe[n] = '\0';
}

/* Each kernel's folder (emptied) and kind, and how long it took last time. */
static int prepare_jobs(struct fleet *m)
{
	const struct vh_vm_fleet_opts *o = m->opts;

	for (int i = 0; i < m->nk; i++) {
		struct kjob *k = &m->k[i];
		char safe[64];

		safe_name(k->spec.name, safe, sizeof(safe));
		vh_bfmt(k->dir, sizeof(k->dir), "%s/%s", m->root, safe);
		vh_rm_rf(k->dir);
		if (mkdir(k->dir, 0755))
			return vh_err(k->dir, "%s", strerror(errno)), -errno;
		k->kind = o->backend ? vh_vm_kind__find(o->backend) :
				       vh_vm_kind__default(m->self);
		load_est(m, k);
	}
	return 0;
}

/* What each kind prepares once for all its boots (qemu: the initramfs). */
static int prepare_kinds(struct fleet *m)
{
	const struct vh_vm_fleet_opts *o = m->opts;

	m->plan = (struct vh_guest_plan){
		.objs = o->objs,
		.nobjs = o->nobjs,
		.guest_args = o->guest_args,
		.nguest_args = o->nguest_args,
		.tests = o->tests,
		.ntests = o->ntests,
		.probe = true,
	};
	m->run = (struct vh_vm_run){
		.plan = &m->plan,
		.bpfgate_path = m->self,
		.tmp = m->tmp,
		.kvm = m->kvm,
		.mem_mb = GUEST_MEM_MB,
	};
	for (int i = 0; i < m->nk; i++) {
		const struct vh_vm_kind *kind = m->k[i].kind;
		bool done = false;
		int err;

		for (int j = 0; j < i; j++)
			done |= m->k[j].kind == kind;
		err = done || !kind->prepare_run ? 0 : kind->prepare_run(&m->run);
		if (err)
			return err;
	}
	return 0;
}

/* Each VM's deadline: the option's, else the kind's under TCG (or KVM's) and time
 * for every object and for every test's own deadline in the guest. */
static void set_deadline(struct fleet *m)
{
	const struct vh_vm_fleet_opts *o = m->opts;

	if (o->timeout_s)
		m->timeout_s = o->timeout_s;
	else if (m->kvm)
		m->timeout_s = 60 + o->nobjs;
	else
		m->timeout_s = m->k[0].kind->tcg_timeout_s + 2 * o->nobjs;
	if (!o->timeout_s) {
		int per_test = (o->test_timeout_s ?: VH_FUNC_TEST_DEFAULT_TIMEOUT) + 5;

		m->timeout_s += o->ntests * per_test;
	}
	if (!m->kvm)
		m->run.tsc_khz = vh_vm__host_tsc_khz();
	m->run.timeout_s = m->timeout_s;
}

/* The running bpfgate: the vng guest runs it, the static one is found beside it. */
static void find_self(struct fleet *m)
{
	ssize_t len;

	if (m->opts->bpfgate_path) {
		vh_bfmt(m->self, sizeof(m->self), "%s", m->opts->bpfgate_path);
		return;
	}
	len = readlink("/proc/self/exe", m->self, sizeof(m->self) - 1);
	m->self[len > 0 ? len : 0] = '\0';
	if (!m->self[0])
		vh_bfmt(m->self, sizeof(m->self), "bpfgate");
}

static int setup(struct fleet *m)
{
	const struct vh_vm_fleet_opts *o = m->opts;
	int err;

	err = check_opts(o) ?: open_conf(m) ?: resolve_kernels(m);
	find_self(m);
	if (err || !m->nk)
		return err;
	/* decided up front, never by waiting for a hang */
	m->kvm = vh_kvm__usable(m->kvm_why, sizeof(m->kvm_why));
	m->jobs = o->jobs ?: auto_jobs();
	if (m->jobs > m->nk)
		m->jobs = m->nk;
	err = make_root(m) ?: prepare_jobs(m) ?: prepare_kinds(m);
	if (err)
		return err;
	set_deadline(m);
	if (!o->quiet)
		fprintf(stderr, "matrix: %d kernel%s, %s, %s (%s), up to %d VM%s at once, timeout %d s\n",
			m->nk, m->nk == 1 ? "" : "s",
			m->k[0].kind->name, m->kvm ? "KVM" : "TCG",
			m->kvm_why, m->jobs, m->jobs == 1 ? "" : "s", m->timeout_s);
	return 0;
}

/* --- the loop ---------------------------------------------------------------------- */

/* The signal that interrupted the run, 0 if none (a handler can only set a flag). */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/* What the loop counts on each turn. */
struct slots {
	int running, fetching;
};

/* A fetch that ended: ready to boot, or an error result. */
static int fetch_ended(struct fleet *m, struct kjob *k, int r, double t,
		       struct vh_result_set *out)
{
	char p[PATH_MAX], *tail, cause[256];
	int err;

	vh_spawn__free(&k->fetch);
	if (r > 0 && WIFEXITED(k->fetch.status) && !WEXITSTATUS(k->fetch.status)) {
		k->spec.cached = true;
		k->state = K_READY;
		vh_fleet__show(m, k, "fetched in %.1f s", t - k->t_start);
		return 0;
	}
	vh_bfmt(p, sizeof(p), "%s/fetch.log", k->dir);
	tail = vh_vm__tail(p, 1);
	vh_bfmt(cause, sizeof(cause), "fetch failed: %s", tail ? tail : "see fetch.log");
	k->state = K_DONE;
	err = vh_fleet__fail_early(m, k, out, cause);
	vh_fleet__show(m, k, "%s", k->outcome);
	free(tail);
	return err;
}

/* One kernel's next move: fetch, boot, follow or collect. */
static int step_job(struct fleet *m, struct kjob *k, struct slots *s, double t, bool look,
		    struct vh_result_set *out)
{
	int r, err = 0;

	switch (k->state) {
	case K_WAIT_FETCH:
		/* one download at a time: they share the network */
		if (!s->fetching) {
			err = start_fetch(m, k);
			s->fetching++;
		}
		break;
	case K_FETCHING:
		r = vh_spawn__poll(&k->fetch);
		if (r == 0)
			break;
		s->fetching--;
		err = fetch_ended(m, k, r, t, out);
		break;
	case K_READY:
		/* longest first: the slots then finish together */
		if (s->running < m->jobs && longest_ready(m) == k) {
			err = start_vm(m, k, out);
			s->running += k->state == K_RUNNING;
			if (k->state == K_DONE)
				vh_fleet__show(m, k, "%s", k->outcome);
		}
		break;
	case K_RUNNING:
		/* the keeper kills it at its deadline */
		r = vh_spawn__poll(&k->vm.proc);
		if (r != 0) {
			k->state = K_DONE;
			s->running--;
			err = vh_fleet__collect(m, k, k->vm.proc.timed_out, out);
			vh_spawn__free(&k->vm.proc);
		} else if (look) {
			update_phase(m, k);
		}
		break;
	case K_DONE:
		break;
	}
	return err;
}

/* One turn: each kernel's next move. *left: kernels not done. 0 or -errno. */
static int turn(struct fleet *m, struct vh_result_set *out, bool look, int *left)
{
	struct slots s = { 0 };
	double t = vh_now_s();
	int err = 0;

	*left = 0;
	for (int i = 0; i < m->nk; i++) {
		s.running += m->k[i].state == K_RUNNING;
		s.fetching += m->k[i].state == K_FETCHING;
		*left += m->k[i].state != K_DONE;
	}
	for (int i = 0; i < m->nk && !err && *left; i++)
		err = step_job(m, &m->k[i], &s, t, look, out);
	if (!err && interrupted)
		err = -EINTR;
	return err;
}

static int loop(struct fleet *m, struct vh_result_set *out)
{
	double last_draw = 0, last_phase = 0;
	int err = 0, left;

	for (;;) {
		double t = vh_now_s();
		bool look = t - last_phase > 0.2;

		err = turn(m, out, look, &left);
		if (err || !left)
			break;
		if (look)
			last_phase = t;
		if (t - last_draw > 0.5) {
			draw(m);
			last_draw = t;
		}
		usleep(50 * 1000);
	}
	draw(m);
	return err;
}

/* Nothing of this run outlives it: runners and fetches stopped, folders removed. */
static void teardown(struct fleet *m)
{
	for (int i = 0; i < m->nk; i++) {
		if (m->k[i].state == K_RUNNING)
			vh_spawn__free(&m->k[i].vm.proc);
		if (m->k[i].state == K_FETCHING)
			vh_spawn__free(&m->k[i].fetch);
	}
	if (m->tmp[0])
		vh_rm_rf(m->tmp);
	free(m->k);
	if (m->have_conf)
		vh_kernel_conf__free(&m->conf);
}

/* A run between vh_vm_fleet__start and vh_vm_fleet__finish. */
struct vh_vm_fleet {
	struct fleet m;
	struct sigaction old[3];
	int err;
};

static const int fleet_sigs[] = { SIGINT, SIGTERM, SIGHUP };

/*
 * Until finish, a signal has its usual effect: bpfgate ends at once, its VMs with
 * it (their keepers see it go) and the run's folder is left for the next run to
 * remove (run_dir.c), as when bpfgate is killed.
 */
int vh_vm_fleet__start(const struct vh_vm_fleet_opts *opts, struct vh_result_set *out,
		       struct vh_vm_fleet **fp)
{
	struct vh_vm_fleet *f = calloc(1, sizeof(*f));
	int left;

	*fp = f;
	if (!f)
		return vh_err("verify", "out of memory"), -ENOMEM;
	f->m.opts = opts;
	interrupted = 0;
	f->err = setup(&f->m);
	/* the first VMs boot (or kernels download) while the caller does other work;
	 * a turn starts the longest kernel that is ready, so one turn per kernel */
	for (int i = 0; !f->err && i < f->m.nk; i++)
		f->err = turn(&f->m, out, false, &left);
	return f->err;
}

int vh_vm_fleet__finish(struct vh_vm_fleet *f, struct vh_result_set *out)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int err;

	if (!f)
		return -ENOMEM;
	/* Ctrl-C stops the VMs and removes the run's files before bpfgate goes */
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++) {
		sigaction(fleet_sigs[i], NULL, &f->old[i]);
		/* a signal ignored when bpfgate started (nohup, a background job) stays so */
		if (f->old[i].sa_handler != SIG_IGN)
			sigaction(fleet_sigs[i], &sa, NULL);
	}
	if (!f->err && f->m.nk)
		f->err = loop(&f->m, out);
	err = f->err;
	teardown(&f->m);
	for (int i = 0; i < 3; i++)
		sigaction(fleet_sigs[i], &f->old[i], NULL);
	free(f);
	/* then die of the signal, as the shell that sent it expects */
	if (interrupted) {
		vh_err("verify", "interrupted (%s): VMs stopped, the run's files removed",
		       strsignal(interrupted));
		raise(interrupted);
	}
	return err;
}

int vh_vm_fleet__run(const struct vh_vm_fleet_opts *opts, struct vh_result_set *out)
{
	struct vh_vm_fleet *f;

	vh_vm_fleet__start(opts, out, &f);
	return vh_vm_fleet__finish(f, out);
}
