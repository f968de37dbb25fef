// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_explain.c: libFuzzer target for the rejection analysis of bpfgate explain,
 * which reads whatever a kernel wrote.
 *
 * Properties checked beyond "no crash, no leak, no read past the NUL":
 *   - no more steps and branches than asked for, the failing instruction last;
 *   - every text is one line (nothing of the log spills into another line);
 *   - registers are R0..R10 and stack slots fp-N, at most 16 of them;
 *   - a branch was taken exactly when the next instruction is not the one after it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "explain.h"
#include "fuzz_common.h"

static void one_line(const char *s)
{
	check(!s || !strchr(s, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *log = malloc(size + 1);
	struct vh_explain ex;

	if (!log)
		return 0;
	memcpy(log, data, size);
	log[size] = '\0';
	if (vh_explain__analyze(log, 12, 5, &ex) == 0) {
		check(ex.nsteps <= 12 && ex.nbranches <= 5 && ex.nstack <= 16 && ex.nregs <= 11);
		check(ex.nbranches <= ex.branches_total && ex.nsteps <= ex.path_len);
		check((ex.failed_insn < 0) == !ex.failed_text);
		if (ex.nsteps)
			check(ex.steps[ex.nsteps - 1].insn == ex.failed_insn);
		one_line(ex.failed_text);
		for (size_t i = 0; i < ex.nsteps; i++) {
			one_line(ex.steps[i].text);
			one_line(ex.steps[i].source);
			one_line(ex.steps[i].file_line);
		}
		for (size_t i = 0; i < ex.nregs; i++) {
			check(ex.regs[i].name[0] == 'R');
			one_line(ex.regs[i].value);
		}
		for (size_t i = 0; i < ex.nstack; i++) {
			check(!strncmp(ex.stack[i].name, "fp-", 3));
			one_line(ex.stack[i].value);
		}
		for (size_t i = 0; i < ex.nbranches; i++) {
			const struct vh_explain_branch *b = &ex.branches[i];

			check(b->taken == (b->next != b->insn + 1) && b->count >= 1);
			one_line(b->text);
			one_line(b->source);
		}
	}
	vh_explain__free(&ex);
	free(log);
	return 0;
}
