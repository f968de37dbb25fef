// SPDX-License-Identifier: BSD-2-Clause
/*
 * consumer.c: a user-space program built on one program's skeleton, as a user of
 * the skeleton would write it: set a const volatile knob through the rodata,
 * open, load, attach, trigger the program, check the knob's effect, destroy.
 *
 * Built once per program, skeleton kind (regular or light) and language (C, C++)
 * with -Wall -Wextra -Werror; "consumer.h" is generated per program and kind
 * (tests/skeleton/skeleton.mk): it includes the skeleton, the program's shared
 * header and its pinned layout assertions, and names the skeleton type and the
 * program's case (case_NAME.h: the knob, the trigger and the check).
 *
 * Exit status: 0 pass, 1 fail, 77 skip (the reason on the last line).
 */
#include <errno.h>	/* before a light skeleton: skel_internal.h uses errno's values */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "consumer.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
/* NAME__open, NAME_lskel__load, ... */
#define SKEL_FN(f) CAT(CAT(SKEL_T, __), f)

/* What differs between the two kinds of skeleton, for the cases. */
#if SKEL_LIGHT
#define PROG_FD(s, p) ((s)->progs.p.prog_fd)
#define MAP_FD(s, m) ((s)->maps.m.map_fd)
#else
#define PROG_FD(s, p) bpf_program__fd((s)->progs.p)
#define MAP_FD(s, m) bpf_map__fd((s)->maps.m)
#endif

typedef struct SKEL_T skel_t;

/* The case's knob, unless SKEL_NO_KNOB is set: then the check must see the default's
 * behaviour and fail (tests/skeleton/test_consumers.sh proves the checks that way). */
static void case_knob(skel_t *s);
#define CASE_APPLY_KNOB(s)                     \
	do {                                   \
		if (!getenv("SKEL_NO_KNOB"))   \
			case_knob(s);          \
	} while (0)

#include SKEL_CASE

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN || getenv("SKEL_VERBOSE"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

#ifndef CASE_OPEN_LOAD
/* Open, set the knob, load and attach: the skeleton, or NULL (the reason printed). */
static skel_t *case_open_load(const char *what)
{
	skel_t *s = SKEL_FN(open)();
	int err;

	if (!s) {
		printf("%s: open: %s\n", what, strerror(errno));
		return NULL;
	}
	CASE_APPLY_KNOB(s);
	if (SKEL_FN(load)(s)) {
		err = errno;
		SKEL_FN(destroy)(s);
#ifdef CASE_LOAD_SKIP_ERRNO
		if (err == CASE_LOAD_SKIP_ERRNO) {
			printf("%s: %s\n", what, CASE_LOAD_SKIP_REASON);
			exit(77);
		}
#endif
		printf("%s: load: %s\n", what, strerror(err));
		return NULL;
	}
	err = SKEL_FN(attach)(s);
	if (err) {
		printf("%s: attach: %s\n", what, strerror(err < 0 ? -err : errno));
		SKEL_FN(destroy)(s);
		return NULL;
	}
	return s;
}
#endif

int main(int argc, char **argv)
{
	const char *what = SKEL_NAME " " SKEL_KIND;
	skel_t *s;
	int rc;

	/* a case that needs a process to exec runs this program again as that process */
	if (argc == 2 && !strcmp(argv[1], "--exit"))
		return 3;
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(quiet_print);
#if SKEL_LIGHT
	/* A light skeleton loads through a BPF_PROG_TYPE_SYSCALL program (Linux 5.14). */
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL) != 1) {
		printf("%s: light skeletons need BPF_PROG_TYPE_SYSCALL (Linux 5.14), "
		       "which this kernel lacks\n", what);
		return 77;
	}
#endif
	/* a case may choose which programs to load and attach, as the program's loader does */
	s = case_open_load(what);
	if (!s)
		return 1;
	rc = case_check(s, what);
	SKEL_FN(destroy)(s);
	if (!rc)
		printf("%s: ok\n", what);
	return rc;
}
