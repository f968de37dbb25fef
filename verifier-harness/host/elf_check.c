// SPDX-License-Identifier: BSD-2-Clause
/* elf_check.c: refuse BTF sections that libbpf would read out of bounds. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_check.h"

int vh_elf__check_btf_sections(const char *path, char *errbuf, size_t errlen)
{
	Elf_Scn *scn = NULL;
	struct stat st;
	size_t shstrndx;
	int fd, err = 0;
	Elf *elf;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || fstat(fd, &st) || elf_getshdrstrndx(elf, &shstrndx))
		goto cleanup;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || (strcmp(name, ".BTF") && strcmp(name, ".BTF.ext")))
			continue;
		if (sh.sh_type != SHT_PROGBITS || sh.sh_offset > (GElf_Off)st.st_size ||
		    sh.sh_size > (GElf_Off)st.st_size - sh.sh_offset) {
			snprintf(errbuf, errlen, "malformed BPF object: section %s has no data "
				 "inside the file", name);
			err = -EINVAL;
			break;
		}
	}
cleanup:
	if (elf)
		elf_end(elf);
	close(fd);
	return err;
}
