/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpfgate.h: expectations a BPF program states about its own verification.
 *
 * The tags are BTF declaration tags on the program's function, so they travel
 * inside the object and `bpfgate verify` reads them back from its BTF (no side
 * files). Put them between SEC() and the function:
 *
 *	SEC("xdp")
 *	__failure __msg("invalid mem access 'map_value_or_null'")
 *	int reads_without_null_check(struct xdp_md *ctx) { ... }
 *
 *	SEC("fentry/tcp_connect")
 *	__min_kernel("5.5") __min_kernel_reason("fentry needs BPF trampolines")
 *	int on_connect(...) { ... }
 *
 * __success             the verifier must accept the program (the default)
 * __failure             the verifier must reject it; a pass is a test failure
 * __msg(TEXT)           with __failure: TEXT must appear in the verifier log
 *                       (repeatable; every TEXT must appear)
 * __min_kernel(VER)     oldest kernel the program supports ("5.13"); on older
 *                       kernels it is reported skip (needs >= VER); passing on an
 *                       older kernel is reported, so the tag can be lowered
 * __min_kernel_reason(TEXT)  why (shown with the skip)
 * __prog_type(NAME)     load as this program type (libbpf's name, e.g. "xdp")
 *                       when the SEC() name does not say
 *
 * Requires clang >= 14 (btf_decl_tag). With an older compiler the tags are
 * empty and the program is simply expected to pass.
 */
#ifndef BPFGATE_H
#define BPFGATE_H

#if __has_attribute(btf_decl_tag)
#define __bpfgate_tag(kv) __attribute__((btf_decl_tag("bpfgate:" kv)))
#else
#define __bpfgate_tag(kv)
#endif

#define __success __bpfgate_tag("expect=pass")
#define __failure __bpfgate_tag("expect=fail")
#define __msg(text) __bpfgate_tag("msg=" text)
#define __min_kernel(ver) __bpfgate_tag("min_kernel=" ver)
#define __min_kernel_reason(text) __bpfgate_tag("min_kernel_reason=" text)
#define __prog_type(name) __bpfgate_tag("prog_type=" name)

#endif
