// SPDX-License-Identifier: BSD-2-Clause
/* cmd_core_check.c: bpfgate core-check: CO-RE relocations against target kernels' BTF,
 * offline (no VM): targets, the program x kernel table, JSON, exit status. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "core_btf.h"
#include "core_check.h"
#include "diag.h"
#include "json_writer.h"
#include "kernel_cache.h"
#include "object_verify.h"
#include "options.h"
#include "privilege.h"

#ifndef BPFGATE_VERSION
#define BPFGATE_VERSION "0.0.0"
#endif

enum { OPT_KERNEL = VH_OPT_CMD, OPT_BTF };

static const struct vh_opt opt_kernel = {
	OPT_KERNEL, "kernel", 0, VH_OPT_STR, "K",
	.help = "check against kernel K (repeatable): host, or a series of ci/kernels.conf "
		"whose kernel is cached (its vmlinux's BTF)",
};
static const struct vh_opt opt_btf = {
	OPT_BTF, "btf", 0, VH_OPT_STR, "FILE|DIR",
	.help = "check against FILE (raw BTF or an ELF file with .BTF), or every such file "
		"in DIR (repeatable)",
};

static const struct vh_opt *const core_check_opts[] = {
	&opt_kernel, &opt_btf, &vh_opt_jobs, &vh_opt_json, &vh_opt_pretty, &vh_opt_verbose, &vh_opt_help, NULL,
};

static const struct vh_cmd_opts core_check_cmd = {
	.cmd = "core-check",
	.synopsis = "[OPTIONS] OBJ...",
	.about = "Resolve every CO-RE relocation of every program against each target kernel's\n"
		 "BTF with libbpf, and let the host's verifier tell whether an instruction whose\n"
		 "relocation failed is reachable (a bpf_core_*_exists() guard makes it dead code).\n"
		 "No VM is booted: the host only loads the programs.",
	.epilog = "Exit status: 0 no reachable unresolved relocation, 1 a program reaches one on\n"
		  "some kernel, 2 usage, input or environment error (a kernel that is not cached,\n"
		  "a file that is not BTF, an unreadable object, missing privilege).\n",
	.opts = core_check_opts,
};

struct target {
	char *name; /* the kernel column: release, or file name */
	char *btf;  /* the BTF file */
};

struct cfg {
	struct target *t;
	int nt;
	const char **kernels, **btfs;
	int nk, nb;
	bool json, pretty;
	int verbose;
	int jobs; /* kernels checked at once */
};

