/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * term_line.h: lines a person reads, never wider than their terminal.
 *
 * The width is the terminal's (TIOCGWINSZ, else $COLUMNS) when the output is
 * one, else VH_TERM_DEFAULT_WIDTH, so that logs of CI runs stay readable too.
 */
#ifndef BPFGATE_TERM_LINE_H
#define BPFGATE_TERM_LINE_H

#include <stddef.h>
#include <stdio.h>

#define VH_TERM_DEFAULT_WIDTH 120
#define VH_TERM_MIN_WIDTH 40

/* Columns of the terminal on fd, or VH_TERM_DEFAULT_WIDTH off a terminal. */
size_t vh_term__width(int fd);

/* One line (the newline added): control characters made harmless
 * (vh_report__put_text) and cut to width columns with "..." at the end. */
void vh_term__line(FILE *f, size_t width, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Copy text (already made safe for a terminal; it may hold SGR colour sequences,
 * which take no column) to f, each line cut to width columns with "...". */
void vh_term__cut_lines(FILE *f, const char *text, size_t width);

#endif
