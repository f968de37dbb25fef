// SPDX-License-Identifier: BSD-2-Clause
/* result_json.c: write result sets as the JSON result contract, and read them back. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs_util.h"
#include "json_reader.h"
#include "json_writer.h"
#include "result_csv.h"
#include "result_json.h"
#include "stat_registry.h"
#include "strfmt.h"

#ifndef BPFGATE_VERSION
#define BPFGATE_VERSION "0.0.0"
#endif

/*
 * One row per field: adding a field to struct vh_result takes one row here.
 * WHEN says when the writer emits it (null if unset): always, for failures
 * (fail and error verdicts), for skips, or only when set.
 */
enum when { ALWAYS, ON_FAILURE, ON_SKIP, IF_SET, IF_SET_WITH_LOGS };

static const struct str_field {
	const char *name;
	size_t off;
	enum when when;
	bool required;
} str_fields[] = {
	{ "kernel", offsetof(struct vh_result, kernel), ALWAYS, true },
	{ "object", offsetof(struct vh_result, object), ALWAYS, true },
	{ "program", offsetof(struct vh_result, program), ALWAYS, true },
	{ "section", offsetof(struct vh_result, section), ALWAYS, false },
	{ "prog_type", offsetof(struct vh_result, prog_type), ALWAYS, false },
	{ "expect", offsetof(struct vh_result, expect), IF_SET, false },
	{ "error", offsetof(struct vh_result, error), ON_FAILURE, false },
	{ "error_class", offsetof(struct vh_result, error_class), ON_FAILURE, false },
	{ "error_kind", offsetof(struct vh_result, error_kind), ON_FAILURE, false },
	{ "source", offsetof(struct vh_result, source), ON_FAILURE, false },
	{ "source_text", offsetof(struct vh_result, source_text), ON_FAILURE, false },
	{ "log_tail", offsetof(struct vh_result, log_tail), ON_FAILURE, false },
	/* the whole log, only when the set asks for it (verify --full-log) */
	{ "log", offsetof(struct vh_result, log), IF_SET_WITH_LOGS, false },
	{ "reason", offsetof(struct vh_result, reason), ON_SKIP, false },
	{ "note", offsetof(struct vh_result, note), IF_SET, false },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VH_KERNEL_MAX_SECONDS (366.0 * 24 * 3600)

static char **str_at(struct vh_result *r, const struct str_field *f)
{
	return (char **)((char *)r + f->off);
}

static const char *str_get(const struct vh_result *r, const struct str_field *f)
{
	return *(char *const *)((const char *)r + f->off);
}

static bool is_failure(enum vh_verdict v)
{
	return v == VH_FAIL || v == VH_ERROR;
}

static void write_result(struct vh_json_writer *w, const struct vh_result *r, bool with_logs)
{
	vh_json_writer__begin_object(w);
	for (size_t i = 0; i < ARRAY_SIZE(str_fields); i++) {
		const struct str_field *f = &str_fields[i];
		const char *s = str_get(r, f);
		bool emit = s || f->when == ALWAYS ||
			    (f->when == ON_FAILURE && is_failure(r->verdict)) ||
			    (f->when == ON_SKIP && r->verdict == VH_SKIP);

		if (f->when == IF_SET_WITH_LOGS && !with_logs)
			emit = false;

		if (emit)
			vh_json_writer__kv_string(w, f->name, s);
		/* optional: written only when the log was cut */
		if (!strcmp(f->name, "log_tail") && r->log_truncated) {
			vh_json_writer__key(w, "log_truncated");
			vh_json_writer__bool(w, true);
		}
		/* the verdict reads best right after what was verified */
		if (!strcmp(f->name, "prog_type"))
			vh_json_writer__kv_string(w, "verdict", vh_verdict__name(r->verdict));
		if (!strcmp(f->name, "expect")) {
			for (int j = 0; j < VH_STAT_CNT; j++) {
				long v = vh_stats__get(&r->stats, j);

				vh_json_writer__key(w, vh_stat_defs[j].json);
				if (v < 0)
					vh_json_writer__null(w);
				else
					vh_json_writer__int(w, v);
			}
		}
	}
	vh_json_writer__end_object(w);
}

static void write_seconds(struct vh_json_writer *w, const char *key, double s)
{
	vh_json_writer__key(w, key);
	if (s < 0)
		vh_json_writer__null(w);
	else if (s < 1e12)
		vh_json_writer__double(w, (long long)(s * 100 + 0.5) / 100.0);
	else
		vh_json_writer__double(w, s); /* no run takes that long: as it came */
}

static void write_kernel(struct vh_json_writer *w, const struct vh_kernel_info *k)
{
	vh_json_writer__begin_object(w);
	vh_json_writer__kv_string(w, "release", k->release);
	vh_json_writer__kv_string(w, "series", k->series);
	vh_json_writer__kv_string(w, "backend", k->backend);
	vh_json_writer__kv_string(w, "accel", k->accel);
	if (k->baseline_kernel) { /* only with a baseline: other files stay as they were */
		vh_json_writer__kv_string(w, "baseline_kernel", k->baseline_kernel);
		vh_json_writer__kv_string(w, "baseline_match", k->baseline_match);
	}
	write_seconds(w, "boot_s", k->boot_s);
	write_seconds(w, "verify_s", k->verify_s);
	vh_json_writer__key(w, "probe");
	if (k->probe)
		vh_probe__write(w, k->probe);
	else
		vh_json_writer__null(w);
	vh_json_writer__end_object(w);
}

int vh_result_set__write_json(FILE *f, const struct vh_result_set *set, bool pretty)
{
	size_t counts[VH_VERDICT_CNT];
	struct vh_json_writer w;

	vh_json_writer__init(&w, f, pretty);
	vh_json_writer__begin_object(&w);
	vh_json_writer__kv_string(&w, "version", set->version ?: BPFGATE_VERSION);
	vh_json_writer__key(&w, "results");
	vh_json_writer__begin_array(&w);
	for (size_t i = 0; i < set->n; i++)
		write_result(&w, &set->v[i], set->with_logs);
	vh_json_writer__end_array(&w);
	vh_result_set__count(set, counts);
	vh_json_writer__key(&w, "summary");
	vh_json_writer__begin_object(&w);
	for (int v = 0; v < VH_VERDICT_CNT; v++)
		vh_json_writer__kv_int(&w, vh_verdict__name(v), counts[v]);
	vh_json_writer__end_object(&w);
	/* a set that knows no kernel (a worker's share of a run) writes none */
	if (set->nkernels) {
		vh_json_writer__key(&w, "kernels");
		vh_json_writer__begin_array(&w);
		for (size_t i = 0; i < set->nkernels; i++)
			write_kernel(&w, &set->kernels[i]);
		vh_json_writer__end_array(&w);
	}
	vh_json_writer__end_object(&w);
	return vh_json_writer__finish(&w);
}

struct ctx {
	char *errbuf;
	size_t errlen;
	size_t idx; /* results[idx] being read */
};

static int read_string(struct ctx *c, const struct vh_json_value *o, const struct str_field *f,
		       struct vh_result *r)
{
	const struct vh_json_value *v = vh_json_value__get(o, f->name);

	if (!v || v->type == VH_JSON_NULL) {
		if (f->required)
			return vh_errf(c->errbuf, c->errlen, -EINVAL,
					 "results[%zu]: missing '%s'", c->idx, f->name);
		return 0;
	}
	if (v->type != VH_JSON_STRING)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
				 "line %d: results[%zu].%s: expected a string, not %s", v->line,
				 c->idx, f->name, vh_json_type__name(v->type));
	/* C strings end at the first NUL; refuse rather than silently cut */
	if (strlen(v->str.s) != v->str.len)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
				 "line %d: results[%zu].%s: contains a NUL character", v->line,
				 c->idx, f->name);
	*str_at(r, f) = strdup(v->str.s);
	if (!*str_at(r, f))
		return vh_errf(c->errbuf, c->errlen, -ENOMEM, "out of memory");
	return 0;
}

