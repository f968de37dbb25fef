// SPDX-License-Identifier: BSD-2-Clause
/* core_check.c: an object's CO-RE relocations against a target BTF, judged by libbpf
 * and the host's verifier (see core_check.h). */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_ext.h"
#include "object_maps.h"

#include "core_check.h"
#include "fs_util.h"

/* libbpf's relocation messages of the load in progress (debug level) */
struct relo_log {
	char *text;
	size_t len, cap;
};

/* Per thread: `bpfgate core-check --jobs N` checks N kernels at once. The hook is
 * installed once, for good: swapping it around each load would race between threads
 * (one could save the other's hook as the one to call next). */
static __thread struct relo_log *cur_log;
static libbpf_print_fn_t prev_print;
static pthread_once_t hook_once = PTHREAD_ONCE_INIT;

static int relo_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	/* the format is enough to skip every other message cheaply */
	if (cur_log && level == LIBBPF_DEBUG && strstr(fmt, "relo #")) {
		char line[1024];
		va_list cp;
		int n;

		va_copy(cp, ap);
		n = vsnprintf(line, sizeof(line), fmt, cp);
		va_end(cp);
		if (n > 0) {
			size_t add = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;

			if (cur_log->len + add + 1 > cur_log->cap) {
				size_t cap = (cur_log->cap + add + 1) * 2;
				char *t = realloc(cur_log->text, cap);

				if (!t)
					return 0;
				cur_log->text = t;
				cur_log->cap = cap;
			}
			memcpy(cur_log->text + cur_log->len, line, add + 1);
			cur_log->len += add;
		}
	}
	return prev_print ? prev_print(level, fmt, ap) : 0;
}

static struct vh_core_relo *relo_at(struct vh_core_relo **relos, int *nr, int index)
{
	struct vh_core_relo *r;

	for (int i = 0; i < *nr; i++)
		if ((*relos)[i].index == index)
			return &(*relos)[i];
	r = realloc(*relos, (*nr + 1) * sizeof(*r));
	if (!r)
		return NULL;
	*relos = r;
	r += (*nr)++;
	memset(r, 0, sizeof(*r));
	r->index = index;
	r->insn = -1;
	return r;
}

/* "<byte_off> [7] struct task_struct.real_parent.tgid (0:56:1 @ offset 2452)" */
static void parse_spec(struct vh_core_relo *r, const char *s)
{
	const char *end = strchr(s, '>'), *t, *a, *p;
	size_t n;

	if (*s != '<' || !end)
		return;
	n = (size_t)(end - s - 1) < sizeof(r->kind) ? (size_t)(end - s - 1) : sizeof(r->kind) - 1;
	memcpy(r->kind, s + 1, n);
	r->kind[n] = '\0';
	t = strchr(end, ']');
	if (!t)
		return;
	t += strspn(t + 1, " ") + 1;
	/* the raw spec " (0:1 @ offset 24)", or an enumerator's " = 181", ends it */
	p = strstr(t, " (");
	if (!p)
		p = strstr(t, " = ");
	if (!p)
		p = t + strlen(t);
	/* the type is "struct NAME" or "NAME", then the access path */
	a = t;
	if (!strncmp(a, "struct ", 7) || !strncmp(a, "union ", 6) || !strncmp(a, "enum ", 5))
		a = strchr(a, ' ') + 1;
	a += strcspn(a, ".[:");
	if (a > p)
		a = p;
	snprintf(r->type, sizeof(r->type), "%.*s", (int)(a - t), t);
	if (*a == '.')
		a++;
	else if (a[0] == ':' && a[1] == ':')
		a += 2;
	snprintf(r->access, sizeof(r->access), "%.*s", (int)(p > a ? p - a : 0), a);
}

int vh_core_relos__parse_line(const char *line, const char *prog, struct vh_core_relo **relos,
			      int *nr)
{
	const char *s = strstr(line, "prog '"), *q;
	struct vh_core_relo *r;
	size_t plen = strlen(prog);
	int index, insn, used;

	if (!s)
		return 0;
	s += 6;
	if (strncmp(s, prog, plen) || strncmp(s + plen, "': relo #", 9))
		return 0;
	q = s + plen + 9;
	if (sscanf(q, "%d: %n", &index, &used) != 1 || index < 0)
		return 0;
	q += used;
	r = relo_at(relos, nr, index);
	if (!r)
		return -ENOMEM;
	if (*q == '<' && !r->kind[0])
		parse_spec(r, q);
	else if (sscanf(q, "substituting insn #%d", &insn) == 1 && (r->insn < 0 || insn < r->insn))
		r->insn = insn;
	return 1;
}

