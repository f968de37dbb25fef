// SPDX-License-Identifier: BSD-2-Clause
/* main.c: bpfgate's command table, --help and --version. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "commands.h"
#include "diag.h"
#include "out_file.h"

#ifndef BPFGATE_VERSION
#define BPFGATE_VERSION "0.0.0"
#endif

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	const char *summary;
};

static const struct cmd cmds[] = {
	{ "verify", do_verify, "verify every program of BPF objects (host kernel or VMs)" },
	{ "explain", do_explain, "show why the verifier rejected a program, at its source line" },
	{ "compare", do_compare, "statistics deltas between two results; exit 1 on regression" },
	{ "merge", do_merge, "report and gate the results of several runs as one (sharded CI)" },
	{ "baseline", do_baseline, "update a baseline with the results of some kernels" },
	{ "kernel", do_kernel, "manage the kernel cache (fetch, list, path)" },
	{ "init", do_init, "write a commented bpfgate.conf for a folder of programs" },
	{ "config", do_config, "read a project's bpfgate.conf (check, get KEY, make)" },
	{ "core-check", do_core_check, "check CO-RE relocations against kernels' BTF, offline" },
	{ "steps", do_steps, "run verify steps in one process, results framed (a VM's guest)" },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: bpfgate COMMAND [OPTIONS] [ARGS]\n"
		   "       bpfgate --help | --version\n\n"
		   "Build-and-verify gate for eBPF programs: runs the kernel verifier on every\n"
		   "program of BPF objects, on the host kernel or in VMs of other kernels.\n\n"
		   "Commands:\n");
	for (const struct cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'bpfgate COMMAND --help' describes a command.\n"
		   "Exit status: 0 all passed, 1 a program failed or regressed, 2 usage, input or\n"
		   "environment error.\n");
}

static void version(void)
{
	printf("bpfgate %s\nlibbpf %s\n", BPFGATE_VERSION, libbpf_version_string());
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;

	/* before anything opens a file: none may land on a closed stdout */
	vh_out_file__guard_std();
	/* Blocks of 1 MiB and more (verifier logs, the kernel BTF skeleton) are
	 * mapped on their own: freeing one gives its memory back, and a new one is
	 * zero pages that count only where the kernel writes a log. Set, so that
	 * glibc does not raise it as such blocks are freed, which would put the
	 * next one in the heap and have calloc clear all of it. */
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	vh_diag__set_verbosity(0);
	if (!name) {
		usage(stderr);
		return VH_EXIT_USAGE;
	}
	if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
		usage(stdout);
		return VH_EXIT_OK;
	}
	if (!strcmp(name, "--version") || !strcmp(name, "-V") || !strcmp(name, "version")) {
		version();
		return VH_EXIT_OK;
	}
	for (const struct cmd *c = cmds; c->name; c++)
		if (!strcmp(name, c->name))
			return c->func(argc - 1, argv + 1);
	vh_err(name, "unknown command (try 'bpfgate --help')");
	return VH_EXIT_USAGE;
}
