// SPDX-License-Identifier: BSD-2-Clause
/* kernel_probe.c: the running kernel's program types, map types and helpers, as JSON. */
#include <errno.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json_writer.h"
#include "kernel_probe.h"
#include "kvm.h"

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

int vh_kernel_probe__write_json(FILE *f, bool pretty)
{
	struct vh_json_writer w;
	struct utsname u;
	char why[160];
	bool kvm;

	uname(&u);
	kvm = vh_kvm__usable(why, sizeof(why));
	vh_json_writer__init(&w, f, pretty);
	vh_json_writer__begin_object(&w);
	vh_json_writer__kv_string(&w, "kernel", u.release);
	vh_json_writer__key(&w, "kvm");
	vh_json_writer__bool(&w, kvm);
	vh_json_writer__key(&w, "prog_types");
	vh_json_writer__begin_array(&w);
	bool missing[64] = { false };

	for (int t = 1; libbpf_bpf_prog_type_str(t); t++) {
		if (libbpf_probe_bpf_prog_type(t, NULL) == 1)
			vh_json_writer__string(&w, libbpf_bpf_prog_type_str(t));
		else if (t < 64)
			missing[t] = true;
	}
	vh_json_writer__end_array(&w);
	vh_json_writer__key(&w, "prog_types_refused");
	vh_json_writer__begin_array(&w);
	for (int t = 1; t < 64; t++)
		if (missing[t] && prog_type_refused(t))
			vh_json_writer__string(&w, libbpf_bpf_prog_type_str(t));
	vh_json_writer__end_array(&w);
	vh_json_writer__key(&w, "map_types");
	vh_json_writer__begin_array(&w);
	for (int t = 1; libbpf_bpf_map_type_str(t); t++)
		if (libbpf_probe_bpf_map_type(t, NULL) == 1)
			vh_json_writer__string(&w, libbpf_bpf_map_type_str(t));
	vh_json_writer__end_array(&w);
	/* helper ids, per program type: names would need the kernel's own list */
	vh_json_writer__key(&w, "helpers");
	vh_json_writer__begin_object(&w);
	for (size_t i = 0; i < sizeof(helper_probe_types) / sizeof(helper_probe_types[0]); i++) {
		enum bpf_prog_type t = helper_probe_types[i];

		if (libbpf_probe_bpf_prog_type(t, NULL) != 1)
			continue;
		vh_json_writer__key(&w, libbpf_bpf_prog_type_str(t));
		vh_json_writer__begin_array(&w);
		for (int h = 1; h < __BPF_FUNC_MAX_ID; h++)
			if (libbpf_probe_bpf_helper(t, h, NULL) == 1)
				vh_json_writer__int(&w, h);
		vh_json_writer__end_array(&w);
	}
	vh_json_writer__end_object(&w);
	vh_json_writer__end_object(&w);
	return vh_json_writer__finish(&w);
}

int vh_kernel_probe__json(char **out)
{
	size_t len = 0;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return -ENOMEM;
	err = vh_kernel_probe__write_json(f, false);
	if (fclose(f) && !err)
		err = -ENOMEM;
	if (err) {
		free(buf);
		return err;
	}
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	*out = buf;
	return 0;
}
