/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run_dir.h: a run's temporary folder, named after the process that owns it, so that a
 * later run can tell the folders of runs that died (kill -9, a crash, a power cut)
 * from those of runs still going, and remove the former.
 *
 *	$TMPDIR/PREFIX.PID.START.XXXXXX   (TMPDIR unset or empty: /tmp)
 *
 * PID is the owner's process id and START its start time (field 22 of /proc/PID/stat,
 * clock ticks since boot): a pid that was reused by another process does not keep a
 * dead run's folder alive.
 */
#ifndef BPFGATE_RUN_DIR_H
#define BPFGATE_RUN_DIR_H

#include <stddef.h>
#include <sys/types.h>

/* Remove the stale folders of PREFIX, then make this process's one into buf.
 * 0 or -errno. */
int vh_run_dir__make(const char *prefix, char *buf, size_t len);

/* Remove every folder of PREFIX in tmpdir whose owner is gone and that belongs to
 * this user; how many were removed. */
int vh_run_dir__remove_stale(const char *tmpdir, const char *prefix);

/* The start time of pid (clock ticks since boot), 0 when it is not running. */
unsigned long long vh_run_dir__start_time(pid_t pid);

#endif
