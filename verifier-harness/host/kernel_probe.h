/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernel_probe.h: find what the running kernel supports (program types, map
 * types, helpers): the struct vh_probe (probe.h) that `bpfgate kernel probe --json`
 * prints and each kernel of a verify run records.
 *
 * Names are libbpf's; helpers are ids per program type. Each entry is one program
 * or map load, so it needs the privilege to load BPF: without it the lists are empty.
 */
#ifndef BPFGATE_KERNEL_PROBE_H
#define BPFGATE_KERNEL_PROBE_H

#include "probe.h"

/* Probe the running kernel into p (every member present). 0 or -ENOMEM. */
int vh_kernel_probe__run(struct vh_probe *p);

/* Only what a skip's evidence needs (kernel, prog_types, prog_types_refused), about
 * 40 loads where the whole probe makes some 500. 0 or -ENOMEM. */
int vh_kernel_probe__prog_types(struct vh_probe *p);

#endif
