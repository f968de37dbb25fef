/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm.h: boot one kernel in a VM and run `bpfgate verify --json` inside it.
 *
 * Two kinds (struct vh_vm_kind below; vm_qemu.c, vm_vng.c):
 *   qemu  qemu-system-x86_64 -M microvm boots the kernel image straight into an
 *         initramfs (newc cpio written here, no host paths) holding busybox, a
 *         statically linked bpfgate, the objects, the (static) functional tests and
 *         /init; no modules.
 *   vng   virtme-ng boots the kernel with the host's root file system shared read
 *         only; the guest runs the host's bpfgate on the objects and tests where
 *         they are.
 *
 * The guest writes everything for the host on a channel of its own (qemu: a second
 * serial port, ttyS1, raw; vng: a file in the run folder, the only place it may
 * write), framed so that nothing else can corrupt it:
 *
 *	@@bpfgate hello RELEASE UPTIME       init started (UPTIME: guest seconds)
 *	@@bpfgate begin NAME LEN             then exactly LEN bytes of NAME
 *	@@bpfgate end NAME RC                (NAME: probe, results, stderr)
 *	@@bpfgate verify UPTIME / verified UPTIME   around all the steps
 *	@@bpfgate step I N                   step I of N starts (1..N)
 *	@@bpfgate took I START END           step I ran from START to END (uptimes)
 *	@@bpfgate done UPTIME                the guest is about to power off
 *
 * A step is one `bpfgate verify --json` on one object, or on one functional test
 * (objects first, then tests); each sends its JSON as a results section as soon as it
 * ends, so a VM that dies in step I has sent the results of steps 1..I-1. All steps'
 * stderr is one stderr section after the last step.
 */
#ifndef BPFGATE_VM_H
#define BPFGATE_VM_H

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "kernel_cache.h"
#include "guest_out.h"
#include "spawn.h"

/* What the guest runs. */
struct vh_guest_plan {
	const char *const *objs; /* as given on the host */
	int nobjs;
	const char *const *guest_args; /* extra `bpfgate verify` arguments */
	int nguest_args;
	const char *const *tests; /* functional test executables, as given on the host */
	int ntests;
	bool probe; /* also record the kernel's feature probe */
};

/* Every VM of a run shares these. */
struct vh_vm_run {
	const struct vh_guest_plan *plan;
	const char *bpfgate_path; /* the running bpfgate (the static one is found beside it) */
	const char *tmp;          /* the run's temporary folder (also the runner's TMPDIR) */
	bool kvm;
	unsigned long tsc_khz;    /* under TCG: the host's TSC rate for the guest, 0 unknown */
	int mem_mb;
	int timeout_s;            /* each VM's deadline (the whole runner tree is killed) */
	char initrd[PATH_MAX];        /* qemu: the initramfs all its boots share (prepare_run) */
};

struct vh_vm_kind;

/* One boot of one kernel. */
struct vh_vm {
	const struct vh_vm_kind *kind;
	const struct vh_vm_run *run;
	const struct vh_kernel_spec *kernel;
	const char *rundir; /* console.log, guest.out (and vng's guest.sh) go here */
	struct vh_spawn proc; /* the runner: poll it, kill it, free it (spawn.h) */
};

/* A command line being built (the runner's). */
/* On every guest's kernel command line:
 *  - expedited RCU grace periods. A 1-vCPU guest otherwise sits idle through each
 *    normal one, and tracing programs' detach and free, map frees and netns
 *    teardown wait for them (0.4-0.5 s of a 6.1 guest's 6 s under TCG);
 *  - rodata=off: the kernel does not write-protect its own text and data at the end
 *    of its boot, nor (CONFIG_DEBUG_WX, Debian's) walk every page table looking for
 *    writable code: 0.2-0.7 s of each boot under TCG. BPF images are made
 *    read-only by their own allocator, either way.
 * Nothing the verifier or a test sees changes. */
#define VH_VM_GUEST_APPEND "rcupdate.rcu_expedited=1 rodata=off"

#define VH_ARGV_MAX 64
struct vh_argv {
	char *v[VH_ARGV_MAX + 1];
	char store[VH_ARGV_MAX][PATH_MAX + 64];
	int n;
};

