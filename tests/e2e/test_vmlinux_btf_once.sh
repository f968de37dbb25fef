#!/usr/bin/env bash
# The kernel BTF is read and parsed once per process: bpfgate parses it for the
# CO-RE subsets and the loads that need it (fentry/fexit attach targets) get an
# empty split BTF on top of that parse, where libbpf 1.4 alone reads and parses
# it again for every load (vmlinux_btf.c).
. "$(dirname "$0")/../lib.sh"

compile_fentry "$T/trace.bpf.o"
strace -f -qq -e trace=openat -o "$T/strace" "$BPFGATE" verify --no-cache --jobs 1 --json \
	"$T/trace.bpf.o" >"$T/out.json" 2>"$T/err" || true
# (a host that refuses tracing programs, EPERM, refuses them after libbpf has
# resolved their targets in the kernel BTF: they count as well)
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$T/out.json")
expect_eq "$n" 3 "results ($(cat "$T/err"))"
# one open in all, by bpfgate's one parse
opens=$(grep -c '/sys/kernel/btf/vmlinux' "$T/strace" || true)
expect_eq "$opens" 1 "opens of the kernel BTF by bpfgate and its workers for 3 loads that need it"

TIMER=${TIME:-/usr/bin/time}
[ -x "$TIMER" ] || skip "GNU time not installed (ci/deps.sh installs it)"
# One parse held at a time: the peak memory of the run, above that of a run that
# needs no kernel BTF, is one parsed copy (the file's size plus its index), not two.
cat >"$T/plain.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("xdp") int pass(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
C
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/plain.bpf.c" -o "$T/plain.bpf.o" || fail "compile plain.bpf.c"
peak_kib() { # the largest peak RSS of the run's processes
	"$TIMER" -f %M -o "$T/peak" "$BPFGATE" verify --no-cache --jobs 1 "$1" >/dev/null 2>&1
	tail -1 "$T/peak"
}
plain=$(peak_kib "$T/plain.bpf.o")
traced=$(peak_kib "$T/trace.bpf.o")
btf_kib=$(($(stat -c %s /sys/kernel/btf/vmlinux) / 1024))
extra=$((traced - plain))
[ "$extra" -lt $((btf_kib * 3 / 2)) ] ||
	fail "3 loads that need the kernel BTF took $extra KiB more at peak than a load that" \
		"needs none: more than one parse of the ${btf_kib} KiB kernel BTF at a time"
echo "kernel BTF read once in all for 3 loads that need it; $extra KiB at peak for it" \
	"(the file: ${btf_kib} KiB)"
