#!/usr/bin/env bash
# Touching a header rebuilds exactly the objects that include it.
. "$(dirname "$0")/../lib.sh"

P=$T/progs
mkdir -p "$P"
cat >"$P/common.h" <<'C'
#define VERDICT XDP_PASS
C
cat >"$P/uses.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "common.h"
SEC("xdp") int uses(struct xdp_md *ctx) { return VERDICT; }
char LICENSE[] SEC("license") = "GPL";
C
cat >"$P/other.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
SEC("xdp") int other(struct xdp_md *ctx) { return XDP_PASS; }
char LICENSE[] SEC("license") = "GPL";
C
make PROGRAMS_DIR="$P" O="$T/out" bpf-objs >/dev/null || fail "first build"
touch -d "5 seconds ago" "$P"/*
touch -d '2 seconds ago' "$T"/out/programs/*.bpf.o "$T"/out/programs/.unit/*.bpf.o
touch "$P/common.h"
run make PROGRAMS_DIR="$P" O="$T/out" bpf-objs
[ $rc -eq 0 ] || fail "rebuild: $err"
expect_contains "$out" "uses.bpf.c" "the object including common.h was rebuilt"
case $out in *other.bpf.c*) fail "other.bpf.c was rebuilt but does not include common.h" ;; esac
# nothing to do the second time
run make PROGRAMS_DIR="$P" O="$T/out" bpf-objs
case $out in *CLANG*|*BPF\ *) fail "a no-op make rebuilt: $out" ;; esac
echo "header change rebuilt exactly uses.bpf.o"
