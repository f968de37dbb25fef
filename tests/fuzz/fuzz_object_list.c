// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_object_list.c: libFuzzer target for opening a hostile BPF object the way
 * `bpfgate verify` does before loading anything: file checks, libbpf's ELF and
 * BTF parsing, listing programs, their expectation tags and type guesses, and
 * the subset of the kernel BTF its CO-RE relocations reach (core_btf.h).
 *
 * Properties beyond "no crash, no leak": an error always has a one-line cause
 * and no programs; a success lists named programs; a subset is valid BTF.
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

#include "core_btf.h"
#include "expect.h"
#include "object_verify.h"
#include "prog_type.h"
#include "fuzz_common.h"


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

/* The running kernel's BTF, when there is one, stands for the kernel's. */
static struct vh_core_btf *core_btf;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	libbpf_set_print(quiet);
	vh_core_btf__open(NULL, &core_btf);
	return 0;
}

static void check_subset(const char *path)
{
	const char *sub = vh_core_btf__path_for(core_btf, path);
	struct btf *btf;

	if (!sub)
		return;
	check(!strncmp(sub, "/proc/self/fd/", 14));
	btf = btf__parse(sub, NULL);
	check(btf != NULL);
	btf__free(btf);
	/* the same object again: the same answer */
	check(vh_core_btf__path_for(core_btf, path) == sub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_verify_opts opts = { 0 };
	struct vh_prog_ref *progs = NULL;
	char path[64], errbuf[512] = "";
	struct btf *btf;
	int fd, n;

	fd = fuzz_input_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	n = vh_object__list_in_process(path, &opts, &progs, errbuf, sizeof(errbuf));
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
		check_subset(path);
	}
	close(fd);
	return 0;
}