/* Keep only the relocations whose instruction libbpf poisoned. */
static int poisoned_relos(const char *text, const char *prog, struct vh_core_relo **out)
{
	struct vh_core_relo *relos = NULL;
	int nr = 0, keep = 0;
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char buf[1024];
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		snprintf(buf, sizeof(buf), "%.*s", (int)n, line);
		if (vh_core_relos__parse_line(buf, prog, &relos, &nr) < 0) {
			free(relos);
			return -ENOMEM;
		}
		line = nl ? nl + 1 : NULL;
	}
	for (int i = 0; i < nr; i++)
		if (relos[i].insn >= 0)
			relos[keep++] = relos[i];
	if (!keep) {
		free(relos);
		relos = NULL;
	}
	*out = relos;
	return keep;
}

/* Entries a hash map keeps for a CO-RE check: the kernel pre-allocates every entry
 * of a hash map (per CPU, for per-CPU kinds) when it is created, which was half of a
 * check's time, and the verifier's judgement of a hash map does not depend on its
 * size (a lookup may always return NULL). Arrays keep theirs: a constant index is
 * checked against it. */
#define CHECK_HASH_ENTRIES 64

static void shrink_hash_maps(struct bpf_object *o)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, o) {
		switch (bpf_map__type(m)) {
		case BPF_MAP_TYPE_HASH:
		case BPF_MAP_TYPE_PERCPU_HASH:
		case BPF_MAP_TYPE_LRU_HASH:
		case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		case BPF_MAP_TYPE_STACK_TRACE:
			if (bpf_map__max_entries(m) > CHECK_HASH_ENTRIES)
				bpf_map__set_max_entries(m, CHECK_HASH_ENTRIES);
			break;
		default:
			break;
		}
	}
}

static struct bpf_object *open_obj(const char *obj, struct vh_core_btf *cb, char *errbuf,
				   size_t errlen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = vh_core_btf__path_for(cb, obj));
	struct bpf_object *o = bpf_object__open_file(obj, &opts);
	int err = -errno;

	if (!o) {
		snprintf(errbuf, errlen, "cannot open BPF object: %s", strerror(-err));
		errno = -err;
		return NULL;
	}
	/* nothing is pinned (a check leaves no state behind) and empty maps are sized */
	free(vh_object_maps__fixup(o));
	shrink_hash_maps(o);
	return o;
}

static void hook_libbpf(void)
{
	prev_print = libbpf_set_print(relo_print);
}

static int load_with_log(struct bpf_object *o, struct relo_log *log)
{
	int err;

	log->len = 0;
	if (log->text)
		log->text[0] = '\0';
	pthread_once(&hook_once, hook_libbpf);
	cur_log = log;
	err = bpf_object__load(o);
	cur_log = NULL;
	return err;
}

static struct vh_core_result *add_result(struct vh_core_results *rs, const char *obj,
					 const char *prog, const char *kernel)
{
	struct vh_core_result *r;

	if (rs->n == rs->cap) {
		int cap = rs->cap ? rs->cap * 2 : 16;

		r = realloc(rs->r, cap * sizeof(*r));
		if (!r)
			return NULL;
		rs->r = r;
		rs->cap = cap;
	}
	r = &rs->r[rs->n];
	memset(r, 0, sizeof(*r));
	r->object = strdup(obj);
	r->program = strdup(prog);
	r->kernel = strdup(kernel);
	rs->n++;
	if (!r->object || !r->program || !r->kernel)
		return NULL;
	return r;
}

/* Did the verifier reach a poisoned instruction ("call unknown#195896080", which
 * libbpf rewrites as "<invalid CO-RE relocation>")? */
static bool reached_poison(const char *vlog)
{
	char needle[48];

	snprintf(needle, sizeof(needle), "call unknown#%d", VH_CORE_POISON_IMM);
	return strstr(vlog, needle) || strstr(vlog, "<invalid CO-RE relocation>");
}

/* The verifier's last line: why the host refused the program. */
static char *last_line(const char *vlog)
{
	size_t n = strlen(vlog);
	const char *s;

	while (n && vlog[n - 1] == '\n')
		n--;
	for (s = vlog + n; s > vlog && s[-1] != '\n'; s--)
		;
	return n ? strndup(s, vlog + n - s) : strdup("load refused before verification");
}

#define VLOG_SIZE (1 << 20)

/* Load prog alone, with the verifier's log, and judge it. */
static int check_alone(const char *obj, const char *prog, struct vh_core_btf *cb,
		       struct vh_core_result *r, struct relo_log *log, char *vlog)
{
	char errbuf[256], *why;
	struct bpf_object *o = open_obj(obj, cb, errbuf, sizeof(errbuf));
	struct bpf_program *p;
	int err, n;

