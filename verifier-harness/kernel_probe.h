/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kernel_probe.h: what the running kernel supports (program types, map types,
 * helpers), as `bpfgate kernel probe --json` prints it and as each kernel of a
 * verify run records it in the results ("kernels[].probe", docs/json-schema.md):
 *
 *	{"kernel": "6.1.0-56-amd64", "kvm": false,
 *	 "prog_types": ["socket_filter", "kprobe", ...], "map_types": ["hash", ...],
 *	 "helpers": {"kprobe": [1, 2, ...], "sched_cls": [1, 2, ...]}}
 *
 * Names are libbpf's; helpers are ids per program type. Each entry is one program
 * or map load, so it needs the privilege to load BPF: without it the lists are empty.
 */
#ifndef BPFGATE_KERNEL_PROBE_H
#define BPFGATE_KERNEL_PROBE_H

#include <stdbool.h>
#include <stdio.h>

/* Probe and write the JSON object to f (a newline at the end). 0 or -EIO. */
int vh_kernel_probe__write_json(FILE *f, bool pretty);
/* The same as compact JSON text without the newline in *out (caller frees). 0 or -errno. */
int vh_kernel_probe__json(char **out);

#endif
