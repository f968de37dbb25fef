// SPDX-License-Identifier: BSD-2-Clause
/* kernel_conf.c: read kernels.conf with a strict grammar for every field, and rewrite its pins. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_conf.h"
#include "strfmt.h"

/* Why s is not a non-empty string of at most max bytes, first in first, the rest in rest. */
static const char *charset_why(const char *s, const char *first, const char *rest, size_t max)
{
	static __thread char why[96];
	size_t n = strlen(s), bad;

	if (!n)
		return "empty";
	if (n > max) {
		snprintf(why, sizeof(why), "longer than %zu bytes", max);
		return why;
	}
	if (!strchr(first, s[0])) {
		snprintf(why, sizeof(why), "must start with %s",
			 strchr(first, 'a') ? "a lowercase letter or digit" :
			 strchr(first, '0') ? "a digit" : "a lowercase letter");
		return why;
	}
	bad = 1 + strspn(s + 1, rest);
	if (bad != n) {
		unsigned char c = (unsigned char)s[bad];

		if (c > 0x20 && c < 0x7f)
			snprintf(why, sizeof(why), "'%c' is not allowed", c);
		else
			snprintf(why, sizeof(why), "byte 0x%02x is not allowed", c);
		return why;
	}
	return NULL;
}

#define DIGITS "0123456789"
#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

bool vh_kernel_series__of(const char *s, unsigned *major, unsigned *minor)
{
	char *end;
	unsigned long a, b;

	if (!(*s >= '0' && *s <= '9'))
		return false;
	a = strtoul(s, &end, 10);
	if (*end != '.' || !(end[1] >= '0' && end[1] <= '9'))
		return false;
	b = strtoul(end + 1, &end, 10);
	if (a > 999 || b > 999)
		return false;
	*major = (unsigned)a;
	*minor = (unsigned)b;
	return true;
}

/* host, or MAJOR.MINOR with an optional suffix of [-.][a-z0-9]+ parts ("6.6-rt"). */
static const char *series_why(const char *s)
{
	unsigned a, b;
	const char *why = charset_why(s, DIGITS, DIGITS LOWER ".-", 15);

	if (!strcmp(s, "host"))
		return NULL;
	if (why)
		return why;
	if (!vh_kernel_series__of(s, &a, &b))
		return "not MAJOR.MINOR (e.g. 6.1) nor host";
	if (strstr(s, "..") || strstr(s, "--") || strstr(s, ".-") || strstr(s, "-.") ||
	    s[strlen(s) - 1] == '.' || s[strlen(s) - 1] == '-')
		return "not MAJOR.MINOR (e.g. 6.1) nor host";
	return NULL;
}

bool vh_kernel_release__valid(const char *s)
{
	return !charset_why(s, DIGITS, DIGITS LOWER UPPER ".+~_-", 64) && !strstr(s, "..");
}

static const char *release_why(const char *s)
{
	const char *why = charset_why(s, DIGITS, DIGITS LOWER UPPER ".+~_-", 64);

	if (why)
		return why;
	return strstr(s, "..") ? "'..' is not allowed" : NULL;
}

/* NAME=VERSION[,NAME=VERSION...]: Debian package names and versions. */
static const char *packages_why(const char *s, char *why, size_t len)
{
	const char *p = s;
	int n = 0;

	if (!*s)
		return "empty";
	for (;;) {
		char item[256], *eq;
		size_t k = strcspn(p, ",");
		const char *w;

		if (++n > VH_KCONF_MAX_PACKAGES)
			return "more than 8 packages";
		if (!k)
			return "empty package";
		if (k >= sizeof(item))
			return "package too long";
		memcpy(item, p, k);
		item[k] = '\0';
		eq = strchr(item, '=');
		if (!eq) {
			snprintf(why, len, "'%s' has no =VERSION (packages are pinned)", item);
			return why;
		}
		*eq = '\0';
		w = charset_why(item, DIGITS LOWER, DIGITS LOWER ".+-", 100);
		if (w || strlen(item) < 2) {
			snprintf(why, len, "package name '%s': %s", item,
				 w ?: "shorter than 2 characters");
			return why;
		}
		w = charset_why(eq + 1, DIGITS, DIGITS LOWER UPPER ".+~:-", 100);
		if (w) {
			snprintf(why, len, "version of %s: %s", item, w);
			return why;
		}
		if (!p[k])
			return NULL;
		p += k + 1;
	}
}

