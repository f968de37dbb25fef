#!/usr/bin/env bash
# make verify KERNELS=... runs bpfgate core-check against the kernels' BTF first and
# stops before booting anything when a program reaches a CO-RE relocation that does
# not resolve there: a program reading task_struct's __state (5.14 and later) fails on
# 5.10 in seconds. (The 5.10 kernel is fetched into the cache when it is not there.)
. "$(dirname "$0")/../lib.sh"

mkdir -p "$T/progs"
cat >"$T/progs/state.bpf.c" <<'EOF2'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("tp_btf/sched_process_exec")
int read_state(void *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();

	return t->__state; /* unguarded: 5.10 names it state */
}
char LICENSE[] SEC("license") = "GPL";
EOF2
start=$(date +%s)
# (bpfgate's objects as they are, so that the bpfgate built already is up to date)
mkdir -p "$T/o"
cp -a "$O/harness" "$T/o/"
run env -u MAKEFLAGS make O="$T/o" BPFGATE="$BPFGATE" PROGRAMS_DIR="$T/progs" KERNELS="5.10" \
	verify-host
expect_eq "$rc" 2 "make verify KERNELS=5.10 (make's status for a failed recipe)"
expect_contains "$err" "bpfgate: state.bpf.o:read_state on 5.10." "the core-check line"
expect_contains "$err" "task_struct.__state" "the relocation"
# nothing was booted: no verification result, and the VM's boot never started
case $out$err in *"programs:"* | *boot*) fail "verify ran after core-check failed: $out $err" ;; esac
took=$(($(date +%s) - start))

# A release's booted kernels are gated strictly, like the matrix's: a baseline without
# them is an error; the host alone (a developer's kernel) a warning.
for k in "5.10:error" "host:warn"; do
	run env -u MAKEFLAGS make -n V=1 release RELEASE_KERNELS="${k%%:*}"
	expect_contains "$out" "--baseline-missing=${k#*:}" "make release RELEASE_KERNELS=${k%%:*}"
done
echo "core-check stopped make verify KERNELS=5.10 after $took s; release gates strictly"
