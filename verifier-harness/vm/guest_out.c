// SPDX-License-Identifier: BSD-2-Clause
/* guest_out.c: parse the framed channel a guest wrote: markers and whole sections. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_util.h"
#include "guest_out.h"

static char *dup_bytes(const char *data, size_t len)
{
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, data, len);
		d[len] = '\0';
	}
	return d;
}

static int store_section(struct vh_guest_out *g, const char *name, const char *data, size_t len,
			 int rc, int step)
{
	char **dst = NULL;
	size_t *dlen = NULL;

	if (!strcmp(name, "results")) {
		struct vh_guest_section *s, *grown;

		grown = realloc(g->results, (g->nresults + 1) * sizeof(*g->results));
		if (!grown)
			return -ENOMEM;
		g->results = grown;
		s = &g->results[g->nresults];
		s->data = dup_bytes(data, len);
		if (!s->data)
			return -ENOMEM;
		s->len = len;
		s->rc = rc;
		s->step = step;
		g->nresults++;
		if (rc > g->verify_rc)
			g->verify_rc = rc;
		return 0;
	}
	if (!strcmp(name, "probe")) {
		dst = &g->probe;
		dlen = &g->probe_len;
	} else if (!strcmp(name, "stderr")) {
		dst = &g->stderr_text;
		dlen = &g->stderr_len;
	}
	if (!dst)
		return 0;
	free(*dst);
	*dst = dup_bytes(data, len);
	if (!*dst)
		return -ENOMEM;
	*dlen = len;
	return 0;
}

/* A decimal in [lo, hi] at *p, then a space or the end; false leaves *p anywhere. */
static bool take_int(const char **p, long lo, long hi, long *v)
{
	char *e;

	errno = 0;
	if (**p < '0' || **p > '9')
		return false;
	*v = strtol(*p, &e, 10);
	if (errno || *v < lo || *v > hi || (*e && *e != ' '))
		return false;
	*p = *e ? e + 1 : e;
	return true;
}

/* "@@bpfgate step I N" with 1 <= I <= N; anything else is noise. */
static void parse_step(struct vh_guest_out *g, const char *line)
{
	const char *p = line + strlen("@@bpfgate step ");
	long i, n;

	if (!take_int(&p, 1, INT_MAX, &i) || !take_int(&p, 1, INT_MAX, &n) || *p || i > n)
		return;
	g->steps_started = (int)i;
	g->steps_total = (int)n;
}

/* "@@bpfgate end NAME RC" closing the section NAME, RC an exit status. */
static bool end_marker(const char *line, const char *name, int *rc)
{
	const char *p = line;
	size_t n = strlen(name);
	long v;

	if (strncmp(p, "@@bpfgate end ", 14))
		return false;
	p += 14;
	if (strncmp(p, name, n) || p[n] != ' ')
		return false;
	p += n + 1;
	if (!take_int(&p, 0, INT_MAX, &v) || *p)
		return false;
	*rc = (int)v;
	return true;
}

int vh_guest_out__parse(const char *path, struct vh_guest_out *g)
{
	char *buf = NULL, *p, *end;
	size_t size = 0;
	int err;

	memset(g, 0, sizeof(*g));
	g->verify_rc = -1;
	err = vh_read_file(path, VH_GUEST_OUT_MAX, &buf, &size);
	if (err)
		return err;
	p = buf;
	end = buf + size;
	while (p < end) {
		char *nl = memchr(p, '\n', end - p), name[32];
		size_t len;
		int rc = 0, n = 0;

		if (!nl)
			break;
		*nl = '\0';
		if (sscanf(p, "@@bpfgate hello %127s %lf", g->release, &g->init_uptime) == 2) {
			g->hello = true;
		} else if (!strncmp(p, "@@bpfgate step ", 15)) {
			parse_step(g, p);
		} else if (sscanf(p, "@@bpfgate verify %lf", &g->verify_start) == 1) {
		} else if (sscanf(p, "@@bpfgate verified %lf", &g->verify_end) == 1) {
			g->verified = true;
		} else if (!strncmp(p, "@@bpfgate done", 14)) {
			g->done = true;
		} else if (sscanf(p, "@@bpfgate begin %31s %zu%n", name, &len, &n) == 2 && n) {
			char *data = nl + 1;

			/* LEN bytes, then "\n@@bpfgate end NAME RC" */
			if ((size_t)(end - data) <= len || data[len] != '\n') {
				snprintf(g->problem, sizeof(g->problem), "section '%s' is cut short",
					 name);
				break;
			}
			nl = memchr(data + len + 1, '\n', end - data - len - 1);
			if (!nl) {
				snprintf(g->problem, sizeof(g->problem), "section '%s' has no end",
					 name);
				break;
			}
			*nl = '\0';
			if (!end_marker(data + len + 1, name, &rc)) {
				snprintf(g->problem, sizeof(g->problem),
					 "section '%s' is garbled", name);
				break;
			}
			err = store_section(g, name, data, len, rc, g->steps_started);
			if (err)
				goto cleanup;
		}
		p = nl + 1;
	}
cleanup:
	free(buf);
	if (err)
		vh_guest_out__free(g);
	return err;
}

void vh_guest_out__free(struct vh_guest_out *g)
{
	for (int i = 0; i < g->nresults; i++)
		free(g->results[i].data);
	free(g->results);
	free(g->probe);
	free(g->stderr_text);
	g->results = NULL;
	g->nresults = 0;
	g->probe = g->stderr_text = NULL;
}
