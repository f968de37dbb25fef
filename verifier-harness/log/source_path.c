// SPDX-License-Identifier: BSD-2-Clause
/* source_path.c: a source file's path from the repository's root, by a bounded search. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "source_path.h"

/* nftw has no context argument: one search at a time (bpfgate is single threaded here) */
static struct search {
	const char *name;
	size_t root_len;
	char *best;
	int best_depth;
	long entries;
} s;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	if (++s.entries > VH_SOURCE_SEARCH_ENTRIES)
		return FTW_STOP;
	if (type == FTW_D || type == FTW_DNR) {
		const char *base = path + ftw->base;

		if (ftw->level >= VH_SOURCE_SEARCH_DEPTH || !strcmp(base, ".git"))
			return FTW_SKIP_SUBTREE;
		return FTW_CONTINUE;
	}
	if (type != FTW_F || strcmp(path + ftw->base, s.name))
		return FTW_CONTINUE;
	if (!s.best || ftw->level < s.best_depth ||
	    (ftw->level == s.best_depth && strcmp(path, s.best) < 0)) {
		char *p = strdup(path);

		if (p) {
			free(s.best);
			s.best = p;
			s.best_depth = ftw->level;
		}
	}
	return FTW_CONTINUE;
}

char *vh_source__repo_path(const char *file, const char *root)
{
	const char *slash = file ? strrchr(file, '/') : NULL;
	char *found, *rel;

	if (!file || !*file)
		return NULL;
	if (!root)
		root = getenv("GITHUB_WORKSPACE");
	if (!root || !*root)
		root = ".";
	memset(&s, 0, sizeof(s));
	s.name = slash ? slash + 1 : file;
	s.root_len = strlen(root);
	nftw(root, visit, 16, FTW_PHYS | FTW_ACTIONRETVAL);
	found = s.best;
	s.best = NULL;
	if (!found)
		return NULL;
	/* found starts with root: the rest, without the '/' */
	rel = found + s.root_len;
	while (*rel == '/')
		rel++;
	rel = strdup(rel);
	free(found);
	return rel;
}

/* "file.bpf.c:12" -> the file part's length, 0 when there is no ":LINE" */
static size_t file_part(const char *source)
{
	const char *colon = source ? strrchr(source, ':') : NULL;

	return colon && colon != source && colon[1] ? (size_t)(colon - source) : 0;
}

int vh_source__relative_set(struct vh_result_set *dst, const struct vh_result_set *set)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < set->n; i++) {
		const struct vh_result *r = &set->v[i];
		size_t len = file_part(r->source);
		struct vh_result *copy;
		char *file, *rel, *src;

		if (vh_result_set__append(dst, r))
			return -ENOMEM;
		if ((r->verdict != VH_FAIL && r->verdict != VH_ERROR) || !len)
			continue;
		copy = &dst->v[dst->n - 1];
		file = strndup(r->source, len);
		rel = file ? vh_source__repo_path(file, NULL) : NULL;
		if (rel && asprintf(&src, "%s%s", rel, r->source + len) >= 0) {
			free(copy->source);
			copy->source = src;
		}
		free(rel);
		free(file);
	}
	return 0;
}
