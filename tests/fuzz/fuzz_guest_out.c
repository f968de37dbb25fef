// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_guest_out.c: libFuzzer target for the framed channel a VM guest writes
 * back (vh_guest_out__parse in vm.c). The guest's kernel and everything in it
 * are untrusted: a panicking or hostile guest can write anything there.
 *
 * Properties beyond "no crash, no leak": every kept section is whole (its data
 * is LEN bytes and a NUL), step numbers are within their total, the highest
 * exit status is one of the sections', and a framing problem is one line.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm.h"
#include "fuzz_common.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_guest_out g;
	char path[64];
	int fd = fuzz_input_file(data, size, path, sizeof(path)), max_rc = -1;

	if (fd < 0)
		return 0;
	if (!vh_guest_out__parse(path, &g)) {
		check(g.nresults >= 0 && (g.nresults == 0 || g.results));
		for (int i = 0; i < g.nresults; i++) {
			const struct vh_guest_section *s = &g.results[i];

			check(s->data && s->data[s->len] == '\0');
			check(s->len <= size);
			check(s->step >= 0);
			if (s->rc > max_rc)
				max_rc = s->rc;
		}
		check(g.steps_started >= 0 && g.steps_started <= g.steps_total);
		check(g.verify_rc == max_rc || g.nresults == 0);
		check(memchr(g.problem, '\0', sizeof(g.problem)) && !strchr(g.problem, '\n'));
		check(memchr(g.release, '\0', sizeof(g.release)));
		vh_guest_out__free(&g);
	}
	close(fd);
	return 0;
}
