/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * expect.h: the expectations a program states in its source (compiler/bpfgate.h),
 * read back from the BTF declaration tags on its function.
 */
#ifndef BPFGATE_EXPECT_H
#define BPFGATE_EXPECT_H

#include <stdbool.h>

struct btf;

#define VH_EXPECT_MAX_MSGS 8

struct vh_expect {
	bool must_fail;                      /* __failure */
	const char *msgs[VH_EXPECT_MAX_MSGS]; /* __msg(), point into the BTF strings */
	int nmsgs;
	const char *min_kernel;              /* __min_kernel("5.13") */
	const char *min_kernel_reason;       /* __min_kernel_reason() */
	const char *prog_type;               /* __prog_type("xdp") */
};

/* Fill e from the "bpfgate:" decl tags on function func in btf (NULL btf: no
 * expectations). Strings stay valid while btf lives. Unknown keys are ignored. */
void vh_expect__read(const struct btf *btf, const char *func, struct vh_expect *e);

#endif