	if (!o)
		return -errno;
	vlog[0] = '\0';
	bpf_object__for_each_program(p, o) {
		bool me = !strcmp(bpf_program__name(p), prog);

		bpf_program__set_autoload(p, me);
		if (me) {
			bpf_program__set_log_buf(p, vlog, VLOG_SIZE);
			bpf_program__set_log_level(p, 1);
		}
	}
	err = load_with_log(o, log);
	bpf_object__close(o);
	n = poisoned_relos(log->text ? log->text : "", prog, &r->relos);
	if (n < 0)
		return n;
	r->nr_relos = n;
	if (!err) {
		/* the verifier accepted it: every poisoned instruction was dead code */
		for (int i = 0; i < n; i++)
			r->relos[i].guarded = true;
		return 0;
	}
	if (reached_poison(vlog)) {
		r->verdict = VH_CORE_FAIL;
		/* the verifier stops at the first one: the others are not proven dead */
		for (int i = 0; i < n; i++)
			r->relos[i].guarded = false;
		return 0;
	}
	why = vlog[0] ? last_line(vlog) : strdup(strerror(-err));
	if (!why)
		return -ENOMEM;
	if (!n) {
		/* the host's own verdict, not a CO-RE one: every relocation resolved */
		r->error = why;
		return 0;
	}
	r->verdict = VH_CORE_ERROR;
	if (asprintf(&r->error, "the host refused it before reaching its unresolved "
		     "relocations: %s", why) < 0)
		r->error = NULL;
	free(why);
	return r->error ? 0 : -ENOMEM;
}

/* Does obj have a CO-RE relocation? Without one nothing depends on the target BTF. */
static bool has_core_relos(const char *obj)
{
	struct btf_ext *ext = NULL;
	struct btf *btf = btf__parse_elf(obj, &ext);
	struct vh_ext_iter it;
	const void *raw;
	__u32 size;
	bool any = true; /* when in doubt, let libbpf decide */

	if (!btf)
		return true;
	if (ext) {
		raw = btf_ext__raw_data(ext, &size);
		any = false;
		if (!vh_ext_iter__init(&it, raw, size, VH_EXT_CORE_RELO))
			while (!any && vh_ext_iter__next(&it, btf))
				any = it.nrecs > 0;
	} else {
		any = false;
	}
	btf_ext__free(ext);
	btf__free(btf);
	return any;
}

struct memo_entry {
	char *obj;
	void *btf; /* the subset's bytes */
	size_t btf_len;
	struct vh_core_results res; /* kernel names unused */
};

struct vh_core_memo {
	struct memo_entry *e;
	int n;
};

/* Subsets larger than this (a whole kernel BTF: the object needs all of it) are
 * not remembered. */
#define MEMO_MAX_BTF (1 << 20)

struct vh_core_memo *vh_core_memo__new(void)
{
	return calloc(1, sizeof(struct vh_core_memo));
}

void vh_core_memo__free(struct vh_core_memo *m)
{
	if (!m)
		return;
	for (int i = 0; i < m->n; i++) {
		free(m->e[i].obj);
		free(m->e[i].btf);
		vh_core_results__free(&m->e[i].res);
	}
	free(m->e);
	free(m);
}

