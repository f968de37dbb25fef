// SPDX-License-Identifier: BSD-2-Clause
/* line_info.c: source location from BTF line info (kernels without "@ file:line"). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_ext.h"
#include "elf_check.h"
#include "line_info.h"
#include "loader_crash.h"
#include "text_escape.h"

#define LINE_NUM(line_col) ((line_col) >> 10)

struct best {
	int tier; /* lower is better; 3 = none yet */
	const char *file;
	const char *line_text;
	__u32 line;
};

/* [start, end) in bytes of prog_name's function inside section, from func info. */
static int func_range(const struct btf *btf, const void *raw, __u32 size, const char *section,
		      const char *prog_name, __u32 *start, __u32 *end)
{
	struct vh_ext_iter it;
	bool found = false;

	if (!section || !prog_name || vh_ext_iter__init(&it, raw, size, VH_EXT_FUNC_INFO))
		return -ENOENT;
	while (vh_ext_iter__next(&it, btf)) {
		if (!it.sec || strcmp(it.sec, section))
			continue;
		for (__u32 i = 0; i < it.nrecs && !found; i++) {
			const struct btf_type *t = btf__type_by_id(btf, vh_ext_iter__u32(&it, i, 1));
			const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

			if (name && !strcmp(name, prog_name)) {
				*start = vh_ext_iter__u32(&it, i, 0);
				found = true;
			}
		}
		if (!found)
			continue;
		*end = UINT32_MAX;
		for (__u32 i = 0; i < it.nrecs; i++) {
			__u32 off = vh_ext_iter__u32(&it, i, 0);

			if (off > *start && off < *end)
				*end = off;
		}
		return 0;
	}
	return -ENOENT;
}

/* Equal once leading and trailing blanks are ignored on both sides. */
static bool same_text(const char *a, const char *b)
{
	size_t na, nb;

	a += strspn(a, " \t");
	b += strspn(b, " \t");
	na = strlen(a);
	nb = strlen(b);
	while (na && strchr(" \t\r\n", a[na - 1]))
		na--;
	while (nb && strchr(" \t\r\n", b[nb - 1]))
		nb--;
	return na == nb && !memcmp(a, b, na);
}

static char *trimmed(const char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		n--;
	return strndup(s, n);
}

/*
 * Line `line` (1-based) of the file, or NULL. The path comes from the object's
 * line info, which anyone can write: only a regular file is read, and no more
 * of it than its size, so that a FIFO, a terminal or an endless /proc file
 * named there cannot make bpfgate wait or read forever.
 */
static char *read_line(const char *path, __u32 line)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	FILE *f = NULL;
	char *buf = NULL, *res = NULL;
	size_t cap = 0;
	off_t left;
	ssize_t len;
	struct stat st;
	__u32 n = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 || !(f = fdopen(fd, "r"))) {
		close(fd);
		return NULL;
	}
	left = st.st_size;
	while (left > 0 && (len = getline(&buf, &cap, f)) >= 0) {
		left -= len;
		if (++n == line) {
			res = trimmed(buf);
			break;
		}
	}
	free(buf);
	fclose(f);
	return res;
}

/* The source file's line: the path as recorded, then next to the object. */
static char *source_line(const char *obj_path, const char *file, __u32 line)
{
	const char *slash = strrchr(obj_path, '/');
	char *path, *res;

	res = read_line(file, line);
	if (res || file[0] == '/' || !slash)
		return res;
	if (asprintf(&path, "%.*s/%s", (int)(slash - obj_path), obj_path, file) < 0)
		return NULL;
	res = read_line(path, line);
	free(path);
	return res;
}

int vh_line_info__locate(const char *obj_path, const char *section, const char *prog_name,
			 const char *hint_text, char **file_line, char **text)
{
	struct btf_ext *ext = NULL;
	struct btf *btf = NULL;
	struct best best = { .tier = 3 };
	struct vh_ext_iter it;
	const void *raw;
	__u32 size = 0, fstart = 0, fend = 0;
	bool have_range;
	const char *base;
	int err = -ENOENT, phase;

	if (!file_line || !text)
		return -EINVAL;
	*file_line = NULL;
	*text = NULL;
	if (!obj_path || !hint_text || !hint_text[strspn(hint_text, " \t")])
		return -ENOENT;

	if (vh_elf__check_btf_sections(obj_path, (char[160]){ 0 }, 160))
		goto cleanup;
	phase = vh_loader__enter(VH_IN_LIBBPF_BTF);
	btf = btf__parse_elf(obj_path, &ext);
	vh_loader__enter(phase);
	if (!btf || !ext)
		goto cleanup;
	raw = btf_ext__raw_data(ext, &size);
	if (!raw)
		goto cleanup;
	have_range = !func_range(btf, raw, size, section, prog_name, &fstart, &fend);
	if (vh_ext_iter__init(&it, raw, size, VH_EXT_LINE_INFO))
		goto cleanup;

	while (vh_ext_iter__next(&it, btf)) {
		bool in_sec = it.sec && section && !strcmp(it.sec, section);

		for (__u32 i = 0; i < it.nrecs; i++) {
			__u32 off = vh_ext_iter__u32(&it, i, 0);
			const char *file = btf__str_by_offset(btf, vh_ext_iter__u32(&it, i, 1));
			const char *src = btf__str_by_offset(btf, vh_ext_iter__u32(&it, i, 2));
			int tier = !in_sec ? 2 : have_range && off >= fstart && off < fend ? 0 : 1;

			if (tier >= best.tier || !file || !src || !file[0] ||
			    !same_text(src, hint_text))
				continue;
			best.tier = tier;
			best.file = file;
			best.line_text = src;
			best.line = LINE_NUM(vh_ext_iter__u32(&it, i, 3));
		}
	}
	if (best.tier == 3)
		goto cleanup;

	base = strrchr(best.file, '/');
	base = base ? base + 1 : best.file;
	err = -ENOMEM;
	if (asprintf(file_line, "%s:%u", base, best.line) < 0) {
		*file_line = NULL;
		goto cleanup;
	}
	*text = source_line(obj_path, best.file, best.line);
	if (!*text)
		*text = trimmed(best.line_text);
	if (!*text) {
		free(*file_line);
		*file_line = NULL;
		goto cleanup;
	}
	/* names and text come from the object: never let them break a line */
	vh_escape__controls(*file_line);
	vh_escape__controls(*text);
	err = 0;
cleanup:
	btf_ext__free(ext);
	btf__free(btf);
	return err;
}
