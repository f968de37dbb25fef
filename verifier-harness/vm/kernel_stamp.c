// SPDX-License-Identifier: BSD-2-Clause
/* kernel_stamp.c: write and check the stamp (sizes, SHA-256) of a kernel cache entry. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_stamp.h"
#include "sha256.h"
#include "strfmt.h"

#define STAMP_MAGIC "bpfgate-stamp 1"
#define MAX_DEPTH 16
#define MAX_FILES 200000

/* Called for each regular file (rel is relative to the entry); non-zero stops the walk. */
typedef int (*walk_fn)(const char *dir, const char *rel, const struct stat *st, void *ctx,
		       char *why, size_t len);

/* Every regular file under dir/rel except the stamp; anything else is an error. */
static int walk(const char *dir, const char *rel, int depth, walk_fn fn, void *ctx, char *why,
		size_t len)
{
	char p[PATH_MAX];
	struct dirent *de;
	int err = 0;
	DIR *d;

	if (depth > MAX_DEPTH)
		return vh_errf(why, len, -EBADMSG, "%s: folders nested too deep", rel);
	if ((size_t)snprintf(p, sizeof(p), "%s%s%s", dir, *rel ? "/" : "", rel) >= sizeof(p))
		return vh_errf(why, len, -ENAMETOOLONG, "%s: path too long", rel);
	d = opendir(p);
	if (!d)
		return vh_errf(why, len, -errno, "%s: %s", *rel ? rel : dir, strerror(errno));
	while (!err && (de = readdir(d))) {
		char r[PATH_MAX];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* the stamp itself, and the matrix's timings of the last run (not the kernel) */
		if (!*rel && (!strcmp(de->d_name, VH_STAMP_NAME) ||
			      !strcmp(de->d_name, "." VH_STAMP_NAME ".tmp") ||
			      !strncmp(de->d_name, "last-run-", 9)))
			continue;
		if ((size_t)snprintf(r, sizeof(r), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >=
		    sizeof(r)) {
			err = vh_errf(why, len, -ENAMETOOLONG, "%s: path too long", rel);
			break;
		}
		if (strchr(de->d_name, '\n')) {
			err = vh_errf(why, len, -EBADMSG, "a file name with a newline in %s", rel);
			break;
		}
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			err = vh_errf(why, len, -errno, "%s: %s", r, strerror(errno));
			break;
		}
		if (S_ISDIR(st.st_mode))
			err = walk(dir, r, depth + 1, fn, ctx, why, len);
		else if (S_ISREG(st.st_mode))
			err = fn(dir, r, &st, ctx, why, len);
		else
			err = vh_errf(why, len, -EBADMSG, "%s: %s", r,
				   S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file");
	}
	closedir(d);
	return err;
}

/* Hash dir/rel, never through a symbolic link. */
static int hash_file(const char *dir, const char *rel, char hex[65])
{
	char p[PATH_MAX];
	int fd, err;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, rel) >= sizeof(p))
		return -ENAMETOOLONG;
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	err = vh_sha256__fd(fd, hex);
	close(fd);
	return err;
}

struct writer {
	FILE *f;
	unsigned long count;
};

static int write_one(const char *dir, const char *rel, const struct stat *st, void *ctx,
		     char *why, size_t len)
{
	struct writer *w = ctx;
	char hex[65];
	int err = hash_file(dir, rel, hex);

	if (err)
		return vh_errf(why, len, err, "%s: %s", rel, strerror(-err));
	if (++w->count > MAX_FILES)
		return vh_errf(why, len, -EFBIG, "more than %d files", MAX_FILES);
	fprintf(w->f, "%lld %s %s\n", (long long)st->st_size, hex, rel);
	return 0;
}

int vh_stamp__write(const char *dir, char *errbuf, size_t errlen)
{
	char p[PATH_MAX], tmp[PATH_MAX];
	struct writer w = { 0 };
	int err, fd;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, VH_STAMP_NAME) >= sizeof(p) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, VH_STAMP_NAME) >= sizeof(tmp))
		return vh_errf(errbuf, errlen, -ENAMETOOLONG, "%s: path too long", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || !(w.f = fdopen(fd, "w"))) {
		err = vh_errf(errbuf, errlen, -errno, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return err;
	}
	fprintf(w.f, "%s\n", STAMP_MAGIC);
	/* the walk skips the stamp and its temporary file by name */
	err = walk(dir, "", 0, write_one, &w, errbuf, errlen);
	if (!err) {
		fprintf(w.f, "end %lu\n", w.count);
		if (fflush(w.f) || fsync(fd))
			err = vh_errf(errbuf, errlen, -errno, "%s: %s", tmp, strerror(errno));
	}
	if (fclose(w.f) && !err)
		err = vh_errf(errbuf, errlen, -errno, "%s: %s", tmp, strerror(errno));
	if (!err && rename(tmp, p))
		err = vh_errf(errbuf, errlen, -errno, "%s: %s", p, strerror(errno));
	if (err)
		unlink(tmp);
	return err;
}

