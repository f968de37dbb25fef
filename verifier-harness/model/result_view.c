// SPDX-License-Identifier: BSD-2-Clause
/* result_view.c: veristat's -e, -s and -f over a result set: columns, order, filters. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "result_view.h"
#include "strfmt.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The fields; the statistics' names come from the registry. */
static const struct field {
	const char *names[4]; /* veristat's first where it has the field */
	const char *header;
	size_t off;           /* of the string in struct vh_result */
} fields[VH_COL_STATS] = {
	[VH_COL_FILE] = { { "file_name", "filename", "file" }, "FILE",
			  offsetof(struct vh_result, object) },
	[VH_COL_OBJECT] = { { "object" }, "OBJECT", offsetof(struct vh_result, object) },
	[VH_COL_PROG] = { { "prog_name", "progname", "prog", "program" }, "PROGRAM",
			  offsetof(struct vh_result, program) },
	[VH_COL_VERDICT] = { { "verdict" }, "VERDICT", 0 },
	[VH_COL_PROG_TYPE] = { { "prog_type", "type" }, "TYPE",
			       offsetof(struct vh_result, prog_type) },
	[VH_COL_KERNEL] = { { "kernel" }, "KERNEL", offsetof(struct vh_result, kernel) },
	[VH_COL_SECTION] = { { "section" }, "SECTION", offsetof(struct vh_result, section) },
	[VH_COL_CLASS] = { { "error_class", "class" }, "CLASS",
			   offsetof(struct vh_result, error_class) },
};

/* veristat's columns bpfgate does not record: named in the error */
static const char *const not_recorded[] = { "prog_size_jited", "attach_type", "mem_peak" };

enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

/* longer operators first, so that "<=" is not read as "<" (veristat's order) */
static const struct {
	const char *s;
	enum op op;
} ops[] = {
	{ "==", OP_EQ }, { "!=", OP_NE }, { "<>", OP_NE }, { "<=", OP_LE },
	{ "<", OP_LT },  { ">=", OP_GE }, { ">", OP_GT },  { "=", OP_EQ },
};

enum filter_kind { F_NAME, F_STAT, F_VERDICT, F_TEXT };

struct vh_filter {
	enum filter_kind kind;
	bool deny;          /* given as !FILTER */
	char *any_glob;     /* F_NAME: GLOB */
	char *file_glob;    /* F_NAME: FILEGLOB/ (NULL: any) */
	char *prog_glob;    /* F_NAME: /PROGGLOB (NULL: any) */
	int col;            /* F_STAT, F_VERDICT, F_TEXT */
	enum op op;
	long value;         /* F_STAT */
	unsigned int verdicts; /* F_VERDICT: 1 << vh_verdict of each matched */
	char *glob;         /* F_TEXT */
};

static bool is(const char *s, const char *name, size_t len)
{
	return s && strlen(s) == len && !strncmp(s, name, len);
}

int vh_view__col_lookup(const char *name, size_t len)
{
	int stat;

	for (int c = 0; c < VH_COL_STATS; c++)
		for (size_t j = 0; j < ARRAY_SIZE(fields[c].names); j++)
			if (is(fields[c].names[j], name, len))
				return c;
	stat = vh_stat__lookup(name, len);
	return stat < 0 ? -1 : VH_COL_STATS + stat;
}

const char *vh_view__col_csv_name(int col)
{
	int stat = vh_view__col_stat(col);

	if (stat < 0)
		return fields[col].names[0];
	return vh_stat_defs[stat].names[0] ?: vh_stat_defs[stat].json;
}

void vh_view__col_header(int col, char *buf, size_t len)
{
	int stat = vh_view__col_stat(col);

	if (stat < 0)
		snprintf(buf, len, "%s", fields[col].header);
	else
		vh_stat__table_header(&vh_stat_defs[stat], buf, len);
}

char **vh_view__col_field(int col, struct vh_result *r)
{
	if (col < 0 || col >= VH_COL_STATS || col == VH_COL_VERDICT)
		return NULL;
	return (char **)((char *)r + fields[col].off);
}

const char *vh_view__col_text(int col, const struct vh_result *r)
{
	const char *s;

	if (col == VH_COL_VERDICT)
		return vh_verdict__name(r->verdict);
	if (col < 0 || col >= VH_COL_STATS)
		return NULL;
	s = *(char *const *)((const char *)r + fields[col].off);
	return col == VH_COL_FILE && s ? vh_report__basename(s) : s;
}

