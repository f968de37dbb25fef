// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_project_config.c: libFuzzer target for bpfgate.conf, a project's config
 * (vh_project_config__load). The file comes with any repository: untrusted.
 *
 * Properties beyond "no crash, no leak": a config either loads or fails with
 * one line "FILE:LINE: ..." (or "FILE: ...") and nothing kept; every path it
 * yields stays under the file's folder (no absolute path, no ".." component);
 * values are within their ranges; no path or flag holds a shell character; the
 * match of any program is well-formed.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "project_config.h"

#define ROOT "/proc/self/fd"
/* nothing that reaches make's recipes may make the shell run something */
#define SHELL_CHARS "`$;&|<>()\\"

static void check_path(const char *p)
{
	if (!p)
		return;
	check(!strncmp(p, ROOT, strlen(ROOT)));
	check(!strstr(p, "/../") && !strstr(p, "/./") && !strstr(p, "//"));
	check(!strpbrk(p, " \t\n\"'" SHELL_CHARS));
}

static void check_paths(const char *s)
{
	char buf[VH_PCONF_MAX_LINE * 8], *tok, *save = NULL;

	if (!s)
		return;
	check(strlen(s) < sizeof(buf));
	strcpy(buf, s);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		check_path(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_project_config conf;
	struct vh_pconf_match m;
	char path[64], errbuf[256] = "";
	int fd = fuzz_input_file(data, size, path, sizeof(path)), err;

	if (fd < 0)
		return 0;
	err = vh_project_config__load(&conf, path, errbuf, sizeof(errbuf));
	close(fd);
	if (err) {
		check(errbuf[0] && !strchr(errbuf, '\n'));
		check(!strncmp(errbuf, path, strlen(path)));
		check(!conf.path && !conf.nprogs && !conf.ntests);
		return 0;
	}
	check(!strcmp(conf.root, ROOT));
	check_path(conf.programs);
	check_path(conf.baseline);
	check_path(conf.kernels_conf);
	check_paths(conf.includes);
	check(!conf.cflags || !strpbrk(conf.cflags, SHELL_CHARS));
	check(!conf.has_max_growth || (conf.max_growth >= 0 && conf.max_growth <= 1000));
	check(!conf.has_max_share || (conf.max_share >= 0 && conf.max_share <= 100));
	check(conf.allow_removed >= -1 && conf.allow_removed <= 1);
	check(conf.nprogs <= VH_PCONF_MAX_PROGRAMS && conf.ntests <= VH_PCONF_MAX_TESTS);
	for (size_t i = 0; i < conf.ntests; i++) {
		check(conf.tests[i].name[0] && strlen(conf.tests[i].name) <= VH_PCONF_MAX_NAME);
		check_path(conf.tests[i].exe);
		check(conf.tests[i].timeout >= 0 && conf.tests[i].timeout <= 86400);
	}
	for (size_t i = 0; i < conf.nprogs; i++) {
		check(conf.progs[i].glob[0]);
		check(conf.progs[i].exclude >= -1 && conf.progs[i].exclude <= 1);
		check(!conf.progs[i].cflags || !strpbrk(conf.progs[i].cflags, SHELL_CHARS));
		/* a section's own glob, taken as a name, matches at least that section */
		check(!vh_project_config__match(&conf, conf.progs[i].glob, "f", &m));
		check(m.exclude >= -1 && m.exclude <= 1);
		free(m.cflags);
	}
	vh_project_config__free(&conf);
	return 0;
}
