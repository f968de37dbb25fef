// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_verifier_log.c: libFuzzer target for the verifier-log parser and the error
 * classifier, which read whatever a kernel (or a VM guest) wrote.
 *
 * Properties checked beyond "no crash, no leak, no read past the NUL":
 *   - the error line is one non-empty line, and it is a line of the log;
 *   - a source hint's text is a line's part: no newline in text or file_line;
 *   - the failed instruction is -1 or a number from the log (>= 0);
 *   - the classifier always answers with a class of the vocabulary.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error_class.h"
#include "verifier_log.h"
#include "fuzz_common.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *log = malloc(size + 1), *e, *t, *text, *fl;
	const struct vh_error_class *c;
	struct vh_stats st;

	if (!log)
		return 0;
	memcpy(log, data, size);
	log[size] = '\0';

	vh_stats__init(&st);
	vh_log__parse_stats(log, &st);

	e = vh_log__error_line(log);
	if (e) {
		check(e[0] && !strchr(e, '\n'));
		check(strstr(log, e) != NULL);
	}
	free(e);
	free(vh_log__error_text(log));
	free(vh_log__messages(log));
	check(vh_log__failed_insn(log) >= -1);

	t = vh_log__tail(log, 1 + (size % 20));
	check(t != NULL);
	free(t);

	if (!vh_log__source_hint(log, &text, &fl)) {
		check(text && !strchr(text, '\n'));
		check(!fl || (!strchr(fl, '\n') && strchr(fl, ':')));
		free(text);
		free(fl);
	} else {
		check(!text && !fl);
	}

	c = vh_error__classify(log, -(int)(size % 140));
	check(c && vh_error__by_name(c->name) == c);
	free(log);
	return 0;
}
