// SPDX-License-Identifier: BSD-2-Clause
/* cmd_compare.c: bpfgate compare (placeholder until implemented). */
#include "commands.h"
#include "diag.h"

int do_compare(int argc, char **argv)
{
	(void)argc;
	vh_err(argv[0], "not implemented yet");
	return VH_EXIT_USAGE;
}
