// SPDX-License-Identifier: BSD-2-Clause
/* verify_progress.c: a live line of host verification (verify_progress.h). */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "term_line.h"
#include "verify_progress.h"

#define FIRST_AFTER_S 0.5 /* a run shorter than this shows nothing */
#define TTY_EVERY_S 0.1
#define PLAIN_EVERY_S 5.0

void vh_progress__start(struct vh_progress *p, FILE *f, enum vh_progress_mode mode, int total)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	p->tty = isatty(fileno(f));
	p->on = mode != VH_PROGRESS_NEVER && (p->tty || mode == VH_PROGRESS_ALWAYS) && total > 0;
	p->total = total;
	p->t0 = vh_now_s();
	p->last = p->t0 - PLAIN_EVERY_S; /* the first line may come at FIRST_AFTER_S */
}

/* The last two parts of a path: enough to know the object, short enough for a line. */
static const char *short_path(const char *path)
{
	const char *s = path + strlen(path);
	int slashes = 0;

	while (s > path && !(s[-1] == '/' && ++slashes == 2))
		s--;
	return s;
}

void vh_progress__update(struct vh_progress *p, int done, const char *object)
{
	double t = vh_now_s();

	if (!p->on || t - p->t0 < FIRST_AFTER_S ||
	    t - p->last < (p->tty ? TTY_EVERY_S : PLAIN_EVERY_S))
		return;
	/* a line that would read the same is not drawn again */
	if (p->drawn && done == p->last_done && (long)(t - p->t0) == (long)(p->last - p->t0))
		return;
	p->last = t;
	p->last_done = done;
	if (p->tty) {
		fputs("\r\033[K", p->f);
		/* vh_term__line ends the line: the cursor goes back up over it */
		vh_term__line(p->f, vh_term__width(fileno(p->f)) - 1,
			      "verify: %d/%d programs  %s  %.0f s", done, p->total,
			      object ? short_path(object) : "", t - p->t0);
		fputs("\033[A", p->f);
		p->drawn = true;
	} else {
		vh_term__line(p->f, VH_TERM_DEFAULT_WIDTH, "verify: %d/%d programs, %.0f s, %s",
			      done, p->total, t - p->t0, object ? object : "");
	}
	fflush(p->f);
}

void vh_progress__end(struct vh_progress *p)
{
	if (p->on && p->tty && p->drawn) {
		fputs("\r\033[K", p->f);
		fflush(p->f);
	}
	p->drawn = false;
}
