/* SPDX-License-Identifier: BSD-2-Clause */
/* clock.h: the one clock bpfgate measures durations and deadlines with. */
#ifndef BPFGATE_CLOCK_H
#define BPFGATE_CLOCK_H

/* Seconds on the monotonic clock (not wall time: it never jumps back). */
double vh_now_s(void);

#endif