void vh_argv__add(struct vh_argv *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * A kind of VM target: everything that differs between backends is here, and only
 * here; the matrix drives any kind through these operations:
 *	prepare_run  once per run before any boot of this kind (qemu: the initramfs)
 *	prepare      once per kernel, in its folder (vng: its guest script)
 *	start        vh_vm__start(): the runner (runner_args) under a keeper with the
 *	             run's deadline; the guest runs the steps and writes rundir/guest.out
 *	collect      vh_guest_out__parse() of rundir/guest.out, guest_path maps back
 *	stop         vh_spawn__kill() / vh_spawn__free() of vm->proc
 */
struct vh_vm_kind {
	const char *name;       /* --vm-backend NAME */
	const char *runner;     /* the program it runs, for messages ("qemu", "vng") */
	const char *runner_log; /* its own output, in the kernel's folder */
	int tcg_timeout_s;      /* default deadline under TCG, before objects and tests */
	/* what the kernel's config must have for it (vh_kernel__preflight) */
	const char *const *kconfig_needs;
	/* the guest script: its first lines, whether the channel is a tty (set raw), the
	 * folder the steps run in (NULL: where it starts), its last lines (power off) */
	const char *script_head;
	bool channel_tty;
	const char *workdir;
	const char *script_tail;
	/* whether it can run here: what it needs is found */
	bool (*usable)(const char *bpfgate_path);
	/* 0, or -errno after reporting one line on stderr (vh_err) */
	int (*prepare_run)(struct vh_vm_run *run);
	/* 0, or -errno with the cause in errbuf */
	int (*prepare)(const struct vh_vm *vm, char *errbuf, size_t errlen);
	void (*runner_args)(const struct vh_vm *vm, struct vh_argv *a);
	/* the path the guest uses for an object (test false) or a test, index i */
	int (*guest_path)(const struct vh_guest_plan *plan, bool test, int i, char *buf,
			  size_t len);
};

extern const struct vh_vm_kind vh_vm_qemu, vh_vm_vng;

/* The kind named name, NULL if none. */
const struct vh_vm_kind *vh_vm_kind__find(const char *name);
/* The first usable kind in order of preference (qemu boots faster), else the last. */
const struct vh_vm_kind *vh_vm_kind__default(const char *bpfgate_path);
/* "qemu, vng" */
const char *vh_vm_kind__names(void);

/* Start the VM (does not wait). 0 or -errno with the cause in errbuf. */
int vh_vm__start(struct vh_vm *vm, char *errbuf, size_t errlen);

/* The guest path of step (1..N: the objects, then the tests). 0 or -errno. */
int vh_vm__step_path(const struct vh_vm_kind *kind, const struct vh_guest_plan *plan, int step,
		     char *buf, size_t len);

/* Write the guest script of kind to f: mounts, probe, one step per object and test,
 * the framed channel on fd 3 (opened on out), scratch files in scratch. 0 or -errno. */
int vh_vm__write_script(FILE *f, const struct vh_vm_kind *kind, const char *bpfgate,
			const char *out, const char *scratch, const struct vh_guest_plan *plan);

/*
 * Write the qemu backend's initramfs to path: /init (the guest script), busybox,
 * the static bpfgate, the objects as /w/o/N/BASENAME and the tests as
 * /w/t/N/BASENAME. 0 or -errno.
 */
int vh_vm__build_initramfs(const char *path, const char *busybox, const char *bpfgate_static,
			   const struct vh_guest_plan *plan, char *errbuf, size_t errlen);
/* Write the vng backend's guest script to path (runs bpfgate_path on the objects'
 * absolute paths, writes rundir/guest.out). 0 or -errno. */
int vh_vm__write_vng_script(const char *path, const char *bpfgate_path, const char *rundir,
			    const struct vh_guest_plan *plan, char *errbuf, size_t errlen);

/* The host's TSC rate in kHz when it is constant (0 when unknown): a TCG guest's TSC
 * runs at the host's rate, and without being told so the kernel falls back to the
 * jiffies clock (4 ms steps: durations measured in the guest read 0). */
unsigned long vh_vm__host_tsc_khz(void);

/* The last n lines of a text file, NULL if unreadable (caller frees). */
char *vh_vm__tail(const char *path, int n);

#endif
