/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prog_type.h: choose a program type when the SEC() name does not say.
 *
 * Order: --type, then the program's __prog_type() tag, then libbpf's reading
 * of the SEC() name, then a guess from the type of the function's context
 * argument in BTF (struct xdp_md * means XDP, struct __sk_buff * means a TC
 * classifier, ...). A guess is reported so the user can pin it with a tag.
 */
#ifndef BPFGATE_PROG_TYPE_H
#define BPFGATE_PROG_TYPE_H

#include <linux/bpf.h>

struct btf;

/* Program type (and expected attach type) for a libbpf SEC()-style name such
 * as "xdp", "tc" or "cgroup/connect4". 0 or -ESRCH. */
int vh_prog_type__from_name(const char *name, enum bpf_prog_type *type,
			    enum bpf_attach_type *attach);

/* Guess from the context argument of func in btf. 0 and a short description of
 * the evidence in *why (static), or -ESRCH. */
int vh_prog_type__guess(const struct btf *btf, const char *func, enum bpf_prog_type *type,
			enum bpf_attach_type *attach, const char **why);

#endif
