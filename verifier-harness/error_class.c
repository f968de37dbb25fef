// SPDX-License-Identifier: BSD-2-Clause
/* error_class.c: classify a rejection by the verifier's and libbpf's words. */
#include <errno.h>
#include <string.h>

#include "error_class.h"

#define LACKS "kernel lacks a feature"
#define BUG "program has a bug"

static const struct vh_error_class classes[] = {
	{ "core_relocation", LACKS, "the kernel's BTF lacks a type or field the program reads" },
	{ "unknown_helper", LACKS, "the helper is newer than this kernel" },
	{ "unknown_kfunc", LACKS, "the kfunc does not exist in this kernel" },
	{ "unsupported_prog_type", LACKS, "the program type is newer than this kernel" },
	{ "attach_target_missing", LACKS, "the function to attach to does not exist in this kernel" },
	{ "complexity_limit", BUG, "too many instructions or states: simplify or bound loops" },
	{ "invalid_mem_access", BUG, "check bounds and NULL before the access" },
	{ "unbounded_loop", BUG, "bound the loop so the verifier can prove it ends" },
	{ "stack_limit", BUG, "the stack is limited to 512 bytes" },
	{ "uninitialized_register", BUG, "a register is read before it is written" },
	{ "other", BUG, "read the verifier log (-v)" },
};

static const struct {
	const char *needle;
	const char *cls;
} patterns[] = {
	{ "failed to resolve CO-RE relocation", "core_relocation" },
	{ "unknown#195896080", "core_relocation" },
	{ "invalid func ", "unknown_helper" },
	{ "unknown func ", "unknown_helper" },
	{ "calling kernel function", "unknown_kfunc" },
	{ "failed to find kernel BTF type ID", "attach_target_missing" },
	{ "BPF program is too large", "complexity_limit" },
	{ "too many states", "complexity_limit" },
	{ "back-edge", "unbounded_loop" },
	{ "infinite loop", "unbounded_loop" },
	{ "combined stack size", "stack_limit" },
	{ "stack limit", "stack_limit" },
	{ "!read_ok", "uninitialized_register" },
	{ "invalid mem access", "invalid_mem_access" },
	{ "invalid access to", "invalid_mem_access" },
	{ "outside of the", "invalid_mem_access" },
};

const struct vh_error_class *vh_error__by_name(const char *name)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (name && !strcmp(classes[i].name, name))
			return &classes[i];
	return NULL;
}

const struct vh_error_class *vh_error__classify(const char *log, int load_err)
{
	for (size_t i = 0; log && i < sizeof(patterns) / sizeof(patterns[0]); i++)
		if (strstr(log, patterns[i].needle))
			return vh_error__by_name(patterns[i].cls);
	if (load_err == -EINVAL && log && !log[0])
		return vh_error__by_name("unsupported_prog_type");
	return vh_error__by_name("other");
}
