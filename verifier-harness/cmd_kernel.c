// SPDX-License-Identifier: BSD-2-Clause
/* cmd_kernel.c: bpfgate kernel (placeholder until implemented). */
#include "commands.h"
#include "diag.h"

int do_kernel(int argc, char **argv)
{
	(void)argc;
	vh_err(argv[0], "not implemented yet");
	return VH_EXIT_USAGE;
}
