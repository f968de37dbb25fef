#!/usr/bin/env bash
# Bad input: one line "bpfgate: FILE: cause", exit 2, no crash, nothing left behind.
. "$(dirname "$0")/../lib.sh"

B=$O/tests/programs
printf '' >"$T/empty.o"
head -c 4096 /dev/urandom >"$T/random.o"
head -c 300 "$B/ok_counter.bpf.o" >"$T/truncated.o"
cp "$(type -P true)" "$T/x86.o"
# an object with maps but no programs
cat >"$T/noprog.bpf.c" <<'C'
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u32); } m SEC(".maps");
char LICENSE[] SEC("license") = "GPL";
C
${CLANG:-clang} -g -O2 -target bpf -Icompiler -c "$T/noprog.bpf.c" -o "$T/noprog.o" || fail "compile noprog"

progs0=$(bpf_prog_count) maps0=$(bpf_map_count) pins0=$(find /sys/fs/bpf 2>/dev/null | sort)
for f in "$T/missing.o" "$T" "$T/empty.o" "$T/random.o" "$T/truncated.o" "$T/x86.o" "$T/noprog.o"; do
	run "$BPFGATE" verify "$f"
	expect_eq "$rc" 2 "exit status for $(basename "$f")"
	expect_eq "$(echo "$err" | wc -l)" 1 "one line for $(basename "$f"): $err"
	expect_contains "$err" "bpfgate: $f: " "names the file"
	echo "  $(basename "$f"): $err"
done
# a bad file among good ones: the good ones are still verified, exit 2
run "$BPFGATE" verify --json "$T/random.o" "$B/ok_counter.bpf.o"
expect_eq "$rc" 2 "mixed good and bad"
expect_contains "$out" '"ok_counter"' "the good object was verified"

# usage errors
run "$BPFGATE" verify
expect_eq "$rc" 2 "no objects"
run "$BPFGATE" verify --jobs zero "$B/ok_counter.bpf.o"
expect_eq "$rc" 2 "bad --jobs"
run "$BPFGATE" verify --no-such-option "$B/ok_counter.bpf.o"
expect_eq "$rc" 2 "unknown option"
run "$BPFGATE" frobnicate
expect_eq "$rc" 2 "unknown command"

# without privilege
if command -v setpriv >/dev/null; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$BPFGATE" verify "$B/ok_counter.bpf.o"
	expect_eq "$rc" 2 "unprivileged"
	expect_contains "$err" "CAP_BPF" "names the missing capability"
	expect_eq "$(echo "$err" | wc -l)" 1 "one line when unprivileged"
fi
expect_settles bpf_prog_count "$progs0" "programs left in the kernel"
expect_settles bpf_map_count "$maps0" "maps left in the kernel"
expect_eq "$(find /sys/fs/bpf 2>/dev/null | sort)" "$pins0" "pins in bpffs"
echo "bad input handled"
