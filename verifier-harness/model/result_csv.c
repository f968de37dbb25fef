// SPDX-License-Identifier: BSD-2-Clause
/* result_csv.c: read veristat's CSV (and bpfgate's) into a result set. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_writer.h"
#include "result_csv.h"
#include "result_view.h"
#include "strfmt.h"
#include "text_escape.h"

#define MAX_FIELDS 256

struct line {
	char *field[MAX_FIELDS];
	size_t n;
};

static void line_free(struct line *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->field[i]);
	l->n = 0;
}

/*
 * One record from *p (at most end): its fields, unquoted, into l; *p moves past
 * its newline. 0, 1 at the end of the text, -EINVAL (a bad quote, a NUL, too many
 * fields) or -ENOMEM.
 */
static int read_line(const char **p, const char *end, struct line *l)
{
	const char *s = *p;

	l->n = 0;
	if (s >= end)
		return 1;
	for (;;) {
		size_t cap = 64, len = 0;
		char *buf = malloc(cap);
		bool quoted = s < end && *s == '"';

		if (!buf)
			return -ENOMEM;
		if (l->n == MAX_FIELDS) {
			free(buf);
			return -EINVAL;
		}
		l->field[l->n++] = buf;
		s += quoted;
		while (s < end) {
			char c = *s;

			if (quoted && c == '"' && s + 1 < end && s[1] == '"') {
				s += 2;
			} else if (quoted && c == '"') {
				quoted = false;
				s++;
				/* only a separator may follow a closing quote */
				if (s < end && *s != ',' && *s != '\n' && *s != '\r')
					return -EINVAL;
				continue;
			} else if (!quoted && (c == ',' || c == '\n' || c == '\r')) {
				break;
			} else {
				s++;
			}
			if (c == '\0')
				return -EINVAL;
			if (len + 2 > cap) {
				char *b = realloc(buf, cap *= 2);

				if (!b)
					return -ENOMEM;
				l->field[l->n - 1] = buf = b;
			}
			buf[len++] = c;
		}
		buf[len] = '\0';
		if (quoted)
			return -EINVAL; /* the text ended inside quotes */
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		if (s < end && *s == '\r')
			s++;
		if (s < end && *s == '\n')
			s++;
		*p = s;
		return 0;
	}
}

static bool blank(const struct line *l)
{
	return l->n == 1 && !l->field[0][0];
}

static int parse_verdict(const char *s)
{
	if (!strcmp(s, "success"))
		return VH_PASS;
	if (!strcmp(s, "failure"))
		return VH_FAIL;
	return vh_verdict__parse(s);
}

