// SPDX-License-Identifier: BSD-2-Clause
/* explain.c: the failing instruction's context, picked out of a verifier log. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"

#define NREGS 11             /* R0 .. R10 */
#define MAX_SLOTS 64         /* 512 bytes of stack in 8-byte slots */
#define MAX_SHOWN_SLOTS 16
#define FROM_SEARCH 65536    /* how far back a "from X to Y" looks for the jump X */

/* A value in the log: [p, p + n); p NULL when unset. */
struct span {
	const char *p;
	size_t n;
};

/* One instruction on the path: pointers into the log. */
struct entry {
	const char *line; /* "N: (xx) text" */
	const char *src;  /* the last "; source" annotation before it, or NULL */
	long insn;
	bool gap;         /* the path before it is not known (a cut log) */
};

struct state {
	struct span reg[NREGS];
	struct {
		long off;
		struct span v;
	} slot[MAX_SLOTS];
	size_t nslots;
	long frame; /* the call frame the registers belong to */
	bool known; /* a state line was seen */
};

struct walk {
	struct entry *path;
	size_t len, cap;
	struct state st;
	const char *src;
	bool gap;
};

static size_t line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', end - p);

	return (nl ? nl : end) - p;
}

/* Digits at p (at most n bytes); count read, value in *v. */
static size_t digits(const char *p, size_t n, long *v)
{
	size_t i = 0;

	*v = 0;
	while (i < n && isdigit((unsigned char)p[i]) && *v < 100000000) {
		*v = *v * 10 + (p[i] - '0');
		i++;
	}
	return i;
}

/* "N: " at the start of the line; its length, 0 if not. */
static size_t num_prefix(const char *p, size_t n, long *v)
{
	size_t d = digits(p, n, v);

	return d && d + 1 < n && p[d] == ':' && p[d + 1] == ' ' ? d + 2 : 0;
}

/* "N: (xx) text" or libbpf's "N: <invalid ...>"; where text starts (0: not one). */
static size_t insn_text_at(const char *p, size_t n, long *insn)
{
	size_t k = num_prefix(p, n, insn);

	if (!k)
		return 0;
	if (k + 5 <= n && p[k] == '(' && p[k + 3] == ')' && p[k + 4] == ' ')
		return k + 5;
	return k < n && p[k] == '<' ? k : 0;
}

/* The instruction's text without the state changes printed after it. */
static struct span insn_text(const char *line, const char *end)
{
	size_t n = line_len(line, end);
	long insn;
	size_t k = insn_text_at(line, n, &insn);
	const char *semi = memchr(line + k, ';', n - k);
	struct span s = { line + k, (semi ? (size_t)(semi - line) : n) - k };

	while (s.n && isspace((unsigned char)s.p[s.n - 1]))
		s.n--;
	return s;
}

static bool is_reg(const char *p, size_t n, long *r)
{
	return n >= 2 && p[0] == 'R' && digits(p + 1, n - 1, r) == n - 1 && *r < NREGS;
}

static void set_slot(struct state *st, long off, struct span v)
{
	size_t i;

	for (i = 0; i < st->nslots; i++)
		if (st->slot[i].off == off)
			break;
	if (i == MAX_SLOTS)
		return;
	st->slot[i].off = off;
	st->slot[i].v = v;
	if (i == st->nslots)
		st->nslots++;
}

static void clear_state(struct state *st)
{
	memset(st->reg, 0, sizeof(st->reg));
	st->nslots = 0;
}

/* One "NAME=value" token: R0_w=..., fp-8=... (others, such as refs=2, are skipped). */
static void apply_token(struct state *st, const char *p, size_t n)
{
	const char *eq = memchr(p, '=', n);
	struct span v;
	size_t name_n;
	long r;

	if (!eq)
		return;
	name_n = eq - p;
	for (size_t i = 0; i < name_n; i++)
		if (p[i] == '_') /* R1_w, fp-8_rw: the read/write marks are no part of the name */
			name_n = i;
	v = (struct span){ eq + 1, n - (eq + 1 - p) };
	if (is_reg(p, name_n, &r))
		st->reg[r] = v;
	else if (name_n > 3 && !memcmp(p, "fp-", 3) && digits(p + 3, name_n - 3, &r) == name_n - 3 &&
		 r > 0)
		set_slot(st, -r, v);
}

/* "frameN:" (a subprogram's registers), at the start of a state; 0 for the main one */
static long state_frame(const char *p, size_t n)
{
	long f = 0;

	while (n && *p == ' ')
		p++, n--;
	if (n > 6 && !memcmp(p, "frame", 5) && digits(p + 5, n - 5, &f) && memchr(p, ':', n))
		return f;
	return 0;
}

