/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * source_path.h: where a result's source file is in the repository.
 *
 * A result's source is "file.bpf.c:LINE" (the name BTF line info gives). CI
 * annotations need the path from the repository's root ("programs/file.bpf.c"),
 * so the file is looked for under the root: $GITHUB_WORKSPACE, else the current
 * folder. The search is bounded (depth, entries) and skips .git; the shallowest
 * match wins (then the first in name order); no match keeps the name as it is.
 */
#ifndef BPFGATE_SOURCE_PATH_H
#define BPFGATE_SOURCE_PATH_H

#define VH_SOURCE_SEARCH_DEPTH 8
#define VH_SOURCE_SEARCH_ENTRIES 200000

/* The repository-relative path of file (a name, or a path as given) under root
 * (NULL: $GITHUB_WORKSPACE or "."), malloc'd; NULL when not found (or no memory). */
char *vh_source__repo_path(const char *file, const char *root);

/* A copy of set in which the source of every failure is repository-relative
 * ("programs/file.bpf.c:LINE"). 0 or -ENOMEM; free dst with vh_result_set__free. */
struct vh_result_set;
int vh_source__relative_set(struct vh_result_set *dst, const struct vh_result_set *set);

#endif
