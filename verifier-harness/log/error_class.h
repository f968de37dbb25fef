/* SPDX-License-Identifier: BSD-2-Clause */
/* error_class.h: why the verifier rejected a program, in a fixed vocabulary. */
#ifndef BPFGATE_ERROR_CLASS_H
#define BPFGATE_ERROR_CLASS_H

/*
 * The vocabulary (docs/error-classes.md has an example line and advice for each):
 *
 * kernel lacks a feature
 *   core_relocation          a CO-RE relocation found no matching type or field
 *   unknown_helper           the kernel does not know the helper ("invalid func unknown#N")
 *   helper_not_allowed       the helper exists but not for this program type ("unknown func")
 *   unknown_kfunc            a kfunc the kernel does not export (libbpf poisoned the call)
 *   map_not_supported        a map the program uses could not be created
 *   unsupported_feature      instructions or BTF the kernel cannot load (callbacks, new opcodes)
 *   unsupported_prog_type    rejected before verification, without a log
 *   unsupported_attach_type  the attach type is not supported (EOPNOTSUPP)
 *   attach_target_missing    the function to attach to is not in the kernel's BTF
 *   back_edge                a loop, on a kernel (or privilege) without bounded loops
 * program has a bug
 *   complexity_limit         the verifier gave up: 1M instructions or too many states
 *   program_too_large        more instructions than a program may have (E2BIG, no log)
 *   unbounded_loop           a loop the verifier cannot prove to end
 *   null_pointer             a "_or_null" pointer used before a NULL check
 *   invalid_ctx_access       a context field that does not exist or is read-only
 *   invalid_mem_access       out of bounds (packet, map value, memory) or a wrong pointer type
 *   stack_limit              more than 512 bytes of stack over the call chain
 *   invalid_stack_access     uninitialised or out-of-range stack slots
 *   uninitialized_register   a register read before it is written
 *   helper_arg_mismatch      a helper or kfunc argument of the wrong type
 *   unreleased_reference     an acquired reference (ringbuf, socket, ...) not released
 *   pointer_arithmetic       arithmetic or comparison the verifier forbids on pointers
 *   invalid_return           the return value is outside the range of the program type
 *   license_gpl_only         a GPL-only helper called by a program that is not GPL
 *   expectation              the program's own tags (__failure, __msg) were not met
 * object is at fault (the load failed before the verifier ran; verdict error)
 *   object_invalid           libbpf could not prepare the object (relocations, sections)
 *   map_create               a map of a type the kernel has could not be created from
 *                            its definition (size, flags, key or value type)
 *   loader_crash             libbpf (or bpfgate) crashed on the object (SIGSEGV, SIGFPE)
 * environment problem
 *   permission               EPERM: no CAP_BPF/CAP_SYS_ADMIN, or locked down
 * unknown
 *   log_truncated            ENOSPC: the log did not fit, the reason was cut off
 *   other                    none of the above: read the log
 *
 * Only the message lines of the log are matched (never the traced source or
 * instructions), the error line first, then the load's errno.
 */

#define VH_KIND_FEATURE "kernel lacks a feature"
#define VH_KIND_BUG "program has a bug"
#define VH_KIND_OBJECT "object is at fault"
#define VH_KIND_ENV "environment problem"
#define VH_KIND_UNKNOWN "unknown"

struct vh_error_class {
	const char *name; /* one of the vocabulary above */
	const char *kind; /* VH_KIND_* */
	const char *hint; /* one short line of advice */
};

/* Classify a rejection from the verifier log (or libbpf's messages when the kernel wrote
 * no log) and the load's -errno. Never NULL: "other" when nothing is recognised. */
const struct vh_error_class *vh_error__classify(const char *log, int load_err);

/* The class of that name, or NULL. */
const struct vh_error_class *vh_error__by_name(const char *name);

/* The i-th class of the vocabulary (0 ..), NULL past the end: for listings and docs. */
const struct vh_error_class *vh_error__at(int i);

#endif
