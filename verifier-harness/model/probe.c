// SPDX-License-Identifier: BSD-2-Clause
/* probe.c: a kernel's feature probe: read from JSON, written as JSON, copied, compared. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fs_util.h"
#include "json_reader.h"
#include "json_writer.h"
#include "probe.h"
#include "strfmt.h"

/* The lists of names, in the order they are written; one row each. */
static const struct names_member {
	const char *key;
	size_t off;
} names_members[] = {
	{ "prog_types", offsetof(struct vh_probe, prog_types) },
	{ "prog_types_refused", offsetof(struct vh_probe, prog_types_refused) },
	{ "map_types", offsetof(struct vh_probe, map_types) },
};

#define N_NAMES_MEMBERS (sizeof(names_members) / sizeof(names_members[0]))

static struct vh_probe_names *names_at(struct vh_probe *p, size_t i)
{
	return (struct vh_probe_names *)((char *)p + names_members[i].off);
}

static const struct vh_probe_names *names_get(const struct vh_probe *p, size_t i)
{
	return (const struct vh_probe_names *)((const char *)p + names_members[i].off);
}

/* --- reading --------------------------------------------------------------------- */

struct rd {
	const char *where; /* "probe", "kernels[1].probe" */
	char *errbuf;
	size_t errlen;
};

/* A string member's text, refused when it holds a NUL (C strings would cut it). */
static int want_string(struct rd *c, const struct vh_json_value *v, const char *member,
		       const char *what, char **out)
{
	if (v->type != VH_JSON_STRING)
		return vh_errf(c->errbuf, c->errlen, -EINVAL, "line %d: %s.%s: expected %s, not %s",
			       v->line, c->where, member, what, vh_json_type__name(v->type));
	if (strlen(v->str.s) != v->str.len)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
			       "line %d: %s.%s: contains a NUL character", v->line, c->where,
			       member);
	*out = strdup(v->str.s);
	return *out ? 0 : vh_errf(c->errbuf, c->errlen, -ENOMEM, "out of memory");
}

static int read_names(struct rd *c, const struct vh_json_value *v, const char *key,
		      struct vh_probe_names *l)
{
	char member[64];

	if (v->type != VH_JSON_ARRAY)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
			       "line %d: %s.%s: expected an array of type names, not %s", v->line,
			       c->where, key, vh_json_type__name(v->type));
	l->present = true;
	if (!v->arr.n)
		return 0;
	l->v = calloc(v->arr.n, sizeof(*l->v));
	if (!l->v)
		return vh_errf(c->errbuf, c->errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < v->arr.n; i++) {
		int err;

		snprintf(member, sizeof(member), "%s[%zu]", key, i);
		err = want_string(c, &v->arr.v[i], member, "a type name (a string)", &l->v[i]);
		if (err)
			return err;
		l->n++;
	}
	return 0;
}

static int read_ids(struct rd *c, const struct vh_json_value *v, struct vh_probe_helpers *h)
{
	if (v->type != VH_JSON_ARRAY)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
			       "line %d: %s.helpers.%s: expected an array of helper ids, not %s",
			       v->line, c->where, h->prog_type, vh_json_type__name(v->type));
	if (!v->arr.n)
		return 0;
	h->ids = calloc(v->arr.n, sizeof(*h->ids));
	if (!h->ids)
		return vh_errf(c->errbuf, c->errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < v->arr.n; i++) {
		const struct vh_json_value *id = &v->arr.v[i];

		if (id->type != VH_JSON_NUMBER)
			return vh_errf(c->errbuf, c->errlen, -EINVAL,
				       "line %d: %s.helpers.%s[%zu]: expected a helper id, not %s",
				       id->line, c->where, h->prog_type, i,
				       vh_json_type__name(id->type));
		if (!id->num.is_int || id->num.i < 0 || id->num.i > INT_MAX)
			return vh_errf(c->errbuf, c->errlen, -EINVAL,
				       "line %d: %s.helpers.%s[%zu]: expected a helper id (an "
				       "integer from 0 to %d)",
				       id->line, c->where, h->prog_type, i, INT_MAX);
		h->ids[h->n++] = id->num.i;
	}
	return 0;
}