static int read_stat(struct ctx *c, const struct vh_json_value *o, enum vh_stat_id id,
		     struct vh_stats *st)
{
	const struct vh_json_value *v = vh_json_value__get(o, vh_stat_defs[id].json);

	if (!v || v->type == VH_JSON_NULL)
		return 0; /* unknown: stays VH_STAT_UNKNOWN */
	if (v->type != VH_JSON_NUMBER || !v->num.is_int || v->num.i < 0 || v->num.i > LONG_MAX)
		return vh_errf(c->errbuf, c->errlen, -EINVAL, "line %d: results[%zu].%s: %s",
				 v->line, c->idx, vh_stat_defs[id].json,
				 "expected a non-negative integer or null");
	vh_stats__set(st, id, v->num.i);
	return 0;
}

static int read_result(struct ctx *c, const struct vh_json_value *o, struct vh_result *r)
{
	const struct vh_json_value *v;
	int err, verdict;

	if (o->type != VH_JSON_OBJECT)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
				 "line %d: results[%zu]: expected an object, not %s", o->line,
				 c->idx, vh_json_type__name(o->type));
	for (size_t i = 0; i < ARRAY_SIZE(str_fields); i++) {
		err = read_string(c, o, &str_fields[i], r);
		if (err)
			return err;
	}
	v = vh_json_value__get(o, "verdict");
	if (!v || v->type == VH_JSON_NULL)
		return vh_errf(c->errbuf, c->errlen, -EINVAL, "results[%zu]: missing 'verdict'",
				 c->idx);
	verdict = v->type == VH_JSON_STRING ? vh_verdict__parse(v->str.s) : -1;
	if (verdict < 0)
		return vh_errf(c->errbuf, c->errlen, -EINVAL, "line %d: results[%zu].verdict: %s",
				 v->line, c->idx,
				 "expected \"pass\", \"fail\", \"skip\" or \"error\"");
	r->verdict = verdict;
	r->kind = vh_result__kind_of(r);
	v = vh_json_value__get(o, "log_truncated");
	if (v && v->type != VH_JSON_NULL && v->type != VH_JSON_BOOL)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
				 "line %d: results[%zu].log_truncated: expected a boolean, not %s",
				 v->line, c->idx, vh_json_type__name(v->type));
	r->log_truncated = v && v->type == VH_JSON_BOOL && v->boolean;
	for (int i = 0; i < VH_STAT_CNT; i++) {
		err = read_stat(c, o, i, &r->stats);
		if (err)
			return err;
	}
	return 0;
}

