#!/usr/bin/env bash
# The oldest supported compiler builds every program of the project.
. "$(dirname "$0")/../lib.sh"

command -v clang-14 >/dev/null || fail "clang-14 not installed (make deps installs it)"
run make CLANG=clang-14 O="$T/out" V=1 bpf-objs bpf-skels
[ $rc -eq 0 ] || fail "make CLANG=clang-14: $err"
expect_contains "$out" "clang-14 -g -O2 -target bpf" "clang-14 was the compiler"
n=$(ls "$T"/out/programs/*.bpf.o | wc -l)
expect_eq "$n" "$(ls programs/*.bpf.c programs/*/ 2>/dev/null | grep -c '\.bpf\.c$\|/$')" "every program built"
echo "$n programs built with clang-14"
