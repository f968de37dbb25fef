// SPDX-License-Identifier: BSD-2-Clause
/* error_class.c: classify a rejection by the verifier's and libbpf's words. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error_class.h"
#include "result.h"
#include "verifier_log.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524 /* the kernel's internal "operation not supported" */
#endif

enum {
	C_CORE, C_UNKNOWN_HELPER, C_HELPER_NOT_ALLOWED, C_UNKNOWN_KFUNC, C_MAP, C_FEATURE,
	C_PROG_TYPE, C_ATTACH_TYPE, C_ATTACH_TARGET, C_BACK_EDGE, C_COMPLEXITY, C_TOO_LARGE,
	C_LOOP, C_NULL, C_CTX, C_MEM, C_STACK_LIMIT, C_STACK, C_UNINIT_REG,
	C_HELPER_ARG, C_REF, C_PTR_MATH, C_RETURN, C_GPL, C_EXPECTATION, C_OBJECT, C_MAP_CREATE,
	C_CRASH, C_PERMISSION, C_TRUNCATED, C_OTHER, C_CNT,
};

static const struct vh_error_class classes[C_CNT] = {
	[C_CORE] = { "core_relocation", VH_KIND_FEATURE,
		     "the kernel's BTF lacks a type or field the program reads: guard it with "
		     "bpf_core_field_exists() or a ___flavour" },
	[C_UNKNOWN_HELPER] = { "unknown_helper", VH_KIND_FEATURE,
			       "the helper is newer than this kernel: raise __min_kernel or avoid it" },
	[C_HELPER_NOT_ALLOWED] = { "helper_not_allowed", VH_KIND_FEATURE,
				   "this program type may not call the helper on this kernel" },
	[C_UNKNOWN_KFUNC] = { "unknown_kfunc", VH_KIND_FEATURE,
			      "the kfunc is not in this kernel: check bpf_ksym_exists() first" },
	[C_MAP] = { "map_not_supported", VH_KIND_FEATURE,
		    "a map could not be created: its type or flags are newer than this kernel" },
	[C_FEATURE] = { "unsupported_feature", VH_KIND_FEATURE,
			"the object uses instructions or BTF this kernel predates (callbacks need "
			"5.13, cpu v4 instructions 6.6)" },
	[C_PROG_TYPE] = { "unsupported_prog_type", VH_KIND_FEATURE,
			  "rejected before verification: the program type is likely newer than "
			  "this kernel (bpftool feature probe)" },
	[C_ATTACH_TYPE] = { "unsupported_attach_type", VH_KIND_FEATURE,
			    "the kernel does not support this attach type for the program type" },
	[C_ATTACH_TARGET] = { "attach_target_missing", VH_KIND_FEATURE,
			      "the function to attach to does not exist in this kernel" },
	[C_BACK_EDGE] = { "back_edge", VH_KIND_FEATURE,
			  "loops need Linux 5.3 and CAP_BPF: unroll the loop or use bpf_loop()" },
	[C_COMPLEXITY] = { "complexity_limit", VH_KIND_BUG,
			   "the verifier gave up (1M instructions or too many states): shorten "
			   "loops, split the program or use bpf_loop()" },
	[C_TOO_LARGE] = { "program_too_large", VH_KIND_BUG,
			  "more instructions than a program may have: split it with tail calls" },
	[C_LOOP] = { "unbounded_loop", VH_KIND_BUG,
		     "the verifier cannot prove the loop ends: give it a constant bound" },
	[C_NULL] = { "null_pointer", VH_KIND_BUG,
		     "check the pointer (map lookup, reserve) against NULL before using it" },
	[C_CTX] = { "invalid_ctx_access", VH_KIND_BUG,
		    "the context has no such field here, or it is read-only for this type" },
	[C_MEM] = { "invalid_mem_access", VH_KIND_BUG,
		    "bound the offset (packets: against data_end) and check the pointer first" },
	[C_STACK_LIMIT] = { "stack_limit", VH_KIND_BUG,
			    "512 bytes of stack over the whole call chain: move buffers to a "
			    "per-CPU array map" },
	[C_STACK] = { "invalid_stack_access", VH_KIND_BUG,
		      "initialise the stack variable before passing or reading it" },
	[C_UNINIT_REG] = { "uninitialized_register", VH_KIND_BUG,
			   "a register is read before it is written (inline asm or a bad "
			   "function signature)" },
	[C_HELPER_ARG] = { "helper_arg_mismatch", VH_KIND_BUG,
			   "an argument has the wrong type: pass the kind of pointer the helper "
			   "expects" },
	[C_REF] = { "unreleased_reference", VH_KIND_BUG,
		    "release what was acquired (submit/discard, sk_release) on every path" },
	[C_PTR_MATH] = { "pointer_arithmetic", VH_KIND_BUG,
			 "only add bounded scalars to pointers; do not leak or compare them" },
	[C_RETURN] = { "invalid_return", VH_KIND_BUG,
		       "return a value the program type allows (e.g. XDP_PASS, 0 or 1)" },
	[C_GPL] = { "license_gpl_only", VH_KIND_BUG,
		    "the helper is GPL-only: declare a GPL-compatible license" },
	[C_EXPECTATION] = { "expectation", VH_KIND_BUG,
			    "the verdict or log does not match the program's __failure/__msg "
			    "tags" },
	[C_OBJECT] = { "object_invalid", VH_KIND_OBJECT,
		       "libbpf could not prepare the object: rebuild it (clang -g -O2 -target "
		       "bpf) and read libbpf's message (-vv)" },
	[C_MAP_CREATE] = { "map_create", VH_KIND_OBJECT,
			   "the kernel has this map type but refused the definition: check "
			   "max_entries, key and value sizes and flags" },
	[C_CRASH] = { "loader_crash", VH_KIND_OBJECT,
		      "the object is malformed in a way that crashes libbpf: rebuild it, and "
		      "report it to libbpf if it came from a compiler" },
	[C_PERMISSION] = { "permission", VH_KIND_ENV,
			   "run as root or with CAP_BPF and CAP_PERFMON (and no lockdown)" },
	[C_TRUNCATED] = { "log_truncated", VH_KIND_UNKNOWN,
			  "the log did not fit its buffer: load again with a larger one" },
	[C_OTHER] = { "other", VH_KIND_UNKNOWN, "read the verifier log (-v)" },
};

