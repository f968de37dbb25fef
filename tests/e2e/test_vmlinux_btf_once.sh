#!/usr/bin/env bash
# The kernel BTF is read once per run: bpfgate reads it for the CO-RE subsets and
# its workers, which load programs that need it (fentry/fexit attach targets),
# parse that copy, where libbpf 1.4 alone reads it again for every load
# (vmlinux_btf.c).
. "$(dirname "$0")/../lib.sh"

compile_fentry "$T/trace.bpf.o"
strace -f -qq -e trace=openat -o "$T/strace" "$BPFGATE" verify --no-cache --jobs 1 --json \
	"$T/trace.bpf.o" >"$T/out.json" 2>"$T/err" || true
# (a host that refuses tracing programs, EPERM, refuses them after libbpf has
# resolved their targets in the kernel BTF: they count as well)
n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$T/out.json")
expect_eq "$n" 3 "results ($(cat "$T/err"))"
# bpfgate parses it once (CO-RE subsets) and its workers parse that copy
# (vh_vmlinux_btf__share): one open in all
opens=$(grep -c '/sys/kernel/btf/vmlinux' "$T/strace" || true)
expect_eq "$opens" 1 "opens of the kernel BTF by bpfgate and its workers for 3 loads that need it"
echo "kernel BTF read once in all for 3 loads that need it"