int vh_kernel_entry__check(const struct vh_kernel_entry *e, const char **field, char *why,
			   size_t len)
{
	bool host = !strcmp(e->series, "host");
	const char *w;

	*field = "series";
	if ((w = series_why(e->series)))
		goto bad;
	if (host) {
		const char *f[] = { "suite", "release", "packages" };
		const char *v[] = { e->suite, e->release, e->packages };

		for (int i = 0; i < 3; i++)
			if (strcmp(v[i], "-")) {
				*field = f[i];
				w = "must be '-' for host (the running kernel)";
				goto bad;
			}
		return 0;
	}
	*field = "suite";
	if ((w = charset_why(e->suite, LOWER, DIGITS LOWER "-", sizeof(e->suite) - 1)))
		goto bad;
	*field = "release";
	if ((w = release_why(e->release)))
		goto bad;
	*field = "packages";
	if ((w = packages_why(e->packages, why, len)))
		goto bad;
	return 0;
bad:
	if (w != why)
		snprintf(why, len, "%s", w);
	return -EINVAL;
}

/* Split line into at most 4 fields (before '#'); the count, or 5 when there are more. */
static int split(char *line, char *tok[4], size_t off[4], size_t end[4])
{
	size_t i = 0;
	int n = 0;

	for (;;) {
		i += strspn(line + i, " \t\r\n");
		if (!line[i] || line[i] == '#')
			return n;
		if (n == 4)
			return 5;
		off[n] = i;
		i += strcspn(line + i, " \t\r\n#");
		end[n] = i;
		tok[n] = line + off[n];
		n++;
	}
}

/*
 * One line into e. 0, 1 for a blank line, -EINVAL with "field: why" in why.
 * The line has been checked for length and control characters.
 */
static int parse_line(char *line, struct vh_kernel_entry *e, char *why, size_t len)
{
	char *tok[4];
	size_t off[4], end[4];
	char *dst[] = { e->series, e->suite, e->release, e->packages };
	const size_t cap[] = { sizeof(e->series), sizeof(e->suite), sizeof(e->release),
			       sizeof(e->packages) };
	static const char *const names[] = { "series", "suite", "release", "packages" };
	const char *field;
	char tmp[256];
	int n = split(line, tok, off, end);

	if (n == 0)
		return 1;
	if (n != 4)
		return vh_errf(why, len, -EINVAL,
			    "expected 4 fields (series suite release packages), got %s%d",
			    n > 4 ? "more than " : "", n > 4 ? 4 : n);
	for (int i = 0; i < 4; i++) {
		size_t k = end[i] - off[i];

		if (k >= cap[i])
			return vh_errf(why, len, -EINVAL, "%s: longer than %zu bytes", names[i],
				    cap[i] - 1);
		memcpy(dst[i], tok[i], k);
		dst[i][k] = '\0';
	}
	if (vh_kernel_entry__check(e, &field, tmp, sizeof(tmp)))
		return vh_errf(why, len, -EINVAL, "%s: %s", field, tmp);
	return 0;
}

/* A control character other than tab, CR, LF; or -1. */
static int control_char(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
			return c;
	}
	return -1;
}

