// SPDX-License-Identifier: BSD-2-Clause
/*
 * eu_search.c: the four search-tree functions that Debian's static libelf.a (elfutils
 * 0.192) calls but does not contain (they live in elfutils' internal libeu, which is
 * not packaged). Linked only into bpfgate.static, which is single-threaded, so the
 * tree's lock (the member after root) is left alone.
 */
#include <search.h>
#include <stddef.h>

struct vh_eu_tree {
	void *root; /* first member of elfutils' search_tree */
};

void eu_search_tree_init(struct vh_eu_tree *tree);
void eu_search_tree_fini(struct vh_eu_tree *tree);
void *eu_tsearch(const void *key, struct vh_eu_tree *tree,
		 int (*compare)(const void *, const void *));
void *eu_tdelete(const void *key, struct vh_eu_tree *tree,
		 int (*compare)(const void *, const void *));

void eu_search_tree_init(struct vh_eu_tree *tree)
{
	tree->root = NULL;
}

/* libelf frees the nodes itself before this */
void eu_search_tree_fini(struct vh_eu_tree *tree)
{
	(void)tree;
}

void *eu_tsearch(const void *key, struct vh_eu_tree *tree,
		 int (*compare)(const void *, const void *))
{
	return tsearch(key, &tree->root, compare);
}

void *eu_tdelete(const void *key, struct vh_eu_tree *tree,
		 int (*compare)(const void *, const void *))
{
	return tdelete(key, &tree->root, compare);
}
