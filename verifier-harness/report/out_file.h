/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_file.h: how bpfgate writes every output file (JUnit, Markdown, merged
 * JSON, and whatever comes next), the way a careful Unix tool does.
 *
 *	struct vh_out_file of;
 *
 *	err = vh_out_file__open(&of, path, VH_OUT_REPLACE);
 *	if (err)
 *		return err;                   (nothing was created)
 *	write_my_report(of.f, ...);
 *	err = vh_out_file__commit(&of);   (0, or -errno: nothing half-written left)
 *
 * What the target is decides how it is written:
 *   - missing, or a regular file: replaced atomically. The text goes to a temp
 *     file in the target's own folder (".NAME.XXXXXX"), which is flushed,
 *     fsync'ed and renamed over the target, so a reader sees the old file or
 *     the whole new one, never a part. A replaced file keeps its mode (and,
 *     when allowed, its owner); a new one gets 0666 minus the umask.
 *   - a symbolic link: followed (chains too) to the file it names, which is
 *     then treated as above; the link itself stays a link.
 *   - anything else that exists (a FIFO, /dev/null, a device, a socket):
 *     written through, never replaced or created beside.
 *   - bpfgate's own stdout or stderr (/dev/stdout, or the file they were
 *     redirected to): written through a descriptor that shares their offset,
 *     in turn with what is printed there, never replaced.
 *   - another link of /proc (/dev/fd/N names an open file of bpfgate): written
 *     through, appended to what that file holds, even when it is regular.
 * VH_OUT_APPEND (for $GITHUB_STEP_SUMMARY) appends to the file (created when
 * missing) and never replaces it.
 * A write error anywhere (a full disk, /dev/full, a closed pipe, EIO) is
 * returned by __commit() as -errno after the temp file was removed; __abort()
 * drops everything written so far. Callers print one line naming the file:
 * "bpfgate: FILE: cannot write REPORT: CAUSE", and exit 2.
 *
 * Standard output is an output file too: vh_out_file__stdout() hands out
 * stdout, and __commit() flushes it and reports a full or closed stdout. For
 * that to be reliable, main() calls vh_out_file__guard_std() first: a closed
 * descriptor 0, 1 or 2 is occupied by /dev/null so that no file opened later
 * lands on it, and a closed stdout is remembered as an error (EBADF).
 */
#ifndef BPFGATE_OUT_FILE_H
#define BPFGATE_OUT_FILE_H

#include <stdbool.h>
#include <stdio.h>

enum vh_out_mode {
	VH_OUT_REPLACE, /* atomic replace of a regular file, write-through otherwise */
	VH_OUT_APPEND,  /* append (create when missing) */
};

struct vh_out_file {
	FILE *f;        /* write here between __open() and __commit()/__abort() */
	char *target;   /* the file written: path with its symbolic links followed */
	char *tmp;      /* the temp file renamed over target, NULL when written through */
	bool sync;      /* fsync'ed when closed (a regular file) */
};

/* Open path for writing as described above. 0 or -errno (nothing created). */
int vh_out_file__open(struct vh_out_file *of, const char *path, enum vh_out_mode mode);

/* stdout as an out file; -EBADF when stdout was closed when bpfgate started. */
int vh_out_file__stdout(struct vh_out_file *of);
/* After the last line printed to stdout: flush it. 0, or the first -errno of a
 * full or failing stdout (through stdio or an out file), -EBADF when it was
 * closed when bpfgate started. */
int vh_out_file__flush_stdout(void);

/* Flush, sync, close and put the file in place. 0 or -errno; on error no temp
 * file is left and the target is unchanged (a written-through target may hold
 * part of the text: that is the nature of a pipe or a device). */
int vh_out_file__commit(struct vh_out_file *of);

/* Drop what was written (remove the temp file). Safe after a failed __open(). */
void vh_out_file__abort(struct vh_out_file *of);

/*
 * Occupy closed standard descriptors with /dev/null (called first in main()).
 * Remembers whether stdout was closed, for vh_out_file__stdout().
 */
void vh_out_file__guard_std(void);

/* A new stdout (another file on descriptor 1, bpfgate steps): open, no error yet. */
void vh_out_file__reset_stdout(void);

#endif
