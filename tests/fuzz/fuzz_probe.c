// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_probe.c: libFuzzer target for reading a feature probe (untrusted: a VM
 * guest's probe section, a --probe file, the probe in a result file).
 *
 * Properties checked beyond "no crash, no leak, no UB":
 *   - a rejected input gets a one-line, non-empty reason and leaves nothing behind;
 *   - an accepted input, written (compact and pretty), reads back equal, and its
 *     compact text is a fixed point (written again, the same bytes);
 *   - a copy is equal to the original.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "fuzz_common.h"

static void read_back(const struct vh_probe *p, bool pretty)
{
	struct vh_probe back;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	check(f);
	check(vh_probe__write_json(f, p, pretty) == 0);
	fclose(f);
	check(vh_probe__parse(buf, len, &back, err, sizeof(err)) == 0);
	check(vh_probe__equal(p, &back));
	vh_probe__clear(&back);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_probe p, again, *copy;
	char err[256], *text, *text2;

	err[0] = '\0';
	if (vh_probe__parse((const char *)data, size, &p, err, sizeof(err))) {
		check(err[0] && !strchr(err, '\n'));
		check(!p.kernel && !p.prog_types.v && !p.map_types.v && !p.helpers);
		return 0;
	}
	read_back(&p, false);
	read_back(&p, true);
	check(vh_probe__to_text(&p, &text) == 0);
	check(vh_probe__parse(text, strlen(text), &again, err, sizeof(err)) == 0);
	check(vh_probe__to_text(&again, &text2) == 0);
	check(!strcmp(text, text2));
	copy = vh_probe__dup(&p);
	check(copy && vh_probe__equal(copy, &p));
	/* the lists answer what they hold */
	for (size_t i = 0; i < p.prog_types.n; i++)
		check(vh_probe_names__has(&copy->prog_types, p.prog_types.v[i]));
	vh_probe__free(copy);
	vh_probe__clear(&again);
	vh_probe__clear(&p);
	free(text);
	free(text2);
	return 0;
}
