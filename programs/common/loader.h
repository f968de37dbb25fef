/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loader.h: what every loader of programs/ does the same way: stop on
 * SIGINT/SIGTERM, keep libbpf quiet unless asked, print JSON strings, sum
 * per-CPU counters, read numeric options.
 */
#ifndef PROGRAMS_LOADER_H
#define PROGRAMS_LOADER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

/* Set by SIGINT and SIGTERM once loader_init() ran; the event loops poll it. */
extern volatile sig_atomic_t loader_stop;

/* Install the stop handlers; libbpf prints warnings only, or everything when
 * verbose (-v). */
void loader_init(bool verbose);

/* s (at most len bytes, up to a NUL) as a JSON string on stdout: quotes,
 * backslashes and bytes outside printable ASCII escaped. */
void loader_json_str(const char *s, size_t len);

/* The sum over CPUs of entry idx of a per-CPU array map; 0 if unreadable. */
unsigned long long loader_percpu_sum(int map_fd, __u32 idx);

/* A non-negative decimal number: 0, or -EINVAL. */
int loader_parse_long(const char *s, long *out);

#endif
