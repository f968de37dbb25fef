/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vm.h: boot one kernel in a VM and run `bpfgate verify --json` inside it.
 *
 * Two backends:
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
#include <stddef.h>
#include <sys/types.h>

#include "kernel_cache.h"
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
/* The object path the guest sees for plan->objs[i] (for mapping results back). */
int vh_vm__guest_obj(const char *backend, const struct vh_guest_plan *plan, int i, char *buf,
		     size_t len);
/* The same for plan->tests[i]. */
int vh_vm__guest_test(const char *backend, const struct vh_guest_plan *plan, int i, char *buf,
		      size_t len);

/* The host's TSC rate in kHz when it is constant (0 when unknown): a TCG guest's TSC
 * runs at the host's rate, and without being told so the kernel falls back to the
 * jiffies clock (4 ms steps: durations measured in the guest read 0). */
unsigned long vh_vm__host_tsc_khz(void);

/* One boot. */
struct vh_vm {
	const struct vh_kernel_spec *kernel;
	const char *backend; /* "qemu" or "vng" */
	bool kvm;
	const char *rundir; /* console.log, guest.out (and vng's guest.sh) go here */
	const char *tmpdir; /* the runner's TMPDIR (vng's own files), NULL: inherited */
	const char *initrd; /* qemu: the initramfs */
	int mem_mb;
	int timeout_s;      /* > 0: the whole VM (vng's QEMU too) is killed at this deadline */
	unsigned long tsc_khz; /* qemu under TCG: the host's TSC rate for the guest, 0 unknown */
	struct vh_spawn proc; /* the runner: poll it, kill it, free it (spawn.h) */
};

/* Start the VM (does not wait). 0 or -errno with the cause in errbuf. */
int vh_vm__start(struct vh_vm *vm, char *errbuf, size_t errlen);

/* One complete section of the channel. */
struct vh_guest_section {
	char *data;           /* LEN bytes and a NUL */
	size_t len;
	int rc;               /* the RC of its end marker */
	int step;             /* the step marker it followed (1..N), 0 none */
};

/* What came back from a guest (parsed from rundir/guest.out). */
struct vh_guest_out {
	char release[128];
	double init_uptime;   /* guest uptime when /init started: kernel boot */
	double verify_start;  /* guest uptime around the steps */
	double verify_end;
	bool hello, verified, done;
	int steps_started;    /* I of the last step marker, 0 none */
	int steps_total;      /* N of the last step marker, 0 none */
	int verify_rc;        /* highest RC of the results sections, -1 none */
	struct vh_guest_section *results; /* every complete results section, in order */
	int nresults;
	char *probe;          /* feature probe JSON, or NULL */
	size_t probe_len;
	char *stderr_text;    /* its stderr, or NULL */
	size_t stderr_len;
	char problem[160];    /* framing error, "" when fine */
};

/*
 * Parse a guest's output (the whole file); 0, or -errno if it cannot be read (or
 * -ENOMEM). Parsing stops at the first section that is cut short or garbled (problem
 * says which); every section before it is kept.
 */
int vh_guest_out__parse(const char *path, struct vh_guest_out *g);
void vh_guest_out__free(struct vh_guest_out *g);

/* The last n lines of a text file, NULL if unreadable (caller frees). */
char *vh_vm__tail(const char *path, int n);

#endif
