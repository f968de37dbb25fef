/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_fleet.h: verify objects on several kernels, one VM boot per kernel (the VM
 * target kind, target_vm.c, runs its kernels through it).
 *
 * Each kernel is resolved (a series of ci/kernels.conf, fetched
 * into the cache when missing, or a path to an image or build tree), checked by a
 * preflight of its config, and booted once; `bpfgate verify --json` runs inside on
 * every object and functional test and its results come back with kernel = the
 * guest's release, the kernel's feature probe and timings in out->kernels. Up to
 * jobs VMs run at once, each with a hard deadline, so one kernel that panics, hangs
 * or never boots becomes one error result (beside the results of the steps its guest
 * finished: one step per object and per test) and the others still finish.
 *
 * Per-run folder (opts.result_dir, $BPFGATE_RESULT_DIR, else a temporary folder
 * removed at the end), one subfolder per kernel:
 *	K/console.log  K/guest.out  K/results.json (what came back, merged)  K/probe.json
 *	K/stderr.txt
 *	K/fetch.log    timings.tsv (kernel, release, backend, accel, seconds total/boot/verify)
 */
#ifndef BPFGATE_VM_FLEET_H
#define BPFGATE_VM_FLEET_H

#include <stdbool.h>

#include "result.h"

struct vh_vm_fleet_opts {
	const char *const *kernels; /* as given: series ("6.1"), image path, or build tree */
	int nkernels;
	const char *const *objs; /* object paths as given */
	int nobjs;
	const char *const *guest_args; /* extra args to pass to the guest's `bpfgate verify` */
	int nguest_args;
	const char *const *tests; /* functional test executables (static for qemu) */
	int ntests;
	int test_timeout_s;       /* deadline of each test in the guest, 0 = default */
	int jobs;                 /* VMs at once, 0 = auto (CPUs and memory) */
	int timeout_s;            /* per VM, 0 = default for TCG/KVM and the backend */
	const char *backend;      /* "qemu", "vng" or NULL = auto */
	bool progress_tty;        /* live display (one line per kernel) */
	const char *bpfgate_path; /* the running binary (vng runs it), NULL: this one */
	const char *result_dir;   /* keep per-kernel outputs here (NULL: temporary) */
	bool quiet;               /* no progress lines at all */
};

/*
 * Boots each kernel once, runs verify inside, appends its results (kernel
 * = guest release) to out. A kernel that fails to boot/times out/dies adds one result
 * with verdict VH_ERROR, program "(vm)", error = cause and how far it got, log_tail =
 * last console lines, after the results of the steps that came back whole. Returns
 * 0, or -errno for a setup error (bad option, unknown kernel, nothing fetchable),
 * which it has reported as one line on stderr.
 */
int vh_vm_fleet__run(const struct vh_vm_fleet_opts *opts, struct vh_result_set *out);

/*
 * The same in two halves, so that the caller can work while the first VMs boot:
 * start sets the run up and starts what can start now (opts must stay valid until
 * finish); finish follows every VM to its end, collects, and removes the run's
 * files. finish is called after any start, also a failed one (*f may be NULL),
 * and returns the run's status as vh_vm_fleet__run does.
 */
struct vh_vm_fleet;
int vh_vm_fleet__start(const struct vh_vm_fleet_opts *opts, struct vh_result_set *out,
		       struct vh_vm_fleet **f);
int vh_vm_fleet__finish(struct vh_vm_fleet *f, struct vh_result_set *out);

#endif
