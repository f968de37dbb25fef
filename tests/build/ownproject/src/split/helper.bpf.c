// SPDX-License-Identifier: GPL-2.0
/* split's second unit. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#ifndef FLAGGED
#error "the per-program flag -DFLAGGED=1 is missing"
#endif

__noinline int split_helper(void)
{
	return 0;
}