static int read_kernel(struct ctx *c, const struct vh_json_value *o, struct vh_kernel_info *k)
{
	static const struct {
		const char *name;
		size_t off;
	} strs[] = {
		{ "release", offsetof(struct vh_kernel_info, release) },
		{ "series", offsetof(struct vh_kernel_info, series) },
		{ "backend", offsetof(struct vh_kernel_info, backend) },
		{ "accel", offsetof(struct vh_kernel_info, accel) },
		{ "baseline_kernel", offsetof(struct vh_kernel_info, baseline_kernel) },
		{ "baseline_match", offsetof(struct vh_kernel_info, baseline_match) },
	};
	static const struct {
		const char *name;
		size_t off;
	} secs[] = {
		{ "boot_s", offsetof(struct vh_kernel_info, boot_s) },
		{ "verify_s", offsetof(struct vh_kernel_info, verify_s) },
	};
	const struct vh_json_value *v;
	char where[48];
	int err;

	if (o->type != VH_JSON_OBJECT)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
				 "line %d: kernels[%zu]: expected an object, not %s", o->line,
				 c->idx, vh_json_type__name(o->type));
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		char **dst = (char **)((char *)k + strs[i].off);

		v = vh_json_value__get(o, strs[i].name);
		if (!v || v->type == VH_JSON_NULL) {
			if (!strcmp(strs[i].name, "release"))
				return vh_errf(c->errbuf, c->errlen, -EINVAL,
						 "kernels[%zu]: missing 'release'", c->idx);
			continue;
		}
		if (v->type != VH_JSON_STRING || strlen(v->str.s) != v->str.len)
			return vh_errf(c->errbuf, c->errlen, -EINVAL,
					 "line %d: kernels[%zu].%s: expected a string without NUL",
					 v->line, c->idx, strs[i].name);
		*dst = strdup(v->str.s);
		if (!*dst)
			return vh_errf(c->errbuf, c->errlen, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < ARRAY_SIZE(secs); i++) {
		double *dst = (double *)((char *)k + secs[i].off);

		v = vh_json_value__get(o, secs[i].name);
		if (!v || v->type == VH_JSON_NULL)
			continue;
		/* at most a year: beyond that it is no duration of a run */
		if (v->type != VH_JSON_NUMBER || v->num.d < 0 || v->num.d > VH_KERNEL_MAX_SECONDS)
			return vh_errf(c->errbuf, c->errlen, -EINVAL,
					 "line %d: kernels[%zu].%s: expected seconds or null",
					 v->line, c->idx, secs[i].name);
		*dst = v->num.d;
	}
	v = vh_json_value__get(o, "probe");
	if (!v || v->type == VH_JSON_NULL)
		return 0;
	k->probe = calloc(1, sizeof(*k->probe));
	if (!k->probe)
		return vh_errf(c->errbuf, c->errlen, -ENOMEM, "out of memory");
	snprintf(where, sizeof(where), "kernels[%zu].probe", c->idx);
	err = vh_probe__from_json(v, where, k->probe, c->errbuf, c->errlen);
	if (err) {
		free(k->probe);
		k->probe = NULL;
	}
	return err;
}

