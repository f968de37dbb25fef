// SPDX-License-Identifier: BSD-2-Clause
/* fs_util.c: remove a folder tree without following links; read a whole file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

int vh_read_file(const char *path, size_t max, char **data, size_t *size)
{
	struct stat st;
	int fd, err = 0;
	char *buf;
	ssize_t n;
	size_t got = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto cleanup;
	}
	if (max && (size_t)st.st_size > max) {
		err = -EFBIG;
		goto cleanup;
	}
	buf = malloc(st.st_size + 1);
	if (!buf) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (got < (size_t)st.st_size &&
	       ((n = read(fd, buf + got, st.st_size - got)) > 0 || (n < 0 && errno == EINTR)))
		got += n > 0 ? n : 0;
	buf[got] = '\0';
	*data = buf;
	*size = got;
cleanup:
	close(fd);
	return err;
}