/* Open path for reading if it is a regular file of a sane size. */
static FILE *open_conf(const char *path, char *errbuf, size_t errlen, int *err)
{
	struct stat st;
	FILE *f;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		*err = vh_errf(errbuf, errlen, -errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > VH_KCONF_MAX_BYTES) {
		*err = vh_errf(errbuf, errlen, S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL, "%s: %s",
			    path,
			    S_ISDIR(st.st_mode)    ? "a folder, not a kernel matrix file" :
			    !S_ISREG(st.st_mode)   ? "not a regular file" :
						     "larger than 256 KiB");
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		*err = vh_errf(errbuf, errlen, -errno, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

int vh_kernel_conf__read(struct vh_kernel_conf *conf, const char *path, char *errbuf,
			 size_t errlen)
{
	char *line = NULL, why[384];
	size_t cap = 0;
	ssize_t n;
	int err = 0, lineno = 0, c;
	FILE *f;

	memset(conf, 0, sizeof(*conf));
	if ((size_t)snprintf(conf->path, sizeof(conf->path), "%s", path) >= sizeof(conf->path))
		return vh_errf(errbuf, errlen, -ENAMETOOLONG, "kernels.conf: path too long");
	f = open_conf(path, errbuf, errlen, &err);
	if (!f)
		return err;
	while ((n = getline(&line, &cap, f)) > 0) {
		struct vh_kernel_entry e = { .line = ++lineno }, *v;

		if (n > VH_KCONF_MAX_LINE) {
			err = vh_errf(errbuf, errlen, -EINVAL, "%s:%d: longer than %d bytes", path,
				   lineno, VH_KCONF_MAX_LINE);
			goto cleanup;
		}
		if (memchr(line, '\0', (size_t)n)) {
			err = vh_errf(errbuf, errlen, -EINVAL, "%s:%d: a NUL byte", path, lineno);
			goto cleanup;
		}
		if ((c = control_char(line, (size_t)n)) >= 0) {
			err = vh_errf(errbuf, errlen, -EINVAL, "%s:%d: control character 0x%02x",
				   path, lineno, c);
			goto cleanup;
		}
		err = parse_line(line, &e, why, sizeof(why));
		if (err == 1) {
			err = 0;
			continue;
		}
		if (err) {
			vh_errf(errbuf, errlen, err, "%s:%d: %s", path, lineno, why);
			goto cleanup;
		}
		if (vh_kernel_conf__find(conf, e.series)) {
			err = vh_errf(errbuf, errlen, -EINVAL, "%s:%d: series: %s is listed twice",
				   path, lineno, e.series);
			goto cleanup;
		}
		if (conf->n >= VH_KCONF_MAX_KERNELS) {
			err = vh_errf(errbuf, errlen, -EINVAL, "%s:%d: more than %d kernels", path,
				   lineno, VH_KCONF_MAX_KERNELS);
			goto cleanup;
		}
		v = realloc(conf->v, (conf->n + 1) * sizeof(*v));
		if (!v) {
			err = vh_errf(errbuf, errlen, -ENOMEM, "%s: out of memory", path);
			goto cleanup;
		}
		conf->v = v;
		conf->v[conf->n++] = e;
	}
	if (ferror(f))
		err = vh_errf(errbuf, errlen, -EIO, "%s: %s", path, strerror(errno));
	else if (!conf->n)
		err = vh_errf(errbuf, errlen, -EINVAL, "%s: no kernels in it (an empty matrix tests "
			   "nothing)", path);
cleanup:
	free(line);
	fclose(f);
	if (err)
		vh_kernel_conf__free(conf);
	return err;
}

const struct vh_kernel_entry *vh_kernel_conf__find(const struct vh_kernel_conf *conf,
						   const char *series)
{
	for (size_t i = 0; i < conf->n; i++)
		if (!strcmp(conf->v[i].series, series))
			return &conf->v[i];
	return NULL;
}

void vh_kernel_conf__free(struct vh_kernel_conf *conf)
{
	free(conf->v);
	conf->v = NULL;
	conf->n = 0;
}

/* Write line with its release and packages replaced by r's. */
static void rewrite_line(FILE *out, const char *line, const struct vh_kernel_entry *r)
{
	char copy[VH_KCONF_MAX_LINE + 1], *tok[4];
	size_t off[4], end[4];

	snprintf(copy, sizeof(copy), "%s", line);
	if (split(copy, tok, off, end) != 4) {
		fputs(line, out);
		return;
	}
	fprintf(out, "%.*s%s%.*s%s%s", (int)off[2], line, r->release, (int)(off[3] - end[2]),
		line + end[2], r->packages, line + end[3]);
}

int vh_kernel_conf__rewrite(const struct vh_kernel_conf *conf,
			    const struct vh_kernel_entry *repl, size_t n, char *errbuf,
			    size_t errlen)
{
	char tmp[PATH_MAX], *line = NULL;
	size_t cap = 0;
	int err = 0, fd, lineno = 0;
	FILE *in, *out;
	struct stat st;

	in = open_conf(conf->path, errbuf, errlen, &err);
	if (!in)
		return err;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", conf->path) >= sizeof(tmp)) {
		fclose(in);
		return vh_errf(errbuf, errlen, -ENAMETOOLONG, "%s: path too long", conf->path);
	}
	fd = mkstemp(tmp);
	if (fd < 0 || !(out = fdopen(fd, "w"))) {
		err = vh_errf(errbuf, errlen, -errno, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd), unlink(tmp);
		fclose(in);
		return err;
	}
	if (!fstat(fileno(in), &st))
		fchmod(fd, st.st_mode & 07777);
	while (getline(&line, &cap, in) > 0) {
		const struct vh_kernel_entry *r = NULL;

		lineno++;
		for (size_t i = 0; i < n && !r; i++)
			if (repl[i].line == lineno)
				r = &repl[i];
		if (r)
			rewrite_line(out, line, r);
		else
			fputs(line, out);
	}
	free(line);
	fclose(in);
	if (fflush(out) || fsync(fd))
		err = -errno;
	if (fclose(out) && !err)
		err = -errno;
	if (!err && rename(tmp, conf->path))
		err = -errno;
	if (err) {
		unlink(tmp);
		return vh_errf(errbuf, errlen, err, "%s: %s", conf->path, strerror(-err));
	}
	return 0;
}