/* The optional "kernels" array (files written before it existed have none). */
static int read_kernels(struct ctx *c, const struct vh_json_value *doc,
			struct vh_result_set *tmp)
{
	const struct vh_json_value *kernels = vh_json_value__get(doc, "kernels");
	int err;

	if (!kernels || kernels->type == VH_JSON_NULL)
		return 0;
	if (kernels->type != VH_JSON_ARRAY)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
				 "line %d: kernels: expected an array, not %s", kernels->line,
				 vh_json_type__name(kernels->type));
	for (size_t i = 0; i < kernels->arr.n; i++) {
		struct vh_kernel_info *k = vh_result_set__add_kernel(tmp);

		if (!k)
			return vh_errf(c->errbuf, c->errlen, -ENOMEM, "out of memory");
		c->idx = i;
		err = read_kernel(c, &kernels->arr.v[i], k);
		if (err)
			return err;
	}
	return 0;
}

/* Move tmp's results to the end of set; all or nothing. */
static int move_results(struct vh_result_set *set, struct vh_result_set *tmp)
{
	size_t n0 = set->n;

	for (size_t i = 0; i < tmp->n; i++) {
		struct vh_result *r = vh_result_set__add(set);

		if (!r) {
			set->n = n0; /* the strings still belong to tmp */
			return -ENOMEM;
		}
		*r = tmp->v[i];
	}
	/* kernels merge: the same kernel read twice is one entry */
	for (size_t i = 0; i < tmp->nkernels; i++)
		if (vh_result_set__merge_kernel(set, &tmp->kernels[i])) {
			set->n = n0;
			return -ENOMEM;
		}
	if (tmp->version) {
		free(set->version);
		set->version = tmp->version;
		tmp->version = NULL;
	}
	for (size_t i = 0; i < tmp->nkernels; i++)
		vh_kernel_info__free(&tmp->kernels[i]);
	free(tmp->kernels);
	free(tmp->v);
	memset(tmp, 0, sizeof(*tmp));
	return 0;
}

