/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loader_crash.h: objects are opened and loaded in child processes (a hostile
 * object can make libbpf crash); this says where such a child was when it
 * died and turns its wait status into the error of the object it was loading.
 *
 * The child records the code it enters (libbpf's open, libbpf's load, libbpf's
 * BTF parser, bpfgate's own readers) in a word of memory shared with the
 * parent, so that "SIGFPE in libbpf (bpf_object__load)" names the culprit.
 */
#ifndef BPFGATE_LOADER_CRASH_H
#define BPFGATE_LOADER_CRASH_H

#include <stdatomic.h>

enum vh_loader_phase {
	VH_IN_BPFGATE,      /* bpfgate's own code */
	VH_IN_LIBBPF_OPEN,  /* bpf_object__open: ELF, BTF, maps, programs */
	VH_IN_LIBBPF_LOAD,  /* bpf_object__load: CO-RE relocation, maps, the kernel */
	VH_IN_LIBBPF_BTF,   /* btf__parse_elf of the object (CO-RE subset, tags) */
};

/* Record phases into *slot from now on (NULL: stop); slot is in shared memory. */
void vh_loader__track(atomic_int *slot);

/* Enter a phase; returns the previous one (to restore it). */
int vh_loader__enter(int phase);

/*
 * The error of an object whose loader child ended with wait status `status`
 * while in `phase`: "the loader crashed on this object: SIGFPE in libbpf
 * (bpf_object__load)". malloc'd; NULL when out of memory.
 */
char *vh_loader__crash_msg(int status, int phase);

/* Make this child die with its parent (a killed bpfgate leaves no loader behind,
 * holding kernel objects). 0, or -errno. */
int vh_loader__die_with_parent(pid_t parent);

#endif