/*
 * "R1=ctx() R2=scalar(var_off=(0x0; 0xff)) fp-8=mmmm": values may hold spaces
 * inside parentheses. full: the line is the whole state ("from X to Y:", the
 * caller's and callee's states around a call); else the registers it names
 * changed (6.x prints changes, after an instruction or on a line "N: ..." of
 * their own; 5.10 prints whole states on those lines, which reads the same).
 */
static void apply_state(struct state *st, const char *p, size_t n, bool full)
{
	long frame = state_frame(p, n);
	size_t i = 0;

	if (full || frame != st->frame)
		clear_state(st);
	st->frame = frame;
	st->known = true;
	while (i < n) {
		size_t start, depth = 0;

		while (i < n && p[i] == ' ')
			i++;
		start = i;
		for (; i < n && (p[i] != ' ' || depth); i++) {
			if (p[i] == '(')
				depth++;
			else if (p[i] == ')' && depth)
				depth--;
		}
		if (i > start)
			apply_token(st, p + start, i - start);
	}
}

static bool starts(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(p, prefix, k);
}

/* A register state: "N: R1=...", "N: frame1: R1=..." (*full false), or the
 * caller's and callee's whole states around a call, " R6=...", " frame1: R1=...". */
static bool is_state_line(const char *p, size_t n, size_t *skip, bool *full)
{
	size_t k;
	long v;

	k = num_prefix(p, n, &v);
	*full = !k;
	if (!k && n && p[0] == ' ')
		k = 1;
	if (!k)
		return false;
	*skip = k;
	return (k + 1 < n && p[k] == 'R' && isdigit((unsigned char)p[k + 1])) ||
	       (starts(p + k, n - k, "frame") && k + 5 < n && isdigit((unsigned char)p[k + 5]));
}

