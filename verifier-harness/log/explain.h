/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain.h: what a developer needs from a verifier log to fix a rejection.
 *
 * From the instruction trace of a log (level 1|2) it keeps the path the
 * verifier was walking when it failed: a "from X to Y" line (a branch pushed
 * earlier, popped after the previous path ended) cuts the path back to the
 * jump at X, so what is left leads to the failing instruction. From that path:
 * the last instructions with their source annotations, the branch decisions
 * (a conditional jump followed by anything but the next instruction was
 * taken), and the register and stack state before the failing instruction,
 * rebuilt from the last full state line and the changes printed after each
 * instruction since ("; R2=fp-4"), limited to the registers that instruction
 * uses. Every kernel from 5.10 to 7.x writes the trace this way; a log cut at
 * its start (old kernels keep the start of a log that does not fit, new ones
 * the end) gives a shorter path, never a wrong one.
 */
#ifndef BPFGATE_EXPLAIN_H
#define BPFGATE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

/* One instruction of the path and the source line it came from. */
struct vh_explain_step {
	long insn;
	char *text;      /* "r1 = *(u64 *)(r0 +0)", without the "(79)" opcode */
	char *source;    /* the source text of its annotation, or NULL */
	char *file_line; /* "x.bpf.c:18" (6.x and later), or NULL */
};

/* A register or stack slot and what the verifier knew of it. */
struct vh_explain_reg {
	char *name;  /* "R0", "fp-8" */
	char *value; /* "map_value_or_null(id=1,map=hits,ks=4,vs=8)", NULL: not initialised */
};

/* A conditional jump on the path and which way the verifier went. */
struct vh_explain_branch {
	long insn;
	char *text;     /* "if r1 == 0x8 goto pc+1" */
	bool taken;     /* jumped (else fell through) */
	long next;      /* the instruction verified after it */
	size_t count;   /* the same decision this many times in a row (a loop) */
	char *source;
	char *file_line;
};

struct vh_explain {
	long failed_insn;        /* -1: no instruction trace in the log */
	char *failed_text;       /* the failing instruction, or NULL */
	size_t path_len;         /* instructions on the path (all of them) */
	struct vh_explain_step *steps; /* its last ones, the failing one last */
	size_t nsteps;
	struct vh_explain_reg *regs;   /* registers the failing instruction uses */
	size_t nregs;
	struct vh_explain_reg *stack;  /* stack slots, when it uses the stack */
	size_t nstack;
	struct vh_explain_branch *branches; /* the last branch decisions, oldest first */
	size_t nbranches;
	size_t branches_total;   /* decisions on the whole path (each repeat counted) */
};

/*
 * Analyse log (any text; NULL is an empty log), keeping at most max_steps steps
 * and max_branches branches. 0, or -ENOMEM. ex is zeroed first; free it with
 * vh_explain__free() in every case.
 */
int vh_explain__analyze(const char *log, size_t max_steps, size_t max_branches,
			struct vh_explain *ex);
void vh_explain__free(struct vh_explain *ex);

#endif
