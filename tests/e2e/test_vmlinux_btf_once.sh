#!/usr/bin/env bash
# The kernel BTF is read once per process: a worker that loads several programs
# that need it (fentry/fexit attach targets) opens /sys/kernel/btf/vmlinux once,
# where libbpf 1.4 alone reads it again for every load (vmlinux_btf.c).
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" = 0 ] || skip "loading BPF programs needs root"
command -v strace >/dev/null || skip "strace not installed"
[ -r /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF"
cat >"$T/trace.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("fentry/do_nanosleep") int enter(void *ctx) { return 0; }
SEC("fexit/do_nanosleep") int leave(void *ctx) { return 0; }
SEC("fentry/hrtimer_nanosleep") int enter2(void *ctx) { return 0; }
char LICENSE[] SEC("license") = "GPL";
C
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/trace.bpf.c" -o "$T/trace.bpf.o" ||
	fail "compile trace.bpf.c"
strace -f -qq -e trace=openat -o "$T/strace" "$BPFGATE" verify --no-cache --jobs 1 --json \
	"$T/trace.bpf.o" >"$T/out.json" 2>"$T/err" || true
# (a host that refuses tracing programs, EPERM, refuses them after libbpf has
# resolved their targets in the kernel BTF: they count as well)
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$T/out.json")
expect_eq "$n" 3 "results ($(cat "$T/err"))"
parent=$(head -1 "$T/strace" | awk '{ print $1 }')
# per process other than bpfgate itself (which parses it once for CO-RE subsets)
most=$(grep '/sys/kernel/btf/vmlinux' "$T/strace" | awk -v p="$parent" '$1 != p { n[$1]++ }
	END { m = 0; for (k in n) if (n[k] > m) m = n[k]; print m }')
expect_eq "$most" 1 "opens of the kernel BTF by the worker that loaded 3 programs"
echo "kernel BTF read once per worker for 3 loads that need it"
