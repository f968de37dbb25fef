// SPDX-License-Identifier: BSD-2-Clause
/* kernel_probe.c: probe the running kernel's program types, map types and helpers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kernel_probe.h"
#include "kvm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Helpers are probed with two program types that between them can call most
 * helpers (tracing and networking); each probe is a program load, and under TCG
 * each type costs about half a second. */
static const enum bpf_prog_type helper_probe_types[] = {
	BPF_PROG_TYPE_KPROBE,
	BPF_PROG_TYPE_SCHED_CLS,
};

/*
 * A type libbpf's probe found missing may exist but be refused: loads of it
 * fail with EPERM before any check of the program, although bpfgate has the
 * capabilities (kernel lockdown, an LSM policy, no way to attach it here).
 */
/* The helpers a program of type t may call, as the probe's next "helpers" entry. */
static int add_helpers(struct vh_probe *p, enum bpf_prog_type t)
{
	struct vh_probe_helpers *hs = realloc(p->helpers, (p->nhelpers + 1) * sizeof(*hs));
	struct vh_probe_helpers *h;

	if (!hs)
		return -ENOMEM;
	p->helpers = hs;
	h = &hs[p->nhelpers];
	memset(h, 0, sizeof(*h));
	h->prog_type = strdup(libbpf_bpf_prog_type_str(t));
	h->ids = malloc(__BPF_FUNC_MAX_ID * sizeof(*h->ids));
	if (!h->prog_type || !h->ids) {
		free(h->prog_type);
		free(h->ids);
		return -ENOMEM;
	}
	p->nhelpers++;
	for (int id = 1; id < __BPF_FUNC_MAX_ID; id++)
		if (libbpf_probe_bpf_helper(t, id, NULL) == 1)
			h->ids[h->n++] = id;
	return 0;
}

static bool prog_type_refused(enum bpf_prog_type t)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	int fd;

	if (t == BPF_PROG_TYPE_TRACING)
		opts.expected_attach_type = BPF_TRACE_FENTRY;
	else if (t == BPF_PROG_TYPE_LSM)
		opts.expected_attach_type = BPF_LSM_MAC;
	fd = bpf_prog_load(t, NULL, "GPL", insns, 2, &opts);
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == EPERM;
}

/* The program types that load, and of the missing ones those refused (EPERM). */
static int probe_prog_types(struct vh_probe *p)
{
	bool missing[64] = { false };
	int err = 0;

	p->prog_types.present = p->prog_types_refused.present = true;
	for (int t = 1; !err && libbpf_bpf_prog_type_str(t); t++) {
		if (libbpf_probe_bpf_prog_type(t, NULL) == 1)
			err = vh_probe_names__add(&p->prog_types, libbpf_bpf_prog_type_str(t));
		else if (t < 64)
			missing[t] = true;
	}
	for (int t = 1; !err && t < 64; t++)
		if (missing[t] && prog_type_refused(t))
			err = vh_probe_names__add(&p->prog_types_refused,
						  libbpf_bpf_prog_type_str(t));
	return err;
}

static int probe_start(struct vh_probe *p)
{
	struct utsname u;

	memset(p, 0, sizeof(*p));
	uname(&u);
	p->kernel = strdup(u.release);
	return p->kernel ? 0 : -ENOMEM;
}

int vh_kernel_probe__prog_types(struct vh_probe *p)
{
	int err = probe_start(p) ?: probe_prog_types(p);

	if (err)
		vh_probe__clear(p);
	return err;
}

int vh_kernel_probe__run(struct vh_probe *p)
{
	char why[160];
	int err = probe_start(p);

	p->has_kvm = true;
	p->kvm = vh_kvm__usable(why, sizeof(why));
	p->map_types.present = p->has_helpers = true;
	err = err ?: probe_prog_types(p);
	for (int t = 1; !err && libbpf_bpf_map_type_str(t); t++)
		if (libbpf_probe_bpf_map_type(t, NULL) == 1)
			err = vh_probe_names__add(&p->map_types, libbpf_bpf_map_type_str(t));
	/* helper ids, per program type: names would need the kernel's own list */
	for (size_t i = 0; !err && i < ARRAY_SIZE(helper_probe_types); i++) {
		enum bpf_prog_type t = helper_probe_types[i];

		if (libbpf_probe_bpf_prog_type(t, NULL) == 1)
			err = add_helpers(p, t);
	}
	if (err)
		vh_probe__clear(p);
	return err;
}