int vh_result_set__parse_json(const char *text, size_t len, struct vh_result_set *set,
			      char *errbuf, size_t errlen)
{
	struct vh_json_limits limits = { .max_size = VH_RESULT_JSON_MAX_SIZE };
	struct ctx c = { .errbuf = errbuf, .errlen = errlen };
	struct vh_result_set tmp = {};
	const struct vh_json_value *results, *version;
	struct vh_json_value *doc = NULL;
	int err;

	err = vh_json__parse(text, len, &limits, &doc, errbuf, errlen);
	if (err)
		return err;
	if (doc->type != VH_JSON_OBJECT) {
		err = vh_errf(errbuf, errlen, -EINVAL, "expected a JSON object, not %s",
				vh_json_type__name(doc->type));
		goto cleanup;
	}
	version = vh_json_value__get(doc, "version");
	if (version && version->type == VH_JSON_STRING) {
		if (strlen(version->str.s) != version->str.len) {
			err = vh_errf(errbuf, errlen, -EINVAL,
					"version: contains a NUL character");
			goto cleanup;
		}
		tmp.version = strdup(version->str.s);
		if (!tmp.version) {
			err = vh_errf(errbuf, errlen, -ENOMEM, "out of memory");
			goto cleanup;
		}
	} else if (version && version->type != VH_JSON_NULL) {
		err = vh_errf(errbuf, errlen, -EINVAL, "version: expected a string, not %s",
				vh_json_type__name(version->type));
		goto cleanup;
	}
	results = vh_json_value__get(doc, "results");
	if (!results) {
		err = vh_errf(errbuf, errlen, -EINVAL, "missing 'results'");
		goto cleanup;
	}
	if (results->type != VH_JSON_ARRAY) {
		err = vh_errf(errbuf, errlen, -EINVAL, "results: expected an array, not %s",
				vh_json_type__name(results->type));
		goto cleanup;
	}
	for (size_t i = 0; i < results->arr.n; i++) {
		struct vh_result *r = vh_result_set__add(&tmp);

		if (!r) {
			err = vh_errf(errbuf, errlen, -ENOMEM, "out of memory");
			goto cleanup;
		}
		c.idx = i;
		err = read_result(&c, &results->arr.v[i], r);
		if (err)
			goto cleanup;
	}
	err = read_kernels(&c, doc, &tmp);
	if (err)
		goto cleanup;
	err = move_results(set, &tmp);
	if (err)
		vh_errf(errbuf, errlen, err, "out of memory");
cleanup:
	vh_result_set__free(&tmp);
	vh_json_value__free(doc);
	return err;
}

/* The whole file (or stdin for "-"), refusing more than max bytes. */
static int slurp(const char *path, size_t max, char **out, size_t *out_len)
{
	if (!strcmp(path, "-"))
		return vh_read_fd(STDIN_FILENO, max, out, out_len);
	return vh_read_file(path, max, out, out_len);
}

/* JSON, else (anything that does not start with '{') CSV */
static int parse_any(const char *text, size_t len, struct vh_result_set *set, char *errbuf,
		     size_t errlen)
{
	size_t i = 0;

	while (i < len && strchr(" \t\r\n", text[i]) && text[i])
		i++;
	if (i < len && text[i] != '{')
		return vh_result_set__parse_csv(text, len, set, errbuf, errlen);
	return vh_result_set__parse_json(text, len, set, errbuf, errlen);
}

static int read_file(const char *path, struct vh_result_set *set, char *errbuf, size_t errlen,
		     bool any)
{
	size_t len = 0;
	char *text = NULL;
	int err;

	err = slurp(path, VH_RESULT_JSON_MAX_SIZE, &text, &len);
	if (err == -EFBIG)
		return vh_errf(errbuf, errlen, err, "larger than the limit of %lu MiB",
				 VH_RESULT_JSON_MAX_SIZE >> 20);
	if (err == -EISDIR || err == -EINVAL)
		return vh_errf(errbuf, errlen, err, "not a regular file");
	if (err)
		return vh_errf(errbuf, errlen, err, "%s", strerror(-err));
	err = any ? parse_any(text, len, set, errbuf, errlen) :
		    vh_result_set__parse_json(text, len, set, errbuf, errlen);
	free(text);
	return err;
}

int vh_result_set__read_json(const char *path, struct vh_result_set *set, char *errbuf,
			     size_t errlen)
{
	return read_file(path, set, errbuf, errlen, false);
}

