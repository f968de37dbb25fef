// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_object_list.c: libFuzzer target for opening a hostile BPF object the way
 * `bpfgate verify` does before loading anything: file checks, libbpf's ELF and
 * BTF parsing, listing programs, and their expectation tags and type guesses.
 *
 * Properties beyond "no crash, no leak": an error always has a one-line cause
 * and no programs; a success lists named programs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "expect.h"
#include "object_verify.h"
#include "prog_type.h"

#define check(cond)                       \
	do {                              \
		if (!(cond))              \
			__builtin_trap(); \
	} while (0)

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	(void)fmt;
	(void)args;
	return 0;
}

/* libbpf trusts some sizes in the ELF and asks malloc for them; in a real run
 * malloc returns NULL and libbpf reports the object as malformed, which is what
 * ASan must let happen too. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	libbpf_set_print(quiet);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_verify_opts opts = { 0 };
	struct vh_prog_ref *progs = NULL;
	char path[64], errbuf[512] = "";
	struct btf *btf;
	int fd, n;

	fd = memfd_create("fuzz-object", 0);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = vh_object__list(path, &opts, &progs, errbuf, sizeof(errbuf));
	if (n < 0) {
		check(progs == NULL);
		check(errbuf[0] && !strchr(errbuf, '\n'));
	} else {
		for (int i = 0; i < n; i++)
			check(progs[i].program && progs[i].program[0]);
		/* what verify reads from BTF next: tags and the context type */
		btf = btf__parse_elf(path, NULL);
		for (int i = 0; btf && i < n; i++) {
			struct vh_expect e;
			enum bpf_prog_type type;
			enum bpf_attach_type attach;
			const char *why;

			vh_expect__read(btf, progs[i].program, &e);
			check(e.nmsgs >= 0 && e.nmsgs <= VH_EXPECT_MAX_MSGS);
			vh_prog_type__guess(btf, progs[i].program, &type, &attach, &why);
		}
		btf__free(btf);
		vh_prog_refs__free(progs, n);
	}
	close(fd);
	return 0;
}
