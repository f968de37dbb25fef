/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * result_view.h: what of a result set is shown, in veristat's words: the
 * columns (-e), their order (-s), which results (-f) and how (-o).
 *
 * A column is a field of a result (file, prog, verdict, prog_type, kernel, ...)
 * or a statistic of the registry (stat_registry.h); each has veristat's names
 * and bpfgate's own, so `-e file,prog,verdict,insns -s insns -f verdict=failure`
 * reads as it does for veristat. The view only selects and orders what is
 * printed on stdout: the gate, the report files and the exit status always
 * cover every result.
 *
 * Filters, as veristat's:
 *   GLOB, FILEGLOB/PROGGLOB      the object's file name or the program's name
 *                                (GLOB: either; an empty side matches all)
 *   STAT OP N                    OP is one of == = != <> < <= > >=; a statistic
 *                                not reported matches no comparison
 *   verdict=success|failure|pass|fail|skip|error (and != ): failure is fail or error
 *   prog_type=GLOB, kernel=GLOB, section=GLOB, error_class=GLOB (and !=)
 *   !FILTER                      a result that matches it is not shown
 * Shown: no ! filter matches, and some name filter matches (when there is one),
 * and some other filter matches (when there is one).
 */
#ifndef BPFGATE_RESULT_VIEW_H
#define BPFGATE_RESULT_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"
#include "stat_registry.h"

enum vh_view_col {
	VH_COL_FILE,       /* the object's file name (veristat's file_name) */
	VH_COL_OBJECT,     /* the object's path as given */
	VH_COL_PROG,
	VH_COL_VERDICT,
	VH_COL_PROG_TYPE,
	VH_COL_KERNEL,
	VH_COL_SECTION,
	VH_COL_CLASS,      /* error_class */
	VH_COL_STATS,      /* VH_COL_STATS + vh_stat_id: a statistic */
	VH_COL_CNT = VH_COL_STATS + VH_STAT_CNT,
};

enum vh_view_format {
	VH_FORMAT_TEXT,  /* the short summary (no -o) */
	VH_FORMAT_TABLE,
	VH_FORMAT_CSV,
	VH_FORMAT_JSON,
};

#define VH_VIEW_MAX_COLS 64

struct vh_sort_key {
	int col;
	bool asc;
};

struct vh_filter;

struct vh_view {
	enum vh_view_format format;
	int cols[VH_VIEW_MAX_COLS]; /* -e, in order */
	size_t ncols;
	struct vh_sort_key sort[VH_VIEW_MAX_COLS];
	size_t nsort;
	struct vh_filter *filters;
	size_t nfilters;
};

/* The column named name (len bytes): bpfgate's or veristat's name; -1 if none. */
int vh_view__col_lookup(const char *name, size_t len);
/* The column's name in a CSV header: veristat's where it has one ("total_insns"). */
const char *vh_view__col_csv_name(int col);
/* The column's header in a terminal table ("INSNS", "TIME(us)") into buf. */
void vh_view__col_header(int col, char *buf, size_t len);
/* The statistic of a column, or -1 for a field. */
static inline int vh_view__col_stat(int col)
{
	return col >= VH_COL_STATS && col < VH_COL_CNT ? col - VH_COL_STATS : -1;
}
/* Where a column's string is kept in r (file and object: the object's path);
 * NULL for the verdict and the statistics. */
char **vh_view__col_field(int col, struct vh_result *r);
/* A field's text (NULL when the result has none); for a statistic, NULL. */
const char *vh_view__col_text(int col, const struct vh_result *r);

/*
 * Parse -e (comma-separated names), -s (names, each optionally followed by ^
 * for ascending or v, V, ., !, _ for descending, as veristat) and -f (one
 * filter; repeatable) into v. 0, or -EINVAL with the reason in errbuf
 * ("'foo' is not a statistic or field (names: ...)"), or -ENOMEM.
 */
int vh_view__emit(struct vh_view *v, const char *spec, char *errbuf, size_t errlen);
int vh_view__sort(struct vh_view *v, const char *spec, char *errbuf, size_t errlen);
int vh_view__filter(struct vh_view *v, const char *expr, char *errbuf, size_t errlen);
void vh_view__free(struct vh_view *v);

/* Whether the filters let r be shown. */
bool vh_view__shows(const struct vh_view *v, const struct vh_result *r);

/*
 * The results of set that the filters show, in the sort order (else set's own):
 * out shares set's strings and kernels; release it with vh_view__release(),
 * not vh_result_set__free(). 0 or -ENOMEM.
 */
int vh_view__apply(const struct vh_view *v, const struct vh_result_set *set,
		   struct vh_result_set *out);
void vh_view__release(struct vh_result_set *out);

/* The columns of the CSV output without -e: veristat's own CSV columns that
 * bpfgate records, with the kernel first when the set has several. Returns n. */
size_t vh_view__csv_default(const struct vh_result_set *set, int cols[VH_VIEW_MAX_COLS]);

#endif