static int parse_stat(const char *s, long *out)
{
	char *end;
	long v;

	if (!*s) {
		*out = VH_STAT_UNKNOWN;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The field of column col of a record into r. */
static int take(struct vh_result *r, int col, const char *s)
{
	int stat = vh_view__col_stat(col), verdict;
	char **dst;
	long v;

	if (stat >= 0) {
		if (parse_stat(s, &v))
			return -EINVAL;
		vh_stats__set(&r->stats, stat, v);
		return 0;
	}
	if (col == VH_COL_VERDICT) {
		verdict = parse_verdict(s);
		if (verdict < 0)
			return -EINVAL;
		r->verdict = verdict;
		return 0;
	}
	dst = vh_view__col_field(col, r);
	/* the object's path, when the file has one, wins over its file name */
	if (!dst || (col == VH_COL_FILE && *dst))
		return 0;
	if (!*s && col != VH_COL_PROG && col != VH_COL_FILE && col != VH_COL_OBJECT)
		return 0; /* empty: not known */
	free(*dst);
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

/* Every field valid UTF-8, as a JSON result's strings are. */
static bool utf8(const struct line *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const unsigned char *p = (const unsigned char *)l->field[i];
		size_t n = strlen(l->field[i]), k;

		for (; n; p += k, n -= k)
			if (!(k = vh_utf8__seq_len(p, n)))
				return false;
	}
	return true;
}

static int header(struct line *l, int *cols, char *errbuf, size_t errlen)
{
	bool file = false, prog = false;

	for (size_t i = 0; i < l->n; i++) {
		cols[i] = vh_view__col_lookup(l->field[i], strlen(l->field[i]));
		file |= cols[i] == VH_COL_FILE || cols[i] == VH_COL_OBJECT;
		prog |= cols[i] == VH_COL_PROG;
	}
	if (!file || !prog)
		return vh_errf(errbuf, errlen, -EINVAL, "line 1: not a CSV of results: it needs "
			    "the columns file_name and prog_name (veristat -o csv)");
	return 0;
}

/* read_line, with its error said */
static int next_line(const char **p, const char *end, struct line *l, size_t lineno,
		     char *errbuf, size_t errlen)
{
	int err = read_line(p, end, l);

	if (err == -EINVAL)
		return vh_errf(errbuf, errlen, err, "line %zu: a quote not closed, a NUL "
			       "character or more than %d fields", lineno, MAX_FIELDS);
	if (!err && !utf8(l))
		return vh_errf(errbuf, errlen, -EINVAL, "line %zu: not UTF-8", lineno);
	return err;
}

/* One record into a new result of set; 0 or -errno (said in errbuf). */
static int record(const struct line *l, const int *cols, size_t ncols, size_t lineno,
		  struct vh_result_set *set, char *errbuf, size_t errlen)
{
	struct vh_result *r;
	int err = 0;

	if (l->n != ncols)
		return vh_errf(errbuf, errlen, -EINVAL, "line %zu: %zu fields, the header has %zu",
			    lineno, l->n, ncols);
	r = vh_result_set__add(set);
	if (!r)
		return vh_errf(errbuf, errlen, -ENOMEM, "out of memory");
	r->verdict = VH_PASS;
	for (size_t i = 0; i < l->n && !err; i++) {
		err = take(r, cols[i], l->field[i]);
		if (err == -EINVAL) {
			/* a quoted field may hold newlines: the message stays one line */
			vh_errf(errbuf, errlen, err, "line %zu: %s: '%.64s' is not a valid value",
				lineno, vh_view__col_csv_name(cols[i]), l->field[i]);
			vh_escape__controls(errbuf);
			return err;
		}
	}
	if (err)
		return vh_errf(errbuf, errlen, err, "out of memory");
	if (!r->object || !*r->object || !r->program || !*r->program)
		return vh_errf(errbuf, errlen, -EINVAL, "line %zu: no file name or program name",
			    lineno);
	r->kind = vh_result__kind_of(r);
	return 0;
}

int vh_result_set__parse_csv(const char *text, size_t len, struct vh_result_set *set,
			     char *errbuf, size_t errlen)
{
	const char *p = text, *end = text + len;
	struct vh_result_set tmp = {};
	size_t lineno = 1, ncols, n0 = set->n;
	int cols[MAX_FIELDS], err;
	struct line l = {};

	err = next_line(&p, end, &l, lineno, errbuf, errlen);
	if (err > 0)
		err = vh_errf(errbuf, errlen, -EINVAL, "empty: not a CSV of results");
	if (err)
		goto cleanup;
	ncols = l.n;
	err = header(&l, cols, errbuf, errlen);
	while (!err) {
		line_free(&l);
		lineno++;
		err = next_line(&p, end, &l, lineno, errbuf, errlen);
		if (err > 0) {
			err = 0;
			break;
		}
		if (!err && !blank(&l))
			err = record(&l, cols, ncols, lineno, &tmp, errbuf, errlen);
	}
	for (size_t i = 0; !err && i < tmp.n; i++)
		err = vh_result_set__append(set, &tmp.v[i]);
	if (err && set->n > n0) {
		/* all or nothing */
		while (set->n > n0)
			vh_result__free(&set->v[--set->n]);
		vh_errf(errbuf, errlen, err, "out of memory");
	}
cleanup:
	if (err == -ENOMEM)
		vh_errf(errbuf, errlen, err, "out of memory");
	line_free(&l);
	vh_result_set__free(&tmp);
	return err;
}
