// SPDX-License-Identifier: BSD-2-Clause
/* clock.c: the one clock bpfgate measures durations and deadlines with. */
#include <time.h>

#include "clock.h"

double vh_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