/* A stamp's relative path: no absolute path, no '..' or '.' component, no empty one. */
static bool rel_ok(const char *rel)
{
	const char *p = rel;

	if (!*rel || *rel == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (!n || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/' && !*++p)
			return false;
	}
	return true;
}

struct listed {
	char **rel;
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* In the full check: every file on disk must be listed. */
static int find_listed(const char *dir, const char *rel, const struct stat *st, void *ctx,
		       char *why, size_t len)
{
	struct listed *l = ctx;
	const char *key = rel;

	(void)dir;
	(void)st;
	if (!l->n || !bsearch(&key, l->rel, l->n, sizeof(*l->rel), cmp_str))
		return vh_errf(why, len, -EBADMSG, "%s: not in the stamp", rel);
	return 0;
}

/* The stamp of dir, opened for reading (not through a link, a regular file). */
static int open_stamp(const char *dir, FILE **f, char *why, size_t len)
{
	char p[PATH_MAX];
	struct stat st;
	int fd;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, VH_STAMP_NAME) >= sizeof(p))
		return vh_errf(why, len, -ENAMETOOLONG, "path too long");
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? vh_errf(why, len, -ENOENT, "no stamp")
				       : vh_errf(why, len, -EBADMSG, "stamp: %s", strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || !(*f = fdopen(fd, "r"))) {
		close(fd);
		return vh_errf(why, len, -EBADMSG, "stamp: not a regular file");
	}
	return 0;
}

/* Remember rel as listed (the full check then looks for files the stamp omits). */
static int add_listed(struct listed *l, const char *rel, char *why, size_t len)
{
	char **v = realloc(l->rel, (l->n + 1) * sizeof(*v));

	if (!v)
		return vh_errf(why, len, -ENOMEM, "out of memory");
	l->rel = v;
	if (!(l->rel[l->n] = strdup(rel)))
		return vh_errf(why, len, -ENOMEM, "out of memory");
	l->n++;
	return 0;
}

/* One file line of the stamp ("SIZE SHA256 PATH", n bytes): the file is there with
 * that size and, in the full check, that hash. */
static int check_entry(const char *dir, const char *line, ssize_t n, int lineno, bool full,
		       struct listed *l, char *why, size_t len)
{
	long long size;
	char hex[65], got[65], rel[PATH_MAX], fp[PATH_MAX * 2];
	struct stat st;
	int off = 0, e;

	if (sscanf(line, "%lld %64[0-9a-f]%n", &size, hex, &off) != 2 || line[off] != ' ' ||
	    strlen(hex) != 64 || size < 0 || (size_t)(n - off - 1) >= sizeof(rel))
		return vh_errf(why, len, -EBADMSG, "stamp: line %d malformed", lineno);
	memcpy(rel, line + off + 1, (size_t)(n - off - 1) + 1);
	if (!rel_ok(rel))
		return vh_errf(why, len, -EBADMSG, "stamp: line %d: bad path", lineno);
	snprintf(fp, sizeof(fp), "%s/%s", dir, rel);
	if (lstat(fp, &st))
		return vh_errf(why, len, -EBADMSG, "%s: %s", rel, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size != size)
		return vh_errf(why, len, -EBADMSG, "%s: %s", rel,
			       !S_ISREG(st.st_mode) ? "not a regular file" : "size differs");
	if (!full)
		return 0;
	e = hash_file(dir, rel, got);
	if (add_listed(l, rel, why, len))
		return -ENOMEM;
	if (e || strcmp(got, hex))
		return vh_errf(why, len, -EBADMSG, "%s: %s", rel,
			       e ? strerror(-e) : "SHA-256 differs");
	return 0;
}

int vh_stamp__check(const char *dir, bool full, char *why, size_t len)
{
	char *line = NULL;
	struct listed l = { 0 };
	unsigned long count = 0, end = 0;
	bool ended = false;
	size_t cap = 0;
	ssize_t n;
	int err, lineno = 0, off;
	FILE *f;

	err = open_stamp(dir, &f, why, len);
	if (err)
		return err;
	while (!err && (n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			err = vh_errf(why, len, -EBADMSG, "stamp: line %d cut short", lineno);
			break;
		}
		line[--n] = '\0';
		off = 0;
		if (lineno == 1) {
			if (strcmp(line, STAMP_MAGIC))
				err = vh_errf(why, len, -EBADMSG, "stamp: not a bpfgate stamp");
		} else if (ended) {
			err = vh_errf(why, len, -EBADMSG, "stamp: lines after its end");
		} else if (sscanf(line, "end %lu%n", &end, &off) == 1 && !line[off]) {
			ended = true;
		} else {
			count++;
			err = check_entry(dir, line, n, lineno, full, &l, why, len);
		}
	}
	free(line);
	fclose(f);
	if (!err && (!ended || end != count))
		err = vh_errf(why, len, -EBADMSG, "stamp: %s", ended ? "file count differs"
								  : "incomplete (no end line)");
	if (!err && full) {
		qsort(l.rel, l.n, sizeof(*l.rel), cmp_str);
		err = walk(dir, "", 0, find_listed, &l, why, len);
		if (err && err != -EBADMSG)
			err = -EBADMSG;
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.rel[i]);
	free(l.rel);
	return err;
}
