// SPDX-License-Identifier: BSD-2-Clause
/* verifier_log.c: statistics, error line and source hints from a verifier log. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "verifier_log.h"

/* One line of the log: [p, p + n), without its newline. */
struct line {
	const char *p;
	size_t n;
};

enum line_kind {
	LINE_EMPTY,  /* blank, or a marker around a log ("-- BEGIN PROG LOAD LOG --") */
	LINE_STATS,  /* processed / insns processed / verification time / stack depth */
	LINE_ANNOT,  /* "; source text [@ file:line]" */
	LINE_TRACE,  /* instructions, register states, precision and liveness tracking */
	LINE_MSG,    /* anything else: what the verifier has to say */
};

/* Where the parts of a log are. */
struct layout {
	const char *start, *end; /* the whole log (end at the NUL) */
	const char *body_end;    /* start of the trailing statistics block, or end */
	const char *err;         /* start of the error line, or NULL */
};

static bool starts(const struct line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->n >= n && !memcmp(l->p, prefix, n);
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits at p (not past end), saturated at LONG_MAX; the count of digits read. */
static size_t parse_num(const char *p, const char *end, long *out)
{
	size_t i = 0;
	long v = 0;

	while (p + i < end && is_digit(p[i])) {
		int d = p[i] - '0';

		v = v > (LONG_MAX - d) / 10 ? LONG_MAX : v * 10 + d;
		i++;
	}
	if (i)
		*out = v;
	return i;
}

/* The line after the one ending at *cur (forward iteration); false at the end. */
static bool next_line(const char **cur, const char *end, struct line *l)
{
	const char *p = *cur, *nl;

	if (p >= end)
		return false;
	nl = memchr(p, '\n', end - p);
	l->p = p;
	l->n = (nl ? nl : end) - p;
	*cur = nl ? nl + 1 : end;
	return true;
}

/* The line before the position *cur (backward iteration); false at the start. */
static bool prev_line(const char **cur, const char *start, struct line *l)
{
	const char *e = *cur, *p;

	if (e <= start)
		return false;
	/* e is the start of the line after, or the end: step over its newline */
	if (e[-1] == '\n')
		e--;
	p = e;
	while (p > start && p[-1] != '\n')
		p--;
	l->p = p;
	l->n = e - p;
	*cur = p;
	return true;
}

/* "N: " at the start of a line: an instruction, its state, or libbpf's note. */
static size_t insn_prefix(const struct line *l)
{
	size_t d = 0;

	while (d < l->n && is_digit(l->p[d]))
		d++;
	return d && d + 1 < l->n && l->p[d] == ':' && l->p[d + 1] == ' ' ? d + 2 : 0;
}

/* "N: (xx) ..." as the verifier prints an instruction, or libbpf's rewritten
 * "N: <invalid CO-RE relocation>"; *idx is N. */
static bool is_insn_line(const struct line *l, long *idx)
{
	size_t k = insn_prefix(l);
	const char *q = l->p + k;

	if (!k)
		return false;
	if (!(k + 4 <= l->n && q[0] == '(' && q[3] == ')') && !(k < l->n && q[0] == '<'))
		return false;
	parse_num(l->p, l->p + l->n, idx);
	return true;
}

static bool is_stats_line(const struct line *l)
{
	return (starts(l, "processed ") && l->n > 10 && is_digit(l->p[10])) ||
	       starts(l, "insns processed ") || starts(l, "verification time ") ||
	       starts(l, "stack depth");
}

static enum line_kind classify_line(const struct line *l)
{
	/* Lines the verifier writes while it walks the program, never as an error. */
	static const char *const trace[] = {
		"func#", "from ", "Live regs before insn", "mark_precise:", "last_idx ", "regs=",
		"parent didn't have", "parent already had", "propagating ", "caller:", "callee:",
		"returning from callee", "to caller at ", "SCC ", "Validating ", "Func#", "(",
		NULL,
	};
	size_t i = 0;

	while (i < l->n && (l->p[i] == '\r' || l->p[i] == '\n'))
		i++;
	if (i == l->n || starts(l, "-- "))
		return LINE_EMPTY;
	if (l->p[0] == ' ' || l->p[0] == '\t')
		return LINE_TRACE; /* continuation of a state dump */
	if (l->p[0] == ';')
		return LINE_ANNOT;
	if (is_stats_line(l))
		return LINE_STATS;
	if (insn_prefix(l))
		return LINE_TRACE;
	/* "frame1: R1=..." but not "frame pointer is read only" */
	if (starts(l, "frame") && l->n > 5 && is_digit(l->p[5]))
		return LINE_TRACE;
	if (l->n == 4 && starts(l, "safe"))
		return LINE_TRACE;
	for (i = 0; trace[i]; i++)
		if (starts(l, trace[i]))
			return LINE_TRACE;
	return LINE_MSG;
}

/*
 * The statistics close the log; the error is the first message line of the
 * block between the last trace line and the statistics. Source annotations and
 * blank lines may sit anywhere in that block (5.10 prints the annotation after
 * the error), and a level-4 log has no trace at all, so the block reaches back
 * to the start.
 */
static void layout(const char *log, struct layout *lo)
{
	const char *cur;
	struct line l;

	lo->start = log;
	lo->end = log + strlen(log);
	lo->body_end = lo->end;
	lo->err = NULL;

	cur = lo->end;
	while (prev_line(&cur, lo->start, &l)) {
		enum line_kind k = classify_line(&l);

		if (k == LINE_STATS)
			lo->body_end = l.p;
		else if (k != LINE_EMPTY)
			break;
	}
	cur = lo->body_end;
	while (prev_line(&cur, lo->start, &l)) {
		enum line_kind k = classify_line(&l);

		if (k == LINE_MSG)
			lo->err = l.p;
		else if (k == LINE_TRACE || k == LINE_STATS)
			break;
	}
}

static char *dup_trimmed(const char *p, size_t n)
{
	char *s;

	while (n && (*p == ' ' || *p == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	s = malloc(n + 1);
	if (!s)
		return NULL;
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Digits after key (which must be followed by a space) anywhere in the line. */
static bool field(const struct line *l, const char *key, long *out)
{
	size_t kn = strlen(key);
	const char *end = l->p + l->n;

	for (const char *p = l->p; p + kn < end; p++) {
		if (memcmp(p, key, kn))
			continue;
		if (parse_num(p + kn, end, out))
			return true;
	}
	return false;
}

/* "A+B+C" at p: the sum, as veristat reports the stack depth. */
static bool sum_plus(const char *p, const char *end, long *out)
{
	long sum = 0, v;
	size_t d;
	bool any = false;

	while (p < end && *p == ' ')
		p++;
	while ((d = parse_num(p, end, &v))) {
		sum = sum > LONG_MAX - v ? LONG_MAX : sum + v;
		any = true;
		p += d;
		if (p >= end || *p != '+')
			break;
		p++;
	}
	if (any)
		*out = sum;
	return any;
}

int vh_log__parse_stats(const char *log, struct vh_stats *st)
{
	struct line l, processed = { 0 }, alt = { 0 }, vtime = { 0 }, depth = { 0 };
	const char *cur = log, *end;
	long v;

	if (!log || !st)
		return -ENOENT;
	end = log + strlen(log);
	while (next_line(&cur, end, &l)) {
		if (starts(&l, "processed ") && l.n > 10 && is_digit(l.p[10]))
			processed = l;
		else if (starts(&l, "insns processed "))
			alt = l;
		else if (starts(&l, "verification time "))
			vtime = l;
		else if (starts(&l, "stack depth"))
			depth = l;
	}
	if (vtime.p && field(&vtime, "verification time ", &v))
		st->verification_time_us = v;
	if (depth.p && sum_plus(depth.p + 11, depth.p + depth.n, &v))
		st->stack_depth = v;

	if (processed.p) {
		/* 5.2+: "processed N insns (limit L) max_states_per_insn M total_states T
		 * peak_states P mark_read R"; before: "processed N insns (limit L), stack depth D" */
		parse_num(processed.p + 10, processed.p + processed.n, &st->insns_processed);
		if (field(&processed, "(limit ", &v))
			st->insns_limit = v;
		if (field(&processed, "max_states_per_insn ", &v))
			st->max_states_per_insn = v;
		if (field(&processed, "total_states ", &v))
			st->total_states = v;
		if (field(&processed, "peak_states ", &v))
			st->peak_states = v;
		if (field(&processed, "mark_read ", &v))
			st->mark_read = v;
		if (!depth.p) {
			const char *sd = NULL;

			for (const char *p = processed.p; p + 12 < processed.p + processed.n; p++)
				if (!memcmp(p, "stack depth ", 12))
					sd = p + 12;
			if (sd && sum_plus(sd, processed.p + processed.n, &v))
				st->stack_depth = v;
		}
		return 0;
	}
	if (alt.p && field(&alt, "insns processed ", &v)) {
		st->insns_processed = v;
		return 0;
	}
	return -ENOENT;
}

char *vh_log__error_line(const char *log)
{
	struct layout lo;
	struct line l;
	const char *cur;
	char *e;

	if (!log)
		return NULL;
	layout(log, &lo);
	if (!lo.err)
		return NULL;
	cur = lo.err;
	if (!next_line(&cur, lo.end, &l))
		return NULL;
	e = dup_trimmed(l.p, l.n);
	/* a line of only blanks or a carriage return says nothing */
	if (e && !e[0]) {
		free(e);
		e = NULL;
	}
	return e;
}

char *vh_log__error_text(const char *log)
{
	struct layout lo;

	if (!log)
		return NULL;
	layout(log, &lo);
	if (!lo.err)
		return NULL;
	return dup_trimmed(lo.err, lo.body_end - lo.err);
}

#define MESSAGES_MAX 65536

char *vh_log__messages(const char *log)
{
	const char *cur = log, *end;
	struct line l;
	size_t len = 0;
	char *out = malloc(MESSAGES_MAX + 1);

	if (!out)
		return NULL;
	out[0] = '\0';
	if (!log)
		return out;
	end = log + strlen(log);
	while (next_line(&cur, end, &l)) {
		if (classify_line(&l) != LINE_MSG)
			continue;
		if (len + l.n + 1 > MESSAGES_MAX)
			break;
		memcpy(out + len, l.p, l.n);
		len += l.n;
		out[len++] = '\n';
		out[len] = '\0';
	}
	return out;
}

long vh_log__failed_insn(const char *log)
{
	struct layout lo;
	struct line l;
	const char *cur;
	long idx = -1;

	if (!log)
		return -1;
	layout(log, &lo);
	if (!lo.err)
		return -1;
	/* "infinite loop detected at insn 5" names the instruction it was about to check */
	cur = lo.err;
	if (next_line(&cur, lo.end, &l) && starts(&l, "infinite loop detected at insn ") &&
	    parse_num(l.p + 31, l.p + l.n, &idx))
		return idx;
	cur = lo.err;
	while (prev_line(&cur, lo.start, &l))
		if (is_insn_line(&l, &idx))
			return idx;
	return -1;
}

char *vh_log__tail(const char *log, int nlines)
{
	struct layout lo;
	struct line l;
	const char *cur, *from, *end;
	char *s;

	if (!log || nlines <= 0)
		return strdup("");
	layout(log, &lo);
	/* trailing blank lines do not count */
	end = cur = lo.body_end;
	while (prev_line(&cur, lo.start, &l) && classify_line(&l) == LINE_EMPTY)
		end = l.p;
	from = cur = end;
	while (nlines-- > 0 && prev_line(&cur, lo.start, &l))
		from = l.p;
	if (end > from && end[-1] == '\n')
		end--;
	s = malloc(end - from + 1);
	if (!s)
		return NULL;
	memcpy(s, from, end - from);
	s[end - from] = '\0';
	return s;
}

/*
 * Errors found before the instruction walk (check_cfg: "back-edge from insn 158
 * to 159") come with no "; text" annotation; the kernel prints the source of
 * both instructions as "158: text" lines instead. Take the first one's text.
 */
static int cfg_source_hint(const char *log, char **text)
{
	const char *p = strstr(log, "back-edge from insn ");
	char prefix[32];
	long insn;

	if (!p || sscanf(p, "back-edge from insn %ld", &insn) != 1)
		return -ENOENT;
	snprintf(prefix, sizeof(prefix), "%ld: ", insn);
	for (p = log; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		size_t n = strlen(prefix);
		const char *e;

		if (strncmp(p, prefix, n) || p[n] == '(')
			continue;
		e = strchr(p + n, '\n');
		*text = dup_trimmed(p + n, e ? (size_t)(e - p - n) : strlen(p + n));
		return *text ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

int vh_log__source_hint(const char *log, char **text, char **file_line)
{
	struct layout lo;
	struct line l;
	const char *cur, *p, *e, *at = NULL, *colon;
	size_t n;

	if (!text || !file_line)
		return -EINVAL;
	*text = NULL;
	*file_line = NULL;
	if (!log)
		return -ENOENT;
	layout(log, &lo);
	cur = lo.body_end;
	for (;;) {
		if (!prev_line(&cur, lo.start, &l))
			return cfg_source_hint(log, text);
		if (classify_line(&l) == LINE_ANNOT)
			break;
	}

	p = l.p + 1;
	e = l.p + l.n;
	while (e > p && (e[-1] == ' ' || e[-1] == '\r'))
		e--;
	/* the last " @ " followed by "file:digits" up to the end of the line */
	for (const char *q = p; q + 3 <= e; q++)
		if (!memcmp(q, " @ ", 3))
			at = q;
	if (at) {
		colon = NULL;
		for (const char *q = at + 3; q < e; q++)
			if (*q == ':')
				colon = q;
		n = colon ? (size_t)(e - colon - 1) : 0;
		if (!colon || colon == at + 3 || !n ||
		    parse_num(colon + 1, e, &(long){ 0 }) != n)
			at = NULL;
	}
	if (at) {
		*file_line = dup_trimmed(at + 3, e - at - 3);
		if (!*file_line)
			return -ENOMEM;
		e = at;
	}
	*text = dup_trimmed(p, e - p);
	if (!*text) {
		free(*file_line);
		*file_line = NULL;
		return -ENOMEM;
	}
	return 0;
}
