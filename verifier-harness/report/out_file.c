// SPDX-License-Identifier: BSD-2-Clause
/* out_file.c: output files replaced atomically or written through, with every write error kept. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs_util.h"
#include "out_file.h"
#include "strfmt.h"

#define MAX_LINK_HOPS 40 /* as the kernel's own limit on a chain of links (ELOOP) */

static bool stdout_closed;
static int stdout_err; /* first write error of a stdout sink */

/*
 * The FILE of an out file writes through this sink, which keeps the errno of the
 * first failed write: stdio itself only remembers that something failed, and a
 * later fflush() of an empty buffer succeeds, which would lose "No space left".
 */
struct sink {
	int fd;
	int err;       /* first -errno of a write, sync or close */
	bool own_fd;   /* closed with the FILE (not for stdout) */
	bool sync;     /* fsync before closing (a regular file) */
};

static ssize_t sink_write(void *cookie, const char *buf, size_t len)
{
	struct sink *s = cookie;
	int err = vh_write_all(s->fd, buf, len);

	if (err) {
		if (!s->err)
			s->err = err;
		if (!s->own_fd && !stdout_err)
			stdout_err = s->err;
		errno = -s->err;
		return -1;
	}
	return len;
}

static int sink_close(void *cookie)
{
	struct sink *s = cookie;
	int ret = 0;

	if (s->sync && fsync(s->fd) && !s->err)
		s->err = -errno;
	if (s->own_fd && close(s->fd) && !s->err)
		s->err = -errno;
	if (s->err) {
		errno = -s->err;
		ret = -1;
	}
	free(s);
	return ret;
}

/* A FILE on fd whose errors are kept; closing it syncs and closes fd as asked. */
static FILE *sink_open(int fd, bool own_fd, bool sync)
{
	cookie_io_functions_t io = { .write = sink_write, .close = sink_close };
	struct sink *s = calloc(1, sizeof(*s));
	FILE *f;

	if (!s)
		return NULL;
	s->fd = fd;
	s->own_fd = own_fd;
	s->sync = sync;
	f = fopencookie(s, "w", io);
	if (!f)
		free(s);
	return f;
}

void vh_out_file__guard_std(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* the lowest free descriptor: this one, as the lower ones are open */
		if (open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			continue;
		if (fd == STDOUT_FILENO)
			stdout_closed = true;
	}
}

void vh_out_file__reset_stdout(void)
{
	stdout_closed = false;
	stdout_err = 0;
}

/*
 * Follow path while it is a symbolic link: the file it finally names (which may
 * not exist yet). *st is that file's status, st->st_mode 0 when it is missing.
 * 1 for a link of /proc (/dev/stdout -> /proc/self/fd/1): what it names is an
 * open file of this process, which only the kernel can follow.
 */
static int follow_links(const char *path, char **target, struct stat *st)
{
	char *p = strdup(path);

	for (int hop = 0; p; hop++) {
		char link[PATH_MAX], *slash, *next;
		ssize_t n;

		if (lstat(p, st)) {
			if (errno != ENOENT)
				break;
			memset(st, 0, sizeof(*st));
			*target = p;
			return 0;
		}
		if (!S_ISLNK(st->st_mode)) {
			*target = p;
			return 0;
		}
		if (!strncmp(p, "/proc/", 6)) {
			*target = p;
			return 1;
		}
		if (hop == MAX_LINK_HOPS) {
			errno = ELOOP;
			break;
		}
		n = readlink(p, link, sizeof(link) - 1);
		if (n < 0)
			break;
		link[n] = '\0';
		slash = strrchr(p, '/');
		/* a relative link is relative to the folder that holds it */
		if (link[0] == '/' || !slash)
			next = strdup(link);
		else
			next = vh_strfmt("%.*s/%s", (int)(slash - p), p, link);
		free(p);
		p = next;
	}
	if (!p)
		return -ENOMEM;
	free(p);
	return -errno;
}

static int dir_of(const char *path, char **dir, const char **base)
{
	const char *slash = strrchr(path, '/');

	*base = slash ? slash + 1 : path;
	*dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	return *dir ? 0 : -ENOMEM;
}

