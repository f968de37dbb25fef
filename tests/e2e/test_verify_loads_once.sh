#!/usr/bin/env bash
# A program that libbpf refuses before the kernel sees it (here an attach target
# no kernel has) is loaded once: no second load for a log no log level gives,
# and no third one for -v. libbpf's debug output (-v -v) names each attempt.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF"
cat >"$T/miss.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("fentry/no_such_function_in_any_kernel") int enter(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
C
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/miss.bpf.c" -o "$T/miss.bpf.o" ||
	fail "compile miss.bpf.c"
run "$BPFGATE" verify --no-cache --jobs 1 -v -v "$T/miss.bpf.o"
expect_eq "$rc" 1 "exit status ($err)"
expect_contains "$out" "attach_target_missing" "the class"
# libbpf says it once or twice per load (its own retry of the message); three
# loads (stats, full log, -v) said it four times or more
n=$(grep -c "failed to find kernel BTF type ID of 'no_such_function_in_any_kernel'" <<<"$err")
[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "loaded more than once: libbpf said it $n times"
echo "a program refused before the kernel saw it is loaded once"