/* "'x' is not ..." with the names one may use */
static int unknown_name(const char *name, size_t len, char *errbuf, size_t errlen)
{
	char names[1024];
	size_t used = 0;

	for (size_t i = 0; i < ARRAY_SIZE(not_recorded); i++)
		if (is(not_recorded[i], name, len))
			return vh_errf(errbuf, errlen, -EINVAL, "'%.*s' is one of veristat's columns "
				    "that bpfgate does not record", (int)len, name);
	names[0] = '\0';
	for (int c = 0; c < VH_COL_CNT && used < sizeof(names); c++) {
		int stat = vh_view__col_stat(c);
		const char *n = stat < 0 ? fields[c].names[0] : vh_stat_defs[stat].json;

		used += snprintf(names + used, sizeof(names) - used, "%s%s", c ? ", " : "", n);
	}
	return vh_errf(errbuf, errlen, -EINVAL, "'%.*s' is not a statistic or field (names: %s, "
		    "or veristat's)", (int)len, name, names);
}

/* Calls fn for each comma-separated item of spec (an empty one is an error). */
static int each_item(const char *spec, int (*fn)(struct vh_view *, const char *, size_t,
						   char *, size_t),
		     struct vh_view *v, char *errbuf, size_t errlen)
{
	const char *p = spec;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int err;

