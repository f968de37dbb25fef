// SPDX-License-Identifier: BSD-2-Clause
/* cmd_verify.c: bpfgate verify (placeholder until implemented). */
#include "commands.h"
#include "diag.h"

int do_verify(int argc, char **argv)
{
	(void)argc;
	vh_err(argv[0], "not implemented yet");
	return VH_EXIT_USAGE;
}