static int read_helpers(struct rd *c, const struct vh_json_value *v, struct vh_probe *p)
{
	if (v->type != VH_JSON_OBJECT)
		return vh_errf(c->errbuf, c->errlen, -EINVAL,
			       "line %d: %s.helpers: expected an object (program type -> helper "
			       "ids), not %s",
			       v->line, c->where, vh_json_type__name(v->type));
	p->has_helpers = true;
	if (!v->obj.n)
		return 0;
	p->helpers = calloc(v->obj.n, sizeof(*p->helpers));
	if (!p->helpers)
		return vh_errf(c->errbuf, c->errlen, -ENOMEM, "out of memory");
	for (size_t i = 0; i < v->obj.n; i++) {
		const struct vh_json_member *m = &v->obj.m[i];
		struct vh_probe_helpers *h = &p->helpers[i];
		int err;

		if (strlen(m->key) != m->key_len)
			return vh_errf(c->errbuf, c->errlen, -EINVAL,
				       "line %d: %s.helpers: a key contains a NUL character",
				       m->val.line, c->where);
		h->prog_type = strdup(m->key);
		if (!h->prog_type)
			return vh_errf(c->errbuf, c->errlen, -ENOMEM, "out of memory");
		p->nhelpers++;
		err = read_ids(c, &m->val, h);
		if (err)
			return err;
	}
	return 0;
}

static int read_members(struct rd *c, const struct vh_json_value *o, struct vh_probe *p)
{
	const struct vh_json_value *v;
	int err;

	if (o->type != VH_JSON_OBJECT)
		return vh_errf(c->errbuf, c->errlen, -EINVAL, "line %d: %s: expected an object, not %s",
			       o->line, c->where, vh_json_type__name(o->type));
	v = vh_json_value__get(o, "kernel");
	if (v && v->type != VH_JSON_NULL) {
		err = want_string(c, v, "kernel", "a release (a string)", &p->kernel);
		if (err)
			return err;
	}
	v = vh_json_value__get(o, "kvm");
	if (v && v->type != VH_JSON_NULL) {
		if (v->type != VH_JSON_BOOL)
			return vh_errf(c->errbuf, c->errlen, -EINVAL,
				       "line %d: %s.kvm: expected true or false, not %s", v->line,
				       c->where, vh_json_type__name(v->type));
		p->has_kvm = true;
		p->kvm = v->boolean;
	}
	for (size_t i = 0; i < N_NAMES_MEMBERS; i++) {
		v = vh_json_value__get(o, names_members[i].key);
		if (!v || v->type == VH_JSON_NULL)
			continue;
		err = read_names(c, v, names_members[i].key, names_at(p, i));
		if (err)
			return err;
	}
	v = vh_json_value__get(o, "helpers");
	if (v && v->type != VH_JSON_NULL)
		return read_helpers(c, v, p);
	return 0;
}

int vh_probe__from_json(const struct vh_json_value *v, const char *where, struct vh_probe *p,
			char *errbuf, size_t errlen)
{
	struct rd c = { .where = where, .errbuf = errbuf, .errlen = errlen };
	int err;

	memset(p, 0, sizeof(*p));
	err = read_members(&c, v, p);
	if (err)
		vh_probe__clear(p);
	return err;
}

int vh_probe__parse(const char *text, size_t len, struct vh_probe *p, char *errbuf,
		    size_t errlen)
{
	struct vh_json_limits limits = { .max_size = VH_PROBE_MAX_SIZE };
	struct vh_json_value *doc = NULL;
	int err;

	memset(p, 0, sizeof(*p));
	if (len > VH_PROBE_MAX_SIZE)
		return vh_errf(errbuf, errlen, -EFBIG, "larger than the limit of %lu MiB",
			       VH_PROBE_MAX_SIZE >> 20);
	err = vh_json__parse(text, len, &limits, &doc, errbuf, errlen);
	if (err)
		return err;
	err = vh_probe__from_json(doc, "probe", p, errbuf, errlen);
	vh_json_value__free(doc);
	return err;
}

int vh_probe__read_file(const char *path, struct vh_probe *p, char *errbuf, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int err;

	memset(p, 0, sizeof(*p));
	err = vh_read_file(path, VH_PROBE_MAX_SIZE, &text, &len);
	if (err == -EFBIG)
		return vh_errf(errbuf, errlen, err, "larger than the limit of %lu MiB",
			       VH_PROBE_MAX_SIZE >> 20);
	if (err)
		return vh_errf(errbuf, errlen, err, "%s", strerror(-err));
	err = vh_probe__parse(text, len, p, errbuf, errlen);
	free(text);
	return err;
}

/* --- writing --------------------------------------------------------------------- */

