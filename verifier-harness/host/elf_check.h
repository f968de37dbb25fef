/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * elf_check.h: checks on an object's ELF before libbpf parses it.
 *
 * libbpf 1.4 trusts the section headers of .BTF and .BTF.ext: a .BTF.ext of
 * type NOBITS, or one that runs past the end of the file, makes btf__parse_elf()
 * copy from a NULL pointer (found by tests/fuzz/fuzz_line_info.c). bpfgate
 * refuses such objects itself, with a one-line cause.
 */
#ifndef BPFGATE_ELF_CHECK_H
#define BPFGATE_ELF_CHECK_H

#include <stddef.h>

/* 0 when the object's BTF sections have data inside the file; else -EINVAL and
 * the cause in errbuf. A file libelf cannot read is left for libbpf to judge. */
int vh_elf__check_btf_sections(const char *path, char *errbuf, size_t errlen);

#endif