static int push_str(const char ***v, int *n, const char *s)
{
	const char **t = realloc(*v, (*n + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	t[(*n)++] = s;
	*v = t;
	return 0;
}

static int core_check_opt(void *ctx, const struct vh_opt *o, const struct vh_opt_val *v)
{
	struct cfg *c = ctx;

	switch (o->id) {
	case OPT_KERNEL:
		return push_str(&c->kernels, &c->nk, v->str);
	case OPT_BTF:
		return push_str(&c->btfs, &c->nb, v->str);
	case VH_OPT_JOBS:
		if (!v->dflt)
			c->jobs = (int)v->num;
		break;
	case VH_OPT_JSON:
		c->json = true;
		break;
	case VH_OPT_PRETTY:
		c->json = c->pretty = true;
		break;
	case VH_OPT_VERBOSE:
		if (!v->dflt)
			c->verbose++;
		break;
	}
	return 0;
}

static int add_target(struct cfg *c, const char *name, const char *btf)
{
	struct target *t = realloc(c->t, (c->nt + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	c->t = t;
	t += c->nt;
	t->name = strdup(name);
	t->btf = strdup(btf);
	if (!t->name || !t->btf) {
		free(t->name);
		free(t->btf);
		return -ENOMEM;
	}
	c->nt++;
	return 0;
}

/* Raw BTF (magic 0xeB9F, either byte order) or ELF: what libbpf's btf__parse takes. */
static bool looks_like_btf(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = read(fd, m, 4) == 4 &&
	     ((m[0] == 0x9f && m[1] == 0xeb) || (m[0] == 0xeb && m[1] == 0x9f) ||
	      !memcmp(m, "\177ELF", 4));
	close(fd);
	return ok;
}

/* The kernel column of a --btf FILE: its name, or its folder's for a cache entry's
 * "vmlinux" (KERNELS/RELEASE/vmlinux). */
static const char *target_name(const char *path)
{
	static char name[NAME_MAX + 1];
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	int dirlen = base - path - 1;
	const char *dir;

	if (strcmp(base, "vmlinux") || dirlen <= 0)
		return base;
	for (dir = path + dirlen; dir > path && dir[-1] != '/'; dir--)
		;
	snprintf(name, sizeof(name), "%.*s", (int)(path + dirlen - dir), dir);
	return name[0] ? name : base;
}

static int add_btf_arg(struct cfg *c, const char *arg)
{
	struct dirent **ents;
	struct stat st;
	int n, err = 0, found = 0;

	if (stat(arg, &st)) {
		vh_err(arg, "%s", strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (!looks_like_btf(arg)) {
			vh_err(arg, "not a BTF file (raw BTF or ELF with .BTF)");
			return -EINVAL;
		}
		return add_target(c, target_name(arg), arg);
	}
	n = scandir(arg, &ents, NULL, alphasort);
	if (n < 0) {
		vh_err(arg, "%s", strerror(errno));
		return -errno;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];

		if (!err && ents[i]->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", arg, ents[i]->d_name) < (int)sizeof(path) &&
		    !stat(path, &st) && S_ISREG(st.st_mode) && looks_like_btf(path)) {
			err = add_target(c, ents[i]->d_name, path);
			found++;
		}
		free(ents[i]);
	}
	free(ents);
	if (!err && !found) {
		vh_err(arg, "no BTF file in this folder");
		err = -ENOENT;
	}
	return err;
}

static int add_kernel_arg(struct cfg *c, const char *arg, struct vh_kernel_conf *conf,
			  const struct vh_kernel_cache *cache)
{
	struct vh_kernel_spec spec;
	char errbuf[512];

	if (vh_kernel__resolve(arg, conf, cache, &spec, errbuf, sizeof(errbuf))) {
		vh_err(arg, "%s", errbuf);
		return -EINVAL;
	}
	if (spec.host)
		return add_target(c, vh_kernel_release(), "/sys/kernel/btf/vmlinux");
	if (spec.entry && !spec.cached) {
		vh_err(arg, "kernel %s is not cached (bpfgate kernel fetch %s)", spec.release, arg);
		return -ENOENT;
	}
	if (!spec.vmlinux[0] || access(spec.vmlinux, R_OK)) {
		vh_err(arg, "no vmlinux with BTF for this kernel (give its BTF with --btf)");
		return -ENOENT;
	}
	return add_target(c, spec.release[0] ? spec.release : arg, spec.vmlinux);
}

static int resolve_targets(struct cfg *c)
{
	struct vh_kernel_conf conf = {};
	struct vh_kernel_cache cache;
	char errbuf[512];
	int err = 0;

	if (c->nk) {
		if (vh_kernel_conf__load(&conf, errbuf, sizeof(errbuf))) {
			vh_err("kernels.conf", "%s", errbuf);
			return -EINVAL;
		}
		if (vh_kernel_cache__init(&cache)) {
			vh_err("kernel cache", "cannot find the cache folder (set BPFGATE_CACHE)");
			vh_kernel_conf__free(&conf);
			return -EINVAL;
		}
	}
	for (int i = 0; i < c->nk && !err; i++)
		err = add_kernel_arg(c, c->kernels[i], &conf, &cache);
	for (int i = 0; i < c->nb && !err; i++)
		err = add_btf_arg(c, c->btfs[i]);
	if (c->nk)
		vh_kernel_conf__free(&conf);
	return err;
}

static void write_json(const struct vh_core_results *rs, bool pretty, const int count[3])
{
	struct vh_json_writer w;

	vh_json_writer__init(&w, stdout, pretty);
	vh_json_writer__begin_object(&w);
	vh_json_writer__kv_string(&w, "version", BPFGATE_VERSION);
	vh_json_writer__key(&w, "results");
	vh_json_writer__begin_array(&w);
	for (int i = 0; i < rs->n; i++) {
		const struct vh_core_result *r = &rs->r[i];

		vh_json_writer__begin_object(&w);
		vh_json_writer__kv_string(&w, "object", r->object);
		vh_json_writer__kv_string(&w, "program", r->program);
		vh_json_writer__kv_string(&w, "kernel", r->kernel);
		vh_json_writer__kv_string(&w, "verdict", vh_core_verdict__name(r->verdict));
		if (r->error)
			vh_json_writer__kv_string(&w, r->verdict == VH_CORE_ERROR ? "error" :
						  "host_refusal", r->error);
		vh_json_writer__key(&w, "relocations");
		vh_json_writer__begin_array(&w);
		for (int j = 0; j < r->nr_relos; j++) {
			const struct vh_core_relo *x = &r->relos[j];

			vh_json_writer__begin_object(&w);
			vh_json_writer__kv_string(&w, "kind", x->kind);
			vh_json_writer__kv_string(&w, "type", x->type);
			vh_json_writer__kv_string(&w, "access", x->access);
			vh_json_writer__key(&w, "guarded");
			vh_json_writer__bool(&w, x->guarded);
			vh_json_writer__kv_int(&w, "insn", x->insn);
			vh_json_writer__end_object(&w);
		}
		vh_json_writer__end_array(&w);
		vh_json_writer__end_object(&w);
	}
	vh_json_writer__end_array(&w);
	vh_json_writer__key(&w, "summary");
	vh_json_writer__begin_object(&w);
	vh_json_writer__kv_int(&w, "pass", count[VH_CORE_PASS]);
	vh_json_writer__kv_int(&w, "fail", count[VH_CORE_FAIL]);
	vh_json_writer__kv_int(&w, "error", count[VH_CORE_ERROR]);
	vh_json_writer__end_object(&w);
	vh_json_writer__end_object(&w);
	if (vh_json_writer__finish(&w))
		vh_err("stdout", "cannot write the JSON result");
}

/* wide enough for the kernel's name and for "guarded" */
static int col_width(const char *name)
{
	int n = strlen(name);

	return n > 7 ? n : 7;
}

/* Results come kernel by kernel, each kernel with the same programs in the same order. */
static void write_table(const struct vh_core_results *rs, const struct cfg *c)
{
	int per = c->nt ? rs->n / c->nt : 0, wname = 7;

	for (int p = 0; p < per; p++) {
		int l = strlen(rs->r[p].object) + 1 + strlen(rs->r[p].program);

		if (l > wname)
			wname = l;
	}
	printf("%-*s", wname, "PROGRAM");
	for (int k = 0; k < c->nt; k++)
		printf("  %s%*s", c->t[k].name, k + 1 < c->nt ?
		       col_width(c->t[k].name) - (int)strlen(c->t[k].name) : 0, "");
	printf("\n");
	for (int p = 0; p < per; p++) {
		const struct vh_core_result *r0 = &rs->r[p];

		printf("%s:%s%*s", r0->object, r0->program,
		       wname - (int)(strlen(r0->object) + 1 + strlen(r0->program)), "");
		for (int k = 0; k < c->nt; k++) {
			const struct vh_core_result *r = &rs->r[k * per + p];
			const char *v = r->verdict == VH_CORE_FAIL ? "FAIL" :
					r->verdict == VH_CORE_ERROR ? "error" :
					r->nr_relos ? "guarded" : "pass";

			/* no padding after the last column */
			printf("  %-*s", k + 1 < c->nt ? col_width(c->t[k].name) : 0, v);
		}
		printf("\n");
	}
	for (int i = 0; i < rs->n; i++) {
		const struct vh_core_result *r = &rs->r[i];

		if (r->verdict == VH_CORE_ERROR)
			printf("%s:%s on %s: error: %s\n", r->object, r->program, r->kernel,
			       r->error);
		for (int j = 0; r->verdict != VH_CORE_PASS && j < r->nr_relos; j++)
			printf("%s:%s on %s: unresolved <%s> %s%s%s (insn %d)%s\n", r->object,
			       r->program, r->kernel, r->relos[j].kind, r->relos[j].type,
			       r->relos[j].access[0] ? "." : "", r->relos[j].access,
			       r->relos[j].insn, r->relos[j].guarded ? " guarded" : "");
	}
}

/* The check of one target kernel: every object against its BTF. */
struct target_check {
	struct vh_core_results rs;
	char error[512]; /* why the target or an object could not be checked */
	const char *subject;
};

struct checks {
	const struct cfg *c;
	char **objs;
	int nobj;
	struct target_check *tc;
	int next; /* the next target to take (__atomic) */
};

static void check_target(const struct target *t, char **objs, int nobj,
			 struct vh_core_memo *memo, struct target_check *tc)
{
	struct vh_core_btf *cb;
	int err = vh_core_btf__open(t->btf, &cb);

	if (err) {
		tc->subject = t->btf;
		snprintf(tc->error, sizeof(tc->error), "cannot read BTF: %s", strerror(-err));
		return;
	}
	for (int i = 0; i < nobj && !tc->subject; i++)
		if (vh_core_check__object(objs[i], t->name, cb, memo, &tc->rs, tc->error,
					  sizeof(tc->error)))
			tc->subject = objs[i];
	vh_core_btf__free(cb);
}

/* A worker: takes targets in turn until none is left. Each has its own memo (the
 * subsets it saw), parsed BTF and libbpf objects; nothing is shared but the list. */
static void *check_worker(void *arg)
{
	struct checks *w = arg;
	struct vh_core_memo *memo = vh_core_memo__new();
	int k;

	while ((k = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->c->nt)
		check_target(&w->c->t[k], w->objs, w->nobj, memo, &w->tc[k]);
	vh_core_memo__free(memo);
	return NULL;
}

/* Run the checks on jobs threads (the calling one included). 0 or -errno. */
static int run_checks(struct checks *w, int jobs)
{
	pthread_t *th;
	int n = 0;

	if (jobs > w->c->nt)
		jobs = w->c->nt;
	th = calloc(jobs > 1 ? jobs - 1 : 1, sizeof(*th));
	if (!th)
		return -ENOMEM;
	for (; n < jobs - 1; n++)
		if (pthread_create(&th[n], NULL, check_worker, w))
			break; /* fewer threads: the ones running take the rest */
	check_worker(w);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	free(th);
	return 0;
}

static int run(struct cfg *c, char **objs, int nobj)
{
	struct checks w = { .c = c, .objs = objs, .nobj = nobj };
	struct vh_core_results rs = {};
	int count[3] = {}, ret = VH_EXIT_OK;

	w.tc = calloc(c->nt, sizeof(*w.tc));
	if (!w.tc || run_checks(&w, c->jobs)) {
		vh_err("core-check", "out of memory");
		free(w.tc);
		return VH_EXIT_USAGE;
	}
	/* in the order of the targets, whichever thread checked them */
	for (int k = 0; k < c->nt && ret == VH_EXIT_OK; k++) {
		struct target_check *tc = &w.tc[k];

		if (tc->subject) {
			vh_err(tc->subject, "%s", tc->error);
			ret = VH_EXIT_USAGE;
		} else if (vh_core_results__append(&rs, &tc->rs)) {
			vh_err("core-check", "out of memory");
			ret = VH_EXIT_USAGE;
		}
	}
	if (ret == VH_EXIT_OK) {
		for (int i = 0; i < rs.n; i++)
			count[rs.r[i].verdict]++;
		if (c->json)
			write_json(&rs, c->pretty, count);
		else
			write_table(&rs, c);
		ret = count[VH_CORE_ERROR] ? VH_EXIT_USAGE : count[VH_CORE_FAIL] ? VH_EXIT_FAIL :
			VH_EXIT_OK;
	}
	for (int k = 0; k < c->nt; k++)
		vh_core_results__free(&w.tc[k].rs);
	free(w.tc);
	vh_core_results__free(&rs);
	return ret;
}

int do_core_check(int argc, char **argv)
{
	struct cfg c = { .jobs = vh_opt_jobs_default() };
	char errbuf[512];
	int first, ret = VH_EXIT_USAGE;

	first = vh_opts__parse(&core_check_cmd, argc, argv, core_check_opt, &c, false);
	if (first <= 0) {
		ret = first ? VH_EXIT_USAGE : VH_EXIT_OK;
		goto out;
	}
	vh_diag__set_verbosity(c.verbose);
	if (first == argc) {
		vh_err("core-check", "no object given (try 'bpfgate core-check --help')");
		goto out;
	}
	if (!c.nk && !c.nb) {
		vh_err("core-check", "no target kernel: give --kernel K or --btf FILE|DIR");
		goto out;
	}
	if (resolve_targets(&c))
		goto out;
	for (int i = first; i < argc; i++)
		if (access(argv[i], R_OK)) {
			vh_err(argv[i], "%s", strerror(errno));
			goto out;
		}
	if (vh_privilege__check(errbuf, sizeof(errbuf))) {
		vh_err("core-check", "%s", errbuf);
		goto out;
	}
	ret = run(&c, argv + first, argc - first);
out:
	for (int i = 0; i < c.nt; i++) {
		free(c.t[i].name);
		free(c.t[i].btf);
	}
	free(c.t);
	free(c.kernels);
	free(c.btfs);
	return ret;
}
