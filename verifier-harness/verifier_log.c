// SPDX-License-Identifier: BSD-2-Clause
/* verifier_log.c: statistics, error line and source hints from a verifier log. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verifier_log.h"

/* Start of the line holding p. */
static const char *line_start(const char *log, const char *p)
{
	while (p > log && p[-1] != '\n')
		p--;
	return p;
}

static size_t line_len(const char *p)
{
	const char *e = strchr(p, '\n');

	return e ? (size_t)(e - p) : strlen(p);
}

/* The last line that starts with prefix, or NULL. */
static const char *last_line_with(const char *log, const char *prefix)
{
	const char *p = log, *found = NULL;
	size_t n = strlen(prefix);

	while (p && *p) {
		if (!strncmp(p, prefix, n))
			found = p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return found;
}

int vh_log__parse_stats(const char *log, struct vh_stats *st)
{
	const char *p;
	long v[6], a, sum;
	int n;

	p = last_line_with(log, "verification time ");
	if (p && sscanf(p, "verification time %ld usec", &a) == 1)
		st->verification_time_us = a;
	p = last_line_with(log, "stack depth ");
	if (p) {
		/* "stack depth 8+0+16": one number per subprogram, summed as veristat does */
		p += strlen("stack depth ");
		for (sum = 0, n = 0; sscanf(p, "%ld", &a) == 1;) {
			sum += a;
			n++;
			p += strspn(p, "0123456789");
			if (*p != '+')
				break;
			p++;
		}
		if (n)
			st->stack_depth = sum;
	}
	p = last_line_with(log, "processed ");
	if (!p)
		return -ENOENT;
	n = sscanf(p, "processed %ld insns (limit %ld) max_states_per_insn %ld total_states %ld "
		   "peak_states %ld mark_read %ld", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]);
	if (n < 1)
		return -ENOENT;
	st->insns_processed = v[0];
	if (n > 1)
		st->insns_limit = v[1];
	if (n > 2)
		st->max_states_per_insn = v[2];
	if (n > 3)
		st->total_states = v[3];
	if (n > 4)
		st->peak_states = v[4];
	if (n > 5)
		st->mark_read = v[5];
	return 0;
}

/* Lines after the error that are statistics, not the error. */
static int is_stats_line(const char *p)
{
	static const char *const prefixes[] = { "processed ", "verification time ", "stack depth ",
						 "mark_precise", "func#", "-- ", NULL };

	for (int i = 0; prefixes[i]; i++)
		if (!strncmp(p, prefixes[i], strlen(prefixes[i])))
			return 1;
	return line_len(p) == 0;
}

/* Start of the last non-statistics line before the statistics block. */
static const char *error_line_start(const char *log)
{
	const char *end = log + strlen(log), *p;

	while (end > log) {
		p = line_start(log, end > log && end[-1] == '\n' ? end - 1 : end);
		if (!is_stats_line(p) && !(p[0] >= '0' && p[0] <= '9' && strchr(p, ':') &&
					   strchr(p, ':') < p + line_len(p) && p[strspn(p, "0123456789")] == ':'))
			return p;
		if (p == log)
			break;
		end = p;
	}
	return NULL;
}

static int is_insn_line(const char *p)
{
	size_t d = strspn(p, "0123456789");

	return d && p[d] == ':' && p[d + 1] == ' ';
}

/* The first message after the last instruction line: the verifier reports the
 * problem right after the instruction it was checking. Without an instruction
 * trace (log level 4), the last line before the statistics. */
char *vh_log__error_line(const char *log)
{
	const char *p = log, *after = NULL;

	while (log && p && *p) {
		if (is_insn_line(p))
			after = NULL;
		else if (!after && p[0] && p[0] != '\n' && p[0] != ';' && p[0] != ' ' &&
			 !is_stats_line(p))
			after = p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (after)
		return strndup(after, line_len(after));
	p = log ? error_line_start(log) : NULL;

	return p ? strndup(p, line_len(p)) : NULL;
}

long vh_log__failed_insn(const char *log)
{
	const char *p = log, *err = error_line_start(log);
	long idx = -1, v;

	while (p && *p && (!err || p < err)) {
		if (sscanf(p, "%ld: (", &v) == 1)
			idx = v;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return idx;
}

char *vh_log__tail(const char *log, int nlines)
{
	const char *end = log + strlen(log), *p = end;

	while (p > log && nlines > 0) {
		p--;
		if (*p == '\n' && p + 1 != end)
			nlines--;
	}
	if (*p == '\n')
		p++;
	return strdup(p);
}

int vh_log__source_hint(const char *log, char **text, char **file_line)
{
	const char *p = log, *last = NULL, *err = error_line_start(log);
	char *l, *at;

	*text = NULL;
	*file_line = NULL;
	while (p && *p && (!err || p <= err)) {
		if (p[0] == ';' && p[1] == ' ')
			last = p + 2;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!last)
		return -ENOENT;
	l = strndup(last, line_len(last));
	if (!l)
		return -ENOMEM;
	at = strstr(l, " @ ");
	if (at) {
		*file_line = strdup(at + 3);
		*at = '\0';
	}
	*text = l;
	return 0;
}