int vh_result_set__read_any(const char *path, struct vh_result_set *set, char *errbuf,
			    size_t errlen)
{
	return read_file(path, set, errbuf, errlen, true);
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool vh_result__json_equal(const struct vh_result *a, const struct vh_result *b)
{
	if (a->verdict != b->verdict || a->log_truncated != b->log_truncated)
		return false;
	/* the full log is an attachment written on request, not part of the result */
	for (size_t i = 0; i < ARRAY_SIZE(str_fields); i++)
		if (str_fields[i].when != IF_SET_WITH_LOGS &&
		    !str_eq(str_get(a, &str_fields[i]), str_get(b, &str_fields[i])))
			return false;
	for (int i = 0; i < VH_STAT_CNT; i++) {
		long x = vh_stats__get(&a->stats, i);
		long y = vh_stats__get(&b->stats, i);

		/* every negative value means unknown (null) */
		if (x != y && (x >= 0 || y >= 0))
			return false;
	}
	return true;
}

/* Seconds are written to the hundredth; unknown is any negative value. */
static bool secs_eq(double x, double y)
{
	if (x < 0 || y < 0)
		return x < 0 && y < 0;
	if (x >= 1e12 || y >= 1e12)
		return x == y;
	return (long long)(x * 100 + 0.5) == (long long)(y * 100 + 0.5);
}

bool vh_kernel_info__json_equal(const struct vh_kernel_info *a, const struct vh_kernel_info *b)
{
	return str_eq(a->release, b->release) && str_eq(a->series, b->series) &&
	       str_eq(a->backend, b->backend) && str_eq(a->accel, b->accel) &&
	       str_eq(a->baseline_kernel, b->baseline_kernel) &&
	       str_eq(a->baseline_match, b->baseline_match) && secs_eq(a->boot_s, b->boot_s) &&
	       secs_eq(a->verify_s, b->verify_s) &&
	       vh_probe__equal(a->probe, b->probe);
}

bool vh_result_set__json_equal(const struct vh_result_set *a, const struct vh_result_set *b)
{
	if (a->n != b->n || !str_eq(a->version, b->version) || a->nkernels != b->nkernels)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!vh_result__json_equal(&a->v[i], &b->v[i]))
			return false;
	for (size_t i = 0; i < a->nkernels; i++)
		if (!vh_kernel_info__json_equal(&a->kernels[i], &b->kernels[i]))
			return false;
	return true;
}

/* Whether the probe's list holds type: 1, 0, or -ENOENT (no probe, or no such list). */
static int probe_lists(const struct vh_kernel_info *k, const struct vh_probe_names *l,
		       const char *type)
{
	if (!k || !k->probe || !type || !l->present)
		return -ENOENT;
	return vh_probe_names__has(l, type);
}

int vh_kernel_info__has_prog_type(const struct vh_kernel_info *k, const char *type)
{
	return probe_lists(k, k && k->probe ? &k->probe->prog_types : NULL, type);
}

#define PROBE_EVIDENCE "; probe: program type '"

int vh_result_set__justify_skips(struct vh_result_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		struct vh_result *r = &set->v[i];
		const struct vh_kernel_info *k;
		char *reason;

		/* functional tests are no program type a kernel probes */
		if (r->verdict != VH_SKIP || !r->prog_type || r->kind == VH_KIND_TEST ||
		    (r->reason && strstr(r->reason, PROBE_EVIDENCE)))
			continue;
		k = vh_result_set__find_kernel(set, r->kernel);
		/* supported, or nothing known: the skip's own reason stands alone */
		if (vh_kernel_info__has_prog_type(k, r->prog_type) != 0)
			continue;
		if (asprintf(&reason, "%s" PROBE_EVIDENCE "%s' %s", r->reason ?: "skipped",
			     r->prog_type,
			     probe_lists(k, &k->probe->prog_types_refused, r->prog_type) == 1 ?
				     "refused (EPERM)" :
				     "not supported") < 0)
			return -ENOMEM;
		free(r->reason);
		r->reason = reason;
	}
	return 0;
}