void vh_probe__write(struct vh_json_writer *w, const struct vh_probe *p)
{
	vh_json_writer__begin_object(w);
	if (p->kernel)
		vh_json_writer__kv_string(w, "kernel", p->kernel);
	if (p->has_kvm) {
		vh_json_writer__key(w, "kvm");
		vh_json_writer__bool(w, p->kvm);
	}
	for (size_t i = 0; i < N_NAMES_MEMBERS; i++) {
		const struct vh_probe_names *l = names_get(p, i);

		if (!l->present)
			continue;
		vh_json_writer__key(w, names_members[i].key);
		vh_json_writer__begin_array(w);
		for (size_t j = 0; j < l->n; j++)
			vh_json_writer__string(w, l->v[j]);
		vh_json_writer__end_array(w);
	}
	if (p->has_helpers) {
		vh_json_writer__key(w, "helpers");
		vh_json_writer__begin_object(w);
		for (size_t i = 0; i < p->nhelpers; i++) {
			vh_json_writer__key(w, p->helpers[i].prog_type);
			vh_json_writer__begin_array(w);
			for (size_t j = 0; j < p->helpers[i].n; j++)
				vh_json_writer__int(w, p->helpers[i].ids[j]);
			vh_json_writer__end_array(w);
		}
		vh_json_writer__end_object(w);
	}
	vh_json_writer__end_object(w);
}

int vh_probe__write_json(FILE *f, const struct vh_probe *p, bool pretty)
{
	struct vh_json_writer w;

	vh_json_writer__init(&w, f, pretty);
	vh_probe__write(&w, p);
	return vh_json_writer__finish(&w);
}

int vh_probe__to_text(const struct vh_probe *p, char **out)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return -ENOMEM;
	err = vh_probe__write_json(f, p, false);
	if (fclose(f) || err) {
		free(buf);
		return -ENOMEM;
	}
	/* the document's newline is not part of the value */
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	*out = buf;
	return 0;
}

/* --- the rest -------------------------------------------------------------------- */

bool vh_probe_names__has(const struct vh_probe_names *l, const char *name)
{
	for (size_t i = 0; name && i < l->n; i++)
		if (!strcmp(l->v[i], name))
			return true;
	return false;
}

int vh_probe_names__add(struct vh_probe_names *l, const char *name)
{
	char **v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->present = true;
	v[l->n] = strdup(name);
	if (!v[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

static void names_clear(struct vh_probe_names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void vh_probe__clear(struct vh_probe *p)
{
	free(p->kernel);
	for (size_t i = 0; i < N_NAMES_MEMBERS; i++)
		names_clear(names_at(p, i));
	for (size_t i = 0; i < p->nhelpers; i++) {
		free(p->helpers[i].prog_type);
		free(p->helpers[i].ids);
	}
	free(p->helpers);
	memset(p, 0, sizeof(*p));
}

void vh_probe__free(struct vh_probe *p)
{
	if (!p)
		return;
	vh_probe__clear(p);
	free(p);
}

static int names_copy(struct vh_probe_names *dst, const struct vh_probe_names *src)
{
	dst->present = src->present;
	for (size_t i = 0; i < src->n; i++)
		if (vh_probe_names__add(dst, src->v[i]))
			return -ENOMEM;
	return 0;
}

static int helpers_copy(struct vh_probe *dst, const struct vh_probe *src)
{
	dst->has_helpers = src->has_helpers;
	if (!src->nhelpers)
		return 0;
	dst->helpers = calloc(src->nhelpers, sizeof(*dst->helpers));
	if (!dst->helpers)
		return -ENOMEM;
	for (size_t i = 0; i < src->nhelpers; i++) {
		struct vh_probe_helpers *h = &dst->helpers[i];

		dst->nhelpers++;
		h->prog_type = strdup(src->helpers[i].prog_type);
		h->ids = src->helpers[i].n ? malloc(src->helpers[i].n * sizeof(*h->ids)) : NULL;
		if (!h->prog_type || (src->helpers[i].n && !h->ids))
			return -ENOMEM;
		if (src->helpers[i].n)
			memcpy(h->ids, src->helpers[i].ids, src->helpers[i].n * sizeof(*h->ids));
		h->n = src->helpers[i].n;
	}
	return 0;
}

struct vh_probe *vh_probe__dup(const struct vh_probe *src)
{
	struct vh_probe *p;
	int err = 0;

	if (!src)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->has_kvm = src->has_kvm;
	p->kvm = src->kvm;
	if (src->kernel && !(p->kernel = strdup(src->kernel)))
		err = -ENOMEM;
	for (size_t i = 0; i < N_NAMES_MEMBERS && !err; i++)
		err = names_copy(names_at(p, i), names_get(src, i));
	err = err ?: helpers_copy(p, src);
	if (err) {
		vh_probe__free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

bool vh_probe__equal(const struct vh_probe *a, const struct vh_probe *b)
{
	char *ta = NULL, *tb = NULL;
	bool eq;

	if (!a || !b)
		return !a && !b;
	eq = !vh_probe__to_text(a, &ta) && !vh_probe__to_text(b, &tb) && !strcmp(ta, tb);
	free(ta);
	free(tb);
	return eq;
}