static int push(struct walk *w, const char *line, long insn)
{
	if (w->len == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		struct entry *p = realloc(w->path, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		w->path = p;
		w->cap = cap;
	}
	w->path[w->len++] = (struct entry){ line, w->src, insn, w->gap };
	w->gap = false;
	return 0;
}

/* "from X to Y: state": the path goes back to the jump at X, which led to Y. */
static void pop_to(struct walk *w, long from)
{
	size_t lo = w->len > FROM_SEARCH ? w->len - FROM_SEARCH : 0;

	for (size_t i = w->len; i-- > lo;) {
		if (w->path[i].insn == from) {
			w->len = i + 1;
			return;
		}
	}
	w->gap = true; /* the jump is not in the (cut) log */
}

static bool is_call(struct span t)
{
	return starts(t.p, t.n, "call ");
}

/* Walk the lines up to the failing instruction (last), building path and state. */
static int walk_log(const char *log, const char *end, const char *last, struct walk *w)
{
	for (const char *p = log; p <= last && p < end;) {
		size_t n = line_len(p, end), k;
		const char *next = p + n + (p + n < end);
		long insn, from;
		bool full;

		if (insn_text_at(p, n, &insn)) {
			struct span t = insn_text(p, end);
			const char *semi = memchr(t.p + t.n, ';', n - (t.p + t.n - p));

			if (push(w, p, insn))
				return -ENOMEM;
			if (p == last)
				break;
			if (is_call(t)) /* the caller-saved registers are gone after a call */
				memset(&w->st.reg[1], 0, 5 * sizeof(w->st.reg[1]));
			if (semi)
				apply_state(&w->st, semi + 1, n - (semi + 1 - p), false);
		} else if (n > 2 && p[0] == ';' && p[1] == ' ') {
			w->src = p;
		} else if (starts(p, n, "from ") && digits(p + 5, n - 5, &from)) {
			const char *colon = memchr(p, ':', n);

			pop_to(w, from);
			if (colon)
				apply_state(&w->st, colon + 1, n - (colon + 1 - p), true);
		} else if (is_state_line(p, n, &k, &full)) {
			apply_state(&w->st, p + k, n - k, full);
		}
		p = next;
	}
	return 0;
}

/* spans lie inside the log, before its NUL */
static char *dup_span(const char *p, size_t n)
{
	return strndup(p, n);
}

static char *dup_value(struct span v)
{
	return v.p ? dup_span(v.p, v.n) : NULL;
}

/* "; text @ file.bpf.c:18" -> text and "file.bpf.c:18" (NULL on old kernels). */
static int split_source(const char *line, const char *end, char **text, char **file_line)
{
	size_t n = line_len(line, end) - 2;
	const char *p = line + 2, *at = NULL;
	bool located = false;

	*text = *file_line = NULL;
	for (size_t i = 0; i + 3 <= n; i++)
		if (!memcmp(p + i, " @ ", 3))
			at = p + i;
	if (at && memchr(at + 3, ':', n - (at + 3 - p))) {
		located = true;
		*file_line = dup_span(at + 3, n - (at + 3 - p));
		n = at - p;
	}
	while (n && isspace((unsigned char)*p))
		p++, n--;
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	*text = dup_span(p, n);
	return *text && (!located || *file_line) ? 0 : -ENOMEM;
}

static int fill_steps(const struct walk *w, const char *end, size_t max, struct vh_explain *ex)
{
	size_t first = w->len > max ? w->len - max : 0;

	ex->steps = calloc(w->len - first + 1, sizeof(*ex->steps));
	if (!ex->steps)
		return -ENOMEM;
	for (size_t i = first; i < w->len; i++) {
		struct vh_explain_step *s = &ex->steps[ex->nsteps++];
		struct span t = insn_text(w->path[i].line, end);

		s->insn = w->path[i].insn;
		s->text = dup_span(t.p, t.n);
		if (!s->text || (w->path[i].src &&
				 split_source(w->path[i].src, end, &s->source, &s->file_line)))
			return -ENOMEM;
	}
	return 0;
}

static bool is_cond_jump(struct span t)
{
	return starts(t.p, t.n, "if ");
}

/* A run of the same decision at the same jump (a loop), as one branch. */
struct run {
	size_t k; /* the jump's index in the path (its last time) */
	bool taken;
	size_t count;
};

static int fill_branches(const struct walk *w, const char *end, size_t max,
			 struct vh_explain *ex)
{
	struct run *runs = NULL;
	size_t nruns = 0, cap = 0, first;
	int err = 0;

	for (size_t k = 0; k + 1 < w->len; k++) {
		const struct entry *e = &w->path[k];
		bool taken = w->path[k + 1].insn != e->insn + 1;

		if (!is_cond_jump(insn_text(e->line, end)) || w->path[k + 1].gap)
			continue;
		ex->branches_total++;
		if (nruns && w->path[runs[nruns - 1].k].insn == e->insn &&
		    runs[nruns - 1].taken == taken) {
			runs[nruns - 1].k = k;
			runs[nruns - 1].count++;
			continue;
		}
		if (nruns == cap) {
			struct run *p = realloc(runs, (cap = cap ? cap * 2 : 16) * sizeof(*p));

			if (!p) {
				free(runs);
				return -ENOMEM;
			}
			runs = p;
		}
		runs[nruns++] = (struct run){ k, taken, 1 };
	}
	first = nruns > max ? nruns - max : 0;
	ex->branches = calloc(nruns - first + 1, sizeof(*ex->branches));
	if (!ex->branches)
		err = -ENOMEM;
	for (size_t i = first; !err && i < nruns; i++) {
		const struct entry *e = &w->path[runs[i].k];
		struct vh_explain_branch *b = &ex->branches[ex->nbranches++];
		struct span t = insn_text(e->line, end);

		b->insn = e->insn;
		b->next = w->path[runs[i].k + 1].insn;
		b->taken = runs[i].taken;
		b->count = runs[i].count;
		b->text = dup_span(t.p, t.n);
		if (!b->text || (e->src && split_source(e->src, end, &b->source, &b->file_line)))
			err = -ENOMEM;
	}
	free(runs);
	return err;
}

/* Registers the instruction names ("r1", "w2"), and those a call or exit reads. */
static void used_regs(struct span t, const struct state *st, bool used[NREGS])
{
	size_t from = 0;
	long dst;

	memset(used, 0, NREGS * sizeof(bool));
	/* "r1 = ..." only writes r1: it is used only if named again on the right */
	if (t.n > 4 && (t.p[0] == 'r' || t.p[0] == 'w')) {
		size_t d = digits(t.p + 1, t.n - 1, &dst);

		if (d && 1 + d + 3 <= t.n && !memcmp(t.p + 1 + d, " = ", 3))
			from = 1 + d;
	}
	for (size_t i = from; i + 1 < t.n; i++) {
		long r;
		size_t d;

		if ((t.p[i] != 'r' && t.p[i] != 'w') ||
		    (i && (isalnum((unsigned char)t.p[i - 1]) || t.p[i - 1] == '_')))
			continue;
		d = digits(t.p + i + 1, t.n - i - 1, &r);
		if (d && r < NREGS && (i + 1 + d == t.n || !isalnum((unsigned char)t.p[i + 1 + d])))
			used[r] = true;
	}
	if (is_call(t)) /* the arguments it was given */
		for (int r = 1; r <= 5; r++)
			used[r] |= st->reg[r].p != NULL;
	if (starts(t.p, t.n, "exit"))
		used[0] = true;
}

static int cmp_slot_desc(const void *a, const void *b)
{
	const struct vh_explain_reg *x = a, *y = b;
	long ox = strtol(x->name + 2, NULL, 10), oy = strtol(y->name + 2, NULL, 10);

	return (ox < oy) - (ox > oy); /* fp-8 before fp-16 */
}

static int fill_state(const struct walk *w, struct span t, struct vh_explain *ex)
{
	bool used[NREGS], stack = false;

	if (!w->st.known)
		return 0;
	used_regs(t, &w->st, used);
	ex->regs = calloc(NREGS, sizeof(*ex->regs));
	if (!ex->regs)
		return -ENOMEM;
	for (int r = 0; r < NREGS; r++) {
		struct vh_explain_reg *g;

		if (!used[r])
			continue;
		g = &ex->regs[ex->nregs++];
		if (asprintf(&g->name, "R%d", r) < 0) {
			g->name = NULL;
			return -ENOMEM;
		}
		g->value = dup_value(w->st.reg[r]);
		if (w->st.reg[r].p && !g->value)
			return -ENOMEM;
		/* r10 or a pointer into the stack */
		stack |= w->st.reg[r].p && starts(w->st.reg[r].p, w->st.reg[r].n, "fp");
	}
	if (!stack || !w->st.nslots)
		return 0;
	ex->stack = calloc(w->st.nslots, sizeof(*ex->stack));
	if (!ex->stack)
		return -ENOMEM;
	for (size_t i = 0; i < w->st.nslots; i++) {
		struct vh_explain_reg *g = &ex->stack[ex->nstack++];

		if (asprintf(&g->name, "fp%ld", w->st.slot[i].off) < 0) {
			g->name = NULL;
			return -ENOMEM;
		}
		g->value = dup_value(w->st.slot[i].v);
		if (!g->value)
			return -ENOMEM;
	}
	qsort(ex->stack, ex->nstack, sizeof(*ex->stack), cmp_slot_desc);
	if (ex->nstack > MAX_SHOWN_SLOTS) {
		for (size_t i = MAX_SHOWN_SLOTS; i < ex->nstack; i++) {
			free(ex->stack[i].name);
			free(ex->stack[i].value);
		}
		ex->nstack = MAX_SHOWN_SLOTS;
	}
	return 0;
}

int vh_explain__analyze(const char *log, size_t max_steps, size_t max_branches,
			struct vh_explain *ex)
{
	const char *end, *last = NULL;
	struct walk w = { 0 };
	struct span t = { 0 };
	int err;

	memset(ex, 0, sizeof(*ex));
	ex->failed_insn = -1;
	if (!log)
		return 0;
	end = log + strlen(log);
	/* the failing instruction is the last one the verifier printed */
	for (const char *p = log; p < end;) {
		size_t n = line_len(p, end);
		long insn;

		if (insn_text_at(p, n, &insn)) {
			last = p;
			ex->failed_insn = insn;
		}
		p += n + (p + n < end);
	}
	if (!last)
		return 0;
	err = walk_log(log, end, last, &w);
	if (!err) {
		t = insn_text(last, end);
		ex->path_len = w.len;
		ex->failed_text = dup_span(t.p, t.n);
		err = ex->failed_text ? 0 : -ENOMEM;
	}
	err = err ?: fill_steps(&w, end, max_steps, ex);
	err = err ?: fill_branches(&w, end, max_branches, ex);
	err = err ?: fill_state(&w, t, ex);
	free(w.path);
	return err;
}

static void free_regs(struct vh_explain_reg *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

void vh_explain__free(struct vh_explain *ex)
{
	for (size_t i = 0; i < ex->nsteps; i++) {
		free(ex->steps[i].text);
		free(ex->steps[i].source);
		free(ex->steps[i].file_line);
	}
	free(ex->steps);
	for (size_t i = 0; i < ex->nbranches; i++) {
		free(ex->branches[i].text);
		free(ex->branches[i].source);
		free(ex->branches[i].file_line);
	}
	free(ex->branches);
	free_regs(ex->regs, ex->nregs);
	free_regs(ex->stack, ex->nstack);
	free(ex->failed_text);
	memset(ex, 0, sizeof(*ex));
	ex->failed_insn = -1;
}