/* Words of the verifier (5.10 .. 7.x) and of libbpf, first match wins: the more
 * specific before the general ("_or_null" before "invalid mem access"). */
static const struct {
	const char *needle;
	int cls;
} patterns[] = {
	/* libbpf poisons what it could not relocate and rewrites the verifier's words */
	{ "failed to resolve CO-RE relocation", C_CORE },
	{ "<invalid CO-RE relocation>", C_CORE },
	{ "unknown#195896080", C_CORE },
	{ "<invalid kfunc call>", C_UNKNOWN_KFUNC },
	{ "is referenced but wasn't resolved", C_UNKNOWN_KFUNC },
	{ "unknown#2002", C_UNKNOWN_KFUNC },
	{ "not found in kernel or module BTFs", C_UNKNOWN_KFUNC },
	{ "calling kernel function", C_UNKNOWN_KFUNC },
	{ "<invalid BPF map reference>", C_MAP },
	{ "is referenced but wasn't created", C_MAP },
	{ "failed to create map", C_MAP },
	{ "failed to find kernel BTF type ID", C_ATTACH_TARGET },
	{ "invalid func unknown#", C_UNKNOWN_HELPER },
	{ "unknown func ", C_HELPER_NOT_ALLOWED },
	{ "helper call is not allowed", C_HELPER_NOT_ALLOWED },
	{ "number of funcs in func_info doesn't match", C_FEATURE },
	{ "unknown opcode", C_FEATURE },
	{ "back-edge from insn", C_BACK_EDGE },
	{ "BPF program is too large. Processed", C_COMPLEXITY },
	{ "jumps is too complex", C_COMPLEXITY },
	{ "too many states", C_COMPLEXITY },
	{ "BPF program is too large", C_TOO_LARGE },
	{ "infinite loop detected", C_LOOP },
	{ "GPL-restricted", C_GPL },
	{ "non-GPL", C_GPL },
	{ "combined stack size", C_STACK_LIMIT },
	{ "stack limit", C_STACK_LIMIT },
	{ "Unreleased reference", C_REF },
	{ "reference leak", C_REF },
	{ "_or_null'", C_NULL },
	{ "Possibly NULL pointer", C_NULL },
	{ "invalid bpf_context access", C_CTX },
	{ "modified ctx ptr", C_CTX },
	{ "!read_ok", C_UNINIT_REG },
	{ "read from stack", C_STACK },
	{ "write to stack", C_STACK },
	{ "access to stack", C_STACK },
	{ "invalid stack", C_STACK },
	{ "register fill", C_STACK },
	{ " expected=", C_HELPER_ARG },
	{ "helper access to", C_HELPER_ARG },
	{ "cannot pass map_type", C_HELPER_ARG },
	{ "zero-sized read", C_HELPER_ARG },
	{ "arg#", C_HELPER_ARG },
	{ "pointer arithmetic", C_PTR_MATH },
	{ "on pointer prohibited", C_PTR_MATH },
	{ "pointer comparison prohibited", C_PTR_MATH },
	{ "leaks addr", C_PTR_MATH },
	{ "At program exit", C_RETURN },
	{ "invalid access to packet", C_MEM },
	{ "outside of the packet", C_MEM },
	{ "invalid mem access", C_MEM },
	{ "invalid access to", C_MEM },
	{ "is outside of the allowed memory range", C_MEM },
	{ "unbounded memory access", C_MEM },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const struct vh_error_class *vh_error__at(int i)
{
	return i >= 0 && i < C_CNT ? &classes[i] : NULL;
}

const struct vh_error_class *vh_error__by_name(const char *name)
{
	for (int i = 0; name && i < C_CNT; i++)
		if (!strcmp(classes[i].name, name))
			return &classes[i];
	return NULL;
}

static int match(const char *text)
{
	for (size_t i = 0; text && i < ARRAY_SIZE(patterns); i++)
		if (strstr(text, patterns[i].needle))
			return patterns[i].cls;
	return -1;
}

const struct vh_error_class *vh_error__classify(const char *log, int load_err)
{
	struct vh_stats st;
	char *text;
	int cls, has_stats;

	/* the error and the lines that explain it, then every message of the log */
	text = vh_log__error_text(log);
	cls = match(text);
	free(text);
	if (cls < 0) {
		text = vh_log__messages(log);
		cls = match(text);
		free(text);
	}
	if (cls >= 0)
		return &classes[cls];

	vh_stats__init(&st);
	has_stats = !vh_log__parse_stats(log, &st);
	/* level 4 on old kernels: no error line, but the count says it all */
	if (has_stats && st.insns_limit > 0 && st.insns_processed > st.insns_limit)
		return &classes[C_COMPLEXITY];

	switch (load_err) {
	case -ENOSPC:
		return &classes[C_TRUNCATED];
	case -E2BIG:
		return &classes[C_TOO_LARGE];
	case -EPERM:
		return &classes[C_PERMISSION];
	case -EOPNOTSUPP:
	case -ENOTSUPP:
		return &classes[C_ATTACH_TYPE];
	case -ESRCH:
		return &classes[C_UNKNOWN_KFUNC]; /* libbpf: an extern it cannot find */
	case -EINVAL:
		/* the verifier never ran: the syscall refused the attributes */
		if (!has_stats)
			return &classes[C_PROG_TYPE];
		break;
	}
	return &classes[C_OTHER];
}