		if (!len)
			return vh_errf(errbuf, errlen, -EINVAL, "'%s': an empty name", spec);
		err = fn(v, p, len, errbuf, errlen);
		if (err)
			return err;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int emit_one(struct vh_view *v, const char *name, size_t len, char *errbuf,
		    size_t errlen)
{
	int col = vh_view__col_lookup(name, len);

	if (col < 0)
		return unknown_name(name, len, errbuf, errlen);
	if (v->ncols == VH_VIEW_MAX_COLS)
		return vh_errf(errbuf, errlen, -EINVAL, "more than %d columns", VH_VIEW_MAX_COLS);
	v->cols[v->ncols++] = col;
	return 0;
}

int vh_view__emit(struct vh_view *v, const char *spec, char *errbuf, size_t errlen)
{
	return each_item(spec, emit_one, v, errbuf, errlen);
}

static bool is_desc_sym(char c)
{
	return c == 'v' || c == 'V' || c == '.' || c == '!' || c == '_';
}

static int sort_one(struct vh_view *v, const char *name, size_t len, char *errbuf,
		    size_t errlen)
{
	bool has_order = false, asc = false;
	int col;

	/* veristat's suffix: ^ ascending, v V . ! _ descending */
	if (len > 1 && (name[len - 1] == '^' || is_desc_sym(name[len - 1]))) {
		has_order = true;
		asc = name[len - 1] == '^';
		len--;
	}
	/* |stat|, veristat's absolute value: the statistics are never negative */
	if (len > 2 && name[0] == '|' && name[len - 1] == '|') {
		name++;
		len -= 2;
	}
	col = vh_view__col_lookup(name, len);
	/* a name that ends in one of the suffixes ("prog_"?) is tried whole too */
	if (col < 0 && has_order && (col = vh_view__col_lookup(name, len + 1)) >= 0)
		has_order = false;
	if (col < 0)
		return unknown_name(name, len, errbuf, errlen);
	if (v->nsort == VH_VIEW_MAX_COLS)
		return vh_errf(errbuf, errlen, -EINVAL, "more than %d sort keys", VH_VIEW_MAX_COLS);
	/* as veristat: names and the verdict ascending, numbers descending */
	v->sort[v->nsort].col = col;
	v->sort[v->nsort++].asc = has_order ? asc : vh_view__col_stat(col) < 0;
	return 0;
}

int vh_view__sort(struct vh_view *v, const char *spec, char *errbuf, size_t errlen)
{
	return each_item(spec, sort_one, v, errbuf, errlen);
}

static void filter_free(struct vh_filter *f)
{
	free(f->any_glob);
	free(f->file_glob);
	free(f->prog_glob);
	free(f->glob);
}

void vh_view__free(struct vh_view *v)
{
	for (size_t i = 0; i < v->nfilters; i++)
		filter_free(&v->filters[i]);
	free(v->filters);
	v->filters = NULL;
	v->nfilters = 0;
}

/* veristat's words for a verdict, and bpfgate's: the verdicts they stand for */
static unsigned int verdict_set(const char *s)
{
	static const char *const success[] = { "success", "succ", "s", "true", "t", "match",
						"m" };
	static const char *const failure[] = { "failure", "fail", "f", "false", "mismatch",
						"mis" };
	int v = vh_verdict__parse(s);

	for (size_t i = 0; i < ARRAY_SIZE(success); i++)
		if (!strcasecmp(s, success[i]))
			return 1u << VH_PASS;
	/* veristat's failure is any program that did not load */
	for (size_t i = 0; i < ARRAY_SIZE(failure); i++)
		if (!strcasecmp(s, failure[i]))
			return 1u << VH_FAIL | 1u << VH_ERROR;
	return v < 0 ? 0 : 1u << v;
}

static int parse_comparison(struct vh_filter *f, const char *expr, const char *at,
			    size_t oplen, char *errbuf, size_t errlen)
{
	const char *rhs = at + oplen;
	int col = vh_view__col_lookup(expr, (size_t)(at - expr));
	char *end;

	if (col < 0)
		return unknown_name(expr, (size_t)(at - expr), errbuf, errlen);
	f->col = col;
	if (vh_view__col_stat(col) >= 0) {
		errno = 0;
		f->kind = F_STAT;
		f->value = strtol(rhs, &end, 10);
		if (errno || end == rhs || *end)
			return vh_errf(errbuf, errlen, -EINVAL, "'%s': '%s' is not a whole number",
				    expr, rhs);
		return 0;
	}
	if (f->op != OP_EQ && f->op != OP_NE)
		return vh_errf(errbuf, errlen, -EINVAL, "'%s': %.*s compares with = or != only",
			    expr, (int)(at - expr), expr);
	if (col == VH_COL_VERDICT) {
		f->kind = F_VERDICT;
		f->verdicts = verdict_set(rhs);
		if (!f->verdicts)
			return vh_errf(errbuf, errlen, -EINVAL, "'%s': '%s' is not a verdict (success, "
				    "failure, pass, fail, skip, error)", expr, rhs);
		return 0;
	}
	f->kind = F_TEXT;
	f->glob = strdup(rhs);
	return f->glob ? 0 : -ENOMEM;
}

static int parse_names(struct vh_filter *f, const char *expr)
{
	const char *slash = strchr(expr, '/');

	f->kind = F_NAME;
	if (!slash) {
		f->any_glob = strdup(expr);
		return f->any_glob ? 0 : -ENOMEM;
	}
	if (slash != expr && !(f->file_glob = strndup(expr, (size_t)(slash - expr))))
		return -ENOMEM;
	if (slash[1] && !(f->prog_glob = strdup(slash + 1)))
		return -ENOMEM;
	return 0;
}

int vh_view__filter(struct vh_view *v, const char *expr, char *errbuf, size_t errlen)
{
	struct vh_filter f = {}, *grown = NULL;
	int err = 0;

	if (expr[0] == '!') {
		f.deny = true;
		expr++;
	}
	if (!expr[0])
		return vh_errf(errbuf, errlen, -EINVAL, "an empty filter");
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		const char *at = strstr(expr, ops[i].s);

		if (!at)
			continue;
		f.op = ops[i].op;
		err = parse_comparison(&f, expr, at, strlen(ops[i].s), errbuf, errlen);
		break;
	}
	/* no operator: globs of names */
	if (i == ARRAY_SIZE(ops))
		err = parse_names(&f, expr);
	if (!err && !(grown = realloc(v->filters, (v->nfilters + 1) * sizeof(*grown))))
		err = -ENOMEM;
	if (err) {
		filter_free(&f);
		return err == -ENOMEM ? vh_errf(errbuf, errlen, err, "out of memory") : err;
	}
	v->filters = grown;
	v->filters[v->nfilters++] = f;
	return 0;
}

static bool glob(const char *pattern, const char *s)
{
	return !fnmatch(pattern, s ?: "", 0);
}

static bool compare(long a, enum op op, long b)
{
	switch (op) {
	case OP_EQ:
		return a == b;
	case OP_NE:
		return a != b;
	case OP_LT:
		return a < b;
	case OP_LE:
		return a <= b;
	case OP_GT:
		return a > b;
	case OP_GE:
		return a >= b;
	}
	return false;
}

static bool matches(const struct vh_filter *f, const struct vh_result *r)
{
	const char *file = vh_report__basename(r->object), *prog = r->program ?: "";
	long value;
	bool eq;

	switch (f->kind) {
	case F_NAME:
		if (f->any_glob)
			return glob(f->any_glob, file) || glob(f->any_glob, prog);
		return (!f->file_glob || glob(f->file_glob, file)) &&
		       (!f->prog_glob || glob(f->prog_glob, prog));
	case F_STAT:
		value = vh_stats__get(&r->stats, vh_view__col_stat(f->col));
		/* a statistic the verifier did not report compares with nothing */
		return value >= 0 && compare(value, f->op, f->value);
	case F_VERDICT:
		eq = r->verdict < VH_VERDICT_CNT && (f->verdicts & (1u << r->verdict));
		return f->op == OP_EQ ? eq : !eq;
	case F_TEXT:
		eq = glob(f->glob, vh_view__col_text(f->col, r));
		return f->op == OP_EQ ? eq : !eq;
	}
	return false;
}

