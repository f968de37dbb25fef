/* SPDX-License-Identifier: BSD-2-Clause */
/* commands.h: the entry point of each bpfgate command (main.c dispatches). */
#ifndef BPFGATE_COMMANDS_H
#define BPFGATE_COMMANDS_H

/* Each returns the process exit status: 0 ok, 1 failure found, 2 usage/input/env error.
 * argv[0] is the command name. */
int do_verify(int argc, char **argv);
int do_compare(int argc, char **argv);
int do_kernel(int argc, char **argv);
int do_merge(int argc, char **argv);
int do_baseline(int argc, char **argv);
int do_init(int argc, char **argv);
int do_config(int argc, char **argv);
int do_core_check(int argc, char **argv);
int do_explain(int argc, char **argv);
int do_steps(int argc, char **argv);

#endif
