// SPDX-License-Identifier: BSD-2-Clause
/* line_info.c: source location from BTF line info (kernels without "@ file:line"). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "elf_check.h"
#include "line_info.h"

/* .BTF.ext as clang writes it (include/uapi/linux/btf.h has no copy of it). */
struct ext_header {
	__u16 magic;
	__u8 version;
	__u8 flags;
	__u32 hdr_len;
	__u32 func_info_off;
	__u32 func_info_len;
	__u32 line_info_off;
	__u32 line_info_len;
};

#define BTF_EXT_MAGIC 0xeB9F
#define LINE_NUM(line_col) ((line_col) >> 10)

/* One info subsection: a record size, then per ELF section a name, a count and
 * that many records. Offsets in records are bytes from the section start. */
struct info_iter {
	const __u8 *p, *end;
	__u32 rec_size;
	/* the current section */
	const char *sec;
	const __u8 *recs;
	__u32 nrecs;
};

struct best {
	int tier; /* lower is better; 3 = none yet */
	const char *file;
	const char *line_text;
	__u32 line;
};

static int info_iter__init(struct info_iter *it, const void *raw, __u32 size, __u32 off,
			   __u32 len, __u32 min_rec)
{
	const struct ext_header *h = raw;
	__u64 start;

	memset(it, 0, sizeof(*it));
	if (size < sizeof(*h) || h->magic != BTF_EXT_MAGIC || h->hdr_len < sizeof(*h) ||
	    h->hdr_len > size)
		return -ENOENT;
	start = (__u64)h->hdr_len + off;
	if (len < sizeof(__u32) || start + len > size)
		return -ENOENT;
	it->p = (const __u8 *)raw + start;
	it->end = it->p + len;
	memcpy(&it->rec_size, it->p, sizeof(__u32));
	it->p += sizeof(__u32);
	if (it->rec_size < min_rec || it->rec_size > 1024)
		return -ENOENT;
	return 0;
}

/* The next section's records; false at the end or on a malformed header. */
static bool info_iter__next(struct info_iter *it, const struct btf *btf)
{
	__u32 hdr[2];

	if ((size_t)(it->end - it->p) < sizeof(hdr))
		return false;
	memcpy(hdr, it->p, sizeof(hdr));
	it->p += sizeof(hdr);
	if ((__u64)hdr[1] * it->rec_size > (__u64)(it->end - it->p))
		return false;
	it->sec = btf__str_by_offset(btf, hdr[0]);
	it->recs = it->p;
	it->nrecs = hdr[1];
	it->p += (size_t)hdr[1] * it->rec_size;
	return true;
}

static __u32 rec_u32(const struct info_iter *it, __u32 i, int field)
{
	__u32 v;

	memcpy(&v, it->recs + (size_t)i * it->rec_size + field * sizeof(__u32), sizeof(v));
	return v;
}

/* [start, end) in bytes of prog_name's function inside section, from func info. */
static int func_range(const struct btf *btf, const void *raw, __u32 size, const char *section,
		      const char *prog_name, __u32 *start, __u32 *end)
{
	const struct ext_header *h = raw;
	struct info_iter it;
	bool found = false;

	if (!section || !prog_name ||
	    info_iter__init(&it, raw, size, h->func_info_off, h->func_info_len, 8))
		return -ENOENT;
	while (info_iter__next(&it, btf)) {
		if (!it.sec || strcmp(it.sec, section))
			continue;
		for (__u32 i = 0; i < it.nrecs && !found; i++) {
			const struct btf_type *t = btf__type_by_id(btf, rec_u32(&it, i, 1));
			const char *name = t ? btf__name_by_offset(btf, t->name_off) : NULL;

			if (name && !strcmp(name, prog_name)) {
				*start = rec_u32(&it, i, 0);
				found = true;
			}
		}
		if (!found)
			continue;
		*end = UINT32_MAX;
		for (__u32 i = 0; i < it.nrecs; i++) {
			__u32 off = rec_u32(&it, i, 0);

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

/* Line `line` (1-based) of the file, or NULL. */
static char *read_line(const char *path, __u32 line)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *res = NULL;
	size_t cap = 0;
	__u32 n = 0;

	if (!f)
		return NULL;
	while (getline(&buf, &cap, f) >= 0)
		if (++n == line) {
			res = trimmed(buf);
			break;
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

static void make_printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

int vh_line_info__locate(const char *obj_path, const char *section, const char *prog_name,
			 const char *hint_text, char **file_line, char **text)
{
	struct btf_ext *ext = NULL;
	struct btf *btf = NULL;
	struct best best = { .tier = 3 };
	struct info_iter it;
	const struct ext_header *h;
	const void *raw;
	__u32 size = 0, fstart = 0, fend = 0;
	bool have_range;
	const char *base;
	int err = -ENOENT;

	if (!file_line || !text)
		return -EINVAL;
	*file_line = NULL;
	*text = NULL;
	if (!obj_path || !hint_text || !hint_text[strspn(hint_text, " \t")])
		return -ENOENT;

	if (vh_elf__check_btf_sections(obj_path, (char[160]){ 0 }, 160))
		goto cleanup;
	btf = btf__parse_elf(obj_path, &ext);
	if (!btf || !ext)
		goto cleanup;
	raw = btf_ext__raw_data(ext, &size);
	if (!raw || size < sizeof(*h))
		goto cleanup;
	h = raw;
	have_range = !func_range(btf, raw, size, section, prog_name, &fstart, &fend);
	if (info_iter__init(&it, raw, size, h->line_info_off, h->line_info_len, 16))
		goto cleanup;

	while (info_iter__next(&it, btf)) {
		bool in_sec = it.sec && section && !strcmp(it.sec, section);

		for (__u32 i = 0; i < it.nrecs; i++) {
			__u32 off = rec_u32(&it, i, 0);
			const char *file = btf__str_by_offset(btf, rec_u32(&it, i, 1));
			const char *src = btf__str_by_offset(btf, rec_u32(&it, i, 2));
			int tier = !in_sec ? 2 : have_range && off >= fstart && off < fend ? 0 : 1;

			if (tier >= best.tier || !file || !src || !file[0] ||
			    !same_text(src, hint_text))
				continue;
			best.tier = tier;
			best.file = file;
			best.line_text = src;
			best.line = LINE_NUM(rec_u32(&it, i, 3));
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
	make_printable(*file_line);
	make_printable(*text);
	err = 0;
cleanup:
	btf_ext__free(ext);
	btf__free(btf);
	return err;
}
