// SPDX-License-Identifier: BSD-2-Clause
/* stat_registry.c: the table of verifier statistics and lookups in it. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "stat_registry.h"

#define OFF(field) offsetof(struct vh_stats, field)

/*
 * The order is the JSON contract's. veristat's names are those of its stat_defs:
 * "total_insns"/"insns", "duration"/"dur", "max_mark_read_len"/"mark_read",
 * "prog_size" (the instructions as loaded), "stack_depth"/"stack".
 */
#define ALL_VIEWS (VH_SHOW_TABLE | VH_SHOW_JUNIT | VH_SHOW_COMPARE)

const struct vh_stat_def vh_stat_defs[VH_STAT_CNT] = {
	[VH_STAT_INSNS] = {
		VH_STAT_INSNS, "insns_processed", { "total_insns", "insns" }, "Insns",
		.what = "insns processed", .off = OFF(insns_processed), .show = ALL_VIEWS,
		.lower_is_better = true, .in_baseline = true, .gate = VH_GATE_GROWTH,
		.gate_reason = "insns_growth", .gate_option = "max-growth",
	},
	[VH_STAT_INSNS_LIMIT] = {
		VH_STAT_INSNS_LIMIT, "insns_limit", {}, "Insn limit",
		.what = "insn limit", .off = OFF(insns_limit), .in_baseline = true,
	},
	[VH_STAT_STATES] = {
		VH_STAT_STATES, "total_states", { "total_states", "states" }, "States",
		.what = "total states", .off = OFF(total_states), .show = ALL_VIEWS,
		.lower_is_better = true, .in_baseline = true,
	},
	[VH_STAT_PEAK_STATES] = {
		VH_STAT_PEAK_STATES, "peak_states", { "peak_states" }, "Peak states",
		.what = "peak states", .off = OFF(peak_states),
		.show = VH_SHOW_JUNIT | VH_SHOW_COMPARE, .lower_is_better = true, .in_baseline = true,
	},
	[VH_STAT_MAX_STATES] = {
		VH_STAT_MAX_STATES, "max_states_per_insn", { "max_states_per_insn" },
		"Max states per insn", .what = "max states per insn", .off = OFF(max_states_per_insn),
		.lower_is_better = true, .in_baseline = true,
	},
	[VH_STAT_MARK_READ] = {
		VH_STAT_MARK_READ, "mark_read", { "max_mark_read_len", "mark_read" }, "Mark read",
		.what = "max mark read length", .off = OFF(mark_read), .lower_is_better = true,
		.in_baseline = true,
	},
	/* noisy (it follows the machine's load): shown, gated only when asked, and
	 * left out of a baseline */
	[VH_STAT_TIME] = {
		VH_STAT_TIME, "verification_time_us", { "duration", "dur" }, "Time", "us",
		.what = "verification time", .off = OFF(verification_time_us), .show = ALL_VIEWS,
		.lower_is_better = true, .gate = VH_GATE_GROWTH_OPTIONAL,
		.gate_reason = "time_growth", .gate_option = "max-time-growth",
	},
	[VH_STAT_STACK] = {
		VH_STAT_STACK, "stack_depth", { "stack_depth", "stack" }, "Stack",
		.what = "stack depth", .off = OFF(stack_depth),
		.show = VH_SHOW_TABLE | VH_SHOW_JUNIT, .lower_is_better = true, .in_baseline = true,
	},
	[VH_STAT_PROG_INSNS] = {
		VH_STAT_PROG_INSNS, "prog_insns", { "prog_size" }, "Prog insns",
		.what = "program instructions", .off = OFF(prog_insns), .show = VH_SHOW_JUNIT,
		.lower_is_better = true, .in_baseline = true,
	},
};

static bool is(const char *s, const char *name, size_t len)
{
	return s && strlen(s) == len && !strncmp(s, name, len);
}

int vh_stat__lookup(const char *name, size_t len)
{
	for (int i = 0; i < VH_STAT_CNT; i++) {
		if (is(vh_stat_defs[i].json, name, len))
			return i;
		for (int j = 0; j < VH_STAT_MAX_NAMES; j++)
			if (is(vh_stat_defs[i].names[j], name, len))
				return i;
	}
	return -1;
}

void vh_stat__table_header(const struct vh_stat_def *d, char *buf, size_t len)
{
	size_t i;

	snprintf(buf, len, "%s%s%s%s", d->title, d->unit ? "(" : "", d->unit ?: "",
		 d->unit ? ")" : "");
	/* the title upper-cased, the unit as it is */
	for (i = 0; buf[i] && i < strlen(d->title); i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
}

void vh_stat__title(const struct vh_stat_def *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", d->title, d->unit ? " (" : "", d->unit ?: "",
		 d->unit ? ")" : "");
}
