#!/usr/bin/env bash
# The kernel BTF is read once per process: bpfgate indexes it for the CO-RE
# subsets and the loads that need it (fentry/fexit attach targets) look their
# targets up in that index, where libbpf 1.4 alone reads and parses it again for
# every load (vmlinux_btf.c; test_kernel_btf_memory.sh: what a load holds of it).
. "$(dirname "$0")/../lib.sh"

compile_fentry "$T/trace.bpf.o"
strace -f -qq -e trace=openat -o "$T/strace" "$BPFGATE" verify --no-cache --jobs 1 --json \
	"$T/trace.bpf.o" >"$T/out.json" 2>"$T/err" || true
# (a host that refuses tracing programs, EPERM, refuses them after libbpf has
# resolved their targets in the kernel BTF: they count as well)
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$T/out.json")
expect_eq "$n" 3 "results ($(cat "$T/err"))"
# one open in all, by bpfgate's one read
opens=$(grep -c '/sys/kernel/btf/vmlinux' "$T/strace" || true)
expect_eq "$opens" 1 "opens of the kernel BTF by bpfgate and its workers for 3 loads that need it"
