/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify_pool.h: verify many programs with parallel worker processes.
 *
 * Every program is loaded in a worker process, with --jobs 1 too: a hostile
 * object that makes libbpf crash kills only its worker. The parent then records
 * an error naming the signal for the program that worker was loading, starts a
 * new worker, and the other programs are verified as usual. Workers take the
 * next program one at a time and send each result as soon as it is known (a
 * JSON result document over a pipe, see verify_pool.c); the parent puts them
 * back in the order the programs were given, so the output never depends on
 * scheduling. A worker dies with bpfgate (PR_SET_PDEATHSIG): a killed run
 * leaves no process holding programs or maps in the kernel.
 */
#ifndef BPFGATE_VERIFY_POOL_H
#define BPFGATE_VERIFY_POOL_H

#include "object_verify.h"
#include "result.h"
#include "verify_progress.h"

/*
 * Appends one result per program to out. 0, or -EPERM when programs could not be
 * loaded for lack of privilege, or -errno when workers could not be started.
 * Up to `jobs` workers, started lazily: one at first, another each time the
 * running ones have been busy for a while with programs still waiting, so
 * that a small run is not slower for being parallel (each worker makes the
 * maps of the objects it loads and parses the kernel BTF libbpf needs).
 * progress (NULL: none) is told of each program done.
 */
int vh_verify_pool__run(const struct vh_prog_ref *progs, int n, const struct vh_verify_opts *opts,
			int jobs, struct vh_progress *progress, struct vh_result_set *out);

#endif
