// SPDX-License-Identifier: BSD-2-Clause
/* fs_util.c: remove a folder tree without following links; read or write a whole file; mkdir -p. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_util.h"

int vh_rm_rf(const char *path)
{
	struct dirent *de;
	struct stat st;
	int err = 0;
	DIR *d;

	if (lstat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char p[PATH_MAX];
		int n;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n = snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(p)) {
			err = err ?: -ENAMETOOLONG;
			continue;
		}
		n = vh_rm_rf(p);
		err = err ?: n;
	}
	closedir(d);
	if (rmdir(path))
		return err ?: -errno;
	return err;
}

int vh_read_fd(int fd, size_t max, char **data, size_t *size)
{
	size_t len = 0, cap = 65536;
	char *buf = NULL;
	struct stat st;
	int err = 0;

	/* a file known to be too big (or a folder) is refused before any read */
	if (!fstat(fd, &st) && S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode)) {
		if (max && (size_t)st.st_size > max)
			return -EFBIG;
		/* its bytes, the NUL, and room to see its end (sysfs and procfs say 0) */
		if (st.st_size > 0)
			cap = st.st_size + 2;
	}
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			char *b = realloc(buf, cap *= 2);

			if (!b) {
				err = -ENOMEM;
				goto cleanup;
			}
			buf = b;
		} else if (!buf && !(buf = malloc(cap))) {
			err = -ENOMEM;
			goto cleanup;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto cleanup;
		}
		if (n == 0)
			break;
		len += n;
		if (max && len > max) {
			err = -EFBIG;
			goto cleanup;
		}
	}
	buf[len] = '\0';
	*data = buf;
	*size = len;
	return 0;
cleanup:
	free(buf);
	return err;
}

int vh_read_file(const char *path, size_t max, char **data, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = vh_read_fd(fd, max, data, size);
	close(fd);
	return err;
}

int vh_read_file_end(const char *path, size_t max, char **data, size_t *size)
{
	struct stat st;
	size_t got = 0, want;
	off_t from = 0;
	int fd, err = 0;
	char *buf;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || !max || (size_t)st.st_size <= max) {
		err = vh_read_fd(fd, 0, data, size);
		goto cleanup;
	}
	from = st.st_size - (off_t)max;
	want = max;
	buf = malloc(want + 1);
	if (!buf) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (got < want &&
	       ((n = pread(fd, buf + got, want - got, from + got)) > 0 || (n < 0 && errno == EINTR)))
		got += n > 0 ? n : 0;
	buf[got] = '\0';
	*data = buf;
	*size = got;
cleanup:
	close(fd);
	return err;
}

int vh_mkdir_p(const char *path, unsigned int mode)
{
	char tmp[PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%s", path);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int vh_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		if (w == 0)
			return -EIO;
		p += w;
		len -= w;
	}
	return 0;
}
