// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_line_info.c: libFuzzer target for the BTF line-info lookup on hostile objects.
 * The input is written to a memfd and opened by path, as bpfgate opens an object.
 *
 * Properties checked beyond "no crash, no leak":
 *   - success gives both outputs, file_line is "NAME:NUMBER", neither has a newline;
 *   - failure gives neither.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "line_info.h"
#include "fuzz_common.h"


static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	libbpf_set_print(quiet);
	return 0;
}

/* Texts the corpus objects have, so that valid inputs reach the lookup's end. */
static const char *const hints[] = { "*v += 1;", "return XDP_PASS;", "}", "x" };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], *fl = NULL, *text = NULL, *colon;
	int fd = fuzz_input_file(data, size, path, sizeof(path));
	int err;

	if (fd < 0)
		return 0;
	err = vh_line_info__locate(path, size % 2 ? "xdp" : ".text", "null_map_value",
				   hints[size % 4], &fl, &text);
	if (!err) {
		check(fl && text && !strchr(fl, '\n') && !strchr(text, '\n'));
		colon = strrchr(fl, ':');
		check(colon && colon[1] >= '0' && colon[1] <= '9');
	} else {
		check(!fl && !text && (err == -ENOENT || err == -ENOMEM));
	}
	free(fl);
	free(text);
	close(fd);
	return 0;
}
