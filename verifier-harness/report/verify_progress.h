/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify_progress.h: how far host verification of many objects has come.
 *
 * On a terminal, one line on stderr rewritten in place, at most ten times a
 * second: "verify: 120/704 programs  bcc/biolatency.bpf.o  12 s", cut to the
 * terminal's width, and erased when the run ends (the results follow). Off a
 * terminal, only when asked (--progress always): a plain line after half a
 * second, then every five seconds. Nothing for runs that end within half a
 * second, and never on stdout (the JSON).
 */
#ifndef BPFGATE_VERIFY_PROGRESS_H
#define BPFGATE_VERIFY_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

enum vh_progress_mode {
	VH_PROGRESS_AUTO,   /* on a terminal */
	VH_PROGRESS_ALWAYS, /* also plain lines off a terminal */
	VH_PROGRESS_NEVER,
};

struct vh_progress {
	FILE *f;
	bool tty, on;
	int total, last_done;
	double t0, last;  /* start, last line drawn (seconds, monotonic) */
	bool drawn;       /* a tty line is on the screen */
};

/* Start: total programs, shown on f (stderr) according to mode. */
void vh_progress__start(struct vh_progress *p, FILE *f, enum vh_progress_mode mode, int total);
/* done programs finished, object the one being verified (NULL: none). */
void vh_progress__update(struct vh_progress *p, int done, const char *object);
/* Erase the line (a terminal); call before printing the results. */
void vh_progress__end(struct vh_progress *p);

#endif
