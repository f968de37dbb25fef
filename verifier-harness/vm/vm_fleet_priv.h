/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm_fleet_priv.h: the state of one run of VMs, shared by vm_fleet.c (scheduling:
 * fetch, boot, deadline, display) and vm_collect.c (what each guest sent back,
 * turned into results). Not for other modules: they use vm_fleet.h.
 */
#ifndef BPFGATE_VM_FLEET_PRIV_H
#define BPFGATE_VM_FLEET_PRIV_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "clock.h"
#include "guest_out.h"
#include "kernel_cache.h"
#include "kernel_conf.h"
#include "result.h"
#include "spawn.h"
#include "strfmt.h"
#include "vm.h"
#include "vm_fleet.h"

enum kstate {
	K_WAIT_FETCH, /* not cached: waits for the fetch slot */
	K_FETCHING,
	K_READY,      /* waits for a VM slot */
	K_RUNNING,
	K_DONE,
};

struct kjob {
	struct vh_kernel_spec spec;
	const struct vh_vm_kind *kind;
	char dir[PATH_MAX]; /* per-kernel run folder */
	enum kstate state;
	struct vh_spawn fetch;
	struct vh_vm vm;
	double t_start, t_end;
	/* host clock when each guest marker was first seen: the guest's own clock
	 * lags under TCG when the host is busy, so the split is measured here */
	double t_hello, t_vstart, t_vend;
	double est;          /* seconds this kernel took last time (0: unknown) */
	char phase[64];      /* for the display: booting, verifying N objects */
	char outcome[192];   /* done line */
	bool failed;
};

struct fleet {
	const struct vh_vm_fleet_opts *opts;
	struct vh_kernel_conf conf;
	bool have_conf;
	struct vh_kernel_cache cache;
	struct kjob *k;
	int nk;
	bool kvm;
	char kvm_why[160];
	int jobs, timeout_s;
	char root[PATH_MAX];   /* per-run folder */
	char tmp[PATH_MAX];    /* temporary folder (initramfs; root too when not kept) */
	struct vh_guest_plan plan;
	int tty_lines;         /* lines drawn by the live display */
	struct vh_vm_run run;  /* what every VM of the run shares */
	char self[PATH_MAX];   /* the running bpfgate */
};

/* vm_fleet.c: one progress line about k (when stderr is not a terminal) */
void vh_fleet__show(struct fleet *m, struct kjob *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* vm_fleet.c: remember how long k took, for the next run's order */
void vh_fleet__save_est(struct fleet *m, struct kjob *k);

/* vm_collect.c: the VM of k ended (or was killed at its deadline): what it sent
 * back, as results in out, and its entry in out->kernels. 0 or -ENOMEM. */
int vh_fleet__collect(struct fleet *m, struct kjob *k, bool timed_out, struct vh_result_set *out);
/* vm_collect.c: a kernel that never booted: its error result and its entry. */
int vh_fleet__fail_early(struct fleet *m, struct kjob *k, struct vh_result_set *out,
			 const char *cause);

#endif