/* The bytes of the subset libbpf will be given for obj, or NULL. */
static void *read_subset(const char *path, size_t *len)
{
	char *buf = NULL;

	if (!path || vh_read_file(path, MEMO_MAX_BTF, &buf, len))
		return NULL;
	if (!*len) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Append a copy of src (its relocations, verdict, error) as kernel's result. */
static int copy_result(struct vh_core_results *out, const struct vh_core_result *src,
		       const char *kernel)
{
	struct vh_core_result *r = add_result(out, src->object, src->program, kernel);

	if (!r)
		return -ENOMEM;
	r->verdict = src->verdict;
	if (src->error && !(r->error = strdup(src->error)))
		return -ENOMEM;
	if (src->nr_relos) {
		r->relos = malloc(src->nr_relos * sizeof(*r->relos));
		if (!r->relos)
			return -ENOMEM;
		memcpy(r->relos, src->relos, src->nr_relos * sizeof(*r->relos));
		r->nr_relos = src->nr_relos;
	}
	return 0;
}

static int check_object(const char *obj, const char *kernel, struct vh_core_btf *cb,
			struct vh_core_results *out, char *errbuf, size_t errlen);

int vh_core_check__object(const char *obj, const char *kernel, struct vh_core_btf *cb,
			  struct vh_core_memo *memo, struct vh_core_results *out, char *errbuf,
			  size_t errlen)
{
	struct memo_entry *e;
	size_t len = 0;
	void *btf = memo ? read_subset(vh_core_btf__path_for(cb, obj), &len) : NULL;
	int start = out->n, err;

	for (int i = 0; btf && i < memo->n; i++) {
		e = &memo->e[i];
		if (e->btf_len != len || strcmp(e->obj, obj) || memcmp(e->btf, btf, len))
			continue;
		free(btf);
		for (int j = 0; j < e->res.n; j++)
			if (copy_result(out, &e->res.r[j], kernel)) {
				snprintf(errbuf, errlen, "out of memory");
				return -ENOMEM;
			}
		return 0;
	}
	err = check_object(obj, kernel, cb, out, errbuf, errlen);
	if (err || !btf) {
		free(btf);
		return err;
	}
	e = realloc(memo->e, (memo->n + 1) * sizeof(*e));
	if (!e) {
		free(btf);
		return 0; /* only not remembered */
	}
	memo->e = e;
	e += memo->n;
	memset(e, 0, sizeof(*e));
	e->btf = btf;
	e->btf_len = len;
	e->obj = strdup(obj);
	memo->n++;
	for (int j = start; j < out->n && e->obj; j++)
		if (copy_result(&e->res, &out->r[j], kernel))
			break;
	return 0;
}

static int check_object(const char *obj, const char *kernel, struct vh_core_btf *cb,
			struct vh_core_results *out, char *errbuf, size_t errlen)
{
	struct relo_log log = {};
	struct bpf_object *o = open_obj(obj, cb, errbuf, errlen);
	struct bpf_program *p;
	char **names = NULL, *vlog = NULL;
	int nr = 0, err = 0, loaded;

	if (!o)
		return -errno;
	bpf_object__for_each_program(p, o) {
		char **t = realloc(names, (nr + 1) * sizeof(*t));

		if (!t || !(t[nr] = strdup(bpf_program__name(p)))) {
			names = t ? t : names;
			bpf_object__close(o);
			err = -ENOMEM;
			goto out;
		}
		names = t;
		nr++;
		bpf_program__set_autoload(p, true);
	}
	/* ours, zeroed: libbpf's own log buffer would be left to the kernel to fill, and
	 * its bytes read past what the kernel wrote */
	vlog = calloc(1, VLOG_SIZE);
	if (!vlog) {
		bpf_object__close(o);
		err = -ENOMEM;
		goto out;
	}
	bpf_object__for_each_program(p, o)
		bpf_program__set_log_buf(p, vlog, VLOG_SIZE);
	if (!nr) {
		bpf_object__close(o);
		snprintf(errbuf, errlen, "no BPF programs in object");
		err = -ENOENT;
		goto out;
	}
	/* the whole object at once; one program at a time only when that fails */
	loaded = !has_core_relos(obj) || !load_with_log(o, &log);
	bpf_object__close(o);
	for (int i = 0; i < nr && !err; i++) {
		struct vh_core_result *r = add_result(out, obj, names[i], kernel);

		if (!r) {
			err = -ENOMEM;
			break;
		}
		if (loaded) {
			int n = poisoned_relos(log.text ? log.text : "", names[i], &r->relos);

			if (n < 0) {
				err = n;
				break;
			}
			r->nr_relos = n;
			for (int j = 0; j < n; j++)
				r->relos[j].guarded = true;
			continue;
		}
		err = check_alone(obj, names[i], cb, r, &log, vlog);
		if (err)
			snprintf(errbuf, errlen, "cannot check program %s: %s", names[i],
				 strerror(-err));
	}
	if (err == -ENOMEM)
		snprintf(errbuf, errlen, "out of memory");
out:
	for (int i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	free(vlog);
	free(log.text);
	return err;
}

int vh_core_results__append(struct vh_core_results *dst, struct vh_core_results *src)
{
	struct vh_core_result *r;

	if (!src->n)
		return 0;
	r = realloc(dst->r, (dst->n + src->n) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	memcpy(r + dst->n, src->r, src->n * sizeof(*r));
	dst->r = r;
	dst->n += src->n;
	dst->cap = dst->n;
	free(src->r);
	memset(src, 0, sizeof(*src));
	return 0;
}

void vh_core_results__free(struct vh_core_results *rs)
{
	for (int i = 0; i < rs->n; i++) {
		free(rs->r[i].object);
		free(rs->r[i].program);
		free(rs->r[i].kernel);
		free(rs->r[i].error);
		free(rs->r[i].relos);
	}
	free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

const char *vh_core_verdict__name(enum vh_core_verdict v)
{
	switch (v) {
	case VH_CORE_PASS:
		return "pass";
	case VH_CORE_FAIL:
		return "fail";
	default:
		return "error";
	}
}
