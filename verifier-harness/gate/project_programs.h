/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * project_programs.h: the programs of a folder, named as compiler/bpf.mk names
 * them: NAME for each NAME.bpf.c, and NAME for each subfolder NAME/ holding
 * *.bpf.c files (one program over several files).
 */
#ifndef BPFGATE_PROJECT_PROGRAMS_H
#define BPFGATE_PROJECT_PROGRAMS_H

#include <stddef.h>

#define VH_PROGRAMS_MAX 4096

struct vh_program_list {
	char **names; /* sorted, each once */
	size_t n;
};

/* 0 (an empty list when DIR holds no program), or -errno (DIR unreadable). */
int vh_program_list__read(struct vh_program_list *list, const char *dir);
void vh_program_list__free(struct vh_program_list *list);

#endif
