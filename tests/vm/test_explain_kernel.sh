#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bpfgate explain --kernel K explains a rejection inside a VM of kernel K (one
# boot): the screen names K's release, the source line, the failing instruction
# and the registers it uses as K's verifier saw them, and the full log file is
# K's log, sent back by the guest. A kernel or program that does not exist is
# one line and exit 2, before any boot.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/vm_lib.sh"

need_vm
K=${CI_KERNELS%% *}
rel=$(release "$K")
[ -n "$rel" ] || fail "ci/kernels.sh knows no release of $K"
obj=$O/tests/programs/bug_oob.bpf.o
[ -e "$obj" ] || fail "no test objects in $O/tests/programs (make test-bpf)"
export TMPDIR=$T

run "$BPFGATE" explain --kernel nosuch "$obj" bug_oob
expect_eq "$rc" 2 "an unknown kernel"
expect_contains "$err" "bpfgate: nosuch: not a kernel of the matrix" "its error"
run "$BPFGATE" explain --kernel "$K" "$obj" nosuch
expect_eq "$rc" 2 "an unknown program"
expect_eq "$err" "bpfgate: $obj: no program named 'nosuch' in this object" "its error"

run "$BPFGATE" explain --kernel "$K" --log "$T/full.log" "$obj" bug_oob
expect_eq "$rc" 1 "explain --kernel $K: exit status ($err)"
echo "$out"
expect_contains "$err" "matrix: $K: done in" "one VM of $K ran"
screen=$out
first=$(echo "$screen" | head -1)
expect_eq "$first" "bug_oob.bpf.o: prog 'bug_oob' (xdp) rejected on $rel" "the header"
expect_contains "$screen" "at:     bug_oob.bpf.c:11: if (data[12] == 0x08)" "the source line"
expect_contains "$screen" "class:  invalid_mem_access (program has a bug)" "the class"
expect_contains "$screen" "  >     1: r1 = *(u8 *)(r1 +12)" "the failing instruction"
# R1, as this kernel's verifier prints a packet pointer, from its own log
state=$(echo "$screen" | sed -n '/^state before insn 1/{n;p}')
case $state in "  R1   pkt("*) ;; *) fail "the state of R1: '$state'" ;; esac
expect_contains "$screen" "full log: $T/full.log" "the log file"
log=$(cat "$T/full.log")
expect_contains "$log" "prog 'bug_oob': -- BEGIN PROG LOAD LOG --" "the log's frame"
expect_contains "$log" "${state#  R1   }" "the state comes from the log"
expect_contains "$log" "invalid access to packet, off=12 size=1" "the error in the log"
echo "$log" | grep -qE '^processed [0-9]+ insns' || fail "the log has no statistics: $log"
echo "explained on $rel in a VM"