/* A temp file beside the target, with the mode (and owner) the new file must have. */
static int open_temp(struct vh_out_file *of, const struct stat *st)
{
	const char *base;
	char *dir;
	mode_t mask;
	int fd, err;

	err = dir_of(of->target, &dir, &base);
	if (err)
		return err;
	of->tmp = vh_strfmt("%s/.%s.XXXXXX", dir, base);
	free(dir);
	if (!of->tmp)
		return -ENOMEM;
	fd = mkostemp(of->tmp, O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		free(of->tmp);
		of->tmp = NULL;
		return err;
	}
	if (st->st_mode) {
		/* best effort: only root may give a file away */
		if ((st->st_uid != geteuid() || st->st_gid != getegid()) &&
		    fchown(fd, st->st_uid, st->st_gid))
			(void)0;
		fchmod(fd, st->st_mode & 07777);
	} else {
		mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	return fd;
}

/*
 * When st is bpfgate's own stdout or stderr (/dev/stdout, or the file the shell
 * redirected it to), a descriptor sharing its offset: what was printed before
 * goes first and what is printed after follows, none overwrites the other.
 * -1 when it is neither.
 */
static int dup_if_std(const struct stat *st)
{
	static FILE *const *const files[] = { &stdout, &stderr };
	struct stat sst;

	for (int fd = 1; fd <= 2; fd++) {
		if (fstat(fd, &sst) || sst.st_dev != st->st_dev || sst.st_ino != st->st_ino ||
		    (fd == STDOUT_FILENO && stdout_closed))
			continue;
		fflush(*files[fd - 1]);
		return fcntl(fd, F_DUPFD_CLOEXEC, 3);
	}
	return -1;
}

int vh_out_file__open(struct vh_out_file *of, const char *path, enum vh_out_mode mode)
{
	struct stat st;
	int fd, err;

	memset(of, 0, sizeof(*of));
	if (mode == VH_OUT_APPEND) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
		if (fd < 0)
			return -errno;
		of->sync = !fstat(fd, &st) && S_ISREG(st.st_mode);
		goto have_fd;
	}
	err = follow_links(path, &of->target, &st);
	if (err < 0)
		return err;
	if (err > 0 && stat(path, &st))
		memset(&st, 0, sizeof(st));
	if (st.st_mode && (fd = dup_if_std(&st)) >= 0) {
		/* our own stdout or stderr: written in turn with what we print there */
	} else if (err > 0) {
		/* /dev/fd/N of another open file: add to what it already holds */
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			err = -errno;
			goto cleanup;
		}
	} else if (st.st_mode && !S_ISREG(st.st_mode)) {
		/* a pipe, a device: write through, never replace */
		fd = open(of->target, O_WRONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			err = -errno;
			goto cleanup;
		}
	} else {
		fd = open_temp(of, &st);
		if (fd < 0) {
			err = fd;
			goto cleanup;
		}
		of->sync = true;
	}
have_fd:
	of->f = sink_open(fd, true, of->sync);
	if (!of->f) {
		err = -ENOMEM;
		close(fd);
		goto cleanup;
	}
	return 0;
cleanup:
	vh_out_file__abort(of);
	return err;
}

int vh_out_file__stdout(struct vh_out_file *of)
{
	memset(of, 0, sizeof(*of));
	if (stdout_closed)
		return -EBADF;
	/* what was printed with stdio before goes first */
	fflush(stdout);
	of->f = sink_open(STDOUT_FILENO, false, false);
	return of->f ? 0 : -ENOMEM;
}

int vh_out_file__flush_stdout(void)
{
	if (stdout_closed)
		return -EBADF;
	errno = 0;
	if (fflush(stdout) || ferror(stdout))
		return stdout_err ?: errno ? -errno : -EIO;
	return stdout_err;
}

/* fsync the folder that holds path, so the rename itself survives a crash */
static void sync_dir(const char *path)
{
	const char *base;
	char *dir;
	int fd;

	if (dir_of(path, &dir, &base))
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int vh_out_file__commit(struct vh_out_file *of)
{
	int err = 0;

	if (!of->f)
		return -EBADF;
	/* the sink flushes, syncs and closes, and reports its first error */
	errno = 0;
	if (fclose(of->f))
		err = errno ? -errno : -EIO;
	of->f = NULL;
	if (!err && of->tmp) {
		if (rename(of->tmp, of->target)) {
			err = -errno;
		} else {
			free(of->tmp);
			of->tmp = NULL; /* in place: nothing to remove */
			sync_dir(of->target);
		}
	}
	vh_out_file__abort(of);
	return err;
}

void vh_out_file__abort(struct vh_out_file *of)
{
	if (of->f)
		fclose(of->f);
	if (of->tmp)
		unlink(of->tmp);
	free(of->tmp);
	free(of->target);
	memset(of, 0, sizeof(*of));
}
