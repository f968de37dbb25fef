/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify_pool.h: verify many programs with parallel worker processes.
 *
 * Worker w takes programs w, w + N, w + 2N, ... and sends its results back as
 * the JSON result document over a pipe; the parent puts them back in the order
 * the programs were given, so the output never depends on scheduling.
 */
#ifndef BPFGATE_VERIFY_POOL_H
#define BPFGATE_VERIFY_POOL_H

#include "object_verify.h"
#include "result.h"

/* Appends one result per program to out. 0, or -EPERM when programs could not be
 * loaded for lack of privilege, or -errno when workers could not be started. */
int vh_verify_pool__run(const struct vh_prog_ref *progs, int n, const struct vh_verify_opts *opts,
			int jobs, struct vh_result_set *out);

#endif
