/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stat_registry.h: every verifier statistic, described once.
 *
 * vh_stat_defs[] has one row per field of struct vh_stats, in the order of the
 * JSON result contract: its JSON key, veristat's names for it (so that -e, -s,
 * -f and veristat's CSV read the same words), its title and unit for the
 * human views, which views show it, whether lower is better, and what the
 * gate checks. The JSON writer and reader, the table, JUnit, Markdown and CSV
 * views, the comparison, the gate and the baseline iterate this table.
 *
 * Adding a statistic: a field in struct vh_stats (result.h), a row here, and
 * where it is parsed from the verifier's log (verifier_log.c).
 */
#ifndef BPFGATE_STAT_REGISTRY_H
#define BPFGATE_STAT_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

enum vh_stat_id {
	VH_STAT_INSNS,          /* insns_processed */
	VH_STAT_INSNS_LIMIT,    /* insns_limit */
	VH_STAT_STATES,         /* total_states */
	VH_STAT_PEAK_STATES,    /* peak_states */
	VH_STAT_MAX_STATES,     /* max_states_per_insn */
	VH_STAT_MARK_READ,      /* mark_read */
	VH_STAT_TIME,           /* verification_time_us */
	VH_STAT_STACK,          /* stack_depth */
	VH_STAT_PROG_INSNS,     /* prog_insns */
	VH_STAT_CNT,
};

/* the views that show a statistic (the JSON result and CSV carry every one) */
enum {
	VH_SHOW_TABLE = 1 << 0,   /* the terminal table and the Markdown summary */
	VH_SHOW_JUNIT = 1 << 1,   /* a testcase's <system-out> */
	VH_SHOW_COMPARE = 1 << 2, /* base, new and diff columns of a comparison */
};

/* what the gate checks of a statistic (compare.h) */
enum vh_stat_gate {
	VH_GATE_NONE,
	VH_GATE_GROWTH,          /* growth over the base beyond --max-growth; always */
	VH_GATE_GROWTH_OPTIONAL, /* growth beyond its own option's limit, when given */
};

#define VH_STAT_MAX_NAMES 3

struct vh_stat_def {
	enum vh_stat_id id;
	const char *json;   /* key in the JSON result, e.g. "insns_processed" */
	/* veristat's names, its CSV column first; NULL when veristat has none */
	const char *names[VH_STAT_MAX_NAMES];
	const char *title;  /* "Insns": the Markdown and comparison headers */
	const char *unit;   /* "us", or NULL */
	const char *what;   /* "insns processed": said in the gate's messages */
	size_t off;         /* offset in struct vh_stats */
	unsigned int show;  /* VH_SHOW_* */
	bool lower_is_better;
	bool in_baseline;   /* kept by 'bpfgate baseline update' (false: noisy) */
	enum vh_stat_gate gate;
	const char *gate_reason; /* the JSON reason of a regression, "insns_growth" */
	const char *gate_option; /* the option of its limit, "max-growth" */
};

extern const struct vh_stat_def vh_stat_defs[VH_STAT_CNT];

/* The value of a statistic (VH_STAT_UNKNOWN when not reported). */
static inline long vh_stats__get(const struct vh_stats *st, enum vh_stat_id id)
{
	return *(const long *)((const char *)st + vh_stat_defs[id].off);
}

static inline void vh_stats__set(struct vh_stats *st, enum vh_stat_id id, long v)
{
	*(long *)((char *)st + vh_stat_defs[id].off) = v;
}

/* The statistic whose JSON key or veristat name is name (len bytes of it); -1 if none. */
int vh_stat__lookup(const char *name, size_t len);

/* "TIME(us)" (the terminal table's header) into buf. */
void vh_stat__table_header(const struct vh_stat_def *d, char *buf, size_t len);
/* "Time (us)" (Markdown's header) into buf. */
void vh_stat__title(const struct vh_stat_def *d, char *buf, size_t len);

#endif