bool vh_view__shows(const struct vh_view *v, const struct vh_result *r)
{
	bool names = false, names_ok = false, others = false, others_ok = false;

	for (size_t i = 0; i < v->nfilters; i++) {
		const struct vh_filter *f = &v->filters[i];
		bool m = matches(f, r);

		if (f->deny) {
			if (m)
				return false;
		} else if (f->kind == F_NAME) {
			names = true;
			names_ok |= m;
		} else {
			others = true;
			others_ok |= m;
		}
	}
	return (!names || names_ok) && (!others || others_ok);
}

/* failures first when ascending, as veristat's failure (0) < success (1) */
static int verdict_rank(enum vh_verdict v)
{
	switch (v) {
	case VH_ERROR:
		return 0;
	case VH_FAIL:
		return 1;
	case VH_SKIP:
		return 2;
	default:
		return 3;
	}
}

static int cmp_col(int col, const struct vh_result *a, const struct vh_result *b)
{
	int stat = vh_view__col_stat(col);

	if (stat >= 0) {
		long x = vh_stats__get(&a->stats, stat), y = vh_stats__get(&b->stats, stat);

		return (x > y) - (x < y);
	}
	if (col == VH_COL_VERDICT)
		return verdict_rank(a->verdict) - verdict_rank(b->verdict);
	return strcmp(vh_view__col_text(col, a) ?: "", vh_view__col_text(col, b) ?: "");
}

struct ranked {
	const struct vh_view *v;
	const struct vh_result *r;
	size_t pos;
};

static int by_spec(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	for (size_t i = 0; i < a->v->nsort; i++) {
		int c = cmp_col(a->v->sort[i].col, a->r, b->r);

		if (c)
			return a->v->sort[i].asc ? c : -c;
	}
	/* then as veristat, file and program, and last the set's own order */
	return cmp_col(VH_COL_FILE, a->r, b->r) ?: cmp_col(VH_COL_PROG, a->r, b->r) ?:
	       (a->pos > b->pos) - (a->pos < b->pos);
}

int vh_view__apply(const struct vh_view *v, const struct vh_result_set *set,
		   struct vh_result_set *out)
{
	struct ranked *rk = calloc(set->n ?: 1, sizeof(*rk));
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	out->v = calloc(set->n ?: 1, sizeof(*out->v));
	if (!rk || !out->v) {
		free(rk);
		free(out->v);
		out->v = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < set->n; i++)
		if (vh_view__shows(v, &set->v[i]))
			rk[n++] = (struct ranked){ v, &set->v[i], i };
	if (v->nsort)
		qsort(rk, n, sizeof(*rk), by_spec);
	for (size_t i = 0; i < n; i++)
		out->v[i] = *rk[i].r;
	free(rk);
	out->n = out->cap = n;
	out->version = set->version;
	out->kernels = set->kernels;
	out->nkernels = out->kernels_cap = set->nkernels;
	out->with_logs = set->with_logs;
	return 0;
}

void vh_view__release(struct vh_result_set *out)
{
	free(out->v);
	memset(out, 0, sizeof(*out));
}

size_t vh_view__csv_default(const struct vh_result_set *set, int cols[VH_VIEW_MAX_COLS])
{
	static const int veristat[] = {
		VH_COL_FILE, VH_COL_PROG, VH_COL_VERDICT, VH_COL_STATS + VH_STAT_TIME,
		VH_COL_STATS + VH_STAT_INSNS, VH_COL_STATS + VH_STAT_STATES,
		VH_COL_STATS + VH_STAT_PEAK_STATES, VH_COL_STATS + VH_STAT_MAX_STATES,
		VH_COL_STATS + VH_STAT_MARK_READ, VH_COL_STATS + VH_STAT_PROG_INSNS,
		VH_COL_PROG_TYPE, VH_COL_STATS + VH_STAT_STACK,
	};
	size_t n = 0;

	for (size_t i = 1; i < set->n && !n; i++)
		if (strcmp(set->v[i].kernel ?: "", set->v[0].kernel ?: ""))
			cols[n++] = VH_COL_KERNEL;
	for (size_t i = 0; i < ARRAY_SIZE(veristat); i++)
		cols[n++] = veristat[i];
	return n;
}
